//! Any format to any other through the document model: decode with one, encode with another,
//! and the side-by-side comparison the Formats lab shows (sizes raw and gzipped, encode and
//! decode times, what each format could not carry).

use serde::{Deserialize, Serialize};
use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::json::Style;
use super::protobuf::Schema;
use super::{
    Decoded, Encoded, Format, FormatError, Loss, Node, Path, Value, cbor, json, msgpack, plain, protobuf, xml,
};

/// The schema and message type Protobuf needs; the other formats need nothing.
#[derive(Clone, Copy, Debug)]
pub struct ProtobufChoice<'a> {
    pub schema: &'a Schema,
    pub message: &'a str,
}

fn protobuf_choice<'a>(choice: Option<ProtobufChoice<'a>>) -> Result<ProtobufChoice<'a>, FormatError> {
    choice.ok_or_else(|| FormatError::general("Protobuf needs a schema and a message type: choose one"))
}

/// Encodes `document` in `format`; text formats in the given style.
pub fn encode(
    document: &Node,
    format: Format,
    style: Style,
    protobuf: Option<ProtobufChoice<'_>>,
) -> Result<Encoded, FormatError> {
    match format {
        Format::Json => Ok(json::encode(document, style)),
        Format::Xml => Ok(xml::encode(document, style)),
        Format::MessagePack => Ok(msgpack::encode(document)),
        Format::Cbor => Ok(cbor::encode(document)),
        Format::Protobuf => {
            let choice = protobuf_choice(protobuf)?;
            protobuf::encode(document, choice.schema, choice.message)
        }
    }
}

/// Decodes `bytes` as `format`. Text formats must be UTF-8; an invalid byte is reported at its offset.
pub fn decode(bytes: &[u8], format: Format, protobuf: Option<ProtobufChoice<'_>>) -> Result<Decoded, FormatError> {
    let text = || {
        std::str::from_utf8(bytes).map_err(|error| {
            FormatError::at_offset(error.valid_up_to(), format!("{format} must be UTF-8 text; this byte is not"))
        })
    };
    match format {
        Format::Json => json::parse(text()?),
        Format::Xml => xml::parse(text()?),
        Format::MessagePack => msgpack::decode(bytes),
        Format::Cbor => cbor::decode(bytes),
        Format::Protobuf => {
            let choice = protobuf_choice(protobuf)?;
            protobuf::decode(bytes, choice.schema, choice.message)
        }
    }
}

/// Re-encodes `bytes` from one format in another, with the losses of both steps.
pub fn convert(
    bytes: &[u8],
    from: Format,
    to: Format,
    style: Style,
    protobuf: Option<ProtobufChoice<'_>>,
) -> Result<Encoded, FormatError> {
    let decoded = decode(bytes, from, protobuf)?;
    let mut encoded = encode(&decoded.document, to, style, protobuf)?;
    let mut losses = decoded.losses;
    losses.append(&mut encoded.losses);
    encoded.losses = losses;
    Ok(encoded)
}

/// Size of `bytes` after gzip at the default level, as a web server would send them.
pub fn gzip_size(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail; if it somehow did, report the uncompressed size.
    match encoder.write_all(bytes).and_then(|()| encoder.finish()) {
        Ok(compressed) => compressed.len(),
        Err(_) => bytes.len(),
    }
}

/// One format's column in the comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub format: Format,
    /// The encoding as the lab shows it (text formats pretty-printed), or why it failed.
    pub shown: Result<Encoded, FormatError>,
    /// Bytes on the wire: text formats without whitespace, binary ones as they are.
    pub wire_size: usize,
    pub gzip_size: usize,
    /// Milliseconds per encode of the wire form and per decode of it, by the format's own library
    /// (`plain::library`); NaN when that library could not do it.
    pub encode_ms: f64,
    pub decode_ms: f64,
    /// What came back different when the wire form was decoded (beyond the reported losses).
    pub round_trip: Result<(), String>,
}

/// Runs `work` until about `budget_ms` have passed (at least once, at most `max_runs` times) and
/// gives the mean milliseconds per run, read from `clock` (milliseconds, any origin).
pub fn time_per_run(clock: &dyn Fn() -> f64, budget_ms: f64, max_runs: u32, mut work: impl FnMut()) -> f64 {
    let start = clock();
    let mut runs = 0u32;
    loop {
        work();
        runs += 1;
        let elapsed = clock() - start;
        if elapsed >= budget_ms || runs >= max_runs {
            return elapsed / f64::from(runs);
        }
    }
}

/// Every format side by side for one document. `clock` reads milliseconds (the browser's
/// `performance.now()`, or `Instant` natively); `budget_ms` bounds each timing.
pub fn compare(
    document: &Node,
    protobuf: Option<ProtobufChoice<'_>>,
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
) -> Vec<Comparison> {
    Format::ALL.iter().map(|&format| compare_one(document, format, protobuf, clock, budget_ms)).collect()
}

fn compare_one(
    document: &Node,
    format: Format,
    protobuf: Option<ProtobufChoice<'_>>,
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
) -> Comparison {
    let failed = |error: FormatError| Comparison {
        format,
        shown: Err(error),
        wire_size: 0,
        gzip_size: 0,
        encode_ms: 0.0,
        decode_ms: 0.0,
        round_trip: Ok(()),
    };
    let shown = match encode(document, format, Style::Pretty, protobuf) {
        Ok(shown) => shown,
        Err(error) => return failed(error),
    };
    let wire = if format.is_text() {
        match encode(document, format, Style::Compact, protobuf) {
            Ok(wire) => wire,
            Err(error) => return failed(error),
        }
    } else {
        shown.clone()
    };
    // Timed through each format's own library (see `plain`), not through Wirelab's mapping.
    let encode_ms = match plain::prepare(document, format, protobuf) {
        Ok(prepared) => time_per_run(clock, budget_ms, 1000, || {
            std::hint::black_box(plain::encode(&prepared));
        }),
        Err(_) => f64::NAN,
    };
    let decode_ms = match plain::Decoder::new(format, protobuf) {
        Ok(decoder) if decoder.decode(&wire.bytes).is_ok() => time_per_run(clock, budget_ms, 1000, || {
            let _ = std::hint::black_box(decoder.decode(&wire.bytes));
        }),
        _ => f64::NAN,
    };
    let round_trip = round_trip_difference(document, &wire, format, protobuf);
    Comparison {
        format,
        wire_size: wire.bytes.len(),
        gzip_size: gzip_size(&wire.bytes),
        shown: Ok(shown),
        encode_ms,
        decode_ms,
        round_trip,
    }
}

/// Decodes the wire form and says whether the document came back, ignoring spans, and if not,
/// the first field that differs.
fn round_trip_difference(
    document: &Node,
    wire: &Encoded,
    format: Format,
    protobuf: Option<ProtobufChoice<'_>>,
) -> Result<(), String> {
    let decoded = decode(&wire.bytes, format, protobuf).map_err(|error| format!("does not decode: {error}"))?;
    match first_difference(document, &decoded.document, &Path::root()) {
        None => Ok(()),
        Some((path, what)) => {
            let reported =
                wire.losses.iter().any(|loss| path.starts_with(&loss.path) && (!loss.path.is_root() || path.is_root()));
            let note = if reported { " (a loss listed above)" } else { "" };
            Err(format!("comes back different at {path}: {what}{note}"))
        }
    }
}

/// The first place two documents differ, or `None` when they carry the same data. Numbers
/// compare by value (`41` and `41.0` are the same number) and bytes match a string holding their
/// base64, as JSON and Protobuf's JSON mapping carry them.
pub fn first_difference(expected: &Node, actual: &Node, path: &Path) -> Option<(Path, String)> {
    let differ = |what: String| Some((path.clone(), what));
    match (&expected.value, &actual.value) {
        (Value::Map(left), Value::Map(right)) => {
            for entry in left {
                match right.iter().find(|other| other.key == entry.key) {
                    Some(other) => {
                        if let Some(found) = first_difference(&entry.value, &other.value, &path.key(&entry.key)) {
                            return Some(found);
                        }
                    }
                    None => return Some((path.key(&entry.key), "missing".into())),
                }
            }
            right
                .iter()
                .find(|other| !left.iter().any(|entry| entry.key == other.key))
                .map(|extra| (path.key(&extra.key), "added".into()))
        }
        (Value::Array(left), Value::Array(right)) => {
            for (index, (item, other)) in left.iter().zip(right).enumerate() {
                if let Some(found) = first_difference(item, other, &path.index(index)) {
                    return Some(found);
                }
            }
            (left.len() != right.len()).then(|| (path.clone(), format!("{} items became {}", left.len(), right.len())))
        }
        (left, right) if same_data(left, right) => None,
        (left, right) => {
            differ(format!("{} {} became {} {}", left.kind(), preview(left), right.kind(), preview(right)))
        }
    }
}

fn same_data(left: &Value, right: &Value) -> bool {
    use base64::Engine;
    let base64_of = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    match (left, right) {
        (Value::Integer(a), Value::Float(b)) | (Value::Float(b), Value::Integer(a)) => *a as f64 == *b,
        (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
        (Value::Bytes(bytes), Value::String(text)) | (Value::String(text), Value::Bytes(bytes)) => {
            base64_of(bytes).trim_end_matches('=') == text.trim_end_matches('=')
        }
        (a, b) => a == b,
    }
}

fn preview(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{:?}", crate::units::first_chars(text, 24).0),
        Value::Integer(number) => number.to_string(),
        Value::Float(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Bytes(bytes) => format!("({} bytes)", bytes.len()),
        Value::Null => String::new(),
        Value::Array(items) => format!("[{}]", items.len()),
        Value::Map(entries) => format!("{{{}}}", entries.len()),
    }
}

/// All losses of a comparison's shown encoding (empty when it failed).
pub fn losses(comparison: &Comparison) -> &[Loss] {
    comparison.shown.as_ref().map(|encoded| encoded.losses.as_slice()).unwrap_or(&[])
}
