//! The capture file itself: which format its first bytes say, and its packet records read one
//! slice at a time with the `pcap-file` crate (`.pcap` in both byte orders with microsecond or
//! nanosecond times; `.pcapng` sections, interfaces with their `if_tsresol`, enhanced, simple and
//! obsolete packet blocks, other blocks skipped). A record points into the file's bytes rather
//! than copying them. Where the file breaks, reading stops with a [`Diagnostic`] at that byte and
//! the records before it stay.

use pcap_file::DataLink;
use pcap_file::PcapError;
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgParser};
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

/// Which kind of capture file the bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    /// Classic libpcap: byte order and time resolution from the magic number.
    Pcap { big_endian: bool, nanoseconds: bool },
    /// pcapng (sections, interfaces, blocks).
    PcapNg,
}

impl FileKind {
    /// The kind `bytes` open with, by their magic number; `None` when they are no capture file.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        let magic: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
        match magic {
            [0xd4, 0xc3, 0xb2, 0xa1] => Some(FileKind::Pcap { big_endian: false, nanoseconds: false }),
            [0xa1, 0xb2, 0xc3, 0xd4] => Some(FileKind::Pcap { big_endian: true, nanoseconds: false }),
            [0x4d, 0x3c, 0xb2, 0xa1] => Some(FileKind::Pcap { big_endian: false, nanoseconds: true }),
            [0xa1, 0xb2, 0x3c, 0x4d] => Some(FileKind::Pcap { big_endian: true, nanoseconds: true }),
            [0x0a, 0x0d, 0x0d, 0x0a] => Some(FileKind::PcapNg),
            _ => None,
        }
    }

    /// `pcap (little-endian, microseconds)`, `pcapng`.
    pub fn describe(self) -> String {
        match self {
            FileKind::Pcap { big_endian, nanoseconds } => format!(
                "pcap ({}, {})",
                if big_endian { "big-endian" } else { "little-endian" },
                if nanoseconds { "nanoseconds" } else { "microseconds" }
            ),
            FileKind::PcapNg => "pcapng".to_string(),
        }
    }
}

/// One packet of the file: when, on which link type, and where its bytes are in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Nanoseconds since the Unix epoch.
    pub at_ns: u64,
    /// The link type (`DataLink` as its number), per interface in pcapng.
    pub link: u32,
    /// Where the captured bytes start in the file, and how many there are.
    pub offset: usize,
    pub captured: usize,
    /// The packet's length on the wire (more than `captured` when the capture cut it).
    pub original: u32,
}

impl Record {
    pub fn data_link(&self) -> DataLink {
        DataLink::from(self.link)
    }

    /// The packet's captured bytes in `file` (empty if `file` is not the file it came from).
    pub fn bytes<'f>(&self, file: &'f [u8]) -> &'f [u8] {
        file.get(self.offset..self.offset + self.captured).unwrap_or(&[])
    }
}

/// An interface of a pcapng section: its link type and how to turn its time units into ns.
struct Interface {
    link: u32,
    /// Units per second of its timestamps (10^6 unless `if_tsresol` says otherwise).
    units_per_second: u64,
    offset_seconds: u64,
}

enum Parser {
    Pcap { parser: PcapParser, link: u32 },
    PcapNg { parser: PcapNgParser, interfaces: Vec<Interface> },
}

/// Reads a capture file's records a batch at a time, so a page can show the first rows and
/// read the rest between frames. Everything is kept as offsets: the reader borrows nothing.
pub struct FileReader {
    pub kind: FileKind,
    parser: Option<Parser>,
    /// Where the next record starts.
    position: usize,
    /// Why reading stopped early, with the byte where it did.
    pub problem: Option<Diagnostic>,
    /// Blocks of kinds that carry no packets (name resolution, statistics, unknown), passed over.
    pub skipped_blocks: usize,
}

impl FileReader {
    /// Opens `bytes` as a capture file: an error when the header is not one.
    pub fn open(bytes: &[u8]) -> Result<FileReader, Diagnostic> {
        let Some(kind) = FileKind::sniff(bytes) else {
            return Err(Diagnostic::at_offset(0, "not a capture file: no pcap or pcapng magic number at the start"));
        };
        let (rest, parser) = match kind {
            FileKind::Pcap { .. } => {
                let (rest, parser) =
                    PcapParser::new(bytes).map_err(|error| header_problem(error, "pcap file header"))?;
                let link = u32::from(parser.header().datalink);
                (rest, Parser::Pcap { parser, link })
            }
            FileKind::PcapNg => {
                let (rest, parser) =
                    PcapNgParser::new(bytes).map_err(|error| header_problem(error, "pcapng section header block"))?;
                (rest, Parser::PcapNg { parser, interfaces: Vec::new() })
            }
        };
        Ok(FileReader {
            kind,
            parser: Some(parser),
            position: bytes.len() - rest.len(),
            problem: None,
            skipped_blocks: 0,
        })
    }

    /// Whether every record has been read (or reading stopped at a problem).
    pub fn is_done(&self) -> bool {
        self.parser.is_none()
    }

    /// How far into the file reading has come.
    pub fn position(&self) -> usize {
        self.position
    }

    /// Reads up to `max` more records of `bytes` (the same file given to [`FileReader::open`]).
    pub fn next_batch(&mut self, bytes: &[u8], max: usize) -> Vec<Record> {
        let mut records = Vec::new();
        while records.len() < max && !self.is_done() {
            if self.position >= bytes.len() {
                self.parser = None;
                break;
            }
            match self.next_record(bytes) {
                Ok(Some(record)) => records.push(record),
                Ok(None) => {}
                Err(problem) => {
                    self.problem = Some(problem);
                    self.parser = None;
                }
            }
        }
        records
    }

    /// The next packet record, `None` for a block that holds no packet.
    fn next_record(&mut self, bytes: &[u8]) -> Result<Option<Record>, Diagnostic> {
        let at = self.position;
        let src = &bytes[at..];
        let base = bytes.as_ptr() as usize;
        let offset_of = |data: &[u8]| data.as_ptr() as usize - base;
        match &mut self.parser {
            None => Ok(None),
            Some(Parser::Pcap { parser, link }) => {
                let (rest, packet) =
                    parser.next_packet(src).map_err(|error| record_problem(error, at, "packet record"))?;
                let captured = packet.data.len();
                let offset = offset_of(&packet.data);
                let record = Record {
                    at_ns: u64::try_from(packet.timestamp.as_nanos()).unwrap_or(u64::MAX),
                    link: *link,
                    offset,
                    captured,
                    original: packet.orig_len,
                };
                self.position = bytes.len() - rest.len();
                Ok(Some(record))
            }
            Some(Parser::PcapNg { parser, interfaces }) => {
                let (rest, block) = parser.next_block(src).map_err(|error| record_problem(error, at, "block"))?;
                self.position = bytes.len() - rest.len();
                match block {
                    Block::SectionHeader(_) => {
                        interfaces.clear();
                        Ok(None)
                    }
                    Block::InterfaceDescription(interface) => {
                        let mut units_per_second = 1_000_000u64;
                        let mut offset_seconds = 0;
                        for option in &interface.options {
                            match option {
                                InterfaceDescriptionOption::IfTsResol(resolution) => {
                                    units_per_second = units_from_tsresol(*resolution);
                                }
                                InterfaceDescriptionOption::IfTsOffset(seconds) => offset_seconds = *seconds,
                                _ => {}
                            }
                        }
                        interfaces.push(Interface {
                            link: u32::from(interface.linktype),
                            units_per_second,
                            offset_seconds,
                        });
                        Ok(None)
                    }
                    Block::EnhancedPacket(packet) => {
                        let interface = interface_of(interfaces, packet.interface_id, at)?;
                        // pcap-file hands the raw 64-bit count as nanoseconds: it is in the interface's units.
                        let units = u64::try_from(packet.timestamp.as_nanos()).unwrap_or(u64::MAX);
                        Ok(Some(interface.record(
                            units,
                            offset_of(&packet.data),
                            packet.data.len(),
                            packet.original_len,
                        )))
                    }
                    Block::Packet(packet) => {
                        let interface = interface_of(interfaces, u32::from(packet.interface_id), at)?;
                        Ok(Some(interface.record(
                            packet.timestamp,
                            offset_of(&packet.data),
                            packet.data.len(),
                            packet.original_len,
                        )))
                    }
                    Block::SimplePacket(packet) => {
                        let interface = interfaces.first().ok_or_else(|| {
                            Diagnostic::at_offset(at, "a simple packet block before any interface description block")
                        })?;
                        Ok(Some(Record {
                            at_ns: 0,
                            link: interface.link,
                            offset: offset_of(&packet.data),
                            captured: packet.data.len().min(packet.original_len as usize),
                            original: packet.original_len,
                        }))
                    }
                    _ => {
                        self.skipped_blocks += 1;
                        Ok(None)
                    }
                }
            }
        }
    }
}

/// The interface a packet block names, or a problem at the block.
fn interface_of(interfaces: &[Interface], id: u32, at: usize) -> Result<&Interface, Diagnostic> {
    interfaces.get(id as usize).ok_or_else(|| {
        Diagnostic::at_offset(at, format!("a packet of interface {id}, which no interface description block declared"))
    })
}

impl Interface {
    /// A packet's record: its time in the interface's units, where its bytes are, its length.
    fn record(&self, units: u64, offset: usize, captured: usize, original: u32) -> Record {
        Record { at_ns: to_nanoseconds(units, self), link: self.link, offset, captured, original }
    }
}

/// `if_tsresol`: 10^-n seconds, or 2^-n when the top bit is set.
fn units_from_tsresol(resolution: u8) -> u64 {
    let exponent = u32::from(resolution & 0x7f);
    if resolution & 0x80 != 0 {
        1u64.checked_shl(exponent).unwrap_or(0)
    } else {
        10u64.checked_pow(exponent).unwrap_or(0)
    }
}

fn to_nanoseconds(units: u64, interface: &Interface) -> u64 {
    let per_second = interface.units_per_second.max(1);
    let seconds = units / per_second + interface.offset_seconds;
    let fraction = u128::from(units % per_second) * 1_000_000_000 / u128::from(per_second);
    seconds.saturating_mul(1_000_000_000).saturating_add(fraction as u64)
}

fn header_problem(error: PcapError, what: &str) -> Diagnostic {
    match error {
        PcapError::IncompleteBuffer => Diagnostic::at_offset(0, format!("the file ends inside its {what}")),
        other => Diagnostic::at_offset(0, format!("a broken {what}: {}", error_words(&other))),
    }
}

fn record_problem(error: PcapError, at: usize, what: &str) -> Diagnostic {
    match error {
        PcapError::IncompleteBuffer => Diagnostic::at_offset(at, format!("the file ends inside a {what} (cut short?)")),
        other => Diagnostic::at_offset(at, format!("a broken {what}: {}", error_words(&other))),
    }
}

fn error_words(error: &PcapError) -> String {
    match error {
        PcapError::InvalidField(field) => (*field).to_string(),
        other => other.to_string(),
    }
}
