//! The app shell, the first module a visit loads: header with the Wirelab name, navigation
//! between labs, the theme switch, the Overview and Not-found pages, and a `LabHost` per visited
//! lab, which loads that lab's own module the first time it is opened (see `labs.rs`), and the
//! notices about working offline (`offline.rs`).

use yew::prelude::*;
use yew_router::prelude::*;

use crate::lab_loader::LabHost;
use crate::labs::Lab;
use crate::offline::OfflineNotices;
use crate::overview::Overview;
use crate::route::Route;
use crate::theme;

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <BrowserRouter>
            <Shell />
        </BrowserRouter>
    }
}

#[function_component(Shell)]
fn shell() -> Html {
    let theme_choice = use_state(theme::load);
    {
        let choice = *theme_choice;
        use_effect_with(choice, move |choice| theme::apply(*choice));
    }
    let on_theme = {
        let theme_choice = theme_choice.clone();
        Callback::from(move |_| theme_choice.set(theme_choice.next()))
    };
    let route = use_route::<Route>().unwrap_or(Route::NotFound);
    // A lab's module is loaded the first time it is opened and stays loaded (its page hidden while
    // another is shown), so leaving a lab keeps its connection, log, request and response.
    let visited = use_mut_ref(Vec::<Lab>::new);
    let current_lab = Lab::for_route(route);
    if let Some(lab) = current_lab
        && !visited.borrow().contains(&lab)
    {
        visited.borrow_mut().push(lab);
    }
    let nav_link = |target: Route, label: &'static str| {
        let current = route == target;
        html! {
            <Link<Route> to={target} classes={classes!("nav-link", current.then_some("active"))}>
                <span aria-current={current.then_some("page")}>{label}</span>
            </Link<Route>>
        }
    };
    html! {
        <>
            <header class="topbar">
                <Link<Route> to={Route::Overview} classes="brand">
                    <span class="brand-mark" aria-hidden="true">{"⟨⟩"}</span>
                    <span class="brand-name">{"Wirelab"}</span>
                </Link<Route>>
                <nav aria-label="Labs" class="nav">
                    { nav_link(Route::Overview, "Overview") }
                    { nav_link(Route::Http, "HTTP") }
                    { nav_link(Route::WebSocket, "WebSocket") }
                    { nav_link(Route::Formats, "Formats") }
                    { nav_link(Route::Sockets, "Sockets") }
                    { nav_link(Route::Security, "Security") }
                    { nav_link(Route::Concurrency, "Concurrency") }
                    { nav_link(Route::Iot, "IoT") }
                </nav>
                <button class="icon-button theme-toggle" onclick={on_theme}
                    title={format!("{} (click to change)", theme_choice.label())}
                    aria-label={theme_choice.label()}>
                    <span aria-hidden="true">{theme_choice.icon()}</span>
                </button>
            </header>
            <OfflineNotices />
            if current_lab.is_none() {
                <main class="page">
                    <Switch<Route> render={switch} />
                </main>
            }
            { for visited.borrow().iter().map(|lab| html! {
                <LabHost key={lab.id()} lab={*lab} visible={current_lab == Some(*lab)} />
            }) }
        </>
    }
}

/// The pages that are not labs (labs are loaded and kept by their `LabHost`).
fn switch(route: Route) -> Html {
    match route {
        Route::Overview => html! { <Overview /> },
        Route::WebSocket
        | Route::Http
        | Route::Formats
        | Route::Sockets
        | Route::Security
        | Route::Concurrency
        | Route::Iot => {
            html! {}
        }
        Route::NotFound => html! {
            <section class="empty-state">
                <h1>{"Page not found"}</h1>
                <p>{"There is no lab at this address. "}<Link<Route> to={Route::Overview}>{"Go to the overview"}</Link<Route>></p>
            </section>
        },
    }
}
