//! TLS record bytes taken apart into the Formats lab's model: a document (`records[i]` with its
//! header fields, handshake `messages[j]` with their fields, extensions by name) and a byte map
//! whose spans say what each byte is. Handshake messages split over several records are put
//! back together (their spans skip the record headers between). After a change_cipher_spec the
//! handshake records are encrypted and stay opaque, as do application data records.
//!
//! The same walk fills a [`ClientHello`] for [`super::read_client_hello`], so the bytes are read
//! one way only. Bytes that stop being TLS, or end early, stop the walk with a [`FormatError`] at
//! that byte; everything before it stays mapped.

use super::names::{
    cipher_suite_name, compression_method_name, ec_point_format_name, extension_name, is_grease, named_group_name,
    psk_mode_name, signature_scheme_name, version_name,
};
use super::{ClientHello, Extension, extension};
use crate::formats::{ByteMap, Entry, FormatError, Node, Path, Role, Span, Value};

/// TLS record bytes as a document and a byte map, and the error that stopped the walk, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Dissection {
    /// `{records: [{content_type, version, length, messages: [{msg_type, length, client_hello: {…}}]}]}`.
    pub document: Node,
    pub map: ByteMap,
    /// Where the bytes stopped being TLS or ended early; the document and map hold what came before.
    pub error: Option<FormatError>,
}

/// Reads `bytes` as TLS records: see the module documentation.
pub fn dissect(bytes: &[u8]) -> Dissection {
    walk(bytes).dissection
}

pub(super) struct Walked {
    pub dissection: Dissection,
    /// The first ClientHello, when it was read whole.
    pub client_hello: Option<ClientHello>,
}

const HEADER_LEN: usize = 5;
/// RFC 8446 §5.2: a record's payload is at most 2^14 + 2048 bytes (ciphertext expansion included).
const MAX_RECORD_LEN: usize = (1 << 14) + 2048;
/// RFC 8446 §4.1.3: the ServerHello random that marks a HelloRetryRequest.
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

const CONTENT_CHANGE_CIPHER_SPEC: u8 = 20;
const CONTENT_ALERT: u8 = 21;
const CONTENT_HANDSHAKE: u8 = 22;
const CONTENT_APPLICATION_DATA: u8 = 23;
const CONTENT_HEARTBEAT: u8 = 24;

fn content_type_name(kind: u8) -> Option<&'static str> {
    match kind {
        CONTENT_CHANGE_CIPHER_SPEC => Some("change_cipher_spec"),
        CONTENT_ALERT => Some("alert"),
        CONTENT_HANDSHAKE => Some("handshake"),
        CONTENT_APPLICATION_DATA => Some("application_data"),
        CONTENT_HEARTBEAT => Some("heartbeat"),
        _ => None,
    }
}

fn handshake_type_name(kind: u8) -> &'static str {
    match kind {
        0 => "hello_request",
        1 => "client_hello",
        2 => "server_hello",
        4 => "new_session_ticket",
        5 => "end_of_early_data",
        8 => "encrypted_extensions",
        11 => "certificate",
        12 => "server_key_exchange",
        13 => "certificate_request",
        14 => "server_hello_done",
        15 => "certificate_verify",
        16 => "client_key_exchange",
        20 => "finished",
        24 => "key_update",
        254 => "message_hash",
        _ => "unknown handshake type",
    }
}

fn alert_level_name(level: u8) -> &'static str {
    match level {
        1 => "warning",
        2 => "fatal",
        _ => "unknown level",
    }
}

fn alert_description_name(description: u8) -> &'static str {
    match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        121 => "ech_required",
        _ => "unknown alert",
    }
}

/// `cipher suite 0x1301 TLS_AES_128_GCM_SHA256`, with GREASE and unknown values said so.
fn described(kind: &str, id: u16, name: Option<&str>) -> String {
    match name {
        _ if is_grease(id) => {
            format!("{kind} 0x{id:04x} GREASE (a reserved value, sent so servers keep ignoring values they don't know)")
        }
        Some(name) => format!("{kind} 0x{id:04x} {name}"),
        None => format!("{kind} 0x{id:04x} (not in IANA's registry)"),
    }
}

/// The document's value for a code point: `TLS_AES_128_GCM_SHA256 (0x1301)`.
fn labelled(id: u16, name: Option<&str>) -> Value {
    Value::String(format!("{} (0x{id:04x})", name.unwrap_or("unknown")))
}

/// Where the walk is, which side sent the message being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
    HelloRetry,
}

/// One piece of the bytes being walked: `len` bytes at `data_start` came from `input_start` of
/// the input, in record `record`.
struct Segment {
    data_start: usize,
    input_start: usize,
    len: usize,
    record: usize,
}

/// A cursor over the payload of one or more records, mapping what it reads.
struct Walker<'m> {
    data: Vec<u8>,
    segments: Vec<Segment>,
    pos: usize,
    /// Where the innermost length-delimited thing being read ends.
    end: usize,
    /// What that thing is, for errors ("the cipher suites").
    end_what: String,
    /// Where the last length prefix read starts: a length that does not fit is reported there.
    length_at: usize,
    map: &'m mut ByteMap,
}

type Walk<T = ()> = Result<T, FormatError>;

impl<'m> Walker<'m> {
    /// A walker over `data`, which holds `end` bytes when none are missing.
    fn new(data: Vec<u8>, end: usize, segments: Vec<Segment>, what: &str, map: &'m mut ByteMap) -> Walker<'m> {
        Walker { data, segments, pos: 0, end, end_what: what.to_string(), length_at: 0, map }
    }

    /// The input offset of data offset `at` (the input's end for the data's end).
    fn input_at(&self, at: usize) -> usize {
        for segment in &self.segments {
            if at < segment.data_start + segment.len {
                return segment.input_start + at.saturating_sub(segment.data_start);
            }
        }
        self.segments.last().map_or(0, |segment| segment.input_start + segment.len)
    }

    fn record_at(&self, at: usize) -> usize {
        let segment = self.segments.iter().find(|segment| at < segment.data_start + segment.len);
        segment.or(self.segments.last()).map_or(0, |segment| segment.record)
    }

    /// The input bytes of data `start..end`, from the first to the last (record headers between
    /// included).
    fn span(&self, start: usize, end: usize) -> Span {
        let from = self.input_at(start);
        let to = if end > start { self.input_at(end - 1) + 1 } else { from };
        Span::new(from, to - from)
    }

    /// Maps data `start..start + len`, in as many pieces as records it crosses.
    fn mark(&mut self, start: usize, len: usize, role: Role, path: &Path, detail: impl Into<String>) {
        let detail = detail.into();
        for segment in &self.segments {
            let from = start.max(segment.data_start);
            let to = (start + len).min(segment.data_start + segment.len);
            if from < to {
                self.map.push(segment.input_start + from - segment.data_start, to - from, role, path, detail.clone());
            }
        }
    }

    fn error(&self, at: usize, message: impl Into<String>) -> FormatError {
        FormatError::at_offset(self.input_at(at), message)
    }

    fn remaining(&self) -> usize {
        self.end - self.pos
    }

    /// Moves past `n` bytes and returns where they start.
    fn take(&mut self, n: usize, what: &str) -> Walk<usize> {
        let start = self.pos;
        if n > self.end - start {
            return Err(self.error(
                start,
                format!("{what} needs {n} bytes, but only {} are left in {}", self.end - start, self.end_what),
            ));
        }
        if start + n > self.data.len() {
            return Err(self.error(
                self.data.len(),
                format!("the bytes end here: {what} needs {n} bytes, {} are given", self.data.len() - start),
            ));
        }
        self.pos += n;
        Ok(start)
    }

    fn u8_at(&self, at: usize) -> u8 {
        self.data[at]
    }

    fn u16_at(&self, at: usize) -> u16 {
        u16::from_be_bytes([self.data[at], self.data[at + 1]])
    }

    fn bytes(&self, at: usize, len: usize) -> &[u8] {
        &self.data[at..at + len]
    }

    /// Reads the next `len` bytes with `read`, which must read exactly them.
    fn within<T>(&mut self, len: usize, what: &str, read: impl FnOnce(&mut Self) -> Walk<T>) -> Walk<T> {
        if len > self.remaining() {
            return Err(self.error(
                self.length_at,
                format!("{what} says {len} bytes, but only {} are left in {}", self.remaining(), self.end_what),
            ));
        }
        let saved = (self.end, std::mem::replace(&mut self.end_what, what.to_string()));
        self.end = self.pos + len;
        let result = read(self).and_then(|value| match self.remaining() {
            0 => Ok(value),
            left => Err(self.error(self.pos, format!("{left} bytes are left over at the end of {what}"))),
        });
        (self.end, self.end_what) = saved;
        result
    }

    /// A length prefix of `width` bytes (1, 2 or 3), mapped at `path`.
    fn length(&mut self, width: usize, what: &str, path: &Path, detail: impl FnOnce(usize) -> String) -> Walk<usize> {
        let at = self.take(width, &format!("the length of {what}"))?;
        self.length_at = at;
        let len = self.bytes(at, width).iter().fold(0usize, |len, byte| len << 8 | usize::from(*byte));
        self.mark(at, width, Role::Length, path, detail(len));
        Ok(len)
    }

    /// A vector: a `width`-byte length, then items read by `item` until it is used up.
    fn vector(&mut self, width: usize, what: &str, path: &Path, mut item: impl FnMut(&mut Self) -> Walk) -> Walk {
        let len = self.length(width, what, path, |len| format!("length of {what}: {}", count(len)))?;
        self.within(len, what, |walker| {
            while walker.remaining() > 0 {
                item(walker)?;
            }
            Ok(())
        })
    }

    /// A vector of bytes kept whole: the length, then the bytes as one value.
    fn opaque(&mut self, width: usize, what: &str, path: &Path, fields: &mut Vec<Entry>, key: &str) -> Walk<Vec<u8>> {
        let len = self.length(width, what, path, |len| format!("{what} length: {len}"))?;
        let at = self.take(len, what)?;
        let bytes = self.bytes(at, len).to_vec();
        self.mark(at, len, Role::Value, path, format!("{what}: {}", count(len)));
        fields.push(Entry::new(key, Node::with_span(Value::Bytes(bytes.clone()), self.span(at, at + len))));
        Ok(bytes)
    }

    /// The rest of the innermost length as one opaque value.
    fn rest(&mut self, path: &Path, fields: &mut Vec<Entry>, key: &str, detail: impl FnOnce(usize) -> String) -> Walk {
        let len = self.remaining();
        let at = self.take(len, "the data")?;
        self.mark(at, len, Role::Value, path, detail(len));
        fields.push(Entry::new(
            key,
            Node::with_span(Value::Bytes(self.bytes(at, len).to_vec()), self.span(at, at + len)),
        ));
        Ok(())
    }

    /// A 16-bit code point: mapped, added to `items` as its name, and returned.
    fn code_point(
        &mut self,
        kind: &str,
        name: fn(u16) -> Option<&'static str>,
        path: &Path,
        items: &mut Vec<Node>,
    ) -> Walk<u16> {
        let at = self.take(2, &format!("a {kind}"))?;
        let id = self.u16_at(at);
        self.mark(at, 2, Role::Value, &path.index(items.len()), described(kind, id, name(id)));
        items.push(Node::with_span(labelled(id, name(id)), self.span(at, at + 2)));
        Ok(id)
    }

    /// A single 16-bit code point as a field.
    fn code_field(
        &mut self,
        kind: &str,
        name: fn(u16) -> Option<&'static str>,
        path: &Path,
        fields: &mut Vec<Entry>,
        key: &str,
    ) -> Walk<u16> {
        let at = self.take(2, kind)?;
        let id = self.u16_at(at);
        self.mark(at, 2, Role::Value, &path.key(key), described(kind, id, name(id)));
        fields.push(Entry::new(key, Node::with_span(labelled(id, name(id)), self.span(at, at + 2))));
        Ok(id)
    }

    /// A map field whose entries `read` adds; attached even when `read` stops with an error.
    fn map_field(
        &mut self,
        fields: &mut Vec<Entry>,
        key: &str,
        read: impl FnOnce(&mut Self, &mut Vec<Entry>) -> Walk,
    ) -> Walk {
        self.container(fields, key, Value::Map, read)
    }

    /// An array field whose items `read` adds; attached even when `read` stops with an error.
    fn array_field(
        &mut self,
        fields: &mut Vec<Entry>,
        key: &str,
        read: impl FnOnce(&mut Self, &mut Vec<Node>) -> Walk,
    ) -> Walk {
        self.container(fields, key, Value::Array, read)
    }

    fn container<T>(
        &mut self,
        fields: &mut Vec<Entry>,
        key: &str,
        wrap: fn(Vec<T>) -> Value,
        read: impl FnOnce(&mut Self, &mut Vec<T>) -> Walk,
    ) -> Walk {
        let start = self.pos;
        let mut inner = Vec::new();
        let result = read(self, &mut inner);
        fields.push(Entry::new(key, Node::with_span(wrap(inner), self.span(start, self.pos))));
        result
    }
}

/// One record: its header's fields, and what it carries.
struct Record {
    start: usize,
    end: usize,
    content_type: u8,
    fields: Vec<Entry>,
    /// Handshake messages that start in this record.
    messages: Vec<Node>,
    /// Whether this record's payload is part of the plaintext handshake stream.
    plaintext_handshake: bool,
}

/// The walk over all records.
struct Records<'b> {
    bytes: &'b [u8],
    map: ByteMap,
    records: Vec<Record>,
    /// Plaintext handshake payloads not yet read: (record, input start, bytes given, bytes the
    /// record header says).
    pending: Vec<(usize, usize, usize, usize)>,
    /// A change_cipher_spec was seen: later handshake records are encrypted.
    encrypted: bool,
    client_hello: Option<ClientHello>,
}

pub(super) fn walk(bytes: &[u8]) -> Walked {
    let mut walk = Records {
        bytes,
        map: ByteMap::new(),
        records: Vec::new(),
        pending: Vec::new(),
        encrypted: false,
        client_hello: None,
    };
    let mut error = None;
    let mut at = 0;
    while at < bytes.len() {
        match walk.record(at) {
            Ok(next) => at = next,
            Err(stop) => {
                error = Some(stop);
                break;
            }
        }
    }
    if let Err(stop) = walk.flush() {
        // The earlier of two stops is the one to show (a record cut short also cuts its messages).
        error = match error {
            Some(record_error) if offset(&record_error) <= offset(&stop) => Some(record_error),
            _ => Some(stop),
        };
    }
    let records = walk.records.into_iter().map(record_node).collect();
    let document = Node::with_span(
        Value::Map(vec![Entry::new(
            "records",
            Node::with_span(Value::Array(records), Span::new(0, at.min(bytes.len()))),
        )]),
        Span::new(0, bytes.len()),
    );
    Walked { dissection: Dissection { document, map: walk.map.finish(), error }, client_hello: walk.client_hello }
}

/// `1 byte`, `2 bytes`.
fn count(len: usize) -> String {
    if len == 1 { "1 byte".into() } else { format!("{len} bytes") }
}

fn offset(error: &FormatError) -> usize {
    error.location.map_or(usize::MAX, |location| location.offset)
}

fn record_node(mut record: Record) -> Node {
    if record.plaintext_handshake {
        if record.messages.is_empty() {
            record.fields.push(Entry::new(
                "continues",
                Node::new(Value::String("the handshake message begun in an earlier record goes on here".into())),
            ));
        } else {
            record.fields.push(Entry::new("messages", Node::new(Value::Array(record.messages))));
        }
    }
    Node::with_span(Value::Map(record.fields), Span::new(record.start, record.end - record.start))
}

impl Records<'_> {
    /// Reads the record at `at` (its header, and its content unless it is plaintext handshake,
    /// which waits for [`Records::flush`]), and returns where the next one starts.
    fn record(&mut self, at: usize) -> Walk<usize> {
        let bytes = self.bytes;
        let index = self.records.len();
        let path = Path::root().key("records").index(index);
        let content_type = bytes[at];
        let Some(type_name) = content_type_name(content_type) else {
            return Err(not_a_record(bytes, at, index));
        };
        let mut record = Record {
            start: at,
            end: bytes.len().min(at + HEADER_LEN),
            content_type,
            fields: Vec::new(),
            messages: Vec::new(),
            plaintext_handshake: false,
        };
        self.map.push(
            at,
            1,
            Role::Header,
            &path.key("content_type"),
            format!("record type {content_type}: {type_name}"),
        );
        record.fields.push(Entry::new(
            "content_type",
            Node::with_span(Value::String(format!("{type_name} ({content_type})")), Span::new(at, 1)),
        ));
        let header_result = self.header(&path, at, &mut record);
        let length = match header_result {
            Ok(length) => length,
            Err(stop) => {
                self.records.push(record);
                return Err(stop);
            }
        };
        let payload = at + HEADER_LEN;
        let given = length.min(bytes.len() - payload);
        record.end = payload + given;
        let plaintext_handshake = content_type == CONTENT_HANDSHAKE && !self.encrypted;
        let flushed = if plaintext_handshake {
            record.plaintext_handshake = true;
            self.pending.push((index, payload, given, length));
            Ok(())
        } else {
            self.flush()
        };
        self.records.push(record);
        flushed?;
        if !plaintext_handshake {
            self.content(index, &path, payload, given)?;
        }
        if given < length {
            return Err(FormatError::at_offset(
                bytes.len(),
                format!(
                    "the bytes end here: record {index} says {} follow its header, {given} are given",
                    count(length)
                ),
            ));
        }
        Ok(payload + length)
    }

    /// The record header's version and length; returns the length.
    fn header(&mut self, path: &Path, at: usize, record: &mut Record) -> Walk<usize> {
        let bytes = self.bytes;
        let Some(version_bytes) = bytes.get(at + 1..at + 3) else {
            return Err(FormatError::at_offset(
                bytes.len(),
                format!("the bytes end here: a record header is 5 bytes, {} are given", bytes.len() - at),
            ));
        };
        let version = u16::from_be_bytes([version_bytes[0], version_bytes[1]]);
        if version >> 8 != 3 {
            return Err(FormatError::at_offset(
                at + 1,
                format!("record version 0x{version:04x} is not TLS's 0x03xx: these bytes are not a TLS record"),
            ));
        }
        let version_label = version_name(version).unwrap_or("unknown");
        self.map.push(
            at + 1,
            2,
            Role::Header,
            &path.key("version"),
            format!("record version 0x{version:04x}: {version_label}"),
        );
        record.fields.push(Entry::new(
            "version",
            Node::with_span(labelled(version, version_name(version)), Span::new(at + 1, 2)),
        ));
        let Some(length_bytes) = bytes.get(at + 3..at + 5) else {
            return Err(FormatError::at_offset(
                bytes.len(),
                format!("the bytes end here: a record header is 5 bytes, {} are given", bytes.len() - at),
            ));
        };
        let length = usize::from(u16::from_be_bytes([length_bytes[0], length_bytes[1]]));
        if length > MAX_RECORD_LEN {
            return Err(FormatError::at_offset(
                at + 3,
                format!("record length {length} is over TLS's limit of {MAX_RECORD_LEN} bytes"),
            ));
        }
        self.map.push(
            at + 3,
            2,
            Role::Length,
            &path.key("length"),
            format!("record length: {} after the header", count(length)),
        );
        record.fields.push(Entry::new("length", Node::with_span(Value::Integer(length as i128), Span::new(at + 3, 2))));
        Ok(length)
    }

    /// The content of a record that is not plaintext handshake.
    fn content(&mut self, index: usize, path: &Path, payload: usize, given: usize) -> Walk {
        let content_type = self.records[index].content_type;
        let data = self.bytes[payload..payload + given].to_vec();
        let segments = vec![Segment { data_start: 0, input_start: payload, len: given, record: index }];
        let mut walker = Walker::new(data, given, segments, &format!("record {index}"), &mut self.map);
        let mut fields = Vec::new();
        let result = match content_type {
            CONTENT_ALERT => alert(&mut walker, path, &mut fields),
            CONTENT_CHANGE_CIPHER_SPEC => {
                self.encrypted = true;
                walker.take(1, "change_cipher_spec").map(|at| {
                    let value = walker.u8_at(at);
                    walker.mark(
                        at,
                        1,
                        Role::Value,
                        &path.key("change_cipher_spec"),
                        format!("change_cipher_spec {value}: this side encrypts from here on"),
                    );
                    fields.push(Entry::new(
                        "change_cipher_spec",
                        Node::with_span(Value::Integer(value.into()), walker.span(at, at + 1)),
                    ));
                })
            }
            CONTENT_HANDSHAKE => {
                walker.rest(&path.key("encrypted_handshake"), &mut fields, "encrypted_handshake", |len| {
                    format!("encrypted handshake message (after change_cipher_spec): {}", count(len))
                })
            }
            CONTENT_HEARTBEAT => walker.rest(&path.key("heartbeat"), &mut fields, "heartbeat", |len| {
                format!("heartbeat message: {}", count(len))
            }),
            _ => walker.rest(&path.key("encrypted_data"), &mut fields, "encrypted_data", |len| {
                format!("application data: {}, encrypted (TLS 1.3 hides its later handshake here too)", count(len))
            }),
        };
        self.records[index].fields.append(&mut fields);
        result
    }

    /// Reads the plaintext handshake stream gathered from the pending records.
    fn flush(&mut self) -> Walk {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut data = Vec::new();
        let mut segments = Vec::new();
        let mut declared = 0;
        for (record, input_start, len, length) in self.pending.drain(..) {
            segments.push(Segment { data_start: data.len(), input_start, len, record });
            data.extend_from_slice(&self.bytes[input_start..input_start + len]);
            declared += length;
        }
        let mut walker = Walker::new(data, declared, segments, "the handshake records", &mut self.map);
        while walker.pos < walker.data.len() {
            let start = walker.pos;
            let record = walker.record_at(start);
            let path =
                Path::root().key("records").index(record).key("messages").index(self.records[record].messages.len());
            let mut fields = Vec::new();
            let result = handshake_message(&mut walker, &path, &mut fields, &mut self.client_hello);
            let node = Node::with_span(Value::Map(fields), walker.span(start, walker.pos));
            self.records[record].messages.push(node);
            result?;
        }
        Ok(())
    }
}

/// Why the byte at `at` can't start a record.
fn not_a_record(bytes: &[u8], at: usize, index: usize) -> FormatError {
    let byte = bytes[at];
    let place = match index {
        0 => String::new(),
        1 => " after 1 record".to_string(),
        _ => format!(" after {index} records"),
    };
    let hint = if bytes[at..].iter().take(4).all(|byte| byte.is_ascii_graphic() || *byte == b' ') {
        format!(
            ": {:?} looks like text (plain HTTP?), not TLS",
            String::from_utf8_lossy(&bytes[at..bytes.len().min(at + 8)])
        )
    } else {
        String::new()
    };
    FormatError::at_offset(
        at,
        format!(
            "0x{byte:02x} is not a TLS record type{place} (20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data, 24 heartbeat){hint}"
        ),
    )
}

fn alert(walker: &mut Walker, path: &Path, fields: &mut Vec<Entry>) -> Walk {
    if walker.remaining() != 2 {
        // Encrypted alerts (after change_cipher_spec, or in TLS 1.3) are longer than two bytes.
        return walker.rest(&path.key("encrypted_alert"), fields, "encrypted_alert", |len| {
            format!("encrypted alert: {}", count(len))
        });
    }
    let at = walker.take(1, "the alert level")?;
    let level = walker.u8_at(at);
    walker.mark(at, 1, Role::Value, &path.key("level"), format!("alert level {level}: {}", alert_level_name(level)));
    fields.push(Entry::new(
        "level",
        Node::with_span(Value::String(format!("{} ({level})", alert_level_name(level))), walker.span(at, at + 1)),
    ));
    let at = walker.take(1, "the alert description")?;
    let description = walker.u8_at(at);
    let name = alert_description_name(description);
    walker.mark(at, 1, Role::Value, &path.key("description"), format!("alert description {description}: {name}"));
    fields.push(Entry::new(
        "description",
        Node::with_span(Value::String(format!("{name} ({description})")), walker.span(at, at + 1)),
    ));
    Ok(())
}

fn handshake_message(
    walker: &mut Walker,
    path: &Path,
    fields: &mut Vec<Entry>,
    first_hello: &mut Option<ClientHello>,
) -> Walk {
    let at = walker.take(1, "a handshake message type")?;
    let kind = walker.u8_at(at);
    let name = handshake_type_name(kind);
    walker.mark(at, 1, Role::Header, &path.key("msg_type"), format!("handshake type {kind}: {name}"));
    fields.push(Entry::new(
        "msg_type",
        Node::with_span(Value::String(format!("{name} ({kind})")), walker.span(at, at + 1)),
    ));
    let length = walker
        .length(3, name, &path.key("length"), |len| format!("handshake message length: {} (24 bits)", count(len)))?;
    fields.push(Entry::new("length", Node::with_span(Value::Integer(length as i128), walker.span(at + 1, at + 4))));
    let what = format!("the {name} message");
    walker.within(length, &what, |walker| match kind {
        1 => walker.map_field(fields, "client_hello", |walker, inner| {
            let mut hello = ClientHello::default();
            client_hello(walker, &path.key("client_hello"), inner, &mut hello)?;
            first_hello.get_or_insert(hello);
            Ok(())
        }),
        2 => walker
            .map_field(fields, "server_hello", |walker, inner| server_hello(walker, &path.key("server_hello"), inner)),
        _ => walker.rest(&path.key("body"), fields, "body", |len| {
            format!("{name} body: {} (not taken apart here)", count(len))
        }),
    })
}

fn version_field(walker: &mut Walker, path: &Path, fields: &mut Vec<Entry>) -> Walk<u16> {
    let at = walker.take(2, "legacy_version")?;
    let version = walker.u16_at(at);
    let note =
        if version == 0x0303 { " (TLS 1.3 sends 1.2 here and the real versions in supported_versions)" } else { "" };
    walker.mark(
        at,
        2,
        Role::Value,
        &path.key("legacy_version"),
        format!("legacy_version 0x{version:04x}: {}{note}", version_name(version).unwrap_or("unknown")),
    );
    fields.push(Entry::new(
        "legacy_version",
        Node::with_span(labelled(version, version_name(version)), walker.span(at, at + 2)),
    ));
    Ok(version)
}

fn random_field(walker: &mut Walker, path: &Path, fields: &mut Vec<Entry>, detail: &str) -> Walk<[u8; 32]> {
    let at = walker.take(32, "random")?;
    let mut random = [0u8; 32];
    random.copy_from_slice(walker.bytes(at, 32));
    let detail = if random == HELLO_RETRY_RANDOM {
        "random: the fixed value that makes this a HelloRetryRequest"
    } else {
        detail
    };
    walker.mark(at, 32, Role::Value, &path.key("random"), detail);
    fields.push(Entry::new("random", Node::with_span(Value::Bytes(random.to_vec()), walker.span(at, at + 32))));
    Ok(random)
}

fn client_hello(walker: &mut Walker, path: &Path, fields: &mut Vec<Entry>, hello: &mut ClientHello) -> Walk {
    hello.legacy_version = version_field(walker, path, fields)?;
    hello.random = random_field(walker, path, fields, "random: 32 bytes the client chose")?;
    hello.session_id = walker.opaque(1, "legacy_session_id", &path.key("session_id"), fields, "session_id")?;
    let suites_path = path.key("cipher_suites");
    walker.array_field(fields, "cipher_suites", |walker, items| {
        walker.vector(2, "the cipher suites", &suites_path, |walker| {
            hello.cipher_suites.push(walker.code_point("cipher suite", cipher_suite_name, &suites_path, items)?);
            Ok(())
        })
    })?;
    let methods_path = path.key("compression_methods");
    walker.array_field(fields, "compression_methods", |walker, items| {
        walker.vector(1, "the compression methods", &methods_path, |walker| {
            let at = walker.take(1, "a compression method")?;
            let method = walker.u8_at(at);
            let name = compression_method_name(method).unwrap_or("unknown");
            walker.mark(
                at,
                1,
                Role::Value,
                &methods_path.index(items.len()),
                format!("compression method {method}: {name}"),
            );
            items.push(Node::with_span(Value::String(format!("{name} ({method})")), walker.span(at, at + 1)));
            hello.compression_methods.push(method);
            Ok(())
        })
    })?;
    extensions(walker, path, fields, Side::Client, hello)
}

fn server_hello(walker: &mut Walker, path: &Path, fields: &mut Vec<Entry>) -> Walk {
    version_field(walker, path, fields)?;
    let random = random_field(walker, path, fields, "random: 32 bytes the server chose")?;
    walker.opaque(1, "legacy_session_id_echo", &path.key("session_id"), fields, "session_id")?;
    walker.code_field("cipher suite", cipher_suite_name, path, fields, "cipher_suite")?;
    let at = walker.take(1, "the compression method")?;
    let method = walker.u8_at(at);
    let name = compression_method_name(method).unwrap_or("unknown");
    walker.mark(at, 1, Role::Value, &path.key("compression_method"), format!("compression method {method}: {name}"));
    fields.push(Entry::new(
        "compression_method",
        Node::with_span(Value::String(format!("{name} ({method})")), walker.span(at, at + 1)),
    ));
    let side = if random == HELLO_RETRY_RANDOM { Side::HelloRetry } else { Side::Server };
    extensions(walker, path, fields, side, &mut ClientHello::default())
}

/// The extensions block, when there is one (a hello may end before it).
fn extensions(walker: &mut Walker, path: &Path, fields: &mut Vec<Entry>, side: Side, hello: &mut ClientHello) -> Walk {
    if walker.remaining() == 0 {
        return Ok(());
    }
    let list_path = path.key("extensions");
    walker.array_field(fields, "extensions", |walker, items| {
        walker.vector(2, "the extensions", &list_path, |walker| {
            let extension_path = list_path.index(items.len());
            let start = walker.pos;
            let mut extension_fields = Vec::new();
            let result = one_extension(walker, &extension_path, &mut extension_fields, side, hello);
            items.push(Node::with_span(Value::Map(extension_fields), walker.span(start, walker.pos)));
            result
        })
    })
}

fn one_extension(
    walker: &mut Walker,
    path: &Path,
    fields: &mut Vec<Entry>,
    side: Side,
    hello: &mut ClientHello,
) -> Walk {
    let at = walker.take(2, "an extension type")?;
    let kind = walker.u16_at(at);
    let name = extension_name(kind);
    walker.mark(at, 2, Role::Tag, &path.key("type"), described("extension type", kind, name));
    fields.push(Entry::new("type", Node::with_span(labelled(kind, name), walker.span(at, at + 2))));
    let what = match name {
        _ if is_grease(kind) => "the GREASE extension".to_string(),
        Some(name) => format!("the {name} extension"),
        None => format!("extension 0x{kind:04x}"),
    };
    let len = walker.length(2, &what, path, |len| format!("extension length: {}", count(len)))?;
    let data_start = walker.pos;
    walker.within(len, &what, |walker| extension_body(walker, kind, path, fields, side, hello))?;
    if side == Side::Client {
        hello.extensions.push(Extension { kind, data: walker.bytes(data_start, len).to_vec() });
    }
    Ok(())
}

fn extension_body(
    walker: &mut Walker,
    kind: u16,
    path: &Path,
    fields: &mut Vec<Entry>,
    side: Side,
    hello: &mut ClientHello,
) -> Walk {
    let client = side == Side::Client;
    match kind {
        _ if is_grease(kind) => walker
            .rest(&path.key("data"), fields, "data", |len| format!("GREASE extension data: {}, ignored", count(len))),
        // The server's server_name is empty: it only says the name was used.
        extension::SERVER_NAME if walker.remaining() > 0 => server_names(walker, path, fields, hello),
        extension::ALPN => {
            let list_path = path.key("protocols");
            walker.array_field(fields, "protocols", |walker, items| {
                walker.vector(2, "the protocol list", &list_path, |walker| {
                    let item_path = list_path.index(items.len());
                    let len = walker
                        .length(1, "a protocol name", &item_path, |len| format!("protocol name length: {len}"))?;
                    let at = walker.take(len, "a protocol name")?;
                    let protocol = String::from_utf8_lossy(walker.bytes(at, len)).into_owned();
                    walker.mark(at, len, Role::Value, &item_path, format!("protocol: {protocol}"));
                    items.push(Node::with_span(Value::String(protocol.clone()), walker.span(at, at + len)));
                    if client {
                        hello.alpn.push(protocol);
                    }
                    Ok(())
                })
            })
        }
        extension::SUPPORTED_VERSIONS if client => {
            code_list(walker, 1, ("version", version_name), path, fields, "versions", &mut hello.supported_versions)
        }
        extension::SUPPORTED_VERSIONS => {
            walker.code_field("selected version", version_name, path, fields, "selected_version").map(drop)
        }
        extension::SUPPORTED_GROUPS => {
            code_list(walker, 2, ("group", named_group_name), path, fields, "groups", &mut hello.supported_groups)
        }
        extension::SIGNATURE_ALGORITHMS => code_list(
            walker,
            2,
            ("signature scheme", signature_scheme_name),
            path,
            fields,
            "schemes",
            &mut hello.signature_algorithms,
        ),
        extension::SIGNATURE_ALGORITHMS_CERT => {
            code_list(walker, 2, ("signature scheme", signature_scheme_name), path, fields, "schemes", &mut Vec::new())
        }
        extension::EC_POINT_FORMATS => byte_list(
            walker,
            "point format",
            ec_point_format_name,
            path,
            fields,
            "formats",
            &mut hello.ec_point_formats,
        ),
        extension::PSK_KEY_EXCHANGE_MODES => {
            byte_list(walker, "PSK mode", psk_mode_name, path, fields, "modes", &mut Vec::new())
        }
        extension::KEY_SHARE if side == Side::HelloRetry => {
            walker.code_field("group", named_group_name, path, fields, "selected_group").map(drop)
        }
        extension::KEY_SHARE if client => {
            let list_path = path.key("shares");
            walker.array_field(fields, "shares", |walker, items| {
                walker.vector(2, "the key shares", &list_path, |walker| {
                    let share_path = list_path.index(items.len());
                    let start = walker.pos;
                    let mut share = Vec::new();
                    let result =
                        key_share(walker, &share_path, &mut share).map(|group| hello.key_share_groups.push(group));
                    items.push(Node::with_span(Value::Map(share), walker.span(start, walker.pos)));
                    result
                })
            })
        }
        extension::KEY_SHARE => {
            walker.map_field(fields, "share", |walker, share| key_share(walker, &path.key("share"), share).map(drop))
        }
        _ => {
            let name = extension_name(kind);
            walker.rest(&path.key("data"), fields, "data", |len| match name {
                Some(name) => format!("{name} data: {} (not taken apart here)", count(len)),
                None => format!("extension 0x{kind:04x} (not in IANA's registry): {}, opaque", count(len)),
            })
        }
    }
}

fn server_names(walker: &mut Walker, path: &Path, fields: &mut Vec<Entry>, hello: &mut ClientHello) -> Walk {
    let list_path = path.key("names");
    walker.array_field(fields, "names", |walker, items| {
        walker.vector(2, "the server name list", &list_path, |walker| {
            let item_path = list_path.index(items.len());
            let at = walker.take(1, "a name type")?;
            let name_type = walker.u8_at(at);
            let type_name = if name_type == 0 { "host_name" } else { "unknown" };
            walker.mark(at, 1, Role::Header, &item_path, format!("name type {name_type}: {type_name}"));
            let len = walker.length(2, "a host name", &item_path, |len| format!("host name length: {len}"))?;
            let at = walker.take(len, "a host name")?;
            let host = String::from_utf8_lossy(walker.bytes(at, len)).into_owned();
            walker.mark(at, len, Role::Value, &item_path, format!("host name: {host}"));
            items.push(Node::with_span(Value::String(host.clone()), walker.span(at, at + len)));
            if name_type == 0 && hello.server_name.is_none() {
                hello.server_name = Some(host);
            }
            Ok(())
        })
    })
}

/// A group and its key exchange bytes; returns the group.
fn key_share(walker: &mut Walker, path: &Path, share: &mut Vec<Entry>) -> Walk<u16> {
    let group = walker.code_field("key share group", named_group_name, path, share, "group")?;
    walker.opaque(2, "key exchange", &path.key("key_exchange"), share, "key_exchange")?;
    Ok(group)
}

/// A vector of 16-bit code points under `key`, also pushed to `into`.
fn code_list(
    walker: &mut Walker,
    width: usize,
    (kind, name): (&str, fn(u16) -> Option<&'static str>),
    path: &Path,
    fields: &mut Vec<Entry>,
    key: &str,
    into: &mut Vec<u16>,
) -> Walk {
    let list_path = path.key(key);
    walker.array_field(fields, key, |walker, items| {
        walker.vector(width, &format!("the {kind} list"), &list_path, |walker| {
            into.push(walker.code_point(kind, name, &list_path, items)?);
            Ok(())
        })
    })
}

/// A vector of 8-bit code points under `key`, also pushed to `into`.
fn byte_list(
    walker: &mut Walker,
    kind: &str,
    name: fn(u8) -> Option<&'static str>,
    path: &Path,
    fields: &mut Vec<Entry>,
    key: &str,
    into: &mut Vec<u8>,
) -> Walk {
    let list_path = path.key(key);
    walker.array_field(fields, key, |walker, items| {
        walker.vector(1, &format!("the {kind} list"), &list_path, |walker| {
            let at = walker.take(1, &format!("a {kind}"))?;
            let id = walker.u8_at(at);
            let label = name(id).unwrap_or("unknown");
            walker.mark(at, 1, Role::Value, &list_path.index(items.len()), format!("{kind} {id}: {label}"));
            items.push(Node::with_span(Value::String(format!("{label} ({id})")), walker.span(at, at + 1)));
            into.push(id);
            Ok(())
        })
    })
}
