//! Which rows a tree shows: the [`Expansion`] (which nodes are open) and the rows in a range,
//! computed in time proportional to the open nodes and the rows asked for, not the document.

use std::ops::Range;

use super::{NodeId, NodeKind, Tree};

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
    /// the tree's depth, itself at most [`MAX_DEPTH`](super::MAX_DEPTH).
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
