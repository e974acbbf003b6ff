//! JSON with a byte span for every value and key: serde_json validates (so errors read like
//! serde_json's), then the core's one JSON reader ([`crate::json_reader`]) walks the validated
//! text and its events build the document and its byte map.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub use super::text_writer::Style;
use super::text_writer::TextWriter;
use crate::json_reader::{self, Container, JsonEvents, Scalar};

use super::{ByteMap, Decoded, Encoded, Entry, Format, FormatError, Loss, MAX_NESTING, Node, Path, Role, Span, Value};

/// The largest integer a JavaScript number holds exactly.
const JS_SAFE_INTEGER: i128 = 1 << 53;

pub fn parse(text: &str) -> Result<Decoded, FormatError> {
    if let Err(error) = serde_json::from_str::<serde_json::Value>(text) {
        return Err(serde_error(text, &error));
    }
    let mut builder = Builder { text, map: ByteMap::new(), open: Vec::new(), document: None };
    json_reader::read(text, &mut builder).map_err(|error| FormatError(error.with_text(text)))?;
    let document = builder.document.unwrap_or_else(|| Node::new(Value::Null));
    Ok(Decoded { format: Format::Json, document, map: builder.map.finish(), losses: Vec::new() })
}

pub fn encode(document: &Node, style: Style) -> Encoded {
    let mut writer = Writer { text: TextWriter::new(style) };
    writer.value(document, &Path::root(), 0, 0);
    writer.text.finish(Format::Json)
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

/// Builds the document and the byte map of its text from the JSON reader's events.
struct Builder<'a> {
    text: &'a str,
    map: ByteMap,
    /// The containers not closed yet, innermost last.
    open: Vec<OpenContainer>,
    document: Option<Node>,
}

struct OpenContainer {
    start: usize,
    path: Path,
    /// The key this container is filed under in its parent object, with the key's span.
    member: Option<(String, Span)>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    /// The member whose value comes next: its key, the key's span (quotes included) and its path.
    key: Option<(String, Span, Path)>,
}

impl Builder<'_> {
    /// Where the value that comes next goes: its path, and in an object its key and the key's span.
    fn next_slot(&mut self) -> (Path, Option<(String, Span)>) {
        match self.open.last_mut() {
            None => (Path::root(), None),
            Some(container) => match container.key.take() {
                Some((key, key_span, path)) => (path, Some((key, key_span))),
                None => (container.path.index(container.items.len()), None),
            },
        }
    }

    /// Files a finished value under the innermost open container, or as the document.
    fn add(&mut self, node: Node, member: Option<(String, Span)>) {
        match (self.open.last_mut(), member) {
            (None, _) => self.document = Some(node),
            (Some(container), Some((key, key_span))) => {
                container.entries.push(Entry { key, key_span: Some(key_span), value: node })
            }
            (Some(container), None) => container.items.push(node),
        }
    }

    /// Punctuation of the innermost open container.
    fn structure(&mut self, at: usize, detail: &str) {
        let root = Path::root();
        let path = self.open.last().map_or(&root, |container| &container.path);
        self.map.push(at, 1, Role::Structure, path, detail);
    }
}

impl JsonEvents for Builder<'_> {
    fn open(&mut self, container: Container, at: usize) {
        let (path, member) = self.next_slot();
        let detail = if container == Container::Object { "map begins" } else { "array begins" };
        self.map.push(at, 1, Role::Structure, &path, detail);
        self.open.push(OpenContainer { start: at, path, member, items: Vec::new(), entries: Vec::new(), key: None });
    }

    fn close(&mut self, container: Container, at: usize) {
        self.structure(at, if container == Container::Object { "map ends" } else { "array ends" });
        let Some(done) = self.open.pop() else { return };
        let value = match container {
            Container::Object => Value::Map(done.entries),
            Container::Array => Value::Array(done.items),
        };
        self.add(Node::with_span(value, Span::new(done.start, at + 1 - done.start)), done.member);
    }

    fn scalar(&mut self, scalar: Scalar, start: usize, end: usize) {
        let (path, member) = self.next_slot();
        let raw = &self.text[start..end];
        let (value, detail) = match scalar {
            Scalar::String => (Value::String(json_reader::unescape(&raw[1..raw.len() - 1])), "string"),
            Scalar::Number => {
                let value = number(raw);
                let detail = value.kind();
                (value, detail)
            }
            Scalar::True => (Value::Bool(true), "true"),
            Scalar::False => (Value::Bool(false), "false"),
            Scalar::Null => (Value::Null, "null"),
        };
        self.map.push(start, end - start, Role::Value, &path, detail);
        self.add(Node::with_span(value, Span::new(start, end - start)), member);
    }

    fn key(&mut self, start: usize, end: usize) {
        let key = json_reader::unescape(&self.text[start + 1..end - 1]);
        let Some(container) = self.open.last_mut() else { return };
        let path = container.path.key(&key);
        self.map.push(start, end - start, Role::Key, &path, "key");
        container.key = Some((key, Span::new(start, end - start), path));
    }

    fn colon(&mut self, at: usize) {
        self.structure(at, "colon");
    }

    fn comma(&mut self, at: usize) {
        self.structure(at, "comma");
    }
}

/// A number as the document model holds it: an integer when it is written as one and fits in 64
/// bits (either side of zero), else a float; `-0` stays a float, as serde_json reads it.
fn number(digits: &str) -> Value {
    let integral = !digits.contains(['.', 'e', 'E']);
    if integral && let Ok(integer) = digits.parse::<i64>() {
        if integer == 0 && digits.starts_with('-') { Value::Float(-0.0) } else { Value::Integer(integer.into()) }
    } else if integral && let Ok(integer) = digits.parse::<u64>() {
        Value::Integer(integer.into())
    } else {
        // The reader checked the grammar, and Rust reads every JSON number (too large ones as infinity).
        Value::Float(digits.parse::<f64>().unwrap_or(f64::NAN))
    }
}

struct Writer {
    text: TextWriter,
}

impl Writer {
    fn value(&mut self, node: &Node, path: &Path, indent: usize, nesting: usize) {
        match &node.value {
            Value::Null => self.text.push("null", Role::Value, path, "null"),
            Value::Bool(flag) => {
                let word = if *flag { "true" } else { "false" };
                self.text.push(word, Role::Value, path, word);
            }
            Value::Integer(integer) => {
                let integer = *integer;
                if integer < i128::from(i64::MIN) || integer > i128::from(u64::MAX) {
                    self.text
                        .loss(path, format!("{integer} is outside the 64-bit range: JSON readers take it as a float"));
                } else if integer.abs() > JS_SAFE_INTEGER {
                    self.text.loss(path, format!("{integer} is beyond ±2^53: JavaScript readers lose precision"));
                }
                self.text.push(&integer.to_string(), Role::Value, path, "integer");
            }
            Value::Float(float) if float.is_finite() => {
                let text = serde_json::Number::from_f64(*float)
                    .map_or_else(|| format!("{float:?}"), |number| number.to_string());
                self.text.push(&text, Role::Value, path, "float");
            }
            Value::Float(float) => {
                self.text.loss(path, format!("JSON has no {float}: written as null"));
                self.text.push("null", Role::Value, path, "null");
            }
            Value::String(text) => self.text.push(&quote(text), Role::Value, path, "string"),
            Value::Bytes(bytes) => {
                self.text.loss(path, "JSON has no bytes: written as a base64 string");
                self.text.push(&quote(&STANDARD.encode(bytes)), Role::Value, path, "base64 string");
            }
            Value::Array(_) | Value::Map(_) if nesting >= MAX_NESTING => {
                self.text.add_loss(Loss::too_deep(path, "null"));
                self.text.push("null", Role::Value, path, "null");
            }
            Value::Array(items) if items.is_empty() => self.text.push("[]", Role::Structure, path, "empty array"),
            Value::Array(items) => {
                self.text.push("[", Role::Structure, path, "array begins");
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.text.push(",", Role::Structure, path, "comma");
                    }
                    self.text.newline(indent + 1);
                    self.value(item, &path.index(index), indent + 1, nesting + 1);
                }
                self.text.newline(indent);
                self.text.push("]", Role::Structure, path, "array ends");
            }
            Value::Map(entries) if entries.is_empty() => self.text.push("{}", Role::Structure, path, "empty map"),
            Value::Map(entries) => {
                self.text.push("{", Role::Structure, path, "map begins");
                for (index, entry) in entries.iter().enumerate() {
                    if index > 0 {
                        self.text.push(",", Role::Structure, path, "comma");
                    }
                    self.text.newline(indent + 1);
                    let value_path = path.key(&entry.key);
                    self.text.push(&quote(&entry.key), Role::Key, &value_path, "key");
                    self.text.push(":", Role::Structure, path, "colon");
                    if self.text.style == Style::Pretty {
                        self.text.out.push(' ');
                    }
                    self.value(&entry.value, &value_path, indent + 1, nesting + 1);
                }
                self.text.newline(indent);
                self.text.push("}", Role::Structure, path, "map ends");
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
