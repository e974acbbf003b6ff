//! The shell's side of lazily loaded labs: the first time a lab is opened, make the element its
//! module renders into, import the module, and show a loading state meanwhile; a failed load says
//! what failed and offers Retry. A loaded lab stays loaded (and mounted, hidden when another page
//! is shown), so its connections and state survive switching pages.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::labs::Lab;
use crate::net::describe_js_error;

/// Imports a lab's module and instantiates its wasm (which runs the lab's `main`); the wasm is
/// fetched here so an HTTP error is named. A `Function` rather than an `inline_js` snippet: every
/// module of the crate would carry the snippet, and trunk builds the modules in parallel into one
/// `snippets/` folder, where one build's copy of the file raced another's integrity hash.
/// (`new Function` is refused by a Content-Security-Policy without `'unsafe-eval'`; Wirelab sends
/// none.)
const IMPORT_LAB: &str = "return import(script).then(async (module) => {
  const response = await fetch(wasm);
  if (!response.ok) throw new Error(`${wasm} answered ${response.status} ${response.statusText}`);
  await module.default({ module_or_path: response });
});";

async fn import_lab(script: &str, wasm: &str) -> Result<(), JsValue> {
    let loader = js_sys::Function::new_with_args("script, wasm", IMPORT_LAB);
    let promise = loader.call2(&JsValue::NULL, &JsValue::from_str(script), &JsValue::from_str(wasm))?;
    JsFuture::from(promise.dyn_into::<js_sys::Promise>()?).await.map(|_| ())
}

#[derive(Clone, Debug, PartialEq)]
enum LoadState {
    Loading,
    Ready,
    Failed(String),
}

#[derive(Properties, PartialEq)]
pub struct LabHostProps {
    pub lab: Lab,
    /// Whether the lab's page is the one shown.
    pub visible: bool,
}

/// Loads `lab`'s module once, shows its progress while `visible`, and shows or hides the lab.
#[function_component(LabHost)]
pub fn lab_host(props: &LabHostProps) -> Html {
    let lab = props.lab;
    let state = use_state(|| LoadState::Loading);
    let attempt = use_state(|| 0_u32);
    {
        let state = state.clone();
        use_effect_with(*attempt, move |attempt| {
            let attempt = *attempt;
            state.set(LoadState::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                state.set(match load(lab, attempt).await {
                    Ok(()) => LoadState::Ready,
                    Err(error) => LoadState::Failed(error),
                });
            });
        });
    }
    {
        let shown = props.visible && *state == LoadState::Ready;
        use_effect_with(shown, move |shown| {
            if let Some(root) = lab_root(lab) {
                root.toggle_attribute_with_force("hidden", !*shown).ok();
            }
        });
    }
    if !props.visible {
        return html! {};
    }
    let title = lab.title();
    match &*state {
        LoadState::Ready => html! {},
        LoadState::Loading => html! {
            <main class="page lab-status" aria-busy="true">
                <h1 class="visually-hidden">{format!("The {title} lab, loading")}</h1>
                <div class="lab-loading" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    {format!("Loading the {title} lab…")}
                </div>
            </main>
        },
        LoadState::Failed(error) => {
            let retry = {
                let attempt = attempt.clone();
                Callback::from(move |_| attempt.set(*attempt + 1))
            };
            html! {
                <main class="page lab-status">
                    <section class="empty-state lab-load-failed" role="alert">
                        <h1>{format!("The {title} lab could not be loaded")}</h1>
                        <p>{"Its code did not arrive: "}<code>{error}</code></p>
                        <p class="muted">{"Check that the server is still running, then try again."}</p>
                        <button type="button" class="button primary" onclick={retry}>{"Retry"}</button>
                    </section>
                </main>
            }
        }
    }
}

/// Makes the lab's element (once) and imports its module. Later attempts add `?attempt=N`, so a
/// failure the browser remembered for a URL is not simply repeated.
async fn load(lab: Lab, attempt: u32) -> Result<(), String> {
    ensure_lab_root(lab).ok_or("the page has no document")?;
    let performance = web_sys::window().and_then(|window| window.performance());
    let mark = |what: &str| {
        if let Some(performance) = &performance {
            performance.mark(&format!("wirelab:lab-{what}:{}", lab.id())).ok();
        }
    };
    mark("start");
    let query = if attempt == 0 { String::new() } else { format!("?attempt={attempt}") };
    let (script, wasm) = (format!("{}{query}", lab.script_url()), format!("{}{query}", lab.wasm_url()));
    let result = import_lab(&script, &wasm).await.map_err(describe_js_error);
    if result.is_ok() {
        mark("ready");
    }
    result
}

fn lab_root(lab: Lab) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(&lab.root_id())
}

/// `<main id="lab-root-ID" class="page lab-root" hidden>` in `#labs` (or the body), outside the
/// shell's yew tree.
fn ensure_lab_root(lab: Lab) -> Option<web_sys::Element> {
    if let Some(root) = lab_root(lab) {
        return Some(root);
    }
    let document = web_sys::window()?.document()?;
    let root = document.create_element("main").ok()?;
    root.set_id(&lab.root_id());
    root.set_class_name(&format!("page lab-root lab-root-{}", lab.id()));
    root.set_attribute("hidden", "").ok()?;
    let parent: web_sys::Element = match document.get_element_by_id("labs") {
        Some(labs) => labs,
        None => document.body()?.unchecked_into(),
    };
    parent.append_child(&root).ok()?;
    Some(root)
}
