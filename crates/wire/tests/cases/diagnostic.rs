//! The one diagnostic shape: where a problem is (byte offset, line and column) and how it reads.

use wire::diagnostic::{Diagnostic, Location};
use wire::formats::FormatError;

case_test! {
    fn places_in_text() {
        // (text, char index) → byte offset, line, column; a character past the end is the end.
        let cases = [("abc", 1, 1, 1, 2), ("a\nbc", 3, 3, 2, 2), ("é€x", 2, 5, 1, 3), ("ab", 9, 2, 1, 3)];
        for (text, char_index, offset, line, column) in cases {
            let location = Location::at_char(text, char_index);
            let position = location.position.expect("text has a line and column");
            assert_eq!((location.offset, position.line, position.column), (offset, line, column), "{text:?}");
            assert_eq!(position.byte_offset(text), offset.min(text.len()), "{text:?} back to bytes");
            assert_eq!(Location::in_text(text, offset), location, "{text:?} from bytes");
        }
    }

    fn how_problems_read() {
        let in_text = Diagnostic::in_text("{\n  x", 4, "expected a key");
        let cases = [
            (in_text.to_string(), "expected a key at line 2, column 3"),
            (FormatError(in_text.clone()).to_string(), "line 2, column 3: expected a key"),
            (Diagnostic::at_offset(7, "truncated").to_string(), "truncated at byte 7"),
            (FormatError::at_offset(7, "truncated").to_string(), "byte 7: truncated"),
            (Diagnostic::new("no such message").to_string(), "no such message"),
            (Diagnostic::at_offset(2, "x").with_text("ab\ncd").to_string(), "x at line 1, column 3"),
        ];
        for (shown, expected) in cases {
            assert_eq!(shown, expected);
        }
    }
}
