//! Lines cut from a TCP stream: bytes arrive in chunks of any size (a line split across two, or
//! three lines in one), so what has no line feed yet waits for the next chunk. Both sides of a
//! conversation are read this way: the peer's replies and the commands the person sent.

/// Longest line kept whole; a longer one is cut there (SMTP allows 512 bytes for a command
/// line and 1000 for a text line, so this only stops a peer that never ends its line).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One line, without its line ending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line's bytes, without CR LF (or LF).
    pub bytes: Vec<u8>,
    /// It ended with LF alone, not the CR LF these protocols require.
    pub bare_lf: bool,
    /// It was cut at [`MAX_LINE_BYTES`] (no line feed came in time).
    pub cut: bool,
    /// The transcript entry where the line began, and the one where it ended.
    pub first_chunk: u64,
    pub last_chunk: u64,
}

impl Line {
    /// The line as text (bytes that are not UTF-8 become `�`).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Cuts a stream into lines, keeping an unfinished line for the next chunk.
#[derive(Clone, Debug, Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
    first_chunk: Option<u64>,
}

impl LineSplitter {
    /// The lines `bytes` (from transcript entry `chunk_id`) completes.
    pub fn push(&mut self, bytes: &[u8], chunk_id: u64) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            self.first_chunk.get_or_insert(chunk_id);
            let room = MAX_LINE_BYTES.saturating_sub(self.pending.len());
            match rest.iter().take(room + 1).position(|&byte| byte == b'\n') {
                Some(newline) => {
                    self.pending.extend_from_slice(&rest[..newline]);
                    rest = &rest[newline + 1..];
                    let bare_lf = self.pending.last() != Some(&b'\r');
                    if !bare_lf {
                        self.pending.pop();
                    }
                    lines.push(self.take(chunk_id, bare_lf, false));
                }
                None if rest.len() > room => {
                    self.pending.extend_from_slice(&rest[..room]);
                    rest = &rest[room..];
                    lines.push(self.take(chunk_id, false, true));
                }
                None => {
                    self.pending.extend_from_slice(rest);
                    rest = &[];
                }
            }
        }
        lines
    }

    /// The unfinished line, when the stream ends.
    pub fn finish(&mut self, chunk_id: u64) -> Option<Line> {
        (!self.pending.is_empty()).then(|| self.take(chunk_id, false, false))
    }

    /// Whether part of a line is waiting for its end.
    pub fn has_partial_line(&self) -> bool {
        !self.pending.is_empty()
    }

    fn take(&mut self, chunk_id: u64, bare_lf: bool, cut: bool) -> Line {
        let first_chunk = self.first_chunk.take().unwrap_or(chunk_id);
        Line { bytes: std::mem::take(&mut self.pending), bare_lf, cut, first_chunk, last_chunk: chunk_id }
    }
}
