//! "As Python": the session as a paho-mqtt 2.x subscriber and publisher (`wire::mqtt::python`),
//! made from the connect form, the subscriptions and the publish draft, shown and copied.

use wire::mqtt::lab::PythonProgram;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PythonPanelProps {
    pub subscriber: Result<String, String>,
    pub publisher: Result<String, String>,
    pub copy_notice: Option<String>,
    pub on_copy: Callback<PythonProgram>,
}

#[function_component]
pub fn PythonPanel(props: &PythonPanelProps) -> Html {
    let program = use_state(|| PythonProgram::Subscriber);
    let choice = |which: PythonProgram, label: &'static str| {
        let program = program.clone();
        html! {
            <label class="choice">
                <input type="radio" name="mqtt-python" checked={*program == which}
                    onchange={Callback::from(move |_| program.set(which))} />
                {label}
            </label>
        }
    };
    let shown = match *program {
        PythonProgram::Subscriber => &props.subscriber,
        PythonProgram::Publisher => &props.publisher,
    };
    let on_copy = props.on_copy.reform({
        let which = *program;
        move |_| which
    });
    html! {
        <section class="card mqtt-card" aria-labelledby="mqtt-python-title">
            <h2 id="mqtt-python-title">{"As Python"}</h2>
            <p class="muted small">{"This session with paho-mqtt 2.x (pip install paho-mqtt), over the same WebSocket. Each program gets its own client id."}</p>
            <div class="mqtt-actions">
                <fieldset class="choices">
                    <legend class="field-label">{"Program"}</legend>
                    { choice(PythonProgram::Subscriber, "Subscriber") }
                    { choice(PythonProgram::Publisher, "Publisher") }
                </fieldset>
                <span class="spacer"></span>
                <button type="button" class="button primary" onclick={on_copy} disabled={shown.is_err()}>{"Copy"}</button>
            </div>
            if let Some(notice) = &props.copy_notice {
                <p class="muted small" role="status">{notice.clone()}</p>
            }
            { match shown {
                Ok(code) => html! { <pre class="code-block mono" tabindex="0" aria-label="The Python program" data-testid="python-program">{code.clone()}</pre> },
                Err(why) => html! { <p class="muted">{format!("No program yet: {why}.")}</p> },
            } }
        </section>
    }
}
