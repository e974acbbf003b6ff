//! The Concurrency lab: N requests to one endpoint run one after another, all at once or at most
//! k at a time, over HTTP/1.1 or HTTP/2, drawn as a waterfall from Resource Timing, with the wall
//! time of each run side by side and sentences saying what was measured; N WebSockets opened at
//! once; and the run as Python.
//!
//! The root holds one store (`effects.rs`: `wire::concurrency_lab::ConcurrencyLabState` and the
//! fetches and sockets); the form, the runs, the chart and the Python panel get plain values and
//! emit `ConcurrencyEvent`s.

mod effects;
mod plan_form;
mod python_panel;
mod runs_view;
mod waterfall;

use wire::concurrency_lab::ConcurrencyEvent;
use wire::concurrency_lab::plan::Carrier;
use yew::prelude::*;

use crate::lab_store::use_lab_store;
use crate::net::page_origin;
pub use effects::{ConcurrencyIo, ConcurrencyStore};
use plan_form::PlanFormView;
use python_panel::PythonPanel;
use runs_view::RunsView;
use waterfall::RunChart;

/// The lab, on the server that served the page (the lab module's root).
#[function_component(ConcurrencyLab)]
pub fn concurrency_lab() -> Html {
    html! { <ConcurrencyLabOn /> }
}

#[derive(Properties, PartialEq)]
pub struct ConcurrencyLabOnProps {
    /// `HOST:PORT` of a wirelab-server over plain HTTP; by default the one that served the page.
    #[prop_or_default]
    pub server: Option<AttrValue>,
}

/// The lab, on `server` (the browser tests run it against a server of their own).
#[function_component(ConcurrencyLabOn)]
pub fn concurrency_lab_on(props: &ConcurrencyLabOnProps) -> Html {
    let server = props.server.clone();
    let lab: ConcurrencyStore = use_lab_store(move || {
        // Tells this page's request URLs apart from another page's (and the browser's cache).
        let session = format!("{:x}", js_sys::Date::now() as u64 % 0x1000_0000);
        match server {
            Some(host) => (
                wire::concurrency_lab::ConcurrencyLabState::new(
                    wire::concurrency_lab::Origins::from_page("http:", &host),
                    &session,
                ),
                ConcurrencyIo::new(format!("http://{host}")),
            ),
            None => {
                let (protocol, host) = page_origin();
                (
                    wire::concurrency_lab::ConcurrencyLabState::new(
                        wire::concurrency_lab::Origins::from_page(&protocol, &host),
                        &session,
                    ),
                    ConcurrencyIo::new(String::new()),
                )
            }
        }
    });
    {
        let lab = lab.clone();
        use_effect_with((), move |_| {
            effects::load_server_info(&lab);
            move || lab.runner().close_for_good()
        });
    }
    let state = lab.state();
    let running = state.running().map(|run| (run.done(), run.plan.count as usize));
    let carriers = [Carrier::Http1, Carrier::Http2]
        .map(|carrier| (carrier, state.origins.origin(carrier).ok(), state.carrier_problem(carrier)));
    html! {
        <div class="concurrency-lab">
            <div class="lab-head">
                <h1>{"Concurrency"}</h1>
                <p class="muted lab-subtitle">
                    {"Many requests at once: one after another, all at once, or at most k at a time, over \
                      HTTP/1.1 and HTTP/2. Each request's phases come from the browser's Resource Timing."}
                </p>
            </div>
            <PlanFormView
                form={state.form.clone()}
                form_error={state.form_error.clone()}
                run_problem={state.run_problem.clone()}
                carriers={carriers.to_vec()}
                {running}
                on_edit={lab.callback(ConcurrencyEvent::Edit)}
                on_run={lab.callback(|()| ConcurrencyEvent::Run)}
                on_stop={lab.callback(|()| ConcurrencyEvent::Stop)}
            />
            <div class="conc-results">
                <section class="card conc-chart-card" aria-labelledby="conc-chart-title">
                    { match state.shown_run() {
                        Some(run) => html! { <RunChart run={run.clone()} /> },
                        None => html! {
                            <div class="empty-state" data-testid="conc-empty">
                                <h2 id="conc-chart-title" class="conc-empty-title">{"No run yet"}</h2>
                                <p>{"Pick how many requests, where to, and how to start them, then press Run."}</p>
                                <p class="muted">
                                    {"Try 12 × /delay/1 all at once over HTTP/1.1, then over HTTP/2: the first \
                                      six finish after a second, the next six wait for a free connection."}
                                </p>
                            </div>
                        },
                    } }
                </section>
                <aside class="conc-side">
                    <RunsView runs={state.runs.clone()} shown={state.shown_run().map(|run| run.id)}
                        on_show={lab.callback(ConcurrencyEvent::Show)} on_clear={lab.callback(|()| ConcurrencyEvent::Clear)} />
                    <PythonPanel program={state.python_program()} copy_notice={state.copy_notice.clone()}
                        on_copy={lab.callback(|()| ConcurrencyEvent::CopyPython)} />
                </aside>
            </div>
        </div>
    }
}
