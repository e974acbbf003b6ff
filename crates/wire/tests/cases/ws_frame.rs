//! WebSocket frame headers from raw bytes (RFC 6455's own examples among them), the scanner fed
//! in every possible split, and the handshake's accept hash.

use wire::binary_input::parse_hex;
use wire::ws_frame::{FrameHeader, FrameScanner, LengthEncoding, accept_key, opcode_name, parse_header};

fn bytes(hex: &str) -> Vec<u8> {
    parse_hex(hex).unwrap_or_else(|error| panic!("bad test hex {hex:?}: {error}"))
}

/// `fin text len=5 7-bit unmasked header=2`, or `needs more bytes`.
fn describe(header: Option<FrameHeader>) -> String {
    let Some(header) = header else { return "needs more bytes".into() };
    let rsv: String = header.rsv.iter().map(|&bit| if bit { '1' } else { '0' }).collect();
    let mask = header.mask_key.map_or("unmasked".to_string(), |key| format!("mask {}", wire::hexdump::to_hex(&key)));
    format!(
        "{} {} rsv={rsv} len={} {}-bit{} {mask} header={}",
        if header.fin { "fin" } else { "more" },
        opcode_name(header.opcode),
        header.payload_len,
        header.length_encoding.bits(),
        if header.length_is_minimal() { "" } else { " (not minimal)" },
        header.header_len,
    )
}

case_test! {
    fn headers_read_from_raw_bytes() {
        let cases = [
            // RFC 6455 section 5.7: an unmasked and a masked "Hello".
            ("81 05 48 65 6c 6c 6f", "fin text rsv=000 len=5 7-bit unmasked header=2"),
            ("81 85 37 fa 21 3d 7f 9f 4d 51 58", "fin text rsv=000 len=5 7-bit mask 37 fa 21 3d header=6"),
            // A fragmented text message: first frame and the final continuation.
            ("01 03 48 65 6c", "more text rsv=000 len=3 7-bit unmasked header=2"),
            ("80 02 6c 6f", "fin continuation rsv=000 len=2 7-bit unmasked header=2"),
            ("89 05 48 65 6c 6c 6f", "fin ping rsv=000 len=5 7-bit unmasked header=2"),
            ("8a 85 37 fa 21 3d 7f 9f 4d 51 58", "fin pong rsv=000 len=5 7-bit mask 37 fa 21 3d header=6"),
            ("82 7e 01 00", "fin binary rsv=000 len=256 16-bit unmasked header=4"),
            ("82 7f 00 00 00 00 00 01 00 00", "fin binary rsv=000 len=65536 64-bit unmasked header=10"),
            ("82 ff 00 00 00 00 00 01 00 00 01 02 03 04", "fin binary rsv=000 len=65536 64-bit mask 01 02 03 04 header=14"),
            // permessage-deflate sets RSV1 on the first frame of a compressed message.
            ("c1 85 00 00 00 00 f2 48 cd c9 c9", "fin text rsv=100 len=5 7-bit mask 00 00 00 00 header=6"),
            ("82 7e 00 05", "fin binary rsv=000 len=5 16-bit (not minimal) unmasked header=4"),
            ("83 00", "fin reserved (0x3) rsv=000 len=0 7-bit unmasked header=2"),
            ("88 02 03 e8", "fin close rsv=000 len=2 7-bit unmasked header=2"),
            ("", "needs more bytes"),
            ("81", "needs more bytes"),
            ("82 7e 01", "needs more bytes"),
            ("82 7f 00 00 00 00", "needs more bytes"),
            ("81 85 37 fa 21", "needs more bytes"),
        ];
        for (hex, expected) in cases {
            assert_eq!(describe(parse_header(&bytes(hex))), expected, "{hex}");
        }
    }

    fn the_scanner_gives_the_same_headers_however_the_stream_is_split() {
        // A masked fragmented text message, a ping between its fragments, then a 300-byte binary.
        let mut stream = bytes("01 83 01 02 03 04 49 67 6f 89 80 0a 0b 0c 0d 80 82 05 06 07 08 6a 69");
        stream.extend(bytes("82 fe 01 2c 00 00 00 00"));
        stream.extend(std::iter::repeat_n(0x55, 300));
        let whole: Vec<String> = FrameScanner::new().feed(&stream).into_iter().map(|h| describe(Some(h))).collect();
        assert_eq!(
            whole,
            [
                "more text rsv=000 len=3 7-bit mask 01 02 03 04 header=6",
                "fin ping rsv=000 len=0 7-bit mask 0a 0b 0c 0d header=6",
                "fin continuation rsv=000 len=2 7-bit mask 05 06 07 08 header=6",
                "fin binary rsv=000 len=300 16-bit mask 00 00 00 00 header=8",
            ]
        );
        for chunk_size in 1..=stream.len() {
            let mut scanner = FrameScanner::new();
            let split: Vec<String> =
                stream.chunks(chunk_size).flat_map(|chunk| scanner.feed(chunk)).map(|h| describe(Some(h))).collect();
            assert_eq!(split, whole, "chunks of {chunk_size}");
        }
    }

    fn the_minimal_length_encoding() {
        let cases = [
            (0, LengthEncoding::Seven),
            (125, LengthEncoding::Seven),
            (126, LengthEncoding::Sixteen),
            (65535, LengthEncoding::Sixteen),
            (65536, LengthEncoding::SixtyFour),
        ];
        for (len, encoding) in cases {
            assert_eq!(LengthEncoding::minimal_for(len), encoding, "{len}");
        }
    }

    fn the_handshake_accept_hash() {
        // RFC 6455 section 1.3's example.
        assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(accept_key(" dGhlIHNhbXBsZSBub25jZQ== "), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    }

    fn frames_group_into_messages_and_reports_read_back() {
        use wire::ws_inspect::{Assembled, InspectReport, MessageAssembler, MessageFacts, FrameFacts, summarize};
        let stream = bytes("01 83 01 02 03 04 49 67 6f 89 80 0a 0b 0c 0d 80 82 05 06 07 08 6a 69 81 85 37 fa 21 3d 7f 9f 4d 51 58");
        let mut assembler = MessageAssembler::new();
        let results: Vec<String> = FrameScanner::new()
            .feed(&stream)
            .into_iter()
            .map(|header| match assembler.push(header) {
                Assembled::Message { index, frames } => format!("message {index}: {} frames", frames.len()),
                Assembled::Control(header) => format!("control {}", opcode_name(header.opcode)),
                Assembled::Partial => "partial".into(),
            })
            .collect();
        assert_eq!(results, ["partial", "control ping", "message 0: 2 frames", "message 1: 1 frames"]);

        let hello = FrameFacts::from(&parse_header(&bytes("81 85 37 fa 21 3d")).unwrap_or_else(|| panic!("a header")));
        let single = MessageFacts {
            index: 1,
            kind: "text".into(),
            frames: vec![hello.clone()],
            wire_bytes: 5,
            message_bytes: 5,
            compressed: false,
        };
        assert_eq!(summarize(&single), "1 frame · masked 37 fa 21 3d · 5 B (7-bit length)");
        let continuation = FrameFacts { opcode: "continuation".into(), ..hello.clone() };
        let fragmented = MessageFacts { frames: vec![hello.clone(), continuation.clone(), continuation], wire_bytes: 15, ..single.clone() };
        assert_eq!(summarize(&fragmented), "3 frames (text + 2 continuation) · 15 B");
        let compressed = MessageFacts { wire_bytes: 7, message_bytes: 1000, compressed: true, ..single.clone() };
        assert_eq!(summarize(&compressed), "1 frame · masked 37 fa 21 3d · 5 B (7-bit length) · compressed 7 → 1000 B");

        let report = InspectReport::Message(single);
        let json = report.to_json();
        assert!(json.starts_with(r#"{"inspect":"message","index":1,"kind":"text","frames":[{"fin":true"#), "{json}");
        assert_eq!(InspectReport::from_text(&json), Some(report));
        assert_eq!(InspectReport::from_text(r#"{"hello": 1}"#), None);
        assert_eq!(InspectReport::from_text(r#"{"inspect": "nonsense"}"#), None);
    }
}
