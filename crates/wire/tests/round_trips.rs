//! Property tests: arbitrary documents survive JSON, MessagePack and CBOR exactly and XML
//! modulo its documented losses, and every byte map keeps its promises.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wire::formats::json::{self, Style};
use wire::formats::{ByteMap, Entry, Node, Value, cbor, msgpack, xml};

/// Equality with floats compared by value, NaN equal to NaN and -0.0 apart from 0.0.
fn same(left: &Node, right: &Node) -> bool {
    match (&left.value, &right.value) {
        (Value::Float(a), Value::Float(b)) => (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits(),
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b)),
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.key == b.key && same(&a.value, &b.value))
        }
        (a, b) => a == b,
    }
}

fn assert_text_map(map: &ByteMap, bytes: &[u8]) {
    map.check(bytes.len()).unwrap_or_else(|problem| panic!("bad map: {problem}"));
    for (offset, byte) in bytes.iter().enumerate() {
        assert!(byte.is_ascii_whitespace() || map.at(offset).is_some(), "byte {offset} unmapped");
    }
}

fn assert_binary_map(map: &ByteMap, bytes: &[u8]) {
    map.check(bytes.len()).unwrap_or_else(|problem| panic!("bad map: {problem}"));
    assert_eq!(map.covered_bytes(), bytes.len(), "every byte is mapped");
}

fn integer() -> impl Strategy<Value = i128> {
    prop_oneof![
        any::<i64>().prop_map(i128::from),
        any::<u64>().prop_map(i128::from),
        (-300i128..300),
        Just(1i128 << 53),
        Just((1i128 << 53) + 1),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        (-1000i32..1000).prop_map(|n| f64::from(n) / 8.0),
        Just(0.0),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(f64::NAN),
        Just(f64::MIN_POSITIVE),
    ]
}

/// Any document the model can hold (integers within ±2^64), a few levels deep.
fn document() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        integer().prop_map(Value::Integer),
        float().prop_map(Value::Float),
        ".{0,12}".prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Bytes),
    ]
    .prop_map(Node::new);
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(|items| Node::new(Value::Array(items))),
            proptest::collection::vec((".{0,8}", inner), 0..5).prop_map(|entries| {
                Node::new(Value::Map(entries.into_iter().map(|(key, value)| Entry::new(key, value)).collect()))
            }),
        ]
    })
}

/// What JSON can carry: no bytes, no non-finite floats, integers within the 64-bit range.
fn json_safe(node: &Node) -> Node {
    let value = match &node.value {
        Value::Bytes(bytes) => Value::String(format!("{} bytes", bytes.len())),
        Value::Float(float) if !float.is_finite() => Value::Null,
        Value::Integer(integer) if *integer < i128::from(i64::MIN) => Value::Integer(integer / 2),
        Value::Array(items) => Value::Array(items.iter().map(json_safe).collect()),
        Value::Map(entries) => {
            Value::Map(entries.iter().map(|entry| Entry::new(entry.key.clone(), json_safe(&entry.value))).collect())
        }
        other => other.clone(),
    };
    Node::new(value)
}

fn xml_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.-]{0,6}"
}

fn xml_text() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9 <>&'\"é€😀]{0,10}"
        .prop_filter("reads back as a string", |text| matches!(xml::infer(text), Value::String(_)))
}

fn xml_scalar() -> impl Strategy<Value = Node> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![any::<i64>().prop_map(i128::from), any::<u64>().prop_map(i128::from)].prop_map(Value::Integer),
        float().prop_map(Value::Float),
        xml_text().prop_map(Value::String),
        Just(Value::String(String::new())),
    ]
    .prop_map(Node::new)
}

/// Documents XML carries with no loss: maps with distinct XML-name keys, arrays of two or more
/// items only as a map's values, attributes first, text that reads back as text.
fn xml_document() -> impl Strategy<Value = Node> {
    let value = xml_scalar().prop_recursive(3, 32, 4, |inner| {
        let item = prop_oneof![
            xml_scalar(),
            inner.clone().prop_filter("not an array", |node| !matches!(node.value, Value::Array(_)))
        ];
        prop_oneof![
            proptest::collection::vec(item, 2..4).prop_map(|items| Node::new(Value::Array(items))),
            xml_map(inner),
        ]
    });
    xml_map(value)
}

fn xml_map(value: impl Strategy<Value = Node> + Clone) -> impl Strategy<Value = Node> {
    (
        proptest::collection::btree_map(xml_name(), xml_scalar(), 0..3),
        proptest::collection::btree_map(xml_name(), value, 1..4),
    )
        .prop_map(|(attributes, children)| {
            let mut entries: Vec<Entry> = attributes
                .into_iter()
                .filter(|(_, value)| {
                    value.value != Value::Null && !matches!(value.value, Value::String(ref text) if text.is_empty())
                })
                .map(|(name, value)| Entry::new(format!("@{name}"), value))
                .collect();
            if entries.len() == 1 && entries[0].key == "@nil" {
                entries.clear();
            }
            entries.extend(children.into_iter().map(|(name, value)| Entry::new(name, value)));
            Node::new(Value::Map(entries))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn json_round_trips(document in document()) {
        let document = json_safe(&document);
        for style in [Style::Pretty, Style::Compact] {
            let encoded = json::encode(&document, style);
            assert_text_map(&encoded.map, &encoded.bytes);
            let text = String::from_utf8(encoded.bytes).expect("JSON is UTF-8");
            let decoded = json::parse(&text).unwrap_or_else(|error| panic!("{error} in {text}"));
            assert_text_map(&decoded.map, text.as_bytes());
            prop_assert!(same(&decoded.document.without_spans(), &document), "{text}");
        }
    }

    #[test]
    fn json_encoding_never_fails(document in document()) {
        let encoded = json::encode(&document, Style::Compact);
        assert_text_map(&encoded.map, &encoded.bytes);
        prop_assert!(json::parse(std::str::from_utf8(&encoded.bytes).expect("UTF-8")).is_ok());
    }

    #[test]
    fn msgpack_round_trips(document in document()) {
        let encoded = msgpack::encode(&document);
        assert_binary_map(&encoded.map, &encoded.bytes);
        let decoded = msgpack::decode(&encoded.bytes).expect("own encoding decodes");
        assert_binary_map(&decoded.map, &encoded.bytes);
        if encoded.losses.is_empty() {
            prop_assert!(same(&decoded.document.without_spans(), &document));
            prop_assert!(decoded.losses.is_empty());
        }
    }

    #[test]
    fn cbor_round_trips(document in document()) {
        let encoded = cbor::encode(&document);
        assert_binary_map(&encoded.map, &encoded.bytes);
        prop_assert!(encoded.losses.is_empty());
        let decoded = cbor::decode(&encoded.bytes).expect("own encoding decodes");
        assert_binary_map(&decoded.map, &encoded.bytes);
        prop_assert!(same(&decoded.document.without_spans(), &document));
        prop_assert!(decoded.losses.is_empty());
    }

    #[test]
    fn xml_round_trips_what_it_can_carry(document in xml_document()) {
        for style in [Style::Pretty, Style::Compact] {
            let encoded = xml::encode(&document, style);
            assert_text_map(&encoded.map, &encoded.bytes);
            prop_assert!(encoded.losses.is_empty(), "{:?}", encoded.losses);
            let text = String::from_utf8(encoded.bytes).expect("XML is UTF-8");
            let decoded = xml::parse(&text).unwrap_or_else(|error| panic!("{error} in {text}"));
            assert_text_map(&decoded.map, text.as_bytes());
            prop_assert!(same(&decoded.document.without_spans(), &document), "{text}\n{:?}", decoded.document.without_spans());
        }
    }

    #[test]
    fn xml_encodes_anything_readably(document in document()) {
        let encoded = xml::encode(&document, Style::Pretty);
        assert_text_map(&encoded.map, &encoded.bytes);
        let text = String::from_utf8(encoded.bytes).expect("XML is UTF-8");
        let decoded = xml::parse(&text).unwrap_or_else(|error| panic!("{error} in {text}"));
        assert_text_map(&decoded.map, text.as_bytes());
    }

    #[test]
    fn decoders_never_panic_on_noise(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(decoded) = msgpack::decode(&bytes) {
            assert_binary_map(&decoded.map, &bytes);
        }
        if let Ok(decoded) = cbor::decode(&bytes) {
            assert_binary_map(&decoded.map, &bytes);
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(decoded) = json::parse(&text) {
            assert_text_map(&decoded.map, text.as_bytes());
        }
        if let Ok(decoded) = xml::parse(&text) {
            assert_text_map(&decoded.map, text.as_bytes());
        }
    }

    #[test]
    fn xml_reader_never_panics(text in "[<>/a-c =\"'&;#x0-9!?\\[\\]CDATA-]{0,40}") {
        if let Ok(decoded) = xml::parse(&text) {
            assert_text_map(&decoded.map, text.as_bytes());
        }
    }
}
