//! JSON indexed into the tree's flat nodes from the core's one JSON reader: each event of the
//! scan becomes a node (or closes one), keyed by its member name's span or its array index.

use super::{NO_PARENT, Node, NodeKind, close_node};
use crate::diagnostic::Diagnostic;
use crate::json_reader::{self, Container, JsonEvents, Scalar};

/// The nodes of a JSON document, in document order; errors are at a byte offset.
pub(super) fn index_json(text: &str) -> Result<Vec<Node>, Diagnostic> {
    let mut indexer = Indexer { nodes: Vec::new(), open: Vec::new(), key: (0, 0) };
    json_reader::read(text, &mut indexer)?;
    Ok(indexer.nodes)
}

struct Indexer {
    nodes: Vec<Node>,
    /// The containers not closed yet, innermost last.
    open: Vec<u32>,
    /// The last member key's span, without its quotes.
    key: (u32, u32),
}

impl Indexer {
    /// Adds a node under the innermost open container: keyed by the last key inside an object, by
    /// its index (kept in `key_start`) inside an array.
    fn push(&mut self, kind: NodeKind, start: usize, end: usize) -> u32 {
        let id = self.nodes.len() as u32;
        let parent = self.open.last().copied().unwrap_or(NO_PARENT);
        let key = match self.nodes.get_mut(parent as usize) {
            Some(container) => {
                let index = container.child_count;
                container.child_count += 1;
                if container.kind == NodeKind::Array { (index, index) } else { self.key }
            }
            None => (0, 0),
        };
        self.nodes.push(Node::leaf(kind, key, start, end, parent));
        id
    }
}

impl JsonEvents for Indexer {
    fn open(&mut self, container: Container, at: usize) {
        let kind = match container {
            Container::Object => NodeKind::Object,
            Container::Array => NodeKind::Array,
        };
        let id = self.push(kind, at, at);
        self.open.push(id);
    }

    fn close(&mut self, _container: Container, at: usize) {
        if let Some(id) = self.open.pop() {
            close_node(&mut self.nodes, id, at + 1);
        }
    }

    fn scalar(&mut self, scalar: Scalar, start: usize, end: usize) {
        let kind = match scalar {
            Scalar::String => NodeKind::String,
            Scalar::Number => NodeKind::Number,
            Scalar::True | Scalar::False => NodeKind::Bool,
            Scalar::Null => NodeKind::Null,
        };
        self.push(kind, start, end);
    }

    fn key(&mut self, start: usize, end: usize) {
        self.key = (start as u32 + 1, end as u32 - 1);
    }
}
