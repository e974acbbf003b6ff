//! Limits enforced before the WebSocket upgrade and on the HTTP head: the connection cap (503),
//! the Origin allowlist (403), and the slowloris deadline on a connection's first request head.

mod support;

use std::time::{Duration, Instant};

use support::{TestServer, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use wirelab_server::{Config, OriginPolicy};

fn config() -> Config {
    Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }
}

/// The HTTP status of a WebSocket upgrade to `/ws/echo` with these extra headers (101 on success).
async fn upgrade_status(server: &TestServer, headers: &[(&str, &str)]) -> u16 {
    let mut request = match server.echo_url().into_client_request() {
        Ok(request) => request,
        Err(error) => panic!("a request: {error}"),
    };
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (name.parse::<tokio_tungstenite::tungstenite::http::HeaderName>(), value.parse())
        else {
            panic!("bad test header {name}: {value}")
        };
        request.headers_mut().insert(name, value);
    }
    match within("the upgrade", connect_async(request)).await {
        Ok((socket, response)) => {
            drop(socket);
            response.status().as_u16()
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(error) => panic!("unexpected error: {error}"),
    }
}

#[tokio::test]
async fn origins_outside_the_allowlist_are_refused_before_the_upgrade() {
    let server = TestServer::start(config()).await;
    let host = server.addr.to_string();
    let same_origin = format!("http://{host}");
    let cases: &[(&[(&str, &str)], u16)] = &[
        (&[], 101),
        (&[("Origin", "http://localhost:8081")], 101),
        (&[("Origin", "http://127.0.0.1:3000")], 101),
        (&[("Origin", "http://[::1]:8080")], 101),
        (&[("Origin", same_origin.as_str())], 101),
        (&[("Origin", "https://evil.example")], 403),
        (&[("Origin", "null")], 403),
    ];
    for (headers, expected) in cases {
        assert_eq!(upgrade_status(&server, headers).await, *expected, "{headers:?}");
    }

    let listed =
        TestServer::start(Config { origins: OriginPolicy::Listed(vec!["https://lab.example".into()]), ..config() })
            .await;
    assert_eq!(upgrade_status(&listed, &[("Origin", "https://lab.example")]).await, 101);
    assert_eq!(upgrade_status(&listed, &[("Origin", "https://other.example")]).await, 403);
    let open = TestServer::start(Config { origins: OriginPolicy::Any, ..config() }).await;
    assert_eq!(upgrade_status(&open, &[("Origin", "https://other.example")]).await, 101);
}

#[tokio::test]
async fn upgrades_over_the_connection_cap_get_503_until_one_closes() {
    let server = TestServer::start(Config { max_connections: 2, ..config() }).await;
    let first = within("first", connect_async(server.echo_url())).await;
    let second = within("second", connect_async(server.echo_url())).await;
    assert!(first.is_ok() && second.is_ok());
    // The count includes sockets still finishing their upgrade, so give both a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(upgrade_status(&server, &[]).await, 503);
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = upgrade_status(&server, &[]).await;
        if status == 101 {
            break;
        }
        assert!(Instant::now() < deadline, "still {status} after a connection closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_slowloris_head_is_dropped_and_others_are_still_served() {
    let server = TestServer::start(Config { header_read_timeout: Duration::from_millis(300), ..config() }).await;
    let mut slow = within("connect", TcpStream::connect(server.addr)).await.unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    within("a partial head", slow.write_all(b"GET /get HTTP/1.1\r\nHost: x\r\n"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Drip a byte now and then, as slowloris does; the server must hang up anyway.
    let mut closed = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if slow.write_all(b"X").await.is_err() {
            closed = true;
            break;
        }
        let mut byte = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(1), slow.read(&mut byte)).await {
            closed = true;
            break;
        }
    }
    assert!(closed, "the server kept a dripping head open for {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(2), "closed only after {:?}", started.elapsed());

    // A whole head in time is served, and a WebSocket stays open past the deadline.
    let mut quick = within("connect", TcpStream::connect(server.addr)).await.unwrap_or_else(|e| panic!("{e}"));
    within("a request", quick.write_all(b"GET /get HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = Vec::new();
    within("the answer", quick.read_to_end(&mut answer)).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    let (mut socket, _) = within("upgrade", connect_async(server.echo_url())).await.unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    use futures_util::{SinkExt, StreamExt};
    within("send", socket.send("still here".into())).await.unwrap_or_else(|e| panic!("{e}"));
    let echoed = within("echo", socket.next()).await;
    assert!(matches!(echoed, Some(Ok(message)) if message.to_text().ok() == Some("still here")));
}

#[tokio::test]
async fn a_silent_client_is_pinged_then_closed_and_one_that_answers_stays() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start(Config { idle_timeout: Some(Duration::from_millis(200)), ..config() }).await;

    // Silent: never reads (so never answers the ping) and never sends.
    let (mut silent, _) = within("upgrade", connect_async(server.echo_url())).await.unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut seen = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(2), silent.next()).await {
        seen.push(match message {
            Message::Ping(payload) => format!("ping {}", String::from_utf8_lossy(&payload)),
            Message::Close(Some(frame)) => format!("close {} {}", u16::from(frame.code), frame.reason),
            other => format!("{other:?}"),
        });
        if seen.last().is_some_and(|last| last.starts_with("close")) {
            break;
        }
    }
    assert_eq!(seen, ["ping idle?", "close 1001 no traffic: idle timeout"]);

    // Talkative: a message now and then keeps the connection open well past the timeout.
    let (mut talkative, _) =
        within("upgrade", connect_async(server.echo_url())).await.unwrap_or_else(|e| panic!("{e}"));
    for round in 0..8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        within("send", talkative.send(Message::text(format!("{round}")))).await.unwrap_or_else(|e| panic!("{e}"));
        let echoed = within("echo", talkative.next()).await;
        assert!(
            matches!(echoed, Some(Ok(Message::Text(ref text))) if text.as_str() == round.to_string()),
            "{echoed:?}"
        );
    }
}

/// A client that sends without ever reading fills the server's write buffer and then its socket;
/// after `write_timeout` of a full window the kernel drops the connection (TCP_USER_TIMEOUT), and
/// the server keeps serving others. Without the timeout the connection would hang forever.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_client_that_never_reads_is_dropped_after_the_write_timeout() {
    use support::{OP_BINARY, client_frame, handshake};
    use tokio::net::TcpSocket;
    const FRAME: usize = 1024 * 1024;
    let server = TestServer::start(Config {
        write_timeout: Some(Duration::from_secs(1)),
        idle_timeout: None,
        max_message_bytes: 2 * FRAME,
        ..config()
    })
    .await;
    let socket = TcpSocket::new_v4().unwrap_or_else(|e| panic!("{e}"));
    // A small receive buffer on the client, so the server's echoes back up quickly.
    socket.set_recv_buffer_size(64 * 1024).unwrap_or_else(|e| panic!("{e}"));
    let mut stream = within("connect", socket.connect(server.addr)).await.unwrap_or_else(|e| panic!("{e}"));
    handshake(&mut stream, server.addr).await;

    let frame = client_frame(OP_BINARY, &vec![0x5a; FRAME]);
    let started = Instant::now();
    let mut written = 0;
    let failed = loop {
        assert!(started.elapsed() < Duration::from_secs(20), "still connected after {written} MiB and 20 s");
        match tokio::time::timeout(Duration::from_millis(500), stream.write_all(&frame)).await {
            Ok(Ok(())) => written += 1,
            Ok(Err(error)) => break error,
            // Stalled: the server has stopped reading. Keep waiting for the drop.
            Err(_) => {}
        }
    };
    let after = started.elapsed();
    eprintln!("dropped after {after:?} ({written} MiB written): {failed}");
    assert!(after >= Duration::from_secs(1), "dropped before the write timeout: {after:?}");

    // The server still echoes for everyone else.
    use futures_util::{SinkExt, StreamExt};
    let (mut other, _) = within("upgrade", connect_async(server.echo_url())).await.unwrap_or_else(|e| panic!("{e}"));
    within("send", other.send("still here".into())).await.unwrap_or_else(|e| panic!("{e}"));
    let echoed = within("echo", other.next()).await;
    assert!(matches!(echoed, Some(Ok(message)) if message.to_text().ok() == Some("still here")));
}
