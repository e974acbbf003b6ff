//! `/ws/inspect` over real sockets: the handshake report, then after each echo a report of the
//! frames that carried the client's message, written by hand so every header field is known.

mod support;

use support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use wire::ws_frame::accept_key;
use wire::ws_inspect::{FrameFacts, HandshakeFacts, InspectReport, MessageFacts};
use wirelab_server::DEFAULT_MAX_MESSAGE_BYTES;

/// Connects to `/ws/inspect` with extra request headers; returns the stream, the response head
/// and the handshake report.
async fn connect(server: &TestServer, headers: &[&str]) -> (TcpStream, String, HandshakeFacts) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let (head, body) = within("handshake", upgrade_request(&mut stream, server.addr, "/ws/inspect", headers)).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}{body}");
    match report(&mut stream).await {
        InspectReport::Handshake(facts) => (stream, head, facts),
        other => panic!("first report is not the handshake: {other:?}"),
    }
}

/// Reads one report (a text frame, compressed when permessage-deflate was agreed).
async fn report(stream: &mut TcpStream) -> InspectReport {
    let frame = within("report", read_frame(stream)).await.expect("connection ended");
    let payload = if frame.compressed { inflate(&frame.payload) } else { frame.payload };
    let text = String::from_utf8(payload).unwrap();
    assert_eq!(frame.opcode, OP_TEXT, "{text}");
    InspectReport::from_text(&text).unwrap_or_else(|| panic!("not a report: {text}"))
}

/// The facts of a frame the raw client wrote: masked with [`MASK_KEY`].
fn client_facts(fin: bool, rsv1: bool, opcode: &str, payload_len: u64, length_bits: u8) -> FrameFacts {
    let header_len = 2
        + 4
        + match length_bits {
            7 => 0,
            16 => 2,
            _ => 8,
        };
    FrameFacts {
        fin,
        rsv1,
        rsv2: false,
        rsv3: false,
        opcode: opcode.to_owned(),
        masked: true,
        mask_key: Some("37 fa 21 3d".to_owned()),
        payload_len,
        length_bits,
        header_len,
    }
}

#[tokio::test]
async fn the_handshake_is_reported_first() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let headers =
        ["Sec-WebSocket-Protocol: json, chat", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"];
    let (_, head, facts) = connect(&server, &headers).await;
    assert_eq!(accept_key(CLIENT_KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_eq!(header_in(&head, "sec-websocket-accept"), Some(accept_key(CLIENT_KEY).as_str()));
    let answered = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    assert_eq!(header_in(&head, "sec-websocket-extensions"), Some(answered));
    assert_eq!(
        facts,
        HandshakeFacts {
            key: CLIENT_KEY.to_owned(),
            accept: accept_key(CLIENT_KEY),
            offered_extensions: Some("permessage-deflate; client_max_window_bits".to_owned()),
            extensions: Some(answered.to_owned()),
            offered_subprotocols: Some("json, chat".to_owned()),
            subprotocol: Some("json".to_owned()),
            capture: facts.capture.clone(),
        }
    );
}

#[tokio::test]
async fn each_echo_is_followed_by_the_facts_of_its_frames() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let (mut stream, _, _) = connect(&server, &[]).await;
    let binary: Vec<u8> = (0..300).map(|i| i as u8).collect();
    let fragmented = [
        client_fragment(OP_TEXT, b"Hello, "),
        client_frame(OP_PING, b"between"),
        client_fragment(OP_CONTINUATION, b"wire"),
        client_frame(OP_CONTINUATION, b"lab"),
    ]
    .concat();
    // (what the client writes, the echo's opcode and payload, the report expected)
    let cases: Vec<(Vec<u8>, u8, Vec<u8>, MessageFacts)> = vec![
        (
            client_frame(OP_TEXT, b"hello"),
            OP_TEXT,
            b"hello".to_vec(),
            MessageFacts {
                index: 0,
                kind: "text".into(),
                frames: vec![client_facts(true, false, "text", 5, 7)],
                wire_bytes: 5,
                message_bytes: 5,
                compressed: false,
            },
        ),
        (
            client_frame(OP_BINARY, &binary),
            OP_BINARY,
            binary.clone(),
            MessageFacts {
                index: 1,
                kind: "binary".into(),
                frames: vec![client_facts(true, false, "binary", 300, 16)],
                wire_bytes: 300,
                message_bytes: 300,
                compressed: false,
            },
        ),
        (
            fragmented,
            OP_TEXT,
            b"Hello, wirelab".to_vec(),
            MessageFacts {
                index: 2,
                kind: "text".into(),
                frames: vec![
                    client_facts(false, false, "text", 7, 7),
                    client_facts(false, false, "continuation", 4, 7),
                    client_facts(true, false, "continuation", 3, 7),
                ],
                wire_bytes: 14,
                message_bytes: 14,
                compressed: false,
            },
        ),
    ];
    for (bytes, opcode, payload, expected) in cases {
        stream.write_all(&bytes).await.unwrap();
        let mut echo = within("echo", read_frame(&mut stream)).await.unwrap();
        if echo.opcode == OP_PONG {
            echo = within("echo", read_frame(&mut stream)).await.unwrap();
        }
        assert_eq!((echo.opcode, echo.payload), (opcode, payload), "message {}", expected.index);
        assert_eq!(report(&mut stream).await, InspectReport::Message(expected));
    }
}

#[tokio::test]
async fn a_compressed_message_reports_fewer_bytes_on_the_wire() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let (mut stream, _, facts) = connect(&server, &["Sec-WebSocket-Extensions: permessage-deflate"]).await;
    assert!(facts.extensions.is_some(), "{facts:?}");
    let text = "wirelab ".repeat(1280); // 10 KiB
    let compressed = deflate(text.as_bytes());
    stream.write_all(&frame_bytes(FIN | RSV1 | OP_TEXT, &compressed, true)).await.unwrap();
    let echo = within("echo", read_frame(&mut stream)).await.unwrap();
    assert_eq!((echo.opcode, echo.compressed), (OP_TEXT, true));
    let InspectReport::Message(facts) = report(&mut stream).await else { panic!("not a message report") };
    assert_eq!((facts.index, facts.kind.as_str(), facts.compressed, facts.frames.len()), (0, "text", true, 1));
    assert_eq!((facts.wire_bytes, facts.message_bytes), (compressed.len() as u64, text.len() as u64));
    assert!(facts.wire_bytes < facts.message_bytes / 10, "{} of {}", facts.wire_bytes, facts.message_bytes);
    assert!(facts.frames[0].rsv1);
}

#[tokio::test]
async fn other_paths_under_ws_are_still_404() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    for path in ["/ws/", "/ws/inspector", "/ws/inspect/more"] {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let (head, _) = within("request", upgrade_request(&mut stream, server.addr, path, &[])).await;
        assert!(head.starts_with("HTTP/1.1 404"), "{path}: {head}");
    }
}
