//! Authentication worked out: Basic (user:password, base64, the header, and the server's answer),
//! Digest (the server's challenge, HA1, HA2 and the response step by step, the answer sent),
//! Bearer with an HS256 token, and the WebSocket handshake's accept value computed beside what
//! `/ws/inspect` reports.

use wire::auth::{basic_steps, websocket_accept_steps};
use wire::security_lab::{
    BasicPanel, BearerPanel, DIGEST_ALGORITHMS, DigestPanel, Exchange, FieldEdit, HandshakePanel, InspectStatus,
    SecurityEvent,
};
use yew::prelude::*;

use super::parts::{CopyButton, ExchangeView, StepList};

#[derive(Properties, PartialEq)]
pub struct AuthViewProps {
    pub basic: BasicPanel,
    pub digest: DigestPanel,
    pub bearer: BearerPanel,
    pub handshake: HandshakePanel,
    pub on_event: Callback<SecurityEvent>,
}

fn text_field(
    label: &'static str,
    value: &str,
    on_event: &Callback<SecurityEvent>,
    make: fn(String) -> FieldEdit,
) -> Html {
    let on_event = on_event.clone();
    let oninput = Callback::from(move |event: InputEvent| {
        if let Some(input) = event.target_dyn_into::<web_sys::HtmlInputElement>() {
            on_event.emit(SecurityEvent::Edit(make(input.value())));
        }
    });
    html! {
        <label class="field">
            <span class="field-label">{label}</span>
            <input type="text" class="mono" value={value.to_string()} {oninput} spellcheck="false" />
        </label>
    }
}

fn sending(exchange: &Exchange) -> bool {
    matches!(exchange, Exchange::Sending { .. })
}

#[function_component(AuthView)]
pub fn auth_view(props: &AuthViewProps) -> Html {
    let on_event = &props.on_event;
    let click = |event: SecurityEvent| on_event.reform(move |_: MouseEvent| event.clone());
    let basic = &props.basic;
    let digest = &props.digest;
    let bearer = &props.bearer;

    let challenge = match &digest.challenge {
        None => html! {},
        Some(Err(error)) => html! { <p class="error" role="alert">{format!("No challenge to answer: {error}")}</p> },
        Some(Ok(challenge)) => html! {
            <dl class="sec-facts">
                <dt>{"realm"}</dt><dd><code>{challenge.realm.clone()}</code></dd>
                <dt>{"nonce"}</dt><dd><code>{challenge.nonce.clone()}</code></dd>
                <dt>{"qop"}</dt><dd><code>{challenge.qop.join(", ")}</code></dd>
                <dt>{"algorithm"}</dt><dd><code>{challenge.algorithm.name()}</code></dd>
                if let Some(opaque) = &challenge.opaque { <dt>{"opaque"}</dt><dd><code>{opaque.clone()}</code></dd> }
            </dl>
        },
    };
    let digest_steps = digest.steps().map(|steps| {
        html! {
            <>
                <h3>{"The answer, step by step"}</h3>
                <StepList steps={steps.steps.clone()} label="Digest steps" />
                <div class="sec-actions">
                    <button type="button" class="button primary" disabled={sending(&digest.answer_exchange)}
                        onclick={click(SecurityEvent::SendDigestAnswer)}>{"Send the answer"}</button>
                </div>
                <ExchangeView exchange={digest.answer_exchange.clone()} />
            </>
        }
    });
    let algorithm_change = {
        let on_event = on_event.clone();
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            if let Some(algorithm) =
                usize::try_from(select.selected_index()).ok().and_then(|at| DIGEST_ALGORITHMS.get(at))
            {
                on_event.emit(SecurityEvent::Edit(FieldEdit::DigestAlgorithm(*algorithm)));
            }
        })
    };

    let inspect = match &props.handshake.status {
        InspectStatus::Idle => html! {
            <p class="muted">{"Open a WebSocket to /ws/inspect: the server reports the key your browser sent and the accept value it answered."}</p>
        },
        InspectStatus::Connecting { url } => {
            html! { <p class="muted" role="status">{format!("Connecting to {url}…")}</p> }
        }
        InspectStatus::Failed(detail) => html! { <p class="error" role="alert">{detail.clone()}</p> },
        InspectStatus::Reported(facts) => {
            let computed =
                websocket_accept_steps(&facts.key).last().map(|step| step.output.clone()).unwrap_or_default();
            let matches = computed == facts.accept;
            html! {
                <div role="status">
                    <dl class="sec-facts">
                        <dt>{"Sec-WebSocket-Key your browser sent"}</dt><dd><code>{facts.key.clone()}</code></dd>
                        <dt>{"Sec-WebSocket-Accept the server answered"}</dt><dd><code class="sec-server-accept">{facts.accept.clone()}</code></dd>
                    </dl>
                    <p>
                        if matches {
                            <span class="sec-pill ok">{"the steps above give the server's accept value"}</span>
                        } else {
                            <span class="sec-pill bad">{format!("the steps give {computed}, not the server's value")}</span>
                        }
                    </p>
                </div>
            }
        }
    };

    html! {
        <div class="sec-view sec-auth">
            <section class="card sec-card" aria-labelledby="sec-basic-title">
                <h2 id="sec-basic-title">{"Basic"}</h2>
                <p class="muted">{"The user and password joined by a colon, in base64: an encoding, not encryption. Anyone who sees the header has the password, so Basic is only safe inside TLS."}</p>
                <div class="sec-key">
                    {text_field("User", &basic.user, on_event, FieldEdit::BasicUser)}
                    {text_field("Password", &basic.password, on_event, FieldEdit::BasicPassword)}
                </div>
                <StepList steps={basic_steps(&basic.user, &basic.password)} label="Basic steps" />
                <div class="sec-actions">
                    <button type="button" class="button primary" disabled={sending(&basic.exchange)}
                        onclick={click(SecurityEvent::SendBasic)}>{format!("Send to {}", basic.path())}</button>
                </div>
                <ExchangeView exchange={basic.exchange.clone()} />
            </section>

            <section class="card sec-card" aria-labelledby="sec-digest-title">
                <h2 id="sec-digest-title">{"Digest"}</h2>
                <p class="muted">{"The password never crosses the wire: the server sends a nonce, the client answers with a hash of the password, the nonce and the request."}</p>
                <div class="sec-key">
                    {text_field("User", &digest.user, on_event, FieldEdit::DigestUser)}
                    {text_field("Password", &digest.password, on_event, FieldEdit::DigestPassword)}
                    <label class="field">
                        <span class="field-label">{"Algorithm"}</span>
                        <select onchange={algorithm_change}>
                            { for DIGEST_ALGORITHMS.iter().map(|algorithm| html! {
                                <option selected={*algorithm == digest.algorithm}>{algorithm.name()}</option>
                            }) }
                        </select>
                    </label>
                    {text_field("Client nonce (cnonce)", &digest.cnonce, on_event, FieldEdit::DigestCnonce)}
                </div>
                <div class="sec-actions">
                    <button type="button" class="button" disabled={sending(&digest.challenge_exchange)}
                        onclick={click(SecurityEvent::AskDigestChallenge)}>{format!("1. Ask {} for a challenge", digest.path())}</button>
                </div>
                <ExchangeView exchange={digest.challenge_exchange.clone()} />
                {challenge}
                {for digest_steps}
            </section>

            <section class="card sec-card" aria-labelledby="sec-bearer-title">
                <h2 id="sec-bearer-title">{"Bearer and JWT"}</h2>
                <p class="muted">{"Whoever holds the token is let in. A JWT carries its claims readable by anyone, signed so they cannot be changed without the key."}</p>
                <label class="field">
                    <span class="field-label">{"Token"}</span>
                    <textarea class="mono" rows="2" value={bearer.token.clone()} spellcheck="false"
                        oninput={{
                            let on_event = on_event.clone();
                            Callback::from(move |event: InputEvent| {
                                if let Some(area) = event.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                                    on_event.emit(SecurityEvent::Edit(FieldEdit::BearerToken(area.value())));
                                }
                            })
                        }} />
                </label>
                if let Some(error) = &bearer.made {
                    <p class="error" role="alert">{format!("No token made: {error}")}</p>
                }
                <div class="sec-actions">
                    <button type="button" class="button" onclick={click(SecurityEvent::MakeBearerToken)}>{"Make an HS256 token"}</button>
                    <button type="button" class="button primary" disabled={sending(&bearer.exchange)}
                        onclick={click(SecurityEvent::SendBearer)}>{"Send to /bearer"}</button>
                </div>
                <ExchangeView exchange={bearer.exchange.clone()} />
            </section>

            <section class="card sec-card" aria-labelledby="sec-ws-title">
                <h2 id="sec-ws-title">{"The WebSocket handshake"}</h2>
                <p class="muted">{"The server proves it speaks WebSocket by hashing the client's key with a fixed GUID: base64(SHA-1(key + GUID))."}</p>
                <div class="sec-key">
                    <label class="field grow">
                        <span class="field-label">{"Sec-WebSocket-Key"}</span>
                        <input type="text" class="mono" value={props.handshake.key.clone()} spellcheck="false"
                            oninput={{
                                let on_event = on_event.clone();
                                Callback::from(move |event: InputEvent| {
                                    if let Some(input) = event.target_dyn_into::<web_sys::HtmlInputElement>() {
                                        on_event.emit(SecurityEvent::Edit(FieldEdit::HandshakeKey(input.value())));
                                    }
                                })
                            }} />
                    </label>
                </div>
                <StepList steps={websocket_accept_steps(&props.handshake.key)} label="WebSocket accept steps" />
                <div class="sec-actions">
                    <button type="button" class="button primary"
                        disabled={matches!(props.handshake.status, InspectStatus::Connecting { .. })}
                        onclick={click(SecurityEvent::OpenInspect)}>{"Open a WebSocket to /ws/inspect"}</button>
                    <CopyButton text={props.handshake.key.clone()} what="the key" on_copy={on_event.reform(SecurityEvent::Copy)} />
                </div>
                {inspect}
            </section>
        </div>
    }
}
