//! A frame with a reserved opcode (0x3-0x7, 0xB-0xF) fails the connection with 1002, protocol
//! error (RFC 6455 sections 5.2 and 7.4.1), on `/ws/echo` and `/ws/inspect` alike: what came before
//! it is still echoed, nothing after it is answered, and the server closes the TCP connection.

mod support;

use std::time::Duration;

use support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use wirelab_server::DEFAULT_MAX_MESSAGE_BYTES;

const ENDPOINTS: [&str; 2] = ["/ws/echo", "/ws/inspect"];
const RESERVED: [u8; 10] = [0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF];

/// What the client sends around the reserved frame, as Autobahn's cases 4.1.x and 4.2.x do.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// The reserved frame alone, empty.
    Alone,
    /// A text message, the reserved frame with a payload, a ping: one write.
    Between,
    /// The same, with the reserved frame's first byte at the end of one write and the rest in the
    /// next, so the check sees the opcode before the rest of the header.
    Split,
}

/// The frames the server sends back for `shape`, leaving out inspect reports: (opcode, payload).
fn expected(shape: Shape) -> Vec<(u8, Vec<u8>)> {
    let close = (OP_CLOSE, 1002u16.to_be_bytes().to_vec());
    match shape {
        Shape::Alone => vec![close],
        Shape::Between | Shape::Split => vec![(OP_TEXT, b"before".to_vec()), close],
    }
}

/// The client's writes for `shape` with reserved `opcode`.
fn writes(shape: Shape, opcode: u8) -> Vec<Vec<u8>> {
    let before = client_frame(OP_TEXT, b"before");
    let reserved = client_frame(opcode, b"reserved payload");
    let after = client_frame(OP_PING, b"after");
    match shape {
        Shape::Alone => vec![client_frame(opcode, b"")],
        Shape::Between => vec![[before, reserved, after].concat()],
        Shape::Split => {
            let (first, rest) = reserved.split_at(1);
            vec![[before.as_slice(), first].concat(), [rest, after.as_slice()].concat()]
        }
    }
}

/// Connects to `endpoint`, past the handshake report on `/ws/inspect`.
async fn connect(server: &TestServer, endpoint: &str) -> TcpStream {
    let mut stream = within("connect", TcpStream::connect(server.addr)).await.unwrap_or_else(|e| panic!("{e}"));
    let (head, body) = within("handshake", upgrade_request(&mut stream, server.addr, endpoint, &[])).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{endpoint}: {head}{body}");
    if endpoint == "/ws/inspect" {
        let report = within("handshake report", read_frame(&mut stream)).await;
        assert!(report.is_some_and(|frame| frame.payload.starts_with(b"{\"inspect\"")), "{endpoint}");
    }
    stream
}

/// Every frame until the server closes the connection, inspect reports left out.
async fn frames_until_the_end(stream: &mut TcpStream) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while let Some(frame) = within("frames until the end", read_frame(stream)).await {
        if !frame.payload.starts_with(b"{\"inspect\"") {
            frames.push((frame.opcode, frame.payload));
        }
    }
    frames
}

#[tokio::test]
async fn a_reserved_opcode_fails_the_connection_with_1002() {
    let server = TestServer::with_limit(DEFAULT_MAX_MESSAGE_BYTES).await;
    for endpoint in ENDPOINTS {
        for shape in [Shape::Alone, Shape::Between, Shape::Split] {
            for opcode in RESERVED {
                let what = format!("{endpoint}, {shape:?}, opcode 0x{opcode:x}");
                let mut stream = connect(&server, endpoint).await;
                for write in writes(shape, opcode) {
                    // The server may have closed already; a failed write is fine.
                    let _ = stream.write_all(&write).await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let frames = frames_until_the_end(&mut stream).await;
                // The close's payload is the code and then a reason; compare the code.
                let frames: Vec<(u8, Vec<u8>)> =
                    frames
                        .into_iter()
                        .map(|(op, payload)| {
                            if op == OP_CLOSE { (op, payload[..2.min(payload.len())].to_vec()) } else { (op, payload) }
                        })
                        .collect();
                assert_eq!(frames, expected(shape), "{what}");
            }
        }
    }
}
