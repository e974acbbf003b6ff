//! Tests of `wire::tree`: JSON and XML documents rendered as their visible rows, errors with their positions, paths,
//! windows of a large document and expanding and collapsing.

use expect_test::{Expect, expect};
use wire::tree::{Expansion, NodeKind, Tree, TreeError, visible_row_count, visible_rows};

/// All rows of a fully expanded tree, indented two spaces a level, `▾`/`▸` marking open and closed containers.
fn render(tree: &Tree, expansion: &Expansion) -> String {
    let count = visible_row_count(tree, expansion);
    let rows = visible_rows(tree, expansion, 0..count, 40);
    assert_eq!(rows.len(), count, "row count");
    rows.iter()
        .map(|row| {
            let marker = match (row.expandable, row.expanded) {
                (false, _) => ' ',
                (true, true) => '▾',
                (true, false) => '▸',
            };
            format!("{}{marker} {}: {}", "  ".repeat(row.depth), row.key, row.preview)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn show(result: Result<Tree, TreeError>) -> String {
    match result {
        Ok(tree) => render(&tree, &Expansion::expand_all(&tree, 10_000)),
        Err(error) => format!("error: {error}"),
    }
}

fn check_json(text: &str, expected: Expect) {
    expected.assert_eq(&show(Tree::from_json(text)));
}

fn check_xml(text: &str, expected: Expect) {
    expected.assert_eq(&show(Tree::from_xml(text)));
}

case_test! {
    fn json_documents() {
        check_json(r#"{"temp":21.5,"tags":["a","b"],"ok":true,"none":null,"empty":{},"list":[]}"#, expect![[r#"
            ▾ $: {6}
                temp: 21.5
              ▾ tags: [2]
                  [0]: "a"
                  [1]: "b"
                ok: true
                none: null
                empty: {}
                list: []"#]]);
        check_json("  42  ", expect!["  $: 42"]);
        check_json(r#""line\nbreak \"q\" \u00e9\ud83d\ude00 \u0007""#, expect![[r#"  $: "line\nbreak "q" é😀 \u0007""#]]);
        check_json(r#"[[[]],{"a b":{"\u0041":-1.5e+3}}]"#, expect![[r#"
            ▾ $: [2]
              ▾ [0]: [1]
                  [0]: []
              ▾ [1]: {1}
                ▾ a b: {1}
                    A: -1.5e+3"#]]);
        check_json(
            r#"{"long":"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"}"#,
            expect![[r#"
                ▾ $: {1}
                    long: "abcdefghijklmnopqrstuvwxyzabcdefghijkl…"#]],
        );
        check_json("\u{feff}[true,false]", expect![[r#"
            ▾ $: [2]
                [0]: true
                [1]: false"#]]);
    }

    fn json_errors() {
        let deep = "[".repeat(513) + &"]".repeat(513);
        let cases = [
            ("", "expected a value, found the end of the text at line 1, column 1"),
            ("{\"a\": \"oops}", "unterminated string at line 1, column 7"),
            ("[\"a\\qb\"]", "invalid escape \\q at line 1, column 4"),
            ("[\"\\ud83d\"]", "lone surrogate \\uD83D: a high surrogate must be followed by a low one at line 1, column 3"),
            ("[\"\\ude00\"]", "lone surrogate \\uDE00: a low surrogate must follow a high one at line 1, column 3"),
            ("[\"\\u12\"]", "\\u must be followed by four hex digits at line 1, column 3"),
            ("[\"tab\there\"]", "control character '\\t' in a string must be escaped at line 1, column 6"),
            ("{\"n\": 012}", "numbers cannot have leading zeros at line 1, column 7"),
            ("[-]", "expected a digit after '-', found ']' at line 1, column 3"),
            ("[1.]", "expected a digit after the decimal point, found ']' at line 1, column 4"),
            ("[1e+]", "expected a digit in the exponent, found ']' at line 1, column 5"),
            ("{\n  \"a\": 1,\n  \"b\": 2,\n}", "trailing comma before '}' at line 3, column 9"),
            ("[1, 2, ]", "trailing comma before ']' at line 1, column 6"),
            ("{\"a\" 1}", "expected ':' after the key, found '1' at line 1, column 6"),
            ("{a: 1}", "expected a key string or '}', found 'a' at line 1, column 2"),
            ("{\"a\": 1 \"b\": 2}", "expected ',' or '}' after an object member, found '\"' at line 1, column 9"),
            ("[1 2]", "expected ',' or ']' after an array item, found '2' at line 1, column 4"),
            ("[1, 2", "expected ',' or ']', found the end of the text (the array is never closed) at line 1, column 6"),
            ("{\"a\": tru}", "expected a value, found 'tru' at line 1, column 7"),
            ("{\"a\": 1} x", "unexpected 'x' after the JSON value at line 1, column 10"),
            ("[1]\n\n]", "unexpected ']' after the JSON value at line 3, column 1"),
            ("[\"é\", ?]", "expected a value, found '?' at line 1, column 7"),
            ("'single'", "expected a value, found ''' at line 1, column 1"),
            (deep.as_str(), "nesting deeper than 512 levels at line 1, column 513"),
        ];
        for (text, expected) in cases {
            match Tree::from_json(text) {
                Ok(_) => panic!("{text:?} should not parse"),
                Err(error) => assert_eq!(error.to_string(), expected, "{text:?}"),
            }
        }
        // Just inside the limit is fine.
        let deepest = "[".repeat(512) + &"]".repeat(512);
        assert_eq!(Tree::from_json(deepest).map(|tree| tree.node_count()), Ok(512));
    }

    fn xml_documents() {
        check_xml(
            r#"<?xml version="1.0"?>
<!-- prolog comment, not in the tree -->
<order id="7" status="open">
  <item sku="A1">Widget &amp; bolt</item>
  <item sku="B2"><![CDATA[<raw> & ready]]></item>
  <note>first<!-- why -->second</note>
  <?render fast?>
  <empty/>
  <item>
    <qty>3</qty>
  </item>
</order>"#,
            expect![[r#"
                ▾ order: <order>
                    @id: "7"
                    @status: "open"
                  ▾ item: <item>
                      @sku: "A1"
                      #text: "Widget & bolt"
                  ▾ item: <item>
                      @sku: "B2"
                      #cdata: "<raw> & ready"
                  ▾ note: <note>
                      #text: "first"
                      #comment: <!-- why -->
                      #text: "second"
                    ?render: <?render fast?>
                    empty: <empty/>
                  ▾ item: <item>
                    ▾ qty: <qty>3</qty>
                        #text: "3""#]],
        );
        check_xml("<a>x &lt; y &#x263A; &unknown; &amp;ééééééé</a>", expect![[r#"
            ▾ a: <a>x < y ☺ &unknown; &ééééééé</a>
                #text: "x < y ☺ &unknown; &ééééééé""#]]);
        check_xml("<a/>", expect!["  a: <a/>"]);
    }

    fn xml_errors() {
        let cases = [
            ("<a>\n<b></c>\n</a>", "ill-formed document: expected `</b>`, but `</c>` was found at line 2, column 4"),
            ("<a><b>", "<b> is never closed at line 1, column 4"),
            ("just text", "text outside the root element at line 1, column 1"),
            ("", "not XML: there is no element at line 1, column 1"),
            ("<a/><b/>", "a second root element <b>: XML has only one at line 1, column 5"),
            ("<a/>\n  tail", "text outside the root element at line 2, column 3"),
            ("<a x=\"1\" x=\"2\"/>", "bad attribute: position 8: duplicated attribute, previous declaration at position 2 at line 1, column 1"),
            ("<a>\n<!-- open", "syntax error: comment not closed: `-->` not found before end of input at line 2, column 1"),
        ];
        for (text, expected) in cases {
            match Tree::from_xml(text) {
                Ok(_) => panic!("{text:?} should not parse"),
                Err(error) => assert_eq!(error.to_string(), expected, "{text:?}"),
            }
        }
        let deep = "<a>".repeat(513) + &"</a>".repeat(513);
        assert_eq!(
            Tree::from_xml(deep).map(|tree| tree.node_count()).map_err(|error| error.to_string()),
            Err("nesting deeper than 512 levels at line 1, column 1537".to_string())
        );
    }

    fn paths_keys_and_sources() {
        let json = Tree::from_json(r#"{"items":[{"name":"a","a b":[1,{"$ok":true,"x\"y":null}]}],"9lives":0}"#)
            .expect("valid JSON");
        let json_rows: Vec<String> = (0..json.node_count() as u32)
            .map(|node| format!("{} = {}", json.path(node), json.source(node)))
            .collect();
        expect![[r#"
            $ = {"items":[{"name":"a","a b":[1,{"$ok":true,"x\"y":null}]}],"9lives":0}
            $.items = [{"name":"a","a b":[1,{"$ok":true,"x\"y":null}]}]
            $.items[0] = {"name":"a","a b":[1,{"$ok":true,"x\"y":null}]}
            $.items[0].name = "a"
            $.items[0]["a b"] = [1,{"$ok":true,"x\"y":null}]
            $.items[0]["a b"][0] = 1
            $.items[0]["a b"][1] = {"$ok":true,"x\"y":null}
            $.items[0]["a b"][1].$ok = true
            $.items[0]["a b"][1]["x\"y"] = null
            $["9lives"] = 0"#]]
        .assert_eq(&json_rows.join("\n"));

        let xml = Tree::from_xml(r#"<order id="7"><item id="1"/><item id="2">hi<b/>there</item><note/></order>"#)
            .expect("valid XML");
        let xml_rows: Vec<String> = (0..xml.node_count() as u32)
            .map(|node| format!("{} {:?} = {}", xml.path(node), xml.span(node), xml.source(node)))
            .collect();
        expect![[r#"
            /order 0..74 = <order id="7"><item id="1"/><item id="2">hi<b/>there</item><note/></order>
            /order/@id 11..12 = 7
            /order/item[1] 14..28 = <item id="1"/>
            /order/item[1]/@id 24..25 = 1
            /order/item[2] 28..59 = <item id="2">hi<b/>there</item>
            /order/item[2]/@id 38..39 = 2
            /order/item[2]/text()[1] 41..43 = hi
            /order/item[2]/b 43..47 = <b/>
            /order/item[2]/text()[2] 47..52 = there
            /order/note 59..66 = <note/>"#]]
        .assert_eq(&xml_rows.join("\n"));

        assert_eq!(json.kind(json.root()), NodeKind::Object);
        assert_eq!(json.children(json.root()).map(|node| json.key(node)).collect::<Vec<_>>(), ["items", "9lives"]);
        assert_eq!(json.preview(0, 0), "");
        assert_eq!(json.preview(1, 3), "[1]");
        assert_eq!(json.preview(3, 2), "\"…");
        assert_eq!(xml.kind(1), NodeKind::Attribute);
        // Ids from elsewhere never panic.
        assert_eq!(json.key(9999), "$");
    }

    fn toggling() {
        let tree = Tree::from_json(r#"{"a":{"b":[1,2]},"c":[3]}"#).expect("valid JSON");
        let mut expansion = Expansion::root_only(&tree);
        assert_eq!(expansion, Expansion::to_depth(&tree, 0, 100));
        expect![[r#"
            ▾ $: {2}
              ▸ a: {1}
              ▸ c: [1]"#]]
        .assert_eq(&render(&tree, &expansion));

        // Open a, then b inside it.
        expansion.toggle(1);
        expansion.toggle(2);
        expect![[r#"
            ▾ $: {2}
              ▾ a: {1}
                ▾ b: [2]
                    [0]: 1
                    [1]: 2
              ▸ c: [1]"#]]
        .assert_eq(&render(&tree, &expansion));

        // Closing a hides b's rows but remembers b is open.
        expansion.toggle(1);
        assert!(expansion.is_expanded(2));
        expect![[r#"
            ▾ $: {2}
              ▸ a: {1}
              ▸ c: [1]"#]]
        .assert_eq(&render(&tree, &expansion));
        expansion.toggle(1);
        assert_eq!(visible_row_count(&tree, &expansion), 6);

        // Closing the root leaves one row; scalars cannot open.
        expansion.toggle(0);
        assert_eq!(visible_row_count(&tree, &expansion), 1);
        let mut scalar = Expansion::root_only(&tree);
        scalar.toggle(3);
        assert_eq!(visible_row_count(&tree, &scalar), 3);

        // Depth and row budgets.
        assert_eq!(Expansion::to_depth(&tree, 2, 100), Expansion::expand_all(&tree, 100));
        assert_eq!(visible_row_count(&tree, &Expansion::to_depth(&tree, 1, 100)), 5);
        assert_eq!(visible_row_count(&tree, &Expansion::to_depth(&tree, 1, 4)), 4);
        assert_eq!(visible_row_count(&tree, &Expansion::expand_all(&tree, 0)), 3);

        let mut revealed = Expansion::root_only(&tree);
        revealed.reveal(&tree, 4);
        assert_eq!(visible_row_count(&tree, &revealed), 6);
    }

    fn large_document_windows() {
        // About 1 MB: 10,000 objects with a nested array each.
        let items: Vec<String> = (0..10_000)
            .map(|i| format!(r#"{{"id":{i},"name":"item {i}","price":{}.{:02},"tags":["a","b","c"],"ok":{},"note":"lorem ipsum dolor sit amet"}}"#, i * 3, i % 100, i % 2 == 0))
            .collect();
        let text = format!(r#"{{"count":10000,"items":[{}]}}"#, items.join(",\n"));
        assert!(text.len() > 1_000_000, "{}", text.len());
        let tree = Tree::from_json(text).expect("valid JSON");
        assert_eq!(tree.node_count(), 3 + 10_000 * 10);
        assert_eq!(tree.child_count(2), 10_000);

        // Only the root open: three rows however big the document.
        let root_only = Expansion::root_only(&tree);
        assert_eq!(visible_row_count(&tree, &root_only), 3);

        // Everything open: a window in the middle equals the same slice of all rows.
        let all = Expansion::expand_all(&tree, usize::MAX);
        let count = visible_row_count(&tree, &all);
        assert_eq!(count, 3 + 10_000 * 10);
        let every_row = visible_rows(&tree, &all, 0..count, 30);
        assert_eq!(every_row.len(), count);
        for window in [0..40, 45_000..45_040, count - 7..count, count - 3..count + 50, 12_345..12_346] {
            let rows = visible_rows(&tree, &all, window.clone(), 30);
            assert_eq!(rows, every_row[window.start..window.end.min(count)], "{window:?}");
        }
        assert!(visible_rows(&tree, &all, count..count + 10, 30).is_empty());

        let row = &every_row[50_008];
        assert_eq!((row.key.as_str(), row.depth, tree.path(row.node).as_str()), ("[0]", 4, "$.items[5000].tags[0]"));
        expect![[r#"
            ▾ [5000]: {6}
                id: 5000
                name: "item 5000"
                price: 15000.00
              ▾ tags: [3]
                  [0]: "a"
                  [1]: "b"
                  [2]: "c"
                ok: true
                note: "lorem ipsum dolor sit amet""#]]
        .assert_eq(
            &visible_rows(&tree, &all, 50_003..50_013, 30)
                .iter()
                .map(|row| format!("{}{} {}: {}", "  ".repeat(row.depth - 2), if row.expanded { '▾' } else { ' ' }, row.key, row.preview))
                .collect::<Vec<_>>()
                .join("\n"),
        );

        // Only the array and item 5000 open: the window around it.
        let mut some = Expansion::root_only(&tree);
        some.toggle(2);
        let item_5000 = tree.child(2, 5000).expect("item 5000");
        some.toggle(item_5000);
        assert_eq!(visible_row_count(&tree, &some), 3 + 10_000 + 6);
        let keys: Vec<String> =
            visible_rows(&tree, &some, 5002..5011, 30).iter().map(|row| format!("{}={}", row.key, row.preview)).collect();
        assert_eq!(keys, ["[4999]={6}", "[5000]={6}", "id=5000", "name=\"item 5000\"", "price=15000.00", "tags=[3]", "ok=true", "note=\"lorem ipsum dolor sit amet\"", "[5001]={6}"]);
    }
}

case_test! {
    fn parts_rebuild_the_same_tree() {
        // A tree sent through a worker as numbers comes back drawing exactly the same rows.
        type Index = fn(&str) -> Result<Tree, TreeError>;
        let documents: [(&str, Index); 5] = [
            (r#"{"temp":21.5,"tags":["a","b"],"nested":{"deep":[1,[2,{"x":null}]]}}"#, |t| Tree::from_json(t)),
            ("42", |t| Tree::from_json(t)),
            (r#"["é😀", {"k\u00e9y": true}]"#, |t| Tree::from_json(t)),
            (r#"<r a="1"><b>text</b><!--c--><![CDATA[x]]><?pi d?><b/></r>"#, |t| Tree::from_xml(t)),
            ("<only/>", |t| Tree::from_xml(t)),
        ];
        for (text, index) in documents {
            let tree = index(text).expect("valid");
            let rebuilt = Tree::from_parts(text.to_owned(), tree.to_parts()).expect("parts read back");
            assert_eq!(
                render(&rebuilt, &Expansion::expand_all(&rebuilt, 10_000)),
                render(&tree, &Expansion::expand_all(&tree, 10_000)),
                "{text}"
            );
            assert_eq!(rebuilt.is_xml(), tree.is_xml());
        }
    }
}

case_test! {
    fn damaged_parts_are_an_error_not_a_panic() {
        let text = r#"{"a":[1,2],"b":"é"}"#;
        let good = Tree::from_json(text).expect("valid").to_parts();
        // (what is damaged, which word of which node is set to what, expected message)
        let cases: [(&str, usize, u32, &str); 7] = [
            ("unknown kind", 0, 99, "node 0: unknown kind"),
            ("span past the text", 3 + 9, 999, "node 1: its span is not inside the text"),
            ("span inside a character", 4 + 9 * 4, 17, "node 4: its span is not inside the text"),
            ("parent after the node", 5 + 9, 4, "node 1: its parent does not come before it"),
            ("size past the end", 7 + 9 * 2, 50, "node 2: its size reaches past the last node"),
            ("children past the table", 8, 40, "node 0: its children are past the end of the child table"),
            ("root too small", 7, 2, "node 0 is not the root of every node"),
        ];
        for (what, word, value, expected) in cases {
            let mut parts = good.clone();
            parts.nodes[word] = value;
            let error = Tree::from_parts(text.to_owned(), parts).err().map(|error| error.0);
            assert_eq!(error.as_deref(), Some(expected), "{what}");
        }
        let mut truncated = good.clone();
        truncated.nodes.pop();
        assert!(Tree::from_parts(text.to_owned(), truncated).is_err(), "a partial node");
        let mut bad_child = good.clone();
        bad_child.child_table[0] = 77;
        assert!(Tree::from_parts(text.to_owned(), bad_child).is_err(), "a child that does not exist");
        let empty = wire::tree::TreeParts { xml: false, nodes: vec![], child_table: vec![] };
        assert!(Tree::from_parts(String::new(), empty).is_err(), "no nodes");
    }
}

case_test! {
    fn parts_read_in_steps_give_the_same_tree() {
        let text = r#"{"a":[1,2,{"b":"é"}],"c":{"d":null,"e":[true,false]}}"#;
        let tree = Tree::from_json(text).expect("valid");
        let whole = render(&tree, &Expansion::expand_all(&tree, 10_000));
        for step in [1, 2, 3, 7, 1000] {
            let mut reader = wire::tree::PartsReader::new(text.to_owned(), tree.to_parts()).expect("parts");
            let mut steps = 0;
            while !reader.step(step).expect("a good step") {
                steps += 1;
                assert!(steps < 100, "steps of {step} end");
            }
            let rebuilt = reader.finish().expect("a tree");
            assert_eq!(render(&rebuilt, &Expansion::expand_all(&rebuilt, 10_000)), whole, "steps of {step}");
        }
        let unfinished = wire::tree::PartsReader::new(text.to_owned(), tree.to_parts()).expect("parts");
        assert!(unfinished.finish().is_err(), "a reader that has not read every node is not a tree");
    }
}
