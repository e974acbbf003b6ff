//! The runs kept so far, side by side: each one's plan and wall time as a bar against the
//! slowest, so strategies and protocols can be compared. Choosing one shows it in the chart.

use wire::concurrency_lab::Run;
use wire::units::format_millis;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RunsViewProps {
    pub runs: Vec<Run>,
    pub shown: Option<u32>,
    pub on_show: Callback<u32>,
    pub on_clear: Callback<()>,
}

#[function_component(RunsView)]
pub fn runs_view(props: &RunsViewProps) -> Html {
    let walls: Vec<Option<f64>> = props.runs.iter().map(Run::wall_ms).collect();
    let slowest = walls.iter().flatten().copied().fold(1.0, f64::max);
    let on_clear = props.on_clear.reform(|_: MouseEvent| ());
    html! {
        <section class="card conc-runs" aria-labelledby="conc-runs-title">
            <div class="panel-head">
                <h2 id="conc-runs-title">{"Wall time per run"}</h2>
                <button type="button" class="button subtle" onclick={on_clear} disabled={props.runs.is_empty()}>{"Clear"}</button>
            </div>
            if props.runs.is_empty() {
                <p class="muted small conc-runs-empty">{"Each run is kept here with its wall time, so strategies and protocols can be compared."}</p>
            } else {
                <ol class="conc-run-list">
                    { for props.runs.iter().zip(&walls).rev().map(|(run, wall)| {
                        let id = run.id;
                        let onclick = props.on_show.reform(move |_: MouseEvent| id);
                        let finished = run.is_finished();
                        let time = match (wall, finished) {
                            (Some(ms), true) => format_millis(*ms),
                            (_, false) => "running…".to_string(),
                            (None, true) => "no answer".to_string(),
                        };
                        let width = wall.map_or(0.0, |ms| ms / slowest * 100.0);
                        html! {
                            <li>
                                <button type="button" class={classes!("conc-run", (props.shown == Some(id)).then_some("shown"))}
                                    aria-pressed={(props.shown == Some(id)).to_string()} data-testid="conc-run" {onclick}>
                                    <span class="conc-run-text">
                                        <span class="conc-run-plan">{format!("{}. {}", run.id, run.plan.label())}</span>
                                        <span class="conc-run-wall mono" data-testid="conc-run-wall">{time}</span>
                                    </span>
                                    <span class="conc-run-track" aria-hidden="true">
                                        <span class="conc-run-bar" style={format!("width: {width:.1}%")}></span>
                                    </span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </section>
    }
}
