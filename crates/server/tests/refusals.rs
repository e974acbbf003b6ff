//! Every way a WebSocket upgrade is refused before the 101, over real sockets, on `/ws/echo` and
//! `/ws/inspect`: each refusal is the JSON error of the HTTP routes (`{"error": ..., "status":
//! N}` with `Content-Type: application/json`), with the headers its status calls for.

mod support;

use support::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use wirelab_server::Config;

const ENDPOINTS: [&str; 2] = ["/ws/echo", "/ws/inspect"];

/// The headers of a valid upgrade request; a case lists the ones it sends.
const UPGRADE: &str = "Upgrade: websocket";
const CONNECTION: &str = "Connection: Upgrade";
const VERSION: &str = "Sec-WebSocket-Version: 13";
const KEY: &str = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";

/// One refusal: the request (`{endpoint}` in the target stands for each endpoint), the server it
/// is sent to, and the answer expected.
struct Case {
    name: &'static str,
    server: Server,
    method: &'static str,
    target: &'static str,
    headers: &'static [&'static str],
    status: u16,
    /// The start of the error message.
    error: &'static str,
    /// A header the answer must carry.
    carries: Option<(&'static str, &'static str)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Server {
    Default,
    /// `--max-connections 0`: every upgrade is over the cap.
    Full,
}

fn cases() -> Vec<Case> {
    let case = |name, method, target, headers, status, error| Case {
        name,
        server: Server::Default,
        method,
        target,
        headers,
        status,
        error,
        carries: None,
    };
    vec![
        case(
            "a plain GET",
            "GET",
            "{endpoint}",
            &[],
            400,
            "this is a WebSocket endpoint: send a WebSocket upgrade request",
        ),
        case(
            "no Connection: upgrade",
            "GET",
            "{endpoint}",
            &[UPGRADE, VERSION, KEY],
            400,
            "this is a WebSocket endpoint",
        ),
        Case {
            carries: Some(("allow", "GET")),
            ..case(
                "a POST",
                "POST",
                "{endpoint}",
                &[UPGRADE, CONNECTION, VERSION, KEY],
                405,
                "a WebSocket upgrade is a GET request, not POST",
            )
        },
        Case {
            carries: Some(("sec-websocket-version", "13")),
            ..case(
                "another protocol version",
                "GET",
                "{endpoint}",
                &[UPGRADE, CONNECTION, "Sec-WebSocket-Version: 8", KEY],
                400,
                "not a valid WebSocket upgrade request: Sec-WebSocket-Version must be 13",
            )
        },
        case(
            "no key",
            "GET",
            "{endpoint}",
            &[UPGRADE, CONNECTION, VERSION],
            400,
            "not a valid WebSocket upgrade request: no Sec-WebSocket-Key",
        ),
        case(
            "a bad knob value",
            "GET",
            "{endpoint}?delay_ms=soon",
            &[UPGRADE, CONNECTION, VERSION, KEY],
            400,
            "delay_ms: 'soon' is not a whole number",
        ),
        case(
            "a subprotocol that was not offered",
            "GET",
            "{endpoint}?subprotocol=chat",
            &[UPGRADE, CONNECTION, VERSION, KEY, "Sec-WebSocket-Protocol: json, xml"],
            400,
            "subprotocol: 'chat' was not offered by the client (it offered json, xml)",
        ),
        case(
            "an origin that is not allowed",
            "GET",
            "{endpoint}",
            &[UPGRADE, CONNECTION, VERSION, KEY, "Origin: https://evil.example"],
            403,
            "WebSocket connections from the page origin https://evil.example are not allowed here",
        ),
        Case {
            server: Server::Full,
            carries: Some(("retry-after", "1")),
            ..case(
                "over the connection cap",
                "GET",
                "{endpoint}",
                &[UPGRADE, CONNECTION, VERSION, KEY],
                503,
                "the server already holds 0 WebSocket connections, its limit",
            )
        },
        case(
            "no such endpoint",
            "GET",
            "/ws/nope",
            &[UPGRADE, CONNECTION, VERSION, KEY],
            404,
            "no WebSocket endpoint at /ws/nope",
        ),
    ]
}

/// Sends `method target` with `headers` and reads the answer: the head and the body.
async fn exchange(server: &TestServer, method: &str, target: &str, headers: &[&str]) -> (String, String) {
    let mut stream = within("connect", TcpStream::connect(server.addr)).await.unwrap_or_else(|e| panic!("{e}"));
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", server.addr);
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    within("request", stream.write_all(request.as_bytes())).await.unwrap_or_else(|e| panic!("{e}"));
    within("answer", read_response(&mut stream)).await
}

#[tokio::test]
async fn every_refusal_is_a_json_error() {
    let config = || Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() };
    let default = TestServer::start(config()).await;
    let full = TestServer::start(Config { max_connections: 0, ..config() }).await;
    for case in cases() {
        let server = if case.server == Server::Full { &full } else { &default };
        for endpoint in ENDPOINTS {
            let target = case.target.replace("{endpoint}", endpoint);
            let what = format!("{} ({} {target})", case.name, case.method);
            let (head, body) = exchange(server, case.method, &target, case.headers).await;
            assert!(head.starts_with(&format!("HTTP/1.1 {} ", case.status)), "{what}: {head}");
            assert_eq!(header_in(&head, "content-type"), Some("application/json"), "{what}: {head}");
            if let Some((name, value)) = case.carries {
                assert_eq!(header_in(&head, name), Some(value), "{what}: {head}");
            }
            let json: serde_json::Value =
                serde_json::from_str(&body).unwrap_or_else(|error| panic!("{what}: not JSON ({error}): {body}"));
            assert_eq!(json["status"], case.status, "{what}: {json}");
            let error = json["error"].as_str().unwrap_or_default();
            assert!(error.starts_with(case.error), "{what}: {error}");
            assert_eq!(json.as_object().map(|fields| fields.len()), Some(2), "{what}: only error and status: {json}");
        }
    }
}
