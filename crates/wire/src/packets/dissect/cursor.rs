//! The walk over one frame's bytes that every layer reader shares: a cursor that takes bytes,
//! names them in the document and in the byte map at once, and stops with a [`FormatError`] at
//! the byte where the frame ends early. Containers (a layer, a flags byte, an options list) are
//! opened and closed around a closure, so a layer stopped by an error still shows what it read.

use crate::formats::{ByteMap, Entry, FormatError, Node, Path, Role, Span, Value};

pub(super) type Walk<T = ()> = Result<T, FormatError>;

/// A map or a list being filled.
struct Container {
    key: String,
    path: Path,
    start: usize,
    list: bool,
    entries: Vec<Entry>,
    items: Vec<Node>,
}

impl Container {
    /// The path of the next child called `key` (lists number their children instead).
    fn child_path(&self, key: &str) -> Path {
        if self.list { self.path.index(self.items.len()) } else { self.path.key(key) }
    }

    fn add(&mut self, key: &str, node: Node) {
        if self.list {
            self.items.push(node);
        } else {
            self.entries.push(Entry::new(key, node));
        }
    }
}

/// The cursor over one frame: the layers read so far (the document's top-level entries) and the
/// byte map of everything they named.
pub(super) struct Cursor<'b> {
    pub bytes: &'b [u8],
    pub pos: usize,
    /// Where the innermost thing being read ends (a layer's length, the frame's end).
    pub end: usize,
    stack: Vec<Container>,
    pub map: ByteMap,
}

impl<'b> Cursor<'b> {
    pub fn new(bytes: &'b [u8]) -> Cursor<'b> {
        let root = Container {
            key: String::new(),
            path: Path::root(),
            start: 0,
            list: false,
            entries: Vec::new(),
            items: Vec::new(),
        };
        Cursor { bytes, pos: 0, end: bytes.len(), stack: vec![root], map: ByteMap::new() }
    }

    /// The document (every layer read) and the byte map.
    pub fn finish(mut self) -> (Node, ByteMap) {
        while self.stack.len() > 1 {
            self.close();
        }
        let root = self.stack.pop().map(|root| root.entries).unwrap_or_default();
        let span = Span::new(0, self.pos.min(self.bytes.len()));
        (Node::with_span(Value::Map(root), span), self.map.finish())
    }

    fn top(&self) -> &Container {
        // The root is never popped before `finish`.
        &self.stack[self.stack.len() - 1]
    }

    fn top_mut(&mut self) -> &mut Container {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// The path a child `key` of the container being filled gets.
    pub fn path(&self, key: &str) -> Path {
        self.top().child_path(key)
    }

    pub fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    /// An error at byte `at` of the frame.
    pub fn error_at(&self, at: usize, message: impl Into<String>) -> FormatError {
        FormatError::at_offset(at, message)
    }

    /// Moves past `n` bytes and returns where they start, or says where the bytes ran out.
    pub fn take(&mut self, n: usize, what: &str) -> Walk<usize> {
        let start = self.pos;
        if n > self.remaining() {
            let given = self.remaining();
            let message = if self.end < self.bytes.len() {
                format!("{what} needs {n} bytes, but only {given} are left in this layer")
            } else {
                format!("the bytes end here: {what} needs {n} bytes, {given} are given")
            };
            return Err(self.error_at(start, message));
        }
        self.pos += n;
        Ok(start)
    }

    pub fn u8_at(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    pub fn u16_at(&self, at: usize) -> u16 {
        u16::from_be_bytes([self.u8_at(at), self.u8_at(at + 1)])
    }

    pub fn slice(&self, at: usize, len: usize) -> &'b [u8] {
        let bytes: &'b [u8] = self.bytes;
        bytes.get(at..at + len).unwrap_or(&[])
    }

    /// Adds a field whose bytes were already taken at `at`.
    pub fn put(&mut self, key: &str, at: usize, len: usize, role: Role, value: Value, detail: impl Into<String>) {
        let path = self.path(key);
        self.map.push(at, len, role, &path, detail);
        self.top_mut().add(key, Node::with_span(value, Span::new(at, len)));
    }

    /// A checksum field already taken at `at`, with its verdict (`0x1c46 (correct)`).
    pub fn checksum(&mut self, key: &str, at: usize, verdict: String) {
        let detail = format!("{} {verdict}", key.replace('_', " "));
        self.put(key, at, 2, Role::Value, Value::String(verdict), detail);
    }

    /// Maps bytes with no data in them (line breaks, separators) to the container being filled.
    pub fn structure(&mut self, at: usize, len: usize, detail: impl Into<String>) {
        let path = self.top().path.clone();
        self.map.push(at, len, Role::Structure, &path, detail);
    }

    /// Takes `len` bytes as one field.
    pub fn field(
        &mut self,
        key: &str,
        len: usize,
        role: Role,
        value: impl FnOnce(&[u8]) -> Value,
        detail: impl FnOnce(&Value) -> String,
    ) -> Walk<usize> {
        let at = self.take(len, key)?;
        let value = value(self.slice(at, len));
        let detail = detail(&value);
        self.put(key, at, len, role, value, detail);
        Ok(at)
    }

    /// A big-endian unsigned integer of 1, 2 or 4 bytes, its detail worked out from it.
    pub fn uint(&mut self, key: &str, len: usize, role: Role, detail: impl FnOnce(u32) -> String) -> Walk<u32> {
        let at = self.take(len, key)?;
        let number = self.slice(at, len).iter().fold(0u32, |acc, byte| acc << 8 | u32::from(*byte));
        self.put(key, at, len, role, Value::Integer(i128::from(number)), detail(number));
        Ok(number)
    }

    /// The rest of the innermost length as one value of bytes.
    pub fn rest(&mut self, key: &str, detail: impl FnOnce(usize) -> String) -> Walk<usize> {
        let len = self.remaining();
        let at = self.take(len, key)?;
        self.put(key, at, len, Role::Value, Value::Bytes(self.slice(at, len).to_vec()), detail(len));
        Ok(len)
    }

    fn open(&mut self, key: &str, list: bool) {
        let path = self.path(key);
        let start = self.pos;
        self.stack.push(Container { key: key.to_string(), path, start, list, entries: Vec::new(), items: Vec::new() });
    }

    fn close(&mut self) {
        let Some(container) = self.stack.pop() else { return };
        let value = if container.list { Value::Array(container.items) } else { Value::Map(container.entries) };
        let span = Span::new(container.start, self.pos.saturating_sub(container.start));
        self.top_mut().add(&container.key, Node::with_span(value, span));
    }

    fn inside<T>(&mut self, key: &str, list: bool, read: impl FnOnce(&mut Self) -> Walk<T>) -> Walk<T> {
        self.open(key, list);
        let depth = self.stack.len();
        let result = read(self);
        while self.stack.len() >= depth {
            self.close();
        }
        result
    }

    /// A map field filled by `read`; kept with what it read even when `read` fails.
    pub fn group<T>(&mut self, key: &str, read: impl FnOnce(&mut Self) -> Walk<T>) -> Walk<T> {
        self.inside(key, false, read)
    }

    /// A list field filled by `read` (its children's keys are ignored, they are numbered).
    pub fn list<T>(&mut self, key: &str, read: impl FnOnce(&mut Self) -> Walk<T>) -> Walk<T> {
        self.inside(key, true, read)
    }

    /// Reads `len` bytes with `read`, which must stay inside them (what it leaves unread is left).
    pub fn within<T>(&mut self, len: usize, what: &str, read: impl FnOnce(&mut Self) -> Walk<T>) -> Walk<T> {
        if len > self.remaining() {
            return Err(
                self.error_at(self.pos, format!("{what} says {len} bytes, but only {} are left", self.remaining()))
            );
        }
        let saved = self.end;
        self.end = self.pos + len;
        let result = read(self);
        self.end = saved;
        result
    }

    /// A byte (or two) of bits: one mapped span at `key` saying `detail`, and a map of named parts
    /// in the document, each with the same span.
    pub fn bits(
        &mut self,
        key: &str,
        len: usize,
        detail: impl FnOnce(u32) -> String,
        parts: impl FnOnce(u32) -> Vec<(&'static str, Value)>,
    ) -> Walk<u32> {
        let at = self.take(len, key)?;
        let number = self.slice(at, len).iter().fold(0u32, |acc, byte| acc << 8 | u32::from(*byte));
        let path = self.path(key);
        self.map.push(at, len, Role::Header, &path, detail(number));
        let entries = parts(number)
            .into_iter()
            .map(|(name, value)| Entry::new(name, Node::with_span(value, Span::new(at, len))))
            .collect();
        self.top_mut().add(key, Node::with_span(Value::Map(entries), Span::new(at, len)));
        Ok(number)
    }

    /// Puts another reader's document and map (built over `bytes[at..]`) under `key`.
    pub fn graft(&mut self, key: &str, at: usize, document: Node, map: &ByteMap) {
        let path = self.path(key);
        for span in map.spans() {
            let mut inner = path.clone();
            inner.0.extend(span.path.0.iter().cloned());
            self.map.push(span.span.offset + at, span.span.len, span.role, &inner, span.detail.clone());
        }
        self.top_mut().add(key, shifted(document, at));
    }
}

/// `node` with every span moved `by` bytes later.
pub(super) fn shifted(mut node: Node, by: usize) -> Node {
    node.span = node.span.map(|span| Span::new(span.offset + by, span.len));
    node.value = match node.value {
        Value::Array(items) => Value::Array(items.into_iter().map(|item| shifted(item, by)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|entry| Entry {
                    key: entry.key,
                    key_span: entry.key_span.map(|span| Span::new(span.offset + by, span.len)),
                    value: shifted(entry.value, by),
                })
                .collect(),
        ),
        other => other,
    };
    node
}

/// A one's-complement checksum (RFC 1071) over `parts` in order (only the last may be of odd
/// length), as IPv4, TCP, UDP and ICMP use it; the sum is etherparse's.
pub(super) fn internet_checksum(parts: &[&[u8]]) -> u16 {
    let sum = parts.iter().fold(etherparse::checksum::Sum16BitWords::new(), |sum, part| sum.add_slice(part));
    // etherparse sums in the machine's byte order: its result's bytes are the checksum's bytes.
    u16::from_be_bytes(sum.ones_complement().to_ne_bytes())
}

/// `0x1c46 (correct)` or `0x1c46 (incorrect, should be 0x1c47)`.
pub(super) fn checksum_verdict(found: u16, expected: u16) -> String {
    if found == expected {
        format!("0x{found:04x} (correct)")
    } else {
        format!("0x{found:04x} (incorrect, should be 0x{expected:04x})")
    }
}

/// `1 byte`, `5 bytes`.
pub(super) fn bytes_count(n: usize) -> String {
    if n == 1 { "1 byte".to_string() } else { format!("{n} bytes") }
}
