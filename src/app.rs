//! The app shell: header with the Wirelab name, navigation between labs, the theme switch, and
//! the routed page.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::formats_lab::FormatsLab;
use crate::http_lab::HttpLab;
use crate::overview::Overview;
use crate::route::Route;
use crate::theme;
use crate::ws_lab::WsLab;

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
    // Labs stay mounted (hidden) once visited, so leaving a lab keeps its connection, log,
    // request and response as they were.
    let visited = use_mut_ref(Vec::<Route>::new);
    if is_lab(route) && !visited.borrow().contains(&route) {
        visited.borrow_mut().push(route);
    }
    let lab = |target: Route, content: Html| {
        visited
            .borrow()
            .contains(&target)
            .then(|| html! { <div class="lab-host" hidden={route != target}>{content}</div> })
    };
    let nav_link = |target: Route, label: &'static str| {
        let current = route == target;
        html! {
            <Link<Route> to={target} classes={classes!("nav-link", current.then_some("active"))}>
                <span aria-current={current.then_some("page")}>{label}</span>
            </Link<Route>>
        }
    };
    html! {
        <div class="shell">
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
                </nav>
                <button class="icon-button theme-toggle" onclick={on_theme}
                    title={format!("{} (click to change)", theme_choice.label())}
                    aria-label={theme_choice.label()}>
                    <span aria-hidden="true">{theme_choice.icon()}</span>
                </button>
            </header>
            <main class="page">
                if !is_lab(route) {
                    <Switch<Route> render={switch} />
                }
                { lab(Route::Http, html! { <HttpLab /> }) }
                { lab(Route::WebSocket, html! { <WsLab /> }) }
                { lab(Route::Formats, html! { <FormatsLab /> }) }
            </main>
        </div>
    }
}

fn is_lab(route: Route) -> bool {
    matches!(route, Route::Http | Route::WebSocket | Route::Formats)
}

/// The pages that are not labs (labs are kept mounted by `Shell`).
fn switch(route: Route) -> Html {
    match route {
        Route::Overview => html! { <Overview /> },
        Route::WebSocket | Route::Http | Route::Formats => html! {},
        Route::NotFound => html! {
            <section class="empty-state">
                <h1>{"Page not found"}</h1>
                <p>{"There is no lab at this address. "}<Link<Route> to={Route::Overview}>{"Go to the overview"}</Link<Route>></p>
            </section>
        },
    }
}
