//! The Resource Timing phases (DNS, connect, TLS, TTFB, download) of one request, and why a phase is missing.
//!
//! The app copies the browser's `PerformanceResourceTiming` entry for a fetch into a [`TimingEntry`];
//! [`breakdown`] turns it into the phases a person reads as a waterfall, plus a note for each phase that is absent,
//! because a missing bar is only useful when it says why (hidden cross-origin timing, a reused connection, plain
//! HTTP, the cache).

/// The raw fields, in ms relative to `timeOrigin`, as the browser reports them (0 when hidden).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimingEntry {
    pub start_time: f64,
    pub redirect_start: f64,
    pub redirect_end: f64,
    pub fetch_start: f64,
    pub domain_lookup_start: f64,
    pub domain_lookup_end: f64,
    pub connect_start: f64,
    pub connect_end: f64,
    pub secure_connection_start: f64,
    pub request_start: f64,
    pub response_start: f64,
    pub response_end: f64,
    pub transfer_size: f64,
    pub encoded_body_size: f64,
    pub decoded_body_size: f64,
    pub next_hop_protocol: String,
    pub is_https: bool,
}

/// One bar of the waterfall.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    /// One of [`REDIRECT`], [`DNS`], [`CONNECT`], [`TLS`], [`TTFB`], [`DOWNLOAD`].
    pub name: &'static str,
    /// Where the bar starts, in ms from the entry's `start_time` (never negative).
    pub start_ms: f64,
    /// How long it lasted, in ms (never negative).
    pub duration_ms: f64,
}

pub const REDIRECT: &str = "Redirect";
pub const DNS: &str = "DNS";
pub const CONNECT: &str = "Connect";
pub const TLS: &str = "TLS";
pub const TTFB: &str = "Request sent → first byte (TTFB)";
pub const DOWNLOAD: &str = "Download";

/// The phases in order, the whole duration, and a note for each phase that is not shown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimingBreakdown {
    /// `response_end - start_time`, never negative.
    pub total_ms: f64,
    pub phases: Vec<Phase>,
    pub notes: Vec<String>,
    /// The protocol the response came over, as people write it (`HTTP/2`), or empty when the
    /// browser did not say (a cross-origin response without Timing-Allow-Origin).
    pub protocol: String,
}

/// A protocol id as Resource Timing's `nextHopProtocol` gives it, as people write it: `h2` →
/// `HTTP/2`.
pub fn protocol_name(next_hop: &str) -> String {
    match next_hop {
        "http/1.1" => "HTTP/1.1".into(),
        "http/1.0" => "HTTP/1.0".into(),
        "h2" | "h2c" => "HTTP/2".into(),
        "h3" => "HTTP/3".into(),
        other if other.starts_with("h3-") => "HTTP/3".into(),
        "" => "an unreported protocol".into(),
        other => other.to_string(),
    }
}

pub const NOTE_HIDDEN: &str =
    "the server did not send Timing-Allow-Origin, so the browser hides the phases of this cross-origin request";
pub const NOTE_REUSED: &str = "connection reused (keep-alive): no DNS, connect or TLS";
pub const NOTE_PLAIN_HTTP: &str = "plain HTTP: no TLS";
pub const NOTE_CACHE: &str = "served from the browser cache";
pub const NOTE_REVALIDATED: &str =
    "revalidated with the server (304 Not Modified): only headers crossed the network, the body came from the cache";
pub const NOTE_NO_DNS: &str = "no DNS lookup: the address was already known (browser DNS cache or an IP address)";
pub const NOTE_TLS_IN_CONNECT: &str = "HTTP/3 (QUIC): the TLS handshake is part of Connect";
pub const NOTE_NO_TLS_TIME: &str = "the browser did not report when the TLS handshake started";
pub const NOTE_NO_TTFB: &str = "the browser did not report when the request was sent or the first byte arrived";

/// The phases of `entry` with durations ≥ 0, laid end to end as the browser timed them:
/// Redirect (`redirectStart → redirectEnd`, only when there was a visible redirect), DNS
/// (`domainLookupStart → domainLookupEnd`), Connect (`connectStart →` `secureConnectionStart`, or `connectEnd`
/// without TLS), TLS (`secureConnectionStart → connectEnd`), TTFB (`requestStart → responseStart`) and Download
/// (`responseStart → responseEnd`). Zero-length DNS, Connect and TLS phases are left out and explained in `notes`:
/// hidden cross-origin timing, the browser cache, a reused connection, a known address, plain HTTP. No redirect is
/// the ordinary case and gets no note. The gaps between phases (queueing, a service worker) are not phases.
pub fn breakdown(entry: &TimingEntry) -> TimingBreakdown {
    let origin = entry.start_time;
    let total_ms = non_negative(entry.response_end - origin);
    let mut phases = Vec::new();
    let mut notes = Vec::new();
    let protocol =
        if entry.next_hop_protocol.is_empty() { String::new() } else { protocol_name(&entry.next_hop_protocol) };
    // Each phase is clipped to the request's own span, so inconsistent fields never add up to more than the total.
    let finish = entry.response_end.max(origin);
    let mut phase = |name: &'static str, start: f64, end: f64| {
        let (start, end) = (start.max(origin), end.min(finish));
        phases.push(Phase { name, start_ms: non_negative(start - origin), duration_ms: non_negative(end - start) });
    };

    if entry.redirect_start > 0.0 && entry.redirect_end > entry.redirect_start {
        phase(REDIRECT, entry.redirect_start, entry.redirect_end);
    }

    let hidden = [
        entry.domain_lookup_start,
        entry.domain_lookup_end,
        entry.connect_start,
        entry.connect_end,
        entry.secure_connection_start,
        entry.request_start,
        entry.response_start,
    ]
    .iter()
    .all(|&field| field == 0.0);
    if hidden {
        notes.push(NOTE_HIDDEN.to_string());
        return TimingBreakdown { total_ms, phases, notes, protocol };
    }

    let cached = entry.transfer_size == 0.0 && entry.decoded_body_size > 0.0;
    let dns = entry.domain_lookup_end > entry.domain_lookup_start && entry.domain_lookup_start > 0.0;
    let connect = entry.connect_end > entry.connect_start && entry.connect_start > 0.0;
    if dns {
        phase(DNS, entry.domain_lookup_start, entry.domain_lookup_end);
    }
    if connect {
        let tls_start = entry.secure_connection_start;
        let has_tls = entry.is_https && tls_start > entry.connect_start && tls_start < entry.connect_end;
        if has_tls {
            phase(CONNECT, entry.connect_start, tls_start);
            phase(TLS, tls_start, entry.connect_end);
        } else {
            phase(CONNECT, entry.connect_start, entry.connect_end);
        }
    }
    if cached {
        notes.push(NOTE_CACHE.to_string());
    } else if !dns && !connect && entry.request_start > 0.0 {
        notes.push(NOTE_REUSED.to_string());
    } else {
        if !dns {
            notes.push(NOTE_NO_DNS.to_string());
        }
        if connect && !entry.is_https {
            notes.push(NOTE_PLAIN_HTTP.to_string());
        } else if connect && entry.secure_connection_start <= entry.connect_start {
            let h3 = entry.next_hop_protocol == "h3" || entry.next_hop_protocol.starts_with("h3-");
            notes.push(if h3 { NOTE_TLS_IN_CONNECT } else { NOTE_NO_TLS_TIME }.to_string());
        }
    }
    if !cached
        && entry.transfer_size > 0.0
        && entry.encoded_body_size > 0.0
        && entry.transfer_size < entry.encoded_body_size
    {
        notes.push(NOTE_REVALIDATED.to_string());
    }

    if entry.request_start > 0.0 && entry.response_start >= entry.request_start {
        phase(TTFB, entry.request_start, entry.response_start);
    } else {
        notes.push(NOTE_NO_TTFB.to_string());
    }
    if entry.response_start > 0.0 && entry.response_end >= entry.response_start {
        phase(DOWNLOAD, entry.response_start, entry.response_end);
    }
    TimingBreakdown { total_ms, phases, notes, protocol }
}

/// Negative or NaN differences (clock skew between fields, hidden fields) become 0.
fn non_negative(ms: f64) -> f64 {
    if ms > 0.0 { ms } else { 0.0 }
}
