//! Hash and encode: the input (text, hex, a file, or bytes handed over by "Hash this…"), every
//! digest with its HMAC under a key whose bytes are shown, the input in every encoding, a decoder
//! that marks the character it stops at, and JWTs decoded, verified (never re-signed) and signed.
//! The digests and encodings are worked out here from the state, again only when the input or
//! the key changes.

use std::rc::Rc;

use wasm_bindgen::JsValue;
use wire::hashing::TextEncoding;
use wire::hexdump::to_hex;
use wire::security_lab::{
    Codec, ENCODINGS, FieldEdit, HashInput, InputMode, JwtPanel, KeyEncoding, KeyInput, SecurityEvent, Verification,
    encode_rows, hash_rows, time_claims,
};
use wire::units::{first_chars, format_bytes};
use yew::prelude::*;

use super::parts::{CopyButton, ErrorAt};
use crate::net::files::take_picked_file;

/// Characters of an encoding shown on the page (Copy copies all of it).
const SHOWN_CHARS: usize = 2048;

#[derive(Properties, PartialEq)]
pub struct HashViewProps {
    pub input: HashInput,
    pub hmac_key: KeyInput,
    pub codec: Codec,
    pub jwt: JwtPanel,
    pub on_event: Callback<SecurityEvent>,
    pub on_file: Callback<web_sys::File>,
}

fn edit(on_event: &Callback<SecurityEvent>, make: fn(String) -> FieldEdit) -> Callback<InputEvent> {
    let on_event = on_event.clone();
    Callback::from(move |event: InputEvent| {
        let value = event
            .target_dyn_into::<web_sys::HtmlTextAreaElement>()
            .map(|area| area.value())
            .or_else(|| event.target_dyn_into::<web_sys::HtmlInputElement>().map(|input| input.value()))
            .unwrap_or_default();
        on_event.emit(SecurityEvent::Edit(make(value)));
    })
}

fn select_change<T: Copy + 'static>(
    on_event: &Callback<SecurityEvent>,
    all: &'static [T],
    make: fn(T) -> FieldEdit,
) -> Callback<Event> {
    let on_event = on_event.clone();
    Callback::from(move |event: Event| {
        let Some(select) = event.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
        if let Some(value) = usize::try_from(select.selected_index()).ok().and_then(|index| all.get(index)) {
            on_event.emit(SecurityEvent::Edit(make(*value)));
        }
    })
}

#[function_component(HashView)]
pub fn hash_view(props: &HashViewProps) -> Html {
    let copy = props.on_event.reform(SecurityEvent::Copy);
    html! {
        <div class="sec-view sec-hashing">
            <InputCard input={props.input.clone()} on_event={props.on_event.clone()} on_file={props.on_file.clone()} />
            <Digests input={props.input.clone()} hmac_key={props.hmac_key.clone()} on_event={props.on_event.clone()} />
            <DecodeCard codec={props.codec.clone()} on_event={props.on_event.clone()} on_copy={copy.clone()} />
            <JwtCard jwt={props.jwt.clone()} on_event={props.on_event.clone()} on_copy={copy} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct InputProps {
    input: HashInput,
    on_event: Callback<SecurityEvent>,
    on_file: Callback<web_sys::File>,
}

#[function_component(InputCard)]
fn input_card(props: &InputProps) -> Html {
    let input = &props.input;
    let modes = InputMode::ALL.map(|mode| {
        let on_event = props.on_event.clone();
        let onchange = Callback::from(move |_| on_event.emit(SecurityEvent::Edit(FieldEdit::InputMode(mode))));
        html! {
            <label class="sec-radio">
                <input type="radio" name="sec-input-mode" checked={input.mode == mode} {onchange} />
                {mode.label()}
            </label>
        }
    });
    let on_file = {
        let on_file = props.on_file.clone();
        Callback::from(move |event: Event| {
            if let Some(file) = take_picked_file(&event) {
                on_file.emit(file);
            }
        })
    };
    let body = match input.mode {
        InputMode::Text => html! {
            <label class="field">
                <span class="field-label">{"Text"}</span>
                <textarea class="mono" rows="3" value={input.text.clone()} spellcheck="false"
                    oninput={edit(&props.on_event, FieldEdit::InputText)} />
            </label>
        },
        InputMode::Hex => html! {
            <label class="field">
                <span class="field-label">{"Hex bytes"}</span>
                <textarea class="mono" rows="3" value={input.hex.clone()} spellcheck="false"
                    placeholder="de ad be ef" oninput={edit(&props.on_event, FieldEdit::InputHex)} />
            </label>
        },
        InputMode::Bytes => html! {
            <div class="sec-file">
                <label class="button subtle">
                    {"Choose a file…"}
                    <input type="file" class="visually-hidden" onchange={on_file} />
                </label>
                { match &input.attached {
                    Some(attached) => html! {
                        <span class="sec-attached">
                            <strong>{attached.name.clone()}</strong>
                            <span class="muted">{format!(" · {}", format_bytes(attached.size))}</span>
                            if attached.bytes.is_none() { <span class="muted">{" · reading…"}</span> }
                        </span>
                    },
                    None => html! {
                        <span class="muted">{"No file yet. \"Hash this…\" on a WebSocket message or an HTTP body brings its bytes here too."}</span>
                    },
                } }
                if let Some(problem) = &input.file_problem {
                    <p class="error" role="alert">{problem.clone()}</p>
                }
            </div>
        },
    };
    html! {
        <section class="card sec-card sec-wide" aria-labelledby="sec-input-title">
            <h2 id="sec-input-title">{"Input"}</h2>
            <div class="sec-radios" role="radiogroup" aria-label="Input as">{for modes}</div>
            {body}
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DigestsProps {
    input: HashInput,
    hmac_key: KeyInput,
    on_event: Callback<SecurityEvent>,
}

/// The digests, HMACs and encodings of the input: worked out once per input and key.
struct Worked {
    bytes: Result<Rc<Vec<u8>>, wire::diagnostic::Diagnostic>,
    hashes: Vec<wire::security_lab::HashRow>,
    encodings: Vec<(TextEncoding, String)>,
}

#[function_component(Digests)]
fn digests(props: &DigestsProps) -> Html {
    let worked = {
        let input = props.input.clone();
        let key = props.hmac_key.clone();
        use_memo((props.input.revision, props.hmac_key.clone()), move |_| {
            let bytes = input.bytes();
            let key_bytes = key.bytes().ok().filter(|key| !key.is_empty());
            let (hashes, encodings) = match &bytes {
                Ok(bytes) => (hash_rows(bytes, key_bytes.as_deref()), encode_rows(bytes)),
                Err(_) => (Vec::new(), Vec::new()),
            };
            Worked { bytes, hashes, encodings }
        })
    };
    let on_copy = props.on_event.reform(SecurityEvent::Copy);
    let key_line = match props.hmac_key.describe() {
        Ok(line) => html! { <p class="muted sec-key-bytes">{line}</p> },
        Err(error) => html! { <ErrorAt text={props.hmac_key.text.clone()} {error} /> },
    };
    let bytes_line = match &worked.bytes {
        Ok(bytes) => html! { <p class="muted">{format!("{} of input", format_bytes(bytes.len() as u64))}</p> },
        Err(error) => {
            let text = if props.input.mode == InputMode::Hex { props.input.hex.clone() } else { String::new() };
            html! { <ErrorAt {text} error={error.clone()} /> }
        }
    };
    let hmac_on = props.hmac_key.bytes().is_ok_and(|key| !key.is_empty());
    let rows = worked.hashes.iter().map(|row| {
        let name = row.algorithm.name();
        html! {
            <tr class={classes!(row.algorithm.is_broken().then_some("broken"))}>
                <th scope="row">
                    {name}
                    if let Some(weakness) = row.algorithm.weakness() {
                        <span class="sec-broken" title={weakness}>{"broken"}</span>
                        <span class="sec-weakness">{weakness}</span>
                    }
                </th>
                <td class="sec-value"><code class="sec-digest" data-algorithm={name}>{row.hex.clone()}</code></td>
                <td class="sec-copy"><CopyButton text={row.hex.clone()} what={name} on_copy={on_copy.clone()} /></td>
                if hmac_on {
                    <td class="sec-value">
                        if let Some(hmac) = &row.hmac_hex {
                            <div class="sec-out">
                                <code class="sec-digest">{hmac.clone()}</code>
                                <CopyButton text={hmac.clone()} what={format!("HMAC-{name}")} on_copy={on_copy.clone()} />
                            </div>
                        }
                    </td>
                }
            </tr>
        }
    });
    let encodings = worked.encodings.iter().map(|(encoding, text)| {
        let (shown, cut) = first_chars(text, SHOWN_CHARS);
        let use_it = {
            let on_event = props.on_event.clone();
            let (encoding, text) = (*encoding, text.clone());
            Callback::from(move |_| on_event.emit(SecurityEvent::UseInDecoder { encoding, text: text.clone() }))
        };
        html! {
            <tr>
                <th scope="row">{encoding.name()}</th>
                <td class="sec-value"><code class="sec-digest">{shown.to_string()}{cut.then_some("…")}</code></td>
                <td class="sec-copy">
                    <div class="sec-actions">
                        <CopyButton text={text.clone()} what={encoding.name()} on_copy={on_copy.clone()} />
                        <button type="button" class="button subtle" aria-label={format!("Decode the {} text", encoding.name())}
                            onclick={use_it}>{"Decode"}</button>
                    </div>
                </td>
            </tr>
        }
    });
    html! {
        <>
            <section class="card sec-card sec-wide" aria-labelledby="sec-hashes-title">
                <h2 id="sec-hashes-title">{"Digests"}</h2>
                {bytes_line}
                <div class="sec-key">
                    <label class="field grow">
                        <span class="field-label">{"HMAC key"}</span>
                        <input type="text" class="mono" value={props.hmac_key.text.clone()} placeholder="no key: no HMAC"
                            oninput={edit(&props.on_event, FieldEdit::HmacKey)} />
                    </label>
                    <label class="field">
                        <span class="field-label">{"HMAC key written as"}</span>
                        <select onchange={select_change(&props.on_event, &KeyEncoding::ALL, FieldEdit::HmacKeyEncoding)}>
                            { for KeyEncoding::ALL.iter().map(|encoding| html! {
                                <option selected={*encoding == props.hmac_key.encoding}>{encoding.label()}</option>
                            }) }
                        </select>
                    </label>
                </div>
                {key_line}
                if !worked.hashes.is_empty() {
                    <div class="sec-table-wrap">
                        <table class="sec-table">
                            <thead><tr>
                                <th scope="col">{"Algorithm"}</th><th scope="col">{"Digest (hex)"}</th><th scope="col"><span class="visually-hidden">{"Copy"}</span></th>
                                if hmac_on { <th scope="col">{"HMAC (hex)"}</th> }
                            </tr></thead>
                            <tbody>{for rows}</tbody>
                        </table>
                    </div>
                }
            </section>
            <section class="card sec-card" aria-labelledby="sec-encodings-title">
                <h2 id="sec-encodings-title">{"Encodings"}</h2>
                if worked.encodings.is_empty() {
                    <p class="muted">{"Nothing to encode yet."}</p>
                } else {
                    <div class="sec-table-wrap">
                        <table class="sec-table">
                            <thead><tr><th scope="col">{"Encoding"}</th><th scope="col">{"The input written so"}</th><th scope="col"><span class="visually-hidden">{"Actions"}</span></th></tr></thead>
                            <tbody>{for encodings}</tbody>
                        </table>
                    </div>
                }
            </section>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct DecodeProps {
    codec: Codec,
    on_event: Callback<SecurityEvent>,
    on_copy: Callback<String>,
}

#[function_component(DecodeCard)]
fn decode_card(props: &DecodeProps) -> Html {
    let result = props.codec.decoded();
    let output = match &result {
        Ok(bytes) => {
            let text = std::str::from_utf8(bytes).ok().map(str::to_owned);
            let hex = to_hex(bytes);
            html! {
                <div class="sec-decoded">
                    <p class="muted">{format!("{} decoded", format_bytes(bytes.len() as u64))}</p>
                    { match text {
                        Some(text) => html! {
                            <div class="sec-out">
                                <span class="field-label">{"As UTF-8 text"}</span>
                                <pre class="sec-body" data-testid="decoded-text">{text.clone()}</pre>
                                <CopyButton text={text} what="the decoded text" on_copy={props.on_copy.clone()} />
                            </div>
                        },
                        None => html! { <p class="muted">{"Not UTF-8 text: shown as hex only."}</p> },
                    } }
                    <div class="sec-out">
                        <span class="field-label">{"As hex"}</span>
                        <pre class="sec-body">{hex.clone()}</pre>
                        <CopyButton text={hex} what="the decoded bytes as hex" on_copy={props.on_copy.clone()} />
                    </div>
                </div>
            }
        }
        Err(error) => html! { <ErrorAt text={props.codec.text.clone()} error={error.clone()} /> },
    };
    html! {
        <section class="card sec-card" aria-labelledby="sec-decode-title">
            <h2 id="sec-decode-title">{"Decode"}</h2>
            <div class="sec-key">
                <label class="field">
                    <span class="field-label">{"Read as"}</span>
                    <select onchange={select_change(&props.on_event, &ENCODINGS, FieldEdit::CodecEncoding)}>
                        { for ENCODINGS.iter().map(|encoding| html! {
                            <option selected={*encoding == props.codec.encoding}>{encoding.name()}</option>
                        }) }
                    </select>
                </label>
                <label class="field grow">
                    <span class="field-label">{"Text to decode"}</span>
                    <textarea class="mono" rows="2" value={props.codec.text.clone()} spellcheck="false"
                        aria-invalid={result.is_err().to_string()} oninput={edit(&props.on_event, FieldEdit::CodecText)} />
                </label>
            </div>
            {output}
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct JwtProps {
    jwt: JwtPanel,
    on_event: Callback<SecurityEvent>,
    on_copy: Callback<String>,
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn date_text(seconds: f64) -> String {
    String::from(js_sys::Date::new(&JsValue::from_f64(seconds * 1000.0)).to_iso_string())
}

#[function_component(JwtCard)]
fn jwt_card(props: &JwtProps) -> Html {
    let jwt = &props.jwt;
    let decoded = (!jwt.token.trim().is_empty()).then(|| jwt.decoded());
    let body = match &decoded {
        None => {
            html! { <p class="muted">{"Paste a token (three base64url parts joined by dots), or sign one below."}</p> }
        }
        Some(Err(error)) => html! { <ErrorAt text={jwt.token.trim().to_string()} error={error.clone()} /> },
        Some(Ok(token)) => {
            let verification = match jwt.verification() {
                Verification::NoKey => html! { <span class="sec-pill">{"not verified: no key"}</span> },
                Verification::Valid => html! { <span class="sec-pill ok">{"signature valid (HS256)"}</span> },
                Verification::Invalid => {
                    html! { <span class="sec-pill bad">{"signature does not match this key"}</span> }
                }
                Verification::Unverifiable(error) => {
                    html! { <span class="sec-pill bad">{format!("not verified: {error}")}</span> }
                }
            };
            let times = time_claims(&token.claims, crate::net::now_ms());
            html! {
                <div class="sec-jwt">
                    <p aria-live="polite">{verification}</p>
                    <div class="sec-jwt-parts">
                        <div>
                            <span class="field-label">{"Header"}</span>
                            <pre class="sec-body sec-jwt-header">{pretty(&token.header)}</pre>
                        </div>
                        <div>
                            <span class="field-label">{"Claims"}</span>
                            <pre class="sec-body sec-jwt-claims">{pretty(&token.claims)}</pre>
                            if !times.is_empty() {
                                <ul class="sec-times">
                                    { for times.iter().map(|claim| html! {
                                        <li><code>{claim.name}</code>{format!(" {} · {}", date_text(claim.seconds), claim.note)}</li>
                                    }) }
                                </ul>
                            }
                        </div>
                    </div>
                    <span class="field-label">{"Signature"}</span>
                    <p><code class="sec-digest">{format!("{} bytes: {}", token.signature.len(), to_hex(&token.signature))}</code></p>
                </div>
            }
        }
    };
    let sign = props.on_event.reform(|_: MouseEvent| SecurityEvent::Sign);
    let use_bearer = props.on_event.reform(|_: MouseEvent| SecurityEvent::UseSignedAsBearer);
    let signed = match &jwt.signed {
        None => html! {},
        Some(Err(error)) => html! { <p class="error" role="alert">{format!("Not signed: {error}")}</p> },
        Some(Ok(token)) => html! {
            <div class="sec-signed" role="status">
                <code class="sec-digest">{token.clone()}</code>
                <div class="sec-actions">
                    <CopyButton text={token.clone()} what="the token" on_copy={props.on_copy.clone()} />
                    <button type="button" class="button subtle" onclick={use_bearer}>{"Send it as a Bearer token…"}</button>
                </div>
            </div>
        },
    };
    let key_line = match jwt.key.describe() {
        Ok(line) => html! { <p class="muted sec-key-bytes">{line}</p> },
        Err(error) => html! { <ErrorAt text={jwt.key.text.clone()} {error} /> },
    };
    html! {
        <section class="card sec-card sec-wide" aria-labelledby="sec-jwt-title">
            <h2 id="sec-jwt-title">{"JSON Web Token"}</h2>
            <label class="field">
                <span class="field-label">{"Token"}</span>
                <textarea class="mono" rows="3" value={jwt.token.clone()} spellcheck="false"
                    placeholder="eyJhbGciOi…" oninput={edit(&props.on_event, FieldEdit::JwtToken)} />
            </label>
            <div class="sec-key">
                <label class="field grow">
                    <span class="field-label">{"HS256 key (verifies; never re-signs the token above)"}</span>
                    <input type="text" class="mono" value={jwt.key.text.clone()} oninput={edit(&props.on_event, FieldEdit::JwtKey)} />
                </label>
                <label class="field">
                    <span class="field-label">{"JWT key written as"}</span>
                    <select onchange={select_change(&props.on_event, &KeyEncoding::ALL, FieldEdit::JwtKeyEncoding)}>
                        { for KeyEncoding::ALL.iter().map(|encoding| html! {
                            <option selected={*encoding == jwt.key.encoding}>{encoding.label()}</option>
                        }) }
                    </select>
                </label>
            </div>
            {key_line}
            {body}
            <h3>{"Sign a token (HS256, with the key above)"}</h3>
            <div class="sec-jwt-parts">
                <label class="field">
                    <span class="field-label">{"Header JSON"}</span>
                    <textarea class="mono" rows="3" value={jwt.header_json.clone()} spellcheck="false"
                        oninput={edit(&props.on_event, FieldEdit::JwtHeader)} />
                </label>
                <label class="field">
                    <span class="field-label">{"Claims JSON"}</span>
                    <textarea class="mono" rows="3" value={jwt.claims_json.clone()} spellcheck="false"
                        oninput={edit(&props.on_event, FieldEdit::JwtClaims)} />
                </label>
            </div>
            <div class="sec-actions">
                <button type="button" class="button primary" onclick={sign}>{"Sign"}</button>
            </div>
            {signed}
        </section>
    }
}
