//! Capture files read into a packet list: [`file`] reads the records (pcap and pcapng, with
//! `pcap-file`), [`summary`] makes each row's columns as Wireshark's packet list shows them.
//! [`read_all`] does both in one pass; a page reads in batches with [`CaptureReading`] instead,
//! so the first rows show at once and no task runs long.

pub mod file;
pub mod summary;

pub use file::{FileKind, FileReader, Record};
pub use summary::{PacketRow, StreamKey, Summarizer, sliced, stream_key};

use crate::diagnostic::Diagnostic;

/// A capture being read: the file's reader and the rows' state, advanced a batch at a time.
pub struct CaptureReading {
    pub reader: FileReader,
    pub summarizer: Summarizer,
}

impl CaptureReading {
    pub fn open(bytes: &[u8]) -> Result<CaptureReading, Diagnostic> {
        Ok(CaptureReading { reader: FileReader::open(bytes)?, summarizer: Summarizer::new() })
    }

    /// The rows of up to `max` more packets.
    pub fn next_rows(&mut self, bytes: &[u8], max: usize) -> Vec<PacketRow> {
        let records = self.reader.next_batch(bytes, max);
        records.iter().map(|record| self.summarizer.row(record, record.bytes(bytes))).collect()
    }

    pub fn is_done(&self) -> bool {
        self.reader.is_done()
    }
}

/// A whole capture read at once: its kind, every row, and why reading stopped early, if it did.
#[derive(Clone, Debug, PartialEq)]
pub struct Capture {
    pub kind: FileKind,
    pub rows: Vec<PacketRow>,
    pub problem: Option<Diagnostic>,
}

/// Reads every packet of `bytes` (an error only when the file header is not a capture's).
pub fn read_all(bytes: &[u8]) -> Result<Capture, Diagnostic> {
    let mut reading = CaptureReading::open(bytes)?;
    let mut rows = Vec::new();
    while !reading.is_done() {
        rows.extend(reading.next_rows(bytes, 4096));
    }
    Ok(Capture { kind: reading.reader.kind, rows, problem: reading.reader.problem })
}
