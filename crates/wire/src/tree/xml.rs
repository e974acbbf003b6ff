//! XML indexed with quick-xml into the tree's flat nodes: elements with their attributes first,
//! then text runs, CDATA, comments, processing instructions and child elements in document order.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{MAX_DEPTH, NO_PARENT, Node, NodeKind, add_child, close_node};
use crate::diagnostic::Diagnostic;

/// The nodes of an XML document, in document order; errors are at a byte offset.
pub(super) fn index_xml(text: &str) -> Result<Vec<Node>, Diagnostic> {
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
        let event = reader
            .read_event()
            .map_err(|error| Diagnostic::at_offset(base + reader.error_position() as usize, format!("{error}")))?;
        let after = (base + reader.buffer_position() as usize).min(text.len());
        let parent = stack.last().copied().unwrap_or(NO_PARENT);
        let is_text = matches!(event, Event::Text(_) | Event::GeneralRef(_));
        if !is_text && let Some((start, end)) = run.take() {
            push_text(text, &mut nodes, parent, start, end);
        }
        match event {
            Event::Start(start) | Event::Empty(start) if parent == NO_PARENT && saw_root => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                return Err(Diagnostic::at_offset(before, format!("a second root element <{name}>: XML has only one")));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Diagnostic::at_offset(before, format!("nesting deeper than {MAX_DEPTH} levels")));
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
                None => return Err(Diagnostic::at_offset(before, "an end tag without a start tag")),
            },
            Event::Text(_) | Event::GeneralRef(_) => {
                if parent == NO_PARENT {
                    let raw = text.get(before..after).unwrap_or("");
                    let leading = raw.len() - raw.trim_start_matches(is_xml_space).len();
                    if leading < raw.len() {
                        return Err(Diagnostic::at_offset(before + leading, "text outside the root element"));
                    }
                } else {
                    run = Some(match run {
                        Some((start, _)) => (start, after),
                        None => (before, after),
                    });
                }
            }
            Event::CData(_) if parent == NO_PARENT => {
                return Err(Diagnostic::at_offset(before, "CDATA outside the root element"));
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
                    return Err(Diagnostic::at_offset(node.start as usize, format!("<{name}> is never closed")));
                }
                if !saw_root {
                    return Err(Diagnostic::at_offset(text.len(), "not XML: there is no element"));
                }
                return Ok(nodes);
            }
        }
    }
}

fn is_xml_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\r' | '\n')
}

fn push_leaf(nodes: &mut Vec<Node>, kind: NodeKind, key: (u32, u32), start: usize, end: usize, parent: u32) {
    add_child(nodes, parent);
    nodes.push(Node::leaf(kind, key, start, end, parent));
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
) -> Result<u32, Diagnostic> {
    let name_len = start.name().as_ref().len();
    let id = nodes.len() as u32;
    push_leaf(nodes, NodeKind::Element, ((at + 1) as u32, (at + 1 + name_len) as u32), at, at, parent);
    let base = text.as_ptr() as usize;
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| Diagnostic::at_offset(at, format!("bad attribute: {error}")))?;
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
