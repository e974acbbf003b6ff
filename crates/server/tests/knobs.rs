//! The echo knobs (`?delay_ms=…&fragment=…`) over real sockets, on `/ws/echo` and `/ws/inspect`
//! alike: each knob as a table case, and bad values refused before the upgrade.

mod support;

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use wirelab_server::{Config, DEFAULT_MAX_MESSAGE_BYTES};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

const ENDPOINTS: [&str; 2] = ["/ws/echo", "/ws/inspect"];

async fn server() -> TestServer {
    TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await
}

/// Connects with the raw client to `target`; returns the stream and the response head.
async fn raw(server: &TestServer, target: &str, headers: &[&str]) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let (head, body) = within("handshake", upgrade_request(&mut stream, server.addr, target, headers)).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{target}: {head}{body}");
    if target.starts_with("/ws/inspect") {
        let report = within("handshake report", read_frame(&mut stream)).await.unwrap();
        assert_eq!(report.opcode, OP_TEXT);
    }
    (stream, head)
}

/// The next frame that is not an inspect report.
async fn next_echo_frame(stream: &mut TcpStream) -> ServerFrame {
    loop {
        let frame = within("frame", read_frame(stream)).await.expect("connection ended");
        if !frame.payload.starts_with(b"{\"inspect\"") {
            return frame;
        }
    }
}

/// The next message that is not an inspect report.
async fn next_message(ws: &mut Client) -> Message {
    loop {
        match within("next message", ws.next()).await {
            Some(Ok(Message::Text(text))) if text.starts_with("{\"inspect\"") => continue,
            Some(Ok(message)) => return message,
            other => panic!("no message: {other:?}"),
        }
    }
}

#[tokio::test]
async fn bad_values_are_refused_before_the_upgrade_with_the_parameter_named() {
    let server = server().await;
    // (query, extra headers, start of the 400's error message)
    let cases: &[(&str, &[&str], &str)] = &[
        ("delay_ms=soon", &[], "delay_ms: 'soon' is not a whole number"),
        ("delay_ms=60001", &[], "delay_ms: 60001 ms is more than"),
        ("fragment=0", &[], "fragment: a frame must carry at least 1 byte"),
        ("close_after=-1", &[], "close_after: '-1' is not a whole number"),
        ("close_code=1005", &[], "close_code: a server may not send 1005"),
        ("ping_ms=5", &[], "ping_ms: 5 ms is outside 10 to 3600000"),
        ("compress=maybe", &[], "compress: 'maybe' is neither on nor off"),
        ("subprotocol=chat", &[], "subprotocol: 'chat' was not offered by the client (it offered none)"),
        ("subprotocol=chat", &["Sec-WebSocket-Protocol: json, xml"], "subprotocol: 'chat' was not offered"),
    ];
    for path in ENDPOINTS {
        for (query, headers, expected) in cases {
            let mut stream = TcpStream::connect(server.addr).await.unwrap();
            let target = format!("{path}?{query}");
            let (head, body) = within("request", upgrade_request(&mut stream, server.addr, &target, headers)).await;
            assert!(head.starts_with("HTTP/1.1 400"), "{target}: {head}");
            assert_eq!(header_in(&head, "content-type"), Some("application/json"), "{target}: {head}");
            let json: serde_json::Value =
                serde_json::from_str(&body).unwrap_or_else(|error| panic!("{target}: not JSON ({error}): {body}"));
            assert_eq!(json["status"], 400, "{target}: {json}");
            let error = json["error"].as_str().unwrap_or_default();
            assert!(error.starts_with(expected), "{target}: {error:?}");
        }
    }
}

#[tokio::test]
async fn delay_ms_holds_each_echo_back() {
    let server = server().await;
    for path in ENDPOINTS {
        let (mut ws, _) = within("connect", connect_async(server.url(&format!("{path}?delay_ms=300")))).await.unwrap();
        let started = Instant::now();
        within("send", ws.send(Message::text("late"))).await.unwrap();
        assert_eq!(next_message(&mut ws).await, Message::text("late"));
        // Only a lower bound: a loaded machine may be slower, never faster.
        assert!(started.elapsed() >= Duration::from_millis(250), "{path}: {:?}", started.elapsed());
    }
}

/// Two messages in one write: the first echo goes out after its own delay, not held back with
/// the second one's (echoes are otherwise batched until the next read would wait).
#[tokio::test]
async fn delay_ms_sends_each_echo_when_its_own_delay_ends() {
    let server = server().await;
    for path in ENDPOINTS {
        let (mut stream, _) = raw(&server, &format!("{path}?delay_ms=300"), &[]).await;
        let burst = [client_frame(OP_TEXT, b"first"), client_frame(OP_TEXT, b"second")].concat();
        within("burst", stream.write_all(&burst)).await.unwrap();
        let first = next_echo_frame(&mut stream).await;
        let first_at = Instant::now();
        let second = next_echo_frame(&mut stream).await;
        assert_eq!((first.payload.as_slice(), second.payload.as_slice()), (&b"first"[..], &b"second"[..]));
        // Only a lower bound, which a loaded machine cannot break: held together, both would
        // arrive at once.
        assert!(first_at.elapsed() >= Duration::from_millis(250), "{path}: {:?}", first_at.elapsed());
    }
}

#[tokio::test]
async fn fragment_cuts_each_echo_into_frames() {
    let server = server().await;
    // (query, message sent, frames expected: opcode, fin, payload)
    type Frames = &'static [(u8, bool, &'static [u8])];
    let cases: &[(&str, u8, &[u8], Frames)] = &[
        (
            "fragment=4",
            OP_TEXT,
            b"hello wirelab",
            &[
                (OP_TEXT, false, b"hell"),
                (OP_CONTINUATION, false, b"o wi"),
                (OP_CONTINUATION, false, b"rela"),
                (OP_CONTINUATION, true, b"b"),
            ],
        ),
        (
            "fragment=4",
            OP_BINARY,
            &[1, 2, 3, 4, 5],
            &[(OP_BINARY, false, &[1, 2, 3, 4]), (OP_CONTINUATION, true, &[5])],
        ),
        ("fragment=4", OP_TEXT, b"abcd", &[(OP_TEXT, true, b"abcd")]),
        ("fragment=4", OP_TEXT, b"", &[(OP_TEXT, true, b"")]),
        ("fragment=100", OP_TEXT, b"short", &[(OP_TEXT, true, b"short")]),
    ];
    for path in ENDPOINTS {
        for (query, opcode, payload, expected) in cases {
            let (mut stream, _) = raw(&server, &format!("{path}?{query}"), &[]).await;
            stream.write_all(&client_frame(*opcode, payload)).await.unwrap();
            let mut frames = Vec::new();
            for _ in 0..expected.len() {
                let frame = next_echo_frame(&mut stream).await;
                frames.push((frame.opcode, frame.fin, frame.payload));
            }
            let expected: Vec<_> = expected.iter().map(|(op, fin, bytes)| (*op, *fin, bytes.to_vec())).collect();
            assert_eq!(frames, expected, "{path}?{query} {payload:?}");
        }
    }
}

#[tokio::test]
async fn close_after_closes_with_the_code_and_reason_asked_for() {
    let server = server().await;
    // (query, echoes before the close, close code, close reason)
    let cases = [
        ("close_after=2", 2, 1000, "close_after=2 reached"),
        ("close_after=2&close_code=4000&close_reason=bye", 2, 4000, "bye"),
        ("close_after=0", 0, 1000, "close_after=0 reached"),
        ("close_after=1&close_code=1011", 1, 1011, "close_after=1 reached"),
    ];
    for path in ENDPOINTS {
        for (query, echoes, code, reason) in cases {
            let (mut ws, _) = within("connect", connect_async(server.url(&format!("{path}?{query}")))).await.unwrap();
            for n in 0..echoes {
                within("send", ws.send(Message::text(format!("m{n}")))).await.unwrap();
                assert_eq!(next_message(&mut ws).await, Message::text(format!("m{n}")), "{path}?{query}");
            }
            let Message::Close(Some(close)) = next_message(&mut ws).await else {
                panic!("{path}?{query}: no close frame with a code");
            };
            assert_eq!((close.code, close.reason.as_str()), (CloseCode::from(code), reason), "{path}?{query}");
        }
    }
}

#[tokio::test]
async fn close_code_alone_changes_nothing() {
    let server = server().await;
    let (mut ws, _) =
        within("connect", connect_async(server.url("/ws/echo?close_code=4000&close_reason=bye"))).await.unwrap();
    for text in ["one", "two", "three"] {
        within("send", ws.send(Message::text(text))).await.unwrap();
        assert_eq!(within("echo", ws.next()).await.unwrap().unwrap(), Message::text(text));
    }
    within("close", ws.close(None)).await.unwrap();
}

#[tokio::test]
async fn ping_ms_sends_counted_pings() {
    let server = server().await;
    for path in ENDPOINTS {
        let (mut stream, _) = raw(&server, &format!("{path}?ping_ms=20"), &[]).await;
        let mut pings = Vec::new();
        while pings.len() < 3 {
            let frame = next_echo_frame(&mut stream).await;
            assert_eq!(frame.opcode, OP_PING, "{path}");
            pings.push(String::from_utf8(frame.payload).unwrap());
            stream.write_all(&client_frame(OP_PONG, pings.last().unwrap().as_bytes())).await.unwrap();
        }
        assert_eq!(pings, ["1", "2", "3"], "{path}");
        // Echoes still work between pings.
        stream.write_all(&client_frame(OP_TEXT, b"still here")).await.unwrap();
        let echo = loop {
            let frame = next_echo_frame(&mut stream).await;
            if frame.opcode != OP_PING {
                break frame;
            }
        };
        assert_eq!((echo.opcode, echo.payload.as_slice()), (OP_TEXT, &b"still here"[..]), "{path}");
    }
}

#[tokio::test]
async fn subprotocol_and_compress_decide_the_handshake() {
    let server = server().await;
    const DEFLATE: &str = "Sec-WebSocket-Extensions: permessage-deflate";
    const PROTOCOLS: &str = "Sec-WebSocket-Protocol: json, chat";
    // (query, request headers, selected subprotocol, extensions answered)
    type Case = (&'static str, &'static [&'static str], Option<&'static str>, Option<&'static str>);
    let cases: &[Case] = &[
        ("", &[PROTOCOLS], Some("json"), None),
        ("subprotocol=chat", &[PROTOCOLS], Some("chat"), None),
        ("", &[DEFLATE], None, Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover")),
        (
            "compress=on",
            &[DEFLATE],
            None,
            Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
        ),
        ("compress=off", &[DEFLATE], None, None),
        ("compress=on", &[], None, None),
    ];
    for path in ENDPOINTS {
        for (query, headers, protocol, extensions) in cases {
            let (_, head) = raw(&server, &format!("{path}?{query}"), headers).await;
            assert_eq!(header_in(&head, "sec-websocket-protocol"), *protocol, "{path}?{query}");
            assert_eq!(header_in(&head, "sec-websocket-extensions"), *extensions, "{path}?{query}");
        }
    }
}

#[tokio::test]
async fn both_endpoints_answer_deflate_offers_alike() {
    let offers = [
        "permessage-deflate",
        "permessage-deflate; server_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=12; client_max_window_bits",
        "permessage-deflate; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=8, permessage-deflate; client_no_context_takeover",
    ];
    let configs = [
        wirelab_server::DeflateConfig::default(),
        wirelab_server::DeflateConfig { window_bits: 11, ..Default::default() },
        wirelab_server::DeflateConfig { context_takeover: true, ..Default::default() },
    ];
    for deflate in configs {
        let server = TestServer::start(Config {
            static_dir: "/nonexistent/wirelab-test-dist".into(),
            deflate,
            ..Config::default()
        })
        .await;
        for offer in offers {
            let header = format!("Sec-WebSocket-Extensions: {offer}");
            let (_, echo) = raw(&server, "/ws/echo", &[&header]).await;
            let (_, inspect) = raw(&server, "/ws/inspect", &[&header]).await;
            let answer = |head: &str| header_in(head, "sec-websocket-extensions").map(str::to_owned);
            assert_eq!(answer(&inspect), answer(&echo), "{offer} {deflate:?}");
            assert!(answer(&echo).is_some(), "{offer} {deflate:?}");
        }
    }
}
