//! The capture's packet list: Wireshark's columns (No., Time, Source, Destination, Protocol,
//! Length, Info), a filter box, and rows drawn only where the list is scrolled to, so a list of
//! 100,000 packets costs what a screenful does. The arrow keys, Page Up/Down, Home and End move
//! the choice and keep it in view.

use std::rc::Rc;

use wire::virtual_list::visible_rows;
use yew::prelude::*;

use super::capture_view::SharedCapture;

/// Height of one row in pixels; must match `.capture-row` in style.css.
const ROW_HEIGHT: f64 = 24.0;
const OVERSCAN_ROWS: usize = 10;

#[derive(Properties, PartialEq)]
pub struct PacketListProps {
    pub loaded: SharedCapture,
    /// Moves on whenever rows were added.
    pub revision: u64,
    /// The chosen row's index in the capture.
    pub selected: Option<usize>,
    pub on_select: Callback<usize>,
}

#[function_component(PacketList)]
pub fn packet_list(props: &PacketListProps) -> Html {
    let viewport = use_node_ref();
    let scroll = use_state(|| (0.0_f64, 360.0_f64));
    let filter = use_state(String::new);
    let rows_len = props.loaded.0.borrow().rows.len();
    // The indexes of the rows the filter keeps (`None`: all), worked out again only when the
    // filter or the number of rows changes.
    let matching: Rc<Option<Vec<usize>>> = {
        let loaded = props.loaded.clone();
        use_memo(((*filter).clone(), rows_len), move |(filter, _)| {
            let filter = filter.trim();
            (!filter.is_empty()).then(|| {
                let loaded = loaded.0.borrow();
                loaded.rows.iter().enumerate().filter(|(_, row)| row.matches(filter)).map(|(index, _)| index).collect()
            })
        })
    };
    let total = matching.as_ref().as_ref().map_or(rows_len, Vec::len);
    let index_at = {
        let matching = matching.clone();
        move |position: usize| -> Option<usize> {
            match matching.as_ref() {
                Some(indexes) => indexes.get(position).copied(),
                None => (position < rows_len).then_some(position),
            }
        }
    };
    let position_of_selected = props.selected.and_then(|selected| match matching.as_ref() {
        Some(indexes) => indexes.iter().position(|index| *index == selected),
        None => Some(selected),
    });

    let on_scroll = {
        let scroll = scroll.clone();
        Callback::from(move |event: Event| {
            let element: web_sys::Element = event.target_unchecked_into();
            scroll.set((f64::from(element.scroll_top()), f64::from(element.client_height())));
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            filter.set(input.value());
        })
    };
    let on_key = {
        let on_select = props.on_select.clone();
        let viewport = viewport.clone();
        let index_at = index_at.clone();
        let scroll = scroll.clone();
        Callback::from(move |event: KeyboardEvent| {
            if total == 0 {
                return;
            }
            let page = ((scroll.1 / ROW_HEIGHT).floor() as usize).max(1);
            let current = position_of_selected;
            let next = match event.key().as_str() {
                "ArrowDown" => current.map_or(0, |at| (at + 1).min(total - 1)),
                "ArrowUp" => current.map_or(0, |at| at.saturating_sub(1)),
                "PageDown" => current.map_or(0, |at| (at + page).min(total - 1)),
                "PageUp" => current.map_or(0, |at| at.saturating_sub(page)),
                "Home" => 0,
                "End" => total - 1,
                _ => return,
            };
            event.prevent_default();
            if let Some(index) = index_at(next) {
                on_select.emit(index);
            }
            // Keep the chosen row in view.
            if let Some(element) = viewport.cast::<web_sys::Element>() {
                let top = next as f64 * ROW_HEIGHT;
                let height = f64::from(element.client_height()) - ROW_HEIGHT;
                let scroll_top = f64::from(element.scroll_top());
                if top < scroll_top {
                    element.set_scroll_top(top as i32);
                } else if top > scroll_top + height - ROW_HEIGHT {
                    element.set_scroll_top((top - height + ROW_HEIGHT) as i32);
                }
            }
        })
    };

    let (scroll_top, viewport_height) = *scroll;
    let viewport_height = if viewport_height > 0.0 { viewport_height } else { 360.0 };
    let range = visible_rows(total, ROW_HEIGHT, scroll_top, viewport_height, OVERSCAN_ROWS);
    let loaded = props.loaded.0.borrow();
    let rows: Html = range
        .clone()
        .filter_map(|position| {
            let index = index_at(position)?;
            let row = loaded.rows.get(index)?;
            let chosen = props.selected == Some(index);
            let on_click = {
                let on_select = props.on_select.clone();
                Callback::from(move |_| on_select.emit(index))
            };
            Some(html! {
                <tr key={row.number} class={classes!("capture-row", chosen.then_some("selected"))}
                    aria-selected={chosen.to_string()} onclick={on_click} data-protocol={row.protocol.clone()}>
                    <td class="num">{row.number}</td>
                    <td class="num">{row.time_text()}</td>
                    <td>{row.source.clone()}</td>
                    <td>{row.destination.clone()}</td>
                    <td>{row.protocol.clone()}</td>
                    <td class="num">{row.length}</td>
                    <td class="info">{row.info.clone()}</td>
                </tr>
            })
        })
        .collect();
    let above = range.start as f64 * ROW_HEIGHT;
    let below = (total - range.end) as f64 * ROW_HEIGHT;
    html! {
        <div class="capture-list">
            <label class="field">
                <span class="field-label">{"Filter packets"}</span>
                <input type="search" value={(*filter).clone()} oninput={on_filter}
                    placeholder="Protocol, address, port or info text: tcp 443, dns, 10.0.0.2" />
            </label>
            <p class="muted small" data-testid="capture-shown">
                {if matching.is_some() { format!("{total} of {rows_len} packets match") } else { format!("{rows_len} packets") }}
            </p>
            <div class="capture-viewport" ref={viewport} onscroll={on_scroll} tabindex="0" onkeydown={on_key}
                role="region" aria-label="Packet list: arrow keys choose a packet">
                <table class="capture-table" aria-rowcount={total.to_string()}>
                    <thead>
                        <tr>
                            <th scope="col">{"No."}</th>
                            <th scope="col">{"Time"}</th>
                            <th scope="col">{"Source"}</th>
                            <th scope="col">{"Destination"}</th>
                            <th scope="col">{"Protocol"}</th>
                            <th scope="col">{"Length"}</th>
                            <th scope="col">{"Info"}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="capture-spacer" aria-hidden="true" style={format!("height: {above}px")}></tr>
                        {rows}
                        <tr class="capture-spacer" aria-hidden="true" style={format!("height: {below}px")}></tr>
                    </tbody>
                </table>
                if total == 0 && rows_len > 0 {
                    <p class="muted pad">{"No packet matches the filter."}</p>
                }
            </div>
        </div>
    }
}
