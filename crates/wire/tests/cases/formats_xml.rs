//! XML: the documented mapping both ways (attributes, text, repeated elements, nil), spans for
//! names and text, quick-xml's errors at their place, and the losses XML reports.

use expect_test::{Expect, expect};
use wire::formats::json::{self, Style};
use wire::formats::xml::{encode, parse};
use wire::formats::{Entry, Node, Value};

use super::format_rendering::{assert_text_covered, render_decoded, render_losses, render_map};

fn check_parse(text: &str, expected: Expect) {
    let rendered = match parse(text) {
        Ok(decoded) => {
            assert_text_covered(&decoded.map, text.as_bytes());
            render_decoded(&decoded)
        }
        Err(error) => format!("error: {error}\n"),
    };
    expected.assert_eq(&rendered);
}

/// Each XML text read and shown as compact JSON (or its error with its byte offset).
fn check_documents(texts: &[&str], expected: Expect) {
    let rendered: String = texts
        .iter()
        .map(|text| match parse(text) {
            Ok(decoded) => {
                assert_text_covered(&decoded.map, text.as_bytes());
                let json = json::encode(&decoded.document, Style::Compact).bytes;
                format!("{text} → {}\n", String::from_utf8_lossy(&json))
            }
            Err(error) => {
                let offset = error.location.map_or(usize::MAX, |location| location.offset);
                format!("{text} → byte {offset}, {error}\n")
            }
        })
        .collect();
    expected.assert_eq(&rendered);
}

/// A JSON document encoded as XML, then read back: the XML, the losses, and what came back.
fn check_encode(json_text: &str, style: Style, expected: Expect) {
    let document = json::parse(json_text).unwrap_or_else(|error| panic!("bad test JSON: {error}")).document;
    let encoded = encode(&document, style);
    assert_text_covered(&encoded.map, &encoded.bytes);
    let xml = String::from_utf8(encoded.bytes).expect("XML is UTF-8");
    let back = match parse(&xml) {
        Ok(decoded) => String::from_utf8_lossy(&json::encode(&decoded.document, Style::Compact).bytes).into_owned(),
        Err(error) => format!("error: {error}"),
    };
    expected.assert_eq(&format!("{xml}\n--\n{}reads back as {back}\n", render_losses(&encoded.losses)));
}

fn check_encode_map(json_text: &str, expected: Expect) {
    let document = json::parse(json_text).unwrap_or_else(|error| panic!("bad test JSON: {error}")).document;
    let encoded = encode(&document, Style::Compact);
    let xml = String::from_utf8(encoded.bytes).expect("XML is UTF-8");
    expected.assert_eq(&format!("{xml}\n--\n{}", render_map(&encoded.map)));
}

case_test! {
    fn spans_of_names_attributes_and_text() {
        check_parse(r#"<order id="7"><sku>A&amp;B</sku><sku>C</sku><!-- note --></order>"#, expect![[r#"
            (root) = map of 2 @0..65
            @id = 7 @11..12 key 7..9
            sku = array of 2 @14..44 key 15..18
            sku[0] = "A&B" @14..32
            sku[1] = "C" @32..44
            --
            0..1 structure (root) markup
            1..6 key (root) start tag name
            7..9 key @id attribute name
            9..10 structure (root) attribute markup
            10..11 structure (root) attribute markup
            11..12 value @id attribute value
            12..13 structure (root) attribute markup
            13..14 structure (root) markup
            14..15 structure sku[0] markup
            15..18 key sku[0] start tag name
            18..19 structure sku[0] markup
            19..20 value sku[0] text
            20..25 value sku[0] text
            25..26 value sku[0] text
            26..28 structure sku[0] markup
            28..31 key sku[0] end tag name
            31..32 structure sku[0] markup
            32..33 structure sku[1] markup
            33..36 key sku[1] start tag name
            36..37 structure sku[1] markup
            37..38 value sku[1] text
            38..40 structure sku[1] markup
            40..43 key sku[1] end tag name
            43..44 structure sku[1] markup
            44..57 structure (root) markup
            57..59 structure (root) markup
            59..64 key (root) end tag name
            64..65 structure (root) markup
            loss at (root): the root element's name `order` is not part of the document
        "#]]);
        check_parse("<?xml version=\"1.0\"?>\n<document>\n  <n>36</n>\n  <x nil='true'/>\n</document>\n", expect![[r#"
            (root) = map of 2 @22..74
            n = 36 @35..44 key 36..37
            x = null @47..62 key 48..49
            --
            0..21 structure (root) outside the root element
            22..23 structure (root) markup
            23..31 key (root) start tag name
            31..32 structure (root) markup
            35..36 structure n markup
            36..37 key n start tag name
            37..38 structure n markup
            38..40 value n text
            40..42 structure n markup
            42..43 key n end tag name
            43..44 structure n markup
            47..48 structure x markup
            48..49 key x start tag name
            50..53 structure x nil marker
            53..54 structure x nil marker
            54..55 structure x nil marker
            55..59 value x null
            59..60 structure x nil marker
            60..62 structure x markup
            63..65 structure (root) markup
            65..73 key (root) end tag name
            73..74 structure (root) markup
        "#]]);
    }

    fn reading_any_xml() {
        check_documents(
            &[
                "<a/>",
                "<a></a>",
                "<a>  spaced  </a>",
                "<a>36</a>",
                "<a>-1.5e3</a>",
                "<a>007</a>",
                "<a>true</a>",
                "<a>NaN</a>",
                "<a>18446744073709551616</a>",
                "<a nil=\"true\"/>",
                "<a nil=\"false\"/>",
                "<a><b>1</b><c>2</c><b>3</b></a>",
                "<a x=\"1\" y='two'>text</a>",
                "<a x=\"1\"><b/>tail</a>",
                "<p>Hello <b>world</b>, again</p>",
                "<a><![CDATA[<raw> & ]]></a>",
                "<a>&lt;&#65;&#x42;&gt;&quot;&apos;</a>",
                "<soap:Envelope xmlns:soap=\"urn:x\"><soap:Body/></soap:Envelope>",
                "<!DOCTYPE a><?pi data?><a><!-- c --><b>1</b></a><!-- after -->",
                "<a>\n  <b>1</b>\n</a>",
                "<a><b><c>deep</c></b></a>",
                "<a x=\"&lt;&#10;\"/>",
            ],
            expect![[r##"
                <a/> → ""
                <a></a> → ""
                <a>  spaced  </a> → "  spaced  "
                <a>36</a> → 36
                <a>-1.5e3</a> → -1500.0
                <a>007</a> → "007"
                <a>true</a> → true
                <a>NaN</a> → null
                <a>18446744073709551616</a> → "18446744073709551616"
                <a nil="true"/> → null
                <a nil="false"/> → {"@nil":false}
                <a><b>1</b><c>2</c><b>3</b></a> → {"b":[1,3],"c":2}
                <a x="1" y='two'>text</a> → {"@x":1,"@y":"two","#text":"text"}
                <a x="1"><b/>tail</a> → {"@x":1,"b":"","#text":"tail"}
                <p>Hello <b>world</b>, again</p> → {"#text":["Hello",", again"],"b":"world"}
                <a><![CDATA[<raw> & ]]></a> → "<raw> & "
                <a>&lt;&#65;&#x42;&gt;&quot;&apos;</a> → "<AB>\"'"
                <soap:Envelope xmlns:soap="urn:x"><soap:Body/></soap:Envelope> → {"@xmlns:soap":"urn:x","soap:Body":""}
                <!DOCTYPE a><?pi data?><a><!-- c --><b>1</b></a><!-- after --> → {"b":1}
                <a>
                  <b>1</b>
                </a> → {"b":1}
                <a><b><c>deep</c></b></a> → {"b":{"c":"deep"}}
                <a x="&lt;&#10;"/> → {"@x":"<\n"}
            "##]],
        );
    }

    fn line_breaks_are_normalised() {
        let document = parse("<a>line\r\nbreak\rend</a>").expect("well-formed").document;
        assert_eq!(document.value, Value::String("line\nbreak\nend".to_owned()));
    }

    fn malformed_xml_at_its_place() {
        check_documents(
            &[
                "",
                "   ",
                "just text",
                "<a>",
                "<a></b>",
                "<a><b></a>",
                "</a>",
                "<a/><b/>",
                "<a/>tail",
                "<a x=1/>",
                "<a x=\"1\" x=\"2\"/>",
                "<a x/>",
                "<a>&unknown;</a>",
                "<a>&#0;</a>",
                "<a x=\"&bad;\"/>",
                "<a><!-- never closed",
                "<a\n  b=\"1\">\n</c>",
            ],
            expect![[r#"
                 → byte 0, line 1, column 1: no root element
                    → byte 3, line 1, column 4: no root element
                just text → byte 0, line 1, column 1: text outside the root element
                <a> → byte 3, line 1, column 4: <a> is never closed
                <a></b> → byte 3, line 1, column 4: ill-formed document: expected `</a>`, but `</b>` was found
                <a><b></a> → byte 6, line 1, column 7: ill-formed document: expected `</b>`, but `</a>` was found
                </a> → byte 0, line 1, column 1: ill-formed document: close tag `</a>` does not match any open tag
                <a/><b/> → byte 4, line 1, column 5: a second root element <b>: XML has one root
                <a/>tail → byte 4, line 1, column 5: text outside the root element
                <a x=1/> → byte 5, line 1, column 6: position 4: attribute value must be enclosed in `"` or `'`
                <a x="1" x="2"/> → byte 9, line 1, column 10: position 8: duplicated attribute, previous declaration at position 2
                <a x/> → byte 4, line 1, column 5: position 3: attribute key must be directly followed by `=` or space
                <a>&unknown;</a> → byte 3, line 1, column 4: unknown entity &unknown;
                <a>&#0;</a> → byte 3, line 1, column 4: invalid character reference: 0x0 character is not permitted in XML
                <a x="&bad;"/> → byte 6, line 1, column 7: at 1..4: unrecognized entity `bad`
                <a><!-- never closed → byte 3, line 1, column 4: syntax error: comment not closed: `-->` not found before end of input
                <a
                  b="1">
                </c> → byte 12, line 3, column 1: ill-formed document: expected `</a>`, but `</c>` was found
            "#]],
        );
        let too_deep = format!("{}{}", "<a>".repeat(128), "</a>".repeat(128));
        let error = parse(&too_deep).expect_err("too deep");
        expect!["line 1, column 382: nested deeper than 127 levels"].assert_eq(&error.to_string());
        assert!(parse(&format!("{}{}", "<a>".repeat(127), "</a>".repeat(127))).is_ok());
        assert!(parse(&"<a>".repeat(100_000)).is_err());
    }

    fn encodes_pretty_and_compact() {
        check_encode(r##"{"name": "Ada", "age": 36, "tags": ["math", "engines"], "address": {"city": "London"}, "gone": null}"##, Style::Pretty, expect![[r#"
            <document>
              <name>Ada</name>
              <age>36</age>
              <tags>math</tags>
              <tags>engines</tags>
              <address>
                <city>London</city>
              </address>
              <gone nil="true"/>
            </document>

            --
            reads back as {"name":"Ada","age":36,"tags":["math","engines"],"address":{"city":"London"},"gone":null}
        "#]]);
        check_encode(r##"{"name": "Ada", "tags": ["math", "engines"], "n": 1.0}"##, Style::Compact, expect![[r#"
            <document><name>Ada</name><tags>math</tags><tags>engines</tags><n>1.0</n></document>
            --
            reads back as {"name":"Ada","tags":["math","engines"],"n":1.0}
        "#]]);
        check_encode(r##"{"@id": 7, "@lang": "en", "#text": "hello", "b": true}"##, Style::Pretty, expect![[r##"
            <document id="7" lang="en">
              hello
              <b>true</b>
            </document>

            --
            reads back as {"@id":7,"@lang":"en","#text":"hello","b":true}
        "##]]);
        check_encode(r##"{"@id": 7, "#text": " spaced "}"##, Style::Compact, expect![[r##"
            <document id="7"> spaced </document>
            --
            reads back as {"@id":7,"#text":" spaced "}
        "##]]);
        check_encode(r#""<&>\" \r""#, Style::Compact, expect![[r#"
            <document>&lt;&amp;&gt;" &#13;</document>
            --
            reads back as "<&>\" \r"
        "#]]);
    }

    fn losses_on_encoding() {
        check_encode(r##"{"zip": "02139", "age": "36", "flag": "true", "fine": "36 years"}"##, Style::Compact, expect![[r#"
            <document><zip>02139</zip><age>36</age><flag>true</flag><fine>36 years</fine></document>
            --
            loss at age: the string "36" reads back as an integer
            loss at flag: the string "true" reads back as a bool
            reads back as {"zip":"02139","age":36,"flag":true,"fine":"36 years"}
        "#]]);
        check_encode(r##"{"one": [1], "none": [], "empty": {}, "nested": [[1, 2], [3]]}"##, Style::Compact, expect![[r#"
            <document><one>1</one><empty/><nested><item>1</item><item>2</item></nested><nested><item>3</item></nested></document>
            --
            loss at one: a one-item array reads back as its item
            loss at none: an empty array vanishes
            loss at empty: an empty map reads back as an empty string
            loss at nested[0]: an array that is not a map's value is written as <item> elements: it reads back as a map
            loss at nested[1]: an array that is not a map's value is written as <item> elements: it reads back as a map
            reads back as {"one":1,"empty":"","nested":[{"item":[1,2]},{"item":3}]}
        "#]]);
        check_encode(r#"[1, 2]"#, Style::Compact, expect![[r#"
            <document><item>1</item><item>2</item></document>
            --
            loss at (root): an array that is not a map's value is written as <item> elements: it reads back as a map
            reads back as {"item":[1,2]}
        "#]]);
        check_encode(r##"{"first name": 1, "1st": 2, "": 3, "a": 4, "a": 5}"##, Style::Compact, expect![[r#"
            <document><first_name>1</first_name><_1st>2</_1st><_>3</_><a>4</a><a>5</a></document>
            --
            loss at first name: "first name" is not an XML name: written as <first_name>
            loss at 1st: "1st" is not an XML name: written as <_1st>
            loss at : "" is not an XML name: written as <_>
            loss at a: <a> appears more than once: it reads back as one array
            reads back as {"first_name":1,"_1st":2,"_":3,"a":[4,5]}
        "#]]);
        check_encode(r##"{"b": 1, "@late": 2, "@obj": {"x": 1}, "@none": null}"##, Style::Compact, expect![[r#"
            <document late="2" none=""><b>1</b><_obj><x>1</x></_obj></document>
            --
            loss at @late: attributes come first in XML: it moves before the elements
            loss at @obj: "@obj" is not an XML name: written as <_obj>
            loss at @none: attributes come first in XML: it moves before the elements
            loss at @none: a null attribute reads back as an empty string
            reads back as {"@late":2,"@none":"","b":1,"_obj":{"x":1}}
        "#]]);
        check_encode(r##"{"only": {"#text": "t"}, "nil": {"@nil": "true"}}"##, Style::Compact, expect![[r#"
            <document><only>t</only><nil nil="true"/></document>
            --
            loss at only: a map holding only #text reads back as its text
            loss at nil.@nil: the string "true" reads back as a bool
            loss at nil: a lone nil="true" attribute reads back as null
            reads back as {"only":"t","nil":null}
        "#]]);
        check_encode(r##"{"ctl": "a\u0001b\u0000"}"##, Style::Compact, expect![[r#"
            <document><ctl>a&#1;b�</ctl></document>
            --
            loss at ctl: XML 1.0 does not allow U+0001: written as a character reference
            loss at ctl: XML cannot hold NUL: written as U+FFFD
            reads back as {"ctl":"a\u0001b�"}
        "#]]);
        let bytes = Node::new(Value::Map(vec![
            Entry::new("raw", Node::new(Value::Bytes(vec![0xde, 0xad]))),
            Entry::new("big", Node::new(Value::Integer(-18_446_744_073_709_551_615))),
        ]));
        let encoded = encode(&bytes, Style::Compact);
        expect![[r#"
            <document><raw>3q0=</raw><big>-18446744073709551615</big></document>
            loss at raw: XML has no bytes: written as base64 text
            loss at big: -18446744073709551615 is beyond the 64-bit range: it reads back as text
        "#]].assert_eq(&format!("{}\n{}", String::from_utf8_lossy(&encoded.bytes), render_losses(&encoded.losses)));
    }

    fn byte_map_of_an_encoding() {
        check_encode_map(r##"{"@id": 7, "tags": ["a", "b"], "x": null}"##, expect![[r#"
            <document id="7"><tags>a</tags><tags>b</tags><x nil="true"/></document>
            --
            0..1 structure (root) markup
            1..9 key (root) start tag name
            10..12 key @id attribute name
            12..14 structure (root) attribute markup
            14..15 value @id attribute value
            15..16 structure (root) attribute markup
            16..17 structure (root) markup
            17..18 structure tags[0] markup
            18..22 key tags[0] start tag name
            22..23 structure tags[0] markup
            23..24 value tags[0] text
            24..26 structure tags[0] markup
            26..30 key tags[0] end tag name
            30..31 structure tags[0] markup
            31..32 structure tags[1] markup
            32..36 key tags[1] start tag name
            36..37 structure tags[1] markup
            37..38 value tags[1] text
            38..40 structure tags[1] markup
            40..44 key tags[1] end tag name
            44..45 structure tags[1] markup
            45..46 structure x markup
            46..47 key x start tag name
            48..51 structure x nil marker
            51..53 structure x nil marker
            53..57 value x null
            57..60 structure x markup
            60..62 structure (root) markup
            62..70 key (root) end tag name
            70..71 structure (root) markup
        "#]]);
    }
}
