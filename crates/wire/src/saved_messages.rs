//! Messages a person saved in the WebSocket lab to send again later, kept across reloads as
//! versioned JSON and read back defensively (storage may hold anything).

use serde::{Deserialize, Serialize};

use crate::binary_input::PayloadEncoding;

/// How many saved messages are kept; saving one more drops the oldest.
pub const SAVED_CAPACITY: usize = 50;
const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMessage {
    /// `text`, `hex` or `base64` (see [`PayloadEncoding::key`]).
    pub encoding: String,
    pub text: String,
}

impl SavedMessage {
    pub fn new(encoding: PayloadEncoding, text: impl Into<String>) -> SavedMessage {
        SavedMessage { encoding: encoding.key().to_string(), text: text.into() }
    }

    /// The encoding, or text when the stored key is unknown.
    pub fn encoding(&self) -> PayloadEncoding {
        PayloadEncoding::from_key(&self.encoding).unwrap_or(PayloadEncoding::Text)
    }

    /// A one-line label: the encoding when binary, then the first characters.
    pub fn label(&self, max_chars: usize) -> String {
        let mut label = match self.encoding() {
            PayloadEncoding::Text => String::new(),
            other => format!("{}: ", other.key()),
        };
        let flat: String = self.text.chars().map(|ch| if ch.is_control() { ' ' } else { ch }).collect();
        let mut chars = flat.trim().chars();
        label.extend(chars.by_ref().take(max_chars));
        if chars.next().is_some() {
            label.push('…');
        }
        label
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavedMessages {
    messages: Vec<SavedMessage>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    messages: Vec<SavedMessage>,
}

impl SavedMessages {
    /// Saved messages, newest first.
    pub fn messages(&self) -> &[SavedMessage] {
        &self.messages
    }

    /// Saves `message` at the front; an identical one already saved moves to the front instead
    /// of appearing twice. Empty text is not saved. Returns whether anything changed.
    pub fn save(&mut self, message: SavedMessage) -> bool {
        if message.text.is_empty() {
            return false;
        }
        self.messages.retain(|saved| saved != &message);
        self.messages.insert(0, message);
        self.messages.truncate(SAVED_CAPACITY);
        true
    }

    pub fn remove(&mut self, index: usize) {
        if index < self.messages.len() {
            self.messages.remove(index);
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&Stored { version: VERSION, messages: self.messages.clone() })
            .unwrap_or_else(|_| format!("{{\"version\":{VERSION},\"messages\":[]}}"))
    }

    /// Reads stored text; anything unreadable is an error sentence (the app sets the text aside).
    pub fn from_json(text: &str) -> Result<SavedMessages, String> {
        let stored: Stored = serde_json::from_str(text)
            .map_err(|error| format!("the saved messages are not in the expected form ({error})"))?;
        if stored.version != VERSION {
            return Err(format!(
                "the saved messages have version {}, this Wirelab reads version {VERSION}",
                stored.version
            ));
        }
        let mut messages = stored.messages;
        messages.truncate(SAVED_CAPACITY);
        Ok(SavedMessages { messages })
    }
}
