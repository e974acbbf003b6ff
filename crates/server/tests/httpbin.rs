//! Tests of the httpbin-style endpoints through `tower::ServiceExt::oneshot`, as tables of
//! (request → expected status, content type, headers and JSON fields).

mod support;

use std::io::Read;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use futures_util::StreamExt;
use prost::Message;
use serde_json::{Value, json};
use support::{Answer, send};
use tower::ServiceExt;
use wirelab_server::{Config, Shutdown, TrustedProxies, app, proto, sample_reading};

/// The body limit of the test app, small so 413 is cheap to provoke.
const BODY_LIMIT: usize = 1024;

fn config() -> Config {
    Config {
        static_dir: "/nonexistent/wirelab-test-dist".into(),
        max_body_bytes: BODY_LIMIT,
        max_delay: Duration::from_secs(1),
        random_seed: Some(42),
        ..Config::default()
    }
}

fn test_app() -> Router {
    app(&config(), Shutdown::new())
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}

fn get(uri: &str) -> Request<Body> {
    request("GET", uri, &[], Body::empty())
}

/// One row of a table: what to send and what must come back.
struct Case {
    request: Request<Body>,
    status: u16,
    /// A prefix of the Content-Type ("" to skip the check).
    content_type: &'static str,
    /// Response headers that must have exactly these values.
    headers: Vec<(&'static str, &'static str)>,
    /// JSON pointers into the body and the values they must have.
    json: Vec<(&'static str, Value)>,
}

fn case(request: Request<Body>, status: u16, content_type: &'static str) -> Case {
    Case { request, status, content_type, headers: Vec::new(), json: Vec::new() }
}

impl Case {
    fn headers(mut self, headers: &[(&'static str, &'static str)]) -> Self {
        self.headers.extend_from_slice(headers);
        self
    }

    fn json(mut self, checks: Vec<(&'static str, Value)>) -> Self {
        self.json.extend(checks);
        self
    }
}

async fn run(app: &Router, cases: Vec<Case>) {
    for case in cases {
        let what = format!("{} {}", case.request.method(), case.request.uri());
        let answer = send(app, case.request).await;
        assert_eq!(answer.status.as_u16(), case.status, "{what}: {}", String::from_utf8_lossy(&answer.body));
        assert!(
            answer.header("content-type").starts_with(case.content_type),
            "{what}: content type {:?}",
            answer.header("content-type")
        );
        for (name, value) in &case.headers {
            assert_eq!(answer.header(name), *value, "{what}: header {name}");
        }
        if !case.json.is_empty() {
            let body = answer.json();
            for (pointer, expected) in &case.json {
                assert_eq!(body.pointer(pointer), Some(expected), "{what}: {pointer} in {body}");
            }
        }
    }
}

/// `request` as if it came over a socket from `peer` (what `serve` gives every handler).
fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let peer: std::net::SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    request
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_its_scheme_and_nobody_else_can() {
    let trusting = app(
        &Config {
            trusted_proxies: TrustedProxies::new(vec![TrustedProxies::parse_network("10.0.0.0/8").unwrap()]),
            ..config()
        },
        Shutdown::new(),
    );
    let forwarded =
        [("x-forwarded-for", "203.0.113.7, 10.1.1.1"), ("x-forwarded-proto", "https"), ("host", "lab.test")];
    let proxy = "10.0.0.2:40000";
    let stranger = "198.51.100.9:40000";
    // (app, peer, target, JSON pointer, expected)
    let cases = [
        (&trusting, proxy, "/ip", "/origin", "203.0.113.7"),
        (&trusting, proxy, "/get?a=1", "/origin", "203.0.113.7"),
        (&trusting, proxy, "/get?a=1", "/url", "https://lab.test/get?a=1"),
        (&trusting, proxy, "/anything/x", "/origin", "203.0.113.7"),
        (&trusting, proxy, "/anything/x", "/url", "https://lab.test/anything/x"),
        // A peer outside the trusted networks: its headers are only headers.
        (&trusting, stranger, "/ip", "/origin", "198.51.100.9"),
        (&trusting, stranger, "/get", "/url", "http://lab.test/get"),
        // The default trusts nobody, not even loopback.
        (&test_app(), "127.0.0.1:40000", "/ip", "/origin", "127.0.0.1"),
        (&test_app(), "127.0.0.1:40000", "/get", "/url", "http://lab.test/get"),
    ];
    for (app, peer, target, pointer, expected) in cases {
        let answer = send(app, from_peer(request("GET", target, &forwarded, ""), peer)).await;
        let body = answer.json();
        assert_eq!(body.pointer(pointer), Some(&json!(expected)), "{target} from {peer}: {body}");
    }
    // /gzip's document has an origin too.
    let answer = send(&trusting, from_peer(request("GET", "/gzip", &forwarded, ""), proxy)).await;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&answer.body[..]).read_to_string(&mut text).unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["origin"], json!("203.0.113.7"), "/gzip: {body}");
}

/// A JSON error naming `needle`, with the status repeated in the body.
fn error_case(request: Request<Body>, status: u16) -> Case {
    case(request, status, "application/json").json(vec![("/status", json!(status))])
}

const MULTIPART: &str = "--XyZ\r\n\
    Content-Disposition: form-data; name=\"name\"\r\n\r\n\
    wirelab\r\n\
    --XyZ\r\n\
    Content-Disposition: form-data; name=\"upload\"; filename=\"hello.txt\"\r\n\
    Content-Type: text/plain\r\n\r\n\
    hello\n\r\n\
    --XyZ--\r\n";

#[tokio::test]
async fn echo_routes_describe_the_request() {
    let app = test_app();
    let host = ("host", "wirelab.test");
    run(
        &app,
        vec![
            case(
                request("GET", "/get?a=1&b=2&b=3", &[host, ("x-test", "one"), ("x-test", "two")], ""),
                200,
                "application/json",
            )
            .json(vec![
                ("/method", json!("GET")),
                ("/url", json!("http://wirelab.test/get?a=1&b=2&b=3")),
                ("/args", json!({"a": "1", "b": ["2", "3"]})),
                ("/headers/X-Test", json!("one, two")),
                ("/headers/Host", json!("wirelab.test")),
                ("/origin", json!("unknown")),
                ("/data", json!("")),
                ("/json", Value::Null),
                ("/form", json!({})),
                ("/files", json!({})),
                ("/body_size", json!(0)),
            ]),
            case(
                request("POST", "/post", &[("content-type", "application/json")], r#"{"n":1,"s":"x"}"#),
                200,
                "application/json",
            )
            .json(vec![
                ("/method", json!("POST")),
                ("/json", json!({"n": 1, "s": "x"})),
                ("/data", json!(r#"{"n":1,"s":"x"}"#)),
                ("/headers/Content-Type", json!("application/json")),
                ("/body_size", json!(15)),
            ]),
            case(
                request("PUT", "/put", &[("content-type", "application/x-www-form-urlencoded")], "a=1&a=2&b=x%20y"),
                200,
                "application/json",
            )
            .json(vec![
                ("/method", json!("PUT")),
                ("/form", json!({"a": ["1", "2"], "b": "x y"})),
                ("/json", Value::Null),
            ]),
            case(
                request(
                    "POST",
                    "/anything/deep/path?q=1",
                    &[host, ("content-type", "multipart/form-data; boundary=XyZ")],
                    MULTIPART,
                ),
                200,
                "application/json",
            )
            .json(vec![
                ("/url", json!("http://wirelab.test/anything/deep/path?q=1")),
                ("/form", json!({"name": "wirelab"})),
                ("/files/upload/0/filename", json!("hello.txt")),
                ("/files/upload/0/content_type", json!("text/plain")),
                ("/files/upload/0/size", json!(6)),
                ("/files/upload/0/sha256", json!("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")),
            ]),
            case(request("PATCH", "/patch", &[], vec![0xffu8, 0x00, 0x01]), 200, "application/json").json(vec![
                ("/method", json!("PATCH")),
                ("/data", json!("data:application/octet-stream;base64,/wAB")),
                ("/json", Value::Null),
                ("/body_size", json!(3)),
            ]),
            case(request("DELETE", "/delete", &[], ""), 200, "application/json")
                .json(vec![("/method", json!("DELETE"))]),
            case(request("PROPFIND", "/anything", &[], ""), 200, "application/json")
                .json(vec![("/method", json!("PROPFIND"))]),
            case(request("GET", "/anything/", &[], ""), 200, "application/json").json(vec![("/method", json!("GET"))]),
            // An OPTIONS request that is not a preflight reaches /anything, with CORS headers.
            case(request("OPTIONS", "/anything", &[("origin", "http://elsewhere.test")], ""), 200, "application/json")
                .headers(&[("access-control-allow-origin", "http://elsewhere.test"), ("timing-allow-origin", "*")])
                .json(vec![("/method", json!("OPTIONS"))]),
            case(request("OPTIONS", "/anything", &[], ""), 200, "application/json")
                .json(vec![("/method", json!("OPTIONS"))]),
            // Other methods are 405 with Allow, in the JSON error shape.
            error_case(request("GET", "/post", &[], ""), 405).headers(&[("allow", "POST")]),
            error_case(request("POST", "/get", &[], ""), 405),
            error_case(request("DELETE", "/put", &[], ""), 405).headers(&[("allow", "PUT")]),
            case(request("HEAD", "/get", &[], ""), 200, "application/json"),
        ],
    )
    .await;
}

#[tokio::test]
async fn status_answers_with_the_code_and_what_goes_with_it() {
    let app = test_app();
    run(
        &app,
        vec![
            case(get("/status/200"), 200, ""),
            case(get("/status/204"), 204, ""),
            case(request("POST", "/status/201", &[], "x"), 201, ""),
            case(get("/status/302"), 302, "").headers(&[("location", "/redirect/1")]),
            case(get("/status/301"), 301, "").headers(&[("location", "/redirect/1")]),
            case(get("/status/401"), 401, "").headers(&[("www-authenticate", r#"Basic realm="wirelab""#)]),
            case(get("/status/418"), 418, "text/plain"),
            case(get("/status/503"), 503, ""),
            case(get("/status/599"), 599, ""),
            case(get("/status/200:0,404:1"), 404, ""),
        ],
    )
    .await;
    let teapot = send(&app, get("/status/418")).await;
    assert!(teapot.text().contains("teapot"));
}

#[tokio::test]
async fn status_lists_pick_only_listed_codes_and_each_of_them() {
    let app = test_app();
    for (uri, allowed) in [
        ("/status/200,201,202", &[200u16, 201, 202][..]),
        ("/status/200:0.7,500:0.3", &[200, 500]),
        ("/status/418", &[418]),
    ] {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            seen.insert(send(&app, get(uri)).await.status.as_u16());
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), allowed, "{uri}");
    }
}

#[tokio::test]
async fn status_lists_follow_their_weights() {
    let app = test_app();
    let mut ok = 0;
    for _ in 0..1000 {
        if send(&app, get("/status/200:0.9,500:0.1")).await.status == StatusCode::OK {
            ok += 1;
        }
    }
    assert!((850..=950).contains(&ok), "{ok} of 1000 were 200");
}

#[tokio::test]
async fn bad_parameters_are_json_400s_naming_the_parameter() {
    let app = test_app();
    for (uri, names) in [
        ("/status/abc", "codes"),
        ("/status/600", "codes"),
        ("/status/99", "codes"),
        ("/status/100", "codes"),
        ("/status/200:-1", "codes"),
        ("/status/200:0", "codes"),
        ("/delay/abc", "seconds"),
        ("/delay/-1", "seconds"),
        ("/delay/NaN", "seconds"),
        ("/delay/inf", "seconds"),
        ("/delay/1.5", "maximum delay"),
        ("/bytes/abc", "n"),
        ("/bytes/-1", "n"),
        ("/bytes/104857601", "n"),
        ("/bytes/10?seed=x", "seed"),
        ("/json?records=abc", "records"),
        ("/json?records=", "records"),
        ("/json?records=-1", "records"),
        ("/json?records=308405", "records"),
        ("/json?records=99999999999999999999", "records"),
        ("/stream/101", "n"),
        ("/stream/-3", "n"),
        ("/drip?numbytes=-1", "numbytes"),
        ("/drip?numbytes=10485761", "numbytes"),
        ("/drip?duration=x", "duration"),
        ("/drip?delay=-2", "delay"),
        ("/drip?duration=0.6&delay=0.6", "duration + delay"),
        ("/drip?code=600&delay=0&duration=0", "code"),
        ("/drip?code=204&delay=0&duration=0", "code"),
        ("/redirect/0", "n"),
        ("/redirect/101", "n"),
        ("/redirect/x", "n"),
        ("/absolute-redirect/-1", "n"),
        ("/redirect-to", "url"),
        ("/redirect-to?url=javascript:alert(1)", "url"),
        ("/redirect-to?url=/get&status_code=200", "status_code"),
        ("/redirect-to?url=/get&status_code=abc", "status_code"),
        ("/basic-auth/%FF/x", "path parameter"),
    ] {
        let answer = send(&app, get(uri)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}: {}", answer.text());
        assert!(answer.header("content-type").starts_with("application/json"), "{uri}");
        let body = answer.json();
        assert_eq!(body["status"], 400, "{uri}");
        let error = body["error"].as_str().unwrap();
        assert!(error.starts_with(names) || error.contains(names), "{uri}: {error}");
    }
}

#[tokio::test]
async fn delay_waits_then_echoes() {
    let app = test_app();
    let started = Instant::now();
    let answer = send(&app, get("/delay/0.2?x=1")).await;
    let elapsed = started.elapsed();
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["args"], json!({"x": "1"}));
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    // The cap (1 s in the tests) itself is allowed, and so is 0.
    assert_eq!(send(&app, request("POST", "/delay/0", &[], "hi")).await.json()["data"], "hi");
}

#[tokio::test]
async fn bytes_are_random_sized_and_repeatable_with_a_seed() {
    let app = test_app();
    let first = send(&app, get("/bytes/100000?seed=7")).await;
    let again = send(&app, get("/bytes/100000?seed=7")).await;
    let other = send(&app, get("/bytes/100000?seed=8")).await;
    let unseeded = send(&app, get("/bytes/100000")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("content-type"), "application/octet-stream");
    assert_eq!(first.header("content-length"), "100000");
    assert_eq!(first.body.len(), 100_000);
    assert_eq!(first.body, again.body);
    assert_ne!(first.body, other.body);
    assert_ne!(first.body, unseeded.body);
    // Random-looking: every byte value shows up.
    let distinct: std::collections::HashSet<u8> = first.body.iter().copied().collect();
    assert_eq!(distinct.len(), 256);
    // Not compressed even when asked: random bytes do not shrink.
    let asked = send(&app, request("GET", "/bytes/1000?seed=1", &[("accept-encoding", "gzip")], "")).await;
    assert_eq!((asked.header("content-encoding"), asked.body.len()), ("", 1000));
    assert_eq!(send(&app, get("/bytes/0")).await.body.len(), 0);
}

#[tokio::test]
async fn json_records_are_generated_readings_the_same_bytes_for_the_same_n() {
    let app = test_app();
    for records in [0, 1, 3] {
        let uri = format!("/json?records={records}");
        let answer = send(&app, get(&uri)).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        assert_eq!(answer.header("content-type"), "application/json", "{uri}");
        let readings = answer.json()["readings"].as_array().cloned().unwrap_or_default();
        assert_eq!(readings.len(), records, "{uri}");
        for (index, reading) in readings.iter().enumerate() {
            assert!(reading["id"].is_string() && reading["location"]["site"].is_string(), "{uri}: {reading}");
            assert_eq!(reading["timestampMs"], 1_764_000_000_000u64 + 250 * index as u64, "{uri}");
        }
        assert_eq!(send(&app, get(&uri)).await.body, answer.body, "{uri} twice");
    }
    // Without the parameter, /json is the sample order as before.
    assert_eq!(send(&app, get("/json")).await.json()["order"]["id"], "WL-2025-0042");
    // Compressed on the fly when asked, like any JSON answer.
    let plain = send(&app, get("/json?records=500")).await;
    let gzipped = send(&app, request("GET", "/json?records=500", &[("accept-encoding", "gzip")], "")).await;
    assert_eq!(gzipped.header("content-encoding"), "gzip");
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(gzipped.body.as_ref()).read_to_end(&mut inflated).unwrap();
    assert_eq!(inflated, plain.body);
    assert!(gzipped.body.len() * 4 < plain.body.len(), "{} of {} bytes", gzipped.body.len(), plain.body.len());
}

#[tokio::test]
async fn twenty_megabytes_of_json_records_are_streamed_in_chunks() {
    const RECORDS: usize = 64_000;
    let response = test_app().oneshot(get(&format!("/json?records={RECORDS}"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Streamed: no length announced up front, the body comes in bounded chunks.
    assert!(response.headers().get("content-length").is_none(), "{:?}", response.headers());
    let chunks: Vec<Bytes> = response.into_body().into_data_stream().map(Result::unwrap).collect().await;
    assert!(chunks.iter().all(|chunk| chunk.len() < 128 * 1024), "a chunk of {} bytes", chunks[0].len());
    let body = chunks.concat();
    assert!(body.len() > 20_000_000, "{} bytes", body.len());
    let document: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(document["readings"].as_array().map(Vec::len), Some(RECORDS));
}

#[tokio::test]
async fn stream_sends_one_ndjson_line_per_chunk() {
    let app = test_app();
    let response =
        app.clone().oneshot(request("GET", "/stream/5?k=v", &[("accept-encoding", "gzip")], "")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    assert!(response.headers().get("content-encoding").is_none());
    let chunks: Vec<Bytes> = response.into_body().into_data_stream().map(Result::unwrap).collect().await;
    assert_eq!(chunks.len(), 5);
    for (id, chunk) in chunks.iter().enumerate() {
        let text = std::str::from_utf8(chunk).unwrap();
        assert!(text.ends_with('\n') && text.matches('\n').count() == 1, "{text:?}");
        let line: Value = serde_json::from_str(text).unwrap();
        assert_eq!((line["id"].clone(), line["args"].clone()), (json!(id), json!({"k": "v"})));
    }
    assert_eq!(send(&app, get("/stream/0")).await.body.len(), 0);
}

#[tokio::test]
async fn drip_spreads_its_bytes_over_the_duration() {
    let app = test_app();
    let started = Instant::now();
    let response = app.clone().oneshot(get("/drip?numbytes=10&duration=0.2&delay=0.1&code=201")).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100), "the status came before the delay");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["content-length"], "10");
    let chunks: Vec<Bytes> = response.into_body().into_data_stream().map(Result::unwrap).collect().await;
    assert_eq!(chunks.len(), 10);
    assert_eq!(chunks.concat(), b"**********");
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());

    for (uri, total) in
        [("/drip?numbytes=5000&duration=0.05&delay=0", 5000), ("/drip?numbytes=7&duration=0&delay=0", 7)]
    {
        let answer = send(&app, get(uri)).await;
        assert_eq!((answer.status, answer.body.len()), (StatusCode::OK, total), "{uri}");
        assert!(answer.body.iter().all(|byte| *byte == b'*'), "{uri}");
    }
}

/// Follows Location headers from `uri`, returning every Location seen.
async fn follow(app: &Router, uri: &str) -> Vec<String> {
    let mut locations = Vec::new();
    let mut next = uri.to_owned();
    for _ in 0..10 {
        let answer = send(app, request("GET", &next, &[("host", "wirelab.test")], "")).await;
        if !answer.status.is_redirection() {
            assert_eq!(answer.status, StatusCode::OK, "{next}");
            return locations;
        }
        let location = answer.header("location").to_owned();
        next = location.strip_prefix("http://wirelab.test").unwrap_or(&location).to_owned();
        locations.push(location);
    }
    panic!("more than 10 redirects from {uri}");
}

#[tokio::test]
async fn redirects_form_chains_ending_at_get() {
    let app = test_app();
    assert_eq!(follow(&app, "/redirect/3").await, ["/redirect/2", "/redirect/1", "/get"]);
    assert_eq!(follow(&app, "/relative-redirect/2").await, ["/relative-redirect/1", "/get"]);
    assert_eq!(
        follow(&app, "/absolute-redirect/2").await,
        ["http://wirelab.test/absolute-redirect/1", "http://wirelab.test/get"]
    );
    run(
        &app,
        vec![
            case(get("/redirect/1"), 302, "").headers(&[("location", "/get")]),
            case(get("/redirect-to?url=/anything"), 302, "").headers(&[("location", "/anything")]),
            case(get("/redirect-to?url=https%3A%2F%2Fexample.com%2Fx&status_code=307"), 307, "")
                .headers(&[("location", "https://example.com/x")]),
            case(request("POST", "/redirect-to?url=/post&status_code=308", &[], "x"), 308, "")
                .headers(&[("location", "/post")]),
            case(get("/redirect-to?url=get%3Fa%3D1&status_code=301"), 301, "").headers(&[("location", "get?a=1")]),
        ],
    )
    .await;
}

#[tokio::test]
async fn request_facets_and_uuid() {
    let app = test_app();
    run(
        &app,
        vec![
            case(
                request("GET", "/headers", &[("x-one", "1"), ("user-agent", "wirelab-test/1")], ""),
                200,
                "application/json",
            )
            .json(vec![("/headers/X-One", json!("1")), ("/headers/User-Agent", json!("wirelab-test/1"))]),
            case(get("/ip"), 200, "application/json").json(vec![("/origin", json!("unknown"))]),
            case(request("GET", "/user-agent", &[("user-agent", "curl/8.0")], ""), 200, "application/json")
                .json(vec![("/user-agent", json!("curl/8.0"))]),
            case(get("/user-agent"), 200, "application/json").json(vec![("/user-agent", Value::Null)]),
        ],
    )
    .await;
    let first = send(&app, get("/uuid")).await.json()["uuid"].as_str().unwrap().to_owned();
    let second = send(&app, get("/uuid")).await.json()["uuid"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let parsed = uuid::Uuid::parse_str(&first).unwrap();
    assert_eq!(parsed.get_version_num(), 4);
}

#[tokio::test]
async fn auth_endpoints_challenge_and_accept() {
    let app = test_app();
    // base64("ada:lovelace") and base64("ada:wrong").
    let good = ("authorization", "Basic YWRhOmxvdmVsYWNl");
    let bad = ("authorization", "Basic YWRhOndyb25n");
    let basic_challenge = ("www-authenticate", r#"Basic realm="wirelab""#);
    run(
        &app,
        vec![
            case(request("GET", "/basic-auth/ada/lovelace", &[good], ""), 200, "application/json")
                .json(vec![("/authenticated", json!(true)), ("/user", json!("ada"))]),
            error_case(request("GET", "/basic-auth/ada/lovelace", &[bad], ""), 401).headers(&[basic_challenge]),
            error_case(get("/basic-auth/ada/lovelace"), 401).headers(&[basic_challenge]),
            error_case(request("GET", "/basic-auth/ada/lovelace", &[("authorization", "Basic !!!")], ""), 401),
            case(request("GET", "/hidden-basic-auth/ada/lovelace", &[good], ""), 200, "application/json")
                .json(vec![("/authenticated", json!(true)), ("/user", json!("ada"))]),
            error_case(request("GET", "/hidden-basic-auth/ada/lovelace", &[bad], ""), 404),
            error_case(get("/hidden-basic-auth/ada/lovelace"), 404),
            case(request("GET", "/bearer", &[("authorization", "Bearer s3cr3t")], ""), 200, "application/json")
                .json(vec![("/authenticated", json!(true)), ("/token", json!("s3cr3t"))]),
            error_case(get("/bearer"), 401).headers(&[("www-authenticate", "Bearer")]),
            error_case(request("GET", "/bearer", &[("authorization", "Bearer ")], ""), 401),
            error_case(request("GET", "/bearer", &[good], ""), 401),
        ],
    )
    .await;
}

#[tokio::test]
async fn formats_have_their_content_types() {
    let app = test_app();
    run(
        &app,
        vec![
            case(get("/json"), 200, "application/json").json(vec![("/order/items/1/sku", json!("PW-007"))]),
            case(get("/xml"), 200, "application/xml"),
            case(get("/html"), 200, "text/html"),
            case(get("/image/png"), 200, "image/png"),
            case(get("/gzip"), 200, "application/json").headers(&[("content-encoding", "gzip")]),
            case(get("/protobuf"), 200, "application/x-protobuf"),
            case(get("/protobuf.proto"), 200, "text/plain"),
        ],
    )
    .await;
    let xml = send(&app, get("/xml")).await.text();
    assert!(xml.starts_with("<?xml") && xml.contains(r#"<sensor id="th-042""#) && xml.matches("<tag>").count() == 2);
    assert!(send(&app, get("/html")).await.text().contains("<h1>Wirelab</h1>"));
    let png = send(&app, get("/image/png")).await.body;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.ends_with(b"IEND\xaeB`\x82"));
    let schema = send(&app, get("/protobuf.proto")).await.text();
    assert!(schema.contains("package wirelab;") && schema.contains("message SensorReading"));
}

#[tokio::test]
async fn gzip_is_encoded_once_whatever_the_client_accepts() {
    let app = test_app();
    for accept in ["gzip", "br", "gzip, br", "identity"] {
        let answer = send(&app, request("GET", "/gzip", &[("accept-encoding", accept)], "")).await;
        assert_eq!(answer.headers.get_all("content-encoding").iter().count(), 1, "{accept}");
        assert_eq!(answer.header("content-encoding"), "gzip", "{accept}");
        let mut plain = String::new();
        flate2::read::GzDecoder::new(answer.body.as_ref()).read_to_string(&mut plain).unwrap();
        let document: Value = serde_json::from_str(&plain).unwrap();
        assert_eq!(document["gzipped"], true, "{accept}");
        assert_eq!(document["headers"]["Accept-Encoding"], accept, "{accept}");
    }
}

#[tokio::test]
async fn protobuf_decodes_with_the_generated_type() {
    let answer = send(&test_app(), get("/protobuf")).await;
    let reading = proto::SensorReading::decode(answer.body).unwrap();
    assert_eq!(reading, sample_reading());
    assert_eq!(reading.id, "th-042");
    assert_eq!(reading.status(), proto::Status::Degraded);
    assert_eq!(reading.location.unwrap().floor, -1);
}

#[tokio::test]
async fn dump_shows_the_request_in_wire_form() {
    let app = test_app();
    let text = send(
        &app,
        request(
            "POST",
            "/dump/request?x=1&y=%20",
            &[("host", "wirelab.test"), ("x-custom", "yes"), ("accept", "*/*")],
            "a=b",
        ),
    )
    .await
    .text();
    assert!(text.starts_with("POST /dump/request?x=1&y=%20 HTTP/1.1\r\n"), "{text}");
    let host = text.find("host: wirelab.test\r\n").unwrap();
    let custom = text.find("x-custom: yes\r\n").unwrap();
    let accept = text.find("accept: */*\r\n").unwrap();
    assert!(host < custom && custom < accept, "headers out of order: {text}");
    assert!(text.ends_with("\r\n\r\na=b"), "{text}");

    let binary = send(&app, request("PUT", "/dump/request", &[], vec![0xffu8, 0xfe, 0x00])).await;
    assert_eq!(binary.header("content-type"), "text/plain; charset=utf-8");
    assert!(binary.text().contains("[binary body: 3 bytes, not shown]"), "{}", binary.text());
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let app = test_app();
    let at_limit = "x".repeat(BODY_LIMIT);
    let over = "x".repeat(BODY_LIMIT + 1);
    assert_eq!(send(&app, request("POST", "/post", &[], at_limit)).await.json()["body_size"], BODY_LIMIT);
    run(
        &app,
        vec![
            error_case(request("POST", "/post", &[], over.clone()), 413),
            error_case(request("PUT", "/anything", &[], over.clone()), 413),
            error_case(request("POST", "/dump/request", &[], over.clone()), 413),
        ],
    )
    .await;
    // A streamed body without a Content-Length is cut off as it arrives.
    let chunks = (0..3).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'y'; 400])));
    let streamed = request("POST", "/post", &[], Body::from_stream(futures_util::stream::iter(chunks)));
    let answer = send(&app, streamed).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.json()["error"].as_str().unwrap().contains("--max-body-bytes"));
}

#[tokio::test]
async fn cors_preflights_are_204_and_every_response_is_readable_cross_origin() {
    let app = test_app();
    let origin = ("origin", "http://elsewhere.test");
    run(
        &app,
        vec![
            case(
                request(
                    "OPTIONS",
                    "/basic-auth/a/b",
                    &[
                        origin,
                        ("access-control-request-method", "PUT"),
                        ("access-control-request-headers", "authorization,x-trace"),
                    ],
                    "",
                ),
                204,
                "",
            )
            .headers(&[
                // The page's own origin with credentials, so a request sending cookies is allowed too.
                ("access-control-allow-origin", "http://elsewhere.test"),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "authorization,x-trace"),
                ("access-control-max-age", "86400"),
                ("timing-allow-origin", "*"),
            ]),
            case(request("GET", "/get", &[origin], ""), 200, "application/json").headers(&[
                ("access-control-allow-origin", "http://elsewhere.test"),
                ("access-control-allow-credentials", "true"),
                // `*` for requests without credentials, the names for those with them.
                ("access-control-expose-headers", "*, content-type, vary, content-length"),
                ("timing-allow-origin", "*"),
            ]),
            // Errors, the API, the app's pages and the WebSocket route get them too.
            error_case(request("GET", "/status/abc", &[origin], ""), 400).headers(&[
                ("access-control-allow-origin", "http://elsewhere.test"),
                ("access-control-allow-credentials", "true"),
                ("timing-allow-origin", "*"),
            ]),
            case(request("GET", "/api/info", &[origin], ""), 200, "application/json")
                .headers(&[("access-control-allow-origin", "http://elsewhere.test"), ("timing-allow-origin", "*")]),
            case(request("GET", "/formats", &[origin], ""), 200, "text/html")
                .headers(&[("access-control-allow-origin", "http://elsewhere.test"), ("timing-allow-origin", "*")]),
            // An OPTIONS request of its own (no Access-Control-Request-Method) is answered by the route.
            case(request("OPTIONS", "/anything", &[origin], ""), 200, "application/json").headers(&[
                ("access-control-allow-origin", "http://elsewhere.test"),
                ("access-control-allow-credentials", "true"),
            ]),
            case(get("/get"), 200, "application/json").headers(&[("timing-allow-origin", "*")]),
        ],
    )
    .await;
}

/// A concrete URI for a route pattern from `/api/info`.
fn sample_uri(path: &str) -> String {
    let uri = path
        .replace("{path}", "x/y")
        .replace("{codes}", "200")
        .replace("{seconds}", "0")
        .replace("{n}", "1")
        .replace("{user}", "u")
        .replace("{pass}", "p")
        .replace("{name}", "flavour")
        .replace("{value}", "oatmeal");
    match uri.as_str() {
        "/drip" => "/drip?duration=0&delay=0".to_owned(),
        "/redirect-to" => "/redirect-to?url=/get".to_owned(),
        _ => uri,
    }
}

#[tokio::test]
async fn every_listed_endpoint_answers_and_none_shadows_the_app() {
    let app = test_app();
    let info = send(&app, get("/api/info")).await.json();
    assert_eq!(info["max_body_bytes"], BODY_LIMIT);
    assert_eq!(info["max_delay_seconds"], 1.0);
    let endpoints = info["endpoints"].as_array().unwrap();
    let http: Vec<&Value> = endpoints.iter().filter(|e| e["kind"] == "http").collect();
    assert!(http.len() >= 30, "{} http endpoints", http.len());
    for endpoint in http {
        let path = endpoint["path"].as_str().unwrap();
        assert!(endpoint["description"].as_str().unwrap().len() > 10, "{path}");
        assert!(!endpoint["group"].as_str().unwrap().is_empty(), "{path}");
        let uri = sample_uri(path);
        let method = if endpoint["methods"] == "any" { "GET" } else { endpoint["methods"].as_str().unwrap() };
        let answer = send(&app, request(method, &uri, &[], "")).await;
        // The not-built page is the static fallback's answer: the route did not match.
        assert!(!answer.text_lossy().contains("app is not built"), "{method} {uri} fell through to the static files");
        assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
    }
    // The app's own routes still get its page.
    for uri in ["/", "/ws", "/http", "/formats"] {
        assert!(send(&app, get(uri)).await.text_lossy().contains("app is not built"), "{uri}");
    }
}

impl Answer {
    fn text_lossy(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
