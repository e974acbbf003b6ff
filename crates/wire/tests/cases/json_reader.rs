//! The one JSON reader: the events it reports for a document (with their byte offsets), and the
//! first problem it stops at, as one table of inputs and traces.

use expect_test::{Expect, expect};
use wire::json_reader::{Container, JsonEvents, Scalar, read, unescape};

/// Every event as a line: `open Object @0`, `key 1..4 "a"`, `scalar Number 6..7 1`, ...
struct Trace<'a> {
    text: &'a str,
    lines: Vec<String>,
}

impl JsonEvents for Trace<'_> {
    fn open(&mut self, container: Container, at: usize) {
        self.lines.push(format!("open {container:?} @{at}"));
    }

    fn close(&mut self, container: Container, at: usize) {
        self.lines.push(format!("close {container:?} @{at}"));
    }

    fn scalar(&mut self, scalar: Scalar, start: usize, end: usize) {
        self.lines.push(format!("scalar {scalar:?} {start}..{end} {}", &self.text[start..end]));
    }

    fn key(&mut self, start: usize, end: usize) {
        self.lines.push(format!("key {start}..{end} {:?}", unescape(&self.text[start + 1..end - 1])));
    }

    fn colon(&mut self, at: usize) {
        self.lines.push(format!("colon @{at}"));
    }

    fn comma(&mut self, at: usize) {
        self.lines.push(format!("comma @{at}"));
    }
}

fn check(texts: &[&str], expected: Expect) {
    let mut out = String::new();
    for text in texts {
        let mut trace = Trace { text, lines: Vec::new() };
        let result = read(text, &mut trace);
        out.push_str(&format!("{text:?}\n"));
        for line in &trace.lines {
            out.push_str(&format!("  {line}\n"));
        }
        if let Err(error) = result {
            out.push_str(&format!("  error: {}\n", error.with_text(text)));
        }
    }
    expected.assert_eq(&out);
}

case_test! {
    fn events_carry_byte_offsets() {
        check(
            &[r#"{"a": [1, true], "k\u00e9y": "v\n"}"#, "\u{feff} -0.5e+3 ", "[]"],
            expect![[r#"
                "{\"a\": [1, true], \"k\\u00e9y\": \"v\\n\"}"
                  open Object @0
                  key 1..4 "a"
                  colon @4
                  open Array @6
                  scalar Number 7..8 1
                  comma @8
                  scalar True 10..14 true
                  close Array @14
                  comma @15
                  key 17..27 "kéy"
                  colon @27
                  scalar String 29..34 "v\n"
                  close Object @34
                "\u{feff} -0.5e+3 "
                  scalar Number 4..11 -0.5e+3
                "[]"
                  open Array @0
                  close Array @1
            "#]],
        );
    }

    fn the_first_problem_stops_the_read() {
        check(
            &["[1,]", "{\"a\" 1}", "\"\\ud800\"", "01", "[1] x", "\"tab\there\""],
            expect![[r#"
                "[1,]"
                  open Array @0
                  scalar Number 1..2 1
                  error: trailing comma before ']' at line 1, column 3
                "{\"a\" 1}"
                  open Object @0
                  error: expected ':' after the key, found '1' at line 1, column 6
                "\"\\ud800\""
                  error: lone surrogate \uD800: a high surrogate must be followed by a low one at line 1, column 2
                "01"
                  error: numbers cannot have leading zeros at line 1, column 1
                "[1] x"
                  open Array @0
                  scalar Number 1..2 1
                  close Array @2
                  error: unexpected 'x' after the JSON value at line 1, column 5
                "\"tab\there\""
                  error: control character '\t' in a string must be escaped at line 1, column 5
            "#]],
        );
    }
}
