//! Links that reopen a lab, as tables: each lab's state through a link and back through its own
//! events comes out exactly as it went in; secrets are left out (and named) unless asked for;
//! damaged, cut, newer, oversized and foreign links are refused with their sentence; and how long
//! the links of typical states are.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use expect_test::expect;
use wire::binary_input::PayloadEncoding;
use wire::formats::Format;
use wire::formats::guess::Reading;
use wire::formats_lab::{CompareEdit, DecodeEdit, FormatsEvent, FormatsLabState, FormatsTab};
use wire::http_lab::{DraftEdit, HttpEvent, HttpLabState};
use wire::http_request::{Auth, BinarySource, HttpRequest, KeyValue, MultipartField, RequestBody};
use wire::lab::LabState;
use wire::saved_messages::SavedMessages;
use wire::share_link::{LinkError, MAX_INFLATED_BYTES, Secrets, Shareable, SharedLink, from_fragment, is_secret_name};
use wire::ws_lab::{DraftEdit as WsDraftEdit, FormEdit, WsEvent, WsLabState};

const ORIGIN: &str = "http://127.0.0.1:8080";

fn http_lab() -> HttpLabState {
    HttpLabState::new(ORIGIN, Ok(None))
}

fn ws_lab() -> WsLabState {
    WsLabState::new("http:", "127.0.0.1:8080", SavedMessages::default())
}

/// `lab` after `events`.
fn after<S: LabState>(mut lab: S, events: Vec<S::Event>) -> S {
    for event in events {
        let _effects = lab.apply(event, 0.0);
    }
    lab
}

/// `lab` shared (secrets as `secrets`), written as a fragment, read back and restored into `fresh`.
fn through_link<S: Shareable>(lab: &S, secrets: Secrets, fresh: S) -> (S, SharedLink, usize) {
    let link = lab.share(secrets);
    let fragment = link.to_fragment();
    let read = match from_fragment(&format!("#{fragment}")) {
        Some(Ok(read)) => read,
        other => panic!("the link did not read back: {other:?}"),
    };
    assert_eq!(read, link, "the link read back differs from the one written");
    let events = match S::restore(&read.state) {
        Ok(events) => events,
        Err(error) => panic!("the link did not restore: {error}"),
    };
    (after(fresh, events), link, fragment.len())
}

fn request_with_everything() -> HttpRequest {
    HttpRequest {
        method: "PATCH".into(),
        url: "https://user:hunter2@api.example.com/v1/items?page=2&access_token=abc123&sort=name".into(),
        headers: vec![
            KeyValue::new("Accept", "application/json"),
            KeyValue::new("Authorization", "Bearer eyJhbGciOi"),
            KeyValue::new("X-Api-Key", "k-123"),
            KeyValue::disabled("X-Trace", "off"),
            KeyValue::new("Cookie", "session=s3cr3t"),
        ],
        body: RequestBody::Form(vec![KeyValue::new("user", "ada"), KeyValue::new("password", "pw")]),
        auth: Auth::Basic { user: "ada".into(), password: "lovelace".into() },
        timeout_ms: None,
        include_credentials: true,
    }
}

fn http_states() -> Vec<(&'static str, HttpLabState)> {
    let edited = |events: Vec<HttpEvent>| after(http_lab(), events);
    vec![
        ("the lab as it opens", http_lab()),
        (
            "a POST with JSON, a switched-off parameter, a bearer token and the options",
            edited(vec![
                HttpEvent::Edit(DraftEdit::Method("POST".into())),
                HttpEvent::Edit(DraftEdit::Url(format!("{ORIGIN}/post?a=1&b=two+words"))),
                HttpEvent::Edit(DraftEdit::Params(vec![
                    KeyValue::new("a", "1"),
                    KeyValue::disabled("debug", "true"),
                    KeyValue::new("b", "two words"),
                ])),
                HttpEvent::Edit(DraftEdit::Headers(vec![KeyValue::new("X-Request-Id", "42")])),
                HttpEvent::Edit(DraftEdit::Body(RequestBody::Json(
                    "{\n  \"name\": \"Ada\",\n  \"tags\": [1, 2]\n}".into(),
                ))),
                HttpEvent::Edit(DraftEdit::Auth(Auth::Bearer { token: "t0k3n".into() })),
                HttpEvent::Edit(DraftEdit::Timeout(Some(1_500))),
                HttpEvent::Edit(DraftEdit::IncludeCredentials(true)),
                HttpEvent::ShowAsItArrives(true),
            ]),
        ),
        ("every kind of secret", edited(vec![HttpEvent::Import(request_with_everything())])),
        (
            "a hex body and a URL that does not parse yet",
            edited(vec![
                HttpEvent::Edit(DraftEdit::Url("localhost:8080/anything?x=%zz".into())),
                HttpEvent::Edit(DraftEdit::Body(RequestBody::Binary {
                    source: BinarySource::Hex,
                    text: "de ad be ef".into(),
                })),
            ]),
        ),
        (
            "multipart with a picked file",
            edited(vec![HttpEvent::Edit(DraftEdit::Body(RequestBody::Multipart(vec![
                MultipartField::text("title", "holiday"),
                MultipartField::file("photo", "beach.png", "image/png", 123_456),
            ])))]),
        ),
    ]
}

fn ws_states() -> Vec<(&'static str, WsLabState)> {
    let edited = |events: Vec<WsEvent>| after(ws_lab(), events);
    vec![
        ("the lab as it opens", ws_lab()),
        (
            "knobs, subprotocols, a close reason and a hex message sent 10 times",
            edited(vec![
                WsEvent::Form(FormEdit::Knob("delay_ms", "250".into())),
                WsEvent::Form(FormEdit::Knob("fragment", "3".into())),
                WsEvent::Form(FormEdit::Subprotocols("chat, superchat".into())),
                WsEvent::Form(FormEdit::CloseCode("4000".into())),
                WsEvent::Form(FormEdit::CloseReason("bye for now".into())),
                WsEvent::Draft(WsDraftEdit::Message(PayloadEncoding::Hex, "81 05 48 65 6c 6c 6f".into())),
                WsEvent::Draft(WsDraftEdit::Repeat(10)),
            ]),
        ),
        (
            "a token in the URL",
            edited(vec![WsEvent::Form(FormEdit::Url("wss://me:pw@chat.example.com/socket?room=7&token=xyz".into()))]),
        ),
    ]
}

fn formats_states() -> Vec<(&'static str, FormatsLabState)> {
    let edited = |events: Vec<FormatsEvent>| after(FormatsLabState::new(), events);
    let big: Vec<u8> = (0..100_000u32).map(|index| (index % 251) as u8).collect();
    vec![
        ("the lab as it opens", FormatsLabState::new()),
        (
            "an XML document typed and not yet applied, a schema of one's own, base64 bytes read as CBOR",
            edited(vec![
                FormatsEvent::ProtoSource(
                    "syntax = \"proto3\";\npackage demo;\nmessage Point { int32 x = 1; int32 y = 2; }\n".into(),
                ),
                FormatsEvent::Compare(CompareEdit::Format(Format::Xml)),
                FormatsEvent::Compare(CompareEdit::Text("<Point><x>3</x><y>-4</y></Point>".into())),
                FormatsEvent::Compare(CompareEdit::ApplyNow),
                FormatsEvent::Compare(CompareEdit::Text("<Point><x>3</x><y>-4</y></Point".into())),
                FormatsEvent::Message("demo.Point".into()),
                FormatsEvent::Decode(DecodeEdit::Text("omFhAWFiAg==".into())),
                FormatsEvent::Decode(DecodeEdit::Choice(Some(Reading::Cbor))),
                FormatsEvent::Tab(FormatsTab::Decode),
            ]),
        ),
        (
            "a 100,000-byte file in the Decode tab",
            edited(vec![
                FormatsEvent::Decode(DecodeEdit::File { name: "capture.bin".into(), bytes: Ok(big) }),
                FormatsEvent::Tab(FormatsTab::Decode),
            ]),
        ),
    ]
}

/// Restored labs compared by what a link holds with secrets, so every field counts.
fn assert_exact<S: Shareable>(name: &str, lab: &S, restored: &S) {
    assert_eq!(restored.share(Secrets::Include), lab.share(Secrets::Include), "{name}: not restored exactly");
}

case_test! {
    fn every_lab_comes_back_exactly_with_secrets_included() {
        for (name, lab) in http_states() {
            let (restored, _, _) = through_link(&lab, Secrets::Include, http_lab());
            assert_eq!(restored.draft, lab.draft, "{name}: the draft differs");
            assert_eq!(restored.show_as_it_arrives, lab.show_as_it_arrives, "{name}");
        }
        for (name, lab) in ws_states() {
            let (restored, _, _) = through_link(&lab, Secrets::Include, ws_lab());
            assert_eq!((&restored.form, &restored.draft), (&lab.form, &lab.draft), "{name}");
        }
        for (name, lab) in formats_states() {
            let (restored, _, _) = through_link(&lab, Secrets::Include, FormatsLabState::new());
            assert_exact(name, &lab, &restored);
            // The link holds the document as typed; text still settling is applied once it has.
            let lab = after(lab, vec![FormatsEvent::Settled]);
            assert_eq!(
                (&restored.compare, &restored.decode, &restored.message, &restored.proto_source, restored.tab),
                (&lab.compare, &lab.decode, &lab.message, &lab.proto_source, lab.tab),
                "{name}"
            );
        }
    }

    fn a_link_replaces_whatever_the_lab_held() {
        // The restore is a sequence of edits: it must not depend on the lab it lands in.
        let busy_http = after(http_lab(), vec![HttpEvent::Import(request_with_everything())]);
        let busy_formats = after(
            FormatsLabState::new(),
            vec![
                FormatsEvent::Compare(CompareEdit::Format(Format::Xml)),
                FormatsEvent::Decode(DecodeEdit::Choice(Some(Reading::Json))),
                FormatsEvent::Tab(FormatsTab::Craft),
            ],
        );
        for (name, lab) in http_states() {
            let (restored, _, _) = through_link(&lab, Secrets::Include, busy_http.clone());
            assert_eq!(restored.draft, lab.draft, "{name}");
        }
        for (name, lab) in formats_states() {
            let (restored, _, _) = through_link(&lab, Secrets::Include, busy_formats.clone());
            assert_exact(name, &lab, &restored);
        }
    }

    fn secrets_are_left_out_and_named_unless_asked_for() {
        let mut shown = Vec::new();
        for (name, lab) in http_states() {
            let (restored, link, _) = through_link(&lab, Secrets::LeaveOut, http_lab());
            let request = &restored.draft.request;
            shown.push(format!("{name}\n  {}", link.left_out_sentence().unwrap_or_else(|| "nothing left out".into())));
            shown.push(format!("  url: {}", request.url));
            for row in request.headers.iter().chain(&restored.draft.params) {
                shown.push(format!("  {} = {:?}{}", row.name, row.value, if row.enabled { "" } else { " (off)" }));
            }
            shown.push(format!("  auth: {:?}", request.auth));
            if let RequestBody::Form(rows) = &request.body {
                for row in rows {
                    shown.push(format!("  form {} = {:?}{}", row.name, row.value, if row.enabled { "" } else { " (off)" }));
                }
            }
        }
        for (name, lab) in ws_states() {
            let (restored, link, _) = through_link(&lab, Secrets::LeaveOut, ws_lab());
            shown.push(format!("{name}\n  {}", link.left_out_sentence().unwrap_or_else(|| "nothing left out".into())));
            shown.push(format!("  url: {}", restored.form.url));
        }
        expect![[r#"
            the lab as it opens
              nothing left out
              url: http://127.0.0.1:8080/get?greeting=hello
              greeting = "hello"
              auth: None
            a POST with JSON, a switched-off parameter, a bearer token and the options
              Left out: the bearer token.
              url: http://127.0.0.1:8080/post?a=1&b=two+words
              X-Request-Id = "42"
              a = "1"
              debug = "true" (off)
              b = "two words"
              auth: Bearer { token: "" }
            every kind of secret
              Left out: the value of the Authorization header, the value of the X-Api-Key header, the value of the Cookie header, the Basic auth password, the user name and password in the URL, the value of the query parameter access_token and the value of the form field password.
              url: https://api.example.com/v1/items?page=2&sort=name
              Accept = "application/json"
              Authorization = "" (off)
              X-Api-Key = "" (off)
              X-Trace = "off" (off)
              Cookie = "" (off)
              page = "2"
              access_token = "" (off)
              sort = "name"
              auth: Basic { user: "ada", password: "" }
              form user = "ada"
              form password = "" (off)
            a hex body and a URL that does not parse yet
              nothing left out
              url: localhost:8080/anything?x=%zz
              x = "%zz"
              auth: None
            multipart with a picked file
              Left out: the file beach.png (pick it again).
              url: http://127.0.0.1:8080/get?greeting=hello
              greeting = "hello"
              auth: None
            the lab as it opens
              nothing left out
              url: ws://127.0.0.1:8080/ws/echo
            knobs, subprotocols, a close reason and a hex message sent 10 times
              nothing left out
              url: ws://127.0.0.1:8080/ws/echo?delay_ms=250&fragment=3
            a token in the URL
              Left out: the user name and password in the URL and the value of the query parameter token.
              url: wss://chat.example.com/socket?room=7
        "#]]
        .assert_eq(&(shown.join("\n") + "\n"));
    }

    fn names_that_hold_secrets() {
        let secret = [
            "Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "x-auth-token", "access_token",
            "accessToken", "client_secret", "password", "PASSWD", "api-key", "apikey", "key", "sig",
            "X-Amz-Signature", "X-Amz-Security-Token", "sessionId", "refreshtoken", "passphrase",
        ];
        let ordinary = [
            "Accept", "Content-Type", "greeting", "page", "keyword", "monkey", "sort", "passenger", "X-Request-Id",
            "User-Agent", "tokens_used_total_count", "", "q",
        ];
        for name in secret {
            assert!(is_secret_name(name), "{name} should be a secret's name");
        }
        for name in ordinary {
            assert!(!is_secret_name(name), "{name} should not be a secret's name");
        }
    }

    fn bad_links_are_refused_with_their_reason() {
        fn zlib(bytes: &[u8]) -> String {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(bytes).expect("writing to a Vec");
            URL_SAFE_NO_PAD.encode(encoder.finish().expect("writing to a Vec"))
        }
        let good = http_lab().share(Secrets::LeaveOut).to_fragment();
        let cut = &good[..good.len() - 12];
        let mut changed = good.clone().into_bytes();
        let middle = changed.len() / 2;
        changed[middle] = if changed[middle] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).expect("ASCII");
        let bomb = format!("link=1.{}", zlib(&vec![b' '; MAX_INFLATED_BYTES + 1]));
        let cases: Vec<(&str, String)> = vec![
            ("no link in the fragment", "#section-2".into()),
            ("no version", "#link=eJwDAAAAAAE".into()),
            ("a version that is not a number", "#link=v1.eJwDAAAAAAE".into()),
            ("an older version that never existed", "#link=0.eJwDAAAAAAE".into()),
            ("a newer Wirelab", "#link=2.eJwDAAAAAAE".into()),
            ("a character no link has", "#link=1.eJwD AAAAAAE".into()),
            ("cut short", format!("#{cut}")),
            ("one character changed", format!("#{changed}")),
            ("not compressed at all", format!("#link=1.{}", URL_SAFE_NO_PAD.encode(b"{\"lab\":\"http\"}"))),
            ("a zip bomb", format!("#{bomb}")),
            ("not JSON", format!("#link=1.{}", zlib(b"hello"))),
            ("a lab Wirelab does not know", format!("#link=1.{}", zlib(b"{\"lab\":\"gopher\"}"))),
            ("padding some tool added", format!("#{good}==")),
        ];
        let shown: Vec<String> = cases
            .iter()
            .map(|(name, fragment)| {
                let outcome = match from_fragment(fragment) {
                    None => "not a link".to_string(),
                    Some(Ok(link)) => format!("read: {:?}", link.state.lab()),
                    Some(Err(error)) => error.to_string(),
                };
                format!("{name}: {outcome}")
            })
            .collect();
        let bomb_length = bomb.len();
        assert!(bomb_length < 10_000, "the bomb is a short link ({bomb_length} characters)");
        expect![[r#"
            no link in the fragment: not a link
            no version: This link is damaged: after #link= it should have a version number and a dot, so it was not opened; the lab started as usual.
            a version that is not a number: This link is damaged: after #link= it should have a version number and a dot, so it was not opened; the lab started as usual.
            an older version that never existed: This link is damaged: after #link= it should have a version number and a dot, so it was not opened; the lab started as usual.
            a newer Wirelab: This link was made by a newer Wirelab (link version 2; this one reads version 1), so it was not opened; the lab started as usual.
            a character no link has: This link is damaged: ' ' at character 5 of its data cannot be in a link (was it changed when it was copied?), so it was not opened; the lab started as usual.
            cut short: This link is cut short or damaged (its data does not unpack: was it copied whole?), so it was not opened; the lab started as usual.
            one character changed: This link is cut short or damaged (its data does not unpack: was it copied whole?), so it was not opened; the lab started as usual.
            not compressed at all: This link is cut short or damaged (its data does not unpack: was it copied whole?), so it was not opened; the lab started as usual.
            a zip bomb: This link unpacks to more than 4 MiB, more than any Wirelab link holds, so it was not opened; the lab started as usual.
            not JSON: This link does not hold a lab's state that Wirelab reads (expected value at line 1 column 1), so it was not opened; the lab started as usual.
            a lab Wirelab does not know: This link does not hold a lab's state that Wirelab reads (unknown variant `gopher`, expected one of `http`, `ws`, `formats` at line 1 column 16), so it was not opened; the lab started as usual.
            padding some tool added: read: Http
        "#]]
        .assert_eq(&(shown.join("\n") + "\n"));
    }

    fn a_link_for_another_lab_says_where_it_belongs() {
        let link = ws_lab().share(Secrets::LeaveOut);
        let refused = [
            HttpLabState::restore(&link.state).err(),
            FormatsLabState::restore(&link.state).err(),
        ];
        let shown: Vec<String> = refused.iter().map(|error| error.as_ref().map_or("restored".into(), LinkError::to_string)).collect();
        expect![[r#"
            This link is for the WebSocket lab (open it at /ws), not the HTTP lab, so it was not opened; the lab started as usual.
            This link is for the WebSocket lab (open it at /ws), not the Formats lab, so it was not opened; the lab started as usual.
        "#]]
        .assert_eq(&(shown.join("\n") + "\n"));
    }

    fn how_long_typical_links_are() {
        let mut shown = Vec::new();
        for (name, lab) in http_states() {
            shown.push(format!("HTTP, {name}: {}", lab.share(Secrets::LeaveOut).to_url(ORIGIN).len()));
        }
        for (name, lab) in ws_states() {
            shown.push(format!("WebSocket, {name}: {}", lab.share(Secrets::LeaveOut).to_url(ORIGIN).len()));
        }
        for (name, lab) in formats_states() {
            shown.push(format!("Formats, {name}: {}", lab.share(Secrets::LeaveOut).to_url(ORIGIN).len()));
        }
        // Bigger states: a 10 KB JSON body of varied records, and 4 KiB of random bytes typed as hex
        // (random bytes do not compress: 4/3 of their size in base64url, here of their hex text).
        let records: Vec<String> = (0..150)
            .map(|index| format!("{{\"id\": {index}, \"name\": \"sensor-{}\", \"value\": {}.{}}}", index * 7919 % 1000, index * 37 % 100, index % 10))
            .collect();
        let body = format!("[{}]", records.join(", "));
        let big_body = after(http_lab(), vec![HttpEvent::Edit(DraftEdit::Body(RequestBody::Json(body.clone())))]);
        shown.push(format!(
            "HTTP, a {} byte JSON body: {}",
            body.len(),
            big_body.share(Secrets::LeaveOut).to_url(ORIGIN).len()
        ));
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let random: Vec<String> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                format!("{:02x}", state as u8)
            })
            .collect();
        let random_bytes = after(FormatsLabState::new(), vec![FormatsEvent::Decode(DecodeEdit::Text(random.join(" ")))]);
        shown.push(format!(
            "Formats, 4096 random bytes typed as hex: {}",
            random_bytes.share(Secrets::LeaveOut).to_url(ORIGIN).len()
        ));
        // Upper bounds, not exact lengths: the deflate stream (so the length, by a few characters)
        // depends on which flate2 backend cargo's feature unification picks for the build. Measured
        // with the default backend: 260, 433, 555, 297, 405, 183, 256, 255, 368, 288, 2,460, 1,813
        // and 8,360 characters; built together with the server (zlib-rs), 553 for the secrets, 407 for
        // multipart, 1,819 for the JSON body and 8,361 for the random bytes.
        let most = [
            ("HTTP, the lab as it opens", 290),
            ("HTTP, a POST with JSON, a switched-off parameter, a bearer token and the options", 480),
            ("HTTP, every kind of secret", 610),
            ("HTTP, a hex body and a URL that does not parse yet", 330),
            ("HTTP, multipart with a picked file", 450),
            ("WebSocket, the lab as it opens", 210),
            ("WebSocket, knobs, subprotocols, a close reason and a hex message sent 10 times", 290),
            ("WebSocket, a token in the URL", 290),
            ("Formats, the lab as it opens", 410),
            ("Formats, an XML document typed and not yet applied, a schema of one's own, base64 bytes read as CBOR", 320),
            ("Formats, a 100,000-byte file in the Decode tab", 2_700),
            ("HTTP, a 7354 byte JSON body", 2_000),
            // Random bytes do not compress: 4/3 of their hex text's deflated size, about 8,360.
            ("Formats, 4096 random bytes typed as hex", 8_450),
        ];
        assert_eq!(shown.len(), most.len(), "one bound per state: {shown:#?}");
        for (line, (name, bound)) in shown.iter().zip(most) {
            let Some((shown_name, length)) = line.rsplit_once(": ") else {
                panic!("a line reads `name: length`: {line}");
            };
            assert_eq!(shown_name, name, "the states in order");
            let length: usize = length.parse().unwrap_or(usize::MAX);
            assert!(length <= bound, "{name}: a link of {length} characters, more than {bound}");
        }
    }
}
