//! The HAR files the HTTP and WebSocket labs export, read by an independent reader: Python's
//! haralyzer (PyPI, pinned by `cargo xtask setup` in the venv target/tools/py-har, whose python
//! `WIRELAB_HAR_PYTHON` names). It must see every entry with its method, URL, status, start time,
//! timings and body, and the WebSocket entry's messages. Without that Python the test fails,
//! unless `WIRELAB_OPTIONAL_TOOLS=1`, which makes it say so and pass.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;
use std::rc::Rc;

use wire::connection::CloseInfo;
use wire::har::{WsSessionRecord, http_lab_har, to_json, ws_lab_har};
use wire::http_lab::{Exchange, FetchFailure, HttpEvent, HttpLabState, HttpOutcome};
use wire::http_request::{HttpRequest, RequestBody};
use wire::lab::LabState;
use wire::message_log::{Direction, EventKind, MessageLog, Payload};
use wire::resource_timing::{TimingEntry, breakdown};

const ORIGIN: &str = "http://127.0.0.1:8080";
/// 2026-12-01T02:43:44.123Z
const SENT_AT: f64 = 1_796_093_024_123.0;

/// What the reader prints for each file: the log's creator and version, then per entry (in
/// haralyzer's page order) what it read, one JSON object a line.
const READER: &str = r#"
import json, sys
from haralyzer import HarParser
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as file:
        parser = HarParser(json.load(file))
    print(json.dumps({"creator": parser.creator, "version": parser.version, "pages": [page.page_id for page in parser.pages]}, sort_keys=True))
    for page in parser.pages:
        for entry in page.entries:
            post = entry.request.raw_entry.get("postData") or {}
            messages = entry.raw_entry.get("_webSocketMessages") or []
            print(json.dumps({
                "request": f"{entry.request.method} {entry.url}",
                "status": f"{entry.status} {entry.response.statusText}",
                "start": entry.startTime.isoformat(timespec="milliseconds"),
                "time": entry.time,
                "timings": {name: entry.timings[name] for name in ("blocked", "dns", "connect", "ssl", "send", "wait", "receive")},
                "mime": entry.response.mimeType,
                "body": entry.response.text,
                "encoding": entry.response.textEncoding,
                "post": post.get("text"),
                "messages": [f"{m['type']} {m['opcode']} {m['data']} @{m['time']}" for m in messages],
            }, sort_keys=True))
"#;

/// The Python that has haralyzer, or `None` when it is missing and `WIRELAB_OPTIONAL_TOOLS=1`.
fn har_python() -> Option<String> {
    let python = std::env::var("WIRELAB_HAR_PYTHON").unwrap_or_else(|_| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/py-har/bin/python");
        root.to_string_lossy().into_owned()
    });
    let works = Command::new(&python).args(["-c", "import haralyzer"]).output().is_ok_and(|out| out.status.success());
    if works {
        return Some(python);
    }
    let optional = std::env::var("WIRELAB_OPTIONAL_TOOLS").is_ok_and(|value| value == "1");
    assert!(
        optional,
        "no haralyzer Python at {python}: run `cargo xtask setup` (or set WIRELAB_OPTIONAL_TOOLS=1 to skip)"
    );
    eprintln!("SKIPPED: no haralyzer Python at {python}; WIRELAB_OPTIONAL_TOOLS=1 lets it pass");
    None
}

fn outcome(content_type: &str, body: &[u8], timing: Option<TimingEntry>) -> HttpOutcome {
    HttpOutcome {
        status: 200,
        status_text: "OK".into(),
        headers: vec![("content-type".into(), content_type.into())],
        body: Rc::new(body.to_vec()),
        body_is_text: std::str::from_utf8(body).is_ok(),
        duration_ms: 40.0,
        final_url: format!("{ORIGIN}/x"),
        redirected: false,
        timing: timing.map(|entry| breakdown(&entry)).ok_or_else(|| "no entry".to_string()),
    }
}

/// The HTTP lab's export after a POST with a JSON body (fresh connection timed), a refused
/// request, and a GET whose binary response is on screen.
fn http_export() -> String {
    let fresh = TimingEntry {
        start_time: 100.0,
        domain_lookup_start: 102.0,
        domain_lookup_end: 107.0,
        connect_start: 107.0,
        connect_end: 117.0,
        request_start: 117.0,
        response_start: 137.0,
        response_end: 145.0,
        transfer_size: 300.0,
        encoded_body_size: 16.0,
        decoded_body_size: 16.0,
        next_hop_protocol: "http/1.1".into(),
        ..TimingEntry::default()
    };
    let exchanges: Vec<(HttpRequest, Result<HttpOutcome, FetchFailure>)> = vec![
        (
            HttpRequest {
                method: "POST".into(),
                url: format!("{ORIGIN}/post"),
                body: RequestBody::Json("{\"n\":1}".into()),
                ..HttpRequest::default()
            },
            Ok(outcome("application/json", b"{\"json\":{\"n\":1}}", Some(fresh))),
        ),
        (
            HttpRequest { url: "http://127.0.0.1:1/".into(), ..HttpRequest::default() },
            Err(FetchFailure::Network("refused".into())),
        ),
        (
            HttpRequest { url: format!("{ORIGIN}/bytes/4"), ..HttpRequest::default() },
            Ok(outcome("application/octet-stream", &[0, 1, 0xfe, 0xff], None)),
        ),
    ];
    let mut lab = HttpLabState::new(ORIGIN, Ok(None));
    for (index, (request, result)) in exchanges.into_iter().enumerate() {
        lab.apply(HttpEvent::Import(request), 0.0);
        lab.apply(HttpEvent::Send, SENT_AT + index as f64 * 1_000.0);
        lab.apply(HttpEvent::Finished(result), 0.0);
    }
    let current = match &lab.exchange {
        Exchange::Done { outcome, .. } => lab.exchange_entry.map(|id| (id, outcome.as_ref())),
        _ => None,
    };
    to_json(&http_lab_har(lab.history.entries(), current))
}

/// The WebSocket lab's export: a text echo and a binary message, then a clean close.
fn websocket_export() -> String {
    let mut log = MessageLog::default();
    let first = log.push_event(EventKind::Info, "Connecting", SENT_AT);
    log.push_message(Direction::Sent, Payload::Text("hi".into()), SENT_AT + 20.0);
    log.push_message(Direction::Received, Payload::Text("hi".into()), SENT_AT + 21.5);
    log.push_message(Direction::Sent, Payload::Binary(vec![0xde, 0xad]), SENT_AT + 30.0);
    let mut session = WsSessionRecord::started("ws://127.0.0.1:8080/ws/echo", &[], SENT_AT, first);
    session.opened("", "", SENT_AT + 9.0);
    session.closed(&CloseInfo { code: 1000, reason: String::new(), was_clean: true });
    to_json(&ws_lab_har(&session, &log, None))
}

#[test]
fn haralyzer_reads_the_exported_files() {
    let Some(python) = har_python() else { return };
    let dir = std::env::temp_dir().join(format!("wirelab-har-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    let files = [("http.har", http_export()), ("websocket.har", websocket_export())];
    let paths: Vec<String> = files
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap_or_else(|error| panic!("{error}"));
            path.to_string_lossy().into_owned()
        })
        .collect();
    let run =
        Command::new(&python).arg("-c").arg(READER).args(&paths).output().unwrap_or_else(|error| panic!("{error}"));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "haralyzer failed: {}\n{stdout}", String::from_utf8_lossy(&run.stderr));

    let log_line = format!(
        r#"{{"creator": {{"name": "Wirelab", "version": "{}"}}, "pages": ["page_1"], "version": "1.2"}}"#,
        env!("CARGO_PKG_VERSION")
    );
    let expected = [
        &log_line,
        r#"{"body": "", "encoding": null, "messages": [], "mime": "application/json", "post": "{\"n\":1}", "request": "POST http://127.0.0.1:8080/post", "start": "2026-12-01T02:43:44.123+00:00", "status": "200 OK", "time": 45.0, "timings": {"blocked": 2.0, "connect": 10.0, "dns": 5.0, "receive": 8.0, "send": 0.0, "ssl": -1.0, "wait": 20.0}}"#,
        r#"{"body": "", "encoding": null, "messages": [], "mime": "x-unknown", "post": null, "request": "GET http://127.0.0.1:1/", "start": "2026-12-01T02:43:45.123+00:00", "status": "0 ", "time": 0.0, "timings": {"blocked": -1.0, "connect": -1.0, "dns": -1.0, "receive": 0.0, "send": 0.0, "ssl": -1.0, "wait": 0.0}}"#,
        r#"{"body": "AAH+/w==", "encoding": "base64", "messages": [], "mime": "application/octet-stream", "post": null, "request": "GET http://127.0.0.1:8080/bytes/4", "start": "2026-12-01T02:43:46.123+00:00", "status": "200 OK", "time": 40.0, "timings": {"blocked": -1.0, "connect": -1.0, "dns": -1.0, "receive": 0.0, "send": 0.0, "ssl": -1.0, "wait": 40.0}}"#,
        &log_line,
        r#"{"body": "", "encoding": null, "messages": ["send 1 hi @1796093024.143", "receive 1 hi @1796093024.1445", "send 2 3q0= @1796093024.153"], "mime": "x-unknown", "post": null, "request": "GET ws://127.0.0.1:8080/ws/echo", "start": "2026-12-01T02:43:44.123+00:00", "status": "101 Switching Protocols", "time": 9.0, "timings": {"blocked": -1.0, "connect": -1.0, "dns": -1.0, "receive": 0.0, "send": 0.0, "ssl": -1.0, "wait": 9.0}}"#,
    ];
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, expected, "haralyzer read:\n{stdout}");
}
