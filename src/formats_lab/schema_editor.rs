//! The Protobuf schema: a `.proto` pasted or opened from a file, compiled in the page, and the
//! message type to encode with. Compile errors point at their line and column.

use yew::prelude::*;

use super::CompiledSchema;

#[derive(Properties, PartialEq)]
pub struct SchemaEditorProps {
    pub source: AttrValue,
    pub on_source: Callback<String>,
    pub schema: CompiledSchema,
    pub message: AttrValue,
    pub on_message: Callback<String>,
    /// A message type that fits the document better than the chosen one.
    #[prop_or_default]
    pub suggestion: Option<String>,
}

#[function_component(SchemaEditor)]
pub fn schema_editor(props: &SchemaEditorProps) -> Html {
    let file_problem = use_state(|| None::<String>);
    let oninput = {
        let on_source = props.on_source.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            on_source.emit(area.value());
        })
    };
    let onchange_message = {
        let on_message = props.on_message.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_message.emit(select.value());
        })
    };
    let on_file = {
        let on_source = props.on_source.clone();
        let file_problem = file_problem.clone();
        Callback::from(move |event: Event| {
            let Some(file) = crate::net::files::take_picked_file(&event) else {
                return;
            };
            let on_source = on_source.clone();
            let file_problem = file_problem.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::net::files::read_text(file).await {
                    Ok(text) => {
                        file_problem.set(None);
                        on_source.emit(text);
                    }
                    Err(error) => file_problem.set(Some(error)),
                }
            });
        })
    };
    let (messages, error) = match props.schema.result.as_ref() {
        Ok(schema) => (schema.message_names(), None),
        Err(error) => (
            Vec::new(),
            Some(match error.location {
                Some(location) => format!("Schema error at {location}: {}", error.message),
                None => format!("Schema error: {}", error.message),
            }),
        ),
    };
    let known = messages.iter().any(|name| name.as_str() == props.message.as_str());
    html! {
        <div class="schema-editor">
            <div class="schema-row">
                <label class="field grow">
                    <span class="field-label">{"Message type"}</span>
                    <select onchange={onchange_message} disabled={messages.is_empty()}>
                        if !known {
                            <option value="" selected=true>{"Choose a message type"}</option>
                        }
                        { for messages.iter().map(|name| html! {
                            <option value={name.clone()} selected={name.as_str() == props.message.as_str()}>{name.clone()}</option>
                        }) }
                    </select>
                </label>
                <label class="button subtle file-button">
                    {"Open .proto file"}
                    <input type="file" accept=".proto,text/plain" class="visually-hidden" onchange={on_file} />
                </label>
            </div>
            if let Some(name) = props.suggestion.clone() {
                <p class="suggestion">
                    {"The document's keys fit "}<code>{name.clone()}</code>{" better. "}
                    <button type="button" class="button subtle" onclick={{
                        let on_message = props.on_message.clone();
                        Callback::from(move |_| on_message.emit(name.clone()))
                    }}>{"Use it"}</button>
                </p>
            }
            <label class="field">
                <span class="field-label">{".proto schema"}</span>
                <textarea class={classes!("mono", "schema-text", error.is_some().then_some("invalid"))}
                    spellcheck="false" aria-invalid={error.is_some().to_string()}
                    value={props.source.clone()} {oninput} />
            </label>
            if let Some(error) = error {
                <p class="inline-error" role="alert">{error}</p>
            }
            if let Some(problem) = (*file_problem).clone() {
                <p class="inline-error" role="alert">{problem}</p>
            }
        </div>
    }
}
