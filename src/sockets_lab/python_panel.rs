//! "As Python": the control connection's session as a Python program that does the same thing,
//! with `socket` (the exact bytes) or with the protocol's own library (`smtplib`, `poplib`,
//! `ftplib`), shown and copied. The program is made by `wire::sockets::python` from the
//! transcript, so it changes as the session goes on.

use wire::sockets::lab::PythonFlavor;
use wire::sockets::target::Protocol;
use yew::prelude::*;

use super::LabSnapshot;

#[derive(Properties, PartialEq)]
pub struct PythonPanelProps {
    pub snapshot: LabSnapshot,
    pub python_problem: Option<String>,
    pub copy_notice: Option<Result<String, String>>,
    pub on_copy: Callback<PythonFlavor>,
}

fn library_name(protocol: Option<Protocol>) -> &'static str {
    match protocol {
        Some(Protocol::Smtp) => "smtplib",
        Some(Protocol::Pop3) => "poplib",
        Some(Protocol::Ftp) => "ftplib",
        _ => "the protocol's library",
    }
}

#[function_component(PythonPanel)]
pub fn python_panel(props: &PythonPanelProps) -> Html {
    let flavor = use_state(|| PythonFlavor::Socket);
    let state = props.snapshot.state();
    let protocol = state.control.as_ref().map(|link| link.protocol);
    let library = library_name(protocol);
    let program = state.python_program(*flavor);
    let choice = |choice: PythonFlavor, label: String| {
        let flavor = flavor.clone();
        html! {
            <label class="choice">
                <input type="radio" name="sockets-python" checked={*flavor == choice}
                    onchange={Callback::from(move |_| flavor.set(choice))} />
                {label}
            </label>
        }
    };
    let on_copy = {
        let on_copy = props.on_copy.clone();
        let flavor = *flavor;
        Callback::from(move |_| on_copy.emit(flavor))
    };
    html! {
        <div class="python-panel">
            <p class="muted small">
                {"The session on the left as a program that does the same from the server's machine, \
                  the way the course writes it. Run it with python3."}
            </p>
            <div class="python-controls">
                <fieldset class="choices">
                    <legend class="field-label">{"Written with"}</legend>
                    { choice(PythonFlavor::Socket, "socket (the exact bytes)".to_string()) }
                    { choice(PythonFlavor::Library, library.to_string()) }
                </fieldset>
                <span class="spacer"></span>
                <button type="button" class="button primary" onclick={on_copy} disabled={program.is_err()}>{"Copy"}</button>
            </div>
            if let Some(Ok(notice)) = &props.copy_notice {
                <p class="ok-note" role="status">{notice}</p>
            }
            if let Some(Err(problem)) = &props.copy_notice {
                <p class="inline-error" role="alert">{problem}</p>
            }
            if let Some(problem) = &props.python_problem {
                <p class="inline-error" role="alert">{problem}</p>
            }
            { match program {
                Ok(program) => html! {
                    <pre class="code-block mono" data-testid="python-program" tabindex="0" aria-label="The Python program">{program}</pre>
                },
                Err(why) => html! { <p class="empty-state small">{format!("No program yet: {why}.")}</p> },
            } }
        </div>
    }
}
