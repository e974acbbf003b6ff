//! The request builder: method and URL with Send and Cancel, then tabs for the query table,
//! headers, body, auth and options. Problems found before sending show at their field.

use wire::http_lab::{BodyKind, DraftEdit, live_body_problem};
use wire::http_request::{
    Auth, BinarySource, CREDENTIALS_EXPLANATION, HttpRequest, KeyValue, MultipartField, MultipartValue, RequestBody,
    RequestField, RequestProblem,
};
use yew::prelude::*;

use crate::components::key_value_table::KeyValueTable;

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EditorTab {
    Params,
    Headers,
    Body,
    Auth,
    Options,
}

impl EditorTab {
    const ALL: [EditorTab; 5] =
        [EditorTab::Params, EditorTab::Headers, EditorTab::Body, EditorTab::Auth, EditorTab::Options];

    fn label(self) -> &'static str {
        match self {
            EditorTab::Params => "Params",
            EditorTab::Headers => "Headers",
            EditorTab::Body => "Body",
            EditorTab::Auth => "Auth",
            EditorTab::Options => "Options",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct RequestEditorProps {
    pub request: HttpRequest,
    pub params: Vec<KeyValue>,
    pub problem: Option<RequestProblem>,
    pub sending: bool,
    pub on_edit: Callback<DraftEdit>,
    pub on_send: Callback<()>,
    pub on_cancel: Callback<()>,
    /// "Show as it arrives": read every response chunk by chunk.
    pub as_it_arrives: bool,
    pub on_as_it_arrives: Callback<bool>,
    /// A file picked for the body (`None` clears it) or for a multipart field (`Some(index)`).
    pub on_file: Callback<(Option<usize>, Option<web_sys::File>)>,
}

#[function_component(RequestEditor)]
pub fn request_editor(props: &RequestEditorProps) -> Html {
    let tab = use_state(|| EditorTab::Params);
    let request = &props.request;
    let problem_at = |field: &RequestField| props.problem.as_ref().filter(|problem| &problem.field == field);
    // Show the tab that holds the problem, so an error never hides behind another tab.
    {
        let tab = tab.clone();
        let field = props.problem.as_ref().map(|problem| problem.field);
        use_effect_with(field, move |field| {
            let target = match field {
                Some(RequestField::Header(_)) => Some(EditorTab::Headers),
                Some(RequestField::Body) => Some(EditorTab::Body),
                Some(RequestField::Auth) => Some(EditorTab::Auth),
                Some(RequestField::Timeout) => Some(EditorTab::Options),
                _ => None,
            };
            if let Some(target) = target {
                tab.set(target);
            }
        });
    }

    let on_method = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_edit.emit(DraftEdit::Method(input.value()));
        })
    };
    let on_url = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_edit.emit(DraftEdit::Url(input.value()));
        })
    };
    let onsubmit = {
        let on_send = props.on_send.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_send.emit(());
        })
    };
    let on_cancel = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_| on_cancel.emit(()))
    };
    let tabs: Html = EditorTab::ALL
        .iter()
        .map(|&candidate| {
            let tab_handle = tab.clone();
            let active = *tab == candidate;
            let count = match candidate {
                EditorTab::Params => props.params.iter().filter(|row| row.enabled).count(),
                EditorTab::Headers => request.headers.iter().filter(|row| row.enabled).count(),
                _ => 0,
            };
            let marker = match candidate {
                EditorTab::Body => !matches!(request.body, RequestBody::None),
                EditorTab::Auth => !matches!(request.auth, Auth::None),
                _ => false,
            };
            html! {
                <button type="button" role="tab" class={classes!("tab", active.then_some("active"))} aria-selected={active.to_string()}
                    onclick={Callback::from(move |_| tab_handle.set(candidate))}>
                    {candidate.label()}
                    if count > 0 { <span class="tab-count">{count}</span> }
                    if marker { <span class="tab-dot" aria-hidden="true">{"•"}</span> }
                </button>
            }
        })
        .collect();
    let panel = match *tab {
        EditorTab::Params => {
            let on_edit = props.on_edit.clone();
            html! {
                <KeyValueTable label="Query parameters" rows={props.params.clone()} add_label="Add parameter"
                    on_change={Callback::from(move |rows| on_edit.emit(DraftEdit::Params(rows)))} />
            }
        }
        EditorTab::Headers => {
            let on_edit = props.on_edit.clone();
            let invalid_row = match props.problem.as_ref().map(|problem| &problem.field) {
                Some(RequestField::Header(index)) => Some(*index),
                _ => None,
            };
            html! {
                <>
                    <KeyValueTable label="Headers" rows={request.headers.clone()} add_label="Add header" {invalid_row}
                        name_placeholder="Header-Name" on_change={Callback::from(move |rows| on_edit.emit(DraftEdit::Headers(rows)))} />
                    <p class="hint">{"Content-Type follows the body type and Authorization follows Auth unless you set them here. \
                        Browsers refuse to let pages set some headers (Host, Cookie, Origin, Content-Length…); \
                        “Sent vs received” in the response shows what really arrived."}</p>
                </>
            }
        }
        EditorTab::Body => html! {
            <BodyEditor body={request.body.clone()} on_edit={props.on_edit.clone()} on_file={props.on_file.clone()}
                problem={problem_at(&RequestField::Body).map(|problem| problem.error.to_string())} />
        },
        EditorTab::Auth => html! { <AuthEditor auth={request.auth.clone()} on_edit={props.on_edit.clone()} /> },
        EditorTab::Options => {
            let on_edit = props.on_edit.clone();
            let on_timeout = Callback::from(move |event: InputEvent| {
                let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                let value = input.value();
                on_edit.emit(DraftEdit::Timeout(if value.trim().is_empty() {
                    None
                } else {
                    value.trim().parse::<u32>().ok()
                }));
            });
            let on_as_it_arrives = {
                let on_as_it_arrives = props.on_as_it_arrives.clone();
                Callback::from(move |event: Event| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    on_as_it_arrives.emit(input.checked());
                })
            };
            let on_credentials = {
                let on_edit = props.on_edit.clone();
                Callback::from(move |event: Event| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    on_edit.emit(DraftEdit::IncludeCredentials(input.checked()));
                })
            };
            html! {
                <div class="options-panel">
                    <label class="field inline check">
                        <input type="checkbox" checked={props.as_it_arrives} onchange={on_as_it_arrives} />
                        <span>{"Show as it arrives"}</span>
                    </label>
                    <p class="hint">{"Reads every response chunk by chunk, with each chunk's arrival time. Event streams, NDJSON, \
                        /drip, /stream/{n} and /sse are always read that way."}</p>
                    <label class="field inline">
                        <span class="field-label">{"Timeout (ms)"}</span>
                        <input type="number" min="1" class="narrow" value={request.timeout_ms.map(|ms| ms.to_string()).unwrap_or_default()}
                            oninput={on_timeout} placeholder="none" />
                    </label>
                    <p class="hint">{"Empty means no timeout. Cancel stops a request at any time."}</p>
                    <label class="field inline check">
                        <input type="checkbox" checked={request.include_credentials} onchange={on_credentials} />
                        <span>{"Send cookies (credentials: include)"}</span>
                    </label>
                    <p class="hint">{CREDENTIALS_EXPLANATION}</p>
                </div>
            }
        }
    };
    let url_problem = problem_at(&RequestField::Url).or_else(|| problem_at(&RequestField::Method));
    html! {
        <section class="request-editor card" aria-label="Request">
            <form class="request-bar" {onsubmit}>
                <label class="field method-field">
                    <span class="field-label">{"Method"}</span>
                    <input type="text" class="mono method" list="http-methods" value={request.method.clone()} oninput={on_method}
                        spellcheck="false" autocomplete="off" aria-invalid={problem_at(&RequestField::Method).is_some().then_some("true")} />
                    <datalist id="http-methods">{ for METHODS.iter().map(|m| html! { <option value={*m} /> }) }</datalist>
                </label>
                <label class="field grow">
                    <span class="field-label">{"URL"}</span>
                    <input type="text" class="mono" value={request.url.clone()} oninput={on_url} spellcheck="false" autocomplete="off"
                        placeholder="http://127.0.0.1:8080/get" aria-invalid={problem_at(&RequestField::Url).is_some().then_some("true")} />
                </label>
                // Keyed, so yew replaces the button instead of turning Cancel into a submit button
                // while its click is still being handled (which would send the request again).
                if props.sending {
                    <button key="cancel" type="button" class="button danger" onclick={on_cancel}>{"Cancel"}</button>
                } else {
                    <button key="send" type="submit" class="button primary" title="Send (Ctrl+Enter)">{"Send"}</button>
                }
            </form>
            if let Some(problem) = url_problem {
                <p class="inline-error" role="alert">{format!("Nothing was sent: {}", problem.error)}</p>
            }
            // Body problems show under the body editor; the rest here.
            if let Some(problem) = props.problem.as_ref().filter(|p| !matches!(p.field, RequestField::Url | RequestField::Method | RequestField::Body)) {
                <p class="inline-error" role="alert">{format!("Nothing was sent: {}", problem.error)}</p>
            }
            <div class="tabs" role="tablist" aria-label="Request parts">{tabs}</div>
            <div class="editor-panel">{panel}</div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct BodyEditorProps {
    body: RequestBody,
    problem: Option<String>,
    on_edit: Callback<DraftEdit>,
    on_file: Callback<(Option<usize>, Option<web_sys::File>)>,
}

#[function_component(BodyEditor)]
fn body_editor(props: &BodyEditorProps) -> Html {
    let kind = BodyKind::of(&props.body);
    let on_kind = {
        let on_edit = props.on_edit.clone();
        let body = props.body.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(next) = BodyKind::from_key(&select.value()) {
                on_edit.emit(DraftEdit::Body(next.convert(&body)));
            }
        })
    };
    let text_area = |text: &str, make: fn(String, &RequestBody) -> RequestBody, placeholder: &'static str| {
        let on_edit = props.on_edit.clone();
        let body = props.body.clone();
        let oninput = Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            on_edit.emit(DraftEdit::Body(make(area.value(), &body)));
        });
        html! {
            <label class="field">
                <span class="field-label visually-hidden">{"Body"}</span>
                <textarea class="mono body-text" rows="10" spellcheck="false" value={text.to_string()} {oninput} {placeholder} />
            </label>
        }
    };
    // Live validation while typing: shown under the editor, never blocking typing.
    let live_error = live_body_problem(&props.body).map(|error| error.to_string());
    let editor = match &props.body {
        RequestBody::None => html! { <p class="muted">{"This request has no body."}</p> },
        RequestBody::Json(text) => text_area(text, |text, _| RequestBody::Json(text), "{ \"name\": \"value\" }"),
        RequestBody::Xml(text) => text_area(text, |text, _| RequestBody::Xml(text), "<root>…</root>"),
        RequestBody::Text { text, .. } => text_area(
            text,
            |text, body| match body {
                RequestBody::Text { content_type, .. } => {
                    RequestBody::Text { content_type: content_type.clone(), text }
                }
                _ => RequestBody::Text { content_type: "text/plain; charset=utf-8".into(), text },
            },
            "Any text",
        ),
        RequestBody::Binary { source: BinarySource::Hex, text } => {
            text_area(text, |text, _| RequestBody::Binary { source: BinarySource::Hex, text }, "de ad be ef")
        }
        RequestBody::Binary { source: BinarySource::Base64, text } => {
            text_area(text, |text, _| RequestBody::Binary { source: BinarySource::Base64, text }, "3q2+7w==")
        }
        RequestBody::Form(rows) => {
            let on_edit = props.on_edit.clone();
            html! {
                <KeyValueTable label="Form fields" rows={rows.clone()} add_label="Add field"
                    on_change={Callback::from(move |rows| on_edit.emit(DraftEdit::Body(RequestBody::Form(rows))))} />
            }
        }
        RequestBody::Multipart(fields) => html! {
            <MultipartEditor fields={fields.clone()} on_edit={props.on_edit.clone()} on_file={props.on_file.clone()} />
        },
        RequestBody::File { file_name, size, .. } => {
            let on_edit = props.on_edit.clone();
            let on_file = props.on_file.clone();
            let onchange = Callback::from(move |event: Event| {
                let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                if let Some(file) = input.files().and_then(|files| files.get(0)) {
                    on_edit.emit(DraftEdit::Body(RequestBody::File {
                        file_name: file.name(),
                        content_type: file.type_(),
                        size: file.size() as u64,
                    }));
                    on_file.emit((None, Some(file)));
                }
            });
            html! {
                <div class="file-body">
                    <label class="field">
                        <span class="field-label">{"Body file"}</span>
                        <input type="file" {onchange} />
                    </label>
                    if !file_name.is_empty() {
                        <p class="muted">{format!("{file_name} · {}", wire::units::format_bytes(*size))}</p>
                    }
                </div>
            }
        }
    };
    html! {
        <div class="body-editor">
            <label class="field inline">
                <span class="field-label">{"Body type"}</span>
                <select onchange={on_kind}>
                    { for BodyKind::ALL.iter().map(|k| html! { <option value={k.key()} selected={*k == kind}>{k.label()}</option> }) }
                </select>
            </label>
            {editor}
            if let Some(error) = props.problem.clone().or(live_error) {
                <p class="inline-error" role="alert" data-testid="body-error">
                    { if props.problem.is_some() { format!("Nothing was sent: {error}") } else { error } }
                </p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct MultipartEditorProps {
    fields: Vec<MultipartField>,
    on_edit: Callback<DraftEdit>,
    on_file: Callback<(Option<usize>, Option<web_sys::File>)>,
}

#[function_component(MultipartEditor)]
fn multipart_editor(props: &MultipartEditorProps) -> Html {
    let update = |fields: Vec<MultipartField>| DraftEdit::Body(RequestBody::Multipart(fields));
    let rows: Html = props
        .fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let edit_with = |apply: fn(&mut MultipartField, String)| {
                let fields = props.fields.clone();
                let on_edit = props.on_edit.clone();
                Callback::from(move |event: InputEvent| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    let mut next = fields.clone();
                    if let Some(field) = next.get_mut(index) {
                        apply(field, input.value());
                    }
                    on_edit.emit(update(next));
                })
            };
            let on_name = edit_with(|field, value| field.name = value);
            let on_text = edit_with(|field, value| field.value = MultipartValue::Text(value));
            let on_file = {
                let fields = props.fields.clone();
                let on_edit = props.on_edit.clone();
                let on_file = props.on_file.clone();
                Callback::from(move |event: Event| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    if let Some(file) = input.files().and_then(|files| files.get(0)) {
                        let mut next = fields.clone();
                        if let Some(field) = next.get_mut(index) {
                            field.value = MultipartValue::File {
                                file_name: file.name(),
                                content_type: file.type_(),
                                size: file.size() as u64,
                            };
                        }
                        on_edit.emit(update(next));
                        on_file.emit((Some(index), Some(file)));
                    }
                })
            };
            let on_remove = {
                let fields = props.fields.clone();
                let on_edit = props.on_edit.clone();
                Callback::from(move |_| {
                    let mut next = fields.clone();
                    if index < next.len() {
                        next.remove(index);
                    }
                    on_edit.emit(update(next));
                })
            };
            let value = match &field.value {
                MultipartValue::Text(text) => html! {
                    <input type="text" value={text.clone()} oninput={on_text} placeholder="value, or pick a file →"
                        aria-label={format!("Field value {}", index + 1)} />
                },
                MultipartValue::File { file_name, size, .. } => html! {
                    <span class="muted">{format!("{file_name} · {}", wire::units::format_bytes(*size))}</span>
                },
            };
            html! {
                <tr>
                    <td><input type="text" class="mono" value={field.name.clone()} oninput={on_name} placeholder="name"
                        aria-label={format!("Field name {}", index + 1)} /></td>
                    <td>{value}</td>
                    <td><input type="file" onchange={on_file} aria-label={format!("File for field {}", index + 1)} /></td>
                    <td><button type="button" class="icon-button small" onclick={on_remove} aria-label={format!("Remove field {}", index + 1)}>{"×"}</button></td>
                </tr>
            }
        })
        .collect();
    let on_add = {
        let fields = props.fields.clone();
        let on_edit = props.on_edit.clone();
        Callback::from(move |_| {
            let mut next = fields.clone();
            next.push(MultipartField {
                name: String::new(),
                value: MultipartValue::Text(String::new()),
                enabled: true,
            });
            on_edit.emit(update(next));
        })
    };
    html! {
        <div class="kv-table">
            <table aria-label="Multipart fields"><tbody>{rows}</tbody></table>
            <button type="button" class="button subtle" onclick={on_add}>{"Add field"}</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct AuthEditorProps {
    auth: Auth,
    on_edit: Callback<DraftEdit>,
}

#[function_component(AuthEditor)]
fn auth_editor(props: &AuthEditorProps) -> Html {
    let on_kind = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_edit.emit(DraftEdit::Auth(match select.value().as_str() {
                "basic" => Auth::Basic { user: String::new(), password: String::new() },
                "bearer" => Auth::Bearer { token: String::new() },
                _ => Auth::None,
            }));
        })
    };
    let field = |label: &'static str, value: String, kind: &'static str, make: fn(String, &Auth) -> Auth| {
        let on_edit = props.on_edit.clone();
        let auth = props.auth.clone();
        let oninput = Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_edit.emit(DraftEdit::Auth(make(input.value(), &auth)));
        });
        html! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input type={kind} class="mono" {value} {oninput} autocomplete="off" spellcheck="false" />
            </label>
        }
    };
    let (selected, fields) = match &props.auth {
        Auth::None => ("none", html! { <p class="muted">{"No Authorization header is added."}</p> }),
        Auth::Basic { user, password } => (
            "basic",
            html! {
                <div class="auth-fields">
                    { field("Username", user.clone(), "text", |value, auth| match auth {
                        Auth::Basic { password, .. } => Auth::Basic { user: value, password: password.clone() },
                        _ => Auth::Basic { user: value, password: String::new() },
                    }) }
                    { field("Password", password.clone(), "password", |value, auth| match auth {
                        Auth::Basic { user, .. } => Auth::Basic { user: user.clone(), password: value },
                        _ => Auth::Basic { user: String::new(), password: value },
                    }) }
                    <p class="hint">{"Sent as Authorization: Basic base64(username:password). Base64 is an encoding, not encryption: use HTTPS."}</p>
                </div>
            },
        ),
        Auth::Bearer { token } => (
            "bearer",
            html! {
                <div class="auth-fields">
                    { field("Token", token.clone(), "text", |value, _| Auth::Bearer { token: value }) }
                </div>
            },
        ),
    };
    html! {
        <div class="auth-editor">
            <label class="field inline">
                <span class="field-label">{"Auth type"}</span>
                <select onchange={on_kind}>
                    <option value="none" selected={selected == "none"}>{"None"}</option>
                    <option value="basic" selected={selected == "basic"}>{"Basic"}</option>
                    <option value="bearer" selected={selected == "bearer"}>{"Bearer token"}</option>
                </select>
            </label>
            {fields}
        </div>
    }
}
