//! Encoding a document as a Protobuf message with a schema, following proto3's canonical JSON
//! mapping on the way in (JSON names or proto names, enums by name or number, 64-bit integers and
//! floats as strings, bytes as base64); the bytes are then mapped by reading them back.

use prost::encoding::encode_varint;
use prost_reflect::{EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor};

use super::decode::Walker;
use super::schema::{Schema, find_field, kind_name, wire_type_of};
use super::wire::{MAX_DEPTH, shorten};
use crate::formats::{Encoded, Entry, Format, FormatError, Loss, Node, Path, Value};

/// Encodes `document` as the message type `message` (`wirelab.SensorReading`).
pub fn encode(document: &Node, schema: &Schema, message: &str) -> Result<Encoded, FormatError> {
    let descriptor = schema.message(message)?;
    let mut encoder = Encoder { losses: Vec::new(), reordered: false };
    let mut bytes = Vec::new();
    encoder.message(document, &descriptor, &Path::root(), 0, &mut bytes)?;
    let mut losses = encoder.losses;
    if encoder.reordered {
        losses.insert(0, Loss::new(&Path::root(), "key order not kept: Protobuf writes fields in field-number order"));
    }
    let mut walker = Walker::new(&bytes);
    walker
        .message(0, bytes.len(), &descriptor, &Path::root(), Some(document), 0)
        .map_err(|error| FormatError::general(format!("could not map the encoded bytes: {error}")))?;
    let map = walker.into_map();
    Ok(Encoded { format: Format::Protobuf, bytes, map, losses })
}

/// A value ready for the wire, still typed so defaults compare the way prost compares them.
#[derive(Clone, Debug, PartialEq)]
enum Scalar {
    /// int32, int64, enum: two's complement, sign-extended to 64 bits.
    Int(i64),
    Uint(u64),
    Sint(i64),
    Bool(bool),
    Fixed32(u32),
    Fixed64(u64),
    Float(f32),
    Double(f64),
    /// string and bytes.
    Bytes(Vec<u8>),
}

impl Scalar {
    fn is_default(&self) -> bool {
        match self {
            Scalar::Int(value) | Scalar::Sint(value) => *value == 0,
            Scalar::Uint(value) | Scalar::Fixed64(value) => *value == 0,
            Scalar::Fixed32(value) => *value == 0,
            Scalar::Bool(value) => !*value,
            Scalar::Float(value) => *value == 0.0,
            Scalar::Double(value) => *value == 0.0,
            Scalar::Bytes(bytes) => bytes.is_empty(),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Scalar::Int(value) => encode_varint(*value as u64, out),
            Scalar::Uint(value) => encode_varint(*value, out),
            Scalar::Sint(value) => encode_varint(((value << 1) ^ (value >> 63)) as u64, out),
            Scalar::Bool(value) => encode_varint(u64::from(*value), out),
            Scalar::Fixed32(value) => out.extend_from_slice(&value.to_le_bytes()),
            Scalar::Fixed64(value) => out.extend_from_slice(&value.to_le_bytes()),
            Scalar::Float(value) => out.extend_from_slice(&value.to_le_bytes()),
            Scalar::Double(value) => out.extend_from_slice(&value.to_le_bytes()),
            Scalar::Bytes(bytes) => {
                encode_varint(bytes.len() as u64, out);
                out.extend_from_slice(bytes);
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Scalar::Bytes(bytes) if bytes.is_empty() => "empty".to_owned(),
            Scalar::Bool(value) => value.to_string(),
            _ => "0".to_owned(),
        }
    }
}

fn write_key(number: u32, wire_type: u8, out: &mut Vec<u8>) {
    encode_varint((u64::from(number) << 3) | u64::from(wire_type), out);
}

fn write_length_delimited(number: u32, body: &[u8], out: &mut Vec<u8>) {
    write_key(number, 2, out);
    encode_varint(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// `string "x"`, `integer 5`, `map`: what a mismatch error says it got.
fn describe_node(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_owned(),
        Value::Bool(value) => format!("bool {value}"),
        Value::Integer(value) => format!("integer {value}"),
        Value::Float(value) => format!("float {value}"),
        Value::String(text) => format!("string {:?}", shorten(text, 40)),
        Value::Bytes(bytes) => format!("bytes ({} B)", bytes.len()),
        Value::Array(items) => format!("array ({} items)", items.len()),
        Value::Map(entries) => format!("map ({} keys)", entries.len()),
    }
}

fn mismatch(path: &Path, expected: &str, node: &Node) -> FormatError {
    FormatError::general(format!("{path}: expected {expected}, got {}", describe_node(node)))
}

struct Encoder {
    losses: Vec<Loss>,
    reordered: bool,
}

impl Encoder {
    fn message(
        &mut self,
        node: &Node,
        descriptor: &MessageDescriptor,
        path: &Path,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), FormatError> {
        if depth > MAX_DEPTH {
            return Err(FormatError::general(format!("{path}: messages nested deeper than {MAX_DEPTH}")));
        }
        let Value::Map(entries) = &node.value else {
            return Err(mismatch(path, &format!("message {}", descriptor.full_name()), node));
        };
        let mut present: Vec<(FieldDescriptor, &Entry)> = Vec::new();
        let mut seen: Vec<(FieldDescriptor, &str)> = Vec::new();
        let mut oneofs_set: Vec<(String, &str)> = Vec::new();
        for entry in entries {
            let entry_path = path.key(&entry.key);
            let Some(field) = find_field(descriptor, &entry.key) else {
                self.losses.push(Loss::new(
                    &entry_path,
                    format!("{} has no field {:?}: dropped", descriptor.full_name(), entry.key),
                ));
                continue;
            };
            if let Some((_, earlier)) = seen.iter().find(|(other, _)| other.number() == field.number()) {
                return Err(FormatError::general(format!(
                    "{entry_path}: field {} is given twice (as {earlier:?} and {:?})",
                    field.name(),
                    entry.key
                )));
            }
            if let Some(oneof) = field.containing_oneof().filter(|oneof| !oneof.is_synthetic())
                && entry.value.value != Value::Null
            {
                if let Some((_, other_key)) = oneofs_set.iter().find(|(name, _)| name == oneof.name()) {
                    return Err(FormatError::general(format!(
                        "{entry_path}: only one field of oneof {} may be set, and {other_key:?} is set too",
                        oneof.name()
                    )));
                }
                oneofs_set.push((oneof.name().to_owned(), &entry.key));
            }
            seen.push((field.clone(), &entry.key));
            if entry.value.value == Value::Null {
                self.losses.push(Loss::new(&entry_path, "null leaves the field unset: not written"));
                continue;
            }
            present.push((field, entry));
        }
        if present.windows(2).any(|pair| pair[0].0.number() > pair[1].0.number()) {
            self.reordered = true;
        }
        present.sort_by_key(|(field, _)| field.number());
        for (field, entry) in present {
            self.field(&field, &entry.value, &path.key(&entry.key), depth, out)?;
        }
        Ok(())
    }

    fn field(
        &mut self,
        field: &FieldDescriptor,
        node: &Node,
        path: &Path,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), FormatError> {
        if field.is_group() {
            return Err(FormatError::general(format!("{path}: group fields (proto2) are not supported")));
        }
        if field.is_map() {
            return self.map_field(field, node, path, depth, out);
        }
        if !field.is_list() {
            return self.single(field, node, path, depth, false, out);
        }
        let Value::Array(items) = &node.value else {
            return Err(mismatch(path, &format!("a list of {}", kind_name(&field.kind())), node));
        };
        if items.is_empty() {
            self.losses.push(Loss::new(path, "empty list: nothing written (an empty repeated field has no bytes)"));
            return Ok(());
        }
        if field.is_packed() {
            let mut body = Vec::new();
            for (index, item) in items.iter().enumerate() {
                self.scalar(&field.kind(), item, &path.index(index))?.write(&mut body);
            }
            write_length_delimited(field.number(), &body, out);
        } else {
            for (index, item) in items.iter().enumerate() {
                self.single(field, item, &path.index(index), depth, true, out)?;
            }
        }
        Ok(())
    }

    fn single(
        &mut self,
        field: &FieldDescriptor,
        node: &Node,
        path: &Path,
        depth: usize,
        in_list: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), FormatError> {
        match field.kind() {
            Kind::Message(message) => {
                let mut body = Vec::new();
                self.message(node, &message, path, depth + 1, &mut body)?;
                write_length_delimited(field.number(), &body, out);
            }
            kind => {
                let scalar = self.scalar(&kind, node, path)?;
                if !in_list && !field.supports_presence() && scalar.is_default() {
                    self.losses.push(Loss::new(
                        path,
                        format!("default value {} not written (proto3 sends no defaults)", scalar.describe()),
                    ));
                    return Ok(());
                }
                write_key(field.number(), wire_type_of(&kind), out);
                scalar.write(out);
            }
        }
        Ok(())
    }

    fn map_field(
        &mut self,
        field: &FieldDescriptor,
        node: &Node,
        path: &Path,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), FormatError> {
        let Kind::Message(entry_descriptor) = field.kind() else {
            return Err(FormatError::general(format!("{path}: map field without an entry type")));
        };
        let key_kind = entry_descriptor.map_entry_key_field().kind();
        let value_kind = entry_descriptor.map_entry_value_field().kind();
        let Value::Map(entries) = &node.value else {
            return Err(mismatch(path, &format!("map<{}, {}>", kind_name(&key_kind), kind_name(&value_kind)), node));
        };
        if entries.is_empty() {
            self.losses.push(Loss::new(path, "empty map: nothing written (an empty map field has no bytes)"));
            return Ok(());
        }
        for entry in entries {
            let entry_path = path.key(&entry.key);
            let key = self.scalar(&key_kind, &Node::new(Value::String(entry.key.clone())), &entry_path)?;
            let mut body = Vec::new();
            if !key.is_default() {
                write_key(1, wire_type_of(&key_kind), &mut body);
                key.write(&mut body);
            }
            match &value_kind {
                Kind::Message(message) => {
                    let mut value = Vec::new();
                    self.message(&entry.value, message, &entry_path, depth + 1, &mut value)?;
                    if !value.is_empty() {
                        write_length_delimited(2, &value, &mut body);
                    }
                }
                kind => {
                    let value = self.scalar(kind, &entry.value, &entry_path)?;
                    if !value.is_default() {
                        write_key(2, wire_type_of(kind), &mut body);
                        value.write(&mut body);
                    }
                }
            }
            write_length_delimited(field.number(), &body, out);
        }
        Ok(())
    }

    fn scalar(&mut self, kind: &Kind, node: &Node, path: &Path) -> Result<Scalar, FormatError> {
        let name = kind_name(kind);
        let scalar = match kind {
            Kind::Int32 => Scalar::Int(integer(node, path, &name, i32::MIN.into(), i32::MAX.into())? as i64),
            Kind::Int64 => Scalar::Int(integer(node, path, &name, i64::MIN.into(), i64::MAX.into())? as i64),
            Kind::Uint32 => Scalar::Uint(integer(node, path, &name, 0, u32::MAX.into())? as u64),
            Kind::Uint64 => Scalar::Uint(integer(node, path, &name, 0, u64::MAX.into())? as u64),
            Kind::Sint32 => Scalar::Sint(integer(node, path, &name, i32::MIN.into(), i32::MAX.into())? as i64),
            Kind::Sint64 => Scalar::Sint(integer(node, path, &name, i64::MIN.into(), i64::MAX.into())? as i64),
            Kind::Fixed32 => Scalar::Fixed32(integer(node, path, &name, 0, u32::MAX.into())? as u32),
            Kind::Fixed64 => Scalar::Fixed64(integer(node, path, &name, 0, u64::MAX.into())? as u64),
            Kind::Sfixed32 => {
                Scalar::Fixed32(integer(node, path, &name, i32::MIN.into(), i32::MAX.into())? as i32 as u32)
            }
            Kind::Sfixed64 => {
                Scalar::Fixed64(integer(node, path, &name, i64::MIN.into(), i64::MAX.into())? as i64 as u64)
            }
            Kind::Bool => match &node.value {
                Value::Bool(value) => Scalar::Bool(*value),
                Value::String(text) if text == "true" || text == "false" => Scalar::Bool(text == "true"),
                _ => return Err(mismatch(path, &name, node)),
            },
            Kind::Double => Scalar::Double(float(node, path, &name)?),
            Kind::Float => {
                let wide = float(node, path, &name)?;
                let narrow = wide as f32;
                if wide.is_finite() && narrow.is_infinite() {
                    return Err(FormatError::general(format!("{path}: {wide} is out of range for float")));
                }
                if wide.is_finite() && f64::from(narrow) != wide {
                    self.losses.push(Loss::new(
                        path,
                        format!("float32 cannot hold {wide} exactly: stored as {}", f64::from(narrow)),
                    ));
                }
                Scalar::Float(narrow)
            }
            Kind::String => match &node.value {
                Value::String(text) => Scalar::Bytes(text.as_bytes().to_vec()),
                _ => return Err(mismatch(path, &name, node)),
            },
            Kind::Bytes => match &node.value {
                Value::Bytes(bytes) => Scalar::Bytes(bytes.clone()),
                Value::String(text) => Scalar::Bytes(crate::binary_input::parse_base64(text).map_err(|error| {
                    FormatError::general(format!(
                        "{path}: expected base64 for bytes, got {} ({})",
                        describe_node(node),
                        error.message
                    ))
                })?),
                _ => return Err(mismatch(path, "bytes (base64 text)", node)),
            },
            Kind::Enum(enumeration) => Scalar::Int(enum_number(enumeration, node, path)?.into()),
            Kind::Message(_) => return Err(mismatch(path, &name, node)),
        };
        Ok(scalar)
    }
}

fn integer(node: &Node, path: &Path, name: &str, min: i128, max: i128) -> Result<i128, FormatError> {
    let value = match &node.value {
        Value::Integer(value) => *value,
        Value::Float(value) if value.is_finite() && value.fract() == 0.0 => *value as i128,
        Value::String(text) => match text.trim().parse::<i128>() {
            Ok(value) => value,
            Err(_) => match text.trim().parse::<f64>() {
                Ok(value) if value.is_finite() && value.fract() == 0.0 => value as i128,
                _ => return Err(mismatch(path, name, node)),
            },
        },
        _ => return Err(mismatch(path, name, node)),
    };
    if value < min || value > max {
        return Err(FormatError::general(format!("{path}: {value} is out of range for {name} ({min} to {max})")));
    }
    Ok(value)
}

fn float(node: &Node, path: &Path, name: &str) -> Result<f64, FormatError> {
    match &node.value {
        Value::Float(value) => Ok(*value),
        Value::Integer(value) => Ok(*value as f64),
        Value::String(text) => match text.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other.trim().parse::<f64>().ok().filter(|value| value.is_finite()).ok_or_else(|| {
                FormatError::general(format!(
                    "{path}: expected {name} (a number, \"NaN\", \"Infinity\" or \"-Infinity\"), got {}",
                    describe_node(node)
                ))
            }),
        },
        _ => Err(mismatch(path, name, node)),
    }
}

fn enum_number(enumeration: &EnumDescriptor, node: &Node, path: &Path) -> Result<i32, FormatError> {
    match &node.value {
        Value::String(name) => enumeration.get_value_by_name(name).map(|value| value.number()).ok_or_else(|| {
            let names: Vec<String> = enumeration.values().map(|value| value.name().to_owned()).collect();
            FormatError::general(format!(
                "{path}: expected a value of {} ({}), got {}",
                enumeration.full_name(),
                names.join(", "),
                describe_node(node)
            ))
        }),
        Value::Integer(_) | Value::Float(_) => {
            Ok(integer(node, path, &format!("enum {}", enumeration.full_name()), i32::MIN.into(), i32::MAX.into())?
                as i32)
        }
        _ => Err(mismatch(path, &format!("enum {} (a name or a number)", enumeration.full_name()), node)),
    }
}
