//! The Concurrency lab's root component (being built: issue 12).

use yew::prelude::*;

#[function_component]
pub fn ConcurrencyLab() -> Html {
    html! {
        <section class="lab">
            <h1>{"Concurrency"}</h1>
        </section>
    }
}
