//! SMTP, POP3 and FTP replies read from the stream as it arrives and explained for a learner.
//!
//! TCP is a stream: one reply may arrive split across chunks and one chunk may hold several, so
//! a [`Conversation`] keeps what is incomplete until its end comes. It groups multi-line replies
//! (SMTP `250-…`/`250 …`; FTP `211-…` up to `211 …`, free text between; POP3 `+OK` followed by
//! lines up to a lone `.`, dot-unstuffed) and pairs each reply with the command that provoked
//! it, which it reads from the bytes sent ([`commands`]): both protocols answer commands in
//! order, the first reply answers the connection itself (the greeting), an FTP `1xx` is a
//! preliminary reply followed by the real one, and in POP3 the command decides whether a
//! multi-line response follows `+OK`.

pub mod commands;
pub mod ftp;
pub mod lines;
pub mod pop3;
pub mod smtp;

use std::collections::VecDeque;

use self::commands::{Command, CommandKind, CommandReader};
use self::ftp::PassiveAddress;
use self::lines::{Line, LineSplitter};
use self::smtp::EnhancedStatus;
use super::target::Protocol;

/// Most bytes of a POP3 multi-line body a reply keeps (the rest is counted, not kept).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What a reply's first line says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// SMTP and FTP: a three-digit code.
    Code(u16),
    /// POP3 `+OK`.
    Ok,
    /// POP3 `-ERR`.
    Err,
    /// POP3 `+ `: the server waits for the next line of an exchange (AUTH).
    Continue,
    /// A line that is no reply of this protocol.
    Unrecognized,
}

/// What a reply means for the conversation, for its colour and icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// FTP `1xx`: started; another reply follows.
    Preliminary,
    /// `2xx`, `+OK`.
    Success,
    /// `3xx`, POP3 `+ `: the server needs the next command or line.
    Intermediate,
    /// `4xx`: failed this time; the same command may work later.
    TransientFailure,
    /// `5xx`: failed; repeating it as is will fail again.
    PermanentFailure,
    /// POP3 `-ERR` (POP3 does not say whether to retry).
    Failure,
    NotAReply,
}

/// A reply explained: one sentence, then any details (an enhanced status code, an EHLO
/// extension each, a passive address's working).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub summary: String,
    pub details: Vec<String>,
}

/// One complete reply (or a line that is not one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub protocol: Protocol,
    pub status: Status,
    /// The reply's lines as received, without line endings (POP3: the status line only).
    pub lines: Vec<String>,
    /// POP3: the lines after `+OK` up to the lone `.`, dot-unstuffed.
    pub body: Vec<String>,
    /// The transcript entries where the reply began and ended.
    pub first_chunk: u64,
    pub last_chunk: u64,
    /// The command it answers (a greeting answers the connection).
    pub command: Option<Command>,
    /// What is off about it (a bare LF, a line without the reply's code, a cut body).
    pub problems: Vec<String>,
}

impl Reply {
    fn new(protocol: Protocol, status: Status, line: &Line) -> Reply {
        Reply {
            protocol,
            status,
            lines: Vec::new(),
            body: Vec::new(),
            first_chunk: line.first_chunk,
            last_chunk: line.last_chunk,
            command: None,
            problems: Vec::new(),
        }
    }

    fn add_line(&mut self, line: &Line) {
        self.lines.push(line.text());
        self.last_chunk = line.last_chunk;
        self.note_line_problems(line);
    }

    fn note_line_problems(&mut self, line: &Line) {
        let problem = if line.cut {
            format!("a line longer than {} bytes was cut", lines::MAX_LINE_BYTES)
        } else if line.bare_lf {
            "a line ended with LF alone; the protocol ends lines with CRLF".to_string()
        } else {
            return;
        };
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    pub fn code(&self) -> Option<u16> {
        match self.status {
            Status::Code(code) => Some(code),
            _ => None,
        }
    }

    /// The status as shown: `250`, `+OK`, `-ERR`, `+`, or `?`.
    pub fn status_label(&self) -> String {
        match self.status {
            Status::Code(code) => code.to_string(),
            Status::Ok => "+OK".to_string(),
            Status::Err => "-ERR".to_string(),
            Status::Continue => "+".to_string(),
            Status::Unrecognized => "?".to_string(),
        }
    }

    /// The text of each line without its code or status (`250-SIZE 1000` → `SIZE 1000`).
    pub fn texts(&self) -> Vec<String> {
        self.lines.iter().map(|line| strip_status(self.status, line).to_string()).collect()
    }

    /// The text of the last line (where SMTP and FTP put what matters).
    pub fn last_text(&self) -> String {
        self.lines.last().map(|line| strip_status(self.status, line).to_string()).unwrap_or_default()
    }

    pub fn outcome(&self) -> Outcome {
        match self.status {
            Status::Code(code) => match code / 100 {
                1 => Outcome::Preliminary,
                2 => Outcome::Success,
                3 => Outcome::Intermediate,
                4 => Outcome::TransientFailure,
                _ => Outcome::PermanentFailure,
            },
            Status::Ok => Outcome::Success,
            Status::Err => Outcome::Failure,
            Status::Continue => Outcome::Intermediate,
            Status::Unrecognized => Outcome::NotAReply,
        }
    }

    /// SMTP: the enhanced status code (RFC 3463) at the start of the last line's text.
    pub fn enhanced_status(&self) -> Option<EnhancedStatus> {
        (self.protocol == Protocol::Smtp).then(|| EnhancedStatus::parse(&self.last_text())).flatten()
    }

    /// FTP 227 and 229: where to open the data connection, or why it cannot be read.
    pub fn passive_address(&self) -> Option<Result<PassiveAddress, String>> {
        match (self.protocol, self.status) {
            (Protocol::Ftp, Status::Code(code @ (227 | 229))) => Some(ftp::passive_address(code, &self.last_text())),
            _ => None,
        }
    }

    fn verb(&self) -> Option<&str> {
        self.command.as_ref().filter(|command| command.kind == CommandKind::Line).map(|command| command.verb.as_str())
    }

    /// The reply in plain words.
    pub fn explanation(&self) -> Explanation {
        let mut details = Vec::new();
        let summary = match self.status {
            Status::Code(code) => {
                let meaning = match self.protocol {
                    Protocol::Smtp => smtp::code_meaning(code),
                    _ => ftp::code_meaning(code),
                };
                if let Some(status) = self.enhanced_status() {
                    details.push(status.meaning());
                }
                if self.protocol == Protocol::Smtp && matches!(self.verb(), Some("EHLO")) {
                    details.extend(self.texts().iter().skip(1).filter_map(|text| smtp::extension_meaning(text)));
                }
                match self.passive_address() {
                    Some(Ok(address)) => details.push(address.working),
                    Some(Err(problem)) => details.push(problem),
                    None => {}
                }
                format!("{code}: {}", meaning.map_or_else(|| class_meaning(code), str::to_string))
            }
            Status::Ok => {
                let command = self.command.as_ref();
                let argument = command.map_or("", |command| command.argument.as_str());
                let verb = match command.map(|command| command.kind) {
                    Some(CommandKind::Line) => self.verb(),
                    _ => None,
                };
                format!("+OK: {}", pop3::ok_meaning(verb, argument, &self.last_text(), self.body.len()))
            }
            Status::Err => format!("-ERR: {}", pop3::err_meaning(&self.last_text())),
            Status::Continue => "+: the server waits for your next line (an AUTH exchange)".to_string(),
            Status::Unrecognized => match self.protocol {
                Protocol::Pop3 => "Not a POP3 reply: a reply starts with +OK or -ERR".to_string(),
                protocol => format!("Not {} reply: a reply starts with a three-digit code", a_protocol(protocol)),
            },
        };
        Explanation { summary, details }
    }
}

fn a_protocol(protocol: Protocol) -> String {
    match protocol {
        Protocol::Ftp => "an FTP".to_string(),
        protocol => format!("an {}", protocol.label()),
    }
}

/// Words for a code the RFCs do not name, from its digits (RFC 5321 4.2.1, RFC 959 4.2).
fn class_meaning(code: u16) -> String {
    let class = match code / 100 {
        1 => "preliminary: the action has started, another reply follows",
        2 => "success",
        3 => "intermediate: the server needs more from you",
        4 => "temporary failure: the same command may work later",
        _ => "permanent failure: repeating it as is will fail again",
    };
    let topic = match (code / 10) % 10 {
        0 => "syntax",
        1 => "information",
        2 => "connections",
        3 => "authentication",
        5 => "the mail or file system",
        _ => "unspecified",
    };
    format!("a code this lab does not know; its digits say {class} (about {topic})")
}

/// A line's text after its status: `250-SIZE` → `SIZE`, `+OK 2 320` → `2 320`.
fn strip_status(status: Status, line: &str) -> &str {
    match status {
        Status::Code(_) => match parse_code_line(line) {
            Some((_, _, rest)) => rest,
            None => line,
        },
        Status::Ok | Status::Err | Status::Continue => line.split_once(' ').map_or("", |(_, rest)| rest),
        Status::Unrecognized => line,
    }
}

/// How a coded line goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separator {
    /// `250-`: more lines follow.
    Dash,
    /// `250 ` or `250` alone: the last line.
    Last,
}

/// `250-SIZE 100` → (250, Dash, `SIZE 100`). The code is three digits, the first 1 to 5.
fn parse_code_line(line: &str) -> Option<(u16, Separator, &str)> {
    let bytes = line.as_bytes();
    let digits = bytes.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'1'..=b'5').contains(&digits[0]) {
        return None;
    }
    let code = line[..3].parse().ok()?;
    match bytes.get(3) {
        None => Some((code, Separator::Last, "")),
        Some(b' ') => Some((code, Separator::Last, &line[4..])),
        Some(b'-') => Some((code, Separator::Dash, &line[4..])),
        Some(_) => None,
    }
}

/// One connection's conversation: the commands sent, the replies received, each paired.
#[derive(Clone, Debug)]
pub struct Conversation {
    protocol: Protocol,
    commands: CommandReader,
    /// Commands not answered yet, oldest first (the greeting first of all).
    pending: VecDeque<Command>,
    lines: LineSplitter,
    /// A reply whose lines are still coming.
    open: Option<Reply>,
    /// POP3 body bytes kept and lines left out, for the open reply.
    body_bytes: usize,
    body_left_out: usize,
    last_chunk: u64,
}

impl Conversation {
    pub fn new(protocol: Protocol) -> Conversation {
        Conversation {
            protocol,
            commands: CommandReader::new(protocol),
            pending: VecDeque::from([Command::greeting()]),
            lines: LineSplitter::default(),
            open: None,
            body_bytes: 0,
            body_left_out: 0,
            last_chunk: 0,
        }
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Bytes sent (transcript entry `chunk_id`): the commands they complete, now awaiting replies.
    pub fn on_sent(&mut self, bytes: &[u8], chunk_id: u64) -> Vec<Command> {
        let commands = self.commands.push(bytes, chunk_id);
        self.pending.extend(commands.iter().cloned());
        commands
    }

    /// Bytes received (transcript entry `chunk_id`): the replies they complete.
    pub fn on_received(&mut self, bytes: &[u8], chunk_id: u64) -> Vec<Reply> {
        self.last_chunk = chunk_id;
        let lines = self.lines.push(bytes, chunk_id);
        lines.into_iter().filter_map(|line| self.read_line(line)).collect()
    }

    /// The connection ended: what came of a last line without its line ending, and a reply cut
    /// short, as far as it came.
    pub fn on_end(&mut self) -> Vec<Reply> {
        let mut replies = Vec::new();
        if let Some(line) = self.lines.finish(self.last_chunk)
            && let Some(mut reply) = self.read_line(line)
        {
            reply.problems.push("its last line never ended: the connection closed first".to_string());
            replies.push(reply);
        }
        if let Some(mut open) = self.open.take() {
            open.problems.push("the connection ended before the reply was complete".to_string());
            replies.push(self.complete(open));
        }
        replies
    }

    /// The commands the server has not answered yet, oldest first.
    pub fn awaiting(&self) -> impl Iterator<Item = &Command> {
        self.pending.iter()
    }

    /// Whether part of a reply is waiting for the rest.
    pub fn has_partial_reply(&self) -> bool {
        self.open.is_some() || self.lines.has_partial_line()
    }

    fn read_line(&mut self, line: Line) -> Option<Reply> {
        match self.protocol {
            Protocol::Smtp | Protocol::Ftp => self.read_coded_line(line),
            Protocol::Pop3 => self.read_pop3_line(line),
            Protocol::Echo | Protocol::Raw => None,
        }
    }

    fn read_coded_line(&mut self, line: Line) -> Option<Reply> {
        let text = line.text();
        let parsed = parse_code_line(&text);
        if let Some(mut open) = self.open.take() {
            open.add_line(&line);
            let same_code = parsed.is_some_and(|(code, _, _)| Status::Code(code) == open.status);
            match parsed {
                Some((_, Separator::Last, _)) if same_code => return Some(self.complete(open)),
                Some((code, Separator::Last, _)) if self.protocol == Protocol::Smtp => {
                    open.problems
                        .push(format!("the last line has code {code}, not the reply's {}", open.status_label()));
                    return Some(self.complete(open));
                }
                None if self.protocol == Protocol::Smtp => {
                    open.problems.push("a line without the reply's code inside a multi-line reply".to_string());
                }
                _ => {}
            }
            self.open = Some(open);
            return None;
        }
        let status = parsed.map_or(Status::Unrecognized, |(code, _, _)| Status::Code(code));
        let mut reply = Reply::new(self.protocol, status, &line);
        reply.add_line(&line);
        match parsed {
            Some((_, Separator::Dash, _)) => {
                self.open = Some(reply);
                None
            }
            Some((_, Separator::Last, _)) => Some(self.complete(reply)),
            None => Some(reply),
        }
    }

    fn read_pop3_line(&mut self, line: Line) -> Option<Reply> {
        if let Some(mut open) = self.open.take() {
            if line.bytes == b"." {
                open.last_chunk = line.last_chunk;
                if self.body_left_out > 0 {
                    open.problems.push(format!(
                        "{} more lines were not kept (over {} bytes)",
                        self.body_left_out, MAX_BODY_BYTES
                    ));
                }
                return Some(self.complete(open));
            }
            open.note_line_problems(&line);
            // RFC 1939 3: a line starting with '.' had one more '.' put in front ("byte-stuffed").
            let unstuffed = line.bytes.strip_prefix(b".").unwrap_or(&line.bytes);
            if self.body_bytes + unstuffed.len() <= MAX_BODY_BYTES {
                self.body_bytes += unstuffed.len();
                open.body.push(String::from_utf8_lossy(unstuffed).into_owned());
            } else {
                self.body_left_out += 1;
            }
            self.open = Some(open);
            return None;
        }
        let text = line.text();
        let status = match text.split_once(' ').map_or(text.as_str(), |(first, _)| first) {
            "+OK" => Status::Ok,
            "-ERR" => Status::Err,
            "+" => Status::Continue,
            _ => Status::Unrecognized,
        };
        let mut reply = Reply::new(self.protocol, status, &line);
        reply.add_line(&line);
        let multi_line = status == Status::Ok
            && self.pending.front().is_some_and(|command| {
                command.kind == CommandKind::Line && pop3::is_multi_line(&command.verb, &command.argument)
            });
        if multi_line {
            self.body_bytes = 0;
            self.body_left_out = 0;
            self.open = Some(reply);
            return None;
        }
        match status {
            Status::Unrecognized => Some(reply),
            _ => Some(self.complete(reply)),
        }
    }

    /// Pairs a finished reply with its command: the oldest unanswered, kept for an FTP `1xx`
    /// (its real reply follows).
    fn complete(&mut self, mut reply: Reply) -> Reply {
        let preliminary = reply.outcome() == Outcome::Preliminary;
        reply.command = if preliminary { self.pending.front().cloned() } else { self.pending.pop_front() };
        let answered_data = reply.command.as_ref().is_some_and(|command| command.verb == "DATA");
        if self.protocol == Protocol::Smtp && answered_data && reply.code() != Some(354) {
            self.commands.message_refused();
        }
        reply
    }
}

#[cfg(test)]
mod tests;
