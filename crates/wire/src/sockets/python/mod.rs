//! A Sockets lab session as a Python 3 program that does the same thing, since that is how the
//! course writes it: with `socket` (the exact bytes, TCP or UDP; [`socket_program`]) and with the
//! protocol's own library (`smtplib`, `poplib`, `ftplib` in passive mode; [`library_program`]),
//! whose calls are read back from the commands sent.
//!
//! Bytes go in as Python bytes literals and text as string literals escaped to plain ASCII, so
//! any byte a session carried makes a valid program.

mod libraries;
mod raw;

pub use libraries::library_program;
pub use raw::socket_program;

use crate::bridge_event::Transport;
use crate::message_log::Direction;
use crate::sockets::target::Protocol;
use crate::sockets::transcript::{EntryBody, Transcript};

/// What a program needs to know about a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Where a program on the server's machine reaches the peer.
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    pub protocol: Protocol,
    /// What went each way, in order.
    pub exchanges: Vec<Exchange>,
}

/// One step of a session: bytes sent, or the peer answering (its bytes are not needed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exchange {
    Sent(Vec<u8>),
    /// The peer sent this many chunks (TCP) or datagrams (UDP) here.
    Received(usize),
}

impl Session {
    /// The session a transcript records (chunks dropped by its cap are not in it).
    pub fn from_transcript(host: &str, port: u16, protocol: Protocol, transcript: &Transcript) -> Session {
        let mut exchanges = Vec::new();
        for entry in transcript.iter() {
            let EntryBody::Chunk { direction, bytes } = &entry.body else { continue };
            match (direction, exchanges.last_mut()) {
                (Direction::Sent, _) => exchanges.push(Exchange::Sent(bytes.to_vec())),
                (Direction::Received, Some(Exchange::Received(count))) => *count += 1,
                (Direction::Received, _) => exchanges.push(Exchange::Received(1)),
            }
        }
        Session { host: host.to_string(), port, transport: transcript.transport, protocol, exchanges }
    }

    /// Every byte sent, in order.
    pub fn sent_bytes(&self) -> Vec<u8> {
        self.exchanges
            .iter()
            .filter_map(|exchange| match exchange {
                Exchange::Sent(bytes) => Some(bytes.as_slice()),
                Exchange::Received(_) => None,
            })
            .flatten()
            .copied()
            .collect()
    }
}

/// A Python bytes literal for `bytes`: `b"EHLO x\r\n"`.
pub fn bytes_literal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push_str("b\"");
    for &byte in bytes {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
    out
}

/// A Python bytes value, one literal per line when it holds several (Python joins adjacent
/// literals), indented by `indent` after the first line.
pub fn bytes_expression(bytes: &[u8], indent: &str) -> String {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&byte| byte == b'\n').collect();
    if lines.len() <= 1 {
        return bytes_literal(bytes);
    }
    let inner: Vec<String> = lines.iter().map(|line| format!("{indent}    {}", bytes_literal(line))).collect();
    format!("(\n{}\n{indent})", inner.join("\n"))
}

/// A Python string literal for `text`, in plain ASCII (anything else escaped).
pub fn str_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(ch),
            ch if u32::from(ch) <= 0xff => out.push_str(&format!("\\x{:02x}", u32::from(ch))),
            ch if u32::from(ch) <= 0xffff => out.push_str(&format!("\\u{:04x}", u32::from(ch))),
            ch => out.push_str(&format!("\\U{:08x}", u32::from(ch))),
        }
    }
    out.push('"');
    out
}

/// The program's opening: a docstring naming the session, then `HOST` and `PORT`.
fn header(session: &Session, how: &str, imports: &[&str]) -> String {
    let mut out = format!(
        "\"\"\"The Wirelab Sockets lab's {} session with {} over {}, {how}.\"\"\"\n\n",
        session.protocol.label(),
        crate::sockets::target::host_port(&session.host, session.port),
        crate::sockets::transcript::transport_label(session.transport),
    );
    for import in imports {
        out.push_str(&format!("import {import}\n"));
    }
    out.push_str(&format!("\nHOST = {}\nPORT = {}\n", str_literal(&session.host), session.port));
    out
}

#[cfg(test)]
mod tests;
