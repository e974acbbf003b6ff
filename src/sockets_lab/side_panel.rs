//! The lab's side panel: the walkthroughs, the session as Python, and the server's mailbox, one
//! at a time under tabs. The walkthroughs and the mailbox stay in the page while hidden (a step
//! running under the Mailbox tab still updates them); the Python program is made only while its
//! tab is shown. Showing the mailbox (a walkthrough's last step) brings its tab forward.

use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Walkthroughs,
    Python,
    Mailbox,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Walkthroughs, Tab::Python, Tab::Mailbox];

    fn label(self) -> &'static str {
        match self {
            Tab::Walkthroughs => "Walkthroughs",
            Tab::Python => "As Python",
            Tab::Mailbox => "Mailbox",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Walkthroughs => "sockets-tab-walkthroughs",
            Tab::Python => "sockets-tab-python",
            Tab::Mailbox => "sockets-tab-mailbox",
        }
    }

    fn panel_id(self) -> &'static str {
        match self {
            Tab::Walkthroughs => "sockets-panel-walkthroughs",
            Tab::Python => "sockets-panel-python",
            Tab::Mailbox => "sockets-panel-mailbox",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct SidePanelProps {
    pub walkthroughs: Html,
    pub python: Html,
    pub mailbox: Html,
    /// Changes each time the mailbox is asked to be shown.
    pub mailbox_shown: u64,
    /// Called when the Mailbox tab is opened by hand (to read it afresh).
    pub on_open_mailbox: Callback<()>,
}

#[function_component(SidePanel)]
pub fn side_panel(props: &SidePanelProps) -> Html {
    let tab = use_state(|| Tab::Walkthroughs);
    {
        let tab = tab.clone();
        use_effect_with(props.mailbox_shown, move |shown| {
            if *shown > 0 {
                tab.set(Tab::Mailbox);
            }
        });
    }
    let on_key = {
        let tab = tab.clone();
        Callback::from(move |event: KeyboardEvent| {
            let index = Tab::ALL.iter().position(|each| *each == *tab).unwrap_or(0);
            let next = match event.key().as_str() {
                "ArrowRight" => (index + 1) % Tab::ALL.len(),
                "ArrowLeft" => (index + Tab::ALL.len() - 1) % Tab::ALL.len(),
                _ => return,
            };
            event.prevent_default();
            tab.set(Tab::ALL[next]);
            if let Some(button) = web_sys::window()
                .and_then(|window| window.document())
                .and_then(|document| document.get_element_by_id(Tab::ALL[next].id()))
                .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok())
            {
                let _ = button.focus();
            }
        })
    };
    let tabs = Tab::ALL.map(|each| {
        let tab_handle = tab.clone();
        let on_open_mailbox = props.on_open_mailbox.clone();
        let onclick = Callback::from(move |_| {
            if each == Tab::Mailbox && *tab_handle != Tab::Mailbox {
                on_open_mailbox.emit(());
            }
            tab_handle.set(each);
        });
        let selected = *tab == each;
        html! {
            <button type="button" role="tab" class={classes!("tab", selected.then_some("active"))} id={each.id()}
                aria-selected={selected.to_string()} aria-controls={each.panel_id()}
                tabindex={if selected { "0" } else { "-1" }} {onclick}>
                {each.label()}
            </button>
        }
    });
    let panel = |each: Tab, body: Html| {
        html! {
            <div class="side-body" id={each.panel_id()} role="tabpanel" aria-labelledby={each.id()} tabindex="0"
                hidden={*tab != each}>
                {body}
            </div>
        }
    };
    html! {
        <section class="side-panel card" aria-label="Walkthroughs, Python and mailbox">
            <div class="tabs" role="tablist" aria-label="Side panel" onkeydown={on_key}>
                { for tabs }
            </div>
            { panel(Tab::Walkthroughs, props.walkthroughs.clone()) }
            { panel(Tab::Python, if *tab == Tab::Python { props.python.clone() } else { Html::default() }) }
            { panel(Tab::Mailbox, props.mailbox.clone()) }
        </section>
    }
}
