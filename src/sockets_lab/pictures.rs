//! Control bytes drawn the same on every machine. The transcript shows CR as `␍` and LF as `␊`
//! (Unicode's Control Pictures, `wire::sockets::visible_text`), but many fonts lack those glyphs
//! (DejaVu, the usual Linux fallback, has none), which would leave empty boxes exactly where the
//! lab wants the eye. So each picture stays in the text (copied and read by a screen reader as
//! itself) and is drawn by the stylesheet as its abbreviation in a small frame (`.ctl[data-abbr]`).

use wire::sockets::visible_text::{control_name, control_picture};
use yew::prelude::*;

/// The control byte a Control Pictures character stands for (`␍` → 0x0d, `␡` → 0x7f).
fn pictured_byte(ch: char) -> Option<u8> {
    match u32::from(ch) {
        code @ 0x2400..=0x241f => u8::try_from(code - 0x2400).ok(),
        0x2421 => Some(0x7f),
        _ => None,
    }
}

/// One control byte as its picture, framed, with its name on hover.
pub fn control_span(byte: u8) -> Html {
    let (abbr, name) = control_name(byte);
    let class = if matches!(byte, b'\r' | b'\n') { "ctl eol" } else { "ctl" };
    html! {
        <span {class} data-abbr={abbr} title={format!("{abbr} ({name}, 0x{byte:02x})")}>{control_picture(byte)}</span>
    }
}

/// Text from the core that may hold control pictures (`CRLF ␍␊`, a byte preview), with each
/// picture drawn as [`control_span`].
pub fn with_pictures(text: &str) -> Html {
    let mut out: Vec<Html> = Vec::new();
    let mut run = String::new();
    for ch in text.chars() {
        match pictured_byte(ch) {
            Some(byte) => {
                if !run.is_empty() {
                    out.push(html! { {std::mem::take(&mut run)} });
                }
                out.push(control_span(byte));
            }
            None => run.push(ch),
        }
    }
    if !run.is_empty() {
        out.push(html! { {run} });
    }
    out.into_iter().collect()
}
