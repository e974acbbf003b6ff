//! CBOR (RFC 8949): decoding with a byte map of the input and encoding (ciborium-ll: shortest
//! integers, shortest lossless floats) with a byte map of the output, both from one walk (on the
//! walker it shares with MessagePack, `self_describing.rs`).
//!
//! An initial byte that is the whole value (small integers, false, true, null) is mapped as
//! [`Role::Value`]; any other initial byte as [`Role::Header`]. Argument bytes are
//! [`Role::Length`] for strings, arrays and maps and [`Role::Value`] for integers; tags and
//! "break" bytes are headers; a map key (all its bytes) is one [`Role::Key`] span with the path
//! of its value. Indefinite-length strings, arrays and maps and half-precision floats decode.

use ciborium_ll::{Encoder, Header, simple};

use super::self_describing::{Walker, map_of, plural, short_text, walk};
use super::{Decoded, Encoded, Format, FormatError, Loss, MAX_NESTING, Node, Path, Role, Span, Value};

pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let (document, map, losses) = walk(bytes, value)?;
    Ok(Decoded { format: Format::Cbor, document, map, losses })
}

pub fn encode(document: &Node) -> Encoded {
    let mut out = Vec::new();
    let mut losses = Vec::new();
    write(&mut Encoder::from(&mut out), document, &Path::root(), 0, &mut losses);
    let map = map_of(&out, value);
    Encoded { format: Format::Cbor, bytes: out, map, losses }
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

/// An item's initial byte, read: its major type and argument.
struct Head {
    start: usize,
    major: u8,
    /// `None` for indefinite length (additional information 31).
    argument: Option<u64>,
    /// How many argument bytes follow the initial byte.
    argument_len: usize,
}

/// The initial byte at the walker's position and its argument bytes.
fn read_head(walker: &mut Walker<'_>) -> Result<Head, FormatError> {
    let start = walker.position;
    let Some(&initial) = walker.bytes.get(start) else {
        return Err(FormatError::at_offset(start, "truncated: a value was expected"));
    };
    walker.position += 1;
    let (major, info) = (initial >> 5, initial & 0x1f);
    let (argument, argument_len) = match info {
        0..=23 => (Some(u64::from(info)), 0),
        24..=27 => {
            let len = 1usize << (info - 24);
            (Some(walker.big_endian(len, &format!("the argument of {}", major_name(major)))?), len)
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

fn value(walker: &mut Walker<'_>, path: &Path, nesting: usize) -> Result<Node, FormatError> {
    let head = read_head(walker)?;
    let start = head.start;
    let name = major_name(head.major);
    let value = match (head.major, head.argument) {
        (0 | 1, Some(argument)) => {
            let number = if head.major == 0 { i128::from(argument) } else { -1 - i128::from(argument) };
            if head.argument_len == 0 {
                walker.span(start, 1, Role::Value, path, format!("{name} {number}"));
            } else {
                walker.span(start, 1, Role::Header, path, format!("{name}, {}-byte argument", head.argument_len));
                walker.span(start + 1, head.argument_len, Role::Value, path, number.to_string());
            }
            Value::Integer(number)
        }
        (2 | 3, _) => {
            let bytes = string_body(walker, &head, path)?;
            if head.major == 2 {
                Value::Bytes(bytes)
            } else {
                match String::from_utf8(bytes) {
                    Ok(text) => Value::String(text),
                    Err(error) => {
                        walker.losses.push(Loss::new(path, "invalid UTF-8 in a text string: replaced with U+FFFD"));
                        Value::String(String::from_utf8_lossy(error.as_bytes()).into_owned())
                    }
                }
            }
        }
        (4 | 5, count) => {
            walker.check_nesting(start, nesting)?;
            let (one, many) = if head.major == 4 { ("item", "items") } else { ("pair", "pairs") };
            count_header(walker, &head, path, one, many);
            let capacity = count.map_or(0, |count| walker.capacity(count));
            if head.major == 4 {
                let mut items = Vec::with_capacity(capacity);
                while more_items(walker, count, items.len(), path)? {
                    items.push(value(walker, &path.index(items.len()), nesting + 1)?);
                }
                Value::Array(items)
            } else {
                let mut entries = Vec::with_capacity(capacity);
                while more_items(walker, count, entries.len(), path)? {
                    entries.push(walker.entry(path, nesting + 1, value)?);
                }
                Value::Map(entries)
            }
        }
        (6, Some(tag)) => {
            walker.check_nesting(start, nesting)?;
            walker.span(start, 1 + head.argument_len, Role::Header, path, format!("tag {tag}{}", tag_name(tag)));
            let inner = value(walker, path, nesting + 1)?;
            untag(walker, tag, inner.value, path)
        }
        (7, None) => {
            return Err(FormatError::at_offset(start, "unexpected break (0xff) outside an indefinite-length item"));
        }
        (_, Some(argument)) => simple_or_float(walker, &head, argument, path),
        (_, None) => return Err(FormatError::at_offset(start, format!("{name} cannot have indefinite length"))),
    };
    Ok(Node::with_span(value, Span::new(start, walker.position - start)))
}

/// Maps the head of an array or map.
fn count_header(walker: &mut Walker<'_>, head: &Head, path: &Path, one: &str, many: &str) {
    let name = major_name(head.major);
    match head.argument {
        None => walker.span(head.start, 1, Role::Header, path, format!("{name}, indefinite length")),
        Some(count) if head.argument_len == 0 => {
            walker.span(head.start, 1, Role::Header, path, format!("{name}, {}", plural(count, one, many)))
        }
        Some(count) => {
            walker.span(head.start, 1, Role::Header, path, name);
            walker.span(head.start + 1, head.argument_len, Role::Length, path, plural(count, one, many));
        }
    }
}

/// Whether another item follows: below the count, or (indefinite length) no break yet; a
/// break is mapped and consumed.
fn more_items(walker: &mut Walker<'_>, count: Option<u64>, done: usize, path: &Path) -> Result<bool, FormatError> {
    match count {
        Some(count) => Ok((done as u64) < count),
        None => match walker.bytes.get(walker.position) {
            Some(0xff) => {
                walker.span(walker.position, 1, Role::Header, path, "break");
                walker.position += 1;
                Ok(false)
            }
            Some(_) => Ok(true),
            None => Err(FormatError::at_offset(walker.position, "truncated: an item or a break (0xff) was expected")),
        },
    }
}

/// The bytes of a byte or text string, definite or in chunks.
fn string_body(walker: &mut Walker<'_>, head: &Head, path: &Path) -> Result<Vec<u8>, FormatError> {
    if head.argument.is_some() {
        return definite_string(walker, head, path, "");
    }
    let name = major_name(head.major);
    walker.span(head.start, 1, Role::Header, path, format!("{name}, indefinite length"));
    let mut bytes = Vec::new();
    while more_items(walker, None, 0, path)? {
        let chunk = read_head(walker)?;
        if chunk.major != head.major || chunk.argument.is_none() {
            return Err(FormatError::at_offset(
                chunk.start,
                format!("a chunk of an indefinite-length {name} must be a definite {name}"),
            ));
        }
        bytes.extend(definite_string(walker, &chunk, path, "chunk, ")?);
    }
    Ok(bytes)
}

fn definite_string(walker: &mut Walker<'_>, head: &Head, path: &Path, prefix: &str) -> Result<Vec<u8>, FormatError> {
    let name = major_name(head.major);
    let len = head.argument.unwrap_or(0);
    if head.argument_len == 0 {
        walker.span(head.start, 1, Role::Header, path, format!("{prefix}{name}, {}", plural(len, "byte", "bytes")));
    } else {
        walker.span(head.start, 1, Role::Header, path, format!("{prefix}{name}"));
        walker.span(head.start + 1, head.argument_len, Role::Length, path, plural(len, "byte", "bytes"));
    }
    let payload_start = walker.position;
    let bytes = walker.take(len, "the payload")?.to_vec();
    let shown = if head.major == 3 {
        short_text(&String::from_utf8_lossy(&bytes))
    } else {
        plural(bytes.len() as u64, "byte", "bytes")
    };
    walker.span(payload_start, bytes.len(), Role::Value, path, shown);
    Ok(bytes)
}

fn simple_or_float(walker: &mut Walker<'_>, head: &Head, argument: u64, path: &Path) -> Value {
    let start = head.start;
    match (head.argument_len, argument) {
        (0, 20 | 21) => {
            let flag = argument == 21;
            walker.span(start, 1, Role::Value, path, flag.to_string());
            Value::Bool(flag)
        }
        (0, 22) => {
            walker.span(start, 1, Role::Value, path, "null");
            Value::Null
        }
        (0, 23) => {
            walker.span(start, 1, Role::Value, path, "undefined");
            walker.losses.push(Loss::new(path, "undefined read as null"));
            Value::Null
        }
        (2 | 4 | 8, bits) => {
            let (width, number) = match head.argument_len {
                2 => (16, f16_to_f64(bits as u16)),
                4 => (32, f64::from(f32::from_bits(bits as u32))),
                _ => (64, f64::from_bits(bits)),
            };
            walker.span(start, 1, Role::Header, path, format!("float{width}"));
            walker.span(start + 1, head.argument_len, Role::Value, path, number.to_string());
            Value::Float(number)
        }
        (len, simple_value) => {
            if len == 0 {
                walker.span(start, 1, Role::Value, path, format!("simple value {simple_value}"));
            } else {
                walker.span(start, 1, Role::Header, path, "simple value, 1-byte argument");
                walker.span(start + 1, len, Role::Value, path, format!("simple value {simple_value}"));
            }
            walker.losses.push(Loss::new(path, format!("simple value {simple_value} read as null")));
            Value::Null
        }
    }
}

/// A tagged value in the document model: bignums that fit become integers, other tags are
/// dropped (reported).
fn untag(walker: &mut Walker<'_>, tag: u64, inner: Value, path: &Path) -> Value {
    if let (2 | 3, Value::Bytes(bytes)) = (tag, &inner) {
        let significant: Vec<u8> = bytes.iter().copied().skip_while(|&byte| byte == 0).collect();
        if significant.len() <= 8 {
            let magnitude = significant.iter().fold(0u64, |number, &byte| (number << 8) | u64::from(byte));
            return Value::Integer(if tag == 2 { i128::from(magnitude) } else { -1 - i128::from(magnitude) });
        }
        walker.losses.push(Loss::new(path, "bignum beyond 64 bits: kept as its bytes"));
        return inner;
    }
    walker.losses.push(Loss::new(path, format!("tag {tag}{} dropped: the value is kept", tag_name(tag))));
    inner
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
            losses.push(Loss::too_deep(path, "null"));
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
