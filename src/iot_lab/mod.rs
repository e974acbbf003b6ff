//! The IoT lab's root component (being built: issue 13).

use yew::prelude::*;

#[function_component]
pub fn IotLab() -> Html {
    html! {
        <section class="lab">
            <h1>{"IoT"}</h1>
        </section>
    }
}
