//! The plan as Python (`wire::concurrency_lab::python`): a `requests` loop, `asyncio.gather`
//! with `aiohttp`, or a semaphore for "at most k", copyable. It follows the form as typed.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PythonPanelProps {
    pub program: Result<String, String>,
    pub copy_notice: Option<Result<String, String>>,
    pub on_copy: Callback<()>,
}

#[function_component(PythonPanel)]
pub fn python_panel(props: &PythonPanelProps) -> Html {
    let on_copy = props.on_copy.reform(|_: MouseEvent| ());
    html! {
        <section class="card conc-python" aria-labelledby="conc-python-title">
            <div class="panel-head">
                <h2 id="conc-python-title">{"As Python"}</h2>
                <button type="button" class="button subtle" onclick={on_copy} disabled={props.program.is_err()}>{"Copy"}</button>
            </div>
            <div class="conc-python-body">
                <p class="muted small">
                    {"The plan above as a program, the way the course writes it. Python's requests and aiohttp \
                      speak HTTP/1.1 only, so it uses the plain port."}
                </p>
                if let Some(Ok(notice)) = &props.copy_notice {
                    <p class="ok-note" role="status">{notice}</p>
                }
                if let Some(Err(problem)) = &props.copy_notice {
                    <p class="inline-error" role="alert">{problem}</p>
                }
                { match &props.program {
                    Ok(program) => html! {
                        <pre class="code-block mono" data-testid="python-program" tabindex="0" aria-label="The Python program">{program}</pre>
                    },
                    Err(why) => html! { <p class="empty-state small">{format!("No program yet: {why}.")}</p> },
                } }
            </div>
        </section>
    }
}
