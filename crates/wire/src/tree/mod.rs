//! JSON and XML documents as collapsible trees, indexed in one pass and expanded lazily so a 20 MB body never lays out at once.
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

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::diagnostic::Diagnostic;

/// A node's number: its position in document order, the root being 0.
pub type NodeId = u32;

/// The deepest nesting accepted; deeper documents are refused with an error instead of exhausting the stack later.
pub const MAX_DEPTH: usize = 512;

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
    /// Indexes a JSON document (RFC 8259) in one pass with a validating scanner: strings with their escapes and
    /// `\u` surrogate pairs, numbers per the grammar, at most [`MAX_DEPTH`] levels of nesting (an explicit stack, no
    /// recursion), nothing but whitespace after the value. A leading byte order mark is skipped. Errors give the line
    /// and column of the offending character.
    pub fn from_json(text: impl Into<String>) -> Result<Tree, TreeError> {
        let text = text.into();
        check_size(&text)?;
        let nodes = JsonScanner { bytes: text.as_bytes(), nodes: Vec::new() }
            .scan()
            .map_err(|(offset, message)| Diagnostic::in_text(&text, offset, message))?;
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
        let nodes = index_xml(&text).map_err(|(offset, message)| Diagnostic::in_text(&text, offset, message))?;
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

/// A string builder that stops at `max` characters, ending in `…` when something was cut.
struct Limited {
    out: String,
    count: usize,
    max: usize,
    full: bool,
}

impl Limited {
    fn new(max: usize) -> Limited {
        Limited { out: String::new(), count: 0, max, full: false }
    }

    /// Adds a character; false once the limit is reached.
    fn push(&mut self, ch: char) -> bool {
        if self.full {
            return false;
        }
        if self.count < self.max {
            self.out.push(ch);
            self.count += 1;
            return true;
        }
        self.full = true;
        if self.max > 0 {
            self.out.pop();
            self.out.push('…');
        }
        false
    }

    fn push_str(&mut self, text: &str) {
        for ch in text.chars() {
            if !self.push(ch) {
                return;
            }
        }
    }

    /// Adds characters with control characters escaped, stopping early when full (so a 5 MB string costs only
    /// the characters shown).
    fn push_escaped(&mut self, chars: impl Iterator<Item = char>) {
        for ch in chars {
            let ok = match ch {
                '\n' => self.push_str_ok("\\n"),
                '\r' => self.push_str_ok("\\r"),
                '\t' => self.push_str_ok("\\t"),
                c if c.is_control() => self.push_str_ok(&format!("\\u{:04x}", c as u32)),
                c => self.push(c),
            };
            if !ok {
                return;
            }
        }
    }

    fn push_str_ok(&mut self, text: &str) -> bool {
        self.push_str(text);
        !self.full
    }

    fn finish(self) -> String {
        self.out
    }
}

/// The characters of a validated JSON string's contents (between the quotes), escapes decoded.
struct JsonChars<'a> {
    rest: &'a str,
}

impl<'a> JsonChars<'a> {
    fn new(raw: &'a str) -> JsonChars<'a> {
        JsonChars { rest: raw }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.rest.get(..4)?;
        let value = u32::from_str_radix(digits, 16).ok()?;
        self.rest = &self.rest[4..];
        Some(value)
    }
}

impl Iterator for JsonChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let ch = chars.next()?;
        self.rest = chars.as_str();
        if ch != '\\' {
            return Some(ch);
        }
        let mut chars = self.rest.chars();
        let escape = chars.next()?;
        self.rest = chars.as_str();
        Some(match escape {
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let Some(high) = self.hex4() else { return Some(char::REPLACEMENT_CHARACTER) };
                if (0xD800..0xDC00).contains(&high) && self.rest.starts_with("\\u") {
                    self.rest = &self.rest[2..];
                    let low = self.hex4().unwrap_or(0);
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                } else {
                    char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER)
                }
            }
            other => other,
        })
    }
}

/// The characters of XML text or an attribute value, with the predefined entities and character references decoded
/// (unknown entities stay as written), or raw for CDATA.
struct XmlChars<'a> {
    rest: &'a str,
    decode: bool,
}

impl Iterator for XmlChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let ch = chars.next()?;
        // The longest reference worth decoding is `&#x10FFFF;`; the `;` is ASCII, so slicing at it is safe.
        if self.decode
            && ch == '&'
            && let Some(end) = self.rest.bytes().take(12).position(|byte| byte == b';')
        {
            let name = &self.rest[1..end];
            let decoded = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            if let Some(decoded) = decoded {
                self.rest = &self.rest[end + 1..];
                return Some(decoded);
            }
        }
        self.rest = chars.as_str();
        Some(ch)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

/// The one-pass JSON scanner. Errors are (byte offset, message).
struct JsonScanner<'a> {
    bytes: &'a [u8],
    nodes: Vec<Node>,
}

enum Step {
    /// A value must come next; for an object member, the key's span.
    Value(u32, u32),
    /// A container was just opened: a closing bracket or the first member may come.
    AfterOpen,
    /// A value just ended: a comma, a closing bracket, or (at the top) the end of the text.
    AfterValue,
}

type ScanError = (usize, String);

fn describe(bytes: &[u8], pos: usize) -> String {
    match bytes.get(pos) {
        None => "the end of the text".into(),
        Some(_) => {
            let rest = std::str::from_utf8(&bytes[pos..]).unwrap_or("");
            match rest.chars().next() {
                Some(ch) if ch.is_control() => format!("{:?}", ch),
                Some(ch) => format!("'{ch}'"),
                None => "an invalid byte".into(),
            }
        }
    }
}

impl JsonScanner<'_> {
    fn skip_ws(&self, mut pos: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(pos) {
            pos += 1;
        }
        pos
    }

    /// Adds a node under the innermost open container. `key` is a member key's span or, inside arrays, ignored.
    fn push_node(&mut self, kind: NodeKind, key: (u32, u32), start: usize, parent: u32) -> u32 {
        let id = self.nodes.len() as u32;
        let (key_start, key_end) = if parent != NO_PARENT {
            let parent_node = &mut self.nodes[parent as usize];
            let index = parent_node.child_count;
            parent_node.child_count += 1;
            if parent_node.kind == NodeKind::Array { (index, index) } else { key }
        } else {
            (0, 0)
        };
        self.nodes.push(Node {
            kind,
            key_start,
            key_end,
            start: start as u32,
            end: start as u32,
            parent,
            child_count: 0,
            size: 1,
            child_slot: 0,
        });
        id
    }

    fn scan(mut self) -> Result<Vec<Node>, ScanError> {
        let bytes = self.bytes;
        let mut pos = if bytes.starts_with("\u{feff}".as_bytes()) { 3 } else { 0 };
        let mut stack: Vec<u32> = Vec::new();
        let mut step = Step::Value(0, 0);
        loop {
            let parent = stack.last().copied().unwrap_or(NO_PARENT);
            match step {
                Step::Value(key_start, key_end) => {
                    pos = self.skip_ws(pos);
                    let key = (key_start, key_end);
                    let start = pos;
                    match bytes.get(pos) {
                        Some(&open @ (b'{' | b'[')) => {
                            if stack.len() >= MAX_DEPTH {
                                return Err((pos, format!("nesting deeper than {MAX_DEPTH} levels")));
                            }
                            let kind = if open == b'{' { NodeKind::Object } else { NodeKind::Array };
                            stack.push(self.push_node(kind, key, start, parent));
                            pos += 1;
                            step = Step::AfterOpen;
                            continue;
                        }
                        Some(b'"') => {
                            pos = self.scan_string(pos)?;
                            self.push_scalar(NodeKind::String, key, start, pos, parent);
                        }
                        Some(b'-' | b'0'..=b'9') => {
                            pos = self.scan_number(pos)?;
                            self.push_scalar(NodeKind::Number, key, start, pos, parent);
                        }
                        Some(b't' | b'f' | b'n') => {
                            let (word, kind) = match bytes[pos] {
                                b't' => ("true", NodeKind::Bool),
                                b'f' => ("false", NodeKind::Bool),
                                _ => ("null", NodeKind::Null),
                            };
                            if !bytes[pos..].starts_with(word.as_bytes()) {
                                return Err((pos, format!("expected a value, found {}", describe_word(bytes, pos))));
                            }
                            pos += word.len();
                            self.push_scalar(kind, key, start, pos, parent);
                        }
                        _ => return Err((pos, format!("expected a value, found {}", describe(bytes, pos)))),
                    }
                    step = Step::AfterValue;
                }
                Step::AfterOpen => {
                    pos = self.skip_ws(pos);
                    let is_object = self.nodes[parent as usize].kind == NodeKind::Object;
                    let close = if is_object { b'}' } else { b']' };
                    if bytes.get(pos) == Some(&close) {
                        pos += 1;
                        self.close(&mut stack, pos);
                        step = Step::AfterValue;
                    } else if is_object {
                        step = self.scan_key(pos, &mut pos, "a key string or '}'")?;
                    } else {
                        step = Step::Value(0, 0);
                    }
                }
                Step::AfterValue => {
                    pos = self.skip_ws(pos);
                    if parent == NO_PARENT {
                        if pos < bytes.len() {
                            return Err((pos, format!("unexpected {} after the JSON value", describe(bytes, pos))));
                        }
                        return Ok(self.nodes);
                    }
                    let is_object = self.nodes[parent as usize].kind == NodeKind::Object;
                    let close = if is_object { b'}' } else { b']' };
                    match bytes.get(pos) {
                        Some(b',') => {
                            let comma = pos;
                            pos = self.skip_ws(pos + 1);
                            if bytes.get(pos) == Some(&close) {
                                return Err((comma, format!("trailing comma before '{}'", close as char)));
                            }
                            step = if is_object {
                                self.scan_key(pos, &mut pos, "a key string")?
                            } else {
                                Step::Value(0, 0)
                            };
                        }
                        Some(&b) if b == close => {
                            pos += 1;
                            self.close(&mut stack, pos);
                        }
                        _ => {
                            let (what, item) = if is_object { ("object", "member") } else { ("array", "item") };
                            let close = close as char;
                            let message = if pos >= bytes.len() {
                                format!(
                                    "expected ',' or '{close}', found the end of the text (the {what} is never closed)"
                                )
                            } else {
                                format!(
                                    "expected ',' or '{close}' after an {what} {item}, found {}",
                                    describe(bytes, pos)
                                )
                            };
                            return Err((pos, message));
                        }
                    }
                }
            }
        }
    }

    fn push_scalar(&mut self, kind: NodeKind, key: (u32, u32), start: usize, end: usize, parent: u32) {
        let id = self.push_node(kind, key, start, parent);
        self.nodes[id as usize].end = end as u32;
    }

    fn close(&mut self, stack: &mut Vec<u32>, end: usize) {
        if let Some(id) = stack.pop() {
            let size = self.nodes.len() as u32 - id;
            let node = &mut self.nodes[id as usize];
            node.end = end as u32;
            node.size = size;
        }
    }

    /// Reads `"key" :` at `pos`, leaving `next` after the colon.
    fn scan_key(&self, pos: usize, next: &mut usize, expected: &str) -> Result<Step, ScanError> {
        if self.bytes.get(pos) != Some(&b'"') {
            return Err((pos, format!("expected {expected}, found {}", describe(self.bytes, pos))));
        }
        let end = self.scan_string(pos)?;
        let colon = self.skip_ws(end);
        if self.bytes.get(colon) != Some(&b':') {
            return Err((colon, format!("expected ':' after the key, found {}", describe(self.bytes, colon))));
        }
        *next = colon + 1;
        Ok(Step::Value(pos as u32 + 1, end as u32 - 1))
    }

    /// Validates the string starting with the quote at `start`; returns the offset after its closing quote.
    fn scan_string(&self, start: usize) -> Result<usize, ScanError> {
        let bytes = self.bytes;
        let mut pos = start + 1;
        loop {
            match bytes.get(pos) {
                None => return Err((start, "unterminated string".into())),
                Some(b'"') => return Ok(pos + 1),
                Some(b'\\') => pos = self.scan_escape(pos)?,
                Some(&b) if b < 0x20 => {
                    return Err((pos, format!("control character {:?} in a string must be escaped", b as char)));
                }
                Some(_) => pos += 1,
            }
        }
    }

    /// Validates the escape at `pos` (the backslash); returns the offset after it.
    fn scan_escape(&self, pos: usize) -> Result<usize, ScanError> {
        match self.bytes.get(pos + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 2),
            Some(b'u') => {
                let code = self.hex4(pos)?;
                match code {
                    0xD800..=0xDBFF => {
                        let low_at = pos + 6;
                        let low =
                            if self.bytes[low_at..].starts_with(b"\\u") { Some(self.hex4(low_at)?) } else { None };
                        match low {
                            Some(0xDC00..=0xDFFF) => Ok(low_at + 6),
                            _ => Err((
                                pos,
                                format!("lone surrogate \\u{code:04X}: a high surrogate must be followed by a low one"),
                            )),
                        }
                    }
                    0xDC00..=0xDFFF => {
                        Err((pos, format!("lone surrogate \\u{code:04X}: a low surrogate must follow a high one")))
                    }
                    _ => Ok(pos + 6),
                }
            }
            None => Err((pos, "unterminated string".into())),
            Some(_) => Err((pos, format!("invalid escape \\{}", describe(self.bytes, pos + 1).trim_matches('\'')))),
        }
    }

    /// The four hex digits of the `\u` escape at `pos`.
    fn hex4(&self, pos: usize) -> Result<u32, ScanError> {
        let digits = self.bytes.get(pos + 2..pos + 6).filter(|digits| digits.iter().all(u8::is_ascii_hexdigit));
        digits
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
            .ok_or_else(|| (pos, "\\u must be followed by four hex digits".into()))
    }

    /// Validates the number at `start` (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`).
    fn scan_number(&self, start: usize) -> Result<usize, ScanError> {
        let bytes = self.bytes;
        let digits = |mut pos: usize| {
            while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            pos
        };
        let mut pos = start;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => {
                pos += 1;
                if bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                    return Err((start, "numbers cannot have leading zeros".into()));
                }
            }
            Some(b'1'..=b'9') => pos = digits(pos),
            _ => return Err((pos, format!("expected a digit after '-', found {}", describe(bytes, pos)))),
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                return Err((pos, format!("expected a digit after the decimal point, found {}", describe(bytes, pos))));
            }
            pos = digits(pos);
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if !bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                return Err((pos, format!("expected a digit in the exponent, found {}", describe(bytes, pos))));
            }
            pos = digits(pos);
        }
        Ok(pos)
    }
}

/// The bare word at `pos` (for "expected a value, found 'tru'").
fn describe_word(bytes: &[u8], pos: usize) -> String {
    let end = (pos..bytes.len()).find(|&i| !bytes[i].is_ascii_alphanumeric()).unwrap_or(bytes.len());
    format!("'{}'", String::from_utf8_lossy(&bytes[pos..end.min(pos + 20)]))
}

// ---------------------------------------------------------------------------------------------------------------
// XML

fn index_xml(text: &str) -> Result<Vec<Node>, ScanError> {
    // A byte order mark is skipped here rather than by quick-xml, whose positions would then not count it.
    let base = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut reader = Reader::from_str(&text[base..]);
    reader.config_mut().trim_text(false);
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    // The text run being gathered (text and entity references), flushed before any other event.
    let mut run: Option<(usize, usize)> = None;
    let mut saw_root = false;
    loop {
        let before = base + reader.buffer_position() as usize;
        let event =
            reader.read_event().map_err(|error| (base + reader.error_position() as usize, format!("{error}")))?;
        let after = (base + reader.buffer_position() as usize).min(text.len());
        let parent = stack.last().copied().unwrap_or(NO_PARENT);
        let is_text = matches!(event, Event::Text(_) | Event::GeneralRef(_));
        if !is_text && let Some((start, end)) = run.take() {
            push_text(text, &mut nodes, parent, start, end);
        }
        match event {
            Event::Start(start) | Event::Empty(start) if parent == NO_PARENT && saw_root => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                return Err((before, format!("a second root element <{name}>: XML has only one")));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((before, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                saw_root = true;
                let id = push_element(text, &mut nodes, &start, before, parent)?;
                stack.push(id);
            }
            Event::Empty(start) => {
                saw_root = true;
                let id = push_element(text, &mut nodes, &start, before, parent)?;
                close_node(&mut nodes, id, after);
            }
            Event::End(_) => match stack.pop() {
                Some(id) => close_node(&mut nodes, id, after),
                None => return Err((before, "an end tag without a start tag".into())),
            },
            Event::Text(_) | Event::GeneralRef(_) => {
                if parent == NO_PARENT {
                    let raw = text.get(before..after).unwrap_or("");
                    let leading = raw.len() - raw.trim_start_matches(is_xml_space).len();
                    if leading < raw.len() {
                        return Err((before + leading, "text outside the root element".into()));
                    }
                } else {
                    run = Some(match run {
                        Some((start, _)) => (start, after),
                        None => (before, after),
                    });
                }
            }
            Event::CData(_) if parent == NO_PARENT => {
                return Err((before, "CDATA outside the root element".into()));
            }
            Event::CData(_) => push_leaf(&mut nodes, NodeKind::CData, (0, 0), before, after, parent),
            Event::Comment(_) | Event::PI(_) if parent == NO_PARENT => {}
            Event::Comment(_) => push_leaf(&mut nodes, NodeKind::Comment, (0, 0), before, after, parent),
            Event::PI(pi) => {
                let target = (before as u32 + 2, (before + 2 + pi.target().len()) as u32);
                push_leaf(&mut nodes, NodeKind::ProcessingInstruction, target, before, after, parent);
            }
            Event::Decl(_) | Event::DocType(_) => {}
            Event::Eof => {
                if let Some(&open) = stack.last() {
                    let node = &nodes[open as usize];
                    let name = text.get(node.key_start as usize..node.key_end as usize).unwrap_or("");
                    return Err((node.start as usize, format!("<{name}> is never closed")));
                }
                if !saw_root {
                    return Err((text.len(), "not XML: there is no element".into()));
                }
                return Ok(nodes);
            }
        }
    }
}

fn is_xml_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\r' | '\n')
}

fn add_child(nodes: &mut [Node], parent: u32) {
    if let Some(parent) = nodes.get_mut(parent as usize) {
        parent.child_count += 1;
    }
}

fn push_leaf(nodes: &mut Vec<Node>, kind: NodeKind, key: (u32, u32), start: usize, end: usize, parent: u32) {
    add_child(nodes, parent);
    nodes.push(Node {
        kind,
        key_start: key.0,
        key_end: key.1,
        start: start as u32,
        end: end as u32,
        parent,
        child_count: 0,
        size: 1,
        child_slot: 0,
    });
}

/// A text run as a node, trimmed of surrounding whitespace; nothing for whitespace only.
fn push_text(text: &str, nodes: &mut Vec<Node>, parent: u32, start: usize, end: usize) {
    let raw = text.get(start..end).unwrap_or("");
    let trimmed = raw.trim_matches(is_xml_space);
    if trimmed.is_empty() {
        return;
    }
    let start = start + (raw.len() - raw.trim_start_matches(is_xml_space).len());
    push_leaf(nodes, NodeKind::Text, (0, 0), start, start + trimmed.len(), parent);
}

/// An element node (left open) and its attribute children.
fn push_element(
    text: &str,
    nodes: &mut Vec<Node>,
    start: &BytesStart<'_>,
    at: usize,
    parent: u32,
) -> Result<u32, ScanError> {
    let name_len = start.name().as_ref().len();
    let id = nodes.len() as u32;
    push_leaf(nodes, NodeKind::Element, ((at + 1) as u32, (at + 1 + name_len) as u32), at, at, parent);
    let base = text.as_ptr() as usize;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| (at, format!("bad attribute: {error}")))?;
        // The reader borrows from `text`, so keys and values are slices of it; find them by address.
        let offset_of = |slice: &[u8]| {
            let offset = (slice.as_ptr() as usize).wrapping_sub(base);
            (offset + slice.len() <= text.len()).then_some(offset)
        };
        let key = attribute.key.as_ref();
        let key_span = offset_of(key).map(|offset| (offset as u32, (offset + key.len()) as u32)).unwrap_or((0, 0));
        let (value_start, value_end) = match &attribute.value {
            std::borrow::Cow::Borrowed(value) => {
                offset_of(value).map(|offset| (offset, offset + value.len())).unwrap_or((at, at))
            }
            std::borrow::Cow::Owned(_) => (at, at),
        };
        push_leaf(nodes, NodeKind::Attribute, key_span, value_start, value_end, id);
    }
    Ok(id)
}

fn close_node(nodes: &mut [Node], id: u32, end: usize) {
    let size = nodes.len() as u32 - id;
    if let Some(node) = nodes.get_mut(id as usize) {
        node.end = end as u32;
        node.size = size;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Expansion and rows

/// Which nodes are expanded: a sorted list of node ids, cheap to clone and compare.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    expanded: Vec<NodeId>,
}

impl Expansion {
    /// Only the root expanded: the first view of a large document.
    pub fn root_only(tree: &Tree) -> Expansion {
        Expansion { expanded: vec![tree.root()] }
    }

    /// The root and every container down to `depth` levels (root = 0) expanded, breadth first, skipping containers
    /// whose children would take the visible rows past `max_nodes` (the root is always expanded). The work done is
    /// bounded by the rows shown, not the document's size.
    pub fn to_depth(tree: &Tree, depth: usize, max_nodes: usize) -> Expansion {
        let root = tree.root();
        let mut expanded = vec![root];
        let mut rows = 1 + tree.child_count(root);
        let mut level: Vec<NodeId> = vec![root];
        for _ in 0..depth {
            let mut next = Vec::new();
            for &parent in &level {
                for child in tree.children(parent) {
                    let count = tree.child_count(child);
                    if count > 0 && rows + count <= max_nodes {
                        rows += count;
                        expanded.push(child);
                        next.push(child);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            level = next;
        }
        expanded.sort_unstable();
        Expansion { expanded }
    }

    /// Every container expanded, as far as `max_nodes` visible rows allow (breadth first).
    pub fn expand_all(tree: &Tree, max_nodes: usize) -> Expansion {
        Expansion::to_depth(tree, usize::MAX, max_nodes)
    }

    pub fn is_expanded(&self, node: NodeId) -> bool {
        self.expanded.binary_search(&node).is_ok()
    }

    /// Opens a closed node or closes an open one (its descendants keep their state for when it reopens).
    pub fn toggle(&mut self, node: NodeId) {
        match self.expanded.binary_search(&node) {
            Ok(index) => {
                self.expanded.remove(index);
            }
            Err(index) => self.expanded.insert(index, node),
        }
    }

    /// Expands `node`'s ancestors so that it is visible (for "go to" and search results).
    pub fn reveal(&mut self, tree: &Tree, node: NodeId) {
        let mut current = node;
        while let Some(parent) = tree.parent(current) {
            if !self.is_expanded(parent) {
                self.toggle(parent);
            }
            current = parent;
        }
    }

    /// How many nodes are marked expanded.
    pub fn len(&self) -> usize {
        self.expanded.len()
    }

    pub fn is_empty(&self) -> bool {
        self.expanded.is_empty()
    }
}

/// One line of the tree view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    pub node: NodeId,
    pub depth: usize,
    pub key: String,
    pub preview: String,
    pub kind: NodeKind,
    pub expandable: bool,
    pub expanded: bool,
}

/// The expanded nodes that are actually open on screen (every ancestor expanded too, with children), with how many
/// rows their descendants take. Sorted by id.
struct OpenNodes {
    open: Vec<(NodeId, usize)>,
}

impl OpenNodes {
    fn new(tree: &Tree, expansion: &Expansion) -> OpenNodes {
        let root = tree.root();
        let mut open: Vec<(NodeId, usize)> = Vec::new();
        for &node in &expansion.expanded {
            if (node as usize) >= tree.node_count() || tree.child_count(node) == 0 {
                continue;
            }
            let visible = match tree.parent(node) {
                None => node == root,
                Some(parent) => open.binary_search_by_key(&parent, |&(id, _)| id).is_ok(),
            };
            if visible {
                open.push((node, tree.child_count(node)));
            }
        }
        // Descendants come after their ancestors, so adding in reverse order sums subtrees bottom-up.
        for index in (0..open.len()).rev() {
            let (node, rows) = open[index];
            if let Some(parent) = tree.parent(node)
                && let Ok(parent_index) = open[..index].binary_search_by_key(&parent, |&(id, _)| id)
            {
                open[parent_index].1 += rows;
            }
        }
        OpenNodes { open }
    }

    /// Rows below `node` (0 when closed).
    fn rows_below(&self, node: NodeId) -> usize {
        self.open.binary_search_by_key(&node, |&(id, _)| id).map_or(0, |index| self.open[index].1)
    }
}

/// The number of rows the view has: the root plus the descendants of open nodes.
pub fn visible_row_count(tree: &Tree, expansion: &Expansion) -> usize {
    1 + OpenNodes::new(tree, expansion).rows_below(tree.root())
}

/// The rows with indexes in `range` (clamped to [`visible_row_count`]): the root's subtree in document order without
/// the insides of closed nodes. Runs of closed children and whole open subtrees outside the range are skipped by
/// arithmetic, so the cost follows the expanded nodes and the rows returned, not the document.
pub fn visible_rows(tree: &Tree, expansion: &Expansion, range: Range<usize>, preview_chars: usize) -> Vec<TreeRow> {
    let open = OpenNodes::new(tree, expansion);
    let mut walk = Walk { tree, expansion, open: &open, range, preview_chars, rows: Vec::new() };
    walk.node(tree.root(), 0, 0);
    walk.rows
}

struct Walk<'a> {
    tree: &'a Tree,
    expansion: &'a Expansion,
    open: &'a OpenNodes,
    range: Range<usize>,
    preview_chars: usize,
    rows: Vec<TreeRow>,
}

impl Walk<'_> {
    fn row(&mut self, node: NodeId, depth: usize) {
        let tree = self.tree;
        let expandable = tree.child_count(node) > 0;
        self.rows.push(TreeRow {
            node,
            depth,
            key: tree.key(node),
            preview: tree.preview(node, self.preview_chars),
            kind: tree.kind(node),
            expandable,
            expanded: expandable && self.expansion.is_expanded(node),
        });
    }

    /// Emits the rows of `node`'s block (which starts at row `first`) that fall in the range. Recursion is bounded by
    /// the tree's depth, itself at most [`MAX_DEPTH`].
    fn node(&mut self, node: NodeId, first: usize, depth: usize) {
        if first >= self.range.end {
            return;
        }
        if first >= self.range.start {
            self.row(node, depth);
        }
        let below = self.open.rows_below(node);
        if below == 0 || first + below < self.range.start {
            return;
        }
        let tree = self.tree;
        let children = tree.child_slice(node);
        let end_id = node + tree.node(node).size;
        let open = &self.open.open;
        // The open children of `node`: the open nodes inside its subtree, stepping over each one's own subtree.
        let mut index = open.partition_point(|&(id, _)| id <= node);
        let mut row = first + 1;
        let mut next_child = 0usize;
        while index < open.len() && open[index].0 < end_id {
            let (child, child_rows) = open[index];
            let child_index = children.binary_search(&child).unwrap_or(next_child);
            row = self.closed_children(children, next_child..child_index, row, depth + 1);
            if row >= self.range.end {
                return;
            }
            if row + child_rows >= self.range.start {
                self.node(child, row, depth + 1);
            }
            row += 1 + child_rows;
            next_child = child_index + 1;
            let child_end = child + tree.node(child).size;
            index = open.partition_point(|&(id, _)| id < child_end);
        }
        self.closed_children(children, next_child..children.len(), row, depth + 1);
    }

    /// Emits the in-range rows of a run of closed children starting at row `first`; returns the row after the run.
    fn closed_children(&mut self, children: &[u32], run: Range<usize>, first: usize, depth: usize) -> usize {
        let after = first + run.len();
        let from = self.range.start.max(first);
        let to = self.range.end.min(after);
        for row in from..to {
            if let Some(&child) = children.get(run.start + row - first) {
                self.row(child, depth);
            }
        }
        after
    }
}

mod parts;
pub use parts::{PartsError, TreeParts};
