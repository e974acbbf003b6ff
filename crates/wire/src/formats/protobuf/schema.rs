//! A `.proto` schema pasted into the lab, compiled in-process (protox): its messages, the field a
//! document key names, and how each field kind is named and carried on the wire.

use miette::Diagnostic;
use prost_reflect::{DescriptorPool, FieldDescriptor, Kind, MessageDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

use crate::formats::{FormatError, Node, Value};

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
        Schema::compile(crate::formats::samples::SAMPLE_PROTO_NAME, crate::formats::samples::SAMPLE_PROTO)
            .unwrap_or_else(|_| Schema {
                pool: DescriptorPool::new(),
                file_name: crate::formats::samples::SAMPLE_PROTO_NAME.to_owned(),
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
pub(super) fn find_field(descriptor: &MessageDescriptor, key: &str) -> Option<FieldDescriptor> {
    descriptor.get_field_by_json_name(key).or_else(|| descriptor.get_field_by_name(key))
}

/// The wire type a field of `kind` is carried with.
pub(super) fn wire_type_of(kind: &Kind) -> u8 {
    match kind {
        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => 1,
        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => 5,
        Kind::String | Kind::Bytes | Kind::Message(_) => 2,
        _ => 0,
    }
}

/// `int32`, `message wirelab.Location`: a field kind as messages name it.
pub(super) fn kind_name(kind: &Kind) -> String {
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
