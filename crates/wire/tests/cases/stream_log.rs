//! Streams as they arrive: the Server-Sent Events parser against the standard's rules (pieces
//! split anywhere), which responses are read chunk by chunk, the chunk/line/event log, the
//! EventSource panel's reconnects, and the HTTP lab's stream events, as tables and scripts.

use std::rc::Rc;

use wire::http_lab::{FetchFailure, HttpEffect, HttpEvent, HttpLabState, HttpOutcome};
use wire::lab::LabState;
use wire::stream_log::event_source::{EsEffect, EsEntry, EsEvent, EventSourcePanel, ReadyState};
use wire::stream_log::sse::{SseBlock, SseParser};
use wire::stream_log::{ChunkText, MAX_KEPT, StreamEnd, StreamFormat, StreamLog, reads_as_it_arrives};

/// A block in one line: its fields, whether it dispatches, and the last event id after it.
fn describe(block: &SseBlock) -> String {
    let mut parts = vec![format!("@{}", block.at_ms)];
    if let Some(id) = &block.id {
        parts.push(format!("id={id:?}"));
    }
    parts.push(format!("type={}", block.event_type()));
    match &block.data {
        Some(data) => parts.push(format!("data={data:?}")),
        None => parts.push("no event".into()),
    }
    if let Some(retry) = block.retry_ms {
        parts.push(format!("retry={retry}"));
    }
    if !block.comments.is_empty() {
        parts.push(format!("comments={:?}", block.comments));
    }
    if !block.ignored.is_empty() {
        parts.push(format!("ignored={:?}", block.ignored));
    }
    parts.push(format!("last={:?}", block.last_event_id));
    parts.join(" ")
}

/// Feeds `pieces` (piece i arriving at time i) and describes every block, one per line.
fn parse(pieces: &[&[u8]]) -> String {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    for (at, piece) in pieces.iter().enumerate() {
        out.extend(parser.feed(piece, at as f64).iter().map(describe));
    }
    out.join("\n")
}

case_test! {
    fn sse_blocks_follow_the_standard() {
        let cases: [(&str, &[&[u8]], &str); 16] = [
            ("one event", &[b"id: 1\nevent: tick\ndata: {\"a\":1}\n\n"],
                "@0 id=\"1\" type=tick data=\"{\\\"a\\\":1}\" last=\"1\""),
            ("no event type is message", &[b"data: hi\n\n"], "@0 type=message data=\"hi\" last=\"\""),
            ("an empty event type is message", &[b"event:\ndata: hi\n\n"], "@0 type=message data=\"hi\" last=\"\""),
            ("data lines join with LF", &[b"data: a\ndata:b\ndata\n\n"], "@0 type=message data=\"a\\nb\\n\" last=\"\""),
            ("one leading space goes, not two", &[b"data:  x\n\n"], "@0 type=message data=\" x\" last=\"\""),
            ("CRLF and CR end lines too", &[b"data: a\r\n\r\ndata: b\r\r"],
                "@0 type=message data=\"a\" last=\"\"\n@0 type=message data=\"b\" last=\"\""),
            ("retry alone dispatches nothing", &[b"retry: 1500\n: hello\n\n"],
                "@0 type=message no event retry=1500 comments=[\"hello\"] last=\"\""),
            ("a retry that is not all digits is ignored", &[b"retry: 15s\ndata: x\n\n"],
                "@0 type=message data=\"x\" ignored=[\"retry: 15s\"] last=\"\""),
            ("an id with NUL is ignored", &[b"id: a\0b\ndata: x\n\n"],
                "@0 type=message data=\"x\" ignored=[\"id: a\\0b\"] last=\"\""),
            ("unknown fields are ignored", &[b"colour: red\ndata: x\n\n"],
                "@0 type=message data=\"x\" ignored=[\"colour: red\"] last=\"\""),
            ("the last id carries over; an empty id resets it", &[b"id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"],
                "@0 id=\"7\" type=message data=\"a\" last=\"7\"\n@0 type=message data=\"b\" last=\"7\"\n@0 id=\"\" type=message data=\"c\" last=\"\""),
            ("blank lines alone end nothing", &[b"\n\n\r\n"], ""),
            ("a block cut by the end of the stream is not dispatched", &[b"data: a\n\ndata: b\n"],
                "@0 type=message data=\"a\" last=\"\""),
            ("a byte order mark opens the stream, even split", &[b"\xEF\xBB", b"\xBFdata: a\n\n"],
                "@1 type=message data=\"a\" last=\"\""),
            ("CR at the end of one piece, LF at the start of the next: one line end", &[b"data: a\r", b"\ndata: b\n\n"],
                "@1 type=message data=\"a\\nb\" last=\"\""),
            ("a character split between pieces", &[b"data: caf\xC3", b"\xA9\n\n"], "@1 type=message data=\"café\" last=\"\""),
        ];
        for (name, pieces, expected) in cases {
            assert_eq!(parse(pieces), expected, "{name}");
        }
    }

    fn sse_split_anywhere_parses_the_same() {
        let stream: &[u8] =
            b"\xEF\xBB\xBFretry: 1000\r\n: c\r\n\r\nid: 1\r\nevent: tick\r\ndata: {\"x\": \"\xC3\xA9\"}\r\n\r\nid: 2\rdata: a\rdata: b\r\r";
        let whole: Vec<String> = SseParser::new().feed(stream, 0.0).iter().map(describe).collect();
        assert_eq!(whole.len(), 3);
        let mut byte_by_byte = SseParser::new();
        let pieces: Vec<String> =
            stream.iter().flat_map(|byte| byte_by_byte.feed(&[*byte], 0.0)).map(|block| describe(&block)).collect();
        assert_eq!(pieces, whole);
        for split in 0..stream.len() {
            let mut parser = SseParser::new();
            let mut blocks = parser.feed(&stream[..split], 0.0);
            blocks.extend(parser.feed(&stream[split..], 0.0));
            let described: Vec<String> = blocks.iter().map(describe).collect();
            assert_eq!(described, whole, "split at {split}");
        }
        assert_eq!((byte_by_byte.last_event_id(), byte_by_byte.retry_ms()), ("2", Some(1000)));
    }

    fn which_responses_are_read_as_they_arrive() {
        let cases = [
            (false, "http://h/json", "application/json", false),
            (true, "http://h/json", "application/json", true),
            (false, "http://h/x", "text/event-stream", true),
            (false, "http://h/x", "Application/X-NDJSON; charset=utf-8", true),
            (false, "http://h/drip?numbytes=5", "application/octet-stream", true),
            (false, "http://h/stream/5", "", true),
            (false, "http://h/sse?count=3", "", true),
            (false, "http://h/streamed", "text/plain", false),
            (false, "not a url", "text/plain", false),
        ];
        for (asked, url, content_type, expected) in cases {
            assert_eq!(reads_as_it_arrives(asked, url, content_type), expected, "{asked} {url} {content_type}");
        }
        let formats = [
            ("text/event-stream", StreamFormat::EventStream),
            ("application/x-ndjson", StreamFormat::Lines),
            ("application/jsonl", StreamFormat::Lines),
            ("text/plain; charset=utf-8", StreamFormat::Lines),
            ("application/octet-stream", StreamFormat::Bytes),
            ("", StreamFormat::Bytes),
        ];
        for (content_type, format) in formats {
            assert_eq!(StreamFormat::of_content_type(content_type), format, "{content_type}");
        }
    }

    fn the_log_keeps_chunks_with_times_and_running_totals() {
        let mut log = StreamLog::new(StreamFormat::Lines, 200, "application/x-ndjson", 5.0);
        let pieces: [(f64, &[u8]); 4] = [(10.0, b"{\"id\":0}\n{\"id\""), (20.0, b":1}\r\n"), (30.0, b""), (40.0, b"{\"id\":2}")];
        for (at_ms, bytes) in pieces {
            log.push(at_ms, bytes);
        }
        log.end(41.0, StreamEnd::Complete);
        log.push(50.0, b"late");
        let chunks: Vec<(u64, f64, usize, u64)> =
            log.chunks.iter().map(|chunk| (chunk.number, chunk.at_ms, chunk.size, chunk.cumulative)).collect();
        assert_eq!(chunks, [(1, 10.0, 14, 14), (2, 20.0, 5, 19), (3, 30.0, 0, 19), (4, 40.0, 8, 27)]);
        let lines: Vec<(u64, f64, &str)> =
            log.lines.iter().map(|line| (line.number, line.at_ms, line.text.as_str())).collect();
        assert_eq!(lines, [(1, 10.0, "{\"id\":0}"), (2, 20.0, "{\"id\":1}"), (3, 41.0, "{\"id\":2}")]);
        assert_eq!(log.chunk_span_ms(), Some((10.0, 40.0)));
        let shown: Vec<ChunkText> = log.chunks.iter().map(|chunk| chunk.shown()).collect();
        assert_eq!(shown, [
            ChunkText::Text("{\"id\":0}\\n{\"id\"".into()),
            ChunkText::Text(":1}\\r\\n".into()),
            ChunkText::Text(String::new()),
            ChunkText::Text("{\"id\":2}".into()),
        ]);
        assert_eq!(log.ended, Some((41.0, StreamEnd::Complete)));
    }

    fn chunks_show_as_text_or_hex() {
        let cases: [(&[u8], ChunkText); 5] = [
            (b"****", ChunkText::Text("****".into())),
            (b"data: x\n\tcaf\xC3", ChunkText::Text("data: x\\n\tcaf".into())),
            (b"\x00\x01\xff", ChunkText::Hex("00 01 ff".into())),
            (b"ok\x07", ChunkText::Hex("6f 6b 07".into())),
            (b"\xC3\x28", ChunkText::Hex("c3 28".into())),
        ];
        for (bytes, shown) in cases {
            let mut log = StreamLog::new(StreamFormat::Bytes, 200, "", 0.0);
            log.push(1.0, bytes);
            assert_eq!(log.chunks.front().map(|chunk| chunk.shown()), Some(shown), "{bytes:?}");
        }
    }

    fn the_log_reads_events_and_caps_what_it_keeps() {
        let mut log = StreamLog::new(StreamFormat::EventStream, 200, "text/event-stream", 1.0);
        log.push(2.0, b"retry: 250\n\n");
        for id in 1..=(MAX_KEPT as u64 + 4) {
            log.push(id as f64 + 2.0, format!("id: {id}\ndata: {}\n\n", "x".repeat(300)).as_bytes());
        }
        assert_eq!((log.chunk_count, log.chunks.len()), (MAX_KEPT as u64 + 5, MAX_KEPT));
        assert_eq!((log.event_count, log.events.len()), (MAX_KEPT as u64 + 5, MAX_KEPT));
        assert_eq!(log.chunks.front().map(|chunk| (chunk.number, chunk.preview.len(), chunk.preview_is_cut())), Some((6, 256, true)));
        assert_eq!(log.events.back().and_then(|block| block.id.clone()), Some(format!("{}", MAX_KEPT + 4)));
        assert_eq!((log.retry_ms(), log.last_event_id()), (Some(250), "1004"));
        assert_eq!(log.first_chunk_ms, Some(2.0), "kept after its chunk is dropped");
    }
}

/// The panel's log in one line per entry.
fn describe_entry(entry: &EsEntry) -> String {
    match entry {
        EsEntry::Opened { at_ms, connection } => format!("{at_ms} opened #{connection}"),
        EsEntry::Message { at_ms, event_type, last_event_id, delay_ms, resumed_from, .. } => {
            format!("{at_ms} {event_type} id={last_event_id} delay={delay_ms:?} resumed_from={resumed_from:?}")
        }
        EsEntry::Error { at_ms, reconnecting, resume_from } => {
            format!("{at_ms} error reconnecting={reconnecting} resume_from={resume_from:?}")
        }
        EsEntry::Closed { at_ms } => format!("{at_ms} closed"),
    }
}

fn message(event_type: &str, id: u64, sent_at_ms: u64, resumed_from: Option<u64>) -> EsEvent {
    let resumed = resumed_from.map_or("null".to_string(), |id| id.to_string());
    EsEvent::Message {
        event_type: event_type.into(),
        last_event_id: id.to_string(),
        data: format!("{{\"id\":{id},\"sent_at_ms\":{sent_at_ms},\"retry_ms\":300,\"resumed_from\":{resumed}}}"),
    }
}

case_test! {
    fn the_event_source_panel_follows_reconnects_and_the_resume_point() {
        let mut panel = EventSourcePanel::new("http://127.0.0.1:8080/sse?count=3&close_after=2");
        // (page time, event, effects expected)
        let script: Vec<(f64, EsEvent, Vec<EsEffect>)> = vec![
            (1000.0, EsEvent::Open, vec![EsEffect::Open {
                url: "http://127.0.0.1:8080/sse?count=3&close_after=2".into(),
                event_types: vec!["message".into(), "tick".into(), "milestone".into()],
            }]),
            (1010.0, EsEvent::Opened, vec![]),
            (1012.0, message("tick", 1, 1008, None), vec![]),
            (1412.0, message("tick", 2, 1410, None), vec![]),
            (1415.0, EsEvent::Error { ready_state: 0 }, vec![]),
            (1720.0, EsEvent::Opened, vec![]),
            (1722.0, message("tick", 3, 1721, Some(2)), vec![]),
            (1730.0, EsEvent::Error { ready_state: 0 }, vec![]),
            (2040.0, EsEvent::Error { ready_state: 2 }, vec![EsEffect::Close]),
            (2050.0, message("tick", 9, 2050, None), vec![]),
        ];
        for (now, event, effects) in script {
            assert_eq!(panel.apply(event.clone(), now), effects, "{event:?}");
        }
        let log: Vec<String> = panel.entries.iter().map(describe_entry).collect();
        assert_eq!(log, [
            "10 opened #1",
            "12 tick id=1 delay=Some(4.0) resumed_from=None",
            "412 tick id=2 delay=Some(2.0) resumed_from=None",
            "415 error reconnecting=true resume_from=\"2\"",
            "720 opened #2",
            "722 tick id=3 delay=Some(1.0) resumed_from=Some(\"2\")",
            "730 error reconnecting=true resume_from=\"3\"",
            "1040 error reconnecting=false resume_from=\"3\"",
        ]);
        assert_eq!(panel.state, Some(ReadyState::Closed));
        assert_eq!((panel.reconnects(), panel.message_count, panel.last_event_id.as_str()), (1, 3, "3"));
        assert_eq!((panel.announced_retry_ms, panel.measured_reconnect_ms), (Some(300), Some(305.0)));
    }

    fn the_event_source_panel_refuses_what_it_cannot_open() {
        let cases = [
            ("ws://h/sse", "message", "EventSource needs an http or https URL, not ws:"),
            ("h/sse", "message", "Not a URL: relative URL without a base"),
            ("http://h/sse", " , ", "List at least one event type to listen for (message is the default type)."),
        ];
        for (url, types, problem) in cases {
            let mut panel = EventSourcePanel::new(url);
            panel.apply(EsEvent::EditEventTypes(types.into()), 0.0);
            assert_eq!(panel.apply(EsEvent::Open, 0.0), vec![], "{url}");
            assert_eq!(panel.problem.as_deref(), Some(problem), "{url}");
            assert_eq!(panel.state, None);
        }
        let mut panel = EventSourcePanel::new("http://h/sse");
        panel.apply(EsEvent::EditEventTypes("tick tick,message".into()), 0.0);
        assert_eq!(panel.listened_types(), ["tick", "message"]);
        assert_eq!(panel.apply(EsEvent::Close, 1.0), vec![], "nothing open to close");
        panel.apply(EsEvent::Open, 5.0);
        assert_eq!(panel.apply(EsEvent::Close, 9.0), vec![EsEffect::Close]);
        assert_eq!(panel.entries.back().map(describe_entry).as_deref(), Some("4 closed"));
        panel.apply(EsEvent::Refused("SyntaxError".into()), 10.0);
        assert_eq!(panel.problem.as_deref(), Some("The browser would not open an EventSource: SyntaxError"));
    }
}

fn outcome(body: &[u8]) -> HttpOutcome {
    HttpOutcome {
        status: 200,
        status_text: "OK".into(),
        headers: vec![("content-type".into(), "application/octet-stream".into())],
        body: Rc::new(body.to_vec()),
        body_is_text: true,
        duration_ms: 2100.0,
        final_url: "http://127.0.0.1:8080/drip".into(),
        redirected: false,
        timing: Err("no timing".into()),
    }
}

fn opened() -> HttpEvent {
    HttpEvent::StreamOpened { status: 200, content_type: "application/octet-stream".into(), headers_at_ms: 3.0 }
}

fn chunk(at_ms: f64, bytes: &[u8]) -> HttpEvent {
    HttpEvent::StreamChunk { at_ms, bytes: bytes.to_vec() }
}

/// The lab's stream after `events`: chunk count, bytes, and how it ended.
fn stream_after(events: Vec<HttpEvent>) -> (Vec<String>, String) {
    let mut lab = HttpLabState::new("http://127.0.0.1:8080", Ok(None));
    lab.apply(HttpEvent::Edit(wire::http_lab::DraftEdit::Url("http://127.0.0.1:8080/drip".into())), 0.0);
    let mut effects = Vec::new();
    for event in events {
        for effect in lab.apply(event, 0.0) {
            match effect {
                HttpEffect::Fetch { request, as_it_arrives } => {
                    effects.push(format!("fetch {} as_it_arrives={as_it_arrives}", request.url))
                }
                HttpEffect::Abort => effects.push("abort".into()),
                HttpEffect::StoreHistory(_) | HttpEffect::EventSource(_) => {}
            }
        }
    }
    let stream = match &lab.stream {
        None => "no stream".to_string(),
        Some(log) => format!("{} chunks, {} bytes, ended {:?}", log.chunk_count, log.total_bytes, log.ended),
    };
    (effects, stream)
}

case_test! {
    fn the_lab_keeps_the_chunks_of_the_response_in_flight() {
        let drip = "fetch http://127.0.0.1:8080/drip as_it_arrives=false";
        let cases: Vec<(&str, Vec<HttpEvent>, Vec<&str>, &str)> = vec![
            ("arrives and completes",
                vec![HttpEvent::Send, opened(), chunk(1000.0, b"**"), chunk(2000.0, b"***"), HttpEvent::Finished(Ok(outcome(b"*****")))],
                vec![drip], "2 chunks, 5 bytes, ended Some((2100.0, Complete))"),
            ("cancelled mid-stream keeps what arrived",
                vec![HttpEvent::Send, opened(), chunk(1000.0, b"**"), HttpEvent::Cancel, HttpEvent::Finished(Err(FetchFailure::Cancelled))],
                vec![drip, "abort"], "1 chunks, 2 bytes, ended Some((1000.0, Cut(\"Cancelled\")))"),
            ("the switch asks for every response as it arrives",
                vec![HttpEvent::ShowAsItArrives(true), HttpEvent::Send],
                vec!["fetch http://127.0.0.1:8080/drip as_it_arrives=true"], "no stream"),
            ("nothing in flight: stream events are ignored",
                vec![opened(), chunk(1.0, b"*")], vec![], "no stream"),
            ("a new Send forgets the last stream",
                vec![HttpEvent::Send, opened(), chunk(1.0, b"*"), HttpEvent::Finished(Ok(outcome(b"*"))), HttpEvent::Send],
                vec![drip, drip], "no stream"),
        ];
        for (name, events, effects, stream) in cases {
            let (got_effects, got_stream) = stream_after(events);
            assert_eq!(got_effects, effects, "{name}");
            assert_eq!(got_stream, stream, "{name}");
        }
    }
}
