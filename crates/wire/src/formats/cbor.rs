//! CBOR (RFC 8949): decoding with a byte map of the input and encoding (ciborium-ll: shortest
//! integers, shortest lossless floats) with a byte map of the output, both from one walker.
//!
//! An initial byte that is the whole value (small integers, false, true, null) is mapped as
//! [`Role::Value`]; any other initial byte as [`Role::Header`]. Argument bytes are
//! [`Role::Length`] for strings, arrays and maps and [`Role::Value`] for integers; tags and
//! "break" bytes are headers; a map key (all its bytes) is one [`Role::Key`] span with the path
//! of its value. Indefinite-length strings, arrays and maps and half-precision floats decode.

use ciborium_ll::{Encoder, Header, simple};

use super::json::key_text;
use super::{ByteMap, Decoded, Encoded, Entry, Format, FormatError, Loss, MAX_NESTING, Node, Path, Role, Span, Value};

pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let (document, map, losses) = walk(bytes)?;
    Ok(Decoded { format: Format::Cbor, document, map, losses })
}

pub fn encode(document: &Node) -> Encoded {
    let mut out = Vec::new();
    let mut losses = Vec::new();
    write(&mut Encoder::from(&mut out), document, &Path::root(), 0, &mut losses);
    let map = walk(&out).map(|(_, map, _)| map).unwrap_or_default();
    Encoded { format: Format::Cbor, bytes: out, map, losses }
}

fn walk(bytes: &[u8]) -> Result<(Node, ByteMap, Vec<Loss>), FormatError> {
    if bytes.is_empty() {
        return Err(FormatError::at_offset(0, "no value: the input is empty"));
    }
    let mut walker = Walker { bytes, position: 0, spans: Vec::new(), losses: Vec::new() };
    let document = walker.value(&Path::root(), 0)?;
    if walker.position < bytes.len() {
        let extra = bytes.len() - walker.position;
        return Err(FormatError::at_offset(
            walker.position,
            format!("{extra} trailing byte{} after the first value", if extra == 1 { "" } else { "s" }),
        ));
    }
    let mut map = ByteMap::new();
    for span in walker.spans {
        map.push(span.offset, span.len, span.role, &span.path, span.detail);
    }
    Ok((document, map.finish(), walker.losses))
}

fn major_name(major: u8) -> &'static str {
    match major {
        0 => "major type 0 (unsigned integer)",
        1 => "major type 1 (negative integer)",
        2 => "major type 2 (bytes)",
        3 => "major type 3 (text)",
        4 => "major type 4 (array)",
        5 => "major type 5 (map)",
        6 => "major type 6 (tag)",
        _ => "major type 7 (simple/float)",
    }
}

fn tag_name(tag: u64) -> &'static str {
    match tag {
        0 => " (date/time string)",
        1 => " (epoch-based date/time)",
        2 => " (positive bignum)",
        3 => " (negative bignum)",
        4 => " (decimal fraction)",
        5 => " (bigfloat)",
        21 => " (expected base64url)",
        22 => " (expected base64)",
        23 => " (expected base16)",
        24 => " (encoded CBOR data item)",
        32 => " (URI)",
        55799 => " (self-described CBOR)",
        _ => "",
    }
}

fn with_article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {kind}") } else { format!("a {kind}") }
}

fn plural(count: u64, one: &str, many: &str) -> String {
    if count == 1 { format!("1 {one}") } else { format!("{count} {many}") }
}

fn short(value: &Value) -> String {
    match value {
        Value::String(text) if text.chars().count() > 24 => {
            format!("{:?}…", text.chars().take(24).collect::<String>())
        }
        Value::String(text) => format!("{text:?}"),
        Value::Bytes(bytes) => plural(bytes.len() as u64, "byte", "bytes"),
        other => other.kind().to_owned(),
    }
}

/// The half-precision float with these bits.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff);
    sign * match exponent {
        0 => fraction * 2f64.powi(-24),
        31 if fraction == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + fraction / 1024.0) * 2f64.powi(exponent - 15),
    }
}

struct PendingSpan {
    offset: usize,
    len: usize,
    role: Role,
    path: Path,
    detail: String,
}

/// An item's initial byte, read: its major type and argument.
struct Head {
    start: usize,
    major: u8,
    /// `None` for indefinite length (additional information 31).
    argument: Option<u64>,
    /// How many argument bytes follow the initial byte.
    argument_len: usize,
}

struct Walker<'a> {
    bytes: &'a [u8],
    position: usize,
    spans: Vec<PendingSpan>,
    losses: Vec<Loss>,
}

impl Walker<'_> {
    fn span(&mut self, offset: usize, len: usize, role: Role, path: &Path, detail: impl Into<String>) {
        self.spans.push(PendingSpan { offset, len, role, path: path.clone(), detail: detail.into() });
    }

    fn take(&mut self, count: u64, what: &str) -> Result<&[u8], FormatError> {
        let left = self.bytes.len() - self.position;
        // The length is reported as written (u64), also where usize is 32 bits (wasm32).
        let needed = count;
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if count > left {
            return Err(FormatError::at_offset(
                self.position,
                format!("truncated: {what} needs {}, {left} left", plural(needed, "byte", "bytes")),
            ));
        }
        let taken = &self.bytes[self.position..self.position + count];
        self.position += count;
        Ok(taken)
    }

    fn head(&mut self) -> Result<Head, FormatError> {
        let start = self.position;
        let Some(&initial) = self.bytes.get(start) else {
            return Err(FormatError::at_offset(start, "truncated: a value was expected"));
        };
        self.position += 1;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let (argument, argument_len) = match info {
            0..=23 => (Some(u64::from(info)), 0),
            24..=27 => {
                let len = 1usize << (info - 24);
                let bytes = self.take(len as u64, &format!("the argument of {}", major_name(major)))?;
                (Some(bytes.iter().fold(0u64, |number, &byte| (number << 8) | u64::from(byte))), len)
            }
            28..=30 => {
                return Err(FormatError::at_offset(start, format!("additional information {info} is reserved")));
            }
            _ => (None, 0),
        };
        if argument.is_none() && matches!(major, 0 | 1 | 6) {
            return Err(FormatError::at_offset(start, format!("{} cannot have indefinite length", major_name(major))));
        }
        Ok(Head { start, major, argument, argument_len })
    }

    fn value(&mut self, path: &Path, nesting: usize) -> Result<Node, FormatError> {
        let head = self.head()?;
        let start = head.start;
        let name = major_name(head.major);
        let value = match (head.major, head.argument) {
            (0 | 1, Some(argument)) => {
                let number = if head.major == 0 { i128::from(argument) } else { -1 - i128::from(argument) };
                if head.argument_len == 0 {
                    self.span(start, 1, Role::Value, path, format!("{name} {number}"));
                } else {
                    self.span(start, 1, Role::Header, path, format!("{name}, {}-byte argument", head.argument_len));
                    self.span(start + 1, head.argument_len, Role::Value, path, number.to_string());
                }
                Value::Integer(number)
            }
            (2 | 3, _) => {
                let bytes = self.string_body(&head, path)?;
                if head.major == 2 {
                    Value::Bytes(bytes)
                } else {
                    match String::from_utf8(bytes) {
                        Ok(text) => Value::String(text),
                        Err(error) => {
                            self.losses.push(Loss::new(path, "invalid UTF-8 in a text string: replaced with U+FFFD"));
                            Value::String(String::from_utf8_lossy(error.as_bytes()).into_owned())
                        }
                    }
                }
            }
            (4 | 5, count) => {
                if nesting >= MAX_NESTING {
                    return Err(FormatError::at_offset(start, format!("nested deeper than {MAX_NESTING} levels")));
                }
                let (one, many) = if head.major == 4 { ("item", "items") } else { ("pair", "pairs") };
                self.count_header(&head, path, one, many);
                let remaining = self.bytes.len() - self.position;
                let capacity = count.map_or(0, |count| usize::try_from(count).unwrap_or(usize::MAX).min(remaining));
                if head.major == 4 {
                    let mut items = Vec::with_capacity(capacity);
                    while self.more_items(count, items.len(), path)? {
                        items.push(self.value(&path.index(items.len()), nesting + 1)?);
                    }
                    Value::Array(items)
                } else {
                    let mut entries = Vec::with_capacity(capacity);
                    while self.more_items(count, entries.len(), path)? {
                        entries.push(self.entry(path, nesting + 1)?);
                    }
                    Value::Map(entries)
                }
            }
            (6, Some(tag)) => {
                if nesting >= MAX_NESTING {
                    return Err(FormatError::at_offset(start, format!("nested deeper than {MAX_NESTING} levels")));
                }
                self.span(start, 1 + head.argument_len, Role::Header, path, format!("tag {tag}{}", tag_name(tag)));
                let inner = self.value(path, nesting + 1)?;
                self.untag(tag, inner.value, path)
            }
            (7, None) => {
                return Err(FormatError::at_offset(start, "unexpected break (0xff) outside an indefinite-length item"));
            }
            (_, Some(argument)) => self.simple_or_float(&head, argument, path),
            (_, None) => return Err(FormatError::at_offset(start, format!("{name} cannot have indefinite length"))),
        };
        Ok(Node::with_span(value, Span::new(start, self.position - start)))
    }

    /// Maps the head of an array or map.
    fn count_header(&mut self, head: &Head, path: &Path, one: &str, many: &str) {
        let name = major_name(head.major);
        match head.argument {
            None => self.span(head.start, 1, Role::Header, path, format!("{name}, indefinite length")),
            Some(count) if head.argument_len == 0 => {
                self.span(head.start, 1, Role::Header, path, format!("{name}, {}", plural(count, one, many)))
            }
            Some(count) => {
                self.span(head.start, 1, Role::Header, path, name);
                self.span(head.start + 1, head.argument_len, Role::Length, path, plural(count, one, many));
            }
        }
    }

    /// Whether another item follows: below the count, or (indefinite length) no break yet; a
    /// break is mapped and consumed.
    fn more_items(&mut self, count: Option<u64>, done: usize, path: &Path) -> Result<bool, FormatError> {
        match count {
            Some(count) => Ok((done as u64) < count),
            None => match self.bytes.get(self.position) {
                Some(0xff) => {
                    self.span(self.position, 1, Role::Header, path, "break");
                    self.position += 1;
                    Ok(false)
                }
                Some(_) => Ok(true),
                None => Err(FormatError::at_offset(self.position, "truncated: an item or a break (0xff) was expected")),
            },
        }
    }

    /// The bytes of a byte or text string, definite or in chunks.
    fn string_body(&mut self, head: &Head, path: &Path) -> Result<Vec<u8>, FormatError> {
        if head.argument.is_some() {
            return self.definite_string(head, path, "");
        }
        let name = major_name(head.major);
        self.span(head.start, 1, Role::Header, path, format!("{name}, indefinite length"));
        let mut bytes = Vec::new();
        while self.more_items(None, 0, path)? {
            let chunk = self.head()?;
            if chunk.major != head.major || chunk.argument.is_none() {
                return Err(FormatError::at_offset(
                    chunk.start,
                    format!("a chunk of an indefinite-length {name} must be a definite {name}"),
                ));
            }
            bytes.extend(self.definite_string(&chunk, path, "chunk, ")?);
        }
        Ok(bytes)
    }

    fn definite_string(&mut self, head: &Head, path: &Path, prefix: &str) -> Result<Vec<u8>, FormatError> {
        let name = major_name(head.major);
        let len = head.argument.unwrap_or(0);
        if head.argument_len == 0 {
            self.span(head.start, 1, Role::Header, path, format!("{prefix}{name}, {}", plural(len, "byte", "bytes")));
        } else {
            self.span(head.start, 1, Role::Header, path, format!("{prefix}{name}"));
            self.span(head.start + 1, head.argument_len, Role::Length, path, plural(len, "byte", "bytes"));
        }
        let payload_start = self.position;
        let bytes = self.take(len, "the payload")?.to_vec();
        let shown = if head.major == 3 {
            short(&Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        } else {
            plural(bytes.len() as u64, "byte", "bytes")
        };
        self.span(payload_start, bytes.len(), Role::Value, path, shown);
        Ok(bytes)
    }

    fn simple_or_float(&mut self, head: &Head, argument: u64, path: &Path) -> Value {
        let start = head.start;
        match (head.argument_len, argument) {
            (0, 20 | 21) => {
                let flag = argument == 21;
                self.span(start, 1, Role::Value, path, flag.to_string());
                Value::Bool(flag)
            }
            (0, 22) => {
                self.span(start, 1, Role::Value, path, "null");
                Value::Null
            }
            (0, 23) => {
                self.span(start, 1, Role::Value, path, "undefined");
                self.losses.push(Loss::new(path, "undefined read as null"));
                Value::Null
            }
            (2 | 4 | 8, bits) => {
                let (width, number) = match head.argument_len {
                    2 => (16, f16_to_f64(bits as u16)),
                    4 => (32, f64::from(f32::from_bits(bits as u32))),
                    _ => (64, f64::from_bits(bits)),
                };
                self.span(start, 1, Role::Header, path, format!("float{width}"));
                self.span(start + 1, head.argument_len, Role::Value, path, number.to_string());
                Value::Float(number)
            }
            (len, simple_value) => {
                if len == 0 {
                    self.span(start, 1, Role::Value, path, format!("simple value {simple_value}"));
                } else {
                    self.span(start, 1, Role::Header, path, "simple value, 1-byte argument");
                    self.span(start + 1, len, Role::Value, path, format!("simple value {simple_value}"));
                }
                self.losses.push(Loss::new(path, format!("simple value {simple_value} read as null")));
                Value::Null
            }
        }
    }

    /// A tagged value in the document model: bignums that fit become integers, other tags are
    /// dropped (reported).
    fn untag(&mut self, tag: u64, inner: Value, path: &Path) -> Value {
        if let (2 | 3, Value::Bytes(bytes)) = (tag, &inner) {
            let significant: Vec<u8> = bytes.iter().copied().skip_while(|&byte| byte == 0).collect();
            if significant.len() <= 8 {
                let magnitude = significant.iter().fold(0u64, |number, &byte| (number << 8) | u64::from(byte));
                return Value::Integer(if tag == 2 { i128::from(magnitude) } else { -1 - i128::from(magnitude) });
            }
            self.losses.push(Loss::new(path, "bignum beyond 64 bits: kept as its bytes"));
            return inner;
        }
        self.losses.push(Loss::new(path, format!("tag {tag}{} dropped: the value is kept", tag_name(tag))));
        inner
    }

    fn entry(&mut self, path: &Path, nesting: usize) -> Result<Entry, FormatError> {
        let key_start = self.position;
        let first_span = self.spans.len();
        let losses_before = self.losses.len();
        let key_node = self.value(path, nesting)?;
        let key_detail = self.spans.get(first_span).map(|span| span.detail.clone()).unwrap_or_default();
        self.spans.truncate(first_span);
        self.losses.truncate(losses_before);
        let key = key_text(&key_node.value);
        let value_path = path.key(&key);
        if !matches!(key_node.value, Value::String(_)) {
            self.losses.push(Loss::new(
                &value_path,
                format!("{} key read as the string {key:?}", with_article(key_node.value.kind())),
            ));
        }
        let key_span = Span::new(key_start, self.position - key_start);
        self.span(key_start, key_span.len, Role::Key, &value_path, format!("key, {key_detail}"));
        let value = self.value(&value_path, nesting)?;
        Ok(Entry { key, key_span: Some(key_span), value })
    }
}

fn write(encoder: &mut Encoder<&mut Vec<u8>>, node: &Node, path: &Path, nesting: usize, losses: &mut Vec<Loss>) {
    let _ = match &node.value {
        Value::Null => encoder.push(Header::Simple(simple::NULL)),
        Value::Bool(flag) => encoder.push(Header::Simple(if *flag { simple::TRUE } else { simple::FALSE })),
        Value::Integer(integer) => {
            if let Ok(unsigned) = u64::try_from(*integer) {
                encoder.push(Header::Positive(unsigned))
            } else if let Ok(negative) = u64::try_from(-1 - *integer) {
                encoder.push(Header::Negative(negative))
            } else {
                losses.push(Loss::new(path, format!("{integer} is outside CBOR's integer range: written as a float")));
                encoder.push(Header::Float(*integer as f64))
            }
        }
        Value::Float(float) => encoder.push(Header::Float(*float)),
        Value::String(text) => encoder.text(text, None),
        Value::Bytes(bytes) => encoder.bytes(bytes, None),
        Value::Array(_) | Value::Map(_) if nesting >= MAX_NESTING => {
            losses.push(Loss::new(path, format!("nested deeper than {MAX_NESTING} levels: written as null")));
            encoder.push(Header::Simple(simple::NULL))
        }
        Value::Array(items) => {
            let _ = encoder.push(Header::Array(Some(items.len())));
            for (index, item) in items.iter().enumerate() {
                write(encoder, item, &path.index(index), nesting + 1, losses);
            }
            Ok(())
        }
        Value::Map(entries) => {
            let _ = encoder.push(Header::Map(Some(entries.len())));
            for entry in entries {
                let _ = encoder.text(&entry.key, None);
                write(encoder, &entry.value, &path.key(&entry.key), nesting + 1, losses);
            }
            Ok(())
        }
    };
}
