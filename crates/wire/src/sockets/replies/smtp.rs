//! SMTP's words for a learner: what each reply code of RFC 5321 (and AUTH's, RFC 4954) means,
//! the enhanced status codes of RFC 3463 (`2.1.0`, `5.7.1`) that servers put before the text, and
//! the extensions an `EHLO` reply lists.

/// What an SMTP reply code says, in plain words, or `None` for a code the RFCs do not name.
pub fn code_meaning(code: u16) -> Option<&'static str> {
    Some(match code {
        211 => "System status, or a reply to HELP about the system",
        214 => "Help: text meant for a person",
        220 => "The server is ready and greets you: introduce yourself with EHLO (or the older HELO)",
        221 => "Goodbye: the server is closing the connection",
        235 => "Authentication succeeded",
        250 => "OK: the requested action was done",
        251 => "The recipient is not local; the server will forward the mail",
        252 => "The server cannot verify that user, but will accept mail for it and try to deliver",
        334 => "AUTH: the server's challenge (base64); answer it on the next line",
        354 => "Go ahead: send the message (headers, a blank line, the body) and end it with a line holding only '.'",
        421 => "The service is not available and is closing the connection (try again later)",
        450 => "The mailbox is unavailable for now (busy or temporarily blocked); try again later",
        451 => "The server had a local error while processing; try again later",
        452 => "The server has not enough storage right now (or too many recipients)",
        455 => "The server cannot take these parameters right now",
        500 => "Syntax error: the command was not recognised (or the line was too long)",
        501 => "Syntax error in the command's parameters or arguments",
        502 => "The command is not implemented by this server",
        503 => "Bad sequence of commands: this command does not fit here (RCPT needs MAIL first, DATA needs RCPT)",
        504 => "A parameter of the command is not implemented",
        530 => "Authentication is required first",
        535 => "Authentication failed: the credentials were not accepted",
        550 => "Refused: the mailbox is unavailable (no such user, no access, or a policy)",
        551 => "The user is not local; the server will not forward",
        552 => "Refused: the message is over the size allowed",
        553 => "Refused: the mailbox name is not allowed (check the address's syntax)",
        554 => "The transaction failed (as a greeting: there is no SMTP service here)",
        555 => "The MAIL FROM or RCPT TO parameters are not recognised or not implemented",
        _ => return None,
    })
}

/// An enhanced status code (RFC 3463): class, subject and detail, `5.1.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnhancedStatus {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl EnhancedStatus {
    /// The code at the start of a reply's text (`2.1.0 Sender OK`), if there is one.
    pub fn parse(text: &str) -> Option<EnhancedStatus> {
        let word = text.split_whitespace().next()?;
        let mut parts = word.split('.');
        let class = parts.next()?;
        let subject = parts.next()?;
        let detail = parts.next()?;
        let digits = |part: &str, max_len: usize| {
            (!part.is_empty() && part.len() <= max_len && part.bytes().all(|byte| byte.is_ascii_digit()))
                .then(|| part.parse::<u16>().ok())
                .flatten()
        };
        let class = digits(class, 1).and_then(|class| u8::try_from(class).ok())?;
        if parts.next().is_some() || !matches!(class, 2 | 4 | 5) {
            return None;
        }
        Some(EnhancedStatus { class, subject: digits(subject, 3)?, detail: digits(detail, 3)? })
    }

    /// `5.1.1: permanent failure · addressing · bad destination mailbox address`.
    pub fn meaning(self) -> String {
        let class = match self.class {
            2 => "success",
            4 => "temporary failure (try again later)",
            _ => "permanent failure",
        };
        let subject = match self.subject {
            0 => "other",
            1 => "addressing",
            2 => "mailbox",
            3 => "mail system",
            4 => "network and routing",
            5 => "mail delivery protocol",
            6 => "message content",
            7 => "security or policy",
            _ => "unknown subject",
        };
        let detail = match (self.subject, self.detail) {
            (_, 0) => None,
            (1, 1) => Some("bad destination mailbox address"),
            (1, 2) => Some("bad destination system address"),
            (1, 3) => Some("bad destination mailbox address syntax"),
            (1, 5) => Some("destination address valid"),
            (1, 6) => Some("the mailbox has moved"),
            (1, 7) => Some("bad sender's mailbox address syntax"),
            (1, 8) => Some("bad sender's system address"),
            (2, 1) => Some("mailbox disabled, not accepting messages"),
            (2, 2) => Some("mailbox full"),
            (2, 3) => Some("message longer than the mailbox allows"),
            (3, 4) => Some("message too big for the system"),
            (4, 7) => Some("delivery time expired"),
            (5, 1) => Some("invalid command"),
            (5, 2) => Some("syntax error"),
            (5, 3) => Some("too many recipients"),
            (5, 4) => Some("invalid command arguments"),
            (7, 1) => Some("delivery not authorised, message refused"),
            (7, 8) => Some("authentication credentials invalid"),
            _ => None,
        };
        let mut out = format!("{}.{}.{}: {class} · {subject}", self.class, self.subject, self.detail);
        if let Some(detail) = detail {
            out.push_str(&format!(" · {detail}"));
        }
        out
    }
}

/// What one line of an `EHLO` reply (after the first) announces: `SIZE 10485760` → the server
/// takes messages up to that size.
pub fn extension_meaning(line_text: &str) -> Option<String> {
    let mut words = line_text.split_whitespace();
    let keyword = words.next()?.to_ascii_uppercase();
    let rest: Vec<&str> = words.collect();
    Some(match keyword.as_str() {
        "PIPELINING" => "PIPELINING: you may send several commands without waiting for each reply".to_string(),
        "SIZE" => match rest.first() {
            Some(limit) => format!("SIZE: messages up to {limit} bytes are accepted"),
            None => "SIZE: the server says how big a message may be (MAIL FROM:<…> SIZE=n)".to_string(),
        },
        "8BITMIME" => "8BITMIME: message bodies may use 8-bit bytes, not only 7-bit ASCII".to_string(),
        "SMTPUTF8" => "SMTPUTF8: addresses and headers may be UTF-8".to_string(),
        "STARTTLS" => "STARTTLS: the connection can be switched to TLS (encrypted) with STARTTLS".to_string(),
        "AUTH" => format!("AUTH: log in with one of these mechanisms: {}", rest.join(", ")),
        "ENHANCEDSTATUSCODES" => "ENHANCEDSTATUSCODES: replies carry codes like 2.1.0 after the number".to_string(),
        "CHUNKING" => "CHUNKING: the message may be sent in pieces with BDAT instead of DATA".to_string(),
        "DSN" => "DSN: delivery status notifications can be asked for".to_string(),
        "HELP" => "HELP: the HELP command answers".to_string(),
        _ => return None,
    })
}
