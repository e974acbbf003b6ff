//! The Concurrency lab as scripts of events (Run, each request's end, Stop, sockets opening) with
//! the effects each one returned: which request starts when another finishes. Then tables for
//! what a run measured: bars from Resource Timing entries, the facts and sentences of HTTP/1.1
//! and HTTP/2 runs, WebSocket handshakes, the form's checks and the Python programs.

use expect_test::{Expect, expect};
use wire::concurrency_lab::measure::{
    Measured, SocketTimes, median, number_ranges, peak, request_facts, socket_facts, steps,
};
use wire::concurrency_lab::plan::{Carrier, EndpointKind, PlanEdit, StrategyKind, Workload};
use wire::concurrency_lab::{
    ConcurrencyEffect, ConcurrencyEvent, ConcurrencyLabState, Origins, RowState, TlsPort, tls_port_in_info,
};
use wire::lab::LabState;
use wire::resource_timing::TimingEntry;

fn lab() -> ConcurrencyLabState {
    let mut lab = ConcurrencyLabState::new(Origins::from_page("http:", "127.0.0.1:8080"), "s");
    lab.apply(ConcurrencyEvent::ServerInfo(Ok(Some(8443))), 0.0);
    lab
}

fn describe(effect: &ConcurrencyEffect) -> String {
    match effect {
        ConcurrencyEffect::PrepareTimings { entries } => format!("room for {entries} timings"),
        ConcurrencyEffect::Fetch { index, url, .. } => format!("fetch #{} {url}", index + 1),
        ConcurrencyEffect::AbortRequests { run } => format!("abort run {run}"),
        ConcurrencyEffect::OpenSocket { index, url, .. } => format!("open socket #{} {url}", index + 1),
        ConcurrencyEffect::CloseSockets { run } => format!("close sockets of run {run}"),
        ConcurrencyEffect::Copy(text) => format!("copy {} lines", text.lines().count()),
    }
}

fn row_states(lab: &ConcurrencyLabState) -> String {
    let Some(run) = lab.runs.last() else { return "no run".into() };
    let rows: Vec<String> = run
        .requests
        .iter()
        .map(|row| {
            let state = match &row.state {
                RowState::Waiting => "waiting",
                RowState::InFlight => "in flight",
                RowState::Done(_) => "done",
                RowState::Failed(_) => "failed",
                RowState::NotStarted => "not started",
            };
            match row.started_after {
                Some(after) => format!("{state} (after #{after})"),
                None => state.to_string(),
            }
        })
        .collect();
    rows.join(", ")
}

fn done(run: u32, number: usize) -> ConcurrencyEvent {
    ConcurrencyEvent::RequestDone { run, index: number - 1, result: Ok(Measured::default()) }
}

/// Applies `events` and writes each one's effects, and the rows after it.
fn script(lab: &mut ConcurrencyLabState, events: Vec<ConcurrencyEvent>) -> String {
    let mut out = String::new();
    for event in events {
        out.push_str(&format!("{}\n", short(&event)));
        for effect in lab.apply(event, 0.0) {
            out.push_str(&format!("  → {}\n", describe(&effect)));
        }
        if let Some(problem) = &lab.run_problem {
            out.push_str(&format!("  problem: {problem}\n"));
        }
        if let Some(error) = &lab.form_error {
            out.push_str(&format!("  form: {error}\n"));
        }
        out.push_str(&format!("  rows: {}\n", row_states(lab)));
    }
    out
}

fn short(event: &ConcurrencyEvent) -> String {
    match event {
        ConcurrencyEvent::RequestDone { index, result, .. } => {
            format!("#{} {}", index + 1, if result.is_ok() { "finished" } else { "failed" })
        }
        other => format!("{other:?}"),
    }
}

fn check(edits: Vec<PlanEdit>, events: Vec<ConcurrencyEvent>, expected: Expect) {
    let mut lab = lab();
    for edit in edits {
        lab.apply(ConcurrencyEvent::Edit(edit), 0.0);
    }
    expected.assert_eq(&script(&mut lab, events));
}

fn plan(count: &str, strategy: StrategyKind, limit: &str) -> Vec<PlanEdit> {
    vec![PlanEdit::Count(count.into()), PlanEdit::Strategy(strategy), PlanEdit::Limit(limit.into())]
}

case_test! {
    fn one_after_another_starts_each_request_when_the_one_before_finishes() {
        check(
            plan("3", StrategyKind::Sequential, "1"),
            vec![ConcurrencyEvent::Run, done(1, 1), done(1, 2), done(1, 3)],
            expect![[r#"
                Run
                  → room for 106 timings
                  → fetch #1 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-1
                  rows: in flight, waiting, waiting
                #1 finished
                  → fetch #2 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-2
                  rows: done, in flight (after #1), waiting
                #2 finished
                  → fetch #3 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-3
                  rows: done, done (after #1), in flight (after #2)
                #3 finished
                  rows: done, done (after #1), done (after #2)
            "#]],
        );
    }

    fn all_at_once_starts_every_request_with_the_run() {
        check(
            plan("3", StrategyKind::AllAtOnce, "1"),
            vec![ConcurrencyEvent::Run, done(1, 2), done(1, 1), done(1, 3)],
            expect![[r#"
                Run
                  → room for 106 timings
                  → fetch #1 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-1
                  → fetch #2 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-2
                  → fetch #3 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-3
                  rows: in flight, in flight, in flight
                #2 finished
                  rows: in flight, done, in flight
                #1 finished
                  rows: done, done, in flight
                #3 finished
                  rows: done, done, done
            "#]],
        );
    }

    fn at_most_k_starts_k_and_then_one_for_each_that_finishes_or_fails() {
        check(
            plan("5", StrategyKind::AtMost, "2"),
            vec![
                ConcurrencyEvent::Run,
                done(1, 2),
                ConcurrencyEvent::RequestDone { run: 1, index: 0, result: Err("network".into()) },
                done(1, 3),
                done(1, 4),
                done(1, 5),
            ],
            expect![[r#"
                Run
                  → room for 110 timings
                  → fetch #1 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-1
                  → fetch #2 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-2
                  rows: in flight, in flight, waiting, waiting, waiting
                #2 finished
                  → fetch #3 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-3
                  rows: in flight, done, in flight (after #2), waiting, waiting
                #1 failed
                  → fetch #4 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-4
                  rows: failed, done, in flight (after #2), in flight (after #1), waiting
                #3 finished
                  → fetch #5 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-5
                  rows: failed, done, done (after #2), in flight (after #1), in flight (after #3)
                #4 finished
                  rows: failed, done, done (after #2), done (after #1), in flight (after #3)
                #5 finished
                  rows: failed, done, done (after #2), done (after #1), done (after #3)
            "#]],
        );
    }

    fn stop_aborts_what_is_in_flight_and_starts_nothing_more() {
        check(
            plan("4", StrategyKind::AtMost, "2"),
            vec![ConcurrencyEvent::Run, ConcurrencyEvent::Stop, done(1, 1),
                ConcurrencyEvent::RequestDone { run: 1, index: 1, result: Err("aborted".into()) }, ConcurrencyEvent::Stop],
            expect![[r#"
                Run
                  → room for 108 timings
                  → fetch #1 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-1
                  → fetch #2 http://127.0.0.1:8080/delay/1?wirelab_run=s-1-2
                  rows: in flight, in flight, waiting, waiting
                Stop
                  → abort run 1
                  rows: in flight, in flight, not started, not started
                #1 finished
                  rows: done, in flight, not started, not started
                #2 failed
                  rows: done, failed, not started, not started
                Stop
                  rows: done, failed, not started, not started
            "#]],
        );
    }

    fn a_second_run_gets_new_urls_and_a_late_answer_of_the_first_changes_nothing() {
        check(
            vec![PlanEdit::Count("1".into()), PlanEdit::Endpoint(EndpointKind::Drip)],
            vec![ConcurrencyEvent::Run, ConcurrencyEvent::Run, done(1, 1), ConcurrencyEvent::Run, done(1, 1), done(9, 1)],
            expect![[r#"
                Run
                  → room for 102 timings
                  → fetch #1 http://127.0.0.1:8080/drip?numbytes=1000&duration=1&delay=0&wirelab_run=s-1-1
                  rows: in flight
                Run
                  rows: in flight
                #1 finished
                  rows: done
                Run
                  → room for 102 timings
                  → fetch #1 http://127.0.0.1:8080/drip?numbytes=1000&duration=1&delay=0&wirelab_run=s-2-1
                  rows: in flight
                #1 finished
                  rows: in flight
                #1 finished
                  rows: in flight
            "#]],
        );
    }

    fn a_field_that_does_not_check_or_a_missing_tls_port_refuses_the_run() {
        check(
            vec![PlanEdit::Count("201".into())],
            vec![ConcurrencyEvent::Run, ConcurrencyEvent::Edit(PlanEdit::Count("2".into())),
                ConcurrencyEvent::Edit(PlanEdit::Strategy(StrategyKind::AtMost)), ConcurrencyEvent::Edit(PlanEdit::Limit("0".into())),
                ConcurrencyEvent::Run, ConcurrencyEvent::Edit(PlanEdit::Endpoint(EndpointKind::Bytes)),
                ConcurrencyEvent::Edit(PlanEdit::Strategy(StrategyKind::Sequential)), ConcurrencyEvent::Edit(PlanEdit::Bytes("1.5".into())),
                ConcurrencyEvent::Run, ConcurrencyEvent::Edit(PlanEdit::Bytes("1024".into())),
                ConcurrencyEvent::ServerInfo(Ok(None)), ConcurrencyEvent::Edit(PlanEdit::Carrier(Carrier::Http2)), ConcurrencyEvent::Run],
            expect![[r#"
                Run
                  form: How many: a whole number from 1 to 200
                  rows: no run
                Edit(Count("2"))
                  rows: no run
                Edit(Strategy(AtMost))
                  rows: no run
                Edit(Limit("0"))
                  rows: no run
                Run
                  form: k: a whole number from 1 to 200
                  rows: no run
                Edit(Endpoint(Bytes))
                  rows: no run
                Edit(Strategy(Sequential))
                  rows: no run
                Edit(Bytes("1.5"))
                  rows: no run
                Run
                  form: Bytes: a whole number from 0 to 10485760
                  rows: no run
                Edit(Bytes("1024"))
                  rows: no run
                ServerInfo(Ok(None))
                  rows: no run
                Edit(Carrier(Http2))
                  rows: no run
                Run
                  problem: this server has no TLS port, so there is no HTTP/2: start it with --tls-port 8443 (cargo xtask run -- --tls-port 8443)
                  rows: no run
            "#]],
        );
    }

    fn websockets_open_at_once_stay_open_until_all_have_opened_or_failed() {
        let mut lab = lab();
        for edit in [PlanEdit::Workload(Workload::WebSockets), PlanEdit::Count("3".into()), PlanEdit::Carrier(Carrier::Http2)] {
            lab.apply(ConcurrencyEvent::Edit(edit), 0.0);
        }
        let events = vec![
            ConcurrencyEvent::Run,
            ConcurrencyEvent::SocketOpened { run: 1, index: 0, started_ms: 100.0, opened_ms: 130.0 },
            ConcurrencyEvent::SocketFailed { run: 1, index: 2, started_ms: 100.0, at_ms: 150.0, error: "refused".into() },
            ConcurrencyEvent::SocketOpened { run: 1, index: 1, started_ms: 101.0, opened_ms: 141.0 },
            ConcurrencyEvent::SocketClosed { run: 1, index: 0, at_ms: 200.0 },
        ];
        let mut out = String::new();
        for event in events {
            out.push_str(&format!("{event:?}\n"));
            for effect in lab.apply(event, 0.0) {
                out.push_str(&format!("  → {}\n", describe(&effect)));
            }
        }
        let run = lab.shown_run().expect("a run");
        out.push_str(&format!("{}\n", run.sentences().join("\n")));
        expect![[r#"
            Run
              → open socket #1 wss://127.0.0.1:8443/ws/echo?wirelab_run=s-1-1
              → open socket #2 wss://127.0.0.1:8443/ws/echo?wirelab_run=s-1-2
              → open socket #3 wss://127.0.0.1:8443/ws/echo?wirelab_run=s-1-3
            SocketOpened { run: 1, index: 0, started_ms: 100.0, opened_ms: 130.0 }
            SocketFailed { run: 1, index: 2, started_ms: 100.0, at_ms: 150.0, error: "refused" }
            SocketOpened { run: 1, index: 1, started_ms: 101.0, opened_ms: 141.0 }
              → close sockets of run 1
            SocketClosed { run: 1, index: 0, at_ms: 200.0 }
            2 of 3 WebSockets opened; at most 2 open at once. Handshakes took a median 35.0 ms (the slowest 40.0 ms).
            1 WebSocket did not open; the first: refused
        "#]].assert_eq(&out);
    }

    fn the_tls_port_is_read_from_api_info_and_the_origins_from_the_page() {
        let cases = [
            (r#"{"tls": {"port": 8443, "certificate_sha256": "ab"}}"#, Some(8443)),
            (r#"{"tls": null}"#, None),
            (r#"{"name": "wirelab-server"}"#, None),
            (r#"{"tls": {"port": 0}}"#, None),
            (r#"{"tls": {"port": 70000}}"#, None),
        ];
        for (json, expected) in cases {
            let info: serde_json::Value = serde_json::from_str(json).expect("test JSON");
            assert_eq!(tls_port_in_info(&info), expected, "{json}");
        }
        let pages = [
            ("http:", "127.0.0.1:8080", Some("http://127.0.0.1:8080"), "https://127.0.0.1:8443"),
            ("http:", "localhost:8080", Some("http://localhost:8080"), "https://localhost:8443"),
            ("http:", "[::1]:8080", Some("http://[::1]:8080"), "https://[::1]:8443"),
            ("https:", "localhost:8443", None, "https://localhost:8443"),
        ];
        for (protocol, host, plain, tls) in pages {
            let mut origins = Origins::from_page(protocol, host);
            origins.tls = TlsPort::Port(8443);
            assert_eq!(origins.plain.as_deref(), plain, "{host}");
            assert_eq!(origins.origin(Carrier::Http2).as_deref(), Ok(tls), "{host}");
        }
    }
}

// ---- What a run measured ----------------------------------------------------------------------

/// A Resource Timing entry for a request started at `start` (ms), sent at `sent` over a
/// connection opened in `connect` (when it opened one), answered at `first_byte`, done at `end`.
fn entry(start: f64, connect: Option<(f64, f64)>, sent: f64, first_byte: f64, end: f64, protocol: &str) -> TimingEntry {
    let (connect_start, connect_end) = connect.unwrap_or((start, start));
    TimingEntry {
        start_time: start,
        fetch_start: start,
        domain_lookup_start: start,
        domain_lookup_end: start,
        connect_start,
        connect_end,
        request_start: sent,
        response_start: first_byte,
        response_end: end,
        transfer_size: 400.0,
        encoded_body_size: 300.0,
        decoded_body_size: 300.0,
        next_hop_protocol: protocol.into(),
        ..TimingEntry::default()
    }
}

fn measured(timing: TimingEntry) -> Measured {
    Measured {
        status: 200,
        body_bytes: 300,
        started_ms: timing.start_time - 0.2,
        ended_ms: timing.response_end + 0.3,
        timing: Some(timing),
    }
}

/// 12 × /delay/1 all at once over HTTP/1.1: six connections, and requests 7–12 wait ~1 s for one.
fn http1_run() -> Vec<Measured> {
    (0..12)
        .map(|index| {
            let start = 1000.0 + index as f64 * 0.5;
            if index < 6 {
                measured(entry(
                    start,
                    Some((start + 1.0, start + 3.0)),
                    start + 3.0,
                    start + 1004.0,
                    start + 1005.0,
                    "http/1.1",
                ))
            } else {
                let sent = 2006.0 + index as f64;
                measured(entry(start, None, sent, sent + 1001.0, sent + 1002.0, "http/1.1"))
            }
        })
        .collect()
}

/// The same over HTTP/2: one connection (TLS inside it), every request sent at once.
fn http2_run() -> Vec<Measured> {
    (0..12)
        .map(|index| {
            let start = 1000.0 + index as f64 * 0.5;
            let mut timing = if index == 0 {
                entry(start, Some((start + 1.0, start + 9.0)), start + 9.0, start + 1010.0, start + 1011.0, "h2")
            } else {
                entry(start, None, start + 9.5, start + 1010.0, start + 1011.0, "h2")
            };
            timing.is_https = true;
            timing.secure_connection_start = if index == 0 { start + 2.0 } else { 0.0 };
            measured(timing)
        })
        .collect()
}

fn sentences(run: &[Measured], failures: &[&str]) -> String {
    let mut rows: Vec<Option<Result<&Measured, &str>>> = run.iter().map(|m| Some(Ok(m))).collect();
    rows.extend(failures.iter().map(|text| Some(Err(*text))));
    rows.push(None);
    request_facts(&rows).sentences(Some(1.0)).join("\n")
}

fn describe_bars(run: &[Measured], numbers: &[usize]) -> String {
    let origin = run.iter().map(Measured::origin_ms).fold(f64::INFINITY, f64::min);
    let mut out = String::new();
    for number in numbers {
        let bars = run[number - 1].bars(origin);
        let segments: Vec<String> =
            bars.segments.iter().map(|s| format!("{} {:.1}+{:.1}", s.kind.id(), s.start_ms, s.duration_ms)).collect();
        out.push_str(&format!(
            "#{number}: {:.1}–{:.1} queued {:.1} new connection {}: {}\n",
            bars.start_ms,
            bars.end_ms,
            bars.queued_ms,
            bars.new_connection,
            segments.join(", ")
        ));
    }
    out
}

case_test! {
    fn http1_runs_show_six_connections_and_the_rest_queued() {
        let run = http1_run();
        expect![[r#"
            #1: 0.0–1005.3 queued 1.0 new connection true: queued 0.0+1.0, connect 1.0+2.0, waiting 3.0+1001.0, download 1004.0+1.0
            #6: 2.5–1007.8 queued 1.0 new connection true: queued 2.5+1.0, connect 3.5+2.0, waiting 5.5+1001.0, download 1006.5+1.0
            #7: 3.0–2014.3 queued 1009.0 new connection false: queued 3.0+1009.0, waiting 1012.0+1001.0, download 2013.0+1.0
        "#]].assert_eq(&describe_bars(&run, &[1, 6, 7]));
        expect![[r#"
            On HTTP/1.1 the browser opened 6 connections; requests 7–12 waited a median 1.01 s in the queue.
            Wall time 2.02 s for 12 answered requests that each take the server 1.00 s: 2.0× one request, against 12× one after another."#]]
        .assert_eq(&sentences(&run, &[]));
    }

    fn http2_runs_share_one_connection_and_nothing_queues() {
        let run = http2_run();
        expect![[r#"
            #1: 0.0–1011.3 queued 1.0 new connection true: queued 0.0+1.0, connect 1.0+1.0, tls 2.0+7.0, waiting 9.0+1001.0, download 1010.0+1.0
            #12: 5.5–1016.8 queued 9.5 new connection false: queued 5.5+9.5, waiting 15.0+1000.5, download 1015.5+1.0
        "#]].assert_eq(&describe_bars(&run, &[1, 12]));
        expect![[r#"
            On HTTP/2 all 12 shared one connection; none queued.
            Wall time 1.02 s for 12 answered requests that each take the server 1.00 s: 1.0× one request, against 12× one after another.
            1 request failed; the first: The connection broke"#]]
        .assert_eq(&sentences(&run, &["The connection broke"]));
    }

    fn a_request_without_phases_is_one_bar_and_hidden_phases_are_said() {
        let no_entry = Measured { status: 200, body_bytes: 5, started_ms: 10.0, ended_ms: 60.0, timing: None };
        let mut hidden = entry(20.0, None, 0.0, 0.0, 70.0, "");
        hidden.domain_lookup_start = 0.0;
        hidden.domain_lookup_end = 0.0;
        hidden.connect_start = 0.0;
        hidden.connect_end = 0.0;
        let hidden = measured(hidden);
        let run = vec![no_entry, hidden];
        expect![[r#"
            #1: 0.0–50.0 queued 0.0 new connection false: unmeasured 0.0+50.0
            #2: 10.0–60.3 queued 0.0 new connection false: unmeasured 10.0+50.3
        "#]].assert_eq(&describe_bars(&run, &[1, 2]));
        expect![[r#"
            The browser gave no timing phases for these requests, so which connections they used and how long they queued is unknown.
            Wall time 60.3 ms for 2 answered requests that each take the server 1.00 s: 0.1× one request, against 2× one after another.
            The browser hid the phases of 1 request: the server sent no Timing-Allow-Origin."#]]
        .assert_eq(&sentences(&run, &[]));
    }

    fn http2_that_never_answered_says_how_to_trust_the_certificate() {
        let mut lab = lab();
        for edit in [PlanEdit::Count("1".into()), PlanEdit::Carrier(Carrier::Http2)] {
            lab.apply(ConcurrencyEvent::Edit(edit), 0.0);
        }
        lab.apply(ConcurrencyEvent::Run, 0.0);
        lab.apply(ConcurrencyEvent::RequestDone { run: 1, index: 0, result: Err("Failed to fetch".into()) }, 0.0);
        expect![[r#"
            1 request failed; the first: Failed to fetch
            Nothing came back from https://127.0.0.1:8443. If its certificate is not trusted yet, open https://127.0.0.1:8443/ once in this browser and accept it (or trust the certificate whose path `cargo xtask run` prints), then run again; if the server is not listening there, start it with --tls-port."#]]
        .assert_eq(&lab.shown_run().map(|run| run.sentences().join("\n")).unwrap_or_default());
    }

    fn helpers_count_ranges_medians_and_overlaps() {
        let ranges = [(vec![], ""), (vec![3], "3"), (vec![1, 2, 3, 5, 7, 8], "1–3, 5, 7–8"), (vec![7, 8, 9, 10, 11, 12], "7–12")];
        for (numbers, expected) in ranges {
            assert_eq!(number_ranges(&numbers), expected, "{numbers:?}");
        }
        let medians = [(vec![], None), (vec![3.0], Some(3.0)), (vec![4.0, 1.0, 2.0, 3.0], Some(2.5))];
        for (values, expected) in medians {
            assert_eq!(median(values.clone()), expected, "{values:?}");
        }
        let overlaps: [(&[(f64, f64)], usize); 4] = [
            (&[], 0),
            (&[(0.0, 1.0), (1.0, 2.0)], 1),
            (&[(0.0, 3.0), (1.0, 2.0), (1.5, 4.0)], 3),
            (&[(0.0, f64::INFINITY), (5.0, 6.0)], 2),
        ];
        for (intervals, expected) in overlaps {
            assert_eq!(peak(intervals.iter().copied()), expected, "{intervals:?}");
        }
        type Intervals<'a> = &'a [(f64, f64)];
        let step_cases: [(Intervals, &[(f64, usize)]); 3] = [
            (&[], &[]),
            (&[(0.0, 2.0), (1.0, 3.0)], &[(0.0, 1), (1.0, 2), (2.0, 1), (3.0, 0)]),
            (&[(0.0, 1.0), (1.0, 2.0), (0.0, 2.0)], &[(0.0, 2), (1.0, 2), (2.0, 0)]),
        ];
        for (intervals, expected) in step_cases {
            assert_eq!(steps(intervals.iter().copied()), expected, "{intervals:?}");
        }
        let sockets = [
            SocketTimes { started_ms: Some(0.0), opened_ms: Some(10.0), ended_ms: None, error: None },
            SocketTimes { started_ms: Some(0.0), opened_ms: None, ended_ms: Some(5.0), error: Some("refused".into()) },
        ];
        let facts = socket_facts(&sockets);
        assert_eq!((facts.opened, facts.failed, facts.peak_open, facts.median_handshake_ms), (1, 1, 1, Some(10.0)));
    }

    fn websockets_that_opened_one_by_one_are_said_to_have_waited_their_turn() {
        let one_by_one: Vec<SocketTimes> = (0..5)
            .map(|n| SocketTimes { started_ms: Some(0.0), opened_ms: Some(20.0 + 100.0 * n as f64), ended_ms: None, error: None })
            .collect();
        expect![[r#"
            5 of 5 WebSockets opened; at most 5 open at once. Handshakes took a median 220.0 ms (the slowest 420.0 ms).
            They opened one by one over 400.0 ms, about 100.0 ms apart: the browser let one handshake per server be in progress at a time (RFC 6455 §4.1 asks this of clients), so the rest waited their turn."#]]
        .assert_eq(&socket_facts(&one_by_one).sentences().join("\n"));
        let together: Vec<SocketTimes> = (0..5)
            .map(|n| SocketTimes { started_ms: Some(0.0), opened_ms: Some(20.0 + n as f64), ended_ms: None, error: None })
            .collect();
        assert_eq!(socket_facts(&together).sentences().len(), 1, "no waiting sentence when they opened together");
    }
}

// ---- Python -----------------------------------------------------------------------------------

fn program(edits: Vec<PlanEdit>) -> String {
    let mut lab = lab();
    for edit in edits {
        lab.apply(ConcurrencyEvent::Edit(edit), 0.0);
    }
    lab.python_program().unwrap_or_else(|error| format!("error: {error}"))
}

case_test! {
    fn the_program_follows_the_strategy() {
        expect![[r#"
            # 3 × /delay/0.5, one after another, HTTP/1.1: a loop with requests. Each request starts when the one before has
            # finished; the Session keeps one connection open for all of them.
            import time

            import requests

            URL = "http://127.0.0.1:8080/delay/0.5"
            COUNT = 3


            def main():
                start = time.perf_counter()
                with requests.Session() as session:
                    for number in range(1, COUNT + 1):
                        began = time.perf_counter() - start
                        response = session.get(URL, timeout=120)
                        size = len(response.content)
                        ended = time.perf_counter() - start
                        print(f"request {number}: {response.status_code}, {size} bytes, "
                              f"started {began:.2f} s, finished {ended:.2f} s")
                print(f"total {time.perf_counter() - start:.2f} s")


            main()
        "#]]
        .assert_eq(&program(vec![
            PlanEdit::Count("3".into()),
            PlanEdit::Strategy(StrategyKind::Sequential),
            PlanEdit::DelaySeconds("0.5".into()),
        ]));
        expect![[r#"
            # 4 × /bytes/1024, at most 2 at a time, HTTP/1.1: asyncio.gather with aiohttp under an asyncio.Semaphore(2):
            # every request is started at once, but only 2 may hold the semaphore, the rest wait for one to finish.
            import asyncio
            import time

            import aiohttp

            URL = "http://127.0.0.1:8080/bytes/1024"
            COUNT = 4


            async def fetch(session, semaphore, number, start):
                async with semaphore:
                    began = time.perf_counter() - start
                    async with session.get(URL) as response:
                        body = await response.read()
                    ended = time.perf_counter() - start
                print(f"request {number}: {response.status}, {len(body)} bytes, "
                      f"started {began:.2f} s, finished {ended:.2f} s")


            async def main():
                start = time.perf_counter()
                semaphore = asyncio.Semaphore(2)
                connector = aiohttp.TCPConnector(limit=100)
                timeout = aiohttp.ClientTimeout(total=None)
                async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
                    await asyncio.gather(*(fetch(session, semaphore, number, start) for number in range(1, COUNT + 1)))
                print(f"total {time.perf_counter() - start:.2f} s")


            asyncio.run(main())
        "#]]
        .assert_eq(&program(vec![
            PlanEdit::Count("4".into()),
            PlanEdit::Strategy(StrategyKind::AtMost),
            PlanEdit::Limit("2".into()),
            PlanEdit::Endpoint(EndpointKind::Bytes),
            PlanEdit::Bytes("1024".into()),
        ]));
        let gathered = program(vec![PlanEdit::Endpoint(EndpointKind::Drip)]);
        for needle in ["asyncio.gather(", "TCPConnector(limit=0)", "URL = \"http://127.0.0.1:8080/drip?numbytes=1000&duration=1&delay=0\"", "COUNT = 12"] {
            assert!(gathered.contains(needle), "{needle} missing from:\n{gathered}");
        }
        let sockets = program(vec![PlanEdit::Workload(Workload::WebSockets), PlanEdit::Carrier(Carrier::Http2)]);
        for needle in ["ws_connect(URL)", "URL = \"ws://127.0.0.1:8080/ws/echo\"", "open at once"] {
            assert!(sockets.contains(needle), "{needle} missing from:\n{sockets}");
        }
        assert_eq!(program(vec![PlanEdit::Count("x".into())]), "error: How many: a whole number from 1 to 200");
    }
}
