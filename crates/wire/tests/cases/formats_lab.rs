//! The Formats lab: which reading of some bytes the Decode tab tries and what each decoder keeps
//! when it stops, as a table; and the lab's state as scripts of events (typing that settles,
//! samples, switching the source format, a new schema, bytes from another lab).

use std::rc::Rc;

use expect_test::{Expect, expect};
use wire::formats::guess::Reading;
use wire::formats::protobuf::Schema;
use wire::formats::samples::SAMPLE_PROTO;
use wire::formats::{Format, FormatError, Path};
use wire::formats_lab::{
    CompareEdit, DecodeEdit, DecodeSource, FIRST_DECODE_INPUT, FormatsEvent, FormatsLabState, FormatsTab,
};
use wire::lab::LabState;

use crate::format_rendering::render_node;

fn sample_schema() -> Result<Schema, FormatError> {
    Schema::compile("wirelab.proto", SAMPLE_PROTO)
}

/// What the Decode tab shows for `source` read as `choice` (or the best guess).
fn decoded(source: DecodeSource, choice: Option<Reading>, schema: &Result<Schema, FormatError>) -> String {
    let outcome = source.decode(choice, schema, "wirelab.Contact");
    let mut out =
        format!("{} (best guess: {})\n", outcome.reading.label(), outcome.best.map_or("none", Reading::label));
    match (&outcome.bytes, &outcome.decoding) {
        (Err(problem), _) => out.push_str(&format!("no bytes: {problem}\n")),
        (Ok(_), None) => out.push_str("nothing decoded\n"),
        (Ok(bytes), Some(decoding)) => {
            out.push_str(&format!("{} bytes, {} mapped spans\n", bytes.len(), decoding.map.spans().len()));
            if let Some(error) = &decoding.error {
                out.push_str(&format!("stopped: {error}\n"));
            }
            match &decoding.document {
                Some(document) => out.push_str(&render_node(document)),
                None => out.push_str("no document\n"),
            }
            if decoding.raw_text.is_some() {
                out.push_str("(with every reading of every field)\n");
            }
        }
    }
    out
}

fn typed(text: &str) -> DecodeSource {
    DecodeSource::Typed(text.to_owned())
}

fn describe(lab: &FormatsLabState) -> String {
    let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(40).collect::<String>();
    let source = match &lab.decode.source {
        DecodeSource::Typed(text) => format!("typed {:?}", flat(text)),
        DecodeSource::Attached { name, bytes } => format!("{name}: {} bytes attached", bytes.len()),
    };
    let selected = |path: &Option<Path>| path.as_ref().map_or("-".to_owned(), ToString::to_string);
    format!(
        "tab {:?} · message {} · schema {} (revision {})\n  compare: {:?} text {:?} applied {:?} sample {:?} field {}\n  decode: {source} as {:?} field {}{}",
        lab.tab,
        lab.message,
        if lab.schema.is_ok() { "ok" } else { "broken" },
        lab.schema_revision(),
        lab.compare.format,
        flat(&lab.compare.text),
        flat(&lab.compare.applied),
        lab.compare.sample,
        selected(&lab.compare.selected),
        lab.decode.choice.map(Reading::label),
        selected(&lab.decode.selected),
        lab.decode.file_problem.as_ref().map_or(String::new(), |problem| format!(" · file problem: {problem}")),
    )
}

/// Applies `events` in order and writes each with its effects and the lab's state after it.
fn check(events: Vec<FormatsEvent>, expected: Expect) {
    let mut lab = FormatsLabState::new();
    let mut out = describe(&lab);
    out.push('\n');
    for event in events {
        let name = format!("{event:?}");
        let effects = lab.apply(event, 0.0);
        out.push_str(&format!("{} → {effects:?}\n{}\n", name.chars().take(70).collect::<String>(), describe(&lab)));
    }
    expected.assert_eq(&out);
}

case_test! {
    fn the_decode_tab_tries_the_chosen_or_likeliest_reading() {
        let schema = sample_schema();
        let broken = Schema::compile("broken.proto", "syntax = \"proto3\"; message {");
        let shown = [
            decoded(typed(FIRST_DECODE_INPUT), None, &schema),
            decoded(typed(FIRST_DECODE_INPUT), Some(Reading::Protobuf), &schema),
            decoded(typed(FIRST_DECODE_INPUT), Some(Reading::Protobuf), &broken),
            decoded(typed("0a 05 4c 61 62"), Some(Reading::ProtobufSchemaless), &schema),
            decoded(typed("7b 22 61 22 3a 31 7d"), None, &schema),
            decoded(typed("eyJhIjoxfQ=="), Some(Reading::MessagePack), &schema),
            decoded(typed("de ad be eg"), None, &schema),
            decoded(DecodeSource::Attached { name: "big.bin".into(), bytes: Rc::new(vec![0x82, 0xa1, 0x61, 0x01]) }, Some(Reading::Cbor), &schema),
        ]
        .join("---\n");
        expect![[r#"
            Protobuf (no schema) (best guess: Protobuf (no schema))
            20 bytes, 12 mapped spans
            (root) = map of 3 @0..20
            1 = "Lab B" @2..7
            3 = map of 1 @9..12
            3.1 = 150 @10..12
            6 = array of 3 @14..20
            6[0] = 3 @14..15
            6[1] = 270 @15..17
            6[2] = 86942 @17..20
            (with every reading of every field)
            ---
            Protobuf (with schema) (best guess: Protobuf (no schema))
            20 bytes, 0 mapped spans
            stopped: byte 7: field 3 age is uint32 (wire type 0), but came with wire type 2 (length-delimited)
            no document
            ---
            Protobuf (with schema) (best guess: Protobuf (no schema))
            20 bytes, 0 mapped spans
            stopped: the schema does not compile: line 1, column 28: expected an identifier, but found '{'
            no document
            ---
            Protobuf (no schema) (best guess: none)
            5 bytes, 0 mapped spans
            stopped: byte 1: length 5 runs past the end (3 bytes left)
            (root) = map of 0 @-
            (with every reading of every field)
            ---
            JSON (best guess: JSON)
            7 bytes, 5 mapped spans
            (root) = map of 1 @0..7
            a = 1 @5..6 key 1..4
            ---
            MessagePack (best guess: JSON)
            7 bytes, 0 mapped spans
            stopped: byte 1: 6 trailing bytes after the first value
            no document
            ---
            Protobuf (no schema) (best guess: none)
            no bytes: Hex input: 'g' is not a hex digit at line 1, column 11
            ---
            CBOR (best guess: none)
            4 bytes, 0 mapped spans
            stopped: byte 4: truncated: a value was expected
            no document
        "#]].assert_eq(&shown);
    }

    fn typing_settles_and_samples_apply_at_once() {
        check(
            vec![
                FormatsEvent::Compare(CompareEdit::Text("{\"name\": \"Ada\"".into())),
                FormatsEvent::Compare(CompareEdit::Text("{\"name\": \"Ada\"}".into())),
                FormatsEvent::Settled,
                FormatsEvent::Compare(CompareEdit::Select(Path::root().key("name"))),
                FormatsEvent::Compare(CompareEdit::Select(Path::root().key("name"))),
                FormatsEvent::Compare(CompareEdit::Text("[1, 2]".into())),
                FormatsEvent::Compare(CompareEdit::ApplyNow),
                FormatsEvent::Compare(CompareEdit::Format(Format::Xml)),
                FormatsEvent::Compare(CompareEdit::Format(Format::Xml)),
                FormatsEvent::Compare(CompareEdit::Text("<a>".into())),
                FormatsEvent::Settled,
                FormatsEvent::Compare(CompareEdit::Format(Format::Json)),
                FormatsEvent::Compare(CompareEdit::Sample("Sensor reading".into())),
                FormatsEvent::Compare(CompareEdit::Sample("no such sample".into())),
            ],
            expect![[r#"
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Text("{\"name\": \"Ada\"")) → [Settle(300)]
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{\"name\": \"Ada\"" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Text("{\"name\": \"Ada\"}")) → [Settle(300)]
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{\"name\": \"Ada\"}" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Settled → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{\"name\": \"Ada\"}" applied "{\"name\": \"Ada\"}" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Select(Path([Key("name")]))) → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{\"name\": \"Ada\"}" applied "{\"name\": \"Ada\"}" sample "" field name
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Select(Path([Key("name")]))) → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{\"name\": \"Ada\"}" applied "{\"name\": \"Ada\"}" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Text("[1, 2]")) → [Settle(300)]
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "[1, 2]" applied "{\"name\": \"Ada\"}" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(ApplyNow) → [CancelSettle]
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "[1, 2]" applied "[1, 2]" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Format(Xml)) → [CancelSettle]
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Xml text "<document> <item>1</item> <item>2</item>" applied "<document> <item>1</item> <item>2</item>" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Format(Xml)) → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Xml text "<document> <item>1</item> <item>2</item>" applied "<document> <item>1</item> <item>2</item>" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Text("<a>")) → [Settle(300)]
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Xml text "<a>" applied "<document> <item>1</item> <item>2</item>" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Settled → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Xml text "<a>" applied "<a>" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Format(Json)) → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "<a>" applied "<a>" sample "" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Sample("Sensor reading")) → [CancelSettle]
                tab Compare · message wirelab.SensorReading · schema ok (revision 0)
                  compare: Json text "{ \"id\": \"cold-room-3\", \"temperatureDecic" applied "{ \"id\": \"cold-room-3\", \"temperatureDecic" sample "Sensor reading" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Compare(Sample("no such sample")) → []
                tab Compare · message wirelab.SensorReading · schema ok (revision 0)
                  compare: Json text "{ \"id\": \"cold-room-3\", \"temperatureDecic" applied "{ \"id\": \"cold-room-3\", \"temperatureDecic" sample "Sensor reading" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
            "#]],
        );
    }

    fn a_new_schema_keeps_or_refits_the_message_type() {
        check(
            vec![
                FormatsEvent::Message("wirelab.Order".into()),
                FormatsEvent::ProtoSource("syntax = \"proto3\"; message {".into()),
                FormatsEvent::ProtoSource("syntax = \"proto3\";\npackage demo;\nmessage Person { string name = 1; }\nmessage Other { int32 x = 1; }".into()),
                FormatsEvent::ProtoSource("syntax = \"proto3\";\npackage demo;\nmessage Other { int32 x = 1; }\nmessage Person { string name = 1; }".into()),
                FormatsEvent::ProtoSource(SAMPLE_PROTO.into()),
            ],
            expect![[r#"
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Message("wirelab.Order") → []
                tab Compare · message wirelab.Order · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                ProtoSource("syntax = \"proto3\"; message {") → []
                tab Compare · message wirelab.Order · schema broken (revision 1)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                ProtoSource("syntax = \"proto3\";\npackage demo;\nmessage Person { str → []
                tab Compare · message demo.Person · schema ok (revision 2)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                ProtoSource("syntax = \"proto3\";\npackage demo;\nmessage Other { int3 → []
                tab Compare · message demo.Person · schema ok (revision 3)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                ProtoSource("// Wirelab's sample Protobuf schema: the server's /protob → []
                tab Compare · message wirelab.Contact · schema ok (revision 4)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
            "#]],
        );
    }

    fn bytes_arrive_from_files_and_other_labs() {
        check(
            vec![
                FormatsEvent::Decode(DecodeEdit::Choice(Some(Reading::Json))),
                FormatsEvent::Decode(DecodeEdit::Select(Path::root().key("a"))),
                FormatsEvent::Incoming { origin: "WebSocket message #3".into(), bytes: vec![0xde, 0xad] },
                FormatsEvent::Tab(FormatsTab::Compare),
                FormatsEvent::Incoming { origin: "HTTP response body".into(), bytes: vec![0; 64 * 1024 + 1] },
                FormatsEvent::Decode(DecodeEdit::TypeInstead),
                FormatsEvent::Decode(DecodeEdit::File { name: "gone.bin".into(), bytes: Err("NotReadableError".into()) }),
                FormatsEvent::Decode(DecodeEdit::File { name: "small.bin".into(), bytes: Ok(vec![1, 2, 3]) }),
                FormatsEvent::Decode(DecodeEdit::Text("08 96 01".into())),
            ],
            expect![[r#"
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as None field -
                Decode(Choice(Some(Json))) → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as Some("JSON") field -
                Decode(Select(Path([Key("a")]))) → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 0" as Some("JSON") field a
                Incoming { origin: "WebSocket message #3", bytes: [222, 173] } → []
                tab Decode · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "de ad" as Some("JSON") field -
                Tab(Compare) → []
                tab Compare · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "de ad" as Some("JSON") field -
                Incoming { origin: "HTTP response body", bytes: [0, 0, 0, 0, 0, 0, 0,  → []
                tab Decode · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: HTTP response body: 65537 bytes attached as Some("JSON") field -
                Decode(TypeInstead) → []
                tab Decode · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "" as Some("JSON") field -
                Decode(File { name: "gone.bin", bytes: Err("NotReadableError") }) → []
                tab Decode · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "" as Some("JSON") field - · file problem: gone.bin: NotReadableError
                Decode(File { name: "small.bin", bytes: Ok([1, 2, 3]) }) → []
                tab Decode · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "01 02 03" as Some("JSON") field -
                Decode(Text("08 96 01")) → []
                tab Decode · message wirelab.Contact · schema ok (revision 0)
                  compare: Json text "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" applied "{ \"name\": \"Ada Lovelace\", \"email\": \"ada@" sample "Small record" field -
                  decode: typed "08 96 01" as Some("JSON") field -
            "#]],
        );
    }
}
