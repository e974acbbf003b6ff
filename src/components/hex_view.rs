//! A hex dump of any bytes: offset, hex and ASCII columns, built from the core's rows and shown
//! a page at a time so a 16 MiB message never renders all at once.

use std::rc::Rc;

use wire::hexdump::{ROW_WIDTH, hex_rows, row_count};
use yew::prelude::*;

/// Rows shown at first, and added by each "Show more".
const PAGE_ROWS: usize = 256;

#[derive(Properties, PartialEq)]
pub struct HexViewProps {
    pub bytes: Rc<Vec<u8>>,
}

#[function_component(HexView)]
pub fn hex_view(props: &HexViewProps) -> Html {
    let shown_rows = use_state(|| PAGE_ROWS);
    {
        // A different payload starts again at the first page.
        let shown_rows = shown_rows.clone();
        use_effect_with(props.bytes.clone(), move |_| shown_rows.set(PAGE_ROWS));
    }
    let total_rows = row_count(props.bytes.len(), ROW_WIDTH);
    if total_rows == 0 {
        return html! { <p class="muted">{"(no bytes)"}</p> };
    }
    let rows: Html = hex_rows(&props.bytes, ROW_WIDTH)
        .take(*shown_rows)
        .map(|row| {
            html! {
                <div class="hex-row">
                    <span class="hex-offset">{format!("{:08x}", row.offset)}</span>
                    {"  "}<span class="hex-bytes">{row.hex}</span>
                    {"  "}<span class="hex-ascii">{format!("|{}|", row.ascii)}</span>
                </div>
            }
        })
        .collect();
    let more = (*shown_rows < total_rows).then(|| {
        let shown_rows = shown_rows.clone();
        let remaining = total_rows - *shown_rows;
        let onclick = Callback::from(move |_| shown_rows.set(*shown_rows + PAGE_ROWS * 4));
        html! {
            <button class="button subtle" {onclick}>
                {format!("Show more ({remaining} rows not shown)")}
            </button>
        }
    });
    html! {
        <div class="hex-view" data-testid="hex-view">
            <div class="hex-row hex-head" aria-hidden="true">
                <span class="hex-offset">{"offset  "}</span>
                {"  "}<span class="hex-bytes">{"00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f"}</span>
                {"  "}<span class="hex-ascii">{"ascii"}</span>
            </div>
            {rows}
            {more}
        </div>
    }
}
