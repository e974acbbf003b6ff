//! A received message's payload read through the Formats lab's engines: the likeliest format
//! ([`crate::formats::guess`]), decoded into the document model and shown as pretty JSON; plain
//! text as itself; anything else as hex. "Decode as…" hands the bytes to the Formats lab for
//! the byte map.

use crate::formats::guess::{Reading, guess};
use crate::formats::json::Style;
use crate::formats::{Format, convert};

/// How a payload reads, and the text to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadReading {
    /// `JSON`, `CBOR`, `text`, `binary`.
    pub label: String,
    pub text: String,
}

/// Payload bytes shown in hex at most.
const HEX_SHOWN: usize = 64;

pub fn read_payload(bytes: &[u8]) -> PayloadReading {
    if bytes.is_empty() {
        return PayloadReading { label: "empty".into(), text: String::new() };
    }
    let best = guess(bytes).into_iter().find(|candidate| {
        candidate.score > 0
            && matches!(candidate.reading, Reading::Json | Reading::Xml | Reading::MessagePack | Reading::Cbor)
    });
    if let Some(format) = best.and_then(|candidate| candidate.reading.format())
        && let Ok(decoded) = convert::decode(bytes, format, None)
    {
        let text = match format {
            // Text formats are shown as they came; the binary ones through the document model.
            Format::Json | Format::Xml => String::from_utf8_lossy(bytes).into_owned(),
            _ => {
                let encoded = convert::encode(&decoded.document, Format::Json, Style::Pretty, None);
                encoded.map(|encoded| String::from_utf8_lossy(&encoded.bytes).into_owned()).unwrap_or_default()
            }
        };
        let label =
            if format.is_text() { format.label().to_string() } else { format!("{} (shown as JSON)", format.label()) };
        return PayloadReading { label, text };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => PayloadReading { label: "text".into(), text: text.to_owned() },
        Err(_) => {
            let shown = &bytes[..bytes.len().min(HEX_SHOWN)];
            let more = if bytes.len() > HEX_SHOWN { " …" } else { "" };
            PayloadReading {
                label: format!("binary, {} bytes", bytes.len()),
                text: format!("{}{more}", crate::hexdump::to_hex(shown)),
            }
        }
    }
}
