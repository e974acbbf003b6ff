//! One document, five encodings: the format-neutral document model every format parses into and
//! encodes from, the byte maps that say which bytes encode which field, and the losses a
//! conversion reports when a format cannot carry something.
//!
//! Each format lives in its own module with the same shape:
//! - text formats: `parse(&str) -> Result<Decoded, FormatError>` and `encode(&Node) -> Encoded`;
//! - binary formats: `decode(&[u8]) -> Result<Decoded, FormatError>` and `encode(&Node) -> Encoded`;
//! - Protobuf needs a [`protobuf::Schema`] and a message type as well.
//!
//! Spans are byte ranges: in a [`Decoded`] they point into the input, in an [`Encoded`] into the
//! output. Paths name the same field in every format, so a field chosen in one panel can light up
//! its bytes in all the others.

pub mod bytemap;
pub mod cbor;
pub mod convert;
pub mod guess;
pub mod json;
pub mod msgpack;
pub mod plain;
pub mod protobuf;
pub mod sample_messages;
pub mod samples;
mod self_describing;
mod text_writer;
pub mod throughput;
pub mod xml;

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::diagnostic::Diagnostic;

pub use bytemap::{ByteMap, ByteSpan, Role};

/// How many containers may sit inside one another in a document: serde_json's limit (so the JSON
/// reader's own, deeper [`crate::json_reader::MAX_DEPTH`] is never reached here), kept by every
/// format so a document one format accepts can be carried by the others.
pub const MAX_NESTING: usize = 127;

/// The five formats of the Formats lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Format {
    Json,
    Xml,
    Protobuf,
    MessagePack,
    Cbor,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::Json, Format::Xml, Format::Protobuf, Format::MessagePack, Format::Cbor];

    pub fn label(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Xml => "XML",
            Format::Protobuf => "Protobuf",
            Format::MessagePack => "MessagePack",
            Format::Cbor => "CBOR",
        }
    }

    /// Text formats are shown as text; binary ones as a hex dump.
    pub fn is_text(self) -> bool {
        matches!(self, Format::Json | Format::Xml)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn new(offset: usize, len: usize) -> Span {
        Span { offset, len }
    }

    pub fn end(self) -> usize {
        self.offset + self.len
    }

    pub fn contains(self, offset: usize) -> bool {
        offset >= self.offset && offset < self.end()
    }
}

/// One step of a [`Path`]: a map key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// Where a value sits in the document, from the root: `order.items[2].sku`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Path(pub Vec<PathSegment>);

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn key(&self, key: &str) -> Path {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Key(key.to_owned()));
        Path(segments)
    }

    pub fn index(&self, index: usize) -> Path {
        let mut segments = self.0.clone();
        segments.push(PathSegment::Index(index));
        Path(segments)
    }

    /// True when `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if position == 0 => write!(f, "{key}")?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A value of the document model. Integers keep their full 64-bit range either side of zero.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i128),
    Float(f64),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Node>),
    /// Keys in document order; duplicates are kept as they came.
    Map(Vec<Entry>),
}

impl Value {
    /// A short name for messages: "string", "map", ...
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Integer(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
        }
    }
}

/// A value and, when it came from bytes, the span of those bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub value: Value,
    pub span: Option<Span>,
}

impl Node {
    pub fn new(value: Value) -> Node {
        Node { value, span: None }
    }

    pub fn with_span(value: Value, span: Span) -> Node {
        Node { value, span: Some(span) }
    }

    /// The same document with every span removed, for comparing documents from two formats.
    pub fn without_spans(&self) -> Node {
        let value = match &self.value {
            Value::Array(items) => Value::Array(items.iter().map(Node::without_spans).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|entry| Entry { key: entry.key.clone(), key_span: None, value: entry.value.without_spans() })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node::new(value)
    }

    /// The node at `path`, if there is one.
    pub fn at(&self, path: &Path) -> Option<&Node> {
        let mut node = self;
        for segment in &path.0 {
            node = match (segment, &node.value) {
                (PathSegment::Key(key), Value::Map(entries)) => &entries.iter().find(|entry| &entry.key == key)?.value,
                (PathSegment::Index(index), Value::Array(items)) => items.get(*index)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

/// One key of a map and its value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub key_span: Option<Span>,
    pub value: Node,
}

impl Entry {
    pub fn new(key: impl Into<String>, value: Node) -> Entry {
        Entry { key: key.into(), key_span: None, value }
    }
}

/// Something a format could not carry, found while encoding or decoding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loss {
    pub path: Path,
    pub what: String,
}

impl Loss {
    pub fn new(path: &Path, what: impl Into<String>) -> Loss {
        Loss { path: path.clone(), what: what.into() }
    }

    /// An encoder met a container past [`MAX_NESTING`] and wrote `written_as` (null, nil) instead.
    pub fn too_deep(path: &Path, written_as: &str) -> Loss {
        Loss::new(path, format!("nested deeper than {MAX_NESTING} levels: written as {written_as}"))
    }
}

/// `a map`, `an integer`: a kind name for a sentence.
fn with_article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {kind}") } else { format!("a {kind}") }
}

/// A document encoded in one format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Encoded {
    pub format: Format,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
    pub map: ByteMap,
    pub losses: Vec<Loss>,
}

/// Bytes decoded into the document model, with the map of the input's bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decoded {
    pub format: Format,
    pub document: Node,
    pub map: ByteMap,
    pub losses: Vec<Loss>,
}

pub use crate::diagnostic::Location;

/// Why input could not be parsed, decoded or encoded, and where: a [`Diagnostic`] printed place
/// first (`line 1, column 5: expected value`, `byte 12: truncated`), as the Formats lab shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatError(pub Diagnostic);

impl FormatError {
    pub fn at_offset(offset: usize, message: impl Into<String>) -> FormatError {
        FormatError(Diagnostic::at_offset(offset, message))
    }

    /// An error in text, with its line and column worked out from the byte offset.
    pub fn in_text(text: &str, offset: usize, message: impl Into<String>) -> FormatError {
        FormatError(Diagnostic::in_text(text, offset, message))
    }

    pub fn general(message: impl Into<String>) -> FormatError {
        FormatError(Diagnostic::new(message))
    }
}

impl From<Diagnostic> for FormatError {
    fn from(diagnostic: Diagnostic) -> FormatError {
        FormatError(diagnostic)
    }
}

impl std::ops::Deref for FormatError {
    type Target = Diagnostic;

    fn deref(&self) -> &Diagnostic {
        &self.0
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FormatError {}
