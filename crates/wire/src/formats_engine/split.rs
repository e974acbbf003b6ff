//! A reply cut into parts the page reads one per task, so taking in the answer about a big
//! document never holds the page long: read in one go, the document and byte map of a 6 MB JSON
//! file took half a second on the page.
//!
//! The worker [`split`]s a reply into a head (the reply with its documents and byte maps taken
//! out) and parts: each document as its nodes in document order ([`NodeRecord`]s, rebuilt by a
//! [`NodeBuilder`]) and each byte map as its spans, at most [`ITEMS_PER_PART`] per part. The
//! page's [`SplitReader`] reads the head, then each part in turn, and puts everything back.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::{EngineReply, decode_reply, encode};
use crate::formats::{ByteMap, ByteSpan, Entry, Node, Span, Value};

/// Nodes or spans per part: a few milliseconds of reading each.
pub const ITEMS_PER_PART: usize = 20_000;

/// One node of a document, in document order; a container's items follow it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeRecord {
    /// The key and its span when the node is a map's value.
    pub key: Option<(String, Option<Span>)>,
    pub span: Option<Span>,
    pub shape: Shape,
}

/// A leaf's value, or how many items a container has (its items are the records that follow).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    Leaf(Value),
    Array(usize),
    Map(usize),
}

#[derive(Serialize, Deserialize)]
enum Part {
    Nodes { slot: usize, records: Vec<NodeRecord> },
    Spans { slot: usize, spans: Vec<ByteSpan> },
}

/// The documents and byte maps of a reply, in a fixed order both sides agree on.
fn slots(reply: &mut EngineReply) -> (Vec<&mut Node>, Vec<&mut ByteMap>) {
    let (mut documents, mut maps) = (Vec::new(), Vec::new());
    match reply {
        EngineReply::Compare(outcome) => {
            if let Ok(parsed) = &mut outcome.parsed {
                documents.push(&mut parsed.document);
                maps.push(&mut parsed.map);
            }
            for comparison in &mut outcome.comparisons {
                if let Ok(shown) = &mut comparison.shown {
                    maps.push(&mut shown.map);
                }
            }
        }
        EngineReply::Decode(outcome) => {
            if let Some(decoding) = &mut outcome.decoding {
                if let Some(document) = &mut decoding.document {
                    documents.push(document);
                }
                // Just decoded or just built: the only reference, so nothing is copied.
                maps.push(Rc::make_mut(&mut decoding.map));
            }
        }
        EngineReply::Failed(_) => {}
    }
    (documents, maps)
}

/// The reply as a head and parts (postcard bytes each).
pub fn split(mut reply: EngineReply) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut parts = Vec::new();
    let (documents, maps) = slots(&mut reply);
    for (slot, document) in documents.into_iter().enumerate() {
        let mut records = Vec::new();
        flatten(std::mem::replace(document, Node::new(Value::Null)), None, &mut records);
        for records in in_parts(records) {
            parts.push(encode(&Part::Nodes { slot, records }));
        }
    }
    for (slot, map) in maps.into_iter().enumerate() {
        for spans in in_parts(map.take_spans()) {
            parts.push(encode(&Part::Spans { slot, spans }));
        }
    }
    (encode(&reply), parts)
}

fn in_parts<T>(items: Vec<T>) -> Vec<Vec<T>> {
    let mut parts = Vec::with_capacity(items.len().div_ceil(ITEMS_PER_PART));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        parts.push(items.by_ref().take(ITEMS_PER_PART).collect());
    }
    parts
}

/// `node` and everything under it, in document order.
pub fn flatten(node: Node, key: Option<(String, Option<Span>)>, out: &mut Vec<NodeRecord>) {
    let Node { value, span } = node;
    match value {
        Value::Array(items) => {
            out.push(NodeRecord { key, span, shape: Shape::Array(items.len()) });
            for item in items {
                flatten(item, None, out);
            }
        }
        Value::Map(entries) => {
            out.push(NodeRecord { key, span, shape: Shape::Map(entries.len()) });
            for entry in entries {
                flatten(entry.value, Some((entry.key, entry.key_span)), out);
            }
        }
        leaf => out.push(NodeRecord { key, span, shape: Shape::Leaf(leaf) }),
    }
}

/// A container whose items are still arriving.
struct Open {
    key: Option<(String, Option<Span>)>,
    span: Option<Span>,
    remaining: usize,
    items: Vec<Node>,
    entries: Option<Vec<Entry>>,
}

impl Open {
    fn into_node(self) -> (Option<(String, Option<Span>)>, Node) {
        let value = match self.entries {
            Some(entries) => Value::Map(entries),
            None => Value::Array(self.items),
        };
        (self.key, Node { value, span: self.span })
    }
}

/// Rebuilds a document from its [`NodeRecord`]s, fed in any number of batches.
#[derive(Default)]
pub struct NodeBuilder {
    open: Vec<Open>,
    done: Option<Node>,
}

/// Containers announce their length; capacity is reserved only up to this many items.
const MAX_RESERVED: usize = 4096;

impl NodeBuilder {
    pub fn push(&mut self, record: NodeRecord) -> Result<(), String> {
        if self.done.is_some() {
            return Err("a node after the document ended".into());
        }
        let NodeRecord { key, span, shape } = record;
        match shape {
            Shape::Leaf(value) => self.attach(key, Node { value, span }),
            Shape::Array(0) => self.attach(key, Node { value: Value::Array(Vec::new()), span }),
            Shape::Map(0) => self.attach(key, Node { value: Value::Map(Vec::new()), span }),
            Shape::Array(len) => {
                let items = Vec::with_capacity(len.min(MAX_RESERVED));
                self.open.push(Open { key, span, remaining: len, items, entries: None });
                Ok(())
            }
            Shape::Map(len) => {
                let entries = Some(Vec::with_capacity(len.min(MAX_RESERVED)));
                self.open.push(Open { key, span, remaining: len, items: Vec::new(), entries });
                Ok(())
            }
        }
    }

    /// Puts a finished node into the container it belongs to, closing every container it fills.
    fn attach(&mut self, mut key: Option<(String, Option<Span>)>, mut node: Node) -> Result<(), String> {
        loop {
            let Some(open) = self.open.last_mut() else {
                self.done = Some(node);
                return Ok(());
            };
            match &mut open.entries {
                Some(entries) => {
                    let (key, key_span) = key.ok_or("a map entry came without its key")?;
                    entries.push(Entry { key, key_span, value: node });
                }
                None => open.items.push(node),
            }
            open.remaining -= 1;
            if open.remaining > 0 {
                return Ok(());
            }
            let Some(full) = self.open.pop() else { return Ok(()) };
            (key, node) = full.into_node();
        }
    }

    pub fn finish(self) -> Result<Node, String> {
        match (self.done, self.open.len()) {
            (Some(node), 0) => Ok(node),
            (_, open) => Err(format!("the document ended early ({open} containers left open)")),
        }
    }
}

/// The page's side: the head read at once, the parts one [`SplitReader::read_part`] at a time.
pub struct SplitReader {
    reply: EngineReply,
    documents: Vec<NodeBuilder>,
    maps: Vec<ByteMap>,
}

impl SplitReader {
    pub fn new(head: &[u8]) -> Result<SplitReader, String> {
        let mut reply = decode_reply(head)?;
        let (documents, maps) = slots(&mut reply);
        let (documents, maps) =
            ((0..documents.len()).map(|_| NodeBuilder::default()).collect(), vec![ByteMap::new(); maps.len()]);
        Ok(SplitReader { reply, documents, maps })
    }

    pub fn read_part(&mut self, part: &[u8]) -> Result<(), String> {
        let part: Part =
            postcard::from_bytes(part).map_err(|error| format!("a part of the reply is unreadable: {error}"))?;
        match part {
            Part::Nodes { slot, records } => {
                let builder = self.documents.get_mut(slot).ok_or("nodes for a document the reply does not have")?;
                records.into_iter().try_for_each(|record| builder.push(record))
            }
            Part::Spans { slot, spans } => {
                let map = self.maps.get_mut(slot).ok_or("spans for a byte map the reply does not have")?;
                map.append_in_order(spans);
                Ok(())
            }
        }
    }

    /// The whole reply, once every part has been read.
    pub fn finish(mut self) -> Result<EngineReply, String> {
        let (documents, maps) = slots(&mut self.reply);
        for (slot, builder) in documents.into_iter().zip(self.documents) {
            *slot = builder.finish()?;
        }
        for (slot, map) in maps.into_iter().zip(self.maps) {
            *slot = map;
        }
        Ok(self.reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::json;

    fn document(text: &str) -> Node {
        json::parse(text).map(|decoded| decoded.document).expect("test documents parse")
    }

    #[test]
    fn documents_come_back_whole_from_their_records() {
        let cases = [
            "1",
            "\"text\"",
            "[]",
            "{}",
            "[[], {}, [[]], {\"a\": {}}]",
            r#"{"name":"Ada","tags":["x","y"],"address":{"city":"Paris","zip":null},"n":[1,2.5,-3]}"#,
            r#"[{"a":1},{"a":2,"b":[true,false]},{"a":{"b":{"c":{"d":[]}}}}]"#,
        ];
        for text in cases {
            let original = document(text);
            let mut records = Vec::new();
            flatten(original.clone(), None, &mut records);
            // Fed in batches of every size, the same document comes back (spans included).
            for batch in 1..=records.len() {
                let mut builder = NodeBuilder::default();
                for chunk in records.chunks(batch) {
                    chunk.iter().cloned().try_for_each(|record| builder.push(record)).expect(text);
                }
                assert_eq!(builder.finish().as_ref(), Ok(&original), "{text}, batches of {batch}");
            }
        }
    }

    #[test]
    fn broken_record_streams_are_errors() {
        let leaf = |key: Option<&str>| NodeRecord {
            key: key.map(|key| (key.to_owned(), None)),
            span: None,
            shape: Shape::Leaf(Value::Null),
        };
        let container = |shape| NodeRecord { key: None, span: None, shape };
        let cases: Vec<(Vec<NodeRecord>, &str)> = vec![
            (vec![], "ended early"),
            (vec![container(Shape::Array(2)), leaf(None)], "ended early"),
            (vec![container(Shape::Map(1)), leaf(None)], "without its key"),
            (vec![leaf(None), leaf(None)], "after the document ended"),
            (vec![container(Shape::Array(usize::MAX))], "ended early"),
        ];
        for (records, expected) in cases {
            let mut builder = NodeBuilder::default();
            let outcome =
                records.into_iter().try_for_each(|record| builder.push(record)).and_then(|()| builder.finish());
            assert!(outcome.as_ref().is_err_and(|why| why.contains(expected)), "{expected}: {outcome:?}");
        }
    }

    #[test]
    fn big_values_are_cut_into_parts() {
        let cases = [(0, 0), (1, 1), (ITEMS_PER_PART, 1), (ITEMS_PER_PART + 1, 2), (3 * ITEMS_PER_PART, 3)];
        for (items, parts) in cases {
            let cut = in_parts((0..items).collect::<Vec<_>>());
            assert_eq!(cut.len(), parts, "{items}");
            assert_eq!(cut.concat(), (0..items).collect::<Vec<_>>());
        }
    }
}
