//! The Security lab: your own TLS handshake dissected (the ClientHello this browser sent, mapped
//! byte by byte, beside what was agreed), hashing and encoding (digests, HMACs, base64, hex,
//! percent-encoding, JWTs), and authentication worked out step by step against the server (Basic,
//! Digest, Bearer, and the WebSocket handshake's accept value).
//!
//! The root holds one store (`effects.rs`: `wire::security_lab::SecurityLabState` and the
//! requests); the three views get plain values and emit `SecurityEvent`s. Bytes handed over by
//! the other labs' "Hash this…" arrive through the history entry (`net::navigation::HandOff::Hash`). Alt+Shift+1,
//! 2 and 3 switch views (Alt+1 alone switches browser tabs on Linux); the arrow keys move between
//! the tabs (`components::lab_tabs`).

mod auth_view;
mod effects;
mod handshake_view;
mod hash_view;
mod parts;

use wire::lab::LabState;
use wire::security_lab::{SecurityEvent, SecurityLabState, SecurityView};
use yew::prelude::*;

use crate::components::lab_tabs::{LabTab, LabTabs, lab_tab_panel};
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

/// The tabs' and panels' ids: `security-tab-hashing`, `security-panel-auth`.
const ID_PREFIX: &str = "security";

fn handed(request: HandedBytes) -> SecurityEvent {
    SecurityEvent::Handed { bytes: request.bytes, origin: request.origin }
}

/// The tabs in [`SecurityView::ALL`] order.
fn tabs() -> Vec<LabTab> {
    SecurityView::ALL.iter().map(|view| LabTab { key: view.key(), label: view.label() }).collect()
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
    // Alt+Shift+1..3 switch views while the lab is on screen (`LabTabs`).
    let root = use_node_ref();
    let state = lab.state();
    let on_event = lab.callback(|event: SecurityEvent| event);
    let selected = SecurityView::ALL.iter().position(|each| *each == state.view).unwrap_or(0);
    let on_select = lab.callback(|index: usize| SecurityEvent::Show(SecurityView::ALL[index]));
    let panel = |view: SecurityView, body: Html| {
        let shown = state.view == view;
        lab_tab_panel(ID_PREFIX, view.key(), shown, if shown { body } else { Html::default() })
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
        <div class="security-lab" ref={root.clone()}>
            <div class="lab-head">
                <h1>{"Security"}</h1>
                <LabTabs id_prefix={ID_PREFIX} label="Security views" tabs={tabs()} {selected} {on_select} {root} />
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
