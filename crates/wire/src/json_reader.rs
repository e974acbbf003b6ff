//! The one JSON reader of the core: a validating one-pass scanner (RFC 8259) that reports what it
//! reads as events with byte offsets, so the tree view can index a 20 MB body into flat spans and
//! the Formats lab can build its document and byte map from the same scan.
//!
//! It builds nothing itself: no `serde_json::Value`, no `String` per value. Strings are checked
//! (escapes, `\u` surrogate pairs, no raw control characters), numbers follow the grammar,
//! nesting is at most [`MAX_DEPTH`] levels (an explicit stack, no recursion), and nothing but
//! whitespace may follow the value. A leading byte order mark is skipped. The first problem stops
//! the scan with a [`Diagnostic`] at its byte offset; the caller adds the line and column.

use crate::diagnostic::Diagnostic;

/// The deepest nesting accepted; deeper documents are refused with an error instead of
/// exhausting the stack later.
pub const MAX_DEPTH: usize = 512;

/// An object or an array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Object,
    Array,
}

/// A value that is not a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    String,
    Number,
    True,
    False,
    Null,
}

/// What a caller does with each part of the text, in document order. Offsets are bytes into the
/// text; a span is `start..end`.
pub trait JsonEvents {
    /// An object or array opens with the bracket at `at`. Inside an object, its key came just before.
    fn open(&mut self, container: Container, at: usize);
    /// The innermost open container closes with the bracket at `at`.
    fn close(&mut self, container: Container, at: usize);
    /// A string, number, `true`, `false` or `null` (a string's span includes its quotes).
    fn scalar(&mut self, scalar: Scalar, start: usize, end: usize);
    /// An object member's key; the span includes the quotes.
    fn key(&mut self, start: usize, end: usize);
    /// The `:` after a key.
    fn colon(&mut self, _at: usize) {}
    /// A `,` between items or members.
    fn comma(&mut self, _at: usize) {}
}

/// Reads `text` as one JSON value, telling `events` what it finds.
pub fn read(text: &str, events: &mut impl JsonEvents) -> Result<(), Diagnostic> {
    Reader { bytes: text.as_bytes() }.read(events).map_err(|(offset, message)| Diagnostic::at_offset(offset, message))
}

/// A string's contents (between its quotes) with the escapes decoded; the text must have been
/// read already, so every escape is whole.
pub fn unescape(raw: &str) -> String {
    if raw.contains('\\') { JsonChars::new(raw).collect() } else { raw.to_owned() }
}

/// The characters of a read string's contents (between the quotes), escapes decoded, one at a
/// time, so a preview of a 5 MB string decodes only what it shows.
pub struct JsonChars<'a> {
    rest: &'a str,
}

impl<'a> JsonChars<'a> {
    pub fn new(raw: &'a str) -> JsonChars<'a> {
        JsonChars { rest: raw }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.rest.get(..4)?;
        let value = u32::from_str_radix(digits, 16).ok()?;
        self.rest = &self.rest[4..];
        Some(value)
    }
}

impl Iterator for JsonChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let ch = chars.next()?;
        self.rest = chars.as_str();
        if ch != '\\' {
            return Some(ch);
        }
        let mut chars = self.rest.chars();
        let escape = chars.next()?;
        self.rest = chars.as_str();
        Some(match escape {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let Some(high) = self.hex4() else { return Some(char::REPLACEMENT_CHARACTER) };
                if (0xD800..0xDC00).contains(&high) && self.rest.starts_with("\\u") {
                    self.rest = &self.rest[2..];
                    let low = self.hex4().unwrap_or(0);
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                } else {
                    char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER)
                }
            }
            other => other,
        })
    }
}

/// A problem: (byte offset, message).
type ReadError = (usize, String);

enum Step {
    /// A value must come next.
    Value,
    /// A container was just opened: a closing bracket or the first member may come.
    AfterOpen,
    /// A value just ended: a comma, a closing bracket, or (at the top) the end of the text.
    AfterValue,
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn skip_whitespace(&self, mut pos: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(pos) {
            pos += 1;
        }
        pos
    }

    fn read(&self, events: &mut impl JsonEvents) -> Result<(), ReadError> {
        let bytes = self.bytes;
        let mut pos = if bytes.starts_with("\u{feff}".as_bytes()) { 3 } else { 0 };
        let mut stack: Vec<Container> = Vec::new();
        let mut step = Step::Value;
        loop {
            match step {
                Step::Value => {
                    pos = self.skip_whitespace(pos);
                    let start = pos;
                    match bytes.get(pos) {
                        Some(&open @ (b'{' | b'[')) => {
                            if stack.len() >= MAX_DEPTH {
                                return Err((pos, format!("nesting deeper than {MAX_DEPTH} levels")));
                            }
                            let container = if open == b'{' { Container::Object } else { Container::Array };
                            stack.push(container);
                            events.open(container, pos);
                            pos += 1;
                            step = Step::AfterOpen;
                            continue;
                        }
                        Some(b'"') => {
                            pos = self.string(pos)?;
                            events.scalar(Scalar::String, start, pos);
                        }
                        Some(b'-' | b'0'..=b'9') => {
                            pos = self.number(pos)?;
                            events.scalar(Scalar::Number, start, pos);
                        }
                        Some(b't' | b'f' | b'n') => {
                            let (word, scalar) = match bytes[pos] {
                                b't' => ("true", Scalar::True),
                                b'f' => ("false", Scalar::False),
                                _ => ("null", Scalar::Null),
                            };
                            if !bytes[pos..].starts_with(word.as_bytes()) {
                                return Err((pos, format!("expected a value, found {}", describe_word(bytes, pos))));
                            }
                            pos += word.len();
                            events.scalar(scalar, start, pos);
                        }
                        _ => return Err((pos, format!("expected a value, found {}", describe(bytes, pos)))),
                    }
                    step = Step::AfterValue;
                }
                Step::AfterOpen => {
                    pos = self.skip_whitespace(pos);
                    let container = stack.last().copied().unwrap_or(Container::Array);
                    let close = closing_bracket(container);
                    if bytes.get(pos) == Some(&close) {
                        stack.pop();
                        events.close(container, pos);
                        pos += 1;
                        step = Step::AfterValue;
                    } else if container == Container::Object {
                        pos = self.key(pos, events, "a key string or '}'")?;
                        step = Step::Value;
                    } else {
                        step = Step::Value;
                    }
                }
                Step::AfterValue => {
                    pos = self.skip_whitespace(pos);
                    let Some(&container) = stack.last() else {
                        if pos < bytes.len() {
                            return Err((pos, format!("unexpected {} after the JSON value", describe(bytes, pos))));
                        }
                        return Ok(());
                    };
                    let close = closing_bracket(container);
                    match bytes.get(pos) {
                        Some(b',') => {
                            let comma = pos;
                            pos = self.skip_whitespace(pos + 1);
                            if bytes.get(pos) == Some(&close) {
                                return Err((comma, format!("trailing comma before '{}'", close as char)));
                            }
                            events.comma(comma);
                            if container == Container::Object {
                                pos = self.key(pos, events, "a key string")?;
                            }
                            step = Step::Value;
                        }
                        Some(&byte) if byte == close => {
                            stack.pop();
                            events.close(container, pos);
                            pos += 1;
                        }
                        _ => {
                            let (what, item) =
                                if container == Container::Object { ("object", "member") } else { ("array", "item") };
                            let close = close as char;
                            let message = if pos >= bytes.len() {
                                format!(
                                    "expected ',' or '{close}', found the end of the text (the {what} is never closed)"
                                )
                            } else {
                                format!(
                                    "expected ',' or '{close}' after an {what} {item}, found {}",
                                    describe(bytes, pos)
                                )
                            };
                            return Err((pos, message));
                        }
                    }
                }
            }
        }
    }

    /// Reads `"key" :` at `pos`; returns the offset after the colon.
    fn key(&self, pos: usize, events: &mut impl JsonEvents, expected: &str) -> Result<usize, ReadError> {
        if self.bytes.get(pos) != Some(&b'"') {
            return Err((pos, format!("expected {expected}, found {}", describe(self.bytes, pos))));
        }
        let end = self.string(pos)?;
        let colon = self.skip_whitespace(end);
        if self.bytes.get(colon) != Some(&b':') {
            return Err((colon, format!("expected ':' after the key, found {}", describe(self.bytes, colon))));
        }
        events.key(pos, end);
        events.colon(colon);
        Ok(colon + 1)
    }

    /// Checks the string starting with the quote at `start`; returns the offset after its closing quote.
    fn string(&self, start: usize) -> Result<usize, ReadError> {
        let bytes = self.bytes;
        let mut pos = start + 1;
        loop {
            match bytes.get(pos) {
                None => return Err((start, "unterminated string".into())),
                Some(b'"') => return Ok(pos + 1),
                Some(b'\\') => pos = self.escape(pos)?,
                Some(&byte) if byte < 0x20 => {
                    return Err((pos, format!("control character {:?} in a string must be escaped", byte as char)));
                }
                Some(_) => pos += 1,
            }
        }
    }

    /// Checks the escape at `pos` (the backslash); returns the offset after it.
    fn escape(&self, pos: usize) -> Result<usize, ReadError> {
        match self.bytes.get(pos + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 2),
            Some(b'u') => {
                let code = self.hex4(pos)?;
                match code {
                    0xD800..=0xDBFF => {
                        let low_at = pos + 6;
                        let low =
                            if self.bytes[low_at..].starts_with(b"\\u") { Some(self.hex4(low_at)?) } else { None };
                        match low {
                            Some(0xDC00..=0xDFFF) => Ok(low_at + 6),
                            _ => Err((
                                pos,
                                format!("lone surrogate \\u{code:04X}: a high surrogate must be followed by a low one"),
                            )),
                        }
                    }
                    0xDC00..=0xDFFF => {
                        Err((pos, format!("lone surrogate \\u{code:04X}: a low surrogate must follow a high one")))
                    }
                    _ => Ok(pos + 6),
                }
            }
            None => Err((pos, "unterminated string".into())),
            Some(_) => Err((pos, format!("invalid escape \\{}", describe(self.bytes, pos + 1).trim_matches('\'')))),
        }
    }

    /// The four hex digits of the `\u` escape at `pos`.
    fn hex4(&self, pos: usize) -> Result<u32, ReadError> {
        let digits = self.bytes.get(pos + 2..pos + 6).filter(|digits| digits.iter().all(u8::is_ascii_hexdigit));
        digits
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
            .ok_or_else(|| (pos, "\\u must be followed by four hex digits".into()))
    }

    /// Checks the number at `start` (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`).
    fn number(&self, start: usize) -> Result<usize, ReadError> {
        let bytes = self.bytes;
        let digits = |mut pos: usize| {
            while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            pos
        };
        let mut pos = start;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => {
                pos += 1;
                if bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                    return Err((start, "numbers cannot have leading zeros".into()));
                }
            }
            Some(b'1'..=b'9') => pos = digits(pos),
            _ => return Err((pos, format!("expected a digit after '-', found {}", describe(bytes, pos)))),
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                return Err((pos, format!("expected a digit after the decimal point, found {}", describe(bytes, pos))));
            }
            pos = digits(pos);
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if !bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                return Err((pos, format!("expected a digit in the exponent, found {}", describe(bytes, pos))));
            }
            pos = digits(pos);
        }
        Ok(pos)
    }
}

fn closing_bracket(container: Container) -> u8 {
    match container {
        Container::Object => b'}',
        Container::Array => b']',
    }
}

/// The character at `pos` for a message: `'x'`, `'\n'` for control characters, or the end.
fn describe(bytes: &[u8], pos: usize) -> String {
    match bytes.get(pos) {
        None => "the end of the text".into(),
        Some(_) => {
            let rest = std::str::from_utf8(&bytes[pos..]).unwrap_or("");
            match rest.chars().next() {
                Some(ch) if ch.is_control() => format!("{:?}", ch),
                Some(ch) => format!("'{ch}'"),
                None => "an invalid byte".into(),
            }
        }
    }
}

/// The bare word at `pos` (for "expected a value, found 'tru'").
fn describe_word(bytes: &[u8], pos: usize) -> String {
    let end = (pos..bytes.len()).find(|&i| !bytes[i].is_ascii_alphanumeric()).unwrap_or(bytes.len());
    format!("'{}'", String::from_utf8_lossy(&bytes[pos..end.min(pos + 20)]))
}
