//! Keyboard shortcuts a lab answers wherever the focus is, but only while it is on screen (the
//! shell hides a lab that is not with `hidden` on its root, and keeps its module running).

use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

/// Calls `on_key` for every keydown on the page while the element `root` is rendered into is not
/// inside a `hidden` one. The listener lives as long as the component.
#[hook]
pub fn use_lab_keydown<F>(root: NodeRef, on_key: F)
where
    F: Fn(&KeyboardEvent) + 'static,
{
    use_effect_with((), move |_| {
        let listener = web_sys::window().and_then(|window| window.document()).map(|document| {
            gloo_events::EventListener::new(&document, "keydown", move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else { return };
                let shown =
                    root.cast::<Element>().is_some_and(|element| element.closest("[hidden]").ok().flatten().is_none());
                if shown {
                    on_key(event);
                }
            })
        });
        move || drop(listener)
    });
}
