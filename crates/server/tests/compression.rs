//! permessage-deflate (RFC 7692) on `/ws/echo`, over real sockets: what the handshake agrees to for
//! each offer and server setting, and what goes over the wire once it has.

mod support;

use futures_util::{SinkExt, StreamExt};
use support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use wirelab_server::{Config, DeflateConfig};
use yawc::{Frame, OpCode, Options, WebSocket};

const LIMIT: usize = 64 * 1024;

async fn server(deflate: DeflateConfig) -> TestServer {
    TestServer::start(Config {
        static_dir: "/nonexistent/wirelab-test-dist".into(),
        max_message_bytes: LIMIT,
        deflate,
        ..Config::default()
    })
    .await
}

/// Connects with `offer` as `Sec-WebSocket-Extensions` (none if empty); returns the stream and
/// the extensions the server answered with.
async fn connect(server: &TestServer, offer: &str) -> (TcpStream, Option<String>) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let header = format!("Sec-WebSocket-Extensions: {offer}");
    let headers: &[&str] = if offer.is_empty() { &[] } else { &[&header] };
    let head = within("handshake", handshake_with(&mut stream, server.addr, headers)).await;
    (stream, header_in(&head, "sec-websocket-extensions").map(str::to_owned))
}

const TAKEOVER_OFF: &str = "server_no_context_takeover; client_no_context_takeover";

#[tokio::test]
async fn the_handshake_agrees_to_what_server_and_client_both_allow() {
    let default = DeflateConfig::default();
    let window = |bits| DeflateConfig { window_bits: bits, ..default };
    let takeover = DeflateConfig { context_takeover: true, ..default };
    let off = DeflateConfig { enabled: false, ..default };
    // (server setting, client offer, extensions in the response)
    let cases: Vec<(DeflateConfig, &str, Option<String>)> = vec![
        (default, "", None),
        (default, "permessage-deflate", Some(format!("permessage-deflate; {TAKEOVER_OFF}"))),
        (default, "permessage-deflate; client_max_window_bits", Some(format!("permessage-deflate; {TAKEOVER_OFF}"))),
        (
            default,
            "permessage-deflate; server_max_window_bits=10",
            Some(format!("permessage-deflate; server_max_window_bits=10; {TAKEOVER_OFF}")),
        ),
        (
            window(12),
            "permessage-deflate",
            Some(format!("permessage-deflate; server_max_window_bits=12; {TAKEOVER_OFF}")),
        ),
        (
            window(12),
            "permessage-deflate; server_max_window_bits=10",
            Some(format!("permessage-deflate; server_max_window_bits=10; {TAKEOVER_OFF}")),
        ),
        (
            window(10),
            "permessage-deflate; server_max_window_bits=12",
            Some(format!("permessage-deflate; server_max_window_bits=10; {TAKEOVER_OFF}")),
        ),
        // A 2^8 window cannot be kept to: that offer is declined, the next one accepted.
        (default, "permessage-deflate; server_max_window_bits=8", None),
        (
            default,
            "permessage-deflate; server_max_window_bits=8, permessage-deflate",
            Some(format!("permessage-deflate; {TAKEOVER_OFF}")),
        ),
        (default, "permessage-deflate; unknown_parameter", None),
        (default, "x-webkit-deflate-frame", None),
        (takeover, "permessage-deflate", Some("permessage-deflate".into())),
        (
            takeover,
            "permessage-deflate; client_no_context_takeover",
            Some("permessage-deflate; client_no_context_takeover".into()),
        ),
        (off, "permessage-deflate", None),
    ];
    for (config, offer, expected) in cases {
        let server = server(config).await;
        let (_stream, agreed) = connect(&server, offer).await;
        assert_eq!(agreed, expected, "{config:?} offered {offer:?}");
    }
}

#[tokio::test]
async fn echoes_are_compressed_and_compressed_messages_are_read() {
    let text = "wirelab ".repeat(200);
    let binary: Vec<u8> = (0..5000u32).map(|i| (i % 7) as u8).collect();
    let compressed = deflate(text.as_bytes());
    // (frame the client sends, whether the echo is compressed, its opcode, what it inflates to)
    let cases = [
        ("plain text", client_frame(OP_TEXT, text.as_bytes()), true, OP_TEXT, text.as_bytes()),
        ("compressed text", frame_bytes(0x80 | RSV1 | OP_TEXT, &compressed, true), true, OP_TEXT, text.as_bytes()),
        (
            "compressed binary",
            frame_bytes(0x80 | RSV1 | OP_BINARY, &deflate(&binary), true),
            true,
            OP_BINARY,
            &binary[..],
        ),
        (
            "compressed in fragments",
            [frame_bytes(RSV1 | OP_TEXT, &compressed[..10], true), client_frame(OP_CONTINUATION, &compressed[10..])]
                .concat(),
            true,
            OP_TEXT,
            text.as_bytes(),
        ),
        // An empty message comes back as it is: nothing to gain.
        ("compressed empty", frame_bytes(0x80 | RSV1 | OP_BINARY, &deflate(b""), true), false, OP_BINARY, &[][..]),
        ("plain empty", client_frame(OP_TEXT, b""), false, OP_TEXT, &[][..]),
        ("and then more", client_frame(OP_TEXT, text.as_bytes()), true, OP_TEXT, text.as_bytes()),
    ];
    for config in [DeflateConfig::default(), DeflateConfig { context_takeover: true, ..DeflateConfig::default() }] {
        let server = server(config).await;
        let (mut stream, agreed) = connect(&server, "permessage-deflate; client_max_window_bits").await;
        assert!(agreed.is_some());
        // With context takeover, the server's compressor keeps its history: inflate likewise.
        let mut history: Vec<u8> = Vec::new();
        for (name, bytes, compressed, opcode, expected) in &cases {
            stream.write_all(bytes).await.unwrap();
            let echo = within(name, read_frame(&mut stream)).await.unwrap();
            assert_eq!((echo.fin, echo.compressed, echo.opcode), (true, *compressed, *opcode), "{name} {config:?}");
            let payload = if !echo.compressed {
                echo.payload
            } else if config.context_takeover {
                history.extend_from_slice(&echo.payload);
                history.extend_from_slice(&[0, 0, 0xff, 0xff]);
                let all = inflate(&history[..history.len() - 4]);
                all[all.len() - expected.len()..].to_vec()
            } else {
                assert!(echo.payload.len() < expected.len() / 4, "{name}: {} bytes on the wire", echo.payload.len());
                inflate(&echo.payload)
            };
            assert_eq!(payload, *expected, "{name} {config:?}");
        }
    }
}

#[tokio::test]
async fn without_deflate_frames_are_plain() {
    let text = "plain ".repeat(100);
    // (server setting, client offer)
    let cases = [
        (DeflateConfig::default(), ""),
        (DeflateConfig { enabled: false, ..DeflateConfig::default() }, "permessage-deflate"),
    ];
    for (config, offer) in cases {
        let server = server(config).await;
        let (mut stream, agreed) = connect(&server, offer).await;
        assert_eq!(agreed, None);
        stream.write_all(&client_frame(OP_TEXT, text.as_bytes())).await.unwrap();
        let echo = within("echo", read_frame(&mut stream)).await.unwrap();
        assert_eq!(
            echo,
            ServerFrame { fin: true, compressed: false, opcode: OP_TEXT, payload: text.clone().into_bytes() }
        );
        // A compressed frame is a protocol error when nothing was negotiated.
        stream.write_all(&frame_bytes(0x80 | RSV1 | OP_TEXT, &deflate(b"hi"), true)).await.unwrap();
        assert_eq!(within("close", read_close_code(&mut stream)).await, Some(1002), "{config:?}");
    }
}

#[tokio::test]
async fn the_size_limit_applies_to_inflated_messages() {
    let server = server(DeflateConfig::default()).await;
    let (mut stream, _) = connect(&server, "permessage-deflate").await;
    // A few hundred bytes on the wire that inflate to twice the limit.
    let bomb = deflate(&vec![0; 2 * LIMIT]);
    assert!(bomb.len() < 1024, "{}", bomb.len());
    stream.write_all(&frame_bytes(0x80 | RSV1 | OP_BINARY, &bomb, true)).await.unwrap();
    assert_eq!(within("close", read_close_code(&mut stream)).await, Some(1009));
}

#[tokio::test]
async fn a_deflating_client_round_trips_text_and_binary() {
    // (server setting, client options)
    let cases = [
        (DeflateConfig::default(), Options::default().with_balanced_compression()),
        (
            DeflateConfig { context_takeover: true, ..DeflateConfig::default() },
            Options::default().with_balanced_compression(),
        ),
        (DeflateConfig { window_bits: 9, ..DeflateConfig::default() }, Options::default().with_high_compression()),
    ];
    for (config, options) in cases {
        let server = server(config).await;
        let url = server.echo_url().parse().unwrap();
        let stream = TcpStream::connect(server.addr).await.unwrap();
        let mut ws = within("connect", WebSocket::handshake(url, stream, options)).await.unwrap();
        let big: Vec<u8> = (0..LIMIT).map(|i| (i % 251) as u8).collect();
        let messages = [
            (OpCode::Text, Vec::new()),
            (OpCode::Text, b"hello, wirelab".to_vec()),
            (OpCode::Text, "héllo 🌍 — ünïcode".repeat(50).into_bytes()),
            (OpCode::Binary, vec![0, 1, 2, 255]),
            (OpCode::Binary, big),
            (OpCode::Text, b"hello, wirelab".to_vec()),
        ];
        for (opcode, payload) in messages {
            let frame =
                if opcode == OpCode::Text { Frame::text(payload.clone()) } else { Frame::binary(payload.clone()) };
            within("send", ws.send(frame)).await.unwrap();
            let echo = within("echo", ws.next()).await.unwrap();
            assert_eq!((echo.opcode(), echo.payload().as_ref()), (opcode, &payload[..]), "{config:?}");
        }
    }
}
