//! What the Sockets lab's composer sends: typed text with a chosen line ending (CRLF, LF or
//! none: SMTP, POP3 and FTP need CRLF, so the choice is visible), or bytes typed as hex or base64
//! (read by [`crate::binary_input`], with the position of any mistake).

use crate::binary_input::{PayloadEncoding, parse_binary};
use crate::diagnostic::Diagnostic;
use crate::units::format_bytes;

use super::target::Protocol;
use super::visible_text::preview;

/// What ends each line of typed text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// `\r\n`, as SMTP, POP3, FTP (and HTTP) require.
    #[default]
    CrLf,
    /// `\n` alone, as Unix text files end lines.
    Lf,
    /// Nothing: the text is sent exactly as typed.
    None,
}

impl LineEnding {
    pub const ALL: [LineEnding; 3] = [LineEnding::CrLf, LineEnding::Lf, LineEnding::None];

    /// The bytes it adds.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::CrLf => b"\r\n",
            LineEnding::Lf => b"\n",
            LineEnding::None => b"",
        }
    }

    /// The choice as the composer shows it, with the bytes in pictures.
    pub fn label(self) -> &'static str {
        match self {
            LineEnding::CrLf => "CRLF ␍␊",
            LineEnding::Lf => "LF ␊",
            LineEnding::None => "None",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            LineEnding::CrLf => "crlf",
            LineEnding::Lf => "lf",
            LineEnding::None => "none",
        }
    }

    pub fn from_key(key: &str) -> Option<LineEnding> {
        LineEnding::ALL.into_iter().find(|ending| ending.key() == key)
    }

    /// Why this ending may not do for `protocol`, to show beside the choice.
    pub fn warning(self, protocol: Protocol) -> Option<String> {
        let needs_crlf = matches!(protocol, Protocol::Smtp | Protocol::Pop3 | Protocol::Ftp);
        match self {
            LineEnding::CrLf => None,
            LineEnding::Lf if needs_crlf => Some(format!(
                "{} ends every line with CRLF (␍␊); a bare LF may be refused or wait forever for the line's end",
                protocol.label()
            )),
            LineEnding::None if needs_crlf => Some(format!(
                "{} reads a command only when its line ends (CRLF); without one the peer keeps waiting",
                protocol.label()
            )),
            LineEnding::Lf | LineEnding::None => None,
        }
    }
}

/// `text` as bytes with every line ending `ending`: each line break typed (`\r\n`, `\n` or a lone
/// `\r`) becomes `ending` and one more is added at the end. [`LineEnding::None`] sends the text
/// exactly as typed.
pub fn text_bytes(text: &str, ending: LineEnding) -> Vec<u8> {
    if ending == LineEnding::None {
        return text.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(text.len() + 2);
    let mut rest = text;
    while let Some(index) = rest.find(['\r', '\n']) {
        out.extend_from_slice(&rest.as_bytes()[..index]);
        out.extend_from_slice(ending.bytes());
        let skip = if rest[index..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[index + skip..];
    }
    out.extend_from_slice(rest.as_bytes());
    out.extend_from_slice(ending.bytes());
    out
}

/// What the composer holds, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendDraft {
    pub encoding: PayloadEncoding,
    pub line_ending: LineEnding,
    pub text: String,
}

/// One change to the composer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftEdit {
    Encoding(PayloadEncoding),
    LineEnding(LineEnding),
    Text(String),
    /// Replace the text and how it is sent (a walkthrough step, a recalled command).
    Message {
        encoding: PayloadEncoding,
        line_ending: LineEnding,
        text: String,
    },
}

impl Default for SendDraft {
    fn default() -> Self {
        SendDraft::text("", LineEnding::CrLf)
    }
}

impl SendDraft {
    pub fn text(text: &str, line_ending: LineEnding) -> SendDraft {
        SendDraft { encoding: PayloadEncoding::Text, line_ending, text: text.to_string() }
    }

    pub fn edit(&mut self, edit: DraftEdit) {
        match edit {
            DraftEdit::Encoding(encoding) => self.encoding = encoding,
            DraftEdit::LineEnding(line_ending) => self.line_ending = line_ending,
            DraftEdit::Text(text) => self.text = text,
            DraftEdit::Message { encoding, line_ending, text } => {
                *self = SendDraft { encoding, line_ending, text };
            }
        }
    }

    /// The bytes the draft sends, or what is wrong with the hex or base64 and where.
    pub fn bytes(&self) -> Result<Vec<u8>, Diagnostic> {
        match parse_binary(self.encoding, &self.text)? {
            Some(bytes) => Ok(bytes),
            None => Ok(text_bytes(&self.text, self.line_ending)),
        }
    }

    /// Live feedback while typing: `14 B: EHLO learner␍␊`, or nothing while the hex or base64 is
    /// unfinished (its error appears on Send).
    pub fn size_hint(&self, max_chars: usize) -> String {
        match self.bytes() {
            Ok(bytes) => format!("{}: {}", format_bytes(bytes.len() as u64), preview(&bytes, max_chars)),
            Err(_) => String::new(),
        }
    }
}

#[cfg(test)]
#[path = "tests/line_ending.rs"]
mod tests;
