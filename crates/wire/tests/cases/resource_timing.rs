//! Tests of `wire::resource_timing`: realistic entries as the browser reports them, with the phases and notes a
//! person sees.

use expect_test::{Expect, expect};
use wire::resource_timing::{TimingEntry, breakdown};

/// The waterfall as text: one line per phase, then the notes.
fn check(entry: TimingEntry, expected: Expect) {
    let result = breakdown(&entry);
    let mut lines = vec![format!("total {:.1} ms", result.total_ms)];
    for phase in &result.phases {
        lines.push(format!("{:>7.1} +{:>6.1}  {}", phase.start_ms, phase.duration_ms, phase.name));
    }
    for note in &result.notes {
        lines.push(format!("note: {note}"));
    }
    let sum: f64 = result.phases.iter().map(|phase| phase.duration_ms).sum();
    assert!(sum <= result.total_ms + 1e-9, "phases add up to more than the total: {sum}");
    assert!(result.phases.iter().all(|phase| phase.duration_ms >= 0.0 && phase.start_ms >= 0.0));
    expected.assert_eq(&lines.join("\n"));
}

fn https(protocol: &str) -> TimingEntry {
    TimingEntry { next_hop_protocol: protocol.into(), is_https: true, ..TimingEntry::default() }
}

case_test! {
    fn fresh_https_connection() {
        check(
            TimingEntry {
                start_time: 100.0,
                fetch_start: 100.5,
                domain_lookup_start: 101.0,
                domain_lookup_end: 121.0,
                connect_start: 121.0,
                secure_connection_start: 150.0,
                connect_end: 190.0,
                request_start: 191.0,
                response_start: 290.0,
                response_end: 340.0,
                transfer_size: 5300.0,
                encoded_body_size: 5000.0,
                decoded_body_size: 18000.0,
                ..https("h2")
            },
            expect![[r#"
                total 240.0 ms
                    1.0 +  20.0  DNS
                   21.0 +  29.0  Connect
                   50.0 +  40.0  TLS
                   91.0 +  99.0  Request sent → first byte (TTFB)
                  190.0 +  50.0  Download"#]],
        );
    }

    fn reused_connection() {
        check(
            TimingEntry {
                start_time: 2000.0,
                fetch_start: 2000.2,
                domain_lookup_start: 2000.2,
                domain_lookup_end: 2000.2,
                connect_start: 2000.2,
                connect_end: 2000.2,
                secure_connection_start: 2000.2,
                request_start: 2001.0,
                response_start: 2031.0,
                response_end: 2033.5,
                transfer_size: 900.0,
                encoded_body_size: 600.0,
                decoded_body_size: 600.0,
                ..https("h2")
            },
            expect![[r#"
                total 33.5 ms
                    1.0 +  30.0  Request sent → first byte (TTFB)
                   31.0 +   2.5  Download
                note: connection reused (keep-alive): no DNS, connect or TLS"#]],
        );
    }

    fn cross_origin_without_timing_allow_origin() {
        check(
            TimingEntry { start_time: 500.0, fetch_start: 500.0, response_end: 812.0, ..https("") },
            expect![[r#"
                total 312.0 ms
                note: the server did not send Timing-Allow-Origin, so the browser hides the phases of this cross-origin request"#]],
        );
    }

    fn served_from_cache() {
        check(
            TimingEntry {
                start_time: 40.0,
                fetch_start: 40.1,
                domain_lookup_start: 40.1,
                domain_lookup_end: 40.1,
                connect_start: 40.1,
                connect_end: 40.1,
                request_start: 40.3,
                response_start: 40.8,
                response_end: 41.0,
                transfer_size: 0.0,
                encoded_body_size: 3000.0,
                decoded_body_size: 3000.0,
                ..https("h2")
            },
            expect![[r#"
                total 1.0 ms
                    0.3 +   0.5  Request sent → first byte (TTFB)
                    0.8 +   0.2  Download
                note: served from the browser cache"#]],
        );
    }

    fn same_origin_redirect_then_plain_http() {
        check(
            TimingEntry {
                start_time: 10.0,
                redirect_start: 10.0,
                redirect_end: 45.0,
                fetch_start: 45.0,
                domain_lookup_start: 46.0,
                domain_lookup_end: 52.0,
                connect_start: 52.0,
                connect_end: 60.0,
                request_start: 60.5,
                response_start: 80.0,
                response_end: 81.0,
                transfer_size: 400.0,
                encoded_body_size: 120.0,
                decoded_body_size: 120.0,
                next_hop_protocol: "http/1.1".into(),
                is_https: false,
                ..TimingEntry::default()
            },
            expect![[r#"
                total 71.0 ms
                    0.0 +  35.0  Redirect
                   36.0 +   6.0  DNS
                   42.0 +   8.0  Connect
                   50.5 +  19.5  Request sent → first byte (TTFB)
                   70.0 +   1.0  Download
                note: plain HTTP: no TLS"#]],
        );
    }

    fn other_missing_phases() {
        // New QUIC connection to an address the browser already knew, TLS folded into Connect.
        check(
            TimingEntry {
                start_time: 0.0,
                fetch_start: 1.0,
                domain_lookup_start: 1.0,
                domain_lookup_end: 1.0,
                connect_start: 1.0,
                secure_connection_start: 1.0,
                connect_end: 31.0,
                request_start: 31.0,
                response_start: 61.0,
                response_end: 62.0,
                transfer_size: 1000.0,
                encoded_body_size: 800.0,
                decoded_body_size: 800.0,
                ..https("h3")
            },
            expect![[r#"
                total 62.0 ms
                    1.0 +  30.0  Connect
                   31.0 +  30.0  Request sent → first byte (TTFB)
                   61.0 +   1.0  Download
                note: no DNS lookup: the address was already known (browser DNS cache or an IP address)
                note: HTTP/3 (QUIC): the TLS handshake is part of Connect"#]],
        );
        // A 304 revalidation over a reused connection: headers only on the wire.
        check(
            TimingEntry {
                start_time: 5.0,
                fetch_start: 5.0,
                domain_lookup_start: 5.0,
                domain_lookup_end: 5.0,
                connect_start: 5.0,
                connect_end: 5.0,
                request_start: 6.0,
                response_start: 26.0,
                response_end: 26.5,
                transfer_size: 300.0,
                encoded_body_size: 40_000.0,
                decoded_body_size: 160_000.0,
                ..https("h2")
            },
            expect![[r#"
                total 21.5 ms
                    1.0 +  20.0  Request sent → first byte (TTFB)
                   21.0 +   0.5  Download
                note: connection reused (keep-alive): no DNS, connect or TLS
                note: revalidated with the server (304 Not Modified): only headers crossed the network, the body came from the cache"#]],
        );
        // Nonsense from a misbehaving browser: nothing negative, no panic.
        check(
            TimingEntry {
                start_time: 100.0,
                domain_lookup_start: 90.0,
                domain_lookup_end: 95.0,
                request_start: 120.0,
                response_start: 110.0,
                response_end: 50.0,
                ..TimingEntry::default()
            },
            expect![[r#"
                total 0.0 ms
                    0.0 +   0.0  DNS
                note: the browser did not report when the request was sent or the first byte arrived"#]],
        );
    }
}
