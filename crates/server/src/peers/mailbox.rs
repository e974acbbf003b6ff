//! The lab's mailbox: the mail the SMTP peer received, kept in memory for the POP3 peer and
//! `GET /api/mailbox` to read. It is capped twice: at most `capacity` messages (the oldest is
//! dropped, and counted, to make room) and at most `max_message_bytes` per message (the SMTP peer
//! answers 552 to a larger one). Nothing is written to disk and nothing is sent anywhere.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use mail_parser::{MessageParser, MessagePart, MimeHeaders, PartType};
use wire::mailbox::{Envelope, MAX_PART_TEXT_BYTES, MailHeader, MailMessage, MailPart, Mailbox as Listing};

/// The default cap on the messages kept: the oldest is dropped to make room for a new one.
pub const DEFAULT_MAILBOX_CAPACITY: usize = 100;
/// The default cap on one message: 1 MiB (so the mailbox holds at most about 100 MiB).
pub const DEFAULT_MAX_MAIL_BYTES: usize = 1024 * 1024;

/// One received message, as the SMTP peer stored it.
#[derive(Debug)]
pub(crate) struct StoredMail {
    pub(crate) id: u64,
    pub(crate) received: SystemTime,
    pub(crate) client: SocketAddr,
    pub(crate) envelope: Envelope,
    /// The message as received: dot-unstuffed, without the final `.` line, no header added.
    pub(crate) data: Vec<u8>,
    /// The message parsed for `/api/mailbox`, the first time it is listed (a parse of a 1 MiB
    /// message is not repeated on every look at the mailbox).
    view: OnceLock<MailMessage>,
}

/// The capped, shared store of received mail.
#[derive(Debug)]
pub(crate) struct Mailbox {
    state: Mutex<State>,
    capacity: usize,
    max_message_bytes: usize,
    /// When the mailbox was made, in seconds since the Unix epoch: with a message's id, a POP3
    /// unique id that a restarted server does not give again.
    epoch: u64,
}

#[derive(Debug, Default)]
struct State {
    /// Oldest first.
    messages: VecDeque<Arc<StoredMail>>,
    dropped: u64,
    next_id: u64,
}

impl Mailbox {
    pub(crate) fn new(capacity: usize, max_message_bytes: usize) -> Self {
        let epoch = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
        Self { state: Mutex::new(State { next_id: 1, ..State::default() }), capacity, max_message_bytes, epoch }
    }

    /// A message's unique id for POP3's UIDL: `epoch.id`.
    pub(crate) fn uid(&self, mail: &StoredMail) -> String {
        format!("{}.{}", self.epoch, mail.id)
    }

    pub(crate) fn max_message_bytes(&self) -> usize {
        self.max_message_bytes
    }

    /// Keeps a message, dropping the oldest ones beyond the capacity; returns its id.
    pub(crate) fn deliver(&self, client: SocketAddr, envelope: Envelope, data: Vec<u8>) -> u64 {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        let mail = StoredMail { id, received: SystemTime::now(), client, envelope, data, view: OnceLock::new() };
        state.messages.push_back(Arc::new(mail));
        while state.messages.len() > self.capacity {
            if let Some(oldest) = state.messages.pop_front() {
                state.dropped += 1;
                tracing::info!(
                    peer = "smtp",
                    id = oldest.id,
                    capacity = self.capacity,
                    "mailbox full: dropped the oldest message"
                );
            }
        }
        id
    }

    /// The messages kept now, oldest first (a POP3 session's maildrop).
    pub(crate) fn snapshot(&self) -> Vec<Arc<StoredMail>> {
        self.lock().messages.iter().cloned().collect()
    }

    /// Removes the messages with these ids (those still there); returns how many were removed.
    pub(crate) fn remove(&self, ids: &[u64]) -> usize {
        let mut state = self.lock();
        let before = state.messages.len();
        state.messages.retain(|mail| !ids.contains(&mail.id));
        before - state.messages.len()
    }

    /// The listing of `/api/mailbox`: every message parsed (headers, MIME parts).
    pub(crate) fn listing(&self) -> Listing {
        let (messages, dropped) = {
            let state = self.lock();
            (state.messages.iter().cloned().collect::<Vec<_>>(), state.dropped)
        };
        Listing {
            messages: messages.iter().map(|mail| mail.view.get_or_init(|| view(mail)).clone()).collect(),
            dropped,
            capacity: self.capacity,
            max_message_bytes: self.max_message_bytes,
        }
    }

    /// The lock; a panic while it was held (none is expected) leaves the queue usable.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One message as `/api/mailbox` shows it, parsed with mail-parser.
fn view(mail: &StoredMail) -> MailMessage {
    let parsed = MessageParser::default().parse(&mail.data);
    let headers = parsed.as_ref().map_or_else(Vec::new, |message| {
        message.headers_raw().map(|(name, value)| MailHeader { name: name.to_owned(), value: unfold(value) }).collect()
    });
    let parts = parsed.as_ref().map_or_else(Vec::new, |message| parts_in_order(&message.parts));
    let received_unix_ms = mail.received.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis());
    MailMessage {
        id: mail.id,
        received_unix_ms: u64::try_from(received_unix_ms).unwrap_or(u64::MAX),
        client: mail.client.to_string(),
        envelope: mail.envelope.clone(),
        size: mail.data.len(),
        subject: parsed.as_ref().and_then(|message| message.subject()).map(str::to_owned),
        headers,
        parts,
    }
}

/// A header value with its folding (CRLF before white space) taken out, trimmed.
fn unfold(value: &str) -> String {
    value.replace(['\r', '\n'], "").trim().to_owned()
}

/// The parts from the root down, depth first, each with its depth. mail-parser lists parts flat
/// (a multipart names its children by index, always after itself); the walk follows only indexes
/// that point forward, so even a malformed tree ends.
fn parts_in_order(parts: &[MessagePart<'_>]) -> Vec<MailPart> {
    let mut shown = Vec::new();
    let mut stack = vec![(0usize, 0usize)];
    while let Some((index, depth)) = stack.pop() {
        let Some(part) = parts.get(index) else { continue };
        shown.push(view_part(part, depth));
        if let PartType::Multipart(children) = &part.body {
            let forward = children.iter().map(|&child| child as usize).filter(|&child| child > index);
            stack.extend(forward.rev().map(|child| (child, depth + 1)).collect::<Vec<_>>());
        }
    }
    shown
}

fn view_part(part: &MessagePart<'_>, depth: usize) -> MailPart {
    let declared = part.content_type().map(|content_type| match content_type.subtype() {
        Some(subtype) => format!("{}/{subtype}", content_type.ctype()),
        None => content_type.ctype().to_owned(),
    });
    let (implied, text) = match &part.body {
        PartType::Text(text) => ("text/plain", Some(text.as_ref())),
        PartType::Html(html) => ("text/html", Some(html.as_ref())),
        PartType::Binary(_) | PartType::InlineBinary(_) => ("application/octet-stream", None),
        PartType::Message(_) => ("message/rfc822", None),
        PartType::Multipart(_) => ("multipart/mixed", None),
    };
    let (text, text_truncated) = match text {
        Some(text) => {
            let cut = cut_at_char_boundary(text, MAX_PART_TEXT_BYTES);
            (Some(cut.to_owned()), cut.len() < text.len())
        }
        None => (None, false),
    };
    MailPart {
        depth,
        content_type: declared.unwrap_or_else(|| implied.to_owned()).to_ascii_lowercase(),
        filename: part.attachment_name().map(str::to_owned),
        transfer_encoding: part.content_transfer_encoding().map(str::to_owned),
        size: part.body.len(),
        text,
        text_truncated,
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(to: &str) -> Envelope {
        Envelope { helo: "client.example".into(), from: "a@example.org".into(), to: vec![to.into()] }
    }

    fn client() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 40000))
    }

    #[test]
    fn the_oldest_messages_are_dropped_and_counted() {
        let mailbox = Mailbox::new(2, 1000);
        let ids: Vec<u64> =
            ["1@x", "2@x", "3@x"].iter().map(|to| mailbox.deliver(client(), envelope(to), b"\r\n".to_vec())).collect();
        assert_eq!(ids, [1, 2, 3]);
        let listing = mailbox.listing();
        let kept: Vec<&str> = listing.messages.iter().map(|mail| mail.envelope.to[0].as_str()).collect();
        assert_eq!((kept, listing.dropped, listing.capacity), (vec!["2@x", "3@x"], 1, 2));
        assert_eq!(mailbox.remove(&[2, 99]), 1);
        assert_eq!(mailbox.snapshot().iter().map(|mail| mail.id).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn headers_are_unfolded_and_parts_listed_with_their_depth() {
        let message = concat!(
            "Subject: =?utf-8?q?caf=C3=A9?=\r\n",
            "X-Long: one\r\n two\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
            "\r\n",
            "--b\r\n",
            "Content-Type: text/plain; charset=utf-8\r\n",
            "\r\n",
            "hello\r\n",
            "--b\r\n",
            "Content-Type: application/octet-stream\r\n",
            "Content-Transfer-Encoding: base64\r\n",
            "Content-Disposition: attachment; filename=\"four.bin\"\r\n",
            "\r\n",
            "AAECAw==\r\n",
            "--b--\r\n",
        );
        let mailbox = Mailbox::new(10, 10_000);
        mailbox.deliver(client(), envelope("b@example.org"), message.as_bytes().to_vec());
        let mail = &mailbox.listing().messages[0];
        assert_eq!(mail.subject.as_deref(), Some("café"));
        let headers: Vec<(&str, &str)> =
            mail.headers.iter().map(|header| (header.name.as_str(), header.value.as_str())).collect();
        assert_eq!(&headers[..2], [("Subject", "=?utf-8?q?caf=C3=A9?="), ("X-Long", "one two")]);
        // (depth, content type, file name, transfer encoding, size, text)
        type Row<'a> = (usize, &'a str, Option<&'a str>, Option<&'a str>, usize, Option<&'a str>);
        let parts: Vec<Row> = mail
            .parts
            .iter()
            .map(|part| {
                let (text, name) = (part.text.as_deref(), part.filename.as_deref());
                (part.depth, part.content_type.as_str(), name, part.transfer_encoding.as_deref(), part.size, text)
            })
            .collect();
        assert_eq!(
            parts,
            [
                (0, "multipart/mixed", None, None, 0, None),
                (1, "text/plain", None, None, 5, Some("hello")),
                (1, "application/octet-stream", Some("four.bin"), Some("base64"), 4, None),
            ]
        );
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let cases = [("abc", 2, "ab"), ("é", 1, ""), ("aé", 2, "a"), ("aé", 3, "aé")];
        for (text, max, cut) in cases {
            assert_eq!(cut_at_char_boundary(text, max), cut, "{text} at {max}");
        }
    }
}
