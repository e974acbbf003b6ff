//! The Protobuf wire format itself, which the schema and the schema-less decoders share: the
//! limits, field keys and wire types, varints, fixed-size runs and zigzag.

use prost::encoding::decode_varint;

/// Messages nested deeper than this are not followed (hostile inputs cannot make either decoder
/// recurse without end): with a schema they are refused, without one shown as bytes.
pub(super) const MAX_DEPTH: usize = 64;

/// The largest field number Protobuf allows.
pub(super) const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

/// A field key's two halves: the field number and the wire type.
pub(super) fn split_key(key: u64) -> (u64, u8) {
    (key >> 3, (key & 7) as u8)
}

pub(super) fn wire_type_name(wire_type: u8) -> &'static str {
    match wire_type {
        0 => "varint",
        1 => "fixed64",
        2 => "length-delimited",
        3 => "group start",
        4 => "group end",
        5 => "fixed32",
        _ => "invalid",
    }
}

/// The varint at the start of `buffer`, moving past it; `None` when it is cut short or overlong.
pub(super) fn read_varint(buffer: &mut &[u8]) -> Option<u64> {
    if buffer.is_empty() {
        return None;
    }
    decode_varint(buffer).ok()
}

/// The first `count` bytes of `buffer`, moving past them; `None` when fewer are left.
pub(super) fn take<'a>(buffer: &mut &'a [u8], count: usize) -> Option<&'a [u8]> {
    if buffer.len() < count {
        return None;
    }
    let (head, tail) = buffer.split_at(count);
    *buffer = tail;
    Some(head)
}

/// A `sint64` from its zigzag varint.
pub(super) fn zigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// `text`, cut after `max_chars` characters with a `…`.
pub(super) fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max_chars).collect();
        short.push('…');
        short
    }
}
