//! Real-socket tests of the WebSocket echo: a server on a free port, real clients, raw frames.

mod support;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use wirelab_server::{Config, DEFAULT_MAX_MESSAGE_BYTES};

type Client = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn client(server: &TestServer) -> Client {
    let (ws, _) = within("connect", connect_async(server.echo_url())).await.unwrap();
    ws
}

async fn next_message(ws: &mut Client) -> Message {
    within("next message", ws.next()).await.unwrap().unwrap()
}

#[tokio::test]
async fn text_and_binary_messages_come_back_unchanged() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let mut ws = client(&server).await;
    let big: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    for message in [
        Message::text("hello, wirelab"),
        Message::text(""),
        Message::text("héllo 🌍 — ünïcode"),
        Message::binary(vec![0u8, 1, 2, 255]),
        Message::binary(Vec::new()),
        Message::binary(big),
    ] {
        within("send", ws.send(message.clone())).await.unwrap();
        assert_eq!(next_message(&mut ws).await, message);
    }
}

#[tokio::test]
async fn pings_get_pongs_with_the_same_payload() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let mut ws = client(&server).await;
    let payload = Bytes::from_static(b"are you there?");
    within("ping", ws.send(Message::Ping(payload.clone()))).await.unwrap();
    assert_eq!(next_message(&mut ws).await, Message::Pong(payload));
}

#[tokio::test]
async fn fragmented_messages_come_back_whole() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let mut stream = raw_connect(server.addr).await;
    let mut bytes = client_fragment(OP_TEXT, b"Hello, ");
    // Control frames may come between fragments.
    bytes.extend(client_frame(OP_PING, b"mid"));
    bytes.extend(client_fragment(OP_CONTINUATION, "wire".as_bytes()));
    bytes.extend(client_frame(OP_CONTINUATION, "lab ✓".as_bytes()));
    stream.write_all(&bytes).await.unwrap();

    let pong = within("pong", read_frame(&mut stream)).await.unwrap();
    assert_eq!((pong.opcode, pong.payload.as_slice()), (OP_PONG, &b"mid"[..]));
    let echo = within("echo", read_frame(&mut stream)).await.unwrap();
    assert_eq!(
        echo,
        ServerFrame {
            fin: true, compressed: false, opcode: OP_TEXT, payload: "Hello, wirelab ✓".as_bytes().to_vec()
        }
    );
}

/// Echoes are batched: everything already read is echoed into one write. Frames sent in one
/// burst must still come back complete and in order, pongs in their place among the echoes, and
/// a close at the end must not strand the echoes before it.
#[tokio::test]
async fn a_burst_of_frames_comes_back_in_order() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let mut stream = raw_connect(server.addr).await;
    let mut burst = Vec::new();
    let mut expected = Vec::new();
    for index in 0..200u32 {
        let text = format!("message {index}");
        burst.extend(client_frame(OP_TEXT, text.as_bytes()));
        expected.push((OP_TEXT, text.into_bytes()));
        if index % 50 == 7 {
            let payload = format!("ping {index}").into_bytes();
            burst.extend(client_frame(OP_PING, &payload));
            expected.push((OP_PONG, payload));
        }
    }
    let big = vec![7u8; 100_000];
    burst.extend(client_frame(OP_BINARY, &big));
    expected.push((OP_BINARY, big));
    burst.extend(client_frame(OP_CLOSE, &1000u16.to_be_bytes()));
    expected.push((OP_CLOSE, 1000u16.to_be_bytes().to_vec()));
    within("burst", stream.write_all(&burst)).await.unwrap();

    let mut got = Vec::new();
    while let Some(frame) = within("echo", read_frame(&mut stream)).await {
        assert!(frame.fin);
        got.push((frame.opcode, frame.payload));
    }
    assert_eq!(got.len(), expected.len());
    for (index, (got, expected)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(got, expected, "frame {index}");
    }
}

#[tokio::test]
async fn a_client_close_is_answered_with_its_own_code() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    let mut ws = client(&server).await;
    let bye = CloseFrame { code: CloseCode::from(4000), reason: "bye".into() };
    within("close", ws.close(Some(bye.clone()))).await.unwrap();
    assert_eq!(next_message(&mut ws).await, Message::Close(Some(bye)));
    assert!(within("end", ws.next()).await.is_none());
}

/// Raw inputs that break the rules, with the close code the server must answer with.
/// The server's limit is [`SMALL_LIMIT`] bytes; `None` means the connection is dropped without one.
/// A reserved opcode is a protocol error, 1002 (RFC 6455 section 7.4.1; every reserved opcode on
/// both endpoints is a case in `tests/reserved_opcodes.rs`).
fn malformed_cases() -> Vec<(&'static str, Vec<u8>, Option<u16>)> {
    let too_long_ping = vec![b'p'; 126];
    vec![
        ("unmasked frame", frame_bytes(0x80 | OP_TEXT, b"hi", false), Some(1002)),
        ("reserved data opcode", client_frame(0x3, b"x"), Some(1002)),
        ("reserved control opcode", client_frame(0xB, b"x"), Some(1002)),
        ("RSV1 without extension", frame_bytes(0x80 | 0x40 | OP_TEXT, b"hi", true), Some(1002)),
        ("RSV3 without extension", frame_bytes(0x80 | 0x10 | OP_BINARY, b"hi", true), Some(1002)),
        ("continuation without start", client_frame(OP_CONTINUATION, b"x"), Some(1002)),
        ("fragmented ping", client_fragment(OP_PING, b"x"), Some(1002)),
        ("ping over 125 bytes", client_frame(OP_PING, &too_long_ping), Some(1002)),
        (
            "new message inside a fragmented one",
            [client_fragment(OP_TEXT, b"a"), client_frame(OP_TEXT, b"b")].concat(),
            Some(1002),
        ),
        ("close with a 1-byte payload", client_frame(OP_CLOSE, &[0x03]), Some(1002)),
        (
            "close frame longer than 125 bytes",
            client_frame(OP_CLOSE, &[[0x03, 0xe8].as_slice(), &[b'*'; 124]].concat()),
            None,
        ),
        ("close with a reserved code", client_frame(OP_CLOSE, &999u16.to_be_bytes()), Some(1002)),
        ("invalid UTF-8 text", client_frame(OP_TEXT, &[b'o', b'k', 0xff, 0xfe]), Some(1007)),
        (
            "invalid UTF-8 across fragments",
            [client_fragment(OP_TEXT, &[0xc3]), client_frame(OP_CONTINUATION, &[0x28])].concat(),
            Some(1007),
        ),
        ("frame over the limit", client_frame(OP_BINARY, &[7; SMALL_LIMIT + 1]), Some(1009)),
        (
            "message over the limit in fragments",
            [
                client_fragment(OP_BINARY, &[7; SMALL_LIMIT / 2 + 1]),
                client_frame(OP_CONTINUATION, &[7; SMALL_LIMIT / 2 + 1]),
            ]
            .concat(),
            Some(1009),
        ),
        ("text over the limit", client_frame(OP_TEXT, &[b'a'; SMALL_LIMIT + 100]), Some(1009)),
    ]
}

const SMALL_LIMIT: usize = 1024;

#[tokio::test]
async fn malformed_input_gets_the_right_close_code() {
    let server = TestServer::with_limit(SMALL_LIMIT).await;
    for (name, bytes, expected) in malformed_cases() {
        let mut stream = raw_connect(server.addr).await;
        // The server may close before reading everything; a failed write is fine.
        let _ = stream.write_all(&bytes).await;
        let code = within(name, read_close_code(&mut stream)).await;
        assert_eq!(code, expected, "{name}");
    }
    // A message right at the limit is still fine.
    let mut ws = client(&server).await;
    let at_limit = Message::binary(vec![1u8; SMALL_LIMIT]);
    within("send", ws.send(at_limit.clone())).await.unwrap();
    assert_eq!(next_message(&mut ws).await, at_limit);
}

#[tokio::test]
async fn the_first_offered_subprotocol_is_selected() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    for (offered, selected) in [
        (Some("wirelab.v1, chat"), Some("wirelab.v1")),
        (Some("zeta-custom, alpha"), Some("zeta-custom")),
        (Some("json"), Some("json")),
        (None, None),
    ] {
        let mut request = server.echo_url().into_client_request().unwrap();
        if let Some(offered) = offered {
            request.headers_mut().insert("Sec-WebSocket-Protocol", offered.parse().unwrap());
        }
        let (mut ws, response) = within("connect", connect_async(request)).await.unwrap();
        let got = response.headers().get("Sec-WebSocket-Protocol").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(got.as_deref(), selected, "offered {offered:?}");
        within("send", ws.send(Message::text("still echoes"))).await.unwrap();
        assert_eq!(next_message(&mut ws).await, Message::text("still echoes"));
    }
}

#[tokio::test]
async fn shutdown_closes_websockets_with_1001_and_ends_in_time() {
    let server =
        TestServer::start(Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }).await;
    let mut polite = client(&server).await;
    within("send", polite.send(Message::text("hi"))).await.unwrap();
    assert_eq!(next_message(&mut polite).await, Message::text("hi"));
    // A client that never reads and never answers the close.
    let mut rude = raw_connect(server.addr).await;
    rude.write_all(&client_frame(OP_TEXT, b"hello")).await.unwrap();

    let started = Instant::now();
    server.shutdown.trigger();
    match next_message(&mut polite).await {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 1001);
            assert_eq!(frame.reason.as_str(), "server shutting down");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    // The client library answers the close; the stream then ends.
    assert!(within("end", polite.next()).await.is_none());

    let served = tokio::time::timeout(Duration::from_secs(5), server.task).await;
    let elapsed = started.elapsed();
    served.expect("serve did not end within 5 s").unwrap().unwrap();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");

    // The rude client got the echo and then the 1001 close too.
    assert_eq!(within("rude close", read_close_code(&mut rude)).await, Some(1001));
    // And nobody is listening any more.
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn a_client_that_never_reads_cannot_make_the_server_buffer_without_bound() {
    const FRAME: usize = 1024 * 1024;
    const ATTEMPT: usize = 64 * FRAME;
    let server = TestServer::with_limit(2 * FRAME).await;
    let socket = TcpSocket::new_v4().unwrap();
    // A small receive buffer on the client, so the server's echoes back up quickly.
    socket.set_recv_buffer_size(64 * 1024).unwrap();
    let mut stream = within("connect", socket.connect(server.addr)).await.unwrap();
    handshake(&mut stream, server.addr).await;

    let frame = client_frame(OP_BINARY, &vec![0x5a; FRAME]);
    let mut accepted = 0;
    let mut stalled = false;
    let deadline = Instant::now() + Duration::from_secs(4);
    while accepted < ATTEMPT && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), stream.write_all(&frame)).await {
            Ok(written) => {
                written.unwrap();
                accepted += FRAME;
            }
            Err(_) => {
                stalled = true;
                break;
            }
        }
    }
    eprintln!("accepted {} MiB before the writes stalled", accepted / FRAME);
    assert!(stalled, "writes never stalled; {} MiB accepted", accepted / FRAME);
    assert!(accepted < ATTEMPT, "{} MiB accepted", accepted / FRAME);
}
