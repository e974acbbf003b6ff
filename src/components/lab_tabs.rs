//! The tab strip at the head of a lab with views (the Security and IoT labs): one `tablist` of
//! `tab` buttons (`aria-selected`, `aria-controls`, a roving `tabindex`), the arrow keys, Home
//! and End moving between the tabs, and Alt+Shift+1…N choosing a tab wherever the focus is while
//! the lab is on screen (Alt+1 alone switches browser tabs on Linux). Ids are
//! `{prefix}-tab-{key}` and `{prefix}-panel-{key}`; [`lab_tab_panel`] wraps a view's body.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::lab_keys::use_lab_keydown;

/// One tab: `key` names it in element ids, `label` is what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabTab {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Properties, PartialEq)]
pub struct LabTabsProps {
    /// The first part of the tabs' and panels' ids (`security`, `iot`).
    pub id_prefix: &'static str,
    /// The tablist's accessible name (`Security views`).
    pub label: AttrValue,
    pub tabs: Vec<LabTab>,
    /// Which of `tabs` is shown.
    pub selected: usize,
    /// A tab chosen (by click, key or shortcut), by its position in `tabs`.
    pub on_select: Callback<usize>,
    /// The lab's root element: the shortcuts answer only while it is not `hidden`.
    pub root: NodeRef,
}

pub fn tab_id(id_prefix: &str, key: &str) -> String {
    format!("{id_prefix}-tab-{key}")
}

pub fn panel_id(id_prefix: &str, key: &str) -> String {
    format!("{id_prefix}-panel-{key}")
}

/// A view's `tabpanel`, labelled by its tab and `hidden` unless `shown`.
pub fn lab_tab_panel(id_prefix: &str, key: &str, shown: bool, body: Html) -> Html {
    html! {
        <div id={panel_id(id_prefix, key)} role="tabpanel" aria-labelledby={tab_id(id_prefix, key)} hidden={!shown}>
            {body}
        </div>
    }
}

fn focus_tab(id: &str) {
    if let Some(button) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

#[function_component(LabTabs)]
pub fn lab_tabs(props: &LabTabsProps) -> Html {
    // The page-wide listener is made once; it reads the latest tabs and callback from here.
    let latest = use_mut_ref(|| (Vec::<LabTab>::new(), Callback::<usize>::noop()));
    *latest.borrow_mut() = (props.tabs.clone(), props.on_select.clone());
    let choose = {
        let prefix = props.id_prefix;
        move |latest: &Rc<RefCell<(Vec<LabTab>, Callback<usize>)>>, index: usize| {
            let (tabs, on_select) = latest.borrow().clone();
            if let Some(tab) = tabs.get(index) {
                on_select.emit(index);
                focus_tab(&tab_id(prefix, tab.key));
            }
        }
    };
    {
        let latest = latest.clone();
        use_lab_keydown(props.root.clone(), move |event| {
            if !event.alt_key() || !event.shift_key() || event.ctrl_key() || event.meta_key() {
                return;
            }
            let count = latest.borrow().0.len();
            let Some(index) = event
                .code()
                .strip_prefix("Digit")
                .and_then(|digit| digit.parse::<usize>().ok())
                .filter(|digit| (1..=count).contains(digit))
                .map(|digit| digit - 1)
            else {
                return;
            };
            event.prevent_default();
            choose(&latest, index);
        });
    }
    let on_key = {
        let (latest, selected, count) = (latest.clone(), props.selected, props.tabs.len());
        Callback::from(move |event: KeyboardEvent| {
            let next = match event.key().as_str() {
                "ArrowRight" => (selected + 1) % count,
                "ArrowLeft" => (selected + count - 1) % count,
                "Home" => 0,
                "End" => count - 1,
                _ => return,
            };
            event.prevent_default();
            choose(&latest, next);
        })
    };
    let tabs = props.tabs.iter().enumerate().map(|(index, tab)| {
        let selected = props.selected == index;
        let onclick = props.on_select.reform(move |_: MouseEvent| index);
        let shortcut = format!("Alt+Shift+{}", index + 1);
        html! {
            <button type="button" role="tab" class={classes!("tab", selected.then_some("active"))}
                id={tab_id(props.id_prefix, tab.key)} aria-selected={selected.to_string()}
                aria-controls={panel_id(props.id_prefix, tab.key)} aria-keyshortcuts={shortcut.clone()} title={shortcut}
                tabindex={if selected { "0" } else { "-1" }} {onclick}>
                {tab.label}
            </button>
        }
    });
    html! {
        <div class="tabs inline" role="tablist" aria-label={props.label.clone()} onkeydown={on_key}>{for tabs}</div>
    }
}
