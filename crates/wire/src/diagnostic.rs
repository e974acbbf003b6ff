//! One shape for "this input is wrong, here": a message and where it is (a byte offset, and a
//! line and column when the input is text), so every parser in the core reports problems alike.
//!
//! The public error types of the other modules (`TreeError`, `InputError`, `CurlError`,
//! `RequestError`, `ViewError`) are this type under their own names. `formats::FormatError` wraps
//! it only to print the place first (`line 2, column 5: expected value`), as the Formats lab shows it.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::text_position::TextPosition;

/// Where a problem is: a byte offset, and for text the line and column as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub offset: usize,
    pub position: Option<TextPosition>,
}

impl Location {
    /// The place `offset` bytes into binary input.
    pub fn at_offset(offset: usize) -> Location {
        Location { offset, position: None }
    }

    /// The place `offset` bytes into `text` (clamped to its end), with its line and column.
    pub fn in_text(text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        Location { offset, position: Some(TextPosition::of_byte_offset(text, offset)) }
    }

    /// The place of the character at `char_index` (0-based) in `text`.
    pub fn at_char(text: &str, char_index: usize) -> Location {
        let offset = text.char_indices().nth(char_index).map_or(text.len(), |(offset, _)| offset);
        Location { offset, position: Some(TextPosition::of_char_index(text, char_index)) }
    }

    /// The place at a line and column already worked out (serde_json's), with its byte offset.
    pub fn at_position(text: &str, position: TextPosition) -> Location {
        Location { offset: position.byte_offset(text), position: Some(position) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(position) => write!(f, "{position}"),
            None => write!(f, "byte {}", self.offset),
        }
    }
}

/// What is wrong with some input, and where, when it has a place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// What is wrong, in lowercase words.
    pub message: String,
    /// `None` for problems with no place in the input (a schema with no such message type).
    pub location: Option<Location>,
}

impl Diagnostic {
    /// A problem with no place in the input.
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic { message: message.into(), location: None }
    }

    pub fn at(location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic { message: message.into(), location: Some(location) }
    }

    pub fn at_offset(offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(Location::at_offset(offset), message)
    }

    /// A problem `offset` bytes into `text`, with its line and column.
    pub fn in_text(text: &str, offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(Location::in_text(text, offset), message)
    }

    /// A problem at the character `char_index` (0-based) of `text`.
    pub fn at_char(text: &str, char_index: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(Location::at_char(text, char_index), message)
    }

    /// The same problem with the line and column of its offset in `text`.
    pub fn with_text(self, text: &str) -> Diagnostic {
        match self.location {
            Some(location) => Diagnostic::in_text(text, location.offset, self.message),
            None => self,
        }
    }

    /// The line and column, when the input is text and the problem has a place.
    pub fn position(&self) -> Option<TextPosition> {
        self.location.and_then(|location| location.position)
    }
}

/// `message at line 2, column 5`, `message at byte 7`, or the message alone.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{} at {location}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}
