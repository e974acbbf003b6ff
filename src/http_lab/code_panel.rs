//! The request as code (cURL, Python `requests`, Rust `reqwest`) with a Copy button, and
//! importing a pasted cURL command.

use wire::codegen::{to_curl, to_python_requests, to_rust_reqwest};
use wire::curl::parse_curl;
use wire::http_request::HttpRequest;
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Language {
    Curl,
    Python,
    Rust,
}

impl Language {
    const ALL: [Language; 3] = [Language::Curl, Language::Python, Language::Rust];

    fn label(self) -> &'static str {
        match self {
            Language::Curl => "cURL",
            Language::Python => "Python requests",
            Language::Rust => "Rust reqwest",
        }
    }

    fn generate(self, request: &HttpRequest) -> String {
        match self {
            Language::Curl => to_curl(request),
            Language::Python => to_python_requests(request),
            Language::Rust => to_rust_reqwest(request),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct CodePanelProps {
    pub request: HttpRequest,
    pub on_import: Callback<HttpRequest>,
}

#[function_component(CodePanel)]
pub fn code_panel(props: &CodePanelProps) -> Html {
    let language = use_state(|| Language::Curl);
    let copied = use_state(|| None::<Result<(), String>>);
    let importing = use_state(|| false);
    let pasted = use_state(String::new);
    let import_result = use_state(|| None::<Result<Vec<String>, String>>);

    let code = language.generate(&props.request);
    let on_copy = {
        let code = code.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            let code = code.clone();
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(crate::net::http::copy_to_clipboard(&code).await));
            });
        })
    };
    let on_toggle_import = {
        let importing = importing.clone();
        let import_result = import_result.clone();
        Callback::from(move |_| {
            importing.set(!*importing);
            import_result.set(None);
        })
    };
    let on_paste = {
        let pasted = pasted.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            pasted.set(area.value());
        })
    };
    let on_import = {
        let pasted = pasted.clone();
        let import_result = import_result.clone();
        let on_import = props.on_import.clone();
        Callback::from(move |_| match parse_curl(&pasted) {
            Ok(import) => {
                on_import.emit(import.request);
                import_result.set(Some(Ok(import.warnings)));
            }
            Err(error) => import_result.set(Some(Err(error.to_string()))),
        })
    };
    html! {
        <section class="code-panel card" aria-label="Code">
            <header class="panel-head">
                <div class="tabs inline" role="tablist" aria-label="Language">
                    { for Language::ALL.iter().map(|&candidate| {
                        let language = language.clone();
                        let copied = copied.clone();
                        let active = *language == candidate;
                        html! {
                            <button type="button" role="tab" class={classes!("tab", active.then_some("active"))} aria-selected={active.to_string()}
                                onclick={Callback::from(move |_| { language.set(candidate); copied.set(None); })}>
                                {candidate.label()}
                            </button>
                        }
                    }) }
                </div>
                <span class="spacer"></span>
                if let Some(result) = &*copied {
                    <span class={if result.is_ok() { "muted" } else { "error" }} role="status">
                        { match result { Ok(()) => "Copied".to_string(), Err(error) => error.clone() } }
                    </span>
                }
                <button type="button" class="button subtle" onclick={on_copy}>{"Copy"}</button>
                <button type="button" class="button subtle" onclick={on_toggle_import} aria-expanded={importing.to_string()}>{"Import cURL"}</button>
            </header>
            if *importing {
                <div class="curl-import">
                    <label class="field">
                        <span class="field-label">{"Paste a curl command"}</span>
                        <textarea class="mono" rows="4" spellcheck="false" value={(*pasted).clone()} oninput={on_paste}
                            placeholder="curl -X POST https://example.com/api -H 'Content-Type: application/json' -d '{\"a\":1}'" />
                    </label>
                    <button type="button" class="button primary" onclick={on_import}>{"Import"}</button>
                    { match &*import_result {
                        Some(Err(error)) => html! { <p class="inline-error" role="alert">{format!("Not imported: {error}")}</p> },
                        Some(Ok(warnings)) => html! {
                            <div class="notice" role="status">
                                <p>{"Imported into the request builder."}</p>
                                { for warnings.iter().map(|warning| html! { <p class="warn">{warning}</p> }) }
                            </div>
                        },
                        None => html! {},
                    } }
                </div>
            }
            <pre class="code-block mono" data-testid="generated-code">{code}</pre>
        </section>
    }
}
