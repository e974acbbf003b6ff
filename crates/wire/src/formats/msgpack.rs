//! MessagePack: decoding with a byte map of the input and encoding (rmp) with a byte map of the
//! output, both from one walk over the markers (on the walker it shares with CBOR,
//! `self_describing.rs`) so every byte is accounted for.
//!
//! A marker that is the whole value (fixint, nil, true, false) is mapped as [`Role::Value`]; any
//! other marker as [`Role::Header`], separate length bytes as [`Role::Length`], the payload as
//! [`Role::Value`], and a map key (marker and bytes) as one [`Role::Key`] span with the path of
//! its value.

use super::self_describing::{Walker, map_of, plural, short_text, walk};
use super::{Decoded, Encoded, Format, FormatError, Loss, MAX_NESTING, Node, Path, Role, Span, Value};

pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let (document, map, losses) = walk(bytes, value)?;
    Ok(Decoded { format: Format::MessagePack, document, map, losses })
}

pub fn encode(document: &Node) -> Encoded {
    let mut writer = Writer { out: Vec::new(), losses: Vec::new() };
    writer.value(document, &Path::root(), 0);
    let map = map_of(&writer.out, value);
    Encoded { format: Format::MessagePack, bytes: writer.out, map, losses: writer.losses }
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

/// A length of `length_bytes` bytes after a marker (or the one the marker holds), mapped.
fn length(
    walker: &mut Walker<'_>,
    length_bytes: usize,
    fixed: Option<usize>,
    path: &Path,
    what: &str,
    unit: (&str, &str),
) -> Result<usize, FormatError> {
    if let Some(count) = fixed {
        return Ok(count);
    }
    let start = walker.position;
    let count =
        usize::try_from(walker.big_endian(length_bytes, &format!("the length of {what}"))?).unwrap_or(usize::MAX);
    walker.span(start, length_bytes, Role::Length, path, plural(count, unit.0, unit.1));
    Ok(count)
}

/// The value at the walker's position.
fn value(walker: &mut Walker<'_>, path: &Path, nesting: usize) -> Result<Node, FormatError> {
    let start = walker.position;
    let Some(&marker) = walker.bytes.get(start) else {
        return Err(FormatError::at_offset(start, "truncated: a value was expected"));
    };
    let Some((body, detail)) = classify(marker) else {
        return Err(FormatError::at_offset(start, "marker 0xc1 is reserved and never used"));
    };
    walker.position += 1;
    let header_role = if matches!(body, Body::Nil | Body::Bool(_) | Body::Fix(_)) { Role::Value } else { Role::Header };
    walker.span(start, 1, header_role, path, &detail);
    let value = match body {
        Body::Nil => Value::Null,
        Body::Bool(flag) => Value::Bool(flag),
        Body::Fix(number) => Value::Integer(number.into()),
        Body::Unsigned(size) => {
            let number = walker.big_endian(size, &detail)?;
            walker.span(start + 1, size, Role::Value, path, number.to_string());
            Value::Integer(number.into())
        }
        Body::Signed(size) => {
            let raw = walker.big_endian(size, &detail)?;
            let shift = 64 - 8 * size as u32;
            let number = ((raw << shift) as i64) >> shift;
            walker.span(start + 1, size, Role::Value, path, number.to_string());
            Value::Integer(number.into())
        }
        Body::Float32 => {
            let raw = walker.big_endian(4, &detail)?;
            let number = f64::from(f32::from_bits(raw as u32));
            walker.span(start + 1, 4, Role::Value, path, number.to_string());
            Value::Float(number)
        }
        Body::Float64 => {
            let number = f64::from_bits(walker.big_endian(8, &detail)?);
            walker.span(start + 1, 8, Role::Value, path, number.to_string());
            Value::Float(number)
        }
        Body::Str { length_bytes, fixed } => {
            let len = length(walker, length_bytes, fixed, path, &detail, ("byte", "bytes"))?;
            let payload_start = walker.position;
            let payload = walker.take(len as u64, "the payload")?;
            let text = match std::str::from_utf8(payload) {
                Ok(text) => text.to_owned(),
                Err(_) => {
                    let text = String::from_utf8_lossy(payload).into_owned();
                    walker.losses.push(Loss::new(path, "invalid UTF-8 in a string: replaced with U+FFFD"));
                    text
                }
            };
            walker.span(payload_start, len, Role::Value, path, short_text(&text));
            Value::String(text)
        }
        Body::Bin(length_bytes) => {
            let len = length(walker, length_bytes, None, path, &detail, ("byte", "bytes"))?;
            let payload_start = walker.position;
            let payload = walker.take(len as u64, "the payload")?.to_vec();
            walker.span(payload_start, len, Role::Value, path, plural(len, "byte", "bytes"));
            Value::Bytes(payload)
        }
        Body::Ext { length_bytes, fixed } => {
            let len = length(walker, length_bytes, fixed, path, &detail, ("byte", "bytes"))?;
            let type_offset = walker.position;
            let ext_type = walker.take(1, "the ext type")?[0] as i8;
            walker.span(type_offset, 1, Role::Header, path, format!("ext type {ext_type}"));
            let payload_start = walker.position;
            let payload = walker.take(len as u64, "the payload")?.to_vec();
            walker.span(payload_start, len, Role::Value, path, plural(len, "byte", "bytes"));
            walker.losses.push(Loss::new(path, format!("ext type {ext_type} read as plain bytes")));
            Value::Bytes(payload)
        }
        Body::Array { length_bytes, fixed } => {
            walker.check_nesting(start, nesting)?;
            let count = length(walker, length_bytes, fixed, path, &detail, ("item", "items"))?;
            let mut items = Vec::with_capacity(walker.capacity(count as u64));
            for index in 0..count {
                items.push(value(walker, &path.index(index), nesting + 1)?);
            }
            Value::Array(items)
        }
        Body::Map { length_bytes, fixed } => {
            walker.check_nesting(start, nesting)?;
            let count = length(walker, length_bytes, fixed, path, &detail, ("entry", "entries"))?;
            let mut entries = Vec::with_capacity(walker.capacity(count as u64));
            for _ in 0..count {
                entries.push(walker.entry(path, nesting + 1, value)?);
            }
            Value::Map(entries)
        }
    };
    Ok(Node::with_span(value, Span::new(start, walker.position - start)))
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
                self.losses.push(Loss::too_deep(path, "nil"));
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
