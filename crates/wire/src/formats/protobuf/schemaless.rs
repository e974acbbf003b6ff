//! Protobuf wire-format decoding without a schema: field numbers, wire types and every plausible
//! reading of each value. Decodes what is valid and stops with a diagnostic at the exact offset
//! of the first malformed byte, instead of failing the whole message.
//!
//! A length-delimited value may be a string, a nested message, a packed run of scalars or plain
//! bytes; the wire does not say which. The readings are ranked:
//! 1. printable UTF-8 text that does not start with a control character is a string (every ASCII
//!    text also parses as packed varints, so that is no evidence against text);
//! 2. bytes that parse fully as a message (groups balanced) are a message;
//! 3. a packed run of floats or doubles, when the length fits and every value is a "round" number
//!    of everyday size (random bytes read as floats give huge, tiny or long-fractioned numbers);
//! 4. a packed run of canonical varints (two or more, or one when nothing above fits);
//! 5. floats or doubles that are not round, only when nothing above fits; then bytes.
//!
//! Every reading that fits is kept, so views can show the alternatives when it is ambiguous.
//! A gRPC frame header (compressed flag and big-endian length) in front of a message is recognised.

use prost::encoding::{decode_varint, encoded_len_varint};

use super::wire::{MAX_DEPTH, read_varint, shorten, split_key, take, wire_type_name, zigzag};
use crate::formats::{ByteMap, Entry, FormatError, Node, Path, Role, Span, Value};

/// How many values of a packed run a rendering or a byte-map detail shows.
const SHOWN_VALUES: usize = 8;

#[derive(Clone, Debug, PartialEq)]
pub struct ProtoField {
    /// Offset of the field's key (tag), from the start of the whole input.
    pub offset: usize,
    /// Bytes the whole field takes: key, any length prefix, and value.
    pub len: usize,
    /// Bytes the key (tag) takes.
    pub key_len: usize,
    pub number: u64,
    pub value: ProtoValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProtoValue {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    /// Wire type 2: see [`length_readings`] for what the bytes may be.
    LengthDelimited {
        /// Offset of the data (after the length prefix), from the start of the whole input.
        data_offset: usize,
        bytes: Vec<u8>,
        /// The fields, when the bytes parse fully as a message.
        nested: Option<Vec<ProtoField>>,
    },
    /// Wire types 3 and 4 (deprecated groups), shown but not paired.
    GroupStart,
    GroupEnd,
}

impl ProtoValue {
    pub fn wire_type(&self) -> u8 {
        match self {
            ProtoValue::Varint(_) => 0,
            ProtoValue::Fixed64(_) => 1,
            ProtoValue::LengthDelimited { .. } => 2,
            ProtoValue::GroupStart => 3,
            ProtoValue::GroupEnd => 4,
            ProtoValue::Fixed32(_) => 5,
        }
    }

    pub fn wire_type_name(&self) -> &'static str {
        wire_type_name(self.wire_type())
    }
}

/// The 5-byte header gRPC puts in front of each message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrpcFrame {
    /// Byte 0: 1 when the message is compressed with the call's `grpc-encoding`.
    pub compressed: bool,
    /// Bytes 1 to 4, big-endian: the message's length.
    pub length: u32,
}

/// Bytes a gRPC frame header takes.
pub const GRPC_HEADER_LEN: usize = 5;

/// What could be decoded, and the first problem if the input did not decode to its end.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtoDecode {
    /// The gRPC frame header in front of the message, if there is one (fields' offsets count it).
    pub grpc: Option<GrpcFrame>,
    pub fields: Vec<ProtoField>,
    /// The first malformed place (always at a byte offset).
    pub error: Option<FormatError>,
}

/// The gRPC frame header at the start of `bytes`: byte 0 is 0 or 1 and bytes 1 to 4 give exactly
/// the length of the rest. No Protobuf message can start with 0 or 1 (field number 0), so this
/// never hides a message.
pub fn grpc_frame(bytes: &[u8]) -> Option<GrpcFrame> {
    let (&flag, rest) = bytes.split_first()?;
    let length = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    (flag <= 1 && usize::try_from(length).ok() == Some(bytes.len() - GRPC_HEADER_LEN))
        .then_some(GrpcFrame { compressed: flag == 1, length })
}

/// Decodes `bytes` as a Protobuf message with no schema (after a gRPC frame header, if any).
pub fn decode(bytes: &[u8]) -> ProtoDecode {
    match grpc_frame(bytes) {
        Some(frame) if frame.compressed => ProtoDecode {
            grpc: Some(frame),
            fields: Vec::new(),
            error: Some(FormatError::at_offset(
                GRPC_HEADER_LEN,
                "the message is compressed (see the call's grpc-encoding header): not decoded",
            )),
        },
        Some(frame) => {
            let (fields, error) = decode_at(&bytes[GRPC_HEADER_LEN..], GRPC_HEADER_LEN, 0);
            ProtoDecode { grpc: Some(frame), fields, error }
        }
        None => {
            let (fields, error) = decode_at(bytes, 0, 0);
            ProtoDecode { grpc: None, fields, error }
        }
    }
}

fn decode_at(bytes: &[u8], base: usize, depth: usize) -> (Vec<ProtoField>, Option<FormatError>) {
    let mut fields = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        match decode_field(bytes, position, base, depth) {
            Ok(field) => {
                position += field.len;
                fields.push(field);
            }
            Err(error) => return (fields, Some(error)),
        }
    }
    (fields, None)
}

fn decode_field(bytes: &[u8], start: usize, base: usize, depth: usize) -> Result<ProtoField, FormatError> {
    let error = |offset: usize, message: String| FormatError::at_offset(base + offset, message);
    let mut rest = &bytes[start..];
    let key =
        read_varint(&mut rest).ok_or_else(|| error(start, "truncated or overlong varint in a field key".into()))?;
    let (number, wire_type) = split_key(key);
    if number == 0 {
        return Err(error(start, "field number 0 is not allowed".into()));
    }
    let after_key = bytes.len() - rest.len();
    let value = match wire_type {
        0 => {
            ProtoValue::Varint(read_varint(&mut rest).ok_or_else(|| error(after_key, "truncated varint value".into()))?)
        }
        1 => {
            let raw: [u8; 8] = take(&mut rest, 8)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| error(after_key, format!("fixed64 needs 8 bytes, {} left", bytes.len() - after_key)))?;
            ProtoValue::Fixed64(u64::from_le_bytes(raw))
        }
        5 => {
            let raw: [u8; 4] = take(&mut rest, 4)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| error(after_key, format!("fixed32 needs 4 bytes, {} left", bytes.len() - after_key)))?;
            ProtoValue::Fixed32(u32::from_le_bytes(raw))
        }
        2 => {
            let length = read_varint(&mut rest).ok_or_else(|| error(after_key, "truncated length prefix".into()))?;
            let data_start = bytes.len() - rest.len();
            let data = usize::try_from(length).ok().and_then(|length| take(&mut rest, length)).ok_or_else(|| {
                error(after_key, format!("length {length} runs past the end ({} bytes left)", bytes.len() - data_start))
            })?;
            let nested = if depth < MAX_DEPTH && !data.is_empty() {
                match decode_at(data, base + data_start, depth + 1) {
                    (fields, None) if groups_balanced(&fields) => Some(fields),
                    _ => None,
                }
            } else {
                None
            };
            ProtoValue::LengthDelimited { data_offset: base + data_start, bytes: data.to_vec(), nested }
        }
        3 => ProtoValue::GroupStart,
        4 => ProtoValue::GroupEnd,
        other => {
            return Err(error(start, format!("wire type {other} does not exist (field {number})")));
        }
    };
    let end = bytes.len() - rest.len();
    Ok(ProtoField { offset: base + start, len: end - start, key_len: after_key - start, number, value })
}

/// Every group start has its end, with the same field number, properly nested.
fn groups_balanced(fields: &[ProtoField]) -> bool {
    let mut open = Vec::new();
    for field in fields {
        match field.value {
            ProtoValue::GroupStart => open.push(field.number),
            ProtoValue::GroupEnd if open.pop() != Some(field.number) => return false,
            _ => {}
        }
    }
    open.is_empty()
}

/// One way to read a value: `sint64` → `75`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub label: &'static str,
    pub text: String,
}

impl Reading {
    fn new(label: &'static str, text: impl Into<String>) -> Reading {
        Reading { label, text: text.into() }
    }
}

/// What the bytes of a length-delimited value may be, most plausible first.
#[derive(Clone, Debug, PartialEq)]
pub enum LengthReading<'a> {
    Text(&'a str),
    Message(&'a [ProtoField]),
    PackedFloats(Vec<f32>),
    PackedDoubles(Vec<f64>),
    /// Each value with its offset within the bytes.
    PackedVarints(Vec<(usize, u64)>),
    Bytes,
}

impl LengthReading<'_> {
    pub fn label(&self) -> &'static str {
        match self {
            LengthReading::Text(_) => "string",
            LengthReading::Message(_) => "message",
            LengthReading::PackedFloats(_) => "packed float",
            LengthReading::PackedDoubles(_) => "packed double",
            LengthReading::PackedVarints(_) => "packed varints",
            LengthReading::Bytes => "bytes",
        }
    }

    /// The reading's value in a line: `"Lab B"`, `3 fields`, `[3, 150, 7]`.
    pub fn text(&self, bytes: &[u8]) -> String {
        match self {
            LengthReading::Text(text) => format!("{text:?}"),
            LengthReading::Message(fields) => match fields.len() {
                1 => "1 field".into(),
                count => format!("{count} fields"),
            },
            LengthReading::PackedFloats(values) => list(values.iter().map(|value| format!("{value:?}"))),
            LengthReading::PackedDoubles(values) => list(values.iter().map(|value| format!("{value:?}"))),
            LengthReading::PackedVarints(values) => list(values.iter().map(|(_, value)| value.to_string())),
            LengthReading::Bytes => crate::hexdump::to_hex(bytes),
        }
    }
}

fn list(values: impl ExactSizeIterator<Item = String>) -> String {
    let count = values.len();
    let shown: Vec<String> = values.take(SHOWN_VALUES).collect();
    if count > SHOWN_VALUES {
        format!("[{}, … {} more]", shown.join(", "), count - SHOWN_VALUES)
    } else {
        format!("[{}]", shown.join(", "))
    }
}

/// Every plausible reading of a length-delimited value's bytes, most plausible first (the
/// ranking is in this module's documentation). `Bytes` is always last.
pub fn length_readings<'a>(bytes: &'a [u8], nested: Option<&'a [ProtoField]>) -> Vec<LengthReading<'a>> {
    let mut readings = Vec::new();
    let printable = std::str::from_utf8(bytes).ok().filter(|text| !text.is_empty() && is_printable(text));
    if let Some(text) = printable {
        readings.push(LengthReading::Text(text));
    }
    if let Some(fields) = nested.filter(|fields| !fields.is_empty()) {
        readings.push(LengthReading::Message(fields));
    }
    let floats = packed_floats(bytes);
    let doubles = packed_doubles(bytes);
    let float_score = floats.as_deref().and_then(|values| roundness(values.iter().map(|value| value.to_string())));
    let double_score = doubles.as_deref().and_then(|values| roundness(values.iter().map(|value| value.to_string())));
    let mut fixed = Vec::new();
    if let Some(values) = floats {
        fixed.push((float_score, LengthReading::PackedFloats(values)));
    }
    if let Some(values) = doubles {
        fixed.push((double_score, LengthReading::PackedDoubles(values)));
    }
    fixed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let (plausible, implausible): (Vec<_>, Vec<_>) = fixed.into_iter().partition(|(score, _)| score.is_some());
    readings.extend(plausible.into_iter().map(|(_, reading)| reading));
    let trivially_varints = printable.is_some() && bytes.is_ascii();
    if let Some(values) = packed_varints(bytes).filter(|_| !trivially_varints)
        && (values.len() >= 2 || readings.is_empty())
    {
        readings.push(LengthReading::PackedVarints(values));
    }
    if readings.is_empty() {
        readings.extend(implausible.into_iter().map(|(_, reading)| reading));
    }
    readings.push(LengthReading::Bytes);
    readings
}

fn is_printable(text: &str) -> bool {
    let starts_with_control = text.chars().next().is_some_and(char::is_control);
    !starts_with_control && text.chars().all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t')
}

/// The bytes as a run of canonical varints (no needless `80` continuation bytes), if they are one.
pub fn packed_varints(bytes: &[u8]) -> Option<Vec<(usize, u64)>> {
    let mut values = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let before = rest.len();
        let value = decode_varint(&mut rest).ok()?;
        if before - rest.len() != encoded_len_varint(value) {
            return None;
        }
        values.push((offset, value));
    }
    (!values.is_empty()).then_some(values)
}

fn packed_floats(bytes: &[u8]) -> Option<Vec<f32>> {
    (!bytes.is_empty() && bytes.len().is_multiple_of(4)).then(|| {
        bytes.chunks_exact(4).map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])).collect()
    })
}

fn packed_doubles(bytes: &[u8]) -> Option<Vec<f64>> {
    (!bytes.is_empty() && bytes.len().is_multiple_of(8)).then(|| {
        bytes
            .chunks_exact(8)
            .map(|chunk| {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(chunk);
                f64::from_le_bytes(raw)
            })
            .collect()
    })
}

/// How round a run of numbers is: the mean count of significant digits, or `None` when some
/// value is not an everyday number (not finite, or nonzero outside 1e-6..1e9) or all are zero.
fn roundness(texts: impl Iterator<Item = String>) -> Option<f64> {
    let mut digits = 0usize;
    let mut count = 0usize;
    let mut nonzero = false;
    for text in texts {
        let value: f64 = text.parse().ok()?;
        if !value.is_finite() || (value != 0.0 && !(1e-6..=1e9).contains(&value.abs())) {
            return None;
        }
        nonzero |= value != 0.0;
        digits += text.trim_start_matches(['-', '0', '.']).chars().filter(char::is_ascii_digit).count();
        count += 1;
    }
    let mean = digits as f64 / count.max(1) as f64;
    (nonzero && mean <= 6.0).then_some(mean)
}

/// A fixed32 value is most likely a float when the float is an everyday, round number.
fn plausible_float(value: u32) -> bool {
    roundness(std::iter::once(f32::from_bits(value).to_string())).is_some()
}

fn plausible_double(value: u64) -> bool {
    roundness(std::iter::once(f64::from_bits(value).to_string())).is_some()
}

/// Every plausible reading of a value, most plausible first: a varint as unsigned, signed
/// (two's complement, when negative), zigzag (`sint`) and bool; fixed32 and fixed64 as unsigned,
/// signed and floating point; a length-delimited value as in [`length_readings`].
pub fn readings(value: &ProtoValue) -> Vec<Reading> {
    match value {
        ProtoValue::Varint(value) => {
            let value = *value;
            let signed = value as i64;
            let mut readings = Vec::new();
            if signed < 0 {
                let label = if i32::try_from(signed).is_ok() { "int32" } else { "int64" };
                readings.push(Reading::new(label, signed.to_string()));
            }
            readings.push(Reading::new("uint64", value.to_string()));
            if zigzag(value) != signed {
                readings.push(Reading::new("sint64", zigzag(value).to_string()));
            }
            if value <= 1 {
                readings.push(Reading::new("bool", (value == 1).to_string()));
            }
            readings
        }
        ProtoValue::Fixed32(value) => {
            let mut readings = vec![Reading::new("uint32", value.to_string())];
            if (*value as i32) < 0 {
                readings.push(Reading::new("int32", (*value as i32).to_string()));
            }
            let float = Reading::new("float", format!("{:?}", f32::from_bits(*value)));
            if plausible_float(*value) {
                readings.insert(0, float)
            } else {
                readings.push(float)
            }
            readings
        }
        ProtoValue::Fixed64(value) => {
            let mut readings = vec![Reading::new("uint64", value.to_string())];
            if (*value as i64) < 0 {
                readings.push(Reading::new("int64", (*value as i64).to_string()));
            }
            let double = Reading::new("double", format!("{:?}", f64::from_bits(*value)));
            if plausible_double(*value) {
                readings.insert(0, double)
            } else {
                readings.push(double)
            }
            readings
        }
        ProtoValue::LengthDelimited { bytes, nested, .. } => length_readings(bytes, nested.as_deref())
            .iter()
            .map(|reading| Reading::new(reading.label(), reading.text(bytes)))
            .collect(),
        ProtoValue::GroupStart => vec![Reading::new("group start", "")],
        ProtoValue::GroupEnd => vec![Reading::new("group end", "")],
    }
}

/// Every plausible reading of a varint: unsigned, signed two's complement, zigzag, and bool.
pub fn varint_readings(value: u64) -> String {
    let readings = readings(&ProtoValue::Varint(value));
    let mut out = value.to_string();
    for reading in readings.iter().filter(|reading| reading.label != "uint64") {
        out.push_str(&format!(" · {} {}", reading.label, reading.text));
    }
    out
}

/// The decode as a document: keys are field numbers (`"1"`), a number that repeats becomes an
/// array, nested messages become maps and each value takes its most plausible reading. Groups
/// are left out. Spans point at the value bytes.
pub fn to_document(decode: &ProtoDecode) -> Node {
    let span = match (decode.fields.first(), decode.fields.last()) {
        (Some(first), Some(last)) => Some(Span::new(first.offset, last.offset + last.len - first.offset)),
        _ => None,
    };
    Node { value: fields_document(&decode.fields), span }
}

fn fields_document(fields: &[ProtoField]) -> Value {
    let mut entries: Vec<Entry> = Vec::new();
    for field in fields {
        let Some(node) = field_document(field) else { continue };
        let key = field.number.to_string();
        match entries.iter_mut().find(|entry| entry.key == key) {
            Some(entry) => match &mut entry.value.value {
                Value::Array(items) if repeats(fields, field.number) => items.push(node),
                _ => {}
            },
            None if repeats(fields, field.number) => {
                entries.push(Entry::new(key, Node::new(Value::Array(vec![node]))));
            }
            None => entries.push(Entry::new(key, node)),
        }
    }
    for entry in &mut entries {
        if let Value::Array(items) = &entry.value.value {
            let first = items.first().and_then(|item| item.span);
            let last = items.last().and_then(|item| item.span);
            if let (Some(first), Some(last)) = (first, last) {
                entry.value.span = Some(Span::new(first.offset, last.end() - first.offset));
            }
        }
    }
    Value::Map(entries)
}

fn repeats(fields: &[ProtoField], number: u64) -> bool {
    fields.iter().filter(|field| field.number == number && !is_group_marker(field)).count() > 1
}

fn is_group_marker(field: &ProtoField) -> bool {
    matches!(field.value, ProtoValue::GroupStart | ProtoValue::GroupEnd)
}

fn field_document(field: &ProtoField) -> Option<Node> {
    let value_offset = field.offset + field.key_len;
    let value_span = Span::new(value_offset, field.offset + field.len - value_offset);
    let value = match &field.value {
        ProtoValue::Varint(value) if (*value as i64) < 0 => Value::Integer((*value as i64).into()),
        ProtoValue::Varint(value) => Value::Integer((*value).into()),
        ProtoValue::Fixed32(value) if plausible_float(*value) => Value::Float(f32::from_bits(*value).into()),
        ProtoValue::Fixed32(value) => Value::Integer((*value).into()),
        ProtoValue::Fixed64(value) if plausible_double(*value) => Value::Float(f64::from_bits(*value)),
        ProtoValue::Fixed64(value) => Value::Integer((*value).into()),
        ProtoValue::GroupStart | ProtoValue::GroupEnd => return None,
        ProtoValue::LengthDelimited { data_offset, bytes, nested } => {
            let data_span = Span::new(*data_offset, bytes.len());
            let value = match length_readings(bytes, nested.as_deref()).into_iter().next() {
                Some(LengthReading::Text(text)) => Value::String(text.to_owned()),
                Some(LengthReading::Message(fields)) => fields_document(fields),
                Some(LengthReading::PackedFloats(values)) => Value::Array(
                    values
                        .iter()
                        .enumerate()
                        .map(|(index, value)| {
                            Node::with_span(Value::Float((*value).into()), Span::new(data_offset + index * 4, 4))
                        })
                        .collect(),
                ),
                Some(LengthReading::PackedDoubles(values)) => Value::Array(
                    values
                        .iter()
                        .enumerate()
                        .map(|(index, value)| {
                            Node::with_span(Value::Float(*value), Span::new(data_offset + index * 8, 8))
                        })
                        .collect(),
                ),
                Some(LengthReading::PackedVarints(values)) => Value::Array(
                    values
                        .iter()
                        .enumerate()
                        .map(|(index, (offset, value))| {
                            let end = values.get(index + 1).map_or(bytes.len(), |(next, _)| *next);
                            Node::with_span(
                                Value::Integer((*value).into()),
                                Span::new(data_offset + offset, end - offset),
                            )
                        })
                        .collect(),
                ),
                Some(LengthReading::Bytes) | None => Value::Bytes(bytes.clone()),
            };
            return Some(Node::with_span(value, data_span));
        }
    };
    Some(Node::with_span(value, value_span))
}

/// The map of the decoded bytes: each field's tag, length prefix and value (a nested message's
/// fields inside it, a packed run's elements one by one) under the path [`to_document`] gives
/// it, and a gRPC frame header as [`Role::Header`]. Bytes after a malformed place are unmapped.
pub fn byte_map(decode: &ProtoDecode) -> ByteMap {
    let mut map = ByteMap::new();
    if let Some(frame) = decode.grpc {
        let compression = if frame.compressed { "compressed" } else { "not compressed" };
        map.push(0, 1, Role::Header, &Path::root(), format!("gRPC frame: {compression}"));
        map.push(1, 4, Role::Header, &Path::root(), format!("gRPC frame: message length {}", frame.length));
    }
    map_fields(&decode.fields, &Path::root(), &mut map);
    map.finish()
}

fn map_fields(fields: &[ProtoField], path: &Path, map: &mut ByteMap) {
    let mut seen: Vec<(u64, usize)> = Vec::new();
    for field in fields {
        let field_path = path.key(&field.number.to_string());
        let field_path = if is_group_marker(field) || !repeats(fields, field.number) {
            field_path
        } else {
            match seen.iter_mut().find(|(number, _)| *number == field.number) {
                Some((_, count)) => {
                    *count += 1;
                    field_path.index(*count)
                }
                None => {
                    seen.push((field.number, 0));
                    field_path.index(0)
                }
            }
        };
        map.push(
            field.offset,
            field.key_len,
            Role::Tag,
            &field_path,
            format!("field {}, wire type {} ({})", field.number, field.value.wire_type(), field.value.wire_type_name()),
        );
        let value_offset = field.offset + field.key_len;
        let value_len = field.offset + field.len - value_offset;
        match &field.value {
            ProtoValue::GroupStart | ProtoValue::GroupEnd => {}
            ProtoValue::LengthDelimited { data_offset, bytes, nested } => {
                map.push(
                    value_offset,
                    data_offset - value_offset,
                    Role::Length,
                    &field_path,
                    format!("length {}", bytes.len()),
                );
                let readings = length_readings(bytes, nested.as_deref());
                match readings.first() {
                    Some(LengthReading::Message(fields)) => map_fields(fields, &field_path, map),
                    Some(LengthReading::PackedFloats(values)) => {
                        for (index, value) in values.iter().enumerate() {
                            map.push(
                                data_offset + index * 4,
                                4,
                                Role::Value,
                                &field_path.index(index),
                                format!("float {value}"),
                            );
                        }
                    }
                    Some(LengthReading::PackedDoubles(values)) => {
                        for (index, value) in values.iter().enumerate() {
                            map.push(
                                data_offset + index * 8,
                                8,
                                Role::Value,
                                &field_path.index(index),
                                format!("double {value}"),
                            );
                        }
                    }
                    Some(LengthReading::PackedVarints(values)) => {
                        for (index, (offset, value)) in values.iter().enumerate() {
                            let end = values.get(index + 1).map_or(bytes.len(), |(next, _)| *next);
                            map.push(
                                data_offset + offset,
                                end - offset,
                                Role::Value,
                                &field_path.index(index),
                                format!("varint {}", varint_readings(*value)),
                            );
                        }
                    }
                    Some(reading) => {
                        let others: Vec<&str> = readings[1..].iter().map(LengthReading::label).collect();
                        let detail = format!("{} {}", reading.label(), shorten(&reading.text(bytes), 48));
                        let detail =
                            if others.len() > 1 { format!("{detail} (or {})", others.join(", ")) } else { detail };
                        map.push(*data_offset, bytes.len(), Role::Value, &field_path, detail);
                    }
                    None => {}
                }
            }
            value => {
                let texts: Vec<String> =
                    readings(value).iter().map(|reading| format!("{} {}", reading.label, reading.text)).collect();
                map.push(value_offset, value_len, Role::Value, &field_path, texts.join(" · "));
            }
        }
    }
}

/// The decode as indented text, one field a line, with offsets; a value's other readings follow
/// on an `also:` line.
pub fn render(decode: &ProtoDecode) -> String {
    let mut out = String::new();
    if let Some(frame) = decode.grpc {
        let compression = if frame.compressed { "compressed" } else { "not compressed" };
        out.push_str(&format!("@0     gRPC frame header: {compression}, message length {}\n", frame.length));
    }
    render_fields(&decode.fields, 0, &mut out);
    if let Some(error) = &decode.error {
        let offset = error.location.map_or(0, |location| location.offset);
        out.push_str(&format!("error at byte {offset}: {}\n", error.message));
    }
    out
}

fn render_fields(fields: &[ProtoField], indent: usize, out: &mut String) {
    for field in fields {
        let pad = "  ".repeat(indent);
        let head = format!("{pad}@{:<5} #{} ", field.offset, field.number);
        match &field.value {
            ProtoValue::GroupStart => out.push_str(&format!("{head}group start\n")),
            ProtoValue::GroupEnd => out.push_str(&format!("{head}group end\n")),
            ProtoValue::LengthDelimited { bytes, nested, .. } => {
                let readings = length_readings(bytes, nested.as_deref());
                let Some(first) = readings.first() else { continue };
                let size = bytes.len();
                let others: Vec<String> = readings[1..]
                    .iter()
                    .filter(|reading| !matches!(reading, LengthReading::Bytes))
                    .map(|reading| format!("{} {}", reading.label(), reading.text(bytes)))
                    .collect();
                let also = |out: &mut String| {
                    if !others.is_empty() {
                        out.push_str(&format!("{pad}       also: {}\n", others.join(" · ")));
                    }
                };
                match first {
                    LengthReading::Message(fields) => {
                        out.push_str(&format!("{head}message ({size} B) {{\n"));
                        also(out);
                        render_fields(fields, indent + 1, out);
                        out.push_str(&format!("{pad}}}\n"));
                    }
                    reading => {
                        out.push_str(&format!("{head}{} ({size} B) = {}\n", reading.label(), reading.text(bytes)));
                        also(out);
                    }
                }
            }
            value => {
                let readings = readings(value);
                let mut line = format!("{head}{} =", value.wire_type_name());
                for (index, reading) in readings.iter().enumerate() {
                    let separator = if index == 0 { " " } else { " · " };
                    line.push_str(&format!("{separator}{} {}", reading.label, reading.text));
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
}
