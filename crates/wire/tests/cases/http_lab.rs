//! The HTTP lab as scripts of events (edits, Send, Cancel, responses, history), and the editor's
//! helpers as tables: body kinds, the live body check, the request as HTTP/1.1 would carry it.

use std::rc::Rc;

use expect_test::{Expect, expect};
use wire::history::History;
use wire::http_lab::{
    BodyKind, DraftEdit, Exchange, FetchFailure, HttpEffect, HttpEvent, HttpLabState, HttpOutcome, composed_wire_form,
    first_request, live_body_problem,
};
use wire::http_request::{Auth, BinarySource, HttpRequest, KeyValue, MultipartField, RequestBody};
use wire::lab::LabState;

const ORIGIN: &str = "http://127.0.0.1:8080";

fn lab() -> HttpLabState {
    HttpLabState::new(ORIGIN, Ok(None))
}

fn ok(status: u16) -> HttpEvent {
    HttpEvent::Finished(Ok(HttpOutcome {
        status,
        status_text: "OK".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: Rc::new(b"{}".to_vec()),
        body_is_text: true,
        duration_ms: 12.5,
        final_url: format!("{ORIGIN}/get"),
        redirected: false,
        timing: Err("no timing".into()),
    }))
}

fn describe_effect(effect: &HttpEffect) -> String {
    match effect {
        HttpEffect::Fetch { request, as_it_arrives } => {
            format!("fetch {} {}{}", request.method, request.url, if *as_it_arrives { " as it arrives" } else { "" })
        }
        HttpEffect::EventSource(effect) => format!("event source: {effect:?}"),
        HttpEffect::Abort => "abort".into(),
        HttpEffect::StoreHistory(json) => {
            let stored = History::from_json(json, 10).map(|history| {
                let entries: Vec<String> = history
                    .entries()
                    .iter()
                    .map(|entry| match (&entry.status, &entry.error) {
                        (Some(status), _) => format!("{} → {status}", entry.request.label()),
                        (None, Some(error)) => format!("{} → {error}", entry.request.label()),
                        (None, None) => format!("{} → pending", entry.request.label()),
                    })
                    .collect();
                entries.join(", ")
            });
            format!("store history [{}]", stored.unwrap_or_else(|error| error))
        }
    }
}

fn describe_exchange(exchange: &Exchange) -> String {
    match exchange {
        Exchange::Idle => "idle".into(),
        Exchange::Sending => "sending".into(),
        Exchange::Done { outcome, sent } => format!("done: {} for {}", outcome.status, sent.label()),
        Exchange::Failed { failure, sent } => format!("failed: {} for {}", failure.title(), sent.label()),
    }
}

/// Applies `events` in order and writes what each did: effects, the problem, the exchange, and
/// the URL and query table when they changed.
fn transcript(lab: &mut HttpLabState, events: Vec<HttpEvent>) -> String {
    let mut out = String::new();
    for (step, event) in events.into_iter().enumerate() {
        let before = (lab.problem.clone(), describe_exchange(&lab.exchange), lab.draft.clone());
        out.push_str(&format!("{event:?}\n"));
        for effect in lab.apply(event, 1_000.0 * step as f64) {
            out.push_str(&format!("  → {}\n", describe_effect(&effect)));
        }
        if lab.problem != before.0 {
            out.push_str(&format!("  problem: {}\n", lab.problem.as_ref().map_or("none".into(), ToString::to_string)));
        }
        if describe_exchange(&lab.exchange) != before.1 {
            out.push_str(&format!("  exchange: {}\n", describe_exchange(&lab.exchange)));
        }
        if lab.draft != before.2 {
            let params: Vec<String> = lab
                .draft
                .params
                .iter()
                .map(|row| format!("{}={}{}", row.name, row.value, if row.enabled { "" } else { " (off)" }))
                .collect();
            out.push_str(&format!(
                "  draft: {} {} [{}]\n",
                lab.draft.request.method,
                lab.draft.request.url,
                params.join(", ")
            ));
        }
    }
    out
}

fn check(events: Vec<HttpEvent>, expected: Expect) {
    expected.assert_eq(&transcript(&mut lab(), events));
}

case_test! {
    fn the_url_and_the_query_table_follow_each_other() {
        check(
            vec![
                HttpEvent::Edit(DraftEdit::Url(format!("{ORIGIN}/get?a=1&b=2"))),
                HttpEvent::Edit(DraftEdit::Params(vec![KeyValue::new("a", "1"), KeyValue::disabled("b", "2"), KeyValue::new("c", "x y")])),
                HttpEvent::Edit(DraftEdit::Url(format!("{ORIGIN}/get?a=9&c=x+y"))),
                HttpEvent::Edit(DraftEdit::Method("POST".into())),
            ],
            expect![[r#"
                Edit(Url("http://127.0.0.1:8080/get?a=1&b=2"))
                  draft: GET http://127.0.0.1:8080/get?a=1&b=2 [a=1, b=2]
                Edit(Params([KeyValue { name: "a", value: "1", enabled: true }, KeyValue { name: "b", value: "2", enabled: false }, KeyValue { name: "c", value: "x y", enabled: true }]))
                  draft: GET http://127.0.0.1:8080/get?a=1&c=x+y [a=1, b=2 (off), c=x y]
                Edit(Url("http://127.0.0.1:8080/get?a=9&c=x+y"))
                  draft: GET http://127.0.0.1:8080/get?a=9&c=x+y [a=9, c=x y, b=2 (off)]
                Edit(Method("POST"))
                  draft: POST http://127.0.0.1:8080/get?a=9&c=x+y [a=9, c=x y, b=2 (off)]
            "#]],
        );
    }

    fn send_check_fetch_answer_and_history() {
        let mut lab = lab();
        let shown = transcript(
            &mut lab,
            vec![
                HttpEvent::Edit(DraftEdit::Url("127.0.0.1:8080/get".into())),
                HttpEvent::Send,
                HttpEvent::Edit(DraftEdit::Url(format!("{ORIGIN}/get"))),
                HttpEvent::Send,
                HttpEvent::Send,
                ok(200),
                HttpEvent::Cancel,
                HttpEvent::Edit(DraftEdit::Url(format!("{ORIGIN}/delay/5"))),
                HttpEvent::Send,
                HttpEvent::Cancel,
                HttpEvent::Finished(Err(FetchFailure::Cancelled)),
                ok(200),
                HttpEvent::HistoryNotStored("QuotaExceededError: the storage is full".into()),
            ],
        );
        expect![[r#"
            Edit(Url("127.0.0.1:8080/get"))
              draft: GET 127.0.0.1:8080/get []
            Send
              problem: URL: '127.0.0.1:8080/get' has no scheme: did you mean http://127.0.0.1:8080/get ?
            Edit(Url("http://127.0.0.1:8080/get"))
              problem: none
              draft: GET http://127.0.0.1:8080/get []
            Send
              → store history [GET /get → pending]
              → fetch GET http://127.0.0.1:8080/get
              exchange: sending
            Send
            Finished(Ok(HttpOutcome { status: 200, status_text: "OK", headers: [("content-type", "application/json")], body: [123, 125], body_is_text: true, duration_ms: 12.5, final_url: "http://127.0.0.1:8080/get", redirected: false, timing: Err("no timing") }))
              → store history [GET /get → 200]
              exchange: done: 200 for GET /get
            Cancel
            Edit(Url("http://127.0.0.1:8080/delay/5"))
              draft: GET http://127.0.0.1:8080/delay/5 []
            Send
              → store history [GET /delay/5 → pending, GET /get → 200]
              → fetch GET http://127.0.0.1:8080/delay/5
              exchange: sending
            Cancel
              → abort
            Finished(Err(Cancelled))
              → store history [GET /delay/5 → Cancelled, GET /get → 200]
              exchange: failed: Cancelled for GET /delay/5
            Finished(Ok(HttpOutcome { status: 200, status_text: "OK", headers: [("content-type", "application/json")], body: [123, 125], body_is_text: true, duration_ms: 12.5, final_url: "http://127.0.0.1:8080/get", redirected: false, timing: Err("no timing") }))
            HistoryNotStored("QuotaExceededError: the storage is full")
        "#]]
        .assert_eq(&shown);
        assert_eq!(lab.history_notice.as_deref(), Some("QuotaExceededError: the storage is full"));
        assert_eq!(lab.history.entries().iter().map(|entry| entry.sent_at_ms).collect::<Vec<_>>(), [8_000.0, 3_000.0]);
    }

    fn history_and_imports_replace_the_draft() {
        let mut lab = lab();
        lab.apply(HttpEvent::Send, 0.0);
        lab.apply(ok(200), 0.0);
        let id = lab.history.entries()[0].id;
        let imported = HttpRequest { method: "DELETE".into(), url: format!("{ORIGIN}/anything?x=1"), ..HttpRequest::default() };
        let shown = transcript(
            &mut lab,
            vec![
                HttpEvent::Edit(DraftEdit::Method("GE T".into())),
                HttpEvent::Send,
                HttpEvent::Import(imported),
                HttpEvent::Restore(id),
                HttpEvent::Restore(999),
                HttpEvent::ClearHistory,
            ],
        );
        expect![[r#"
            Edit(Method("GE T"))
              draft: GE T http://127.0.0.1:8080/get?greeting=hello [greeting=hello]
            Send
              problem: method: a method is a single word of letters, digits and !#$%&'*+-.^_`|~; a space is not allowed at line 1, column 3
            Import(HttpRequest { method: "DELETE", url: "http://127.0.0.1:8080/anything?x=1", headers: [], body: None, auth: None, timeout_ms: Some(30000), include_credentials: false })
              problem: none
              draft: DELETE http://127.0.0.1:8080/anything?x=1 [x=1]
            Restore(1)
              draft: GET http://127.0.0.1:8080/get?greeting=hello [greeting=hello]
            Restore(999)
            ClearHistory
              → store history []
        "#]]
        .assert_eq(&shown);
        assert!(lab.history.is_empty());
    }

    fn the_lab_starts_at_the_page_servers_echo_with_its_stored_history() {
        assert_eq!(first_request("https://lab.example").url, "https://lab.example/get?greeting=hello");
        assert_eq!(first_request("null").url, "http://127.0.0.1:8080/get?greeting=hello");
        assert_eq!(first_request("").url, "http://127.0.0.1:8080/get?greeting=hello");
        let mut stored = History::with_capacity(5);
        stored.record(HttpRequest::default(), 1.0);
        let cases = [
            (Ok(None), 0, None),
            (Ok(Some(stored)), 1, None),
            (Err("it is not JSON".to_string()), 0, Some("The saved history could not be read (it is not JSON); a new one started.")),
        ];
        for (history, entries, notice) in cases {
            let lab = HttpLabState::new(ORIGIN, history);
            assert_eq!((lab.history.len(), lab.history_notice.as_deref()), (entries, notice));
            assert_eq!((lab.draft.params.len(), lab.is_sending()), (1, false));
        }
    }

    fn body_kinds_carry_typed_text_over() {
        let json = RequestBody::Json("{\"a\": 1}".into());
        let hex = RequestBody::Binary { source: BinarySource::Hex, text: "de ad".into() };
        let cases = [
            (&RequestBody::None, BodyKind::Json, RequestBody::Json("{\n  \n}".into())),
            (&json, BodyKind::Xml, RequestBody::Xml("{\"a\": 1}".into())),
            (&json, BodyKind::Text, RequestBody::Text { content_type: "text/plain; charset=utf-8".into(), text: "{\"a\": 1}".into() }),
            (&hex, BodyKind::Json, RequestBody::Json("de ad".into())),
            (&hex, BodyKind::Base64, RequestBody::Binary { source: BinarySource::Base64, text: String::new() }),
            (&json, BodyKind::Form, RequestBody::Form(vec![KeyValue::new("", "")])),
            (&json, BodyKind::Multipart, RequestBody::Multipart(vec![MultipartField::text("", "")])),
            (&json, BodyKind::File, RequestBody::File { file_name: String::new(), content_type: String::new(), size: 0 }),
            (&json, BodyKind::None, RequestBody::None),
        ];
        for (from, kind, expected) in cases {
            let converted = kind.convert(from);
            assert_eq!(converted, expected, "{from:?} as {kind:?}");
            assert_eq!(BodyKind::of(&converted), kind);
            assert_eq!(BodyKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(BodyKind::from_key("yaml"), None);
    }

    fn the_body_is_checked_while_it_is_typed() {
        let cases = [
            (RequestBody::Json("   ".into()), "fine"),
            (RequestBody::Json("{\"a\": 1,}".into()), "not JSON: trailing comma at line 1, column 9"),
            (RequestBody::Json("[1, 2]".into()), "fine"),
            (RequestBody::Xml(String::new()), "fine"),
            (RequestBody::Xml("<a><b></a>".into()), "not well-formed XML: ill-formed document: expected `</b>`, but `</a>` was found at line 1, column 7"),
            (RequestBody::Binary { source: BinarySource::Hex, text: "de ad bx".into() }, "'x' is not a hex digit at line 1, column 8"),
            (RequestBody::Binary { source: BinarySource::Base64, text: "3q2+7w==".into() }, "fine"),
            (RequestBody::Text { content_type: "text/plain\n".into(), text: "hi".into() }, "the content type cannot contain a line break at line 1, column 11"),
            (RequestBody::Form(vec![KeyValue::new("a b", "c")]), "fine"),
        ];
        for (body, expected) in cases {
            let shown = live_body_problem(&body).map_or("fine".to_string(), |error| error.to_string());
            assert_eq!(shown, expected, "{body:?}");
        }
    }

    fn the_request_as_http_1_1_would_carry_it() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:8080/post?x=1".into(),
            headers: vec![KeyValue::new("Accept", "*/*"), KeyValue::disabled("X-Off", "1")],
            body: RequestBody::Json("{\"a\": 1}".into()),
            auth: Auth::Bearer { token: "t0k3n".into() },
            ..HttpRequest::default()
        };
        let shown = [
            composed_wire_form(&request),
            composed_wire_form(&HttpRequest { url: "https://example.com".into(), ..HttpRequest::default() }),
            composed_wire_form(&HttpRequest {
                body: RequestBody::Binary { source: BinarySource::Hex, text: "ff fe".into() },
                ..request.clone()
            }),
            composed_wire_form(&HttpRequest {
                body: RequestBody::Binary { source: BinarySource::Hex, text: "ff fx".into() },
                ..request.clone()
            }),
            composed_wire_form(&HttpRequest {
                body: RequestBody::File { file_name: "a.png".into(), content_type: "image/png".into(), size: 10 },
                ..request.clone()
            }),
            composed_wire_form(&HttpRequest { url: "not a url".into(), ..HttpRequest::default() }),
        ]
        .join("\n---\n");
        expect![[r#"
            POST /post?x=1 HTTP/1.1
            host: 127.0.0.1:8080
            accept: */*
            content-type: application/json
            authorization: Bearer t0k3n

            {"a": 1}
            ---
            GET / HTTP/1.1
            host: example.com


            ---
            POST /post?x=1 HTTP/1.1
            host: 127.0.0.1:8080
            accept: */*
            content-type: application/octet-stream
            authorization: Bearer t0k3n

            (2 bytes of binary data)
            ---
            POST /post?x=1 HTTP/1.1
            host: 127.0.0.1:8080
            accept: */*
            content-type: application/octet-stream
            authorization: Bearer t0k3n

            (body not built: 'x' is not a hex digit at line 1, column 5)
            ---
            POST /post?x=1 HTTP/1.1
            host: 127.0.0.1:8080
            accept: */*
            content-type: image/png
            authorization: Bearer t0k3n

            (the bytes of a.png, 10 bytes)

            ---
            GET not a url HTTP/1.1

        "#]]
        .assert_eq(&shown);
    }
}
