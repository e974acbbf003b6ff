//! The message composer: text, or binary typed as hex or base64, or a file. Bad hex or base64 is
//! an inline error with its position, nothing is sent, and the text stays as typed.

use wire::binary_input::PayloadEncoding;
use wire::saved_messages::SavedMessage;
use wire::units::format_bytes;
use wire::ws_lab::{ComposerDraft, DraftEdit, MAX_REPEAT};
use yew::prelude::*;

use crate::components::send_as_select::SendAsSelect;

#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    pub draft: ComposerDraft,
    pub error: Option<String>,
    pub connected: bool,
    /// Bytes the browser still has queued to send.
    pub buffered: u32,
    pub on_change: Callback<DraftEdit>,
    pub on_send: Callback<()>,
    pub on_send_file: Callback<Result<Vec<u8>, String>>,
    /// Messages saved for later, newest first.
    pub saved: Vec<SavedMessage>,
    /// Saves the current draft.
    pub on_save: Callback<()>,
    /// Puts saved message `index` in the composer.
    pub on_use_saved: Callback<usize>,
    pub on_forget_saved: Callback<usize>,
}

#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    let on_encoding = props.on_change.reform(DraftEdit::Encoding);
    let on_text = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            on_change.emit(DraftEdit::Text(area.value()));
        })
    };
    let on_repeat = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_change.emit(DraftEdit::Repeat(input.value().trim().parse::<u32>().unwrap_or(1)));
        })
    };
    let on_keydown = {
        let on_send = props.on_send.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                event.prevent_default();
                on_send.emit(());
            }
        })
    };
    let on_send_click = {
        let on_send = props.on_send.clone();
        Callback::from(move |_| on_send.emit(()))
    };
    let on_file = {
        let on_send_file = props.on_send_file.clone();
        Callback::from(move |event: Event| {
            let Some(file) = crate::net::files::take_picked_file(&event) else {
                return;
            };
            let on_send_file = on_send_file.clone();
            wasm_bindgen_futures::spawn_local(async move {
                on_send_file.emit(crate::net::files::read_bytes(file).await);
            });
        })
    };

    let on_save = {
        let on_save = props.on_save.clone();
        Callback::from(move |_| on_save.emit(()))
    };
    let saved: Html = props
        .saved
        .iter()
        .enumerate()
        .map(|(index, message)| {
            let on_use = props.on_use_saved.clone();
            let on_forget = props.on_forget_saved.clone();
            html! {
                <li class="saved-chip">
                    <button type="button" class="saved-use mono" title={message.text.clone()}
                        onclick={Callback::from(move |_| on_use.emit(index))}>{message.label(28)}</button>
                    <button type="button" class="saved-forget" aria-label={format!("Forget saved message {}", index + 1)}
                        onclick={Callback::from(move |_| on_forget.emit(index))}>{"×"}</button>
                </li>
            }
        })
        .collect();
    let size_hint = props.draft.size_hint();
    let placeholder = match props.draft.encoding {
        PayloadEncoding::Text => "Type a message. Ctrl+Enter sends.",
        PayloadEncoding::Hex => "Hex bytes, e.g. de ad be ef or 0xde,0xad. Ctrl+Enter sends.",
        PayloadEncoding::Base64 => "Base64, e.g. 3q2+7w==. Ctrl+Enter sends.",
    };
    html! {
        <section class="composer card" aria-label="Composer">
            <div class="composer-controls">
                <SendAsSelect value={props.draft.encoding} on_change={on_encoding} />
                <label class="field inline">
                    <span class="field-label">{"Repeat"}</span>
                    <input type="number" min="1" max={MAX_REPEAT.to_string()} class="narrow"
                        value={props.draft.repeat.to_string()} oninput={on_repeat} />
                </label>
                <span class="muted size-hint" data-testid="composer-size">{size_hint}</span>
                if props.buffered > 0 {
                    <span class="muted">{format!("{} queued in the browser", format_bytes(u64::from(props.buffered)))}</span>
                }
                <span class="spacer"></span>
                <button type="button" class="button subtle" onclick={on_save} disabled={props.draft.text.is_empty()}
                    title="Keep this message to send again later (kept across reloads)">{"Save"}</button>
                <label class={classes!("button", "subtle", (!props.connected).then_some("disabled"))}>
                    {"Send a file…"}
                    <input type="file" class="visually-hidden" onchange={on_file} disabled={!props.connected} />
                </label>
            </div>
            <div class="composer-row">
                <label class="field grow">
                    <span class="field-label visually-hidden">{"Message"}</span>
                    <textarea class={classes!("mono", props.error.is_some().then_some("invalid"))}
                        rows="3" spellcheck="false" {placeholder}
                        aria-invalid={props.error.is_some().then_some("true")}
                        value={props.draft.text.clone()} oninput={on_text} onkeydown={on_keydown} />
                </label>
                <button type="button" class="button primary send" onclick={on_send_click}
                    disabled={!props.connected} title="Send (Ctrl+Enter)">
                    {"Send"}
                </button>
            </div>
            if let Some(error) = &props.error {
                <p class="inline-error" role="alert" data-testid="composer-error">{error}</p>
            }
            if !props.saved.is_empty() {
                <ul class="saved-list" aria-label="Saved messages">{saved}</ul>
            }
        </section>
    }
}
