//! A response body shown as it arrives: which responses the HTTP lab reads chunk by chunk, and
//! the log it keeps of them ([`StreamLog`]): every chunk with its arrival time since the request
//! started, its size, the bytes so far and the start of its bytes; and, by content type, the
//! complete lines (NDJSON: `/stream/{n}`) or the Server-Sent Events blocks ([`sse`]: `/sse`)
//! those chunks carried. [`event_source`] is the state of the lab's EventSource panel.
//!
//! The log is capped ([`MAX_KEPT`] chunks, lines and events, the newest kept, with counts of
//! all) so an endless stream costs bounded memory; the whole body still goes to the response
//! view when the stream ends.

pub mod event_source;
pub mod sse;

use std::collections::VecDeque;

use sse::{SseBlock, SseParser};

/// The most chunks, lines and events kept (the newest); older ones are only counted.
pub const MAX_KEPT: usize = 1000;
/// The bytes of each chunk kept for showing.
pub const CHUNK_PREVIEW_BYTES: usize = 256;

/// How a streamed body is taken apart beside its chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamFormat {
    /// `text/event-stream`: Server-Sent Events blocks.
    EventStream,
    /// Newline-delimited records (NDJSON, JSON Lines) or plain text: complete lines.
    Lines,
    /// Anything else: chunks only.
    Bytes,
}

impl StreamFormat {
    /// The format of a body with this `Content-Type` (parameters and case ignored).
    pub fn of_content_type(content_type: &str) -> StreamFormat {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "text/event-stream" => StreamFormat::EventStream,
            "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonlines"
            | "application/json-seq" => StreamFormat::Lines,
            _ if essence.starts_with("text/") => StreamFormat::Lines,
            _ => StreamFormat::Bytes,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StreamFormat::EventStream => "Server-Sent Events",
            StreamFormat::Lines => "lines",
            StreamFormat::Bytes => "raw bytes",
        }
    }
}

/// Whether the lab reads a response chunk by chunk: when the person asked to ("Show as it
/// arrives"), when its content type is a stream (`text/event-stream`, NDJSON), or when it comes
/// from a streaming endpoint of Wirelab's server (`/drip`, `/stream/{n}`, `/sse`).
pub fn reads_as_it_arrives(asked: bool, url: &str, content_type: &str) -> bool {
    let streamed_type = matches!(
        content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase().as_str(),
        "text/event-stream" | "application/x-ndjson"
    );
    let path = url::Url::parse(url).map(|url| url.path().to_string()).unwrap_or_default();
    let streaming_endpoint = path == "/drip" || path == "/sse" || path.starts_with("/stream/");
    asked || streamed_type || streaming_endpoint
}

/// One piece of the body as the browser handed it over.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// 1 for the first chunk.
    pub number: u64,
    /// Milliseconds from sending the request to this chunk's arrival.
    pub at_ms: f64,
    pub size: usize,
    /// Body bytes so far, this chunk included.
    pub cumulative: u64,
    /// The chunk's first [`CHUNK_PREVIEW_BYTES`] bytes.
    pub preview: Vec<u8>,
}

impl Chunk {
    pub fn preview_is_cut(&self) -> bool {
        self.preview.len() < self.size
    }

    /// The kept bytes for a table cell: text when they are UTF-8 (a character cut by the end of
    /// the chunk or the preview is fine) without control characters other than line ends and
    /// tabs, with line ends shown as `\n` and `\r`; otherwise hex pairs.
    pub fn shown(&self) -> ChunkText {
        let text = match std::str::from_utf8(&self.preview) {
            Ok(text) => Some(text),
            Err(error) if error.error_len().is_none() => std::str::from_utf8(&self.preview[..error.valid_up_to()]).ok(),
            Err(_) => None,
        };
        match text.filter(|text| !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))) {
            Some(text) => ChunkText::Text(text.replace('\r', "\\r").replace('\n', "\\n")),
            None => ChunkText::Hex(self.preview.iter().map(|byte| format!("{byte:02x}")).collect::<Vec<_>>().join(" ")),
        }
    }
}

/// A chunk's bytes as a table shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkText {
    Text(String),
    Hex(String),
}

/// One complete line of a [`StreamFormat::Lines`] body (its line end removed).
#[derive(Clone, Debug, PartialEq)]
pub struct StreamLine {
    /// 1 for the first line.
    pub number: u64,
    /// When the chunk that completed it arrived.
    pub at_ms: f64,
    pub text: String,
}

/// How the stream ended, once it has.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEnd {
    /// Every byte arrived.
    Complete,
    /// It stopped early: cancelled, timed out or broken (the reason, in words).
    Cut(String),
}

/// A body read as it arrives; see the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamLog {
    pub format: StreamFormat,
    pub status: u16,
    pub content_type: String,
    /// Milliseconds from sending to the response head.
    pub headers_at_ms: f64,
    /// The newest [`MAX_KEPT`] chunks.
    pub chunks: VecDeque<Chunk>,
    pub chunk_count: u64,
    pub total_bytes: u64,
    /// When the first chunk arrived (kept when it is no longer in `chunks`).
    pub first_chunk_ms: Option<f64>,
    /// The newest [`MAX_KEPT`] complete lines ([`StreamFormat::Lines`]).
    pub lines: VecDeque<StreamLine>,
    pub line_count: u64,
    /// The newest [`MAX_KEPT`] Server-Sent Events blocks ([`StreamFormat::EventStream`]).
    pub events: VecDeque<SseBlock>,
    pub event_count: u64,
    /// When the last byte arrived and how the stream ended; `None` while it runs.
    pub ended: Option<(f64, StreamEnd)>,
    sse: SseParser,
    partial_line: Vec<u8>,
}

/// Appends to a capped log, dropping the oldest.
fn push_capped<T>(log: &mut VecDeque<T>, item: T) {
    if log.len() == MAX_KEPT {
        log.pop_front();
    }
    log.push_back(item);
}

impl StreamLog {
    pub fn new(format: StreamFormat, status: u16, content_type: &str, headers_at_ms: f64) -> StreamLog {
        StreamLog {
            format,
            status,
            content_type: content_type.to_string(),
            headers_at_ms,
            chunks: VecDeque::new(),
            chunk_count: 0,
            total_bytes: 0,
            first_chunk_ms: None,
            lines: VecDeque::new(),
            line_count: 0,
            events: VecDeque::new(),
            event_count: 0,
            ended: None,
            sse: SseParser::new(),
            partial_line: Vec::new(),
        }
    }

    /// Records a chunk of `bytes` that arrived `at_ms` after sending.
    pub fn push(&mut self, at_ms: f64, bytes: &[u8]) {
        if self.ended.is_some() {
            return;
        }
        self.chunk_count += 1;
        self.first_chunk_ms.get_or_insert(at_ms);
        self.total_bytes += bytes.len() as u64;
        let preview = bytes[..bytes.len().min(CHUNK_PREVIEW_BYTES)].to_vec();
        let chunk = Chunk { number: self.chunk_count, at_ms, size: bytes.len(), cumulative: self.total_bytes, preview };
        push_capped(&mut self.chunks, chunk);
        match self.format {
            StreamFormat::EventStream => {
                for block in self.sse.feed(bytes, at_ms) {
                    self.event_count += 1;
                    push_capped(&mut self.events, block);
                }
            }
            StreamFormat::Lines => {
                for &byte in bytes {
                    if byte == b'\n' {
                        let line = std::mem::take(&mut self.partial_line);
                        self.push_line(at_ms, &line);
                    } else {
                        self.partial_line.push(byte);
                    }
                }
            }
            StreamFormat::Bytes => {}
        }
    }

    fn push_line(&mut self, at_ms: f64, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        self.line_count += 1;
        let text = String::from_utf8_lossy(line).into_owned();
        push_capped(&mut self.lines, StreamLine { number: self.line_count, at_ms, text });
    }

    /// The stream ended `at_ms` after sending (`how`). A last line without its line end counts
    /// as a line; an unfinished SSE block is dropped, as an EventSource drops it.
    pub fn end(&mut self, at_ms: f64, how: StreamEnd) {
        if self.ended.is_some() {
            return;
        }
        if !self.partial_line.is_empty() {
            let line = std::mem::take(&mut self.partial_line);
            self.push_line(at_ms, &line);
        }
        self.ended = Some((at_ms, how));
    }

    /// The reconnection delay the stream set with `retry` ([`StreamFormat::EventStream`]).
    pub fn retry_ms(&self) -> Option<u64> {
        self.sse.retry_ms()
    }

    /// The stream's last event id ([`StreamFormat::EventStream`]).
    pub fn last_event_id(&self) -> &str {
        self.sse.last_event_id()
    }

    /// Milliseconds from sending to the first and to the last chunk, once one arrived.
    pub fn chunk_span_ms(&self) -> Option<(f64, f64)> {
        Some((self.first_chunk_ms?, self.chunks.back()?.at_ms))
    }
}
