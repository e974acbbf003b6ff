//! A built [`Tree`] as plain arrays of numbers and back, so a tree indexed in a Web Worker can be
//! handed to the page as transferable typed arrays instead of being indexed on the main thread.
//!
//! The arrays come from our own worker, but they are still read defensively: [`Tree::from_parts`]
//! checks every span, parent, child slot and size, so corrupt parts are an error, never a panic
//! later when a row is drawn.

use std::fmt;

use super::{NO_PARENT, Node, NodeKind, Tree};

/// Numbers per node in [`TreeParts::nodes`].
pub const WORDS_PER_NODE: usize = 9;

/// A tree's index without its text: nine `u32` per node and the child table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeParts {
    pub xml: bool,
    /// Per node: kind, key start, key end, start, end, parent, child count, size, child slot.
    pub nodes: Vec<u32>,
    pub child_table: Vec<u32>,
}

/// Why parts could not be read back into a tree: which node, and what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartsError(pub String);

impl fmt::Display for PartsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the tree index is damaged: {}", self.0)
    }
}

impl std::error::Error for PartsError {}

const KINDS: [NodeKind; 12] = [
    NodeKind::Object,
    NodeKind::Array,
    NodeKind::String,
    NodeKind::Number,
    NodeKind::Bool,
    NodeKind::Null,
    NodeKind::Element,
    NodeKind::Text,
    NodeKind::Attribute,
    NodeKind::Comment,
    NodeKind::CData,
    NodeKind::ProcessingInstruction,
];

impl Tree {
    /// The index as numbers; the text stays with the caller (it is sent apart, as bytes).
    pub fn to_parts(&self) -> TreeParts {
        let mut nodes = Vec::with_capacity(self.nodes.len() * WORDS_PER_NODE);
        for node in &self.nodes {
            let kind = KINDS.iter().position(|kind| *kind == node.kind).unwrap_or(0) as u32;
            nodes.extend_from_slice(&[
                kind,
                node.key_start,
                node.key_end,
                node.start,
                node.end,
                node.parent,
                node.child_count,
                node.size,
                node.child_slot,
            ]);
        }
        TreeParts { xml: self.xml, nodes, child_table: self.child_table.clone() }
    }

    /// The tree whose index is `parts` over `text`, after checking that every number in it
    /// points inside the text and the tree. [`PartsReader`] does the same a step at a time.
    pub fn from_parts(text: String, parts: TreeParts) -> Result<Tree, PartsError> {
        let mut reader = PartsReader::new(text, parts)?;
        while !reader.step(usize::MAX)? {}
        reader.finish()
    }
}

/// Reads parts back into a tree a few nodes at a time, so a page can yield between steps (a
/// million nodes take the better part of 100 ms to check in one go).
pub struct PartsReader {
    text: String,
    xml: bool,
    words: Vec<u32>,
    child_table: Vec<u32>,
    nodes: Vec<Node>,
}

impl PartsReader {
    pub fn new(text: String, parts: TreeParts) -> Result<PartsReader, PartsError> {
        let TreeParts { xml, nodes: words, child_table } = parts;
        if words.is_empty() || words.len() % WORDS_PER_NODE != 0 {
            return Err(PartsError(format!("{} numbers do not make whole nodes", words.len())));
        }
        let nodes = Vec::with_capacity(words.len() / WORDS_PER_NODE);
        Ok(PartsReader { text, xml, words, child_table, nodes })
    }

    /// Checks and reads up to `max_nodes` more nodes; `true` once every node is read.
    pub fn step(&mut self, max_nodes: usize) -> Result<bool, PartsError> {
        let count = self.words.len() / WORDS_PER_NODE;
        let first = self.nodes.len();
        let last = first.saturating_add(max_nodes).min(count);
        for id in first..last {
            let word = &self.words[id * WORDS_PER_NODE..(id + 1) * WORDS_PER_NODE];
            let node = read_node(id, word, &self.text, count, self.child_table.len())?;
            self.nodes.push(node);
        }
        Ok(self.nodes.len() == count)
    }

    /// The tree, once [`step`](Self::step) has read every node; the child table and the root
    /// are checked here.
    pub fn finish(self) -> Result<Tree, PartsError> {
        let PartsReader { text, xml, words, child_table, nodes } = self;
        let count = words.len() / WORDS_PER_NODE;
        if nodes.len() != count {
            return Err(PartsError(format!("{} of {count} nodes were read", nodes.len())));
        }
        if let Some(child) = child_table.iter().find(|child| **child as usize >= count || **child == 0) {
            return Err(PartsError(format!("the child table names node {child}, which cannot be a child")));
        }
        if nodes[0].parent != NO_PARENT || nodes[0].size as usize != count {
            return Err(PartsError("node 0 is not the root of every node".to_owned()));
        }
        Ok(Tree { text, xml, nodes, child_table })
    }
}

fn read_node(id: usize, word: &[u32], text: &str, count: usize, table_len: usize) -> Result<Node, PartsError> {
    let damaged = |what: &str| PartsError(format!("node {id}: {what}"));
    let [kind, key_start, key_end, start, end, parent, child_count, size, child_slot] =
        <[u32; WORDS_PER_NODE]>::try_from(word).map_err(|_| damaged("too few numbers"))?;
    let kind = *KINDS.get(kind as usize).ok_or_else(|| damaged("unknown kind"))?;
    let span_fits =
        |from: u32, to: u32| from <= to && text.is_char_boundary(from as usize) && text.is_char_boundary(to as usize);
    if !span_fits(start, end) {
        return Err(damaged("its span is not inside the text"));
    }
    // Keys are not checked: array items keep their index there, and keys are read with `get`.
    if parent != NO_PARENT && parent as usize >= id {
        return Err(damaged("its parent does not come before it"));
    }
    if size == 0 || id + size as usize > count {
        return Err(damaged("its size reaches past the last node"));
    }
    if child_slot as usize + child_count as usize > table_len {
        return Err(damaged("its children are past the end of the child table"));
    }
    Ok(Node { kind, key_start, key_end, start, end, parent, child_count, size, child_slot })
}
