//! `/sse` (Server-Sent Events): the stream parsed with the app's own parser (`wire::stream_log::sse`)
//! for its ids, types, data and `retry`; resuming after `Last-Event-ID`; `close_after`; the
//! bounds as 400s; events leaving one by one, spaced in time and never compressed; and curl -N
//! as a real client on a real socket, timing each event's arrival.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use futures_util::StreamExt;
use serde_json::Value;
use support::{TestServer, send, within};
use tower::ServiceExt;
use wire::stream_log::sse::{SseBlock, SseParser};
use wirelab_server::{Config, Shutdown, app};

fn config() -> Config {
    Config {
        static_dir: "/nonexistent/wirelab-test-dist".into(),
        max_delay: Duration::from_secs(2),
        ..Config::default()
    }
}

fn test_app() -> Router {
    app(&config(), Shutdown::new())
}

fn get(uri: &str, last_event_id: Option<&str>) -> Request<Body> {
    let mut request = Request::builder().uri(uri);
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    request.body(Body::empty()).expect("a valid request")
}

/// A block as `id type data-id resumed_from retry`, the fields a test checks.
fn describe(block: &SseBlock) -> String {
    let data: Value = block.data.as_deref().map_or(Value::Null, |data| serde_json::from_str(data).expect("JSON data"));
    let retry = block.retry_ms.map_or(String::new(), |retry| format!(" retry={retry}"));
    match &block.data {
        None => format!("(no event){retry} comments={:?}", block.comments),
        Some(_) => format!(
            "id={} {} data.id={} resumed_from={}{retry}",
            block.id.as_deref().unwrap_or("-"),
            block.event_type(),
            data["id"],
            data["resumed_from"]
        ),
    }
}

/// The response's frames as they come, each with its arrival time since the request, parsed.
struct Received {
    status: StatusCode,
    content_type: String,
    content_encoding: Option<String>,
    /// (milliseconds since the request, blocks completed by that frame)
    frames: Vec<(f64, Vec<SseBlock>)>,
}

impl Received {
    fn blocks(&self) -> Vec<String> {
        self.frames.iter().flat_map(|(_, blocks)| blocks.iter().map(describe)).collect()
    }

    /// Arrival times of the frames that carried an event with data.
    fn event_times(&self) -> Vec<f64> {
        self.frames.iter().filter(|(_, blocks)| blocks.iter().any(SseBlock::dispatches)).map(|(at, _)| *at).collect()
    }
}

async fn receive(app: &Router, uri: &str, last_event_id: Option<&str>) -> Received {
    let started = Instant::now();
    // Asking for compression, to see that the stream is not compressed anyway.
    let mut request = get(uri, last_event_id);
    request.headers_mut().insert("accept-encoding", HeaderValue::from_static("gzip, br"));
    let response = within(uri, app.clone().oneshot(request)).await.expect("the app answers");
    let header = |name: &str| response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned);
    let (status, content_type, content_encoding) =
        (response.status(), header("content-type").unwrap_or_default(), header("content-encoding"));
    let mut parser = SseParser::new();
    let mut frames = Vec::new();
    let mut body = response.into_body().into_data_stream();
    while let Some(frame) = within("the next frame", body.next()).await {
        let at = started.elapsed().as_secs_f64() * 1000.0;
        let bytes = frame.expect("a body frame");
        frames.push((at, parser.feed(&bytes, at)));
    }
    Received { status, content_type, content_encoding, frames }
}

#[tokio::test]
async fn a_stream_has_retry_first_then_numbered_typed_events() {
    let received = receive(&test_app(), "/sse?count=6&interval_ms=10&retry_ms=2500", None).await;
    assert_eq!(received.status, StatusCode::OK);
    assert_eq!(received.content_type, "text/event-stream");
    assert_eq!(received.content_encoding, None, "event streams are never compressed");
    assert_eq!(
        received.blocks(),
        [
            "(no event) retry=2500 comments=[\"wirelab /sse: events up to 6, one every 10 ms\"]",
            "id=1 tick data.id=1 resumed_from=null",
            "id=2 tick data.id=2 resumed_from=null",
            "id=3 tick data.id=3 resumed_from=null",
            "id=4 tick data.id=4 resumed_from=null",
            "id=5 milestone data.id=5 resumed_from=null",
            "id=6 tick data.id=6 resumed_from=null",
        ]
    );
}

#[tokio::test]
async fn last_event_id_resumes_after_it_and_close_after_ends_each_response() {
    let app = test_app();
    // (query, Last-Event-ID, the events' ids and resume points)
    let cases: [(&str, Option<&str>, &[&str]); 5] = [
        ("count=5", Some("3"), &["id=4 tick data.id=4 resumed_from=3", "id=5 milestone data.id=5 resumed_from=3"]),
        ("count=5", Some(""), &["id=1", "id=2", "id=3", "id=4", "id=5"]),
        ("count=10&close_after=3", None, &["id=1", "id=2", "id=3"]),
        ("count=10&close_after=3", Some("3"), &["id=4", "id=5", "id=6"]),
        ("count=10&close_after=3", Some("9"), &["id=10 milestone data.id=10 resumed_from=9"]),
    ];
    for (query, last_event_id, expected) in cases {
        let received = receive(&app, &format!("/sse?interval_ms=1&{query}"), last_event_id).await;
        let events: Vec<String> = received.blocks().into_iter().skip(1).collect();
        assert_eq!(events.len(), expected.len(), "{query} after {last_event_id:?}: {events:?}");
        for (event, prefix) in events.iter().zip(expected) {
            assert!(event.starts_with(prefix), "{query} after {last_event_id:?}: {event} is not {prefix}");
        }
    }
    // Everything sent: 204 tells an EventSource to stop reconnecting.
    for (query, last_event_id) in [("count=5", "5"), ("count=5", "70"), ("count=0", "")] {
        let answer = send(&app, get(&format!("/sse?{query}"), Some(last_event_id))).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{query} after {last_event_id}");
        assert!(answer.body.is_empty());
    }
}

#[tokio::test]
async fn out_of_bounds_parameters_are_400s_that_say_why() {
    let app = test_app();
    let cases = [
        ("/sse?count=1001", None, "count: 1001 is over the maximum of 1000"),
        ("/sse?count=x", None, "count: expected a whole number from 0 to 1000, got \"x\""),
        (
            "/sse?interval_ms=2001",
            None,
            "interval_ms: 2001 is over the server's maximum delay of 2000 ms (--max-delay)",
        ),
        ("/sse?interval_ms=-1", None, "interval_ms: expected a whole number"),
        ("/sse?retry_ms=60001", None, "retry_ms: 60001 is over the maximum of 60000"),
        ("/sse?close_after=0", None, "close_after: must be 1 or more"),
        ("/sse", Some("seven"), "Last-Event-ID: expected the number of an event of this stream, got \"seven\""),
    ];
    for (uri, last_event_id, message) in cases {
        let answer = send(&app, get(uri, last_event_id)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        let error: Value = serde_json::from_slice(&answer.body).expect("a JSON error");
        let text = error["error"].as_str().unwrap_or_default();
        assert!(text.starts_with(message), "{uri}: {text}");
    }
}

#[tokio::test]
async fn events_leave_one_by_one_at_the_interval() {
    let received = receive(&test_app(), "/sse?count=4&interval_ms=150", None).await;
    let times = received.event_times();
    assert_eq!(times.len(), 4, "one frame per event: {:?}", received.frames.len());
    assert!(times[0] < 100.0, "the first event leaves at once: {times:?}");
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!((100.0..400.0).contains(&gap), "events 150 ms apart, not all at once: {times:?}");
    }
}

/// Runs `curl -N` on `url` and returns each line of output with its arrival time (ms).
fn curl_lines(url: &str) -> Vec<(f64, String)> {
    let started = Instant::now();
    let mut child = Command::new("curl")
        .args(["--silent", "--show-error", "--no-buffer", "--compressed", "--max-time", "15", url])
        .stdout(Stdio::piped())
        .spawn()
        .expect("curl runs (Debian's curl package)");
    let stdout = child.stdout.take().expect("curl's output");
    let lines = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .map(|line| (started.elapsed().as_secs_f64() * 1000.0, line))
        .collect();
    let status = child.wait().expect("curl ends");
    assert!(status.success(), "curl failed: {status}");
    lines
}

#[tokio::test]
async fn curl_no_buffer_gets_each_event_as_it_is_sent() {
    let server = TestServer::start(config()).await;
    let url = format!("http://{}/sse?count=4&interval_ms=200&retry_ms=1500", server.addr);
    let lines = within("curl -N", tokio::task::spawn_blocking(move || curl_lines(&url))).await.expect("curl's task");
    let text: Vec<&str> = lines.iter().map(|(_, line)| line.as_str()).collect();
    assert_eq!(text[0], "retry: 1500");
    let ids: Vec<&str> = text.iter().filter_map(|line| line.strip_prefix("id: ")).collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    let types: Vec<&str> = text.iter().filter_map(|line| line.strip_prefix("event: ")).collect();
    assert_eq!(types, ["tick", "tick", "tick", "tick"]);
    let id_times: Vec<f64> = lines.iter().filter(|(_, line)| line.starts_with("id: ")).map(|(at, _)| *at).collect();
    let spread = id_times[3] - id_times[0];
    assert!(spread > 450.0, "curl saw the events arrive over ~600 ms, not at once: {id_times:?}");
    server.shutdown.trigger();
}
