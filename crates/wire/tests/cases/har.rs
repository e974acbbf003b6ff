//! Tests of `wire::har`: the HAR the HTTP and WebSocket labs write (shapes, timings from Resource
//! Timing, bodies as text or base64, `_webSocketMessages`), files from Chrome's DevTools and
//! Firefox read into the history (fixtures in tests/fixtures/har), malformed files and their
//! messages, and the history's cap.

use std::rc::Rc;

use expect_test::{Expect, expect};
use wire::connection::CloseInfo;
use wire::har::{
    HarImport, WsSessionRecord, file_name, format_date, http_lab_har, import_har, parse_date, timings_from, to_json,
    ws_lab_har,
};
use wire::history::History;
use wire::http_lab::{HttpEvent, HttpLabState, HttpOutcome};
use wire::http_request::{BinarySource, HttpRequest, KeyValue, RequestBody};
use wire::lab::LabState;
use wire::message_log::{Direction, EventKind, MessageLog, Payload};
use wire::resource_timing::{TimingEntry, breakdown};
use wire::ws_inspect::HandshakeFacts;

const CHROME: &str = include_str!("../fixtures/har/chrome-devtools.har");
const FIREFOX: &str = include_str!("../fixtures/har/firefox.har");
/// Recorded from Chromium 156 against wirelab-server by Playwright's `recordHar` (content
/// embedded), and from the DevTools protocol's Network events by chrome-har 1.3.1 (the journey
/// e2e/har.test.mjs records both afresh).
const CHROMIUM_PLAYWRIGHT: &str = include_str!("../fixtures/har/chromium-playwright.har");
const CHROMIUM_CDP: &str = include_str!("../fixtures/har/chromium-cdp-chrome-har.har");
const ORIGIN: &str = "http://127.0.0.1:8080";
/// 2026-12-01T02:43:44.123Z
const SENT_AT: f64 = 1_796_093_024_123.0;

fn outcome(
    content_type: &str,
    body: &[u8],
    timing: Result<wire::resource_timing::TimingBreakdown, String>,
) -> HttpOutcome {
    HttpOutcome {
        status: 200,
        status_text: "OK".into(),
        headers: vec![("content-type".into(), content_type.into())],
        body: Rc::new(body.to_vec()),
        body_is_text: std::str::from_utf8(body).is_ok(),
        duration_ms: 40.0,
        final_url: format!("{ORIGIN}/x"),
        redirected: false,
        timing,
    }
}

/// A fresh connection over TLS: DNS 5 ms, TCP 10, TLS 15, TTFB 20, download 8, after 2 ms queued.
fn fresh_tls_timing() -> TimingEntry {
    TimingEntry {
        start_time: 100.0,
        fetch_start: 100.0,
        domain_lookup_start: 102.0,
        domain_lookup_end: 107.0,
        connect_start: 107.0,
        secure_connection_start: 117.0,
        connect_end: 132.0,
        request_start: 132.0,
        response_start: 152.0,
        response_end: 160.0,
        transfer_size: 900.0,
        encoded_body_size: 600.0,
        decoded_body_size: 600.0,
        next_hop_protocol: "h2".into(),
        is_https: true,
        ..TimingEntry::default()
    }
}

/// The lab after sending each request in turn, answered with each result.
fn lab_after(exchanges: Vec<(HttpRequest, Result<HttpOutcome, wire::http_lab::FetchFailure>)>) -> HttpLabState {
    let mut lab = HttpLabState::new(ORIGIN, Ok(None));
    for (index, (request, result)) in exchanges.into_iter().enumerate() {
        lab.apply(HttpEvent::Import(request), 0.0);
        lab.apply(HttpEvent::Send, SENT_AT + index as f64 * 1_000.0);
        lab.apply(HttpEvent::Finished(result), 0.0);
    }
    lab
}

fn exported(lab: &HttpLabState) -> String {
    let current = match &lab.exchange {
        wire::http_lab::Exchange::Done { outcome, .. } => lab.exchange_entry.map(|id| (id, outcome.as_ref())),
        _ => None,
    };
    // The creator's version is the crate's, whatever it is now.
    to_json(&http_lab_har(lab.history.entries(), current)).replace(env!("CARGO_PKG_VERSION"), "VERSION")
}

fn check(actual: String, expected: Expect) {
    expected.assert_eq(&actual);
}

case_test! {
    fn dates_are_written_as_devtools_does_and_read_in_any_offset() {
        assert_eq!(format_date(SENT_AT), "2026-12-01T02:43:44.123Z");
        assert_eq!(format_date(f64::NAN), "1970-01-01T00:00:00.000Z");
        let cases: [(&str, Result<f64, &str>); 6] = [
            ("2026-12-01T02:43:44.123Z", Ok(SENT_AT)),
            ("2026-12-01T03:43:44.123+01:00", Ok(SENT_AT)),
            ("2026-12-01T02:43:44.123456Z", Ok(SENT_AT + 0.456)),
            ("2026-12-01T02:43:44Z", Ok(SENT_AT - 123.0)),
            (" 2026-12-01T02:43:44.123Z\n", Ok(SENT_AT)),
            ("yesterday", Err("'yesterday' is not an ISO 8601 date with a time zone, such as 2026-12-01T02:43:44.123Z")),
        ];
        for (text, expected) in cases {
            let parsed = parse_date(text);
            match (&parsed, expected) {
                (Ok(ms), Ok(wanted)) => assert!((ms - wanted).abs() < 0.001, "{text}: {ms} vs {wanted}"),
                (Err(error), Err(wanted)) => assert_eq!(error, wanted),
                _ => panic!("{text}: {parsed:?}"),
            }
        }
        assert_eq!(file_name(SENT_AT, 0), "wirelab-20261201-024344.har");
        assert_eq!(file_name(SENT_AT, -300), "wirelab-20261130-214344.har");
    }

    fn timings_come_from_resource_timing_and_are_minus_one_where_unknown() {
        let reused = TimingEntry {
            domain_lookup_start: 0.0,
            domain_lookup_end: 0.0,
            connect_start: 0.0,
            connect_end: 0.0,
            secure_connection_start: 0.0,
            ..fresh_tls_timing()
        };
        let hidden = TimingEntry { start_time: 100.0, response_end: 130.0, ..TimingEntry::default() };
        let cases = [
            ("fresh TLS connection", Ok(breakdown(&fresh_tls_timing())), "blocked 2 dns 5 connect 25 ssl 15 send 0 wait 20 receive 8 = 60"),
            ("reused connection", Ok(breakdown(&reused)), "blocked 32 dns -1 connect -1 ssl -1 send 0 wait 20 receive 8 = 60"),
            ("cross-origin, no Timing-Allow-Origin", Ok(breakdown(&hidden)), "blocked -1 dns -1 connect -1 ssl -1 send 0 wait 40 receive 0 = 40"),
            ("no Resource Timing entry", Err("none".to_string()), "blocked -1 dns -1 connect -1 ssl -1 send 0 wait 40 receive 0 = 40"),
        ];
        for (name, timing, expected) in cases {
            let t = timings_from(&timing, 40.0);
            let shown = format!(
                "blocked {} dns {} connect {} ssl {} send {} wait {} receive {} = {}",
                t.blocked, t.dns, t.connect, t.ssl, t.send, t.wait, t.receive, t.total()
            );
            assert_eq!(shown, expected, "{name}");
        }
    }

    fn the_http_lab_exports_its_history_oldest_first_with_the_current_body() {
        let post = HttpRequest {
            method: "POST".into(),
            url: format!("{ORIGIN}/post?debug=1"),
            headers: vec![KeyValue::new("X-Trace", "7"), KeyValue::disabled("X-Off", "no")],
            body: RequestBody::Json("{\"a\":1}".into()),
            ..HttpRequest::default()
        };
        let binary = HttpRequest { url: format!("{ORIGIN}/bytes/4"), ..HttpRequest::default() };
        let lab = lab_after(vec![
            (post, Ok(outcome("application/json", b"{\"json\":{\"a\":1}}", Ok(breakdown(&fresh_tls_timing()))))),
            (
                HttpRequest { url: "http://127.0.0.1:1/refused".into(), ..HttpRequest::default() },
                Err(wire::http_lab::FetchFailure::Network("refused".into())),
            ),
            (binary, Ok(outcome("application/octet-stream", &[0, 1, 0xfe, 0xff], Err("none".into())))),
        ]);
        check(exported(&lab), expect![[r#"
            {
              "log": {
                "version": "1.2",
                "creator": {
                  "name": "Wirelab",
                  "version": "VERSION"
                },
                "pages": [
                  {
                    "startedDateTime": "2026-12-01T02:43:44.123Z",
                    "id": "page_1",
                    "title": "Wirelab HTTP lab",
                    "pageTimings": {
                      "onContentLoad": -1.0,
                      "onLoad": -1.0
                    }
                  }
                ],
                "entries": [
                  {
                    "pageref": "page_1",
                    "startedDateTime": "2026-12-01T02:43:44.123Z",
                    "time": 60.0,
                    "request": {
                      "method": "POST",
                      "url": "http://127.0.0.1:8080/post?debug=1",
                      "httpVersion": "HTTP/2",
                      "cookies": [],
                      "headers": [
                        {
                          "name": "X-Trace",
                          "value": "7"
                        },
                        {
                          "name": "Content-Type",
                          "value": "application/json"
                        }
                      ],
                      "queryString": [
                        {
                          "name": "debug",
                          "value": "1"
                        }
                      ],
                      "postData": {
                        "mimeType": "application/json",
                        "text": "{\"a\":1}"
                      },
                      "headersSize": -1,
                      "bodySize": 7
                    },
                    "response": {
                      "status": 200,
                      "statusText": "OK",
                      "httpVersion": "HTTP/2",
                      "cookies": [],
                      "headers": [
                        {
                          "name": "content-type",
                          "value": "application/json"
                        }
                      ],
                      "content": {
                        "size": 16,
                        "mimeType": "application/json",
                        "text": "",
                        "comment": "the history keeps no response bodies"
                      },
                      "redirectURL": "",
                      "headersSize": -1,
                      "bodySize": -1
                    },
                    "cache": {},
                    "timings": {
                      "blocked": 2.0,
                      "dns": 5.0,
                      "connect": 25.0,
                      "send": 0.0,
                      "wait": 20.0,
                      "receive": 8.0,
                      "ssl": 15.0
                    },
                    "_resourceType": "fetch"
                  },
                  {
                    "pageref": "page_1",
                    "startedDateTime": "2026-12-01T02:43:45.123Z",
                    "time": 0.0,
                    "request": {
                      "method": "GET",
                      "url": "http://127.0.0.1:1/refused",
                      "httpVersion": "",
                      "cookies": [],
                      "headers": [],
                      "queryString": [],
                      "headersSize": -1,
                      "bodySize": 0
                    },
                    "response": {
                      "status": 0,
                      "statusText": "",
                      "httpVersion": "",
                      "cookies": [],
                      "headers": [],
                      "content": {
                        "size": 0,
                        "mimeType": "x-unknown",
                        "text": ""
                      },
                      "redirectURL": "",
                      "headersSize": -1,
                      "bodySize": -1,
                      "_error": "Network error"
                    },
                    "cache": {},
                    "timings": {
                      "blocked": -1.0,
                      "dns": -1.0,
                      "connect": -1.0,
                      "send": 0.0,
                      "wait": 0.0,
                      "receive": 0.0,
                      "ssl": -1.0
                    },
                    "_resourceType": "fetch"
                  },
                  {
                    "pageref": "page_1",
                    "startedDateTime": "2026-12-01T02:43:46.123Z",
                    "time": 40.0,
                    "request": {
                      "method": "GET",
                      "url": "http://127.0.0.1:8080/bytes/4",
                      "httpVersion": "",
                      "cookies": [],
                      "headers": [],
                      "queryString": [],
                      "headersSize": -1,
                      "bodySize": 0
                    },
                    "response": {
                      "status": 200,
                      "statusText": "OK",
                      "httpVersion": "",
                      "cookies": [],
                      "headers": [
                        {
                          "name": "content-type",
                          "value": "application/octet-stream"
                        }
                      ],
                      "content": {
                        "size": 4,
                        "mimeType": "application/octet-stream",
                        "text": "AAH+/w==",
                        "encoding": "base64"
                      },
                      "redirectURL": "",
                      "headersSize": -1,
                      "bodySize": -1
                    },
                    "cache": {},
                    "timings": {
                      "blocked": -1.0,
                      "dns": -1.0,
                      "connect": -1.0,
                      "send": 0.0,
                      "wait": 40.0,
                      "receive": 0.0,
                      "ssl": -1.0
                    },
                    "_resourceType": "fetch"
                  }
                ]
              }
            }"#]]);
    }

    fn request_bodies_are_written_as_har_holds_them() {
        let cases: [(RequestBody, &str); 5] = [
            (RequestBody::None, "none"),
            (RequestBody::Form(vec![KeyValue::new("q", "a b"), KeyValue::disabled("off", "x")]),
                "application/x-www-form-urlencoded text=q=a+b params=[q=a b] size 5"),
            (RequestBody::Binary { source: BinarySource::Hex, text: "de ad be ef".into() },
                "application/octet-stream text=3q2+7w== encoding=base64 size 4"),
            (RequestBody::Text { content_type: "text/csv".into(), text: "a,b\n1,2".into() }, "text/csv text=a,b\n1,2 size 7"),
            (RequestBody::File { file_name: "dump.bin".into(), content_type: String::new(), size: 1024 },
                "application/octet-stream text= comment=the 1024 bytes of dump.bin (files are not kept) size 1024"),
        ];
        for (body, expected) in cases {
            let request = HttpRequest { method: "PUT".into(), url: format!("{ORIGIN}/put"), body, ..HttpRequest::default() };
            let lab = lab_after(vec![(request, Ok(outcome("text/plain", b"ok", Err("none".into()))))]);
            let har = http_lab_har(lab.history.entries(), None);
            let request = &har.log.entries[0].request;
            let shown = match &request.post_data {
                None => "none".to_string(),
                Some(post) => {
                    let mut shown = format!("{} text={}", post.mime_type, post.text);
                    if !post.params.is_empty() {
                        let params: Vec<String> = post.params.iter()
                            .map(|param| format!("{}={}", param.name, param.value_text())).collect();
                        shown.push_str(&format!(" params=[{}]", params.join(", ")));
                    }
                    if let Some(encoding) = &post.encoding { shown.push_str(&format!(" encoding={encoding}")); }
                    if let Some(comment) = &post.comment { shown.push_str(&format!(" comment={comment}")); }
                    format!("{shown} size {}", request.body_size)
                }
            };
            assert_eq!(shown, expected);
        }
    }

    fn the_websocket_lab_exports_its_connection_with_its_messages() {
        let mut log = MessageLog::default();
        log.push_event(EventKind::Info, "an earlier connection", SENT_AT - 5_000.0);
        let first = log.push_event(EventKind::Info, "Connecting to ws://127.0.0.1:8080/ws/inspect", SENT_AT);
        log.push_message(Direction::Sent, Payload::Text("hello".into()), SENT_AT + 20.5);
        log.push_message(Direction::Received, Payload::Text("hello".into()), SENT_AT + 22.0);
        log.push_message(Direction::Sent, Payload::Binary(vec![0, 1, 2, 255]), SENT_AT + 30.0);
        log.push_event(EventKind::Info, "Closed 1000", SENT_AT + 40.0);
        let mut session = WsSessionRecord::started("ws://127.0.0.1:8080/ws/inspect?x=1", &["chat".to_string()], SENT_AT, first);
        session.opened("chat", "permessage-deflate", SENT_AT + 12.0);
        session.closed(&CloseInfo { code: 1000, reason: "bye".into(), was_clean: true });
        // Read as /ws/inspect reports it (so fields added to the report later need no change here).
        let handshake: HandshakeFacts = serde_json::from_str(
            r#"{"key": "dGhlIHNhbXBsZSBub25jZQ==", "accept": "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                "offered_extensions": "permessage-deflate; client_max_window_bits", "extensions": "permessage-deflate",
                "offered_subprotocols": "chat", "subprotocol": "chat"}"#,
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let har = ws_lab_har(&session, &log, Some(&handshake));
        let entry = &har.log.entries[0];
        let headers = |list: &[wire::har::NameValue]| list.iter().map(|h| format!("{}: {}", h.name, h.value)).collect::<Vec<_>>().join(" | ");
        let messages = serde_json::to_string(&entry.web_socket_messages).unwrap_or_default();
        check(
            format!(
                "{} {} {}\n> {}\n< {} {}\n< {}\ntime {} wait {} type {:?} comment {:?}\n{messages}",
                entry.started_date_time, entry.request.method, entry.request.url,
                headers(&entry.request.headers),
                entry.response.status, entry.response.status_text,
                headers(&entry.response.headers),
                entry.time, entry.timings.wait, entry.resource_type, entry.comment,
            ),
            expect![[r#"
                2026-12-01T02:43:44.123Z GET ws://127.0.0.1:8080/ws/inspect?x=1
                > Connection: Upgrade | Upgrade: websocket | Sec-WebSocket-Version: 13 | Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ== | Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits | Sec-WebSocket-Protocol: chat
                < 101 Switching Protocols
                < Connection: Upgrade | Upgrade: websocket | Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo= | Sec-WebSocket-Protocol: chat | Sec-WebSocket-Extensions: permessage-deflate
                time 12 wait 12 type Some("websocket") comment Some("closed 1000 Normal Closure “bye”")
                [{"type":"send","time":1796093024.1435,"opcode":1,"data":"hello"},{"type":"receive","time":1796093024.145,"opcode":1,"data":"hello"},{"type":"send","time":1796093024.153,"opcode":2,"data":"AAEC/w=="}]"#]],
        );

        log.clear();
        log.push_message(Direction::Received, Payload::Text("late".into()), SENT_AT + 50.0);
        let har = ws_lab_har(&session, &log, None);
        let entry = &har.log.entries[0];
        assert_eq!(entry.web_socket_messages.as_ref().map(Vec::len), Some(1));
        assert!(entry.comment.as_deref().is_some_and(|comment| comment.contains("the earliest messages of this connection are not here")));

        let never_opened = WsSessionRecord::started("ws://127.0.0.1:1/", &[], SENT_AT, 0);
        let har = ws_lab_har(&never_opened, &MessageLog::default(), None);
        let entry = &har.log.entries[0];
        assert_eq!((entry.response.status, entry.response.error.as_deref()), (0, Some("the connection did not open")));
    }

    fn a_chrome_devtools_file_lands_in_the_history() {
        let import = import_har(CHROME).unwrap_or_else(|error| panic!("{error}"));
        check(describe_import(&import), expect![[r#"
            from WebInspector 537.36: 5 entries, 3 importable
            GET https://shop.example/cart?ref=mail&utm_source=news at 2026-11-30T09:15:02.417Z → 200 in 183.25 ms
              headers: accept: text/html,application/xhtml+xml | (off) accept-encoding: gzip, deflate, br, zstd | (off) cookie: session=abc123; theme=dark | (off) sec-fetch-mode: navigate | (off) user-agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0
              body: None
              response: http/2.0 text/html size 5120 timings 2.1/12.4/48.9/31.7/0.3/101.2/18.35 ip [2001:db8::7] type document
            POST https://shop.example/api/cart/items at 2026-11-30T09:15:03.006Z → 201 in 64.81 ms
              headers: authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig | (off) content-length: 29 | content-type: application/json | (off) origin: https://shop.example | x-request-id: 4f1c
              body: Json("{\"sku\":\"A-17\",\"quantity\":2}")
              response: http/2.0 application/json size 24 timings 0.9/-1/-1/-1/0.2/60.5/3.21 ip [2001:db8::7] type fetch
            GET https://tracker.example/pixel at 2026-11-30T09:15:03.620Z → net::ERR_BLOCKED_BY_CLIENT in 1.2 ms
              headers: 
              body: None
            skipped: Entry 3 (GET data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42m…): a data: URL: the browser decoded it itself, nothing crossed the network
            skipped: Entry 4 (GET wss://shop.example/live): a WebSocket connection with 3 messages: the HTTP lab sends HTTP requests, not WebSockets (use the WebSocket lab)"#]]);
    }

    fn a_firefox_file_lands_in_the_history() {
        let import = import_har(FIREFOX).unwrap_or_else(|error| panic!("{error}"));
        check(describe_import(&import), expect![[r#"
            from Firefox 133.0: 3 entries, 2 importable
            POST http://127.0.0.1:8080/post at 2026-11-30T09:20:30.100Z → 200 in 4 ms
              headers: (off) Host: 127.0.0.1:8080 | (off) User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 | Accept: */* | Content-Type: application/x-www-form-urlencoded | (off) Content-Length: 37 | (off) Connection: keep-alive
              body: Form([KeyValue { name: "user", value: "ada", enabled: true }, KeyValue { name: "note", value: "hello world & more", enabled: true }])
              response: HTTP/1.1 application/json size 380 timings 0/0/0/0/0/3/1 ip 127.0.0.1 type -
            GET http://127.0.0.1:8080/bytes/16 at 2026-11-30T09:20:30.250Z → 200 in 2 ms
              headers: (off) Host: 127.0.0.1:8080 | Accept: application/octet-stream
              body: None
              response: HTTP/1.1 application/octet-stream size 16 timings 0/0/0/0/0/2/0 ip 127.0.0.1 type -
            skipped: Entry 3 (GET moz-extension://4b3c/background.js): a moz-extension: URL, not an HTTP request"#]]);
        for entry in &import.entries {
            assert_eq!(entry.request.check(), Ok(()), "{} must send as imported", entry.request.url);
        }
    }

    fn files_recorded_by_chromium_import() {
        let cases = [
            ("Playwright's recordHar", CHROMIUM_PLAYWRIGHT, expect![[r#"
                from Playwright 1.65.1 recording chromium 156.0.8078.114: 3 of 4 entries
                GET http://127.0.0.1:8114/get?from=chromium → Some(200), sends Accept, Accept-Language, Upgrade-Insecure-Requests; body None
                POST http://127.0.0.1:8114/post → Some(200), sends Accept, Accept-Language, Content-Type; body Json("{\"recorded\": true}")
                GET http://127.0.0.1:8114/bytes/16 → Some(200), sends Accept, Accept-Language; body None
                skipped: Entry 4 (GET ws://127.0.0.1:8114/ws/echo): a WebSocket connection with 2 messages: the HTTP lab sends HTTP requests, not WebSockets (use the WebSocket lab)"#]]),
            ("chrome-har from the DevTools protocol", CHROMIUM_CDP, expect![[r#"
                from chrome-har 1.3.1: 3 of 3 entries
                GET http://127.0.0.1:8114/get?from=chromium → Some(200), sends Upgrade-Insecure-Requests, Accept, Accept-Language, Upgrade-Insecure-Requests; body None
                POST http://127.0.0.1:8114/post → Some(200), sends Content-Type; body Json("{\"recorded\":true}")
                GET http://127.0.0.1:8114/bytes/16 → Some(200), sends ; body None"#]]),
        ];
        for (_, text, expected) in cases {
            let import = import_har(text).unwrap_or_else(|error| panic!("{error}"));
            let mut lines = vec![format!("from {}: {} of {} entries", import.creator, import.entries.len(), import.total)];
            for entry in &import.entries {
                let sent: Vec<&str> = entry.request.headers.iter().filter(|row| row.enabled).map(|row| row.name.as_str()).collect();
                assert_eq!(entry.request.check(), Ok(()), "{} must send as imported", entry.request.url);
                lines.push(format!(
                    "{} {} → {:?}, sends {}; body {:?}",
                    entry.request.method,
                    entry.request.url,
                    entry.status,
                    sent.join(", "),
                    entry.request.body
                ));
            }
            lines.extend(import.skipped.iter().map(|skipped| format!("skipped: {skipped}")));
            expected.assert_eq(&lines.join("\n"));
        }
    }

    fn unreadable_and_partial_files_say_what_and_where() {
        let entry = |method: &str, url: &str| format!(
            r#"{{"startedDateTime":"2026-11-30T09:15:02.417Z","time":1,"request":{{"method":"{method}","url":"{url}"}},"response":{{"status":200}}}}"#
        );
        let good = entry("GET", "http://a.example/1");
        let cases: Vec<(&str, String, &str)> = vec![
            ("empty file", String::new(), "error: the file is empty."),
            ("not JSON", "<html>".into(), "error: this file is not valid JSON (expected value at line 1, column 1)."),
            ("a JSON list", "[1, 2]".into(), "error: this JSON is not a HAR file (invalid type: sequence, expected a HAR file (an object with \"log\") at line 1, column 1)."),
            ("no log", r#"{"entries": []}"#.into(), "error: this JSON is not a HAR file: it has no \"log\" object."),
            ("no entries", r#"{"log": {"version": "1.2"}}"#.into(), "error: this HAR file has no \"log.entries\" list."),
            ("entries not a list", r#"{"log": {"entries": {}}}"#.into(), "error: this JSON is not a HAR file (invalid type: map, expected a list of entries at line 1, column 20)."),
            ("no entries at all", r#"{"log": {"entries": []}}"#.into(), "0 of 0 read"),
            ("a bad field in one entry",
                format!("{{\"log\": {{\"entries\": [\n{good},\n{{\"request\": {{\"method\": \"GET\", \"url\": \"http://a.example/2\",\n \"headers\": [{{\"name\": \"x\", \"value\": null}}, {{\"name\": 5}}]}}}}\n]}}}}"),
                "1 of 2 read | Entry 2 (GET http://a.example/2): not read (line 4, field request.headers[1].name): invalid type: integer `5`, expected a string"),
            ("an entry with no request", format!(r#"{{"log": {{"entries": [{good}, {{"response": {{}}}}]}}}}"#),
                "1 of 2 read | Entry 2: not read (line 1): missing field `request`"),
            ("a bad date and a bad method",
                format!(r#"{{"log": {{"entries": [{}, {}]}}}}"#,
                    good.replace("2026-11-30T09:15:02.417Z", "30/11/2026"), entry("GE T", "http://a.example/")),
                "0 of 2 read | Entry 1 (GET http://a.example/1): startedDateTime: '30/11/2026' is not an ISO 8601 date with a time zone, such as 2026-12-01T02:43:44.123Z | Entry 2 (GE T http://a.example/): request.method 'GE T' is not an HTTP method"),
            ("cut off in the third entry",
                format!("{{\"log\": {{\"entries\": [{good},\n{good},\n{}", &good[..40]),
                "2 of 2 read | cut: The file breaks off after entry 2 (EOF while parsing a string at line 3, column 40); the entries before that point were read."),
            ("a byte order mark and extra fields", format!("\u{feff}{{\"_x\": 1, \"log\": {{\"_y\": [], \"entries\": [{good}]}}}}"), "1 of 1 read"),
        ];
        for (name, text, expected) in cases {
            let shown = match import_har(&text) {
                Err(error) => format!("error: {error}"),
                Ok(import) => {
                    let mut parts = vec![format!("{} of {} read", import.entries.len(), import.total)];
                    parts.extend(import.skipped.iter().map(ToString::to_string));
                    parts.extend(import.cut_short.iter().map(|cut| format!("cut: {cut}")));
                    parts.join(" | ")
                }
            };
            assert_eq!(shown, expected, "{name}");
        }
    }

    fn an_import_never_drops_what_the_history_holds() {
        let mut lab = HttpLabState::new(ORIGIN, Ok(Some(History::with_capacity(4))));
        lab.apply(HttpEvent::Send, SENT_AT);
        lab.apply(HttpEvent::Finished(Ok(outcome("text/plain", b"ok", Err("none".into())))), 0.0);
        lab.apply(HttpEvent::Send, SENT_AT + 1.0);
        let before: Vec<u64> = lab.history.entries().iter().map(|entry| entry.id).collect();

        let effects = lab.apply(HttpEvent::HarImported { file_name: "chrome.har".into(), result: import_har(CHROME) }, 0.0);
        assert_eq!(effects.len(), 1, "the history is stored");
        let notice = lab.har_notice.clone().unwrap_or_else(|| panic!("no notice"));
        check(format!("{}\n{}", notice.summary, notice.details.join("\n")), expect![[r#"
            Imported 2 of the 5 entries in chrome.har (written by WebInspector 537.36); they are at the top of the history. 2 skipped (below). 1 left out: the history holds at most 4 requests and had room for 2; clear it (or remove requests) and import again for the rest. Nothing already in the history was dropped.
            Entry 3 (GET data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42m…): a data: URL: the browser decoded it itself, nothing crossed the network
            Entry 4 (GET wss://shop.example/live): a WebSocket connection with 3 messages: the HTTP lab sends HTTP requests, not WebSockets (use the WebSocket lab)"#]]);
        let urls: Vec<&str> = lab.history.entries().iter().map(|entry| entry.request.url.as_str()).collect();
        assert_eq!(urls[..2], ["https://shop.example/api/cart/items", "https://shop.example/cart?ref=mail&utm_source=news"]);
        let kept: Vec<u64> = lab.history.entries()[2..].iter().map(|entry| entry.id).collect();
        assert_eq!(kept, before, "what was there stays, pending request included");

        let effects = lab.apply(HttpEvent::HarImported { file_name: "firefox.har".into(), result: import_har(FIREFOX) }, 0.0);
        assert!(effects.is_empty(), "nothing changed, nothing stored");
        let notice = lab.har_notice.clone().unwrap_or_else(|| panic!("no notice"));
        assert!(notice.is_problem());
        assert_eq!(lab.history.len(), 4);

        lab.apply(HttpEvent::HarImported { file_name: "notes.txt".into(), result: import_har("hello") }, 0.0);
        assert_eq!(
            lab.har_notice.map(|notice| notice.summary),
            Some("notes.txt could not be imported: this file is not valid JSON (expected value at line 1, column 1). The history is unchanged.".into())
        );
        assert_eq!(lab.history.len(), 4);
    }

    fn an_export_reads_back_as_the_same_requests() {
        let requests = vec![
            HttpRequest {
                method: "POST".into(),
                url: format!("{ORIGIN}/anything"),
                headers: vec![KeyValue::new("X-One", "1")],
                body: RequestBody::Json("{\"n\": [1, 2]}".into()),
                ..HttpRequest::default()
            },
            HttpRequest {
                method: "PATCH".into(),
                url: format!("{ORIGIN}/patch"),
                body: RequestBody::Binary { source: BinarySource::Base64, text: "3q2+7w==".into() },
                ..HttpRequest::default()
            },
            HttpRequest {
                method: "POST".into(),
                url: format!("{ORIGIN}/post"),
                body: RequestBody::Form(vec![KeyValue::new("a", "1 2"), KeyValue::new("b", "&")]),
                ..HttpRequest::default()
            },
            HttpRequest { url: format!("{ORIGIN}/get?x=1&y=%C3%A9"), ..HttpRequest::default() },
        ];
        let lab = lab_after(
            requests.iter().map(|request| (request.clone(), Ok(outcome("text/plain", b"ok", Err("none".into()))))).collect(),
        );
        let read = import_har(&exported(&lab)).unwrap_or_else(|error| panic!("{error}"));
        assert!(read.skipped.is_empty(), "{:?}", read.skipped);
        let read_back: Vec<HttpRequest> = read.entries.iter().map(|entry| entry.request.clone()).collect();
        let expected: Vec<HttpRequest> = requests
            .into_iter()
            .map(|mut request| {
                // The body's implied Content-Type travels as a header row.
                if let Some(content_type) = request.body.implied_content_type() {
                    request.headers.push(KeyValue::new("Content-Type", content_type));
                }
                request
            })
            .collect();
        assert_eq!(read_back, expected);
        let sent: Vec<f64> = read.entries.iter().map(|entry| entry.sent_at_ms).collect();
        assert_eq!(sent, [SENT_AT, SENT_AT + 1_000.0, SENT_AT + 2_000.0, SENT_AT + 3_000.0]);
    }
}

/// One line per imported entry (request, headers with the switched-off ones marked, body, the
/// recorded response), then the skipped ones.
fn describe_import(import: &HarImport) -> String {
    let mut lines =
        vec![format!("from {}: {} entries, {} importable", import.creator, import.total, import.entries.len())];
    for entry in &import.entries {
        let outcome = match (entry.status, &entry.error) {
            (Some(status), _) => status.to_string(),
            (None, Some(error)) => error.clone(),
            (None, None) => "pending".into(),
        };
        lines.push(format!(
            "{} {} at {} → {outcome} in {} ms",
            entry.request.method,
            entry.request.url,
            format_date(entry.sent_at_ms),
            entry.duration_ms.unwrap_or(-1.0)
        ));
        let headers: Vec<String> = entry
            .request
            .headers
            .iter()
            .map(|row| format!("{}{}: {}", if row.enabled { "" } else { "(off) " }, row.name, row.value))
            .collect();
        lines.push(format!("  headers: {}", headers.join(" | ")));
        lines.push(format!("  body: {:?}", entry.request.body));
        if let Some(response) = &entry.response {
            let t = response.timings;
            lines.push(format!(
                "  response: {} {} size {} timings {}/{}/{}/{}/{}/{}/{} ip {} type {}",
                response.http_version,
                response.mime_type,
                response.body_size,
                t.blocked,
                t.dns,
                t.connect,
                t.ssl,
                t.send,
                t.wait,
                t.receive,
                response.server_ip_address.as_deref().unwrap_or("-"),
                response.resource_type.as_deref().unwrap_or("-"),
            ));
        }
    }
    lines.extend(import.skipped.iter().map(|skipped| format!("skipped: {skipped}")));
    lines.join("\n")
}
