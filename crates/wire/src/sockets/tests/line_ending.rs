//! Typed text with each line ending, typed bytes with their errors, and the protocol warnings.

use crate::binary_input::PayloadEncoding;
use crate::sockets::target::Protocol;

use super::*;

#[test]
fn text_gets_the_chosen_line_ending_on_every_line() {
    let cases: [(&str, LineEnding, &[u8]); 9] = [
        ("EHLO learner", LineEnding::CrLf, b"EHLO learner\r\n"),
        ("EHLO learner", LineEnding::Lf, b"EHLO learner\n"),
        ("EHLO learner", LineEnding::None, b"EHLO learner"),
        ("Subject: hi\n\nbody", LineEnding::CrLf, b"Subject: hi\r\n\r\nbody\r\n"),
        ("a\r\nb\rc", LineEnding::Lf, b"a\nb\nc\n"),
        ("a\r\nb", LineEnding::None, b"a\r\nb"),
        ("QUIT\n", LineEnding::CrLf, b"QUIT\r\n\r\n"),
        ("", LineEnding::CrLf, b"\r\n"),
        ("", LineEnding::None, b""),
    ];
    for (text, ending, bytes) in cases {
        assert_eq!(text_bytes(text, ending), bytes, "{text:?} {ending:?}");
    }
}

/// Bytes, or the error as printed.
type Made = Result<&'static [u8], &'static str>;

#[test]
fn drafts_make_bytes_or_say_where_they_are_wrong() {
    let cases: [(PayloadEncoding, &str, Made); 5] = [
        (PayloadEncoding::Text, "NOOP", Ok(b"NOOP\r\n")),
        (PayloadEncoding::Hex, "4e 4f 0d 0a", Ok(b"NO\r\n")),
        (PayloadEncoding::Base64, "Tk9PUA0K", Ok(b"NOOP\r\n")),
        (PayloadEncoding::Hex, "4e 4g", Err("'g' is not a hex digit at line 1, column 5")),
        (PayloadEncoding::Base64, "Tk9P\nU!", Err("'!' is not a base64 character at line 2, column 2")),
    ];
    for (encoding, text, expected) in cases {
        let draft = SendDraft { encoding, line_ending: LineEnding::CrLf, text: text.into() };
        let got = draft.bytes().map_err(|error| error.to_string());
        assert_eq!(got, expected.map(<[u8]>::to_vec).map_err(str::to_string), "{encoding:?} {text:?}");
    }
}

#[test]
fn size_hints_show_the_bytes() {
    let cases = [
        (SendDraft::text("EHLO x", LineEnding::CrLf), "8 B: EHLO x␍␊"),
        (SendDraft::text("EHLO x", LineEnding::None), "6 B: EHLO x"),
        (SendDraft { encoding: PayloadEncoding::Hex, line_ending: LineEnding::CrLf, text: "0".into() }, ""),
    ];
    for (draft, hint) in cases {
        assert_eq!(draft.size_hint(40), hint, "{draft:?}");
    }
}

#[test]
fn edits_change_one_thing() {
    let mut draft = SendDraft::default();
    let cases = [
        (DraftEdit::Text("USER a".into()), SendDraft::text("USER a", LineEnding::CrLf)),
        (DraftEdit::LineEnding(LineEnding::Lf), SendDraft::text("USER a", LineEnding::Lf)),
        (
            DraftEdit::Encoding(PayloadEncoding::Hex),
            SendDraft { encoding: PayloadEncoding::Hex, line_ending: LineEnding::Lf, text: "USER a".into() },
        ),
        (
            DraftEdit::Message { encoding: PayloadEncoding::Text, line_ending: LineEnding::None, text: "x".into() },
            SendDraft::text("x", LineEnding::None),
        ),
    ];
    for (edit, after) in cases {
        draft.edit(edit.clone());
        assert_eq!(draft, after, "{edit:?}");
    }
}

#[test]
fn endings_that_a_protocol_will_not_take_are_named() {
    let cases = [
        (LineEnding::CrLf, Protocol::Smtp, false),
        (LineEnding::Lf, Protocol::Smtp, true),
        (LineEnding::None, Protocol::Ftp, true),
        (LineEnding::Lf, Protocol::Echo, false),
        (LineEnding::None, Protocol::Raw, false),
    ];
    for (ending, protocol, warned) in cases {
        assert_eq!(ending.warning(protocol).is_some(), warned, "{ending:?} {protocol:?}");
    }
    assert_eq!(
        LineEnding::Lf.warning(Protocol::Pop3).as_deref(),
        Some("POP3 ends every line with CRLF (␍␊); a bare LF may be refused or wait forever for the line's end")
    );
}

#[test]
fn keys_round_trip() {
    for ending in LineEnding::ALL {
        assert_eq!(LineEnding::from_key(ending.key()), Some(ending));
    }
    assert_eq!(LineEnding::from_key("cr"), None);
}
