//! Payload views: which opens by default, and pretty JSON and XML with their errors.

use expect_test::{Expect, expect};
use wire::message_log::Payload;
use wire::payload_view::{PayloadView, pretty_json, pretty_xml, render};

fn check(result: Result<String, wire::payload_view::ViewError>, expected: Expect) {
    let shown = match result {
        Ok(text) => text,
        Err(error) => format!("error: {error}"),
    };
    expected.assert_eq(&shown);
}

case_test! {
    fn default_views() {
        let cases = [
            (Payload::Text("{\"a\":1}".into()), PayloadView::Json),
            (Payload::Text("  [1,2]".into()), PayloadView::Json),
            (Payload::Text("{not json".into()), PayloadView::Text),
            (Payload::Text("<a><b/></a>".into()), PayloadView::Xml),
            (Payload::Text("<a>".into()), PayloadView::Text),
            (Payload::Text("hello".into()), PayloadView::Text),
            (Payload::Binary(vec![1, 2]), PayloadView::Hex),
        ];
        for (payload, view) in cases {
            assert_eq!(PayloadView::default_for(&payload), view, "{payload:?}");
        }
    }

    fn json() {
        check(pretty_json(r#"{"temp":21.5,"tags":["a","b"],"ok":true}"#), expect![[r#"
            {
              "temp": 21.5,
              "tags": [
                "a",
                "b"
              ],
              "ok": true
            }"#]]);
        check(pretty_json("{\n  \"a\": 1,\n  \"b\": \n}"), expect!["error: not JSON: expected value at line 4, column 1"]);
        check(pretty_json(""), expect!["error: not JSON: EOF while parsing a value at line 1, column 1"]);
        // serde_json finds this at the line break and says "line 2, column 0"; the mistake is at
        // the end of line 1.
        check(pretty_json("{\"a\": tru\n}"), expect!["error: not JSON: expected ident at line 1, column 10"]);
    }

    fn xml() {
        check(pretty_xml(r#"<reading id="7"><temp unit="C">21.5</temp><ok/></reading>"#), expect![[r#"
            <reading id="7">
              <temp unit="C">21.5</temp>
              <ok/>
            </reading>"#]]);
        check(pretty_xml("<a>\n<b></c>\n</a>"), expect!["error: not well-formed XML: ill-formed document: expected `</b>`, but `</c>` was found at line 2, column 4"]);
        check(pretty_xml("<a><b>"), expect!["error: not well-formed XML: <b> is never closed at line 1, column 7"]);
        check(pretty_xml("just text"), expect!["error: not XML: there is no element"]);
    }

    fn binary_as_text() {
        check(render(&Payload::Binary(b"ok".to_vec()), PayloadView::Text), expect!["ok"]);
        check(render(&Payload::Binary(vec![b'o', 0xff]), PayloadView::Text), expect!["error: byte 1 is not valid UTF-8; see the hex view"]);
        check(render(&Payload::Binary(vec![]), PayloadView::Protobuf), expect!["(empty: a Protobuf message with no fields)"]);
    }
}
