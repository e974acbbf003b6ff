//! MessagePack: decoding with a byte map of the input and encoding (rmp) with a byte map of the
//! output, both from one marker walker so every byte is accounted for.
//!
//! A marker that is the whole value (fixint, nil, true, false) is mapped as [`Role::Value`]; any
//! other marker as [`Role::Header`], separate length bytes as [`Role::Length`], the payload as
//! [`Role::Value`], and a map key (marker and bytes) as one [`Role::Key`] span with the path of
//! its value.

use super::json::key_text;
use super::{ByteMap, Decoded, Encoded, Entry, Format, FormatError, Loss, MAX_NESTING, Node, Path, Role, Span, Value};

pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let (document, map, losses) = walk(bytes)?;
    Ok(Decoded { format: Format::MessagePack, document, map, losses })
}

pub fn encode(document: &Node) -> Encoded {
    let mut writer = Writer { out: Vec::new(), losses: Vec::new() };
    writer.value(document, &Path::root(), 0);
    let map = walk(&writer.out).map(|(_, map, _)| map).unwrap_or_default();
    Encoded { format: Format::MessagePack, bytes: writer.out, map, losses: writer.losses }
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

struct PendingSpan {
    offset: usize,
    len: usize,
    role: Role,
    path: Path,
    detail: String,
}

struct Walker<'a> {
    bytes: &'a [u8],
    position: usize,
    spans: Vec<PendingSpan>,
    losses: Vec<Loss>,
}

/// What follows a marker.
enum Body {
    Nil,
    Bool(bool),
    /// The marker is the value.
    Fix(i64),
    Unsigned(usize),
    Signed(usize),
    Float32,
    Float64,
    Str {
        length_bytes: usize,
        fixed: Option<usize>,
    },
    Bin(usize),
    Array {
        length_bytes: usize,
        fixed: Option<usize>,
    },
    Map {
        length_bytes: usize,
        fixed: Option<usize>,
    },
    Ext {
        length_bytes: usize,
        fixed: Option<usize>,
    },
}

fn classify(marker: u8) -> Option<(Body, String)> {
    Some(match marker {
        0x00..=0x7f => (Body::Fix(i64::from(marker)), format!("positive fixint {marker}")),
        0x80..=0x8f => {
            let count = usize::from(marker & 0x0f);
            (
                Body::Map { length_bytes: 0, fixed: Some(count) },
                format!("fixmap, {}", plural(count, "entry", "entries")),
            )
        }
        0x90..=0x9f => {
            let count = usize::from(marker & 0x0f);
            (
                Body::Array { length_bytes: 0, fixed: Some(count) },
                format!("fixarray, {}", plural(count, "item", "items")),
            )
        }
        0xa0..=0xbf => {
            let count = usize::from(marker & 0x1f);
            (Body::Str { length_bytes: 0, fixed: Some(count) }, format!("fixstr, {}", plural(count, "byte", "bytes")))
        }
        0xc0 => (Body::Nil, "nil".into()),
        0xc1 => return None,
        0xc2 => (Body::Bool(false), "false".into()),
        0xc3 => (Body::Bool(true), "true".into()),
        0xc4 => (Body::Bin(1), "bin8".into()),
        0xc5 => (Body::Bin(2), "bin16".into()),
        0xc6 => (Body::Bin(4), "bin32".into()),
        0xc7 => (Body::Ext { length_bytes: 1, fixed: None }, "ext8".into()),
        0xc8 => (Body::Ext { length_bytes: 2, fixed: None }, "ext16".into()),
        0xc9 => (Body::Ext { length_bytes: 4, fixed: None }, "ext32".into()),
        0xca => (Body::Float32, "float32".into()),
        0xcb => (Body::Float64, "float64".into()),
        0xcc => (Body::Unsigned(1), "uint8".into()),
        0xcd => (Body::Unsigned(2), "uint16".into()),
        0xce => (Body::Unsigned(4), "uint32".into()),
        0xcf => (Body::Unsigned(8), "uint64".into()),
        0xd0 => (Body::Signed(1), "int8".into()),
        0xd1 => (Body::Signed(2), "int16".into()),
        0xd2 => (Body::Signed(4), "int32".into()),
        0xd3 => (Body::Signed(8), "int64".into()),
        0xd4..=0xd8 => {
            let size = 1usize << (marker - 0xd4);
            (Body::Ext { length_bytes: 0, fixed: Some(size) }, format!("fixext{size}"))
        }
        0xd9 => (Body::Str { length_bytes: 1, fixed: None }, "str8".into()),
        0xda => (Body::Str { length_bytes: 2, fixed: None }, "str16".into()),
        0xdb => (Body::Str { length_bytes: 4, fixed: None }, "str32".into()),
        0xdc => (Body::Array { length_bytes: 2, fixed: None }, "array16".into()),
        0xdd => (Body::Array { length_bytes: 4, fixed: None }, "array32".into()),
        0xde => (Body::Map { length_bytes: 2, fixed: None }, "map16".into()),
        0xdf => (Body::Map { length_bytes: 4, fixed: None }, "map32".into()),
        0xe0..=0xff => (Body::Fix(i64::from(marker as i8)), format!("negative fixint {}", marker as i8)),
    })
}

fn with_article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {kind}") } else { format!("a {kind}") }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 { format!("1 {one}") } else { format!("{count} {many}") }
}

/// A value shortened for a byte map's detail line.
fn short(value: &Value) -> String {
    match value {
        Value::String(text) if text.chars().count() > 24 => {
            format!("{:?}…", text.chars().take(24).collect::<String>())
        }
        Value::String(text) => format!("{text:?}"),
        Value::Bytes(bytes) => plural(bytes.len(), "byte", "bytes"),
        Value::Integer(integer) => integer.to_string(),
        Value::Float(float) => float.to_string(),
        other => other.kind().to_owned(),
    }
}

impl Walker<'_> {
    fn span(&mut self, offset: usize, len: usize, role: Role, path: &Path, detail: impl Into<String>) {
        self.spans.push(PendingSpan { offset, len, role, path: path.clone(), detail: detail.into() });
    }

    /// The next `count` bytes, or an error at `self.position` naming `what` they were for.
    fn take(&mut self, count: usize, what: &str) -> Result<&[u8], FormatError> {
        let left = self.bytes.len() - self.position;
        if count > left {
            return Err(FormatError::at_offset(
                self.position,
                format!("truncated: {what} needs {}, {} left", plural(count, "byte", "bytes"), left),
            ));
        }
        let taken = &self.bytes[self.position..self.position + count];
        self.position += count;
        Ok(taken)
    }

    fn big_endian(&mut self, count: usize, what: &str) -> Result<u64, FormatError> {
        Ok(self.take(count, what)?.iter().fold(0u64, |number, &byte| (number << 8) | u64::from(byte)))
    }

    /// A length of `length_bytes` bytes after a marker (or the one the marker holds), mapped.
    fn length(
        &mut self,
        length_bytes: usize,
        fixed: Option<usize>,
        path: &Path,
        what: &str,
        unit: (&str, &str),
    ) -> Result<usize, FormatError> {
        if let Some(count) = fixed {
            return Ok(count);
        }
        let start = self.position;
        let count =
            usize::try_from(self.big_endian(length_bytes, &format!("the length of {what}"))?).unwrap_or(usize::MAX);
        self.span(start, length_bytes, Role::Length, path, plural(count, unit.0, unit.1));
        Ok(count)
    }

    fn value(&mut self, path: &Path, nesting: usize) -> Result<Node, FormatError> {
        let start = self.position;
        let Some(&marker) = self.bytes.get(start) else {
            return Err(FormatError::at_offset(start, "truncated: a value was expected"));
        };
        let Some((body, detail)) = classify(marker) else {
            return Err(FormatError::at_offset(start, "marker 0xc1 is reserved and never used"));
        };
        self.position += 1;
        let header_role =
            if matches!(body, Body::Nil | Body::Bool(_) | Body::Fix(_)) { Role::Value } else { Role::Header };
        self.span(start, 1, header_role, path, &detail);
        let value = match body {
            Body::Nil => Value::Null,
            Body::Bool(flag) => Value::Bool(flag),
            Body::Fix(number) => Value::Integer(number.into()),
            Body::Unsigned(size) => {
                let number = self.big_endian(size, &detail)?;
                self.span(start + 1, size, Role::Value, path, number.to_string());
                Value::Integer(number.into())
            }
            Body::Signed(size) => {
                let raw = self.big_endian(size, &detail)?;
                let shift = 64 - 8 * size as u32;
                let number = ((raw << shift) as i64) >> shift;
                self.span(start + 1, size, Role::Value, path, number.to_string());
                Value::Integer(number.into())
            }
            Body::Float32 => {
                let raw = self.big_endian(4, &detail)?;
                let number = f64::from(f32::from_bits(raw as u32));
                self.span(start + 1, 4, Role::Value, path, number.to_string());
                Value::Float(number)
            }
            Body::Float64 => {
                let number = f64::from_bits(self.big_endian(8, &detail)?);
                self.span(start + 1, 8, Role::Value, path, number.to_string());
                Value::Float(number)
            }
            Body::Str { length_bytes, fixed } => {
                let len = self.length(length_bytes, fixed, path, &detail, ("byte", "bytes"))?;
                let payload_start = self.position;
                let payload = self.take(len, "the payload")?;
                let text = match std::str::from_utf8(payload) {
                    Ok(text) => text.to_owned(),
                    Err(_) => {
                        let text = String::from_utf8_lossy(payload).into_owned();
                        self.losses.push(Loss::new(path, "invalid UTF-8 in a string: replaced with U+FFFD"));
                        text
                    }
                };
                let value = Value::String(text);
                self.span(payload_start, len, Role::Value, path, short(&value));
                value
            }
            Body::Bin(length_bytes) => {
                let len = self.length(length_bytes, None, path, &detail, ("byte", "bytes"))?;
                let payload_start = self.position;
                let payload = self.take(len, "the payload")?.to_vec();
                self.span(payload_start, len, Role::Value, path, plural(len, "byte", "bytes"));
                Value::Bytes(payload)
            }
            Body::Ext { length_bytes, fixed } => {
                let len = self.length(length_bytes, fixed, path, &detail, ("byte", "bytes"))?;
                let type_offset = self.position;
                let ext_type = self.take(1, "the ext type")?[0] as i8;
                self.span(type_offset, 1, Role::Header, path, format!("ext type {ext_type}"));
                let payload_start = self.position;
                let payload = self.take(len, "the payload")?.to_vec();
                self.span(payload_start, len, Role::Value, path, plural(len, "byte", "bytes"));
                self.losses.push(Loss::new(path, format!("ext type {ext_type} read as plain bytes")));
                Value::Bytes(payload)
            }
            Body::Array { length_bytes, fixed } => {
                if nesting >= MAX_NESTING {
                    return Err(FormatError::at_offset(start, format!("nested deeper than {MAX_NESTING} levels")));
                }
                let count = self.length(length_bytes, fixed, path, &detail, ("item", "items"))?;
                let mut items = Vec::with_capacity(count.min(self.bytes.len() - self.position));
                for index in 0..count {
                    items.push(self.value(&path.index(index), nesting + 1)?);
                }
                Value::Array(items)
            }
            Body::Map { length_bytes, fixed } => {
                if nesting >= MAX_NESTING {
                    return Err(FormatError::at_offset(start, format!("nested deeper than {MAX_NESTING} levels")));
                }
                let count = self.length(length_bytes, fixed, path, &detail, ("entry", "entries"))?;
                let mut entries = Vec::with_capacity(count.min(self.bytes.len() - self.position));
                for _ in 0..count {
                    entries.push(self.entry(path, nesting + 1)?);
                }
                Value::Map(entries)
            }
        };
        Ok(Node::with_span(value, Span::new(start, self.position - start)))
    }

    /// A key and its value; the key's bytes become one span with the value's path.
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

struct Writer {
    out: Vec<u8>,
    losses: Vec<Loss>,
}

impl Writer {
    fn value(&mut self, node: &Node, path: &Path, nesting: usize) {
        let out = &mut self.out;
        match &node.value {
            Value::Null => {
                let _ = rmp::encode::write_nil(out);
            }
            Value::Bool(flag) => {
                let _ = rmp::encode::write_bool(out, *flag);
            }
            Value::Integer(integer) => {
                if let Ok(unsigned) = u64::try_from(*integer) {
                    let _ = rmp::encode::write_uint(out, unsigned);
                } else if let Ok(signed) = i64::try_from(*integer) {
                    let _ = rmp::encode::write_sint(out, signed);
                } else {
                    self.losses.push(Loss::new(
                        path,
                        format!("{integer} is outside MessagePack's integer range: written as a float64"),
                    ));
                    let _ = rmp::encode::write_f64(out, *integer as f64);
                }
            }
            Value::Float(float) => {
                let _ = rmp::encode::write_f64(out, *float);
            }
            Value::String(text) => {
                let _ = rmp::encode::write_str(out, text);
            }
            Value::Bytes(bytes) => {
                let _ = rmp::encode::write_bin(out, bytes);
            }
            Value::Array(_) | Value::Map(_) if nesting >= MAX_NESTING => {
                self.losses.push(Loss::new(path, format!("nested deeper than {MAX_NESTING} levels: written as nil")));
                let _ = rmp::encode::write_nil(out);
            }
            Value::Array(items) => {
                let _ = rmp::encode::write_array_len(out, u32::try_from(items.len()).unwrap_or(u32::MAX));
                for (index, item) in items.iter().enumerate() {
                    self.value(item, &path.index(index), nesting + 1);
                }
            }
            Value::Map(entries) => {
                let _ = rmp::encode::write_map_len(out, u32::try_from(entries.len()).unwrap_or(u32::MAX));
                for entry in entries {
                    let _ = rmp::encode::write_str(&mut self.out, &entry.key);
                    self.value(&entry.value, &path.key(&entry.key), nesting + 1);
                }
            }
        }
    }
}
