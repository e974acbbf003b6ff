//! The Security lab's root component (being built: issue 12).

use yew::prelude::*;

#[function_component]
pub fn SecurityLab() -> Html {
    html! {
        <section class="lab">
            <h1>{"Security"}</h1>
        </section>
    }
}
