//! The JSON of `GET /api/mailbox`: the mail the server's built-in SMTP peer received, as the
//! server writes it and the Sockets lab reads it (one set of types, so the two cannot drift).
//!
//! A message is shown three ways: its SMTP envelope (what the client said in HELO/EHLO, MAIL FROM
//! and RCPT TO), its header fields as they were written (folded lines joined), and its MIME parts
//! in document order, decoded (base64 and quoted-printable undone, text in UTF-8).

use serde::{Deserialize, Serialize};

/// The whole mailbox, oldest message first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    pub messages: Vec<MailMessage>,
    /// Messages dropped, oldest first, to keep at most `capacity`, since the server started.
    pub dropped: u64,
    /// The most messages kept at once (`--mailbox-capacity`).
    pub capacity: usize,
    /// The largest message accepted, in bytes (`--max-mail-bytes`); larger ones get 552.
    pub max_message_bytes: usize,
}

/// One received message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    /// The message's number, unique while the server runs (POP3's UIDL is made from it).
    pub id: u64,
    /// When the final `.` was received, in milliseconds since the Unix epoch.
    pub received_unix_ms: u64,
    /// The client that sent it, `address:port`.
    pub client: String,
    pub envelope: Envelope,
    /// The message's size in bytes as stored: after dot-unstuffing, lines ending in CRLF.
    pub size: usize,
    /// The decoded `Subject`, if there is one.
    pub subject: Option<String>,
    /// The top-level header fields in order, folded lines joined.
    pub headers: Vec<MailHeader>,
    /// The MIME parts in document order, multipart containers included.
    pub parts: Vec<MailPart>,
}

/// What the client said before the message: the SMTP envelope, which may differ from the
/// `From:` and `To:` header fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The name given in `HELO` or `EHLO`.
    pub helo: String,
    /// The reverse path of `MAIL FROM:<...>` (empty for the null path `<>`).
    pub from: String,
    /// The forward paths of every accepted `RCPT TO:<...>`.
    pub to: Vec<String>,
}

/// One header field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailHeader {
    pub name: String,
    /// The value as written (encoded words left as they are), folded lines joined, trimmed.
    pub value: String,
}

/// One MIME part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPart {
    /// How deep it is nested: 0 for the message itself, 1 for the parts of a top-level multipart.
    pub depth: usize,
    /// `type/subtype` (`text/plain` when the part declares none).
    pub content_type: String,
    /// The attachment's file name, if it has one.
    pub filename: Option<String>,
    /// `Content-Transfer-Encoding` as declared (`base64`, `quoted-printable`, ...), if declared.
    pub transfer_encoding: Option<String>,
    /// The decoded body's size in bytes (0 for a multipart container).
    pub size: usize,
    /// The decoded text of a text part, cut at [`MAX_PART_TEXT_BYTES`]; `None` for other parts.
    pub text: Option<String>,
    /// Whether `text` was cut.
    pub text_truncated: bool,
}

/// The most text of one part the listing carries; the whole message can be read over POP3.
pub const MAX_PART_TEXT_BYTES: usize = 16 * 1024;
