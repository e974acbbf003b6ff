//! Bytes shown as text with nothing hidden: CR and LF, which SMTP, POP3 and FTP depend on, appear
//! as `␍` and `␊`, every other control byte as its own picture, and bytes that are not UTF-8 as
//! `\xNN`.
//!
//! Why Unicode's Control Pictures (U+2400–U+2421) and not `\r\n`: a peer may send a real
//! backslash followed by `r`, and `\r` would then look the same as a carriage return; one
//! picture per byte keeps one glyph per byte, reads the same at any font size, and a screen
//! reader names it ("symbol for carriage return"). The few data characters that could be
//! mistaken for a picture (U+2400–U+2426 themselves) or that draw nothing (C1 controls) are
//! shown as `\u{…}` escapes, so every shown glyph has one meaning. After each `␊` the view starts
//! a new line ([`Piece::LineBreak`]), so the text still reads as lines.

/// The most bytes of one chunk shown as text at once; a view offers the rest (or the hex dump).
pub const MAX_SHOWN_BYTES: usize = 64 * 1024;

/// One run of a chunk's text as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Printable text, as it arrived.
    Text(String),
    /// A C0 control byte or DEL, shown as its picture ([`control_picture`]).
    Control(u8),
    /// A byte that is not part of valid UTF-8, shown as `\xNN`.
    Byte(u8),
    /// A character that draws nothing or looks like a picture, shown as `\u{…}`.
    Escaped(char),
    /// Where the view starts a new line: after each LF.
    LineBreak,
}

impl Piece {
    /// The piece as shown.
    pub fn shown(&self) -> String {
        match self {
            Piece::Text(text) => text.clone(),
            Piece::Control(byte) => control_picture(*byte).to_string(),
            Piece::Byte(byte) => format!("\\x{byte:02x}"),
            Piece::Escaped(ch) => format!("\\u{{{:x}}}", u32::from(*ch)),
            Piece::LineBreak => "\n".to_string(),
        }
    }

    /// What a marked piece is, for its tooltip: `CR (carriage return, 0x0d)`.
    pub fn title(&self) -> Option<String> {
        match self {
            Piece::Control(byte) => {
                let (short, long) = control_name(*byte);
                Some(format!("{short} ({long}, 0x{byte:02x})"))
            }
            Piece::Byte(byte) => Some(format!("byte 0x{byte:02x}: not valid UTF-8 here")),
            Piece::Escaped(ch) => {
                Some(format!("U+{:04X}, escaped so it is not mistaken for a control", u32::from(*ch)))
            }
            Piece::Text(_) | Piece::LineBreak => None,
        }
    }
}

/// The bytes as pieces: runs of text, controls, bytes that are not UTF-8 and line breaks.
pub fn pieces(bytes: &[u8]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<Piece>| {
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(text)));
        }
    };
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            if ch.is_ascii_control() {
                flush(&mut text, &mut out);
                out.push(Piece::Control(ch as u8));
                if ch == '\n' {
                    out.push(Piece::LineBreak);
                }
            } else if ch.is_control() || ('\u{2400}'..='\u{2426}').contains(&ch) {
                flush(&mut text, &mut out);
                out.push(Piece::Escaped(ch));
            } else {
                text.push(ch);
            }
        }
        if !chunk.invalid().is_empty() {
            flush(&mut text, &mut out);
            out.extend(chunk.invalid().iter().map(|&byte| Piece::Byte(byte)));
        }
    }
    flush(&mut text, &mut out);
    out
}

/// The bytes as one string with the pictures and escapes in place and a real line break after
/// each `␊`: `EHLO x␍␊\n`.
pub fn visible_text(bytes: &[u8]) -> String {
    pieces(bytes).iter().map(Piece::shown).collect()
}

/// One line for a list row: at most `max_chars` characters, no line breaks, `…` when cut.
pub fn preview(bytes: &[u8], max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for piece in pieces(bytes) {
        if piece == Piece::LineBreak {
            continue;
        }
        for ch in piece.shown().chars() {
            if count == max_chars {
                out.push('…');
                return out;
            }
            out.push(ch);
            count += 1;
        }
    }
    out
}

/// The part of a chunk shown as text at first, and how many bytes are left out.
pub fn shown_prefix(bytes: &[u8]) -> (&[u8], usize) {
    let shown = bytes.len().min(MAX_SHOWN_BYTES);
    (&bytes[..shown], bytes.len() - shown)
}

/// Unicode's picture of a C0 control byte or DEL (`␍` for 0x0d, `␡` for 0x7f); `�` otherwise.
pub fn control_picture(byte: u8) -> char {
    match byte {
        0x00..=0x1f => char::from_u32(0x2400 + u32::from(byte)).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// A control byte's abbreviation and name: `("CR", "carriage return")`.
pub fn control_name(byte: u8) -> (&'static str, &'static str) {
    const NAMES: [(&str, &str); 32] = [
        ("NUL", "null"),
        ("SOH", "start of heading"),
        ("STX", "start of text"),
        ("ETX", "end of text"),
        ("EOT", "end of transmission"),
        ("ENQ", "enquiry"),
        ("ACK", "acknowledge"),
        ("BEL", "bell"),
        ("BS", "backspace"),
        ("HT", "horizontal tab"),
        ("LF", "line feed"),
        ("VT", "vertical tab"),
        ("FF", "form feed"),
        ("CR", "carriage return"),
        ("SO", "shift out"),
        ("SI", "shift in"),
        ("DLE", "data link escape"),
        ("DC1", "device control 1, XON"),
        ("DC2", "device control 2"),
        ("DC3", "device control 3, XOFF"),
        ("DC4", "device control 4"),
        ("NAK", "negative acknowledge"),
        ("SYN", "synchronous idle"),
        ("ETB", "end of transmission block"),
        ("CAN", "cancel"),
        ("EM", "end of medium"),
        ("SUB", "substitute"),
        ("ESC", "escape"),
        ("FS", "file separator"),
        ("GS", "group separator"),
        ("RS", "record separator"),
        ("US", "unit separator"),
    ];
    match byte {
        0x7f => ("DEL", "delete"),
        _ => NAMES.get(usize::from(byte)).copied().unwrap_or(("", "not a control byte")),
    }
}

#[cfg(test)]
#[path = "tests/visible_text.rs"]
mod tests;
