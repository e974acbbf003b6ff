//! Real-socket tests of the HTTP endpoints: what a client on the wire gets, CORS headers included
//! (raw HTTP/1.1 over TCP, so nothing between the server and the test adds or hides headers).

mod support;

use serde_json::Value;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wirelab_server::Config;

/// A response as read off the socket: status code, lowercased header lines, body bytes.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Sends `head` (request line and headers, without the blank line) with `Connection: close`
/// and reads the whole response.
async fn exchange(server: &TestServer, head: &str, body: &[u8]) -> Raw {
    let mut stream = within("connect", TcpStream::connect(server.addr)).await.unwrap();
    let request = format!("{head}\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr);
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut bytes = Vec::new();
    within("response", stream.read_to_end(&mut bytes)).await.unwrap();
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("no end of head");
    let head = String::from_utf8(bytes[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Raw { status, headers, body: bytes[split + 4..].to_vec() }
}

async fn server() -> TestServer {
    TestServer::start(Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }).await
}

#[tokio::test]
async fn cors_headers_reach_a_real_client() {
    let server = server().await;
    let preflight = exchange(
        &server,
        "OPTIONS /put HTTP/1.1\r\nOrigin: http://elsewhere.test\r\nAccess-Control-Request-Method: PUT\r\n\
         Access-Control-Request-Headers: authorization, content-type",
        b"",
    )
    .await;
    assert_eq!(preflight.status, 204);
    for (name, value) in [
        ("access-control-allow-origin", "http://elsewhere.test"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "PUT"),
        ("access-control-allow-headers", "authorization, content-type"),
        ("access-control-max-age", "86400"),
        ("timing-allow-origin", "*"),
    ] {
        assert_eq!(preflight.header(name), Some(value), "preflight {name}");
    }

    let response = exchange(&server, "GET /get?via=socket HTTP/1.1\r\nOrigin: http://elsewhere.test", b"").await;
    assert_eq!(response.status, 200);
    for (name, value) in [
        ("access-control-allow-origin", "http://elsewhere.test"),
        ("access-control-allow-credentials", "true"),
        ("timing-allow-origin", "*"),
    ] {
        assert_eq!(response.header(name), Some(value), "GET {name}");
    }
    let echo: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(echo["origin"], "127.0.0.1");
    assert_eq!(echo["url"], format!("http://{}/get?via=socket", server.addr));
}

#[tokio::test]
async fn streams_are_chunked_and_dumps_show_the_wire_form() {
    let server = server().await;
    let stream = exchange(&server, "GET /stream/3 HTTP/1.1", b"").await;
    assert_eq!(stream.header("transfer-encoding"), Some("chunked"));
    // Three chunks, one line each: the chunk sizes frame each line.
    let text = String::from_utf8(stream.body).unwrap();
    assert_eq!(text.matches("\"id\":").count(), 3, "{text}");
    assert!(text.ends_with("0\r\n\r\n"), "{text}");

    let dump = exchange(&server, "POST /dump/request?a=1 HTTP/1.1\r\nX-Lab: on\r\nContent-Length: 5", b"hello").await;
    let text = String::from_utf8(dump.body).unwrap();
    assert!(text.starts_with("POST /dump/request?a=1 HTTP/1.1\r\n"), "{text}");
    assert!(text.contains("x-lab: on\r\n") && text.ends_with("\r\n\r\nhello"), "{text}");

    // A 1xx cannot be a final response; the server says so instead of breaking the connection.
    let informational = exchange(&server, "GET /status/100 HTTP/1.1", b"").await;
    assert_eq!(informational.status, 400);
}
