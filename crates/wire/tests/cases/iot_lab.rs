//! The IoT lab's Telemetry tab as scripts of events (connect, socket messages, ticks, a person's
//! switches) with the effects each returned and the figures after it; then tables for the ring
//! buffer, the rate window, latency percentiles, the plot's thinning and its axis, the form, and
//! "Export CSV".

use expect_test::{Expect, expect};
use wire::connection::CloseInfo;
use wire::iot_lab::{
    Field, FormEdit, PlotColumn, PlotWindow, Ring, Sample, TelemetryEffect, TelemetryEvent, TelemetryForm,
    TelemetryState, axis, capacity_per_device, plot_columns, readings_csv, summarize_latency,
};
use wire::lab::LabState;
use wire::message_log::Payload;
use wire::telemetry::{Encoding, Fleet, Reading, ServerStatus, encode};
use wire::ws_lab::SocketEvent;

/// p50, p95, max and how many, as `summarize_latency` gives them.
type Percentiles = (f64, f64, f64, usize);

/// The server's send time of the readings below: 2026-01-01, in microseconds.
const SENT_AT_US: u64 = 1_767_225_600_000_000;
const SENT_AT_MS: f64 = SENT_AT_US as f64 / 1_000.0;

fn opened() -> TelemetryEvent {
    TelemetryEvent::Socket {
        event: SocketEvent::Opened { url: String::new(), protocol: String::new(), extensions: String::new() },
        at_ms: SENT_AT_MS,
    }
}

fn status(encoding: Encoding, sent: u64, dropped: u64) -> TelemetryEvent {
    let status =
        ServerStatus::Status { encoding, rate_hz: 10.0, devices: 2, paused: false, sent, dropped, at_us: SENT_AT_US };
    TelemetryEvent::Socket { event: SocketEvent::Received(Payload::Text(status.to_json())), at_ms: SENT_AT_MS }
}

/// Reading `seq` of device `device` (0-based) in `encoding`, sent at SENT_AT + `seq` × 100 ms and
/// arriving `latency_ms` later.
fn reading(encoding: Encoding, device: usize, seq: u64, latency_ms: f64) -> TelemetryEvent {
    let sent_at_us = SENT_AT_US + seq * 100_000;
    let reading = Fleet::new(2, 7).reading(device, seq, sent_at_us);
    TelemetryEvent::Socket {
        event: SocketEvent::Received(Payload::Binary(encode(encoding, &reading))),
        at_ms: sent_at_us as f64 / 1_000.0 + latency_ms,
    }
}

fn closed(code: u16, reason: &str) -> TelemetryEvent {
    TelemetryEvent::Socket {
        event: SocketEvent::Closed(CloseInfo { code, reason: reason.into(), was_clean: true }),
        at_ms: SENT_AT_MS,
    }
}

fn describe(effect: &TelemetryEffect) -> String {
    match effect {
        TelemetryEffect::Open { url } => format!("open {url}"),
        TelemetryEffect::Send(text) => format!("send {text}"),
        TelemetryEffect::Close => "close".into(),
        TelemetryEffect::StartTicks => "start ticks".into(),
        TelemetryEffect::StopTicks => "stop ticks".into(),
        TelemetryEffect::CompareTimer { run, after_ms } => format!("compare step of run {run} in {after_ms} ms"),
    }
}

fn short(event: &TelemetryEvent) -> String {
    match event {
        TelemetryEvent::Socket { event: SocketEvent::Received(Payload::Binary(bytes)), .. } => {
            format!("binary message of {} bytes", bytes.len())
        }
        TelemetryEvent::Socket { event: SocketEvent::Received(Payload::Text(text)), .. } => format!("text {text}"),
        TelemetryEvent::Socket { event, .. } => format!("{event:?}"),
        other => format!("{other:?}"),
    }
}

/// What the tab shows after an event: the state, problems, and the figures of the last tick.
fn shown(lab: &TelemetryState) -> String {
    let mut lines = vec![format!("state: {}, stream in {}", lab.state.label(), lab.stream_encoding.label())];
    for (what, problem) in [("form", &lab.form_error), ("problem", &lab.problem), ("server", &lab.server_error)] {
        if let Some(problem) = problem {
            lines.push(format!("{what}: {problem}"));
        }
    }
    let stats = &lab.stats;
    if stats.received > 0 {
        let latency = stats.latency.map_or("none".to_string(), |latency| {
            format!("p50 {} p95 {} max {} over {}", latency.p50_ms, latency.p95_ms, latency.max_ms, latency.count)
        });
        lines.push(format!(
            "stats: {} msg/s, {} B/s, {:?} B/reading, latency {latency}, received {}, sent {}, dropped {}, faults {}",
            stats.messages_per_s,
            stats.bytes_per_s,
            stats.bytes_per_reading,
            stats.received,
            stats.sent,
            stats.dropped,
            stats.faults
        ));
    }
    lines.join("\n  ")
}

/// Applies `events` at `now_ms` each and writes each one's effects and what the tab shows after it.
fn script(lab: &mut TelemetryState, events: Vec<(f64, TelemetryEvent)>) -> String {
    let mut out = String::new();
    for (now_ms, event) in events {
        out.push_str(&format!("{}\n", short(&event)));
        for effect in lab.apply(event, now_ms) {
            out.push_str(&format!("  → {}\n", describe(&effect)));
        }
        out.push_str(&format!("  {}\n", shown(lab)));
    }
    out
}

fn check(edits: Vec<FormEdit>, events: Vec<(f64, TelemetryEvent)>, expected: Expect) {
    let mut lab = TelemetryState::new("http:", "127.0.0.1:8080");
    for edit in edits {
        lab.apply(TelemetryEvent::Edit(edit), 0.0);
    }
    expected.assert_eq(&script(&mut lab, events));
}

/// An instant `ms` after SENT_AT.
fn at(ms: f64) -> f64 {
    SENT_AT_MS + ms
}

case_test! {
    fn a_stream_is_opened_read_and_measured() {
        check(
            vec![FormEdit::Devices("2".into()), FormEdit::Rate("10".into()), FormEdit::Encoding(Encoding::Cbor)],
            vec![
                (at(0.0), TelemetryEvent::Connect),
                (at(0.0), opened()),
                (at(0.0), status(Encoding::Cbor, 0, 0)),
                (at(2.0), reading(Encoding::Cbor, 0, 0, 2.0)),
                (at(3.0), reading(Encoding::Cbor, 1, 0, 3.0)),
                (at(104.0), reading(Encoding::Cbor, 0, 1, 4.0)),
                (at(105.0), reading(Encoding::Cbor, 1, 1, 5.0)),
                (at(1_050.0), status(Encoding::Cbor, 4, 1)),
                (at(1_050.0), TelemetryEvent::Tick),
                (at(1_100.0), TelemetryEvent::Disconnect),
                (at(1_110.0), closed(1000, "closed by the lab")),
            ],
            expect![[r#"
                Connect
                  → open ws://127.0.0.1:8080/ws/telemetry?devices=2&rate_hz=10&encoding=cbor
                  → start ticks
                  state: connecting, stream in CBOR
                Opened { url: "", protocol: "", extensions: "" }
                  state: streaming, stream in CBOR
                text {"type":"status","encoding":"cbor","rate_hz":10.0,"devices":2,"paused":false,"sent":0,"dropped":0,"at_us":1767225600000000}
                  state: streaming, stream in CBOR
                binary message of 117 bytes
                  state: streaming, stream in CBOR
                binary message of 117 bytes
                  state: streaming, stream in CBOR
                binary message of 117 bytes
                  state: streaming, stream in CBOR
                binary message of 117 bytes
                  state: streaming, stream in CBOR
                text {"type":"status","encoding":"cbor","rate_hz":10.0,"devices":2,"paused":false,"sent":4,"dropped":1,"at_us":1767225600000000}
                  state: streaming, stream in CBOR
                Tick
                  state: streaming, stream in CBOR
                  stats: 4 msg/s, 468 B/s, Some(117.0) B/reading, latency p50 3 p95 5 max 5 over 4, received 4, sent 4, dropped 1, faults 0
                Disconnect
                  → close
                  state: closing, stream in CBOR
                  stats: 4 msg/s, 468 B/s, Some(117.0) B/reading, latency p50 3 p95 5 max 5 over 4, received 4, sent 4, dropped 1, faults 0
                Closed(CloseInfo { code: 1000, reason: "closed by the lab", was_clean: true })
                  → stop ticks
                  state: not connected, stream in CBOR
                  stats: 0 msg/s, 0 B/s, Some(117.0) B/reading, latency p50 3 p95 5 max 5 over 4, received 4, sent 4, dropped 1, faults 0
            "#]],
        );
    }

    fn the_encoding_switches_on_the_open_stream_and_readings_follow_the_servers_status() {
        // Readings still in flight in JSON after the switch are read as JSON: the stream's
        // encoding changes with the server's status, not with the click.
        let mut lab = TelemetryState::new("http:", "127.0.0.1:8080");
        let out = script(&mut lab, vec![
            (at(0.0), TelemetryEvent::Connect),
            (at(0.0), opened()),
            (at(0.0), status(Encoding::Json, 0, 0)),
            (at(1.0), reading(Encoding::Json, 0, 0, 1.0)),
            (at(2.0), TelemetryEvent::Edit(FormEdit::Encoding(Encoding::Protobuf))),
            (at(101.0), reading(Encoding::Json, 0, 1, 1.0)),
            (at(102.0), status(Encoding::Protobuf, 2, 0)),
            (at(201.0), reading(Encoding::Protobuf, 0, 2, 1.0)),
            (at(1_150.0), TelemetryEvent::Tick),
        ]);
        expect![[r#"
            Connect
              → open ws://127.0.0.1:8080/ws/telemetry?devices=4&rate_hz=25&encoding=json
              → start ticks
              state: connecting, stream in JSON
            Opened { url: "", protocol: "", extensions: "" }
              state: streaming, stream in JSON
            text {"type":"status","encoding":"json","rate_hz":10.0,"devices":2,"paused":false,"sent":0,"dropped":0,"at_us":1767225600000000}
              state: streaming, stream in JSON
            binary message of 129 bytes
              state: streaming, stream in JSON
            Edit(Encoding(Protobuf))
              → send {"encoding":"protobuf"}
              state: streaming, stream in JSON
            binary message of 129 bytes
              state: streaming, stream in JSON
            text {"type":"status","encoding":"protobuf","rate_hz":10.0,"devices":2,"paused":false,"sent":2,"dropped":0,"at_us":1767225600000000}
              state: streaming, stream in Protobuf
            binary message of 49 bytes
              state: streaming, stream in Protobuf
            Tick
              state: streaming, stream in Protobuf
              stats: 2 msg/s, 178 B/s, Some(49.0) B/reading, latency p50 1 p95 1 max 1 over 3, received 3, sent 2, dropped 0, faults 0
        "#]].assert_eq(&out);
        let measured: Vec<String> = Encoding::ALL
            .iter()
            .map(|encoding| format!("{}: {:?}", encoding.name(), lab.measured_in(*encoding).mean()))
            .collect();
        assert_eq!(measured, ["json: Some(129.0)", "xml: None", "protobuf: Some(49.0)", "msgpack: None", "cbor: None"]);
        assert_eq!(lab.undecodable, 0, "every reading decoded in the encoding the status named");
    }

    fn pause_and_resume_go_to_the_server_and_stop_the_plot_where_it_was() {
        let mut lab = TelemetryState::new("https:", "wirelab.example");
        let out = script(&mut lab, vec![
            (at(0.0), TelemetryEvent::Pause),
            (at(0.0), TelemetryEvent::Connect),
            (at(0.0), opened()),
            (at(500.0), TelemetryEvent::Pause),
            (at(600.0), TelemetryEvent::Pause),
            (at(900.0), TelemetryEvent::Resume),
        ]);
        expect![[r#"
            Pause
              state: not connected, stream in JSON
            Connect
              → open wss://wirelab.example/ws/telemetry?devices=4&rate_hz=25&encoding=json
              → start ticks
              state: connecting, stream in JSON
            Opened { url: "", protocol: "", extensions: "" }
              state: streaming, stream in JSON
            Pause
              → send {"paused":true}
              state: paused, stream in JSON
            Pause
              state: paused, stream in JSON
            Resume
              → send {"paused":false}
              state: streaming, stream in JSON
        "#]].assert_eq(&out);
        assert_eq!(lab.plot_end_ms(at(1_000.0)), at(1_000.0), "streaming: the plot ends now");
        lab.apply(TelemetryEvent::Pause, at(1_200.0));
        assert_eq!(lab.plot_end_ms(at(5_000.0)), at(1_200.0), "paused: the plot stops at the pause");
    }

    fn problems_are_said_where_they_happen() {
        let mut lab = TelemetryState::new("http:", "127.0.0.1:9");
        let failed = TelemetryEvent::Socket { event: SocketEvent::Failed, at_ms: 0.0 };
        let out = script(&mut lab, vec![
            (0.0, TelemetryEvent::Edit(FormEdit::Devices("0".into()))),
            (0.0, TelemetryEvent::Connect),
            (0.0, TelemetryEvent::Edit(FormEdit::Devices("100".into()))),
            (0.0, TelemetryEvent::Edit(FormEdit::Rate("fast".into()))),
            (0.0, TelemetryEvent::Connect),
            (0.0, TelemetryEvent::Edit(FormEdit::Devices("50".into()))),
            (0.0, TelemetryEvent::Edit(FormEdit::Rate("1000".into()))),
            (0.0, TelemetryEvent::Connect),
            (0.0, TelemetryEvent::Edit(FormEdit::Devices("4".into()))),
            (0.0, TelemetryEvent::Connect),
            (0.0, failed),
            (0.0, closed(1006, "")),
            (0.0, TelemetryEvent::Connect),
            (0.0, opened()),
            (0.0, TelemetryEvent::Socket { event: SocketEvent::Received(Payload::Text("{\"type\":\"error\",\"message\":\"rate_hz must be above 0\"}".into())), at_ms: 0.0 }),
            (0.0, TelemetryEvent::Socket { event: SocketEvent::Received(Payload::Binary(vec![0xff, 0x00])), at_ms: 0.0 }),
            (0.0, closed(1011, "server shutting down")),
            (0.0, TelemetryEvent::ConnectRefused("SyntaxError: bad URL".into())),
        ]);
        expect![[r#"
            Edit(Devices("0"))
              state: not connected, stream in JSON
            Connect
              state: not connected, stream in JSON
              form: Devices must be a whole number from 1 to 64.
            Edit(Devices("100"))
              state: not connected, stream in JSON
              form: Devices must be a whole number from 1 to 64.
            Edit(Rate("fast"))
              state: not connected, stream in JSON
              form: Devices must be a whole number from 1 to 64.
            Connect
              state: not connected, stream in JSON
              form: Devices must be a whole number from 1 to 64.
            Edit(Devices("50"))
              state: not connected, stream in JSON
              form: Devices must be a whole number from 1 to 64.
            Edit(Rate("1000"))
              state: not connected, stream in JSON
              form: Devices must be a whole number from 1 to 64.
            Connect
              state: not connected, stream in JSON
              form: 50 devices at 1000 readings/s each is 50000 readings/s in all; at most 20000 in all.
            Edit(Devices("4"))
              state: not connected, stream in JSON
              form: 50 devices at 1000 readings/s each is 50000 readings/s in all; at most 20000 in all.
            Connect
              → open ws://127.0.0.1:9/ws/telemetry?devices=4&rate_hz=1000&encoding=json
              → start ticks
              state: connecting, stream in JSON
            Failed
              state: connecting, stream in JSON
              problem: The server did not accept the stream: it is unreachable, or it refused these settings (devices or rate over its bounds).
            Closed(CloseInfo { code: 1006, reason: "", was_clean: true })
              → stop ticks
              state: not connected, stream in JSON
              problem: The server did not accept the stream: it is unreachable, or it refused these settings (devices or rate over its bounds).
            Connect
              → open ws://127.0.0.1:9/ws/telemetry?devices=4&rate_hz=1000&encoding=json
              → start ticks
              state: connecting, stream in JSON
            Opened { url: "", protocol: "", extensions: "" }
              state: streaming, stream in JSON
            text {"type":"error","message":"rate_hz must be above 0"}
              state: streaming, stream in JSON
              server: rate_hz must be above 0
            binary message of 2 bytes
              state: streaming, stream in JSON
              server: rate_hz must be above 0
            Closed(CloseInfo { code: 1011, reason: "server shutting down", was_clean: true })
              → stop ticks
              state: not connected, stream in JSON
              problem: The server closed the stream (code 1011: server shutting down).
              server: rate_hz must be above 0
              stats: 0 msg/s, 0 B/s, Some(2.0) B/reading, latency none, received 1, sent 0, dropped 0, faults 0
            ConnectRefused("SyntaxError: bad URL")
              → stop ticks
              state: not connected, stream in JSON
              problem: The browser refused to open the stream: SyntaxError: bad URL
              server: rate_hz must be above 0
              stats: 0 msg/s, 0 B/s, Some(2.0) B/reading, latency none, received 1, sent 0, dropped 0, faults 0
        "#]].assert_eq(&out);
        assert_eq!(lab.undecodable, 1);
        assert!(lab.last_decode_error.as_deref().is_some_and(|error| error.starts_with("JSON reading of 2 bytes: ")));
    }

    fn measure_each_encoding_switches_through_all_five_and_back() {
        let mut lab = TelemetryState::new("http:", "127.0.0.1:8080");
        lab.apply(TelemetryEvent::Edit(FormEdit::Encoding(Encoding::Msgpack)), 0.0);
        let mut events = vec![(0.0, TelemetryEvent::CompareEncodings), (0.0, TelemetryEvent::Connect), (0.0, opened())];
        events.extend([
            TelemetryEvent::CompareEncodings,
            TelemetryEvent::CompareStep { run: 1 },
            TelemetryEvent::CompareStep { run: 7 },
            TelemetryEvent::CompareStep { run: 1 },
            TelemetryEvent::CompareStep { run: 1 },
            TelemetryEvent::CompareStep { run: 1 },
            TelemetryEvent::CompareStep { run: 1 },
            TelemetryEvent::CompareStep { run: 1 },
        ].map(|event| (0.0, event)));
        let effects: Vec<String> = events
            .into_iter()
            .map(|(now, event)| {
                let name = short(&event);
                let effects: Vec<String> = lab.apply(event, now).iter().map(describe).collect();
                format!("{name}: {}", effects.join("; "))
            })
            .collect();
        expect![[r#"
            CompareEncodings: 
            Connect: open ws://127.0.0.1:8080/ws/telemetry?devices=4&rate_hz=25&encoding=msgpack; start ticks
            Opened { url: "", protocol: "", extensions: "" }: 
            CompareEncodings: send {"encoding":"json"}; compare step of run 1 in 1000 ms
            CompareStep { run: 1 }: send {"encoding":"xml"}; compare step of run 1 in 1000 ms
            CompareStep { run: 7 }: 
            CompareStep { run: 1 }: send {"encoding":"protobuf"}; compare step of run 1 in 1000 ms
            CompareStep { run: 1 }: send {"encoding":"msgpack"}; compare step of run 1 in 1000 ms
            CompareStep { run: 1 }: send {"encoding":"cbor"}; compare step of run 1 in 1000 ms
            CompareStep { run: 1 }: send {"encoding":"msgpack"}
            CompareStep { run: 1 }: "#]]
        .assert_eq(&effects.join("\n"));
        assert_eq!(lab.compare, None);
    }

    fn the_last_reading_is_encoded_five_ways_beside_what_was_measured() {
        let mut lab = TelemetryState::new("http:", "127.0.0.1:8080");
        assert_eq!(lab.computed_sizes(), None, "nothing to encode before the first reading");
        for event in [TelemetryEvent::Connect, opened(), reading(Encoding::Json, 0, 3, 1.0)] {
            lab.apply(event, 0.0);
        }
        let sizes: Vec<String> = lab
            .computed_sizes()
            .into_iter()
            .flatten()
            .map(|(encoding, size)| format!("{} {size}", encoding.name()))
            .collect();
        assert_eq!(sizes, ["json 129", "xml 214", "protobuf 49", "msgpack 117", "cbor 117"]);
        assert_eq!(lab.measured_in(Encoding::Json).mean(), Some(129.0), "measured on the stream agrees for JSON");
    }

    fn faults_are_counted_per_device_and_the_last_one_is_named() {
        let mut lab = TelemetryState::new("http:", "127.0.0.1:8080");
        lab.apply(TelemetryEvent::Connect, 0.0);
        lab.apply(opened(), 0.0);
        let fleet = Fleet::new(2, 7);
        let faulty = (0..100_000u64).find(|seq| fleet.reading(1, *seq, 0).fault.is_some()).expect("a fault in 100,000 readings");
        lab.apply(reading(Encoding::Json, 0, 0, 1.0), 0.0);
        lab.apply(reading(Encoding::Json, 1, faulty, 1.0), 0.0);
        lab.apply(TelemetryEvent::Tick, 0.0);
        let faults: Vec<(String, u64)> = lab.series.iter().map(|series| (series.device.clone(), series.faults)).collect();
        assert_eq!(faults, [("sensor-01".to_string(), 0), ("sensor-02".to_string(), 1)]);
        assert_eq!(lab.stats.faults, 1);
        let (device, fault) = lab.last_fault.clone().expect("the fault is named");
        assert_eq!(device, "sensor-02");
        assert_eq!(Some(fault), fleet.reading(1, faulty, 0).fault);
        assert!(lab.series[1].samples.newest().is_some_and(|sample| sample.fault), "the plot marks it");
    }

    fn a_long_stream_keeps_the_memory_it_started_with() {
        // 2 devices at 10,000 readings each, and readings from a device that was not asked for.
        let mut lab = TelemetryState::new("http:", "127.0.0.1:8080");
        lab.apply(TelemetryEvent::Edit(FormEdit::Devices("2".into())), 0.0);
        lab.apply(TelemetryEvent::Connect, 0.0);
        lab.apply(opened(), 0.0);
        let capacity = capacity_per_device(2);
        assert_eq!(capacity, 16_384);
        let fleet = Fleet::new(3, 1);
        for seq in 0..20_000u64 {
            for device in 0..3 {
                let reading = fleet.reading(device, seq, SENT_AT_US + seq * 1_000);
                let bytes = encode(Encoding::Json, &reading);
                lab.apply(TelemetryEvent::Socket { event: SocketEvent::Received(Payload::Binary(bytes)), at_ms: 0.0 }, 0.0);
            }
        }
        let kept: Vec<(String, usize, usize)> =
            lab.series.iter().map(|series| (series.device.clone(), series.samples.len(), series.samples.capacity())).collect();
        assert_eq!(kept, [("sensor-01".to_string(), capacity, capacity), ("sensor-02".to_string(), capacity, capacity)]);
        assert_eq!(lab.received, 60_000, "the third device's readings are counted, not kept");
        let newest = lab.series[0].samples.newest().map(|sample| sample.sent_at_ms);
        assert_eq!(newest, Some((SENT_AT_US + 19_999 * 1_000) as f64 / 1_000.0));
    }

    fn capacity_is_shared_by_the_devices_within_bounds() {
        let table = [(1, 16_384), (4, 16_384), (8, 8_192), (64, 1_024), (1_000, 512)];
        for (devices, expected) in table {
            assert_eq!(capacity_per_device(devices), expected, "{devices} devices");
        }
    }

    fn a_ring_keeps_the_newest_items_in_order_without_growing() {
        let table: [(usize, usize, &[u32]); 4] = [
            (3, 0, &[]),
            (3, 2, &[0, 1]),
            (3, 3, &[0, 1, 2]),
            (3, 7, &[4, 5, 6]),
        ];
        for (capacity, pushes, expected) in table {
            let mut ring = Ring::new(capacity);
            for item in 0..pushes as u32 {
                ring.push(item);
            }
            let items: Vec<u32> = ring.iter().copied().collect();
            assert_eq!(items, expected, "{pushes} pushes into {capacity}");
            assert_eq!(ring.newest().copied(), expected.last().copied());
            let newest_first: Vec<u32> = ring.iter().rev().copied().collect();
            assert_eq!(newest_first, expected.iter().rev().copied().collect::<Vec<_>>());
            assert_eq!(ring.capacity(), capacity);
        }
    }

    fn rates_cover_the_last_second_before_the_current_tenth() {
        // (arrival ms, bytes) and the rates read at each instant.
        let arrivals = [(0.0, 100), (50.0, 100), (150.0, 200), (950.0, 300), (1_020.0, 400)];
        let table = [
            (99.0, (0.0, 0.0), "nothing finished yet"),
            (100.0, (2.0, 200.0), "the first tenth finished"),
            (1_000.0, (4.0, 700.0), "the whole first second"),
            (1_099.0, (4.0, 700.0), "the current tenth is not counted"),
            (1_100.0, (3.0, 900.0), "the first tenth left the window, the eleventh came in"),
            (5_000.0, (0.0, 0.0), "long after"),
        ];
        let mut window = wire::iot_lab::RateWindow::default();
        for (at_ms, bytes) in arrivals {
            window.record(at_ms, bytes);
        }
        for (now, expected, why) in table {
            assert_eq!(window.rates(now), expected, "{why}");
        }
    }

    fn latency_percentiles_are_nearest_rank() {
        let table: [(&[f64], Option<Percentiles>); 4] = [
            (&[], None),
            (&[4.0], Some((4.0, 4.0, 4.0, 1))),
            (&[5.0, 1.0, 3.0, 2.0, 4.0], Some((3.0, 5.0, 5.0, 5))),
            (&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 100.0], Some((10.0, 19.0, 100.0, 20))),
        ];
        for (latencies, expected) in table {
            let summary = summarize_latency(latencies.iter().copied())
                .map(|summary| (summary.p50_ms, summary.p95_ms, summary.max_ms, summary.count));
            assert_eq!(summary, expected, "{latencies:?}");
        }
    }

    fn the_plot_keeps_each_columns_first_lowest_highest_and_last_value() {
        let sample = |at: f64, value: f32, fault: bool| Sample { sent_at_ms: at, values: [value, 50.0, 90.0], fault };
        let samples = [
            sample(-5.0, 99.0, false),
            sample(0.0, 1.0, false),
            sample(2.0, 5.0, false),
            sample(3.0, -2.0, true),
            sample(9.0, 3.0, false),
            sample(30.0, 4.0, false),
            sample(31.0, 6.0, false),
            sample(95.0, 7.0, false),
            sample(120.0, 8.0, false),
        ];
        let window = PlotWindow { start_ms: 0.0, end_ms: 100.0, columns: 10, gap_ms: 50.0 };
        let mut columns = vec![PlotColumn { column: 99, first: 0.0, low: 0.0, high: 0.0, last: 0.0, fault: None, gap_before: false }];
        let count = plot_columns(samples.iter(), Field::Temperature, &window, &mut columns);
        let rows: Vec<String> = columns
            .iter()
            .map(|c| {
                format!(
                    "column {}: {} {} {} {}{}{}",
                    c.column,
                    c.first,
                    c.low,
                    c.high,
                    c.last,
                    c.fault.map_or(String::new(), |value| format!(", fault at {value}")),
                    if c.gap_before { ", gap before" } else { "" }
                )
            })
            .collect();
        expect![[r#"
            column 0: 1 -2 5 3, fault at -2
            column 3: 4 4 6 6
            column 9: 7 7 7 7, gap before"#]]
        .assert_eq(&rows.join("\n"));
        assert_eq!(count, 7, "the readings inside the window");
        let humidity = plot_columns(samples.iter(), Field::Humidity, &window, &mut columns);
        assert_eq!((humidity, columns[0].first), (7, 50.0), "another field of the same readings");
    }

    fn the_axis_rounds_to_one_two_two_and_a_half_or_five_and_keeps_percentages_within_bounds() {
        let table = [
            ((20.3, 23.9, 5, None), (20.0, 24.0, vec![20.0, 21.0, 22.0, 23.0, 24.0])),
            ((0.0, 100.0, 5, Some((0.0, 100.0))), (0.0, 100.0, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0])),
            ((91.5, 99.8, 4, Some((0.0, 100.0))), (90.0, 100.0, vec![90.0, 92.5, 95.0, 97.5, 100.0])),
            ((-3.0, 104.0, 5, Some((0.0, 100.0))), (0.0, 100.0, vec![0.0, 25.0, 50.0, 75.0, 100.0])),
            ((21.0, 21.0, 5, None), (20.4, 21.6, vec![20.4, 20.6, 20.8, 21.0, 21.2, 21.4, 21.6])),
            ((f64::INFINITY, f64::NEG_INFINITY, 5, None), (0.0, 1.0, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0])),
        ];
        for ((low, high, ticks, bounds), (start, end, marks)) in table {
            let (got_start, got_end, got_marks) = axis(low, high, ticks, bounds);
            assert_eq!((got_start, got_end, got_marks), (start, end, marks), "{low}..{high}");
        }
    }

    fn the_form_says_what_it_accepts() {
        let table = [
            ("4", "10", Ok((4, 10.0))),
            (" 2 ", "0.5", Ok((2, 0.5))),
            ("4", "250", Ok((4, 250.0))),
            ("0", "10", Err("Devices must be a whole number from 1 to 64.")),
            ("1.5", "10", Err("Devices must be a whole number from 1 to 64.")),
            ("4", "0", Err("Rate must be a number of readings per second above 0, such as 10 or 0.5.")),
            ("4", "NaN", Err("Rate must be a number of readings per second above 0, such as 10 or 0.5.")),
            ("64", "400", Err("64 devices at 400 readings/s each is 25600 readings/s in all; at most 20000 in all.")),
        ];
        for (devices, rate, expected) in table {
            let form = TelemetryForm { devices: devices.into(), rate_hz: rate.into(), encoding: Encoding::Json };
            assert_eq!(form.check(), expected.map_err(str::to_string), "{devices} devices at {rate}");
        }
    }

    fn export_csv_holds_every_reading_quoted_per_rfc_4180() {
        // (device, seq, arrival after sending in ms, temperature, fault); sent 100 ms apart.
        let table: [(&str, u64, f64, f64, Option<&str>); 4] = [
            ("sensor-02", 0, 1.25, 22.5, None),
            ("sensor-01", 0, 2.0, 19.75, Some("sensor timeout")),
            ("sensor-01", 1, 0.5, 19.5, Some("checksum mismatch, \"retry\"")),
            ("sensor-01", 2, 3.0, 19.25, Some("line one\nline two")),
        ];
        let mut lab = TelemetryState::new("http:", "127.0.0.1:8080");
        assert_eq!(readings_csv(&lab.series), Ok(String::new()), "nothing held, nothing written");
        lab.apply(TelemetryEvent::Connect, SENT_AT_MS);
        lab.apply(opened(), SENT_AT_MS);
        assert!(!lab.has_readings());
        for (device, seq, latency_ms, temperature_c, fault) in table {
            let sent_at_us = SENT_AT_US + seq * 100_000;
            let reading = Reading {
                device: device.into(),
                seq,
                sent_at_us,
                temperature_c,
                humidity_percent: 40.0,
                battery_percent: 87.5,
                fault: fault.map(str::to_string),
            };
            let at_ms = sent_at_us as f64 / 1_000.0 + latency_ms;
            let message = SocketEvent::Received(Payload::Binary(encode(Encoding::Json, &reading)));
            lab.apply(TelemetryEvent::Socket { event: message, at_ms }, at_ms);
        }
        assert!(lab.has_readings());
        let csv = readings_csv(&lab.series).unwrap_or_else(|error| panic!("not written: {error}"));
        // Device by device (sorted), each oldest first; CRLF ends each record (shown as ⏎ here).
        expect![[r#"
            device,seq,sent_at_us,received_at_ms,temperature_c,humidity_percent,battery_percent,fault⏎
            sensor-01,0,1767225600000000,1767225600002.000,19.75,40.0,87.5,sensor timeout⏎
            sensor-01,1,1767225600100000,1767225600100.500,19.5,40.0,87.5,"checksum mismatch, ""retry"""⏎
            sensor-01,2,1767225600200000,1767225600203.000,19.25,40.0,87.5,"line one
            line two"⏎
            sensor-02,0,1767225600000000,1767225600001.250,22.5,40.0,87.5,⏎
        "#]]
        .assert_eq(&csv.replace("\r\n", "⏎\n"));
    }
}
