//! Conversion between formats, the side-by-side comparison, the round-trip check and the
//! Decode tab's format guesses.

use wire::binary_input::parse_hex;
use wire::formats::convert::{ProtobufChoice, compare, convert, first_difference, gzip_size};
use wire::formats::guess::{Reading, guess};
use wire::formats::json::{self, Style};
use wire::formats::protobuf::Schema;
use wire::formats::{Format, Path, samples};

fn document(text: &str) -> wire::formats::Node {
    json::parse(text).unwrap_or_else(|error| panic!("bad test JSON: {error}")).document
}

/// A clock that moves 1 ms per reading, so timings are deterministic.
fn ticking_clock() -> impl Fn() -> f64 {
    let now = std::cell::Cell::new(0.0);
    move || {
        now.set(now.get() + 1.0);
        now.get()
    }
}

case_test! {
    fn every_sample_compares_in_all_five_formats_and_round_trips() {
        let schema = Schema::sample();
        for sample in samples::all() {
            let clock = ticking_clock();
            let choice = ProtobufChoice { schema: &schema, message: sample.message };
            let columns = compare(&document(&sample.json), Some(choice), &clock, 1.0);
            assert_eq!(columns.iter().map(|c| c.format).collect::<Vec<_>>(), Format::ALL.to_vec());
            for column in &columns {
                let shown = column.shown.as_ref().unwrap_or_else(|error| panic!("{} {}: {error}", sample.name, column.format));
                assert!(column.wire_size > 0 && column.gzip_size > 0, "{} {}", sample.name, column.format);
                assert!(column.encode_ms.is_finite() && column.decode_ms.is_finite(), "{} {} is timed", sample.name, column.format);
                assert!(column.wire_size <= shown.bytes.len(), "the wire form is never larger than the shown one");
                // XML carries no types and Protobuf leaves out defaults: such differences must be
                // ones the encoding reported; JSON, MessagePack and CBOR must come back exactly.
                match (&column.round_trip, column.format) {
                    (Ok(()), _) => {}
                    (Err(why), Format::Xml | Format::Protobuf) if why.ends_with("(a loss listed above)") => {}
                    (Err(why), format) => panic!("{} through {format}: {why}", sample.name),
                }
                shown.map.check(shown.bytes.len()).unwrap_or_else(|error| panic!("{} {}: {error}", sample.name, column.format));
            }
            let size = |format: Format| columns.iter().find(|c| c.format == format).map_or(0, |c| c.wire_size);
            assert!(size(Format::Protobuf) < size(Format::MessagePack), "{}: Protobuf is smallest", sample.name);
            assert!(size(Format::Cbor) < size(Format::Json), "{}: CBOR beats JSON", sample.name);
            assert!(size(Format::Json) < size(Format::Xml), "{}: XML is largest", sample.name);
        }
    }

    fn protobuf_without_a_message_type_says_so_and_the_others_still_work() {
        let clock = ticking_clock();
        let columns = compare(&document(r#"{"a": 1}"#), None, &clock, 1.0);
        for column in columns {
            match column.format {
                Format::Protobuf => {
                    let error = column.shown.err().map(|error| error.to_string()).unwrap_or_default();
                    assert_eq!(error, "Protobuf needs a schema and a message type: choose one");
                }
                other => assert!(column.shown.is_ok(), "{other}"),
            }
        }
    }

    fn conversions_between_every_pair_of_self_describing_formats() {
        let source = document(samples::NESTED_ORDER);
        let formats = [Format::Json, Format::Xml, Format::MessagePack, Format::Cbor];
        for from in formats {
            let encoded = wire::formats::convert::encode(&source, from, Style::Compact, None)
                .unwrap_or_else(|error| panic!("{from}: {error}"));
            for to in formats {
                let converted = convert(&encoded.bytes, from, to, Style::Compact, None)
                    .unwrap_or_else(|error| panic!("{from} → {to}: {error}"));
                let back = wire::formats::convert::decode(&converted.bytes, to, None)
                    .unwrap_or_else(|error| panic!("{from} → {to} does not decode: {error}"));
                match first_difference(&source, &back.document, &Path::root()) {
                    None => {}
                    // Through XML, a difference must be one the conversion reported.
                    Some((path, _)) if from == Format::Xml || to == Format::Xml => {
                        let losses = encoded.losses.iter().chain(&converted.losses);
                        assert!(losses.clone().any(|loss| path.starts_with(&loss.path)), "{from} → {to}: {path} unreported");
                    }
                    Some((path, what)) => panic!("{from} → {to}: {path}: {what}"),
                }
            }
        }
    }

    fn first_difference_names_the_field_and_what_changed() {
        /// (expected, actual, the path and what differs).
        type Case = (&'static str, &'static str, Option<(&'static str, &'static str)>);
        let cases: &[Case] = &[
            (r#"{"a": 1}"#, r#"{"a": 1}"#, None),
            (r#"{"a": 41}"#, r#"{"a": 41.0}"#, None),
            (r#"{"a": 1}"#, r#"{"a": 2}"#, Some(("a", "integer 1 became integer 2"))),
            (r#"{"a": {"b": [1, 2]}}"#, r#"{"a": {"b": [1]}}"#, Some(("a.b", "2 items became 1"))),
            (r#"{"a": {"b": [1, "x"]}}"#, r#"{"a": {"b": [1, "y"]}}"#, Some(("a.b[1]", r#"string "x" became string "y""#))),
            (r#"{"a": 1, "b": 2}"#, r#"{"a": 1}"#, Some(("b", "missing"))),
            (r#"{"a": 1}"#, r#"{"a": 1, "c": 3}"#, Some(("c", "added"))),
            (r#"{"a": true}"#, r#"{"a": "true"}"#, Some(("a", r#"bool true became string "true""#))),
        ];
        for (expected, actual, difference) in cases {
            let found = first_difference(&document(expected), &document(actual), &Path::root())
                .map(|(path, what)| (path.to_string(), what));
            let wanted = difference.map(|(path, what)| (path.to_string(), what.to_string()));
            assert_eq!(found, wanted, "{expected} vs {actual}");
        }
    }

    fn bytes_match_their_base64_text() {
        let schema = Schema::sample();
        let source = document(samples::SENSOR_READING);
        let encoded = wire::formats::protobuf::encode(&source, &schema, "wirelab.SensorReading")
            .unwrap_or_else(|error| panic!("{error}"));
        let back = wire::formats::protobuf::decode(&encoded.bytes, &schema, "wirelab.SensorReading")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(first_difference(&source, &back.document, &Path::root()), None);
    }

    fn the_likeliest_format_comes_first() {
        let cases: &[(&str, Reading)] = &[
            ("7b 22 61 22 3a 31 7d", Reading::Json),                     // {"a":1}
            ("3c 61 3e 31 3c 2f 61 3e", Reading::Xml),                   // <a>1</a>
            ("a2 61 61 01 61 62 82 02 03", Reading::Cbor),               // {"a": 1, "b": [2, 3]}
            ("82 a1 61 01 a1 62 92 02 03", Reading::MessagePack),        // {"a": 1, "b": [2, 3]}
            ("08 96 01 12 07 74 65 73 74 69 6e 67", Reading::ProtobufSchemaless),
        ];
        for (hex, expected) in cases {
            let bytes = parse_hex(hex).unwrap_or_else(|error| panic!("{hex}: {error}"));
            let guesses = guess(&bytes);
            assert_eq!(guesses.first().map(|guess| guess.reading), Some(*expected), "{hex}: {guesses:?}");
            assert!(guesses[0].score > 0);
        }
    }

    fn bytes_nothing_reads_get_no_guess_above_zero() {
        let bytes = parse_hex("ff ff ff").unwrap_or_default();
        assert!(guess(&bytes).iter().all(|guess| guess.score == 0), "{:?}", guess(&bytes));
    }

    fn gzip_shrinks_repetition_and_costs_a_header_on_tiny_input() {
        assert!(gzip_size(samples::reading_batch().as_bytes()) * 5 < samples::reading_batch().len());
        assert!(gzip_size(b"a") > 1);
        assert_eq!(gzip_size(b""), 20);
    }

    fn the_libraries_write_the_same_bytes_as_the_mapped_encoders() {
        use wire::formats::plain;
        let schema = Schema::sample();
        for sample in samples::all() {
            let source = document(&sample.json);
            let choice = Some(ProtobufChoice { schema: &schema, message: sample.message });
            for format in [Format::Json, Format::Protobuf, Format::MessagePack, Format::Cbor] {
                let ours = wire::formats::convert::encode(&source, format, Style::Compact, choice)
                    .unwrap_or_else(|error| panic!("{} {format}: {error}", sample.name));
                let prepared = plain::prepare(&source, format, choice)
                    .unwrap_or_else(|error| panic!("{} {format}: {error}", sample.name));
                assert!(plain::encode(&prepared) == ours.bytes, "{} {format}: {} differs from Wirelab's bytes", sample.name, plain::library(format));
                let decoder = plain::Decoder::new(format, choice).unwrap_or_else(|error| panic!("{format}: {error}"));
                assert_eq!(decoder.decode(&ours.bytes), Ok(()), "{} {format}", sample.name);
            }
        }
    }
}
