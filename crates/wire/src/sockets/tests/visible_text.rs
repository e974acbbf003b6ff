//! Bytes as the transcript shows them: CR/LF pictures, controls, bytes that are not UTF-8.

use super::*;

#[test]
fn bytes_are_shown_with_nothing_hidden() {
    let cases: [(&[u8], &str); 9] = [
        (b"EHLO learner\r\n", "EHLO learner␍␊\n"),
        (b"one\ntwo", "one␊\ntwo"),
        (b"tab\there", "tab␉here"),
        (b"\x00\x1b[0m\x7f", "␀␛[0m␡"),
        (b"caf\xc3\xa9", "café"),
        (b"bad \xff\xfe end", "bad \\xff\\xfe end"),
        ("a literal ␍ is escaped".as_bytes(), "a literal \\u{240d} is escaped"),
        ("C1 \u{85} next line".as_bytes(), "C1 \\u{85} next line"),
        (b"\\r\\n typed", "\\r\\n typed"),
    ];
    for (bytes, shown) in cases {
        assert_eq!(visible_text(bytes), shown, "{bytes:?}");
    }
}

#[test]
fn pieces_mark_what_is_not_text() {
    let cases: [(&[u8], Vec<Piece>); 3] = [
        (
            b"250 OK\r\n",
            vec![Piece::Text("250 OK".into()), Piece::Control(b'\r'), Piece::Control(b'\n'), Piece::LineBreak],
        ),
        (b"\xc3", vec![Piece::Byte(0xc3)]),
        (b"", vec![]),
    ];
    for (bytes, expected) in cases {
        assert_eq!(pieces(bytes), expected, "{bytes:?}");
    }
}

#[test]
fn titles_name_the_marked_byte() {
    let cases = [
        (Piece::Control(b'\r'), Some("CR (carriage return, 0x0d)")),
        (Piece::Control(0x7f), Some("DEL (delete, 0x7f)")),
        (Piece::Byte(0xff), Some("byte 0xff: not valid UTF-8 here")),
        (Piece::Text("x".into()), None),
    ];
    for (piece, title) in cases {
        assert_eq!(piece.title().as_deref(), title, "{piece:?}");
    }
}

#[test]
fn previews_stay_on_one_line() {
    let cases: [(&[u8], usize, &str); 3] =
        [(b"220 ready\r\n", 40, "220 ready␍␊"), (b"220 ready\r\n", 5, "220 r…"), (b"a\nb", 3, "a␊b")];
    for (bytes, max, shown) in cases {
        assert_eq!(preview(bytes, max), shown, "{bytes:?} {max}");
    }
}

#[test]
fn big_chunks_are_shown_in_part() {
    let big = vec![b'a'; MAX_SHOWN_BYTES + 10];
    let cases: [(&[u8], usize, usize); 2] = [(b"small", 5, 0), (&big, MAX_SHOWN_BYTES, 10)];
    for (bytes, shown, hidden) in cases {
        let (prefix, left_out) = shown_prefix(bytes);
        assert_eq!((prefix.len(), left_out), (shown, hidden));
    }
}
