//! The stream's figures (taken a few times a second, not per reading) and the encodings compared:
//! bytes per reading as measured on this stream in each encoding it has been in, beside the last
//! reading encoded five ways here.

use wire::iot_lab::{CompareRun, EncodingTally, LatencySummary, TelemetryStats, figure};
use wire::telemetry::Encoding;
use wire::units::format_bytes;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatsViewProps {
    pub stats: TelemetryStats,
    pub encoding: Encoding,
    pub last_fault: Option<(String, String)>,
    pub decode_error: Option<String>,
    pub server_error: Option<String>,
}

#[function_component(StatsView)]
pub fn stats_view(props: &StatsViewProps) -> Html {
    let stats = &props.stats;
    let stat = |key: &'static str, label: String, value: String| {
        html! {
            <div class="iot-stat" data-stat={key}>
                <dt>{label}</dt>
                <dd class="mono">{value}</dd>
            </div>
        }
    };
    let per_reading = stats.bytes_per_reading.map_or_else(|| "–".into(), |bytes| format!("{} B", figure(bytes)));
    let latency_count = stats.latency.map_or(0, |latency| latency.count);
    let latency = |part: fn(&LatencySummary) -> f64| {
        stats.latency.as_ref().map_or_else(|| "–".into(), |latency| format!("{} ms", figure(part(latency))))
    };
    html! {
        <section class="card iot-stats" aria-labelledby="iot-stats-title">
            <h2 id="iot-stats-title">{"Stream"}</h2>
            <dl>
                {stat("messages-per-second", "Messages/s".into(), figure(stats.messages_per_s))}
                {stat("bytes-per-second", "Bytes/s".into(), format!("{}/s", format_bytes(stats.bytes_per_s as u64)))}
                {stat("bytes-per-reading", format!("Bytes per reading ({})", stats.encoding.unwrap_or(props.encoding).label()), per_reading)}
                {stat("latency-p50", "Latency p50".into(), latency(|latency| latency.p50_ms))}
                {stat("latency-p95", "Latency p95".into(), latency(|latency| latency.p95_ms))}
                {stat("latency-max", "Latency max".into(), latency(|latency| latency.max_ms))}
                {stat("received", "Received".into(), stats.received.to_string())}
                {stat("sent", "Sent by the server".into(), stats.sent.to_string())}
                {stat("dropped", "Dropped by the server".into(), stats.dropped.to_string())}
                {stat("faults", "Fault readings".into(), stats.faults.to_string())}
            </dl>
            <p class="hint">
                {format!("Rates are over the last second. Latency is from the server's send time (in each reading) to the moment the message arrived here, \
                  on the same machine's clock, over the last {latency_count} readings. \
                  Dropped readings are those the server could not queue because this page read too slowly.")}
            </p>
            if let Some((device, fault)) = &props.last_fault {
                <p class="iot-fault-note" data-testid="last-fault">
                    <span class="iot-fault-mark" aria-hidden="true">{"▲"}</span>
                    {format!(" Last fault: {device}, “{fault}” (marked ▲ on the plot)")}
                </p>
            }
            if stats.undecodable > 0 {
                <p class="inline-error" role="alert">
                    {format!("{} readings could not be decoded", stats.undecodable)}
                    if let Some(error) = &props.decode_error { {format!("; the last: {error}")} }
                </p>
            }
            if let Some(error) = &props.server_error {
                <p class="inline-error" role="alert">{format!("The server said: {error}")}</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareViewProps {
    pub measured: [EncodingTally; 5],
    pub computed: Option<[(Encoding, usize); 5]>,
    /// The encoding binary messages are in now.
    pub current: Encoding,
    pub compare: Option<CompareRun>,
    pub open: bool,
    pub on_measure: Callback<()>,
}

#[function_component(CompareView)]
pub fn compare_view(props: &CompareViewProps) -> Html {
    let rows = Encoding::ALL.iter().zip(props.measured.iter()).map(|(&encoding, tally)| {
        let measured = match tally.mean() {
            Some(mean) if tally.smallest == tally.largest => format!("{} B", figure(mean)),
            Some(mean) => format!("{} B ({}–{})", figure(mean), tally.smallest, tally.largest),
            None => "not yet".into(),
        };
        let computed = props
            .computed
            .and_then(|sizes| sizes.iter().find(|(each, _)| *each == encoding).map(|(_, size)| format!("{size} B")))
            .unwrap_or_else(|| "–".into());
        let current = encoding == props.current;
        html! {
            <tr class={classes!(current.then_some("current"))} data-encoding={encoding.name()}>
                <th scope="row">{encoding.label()} if current { <span class="iot-now">{" (now)"}</span> }</th>
                <td class="mono" data-testid="measured">{measured}</td>
                <td class="mono">{tally.readings.to_string()}</td>
                <td class="mono" data-testid="computed">{computed}</td>
            </tr>
        }
    });
    let progress = props.compare.as_ref().map(|compare| {
        let step = compare.step.min(Encoding::ALL.len() - 1);
        format!("Measuring {} ({} of {})…", Encoding::ALL[step].label(), step + 1, Encoding::ALL.len())
    });
    let on_measure = props.on_measure.reform(|_: MouseEvent| ());
    html! {
        <section class="card iot-compare" aria-labelledby="iot-compare-title">
            <div class="iot-compare-head">
                <h2 id="iot-compare-title">{"Bytes per reading by encoding"}</h2>
                <button type="button" class="button" disabled={!props.open || props.compare.is_some()} onclick={on_measure}>
                    {"Measure each encoding"}
                </button>
                <output class="muted" aria-live="polite">{progress.unwrap_or_default()}</output>
            </div>
            <table class="iot-compare-table">
                <thead>
                    <tr>
                        <th scope="col">{"Encoding"}</th>
                        <th scope="col">{"Measured on this stream (mean, min–max)"}</th>
                        <th scope="col">{"Readings measured"}</th>
                        <th scope="col">{"Computed: last reading encoded here"}</th>
                    </tr>
                </thead>
                <tbody>{for rows}</tbody>
            </table>
            <p class="hint">
                {"Measured: the size of each binary message while the stream was in that encoding (switch the encoding, or let \
                  “Measure each encoding” switch the open stream through all five for a second each and back). \
                  Computed: the newest reading re-encoded in this page with the same code the server uses, so the five sizes are for \
                  exactly the same values."}
            </p>
        </section>
    }
}
