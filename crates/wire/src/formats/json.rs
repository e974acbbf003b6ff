//! JSON with a byte span for every value and key: serde_json validates (so errors read like
//! serde_json's), then a scanner walks the validated text to build the document and its byte map.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{ByteMap, Decoded, Encoded, Entry, Format, FormatError, Loss, Node, Path, Role, Span, Value};

/// Pretty (two-space indent, what the lab shows) or compact (what goes over the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Pretty,
    Compact,
}

/// How many containers may sit inside one another: serde_json's limit, kept by every format so a
/// document one format accepts can be carried by the others.
pub const MAX_NESTING: usize = 127;

/// The largest integer a JavaScript number holds exactly.
const JS_SAFE_INTEGER: i128 = 1 << 53;

pub fn parse(text: &str) -> Result<Decoded, FormatError> {
    if let Err(error) = serde_json::from_str::<serde_json::Value>(text) {
        return Err(serde_error(text, &error));
    }
    let mut scanner = Scanner { text, position: 0, map: ByteMap::new() };
    scanner.skip_whitespace();
    let document = scanner.value(&Path::root(), 0)?;
    scanner.skip_whitespace();
    if scanner.position < text.len() {
        return Err(FormatError::in_text(text, scanner.position, "trailing characters"));
    }
    Ok(Decoded { format: Format::Json, document, map: scanner.map.finish(), losses: Vec::new() })
}

pub fn encode(document: &Node, style: Style) -> Encoded {
    let mut writer = Writer { out: String::new(), map: ByteMap::new(), losses: Vec::new(), style };
    writer.value(document, &Path::root(), 0, 0);
    Encoded { format: Format::Json, bytes: writer.out.into_bytes(), map: writer.map.finish(), losses: writer.losses }
}

/// A scalar as compact JSON text, for formats that must turn a non-string map key into a string.
pub fn key_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        _ => String::from_utf8_lossy(&encode(&Node::new(value.clone()), Style::Compact).bytes).into_owned(),
    }
}

/// A serde_json error at its byte offset. serde_json's column counts bytes up to and including
/// the offending one; column 0 means the line break before the line.
fn serde_error(text: &str, error: &serde_json::Error) -> FormatError {
    let full = error.to_string();
    let message = full.split(" at line ").next().unwrap_or(&full);
    let line_start = if error.line() <= 1 {
        0
    } else {
        text.match_indices('\n').nth(error.line() - 2).map_or(text.len(), |(index, _)| index + 1)
    };
    let column = error.column();
    let offset = match (column, error.classify()) {
        (0, _) => line_start.saturating_sub(1),
        (_, serde_json::error::Category::Eof) => line_start + column,
        _ => line_start + column - 1,
    };
    FormatError::in_text(text, offset.min(text.len()), message)
}

struct Scanner<'a> {
    text: &'a str,
    position: usize,
    map: ByteMap,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn error(&self, message: &str) -> FormatError {
        FormatError::in_text(self.text, self.position, message)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.position += 1;
        }
    }

    fn structure(&mut self, path: &Path, detail: &str) {
        self.map.push(self.position, 1, Role::Structure, path, detail);
        self.position += 1;
    }

    fn value(&mut self, path: &Path, nesting: usize) -> Result<Node, FormatError> {
        let start = self.position;
        let value = match self.peek() {
            Some(b'{') => self.object(path, nesting + 1)?,
            Some(b'[') => self.array(path, nesting + 1)?,
            Some(b'"') => {
                let text = self.string()?;
                self.map.push(start, self.position - start, Role::Value, path, "string");
                Value::String(text)
            }
            Some(b't') => self.literal("true", Value::Bool(true), path)?,
            Some(b'f') => self.literal("false", Value::Bool(false), path)?,
            Some(b'n') => self.literal("null", Value::Null, path)?,
            Some(b'-' | b'0'..=b'9') => self.number(path)?,
            _ => return Err(self.error("expected value")),
        };
        Ok(Node::with_span(value, Span::new(start, self.position - start)))
    }

    fn object(&mut self, path: &Path, nesting: usize) -> Result<Value, FormatError> {
        if nesting > MAX_NESTING {
            return Err(self.error("recursion limit exceeded"));
        }
        self.structure(path, "map begins");
        let mut entries = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.structure(path, "map ends");
            return Ok(Value::Map(entries));
        }
        loop {
            self.skip_whitespace();
            let key_start = self.position;
            if self.peek() != Some(b'"') {
                return Err(self.error("key must be a string"));
            }
            let key = self.string()?;
            let key_span = Span::new(key_start, self.position - key_start);
            let value_path = path.key(&key);
            self.map.push(key_start, key_span.len, Role::Key, &value_path, "key");
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.structure(path, "colon");
            self.skip_whitespace();
            let value = self.value(&value_path, nesting)?;
            entries.push(Entry { key, key_span: Some(key_span), value });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.structure(path, "comma"),
                Some(b'}') => {
                    self.structure(path, "map ends");
                    return Ok(Value::Map(entries));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, path: &Path, nesting: usize) -> Result<Value, FormatError> {
        if nesting > MAX_NESTING {
            return Err(self.error("recursion limit exceeded"));
        }
        self.structure(path, "array begins");
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.structure(path, "array ends");
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(&path.index(items.len()), nesting)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.structure(path, "comma"),
                Some(b']') => {
                    self.structure(path, "array ends");
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn literal(&mut self, word: &str, value: Value, path: &Path) -> Result<Value, FormatError> {
        if !self.text[self.position..].starts_with(word) {
            return Err(self.error("expected value"));
        }
        self.map.push(self.position, word.len(), Role::Value, path, word);
        self.position += word.len();
        Ok(value)
    }

    fn number(&mut self, path: &Path) -> Result<Value, FormatError> {
        let start = self.position;
        while matches!(self.peek(), Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
            self.position += 1;
        }
        let digits = &self.text[start..self.position];
        let integral = !digits.contains(['.', 'e', 'E']);
        let value = if integral && let Ok(integer) = digits.parse::<i64>() {
            if integer == 0 && digits.starts_with('-') { Value::Float(-0.0) } else { Value::Integer(integer.into()) }
        } else if integral && let Ok(integer) = digits.parse::<u64>() {
            Value::Integer(integer.into())
        } else {
            match digits.parse::<f64>() {
                Ok(float) => Value::Float(float),
                Err(_) => return Err(FormatError::in_text(self.text, start, "invalid number")),
            }
        };
        self.map.push(start, digits.len(), Role::Value, path, value.kind());
        Ok(value)
    }

    /// A string from its opening quote, escapes decoded.
    fn string(&mut self) -> Result<String, FormatError> {
        self.position += 1;
        let mut out = String::new();
        let bytes = self.text.as_bytes();
        loop {
            let run_start = self.position;
            while matches!(self.peek(), Some(byte) if byte != b'"' && byte != b'\\') {
                self.position += 1;
            }
            out.push_str(&self.text[run_start..self.position]);
            match self.peek() {
                Some(b'"') => {
                    self.position += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let escaped = bytes.get(self.position + 1).copied();
                    self.position += 2;
                    match escaped {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                _ => return Err(self.error("EOF while parsing a string")),
            }
        }
    }

    /// The character of a `\u` escape whose `\u` has been read; a surrogate pair takes two.
    fn unicode_escape(&mut self) -> Result<char, FormatError> {
        let first = self.hex4()?;
        if (0xd800..0xdc00).contains(&first) && self.text[self.position..].starts_with("\\u") {
            let after_first = self.position;
            self.position += 2;
            let second = self.hex4()?;
            if (0xdc00..0xe000).contains(&second) {
                let code = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
                return Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            self.position = after_first;
        }
        Ok(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self) -> Result<u32, FormatError> {
        let digits = self.text.get(self.position..self.position + 4).ok_or_else(|| self.error("invalid escape"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid escape"))?;
        self.position += 4;
        Ok(code)
    }
}

struct Writer {
    out: String,
    map: ByteMap,
    losses: Vec<Loss>,
    style: Style,
}

impl Writer {
    fn push(&mut self, text: &str, role: Role, path: &Path, detail: &str) {
        self.map.push(self.out.len(), text.len(), role, path, detail);
        self.out.push_str(text);
    }

    fn newline(&mut self, indent: usize) {
        if self.style == Style::Pretty {
            self.out.push('\n');
            for _ in 0..indent {
                self.out.push_str("  ");
            }
        }
    }

    fn value(&mut self, node: &Node, path: &Path, indent: usize, nesting: usize) {
        match &node.value {
            Value::Null => self.push("null", Role::Value, path, "null"),
            Value::Bool(flag) => {
                let word = if *flag { "true" } else { "false" };
                self.push(word, Role::Value, path, word);
            }
            Value::Integer(integer) => {
                let integer = *integer;
                if integer < i128::from(i64::MIN) || integer > i128::from(u64::MAX) {
                    self.losses.push(Loss::new(
                        path,
                        format!("{integer} is outside the 64-bit range: JSON readers take it as a float"),
                    ));
                } else if integer.abs() > JS_SAFE_INTEGER {
                    self.losses
                        .push(Loss::new(path, format!("{integer} is beyond ±2^53: JavaScript readers lose precision")));
                }
                self.push(&integer.to_string(), Role::Value, path, "integer");
            }
            Value::Float(float) if float.is_finite() => {
                let text = serde_json::Number::from_f64(*float)
                    .map_or_else(|| format!("{float:?}"), |number| number.to_string());
                self.push(&text, Role::Value, path, "float");
            }
            Value::Float(float) => {
                self.losses.push(Loss::new(path, format!("JSON has no {float}: written as null")));
                self.push("null", Role::Value, path, "null");
            }
            Value::String(text) => self.push(&quote(text), Role::Value, path, "string"),
            Value::Bytes(bytes) => {
                self.losses.push(Loss::new(path, "JSON has no bytes: written as a base64 string"));
                self.push(&quote(&STANDARD.encode(bytes)), Role::Value, path, "base64 string");
            }
            Value::Array(_) | Value::Map(_) if nesting >= MAX_NESTING => {
                self.losses.push(Loss::new(path, format!("nested deeper than {MAX_NESTING} levels: written as null")));
                self.push("null", Role::Value, path, "null");
            }
            Value::Array(items) if items.is_empty() => self.push("[]", Role::Structure, path, "empty array"),
            Value::Array(items) => {
                self.push("[", Role::Structure, path, "array begins");
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.push(",", Role::Structure, path, "comma");
                    }
                    self.newline(indent + 1);
                    self.value(item, &path.index(index), indent + 1, nesting + 1);
                }
                self.newline(indent);
                self.push("]", Role::Structure, path, "array ends");
            }
            Value::Map(entries) if entries.is_empty() => self.push("{}", Role::Structure, path, "empty map"),
            Value::Map(entries) => {
                self.push("{", Role::Structure, path, "map begins");
                for (index, entry) in entries.iter().enumerate() {
                    if index > 0 {
                        self.push(",", Role::Structure, path, "comma");
                    }
                    self.newline(indent + 1);
                    let value_path = path.key(&entry.key);
                    self.push(&quote(&entry.key), Role::Key, &value_path, "key");
                    self.push(":", Role::Structure, path, "colon");
                    if self.style == Style::Pretty {
                        self.out.push(' ');
                    }
                    self.value(&entry.value, &value_path, indent + 1, nesting + 1);
                }
                self.newline(indent);
                self.push("}", Role::Structure, path, "map ends");
            }
        }
    }
}

/// A JSON string literal, escaped as serde_json escapes.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            control if (control as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", control as u32)),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}
