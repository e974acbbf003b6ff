//! The WebSocket lab as scripts of events: what each event asks the socket to do, what it writes
//! in the log, and which errors it shows, for connecting, sending, closing, `/ws/inspect` reports,
//! close codes, the forms and the saved messages.

use std::rc::Rc;

use expect_test::{Expect, expect};
use wire::binary_input::PayloadEncoding;
use wire::connection::CloseInfo;
use wire::lab::LabState;
use wire::message_log::{Direction, EntryBody, EventKind, LogFilter, Payload};
use wire::saved_messages::SavedMessages;
use wire::ws_inspect::{HandshakeFacts, InspectReport, MessageFacts};
use wire::ws_lab::{
    ComposerDraft, DraftEdit, FormEdit, Outgoing, SocketEvent, WsEffect, WsEvent, WsLabState, is_inspect_url,
};

const ECHO: &str = "ws://127.0.0.1:8080/ws/echo";
const INSPECT: &str = "ws://127.0.0.1:8080/ws/inspect";

fn lab() -> WsLabState {
    WsLabState::new("http:", "127.0.0.1:8080", SavedMessages::default())
}

fn text(value: &str) -> Payload {
    Payload::Text(value.to_string())
}

fn opened(url: &str) -> WsEvent {
    WsEvent::Socket(SocketEvent::Opened { url: url.into(), protocol: String::new(), extensions: String::new() })
}

fn closed(code: u16, reason: &str, was_clean: bool) -> WsEvent {
    WsEvent::Socket(SocketEvent::Closed(CloseInfo { code, reason: reason.into(), was_clean }))
}

fn received(payload: Payload) -> WsEvent {
    WsEvent::Socket(SocketEvent::Received(payload))
}

/// The events that open a connection to `url` as the app would report them.
fn connected_to(url: &str) -> Vec<WsEvent> {
    vec![
        WsEvent::Form(FormEdit::Url(url.into())),
        WsEvent::Connect,
        WsEvent::ConnectStarted { url: url.into(), protocols: Vec::new() },
        opened(url),
    ]
}

fn describe_effect(effect: &WsEffect) -> String {
    match effect {
        WsEffect::Open { url, protocols } => format!("open {url} offering {protocols:?}"),
        WsEffect::Send { payload, copies, outgoing } => {
            format!("send {copies} × {} {:?} ({outgoing:?})", kind(payload), payload.preview(40))
        }
        WsEffect::Close { code, reason } => format!("close {code} {reason:?}"),
        WsEffect::StoreSaved(json) => format!("store {json}"),
    }
}

fn kind(payload: &Payload) -> &'static str {
    if payload.is_binary() { "binary" } else { "text" }
}

/// Applies `events` in order and writes what each one did: its effects, the log lines it added,
/// the errors it set or cleared, and the connection state when that changed.
fn transcript(lab: &mut WsLabState, events: Vec<WsEvent>) -> String {
    let mut out = String::new();
    for (step, event) in events.into_iter().enumerate() {
        let last_id = lab.log.iter().last().map(|entry| entry.id);
        let before = (lab.form_error.clone(), lab.draft_error.clone(), lab.connection.label());
        let name = format!("{event:?}");
        let effects = lab.apply(event, step as f64);
        out.push_str(&format!("{}\n", first_chars(&name, 100)));
        for effect in &effects {
            out.push_str(&format!("  → {}\n", describe_effect(effect)));
        }
        for entry in lab.log.iter().filter(|entry| last_id.is_none_or(|last| entry.id > last)) {
            let line = match &entry.body {
                EntryBody::Event { kind: EventKind::Info, text } => format!("info: {text}"),
                EntryBody::Event { kind: EventKind::Error, text } => format!("error: {text}"),
                EntryBody::Message { direction, payload } => format!(
                    "{} {} {:?}",
                    if *direction == Direction::Sent { "sent" } else { "received" },
                    kind(payload),
                    payload.preview(40)
                ),
            };
            out.push_str(&format!("  log #{} {line}\n", entry.id));
        }
        if lab.form_error != before.0 {
            out.push_str(&format!("  form error: {:?}\n", lab.form_error));
        }
        if lab.draft_error != before.1 {
            out.push_str(&format!("  composer error: {:?}\n", lab.draft_error));
        }
        if lab.connection.label() != before.2 {
            out.push_str(&format!("  connection: {}\n", lab.connection.label()));
        }
    }
    out
}

fn first_chars(text: &str, max: usize) -> String {
    match wire::units::first_chars(text, max) {
        (start, true) => format!("{start}…"),
        (all, false) => all.to_string(),
    }
}

fn check(events: Vec<WsEvent>, expected: Expect) {
    expected.assert_eq(&transcript(&mut lab(), events));
}

fn handshake(accept: &str) -> WsEvent {
    let facts = HandshakeFacts {
        key: "dGhlIHNhbXBsZSBub25jZQ==".into(),
        accept: accept.into(),
        offered_extensions: Some("permessage-deflate; client_max_window_bits".into()),
        extensions: Some("permessage-deflate".into()),
        offered_subprotocols: None,
        subprotocol: None,
        capture: None,
    };
    received(Payload::Text(InspectReport::Handshake(facts).to_json()))
}

fn message_report(index: u64) -> WsEvent {
    let facts = MessageFacts {
        index,
        kind: "text".into(),
        frames: Vec::new(),
        wire_bytes: 5,
        message_bytes: 5,
        compressed: false,
    };
    received(Payload::Text(InspectReport::Message(facts).to_json()))
}

case_test! {
    fn a_connection_from_connect_to_a_clean_close() {
        let mut events = vec![
            WsEvent::Form(FormEdit::Subprotocols("chat, json".into())),
            WsEvent::Connect,
            WsEvent::ConnectStarted { url: ECHO.into(), protocols: vec!["chat".into(), "json".into()] },
            WsEvent::Socket(SocketEvent::Opened { url: ECHO.into(), protocol: "chat".into(), extensions: "permessage-deflate".into() }),
            WsEvent::Draft(DraftEdit::Text("hello".into())),
            WsEvent::Draft(DraftEdit::Repeat(2)),
            WsEvent::Send,
        ];
        events.extend([
            WsEvent::Sent(text("hello")),
            WsEvent::Sent(text("hello")),
            received(text("hello")),
            WsEvent::Form(FormEdit::CloseCode("4001".into())),
            WsEvent::Form(FormEdit::CloseReason("done for today".into())),
            WsEvent::Disconnect,
            WsEvent::CloseStarted { code: 4001 },
            closed(4001, "done for today", true),
        ]);
        check(events, expect![[r#"
            Form(Subprotocols("chat, json"))
            Connect
              → open ws://127.0.0.1:8080/ws/echo offering ["chat", "json"]
            ConnectStarted { url: "ws://127.0.0.1:8080/ws/echo", protocols: ["chat", "json"] }
              log #0 info: Connecting to ws://127.0.0.1:8080/ws/echo offering chat, json
              connection: connecting
            Socket(Opened { url: "ws://127.0.0.1:8080/ws/echo", protocol: "chat", extensions: "permessage-deflat…
              log #1 info: Connected to ws://127.0.0.1:8080/ws/echo · subprotocol chat · extensions permessage-deflate
              connection: open
            Draft(Text("hello"))
            Draft(Repeat(2))
            Send
              → send 2 × text "hello" (Draft)
            Sent(Text("hello"))
              log #2 sent text "hello"
            Sent(Text("hello"))
              log #3 sent text "hello"
            Socket(Received(Text("hello")))
              log #4 received text "hello"
            Form(CloseCode("4001"))
            Form(CloseReason("done for today"))
            Disconnect
              → close 4001 "done for today"
            CloseStarted { code: 4001 }
              log #5 info: Closing with 4001 Private Use (applications)
              connection: closing
            Socket(Closed(CloseInfo { code: 4001, reason: "done for today", was_clean: true }))
              log #6 info: Closed 4001 Private Use (applications) “done for today”: an application-defined reason.
              connection: closed
        "#]]);
    }

    fn what_is_refused_and_where_it_is_said() {
        let mut events = vec![
            WsEvent::Send,
            WsEvent::SendFile(Ok(vec![1, 2])),
            WsEvent::Form(FormEdit::Url("ftp://127.0.0.1/ws/echo".into())),
            WsEvent::Connect,
            WsEvent::Form(FormEdit::Url(ECHO.into())),
            WsEvent::Form(FormEdit::Subprotocols("chat chat".into())),
            WsEvent::Connect,
            WsEvent::Form(FormEdit::Subprotocols(String::new())),
            WsEvent::Connect,
            WsEvent::ConnectRefused { url: ECHO.into(), error: "SyntaxError: The URL is invalid".into() },
            WsEvent::Disconnect,
        ];
        events.extend(connected_to(ECHO));
        events.extend([
            WsEvent::Draft(DraftEdit::Encoding(PayloadEncoding::Hex)),
            WsEvent::Draft(DraftEdit::Text("de ad be eg".into())),
            WsEvent::Send,
            WsEvent::Draft(DraftEdit::Text("de ad be ef".into())),
            WsEvent::Send,
            WsEvent::SendRefused { outgoing: Outgoing::Draft, error: "InvalidStateError: still connecting".into() },
            WsEvent::SendFile(Err("the file could not be read".into())),
            WsEvent::Form(FormEdit::CloseCode("abc".into())),
            WsEvent::Disconnect,
            WsEvent::Form(FormEdit::CloseCode("1001".into())),
            WsEvent::Disconnect,
            WsEvent::Form(FormEdit::CloseCode("1000".into())),
            WsEvent::Form(FormEdit::CloseReason("x".repeat(124))),
            WsEvent::Disconnect,
            WsEvent::Form(FormEdit::CloseReason(String::new())),
            WsEvent::Disconnect,
            WsEvent::CloseRefused("InvalidAccessError: bad code".into()),
        ]);
        check(events, expect![[r#"
            Send
              composer error: Some("Nothing was sent: not connected: connect first, then send")
            SendFile(Ok([1, 2]))
              composer error: Some("The file was not sent: not connected: connect first, then send")
            Form(Url("ftp://127.0.0.1/ws/echo"))
            Connect
              form error: Some("a WebSocket URL starts with ws:// or wss://, not ftp:")
            Form(Url("ws://127.0.0.1:8080/ws/echo"))
              form error: None
            Form(Subprotocols("chat chat"))
            Connect
              form error: Some("subprotocol 'chat' is listed twice")
            Form(Subprotocols(""))
              form error: None
            Connect
              → open ws://127.0.0.1:8080/ws/echo offering []
            ConnectRefused { url: "ws://127.0.0.1:8080/ws/echo", error: "SyntaxError: The URL is invalid" }
              log #0 error: Could not start a connection to ws://127.0.0.1:8080/ws/echo: SyntaxError: The URL is invalid
            Disconnect
              form error: Some("not connected")
            Form(Url("ws://127.0.0.1:8080/ws/echo"))
              form error: None
            Connect
              → open ws://127.0.0.1:8080/ws/echo offering []
            ConnectStarted { url: "ws://127.0.0.1:8080/ws/echo", protocols: [] }
              log #1 info: Connecting to ws://127.0.0.1:8080/ws/echo
              connection: connecting
            Socket(Opened { url: "ws://127.0.0.1:8080/ws/echo", protocol: "", extensions: "" })
              log #2 info: Connected to ws://127.0.0.1:8080/ws/echo
              connection: open
            Draft(Encoding(Hex))
              composer error: None
            Draft(Text("de ad be eg"))
            Send
              composer error: Some("Nothing was sent: 'g' is not a hex digit at line 1, column 11")
            Draft(Text("de ad be ef"))
              composer error: None
            Send
              → send 1 × binary "de ad be ef" (Draft)
            SendRefused { outgoing: Draft, error: "InvalidStateError: still connecting" }
              composer error: Some("Nothing was sent: InvalidStateError: still connecting")
            SendFile(Err("the file could not be read"))
              composer error: Some("The file was not sent: the file could not be read")
            Form(CloseCode("abc"))
            Disconnect
              form error: Some("close code 'abc' is not a number from 1000 to 4999")
            Form(CloseCode("1001"))
              form error: None
            Disconnect
              form error: Some("a browser may only send close code 1000 or 3000–4999, not 1001")
            Form(CloseCode("1000"))
              form error: None
            Form(CloseReason("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…
            Disconnect
              form error: Some("the close reason is 124 bytes; the limit is 123 bytes of UTF-8")
            Form(CloseReason(""))
              form error: None
            Disconnect
              → close 1000 ""
            CloseRefused("InvalidAccessError: bad code")
              form error: Some("InvalidAccessError: bad code")
        "#]]);
    }

    fn closes_say_what_their_code_means_and_whether_it_is_a_problem() {
        let events = vec![
            closed(1000, "", true),
            closed(1001, "server shutting down", true),
            closed(1002, "", true),
            closed(1003, "", true),
            closed(1006, "", false),
            closed(1009, "", true),
            closed(1011, "", true),
            closed(1015, "", false),
            closed(4000, "bye", true),
            closed(1000, "", false),
        ];
        check(events, expect![[r#"
            Socket(Closed(CloseInfo { code: 1000, reason: "", was_clean: true }))
              log #0 info: Closed 1000 Normal Closure: the purpose of the connection was fulfilled.
              connection: closed
            Socket(Closed(CloseInfo { code: 1001, reason: "server shutting down", was_clean: true }))
              log #1 info: Closed 1001 Going Away “server shutting down”: the server is shutting down or the page is navigating away.
            Socket(Closed(CloseInfo { code: 1002, reason: "", was_clean: true }))
              log #2 error: Closed 1002 Protocol Error: an endpoint received a frame that breaks RFC 6455.
            Socket(Closed(CloseInfo { code: 1003, reason: "", was_clean: true }))
              log #3 error: Closed 1003 Unsupported Data: an endpoint received a kind of data it cannot accept.
            Socket(Closed(CloseInfo { code: 1006, reason: "", was_clean: false }))
              log #4 error: Closed 1006 Abnormal Closure: the connection dropped without a closing handshake (server unreachable, refused, or the TCP connection was cut). Browsers never reveal more than this. (not a clean close)
            Socket(Closed(CloseInfo { code: 1009, reason: "", was_clean: true }))
              log #5 error: Closed 1009 Message Too Big: a message was larger than the endpoint accepts.
            Socket(Closed(CloseInfo { code: 1011, reason: "", was_clean: true }))
              log #6 error: Closed 1011 Internal Error: the server hit an unexpected condition.
            Socket(Closed(CloseInfo { code: 1015, reason: "", was_clean: false }))
              log #7 error: Closed 1015 TLS Handshake Failure: the TLS handshake failed. (not a clean close)
            Socket(Closed(CloseInfo { code: 4000, reason: "bye", was_clean: true }))
              log #8 info: Closed 4000 Private Use (applications) “bye”: an application-defined reason.
            Socket(Closed(CloseInfo { code: 1000, reason: "", was_clean: false }))
              log #9 error: Closed 1000 Normal Closure: the purpose of the connection was fulfilled. (not a clean close)
        "#]]);
    }

    fn inspect_reports_check_the_handshake_and_attach_frames_to_sent_messages() {
        let mut events = connected_to(INSPECT);
        events.extend([
            handshake("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            WsEvent::Sent(text("one")),
            received(text("one")),
            message_report(0),
            WsEvent::Sent(text("two")),
            message_report(1),
            message_report(7),
            handshake("not-the-hash="),
        ]);
        let mut lab = lab();
        expect![[r#"
            Form(Url("ws://127.0.0.1:8080/ws/inspect"))
            Connect
              → open ws://127.0.0.1:8080/ws/inspect offering []
            ConnectStarted { url: "ws://127.0.0.1:8080/ws/inspect", protocols: [] }
              log #0 info: Connecting to ws://127.0.0.1:8080/ws/inspect
              connection: connecting
            Socket(Opened { url: "ws://127.0.0.1:8080/ws/inspect", protocol: "", extensions: "" })
              log #1 info: Connected to ws://127.0.0.1:8080/ws/inspect
              connection: open
            Socket(Received(Text("{\"inspect\":\"handshake\",\"key\":\"dGhlIHNhbXBsZSBub25jZQ==\",\"accept\":\"s…
              log #2 info: Handshake: Sec-WebSocket-Key dGhlIHNhbXBsZSBub25jZQ== → Sec-WebSocket-Accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo= = base64(SHA-1(key + GUID)) ✓ matches · extensions permessage-deflate
            Sent(Text("one"))
              log #3 sent text "one"
            Socket(Received(Text("one")))
              log #4 received text "one"
            Socket(Received(Text("{\"inspect\":\"message\",\"index\":0,\"kind\":\"text\",\"frames\":[],\"wire_by…
            Sent(Text("two"))
              log #5 sent text "two"
            Socket(Received(Text("{\"inspect\":\"message\",\"index\":1,\"kind\":\"text\",\"frames\":[],\"wire_by…
            Socket(Received(Text("{\"inspect\":\"message\",\"index\":7,\"kind\":\"text\",\"frames\":[],\"wire_by…
            Socket(Received(Text("{\"inspect\":\"handshake\",\"key\":\"dGhlIHNhbXBsZSBub25jZQ==\",\"accept\":\"n…
              log #6 info: Handshake: Sec-WebSocket-Key dGhlIHNhbXBsZSBub25jZQ== → Sec-WebSocket-Accept not-the-hash= = base64(SHA-1(key + GUID)) ✗ does not match · extensions permessage-deflate
        "#]]
        .assert_eq(&transcript(&mut lab, events));
        let mut attached: Vec<(u64, u64)> = lab.frames.iter().map(|(id, facts)| (*id, facts.index)).collect();
        attached.sort();
        assert_eq!(attached, [(3, 0), (5, 1)], "report n describes the n-th message sent");
        assert_eq!(lab.handshake.as_ref().map(|facts| facts.accept.as_str()), Some("not-the-hash="));
    }

    fn on_the_plain_echo_a_report_is_just_a_message() {
        let mut events = connected_to(ECHO);
        events.extend([WsEvent::Sent(text("one")), message_report(0)]);
        let mut lab = lab();
        let shown = transcript(&mut lab, events);
        assert!(shown.contains("log #3 received text \"{\\\"inspect\\\""), "{shown}");
        assert!(lab.frames.is_empty());
    }

    fn a_secure_page_starts_at_wss_and_refuses_ws() {
        let mut lab = WsLabState::new("https:", "wirelab.example", SavedMessages::default());
        assert_eq!(lab.form.url, "wss://wirelab.example/ws/echo");
        lab.apply(WsEvent::Form(FormEdit::Url(ECHO.into())), 0.0);
        assert_eq!(lab.apply(WsEvent::Connect, 0.0), []);
        assert_eq!(
            lab.form_error.as_deref(),
            Some("this page was loaded over HTTPS, so the browser blocks unencrypted ws:// connections (mixed content): use wss://")
        );
    }

    fn inspect_urls() {
        let cases = [(INSPECT, true), ("wss://x/ws/inspect?delay_ms=5", true), (ECHO, false), ("not a url", false)];
        for (url, expected) in cases {
            assert_eq!(is_inspect_url(url), expected, "{url}");
        }
    }

    fn form_edits() {
        let cases = [
            (FormEdit::Knob("delay_ms", "250".into()), "ws://127.0.0.1:8080/ws/echo?delay_ms=250"),
            (FormEdit::Knob("fragment", "16".into()), "ws://127.0.0.1:8080/ws/echo?delay_ms=250&fragment=16"),
            (FormEdit::Knob("delay_ms", String::new()), "ws://127.0.0.1:8080/ws/echo?fragment=16"),
            (FormEdit::Endpoint("/ws/inspect".into()), "ws://127.0.0.1:8080/ws/inspect?fragment=16"),
            (FormEdit::Url("not a url".into()), "not a url"),
            (FormEdit::Knob("delay_ms", "5".into()), "not a url"),
        ];
        let mut lab = lab();
        for (edit, expected) in cases {
            let label = format!("{edit:?}");
            lab.apply(WsEvent::Form(edit), 0.0);
            assert_eq!(lab.form.url, expected, "{label}");
        }
    }

    fn draft_edits() {
        let cases = [
            (DraftEdit::Repeat(0), PayloadEncoding::Text, "", 1),
            (DraftEdit::Repeat(5000), PayloadEncoding::Text, "", 5000),
            (DraftEdit::Repeat(10_000_000), PayloadEncoding::Text, "", 100_000),
            (DraftEdit::Text("ca fe".into()), PayloadEncoding::Text, "ca fe", 100_000),
            (DraftEdit::Message(PayloadEncoding::Hex, "de ad".into()), PayloadEncoding::Hex, "de ad", 100_000),
        ];
        let mut lab = lab();
        for (edit, encoding, text, repeat) in cases {
            let label = format!("{edit:?}");
            lab.apply(WsEvent::Draft(edit), 0.0);
            assert_eq!((lab.draft.encoding, lab.draft.text.as_str(), lab.draft.repeat), (encoding, text, repeat), "{label}");
        }
    }

    fn the_composer_says_how_many_bytes_it_will_send() {
        let cases = [
            (PayloadEncoding::Text, "", "0 B text"),
            (PayloadEncoding::Text, "héllo", "6 B text"),
            (PayloadEncoding::Hex, "de ad be ef", "4 B binary"),
            (PayloadEncoding::Hex, "de ad be e", ""),
            (PayloadEncoding::Base64, "3q2+7w==", "4 B binary"),
            (PayloadEncoding::Base64, "3q2+7w=!", ""),
        ];
        for (encoding, text, expected) in cases {
            let draft = ComposerDraft { encoding, text: text.into(), repeat: 1 };
            assert_eq!(draft.size_hint(), expected, "{encoding:?} {text:?}");
        }
    }

    fn reuse_and_saved_messages_fill_the_composer() {
        let events = vec![
            WsEvent::Reuse(Rc::new(Payload::Binary(vec![0xca, 0xfe]))),
            WsEvent::Save,
            WsEvent::Reuse(Rc::new(text("hi"))),
            WsEvent::Save,
            WsEvent::Save,
            WsEvent::UseSaved(1),
            WsEvent::ForgetSaved(0),
            WsEvent::Draft(DraftEdit::Text(String::new())),
            WsEvent::Save,
        ];
        let mut lab = lab();
        expect![[r#"
            Reuse(Binary([202, 254]))
            Save
              → store {"version":1,"messages":[{"encoding":"hex","text":"ca fe"}]}
            Reuse(Text("hi"))
            Save
              → store {"version":1,"messages":[{"encoding":"text","text":"hi"},{"encoding":"hex","text":"ca fe"}]}
            Save
              → store {"version":1,"messages":[{"encoding":"text","text":"hi"},{"encoding":"hex","text":"ca fe"}]}
            UseSaved(1)
            ForgetSaved(0)
              → store {"version":1,"messages":[{"encoding":"hex","text":"ca fe"}]}
            Draft(Text(""))
            Save
        "#]]
        .assert_eq(&transcript(&mut lab, events));
        assert_eq!((lab.draft.encoding, lab.draft.text.as_str()), (PayloadEncoding::Hex, ""));
    }

    fn the_log_revision_moves_with_the_log_only() {
        let mut lab = lab();
        let cases: [(WsEvent, bool); 7] = [
            (WsEvent::Draft(DraftEdit::Text("x".into())), false),
            (WsEvent::Filter(LogFilter { query: "x".into(), direction: None }), false),
            (WsEvent::Autoscroll(false), false),
            (received(text("x")), true),
            (WsEvent::Select(0), false),
            (WsEvent::ClearLog, true),
            (closed(1000, "", true), true),
        ];
        for (event, moves) in cases {
            let label = format!("{event:?}");
            let before = lab.log_revision();
            lab.apply(event, 0.0);
            assert_eq!(lab.log_revision() != before, moves, "{label}");
        }
        assert_eq!((lab.selected, lab.autoscroll, lab.log.len()), (None, false, 1), "Clear forgets the selection");
    }
}
