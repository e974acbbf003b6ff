//! Line and column of a place in typed text, so every input error can point at where it is.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextPosition {
    pub line: usize,
    pub column: usize,
}

impl TextPosition {
    /// The position of the character at `char_index` (0-based) in `text`.
    pub fn of_char_index(text: &str, char_index: usize) -> TextPosition {
        let mut line = 1;
        let mut column = 1;
        for ch in text.chars().take(char_index) {
            if ch == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        TextPosition { line, column }
    }

    /// The position of the byte at `byte_offset` in `text` (clamped to the text's end and rounded
    /// down to a character boundary).
    pub fn of_byte_offset(text: &str, byte_offset: usize) -> TextPosition {
        let mut end = byte_offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        TextPosition::of_char_index(text, text[..end].chars().count())
    }

    /// The byte offset of this line and column in `text` (the end of the line when the column is
    /// past it, the end of the text when the line is).
    pub fn byte_offset(self, text: &str) -> usize {
        let mut line_start = 0;
        for _ in 1..self.line {
            match text[line_start..].find('\n') {
                Some(newline) => line_start += newline + 1,
                None => return text.len(),
            }
        }
        let line = &text[line_start..];
        let line_end = line.find('\n').unwrap_or(line.len());
        line_start
            + line[..line_end].char_indices().nth(self.column.saturating_sub(1)).map_or(line_end, |(offset, _)| offset)
    }
}

impl TextPosition {
    /// The position of a serde_json error. serde_json reports an error found at a line break as
    /// column 0 of the next line; people expect the end of the line where the mistake is.
    pub fn of_json_error(text: &str, error: &serde_json::Error) -> TextPosition {
        let (line, column) = (error.line(), error.column());
        if column == 0 && line > 1 {
            let previous = text.lines().nth(line - 2).unwrap_or_default();
            return TextPosition { line: line - 1, column: previous.chars().count() + 1 };
        }
        TextPosition { line, column: column.max(1) }
    }
}

/// A serde_json error's message without the " at line L column C" serde_json ends it with, for a
/// `Diagnostic` that says where on its own.
pub fn json_error_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.split_once(" at line ") {
        Some((before, _)) => before.to_string(),
        None => message,
    }
}

impl fmt::Display for TextPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}
