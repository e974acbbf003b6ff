//! A message shown the way a person wants to read it: as text, a hex dump, pretty JSON, pretty
//! XML, or schemaless Protobuf. Each view either renders or says what is wrong and where.

use quick_xml::events::Event;
use quick_xml::{Reader, Writer};

use crate::diagnostic::{Diagnostic, Location};
use crate::message_log::Payload;
use crate::text_position::TextPosition;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PayloadView {
    Text,
    Hex,
    Json,
    Xml,
    Protobuf,
}

impl PayloadView {
    pub const ALL: [PayloadView; 5] =
        [PayloadView::Text, PayloadView::Hex, PayloadView::Json, PayloadView::Xml, PayloadView::Protobuf];

    pub fn label(self) -> &'static str {
        match self {
            PayloadView::Text => "Text",
            PayloadView::Hex => "Hex",
            PayloadView::Json => "JSON",
            PayloadView::Xml => "XML",
            PayloadView::Protobuf => "Protobuf",
        }
    }

    /// The view a payload opens in: JSON or XML when it parses as such, text for other text,
    /// hex for binary.
    pub fn default_for(payload: &Payload) -> PayloadView {
        match payload {
            Payload::Binary(_) => PayloadView::Hex,
            Payload::Text(text) => {
                let trimmed = text.trim_start();
                if (trimmed.starts_with('{') || trimmed.starts_with('['))
                    && serde_json::from_str::<serde_json::Value>(text).is_ok()
                {
                    PayloadView::Json
                } else if trimmed.starts_with('<') && pretty_xml(text).is_ok() {
                    PayloadView::Xml
                } else {
                    PayloadView::Text
                }
            }
        }
    }
}

/// Why a payload could not be shown in a view.
pub type ViewError = Diagnostic;

/// The payload's bytes as UTF-8 text, or a note on the first invalid byte.
pub fn as_text(payload: &Payload) -> Result<&str, ViewError> {
    match payload {
        Payload::Text(text) => Ok(text),
        Payload::Binary(bytes) => std::str::from_utf8(bytes).map_err(|error| {
            Diagnostic::new(format!("byte {} is not valid UTF-8; see the hex view", error.valid_up_to()))
        }),
    }
}

/// JSON re-indented with two spaces, or the line and column of the first syntax error.
pub fn pretty_json(text: &str) -> Result<String, ViewError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| json_error(text, &error))?;
    serde_json::to_string_pretty(&value).map_err(|error| Diagnostic::new(error.to_string()))
}

/// Whether `text` is JSON, without pretty-printing it (for validating as someone types). It
/// parses into a `Value` because that path gives serde_json's clearest messages ("trailing comma").
pub fn check_json(text: &str) -> Result<(), ViewError> {
    serde_json::from_str::<serde_json::Value>(text).map(|_| ()).map_err(|error| json_error(text, &error))
}

fn json_error(text: &str, error: &serde_json::Error) -> ViewError {
    Diagnostic::at(
        Location::at_position(text, TextPosition::of_json_error(text, error)),
        format!("not JSON: {}", strip_serde_position(&error.to_string())),
    )
}

/// XML re-indented with two spaces, or the position of the first well-formedness error
/// (mismatched or unclosed tags included).
pub fn pretty_xml(text: &str) -> Result<String, ViewError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut open_elements: Vec<String> = Vec::new();
    let mut saw_element = false;
    loop {
        let event = reader.read_event().map_err(|error| {
            Diagnostic::in_text(text, reader.error_position() as usize, format!("not well-formed XML: {error}"))
        })?;
        match &event {
            Event::Start(start) => {
                saw_element = true;
                open_elements.push(String::from_utf8_lossy(start.name().as_ref()).into_owned());
            }
            Event::Empty(_) => saw_element = true,
            Event::End(_) => {
                open_elements.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        writer.write_event(event).map_err(|error| Diagnostic::new(error.to_string()))?;
    }
    if let Some(unclosed) = open_elements.last() {
        return Err(Diagnostic::in_text(
            text,
            text.len(),
            format!("not well-formed XML: <{unclosed}> is never closed"),
        ));
    }
    if !saw_element {
        return Err(Diagnostic::new("not XML: there is no element"));
    }
    String::from_utf8(writer.into_inner()).map_err(|error| Diagnostic::new(error.to_string()))
}

/// The payload rendered in `view` (hex views are drawn by the app from the bytes directly).
pub fn render(payload: &Payload, view: PayloadView) -> Result<String, ViewError> {
    match view {
        PayloadView::Text => as_text(payload).map(str::to_string),
        PayloadView::Hex => Ok(crate::hexdump::hex_dump(payload.bytes())),
        PayloadView::Json => pretty_json(as_text(payload)?),
        PayloadView::Xml => pretty_xml(as_text(payload)?),
        PayloadView::Protobuf => {
            if payload.is_empty() {
                return Ok("(empty: a Protobuf message with no fields)".into());
            }
            Ok(crate::protowire::render(&crate::protowire::decode(payload.bytes())))
        }
    }
}

/// serde_json appends " at line L column C"; the view shows the position separately.
fn strip_serde_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}
