//! What rides on TCP and UDP, when it is there: DNS, HTTP/1.1 heads (httparse), WebSocket frames
//! (headers read by [`crate::ws_frame`]), TLS records ([`crate::tls::dissect`]) and MQTT
//! packets ([`crate::mqtt::dissect`]). Which one a payload is comes from [`AppProtocol::guess`]:
//! its first bytes, and the port where bytes alone cannot tell.

use super::cursor::{Cursor, Walk, bytes_count};
use crate::formats::{FormatError, Role, Value};
use crate::mqtt::{self, Version};
use crate::ws_frame;

/// The protocols read above TCP and UDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppProtocol {
    Dns,
    Http,
    WebSocket,
    Tls,
    Mqtt,
}

impl AppProtocol {
    pub fn label(self) -> &'static str {
        match self {
            AppProtocol::Dns => "DNS",
            AppProtocol::Http => "HTTP",
            AppProtocol::WebSocket => "WebSocket",
            AppProtocol::Tls => "TLS",
            AppProtocol::Mqtt => "MQTT",
        }
    }

    /// Which protocol `payload` most likely is, between `ports` (either end) over TCP or UDP.
    /// `upgraded` says the stream already switched to WebSocket (an HTTP 101 was seen).
    pub fn guess(tcp: bool, ports: (u16, u16), payload: &[u8], upgraded: bool) -> Option<AppProtocol> {
        if payload.is_empty() {
            return None;
        }
        let either = |port: u16| ports.0 == port || ports.1 == port;
        if !tcp {
            return (either(53) || either(5353)).then_some(AppProtocol::Dns).filter(|_| payload.len() >= 12);
        }
        if upgraded {
            return Some(AppProtocol::WebSocket);
        }
        if looks_like_tls(payload) {
            return Some(AppProtocol::Tls);
        }
        if looks_like_http(payload) {
            return Some(AppProtocol::Http);
        }
        if either(1883) {
            return Some(AppProtocol::Mqtt);
        }
        if either(53) && payload.len() >= 14 {
            return Some(AppProtocol::Dns);
        }
        if looks_like_websocket(payload) {
            return Some(AppProtocol::WebSocket);
        }
        None
    }
}

fn looks_like_tls(payload: &[u8]) -> bool {
    matches!(payload, [20..=24, 3, 0..=4, ..])
}

const METHODS: [&[u8]; 9] =
    [b"GET ", b"POST ", b"PUT ", b"DELETE ", b"HEAD ", b"OPTIONS ", b"PATCH ", b"CONNECT ", b"TRACE "];

pub fn looks_like_http(payload: &[u8]) -> bool {
    payload.starts_with(b"HTTP/1.") || METHODS.iter().any(|method| payload.starts_with(method))
}

/// Frames that fill the payload exactly, with known opcodes and no reserved bits: WebSocket
/// without having seen the upgrade.
fn looks_like_websocket(payload: &[u8]) -> bool {
    let mut at = 0;
    while at < payload.len() {
        let Some(header) = ws_frame::parse_header(&payload[at..]) else { return false };
        if header.rsv.iter().any(|bit| *bit) || !matches!(header.opcode, 0 | 1 | 2 | 8 | 9 | 10) {
            return false;
        }
        let Some(next) =
            usize::try_from(header.payload_len).ok().and_then(|len| (at + header.header_len).checked_add(len))
        else {
            return false;
        };
        at = next;
    }
    at == payload.len()
}

/// Reads the payload `cursor.pos..cursor.end` as `protocol`.
pub(super) fn read(cursor: &mut Cursor, protocol: AppProtocol, tcp: bool) -> Walk {
    match protocol {
        AppProtocol::Dns => dns(cursor, tcp),
        AppProtocol::Http => http(cursor),
        AppProtocol::WebSocket => websocket(cursor),
        AppProtocol::Tls => grafted_tls(cursor),
        AppProtocol::Mqtt => mqtt_packets(cursor),
    }
}

fn shift_error(error: FormatError, by: usize) -> FormatError {
    let mut error = error;
    if let Some(location) = error.0.location.as_mut() {
        location.offset += by;
        location.position = None;
    }
    error
}

fn grafted_tls(cursor: &mut Cursor) -> Walk {
    let at = cursor.pos;
    let payload = cursor.slice(at, cursor.remaining());
    let dissection = crate::tls::dissect(payload);
    cursor.pos = cursor.end;
    cursor.graft("tls", at, dissection.document, &dissection.map);
    dissection.error.map_or(Ok(()), |error| Err(shift_error(error, at)))
}

fn mqtt_packets(cursor: &mut Cursor) -> Walk {
    cursor.list("mqtt", |cursor| {
        let mut version = Version::V311;
        while cursor.remaining() > 0 {
            let at = cursor.pos;
            let rest = cursor.slice(at, cursor.remaining());
            let len = match mqtt::stream::packet_len(rest) {
                Ok(Some(len)) => len.min(rest.len()),
                Ok(None) => rest.len(),
                Err((offset, words)) => return Err(cursor.error_at(at + offset, words)),
            };
            let packet = &rest[..len];
            // A CONNECT says its own version (protocol level 5 at byte 8 of a usual CONNECT).
            if packet.first().is_some_and(|byte| byte >> 4 == 1) && packet.get(8) == Some(&5) {
                version = Version::V5;
            }
            let dissection = mqtt::dissect(packet, version);
            cursor.pos = at + len;
            cursor.graft("packet", at, dissection.document, &dissection.map);
            if let Some(error) = dissection.error {
                return Err(shift_error(error, at));
            }
        }
        Ok(())
    })
}

/// One WebSocket frame after another; a frame cut by the segment's end is shown as far as it goes.
fn websocket(cursor: &mut Cursor) -> Walk {
    cursor.list("websocket", |cursor| {
        while cursor.remaining() > 0 {
            let at = cursor.pos;
            let Some(header) = ws_frame::parse_header(cursor.slice(at, cursor.remaining())) else {
                return Err(cursor.error_at(at, "the bytes end inside a WebSocket frame header"));
            };
            cursor.group("frame", |cursor| {
                cursor.bits(
                    "fin_rsv_opcode",
                    1,
                    |byte| {
                        format!(
                            "FIN {} · RSV {}{}{} · opcode 0x{:x} {}",
                            byte >> 7,
                            (byte >> 6) & 1,
                            (byte >> 5) & 1,
                            (byte >> 4) & 1,
                            byte & 0xf,
                            ws_frame::opcode_name((byte & 0xf) as u8)
                        )
                    },
                    |byte| {
                        vec![
                            ("fin", Value::Bool(byte & 0x80 != 0)),
                            ("rsv1", Value::Bool(byte & 0x40 != 0)),
                            ("rsv2", Value::Bool(byte & 0x20 != 0)),
                            ("rsv3", Value::Bool(byte & 0x10 != 0)),
                            ("opcode", Value::String(ws_frame::opcode_name((byte & 0xf) as u8))),
                        ]
                    },
                )?;
                cursor.bits(
                    "mask_and_length",
                    1,
                    |byte| format!("MASK {} · payload length {}", byte >> 7, byte & 0x7f),
                    |byte| {
                        vec![
                            ("masked", Value::Bool(byte & 0x80 != 0)),
                            ("length_field", Value::Integer(i128::from(byte & 0x7f))),
                        ]
                    },
                )?;
                match header.length_encoding {
                    ws_frame::LengthEncoding::Sixteen => {
                        cursor.uint("extended_length", 2, Role::Length, |len| {
                            format!("payload length {len} (16 bits)")
                        })?;
                    }
                    ws_frame::LengthEncoding::SixtyFour => {
                        let field_at = cursor.take(8, "extended_length")?;
                        cursor.put(
                            "extended_length",
                            field_at,
                            8,
                            Role::Length,
                            Value::Integer(i128::from(header.payload_len)),
                            format!("payload length {} (64 bits)", header.payload_len),
                        );
                    }
                    ws_frame::LengthEncoding::Seven => {}
                }
                if let Some(key) = header.mask_key {
                    cursor.field(
                        "masking_key",
                        4,
                        Role::Header,
                        |bytes| Value::Bytes(bytes.to_vec()),
                        |_| format!("masking key {:02x}{:02x}{:02x}{:02x}", key[0], key[1], key[2], key[3]),
                    )?;
                }
                let declared = usize::try_from(header.payload_len).unwrap_or(usize::MAX);
                let len = declared.min(cursor.remaining());
                let payload_at = cursor.take(len, "payload")?;
                let mut payload = cursor.slice(payload_at, len).to_vec();
                if let Some(key) = header.mask_key {
                    for (index, byte) in payload.iter_mut().enumerate() {
                        *byte ^= key[index % 4];
                    }
                }
                let cut = if len < declared {
                    format!(" (the frame goes on: {} of {declared} bytes here)", len)
                } else {
                    String::new()
                };
                let (value, detail) = match (header.opcode, std::str::from_utf8(&payload)) {
                    (1, Ok(text)) => {
                        (Value::String(text.to_string()), format!("text payload, {}{cut}", bytes_count(len)))
                    }
                    (8, _) if payload.len() >= 2 => {
                        let code = u16::from_be_bytes([payload[0], payload[1]]);
                        (Value::Bytes(payload), format!("close payload: code {code}{cut}"))
                    }
                    _ => (
                        Value::Bytes(payload),
                        format!(
                            "payload, {}{}{cut}",
                            bytes_count(len),
                            if header.mask_key.is_some() { " (unmasked in the document)" } else { "" }
                        ),
                    ),
                };
                cursor.put("payload", payload_at, len, Role::Value, value, detail);
                Ok(())
            })?;
        }
        Ok(())
    })
}

/// An HTTP/1.x request or response head (httparse), then the rest as the body.
fn http(cursor: &mut Cursor) -> Walk {
    let at = cursor.pos;
    let payload = cursor.slice(at, cursor.remaining());
    let offset_of = |piece: &[u8]| at + (piece.as_ptr() as usize - payload.as_ptr() as usize);
    cursor.group("http", |cursor| {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let (head_len, first_line, header_list) = if payload.starts_with(b"HTTP/") {
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(payload) {
                Ok(httparse::Status::Complete(len)) => {
                    let line = first_line_pieces(payload, 3);
                    (Some(len), line, response.headers.iter().map(|h| (h.name, h.value)).collect::<Vec<_>>())
                }
                Ok(httparse::Status::Partial) => (None, first_line_pieces(payload, 3), Vec::new()),
                Err(error) => return Err(cursor.error_at(at, format!("not an HTTP/1.x response head: {error}"))),
            }
        } else {
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(payload) {
                Ok(httparse::Status::Complete(len)) => {
                    let line = first_line_pieces(payload, 3);
                    (Some(len), line, request.headers.iter().map(|h| (h.name, h.value)).collect::<Vec<_>>())
                }
                Ok(httparse::Status::Partial) => (None, first_line_pieces(payload, 3), Vec::new()),
                Err(error) => return Err(cursor.error_at(at, format!("not an HTTP/1.x request head: {error}"))),
            }
        };
        let names: &[&str] = if payload.starts_with(b"HTTP/") {
            &["version", "status", "reason"]
        } else {
            &["method", "target", "version"]
        };
        // Where the mapped pieces end, so the separators and line breaks between them are mapped too.
        let mut mapped_to = at;
        if let Some(pieces) = &first_line {
            for ((start, len), name) in pieces.iter().zip(names) {
                let text = String::from_utf8_lossy(&payload[*start..start + len]).into_owned();
                if at + start > mapped_to {
                    cursor.structure(mapped_to, at + start - mapped_to, "space");
                }
                cursor.put(name, at + start, *len, Role::Value, Value::String(text.clone()), format!("{name} {text}"));
                mapped_to = at + start + len;
            }
        }
        let Some(head_len) = head_len else {
            if cursor.end > mapped_to {
                cursor.structure(mapped_to, cursor.end - mapped_to, "the head goes on in a later segment");
            }
            cursor.pos = cursor.end;
            return Ok(());
        };
        cursor.list("headers", |cursor| {
            for (name, value) in &header_list {
                let name_at = offset_of(name.as_bytes());
                let value_at = offset_of(value);
                let value_text = String::from_utf8_lossy(value).into_owned();
                if name_at > mapped_to {
                    cursor.structure(mapped_to, name_at - mapped_to, "line break");
                }
                cursor.group(name, |cursor| {
                    let name_end = name_at + name.len();
                    cursor.put(
                        "name",
                        name_at,
                        name.len(),
                        Role::Key,
                        Value::String((*name).to_string()),
                        format!("header name {name}"),
                    );
                    if value_at > name_end {
                        cursor.structure(name_end, value_at - name_end, "colon and spaces");
                    }
                    let detail = format!("{name}: {value_text}");
                    cursor.put("value", value_at, value.len(), Role::Value, Value::String(value_text.clone()), detail);
                    Ok(())
                })?;
                mapped_to = value_at + value.len();
            }
            Ok(())
        })?;
        if at + head_len > mapped_to {
            cursor.structure(mapped_to, at + head_len - mapped_to, "line breaks ending the head");
        }
        cursor.pos = at + head_len;
        if cursor.remaining() > 0 {
            cursor.rest("body", |len| format!("body, {} in this segment", bytes_count(len)))?;
        }
        Ok(())
    })
}

/// The offsets and lengths of the first line's `count` space-separated pieces (the last takes
/// the rest of the line).
fn first_line_pieces(payload: &[u8], count: usize) -> Option<Vec<(usize, usize)>> {
    let line_end = payload.iter().position(|byte| *byte == b'\r' || *byte == b'\n')?;
    let line = &payload[..line_end];
    let mut pieces = Vec::new();
    let mut start = 0;
    for index in 0..count {
        if start > line.len() {
            break;
        }
        let end = if index + 1 == count {
            line.len()
        } else {
            line[start..].iter().position(|b| *b == b' ').map_or(line.len(), |p| start + p)
        };
        pieces.push((start, end - start));
        start = end + 1;
    }
    Some(pieces)
}

/// DNS record type names.
pub fn dns_type_name(kind: u16) -> &'static str {
    match kind {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        41 => "OPT",
        64 => "SVCB",
        65 => "HTTPS",
        255 => "ANY",
        _ => "unknown",
    }
}

/// A name at `at` of `message` (compression pointers followed, at most 64 jumps): the dotted
/// text and how many bytes it takes in place.
pub fn dns_name(message: &[u8], at: usize) -> Option<(String, usize)> {
    let mut labels: Vec<String> = Vec::new();
    let mut pos = at;
    let mut in_place = None;
    for _ in 0..128 {
        let len = *message.get(pos)? as usize;
        match len {
            0 => {
                let taken = in_place.unwrap_or_else(|| pos + 1 - at);
                let name = if labels.is_empty() { "<Root>".to_string() } else { labels.join(".") };
                return Some((name, taken));
            }
            0xc0..=0xff => {
                let target = (len & 0x3f) << 8 | usize::from(*message.get(pos + 1)?);
                in_place.get_or_insert(pos + 2 - at);
                if target >= pos {
                    return None;
                }
                pos = target;
            }
            1..=63 => {
                let label = message.get(pos + 1..pos + 1 + len)?;
                labels.push(String::from_utf8_lossy(label).into_owned());
                pos += 1 + len;
            }
            _ => return None,
        }
    }
    None
}

fn dns(cursor: &mut Cursor, tcp: bool) -> Walk {
    cursor.group("dns", |cursor| {
        if tcp {
            cursor.uint("length", 2, Role::Length, |len| format!("message length {len} (DNS over TCP)"))?;
        }
        let message_at = cursor.pos;
        let message = cursor.slice(message_at, cursor.remaining());
        cursor.uint("id", 2, Role::Value, |id| format!("transaction id 0x{id:04x}"))?;
        cursor.bits(
            "flags",
            2,
            |flags| {
                format!(
                    "flags 0x{flags:04x}: {} · opcode {} · AA {} · TC {} · RD {} · RA {} · rcode {}",
                    if flags & 0x8000 != 0 { "response" } else { "query" },
                    (flags >> 11) & 0xf,
                    (flags >> 10) & 1,
                    (flags >> 9) & 1,
                    (flags >> 8) & 1,
                    (flags >> 7) & 1,
                    flags & 0xf
                )
            },
            |flags| {
                vec![
                    ("response", Value::Bool(flags & 0x8000 != 0)),
                    ("opcode", Value::Integer(i128::from((flags >> 11) & 0xf))),
                    ("authoritative", Value::Bool(flags & 0x0400 != 0)),
                    ("truncated", Value::Bool(flags & 0x0200 != 0)),
                    ("recursion_desired", Value::Bool(flags & 0x0100 != 0)),
                    ("recursion_available", Value::Bool(flags & 0x0080 != 0)),
                    ("rcode", Value::Integer(i128::from(flags & 0xf))),
                ]
            },
        )?;
        let mut counts = [0usize; 4];
        for (index, key) in ["questions", "answers", "authority", "additional"].iter().enumerate() {
            counts[index] = cursor.uint(&format!("{key}_count"), 2, Role::Length, |n| format!("{n} {key}"))? as usize;
        }
        cursor.list("questions", |cursor| {
            for _ in 0..counts[0] {
                cursor.group("question", |cursor| {
                    dns_name_field(cursor, message, message_at)?;
                    cursor
                        .uint("type", 2, Role::Header, |kind| format!("type {kind} {}", dns_type_name(kind as u16)))?;
                    cursor.uint("class", 2, Role::Header, |class| {
                        format!("class {class}{}", if class & 0x7fff == 1 { " IN" } else { "" })
                    })?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
        for (index, key) in [(1, "answers"), (2, "authority"), (3, "additional")] {
            if counts[index] == 0 {
                continue;
            }
            cursor.list(key, |cursor| {
                for _ in 0..counts[index] {
                    dns_record(cursor, message, message_at)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })
}

fn dns_name_field(cursor: &mut Cursor, message: &[u8], message_at: usize) -> Walk<String> {
    let at = cursor.pos;
    let Some((name, len)) = dns_name(message, at - message_at) else {
        return Err(cursor.error_at(at, "a DNS name that runs past the message, loops, or uses a reserved label type"));
    };
    let at = cursor.take(len, "the name")?;
    cursor.put("name", at, len, Role::Value, Value::String(name.clone()), format!("name {name}"));
    Ok(name)
}

fn dns_record(cursor: &mut Cursor, message: &[u8], message_at: usize) -> Walk {
    cursor.group("record", |cursor| {
        dns_name_field(cursor, message, message_at)?;
        let kind =
            cursor.uint("type", 2, Role::Header, |kind| format!("type {kind} {}", dns_type_name(kind as u16)))? as u16;
        cursor.uint("class", 2, Role::Header, |class| format!("class {class}"))?;
        cursor.uint("ttl", 4, Role::Value, |ttl| format!("time to live {ttl} s"))?;
        let len = cursor.uint("data_length", 2, Role::Length, |len| format!("data length {len}"))? as usize;
        cursor.within(len, "the record's data length", |cursor| {
            let at = cursor.pos;
            match (kind, len) {
                (1, 4) => {
                    cursor.field(
                        "address",
                        4,
                        Role::Value,
                        |bytes| Value::String(super::network::ipv4_text(bytes)),
                        |value| format!("address {}", value_text(value)),
                    )?;
                }
                (28, 16) => {
                    cursor.field(
                        "address",
                        16,
                        Role::Value,
                        |bytes| Value::String(super::network::ipv6_text(bytes)),
                        |value| format!("address {}", value_text(value)),
                    )?;
                }
                (2 | 5 | 12, _) => {
                    dns_name_field(cursor, message, message_at)?;
                }
                (15, _) => {
                    cursor.uint("preference", 2, Role::Value, |pref| format!("preference {pref}"))?;
                    dns_name_field(cursor, message, message_at)?;
                }
                _ => {}
            }
            if cursor.pos == at + len {
                return Ok(());
            }
            if cursor.remaining() > 0 {
                cursor.rest("data", |len| format!("record data, {}", bytes_count(len)))?;
            }
            Ok(())
        })
    })
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        _ => String::new(),
    }
}
