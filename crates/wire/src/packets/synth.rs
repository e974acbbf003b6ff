//! A session the server saw as a byte stream (or as datagrams) put back into packets, so
//! Wireshark and tshark read it as if it had been captured: the payloads are the real bytes at
//! their real times, and the Ethernet, IP and TCP/UDP headers around them are synthesized with
//! etherparse's `PacketBuilder` (lengths and checksums computed).
//!
//! A TCP session becomes: the three-way handshake (SYN with an MSS option, SYN-ACK, ACK) at the
//! session's opening time; each write cut into segments of at most [`mss`] bytes, the last one
//! with PSH, each carrying the right sequence and acknowledgment numbers; a pure ACK from the
//! receiver after each write (and after every [`ACK_EVERY_SEGMENTS`] segments of a long one, so
//! the bytes in flight stay well inside the fixed [`WINDOW`]); FIN (acknowledged by the other
//! side) or RST at the end, as they happened. A session recorded only in part (no FIN yet)
//! simply stops. UDP datagrams become one packet each.
//!
//! What is not real: the MAC addresses (locally administered, [`CLIENT_MAC`] and [`SERVER_MAC`]),
//! the initial sequence numbers ([`CLIENT_ISN`], [`SERVER_ISN`]: Wireshark shows relative
//! numbers anyway), the window, the IP identification (0), the TTL (64), and the ACKs' timing
//! (each has its data's timestamp). Packets never go back in time: an event stamped before the
//! previous one takes the previous one's time.

use std::net::{IpAddr, SocketAddr};

use url::Url;

use etherparse::{PacketBuilder, PacketBuilderStep, TcpHeader, TcpOptionElement};

use super::pcap_writer::{TimedPacket, write_ethernet_pcap};

/// The client's MAC address in synthesized frames (locally administered, unicast).
pub const CLIENT_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
/// The server's MAC address in synthesized frames.
pub const SERVER_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
/// The client's initial sequence number.
pub const CLIENT_ISN: u32 = 0x1000_0000;
/// The server's initial sequence number.
pub const SERVER_ISN: u32 = 0x5000_0000;
/// The receive window both sides advertise (no window scaling).
pub const WINDOW: u16 = 65_535;
/// During a long write, the receiver acknowledges after this many segments (about 23 KiB over
/// IPv4), so the bytes in flight never approach [`WINDOW`].
pub const ACK_EVERY_SEGMENTS: usize = 16;
/// The TTL (IPv4) or hop limit (IPv6) of every packet.
const HOP_LIMIT: u8 = 64;

/// The largest TCP payload per segment: a 1500-byte Ethernet MTU minus the IP and TCP headers
/// (1460 over IPv4, 1440 over IPv6).
pub fn mss(server: IpAddr) -> usize {
    match server {
        IpAddr::V4(_) => 1460,
        IpAddr::V6(_) => 1440,
    }
}

/// Which end of a session: the one that opened it, or the one it was opened to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// One thing that happened on a TCP connection after it opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpEvent<'a> {
    /// One write's bytes, from one side (empty writes are left out).
    Data { at_us: u64, from: Side, bytes: &'a [u8] },
    /// That side sent FIN: it writes nothing more.
    Fin { at_us: u64, from: Side },
    /// That side reset the connection; nothing follows.
    Reset { at_us: u64, from: Side },
}

/// A TCP connection as the server saw it: its two ends, when it opened, what happened after.
#[derive(Clone, Copy, Debug)]
pub struct TcpSession<'a> {
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// When the connection opened (the handshake's three packets carry this time), microseconds
    /// since the Unix epoch.
    pub opened_at_us: u64,
    pub events: &'a [TcpEvent<'a>],
}

/// One UDP datagram, from one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Datagram<'a> {
    pub at_us: u64,
    pub from: Side,
    pub bytes: &'a [u8],
}

/// Both ends' addresses in one IP family: an IPv4 end beside an IPv6 one is written as its
/// IPv4-mapped IPv6 address.
#[derive(Clone, Copy, Debug)]
struct Ends {
    client: SocketAddr,
    server: SocketAddr,
}

impl Ends {
    fn new(client: SocketAddr, server: SocketAddr) -> Ends {
        let (client_ip, server_ip) = match (client.ip(), server.ip()) {
            (IpAddr::V4(c), IpAddr::V6(s)) => (IpAddr::V6(c.to_ipv6_mapped()), IpAddr::V6(s)),
            (IpAddr::V6(c), IpAddr::V4(s)) => (IpAddr::V6(c), IpAddr::V6(s.to_ipv6_mapped())),
            same => same,
        };
        Ends { client: SocketAddr::new(client_ip, client.port()), server: SocketAddr::new(server_ip, server.port()) }
    }

    /// The sender's and receiver's addresses and MACs, for a packet from `from`.
    fn from(&self, from: Side) -> ((SocketAddr, [u8; 6]), (SocketAddr, [u8; 6])) {
        let client = (self.client, CLIENT_MAC);
        let server = (self.server, SERVER_MAC);
        match from {
            Side::Client => (client, server),
            Side::Server => (server, client),
        }
    }

    /// Ethernet and IP headers for a packet from `from`.
    fn ip(&self, from: Side) -> (PacketBuilderStep<etherparse::IpHeaders>, u16, u16) {
        let ((source, source_mac), (destination, destination_mac)) = self.from(from);
        let ethernet = PacketBuilder::ethernet2(source_mac, destination_mac);
        let ip = match (source.ip(), destination.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => ethernet.ipv4(s.octets(), d.octets(), HOP_LIMIT),
            (s, d) => ethernet.ipv6(v6_octets(s), v6_octets(d), HOP_LIMIT),
        };
        (ip, source.port(), destination.port())
    }
}

fn v6_octets(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// The TCP flags of one synthesized segment.
#[derive(Clone, Copy, Default)]
struct Flags {
    syn: bool,
    ack: bool,
    psh: bool,
    fin: bool,
    rst: bool,
}

/// Builds a session's packets in order, keeping each side's next sequence number.
struct TcpWriter {
    ends: Ends,
    mss: usize,
    /// Next sequence number of the client and of the server.
    next: [u32; 2],
    last_at_us: u64,
    packets: Vec<TimedPacket>,
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

impl TcpWriter {
    fn segment(&mut self, at_us: u64, from: Side, flags: Flags, payload: &[u8]) {
        let at_us = at_us.max(self.last_at_us);
        self.last_at_us = at_us;
        let (ip, source_port, destination_port) = self.ends.ip(from);
        let mut header = TcpHeader::new(source_port, destination_port, self.next[index(from)], WINDOW);
        header.syn = flags.syn;
        header.psh = flags.psh;
        header.fin = flags.fin;
        header.rst = flags.rst;
        if flags.ack {
            header.ack = true;
            header.acknowledgment_number = self.next[index(from.other())];
        }
        if flags.syn {
            let mss = u16::try_from(self.mss).unwrap_or(u16::MAX);
            // Two options of fixed size always fit in the header's 40 bytes of options.
            let _ = header.set_options(&[TcpOptionElement::MaximumSegmentSize(mss)]);
        }
        let builder = ip.tcp_header(header);
        let mut bytes = Vec::with_capacity(builder.size(payload.len()));
        // Writing into a Vec fails only for a payload too large for one IP packet, which a
        // segment of at most the MSS never is.
        if builder.write(&mut bytes, payload).is_ok() {
            self.packets.push(TimedPacket { at_us, bytes });
        }
        let consumed = payload.len() + usize::from(flags.syn) + usize::from(flags.fin);
        let next = &mut self.next[index(from)];
        *next = next.wrapping_add(u32::try_from(consumed).unwrap_or(u32::MAX));
    }

    fn pure_ack(&mut self, at_us: u64, from: Side) {
        self.segment(at_us, from, Flags { ack: true, ..Flags::default() }, &[]);
    }
}

/// The session's packets: handshake, segments and ACKs, and its end, as Ethernet frames.
pub fn tcp_packets(session: &TcpSession<'_>) -> Vec<TimedPacket> {
    let ends = Ends::new(session.client, session.server);
    let mut writer = TcpWriter {
        ends,
        mss: mss(ends.server.ip()),
        next: [CLIENT_ISN, SERVER_ISN],
        last_at_us: session.opened_at_us,
        packets: Vec::new(),
    };
    let opened = session.opened_at_us;
    writer.segment(opened, Side::Client, Flags { syn: true, ..Flags::default() }, &[]);
    writer.segment(opened, Side::Server, Flags { syn: true, ack: true, ..Flags::default() }, &[]);
    writer.pure_ack(opened, Side::Client);
    let mut finished = [false; 2];
    for event in session.events {
        match *event {
            TcpEvent::Data { at_us, from, bytes } => {
                if bytes.is_empty() || finished[index(from)] {
                    continue;
                }
                let segments = bytes.len().div_ceil(writer.mss);
                for (number, piece) in bytes.chunks(writer.mss).enumerate() {
                    let last = number + 1 == segments;
                    writer.segment(at_us, from, Flags { ack: true, psh: last, ..Flags::default() }, piece);
                    if last || (number + 1) % ACK_EVERY_SEGMENTS == 0 {
                        writer.pure_ack(at_us, from.other());
                    }
                }
            }
            TcpEvent::Fin { at_us, from } => {
                if finished[index(from)] {
                    continue;
                }
                finished[index(from)] = true;
                writer.segment(at_us, from, Flags { fin: true, ack: true, ..Flags::default() }, &[]);
                writer.pure_ack(at_us, from.other());
            }
            TcpEvent::Reset { at_us, from } => {
                writer.segment(at_us, from, Flags { rst: true, ack: true, ..Flags::default() }, &[]);
                break;
            }
        }
    }
    writer.packets
}

/// The datagrams as UDP packets between `client` and `server`.
pub fn udp_packets(client: SocketAddr, server: SocketAddr, datagrams: &[Datagram<'_>]) -> Vec<TimedPacket> {
    let ends = Ends::new(client, server);
    let mut last_at_us = 0;
    let mut packets = Vec::with_capacity(datagrams.len());
    for datagram in datagrams {
        let at_us = datagram.at_us.max(last_at_us);
        last_at_us = at_us;
        let (ip, source_port, destination_port) = ends.ip(datagram.from);
        let builder = ip.udp(source_port, destination_port);
        let mut bytes = Vec::with_capacity(builder.size(datagram.bytes.len()));
        // Only a datagram too large for one IP packet fails, and it is left out.
        if builder.write(&mut bytes, datagram.bytes).is_ok() {
            packets.push(TimedPacket { at_us, bytes });
        }
    }
    packets
}

/// [`tcp_packets`] as a `.pcap` file.
pub fn tcp_pcap(session: &TcpSession<'_>) -> Vec<u8> {
    write_ethernet_pcap(&tcp_packets(session))
}

/// [`udp_packets`] as a `.pcap` file.
pub fn udp_pcap(client: SocketAddr, server: SocketAddr, datagrams: &[Datagram<'_>]) -> Vec<u8> {
    write_ethernet_pcap(&udp_packets(client, server, datagrams))
}

/// Where the server that `socket_url` (`ws://`, `wss://`, `http://` or `https://`) points at
/// serves the capture `id`: `http://HOST/api/captures/{id}.pcap` (`https:` for `wss:`). `None`
/// for a URL that is none of these, or an id that is not a plain name.
pub fn capture_url(socket_url: &str, id: &str) -> Option<String> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let url = Url::parse(socket_url).ok()?;
    let scheme = match url.scheme() {
        "ws" | "http" => "http",
        "wss" | "https" => "https",
        _ => return None,
    };
    // `host_str` keeps an IPv6 address in its brackets.
    let host = url.host_str()?;
    let port = url.port().map(|port| format!(":{port}")).unwrap_or_default();
    Some(format!("{scheme}://{host}{port}/api/captures/{id}.pcap"))
}
