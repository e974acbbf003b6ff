//! The composer: a message typed as text with a visible line ending (CRLF, LF or none), or bytes
//! typed as hex or base64; what it will send, byte for byte, before it is sent; Send, Ctrl+Enter,
//! and Ctrl+↑/↓ through what was sent before. A refused send leaves the text as typed.

use wire::binary_input::PayloadEncoding;
use wire::sockets::lab::Channel;
use wire::sockets::line_ending::{DraftEdit, LineEnding, SendDraft};
use yew::prelude::*;

use crate::components::send_as_select::SendAsSelect;

use super::pictures::with_pictures;

/// Characters of the byte preview beside the Message field.
const PREVIEW_CHARS: usize = 90;

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    pub draft: SendDraft,
    pub error: Option<String>,
    /// Why the line ending may not suit the protocol.
    pub warning: Option<String>,
    /// Whether the connection the composer sends on takes bytes now.
    pub can_send: bool,
    /// Whether that connection is TCP (FIN can be sent).
    pub can_finish: bool,
    pub send_on: Channel,
    /// Whether FTP's data connection exists (then the composer can send on it).
    pub has_data: bool,
    /// Drafts sent before, oldest first.
    pub history: Vec<SendDraft>,
    pub on_edit: Callback<DraftEdit>,
    pub on_send: Callback<()>,
    pub on_finish: Callback<()>,
    pub on_send_on: Callback<Channel>,
    pub on_recall: Callback<usize>,
}

#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    // Where Ctrl+↑/↓ is in the history (None: the draft being typed).
    let recalled = use_state(|| None::<usize>);
    let on_encoding = props.on_edit.reform(DraftEdit::Encoding);
    let on_text = {
        let on_edit = props.on_edit.clone();
        let recalled = recalled.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            recalled.set(None);
            on_edit.emit(DraftEdit::Text(area.value()));
        })
    };
    let on_keydown = {
        let on_send = props.on_send.clone();
        let on_recall = props.on_recall.clone();
        let recalled = recalled.clone();
        let count = props.history.len();
        Callback::from(move |event: KeyboardEvent| {
            let command = event.ctrl_key() || event.meta_key();
            if !command || event.shift_key() {
                return;
            }
            match event.key().as_str() {
                "Enter" => {
                    event.prevent_default();
                    recalled.set(None);
                    on_send.emit(());
                }
                "ArrowUp" if count > 0 => {
                    event.prevent_default();
                    let index = recalled.map_or(count - 1, |index| index.saturating_sub(1));
                    recalled.set(Some(index));
                    on_recall.emit(index);
                }
                "ArrowDown" if count > 0 => {
                    event.prevent_default();
                    let index = recalled.map_or(count - 1, |index| (index + 1).min(count - 1));
                    recalled.set(Some(index));
                    on_recall.emit(index);
                }
                _ => {}
            }
        })
    };
    let line_ending_choice = |ending: LineEnding| {
        let on_edit = props.on_edit.clone();
        let text_mode = props.draft.encoding == PayloadEncoding::Text;
        html! {
            <label class="choice">
                <input type="radio" name="sockets-line-ending" value={ending.key()}
                    checked={props.draft.line_ending == ending} disabled={!text_mode}
                    onchange={Callback::from(move |_| on_edit.emit(DraftEdit::LineEnding(ending)))} />
                <span class="mono">{with_pictures(ending.label())}</span>
            </label>
        }
    };
    let channel_choice = |channel: Channel, label: &'static str| {
        let on_send_on = props.on_send_on.clone();
        html! {
            <label class="choice">
                <input type="radio" name="sockets-send-on" checked={props.send_on == channel}
                    onchange={Callback::from(move |_| on_send_on.emit(channel))} />
                {label}
            </label>
        }
    };
    let on_send_click = {
        let on_send = props.on_send.clone();
        let recalled = recalled.clone();
        Callback::from(move |_| {
            recalled.set(None);
            on_send.emit(());
        })
    };
    let on_finish_click = {
        let on_finish = props.on_finish.clone();
        Callback::from(move |_| on_finish.emit(()))
    };
    let placeholder = match props.draft.encoding {
        PayloadEncoding::Text => {
            "Type a line, e.g. EHLO learner. The line ending is added when sent. Ctrl+Enter sends."
        }
        PayloadEncoding::Hex => "Hex bytes, e.g. 48 45 4c 4f 0d 0a. Ctrl+Enter sends.",
        PayloadEncoding::Base64 => "Base64, e.g. SEVMTw0K. Ctrl+Enter sends.",
    };
    let size_hint = props.draft.size_hint(PREVIEW_CHARS);
    let recent: Html = props
        .history
        .iter()
        .enumerate()
        .rev()
        .take(8)
        .map(|(index, draft)| {
            let on_recall = props.on_recall.clone();
            let label = wire::units::first_chars(draft.text.lines().next().unwrap_or(""), 28);
            let label = format!("{}{}", label.0, if label.1 || draft.text.contains('\n') { "…" } else { "" });
            html! {
                <li>
                    <button type="button" class="saved-use mono" title={format!("Put this back in the composer: {}", draft.text)}
                        onclick={Callback::from(move |_| on_recall.emit(index))}>{label}</button>
                </li>
            }
        })
        .collect();
    html! {
        <section class="composer sockets-composer card" aria-label="Composer">
            <div class="composer-controls">
                if props.has_data {
                    <fieldset class="choices">
                        <legend class="field-label">{"Send on"}</legend>
                        { channel_choice(Channel::Control, "Control") }
                        { channel_choice(Channel::Data, "Data") }
                    </fieldset>
                }
                <SendAsSelect value={props.draft.encoding} on_change={on_encoding} />
                <fieldset class="choices" title="What ends each line of the text (hex and base64 are sent as typed)">
                    <legend class="field-label">{"Line ending"}</legend>
                    { for LineEnding::ALL.into_iter().map(line_ending_choice) }
                </fieldset>
            </div>
            <div class="composer-row">
                <label class="field grow">
                    <span class="field-label">{"Message"}</span>
                    <textarea class={classes!("mono", props.error.is_some().then_some("invalid"))}
                        rows="3" spellcheck="false" {placeholder}
                        aria-invalid={props.error.is_some().then_some("true")}
                        aria-describedby="sockets-composer-bytes"
                        aria-keyshortcuts="Control+Enter Control+ArrowUp Control+ArrowDown"
                        value={props.draft.text.clone()} oninput={on_text} onkeydown={on_keydown} />
                </label>
                <div class="composer-buttons">
                    <button type="button" class="button primary send" onclick={on_send_click}
                        disabled={!props.can_send} title="Send (Ctrl+Enter)" aria-keyshortcuts="Control+Enter">
                        {"Send"}
                    </button>
                    <button type="button" class="button subtle" onclick={on_finish_click} disabled={!props.can_finish}
                        title="Send FIN (shutdown SHUT_WR): the peer reads the end of the stream; its replies still arrive">
                        {"Send FIN"}
                    </button>
                </div>
            </div>
            <p class="composer-bytes mono" id="sockets-composer-bytes" data-testid="composer-bytes">
                if size_hint.is_empty() {
                    <span class="muted">{"Will send: nothing yet"}</span>
                } else {
                    <span class="muted">{"Will send "}</span>{with_pictures(&size_hint)}
                }
            </p>
            if let Some(warning) = &props.warning {
                <p class="composer-warning">{format!("⚠ {warning}")}</p>
            }
            if let Some(error) = &props.error {
                <p class="inline-error" role="alert" data-testid="composer-error">{error}</p>
            }
            if !props.history.is_empty() {
                <div class="composer-history">
                    <span class="field-label">{"Sent before"}</span>
                    <ul class="saved-list" aria-label="Sent before">{recent}</ul>
                    <span class="muted small">{"Ctrl+↑ and Ctrl+↓ in the Message field step through them"}</span>
                </div>
            }
        </section>
    }
}
