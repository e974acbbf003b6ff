//! Links that reopen a lab: the "Copy link" control (the lab's state put in the URL fragment by
//! `wire::share_link`, copied to the clipboard, shown with its length, secrets left out unless
//! "Include secrets" is ticked) and [`use_opened_link`], which restores a lab from the link it was
//! opened with (or one pasted into the address bar later), says so and what the link left out,
//! and keeps what the lab held before so "Bring back what you had" can restore it.

use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use wire::share_link::{
    LONG_LINK_CHARS, LeftOut, LinkError, LinkLab, MAX_LINK_CHARS, Secrets, Shareable, SharedLink, from_fragment,
    sentence_for,
};
use yew::prelude::*;

use crate::lab_store::{EffectRunner, LabStore};

/// What opening the page's link did to the lab.
#[derive(Clone, PartialEq)]
enum Arrival {
    Opened {
        left_out: Vec<LeftOut>,
        /// The lab as it was before (secrets kept: it never leaves this page).
        previous: Option<Rc<SharedLink>>,
    },
    /// The lab's earlier state is back.
    BroughtBack,
    Refused(String),
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|window| window.location())
}

/// Restores `lab` from the link in the page's fragment, now and whenever the fragment changes
/// while this lab is on screen. Returns the notice to show at the top of the lab.
#[hook]
pub fn use_opened_link<S, R>(lab: &LabStore<S, R>) -> Html
where
    S: Shareable + 'static,
    R: EffectRunner<S>,
{
    let arrival = use_state(|| None::<Arrival>);
    {
        let lab = lab.clone();
        let arrival = arrival.clone();
        use_effect_with((), move |_| {
            let open = move || {
                let Some(place) = location() else { return };
                let hash = place.hash().unwrap_or_default();
                let path = place.pathname().unwrap_or_default();
                let on_this_lab = path.starts_with(S::LAB.path());
                let on_another_lab = LinkLab::ALL.iter().any(|lab| *lab != S::LAB && path.starts_with(lab.path()));
                let Some(read) = from_fragment(&hash) else { return };
                let restored = read.and_then(|link| S::restore(&link.state).map(|events| (link, events)));
                match restored {
                    Ok((link, events)) => {
                        let before = lab.state().share(Secrets::Include);
                        for event in events {
                            lab.dispatch(event);
                        }
                        let changed = lab.state().share(Secrets::Include) != before;
                        arrival.set(Some(Arrival::Opened {
                            left_out: link.left_out,
                            previous: changed.then(|| Rc::new(before)),
                        }));
                    }
                    // A link for another lab is news only on the page it was opened on, and a
                    // broken one is not news to the labs kept hidden behind another lab's page.
                    Err(error @ LinkError::OtherLab { .. }) if on_this_lab => {
                        arrival.set(Some(Arrival::Refused(error.to_string())))
                    }
                    Err(LinkError::OtherLab { .. }) => {}
                    Err(error) if !on_another_lab => arrival.set(Some(Arrival::Refused(error.to_string()))),
                    Err(_) => {}
                }
            };
            open();
            let listener = web_sys::window().map(|window| EventListener::new(&window, "hashchange", move |_| open()));
            move || drop(listener)
        });
    }

    let dismiss = {
        let arrival = arrival.clone();
        Callback::from(move |_| arrival.set(None))
    };
    match (*arrival).clone() {
        None => Html::default(),
        Some(Arrival::Refused(message)) => html! {
            <div class="link-notice refused" role="alert">
                <p><strong>{"The link could not be opened. "}</strong>{message}</p>
                <button type="button" class="button subtle" onclick={dismiss}>{"Dismiss"}</button>
            </div>
        },
        Some(Arrival::BroughtBack) => html! {
            <div class="link-notice" role="status">
                <p>{"What you had before the link is back. Open the link again to see its state."}</p>
                <button type="button" class="button subtle" onclick={dismiss}>{"Dismiss"}</button>
            </div>
        },
        Some(Arrival::Opened { left_out, previous }) => {
            let left_out_text = sentence_for(&left_out).map(|sentence| {
                let secrets = left_out.iter().any(LeftOut::is_secret);
                let advice =
                    if secrets { " The link's author kept them to themselves: type them again to send." } else { "" };
                format!("{sentence}{advice}")
            });
            let bring_back = previous.map(|previous| {
                let lab = lab.clone();
                let arrival = arrival.clone();
                let onclick = Callback::from(move |_| {
                    if let Ok(events) = S::restore(&previous.state) {
                        for event in events {
                            lab.dispatch(event);
                        }
                        arrival.set(Some(Arrival::BroughtBack));
                    }
                });
                html! { <button type="button" class="button subtle" {onclick}>{"Bring back what you had"}</button> }
            });
            html! {
                <div class="link-notice" role="status">
                    <p><strong>{"Opened from a link."}</strong>{" "}{left_out_text.unwrap_or_else(|| "It held everything the lab had.".into())}</p>
                    <div class="link-notice-actions">
                        {bring_back}
                        <button type="button" class="button subtle" onclick={dismiss}>{"Dismiss"}</button>
                    </div>
                </div>
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct CopyLinkProps {
    /// The lab's state as a link, with secrets left out or not.
    pub share: Callback<Secrets, SharedLink>,
}

/// What the last Copy link made.
#[derive(Clone, PartialEq)]
struct Made {
    url: String,
    left_out: Vec<LeftOut>,
    copied: Option<Result<(), String>>,
}

/// The "Copy link" button and, once pressed, the link, its length, what it left out and the
/// "Include secrets" choice.
#[function_component(CopyLink)]
pub fn copy_link(props: &CopyLinkProps) -> Html {
    let include_secrets = use_state(|| false);
    let made = use_state(|| None::<Made>);
    let root = use_node_ref();
    let copy_button = use_node_ref();
    // The panel floats over the lab: a click outside it or Escape puts it away, so it never
    // stands between a person and the lab's own controls (Send, the tabs).
    {
        let made = made.clone();
        let root = root.clone();
        let copy_button = copy_button.clone();
        use_effect_with(made.is_some(), move |open| {
            let listeners =
                (*open).then(|| web_sys::window().and_then(|window| window.document())).flatten().map(|document| {
                    let outside = {
                        let made = made.clone();
                        let root = root.clone();
                        EventListener::new(&document, "mousedown", move |event| {
                            let inside = event
                                .target()
                                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                                .and_then(|element| element.closest(".copy-link").ok().flatten());
                            if inside.is_none() || inside != root.cast::<web_sys::Element>() {
                                made.set(None);
                            }
                        })
                    };
                    let escape = EventListener::new(&document, "keydown", move |event| {
                        let escape_pressed =
                            event.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|key| key.key() == "Escape");
                        if escape_pressed {
                            made.set(None);
                            if let Some(button) = copy_button.cast::<web_sys::HtmlElement>() {
                                let _ = button.focus();
                            }
                        }
                    });
                    (outside, escape)
                });
            move || drop(listeners)
        });
    }
    let make_and_copy = {
        let share = props.share.clone();
        let made = made.clone();
        Rc::new(move |secrets: Secrets| {
            let link = share.emit(secrets);
            let page = location().and_then(|place| place.href().ok()).unwrap_or_default();
            let url = link.to_url(&page);
            if url.len() > MAX_LINK_CHARS {
                made.set(Some(Made {
                    url: String::new(),
                    left_out: link.left_out,
                    copied: Some(Err(format!(
                        "this state makes a link of {} characters, more than the {} a browser opens; make it smaller (a shorter document or fewer bytes)",
                        url.len(),
                        MAX_LINK_CHARS
                    ))),
                }));
                return;
            }
            made.set(Some(Made { url: url.clone(), left_out: link.left_out.clone(), copied: None }));
            let made = made.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let copied = crate::net::http::copy_to_clipboard(&url).await;
                made.set(Some(Made { url, left_out: link.left_out, copied: Some(copied) }));
            });
        })
    };
    let secrets_of = |include: bool| if include { Secrets::Include } else { Secrets::LeaveOut };
    let on_copy = {
        let make_and_copy = make_and_copy.clone();
        let include = *include_secrets;
        Callback::from(move |_| make_and_copy(secrets_of(include)))
    };
    let on_include = {
        let include_secrets = include_secrets.clone();
        let made = made.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            include_secrets.set(input.checked());
            // A link already on show is made again the new way.
            if made.is_some() {
                make_and_copy(secrets_of(input.checked()));
            }
        })
    };
    let on_close = {
        let made = made.clone();
        Callback::from(move |_| made.set(None))
    };
    let panel = (*made).clone().map(|made| {
        let status = match &made.copied {
            None => "Copying…".to_string(),
            Some(Ok(())) => format!("Link copied: {} characters.", made.url.len()),
            Some(Err(error)) => format!("Not copied: {error}. Select the link below and copy it yourself."),
        };
        let long = made.url.len() > LONG_LINK_CHARS;
        html! {
            <div class="copy-link-panel" role="group" aria-label="Link to this lab's state">
                <p role="status" class={classes!(matches!(made.copied, Some(Err(_))).then_some("error"))}>{status}</p>
                if !made.url.is_empty() {
                    <input type="text" class="mono copy-link-url" readonly=true value={made.url.clone()}
                        aria-label="The link" onfocus={Callback::from(|event: FocusEvent| {
                            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                            input.select();
                        })} />
                }
                if long {
                    <p class="hint">{format!("Over {LONG_LINK_CHARS} characters: some chat apps and e-mail programs cut long links. Browsers open links up to 2 MB.")}</p>
                }
                if let Some(sentence) = sentence_for(&made.left_out) {
                    <p class="hint">{sentence}</p>
                }
                <label class="field inline check">
                    <input type="checkbox" checked={*include_secrets} onchange={on_include} />
                    <span>{"Include secrets"}</span>
                </label>
                <p class="hint">{"Secrets are Authorization and Cookie headers, passwords, tokens, keys and the user name and \
                    password in a URL. Whoever gets a link with them can use them, and links are kept in browser \
                    histories and chat logs: include them only for a throwaway test account."}</p>
                <button type="button" class="link-button" onclick={on_close}>{"Hide the link (Esc)"}</button>
            </div>
        }
    });
    html! {
        <div class="copy-link" ref={root}>
            <button type="button" class="button subtle" onclick={on_copy} ref={copy_button}
                title="Copy a link that opens this lab with what you have built">{"Copy link"}</button>
            {panel}
        </div>
    }
}
