//! The POP3 peer (RFC 1939, with CAPA from RFC 2449): reads the lab's mailbox, the mail the SMTP
//! peer received. No well-kept POP3 server crate exists, so this is a small one of its own: the
//! protocol is [`Session::handle`], a function from a command line to a reply (tested as tables),
//! driven over a socket by [`serve`].
//!
//! This is a lab server, and says so in its greeting: `USER`/`PASS` and `APOP` accept any name and
//! any password or digest, and everyone reads the same mailbox. A session sees the mailbox as it
//! was when it logged in (no lock is taken: SMTP keeps delivering meanwhile); messages marked with
//! `DELE` are removed from the mailbox at `QUIT`, and only then (RFC 1939's UPDATE state).
//! Commands: USER, PASS, APOP, STAT, LIST, UIDL, RETR (dot-stuffed), TOP, DELE, RSET, NOOP, QUIT,
//! CAPA. The idle timeout is `--peer-idle-timeout` (RFC 1939 asks for 10 minutes at least; the
//! default is 5, like SMTP's).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::net::TcpStream;

use super::Connection;
use super::line::{Conversation, Line, Read};
use super::mailbox::{Mailbox, StoredMail};

/// The longest command line, CRLF included (RFC 2449 section 4: 255 octets).
const MAX_COMMAND_LINE: usize = 255;
/// Error replies in a row after which the peer closes the connection.
const MAX_ERRORS_IN_A_ROW: usize = 20;

pub(crate) const BUSY: &[u8] = b"-ERR too many connections, try again later\r\n";
const IDLE: &[u8] = b"-ERR idle for too long, closing the connection\r\n";
const SHUTTING_DOWN: &[u8] = b"-ERR the server is shutting down\r\n";
const LINE_TOO_LONG: &[u8] = b"-ERR command line too long (at most 255 bytes)\r\n";

/// Serves one POP3 client until QUIT, the idle timeout, an error or the shutdown.
pub(super) async fn serve(stream: TcpStream, client: SocketAddr, connection: Connection, mailbox: Arc<Mailbox>) {
    let context = &connection.context;
    let mut conversation = Conversation::new(stream, context);
    let mut session = Session::new(mailbox, &banner_timestamp());
    let ended = async {
        conversation.send(&session.greeting()).await?;
        let mut line = Vec::with_capacity(MAX_COMMAND_LINE);
        let mut errors_in_a_row = 0;
        loop {
            let reply = match conversation.read_line(&mut line, MAX_COMMAND_LINE).await? {
                Read::Line(Line::End) => return Ok("the client closed the connection"),
                Read::Line(Line::TooLong) => Reply::error(LINE_TOO_LONG),
                Read::Line(Line::Complete) => session.handle(&line),
                Read::Idle => return conversation.send(IDLE).await.map(|()| "idle"),
                Read::Shutdown => return conversation.send(SHUTTING_DOWN).await.map(|()| "shutdown"),
            };
            tracing::debug!(peer = context.name, %client, ok = !reply.is_error, bytes = reply.bytes.len(), "reply");
            conversation.send(&reply.bytes).await?;
            if reply.close {
                return Ok("QUIT");
            }
            errors_in_a_row = if reply.is_error { errors_in_a_row + 1 } else { 0 };
            if errors_in_a_row >= MAX_ERRORS_IN_A_ROW {
                return Ok("too many errors");
            }
        }
    };
    let ended: std::io::Result<&str> = ended.await;
    match ended {
        Ok(why) => tracing::debug!(peer = context.name, %client, why, "POP3 connection closed"),
        Err(error) => tracing::debug!(peer = context.name, %client, %error, "POP3 connection failed"),
    }
}

/// APOP's timestamp for the greeting: `<process.nanoseconds@localhost>`, new for every session.
fn banner_timestamp() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_nanos());
    format!("<{}.{nanos}@localhost>", std::process::id())
}

/// What the session answers to one line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) bytes: Vec<u8>,
    pub(crate) is_error: bool,
    /// Close the connection once the reply is sent (after QUIT).
    pub(crate) close: bool,
}

impl Reply {
    fn ok(text: &str) -> Self {
        Self { bytes: format!("+OK {text}\r\n").into_bytes(), is_error: false, close: false }
    }

    /// `+OK text` and then a multi-line body, its lines dot-stuffed, ended by `.` on a line.
    fn ok_multiline(text: &str, body: &[u8]) -> Self {
        let mut bytes = format!("+OK {text}\r\n").into_bytes();
        dot_stuff(body, &mut bytes);
        bytes.extend_from_slice(b".\r\n");
        Self { bytes, is_error: false, close: false }
    }

    fn err(text: &str) -> Self {
        Self { bytes: format!("-ERR {text}\r\n").into_bytes(), is_error: true, close: false }
    }

    fn error(bytes: &[u8]) -> Self {
        Self { bytes: bytes.to_vec(), is_error: true, close: false }
    }
}

/// Copies `body` to `out` line by line, doubling a leading `.` (RFC 1939 section 3), and ends a
/// last line that lacks one with CRLF, so the terminating `.` stands on a line of its own.
fn dot_stuff(body: &[u8], out: &mut Vec<u8>) {
    out.reserve(body.len() + body.len() / 64 + 2);
    for line in body.split_inclusive(|&byte| byte == b'\n') {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
    }
    if !body.is_empty() && !body.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
}

/// RFC 1939's states (UPDATE is the moment QUIT is handled in TRANSACTION).
#[derive(Debug)]
enum State {
    /// Before login; `user` is the name given with USER, waiting for PASS.
    Authorization {
        user: Option<String>,
    },
    Transaction {
        maildrop: Vec<Arc<StoredMail>>,
        deleted: Vec<bool>,
    },
}

/// One POP3 session: the protocol without the socket.
pub(crate) struct Session {
    mailbox: Arc<Mailbox>,
    timestamp: String,
    state: State,
}

impl Session {
    pub(crate) fn new(mailbox: Arc<Mailbox>, timestamp: &str) -> Self {
        Self { mailbox, timestamp: timestamp.to_owned(), state: State::Authorization { user: None } }
    }

    pub(crate) fn greeting(&self) -> Vec<u8> {
        format!("+OK Wirelab's lab POP3 server: any name and password will do {}\r\n", self.timestamp).into_bytes()
    }

    /// Answers one command line (its line ending included).
    pub(crate) fn handle(&mut self, line: &[u8]) -> Reply {
        let Ok(line) = std::str::from_utf8(line) else {
            return Reply::err("commands are ASCII text");
        };
        let line = line.strip_suffix('\n').map_or(line, |line| line.strip_suffix('\r').unwrap_or(line));
        let mut words = line.split(' ').filter(|word| !word.is_empty());
        let keyword = words.next().unwrap_or_default().to_ascii_uppercase();
        let arguments: Vec<&str> = words.collect();
        if keyword == "CAPA" {
            return capabilities();
        }
        match &mut self.state {
            State::Authorization { user } => match (keyword.as_str(), arguments.as_slice()) {
                ("USER", [name]) => {
                    *user = Some((*name).to_owned());
                    Reply::ok(&format!("{name} is welcome here; any password will do"))
                }
                ("PASS", [_, ..]) if user.is_some() => self.log_in(),
                ("PASS", _) => Reply::err("USER first"),
                ("APOP", [_name, _digest]) => self.log_in(),
                ("QUIT", []) => Reply { close: true, ..Reply::ok("Wirelab POP3 server signing off") },
                ("USER" | "APOP", _) => Reply::err("wrong arguments: USER name, APOP name digest"),
                ("STAT" | "LIST" | "UIDL" | "RETR" | "TOP" | "DELE" | "RSET" | "NOOP", _) => {
                    Reply::err("log in first: USER name, then PASS password")
                }
                _ => unknown(&keyword),
            },
            State::Transaction { maildrop, deleted } => {
                transaction(&self.mailbox, maildrop, deleted, &keyword, &arguments)
            }
        }
    }

    fn log_in(&mut self) -> Reply {
        let maildrop = self.mailbox.snapshot();
        let reply = Reply::ok(&format!("maildrop has {} messages ({} octets)", maildrop.len(), octets(&maildrop)));
        let deleted = vec![false; maildrop.len()];
        self.state = State::Transaction { maildrop, deleted };
        reply
    }
}

fn capabilities() -> Reply {
    let list = b"USER\r\nTOP\r\nUIDL\r\nPIPELINING\r\nIMPLEMENTATION Wirelab\r\n";
    Reply::ok_multiline("capability list follows", list)
}

fn unknown(keyword: &str) -> Reply {
    Reply::err(&format!(
        "unknown command {keyword:?}; try USER, PASS, APOP, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT, CAPA"
    ))
}

fn octets<'a>(messages: impl IntoIterator<Item = &'a Arc<StoredMail>>) -> usize {
    messages.into_iter().map(|mail| mail.data.len()).sum()
}

/// A command in the TRANSACTION state (QUIT ends it: the UPDATE state).
fn transaction(
    mailbox: &Mailbox,
    maildrop: &[Arc<StoredMail>],
    deleted: &mut [bool],
    keyword: &str,
    arguments: &[&str],
) -> Reply {
    // The message a 1-based number names, unless it is out of range or deleted.
    let message = |number: &str| -> Result<(usize, &Arc<StoredMail>), Reply> {
        let index = number.parse::<usize>().ok().and_then(|number| number.checked_sub(1));
        match index.and_then(|index| Some((index, maildrop.get(index)?))) {
            Some((index, _)) if deleted[index] => Err(Reply::err(&format!("message {number} is deleted"))),
            Some(found) => Ok(found),
            None => Err(Reply::err(&format!("no message {number}; there are {}", maildrop.len()))),
        }
    };
    let kept = || maildrop.iter().enumerate().filter(|(index, _)| !deleted[*index]);
    match (keyword, arguments) {
        ("STAT", []) => {
            let count = kept().count();
            let size = octets(kept().map(|(_, mail)| mail));
            Reply { bytes: format!("+OK {count} {size}\r\n").into_bytes(), is_error: false, close: false }
        }
        ("LIST", []) => {
            let listing: String =
                kept().map(|(index, mail)| format!("{} {}\r\n", index + 1, mail.data.len())).collect();
            Reply::ok_multiline(&format!("{} messages", kept().count()), listing.as_bytes())
        }
        ("LIST", [number]) => match message(number) {
            Ok((index, mail)) => Reply::ok(&format!("{} {}", index + 1, mail.data.len())),
            Err(reply) => reply,
        },
        ("UIDL", []) => {
            let listing: String =
                kept().map(|(index, mail)| format!("{} {}\r\n", index + 1, mailbox.uid(mail))).collect();
            Reply::ok_multiline("unique ids follow", listing.as_bytes())
        }
        ("UIDL", [number]) => match message(number) {
            Ok((index, mail)) => Reply::ok(&format!("{} {}", index + 1, mailbox.uid(mail))),
            Err(reply) => reply,
        },
        ("RETR", [number]) => match message(number) {
            Ok((_, mail)) => Reply::ok_multiline(&format!("{} octets", mail.data.len()), &mail.data),
            Err(reply) => reply,
        },
        ("TOP", [number, lines]) => match (message(number), lines.parse::<usize>()) {
            (Ok((_, mail)), Ok(lines)) => Reply::ok_multiline("top of message follows", top(&mail.data, lines)),
            (Err(reply), _) => reply,
            (_, Err(_)) => Reply::err("TOP takes a message number and a number of lines"),
        },
        ("DELE", [number]) => match message(number) {
            Ok((index, _)) => {
                deleted[index] = true;
                Reply::ok(&format!("message {number} deleted (at QUIT)"))
            }
            Err(reply) => reply,
        },
        ("RSET", []) => {
            deleted.fill(false);
            Reply::ok(&format!("maildrop has {} messages ({} octets)", maildrop.len(), octets(maildrop)))
        }
        ("NOOP", []) => Reply::ok("still here"),
        ("QUIT", []) => {
            let ids: Vec<u64> =
                maildrop.iter().zip(deleted.iter()).filter(|(_, gone)| **gone).map(|(m, _)| m.id).collect();
            let removed = mailbox.remove(&ids);
            if removed > 0 {
                tracing::info!(peer = "pop3", removed, "messages deleted from the mailbox");
            }
            let left = mailbox.snapshot().len();
            Reply { close: true, ..Reply::ok(&format!("signing off: {removed} deleted, {left} left in the mailbox")) }
        }
        ("USER" | "PASS" | "APOP", _) => Reply::err("already logged in"),
        ("STAT" | "LIST" | "UIDL" | "RETR" | "TOP" | "DELE" | "RSET" | "NOOP" | "QUIT", _) => {
            Reply::err(&format!("wrong arguments for {keyword}"))
        }
        _ => unknown(keyword),
    }
}

/// The header, the blank line and the first `lines` lines of the body (RFC 1939's TOP).
fn top(message: &[u8], lines: usize) -> &[u8] {
    let mut end = 0;
    let mut in_body = false;
    let mut body_lines = 0;
    for line in message.split_inclusive(|&byte| byte == b'\n') {
        if in_body {
            if body_lines == lines {
                break;
            }
            body_lines += 1;
        } else if line == b"\r\n" || line == b"\n" {
            in_body = true;
        }
        end += line.len();
    }
    &message[..end]
}

#[cfg(test)]
mod tests {
    use wire::mailbox::Envelope;

    use super::*;

    const FIRST: &[u8] = b"Subject: one\r\n\r\nline 1\r\n.dotted\r\nline 3\r\n";
    const SECOND: &[u8] = b"Subject: two\r\n\r\nno final line break";

    fn mailbox() -> Arc<Mailbox> {
        let mailbox = Arc::new(Mailbox::new(10, 10_000));
        for data in [FIRST, SECOND] {
            let envelope = Envelope { helo: "h".into(), from: "a@x".into(), to: vec!["b@x".into()] };
            mailbox.deliver(SocketAddr::from(([127, 0, 0, 1], 1)), envelope, data.to_vec());
        }
        mailbox
    }

    /// Runs `(command, expected reply)` steps in one session; `*` at the end of an expected reply
    /// matches any rest.
    fn converse(mailbox: &Arc<Mailbox>, steps: &[(&str, &str)]) {
        let mut session = Session::new(Arc::clone(mailbox), "<1.2@localhost>");
        for (command, expected) in steps {
            let reply = session.handle(format!("{command}\r\n").as_bytes());
            let reply = String::from_utf8_lossy(&reply.bytes);
            match expected.strip_suffix('*') {
                Some(prefix) => assert!(reply.starts_with(prefix), "{command}: {reply:?}"),
                None => assert_eq!(reply, *expected, "{command}"),
            }
        }
    }

    #[test]
    fn a_session_reads_lists_and_deletes_as_rfc_1939_says() {
        let mailbox = mailbox();
        let epoch = mailbox.uid(&mailbox.snapshot()[0]);
        let epoch = epoch.split('.').next().unwrap_or_default();
        let uidl = format!("+OK unique ids follow\r\n1 {epoch}.1\r\n2 {epoch}.2\r\n.\r\n");
        converse(
            &mailbox,
            &[
                ("STAT", "-ERR log in first: USER name, then PASS password\r\n"),
                ("PASS secret", "-ERR USER first\r\n"),
                ("user ada", "+OK ada is welcome here; any password will do\r\n"),
                ("PASS anything", "+OK maildrop has 2 messages (76 octets)\r\n"),
                ("STAT", "+OK 2 76\r\n"),
                ("LIST", "+OK 2 messages\r\n1 41\r\n2 35\r\n.\r\n"),
                ("LIST 2", "+OK 2 35\r\n"),
                ("LIST 3", "-ERR no message 3; there are 2\r\n"),
                ("LIST x", "-ERR no message x; there are 2\r\n"),
                ("UIDL", &uidl),
                ("RETR 1", "+OK 41 octets\r\nSubject: one\r\n\r\nline 1\r\n..dotted\r\nline 3\r\n.\r\n"),
                ("RETR 2", "+OK 35 octets\r\nSubject: two\r\n\r\nno final line break\r\n.\r\n"),
                ("TOP 1 0", "+OK top of message follows\r\nSubject: one\r\n\r\n.\r\n"),
                ("TOP 1 2", "+OK top of message follows\r\nSubject: one\r\n\r\nline 1\r\n..dotted\r\n.\r\n"),
                ("TOP 1", "-ERR wrong arguments for TOP\r\n"),
                ("DELE 1", "+OK message 1 deleted (at QUIT)\r\n"),
                ("RETR 1", "-ERR message 1 is deleted\r\n"),
                ("STAT", "+OK 1 35\r\n"),
                ("RSET", "+OK maildrop has 2 messages (76 octets)\r\n"),
                ("STAT", "+OK 2 76\r\n"),
                ("DELE 2", "+OK message 2 deleted (at QUIT)\r\n"),
                ("USER again", "-ERR already logged in\r\n"),
                ("XTND", "-ERR unknown command \"XTND\"*"),
                ("NOOP", "+OK still here\r\n"),
                ("QUIT", "+OK signing off: 1 deleted, 1 left in the mailbox\r\n"),
            ],
        );
        let left: Vec<u64> = mailbox.snapshot().iter().map(|mail| mail.id).collect();
        assert_eq!(left, [1]);
    }

    #[test]
    fn apop_capa_and_quit_before_login() {
        let mailbox = mailbox();
        converse(
            &mailbox,
            &[
                (
                    "CAPA",
                    "+OK capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\nPIPELINING\r\nIMPLEMENTATION Wirelab\r\n.\r\n",
                ),
                ("APOP ada", "-ERR wrong arguments: USER name, APOP name digest\r\n"),
                ("APOP ada c4c9334bac560ecc979e58001b3e22fb", "+OK maildrop has 2 messages (76 octets)\r\n"),
                ("DELE 2", "+OK*"),
                ("QUIT", "+OK signing off: 1 deleted, 1 left in the mailbox\r\n"),
            ],
        );
        converse(&mailbox, &[("USER a", "+OK*"), ("QUIT", "+OK Wirelab POP3 server signing off\r\n")]);
        assert_eq!(mailbox.snapshot().len(), 1, "QUIT before login deletes nothing");
    }

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_ends_the_last_line() {
        let cases: [(&[u8], &[u8]); 5] = [
            (b"", b""),
            (b".\r\n", b"..\r\n"),
            (b"a\r\n.b\r\n", b"a\r\n..b\r\n"),
            (b"..two\n", b"...two\n"),
            (b"no end", b"no end\r\n"),
        ];
        for (body, stuffed) in cases {
            let mut out = Vec::new();
            dot_stuff(body, &mut out);
            assert_eq!(out, stuffed, "{:?}", String::from_utf8_lossy(body));
        }
    }
}
