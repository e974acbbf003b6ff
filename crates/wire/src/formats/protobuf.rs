//! Protobuf with a schema: `.proto` text compiled in-process (protox), documents encoded following
//! proto3's canonical JSON mapping, and bytes decoded back, each with a byte map.
//!
//! Encoding and mapping share one walker: the encoder writes the bytes, then the decoder's walker
//! reads them back against the schema to map them, naming paths with the source document's keys.
//! Decoded documents use JSON names (`timestampMs`) and, as proto3 JSON does, leave out fields that
//! are not on the wire (proto3 does not send default values). Groups (proto2) are not supported,
//! and well-known types (`google.protobuf.Timestamp`, ...) are plain messages, not their JSON forms.

use miette::Diagnostic;
use prost::encoding::{decode_varint, encode_varint};
use prost_reflect::{DescriptorPool, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

use super::bytemap::ByteSpan;
use super::{ByteMap, Decoded, Encoded, Entry, Format, FormatError, Loss, Node, Path, Role, Span, Value};

/// Messages nested deeper than this are refused, encoding and decoding.
const MAX_DEPTH: usize = 64;

/// The largest field number Protobuf allows.
const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

/// A compiled `.proto` file.
#[derive(Clone, Debug)]
pub struct Schema {
    pool: DescriptorPool,
    file_name: String,
}

struct PastedFile {
    name: String,
    source: String,
}

impl FileResolver for PastedFile {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        if name == self.name { File::from_source(name, &self.source) } else { Err(protox::Error::file_not_found(name)) }
    }
}

impl Schema {
    /// Compiles `.proto` source; errors carry the line and column. Imports of Google's well-known
    /// types (`google/protobuf/timestamp.proto`, ...) resolve; other imports do not.
    pub fn compile(file_name: &str, source: &str) -> Result<Schema, FormatError> {
        let file_name = if file_name.trim().is_empty() { "input.proto" } else { file_name.trim() };
        let mut resolver = ChainFileResolver::new();
        resolver.add(PastedFile { name: file_name.to_owned(), source: source.to_owned() });
        resolver.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true);
        compiler.open_file(file_name).map_err(|error| compile_error(&error, file_name, source))?;
        Ok(Schema { pool: compiler.descriptor_pool(), file_name: file_name.to_owned() })
    }

    /// Wirelab's own sample schema, `www/proto/wirelab.proto` (an empty schema if it ever failed
    /// to compile, which a test rules out).
    pub fn sample() -> Schema {
        Schema::compile(super::samples::SAMPLE_PROTO_NAME, super::samples::SAMPLE_PROTO).unwrap_or_else(|_| Schema {
            pool: DescriptorPool::new(),
            file_name: super::samples::SAMPLE_PROTO_NAME.to_owned(),
        })
    }

    /// The name the schema was compiled under.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Fully qualified names of the messages, in file order, each followed by its nested
    /// messages (`wirelab.SensorReading`, `wirelab.SensorReading.Probe`). Map entries are left out.
    pub fn message_names(&self) -> Vec<String> {
        fn collect(message: &MessageDescriptor, names: &mut Vec<String>) {
            if message.is_map_entry() {
                return;
            }
            names.push(message.full_name().to_owned());
            for child in message.child_messages() {
                collect(&child, names);
            }
        }
        let mut names = Vec::new();
        if let Some(file) = self.pool.get_file_by_name(&self.file_name) {
            for message in file.messages() {
                collect(&message, &mut names);
            }
        }
        names
    }

    /// The message whose fields best match the document's top-level keys (by JSON or proto name):
    /// matching keys count for, unknown keys against; ties go to the earlier message.
    pub fn guess_message(&self, document: &Node) -> Option<String> {
        let Value::Map(entries) = &document.value else { return None };
        let mut best: Option<(i64, String)> = None;
        for name in self.message_names() {
            let Some(descriptor) = self.pool.get_message_by_name(&name) else { continue };
            let matching = entries.iter().filter(|entry| find_field(&descriptor, &entry.key).is_some()).count() as i64;
            let score = 2 * matching - (entries.len() as i64 - matching);
            if matching > 0 && best.as_ref().is_none_or(|(best_score, _)| score > *best_score) {
                best = Some((score, name));
            }
        }
        best.map(|(_, name)| name)
    }

    pub(crate) fn message(&self, name: &str) -> Result<MessageDescriptor, FormatError> {
        let name = name.trim().trim_start_matches('.');
        self.pool.get_message_by_name(name).ok_or_else(|| {
            let names = self.message_names();
            if names.is_empty() {
                FormatError::general(format!("the schema has no message {name} (it has no messages)"))
            } else {
                FormatError::general(format!("the schema has no message {name} (it has {})", names.join(", ")))
            }
        })
    }
}

fn compile_error(error: &protox::Error, file_name: &str, source: &str) -> FormatError {
    let mut message = error.to_string();
    let labels: Vec<miette::LabeledSpan> = error.labels().map(Iterator::collect).unwrap_or_default();
    // The last label marks the offending place; earlier ones (a first definition) go in the message.
    for earlier in labels.iter().rev().skip(1) {
        if let (Some(what), Some(location)) =
            (earlier.label(), FormatError::in_text(source, earlier.offset(), "").location)
        {
            message.push_str(&format!(" ({what}: {location})"));
        }
    }
    let in_pasted_file = error.file().is_none_or(|file| file == file_name);
    match labels.last() {
        Some(label) if in_pasted_file => FormatError::in_text(source, label.offset(), message),
        None if error.is_parse() => FormatError::in_text(source, source.len(), message),
        _ => FormatError::general(message),
    }
}

/// The field a document key names: its JSON name (`timestampMs`) or its proto name (`timestamp_ms`).
fn find_field(descriptor: &MessageDescriptor, key: &str) -> Option<FieldDescriptor> {
    descriptor.get_field_by_json_name(key).or_else(|| descriptor.get_field_by_name(key))
}

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

/// Decodes `bytes` as the message type `message`.
pub fn decode(bytes: &[u8], schema: &Schema, message: &str) -> Result<Decoded, FormatError> {
    let descriptor = schema.message(message)?;
    let mut walker = Walker::new(bytes);
    let document = walker.message(0, bytes.len(), &descriptor, &Path::root(), None, 0)?;
    let losses = std::mem::take(&mut walker.losses);
    Ok(Decoded { format: Format::Protobuf, document, map: walker.into_map(), losses })
}

// ---------------------------------------------------------------------------------------------
// Encoding

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

fn wire_type_of(kind: &Kind) -> u8 {
    match kind {
        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => 1,
        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => 5,
        Kind::String | Kind::Bytes | Kind::Message(_) => 2,
        _ => 0,
    }
}

fn wire_type_name(wire_type: u8) -> &'static str {
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

fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Message(message) => format!("message {}", message.full_name()),
        Kind::Enum(enumeration) => format!("enum {}", enumeration.full_name()),
    }
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

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max_chars).collect();
        short.push('…');
        short
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

// ---------------------------------------------------------------------------------------------
// Decoding and mapping

/// A field's value while its message is being read: fields may repeat and interleave on the wire.
enum Slot {
    Single(Node),
    List(Vec<Node>),
    Map(Vec<Entry>),
}

/// Stands in for a map entry's key in span paths until the key has been read.
const PENDING_KEY: &str = "\u{0}pending map key";

struct Walker<'a> {
    bytes: &'a [u8],
    spans: Vec<ByteSpan>,
    losses: Vec<Loss>,
}

impl<'a> Walker<'a> {
    fn new(bytes: &'a [u8]) -> Walker<'a> {
        Walker { bytes, spans: Vec::new(), losses: Vec::new() }
    }

    fn into_map(self) -> ByteMap {
        let mut map = ByteMap::new();
        for span in self.spans {
            map.push(span.span.offset, span.span.len, span.role, &span.path, span.detail);
        }
        map.finish()
    }

    fn push(&mut self, start: usize, end: usize, role: Role, path: &Path, detail: String) {
        if end > start {
            self.spans.push(ByteSpan { span: Span::new(start, end - start), role, path: path.clone(), detail });
        }
    }

    fn varint(&self, position: &mut usize, end: usize, what: &str) -> Result<u64, FormatError> {
        let mut rest = &self.bytes[*position..end];
        if rest.is_empty() {
            return Err(FormatError::at_offset(*position, format!("{what} is missing: the message ends here")));
        }
        let before = rest.len();
        let value = decode_varint(&mut rest)
            .map_err(|_| FormatError::at_offset(*position, format!("truncated or overlong varint in {what}")))?;
        *position += before - rest.len();
        Ok(value)
    }

    fn take(&self, position: &mut usize, end: usize, count: usize, what: &str) -> Result<&'a [u8], FormatError> {
        let bytes: &'a [u8] = self.bytes;
        if end - *position < count {
            return Err(FormatError::at_offset(
                *position,
                format!("{what} needs {count} bytes, {} left", end - *position),
            ));
        }
        let slice = &bytes[*position..*position + count];
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
        let number = key >> 3;
        let wire_type = (key & 7) as u8;
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

    fn message(
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
        let mark = self.spans.len();
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
                let first = self.spans.len();
                let node = self.scalar(&kind, position, data_end, &pending, role_field)?;
                for span in &mut self.spans[first..] {
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
        for span in &mut self.spans[mark..] {
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
            let value = (raw >> 1) as i64 ^ -((raw & 1) as i64);
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
