//! One run drawn: for requests a waterfall (one row per request, its bars for queued, DNS,
//! connect, TLS, waiting and download on the run's shared time axis), for WebSockets one row per
//! socket (the handshake, then the time it stayed open); the sentences of what was measured
//! under it. Hovering or focusing a row shows its figures below the chart.

use wire::concurrency_lab::measure::{Bars, Segment, SegmentKind, protocol_name};
use wire::concurrency_lab::plan::Workload;
use wire::concurrency_lab::{RowState, Run};
use wire::units::{format_bytes, format_millis};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RunChartProps {
    pub run: Run,
}

/// One row as drawn: its label, its bars (or a state in words), and the figures for the detail.
struct Row {
    label: String,
    status: String,
    bars: Option<Bars>,
    detail: Vec<String>,
    state: &'static str,
}

impl Row {
    /// A row with no bars: its state in words.
    fn without_bars(label: &str, status: &str, state: &'static str, detail: Vec<String>) -> Row {
        Row { label: label.to_string(), status: status.to_string(), bars: None, detail, state }
    }
}

fn request_rows(run: &Run) -> (Vec<Row>, f64) {
    let origin = run
        .requests
        .iter()
        .filter_map(|row| match &row.state {
            RowState::Done(measured) => Some(measured.origin_ms()),
            _ => None,
        })
        .fold(f64::INFINITY, f64::min);
    let mut span: f64 = 1.0;
    let rows = run
        .requests
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let label = format!("#{}", index + 1);
            let after = row
                .started_after
                .map(|n| format!("started when #{n} finished"))
                .unwrap_or_else(|| "started with the run".into());
            match &row.state {
                RowState::Done(measured) => {
                    let bars = measured.bars(origin);
                    span = span.max(bars.end_ms);
                    let mut detail = vec![
                        format!(
                            "{label}: {} {}, {}",
                            measured.status,
                            protocol_name(&bars.protocol),
                            format_bytes(measured.body_bytes)
                        ),
                        after,
                        format!(
                            "from {} to {} ({})",
                            format_millis(bars.start_ms),
                            format_millis(bars.end_ms),
                            format_millis(bars.end_ms - bars.start_ms)
                        ),
                    ];
                    detail.extend(
                        bars.segments.iter().map(|s| format!("{}: {}", s.kind.name(), format_millis(s.duration_ms))),
                    );
                    detail.push(if bars.new_connection {
                        "opened a new connection".into()
                    } else {
                        "no new connection".into()
                    });
                    detail.extend(bars.notes.iter().cloned());
                    Row { label, status: measured.status.to_string(), bars: Some(bars), detail, state: "done" }
                }
                RowState::Failed(error) => {
                    Row::without_bars(&label, "failed", "failed", vec![format!("{label}: failed: {error}"), after])
                }
                RowState::InFlight => {
                    Row::without_bars(&label, "…", "in-flight", vec![format!("{label}: in flight"), after])
                }
                RowState::Waiting => {
                    Row::without_bars(&label, "", "waiting", vec![format!("{label}: waiting for its turn")])
                }
                RowState::NotStarted => {
                    Row::without_bars(&label, "–", "not-started", vec![format!("{label}: not started (stopped)")])
                }
            }
        })
        .collect();
    (rows, span)
}

fn socket_rows(run: &Run) -> (Vec<Row>, f64) {
    let origin = run.sockets.iter().filter_map(|row| row.times.started_ms).fold(f64::INFINITY, f64::min);
    let last_open = run.sockets.iter().filter_map(|row| row.times.opened_ms).fold(origin, f64::max);
    let mut span: f64 = 1.0;
    let rows = run
        .sockets
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let label = format!("#{}", index + 1);
            let times = &row.times;
            match (times.started_ms, times.opened_ms, &times.error) {
                (Some(start), Some(opened), _) => {
                    let end = times.ended_ms.unwrap_or(last_open).max(opened);
                    span = span.max(end - origin);
                    let segments = vec![
                        Segment { kind: SegmentKind::Connect, start_ms: start - origin, duration_ms: opened - start },
                        Segment { kind: SegmentKind::Download, start_ms: opened - origin, duration_ms: end - opened },
                    ];
                    let bars = Bars {
                        start_ms: start - origin,
                        end_ms: end - origin,
                        segments,
                        queued_ms: 0.0,
                        new_connection: true,
                        protocol: String::new(),
                        notes: Vec::new(),
                    };
                    let detail = vec![
                        format!("{label}: handshake {}", format_millis(opened - start)),
                        format!("opened at {}", format_millis(opened - origin)),
                    ];
                    Row { label, status: format_millis(opened - start), bars: Some(bars), detail, state: "done" }
                }
                (_, None, Some(error)) => {
                    Row::without_bars(&label, "failed", "failed", vec![format!("{label}: {error}")])
                }
                _ if row.abandoned => {
                    Row::without_bars(&label, "–", "not-started", vec![format!("{label}: stopped before it opened")])
                }
                _ => Row::without_bars(&label, "…", "in-flight", vec![format!("{label}: opening")]),
            }
        })
        .collect();
    (rows, span)
}

/// Round steps for the time axis: about five ticks.
fn tick_step(span_ms: f64) -> f64 {
    let rough = span_ms / 5.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|step| *step >= rough).unwrap_or(magnitude * 10.0)
}

/// An axis label: `0`, `250 ms`, `1.5 s`.
fn tick_label(ms: f64) -> String {
    if ms == 0.0 {
        "0".into()
    } else if ms < 10.0 {
        format!("{} ms", wire::concurrency_lab::plan::number((ms * 10.0).round() / 10.0))
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{} s", wire::concurrency_lab::plan::number((ms / 10.0).round() / 100.0))
    }
}

/// The step line of `steps` in a 1000 × 100 box: x is time over `span`, y the count over `most`.
fn step_points(steps: &[(f64, usize)], span: f64, most: usize) -> String {
    let x = |ms: f64| (ms / span * 1000.0).clamp(0.0, 1000.0);
    let y = |count: usize| 100.0 - count as f64 / most.max(1) as f64 * 96.0;
    let mut points = Vec::new();
    let mut previous = 0;
    for (at, count) in steps {
        points.push(format!("{:.1},{:.1}", x(*at), y(previous)));
        points.push(format!("{:.1},{:.1}", x(*at), y(*count)));
        previous = *count;
    }
    points.join(" ")
}

/// Requests in flight over time: started by the page and not finished, and sent and not yet
/// answered, against the strategy's limit.
fn flight_chart(run: &Run, span: f64, ticks: &[f64]) -> Html {
    let (started, on_the_wire) = run.in_flight();
    let most_started = started.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let most_on_wire = on_the_wire.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let limit = run.plan.strategy.limit(run.plan.count) as usize;
    let most = most_started.max(most_on_wire).max(limit).max(1);
    let limit_y = 100.0 - limit as f64 / most as f64 * 96.0;
    let summary = format!(
        "Requests in flight: at most {most_started} started and not finished, at most {most_on_wire} sent and \
         not yet answered; the strategy allows {limit}."
    );
    html! {
        <div class="conc-flight">
            <div class="conc-flight-head">
                <h3>{"In flight"}</h3>
                <ul class="conc-legend" aria-hidden="true">
                    <li><span class="conc-swatch started"></span>{format!("started, not finished (at most {most_started})")}</li>
                    <li><span class="conc-swatch on-wire"></span>{format!("sent, not answered (at most {most_on_wire})")}</li>
                    <li><span class="conc-swatch limit"></span>{format!("the strategy's limit ({limit})")}</li>
                </ul>
            </div>
            <div class="conc-flight-plot">
                <span class="conc-flight-max mono small" aria-hidden="true">{most}</span>
                <svg viewBox="0 0 1000 100" preserveAspectRatio="none" role="img" aria-label={summary}>
                    { for ticks.iter().skip(1).map(|tick| {
                        let x = format!("{:.1}", tick / span * 1000.0);
                        html! { <line class="conc-flight-grid" x1={x.clone()} x2={x} y1="0" y2="100" vector-effect="non-scaling-stroke" /> }
                    }) }
                    <line class="conc-flight-limit" x1="0" x2="1000" y1={format!("{limit_y:.1}")} y2={format!("{limit_y:.1}")} vector-effect="non-scaling-stroke" />
                    <polyline class="conc-flight-started" points={step_points(&started, span, most)} vector-effect="non-scaling-stroke" />
                    <polyline class="conc-flight-wire" points={step_points(&on_the_wire, span, most)} vector-effect="non-scaling-stroke" />
                </svg>
            </div>
        </div>
    }
}

fn percent(ms: f64, span: f64) -> String {
    format!("{:.3}%", (ms / span * 100.0).clamp(0.0, 100.0))
}

#[function_component(RunChart)]
pub fn run_chart(props: &RunChartProps) -> Html {
    let focused = use_state(|| None::<usize>);
    let run = &props.run;
    let sockets = run.plan.workload == Workload::WebSockets;
    let (rows, span) = if sockets { socket_rows(run) } else { request_rows(run) };
    // No axis until something was measured.
    let measured = rows.iter().any(|row| row.bars.is_some());
    let step = tick_step(span);
    let ticks: Vec<f64> =
        if measured { (0..).map(|i| i as f64 * step).take_while(|t| *t <= span).collect() } else { Vec::new() };
    let dense = rows.len() > 40;
    let legend: Vec<(SegmentKind, &str)> = if sockets {
        vec![(SegmentKind::Connect, "Handshake"), (SegmentKind::Download, "Open")]
    } else {
        SegmentKind::LEGEND.iter().map(|kind| (*kind, kind.name())).collect()
    };
    let detail = focused.and_then(|index| rows.get(index)).map(|row| row.detail.clone());
    let sentences = run.sentences();
    let title = if sockets { "Handshakes" } else { "Waterfall" };
    html! {
        <div class="conc-chart" data-testid="conc-chart" data-run={run.id.to_string()}>
            <div class="conc-chart-head">
                <h2 id="conc-chart-title">{format!("{title}: run {}", run.id)}</h2>
                <span class="muted small">{run.plan.label()}</span>
            </div>
            <ul class="conc-legend" aria-label="Legend">
                { for legend.iter().map(|(kind, name)| html! {
                    <li><span class={classes!("conc-swatch", kind.id())} aria-hidden="true"></span>{*name}</li>
                }) }
            </ul>
            <div class={classes!("conc-rows", dense.then_some("dense"))} role="list" aria-label={title}>
                <div class="conc-axis" aria-hidden="true">
                    <span class="conc-axis-label"></span>
                    <div class="conc-axis-track">
                        { for ticks.iter().map(|tick| html! {
                            <span class="conc-tick" style={format!("left: {}", percent(*tick, span))}>{tick_label(*tick)}</span>
                        }) }
                    </div>
                    <span></span>
                </div>
                { for rows.iter().enumerate().map(|(index, row)| {
                    let enter = { let focused = focused.clone(); Callback::from(move |_: MouseEvent| focused.set(Some(index))) };
                    let focus = { let focused = focused.clone(); Callback::from(move |_: FocusEvent| focused.set(Some(index))) };
                    let queued = row.bars.as_ref().map_or(0.0, |bars| bars.queued_ms);
                    html! {
                        <div class={classes!("conc-row", row.state, (focused.as_ref() == Some(&index)).then_some("focused"))}
                            role="listitem" tabindex="0" data-testid="conc-row" data-state={row.state}
                            data-queued-ms={format!("{queued:.0}")}
                            aria-label={row.detail.join("; ")}
                            onmouseenter={enter} onfocus={focus}>
                            <span class="conc-row-label mono">{&row.label}</span>
                            <div class="conc-track">
                                { for ticks.iter().skip(1).map(|tick| html! {
                                    <span class="conc-gridline" style={format!("left: {}", percent(*tick, span))}></span>
                                }) }
                                if let Some(bars) = &row.bars {
                                    { for bars.segments.iter().filter(|s| s.duration_ms > 0.0).map(|segment| html! {
                                        <span class={classes!("conc-bar", segment.kind.id())}
                                            style={format!("left: {}; width: max(2px, {})", percent(segment.start_ms, span), percent(segment.duration_ms, span))}></span>
                                    }) }
                                }
                            </div>
                            <span class="conc-row-status mono small">{&row.status}</span>
                        </div>
                    }
                }) }
            </div>
            if !sockets && measured {
                { flight_chart(run, span, &ticks) }
            }
            <div class="conc-detail small" aria-live="polite">
                { match detail {
                    Some(lines) => html! { <>{ for lines.iter().map(|line| html! { <span>{line}</span> }) }</> },
                    None => html! { <span class="muted">{"Point at a row or focus it (Tab) for its figures."}</span> },
                } }
            </div>
            if !sentences.is_empty() {
                <div class="conc-sentences" data-testid="conc-sentences">
                    { for sentences.iter().map(|sentence| html! { <p>{sentence}</p> }) }
                </div>
            }
            if run.tls_unreachable() {
                <p class="conc-trust">
                    <a href={format!("{}/", run.origin)} target="_blank" rel="noopener">
                        {format!("Open {}/ in a new tab to accept its certificate", run.origin)}
                    </a>
                    {", then come back and run again."}
                </p>
            }
        </div>
    }
}
