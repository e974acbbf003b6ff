//! JSON and XML documents as collapsible trees, indexed in one pass and expanded lazily so a 20 MB body never lays out at once.
//!
//! The parts: this file holds the index ([`Tree`], its nodes and what a row says about one); `json.rs` indexes JSON
//! from the core's one JSON reader ([`crate::json_reader`]), `xml.rs` indexes XML with quick-xml, `rows.rs` turns
//! an [`Expansion`] into rows, `text.rs` makes the previews, and `parts.rs` moves an index between threads.
//!
//! [`Tree::from_json`] and [`Tree::from_xml`] build a flat index of the document: one small fixed-size record per
//! node holding byte spans into the source text, never a `serde_json::Value` or a `String` per node. Nodes are
//! numbered in document order (preorder), so a node's descendants are exactly the ids `node + 1 .. node + size`, its
//! first child is `node + 1` and its next sibling is `node + size`; a separate child table gives the k-th child of any
//! node in O(1). Keys, previews and paths are made from the spans only when a row is drawn.
//!
//! [`Expansion`] records which nodes are open; [`visible_row_count`] and [`visible_rows`] turn a tree and an
//! expansion into the rows on screen, in time proportional to the number of expanded nodes plus the rows asked for,
//! however large the document.
//!
//! JSON: the root node is the document's value (which may be a scalar); its row has the key `$`.
//! XML: the root node is the root element (its row has the element's name as key). The prolog and epilogue (the XML
//! declaration, DOCTYPE, and comments or processing instructions outside the root element) are not part of the tree.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::json_reader::JsonChars;
use text::{Limited, XmlChars};

/// The deepest nesting accepted, in JSON and XML alike: the JSON reader's.
pub use crate::json_reader::MAX_DEPTH;

/// A node's number: its position in document order, the root being 0.
pub type NodeId = u32;

/// What a node is. The first six are JSON values, the rest XML items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
    Element,
    Text,
    Attribute,
    Comment,
    CData,
    ProcessingInstruction,
}

/// Why a document could not be indexed, and where (line and column).
pub type TreeError = Diagnostic;

const NO_PARENT: u32 = u32::MAX;

/// One node: 36 bytes whatever its content.
#[derive(Clone, Copy, Debug)]
struct Node {
    kind: NodeKind,
    /// The key's span (a JSON member name without its quotes, an element, attribute or PI target name). For the
    /// items of a JSON array `key_start` holds the item's index instead; unused for text, comments and CDATA.
    key_start: u32,
    key_end: u32,
    /// The node's own source span (for a JSON member, the value's; for an attribute, the value inside the quotes).
    start: u32,
    end: u32,
    parent: u32,
    child_count: u32,
    /// This node plus all its descendants.
    size: u32,
    /// Where this node's children start in `Tree::child_table`.
    child_slot: u32,
}

impl Node {
    /// A node with no children yet (containers grow and are closed with [`close_node`]).
    fn leaf(kind: NodeKind, key: (u32, u32), start: usize, end: usize, parent: u32) -> Node {
        Node {
            kind,
            key_start: key.0,
            key_end: key.1,
            start: start as u32,
            end: end as u32,
            parent,
            child_count: 0,
            size: 1,
            child_slot: 0,
        }
    }
}

/// Counts one more child of `parent` (nothing for the root's missing parent).
fn add_child(nodes: &mut [Node], parent: u32) {
    if let Some(parent) = nodes.get_mut(parent as usize) {
        parent.child_count += 1;
    }
}

/// Ends the container `id` at byte `end`: its subtree is every node added since it.
fn close_node(nodes: &mut [Node], id: u32, end: usize) {
    let size = nodes.len() as u32 - id;
    if let Some(node) = nodes.get_mut(id as usize) {
        node.end = end as u32;
        node.size = size;
    }
}

/// A JSON or XML document indexed for display as a tree.
#[derive(Clone, Debug)]
pub struct Tree {
    text: String,
    xml: bool,
    nodes: Vec<Node>,
    /// Every node's children, node after node (CSR layout): the children of `n` are
    /// `child_table[nodes[n].child_slot ..][.. child_count]`, in ascending id order.
    child_table: Vec<u32>,
}

impl Tree {
    /// Indexes a JSON document (RFC 8259) in one pass with the validating [`crate::json_reader`]: strings with
    /// their escapes and `\u` surrogate pairs, numbers per the grammar, at most [`MAX_DEPTH`] levels of nesting (an
    /// explicit stack, no recursion), nothing but whitespace after the value. A leading byte order mark is skipped.
    /// Errors give the line and column of the offending character.
    pub fn from_json(text: impl Into<String>) -> Result<Tree, TreeError> {
        let text = text.into();
        check_size(&text)?;
        let nodes = json::index_json(&text).map_err(|error| error.with_text(&text))?;
        Ok(Tree::finish(text, false, nodes))
    }

    /// Indexes an XML document with quick-xml. Elements become nodes whose attributes come first as `Attribute`
    /// children (shown as `@name`), followed by their non-whitespace text, CDATA sections, comments, processing
    /// instructions and child elements in document order. Text interrupted by entity references (`a &amp; b`) is one
    /// text node. Mismatched or unclosed tags, a second root element, text outside the root element or no element at
    /// all are errors with the position of the offending markup.
    pub fn from_xml(text: impl Into<String>) -> Result<Tree, TreeError> {
        let text = text.into();
        check_size(&text)?;
        let nodes = xml::index_xml(&text).map_err(|error| error.with_text(&text))?;
        Ok(Tree::finish(text, true, nodes))
    }

    /// Fills in the child table once the nodes are known.
    fn finish(text: String, xml: bool, mut nodes: Vec<Node>) -> Tree {
        let mut slot = 0u32;
        for node in &mut nodes {
            node.child_slot = slot;
            slot += node.child_count;
        }
        let mut child_table = vec![0u32; slot as usize];
        let mut cursor: Vec<u32> = nodes.iter().map(|node| node.child_slot).collect();
        for (id, node) in nodes.iter().enumerate() {
            if node.parent != NO_PARENT {
                let parent = node.parent as usize;
                child_table[cursor[parent] as usize] = id as u32;
                cursor[parent] += 1;
            }
        }
        Tree { text, xml, nodes, child_table }
    }

    /// The whole document's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether this tree was indexed from XML (else JSON).
    pub fn is_xml(&self) -> bool {
        self.xml
    }

    pub fn root(&self) -> NodeId {
        0
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn node(&self, node: NodeId) -> &Node {
        // Ids from elsewhere fall back to the root instead of panicking.
        self.nodes.get(node as usize).unwrap_or(&self.nodes[0])
    }

    pub fn kind(&self, node: NodeId) -> NodeKind {
        self.node(node).kind
    }

    pub fn child_count(&self, node: NodeId) -> usize {
        self.node(node).child_count as usize
    }

    /// The node's children, in document order.
    pub fn children(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.child_slice(node).iter().copied()
    }

    fn child_slice(&self, node: NodeId) -> &[u32] {
        let node = self.node(node);
        let start = node.child_slot as usize;
        &self.child_table[start..start + node.child_count as usize]
    }

    /// The k-th child of `node`, if it has that many.
    pub fn child(&self, node: NodeId, index: usize) -> Option<NodeId> {
        self.child_slice(node).get(index).copied()
    }

    /// The node's parent; `None` for the root.
    pub fn parent(&self, node: NodeId) -> Option<NodeId> {
        let parent = self.node(node).parent;
        (parent != NO_PARENT).then_some(parent)
    }

    /// How many ancestors the node has (the root has depth 0).
    pub fn depth(&self, node: NodeId) -> usize {
        let mut depth = 0;
        let mut current = node;
        while let Some(parent) = self.parent(current) {
            depth += 1;
            current = parent;
        }
        depth
    }

    /// The number of nodes in the node's subtree, itself included.
    pub fn subtree_size(&self, node: NodeId) -> usize {
        self.node(node).size as usize
    }

    fn slice(&self, start: u32, end: u32) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    fn key_text(&self, node: &Node) -> &str {
        self.slice(node.key_start, node.key_end)
    }

    fn parent_is_array(&self, node: &Node) -> bool {
        node.parent != NO_PARENT && self.node(node.parent).kind == NodeKind::Array
    }

    /// The row label: the object member's key (unescaped), `[index]` for array items, `$` for the JSON root; the
    /// element name, `@name` for attributes, `#text`, `#cdata`, `#comment` and `?target` for XML.
    pub fn key(&self, node: NodeId) -> String {
        let record = self.node(node);
        match record.kind {
            NodeKind::Element => self.key_text(record).to_string(),
            NodeKind::Attribute => format!("@{}", self.key_text(record)),
            NodeKind::Text => "#text".into(),
            NodeKind::CData => "#cdata".into(),
            NodeKind::Comment => "#comment".into(),
            NodeKind::ProcessingInstruction => format!("?{}", self.key_text(record)),
            _ if record.parent == NO_PARENT => "$".into(),
            _ if self.parent_is_array(record) => format!("[{}]", record.key_start),
            _ => JsonChars::new(self.key_text(record)).collect(),
        }
    }

    /// A one-line preview of at most `max_chars` characters (longer ones end in `…`): JSON strings quoted and
    /// unescaped with control characters escaped, numbers, booleans and null as written, containers as their child
    /// count (`{3}`, `[120]`, `{}`); XML elements as `<name>` (`<name/>` when empty, `<name>text</name>` when their
    /// only child is text), text and attribute values quoted and unescaped, comments and PIs as written.
    pub fn preview(&self, node: NodeId, max_chars: usize) -> String {
        let record = self.node(node);
        let mut out = Limited::new(max_chars);
        match record.kind {
            NodeKind::Object | NodeKind::Array => {
                let (open, close) = if record.kind == NodeKind::Object { ('{', '}') } else { ('[', ']') };
                out.push(open);
                if record.child_count > 0 {
                    out.push_str(&record.child_count.to_string());
                }
                out.push(close);
            }
            NodeKind::String => {
                let raw = self.slice(record.start + 1, record.end.saturating_sub(1).max(record.start + 1));
                out.push('"');
                out.push_escaped(JsonChars::new(raw));
                out.push('"');
            }
            NodeKind::Number | NodeKind::Bool | NodeKind::Null => out.push_escaped(self.source(node).chars()),
            NodeKind::Element => {
                let name = self.key_text(record);
                let only_child = (record.child_count == 1).then(|| self.child(node, 0)).flatten();
                match only_child.map(|child| (child, self.node(child).kind)) {
                    _ if record.child_count == 0 => {
                        out.push('<');
                        out.push_str(name);
                        out.push_str("/>");
                    }
                    Some((child, NodeKind::Text | NodeKind::CData)) => {
                        out.push('<');
                        out.push_str(name);
                        out.push('>');
                        out.push_escaped(self.xml_text_chars(child));
                        out.push_str("</");
                        out.push_str(name);
                        out.push('>');
                    }
                    _ => {
                        out.push('<');
                        out.push_str(name);
                        out.push('>');
                    }
                }
            }
            NodeKind::Text | NodeKind::Attribute | NodeKind::CData => {
                out.push('"');
                out.push_escaped(self.xml_text_chars(node));
                out.push('"');
            }
            NodeKind::Comment | NodeKind::ProcessingInstruction => out.push_escaped(self.source(node).chars()),
        }
        out.finish()
    }

    /// The characters a text, CDATA or attribute node stands for (entities decoded; CDATA as is).
    fn xml_text_chars(&self, node: NodeId) -> XmlChars<'_> {
        let record = self.node(node);
        match record.kind {
            NodeKind::CData => {
                let inner = self.source(node).strip_prefix("<![CDATA[").unwrap_or("");
                XmlChars { rest: inner.strip_suffix("]]>").unwrap_or(inner), decode: false }
            }
            _ => XmlChars { rest: self.source(node), decode: true },
        }
    }

    /// The node's exact source text, for copying: a JSON value (without its member key), an XML element from its
    /// start tag through its end tag, an attribute's raw value (without quotes), a text run (trimmed of surrounding
    /// whitespace, entities as written), a whole comment, CDATA section or processing instruction.
    pub fn source(&self, node: NodeId) -> &str {
        let record = self.node(node);
        self.slice(record.start, record.end)
    }

    /// The byte range of [`Tree::source`] in the document.
    pub fn span(&self, node: NodeId) -> Range<usize> {
        let record = self.node(node);
        record.start as usize..record.end as usize
    }

    /// Where the node is: JSONPath-like for JSON (`$.items[3].name`, `$["a b"]`), XPath-like for XML
    /// (`/order/item[2]/@id`, `/order/note/text()`; a position is given only when siblings share the name).
    pub fn path(&self, node: NodeId) -> String {
        let mut chain = vec![node];
        let mut current = node;
        while let Some(parent) = self.parent(current) {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        let mut path = String::new();
        if !self.xml {
            path.push('$');
        }
        for &id in &chain {
            let record = self.node(id);
            if self.xml {
                path.push('/');
                path.push_str(&self.xml_step(id));
            } else if record.parent == NO_PARENT {
                continue;
            } else if self.parent_is_array(record) {
                path.push_str(&format!("[{}]", record.key_start));
            } else {
                let key: String = JsonChars::new(self.key_text(record)).collect();
                if is_identifier(&key) {
                    path.push('.');
                    path.push_str(&key);
                } else {
                    path.push('[');
                    path.push_str(&serde_json::to_string(&key).unwrap_or_else(|_| format!("{key:?}")));
                    path.push(']');
                }
            }
        }
        path
    }

    /// One XPath step: `name`, `name[2]`, `@id`, `text()`, `comment()`, `processing-instruction('t')`.
    fn xml_step(&self, node: NodeId) -> String {
        let record = self.node(node);
        let step = match record.kind {
            NodeKind::Attribute => return format!("@{}", self.key_text(record)),
            NodeKind::Element => self.key_text(record).to_string(),
            NodeKind::Text | NodeKind::CData => "text()".to_string(),
            NodeKind::Comment => "comment()".to_string(),
            NodeKind::ProcessingInstruction => format!("processing-instruction('{}')", self.key_text(record)),
            _ => String::new(),
        };
        let Some(parent) = self.parent(node) else { return step };
        let same = |other: NodeId| {
            let other_record = self.node(other);
            match record.kind {
                NodeKind::Element => {
                    other_record.kind == NodeKind::Element && self.key_text(other_record) == self.key_text(record)
                }
                NodeKind::Text | NodeKind::CData => matches!(other_record.kind, NodeKind::Text | NodeKind::CData),
                NodeKind::ProcessingInstruction => {
                    other_record.kind == record.kind && self.key_text(other_record) == self.key_text(record)
                }
                kind => other_record.kind == kind,
            }
        };
        let siblings = self.child_slice(parent);
        let position = siblings.iter().filter(|&&other| other < node && same(other)).count() + 1;
        let total = position + siblings.iter().filter(|&&other| other > node && same(other)).count();
        if total > 1 { format!("{step}[{position}]") } else { step }
    }
}

fn check_size(text: &str) -> Result<(), TreeError> {
    if text.len() >= u32::MAX as usize {
        return Err(Diagnostic::in_text(text, 0, "the document is larger than 4 GiB"));
    }
    Ok(())
}

/// A plain JSONPath member name: `.name` needs no quotes.
fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

mod json;
mod parts;
mod rows;
mod text;
mod xml;

pub use parts::{PartsError, PartsReader, TreeParts};
pub use rows::{Expansion, TreeRow, visible_row_count, visible_rows};
