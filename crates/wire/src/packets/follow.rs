//! "Follow TCP stream", as Wireshark does it: one conversation's payloads in both directions put
//! back in order by sequence number, as chunks in the order they became readable, each saying
//! which way it went. Segments that arrive early wait for the ones before them; retransmitted
//! bytes are dropped once; a segment that overlaps what was already delivered gives only its new
//! bytes; bytes never captured become a gap chunk that says how many are missing.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::capture::{PacketRow, stream_key};

/// Which way a chunk went: from the client (who sent the first segment seen: the SYN, when the
/// capture holds the handshake) or from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    ClientToServer,
    ServerToClient,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::ClientToServer => 0,
            Direction::ServerToClient => 1,
        }
    }
}

/// A run of bytes of one direction, in order, or a hole where bytes were never captured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    pub direction: Direction,
    /// The packet (its number in the capture) whose arrival made these bytes readable.
    pub packet: u32,
    pub content: ChunkContent,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChunkContent {
    Bytes(Vec<u8>),
    /// This many bytes of the direction were never captured.
    Missing(u64),
}

/// One TCP segment of the conversation as the follower needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    pub packet: u32,
    pub from: (IpAddr, u16),
    pub to: (IpAddr, u16),
    pub seq: u32,
    pub syn: bool,
    pub fin: bool,
    pub payload: &'a [u8],
}

/// A followed conversation: its ends, the chunks, and what reassembly had to deal with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowedStream {
    pub client: Option<(IpAddr, u16)>,
    pub server: Option<(IpAddr, u16)>,
    pub chunks: Vec<Chunk>,
    /// Bytes delivered each way: [client to server, server to client].
    pub bytes: [u64; 2],
    /// Segments whose bytes had all been delivered already.
    pub retransmissions: u32,
    /// Segments that repeated some delivered bytes and brought new ones.
    pub overlaps: u32,
    /// Segments that arrived before bytes that come ahead of them.
    pub out_of_order: u32,
    /// Holes left at the end, and the bytes they miss.
    pub gaps: u32,
    pub missing_bytes: u64,
}

impl FollowedStream {
    /// `client 10.0.0.1:51234 → server 10.0.0.2:80: 120 bytes sent, 512 received; 1 retransmission, 1 gap (40 bytes)`.
    pub fn summary(&self) -> String {
        let end = |end: Option<(IpAddr, u16)>| end.map_or("?".to_string(), |(ip, port)| socket_text(ip, port));
        let mut text = format!(
            "{} → {}: {} bytes sent, {} received",
            end(self.client),
            end(self.server),
            self.bytes[0],
            self.bytes[1]
        );
        let mut notes = Vec::new();
        for (count, word) in [
            (self.retransmissions, "retransmission"),
            (self.overlaps, "overlap"),
            (self.out_of_order, "segment out of order"),
        ] {
            if count > 0 {
                notes.push(format!("{count} {}", plural(word, count)));
            }
        }
        if self.gaps > 0 {
            notes.push(format!("{} {} ({} bytes missing)", self.gaps, plural("gap", self.gaps), self.missing_bytes));
        }
        if !notes.is_empty() {
            text.push_str("; ");
            text.push_str(&notes.join(", "));
        }
        text
    }
}

fn plural(word: &str, count: u32) -> String {
    match (count, word) {
        (1, _) => word.to_string(),
        (_, "segment out of order") => "segments out of order".to_string(),
        _ => format!("{word}s"),
    }
}

/// `10.0.0.1:80`, `[::1]:80`.
pub fn socket_text(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(ip) => format!("{ip}:{port}"),
        IpAddr::V6(ip) => format!("[{ip}]:{port}"),
    }
}

/// One direction's reassembly: the next byte expected (relative to the first sequence number)
/// and the segments that came early, by where they start.
#[derive(Default)]
struct Side {
    base: Option<u32>,
    next: u64,
    waiting: BTreeMap<u64, (u32, Vec<u8>)>,
}

impl Side {
    fn relative(&self, seq: u32) -> u64 {
        u64::from(seq.wrapping_sub(self.base.unwrap_or(seq)))
    }
}

/// Reassembles `segments` (one conversation, in capture order).
pub fn follow<'a>(segments: impl IntoIterator<Item = Segment<'a>>) -> FollowedStream {
    let mut stream = FollowedStream::default();
    let mut sides: [Side; 2] = Default::default();
    for segment in segments {
        if stream.client.is_none() {
            // The first sender is the client (the SYN's sender when the capture holds the handshake).
            stream.client = Some(segment.from);
            stream.server = Some(segment.to);
        }
        let direction =
            if Some(segment.from) == stream.client { Direction::ClientToServer } else { Direction::ServerToClient };
        let side = &mut sides[direction.index()];
        if segment.syn {
            // The SYN takes one sequence number; data starts after it.
            side.base = Some(segment.seq.wrapping_add(1));
            side.next = 0;
            side.waiting.clear();
            continue;
        }
        if side.base.is_none() {
            side.base = Some(segment.seq);
        }
        if segment.payload.is_empty() {
            continue;
        }
        let start = side.relative(segment.seq);
        // Sequence numbers before the base (a retransmission seen after a later first segment) wrap high.
        let start = if start > u64::from(u32::MAX / 2) { 0 } else { start };
        let end = start + segment.payload.len() as u64;
        if end <= side.next {
            stream.retransmissions += 1;
            continue;
        }
        if start > side.next {
            stream.out_of_order += 1;
            let entry = side.waiting.entry(start).or_insert((segment.packet, Vec::new()));
            if segment.payload.len() > entry.1.len() {
                *entry = (segment.packet, segment.payload.to_vec());
            }
            continue;
        }
        if start < side.next {
            stream.overlaps += 1;
        }
        let fresh = &segment.payload[(side.next - start) as usize..];
        deliver(&mut stream, direction, segment.packet, fresh.to_vec());
        let side = &mut sides[direction.index()];
        side.next = end;
        drain_ready(&mut stream, side, direction, segment.packet);
    }
    // What still waits sits after holes that were never filled.
    for (index, direction) in [Direction::ClientToServer, Direction::ServerToClient].into_iter().enumerate() {
        let side = &mut sides[index];
        while let Some((start, (packet, bytes))) = side.waiting.pop_first() {
            let end = start + bytes.len() as u64;
            if end <= side.next {
                continue;
            }
            if start > side.next {
                let missing = start - side.next;
                stream.gaps += 1;
                stream.missing_bytes += missing;
                stream.chunks.push(Chunk { direction, packet, content: ChunkContent::Missing(missing) });
                side.next = start;
            }
            let fresh = bytes[(side.next - start) as usize..].to_vec();
            deliver(&mut stream, direction, packet, fresh);
            side.next = end;
        }
    }
    stream
}

/// Delivers the waiting segments that now follow on.
fn drain_ready(stream: &mut FollowedStream, side: &mut Side, direction: Direction, packet: u32) {
    while let Some((&start, _)) = side.waiting.first_key_value() {
        if start > side.next {
            break;
        }
        let Some((start, (_, bytes))) = side.waiting.pop_first() else { break };
        let end = start + bytes.len() as u64;
        if end <= side.next {
            continue;
        }
        deliver(stream, direction, packet, bytes[(side.next - start) as usize..].to_vec());
        side.next = end;
    }
}

/// Adds bytes to the last chunk when it goes the same way, else starts a chunk.
fn deliver(stream: &mut FollowedStream, direction: Direction, packet: u32, bytes: Vec<u8>) {
    if bytes.is_empty() {
        return;
    }
    stream.bytes[direction.index()] += bytes.len() as u64;
    if let Some(Chunk { direction: last, content: ChunkContent::Bytes(held), .. }) = stream.chunks.last_mut()
        && *last == direction
    {
        held.extend_from_slice(&bytes);
        return;
    }
    stream.chunks.push(Chunk { direction, packet, content: ChunkContent::Bytes(bytes) });
}

/// The segments of TCP stream `stream` among `rows` of the capture `file`, in capture order.
pub fn segments_of<'f>(file: &'f [u8], rows: &[PacketRow], stream: u32) -> Vec<Segment<'f>> {
    rows.iter()
        .filter(|row| row.tcp_stream == Some(stream))
        .filter_map(|row| segment_of(row.number, row.record.data_link(), row.record.bytes(file)))
        .collect()
}

/// Follows TCP stream `stream` of a capture.
pub fn follow_capture(file: &[u8], rows: &[PacketRow], stream: u32) -> FollowedStream {
    follow(segments_of(file, rows, stream))
}

/// The TCP segment inside one frame, if it holds one.
pub fn segment_of(packet: u32, link: pcap_file::DataLink, frame: &[u8]) -> Option<Segment<'_>> {
    use etherparse::{LaxNetSlice, TransportSlice};
    let sliced = super::capture::summary::sliced(link, frame)?;
    let (source, destination) = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            (IpAddr::from(ip.header().source_addr()), IpAddr::from(ip.header().destination_addr()))
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            (IpAddr::from(ip.header().source_addr()), IpAddr::from(ip.header().destination_addr()))
        }
        _ => return None,
    };
    let Some(TransportSlice::Tcp(tcp)) = &sliced.transport else { return None };
    Some(Segment {
        packet,
        from: (source, tcp.source_port()),
        to: (destination, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        fin: tcp.fin(),
        payload: tcp.payload(),
    })
}

/// Whether two segments belong to the same conversation.
pub fn same_conversation(a: &Segment, b: &Segment) -> bool {
    stream_key(a.from, a.to).0 == stream_key(b.from, b.to).0
}
