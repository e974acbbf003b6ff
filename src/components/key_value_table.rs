//! An editable table of name/value rows that can each be switched off: the HTTP lab's query
//! parameters, headers and form fields. Edits come back as the whole new list.

use wire::http_request::KeyValue;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KeyValueTableProps {
    /// Accessible name of the table, e.g. "Query parameters".
    pub label: AttrValue,
    pub rows: Vec<KeyValue>,
    pub on_change: Callback<Vec<KeyValue>>,
    #[prop_or(AttrValue::from("Name"))]
    pub name_placeholder: AttrValue,
    #[prop_or(AttrValue::from("Value"))]
    pub value_placeholder: AttrValue,
    /// Text of the add button, e.g. "Add header".
    pub add_label: AttrValue,
    /// Index of a row to mark invalid (with the message shown under the table).
    #[prop_or_default]
    pub invalid_row: Option<usize>,
}

#[function_component(KeyValueTable)]
pub fn key_value_table(props: &KeyValueTableProps) -> Html {
    let edit = |index: usize, apply: fn(&mut KeyValue, String, bool)| {
        let rows = props.rows.clone();
        let on_change = props.on_change.clone();
        move |value: String, checked: bool| {
            let mut next = rows.clone();
            if let Some(row) = next.get_mut(index) {
                apply(row, value, checked);
            }
            on_change.emit(next);
        }
    };
    let rows: Html = props
        .rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let on_enabled = {
                let apply = edit(index, |row, _, checked| row.enabled = checked);
                Callback::from(move |event: Event| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    apply(String::new(), input.checked());
                })
            };
            let on_name = {
                let apply = edit(index, |row, value, _| row.name = value);
                Callback::from(move |event: InputEvent| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    apply(input.value(), false);
                })
            };
            let on_value = {
                let apply = edit(index, |row, value, _| row.value = value);
                Callback::from(move |event: InputEvent| {
                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                    apply(input.value(), false);
                })
            };
            let on_remove = {
                let rows = props.rows.clone();
                let on_change = props.on_change.clone();
                Callback::from(move |_| {
                    let mut next = rows.clone();
                    if index < next.len() {
                        next.remove(index);
                    }
                    on_change.emit(next);
                })
            };
            let invalid = props.invalid_row == Some(index);
            html! {
                <tr class={classes!((!row.enabled).then_some("disabled-row"), invalid.then_some("invalid-row"))}>
                    <td class="kv-check">
                        <input type="checkbox" checked={row.enabled} onchange={on_enabled}
                            aria-label={format!("Send {}", if row.name.is_empty() { "this row" } else { &row.name })} />
                    </td>
                    <td><input type="text" class="mono" value={row.name.clone()} oninput={on_name}
                        placeholder={props.name_placeholder.clone()} aria-label={format!("{} name {}", props.label, index + 1)}
                        aria-invalid={invalid.then_some("true")} spellcheck="false" /></td>
                    <td><input type="text" class="mono" value={row.value.clone()} oninput={on_value}
                        placeholder={props.value_placeholder.clone()} aria-label={format!("{} value {}", props.label, index + 1)}
                        spellcheck="false" /></td>
                    <td class="kv-remove">
                        <button type="button" class="icon-button small" onclick={on_remove}
                            aria-label={format!("Remove row {}", index + 1)} title="Remove">{"×"}</button>
                    </td>
                </tr>
            }
        })
        .collect();
    let on_add = {
        let rows = props.rows.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |_| {
            let mut next = rows.clone();
            next.push(KeyValue::new("", ""));
            on_change.emit(next);
        })
    };
    html! {
        <div class="kv-table">
            if !props.rows.is_empty() {
                <table aria-label={props.label.clone()}>
                    <tbody>{rows}</tbody>
                </table>
            }
            <button type="button" class="button subtle" onclick={on_add}>{props.add_label.clone()}</button>
        </div>
    }
}
