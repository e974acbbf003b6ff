//! What the format case tables share: renderings of documents, byte maps and losses, the
//! coverage checks every map must pass, and the decode/encode checks of the binary formats.

#![allow(dead_code)] // each format's table uses its own subset

use expect_test::Expect;
use wire::binary_input::parse_hex;
use wire::formats::{ByteMap, Decoded, Encoded, Entry, FormatError, Loss, Node, Path, Span, Value};

pub fn render_map(map: &ByteMap) -> String {
    map.spans()
        .iter()
        .map(|span| {
            format!("{}..{} {} {} {}\n", span.span.offset, span.span.end(), span.role.label(), span.path, span.detail)
        })
        .collect()
}

pub fn render_node(node: &Node) -> String {
    let mut out = String::new();
    render_into(node, &Path::root(), None, &mut out);
    out
}

fn render_into(node: &Node, path: &Path, key_span: Option<Span>, out: &mut String) {
    let span = node.span.map_or("-".to_owned(), |span| format!("{}..{}", span.offset, span.end()));
    let key = key_span.map_or(String::new(), |span| format!(" key {}..{}", span.offset, span.end()));
    let shown = match &node.value {
        Value::Array(items) => format!("array of {}", items.len()),
        Value::Map(entries) => format!("map of {}", entries.len()),
        Value::String(text) => format!("{text:?}"),
        Value::Bytes(bytes) => format!("bytes {bytes:02x?}"),
        Value::Integer(integer) => format!("{integer}"),
        Value::Float(float) => format!("float {float:?}"),
        Value::Bool(flag) => format!("{flag}"),
        Value::Null => "null".to_owned(),
    };
    out.push_str(&format!("{path} = {shown} @{span}{key}\n"));
    match &node.value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                render_into(item, &path.index(index), None, out);
            }
        }
        Value::Map(entries) => {
            for entry in entries {
                render_into(&entry.value, &path.key(&entry.key), entry.key_span, out);
            }
        }
        _ => {}
    }
}

pub fn render_losses(losses: &[Loss]) -> String {
    losses.iter().map(|loss| format!("loss at {}: {}\n", loss.path, loss.what)).collect()
}

pub fn bytes(hex: &str) -> Vec<u8> {
    parse_hex(hex).unwrap_or_else(|error| panic!("bad test hex {hex:?}: {error}"))
}

pub fn assert_all_covered(map: &ByteMap, len: usize) {
    map.check(len).unwrap_or_else(|problem| panic!("bad map: {problem}"));
    assert_eq!(map.covered_bytes(), len, "every byte is mapped");
}

/// A decoded document as the case tables show it: the tree, `--`, its byte map, then its losses.
pub fn render_decoded(decoded: &Decoded) -> String {
    format!("{}--\n{}{}", render_node(&decoded.document), render_map(&decoded.map), render_losses(&decoded.losses))
}

pub fn check_decode(decode: fn(&[u8]) -> Result<Decoded, FormatError>, hex: &str, expected: Expect) {
    let input = bytes(hex);
    let rendered = match decode(&input) {
        Ok(decoded) => {
            assert_all_covered(&decoded.map, input.len());
            render_decoded(&decoded)
        }
        Err(error) => format!("error: {error}\n"),
    };
    expected.assert_eq(&rendered);
}

pub fn check_values(decode: fn(&[u8]) -> Result<Decoded, FormatError>, hexes: &[&str], expected: Expect) {
    let rendered: String = hexes
        .iter()
        .map(|hex| match decode(&bytes(hex)) {
            Ok(decoded) => {
                let losses = render_losses(&decoded.losses).replace('\n', "; ");
                format!(
                    "{hex} → {} {losses}\n",
                    render_node(&decoded.document.without_spans()).replace(" @-", "").trim_end().replace('\n', ", ")
                )
            }
            Err(error) => format!("{hex} → error: {error}\n"),
        })
        .collect();
    expected.assert_eq(&rendered);
}

pub fn check_encode(encode: fn(&Node) -> Encoded, document: &Node, expected: Expect) {
    let encoded = encode(document);
    assert_all_covered(&encoded.map, encoded.bytes.len());
    let hex: Vec<String> = encoded.bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    expected.assert_eq(&format!(
        "{}\n--\n{}{}",
        hex.join(" "),
        render_map(&encoded.map),
        render_losses(&encoded.losses)
    ));
}

pub fn map_of(entries: Vec<(&str, Value)>) -> Node {
    Node::new(Value::Map(entries.into_iter().map(|(key, value)| Entry::new(key, Node::new(value))).collect()))
}

/// Checks the map's promises for text: sorted, in bounds, every non-whitespace byte covered.
pub fn assert_text_covered(map: &ByteMap, text: &[u8]) {
    map.check(text.len()).unwrap_or_else(|problem| panic!("bad map: {problem}"));
    for (offset, byte) in text.iter().enumerate() {
        assert!(byte.is_ascii_whitespace() || map.at(offset).is_some(), "byte {offset} ({}) unmapped", *byte as char);
    }
}
