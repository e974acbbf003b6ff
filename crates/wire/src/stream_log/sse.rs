//! Server-Sent Events read from bytes as they arrive, by the rules of the HTML standard's
//! "event stream interpretation", so the HTTP lab can show each block with its fields the way an
//! EventSource would take it (and what an EventSource hides from a page: `retry:` and comments).
//!
//! The parser is sans-I/O and incremental: [`SseParser::feed`] takes any piece of the stream
//! (a chunk may end inside a line, inside a UTF-8 character or between the CR and LF of a line
//! end) and returns the blocks that piece completed. Lines end with CRLF, LF or CR; a blank line
//! ends a block; `:` starts a comment; a field's value loses one leading space; `data` lines
//! join with LF; `id` with a NUL is ignored; `retry` counts only when it is all ASCII digits;
//! unknown fields are ignored. A leading byte order mark is skipped, and a block the stream ends
//! inside is discarded, as the standard says.

/// A block of the stream ended by a blank line: what its fields said.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SseBlock {
    /// When the blank line that ended it arrived (milliseconds, the caller's clock).
    pub at_ms: f64,
    /// The `id` field of this block, when it had one (ignored ones, with a NUL, are not kept).
    pub id: Option<String>,
    /// The `event` field, when present (the event's type; `message` when absent or empty).
    pub event: Option<String>,
    /// The `data` lines joined with LF; `None` when the block had no `data` field, so no event
    /// is dispatched.
    pub data: Option<String>,
    /// A valid `retry` field: the new reconnection delay in milliseconds.
    pub retry_ms: Option<u64>,
    /// Comment lines (after the `:`), which browsers drop.
    pub comments: Vec<String>,
    /// Lines with a field name the standard does not know, or an invalid `retry`.
    pub ignored: Vec<String>,
    /// The stream's last event id after this block: what a reconnecting EventSource would send
    /// as `Last-Event-ID`.
    pub last_event_id: String,
}

impl SseBlock {
    /// The type an EventSource dispatches this block as.
    pub fn event_type(&self) -> &str {
        self.event.as_deref().filter(|name| !name.is_empty()).unwrap_or("message")
    }

    /// Whether an EventSource dispatches an event for this block (it had data).
    pub fn dispatches(&self) -> bool {
        self.data.is_some()
    }
}

/// The incremental parser; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SseParser {
    /// The bytes of a line not yet ended.
    line: Vec<u8>,
    /// The last piece ended with CR: an LF starting the next one belongs to that line end.
    after_cr: bool,
    /// Bytes seen so far, for skipping a byte order mark at the very start.
    seen: u64,
    block: SseBlock,
    /// The block has at least one line (so a blank line ends something).
    block_started: bool,
    last_event_id: String,
    retry_ms: Option<u64>,
}

const BOM: &[u8] = "\u{feff}".as_bytes();

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// The last event id so far (what `Last-Event-ID` would carry on a reconnect).
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection delay the stream last set with `retry`.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Bytes of an unfinished line or block held back, waiting for more of the stream.
    pub fn is_mid_block(&self) -> bool {
        self.block_started || !self.line.is_empty()
    }

    /// Takes the next piece of the stream, arriving at `at_ms`; returns the blocks it ended.
    pub fn feed(&mut self, bytes: &[u8], at_ms: f64) -> Vec<SseBlock> {
        let mut blocks = Vec::new();
        let mut bytes = bytes;
        // A byte order mark may only open the stream, and may itself arrive split.
        while self.seen < BOM.len() as u64 && !bytes.is_empty() {
            let at = self.seen as usize;
            if self.line.len() == at && bytes[0] == BOM[at] {
                self.line.push(bytes[0]);
                bytes = &bytes[1..];
                self.seen += 1;
                if self.line.len() == BOM.len() {
                    self.line.clear();
                }
            } else {
                self.seen = BOM.len() as u64;
            }
        }
        for &byte in bytes {
            let after_cr = std::mem::replace(&mut self.after_cr, false);
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(block) = self.take_line(&line, at_ms) {
                        blocks.push(block);
                    }
                }
                _ => self.line.push(byte),
            }
        }
        blocks
    }

    /// Handles one complete line; a blank one ends the block.
    fn take_line(&mut self, line: &[u8], at_ms: f64) -> Option<SseBlock> {
        if line.is_empty() {
            if !self.block_started {
                return None;
            }
            self.block_started = false;
            let mut block = std::mem::take(&mut self.block);
            if let Some(data) = block.data.as_mut()
                && data.ends_with('\n')
            {
                data.pop();
            }
            block.at_ms = at_ms;
            block.last_event_id = self.last_event_id.clone();
            return Some(block);
        }
        self.block_started = true;
        let text = String::from_utf8_lossy(line);
        if let Some(comment) = text.strip_prefix(':') {
            self.block.comments.push(comment.strip_prefix(' ').unwrap_or(comment).to_string());
            return None;
        }
        let (field, value) = match text.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (text.as_ref(), ""),
        };
        match field {
            "event" => self.block.event = Some(value.to_string()),
            "data" => {
                let data = self.block.data.get_or_insert_with(String::new);
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => {
                self.block.id = Some(value.to_string());
                self.last_event_id = value.to_string();
            }
            "retry" if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) => match value.parse() {
                Ok(retry_ms) => {
                    self.block.retry_ms = Some(retry_ms);
                    self.retry_ms = Some(retry_ms);
                }
                Err(_) => self.block.ignored.push(text.to_string()),
            },
            _ => self.block.ignored.push(text.to_string()),
        }
        None
    }
}
