//! Byte maps: for every byte of an encoding, which field of the document it belongs to and what
//! job it does there (key, tag, length prefix, type marker, value, or punctuation).

use super::{Path, Span};
use serde::{Deserialize, Serialize};

/// What a run of bytes does in its encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// A map key (JSON/MessagePack/CBOR key, XML element or attribute name).
    Key,
    /// A Protobuf field key: field number and wire type in one varint.
    Tag,
    /// A length prefix (Protobuf length-delimited, a MessagePack str8/bin16/array32 length, ...).
    Length,
    /// A type marker or header byte (MessagePack marker, CBOR initial byte, gRPC frame header).
    Header,
    /// The bytes of a value itself.
    Value,
    /// Text-format syntax with no data in it: brackets, commas, quotes, whitespace, XML tags' angle brackets.
    Structure,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Key => "key",
            Role::Tag => "tag",
            Role::Length => "length",
            Role::Header => "header",
            Role::Value => "value",
            Role::Structure => "structure",
        }
    }
}

/// A run of bytes, its role, the field it encodes and a line saying how to read it
/// (`field 2, wire type 0 (varint)`, `zigzag 3 → -2`, `fixstr, 5 bytes`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ByteSpan {
    pub span: Span,
    pub role: Role,
    pub path: Path,
    pub detail: String,
}

/// The spans of one encoding, sorted by offset and never overlapping. Bytes no span covers are
/// unmapped (text formats may leave whitespace unmapped).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ByteMap {
    spans: Vec<ByteSpan>,
}

impl ByteMap {
    pub fn new() -> ByteMap {
        ByteMap::default()
    }

    /// Adds a span; empty spans are ignored. Call [`ByteMap::finish`] once all are in.
    pub fn push(&mut self, offset: usize, len: usize, role: Role, path: &Path, detail: impl Into<String>) {
        if len > 0 {
            self.spans.push(ByteSpan { span: Span::new(offset, len), role, path: path.clone(), detail: detail.into() });
        }
    }

    /// Sorts the spans by offset (stable, so equal offsets keep their push order).
    pub fn finish(mut self) -> ByteMap {
        self.spans.sort_by_key(|span| span.span.offset);
        self
    }

    /// How many spans are in so far: a mark to [`ByteMap::truncate`] to, or to look at what came
    /// after with [`ByteMap::since_mut`], while a walker is still building the map.
    pub(crate) fn mark(&self) -> usize {
        self.spans.len()
    }

    /// Drops the spans pushed since `mark`.
    pub(crate) fn truncate(&mut self, mark: usize) {
        self.spans.truncate(mark);
    }

    /// The spans pushed since `mark`, in push order, to relabel them.
    pub(crate) fn since_mut(&mut self, mark: usize) -> &mut [ByteSpan] {
        let mark = mark.min(self.spans.len());
        &mut self.spans[mark..]
    }

    /// Takes the spans out, leaving the map empty (to send them in parts).
    pub(crate) fn take_spans(&mut self) -> Vec<ByteSpan> {
        std::mem::take(&mut self.spans)
    }

    /// Appends spans that follow the ones already in, in order (parts received one by one).
    pub(crate) fn append_in_order(&mut self, spans: Vec<ByteSpan>) {
        self.spans.extend(spans);
    }

    pub fn spans(&self) -> &[ByteSpan] {
        &self.spans
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Moves every span `by` bytes later (for a map built over a slice of a bigger buffer).
    pub fn shifted(mut self, by: usize) -> ByteMap {
        for span in &mut self.spans {
            span.span.offset += by;
        }
        self
    }

    /// The span covering byte `offset`, if any.
    pub fn at(&self, offset: usize) -> Option<&ByteSpan> {
        let after = self.spans.partition_point(|span| span.span.offset <= offset);
        self.spans[..after].last().filter(|span| span.span.contains(offset))
    }

    /// Every span of the field at `path` and of everything inside it.
    pub fn spans_under<'a>(&'a self, path: &'a Path) -> impl Iterator<Item = &'a ByteSpan> + 'a {
        self.spans.iter().filter(move |span| span.path.starts_with(path))
    }

    /// The byte ranges of the field at `path`, adjacent spans merged: what a panel highlights.
    pub fn ranges_under(&self, path: &Path) -> Vec<Span> {
        let mut ranges: Vec<Span> = Vec::new();
        for span in self.spans_under(path) {
            match ranges.last_mut() {
                Some(last) if last.end() == span.span.offset => last.len += span.span.len,
                _ => ranges.push(span.span),
            }
        }
        ranges
    }

    /// How many bytes the spans cover.
    pub fn covered_bytes(&self) -> usize {
        self.spans.iter().map(|span| span.span.len).sum()
    }

    /// Checks the map's promises against an encoding of `len` bytes: sorted, no overlaps, in
    /// bounds. Tests call this on every map they build.
    pub fn check(&self, len: usize) -> Result<(), String> {
        let mut end = 0;
        for span in &self.spans {
            if span.span.offset < end {
                return Err(format!(
                    "span at {} ({}) overlaps the one before, which ends at {end}",
                    span.span.offset, span.path
                ));
            }
            end = span.span.end();
            if end > len {
                return Err(format!("span at {} runs to {end}, past the end ({len})", span.span.offset));
            }
        }
        Ok(())
    }
}
