//! Protobuf wire-format decoding without a schema: field numbers, wire types and every plausible
//! reading of each value. Decodes what is valid and stops with a diagnostic at the exact offset
//! of the first malformed byte, instead of failing the whole message.

use prost::encoding::decode_varint;

/// Nested messages deeper than this are shown as bytes (stops hostile inputs from recursing).
const MAX_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq)]
pub struct ProtoField {
    /// Offset of the field's key (tag) within the decoded buffer's parent, from the outermost start.
    pub offset: usize,
    /// Bytes the whole field takes: key, any length prefix, and value.
    pub len: usize,
    pub number: u64,
    pub value: ProtoValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProtoValue {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    /// Wire type 2: a nested message when the bytes parse fully as one, else text or bytes.
    LengthDelimited {
        data_offset: usize,
        bytes: Vec<u8>,
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
}

/// A malformed place in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtoError {
    pub offset: usize,
    pub message: String,
}

/// What could be decoded, and the first problem if the input did not decode to its end.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtoDecode {
    pub fields: Vec<ProtoField>,
    pub error: Option<ProtoError>,
}

/// Decodes `bytes` as a Protobuf message with no schema.
pub fn decode(bytes: &[u8]) -> ProtoDecode {
    decode_at(bytes, 0, 0)
}

fn decode_at(bytes: &[u8], base: usize, depth: usize) -> ProtoDecode {
    let mut fields = Vec::new();
    let mut position = 0;
    while position < bytes.len() {
        match decode_field(bytes, position, base, depth) {
            Ok(field) => {
                position += field.len;
                fields.push(field);
            }
            Err(error) => {
                return ProtoDecode { fields, error: Some(error) };
            }
        }
    }
    ProtoDecode { fields, error: None }
}

fn decode_field(bytes: &[u8], start: usize, base: usize, depth: usize) -> Result<ProtoField, ProtoError> {
    let error = |offset: usize, message: String| ProtoError { offset: base + offset, message };
    let mut rest = &bytes[start..];
    let key =
        read_varint(&mut rest).ok_or_else(|| error(start, "truncated or overlong varint in a field key".into()))?;
    let number = key >> 3;
    let wire_type = (key & 7) as u8;
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
                let inner = decode_at(data, base + data_start, depth + 1);
                inner.error.is_none().then_some(inner.fields)
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
    Ok(ProtoField { offset: base + start, len: end - start, number, value })
}

fn read_varint(buffer: &mut &[u8]) -> Option<u64> {
    if buffer.is_empty() {
        return None;
    }
    decode_varint(buffer).ok()
}

fn take<'a>(buffer: &mut &'a [u8], count: usize) -> Option<&'a [u8]> {
    if buffer.len() < count {
        return None;
    }
    let (head, tail) = buffer.split_at(count);
    *buffer = tail;
    Some(head)
}

/// Every plausible reading of a varint: unsigned, signed two's complement, zigzag, and bool.
pub fn varint_readings(value: u64) -> String {
    let signed = value as i64;
    let zigzag = ((value >> 1) as i64) ^ -((value & 1) as i64);
    let mut out = format!("{value}");
    if signed < 0 {
        out.push_str(&format!(" · int64 {signed}"));
    }
    if zigzag != value as i64 {
        out.push_str(&format!(" · sint {zigzag}"));
    }
    if value <= 1 {
        out.push_str(&format!(" · bool {}", value == 1));
    }
    out
}

/// The decode as indented text, one field a line, with offsets.
pub fn render(decode: &ProtoDecode) -> String {
    let mut out = String::new();
    render_fields(&decode.fields, 0, &mut out);
    if let Some(error) = &decode.error {
        out.push_str(&format!("error at byte {}: {}\n", error.offset, error.message));
    }
    out
}

fn render_fields(fields: &[ProtoField], indent: usize, out: &mut String) {
    for field in fields {
        let pad = "  ".repeat(indent);
        let head = format!("{pad}@{:<5} #{} ", field.offset, field.number);
        match &field.value {
            ProtoValue::Varint(value) => out.push_str(&format!("{head}varint = {}\n", varint_readings(*value))),
            ProtoValue::Fixed64(value) => out.push_str(&format!(
                "{head}fixed64 = {value} · int64 {} · double {}\n",
                *value as i64,
                f64::from_bits(*value)
            )),
            ProtoValue::Fixed32(value) => out.push_str(&format!(
                "{head}fixed32 = {value} · int32 {} · float {}\n",
                *value as i32,
                f32::from_bits(*value)
            )),
            ProtoValue::GroupStart => out.push_str(&format!("{head}group start\n")),
            ProtoValue::GroupEnd => out.push_str(&format!("{head}group end\n")),
            ProtoValue::LengthDelimited { bytes, nested, .. } => match (nested, std::str::from_utf8(bytes)) {
                (_, Ok(text)) if !text.is_empty() && text.chars().all(|c| !c.is_control() || c == '\n') => {
                    out.push_str(&format!("{head}string ({} B) = {text:?}\n", bytes.len()));
                    if let Some(fields) = nested {
                        out.push_str(&format!("{pad}  (also parses as a message:)\n"));
                        render_fields(fields, indent + 2, out);
                    }
                }
                (Some(fields), _) => {
                    out.push_str(&format!("{head}message ({} B) {{\n", bytes.len()));
                    render_fields(fields, indent + 1, out);
                    out.push_str(&format!("{pad}}}\n"));
                }
                _ => out.push_str(&format!("{head}bytes ({} B) = {}\n", bytes.len(), crate::hexdump::to_hex(bytes))),
            },
        }
    }
}
