//! An encoding shown with its byte map: text formats as coloured text, binary ones as a hex dump
//! with one element per byte. The bytes of the chosen field light up; pointing at a byte reports
//! it, clicking one chooses its field. Long encodings are shown a page at a time.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::Element;
use wire::formats::{ByteMap, Path, Role, Span};
use wire::hexdump::ascii_char;
use yew::prelude::*;

/// Bytes shown at first as text; "Show more" adds [`MORE_PAGES`] times as many.
const TEXT_PAGE_BYTES: usize = 4096;
/// Bytes shown at first as hex: 64 rows, one element per byte (4,096 of them took 60 ms to draw).
const HEX_PAGE_BYTES: usize = 1024;
const MORE_PAGES: usize = 4;
const ROW_WIDTH: usize = 16;

#[derive(Properties)]
pub struct MappedBytesProps {
    pub bytes: Rc<Vec<u8>>,
    pub map: Rc<ByteMap>,
    /// Show as text (JSON, XML) rather than a hex dump.
    pub text: bool,
    pub selected: Option<Path>,
    /// The byte under the pointer, or `None` when it leaves.
    pub on_point: Callback<Option<usize>>,
    /// A byte was clicked: choose its field.
    pub on_pick: Callback<Path>,
    /// The accessible name of the view ("JSON bytes").
    pub label: AttrValue,
}

fn role_class(role: Role) -> &'static str {
    match role {
        Role::Key => "role-key",
        Role::Tag => "role-tag",
        Role::Length => "role-length",
        Role::Header => "role-header",
        Role::Value => "role-value",
        Role::Structure => "role-structure",
    }
}

/// The bytes and the map are compared by identity: a new decode or encoding is a new `Rc`, and
/// comparing megabytes by value on every render would cost more than drawing them.
impl PartialEq for MappedBytesProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.bytes, &other.bytes)
            && Rc::ptr_eq(&self.map, &other.map)
            && self.text == other.text
            && self.selected == other.selected
            && self.on_point == other.on_point
            && self.on_pick == other.on_pick
            && self.label == other.label
    }
}

/// The byte offset an element under the pointer stands for (`data-o`).
fn offset_of(event: &Event) -> Option<usize> {
    let element = event.target()?.dyn_into::<Element>().ok()?;
    let holder = element.closest("[data-o]").ok()??;
    holder.get_attribute("data-o")?.parse().ok()
}

fn is_selected(ranges: &[Span], offset: usize) -> bool {
    let after = ranges.partition_point(|range| range.offset <= offset);
    after > 0 && ranges[after - 1].contains(offset)
}

#[function_component(MappedBytes)]
pub fn mapped_bytes(props: &MappedBytesProps) -> Html {
    let page = if props.text { TEXT_PAGE_BYTES } else { HEX_PAGE_BYTES };
    let shown = use_state(|| page);
    {
        let shown = shown.clone();
        use_effect_with(props.bytes.clone(), move |_| shown.set(page));
    }
    let ranges = props.selected.as_ref().map(|path| props.map.ranges_under(path)).unwrap_or_default();
    let limit = (*shown).min(props.bytes.len());
    let onmouseover = {
        let on_point = props.on_point.clone();
        Callback::from(move |event: MouseEvent| on_point.emit(offset_of(&event)))
    };
    let onmouseleave = {
        let on_point = props.on_point.clone();
        Callback::from(move |_| on_point.emit(None))
    };
    let onclick = {
        let on_pick = props.on_pick.clone();
        let map = props.map.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(span) = offset_of(&event).and_then(|offset| map.at(offset)) {
                on_pick.emit(span.path.clone());
            }
        })
    };
    let body = if props.text {
        text_runs(&props.bytes[..limit], &props.map, &ranges)
    } else {
        hex_rows(&props.bytes[..limit], &props.map, &ranges)
    };
    let more = (limit < props.bytes.len()).then(|| {
        let shown = shown.clone();
        let remaining = props.bytes.len() - limit;
        let onclick = Callback::from(move |_| shown.set(*shown + page * MORE_PAGES));
        html! {
            <button class="button subtle" {onclick}>{format!("Show more ({remaining} bytes not shown)")}</button>
        }
    });
    html! {
        <div class={classes!("mapped-bytes", if props.text { "as-text" } else { "as-hex" })}
            role="region" aria-label={props.label.clone()} tabindex="0"
            {onmouseover} {onmouseleave} {onclick}>
            {body}
            {more}
        </div>
    }
}

/// Text cut at span boundaries, each piece coloured by its role.
fn text_runs(bytes: &[u8], map: &ByteMap, ranges: &[Span]) -> Html {
    let text = String::from_utf8_lossy(bytes);
    let mut pieces: Vec<Html> = Vec::new();
    let mut position = 0;
    let piece = |start: usize, end: usize, class: Option<&'static str>| -> Html {
        let content = text.get(start..end).unwrap_or("").to_owned();
        let selected = is_selected(ranges, start);
        match class {
            Some(class) => html! {
                <span class={classes!(class, selected.then_some("sel"))} data-o={start.to_string()}>{content}</span>
            },
            None => html! { {content} },
        }
    };
    for span in map.spans() {
        if span.span.offset >= text.len() {
            // Sorted by offset: the rest lie past the bytes shown.
            break;
        }
        let start = span.span.offset;
        let end = span.span.end().min(text.len());
        if start < position || start >= end {
            continue;
        }
        if start > position {
            pieces.push(piece(position, start, None));
        }
        pieces.push(piece(start, end, Some(role_class(span.role))));
        position = end;
    }
    if position < text.len() {
        pieces.push(piece(position, text.len(), None));
    }
    html! { <pre class="mapped-text">{for pieces}</pre> }
}

/// Offset, sixteen byte cells and the ASCII column per row; every cell knows its offset.
fn hex_rows(bytes: &[u8], map: &ByteMap, ranges: &[Span]) -> Html {
    if bytes.is_empty() {
        return html! { <p class="muted">{"(no bytes)"}</p> };
    }
    let rows = bytes.chunks(ROW_WIDTH).enumerate().map(|(row, chunk)| {
        let base = row * ROW_WIDTH;
        let cells = chunk.iter().enumerate().map(|(column, byte)| {
            let offset = base + column;
            let role = map.at(offset).map(|span| role_class(span.role)).unwrap_or("role-none");
            let gap = (column == 8).then_some("gap");
            html! {
                <span class={classes!("cell", role, gap, is_selected(ranges, offset).then_some("sel"))}
                    data-o={offset.to_string()}>{format!("{byte:02x}")}</span>
            }
        });
        let ascii: String = chunk.iter().map(|&byte| ascii_char(byte)).collect();
        html! {
            <div class="mapped-row">
                <span class="hex-offset">{format!("{base:08x}")}</span>
                <span class="cells">{for cells}</span>
                <span class="hex-ascii">{ascii}</span>
            </div>
        }
    });
    html! { <div class="mapped-hex">{for rows}</div> }
}

/// A line about one byte: where it is, its role, its field and how to read it.
pub fn describe_byte(map: &ByteMap, bytes: &[u8], offset: usize) -> String {
    let value = bytes.get(offset).map(|byte| format!("0x{byte:02x}")).unwrap_or_default();
    match map.at(offset) {
        Some(span) => format!(
            "byte {offset} ({value}) · {} · {} · {}",
            span.role.label(),
            span.path,
            if span.detail.is_empty() { "—" } else { &span.detail }
        ),
        None => format!("byte {offset} ({value}) · not part of any field"),
    }
}
