//! The Formats lab's state and every change to it ([`FormatsLabState`], a [`LabState`]): the tab
//! shown, the `.proto` schema (compiled when it changes) and the message type, the Compare tab's
//! source as typed and as last applied, and the Decode tab's input. Also the Decode tab's work:
//! which reading of the bytes is tried (the one chosen, or the likeliest guess) and which decoder
//! that means, with what decoded before an error kept ([`decode_as`]).
//!
//! The Compare tab's encodings are derived from the applied source by the view
//! (`formats::convert::compare`); the only effect is the timer that applies typed text once
//! typing pauses ([`FormatsEffect::Settle`]).

use serde::{Deserialize, Serialize};
use std::rc::Rc;

use crate::binary_input::{looks_like_hex, parse_hex_or_base64};
use crate::formats::convert::{ProtobufChoice, decode};
use crate::formats::guess::{Guess, Reading, guess};
use crate::formats::json::Style;
use crate::formats::protobuf::Schema;
use crate::formats::samples::{self, SAMPLE_PROTO, SAMPLE_PROTO_NAME};
use crate::formats::{ByteMap, Decoded, Format, FormatError, Node, Path, json, xml};
use crate::hexdump::to_hex;
use crate::lab::LabState;
use crate::packets::craft::{CraftEdit, CraftForm};
use crate::protowire;

/// Typing pauses this long before the Compare tab applies the source.
pub const SETTLE_MS: u32 = 300;
/// Bytes up to this size are shown in the Decode tab as editable hex; larger ones are decoded
/// but not typed out.
pub const HEX_TEXT_LIMIT: usize = 64 * 1024;
/// What the Decode tab holds first: Protobuf without its schema (a name, a nested message, packed
/// varints), which the best guess reads as schemaless Protobuf.
pub const FIRST_DECODE_INPUT: &str = "0a 05 4c 61 62 20 42 1a 03 08 96 01 32 06 03 8e 02 9e a7 05";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatsTab {
    Compare,
    Decode,
    /// A packet built layer by layer (`wire::packets::craft`) and saved as a `.pcap`.
    Craft,
}

/// The Compare tab's source document.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareInput {
    /// As typed.
    pub text: String,
    /// As last applied (typing settled, Ctrl+Enter, a sample): what the panels show.
    pub applied: String,
    /// JSON or XML.
    pub format: Format,
    /// The sample the text came from; empty once edited.
    pub sample: &'static str,
    /// The field lit up in every panel.
    pub selected: Option<Path>,
}

/// Where the Decode tab's bytes come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DecodeSource {
    /// Hex or base64 as typed.
    Typed(String),
    /// A file or another lab's bytes, too big to type out.
    Attached {
        name: String,
        #[serde(with = "crate::formats_engine::rc_bytes")]
        bytes: Rc<Vec<u8>>,
    },
}

/// The Decode tab's input.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeInput {
    pub source: DecodeSource,
    /// The reading chosen; `None` follows the best guess.
    pub choice: Option<Reading>,
    pub selected: Option<Path>,
    /// Why the last picked file could not be read.
    pub file_problem: Option<String>,
}

/// One change in the Compare tab.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareEdit {
    /// Text typed: applied once typing pauses.
    Text(String),
    /// Ctrl+Enter: apply now.
    ApplyNow,
    /// A sample by name: its JSON and its message type.
    Sample(String),
    /// JSON or XML: the applied document rewritten in it, when it parses.
    Format(Format),
    /// A field chosen (again: unchosen).
    Select(Path),
}

/// One change in the Decode tab.
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeEdit {
    Text(String),
    Choice(Option<Reading>),
    /// A picked file's name and bytes, or why they could not be read.
    File {
        name: String,
        bytes: Result<Vec<u8>, String>,
    },
    /// Back to typing, dropping the attached bytes.
    TypeInstead,
    Select(Path),
}

#[derive(Clone, Debug, PartialEq)]
pub enum FormatsEvent {
    Tab(FormatsTab),
    /// The `.proto` text (typed or opened).
    ProtoSource(String),
    /// The message type to encode and decode with.
    Message(String),
    Compare(CompareEdit),
    /// [`FormatsEffect::Settle`]'s timer fired.
    Settled,
    Decode(DecodeEdit),
    /// Bytes sent here by another lab's "Decode as…".
    Incoming {
        origin: String,
        bytes: Vec<u8>,
    },
    /// A change in the Craft packet tab's form.
    Craft(CraftEdit),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatsEffect {
    /// (Re)start the timer that answers [`FormatsEvent::Settled`] after this many milliseconds.
    Settle(u32),
    /// Stop that timer.
    CancelSettle,
}

/// The Formats lab. Views read the public fields; only [`LabState::apply`] changes them.
#[derive(Clone, Debug)]
pub struct FormatsLabState {
    pub tab: FormatsTab,
    pub proto_source: String,
    pub schema: Rc<Result<Schema, FormatError>>,
    pub message: String,
    pub compare: CompareInput,
    pub decode: DecodeInput,
    /// The Craft packet tab's form, as typed.
    pub craft: CraftForm,
    /// Changes whenever the schema is compiled again, so views compare a number, not a schema.
    schema_revision: u64,
}

impl Default for FormatsLabState {
    fn default() -> Self {
        FormatsLabState::new()
    }
}

impl FormatsLabState {
    /// The lab with the first sample, the sample schema and [`FIRST_DECODE_INPUT`].
    pub fn new() -> FormatsLabState {
        let first = samples::all().into_iter().next();
        let text = first.as_ref().map(|sample| sample.json.clone()).unwrap_or_default();
        FormatsLabState {
            tab: FormatsTab::Compare,
            proto_source: SAMPLE_PROTO.to_owned(),
            schema: Rc::new(Schema::compile(SAMPLE_PROTO_NAME, SAMPLE_PROTO)),
            message: first.as_ref().map_or("wirelab.Contact", |sample| sample.message).to_owned(),
            compare: CompareInput {
                applied: text.clone(),
                text,
                format: Format::Json,
                sample: first.as_ref().map(|sample| sample.name).unwrap_or_default(),
                selected: None,
            },
            decode: DecodeInput {
                source: DecodeSource::Typed(FIRST_DECODE_INPUT.to_owned()),
                choice: None,
                selected: None,
                file_problem: None,
            },
            craft: CraftForm::default(),
            schema_revision: 0,
        }
    }

    pub fn schema_revision(&self) -> u64 {
        self.schema_revision
    }

    /// The applied source parsed in its format.
    pub fn parse_applied(&self) -> Result<Decoded, FormatError> {
        parse_source(&self.compare.applied, self.compare.format)
    }

    fn apply_text(&mut self, text: String) {
        self.compare.applied = text.clone();
        self.compare.text = text;
        self.fit_message();
    }

    /// A message type the schema does not have (a new `.proto` was pasted) gives way to the one
    /// that fits the applied document best, or the schema's first.
    fn fit_message(&mut self) {
        let Ok(schema) = self.schema.as_ref() else { return };
        let names = schema.message_names();
        if names.contains(&self.message) {
            return;
        }
        let fitting = self.parse_applied().ok().and_then(|decoded| schema.guess_message(&decoded.document));
        if let Some(name) = fitting.or_else(|| names.first().cloned()) {
            self.message = name;
        }
    }

    /// Typed text waits for typing to pause; anything that applies text applies it now, so the
    /// timer still running is stopped.
    fn edit_compare(&mut self, edit: CompareEdit) -> Vec<FormatsEffect> {
        match edit {
            CompareEdit::Text(text) => {
                self.compare.text = text;
                self.compare.sample = "";
                return vec![FormatsEffect::Settle(SETTLE_MS)];
            }
            CompareEdit::ApplyNow => self.apply_text(self.compare.text.clone()),
            CompareEdit::Sample(name) => {
                let Some(sample) = samples::all().into_iter().find(|sample| sample.name == name) else {
                    return Vec::new();
                };
                self.compare.sample = sample.name;
                self.compare.format = Format::Json;
                self.compare.selected = None;
                self.message = sample.message.to_owned();
                self.apply_text(sample.json);
            }
            CompareEdit::Format(format) => {
                let previous = std::mem::replace(&mut self.compare.format, format);
                // The same document, rewritten in the other format, when the applied text parses.
                let parsed = parse_source(&self.compare.applied, previous).ok().filter(|_| format != previous);
                let Some(decoded) = parsed else {
                    return Vec::new();
                };
                let encoded = match format {
                    Format::Xml => xml::encode(&decoded.document, Style::Pretty),
                    _ => json::encode(&decoded.document, Style::Pretty),
                };
                self.apply_text(String::from_utf8_lossy(&encoded.bytes).into_owned());
            }
            CompareEdit::Select(path) => {
                toggle(&mut self.compare.selected, path);
                return Vec::new();
            }
        }
        vec![FormatsEffect::CancelSettle]
    }

    fn edit_decode(&mut self, edit: DecodeEdit) {
        let decode = &mut self.decode;
        match edit {
            DecodeEdit::Text(text) => decode.source = DecodeSource::Typed(text),
            DecodeEdit::Choice(choice) => {
                decode.selected = None;
                decode.choice = choice;
            }
            DecodeEdit::File { name, bytes: Ok(bytes) } => {
                decode.file_problem = None;
                decode.source = source_for(name, bytes);
            }
            DecodeEdit::File { name, bytes: Err(error) } => decode.file_problem = Some(format!("{name}: {error}")),
            DecodeEdit::TypeInstead => decode.source = DecodeSource::Typed(String::new()),
            DecodeEdit::Select(path) => toggle(&mut decode.selected, path),
        }
    }
}

impl LabState for FormatsLabState {
    type Event = FormatsEvent;
    type Effect = FormatsEffect;

    fn apply(&mut self, event: FormatsEvent, _now_ms: f64) -> Vec<FormatsEffect> {
        match event {
            FormatsEvent::Tab(tab) => self.tab = tab,
            FormatsEvent::ProtoSource(text) => {
                self.schema = Rc::new(Schema::compile(SAMPLE_PROTO_NAME, &text));
                self.proto_source = text;
                self.schema_revision += 1;
                self.fit_message();
            }
            FormatsEvent::Message(name) => self.message = name,
            FormatsEvent::Compare(edit) => return self.edit_compare(edit),
            FormatsEvent::Settled => self.apply_text(self.compare.text.clone()),
            FormatsEvent::Decode(edit) => self.edit_decode(edit),
            FormatsEvent::Incoming { origin, bytes } => {
                self.tab = FormatsTab::Decode;
                self.decode.selected = None;
                self.decode.source = source_for(origin, bytes);
            }
            FormatsEvent::Craft(edit) => self.craft.apply(edit),
        }
        Vec::new()
    }
}

fn toggle(selected: &mut Option<Path>, path: Path) {
    let again = selected.as_ref() == Some(&path);
    *selected = (!again).then_some(path);
}

/// Small inputs as editable hex, big ones attached under `name`.
fn source_for(name: String, bytes: Vec<u8>) -> DecodeSource {
    if bytes.len() <= HEX_TEXT_LIMIT {
        DecodeSource::Typed(to_hex(&bytes))
    } else {
        DecodeSource::Attached { name, bytes: Rc::new(bytes) }
    }
}

/// A source document as typed: XML, or JSON for anything else.
pub fn parse_source(text: &str, format: Format) -> Result<Decoded, FormatError> {
    match format {
        Format::Xml => xml::parse(text),
        _ => json::parse(text),
    }
}

/// The Decode tab's work on its input: the bytes, the guesses, the reading used (the one chosen,
/// or the likeliest, or schemaless Protobuf when none fits) and what it decoded to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DecodeOutcome {
    /// The bytes, or why the typed text is neither hex nor base64.
    pub bytes: Result<Rc<Vec<u8>>, String>,
    /// Every reading, likeliest first.
    pub guesses: Vec<Guess>,
    /// The likeliest reading that fits at all.
    pub best: Option<Reading>,
    pub reading: Reading,
    /// `None` while there are no bytes.
    pub decoding: Option<Decoding>,
}

/// What one reading of the bytes produced: the document and map (possibly partial), and any error.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Decoding {
    pub reading: Reading,
    pub document: Option<Node>,
    pub map: Rc<ByteMap>,
    pub error: Option<FormatError>,
    /// Schemaless Protobuf only: every reading of every field as text.
    pub raw_text: Option<String>,
}

impl DecodeSource {
    /// Decodes the bytes as `choice` (or the likeliest reading), with `schema` and `message`
    /// for the Protobuf reading.
    pub fn decode(
        &self,
        choice: Option<Reading>,
        schema: &Result<Schema, FormatError>,
        message: &str,
    ) -> DecodeOutcome {
        let bytes: Result<Rc<Vec<u8>>, String> = match self {
            DecodeSource::Typed(text) => parse_typed(text).map(Rc::new),
            DecodeSource::Attached { bytes, .. } => Ok(bytes.clone()),
        };
        let guesses: Vec<Guess> = bytes.as_ref().map(|bytes| guess(bytes)).unwrap_or_default();
        let best = guesses.first().filter(|guess| guess.score > 0).map(|guess| guess.reading);
        let reading = choice.or(best).unwrap_or(Reading::ProtobufSchemaless);
        let decoding = bytes.as_ref().ok().map(|bytes| decode_as(bytes, reading, schema, message));
        DecodeOutcome { bytes, guesses, best, reading, decoding }
    }
}

/// Typed hex or base64 as bytes; the error names which one it was read as.
pub fn parse_typed(text: &str) -> Result<Vec<u8>, String> {
    parse_hex_or_base64(text).map(|(bytes, _)| bytes).map_err(|error| {
        let as_what = if looks_like_hex(text) { "Hex" } else { "Base64" };
        format!("{as_what} input: {error}")
    })
}

/// `bytes` read as `reading`: schemaless Protobuf and TLS records keep what they read before an
/// error (Protobuf with every reading of each field as text), Protobuf needs the schema to
/// compile, and the other formats decode whole or not at all.
pub fn decode_as(bytes: &[u8], reading: Reading, schema: &Result<Schema, FormatError>, message: &str) -> Decoding {
    if reading == Reading::Tls {
        let dissection = crate::tls::dissect(bytes);
        return Decoding {
            reading,
            document: Some(dissection.document),
            map: Rc::new(dissection.map),
            error: dissection.error,
            raw_text: None,
        };
    }
    if reading == Reading::ProtobufSchemaless {
        let decoded = protowire::decode(bytes);
        return Decoding {
            reading,
            document: Some(protowire::to_document(&decoded)),
            map: Rc::new(protowire::byte_map(&decoded)),
            error: decoded.error.clone(),
            raw_text: Some(protowire::render(&decoded)),
        };
    }
    let failed = |error: FormatError| Decoding {
        reading,
        document: None,
        map: Rc::new(ByteMap::new()),
        error: Some(error),
        raw_text: None,
    };
    let choice = match (reading, schema) {
        (Reading::Protobuf, Ok(schema)) => Some(ProtobufChoice { schema, message }),
        (Reading::Protobuf, Err(error)) => {
            return failed(FormatError::general(format!("the schema does not compile: {error}")));
        }
        _ => None,
    };
    let Some(format) = reading.format() else {
        return failed(FormatError::general(format!("{} is not one of the five formats", reading.label())));
    };
    match decode(bytes, format, choice) {
        Ok(decoded) => Decoding {
            reading,
            document: Some(decoded.document),
            map: Rc::new(decoded.map),
            error: None,
            raw_text: None,
        },
        Err(error) => failed(error),
    }
}
