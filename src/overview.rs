//! The landing page: what Wirelab is, the labs that exist, and what the server it talks to offers
//! (read live from `/api/info`). The labs that work with the server out of reach are marked.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::net::server_info::{ServerInfo, fetch_server_info};
use crate::route::Route;

#[derive(Clone, PartialEq)]
enum InfoState {
    Loading,
    Loaded(ServerInfo),
    Failed(String),
}

#[function_component(Overview)]
pub fn overview() -> Html {
    let info = use_state(|| InfoState::Loading);
    {
        let info = info.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                info.set(match fetch_server_info().await {
                    Ok(server) => InfoState::Loaded(server),
                    Err(error) => InfoState::Failed(error),
                });
            });
        });
    }
    html! {
        <div class="overview">
            <section class="hero">
                <h1>{"See what goes over the wire."}</h1>
                <p class="lead">
                    {"Wirelab is a hands-on lab for network programming. Open real connections from \
                      your browser to a server that runs beside it, and look at every message, byte \
                      by byte."}
                </p>
            </section>
            <section class="cards" aria-label="Labs">
                <article class="card">
                    <h2>{"HTTP"}</h2>
                    <p>{"Build any request (method, query table, headers, JSON, XML, form, multipart, \
                         binary, Basic or Bearer auth), send it, and read the response as a tree, text, \
                         hex or image, with its timing phases and what the server really received. \
                         History, cURL import, and the same request as curl, Python or Rust code."}</p>
                    <Link<Route> to={Route::Http} classes="button primary">{"Open the HTTP lab"}</Link<Route>>
                </article>
                <article class="card">
                    <h2>{"WebSocket"}</h2>
                    <p>{"Connect to the echo server (or any ws:// and wss:// URL), send text or \
                         binary typed as hex or base64, and read every message as text, a hex dump, \
                         JSON, XML or raw Protobuf. Close codes explained."}</p>
                    <Link<Route> to={Route::WebSocket} classes="button primary">{"Open the WebSocket lab"}</Link<Route>>
                </article>
                <article class="card">
                    <h2>{"Formats"}</h2>
                    <p class="badge offline-badge">{"Works offline"}</p>
                    <p>{"One document as JSON, XML, Protobuf, MessagePack and CBOR side by side: sizes \
                         raw and gzipped, encode and decode times, and every byte mapped to the field it \
                         encodes. Decode any bytes, with or without a .proto schema."}</p>
                    <Link<Route> to={Route::Formats} classes="button primary">{"Open the Formats lab"}</Link<Route>>
                </article>
                <article class="card">
                    <h2>{"Sockets"}</h2>
                    <p>{"Raw TCP and UDP through the server, and SMTP, POP3 and FTP typed by hand: every \
                         byte with CR and LF visible, every reply explained, FTP's data connection beside \
                         its commands, guided walkthroughs, the mailbox, and the session as Python."}</p>
                    <Link<Route> to={Route::Sockets} classes="button primary">{"Open the Sockets lab"}</Link<Route>>
                </article>
                <article class="card">
                    <h2>{"Security"}</h2>
                    <p class="badge offline-badge">{"Hash and encode works offline"}</p>
                    <p>{"Your browser's own TLS handshake taken apart byte by byte, hashes, HMACs and \
                         encodings both ways, JWTs decoded and signed, and Basic, Digest and the \
                         WebSocket handshake worked out step by step against the server."}</p>
                    <Link<Route> to={Route::Security} classes="button primary">{"Open the Security lab"}</Link<Route>>
                </article>
                <article class="card">
                    <h2>{"Concurrency"}</h2>
                    <p>{"Many requests at once: one after another, all together or k at a time, as a \
                         waterfall of every phase, over HTTP/1.1 and HTTP/2 side by side, many \
                         WebSockets opened at once, and each run as Python with requests and aiohttp."}</p>
                    <Link<Route> to={Route::Concurrency} classes="button primary">{"Open the Concurrency lab"}</Link<Route>>
                </article>
                <article class="card">
                    <h2>{"IoT"}</h2>
                    <p>{"Live telemetry from simulated devices in JSON, XML, Protobuf, MessagePack or \
                         CBOR, plotted as it arrives; an MQTT client against a real broker with every \
                         packet's bytes mapped and the QoS 1 and 2 handshakes drawn; and the session as \
                         Python with paho-mqtt."}</p>
                    <Link<Route> to={Route::Iot} classes="button primary">{"Open the IoT lab"}</Link<Route>>
                </article>
            </section>
            <section class="server-info" aria-label="Server">
                <h2>{"The server"}</h2>
                { match &*info {
                    InfoState::Loading => html! { <p class="muted">{"Asking the server about itself…"}</p> },
                    InfoState::Failed(error) => html! { <p class="error" role="alert">{error}</p> },
                    InfoState::Loaded(server) => html! {
                        <>
                            <p>
                                <strong>{&server.name}</strong>{" "}{&server.version}
                                {" · accepts WebSocket messages up to "}
                                {wire::units::format_bytes(server.max_message_bytes)}
                            </p>
                            <table class="endpoints">
                                <thead><tr><th>{"Path"}</th><th>{"Kind"}</th><th>{"What it does"}</th></tr></thead>
                                <tbody>
                                    { for server.endpoints.iter().map(|endpoint| html! {
                                        <tr>
                                            <td><code>{&endpoint.path}</code></td>
                                            <td>{&endpoint.kind}</td>
                                            <td>{&endpoint.description}</td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        </>
                    },
                } }
            </section>
            <section class="knobs-info" id="echo-knobs" aria-label="Echo server knobs">
                <h2>{"Echo server knobs"}</h2>
                <p>{"/ws/echo and /ws/inspect read these query parameters, so any client can make the \
                     server misbehave on purpose: ws://host/ws/echo?delay_ms=250&fragment=16. A value the \
                     server will not take is refused with 400 before the upgrade, naming the parameter."}</p>
                <table class="endpoints">
                    <thead><tr><th>{"Parameter"}</th><th>{"What it does"}</th><th>{"Example"}</th></tr></thead>
                    <tbody>
                        { for wire::echo_options::KNOBS.iter().map(|(name, what, example)| html! {
                            <tr><td><code>{*name}</code></td><td>{*what}</td><td><code>{format!("{name}={example}")}</code></td></tr>
                        }) }
                    </tbody>
                </table>
            </section>
        </div>
    }
}
