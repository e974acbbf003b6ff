//! Tests of `wire::utf8_steps`: checking UTF-8 in steps agrees with `str::from_utf8` on where the
//! first bad byte is, whatever the step and wherever characters are cut.

use wire::utf8_steps::check_all;

case_test! {
    fn steps_agree_with_from_utf8() {
        let inputs: [&[u8]; 10] = [
            b"",
            b"plain ascii, long enough to span several steps",
            "é😀 mixed: ñ ü 中文 and 🎉 at the end 🎉".as_bytes(),
            "😀😀😀😀😀😀😀😀".as_bytes(),
            b"\xff at the start",
            b"bad at the end \xc3",
            b"a lone continuation \x80 byte",
            b"overlong \xc0\xaf slash",
            b"surrogate \xed\xa0\x80 half",
            b"cut \xf0\x9f\x98 then text",
        ];
        for input in inputs {
            let expected = std::str::from_utf8(input).map(|_| ()).map_err(|error| error.valid_up_to());
            for step in 1..=9 {
                assert_eq!(check_all(input, step), expected, "{input:?} in steps of {step}");
            }
        }
    }
}
