//! The commands a person sent, read back from the bytes that went out (so a command typed in two
//! sends, or three commands in one, each count once), for pairing with the replies and for the
//! Python programs. In SMTP, the lines after `DATA` up to the lone `.` are one message, not
//! commands.

use std::rc::Rc;

use super::lines::{Line, LineSplitter};
use crate::sockets::target::Protocol;

/// What a sent line was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandKind {
    /// Not sent at all: connecting, which the server answers with its greeting.
    Greeting,
    /// One command line.
    Line,
    /// SMTP: the message after `DATA` and its final `.` line.
    Message,
}

/// One command the person sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub kind: CommandKind,
    /// The line as sent, without its line ending (a summary for a message).
    pub text: String,
    /// The first word in capitals (`MAIL`, `RETR`); empty for a greeting or a message.
    pub verb: String,
    /// The rest of the line after the verb.
    pub argument: String,
    /// The transcript entry of the send that ended it (none for a greeting).
    pub chunk_id: Option<u64>,
    /// A message's lines as sent (dot-stuffed, with their line endings), without the final `.`.
    pub content: Option<Rc<[u8]>>,
}

impl Command {
    pub fn greeting() -> Command {
        Command {
            kind: CommandKind::Greeting,
            text: "(connecting)".to_string(),
            verb: String::new(),
            argument: String::new(),
            chunk_id: None,
            content: None,
        }
    }

    /// A command from one line of text, as typed (`retr 1` has the verb `RETR`).
    pub fn from_line(text: &str, chunk_id: Option<u64>) -> Command {
        let trimmed = text.trim_start();
        let (verb, argument) = trimmed.split_once([' ', '\t']).unwrap_or((trimmed, ""));
        Command {
            kind: CommandKind::Line,
            text: text.to_string(),
            verb: verb.to_ascii_uppercase(),
            argument: argument.trim().to_string(),
            chunk_id,
            content: None,
        }
    }

    fn message(content: Vec<u8>, chunk_id: u64) -> Command {
        let lines = content.iter().filter(|&&byte| byte == b'\n').count();
        let plural = if lines == 1 { "line" } else { "lines" };
        Command {
            kind: CommandKind::Message,
            text: format!("(the message: {lines} {plural}, {} bytes, and the final dot)", content.len()),
            verb: String::new(),
            argument: String::new(),
            chunk_id: Some(chunk_id),
            content: Some(Rc::from(content)),
        }
    }

    /// A message's content with SMTP's dot-stuffing undone (a line `..x` was typed as `.x`).
    pub fn unstuffed_content(&self) -> Option<Vec<u8>> {
        let content = self.content.as_ref()?;
        let mut out = Vec::with_capacity(content.len());
        let mut at_line_start = true;
        for (index, &byte) in content.iter().enumerate() {
            let stuffed = at_line_start && byte == b'.' && content.get(index + 1) == Some(&b'.');
            if !stuffed {
                out.push(byte);
            }
            at_line_start = byte == b'\n';
        }
        Some(out)
    }
}

/// Reads commands from the bytes sent, a chunk at a time.
#[derive(Clone, Debug)]
pub struct CommandReader {
    protocol: Protocol,
    lines: LineSplitter,
    /// SMTP after `DATA`: the message so far.
    message: Option<Vec<u8>>,
}

impl CommandReader {
    pub fn new(protocol: Protocol) -> CommandReader {
        CommandReader { protocol, lines: LineSplitter::default(), message: None }
    }

    /// The commands these sent bytes (transcript entry `chunk_id`) complete.
    pub fn push(&mut self, bytes: &[u8], chunk_id: u64) -> Vec<Command> {
        let lines = self.lines.push(bytes, chunk_id);
        lines.into_iter().filter_map(|line| self.read_line(line)).collect()
    }

    /// Whether SMTP message lines are being read (after `DATA`, before the lone `.`).
    pub fn in_message(&self) -> bool {
        self.message.is_some()
    }

    /// A `DATA` that was refused: the lines after it are commands again.
    pub fn message_refused(&mut self) {
        if self.message.as_ref().is_some_and(Vec::is_empty) {
            self.message = None;
        }
    }

    fn read_line(&mut self, line: Line) -> Option<Command> {
        if let Some(message) = &mut self.message {
            if line.bytes == b"." {
                let content = std::mem::take(message);
                self.message = None;
                return Some(Command::message(content, line.last_chunk));
            }
            message.extend_from_slice(&line.bytes);
            let ending: &[u8] = match (line.cut, line.bare_lf) {
                (true, _) => b"",
                (false, true) => b"\n",
                (false, false) => b"\r\n",
            };
            message.extend_from_slice(ending);
            return None;
        }
        let command = Command::from_line(&line.text(), Some(line.last_chunk));
        if self.protocol == Protocol::Smtp && command.verb == "DATA" {
            self.message = Some(Vec::new());
        }
        Some(command)
    }
}
