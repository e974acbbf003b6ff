//! A checked form built into the bytes of an Ethernet frame: etherparse's header types write
//! each header, the lengths and checksums are worked out over the bytes as written (a field set
//! by hand goes in as set, and the right value is still reported beside it), and every field is
//! mapped to its bytes under the path the form's field names ([`field_path`]).

use etherparse::checksum::Sum16BitWords;
use etherparse::{EtherType, Ethernet2Header, IpNumber, Ipv4Header, TcpHeader, UdpHeader};

use crate::formats::{ByteMap, Path, Role};

use super::form::{CraftField, CraftSpec, TcpSpec, Toggle, Transport, TransportSpec, UdpSpec, format_mac};

pub const ETHERNET_HEADER_LEN: usize = Ethernet2Header::LEN;
pub const IPV4_HEADER_LEN: usize = Ipv4Header::MIN_LEN;
pub const TCP_HEADER_LEN: usize = TcpHeader::MIN_LEN;
pub const UDP_HEADER_LEN: usize = UdpHeader::LEN;

/// The values worked out from the rest of the packet: what each computed field holds when not
/// set by hand, and what a receiver checking it expects when it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Computed {
    pub protocol: u8,
    pub total_length: u16,
    pub ip_checksum: u16,
    /// In 32-bit words: 5, no options.
    pub data_offset: u8,
    pub udp_length: u16,
    /// Over the pseudo-header, the transport header as written and the payload.
    pub transport_checksum: u16,
}

impl Computed {
    /// The computed value of `field` as the form shows it (checksums in hex).
    pub fn text(&self, field: CraftField) -> Option<String> {
        Some(match field {
            CraftField::IpProtocol => self.protocol.to_string(),
            CraftField::IpTotalLength => self.total_length.to_string(),
            CraftField::IpChecksum => format!("0x{:04x}", self.ip_checksum),
            CraftField::TcpDataOffset => self.data_offset.to_string(),
            CraftField::UdpLength => self.udp_length.to_string(),
            CraftField::TcpChecksum | CraftField::UdpChecksum => format!("0x{:04x}", self.transport_checksum),
            _ => return None,
        })
    }
}

/// A built packet: the frame's bytes, each field's bytes, and the computed values.
#[derive(Clone, Debug, PartialEq)]
pub struct Crafted {
    pub transport: Transport,
    pub bytes: Vec<u8>,
    pub map: ByteMap,
    pub computed: Computed,
    /// The fields set by hand to a value other than the computed one.
    pub differs: Vec<CraftField>,
}

/// Where the transport header starts in the frame.
const TRANSPORT_AT: usize = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN;

/// The byte-map path of a form field (`ipv4.ttl`, `udp.source_port`), named as
/// `packets::dissect` names it, so a field lights the same bytes in both maps; fields sharing
/// bytes share a path (DSCP and ECN; IPv4's flags and fragment offset; TCP's data offset and
/// flags).
pub fn field_path(field: CraftField, transport: Transport) -> Path {
    let layer = transport_key(transport);
    let (first, second) = match field {
        CraftField::EthDestination => ("ethernet", "destination"),
        CraftField::EthSource => ("ethernet", "source"),
        CraftField::EtherType => ("ethernet", "ether_type"),
        CraftField::IpDscp | CraftField::IpEcn => ("ipv4", "dsfield"),
        CraftField::IpIdentification => ("ipv4", "identification"),
        CraftField::IpFragmentOffset => ("ipv4", "flags"),
        CraftField::IpTtl => ("ipv4", "ttl"),
        CraftField::IpProtocol => ("ipv4", "protocol"),
        CraftField::IpTotalLength => ("ipv4", "total_length"),
        CraftField::IpChecksum => ("ipv4", "header_checksum"),
        CraftField::IpSource => ("ipv4", "source"),
        CraftField::IpDestination => ("ipv4", "destination"),
        CraftField::SourcePort => (layer, "source_port"),
        CraftField::DestinationPort => (layer, "destination_port"),
        CraftField::TcpSequence => ("tcp", "sequence_number"),
        CraftField::TcpAcknowledgment => ("tcp", "acknowledgment_number"),
        CraftField::TcpDataOffset => ("tcp", "offset_and_flags"),
        CraftField::TcpWindow => ("tcp", "window"),
        CraftField::TcpChecksum => ("tcp", "checksum"),
        CraftField::TcpUrgentPointer => ("tcp", "urgent_pointer"),
        CraftField::UdpLength => ("udp", "length"),
        CraftField::UdpChecksum => ("udp", "checksum"),
        CraftField::Payload => return Path::root().key("payload"),
    };
    Path::root().key(first).key(second)
}

/// The byte-map path of a flag: the bytes that hold it.
pub fn toggle_path(toggle: Toggle) -> Path {
    match toggle {
        Toggle::DontFragment | Toggle::MoreFragments => field_path(CraftField::IpFragmentOffset, Transport::Udp),
        Toggle::CrLf => field_path(CraftField::Payload, Transport::Udp),
        _ => field_path(CraftField::TcpDataOffset, Transport::Tcp),
    }
}

fn transport_key(transport: Transport) -> &'static str {
    match transport {
        Transport::Tcp => "tcp",
        Transport::Udp => "udp",
    }
}

/// The TCP flags set in `flags`, by name (`SYN, ACK`), or `none`.
pub fn tcp_flag_names(flags: u8) -> String {
    let names: Vec<&str> = Toggle::TCP_FLAGS
        .iter()
        .filter(|flag| flag.tcp_bit().is_some_and(|bit| flags & bit != 0))
        .map(|flag| flag.label())
        .collect();
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}

fn ether_type_name(ether_type: u16) -> &'static str {
    match ether_type {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x86dd => "IPv6",
        0x8100 => "802.1Q VLAN tag",
        0x88cc => "LLDP",
        _ if ether_type < 0x0600 => "a length (IEEE 802.3), not a type",
        _ => "not IPv4: receivers will not read what follows as IPv4",
    }
}

fn protocol_name(protocol: u8) -> &'static str {
    match protocol {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        _ => "not the layer that follows",
    }
}

/// Says whether a value was computed or set by hand (and then what it should be).
fn provenance(set: Option<u16>, right: u16, hex: bool) -> String {
    let show = |value: u16| if hex { format!("0x{value:04x}") } else { value.to_string() };
    match set {
        None => format!("{} (computed)", show(right)),
        Some(value) if value == right => format!("{} (set by hand, the computed value)", show(value)),
        Some(value) => format!("{} SET BY HAND; computed: {}", show(value), show(right)),
    }
}

/// The byte map built as the headers are written.
struct Mapper {
    map: ByteMap,
    transport: Transport,
}

impl Mapper {
    fn field(&mut self, offset: usize, len: usize, role: Role, field: CraftField, detail: String) {
        let path = field_path(field, self.transport);
        self.map.push(offset, len, role, &path, detail);
    }

    fn at(&mut self, offset: usize, len: usize, role: Role, path: Path, detail: String) {
        self.map.push(offset, len, role, &path, detail);
    }
}

impl CraftSpec {
    /// The frame: Ethernet II, IPv4 (no options), TCP (no options) or UDP, then the payload.
    pub fn build(&self) -> Crafted {
        let transport = match self.transport {
            TransportSpec::Tcp(_) => Transport::Tcp,
            TransportSpec::Udp(_) => Transport::Udp,
        };
        let segment_len = transport.header_len() + self.payload.len();
        let ip = &self.ipv4;
        let mut header = Ipv4Header {
            dscp: ip.dscp,
            ecn: ip.ecn,
            total_len: 0,
            identification: ip.identification,
            dont_fragment: ip.dont_fragment,
            more_fragments: ip.more_fragments,
            fragment_offset: ip.fragment_offset,
            time_to_live: ip.ttl,
            protocol: IpNumber(transport.protocol()),
            header_checksum: 0,
            source: ip.source.octets(),
            destination: ip.destination.octets(),
            options: Default::default(),
        };
        // The form keeps the payload within one packet; saturating keeps a direct caller safe.
        let total_length = u16::try_from(IPV4_HEADER_LEN + segment_len).unwrap_or(u16::MAX);
        header.total_len = ip.total_length.unwrap_or(total_length);
        header.protocol = IpNumber(ip.protocol.unwrap_or(transport.protocol()));
        let ip_checksum = header.calc_header_checksum();
        header.header_checksum = ip.checksum.unwrap_or(ip_checksum);

        let (segment, udp_length, data_offset, transport_checksum) = match &self.transport {
            TransportSpec::Udp(udp) => self.udp_segment(udp, &header),
            TransportSpec::Tcp(tcp) => self.tcp_segment(tcp, &header),
        };
        let computed = Computed {
            protocol: transport.protocol(),
            total_length,
            ip_checksum,
            data_offset,
            udp_length,
            transport_checksum,
        };

        let ethernet = Ethernet2Header {
            destination: self.ethernet.destination,
            source: self.ethernet.source,
            ether_type: EtherType(self.ethernet.ether_type),
        };
        let mut bytes = Vec::with_capacity(TRANSPORT_AT + segment.len());
        bytes.extend_from_slice(&ethernet.to_bytes());
        bytes.extend_from_slice(&header.to_bytes());
        bytes.extend_from_slice(&segment);

        let mut mapper = Mapper { map: ByteMap::new(), transport };
        self.map_ethernet(&mut mapper);
        self.map_ipv4(&mut mapper, &header, &computed);
        match &self.transport {
            TransportSpec::Udp(udp) => self.map_udp(&mut mapper, udp, &computed),
            TransportSpec::Tcp(tcp) => self.map_tcp(&mut mapper, tcp, &computed, &segment),
        }
        mapper.field(
            TRANSPORT_AT + transport.header_len(),
            self.payload.len(),
            Role::Value,
            CraftField::Payload,
            format!("payload, {} bytes", self.payload.len()),
        );
        let differs = self.differs(&computed);
        Crafted { transport, bytes, map: mapper.map.finish(), computed, differs }
    }

    /// The UDP header and payload; the length and checksum computed (RFC 768: the pseudo-header
    /// carries the length field as written), returned with the segment.
    fn udp_segment(&self, udp: &UdpSpec, ip: &Ipv4Header) -> (Vec<u8>, u16, u8, u16) {
        let length = u16::try_from(UDP_HEADER_LEN + self.payload.len()).unwrap_or(u16::MAX);
        let mut header = UdpHeader {
            source_port: self.source_port,
            destination_port: self.destination_port,
            length: udp.length.unwrap_or(length),
            checksum: 0,
        };
        let right = header.calc_checksum_ipv4(ip, &self.payload).unwrap_or(0);
        header.checksum = udp.checksum.unwrap_or(right);
        let mut segment = header.to_bytes().to_vec();
        segment.extend_from_slice(&self.payload);
        (segment, length, 0, right)
    }

    /// The TCP header and payload. The checksum is summed over the segment as written (with a
    /// data offset set by hand in place) and a pseudo-header with the segment's length.
    fn tcp_segment(&self, tcp: &TcpSpec, ip: &Ipv4Header) -> (Vec<u8>, u16, u8, u16) {
        let mut header = TcpHeader::new(self.source_port, self.destination_port, tcp.sequence, tcp.window);
        header.acknowledgment_number = tcp.acknowledgment;
        header.urgent_pointer = tcp.urgent_pointer;
        let bit = |flag: Toggle| flag.tcp_bit().is_some_and(|bit| tcp.flags & bit != 0);
        (header.cwr, header.ece, header.urg, header.ack) =
            (bit(Toggle::Cwr), bit(Toggle::Ece), bit(Toggle::Urg), bit(Toggle::Ack));
        (header.psh, header.rst, header.syn, header.fin) =
            (bit(Toggle::Psh), bit(Toggle::Rst), bit(Toggle::Syn), bit(Toggle::Fin));
        let data_offset = header.data_offset();
        let mut segment = header.to_bytes().to_vec();
        if let Some(set) = tcp.data_offset {
            segment[12] = (set << 4) | (segment[12] & 0x0f);
        }
        segment.extend_from_slice(&self.payload);
        let segment_len = u16::try_from(segment.len()).unwrap_or(u16::MAX);
        let right = Sum16BitWords::new()
            .add_4bytes(ip.source)
            .add_4bytes(ip.destination)
            .add_2bytes([0, IpNumber::TCP.0])
            .add_2bytes(segment_len.to_be_bytes())
            .add_slice(&segment)
            .ones_complement()
            .to_be();
        segment[16..18].copy_from_slice(&tcp.checksum.unwrap_or(right).to_be_bytes());
        (segment, 0, data_offset, right)
    }

    fn map_ethernet(&self, mapper: &mut Mapper) {
        let ethernet = &self.ethernet;
        mapper.field(
            0,
            6,
            Role::Value,
            CraftField::EthDestination,
            format!("destination MAC {}", format_mac(ethernet.destination)),
        );
        mapper.field(6, 6, Role::Value, CraftField::EthSource, format!("source MAC {}", format_mac(ethernet.source)));
        let ether_type = ethernet.ether_type;
        mapper.field(
            12,
            2,
            Role::Tag,
            CraftField::EtherType,
            format!("EtherType 0x{ether_type:04x}: {}", ether_type_name(ether_type)),
        );
    }

    fn map_ipv4(&self, mapper: &mut Mapper, header: &Ipv4Header, computed: &Computed) {
        let at = ETHERNET_HEADER_LEN;
        let ip = &self.ipv4;
        mapper.at(
            at,
            1,
            Role::Length,
            Path::root().key("ipv4").key("version_and_length"),
            "version 4, header length 5 × 4 = 20 bytes".into(),
        );
        let (dscp, ecn) = (ip.dscp.value(), ip.ecn.value());
        mapper.field(
            at + 1,
            1,
            Role::Value,
            CraftField::IpDscp,
            format!("DSCP {dscp}, ECN {ecn} (type of service 0x{:02x})", (dscp << 2) | ecn),
        );
        let total = provenance(ip.total_length, computed.total_length, false);
        mapper.field(at + 2, 2, Role::Length, CraftField::IpTotalLength, format!("total length {total}"));
        let id = ip.identification;
        mapper.field(at + 4, 2, Role::Value, CraftField::IpIdentification, format!("identification 0x{id:04x} ({id})"));
        let flags: Vec<&str> = [(ip.dont_fragment, "DF"), (ip.more_fragments, "MF")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        let flags = if flags.is_empty() { "none".to_owned() } else { flags.join(", ") };
        let offset = ip.fragment_offset.value();
        mapper.field(
            at + 6,
            2,
            Role::Structure,
            CraftField::IpFragmentOffset,
            format!("flags {flags}; fragment offset {offset} × 8 = {} bytes", u32::from(offset) * 8),
        );
        mapper.field(at + 8, 1, Role::Value, CraftField::IpTtl, format!("TTL {}", ip.ttl));
        let protocol = header.protocol.0;
        let set = ip.protocol.map(u16::from);
        let said = provenance(set, u16::from(computed.protocol), false);
        mapper.field(
            at + 9,
            1,
            Role::Tag,
            CraftField::IpProtocol,
            format!("protocol {said}: {}", protocol_name(protocol)),
        );
        let checksum = provenance(ip.checksum, computed.ip_checksum, true);
        mapper.field(at + 10, 2, Role::Header, CraftField::IpChecksum, format!("header checksum {checksum}"));
        mapper.field(at + 12, 4, Role::Value, CraftField::IpSource, format!("source address {}", ip.source));
        mapper.field(
            at + 16,
            4,
            Role::Value,
            CraftField::IpDestination,
            format!("destination address {}", ip.destination),
        );
    }

    fn map_ports(&self, mapper: &mut Mapper) {
        mapper.field(TRANSPORT_AT, 2, Role::Value, CraftField::SourcePort, format!("source port {}", self.source_port));
        mapper.field(
            TRANSPORT_AT + 2,
            2,
            Role::Value,
            CraftField::DestinationPort,
            format!("destination port {}", self.destination_port),
        );
    }

    fn map_udp(&self, mapper: &mut Mapper, udp: &UdpSpec, computed: &Computed) {
        self.map_ports(mapper);
        let length = provenance(udp.length, computed.udp_length, false);
        mapper.field(TRANSPORT_AT + 4, 2, Role::Length, CraftField::UdpLength, format!("length {length}"));
        let checksum = provenance(udp.checksum, computed.transport_checksum, true);
        mapper.field(TRANSPORT_AT + 6, 2, Role::Header, CraftField::UdpChecksum, format!("checksum {checksum}"));
    }

    fn map_tcp(&self, mapper: &mut Mapper, tcp: &TcpSpec, computed: &Computed, segment: &[u8]) {
        let at = TRANSPORT_AT;
        self.map_ports(mapper);
        mapper.field(at + 4, 4, Role::Value, CraftField::TcpSequence, format!("sequence number {}", tcp.sequence));
        mapper.field(
            at + 8,
            4,
            Role::Value,
            CraftField::TcpAcknowledgment,
            format!("acknowledgment number {}", tcp.acknowledgment),
        );
        let words = segment[12] >> 4;
        let offset = provenance(tcp.data_offset.map(u16::from), u16::from(computed.data_offset), false);
        mapper.field(
            at + 12,
            2,
            Role::Structure,
            CraftField::TcpDataOffset,
            format!(
                "data offset {offset}: {words} × 4 = {} bytes; flags 0x{:02x}: {}",
                usize::from(words) * 4,
                tcp.flags,
                tcp_flag_names(tcp.flags)
            ),
        );
        mapper.field(at + 14, 2, Role::Value, CraftField::TcpWindow, format!("window {}", tcp.window));
        let checksum = provenance(tcp.checksum, computed.transport_checksum, true);
        mapper.field(at + 16, 2, Role::Header, CraftField::TcpChecksum, format!("checksum {checksum}"));
        mapper.field(
            at + 18,
            2,
            Role::Value,
            CraftField::TcpUrgentPointer,
            format!("urgent pointer {}", tcp.urgent_pointer),
        );
    }

    /// The computed fields set by hand to something else than what they would be.
    fn differs(&self, computed: &Computed) -> Vec<CraftField> {
        let ip = &self.ipv4;
        let mut fields = vec![
            (CraftField::IpProtocol, ip.protocol.map(u32::from), u32::from(computed.protocol)),
            (CraftField::IpTotalLength, ip.total_length.map(u32::from), u32::from(computed.total_length)),
            (CraftField::IpChecksum, ip.checksum.map(u32::from), u32::from(computed.ip_checksum)),
        ];
        match &self.transport {
            TransportSpec::Udp(udp) => fields.extend([
                (CraftField::UdpLength, udp.length.map(u32::from), u32::from(computed.udp_length)),
                (CraftField::UdpChecksum, udp.checksum.map(u32::from), u32::from(computed.transport_checksum)),
            ]),
            TransportSpec::Tcp(tcp) => fields.extend([
                (CraftField::TcpDataOffset, tcp.data_offset.map(u32::from), u32::from(computed.data_offset)),
                (CraftField::TcpChecksum, tcp.checksum.map(u32::from), u32::from(computed.transport_checksum)),
            ]),
        }
        fields
            .into_iter()
            .filter(|(_, set, right)| set.is_some_and(|set| set != *right))
            .map(|(field, ..)| field)
            .collect()
    }
}
