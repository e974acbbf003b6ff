//! A JSON or XML document as a collapsible tree. The core indexes the document once; this view
//! asks it only for the rows on screen, so a 20 MB body scrolls like a small one.

use std::rc::Rc;

use wire::tree::{Expansion, NodeKind, Tree, visible_row_count, visible_rows};
use wire::virtual_list;
use yew::prelude::*;

/// Height of one row in pixels; must match `.tree-row` in style.css.
const ROW_HEIGHT: f64 = 24.0;
const OVERSCAN_ROWS: usize = 12;
const PREVIEW_CHARS: usize = 120;
/// How much of a document opens expanded at first.
const INITIAL_DEPTH: usize = 3;
const INITIAL_MAX_NODES: usize = 2_000;

#[derive(Clone)]
pub struct SharedTree(pub Rc<Tree>);

impl PartialEq for SharedTree {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct TreeViewProps {
    pub tree: SharedTree,
}

#[function_component(TreeView)]
pub fn tree_view(props: &TreeViewProps) -> Html {
    let tree = props.tree.0.clone();
    let expansion = {
        let tree = tree.clone();
        use_state(move || Expansion::to_depth(&tree, INITIAL_DEPTH, INITIAL_MAX_NODES))
    };
    {
        // A new document starts with its own first view.
        let expansion = expansion.clone();
        use_effect_with(props.tree.clone(), move |shared| {
            expansion.set(Expansion::to_depth(&shared.0, INITIAL_DEPTH, INITIAL_MAX_NODES));
        });
    }
    let selected = use_state(|| None::<u32>);
    let scroll = use_state(|| (0.0_f64, 480.0_f64));
    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |event: Event| {
            let element: web_sys::Element = event.target_unchecked_into();
            scroll.set((f64::from(element.scroll_top()), f64::from(element.client_height())));
        })
    };
    let total = visible_row_count(&tree, &expansion);
    let (top, height) = *scroll;
    let range =
        virtual_list::visible_rows(total, ROW_HEIGHT, top, if height > 0.0 { height } else { 480.0 }, OVERSCAN_ROWS);
    let start = range.start;
    let rows: Html = visible_rows(&tree, &expansion, range, PREVIEW_CHARS)
        .into_iter()
        .enumerate()
        .map(|(offset, row)| {
            let node = row.node;
            let on_toggle = {
                let expansion = expansion.clone();
                Callback::from(move |event: MouseEvent| {
                    event.stop_propagation();
                    let mut next = (*expansion).clone();
                    next.toggle(node);
                    expansion.set(next);
                })
            };
            let on_select = {
                let selected = selected.clone();
                Callback::from(move |_| selected.set(Some(node)))
            };
            let style = format!("top: {}px; padding-left: {}px", (start + offset) as f64 * ROW_HEIGHT, 8 + row.depth * 16);
            let kind_class = kind_class(row.kind);
            html! {
                <div class={classes!("tree-row", (*selected == Some(node)).then_some("selected"))} {style}
                    role="treeitem" aria-level={(row.depth + 1).to_string()}
                    aria-expanded={row.expandable.then(|| row.expanded.to_string())} onclick={on_select}>
                    if row.expandable {
                        <button type="button" class="tree-toggle" onclick={on_toggle}
                            aria-label={if row.expanded { format!("Collapse {}", row.key) } else { format!("Expand {}", row.key) }}>
                            {if row.expanded { "▾" } else { "▸" }}
                        </button>
                    } else {
                        <span class="tree-toggle" aria-hidden="true"></span>
                    }
                    <span class="tree-key">{row.key}</span>
                    <span class={classes!("tree-value", kind_class)}>{row.preview}</span>
                </div>
            }
        })
        .collect();
    let on_expand_all = {
        let expansion = expansion.clone();
        let tree = tree.clone();
        Callback::from(move |_| expansion.set(Expansion::expand_all(&tree, 200_000)))
    };
    let on_collapse = {
        let expansion = expansion.clone();
        let tree = tree.clone();
        Callback::from(move |_| expansion.set(Expansion::root_only(&tree)))
    };
    let path = selected.map(|node| tree.path(node));
    html! {
        <div class="tree-view" data-testid="tree-view">
            <div class="tree-toolbar">
                <button type="button" class="button subtle" onclick={on_expand_all}>{"Expand all"}</button>
                <button type="button" class="button subtle" onclick={on_collapse}>{"Collapse all"}</button>
                <span class="muted">{format!("{} nodes", tree.node_count())}</span>
                if let Some(path) = path {
                    <code class="tree-path" title="Path of the selected node">{path}</code>
                }
            </div>
            <div class="tree-viewport" onscroll={on_scroll} role="tree" aria-label="Response body">
                <div class="tree-rows" style={format!("height: {}px", total as f64 * ROW_HEIGHT)}>{rows}</div>
            </div>
        </div>
    }
}

fn kind_class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::String | NodeKind::Text | NodeKind::CData => "string",
        NodeKind::Number => "number",
        NodeKind::Bool | NodeKind::Null => "literal",
        NodeKind::Attribute => "attribute",
        NodeKind::Comment | NodeKind::ProcessingInstruction => "comment",
        NodeKind::Object | NodeKind::Array | NodeKind::Element => "container",
    }
}
