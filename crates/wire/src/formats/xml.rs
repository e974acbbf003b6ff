//! XML through quick-xml, with a documented mapping to the document model, so documents can move
//! between XML and the other formats and each byte of the XML is tied to its field.
//!
//! # The mapping
//!
//! | document model                     | XML                                                      |
//! |------------------------------------|----------------------------------------------------------|
//! | the document                       | the root element, written `<document>`                   |
//! | a map                              | child elements named by the keys, in order               |
//! | an array that is a map's value     | the element repeated, one per item, all with the key's name |
//! | any other array (root, in an array)| child elements `<item>`, one per item                     |
//! | key `@name` with a scalar value    | attribute `name="…"`                                     |
//! | key `#text` with a scalar value    | text content beside the attributes and child elements    |
//! | string, integer, float, bool       | text: `Ada`, `36`, `1.5`, `true`; floats keep a `.` or exponent (`2.0`), non-finite ones are `NaN`, `INF`, `-INF` |
//! | null                               | empty element with `nil="true"`                          |
//! | bytes                              | base64 text                                              |
//!
//! Reading any XML: an element with neither attributes nor child elements is a scalar (its text,
//! exactly as written, entities and CDATA decoded); otherwise it is a map: attributes first as
//! `@name`, then child elements and text pieces in document order, where elements of the same name
//! (and several text pieces) gather into one array at the place of the first. Text beside child
//! elements is trimmed and whitespace-only text between elements is ignored. Scalars are typed by
//! their text: `true`/`false`, integers in the 64-bit range (`-?(0|[1-9][0-9]*)`), JSON-style
//! decimals and `NaN`/`INF`/`-INF` become bools, integers and floats; anything else stays text.
//! Namespace prefixes stay part of the names (`soap:Body`, `@xmlns:soap`); comments, processing
//! instructions, the XML declaration and DOCTYPE are skipped. The root element's name is not part
//! of the document (a name other than `document` is reported as a loss).
//!
//! # What XML cannot carry (reported as losses on encoding)
//!
//! - Types: the string `"36"` reads back as the integer 36 (and `"true"` as a bool, ...).
//! - Arrays: an empty array vanishes, a one-item array reads back as its item, and an array that
//!   is not a map's value (at the root or inside an array) reads back as a map with an `item` key.
//! - Maps: an empty map reads back as the empty string; a map of only `#text` as its text; a key
//!   that appears twice (or keys that become the same element name) read back as one array; `@`
//!   keys move before the elements; `{"@nil": "true"}` alone reads back as null.
//! - Names: keys that are not XML names are rewritten (`first name` → `first_name`, `1st` → `_1st`).
//! - Text: bytes become base64 text; NUL cannot be written (U+FFFD instead); other control
//!   characters are written as character references XML 1.0 does not allow; `#text` beside child
//!   elements loses its leading and trailing whitespace; integers beyond the 64-bit range read
//!   back as text.
//!
//! # Byte maps
//!
//! Element names (start and end tag) and attribute names are [`Role::Key`] spans with the path of
//! their field, text and attribute values are [`Role::Value`], and `<`, `>`, `</`, `/>`, `=`,
//! quotes, comments and declarations are [`Role::Structure`] with the path of the element they
//! are in. Whitespace between markup is unmapped.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use quick_xml::Reader;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

use super::json::{Style, key_text};
use super::text_writer::TextWriter;
use super::{
    ByteMap, Decoded, Encoded, Entry, Format, FormatError, Loss, MAX_NESTING, Node, Path, Role, Span, Value,
    with_article,
};

/// The root element's name when encoding.
pub const ROOT: &str = "document";

pub fn parse(text: &str) -> Result<Decoded, FormatError> {
    let root = read_tree(text)?;
    let mut builder = Builder { map: ByteMap::new(), losses: Vec::new() };
    if root.element.name != ROOT {
        builder.losses.push(Loss::new(
            &Path::root(),
            format!("the root element's name `{}` is not part of the document", root.element.name),
        ));
    }
    for span in &root.outside {
        builder.map.push(span.offset, span.len, Role::Structure, &Path::root(), "outside the root element");
    }
    let document = builder.node(root.element, &Path::root());
    Ok(Decoded { format: Format::Xml, document, map: builder.map.finish(), losses: builder.losses })
}

pub fn encode(document: &Node, style: Style) -> Encoded {
    let mut writer = Writer { text: TextWriter::new(style) };
    writer.element(ROOT, document, &Path::root(), 0, 0);
    if style == Style::Pretty {
        writer.text.out.push('\n');
    }
    writer.text.finish(Format::Xml)
}

/// A value as XML text, typed on reading: what a scalar element or attribute holds.
pub fn infer(text: &str) -> Value {
    match text {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "NaN" => return Value::Float(f64::NAN),
        "INF" => return Value::Float(f64::INFINITY),
        "-INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match number_shape(text) {
        Some(true) => match (text.parse::<i64>(), text.parse::<u64>()) {
            (Ok(integer), _) => Value::Integer(integer.into()),
            (_, Ok(integer)) => Value::Integer(integer.into()),
            _ => Value::String(text.to_owned()),
        },
        Some(false) => match text.parse::<f64>() {
            Ok(float) if float.is_finite() => Value::Float(float),
            _ => Value::String(text.to_owned()),
        },
        None => Value::String(text.to_owned()),
    }
}

/// `Some(true)` for a JSON integer, `Some(false)` for a JSON number with a fraction or exponent.
fn number_shape(text: &str) -> Option<bool> {
    let bytes = text.as_bytes();
    let mut position = usize::from(bytes.first() == Some(&b'-'));
    let digits = |position: &mut usize| {
        let start = *position;
        while bytes.get(*position).is_some_and(u8::is_ascii_digit) {
            *position += 1;
        }
        *position - start
    };
    let integer_start = position;
    let integer_digits = digits(&mut position);
    if integer_digits == 0 || (integer_digits > 1 && bytes[integer_start] == b'0') {
        return None;
    }
    let mut integral = true;
    if bytes.get(position) == Some(&b'.') {
        position += 1;
        if digits(&mut position) == 0 {
            return None;
        }
        integral = false;
    }
    if matches!(bytes.get(position), Some(b'e' | b'E')) {
        position += 1;
        if matches!(bytes.get(position), Some(b'+' | b'-')) {
            position += 1;
        }
        if digits(&mut position) == 0 {
            return None;
        }
        integral = false;
    }
    (position == bytes.len()).then_some(integral)
}

/// Whether `name` can be an element or attribute name as it is.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.' | ':'))
}

/// A key made into an XML name: invalid characters become `_`, and a name that cannot start as
/// it is gets a `_` in front.
fn escape_name(key: &str) -> String {
    let mut name: String = key
        .chars()
        .map(|ch| if ch.is_alphanumeric() || matches!(ch, '_' | '-' | '.' | ':') { ch } else { '_' })
        .collect();
    if !name.chars().next().is_some_and(|first| first.is_alphabetic() || first == '_') {
        name.insert(0, '_');
    }
    name
}

// ---- Reading: quick-xml events into a tree of elements with spans ----

struct Element {
    name: String,
    name_span: Span,
    end_name_span: Option<Span>,
    span: Span,
    attributes: Vec<Attribute>,
    content: Vec<Content>,
    /// Markup with no data in it: angle brackets, `=`, quotes, comments.
    structure: Vec<Span>,
}

struct Attribute {
    name: String,
    name_span: Span,
    value: String,
    value_span: Span,
    /// `=` and the two quotes.
    structure: Vec<Span>,
}

enum Content {
    Element(Element),
    Text { text: String, spans: Vec<Span> },
}

struct Tree {
    element: Element,
    /// Declarations, comments and processing instructions outside the root element.
    outside: Vec<Span>,
}

/// Where `part` (a slice of `text`) starts in `text`.
fn offset_in(text: &str, part: &[u8]) -> Option<usize> {
    let base = text.as_ptr() as usize;
    let start = part.as_ptr() as usize;
    (start >= base && start + part.len() <= base + text.len()).then(|| start - base)
}

fn read_tree(text: &str) -> Result<Tree, FormatError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut outside = Vec::new();
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|error| FormatError::in_text(text, reader.error_position() as usize, error.to_string()))?;
        let after = reader.buffer_position() as usize;
        let span = Span::new(before, after - before);
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() && stack.is_empty() => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                return Err(FormatError::in_text(
                    text,
                    before,
                    format!("a second root element <{name}>: XML has one root"),
                ));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_NESTING {
                    return Err(FormatError::in_text(text, before, format!("nested deeper than {MAX_NESTING} levels")));
                }
                stack.push(open_element(text, &reader, &start, span, false)?);
            }
            Event::Empty(start) => {
                let element = open_element(text, &reader, &start, span, true)?;
                close(element, &mut stack, &mut root);
            }
            Event::End(end) => {
                let Some(mut element) = stack.pop() else {
                    return Err(FormatError::in_text(text, before, "an end tag with no start tag"));
                };
                let name_len = end.name().as_ref().len();
                element.structure.push(Span::new(before, 2));
                element.end_name_span = Some(Span::new(before + 2, name_len));
                element.structure.push(Span::new(before + 2 + name_len, after - (before + 2 + name_len)));
                element.span = Span::new(element.span.offset, after - element.span.offset);
                close(element, &mut stack, &mut root);
            }
            Event::Text(raw) => {
                let content =
                    raw.xml10_content().map_err(|error| FormatError::in_text(text, before, error.to_string()))?;
                add_text(text, &mut stack, &content, span, before)?;
            }
            Event::CData(raw) => {
                let content =
                    raw.xml10_content().map_err(|error| FormatError::in_text(text, before, error.to_string()))?;
                let inner = Span::new(before + 9, span.len.saturating_sub(12));
                add_text(text, &mut stack, &content, inner, before)?;
                if let Some(element) = stack.last_mut() {
                    element.structure.push(Span::new(before, 9));
                    element.structure.push(Span::new(inner.end(), 3));
                }
            }
            Event::GeneralRef(reference) => {
                let name = String::from_utf8_lossy(&reference).into_owned();
                let character = match reference.resolve_char_ref() {
                    Ok(Some(character)) => character,
                    Ok(None) => match name.as_str() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => return Err(FormatError::in_text(text, before, format!("unknown entity &{name};"))),
                    },
                    Err(error) => return Err(FormatError::in_text(text, before, error.to_string())),
                };
                add_text(text, &mut stack, &character.to_string(), span, before)?;
            }
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => match stack.last_mut() {
                Some(element) => element.structure.push(span),
                None => outside.push(span),
            },
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(FormatError::in_text(text, text.len(), format!("<{}> is never closed", open.name)));
    }
    match root {
        Some(element) => Ok(Tree { element, outside }),
        None => Err(FormatError::in_text(text, text.len(), "no root element")),
    }
}

fn close(element: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.content.push(Content::Element(element)),
        None => *root = Some(element),
    }
}

/// Adds decoded text to the open element, joining it to text just before it.
fn add_text(text: &str, stack: &mut [Element], content: &str, span: Span, before: usize) -> Result<(), FormatError> {
    let Some(element) = stack.last_mut() else {
        return match content.find(|ch: char| !ch.is_whitespace()) {
            Some(offset) => Err(FormatError::in_text(text, before + offset, "text outside the root element")),
            None => Ok(()),
        };
    };
    match element.content.last_mut() {
        Some(Content::Text { text, spans }) => {
            text.push_str(content);
            spans.push(span);
        }
        _ => element.content.push(Content::Text { text: content.to_owned(), spans: vec![span] }),
    }
    Ok(())
}

fn open_element(
    text: &str,
    reader: &Reader<&[u8]>,
    start: &BytesStart<'_>,
    span: Span,
    empty: bool,
) -> Result<Element, FormatError> {
    let name_bytes = start.name().into_inner();
    let name = String::from_utf8_lossy(name_bytes).into_owned();
    let name_offset = offset_in(text, name_bytes).unwrap_or(span.offset + 1);
    let closing = if empty { 2 } else { 1 };
    let mut element = Element {
        name,
        name_span: Span::new(name_offset, name_bytes.len()),
        end_name_span: None,
        span,
        attributes: Vec::new(),
        content: Vec::new(),
        structure: vec![Span::new(span.offset, 1), Span::new(span.end().saturating_sub(closing), closing)],
    };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| {
            let position = match error {
                AttrError::ExpectedEq(position)
                | AttrError::ExpectedValue(position)
                | AttrError::UnquotedValue(position)
                | AttrError::ExpectedQuote(position, _)
                | AttrError::Duplicated(position, _) => position,
            };
            FormatError::in_text(text, name_offset + position, error.to_string())
        })?;
        let key = attribute.key.into_inner();
        let key_offset = offset_in(text, key).unwrap_or(name_offset);
        let raw_value: &[u8] = &attribute.value;
        let value_offset = offset_in(text, raw_value).unwrap_or(key_offset + key.len());
        let value = attribute
            .decode_and_unescape_value(reader.decoder())
            .map_err(|error| FormatError::in_text(text, value_offset, error.to_string()))?
            .into_owned();
        let key_end = key_offset + key.len();
        let equals = text.as_bytes()[key_end.min(value_offset)..value_offset]
            .iter()
            .position(|&byte| byte == b'=')
            .map_or(key_end, |position| key_end + position);
        element.attributes.push(Attribute {
            name: String::from_utf8_lossy(key).into_owned(),
            name_span: Span::new(key_offset, key.len()),
            value,
            value_span: Span::new(value_offset, raw_value.len()),
            structure: vec![
                Span::new(equals, 1),
                Span::new(value_offset.saturating_sub(1), 1),
                Span::new(value_offset + raw_value.len(), 1),
            ],
        });
    }
    Ok(element)
}

// ---- Reading: the element tree into the document model ----

struct Builder {
    map: ByteMap,
    losses: Vec<Loss>,
}

impl Builder {
    fn markup(&mut self, element: &Element, path: &Path) {
        for span in &element.structure {
            self.map.push(span.offset, span.len, Role::Structure, path, "markup");
        }
        self.map.push(element.name_span.offset, element.name_span.len, Role::Key, path, "start tag name");
        if let Some(end) = element.end_name_span {
            self.map.push(end.offset, end.len, Role::Key, path, "end tag name");
        }
    }

    fn node(&mut self, element: Element, path: &Path) -> Node {
        self.markup(&element, path);
        let span = element.span;
        let has_children = element.content.iter().any(|content| matches!(content, Content::Element(_)));
        if element.attributes.is_empty() && !has_children {
            let mut whole = String::new();
            for content in element.content {
                if let Content::Text { text, spans } = content {
                    whole.push_str(&text);
                    self.text_spans(&spans, path);
                }
            }
            return Node::with_span(infer(&whole), span);
        }
        let is_nil = !has_children
            && element.attributes.len() == 1
            && element.attributes[0].name == "nil"
            && element.attributes[0].value == "true"
            && element
                .content
                .iter()
                .all(|content| matches!(content, Content::Text { text, .. } if text.trim().is_empty()));
        if is_nil {
            let attribute = &element.attributes[0];
            for span in attribute.structure.iter().chain([&attribute.name_span]) {
                self.map.push(span.offset, span.len, Role::Structure, path, "nil marker");
            }
            self.map.push(attribute.value_span.offset, attribute.value_span.len, Role::Value, path, "null");
            return Node::with_span(Value::Null, span);
        }
        let mut entries = Vec::new();
        for attribute in element.attributes {
            let key = format!("@{}", attribute.name);
            let attribute_path = path.key(&key);
            for structure in &attribute.structure {
                self.map.push(structure.offset, structure.len, Role::Structure, path, "attribute markup");
            }
            self.map.push(
                attribute.name_span.offset,
                attribute.name_span.len,
                Role::Key,
                &attribute_path,
                "attribute name",
            );
            self.map.push(
                attribute.value_span.offset,
                attribute.value_span.len,
                Role::Value,
                &attribute_path,
                "attribute value",
            );
            entries.push(Entry {
                key,
                key_span: Some(attribute.name_span),
                value: Node::with_span(infer(&attribute.value), attribute.value_span),
            });
        }
        let mut counts: HashMap<String, usize> = HashMap::new();
        for content in &element.content {
            if let Some(key) = content_key(content, has_children) {
                *counts.entry(key).or_default() += 1;
            }
        }
        let mut slots: HashMap<String, usize> = HashMap::new();
        for content in element.content {
            let Some(key) = content_key(&content, has_children) else { continue };
            let repeated = counts.get(&key).copied().unwrap_or(0) > 1;
            let slot = slots.get(&key).copied();
            let item_path = match (repeated, slot) {
                (false, _) => path.key(&key),
                (true, Some(slot)) => match &entries[slot] {
                    Entry { value: Node { value: Value::Array(items), .. }, .. } => path.key(&key).index(items.len()),
                    _ => path.key(&key),
                },
                (true, None) => path.key(&key).index(0),
            };
            let (item, key_span) = match content {
                Content::Element(child) => {
                    let key_span = child.name_span;
                    (self.node(child, &item_path), key_span)
                }
                Content::Text { text, spans } => {
                    self.text_spans(&spans, &item_path);
                    let text = if has_children { text.trim() } else { text.as_str() };
                    let covering = match (spans.first(), spans.last()) {
                        (Some(first), Some(last)) => Span::new(first.offset, last.end() - first.offset),
                        _ => Span::default(),
                    };
                    (Node::with_span(infer(text), covering), covering)
                }
            };
            match (repeated, slot) {
                (false, _) => entries.push(Entry { key, key_span: Some(key_span), value: item }),
                (true, Some(slot)) => {
                    if let Some(Entry { value: Node { value: Value::Array(items), span: Some(array_span) }, .. }) =
                        entries.get_mut(slot)
                    {
                        if let Some(item_span) = item.span {
                            *array_span = Span::new(array_span.offset, item_span.end() - array_span.offset);
                        }
                        items.push(item);
                    }
                }
                (true, None) => {
                    slots.insert(key.clone(), entries.len());
                    let array_span = item.span.unwrap_or_default();
                    entries.push(Entry {
                        key,
                        key_span: Some(key_span),
                        value: Node::with_span(Value::Array(vec![item]), array_span),
                    });
                }
            }
        }
        Node::with_span(Value::Map(entries), span)
    }

    fn text_spans(&mut self, spans: &[Span], path: &Path) {
        for span in spans {
            self.map.push(span.offset, span.len, Role::Value, path, "text");
        }
    }
}

/// The key a piece of an element's content goes under, or `None` for text that is ignored
/// (whitespace between child elements).
fn content_key(content: &Content, has_children: bool) -> Option<String> {
    match content {
        Content::Element(child) => Some(child.name.clone()),
        Content::Text { text, .. } if has_children && text.trim().is_empty() => None,
        Content::Text { .. } => Some("#text".to_owned()),
    }
}

// ---- Writing ----

struct Writer {
    text: TextWriter,
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Map(_))
}

impl Writer {
    /// A scalar as text to write, with what reading it back would lose.
    fn scalar_text(&mut self, value: &Value, path: &Path) -> String {
        match value {
            Value::Null => String::new(),
            Value::Bool(flag) => flag.to_string(),
            Value::Integer(integer) => {
                if !matches!(infer(&integer.to_string()), Value::Integer(_)) {
                    self.text.loss(path, format!("{integer} is beyond the 64-bit range: it reads back as text"));
                }
                integer.to_string()
            }
            Value::Float(float) if float.is_nan() => "NaN".to_owned(),
            Value::Float(float) if float.is_infinite() => if *float > 0.0 { "INF" } else { "-INF" }.to_owned(),
            Value::Float(float) => format!("{float:?}"),
            Value::String(text) => {
                let read_back = infer(text);
                if !matches!(read_back, Value::String(_)) {
                    self.text
                        .loss(path, format!("the string {text:?} reads back as {}", with_article(read_back.kind())));
                }
                text.clone()
            }
            Value::Bytes(bytes) => {
                self.text.loss(path, "XML has no bytes: written as base64 text");
                STANDARD.encode(bytes)
            }
            Value::Array(_) | Value::Map(_) => key_text(value),
        }
    }

    fn escaped(&mut self, text: &str, in_attribute: bool, path: &Path) -> String {
        let mut out = String::with_capacity(text.len());
        for ch in text.chars() {
            match ch {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' if in_attribute => out.push_str("&quot;"),
                '\r' => out.push_str("&#13;"),
                '\n' | '\t' if in_attribute => out.push_str(&format!("&#{};", ch as u32)),
                '\0' => {
                    self.text.loss(path, "XML cannot hold NUL: written as U+FFFD");
                    out.push(char::REPLACEMENT_CHARACTER);
                }
                control if control.is_control() && (control as u32) < 0x20 && !matches!(control, '\n' | '\t') => {
                    self.text.loss(
                        path,
                        format!("XML 1.0 does not allow U+{:04X}: written as a character reference", control as u32),
                    );
                    out.push_str(&format!("&#{};", control as u32));
                }
                other => out.push(other),
            }
        }
        out
    }

    /// `<name>…</name>` for `node`, with `path` the node's path.
    fn element(&mut self, name: &str, node: &Node, path: &Path, indent: usize, nesting: usize) {
        match &node.value {
            Value::Null => {
                self.text.push("<", Role::Structure, path, "markup");
                self.text.push(name, Role::Key, path, "start tag name");
                self.text.out.push(' ');
                self.text.push("nil", Role::Structure, path, "nil marker");
                self.text.push("=\"", Role::Structure, path, "nil marker");
                self.text.push("true", Role::Value, path, "null");
                self.text.push("\"/>", Role::Structure, path, "markup");
            }
            Value::String(text) if text.is_empty() => {
                self.text.push("<", Role::Structure, path, "markup");
                self.text.push(name, Role::Key, path, "start tag name");
                self.text.push("/>", Role::Structure, path, "markup");
            }
            value if is_scalar(value) => {
                let text = self.scalar_text(value, path);
                let text = self.escaped(&text, false, path);
                self.start_tag(name, path, &[], false);
                self.text.push(&text, Role::Value, path, "text");
                self.end_tag(name, path);
            }
            Value::Array(_) | Value::Map(_) if nesting >= MAX_NESTING => {
                self.text.add_loss(Loss::too_deep(path, "null"));
                self.element(name, &Node::new(Value::Null), path, indent, nesting);
            }
            Value::Array(items) => {
                self.text.loss(
                    path,
                    "an array that is not a map's value is written as <item> elements: it reads back as a map",
                );
                self.start_tag(name, path, &[], items.is_empty());
                if !items.is_empty() {
                    for (index, item) in items.iter().enumerate() {
                        self.text.newline(indent + 1);
                        self.element("item", item, &path.index(index), indent + 1, nesting + 1);
                    }
                    self.text.newline(indent);
                    self.end_tag(name, path);
                }
            }
            Value::Map(entries) => self.map_element(name, entries, path, indent, nesting),
            _ => {}
        }
    }

    fn map_element(&mut self, name: &str, entries: &[Entry], path: &Path, indent: usize, nesting: usize) {
        let mut attributes: Vec<(String, String, Path)> = Vec::new();
        let mut children: Vec<(String, &Entry)> = Vec::new();
        let mut text: Option<&Entry> = None;
        for entry in entries {
            let entry_path = path.key(&entry.key);
            if let Some(attribute) = entry.key.strip_prefix('@')
                && is_scalar(&entry.value.value)
            {
                let mut attribute_name = attribute.to_owned();
                if !is_name(attribute) {
                    attribute_name = escape_name(attribute);
                    self.text.loss(
                        &entry_path,
                        format!("{:?} is not an XML name: written as `{attribute_name}`", entry.key),
                    );
                }
                if attributes.iter().any(|(existing, _, _)| *existing == attribute_name) {
                    self.text.loss(&entry_path, "an attribute can appear once: this one is left out");
                    continue;
                }
                if !children.is_empty() || text.is_some() {
                    self.text.loss(&entry_path, "attributes come first in XML: it moves before the elements");
                }
                if entry.value.value == Value::Null {
                    self.text.loss(&entry_path, "a null attribute reads back as an empty string");
                }
                let value = self.scalar_text(&entry.value.value, &entry_path);
                attributes.push((attribute_name, value, entry_path));
            } else if entry.key == "#text" && is_scalar(&entry.value.value) && text.is_none() {
                text = Some(entry);
            } else {
                let child_name = if is_name(&entry.key) {
                    entry.key.clone()
                } else {
                    let escaped = escape_name(&entry.key);
                    self.text.loss(&entry_path, format!("{:?} is not an XML name: written as <{escaped}>", entry.key));
                    escaped
                };
                if children.iter().any(|(existing, _)| *existing == child_name) {
                    self.text.loss(
                        &entry_path,
                        format!("<{child_name}> appears more than once: it reads back as one array"),
                    );
                }
                children.push((child_name, entry));
            }
        }
        if attributes.len() == 1
            && attributes[0].0 == "nil"
            && attributes[0].1 == "true"
            && children.is_empty()
            && text.is_none()
        {
            self.text.loss(path, "a lone nil=\"true\" attribute reads back as null");
        }
        if entries.is_empty() {
            self.text.loss(path, "an empty map reads back as an empty string");
        } else if attributes.is_empty() && children.is_empty() {
            self.text.loss(path, "a map holding only #text reads back as its text");
        }
        let is_empty =
            children.is_empty() && text.is_none_or(|entry| entry.value.value == Value::String(String::new()));
        if let Some(entry) = text
            && is_empty
        {
            self.text.loss(&path.key(&entry.key), "empty text vanishes");
        }
        self.start_tag(name, path, &attributes, is_empty);
        if is_empty {
            return;
        }
        let mut wrote_child = false;
        for entry in entries {
            if text.is_some_and(|text| std::ptr::eq(text, entry)) {
                let entry_path = path.key(&entry.key);
                let raw = self.scalar_text(&entry.value.value, &entry_path);
                if !children.is_empty() {
                    if raw.trim() != raw || raw.is_empty() {
                        self.text.loss(&entry_path, "text beside elements is trimmed when read");
                    }
                    self.text.newline(indent + 1);
                }
                let escaped = self.escaped(&raw, false, &entry_path);
                self.text.push(&escaped, Role::Value, &entry_path, "text");
            } else if let Some((child_name, _)) = children.iter().find(|(_, child)| std::ptr::eq(*child, entry)) {
                let child_name = child_name.clone();
                let entry_path = path.key(&entry.key);
                match &entry.value.value {
                    Value::Array(items) => {
                        match items.len() {
                            0 => self.text.loss(&entry_path, "an empty array vanishes"),
                            1 => self.text.loss(&entry_path, "a one-item array reads back as its item"),
                            _ => {}
                        }
                        for (index, item) in items.iter().enumerate() {
                            self.text.newline(indent + 1);
                            self.element(&child_name, item, &entry_path.index(index), indent + 1, nesting + 1);
                        }
                    }
                    _ => {
                        self.text.newline(indent + 1);
                        self.element(&child_name, &entry.value, &entry_path, indent + 1, nesting + 1);
                    }
                }
                wrote_child = true;
            }
        }
        if wrote_child {
            self.text.newline(indent);
        }
        self.end_tag(name, path);
    }

    fn start_tag(&mut self, name: &str, path: &Path, attributes: &[(String, String, Path)], empty: bool) {
        self.text.push("<", Role::Structure, path, "markup");
        self.text.push(name, Role::Key, path, "start tag name");
        for (attribute, value, attribute_path) in attributes {
            self.text.out.push(' ');
            self.text.push(attribute, Role::Key, attribute_path, "attribute name");
            self.text.push("=\"", Role::Structure, path, "attribute markup");
            let escaped = self.escaped(value, true, attribute_path);
            self.text.push(&escaped, Role::Value, attribute_path, "attribute value");
            self.text.push("\"", Role::Structure, path, "attribute markup");
        }
        self.text.push(if empty { "/>" } else { ">" }, Role::Structure, path, "markup");
    }

    fn end_tag(&mut self, name: &str, path: &Path) {
        self.text.push("</", Role::Structure, path, "markup");
        self.text.push(name, Role::Key, path, "end tag name");
        self.text.push(">", Role::Structure, path, "markup");
    }
}
