//! The document's fields as an outline: choosing one lights up its bytes in every panel. Long
//! arrays show their first items and a count, so a thousand readings stay one screen.

use std::rc::Rc;

use wire::formats::{Node, Path, Value};
use wire::units::first_chars;
use yew::prelude::*;

/// Items of an array listed before "… N more".
const ITEMS_SHOWN: usize = 20;

#[derive(Properties)]
pub struct DocumentTreeProps {
    /// Compared by identity: a document can hold hundreds of thousands of nodes.
    pub document: Rc<Node>,
    pub selected: Option<Path>,
    pub on_select: Callback<Path>,
}

impl PartialEq for DocumentTreeProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.document, &other.document)
            && self.selected == other.selected
            && self.on_select == other.on_select
    }
}

#[function_component(DocumentTree)]
pub fn document_tree(props: &DocumentTreeProps) -> Html {
    let mut rows = Vec::new();
    outline(&props.document, &Path::root(), "document", 0, props, &mut rows);
    html! { <ul class="doc-tree" aria-label="Fields">{for rows}</ul> }
}

fn preview(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(value) => value.to_string(),
        Value::Integer(value) => value.to_string(),
        Value::Float(value) => value.to_string(),
        Value::String(text) => {
            let (shown, cut) = first_chars(text, 48);
            format!("\"{shown}{}\"", if cut { "…" } else { "" })
        }
        Value::Bytes(bytes) => format!("{} bytes", bytes.len()),
        Value::Array(items) => format!("[{}]", items.len()),
        Value::Map(entries) => format!("{{{}}}", entries.len()),
    }
}

fn outline(node: &Node, path: &Path, name: &str, depth: usize, props: &DocumentTreeProps, rows: &mut Vec<Html>) {
    let selected = props.selected.as_ref() == Some(path);
    let onclick = {
        let on_select = props.on_select.clone();
        let path = path.clone();
        Callback::from(move |_| on_select.emit(path.clone()))
    };
    let kind_class = format!("kind-{}", node.value.kind());
    rows.push(html! {
        <li style={format!("--depth: {depth}")}>
            <button type="button" class={classes!("doc-row", selected.then_some("selected"))}
                aria-pressed={selected.to_string()} title={path.to_string()} {onclick}>
                <span class="doc-key">{name.to_owned()}</span>
                <span class={classes!("doc-value", kind_class)}>{preview(&node.value)}</span>
            </button>
        </li>
    });
    match &node.value {
        Value::Map(entries) => {
            for entry in entries {
                outline(&entry.value, &path.key(&entry.key), &entry.key, depth + 1, props, rows);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate().take(ITEMS_SHOWN) {
                outline(item, &path.index(index), &format!("[{index}]"), depth + 1, props, rows);
            }
            if items.len() > ITEMS_SHOWN {
                rows.push(html! {
                    <li style={format!("--depth: {}", depth + 1)} class="doc-more muted">
                        {format!("… {} more items", items.len() - ITEMS_SHOWN)}
                    </li>
                });
            }
        }
        _ => {}
    }
}
