//! The connection form: a built-in peer (from `/api/info`) or another address the server allows,
//! TCP or UDP, Connect or Disconnect, and where the control connection stands (connected in how
//! long, between which ends, or why not).

use wire::bridge_event::Transport;
use wire::sockets::lab::{Link, LinkStatus};
use wire::sockets::target::{Peer, Protocol};
use wire::sockets::transcript::transport_label;
use wire::units::format_millis;
use yew::prelude::*;

/// The peer picker's value for "type an address".
const OTHER: &str = "other";

#[derive(Properties, PartialEq)]
pub struct ConnectBarProps {
    pub peers: Vec<Peer>,
    pub peers_problem: Option<String>,
    pub target_text: String,
    pub transport: Transport,
    /// The protocol the chosen target speaks.
    pub protocol: Protocol,
    pub form_error: Option<String>,
    /// The control connection's status, its ends and its problem.
    pub status: Option<LinkStatus>,
    pub detail: Option<String>,
    pub problem: Option<String>,
    pub on_target: Callback<String>,
    pub on_transport: Callback<Transport>,
    pub on_connect: Callback<()>,
    pub on_disconnect: Callback<()>,
}

/// What the connect bar says about a connection: its ends and connect time, or nothing yet.
pub fn link_detail(link: &Link) -> Option<String> {
    let ends = link.endpoints.as_ref()?;
    let mut detail = format!(
        "{} over {} in {} · {} → {}",
        link.protocol.label(),
        transport_label(link.transport),
        format_millis(ends.connect_ms),
        ends.local,
        ends.remote
    );
    if link.we_finished {
        detail.push_str(" · you sent FIN");
    }
    if link.peer_finished {
        detail.push_str(" · the peer sent FIN");
    }
    Some(detail)
}

/// The peers' names, each once, with what they speak and over what.
fn peer_choices(peers: &[Peer]) -> Vec<(String, String)> {
    let mut choices: Vec<(String, String)> = Vec::new();
    for peer in peers {
        if choices.iter().any(|(name, _)| name == &peer.name) {
            continue;
        }
        let transports: Vec<&str> = peers
            .iter()
            .filter(|other| other.name == peer.name)
            .map(|other| transport_label(other.transport))
            .collect();
        let port = peers.iter().find(|other| other.name == peer.name).map_or(0, |other| other.port);
        let label = format!("{} — {}, {} port {port}", peer.name, peer.protocol().label(), transports.join(" and "));
        choices.push((peer.name.clone(), label));
    }
    choices
}

#[function_component(ConnectBar)]
pub fn connect_bar(props: &ConnectBarProps) -> Html {
    let mut choices = peer_choices(&props.peers);
    let target = props.target_text.trim();
    if props.peers.is_empty() && props.peers_problem.is_none() && !target.is_empty() && !target.contains(':') {
        choices.push((target.to_string(), format!("{target} (reading the peer list…)")));
    }
    let picked_peer = choices.iter().any(|(name, _)| name.eq_ignore_ascii_case(props.target_text.trim()));
    // While the list has not loaded, a typed name shows as an address being typed.
    let picker_value = if picked_peer { props.target_text.trim().to_string() } else { OTHER.to_string() };
    let on_pick = {
        let on_target = props.on_target.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let value = select.value();
            on_target.emit(if value == OTHER { String::new() } else { value });
        })
    };
    let on_address = {
        let on_target = props.on_target.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_target.emit(input.value());
        })
    };
    let live = matches!(props.status, Some(LinkStatus::Opening | LinkStatus::Connecting | LinkStatus::Connected));
    let onsubmit = {
        let on_connect = props.on_connect.clone();
        let on_disconnect = props.on_disconnect.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if live { on_disconnect.emit(()) } else { on_connect.emit(()) }
        })
    };
    let reaches = |transport: Transport| {
        !picked_peer
            || props
                .peers
                .iter()
                .any(|peer| peer.name.eq_ignore_ascii_case(props.target_text.trim()) && peer.transport == transport)
    };
    let transport_choice = |transport: Transport| {
        let on_transport = props.on_transport.clone();
        let reachable = reaches(transport);
        let label = transport_label(transport);
        let title = if reachable {
            match transport {
                Transport::Tcp => "A byte stream: a connection is set up, bytes arrive in order, none lost",
                Transport::Udp => "Datagrams: no connection, each send is one message, which may be lost",
            }
            .to_string()
        } else {
            format!("{} does not listen on {label}", props.target_text.trim())
        };
        html! {
            <label class={classes!("choice", (!reachable).then_some("unavailable"))} {title}>
                <input type="radio" name="sockets-transport" value={transport.name()}
                    checked={props.transport == transport} disabled={live || !reachable}
                    onchange={Callback::from(move |_| on_transport.emit(transport))} />
                {label}
            </label>
        }
    };
    let (pill_class, pill_text) = match props.status {
        None => ("idle", "not connected"),
        Some(LinkStatus::Opening | LinkStatus::Connecting) => ("connecting", "connecting"),
        Some(LinkStatus::Connected) => ("open", "connected"),
        Some(LinkStatus::Closed) => ("closed", "closed"),
    };
    let detail = match (&props.detail, props.status) {
        (_, None) => "Pick a peer (or an address the server allows) and press Connect.".to_string(),
        (_, Some(LinkStatus::Opening)) => "Opening the WebSocket to the server's bridge…".to_string(),
        (_, Some(LinkStatus::Connecting)) => "The bridge is connecting to the peer…".to_string(),
        (Some(detail), _) => detail.clone(),
        (None, Some(_)) => String::new(),
    };
    html! {
        <form class="connect-bar sockets-connect card" {onsubmit} aria-label="Connection">
            <div class="connect-row">
                <label class="field">
                    <span class="field-label">{"Peer"}</span>
                    <select onchange={on_pick} disabled={live}>
                        { for choices.iter().map(|(name, label)| html! {
                            <option value={name.clone()} selected={picker_value == *name}>{label}</option>
                        }) }
                        <option value={OTHER} selected={picker_value == OTHER}>{"Other address…"}</option>
                    </select>
                </label>
                if !picked_peer {
                    <label class="field grow">
                        <span class="field-label">{"Address"}</span>
                        <input type="text" class="mono" spellcheck="false" autocomplete="off"
                            value={props.target_text.clone()} oninput={on_address} disabled={live}
                            aria-invalid={props.form_error.is_some().then_some("true")}
                            placeholder="HOST:PORT allowed with --allow-connect, e.g. 127.0.0.1:2525" />
                    </label>
                }
                <fieldset class="choices" aria-label="Transport">
                    <legend class="field-label">{"Transport"}</legend>
                    { transport_choice(Transport::Tcp) }
                    { transport_choice(Transport::Udp) }
                </fieldset>
                <span class="protocol-tag" title="How the lab reads this peer's replies">
                    {props.protocol.label()}
                </span>
                <span class="spacer"></span>
                if live {
                    <button type="submit" class="button danger">{"Disconnect"}</button>
                } else {
                    <button type="submit" class="button primary">{"Connect"}</button>
                }
            </div>
            <div class="connect-status-row">
                <output class={classes!("status-pill", pill_class)} data-testid="connection-status" aria-live="polite">
                    <span class={classes!("dot", matches!(pill_class, "connecting").then_some("pulse"))} aria-hidden="true"></span>
                    {pill_text}
                </output>
                <span class="status-detail mono" data-testid="connection-detail">{detail}</span>
            </div>
            if let Some(problem) = &props.problem {
                <p class="inline-error" role="alert" data-testid="connection-problem">{problem}</p>
            }
            if let Some(error) = &props.form_error {
                <p class="inline-error" role="alert">{error}</p>
            }
            if let Some(problem) = &props.peers_problem {
                <p class="inline-error" role="alert">{format!("The peer list could not be read: {problem}")}</p>
            }
        </form>
    }
}
