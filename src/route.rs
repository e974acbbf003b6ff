//! The app's client-side routes; the server answers each with index.html.

use yew_router::Routable;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Routable)]
pub enum Route {
    #[at("/")]
    Overview,
    #[at("/ws")]
    WebSocket,
    #[at("/http")]
    Http,
    #[at("/formats")]
    Formats,
    #[at("/sockets")]
    Sockets,
    #[at("/security")]
    Security,
    #[at("/concurrency")]
    Concurrency,
    #[at("/iot")]
    Iot,
    #[not_found]
    #[at("/404")]
    NotFound,
}
