//! Decoding Protobuf bytes with a schema into a document (JSON names, fields not on the wire left
//! out as proto3 JSON does), mapping every byte: the walker here also maps what the encoder wrote,
//! naming paths with the source document's own keys.

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};

use super::schema::{Schema, kind_name, wire_type_of};
use super::wire::{self, MAX_DEPTH, MAX_FIELD_NUMBER, shorten, wire_type_name};
use crate::formats::{ByteMap, Decoded, Entry, Format, FormatError, Loss, Node, Path, Role, Span, Value};

/// Decodes `bytes` as the message type `message`.
pub fn decode(bytes: &[u8], schema: &Schema, message: &str) -> Result<Decoded, FormatError> {
    let descriptor = schema.message(message)?;
    let mut walker = Walker::new(bytes);
    let document = walker.message(0, bytes.len(), &descriptor, &Path::root(), None, 0)?;
    let losses = std::mem::take(&mut walker.losses);
    Ok(Decoded { format: Format::Protobuf, document, map: walker.into_map(), losses })
}

/// A field's value while its message is being read: fields may repeat and interleave on the wire.
enum Slot {
    Single(Node),
    List(Vec<Node>),
    Map(Vec<Entry>),
}

/// Stands in for a map entry's key in span paths until the key has been read.
const PENDING_KEY: &str = "\u{0}pending map key";

/// Reads a message's bytes against its descriptor, building the document, the byte map and the
/// losses; positions are offsets into the whole input, and each read stops at an `end`.
pub(super) struct Walker<'a> {
    bytes: &'a [u8],
    map: ByteMap,
    losses: Vec<Loss>,
}

impl<'a> Walker<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Walker<'a> {
        Walker { bytes, map: ByteMap::new(), losses: Vec::new() }
    }

    pub(super) fn into_map(self) -> ByteMap {
        self.map.finish()
    }

    fn push(&mut self, start: usize, end: usize, role: Role, path: &Path, detail: String) {
        self.map.push(start, end.saturating_sub(start), role, path, detail);
    }

    fn varint(&self, position: &mut usize, end: usize, what: &str) -> Result<u64, FormatError> {
        let mut rest = &self.bytes[*position..end];
        if rest.is_empty() {
            return Err(FormatError::at_offset(*position, format!("{what} is missing: the message ends here")));
        }
        let before = rest.len();
        let value = wire::read_varint(&mut rest)
            .ok_or_else(|| FormatError::at_offset(*position, format!("truncated or overlong varint in {what}")))?;
        *position += before - rest.len();
        Ok(value)
    }

    fn take(&self, position: &mut usize, end: usize, count: usize, what: &str) -> Result<&'a [u8], FormatError> {
        let bytes: &'a [u8] = self.bytes;
        let mut rest = &bytes[*position..end];
        let slice = wire::take(&mut rest, count).ok_or_else(|| {
            FormatError::at_offset(*position, format!("{what} needs {count} bytes, {} left", end - *position))
        })?;
        *position += count;
        Ok(slice)
    }

    /// Reads a length prefix and returns where the data ends.
    fn length(&mut self, position: &mut usize, end: usize, path: &Path) -> Result<usize, FormatError> {
        let start = *position;
        let length = self.varint(position, end, "a length prefix")?;
        let left = end - *position;
        let length = usize::try_from(length).ok().filter(|length| *length <= left).ok_or_else(|| {
            FormatError::at_offset(start, format!("length {length} runs past the end ({left} bytes left)"))
        })?;
        self.push(start, *position, Role::Length, path, format!("length {length}"));
        Ok(*position + length)
    }

    /// Reads a field key: its field number and wire type.
    fn key(&self, position: &mut usize, end: usize) -> Result<(u32, u8), FormatError> {
        let start = *position;
        let key = self.varint(position, end, "a field key")?;
        let (number, wire_type) = wire::split_key(key);
        if number == 0 {
            return Err(FormatError::at_offset(start, "field number 0 is not allowed"));
        }
        if number > MAX_FIELD_NUMBER {
            return Err(FormatError::at_offset(start, format!("field number {number} is past the largest (2^29 - 1)")));
        }
        if wire_type > 5 {
            return Err(FormatError::at_offset(
                start,
                format!("wire type {wire_type} does not exist (field {number})"),
            ));
        }
        if wire_type == 3 || wire_type == 4 {
            return Err(FormatError::at_offset(
                start,
                format!("field {number} uses wire type {wire_type} (groups, proto2), which is not supported"),
            ));
        }
        Ok((number as u32, wire_type))
    }

    pub(super) fn message(
        &mut self,
        start: usize,
        end: usize,
        descriptor: &MessageDescriptor,
        path: &Path,
        source: Option<&Node>,
        depth: usize,
    ) -> Result<Node, FormatError> {
        if depth > MAX_DEPTH {
            return Err(FormatError::at_offset(start, format!("messages nested deeper than {MAX_DEPTH}")));
        }
        let mut slots: Vec<(String, Slot)> = Vec::new();
        let mut position = start;
        while position < end {
            let tag_start = position;
            let (number, wire_type) = self.key(&mut position, end)?;
            let tag_end = position;
            let Some(field) = descriptor.get_field(number) else {
                let key = number.to_string();
                let field_path = path.key(&key);
                let detail = format!(
                    "field {number} (not in {}), wire type {wire_type} ({})",
                    descriptor.full_name(),
                    wire_type_name(wire_type)
                );
                self.push(tag_start, tag_end, Role::Tag, &field_path, detail);
                let node = self.unknown_value(&mut position, end, wire_type, &field_path)?;
                if !slots.iter().any(|(existing, _)| *existing == key) {
                    self.losses.push(Loss::new(
                        &field_path,
                        format!("field {number} is not in {}: kept under its number", descriptor.full_name()),
                    ));
                }
                add_to_slot(&mut slots, key, node, Repeat::Collect);
                continue;
            };
            let (key, field_source) = source_key(source, &field);
            let field_path = path.key(&key);
            let kind = field.kind();
            let expected = wire_type_of(&kind);
            let tag_detail = |extra: &str| {
                format!("field {number} {}, wire type {wire_type} ({}){extra}", field.name(), wire_type_name(wire_type))
            };
            if field.is_list() && wire_type == 2 && expected != 2 {
                self.push(tag_start, tag_end, Role::Tag, &field_path, tag_detail(", packed"));
                let data_end = self.length(&mut position, end, &field_path)?;
                let mut count = slot_len(&slots, &key);
                let mut items: Vec<Node> = Vec::new();
                while position < data_end {
                    let item_path = field_path.index(count);
                    items.push(self.scalar(&kind, &mut position, data_end, &item_path, &field)?);
                    count += 1;
                }
                if items.is_empty() && !slots.iter().any(|(existing, _)| *existing == key) {
                    slots.push((key.clone(), Slot::List(Vec::new())));
                }
                for item in items {
                    add_to_slot(&mut slots, key.clone(), item, Repeat::Append);
                }
                continue;
            }
            if wire_type != expected {
                return Err(FormatError::at_offset(
                    tag_start,
                    format!(
                        "field {number} {} is {} (wire type {expected}), but came with wire type {wire_type} ({})",
                        field.name(),
                        kind_name(&kind),
                        wire_type_name(wire_type)
                    ),
                ));
            }
            if field.is_map() {
                let (entry_key, value) =
                    self.map_entry(tag_start, tag_end, &mut position, end, &field, &field_path, field_source, depth)?;
                match slots.iter_mut().find(|(existing, _)| *existing == key) {
                    Some((_, Slot::Map(entries))) => {
                        entries.push(Entry { key: entry_key.0, key_span: entry_key.1, value })
                    }
                    _ => slots.push((key, Slot::Map(vec![Entry { key: entry_key.0, key_span: entry_key.1, value }]))),
                }
                continue;
            }
            let value_path =
                if field.is_list() { field_path.index(slot_len(&slots, &key)) } else { field_path.clone() };
            let value_source = match field_source {
                Some(node) if field.is_list() => match &node.value {
                    Value::Array(items) => items.get(slot_len(&slots, &key)),
                    _ => None,
                },
                other => other,
            };
            self.push(tag_start, tag_end, Role::Tag, &value_path, tag_detail(""));
            let node = match &kind {
                Kind::Message(message) => {
                    let data_end = self.length(&mut position, end, &value_path)?;
                    let node = self.message(position, data_end, message, &value_path, value_source, depth + 1)?;
                    position = data_end;
                    node
                }
                _ => self.scalar(&kind, &mut position, end, &value_path, &field)?,
            };
            if !field.is_list() && slots.iter().any(|(existing, _)| *existing == key) {
                self.losses.push(Loss::new(&field_path, "sent more than once: the last value is kept"));
            }
            add_to_slot(&mut slots, key, node, if field.is_list() { Repeat::Append } else { Repeat::Replace });
        }
        let entries = slots
            .into_iter()
            .map(|(key, slot)| {
                let value = match slot {
                    Slot::Single(node) => node,
                    Slot::List(items) => {
                        let span = covering(items.iter().filter_map(|item| item.span));
                        Node { value: Value::Array(items), span }
                    }
                    Slot::Map(entries) => {
                        let span = covering(entries.iter().filter_map(|entry| entry.key_span.or(entry.value.span)));
                        Node { value: Value::Map(entries), span }
                    }
                };
                Entry::new(key, value)
            })
            .collect();
        Ok(Node::with_span(Value::Map(entries), Span::new(start, end - start)))
    }

    #[allow(clippy::too_many_arguments)]
    fn map_entry(
        &mut self,
        tag_start: usize,
        tag_end: usize,
        position: &mut usize,
        end: usize,
        field: &FieldDescriptor,
        field_path: &Path,
        field_source: Option<&Node>,
        depth: usize,
    ) -> Result<((String, Option<Span>), Node), FormatError> {
        let Kind::Message(entry_descriptor) = field.kind() else {
            return Err(FormatError::at_offset(tag_start, "map field without an entry type"));
        };
        let key_field = entry_descriptor.map_entry_key_field();
        let value_field = entry_descriptor.map_entry_value_field();
        let pending = field_path.key(PENDING_KEY);
        let mark = self.map.mark();
        self.push(
            tag_start,
            tag_end,
            Role::Tag,
            &pending,
            format!("field {} {} (map entry), wire type 2 (length-delimited)", field.number(), field.name()),
        );
        let data_end = self.length(position, end, &pending)?;
        let mut key: Option<(String, Span)> = None;
        let mut value: Option<Node> = None;
        while *position < data_end {
            let inner_tag_start = *position;
            let (number, wire_type) = self.key(position, data_end)?;
            let inner_tag_end = *position;
            let (role_field, which) = match number {
                1 => (&key_field, "map key"),
                2 => (&value_field, "map value"),
                _ => {
                    self.push(
                        inner_tag_start,
                        inner_tag_end,
                        Role::Tag,
                        &pending,
                        format!("field {number} (not in a map entry), wire type {wire_type}"),
                    );
                    self.unknown_value(position, data_end, wire_type, &pending)?;
                    self.losses.push(Loss::new(field_path, format!("a map entry has a field {number}: dropped")));
                    continue;
                }
            };
            let kind = role_field.kind();
            if wire_type != wire_type_of(&kind) {
                return Err(FormatError::at_offset(
                    inner_tag_start,
                    format!(
                        "{which} of {} is {}, but here has wire type {wire_type} ({})",
                        field.name(),
                        kind_name(&kind),
                        wire_type_name(wire_type)
                    ),
                ));
            }
            self.push(
                inner_tag_start,
                inner_tag_end,
                Role::Tag,
                &pending,
                format!("{which}, field {number}, wire type {wire_type} ({})", wire_type_name(wire_type)),
            );
            if number == 1 {
                let first = self.map.mark();
                let node = self.scalar(&kind, position, data_end, &pending, role_field)?;
                for span in self.map.since_mut(first) {
                    if span.role == Role::Value {
                        span.role = Role::Key;
                    }
                }
                let span = node.span.unwrap_or_default();
                key = Some((map_key_text(&node), span));
            } else {
                let source = match (field_source, &key) {
                    (Some(Node { value: Value::Map(entries), .. }), Some((key, _))) => {
                        entries.iter().find(|entry| entry.key == *key).map(|entry| &entry.value)
                    }
                    _ => None,
                };
                value = Some(match &kind {
                    Kind::Message(message) => {
                        let inner_end = self.length(position, data_end, &pending)?;
                        let node = self.message(*position, inner_end, message, &pending, source, depth + 1)?;
                        *position = inner_end;
                        node
                    }
                    _ => self.scalar(&kind, position, data_end, &pending, role_field)?,
                });
            }
        }
        let (key, key_span) = match key {
            Some((key, span)) => (key, Some(span)),
            None => (map_key_text(&default_node(&key_field.kind())), None),
        };
        let entry_path = field_path.key(&key);
        for span in self.map.since_mut(mark) {
            if span.path.starts_with(&pending) {
                let mut segments = entry_path.0.clone();
                segments.extend_from_slice(&span.path.0[pending.0.len()..]);
                span.path = Path(segments);
            }
        }
        let value = value.unwrap_or_else(|| default_node(&value_field.kind()));
        Ok(((key, key_span), value))
    }

    fn unknown_value(
        &mut self,
        position: &mut usize,
        end: usize,
        wire_type: u8,
        path: &Path,
    ) -> Result<Node, FormatError> {
        let mut start = *position;
        let (value, detail) = match wire_type {
            0 => {
                let value = self.varint(position, end, "a varint value")?;
                (Value::Integer(value.into()), format!("varint {value}"))
            }
            1 => {
                let raw = self.take(position, end, 8, "a fixed64 value")?;
                let value = u64::from_le_bytes(raw.try_into().unwrap_or_default());
                (Value::Integer(value.into()), format!("fixed64 {value}"))
            }
            5 => {
                let raw = self.take(position, end, 4, "a fixed32 value")?;
                let value = u32::from_le_bytes(raw.try_into().unwrap_or_default());
                (Value::Integer(value.into()), format!("fixed32 {value}"))
            }
            _ => {
                let data_end = self.length(position, end, path)?;
                start = *position;
                let data = &self.bytes[start..data_end];
                *position = data_end;
                (Value::Bytes(data.to_vec()), format!("bytes {}", short_hex(data)))
            }
        };
        self.push(start, *position, Role::Value, path, detail);
        Ok(Node::with_span(value, Span::new(start, *position - start)))
    }

    /// Reads one scalar value (not a message) of `kind` and maps its bytes.
    fn scalar(
        &mut self,
        kind: &Kind,
        position: &mut usize,
        end: usize,
        path: &Path,
        field: &FieldDescriptor,
    ) -> Result<Node, FormatError> {
        let start = *position;
        let (value, detail) = match kind {
            Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => {
                let raw = self.take(position, end, 8, &format!("a {} value", kind_name(kind)))?;
                let bits = u64::from_le_bytes(raw.try_into().unwrap_or_default());
                match kind {
                    Kind::Double => {
                        let value = f64::from_bits(bits);
                        (Value::Float(value), format!("double {value}"))
                    }
                    Kind::Fixed64 => (Value::Integer(bits.into()), format!("fixed64 {bits}")),
                    _ => (Value::Integer((bits as i64).into()), format!("sfixed64 {}", bits as i64)),
                }
            }
            Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => {
                let raw = self.take(position, end, 4, &format!("a {} value", kind_name(kind)))?;
                let bits = u32::from_le_bytes(raw.try_into().unwrap_or_default());
                match kind {
                    Kind::Float => {
                        let value = f32::from_bits(bits);
                        (Value::Float(float32_as_shortest_f64(value)), format!("float {value}"))
                    }
                    Kind::Fixed32 => (Value::Integer(bits.into()), format!("fixed32 {bits}")),
                    _ => (Value::Integer((bits as i32).into()), format!("sfixed32 {}", bits as i32)),
                }
            }
            Kind::String | Kind::Bytes => {
                let data_end = self.length(position, end, path)?;
                let data = &self.bytes[*position..data_end];
                let data_start = *position;
                *position = data_end;
                let value = if matches!(kind, Kind::String) {
                    let text = std::str::from_utf8(data).map_err(|error| {
                        FormatError::at_offset(
                            data_start + error.valid_up_to(),
                            format!("string field {} is not valid UTF-8", field.name()),
                        )
                    })?;
                    (Value::String(text.to_owned()), format!("string {:?}", shorten(text, 40)))
                } else {
                    (Value::Bytes(data.to_vec()), format!("bytes {}", short_hex(data)))
                };
                self.push(data_start, data_end, Role::Value, path, value.1);
                return Ok(Node::with_span(value.0, Span::new(data_start, data_end - data_start)));
            }
            _ => {
                let raw = self.varint(position, end, &format!("a {} value", kind_name(kind)))?;
                varint_value(kind, raw)
            }
        };
        self.push(start, *position, Role::Value, path, detail);
        Ok(Node::with_span(value, Span::new(start, *position - start)))
    }
}

fn varint_value(kind: &Kind, raw: u64) -> (Value, String) {
    match kind {
        Kind::Int32 => (Value::Integer((raw as i32).into()), format!("int32 {}", raw as i32)),
        Kind::Int64 => (Value::Integer((raw as i64).into()), format!("int64 {}", raw as i64)),
        Kind::Uint32 => (Value::Integer((raw as u32).into()), format!("uint32 {}", raw as u32)),
        Kind::Sint32 => {
            let value = ((raw as u32) >> 1) as i32 ^ -((raw & 1) as i32);
            (Value::Integer(value.into()), format!("sint32: zigzag {raw} → {value}"))
        }
        Kind::Sint64 => {
            let value = wire::zigzag(raw);
            (Value::Integer(value.into()), format!("sint64: zigzag {raw} → {value}"))
        }
        Kind::Bool => (Value::Bool(raw != 0), format!("bool {}", raw != 0)),
        Kind::Enum(enumeration) => {
            let number = raw as i32;
            match enumeration.get_value(number) {
                Some(value) => (Value::String(value.name().to_owned()), format!("enum {} ({number})", value.name())),
                None => (
                    Value::Integer(number.into()),
                    format!("enum {number} (not a value of {})", enumeration.full_name()),
                ),
            }
        }
        _ => (Value::Integer(raw.into()), format!("uint64 {raw}")),
    }
}

/// A float32 as the shortest decimal that reads back as the same float32 (`52.2053`, not
/// `52.20529937744140625`), so documents from Protobuf compare and display like their sources.
fn float32_as_shortest_f64(value: f32) -> f64 {
    if value.is_finite() { value.to_string().parse().unwrap_or(f64::from(value)) } else { f64::from(value) }
}

fn short_hex(bytes: &[u8]) -> String {
    let shown = crate::hexdump::to_hex(&bytes[..bytes.len().min(16)]);
    if bytes.len() > 16 { format!("{shown} … ({} B)", bytes.len()) } else { shown }
}

fn map_key_text(node: &Node) -> String {
    match &node.value {
        Value::String(text) => text.clone(),
        Value::Integer(value) => value.to_string(),
        Value::Bool(value) => value.to_string(),
        other => format!("{other:?}"),
    }
}

fn default_node(kind: &Kind) -> Node {
    Node::new(match kind {
        Kind::Double | Kind::Float => Value::Float(0.0),
        Kind::Bool => Value::Bool(false),
        Kind::String => Value::String(String::new()),
        Kind::Bytes => Value::Bytes(Vec::new()),
        Kind::Message(_) => Value::Map(Vec::new()),
        Kind::Enum(enumeration) => match enumeration.get_value(0) {
            Some(value) => Value::String(value.name().to_owned()),
            None => Value::Integer(0),
        },
        _ => Value::Integer(0),
    })
}

/// The key a field goes under (the source document's own key when there is one, else the JSON
/// name) and the source's value for it.
fn source_key<'s>(source: Option<&'s Node>, field: &FieldDescriptor) -> (String, Option<&'s Node>) {
    if let Some(Node { value: Value::Map(entries), .. }) = source
        && let Some(entry) = entries.iter().find(|entry| entry.key == field.json_name() || entry.key == field.name())
    {
        return (entry.key.clone(), Some(&entry.value));
    }
    (field.json_name().to_owned(), None)
}

fn slot_len(slots: &[(String, Slot)], key: &str) -> usize {
    match slots.iter().find(|(existing, _)| existing == key) {
        Some((_, Slot::List(items))) => items.len(),
        Some((_, Slot::Single(_))) => 1,
        Some((_, Slot::Map(entries))) => entries.len(),
        None => 0,
    }
}

/// What a field's value does when its field comes again on the wire.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Repeated fields: one more element.
    Append,
    /// Singular fields: the last value wins.
    Replace,
    /// Unknown fields: a list once there are two.
    Collect,
}

fn add_to_slot(slots: &mut Vec<(String, Slot)>, key: String, node: Node, repeat: Repeat) {
    let Some((_, slot)) = slots.iter_mut().find(|(existing, _)| *existing == key) else {
        slots.push((key, if repeat == Repeat::Append { Slot::List(vec![node]) } else { Slot::Single(node) }));
        return;
    };
    match (repeat, slot) {
        (Repeat::Replace, slot) => *slot = Slot::Single(node),
        (_, Slot::List(items)) => items.push(node),
        (_, slot) => {
            if let Slot::Single(previous) = std::mem::replace(slot, Slot::List(Vec::new())) {
                *slot = Slot::List(vec![previous, node]);
            }
        }
    }
}

fn covering(spans: impl Iterator<Item = Span>) -> Option<Span> {
    let mut range: Option<(usize, usize)> = None;
    for span in spans {
        range = Some(match range {
            Some((start, end)) => (start.min(span.offset), end.max(span.end())),
            None => (span.offset, span.end()),
        });
    }
    range.map(|(start, end)| Span::new(start, end - start))
}
