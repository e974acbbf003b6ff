//! The Security lab: your own TLS handshake dissected (the ClientHello this browser sent, mapped
//! byte by byte, beside what was agreed), hashing and encoding (digests, HMACs, base64, hex,
//! percent-encoding, JWTs), and authentication worked out step by step against the server (Basic,
//! Digest, Bearer, and the WebSocket handshake's accept value).
//!
//! The root holds one store (`effects.rs`: `wire::security_lab::SecurityLabState` and the
//! requests); the three views get plain values and emit `SecurityEvent`s. Bytes handed over by
//! the other labs' "Hash this…" arrive through the history entry (`net::navigation::HandOff::Hash`). Alt+Shift+1,
//! 2 and 3 switch views (Alt+1 alone switches browser tabs on Linux); the arrow keys move between
//! the tabs.

mod auth_view;
mod effects;
mod handshake_view;
mod hash_view;
mod parts;

use wasm_bindgen::JsCast;
use wire::lab::LabState;
use wire::security_lab::{SecurityEvent, SecurityLabState, SecurityView};
use yew::prelude::*;

use crate::lab_keys::use_lab_keydown;
use crate::lab_store::use_lab_store;
use crate::net::navigation::{self, HandOff, HandedBytes};
use crate::net::{now_ms, page_origin};
use auth_view::AuthView;
pub use effects::{SecurityIo, SecurityStore};
use handshake_view::HandshakeView;
use hash_view::HashView;

/// The lab, talking to the server that served the page (the lab module's root).
#[function_component(SecurityLab)]
pub fn security_lab() -> Html {
    html! { <SecurityLabOn /> }
}

#[derive(Properties, PartialEq)]
pub struct SecurityLabOnProps {
    /// `HOST:PORT` of a wirelab-server over plain HTTP; by default the one that served the page.
    #[prop_or_default]
    pub server: Option<AttrValue>,
}

fn handed(request: HandedBytes) -> SecurityEvent {
    SecurityEvent::Handed { bytes: request.bytes, origin: request.origin }
}

fn tab_id(view: SecurityView) -> String {
    format!("security-tab-{}", view.key())
}

fn panel_id(view: SecurityView) -> String {
    format!("security-panel-{}", view.key())
}

fn focus_tab(view: SecurityView) {
    if let Some(button) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(&tab_id(view)))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

/// The lab, talking to `server` (the browser tests run it against a server of their own).
#[function_component(SecurityLabOn)]
pub fn security_lab_on(props: &SecurityLabOnProps) -> Html {
    let server = props.server.clone();
    let lab: SecurityStore = use_lab_store(move || {
        let (mut state, runner) = match server {
            Some(host) => (SecurityLabState::new("http:", &host, now_ms()), SecurityIo::new(format!("http://{host}"))),
            None => {
                let (protocol, host) = page_origin();
                (SecurityLabState::new(&protocol, &host, now_ms()), SecurityIo::new(String::new()))
            }
        };
        if let Some(request) = navigation::handed_in_history(HandOff::Hash) {
            // Nothing to run: an arrival only changes the state.
            let _no_effects = state.apply(handed(request), now_ms());
        }
        (state, runner)
    });
    {
        // Ask for the TLS facts once (if the handshake view is the one shown), and take bytes
        // that "Hash this…" hands over while the lab is loaded.
        let lab = lab.clone();
        use_effect_with((), move |_| {
            let view = lab.state().view;
            lab.dispatch(SecurityEvent::Show(view));
            let listener = navigation::on_navigation(move || {
                if let Some(request) = navigation::handed_in_history(HandOff::Hash) {
                    lab.dispatch(handed(request));
                }
            });
            move || drop(listener)
        });
    }
    // Alt+Shift+1..3 switch views while the lab is on screen.
    let root = use_node_ref();
    {
        let lab = lab.clone();
        use_lab_keydown(root.clone(), move |event| {
            if !event.alt_key() || !event.shift_key() || event.ctrl_key() || event.meta_key() {
                return;
            }
            let view = match event.code().as_str() {
                "Digit1" => SecurityView::Handshake,
                "Digit2" => SecurityView::Hashing,
                "Digit3" => SecurityView::Auth,
                _ => return,
            };
            event.prevent_default();
            lab.dispatch(SecurityEvent::Show(view));
            focus_tab(view);
        });
    }

    let state = lab.state();
    let on_event = lab.callback(|event: SecurityEvent| event);
    let on_key = {
        let lab = lab.clone();
        let current = state.view;
        Callback::from(move |event: KeyboardEvent| {
            let index = SecurityView::ALL.iter().position(|each| *each == current).unwrap_or(0);
            let count = SecurityView::ALL.len();
            let next = match event.key().as_str() {
                "ArrowRight" => (index + 1) % count,
                "ArrowLeft" => (index + count - 1) % count,
                "Home" => 0,
                "End" => count - 1,
                _ => return,
            };
            event.prevent_default();
            lab.dispatch(SecurityEvent::Show(SecurityView::ALL[next]));
            focus_tab(SecurityView::ALL[next]);
        })
    };
    let tabs = SecurityView::ALL.iter().enumerate().map(|(index, &view)| {
        let selected = state.view == view;
        let onclick = lab.callback(move |_: MouseEvent| SecurityEvent::Show(view));
        html! {
            <button type="button" role="tab" class={classes!("tab", selected.then_some("active"))} id={tab_id(view)}
                aria-selected={selected.to_string()} aria-controls={panel_id(view)}
                aria-keyshortcuts={format!("Alt+Shift+{}", index + 1)} title={format!("Alt+Shift+{}", index + 1)}
                tabindex={if selected { "0" } else { "-1" }} {onclick}>
                {view.label()}
            </button>
        }
    });
    let panel = |view: SecurityView, body: Html| {
        html! {
            <div id={panel_id(view)} role="tabpanel" aria-labelledby={tab_id(view)} hidden={state.view != view}>
                if state.view == view { {body} }
            </div>
        }
    };
    let on_file = {
        let lab = lab.clone();
        Callback::from(move |file: web_sys::File| effects::read_file(&lab, file))
    };
    let notice = state.copy_notice.clone().map(|notice| match notice {
        Ok(text) => html! { <span class="sec-notice" role="status">{text}</span> },
        Err(text) => html! { <span class="sec-notice error" role="alert">{format!("Not copied: {text}")}</span> },
    });
    html! {
        <div class="security-lab" ref={root}>
            <div class="lab-head">
                <h1>{"Security"}</h1>
                <div class="tabs inline" role="tablist" aria-label="Security views" onkeydown={on_key}>{for tabs}</div>
                {for notice}
            </div>
            <p class="muted lab-subtitle">
                {"TLS as your browser speaks it, hashes and encodings worked out, and authentication schemes computed step by step against the server."}
            </p>
            { panel(SecurityView::Handshake, html! { <HandshakeView tls={state.tls.clone()} on_event={on_event.clone()} /> }) }
            { panel(SecurityView::Hashing, html! {
                <HashView input={state.input.clone()} hmac_key={state.hmac_key.clone()} codec={state.codec.clone()}
                    jwt={state.jwt.clone()} on_event={on_event.clone()} {on_file} />
            }) }
            { panel(SecurityView::Auth, html! {
                <AuthView basic={state.basic.clone()} digest={state.digest.clone()} bearer={state.bearer.clone()}
                    handshake={state.handshake.clone()} on_event={on_event.clone()} />
            }) }
        </div>
    }
}
