//! The walker MessagePack and CBOR share. Both are self-describing binary formats: every value
//! starts with a marker that says its type and size, so one walk over the bytes gives the document
//! and the map of every byte. Each format reads its own markers ([`ReadValue`]); the walker holds
//! what is the same: the position, bounds checks with the same messages, the nesting limit, the
//! byte map and losses being gathered, map entries (the key's bytes as one key span, a non-string
//! key read as a string), and the rules for empty input and trailing bytes.

use std::fmt::Display;

use super::json::key_text;
use super::{ByteMap, Entry, FormatError, Loss, MAX_NESTING, Node, Path, Role, Span, Value, with_article};

/// A format's reader of the one value at the walker's position, mapping its bytes.
pub(super) type ReadValue = fn(&mut Walker<'_>, &Path, usize) -> Result<Node, FormatError>;

/// Where a walk over one encoded value is, and what it has found so far.
pub(super) struct Walker<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) position: usize,
    pub(super) map: ByteMap,
    pub(super) losses: Vec<Loss>,
}

/// Reads `bytes` as exactly one value: the document, the map of the bytes and what was lost.
pub(super) fn walk(bytes: &[u8], read_value: ReadValue) -> Result<(Node, ByteMap, Vec<Loss>), FormatError> {
    if bytes.is_empty() {
        return Err(FormatError::at_offset(0, "no value: the input is empty"));
    }
    let mut walker = Walker { bytes, position: 0, map: ByteMap::new(), losses: Vec::new() };
    let document = read_value(&mut walker, &Path::root(), 0)?;
    if walker.position < bytes.len() {
        let extra = bytes.len() - walker.position;
        return Err(FormatError::at_offset(
            walker.position,
            format!("{extra} trailing byte{} after the first value", if extra == 1 { "" } else { "s" }),
        ));
    }
    Ok((document, walker.map.finish(), walker.losses))
}

/// The map of bytes a format's own encoder wrote (empty if they ever failed to read back).
pub(super) fn map_of(bytes: &[u8], read_value: ReadValue) -> ByteMap {
    walk(bytes, read_value).map(|(_, map, _)| map).unwrap_or_default()
}

impl<'a> Walker<'a> {
    pub(super) fn span(&mut self, offset: usize, len: usize, role: Role, path: &Path, detail: impl Into<String>) {
        self.map.push(offset, len, role, path, detail);
    }

    /// The next `count` bytes, or an error at the position naming `what` they were for. The count
    /// is a `u64` so a length is reported as written, also where `usize` is 32 bits (wasm32).
    pub(super) fn take(&mut self, count: u64, what: &str) -> Result<&'a [u8], FormatError> {
        let left = self.bytes.len() - self.position;
        let bytes: &'a [u8] = self.bytes;
        match usize::try_from(count) {
            Ok(len) if len <= left => {
                self.position += len;
                Ok(&bytes[self.position - len..self.position])
            }
            _ => Err(FormatError::at_offset(
                self.position,
                format!("truncated: {what} needs {}, {left} left", plural(count, "byte", "bytes")),
            )),
        }
    }

    /// The next `count` bytes as a big-endian number.
    pub(super) fn big_endian(&mut self, count: usize, what: &str) -> Result<u64, FormatError> {
        Ok(self.take(count as u64, what)?.iter().fold(0u64, |number, &byte| (number << 8) | u64::from(byte)))
    }

    /// Refuses a container (or tag) at `start` that would go past [`MAX_NESTING`].
    pub(super) fn check_nesting(&self, start: usize, nesting: usize) -> Result<(), FormatError> {
        if nesting >= MAX_NESTING {
            return Err(FormatError::at_offset(start, format!("nested deeper than {MAX_NESTING} levels")));
        }
        Ok(())
    }

    /// Room to reserve for `count` items: never more than the bytes left could hold.
    pub(super) fn capacity(&self, count: u64) -> usize {
        usize::try_from(count).unwrap_or(usize::MAX).min(self.bytes.len() - self.position)
    }

    /// A map's key and its value. The key's bytes become one key span with the value's path (its
    /// detail the key's first span's), and a key that is not a string is read as its JSON text.
    pub(super) fn entry(&mut self, path: &Path, nesting: usize, read_value: ReadValue) -> Result<Entry, FormatError> {
        let key_start = self.position;
        let mark = self.map.mark();
        let losses_before = self.losses.len();
        let key_node = read_value(self, path, nesting)?;
        let key_detail = self.map.since_mut(mark).first().map(|span| span.detail.clone()).unwrap_or_default();
        self.map.truncate(mark);
        self.losses.truncate(losses_before);
        let key = key_text(&key_node.value);
        let value_path = path.key(&key);
        if !matches!(key_node.value, Value::String(_)) {
            self.losses.push(Loss::new(
                &value_path,
                format!("{} key read as the string {key:?}", with_article(key_node.value.kind())),
            ));
        }
        let key_span = Span::new(key_start, self.position - key_start);
        self.span(key_start, key_span.len, Role::Key, &value_path, format!("key, {key_detail}"));
        let value = read_value(self, &value_path, nesting)?;
        Ok(Entry { key, key_span: Some(key_span), value })
    }
}

/// `1 byte`, `3 bytes`.
pub(super) fn plural<N: Display + PartialEq + From<u8>>(count: N, one: &str, many: &str) -> String {
    if count == N::from(1) { format!("1 {one}") } else { format!("{count} {many}") }
}

/// A string for a byte map's detail line, cut after 24 characters.
pub(super) fn short_text(text: &str) -> String {
    if text.chars().count() > 24 {
        format!("{:?}…", text.chars().take(24).collect::<String>())
    } else {
        format!("{text:?}")
    }
}
