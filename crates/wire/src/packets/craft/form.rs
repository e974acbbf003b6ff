//! The Craft packet form as a person types it ([`CraftForm`]: text per field, flags, which
//! computed fields are set by hand), its edits ([`CraftEdit`]), and the check that turns it into
//! a [`CraftSpec`] or names every field that is wrong ([`FieldProblem`]).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use etherparse::{IpDscp, IpEcn, IpFragOffset};
use serde::{Deserialize, Serialize};

use crate::binary_input::{parse_base64, parse_hex, to_base64};
use crate::hexdump::to_hex;

use super::build::{IPV4_HEADER_LEN, TCP_HEADER_LEN, UDP_HEADER_LEN};
use super::presets::Preset;

/// The layer above IPv4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Transport {
    Tcp,
    Udp,
}

impl Transport {
    pub const ALL: [Transport; 2] = [Transport::Udp, Transport::Tcp];

    pub fn label(self) -> &'static str {
        match self {
            Transport::Tcp => "TCP",
            Transport::Udp => "UDP",
        }
    }

    /// The IPv4 protocol number that announces it.
    pub fn protocol(self) -> u8 {
        match self {
            Transport::Tcp => 6,
            Transport::Udp => 17,
        }
    }

    pub fn header_len(self) -> usize {
        match self {
            Transport::Tcp => TCP_HEADER_LEN,
            Transport::Udp => UDP_HEADER_LEN,
        }
    }
}

/// How the payload is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PayloadKind {
    /// UTF-8 text; line breaks sent as CRLF when [`Toggle::CrLf`] is on.
    Text,
    Hex,
    Base64,
}

impl PayloadKind {
    pub const ALL: [PayloadKind; 3] = [PayloadKind::Text, PayloadKind::Hex, PayloadKind::Base64];

    pub fn label(self) -> &'static str {
        match self {
            PayloadKind::Text => "Text",
            PayloadKind::Hex => "Hex",
            PayloadKind::Base64 => "Base64",
        }
    }
}

/// The protocol layers, in the order the form and the bytes show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    Ethernet,
    Ipv4,
    Transport,
    Payload,
}

/// Every field typed as text. The ones [`CraftField::is_computed`] are worked out from the rest
/// unless set by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CraftField {
    EthDestination,
    EthSource,
    EtherType,
    IpDscp,
    IpEcn,
    IpIdentification,
    IpFragmentOffset,
    IpTtl,
    IpProtocol,
    IpTotalLength,
    IpChecksum,
    IpSource,
    IpDestination,
    SourcePort,
    DestinationPort,
    TcpSequence,
    TcpAcknowledgment,
    TcpDataOffset,
    TcpWindow,
    TcpChecksum,
    TcpUrgentPointer,
    UdpLength,
    UdpChecksum,
    Payload,
}

impl CraftField {
    pub const ALL: [CraftField; 24] = [
        CraftField::EthDestination,
        CraftField::EthSource,
        CraftField::EtherType,
        CraftField::IpDscp,
        CraftField::IpEcn,
        CraftField::IpIdentification,
        CraftField::IpFragmentOffset,
        CraftField::IpTtl,
        CraftField::IpProtocol,
        CraftField::IpTotalLength,
        CraftField::IpChecksum,
        CraftField::IpSource,
        CraftField::IpDestination,
        CraftField::SourcePort,
        CraftField::DestinationPort,
        CraftField::TcpSequence,
        CraftField::TcpAcknowledgment,
        CraftField::TcpDataOffset,
        CraftField::TcpWindow,
        CraftField::TcpChecksum,
        CraftField::TcpUrgentPointer,
        CraftField::UdpLength,
        CraftField::UdpChecksum,
        CraftField::Payload,
    ];

    /// The label the form shows and every message about the field starts with.
    pub fn label(self) -> &'static str {
        match self {
            CraftField::EthDestination => "Destination MAC",
            CraftField::EthSource => "Source MAC",
            CraftField::EtherType => "EtherType",
            CraftField::IpDscp => "DSCP",
            CraftField::IpEcn => "ECN",
            CraftField::IpIdentification => "Identification",
            CraftField::IpFragmentOffset => "Fragment offset",
            CraftField::IpTtl => "TTL",
            CraftField::IpProtocol => "Protocol",
            CraftField::IpTotalLength => "Total length",
            CraftField::IpChecksum => "Header checksum",
            CraftField::IpSource => "Source address",
            CraftField::IpDestination => "Destination address",
            CraftField::SourcePort => "Source port",
            CraftField::DestinationPort => "Destination port",
            CraftField::TcpSequence => "Sequence number",
            CraftField::TcpAcknowledgment => "Acknowledgment number",
            CraftField::TcpDataOffset => "Data offset",
            CraftField::TcpWindow => "Window",
            CraftField::TcpChecksum => "TCP checksum",
            CraftField::TcpUrgentPointer => "Urgent pointer",
            CraftField::UdpLength => "UDP length",
            CraftField::UdpChecksum => "UDP checksum",
            CraftField::Payload => "Payload",
        }
    }

    /// A stable name for element ids and test hooks (`ip-ttl`).
    pub fn key(self) -> &'static str {
        match self {
            CraftField::EthDestination => "eth-destination",
            CraftField::EthSource => "eth-source",
            CraftField::EtherType => "ether-type",
            CraftField::IpDscp => "ip-dscp",
            CraftField::IpEcn => "ip-ecn",
            CraftField::IpIdentification => "ip-identification",
            CraftField::IpFragmentOffset => "ip-fragment-offset",
            CraftField::IpTtl => "ip-ttl",
            CraftField::IpProtocol => "ip-protocol",
            CraftField::IpTotalLength => "ip-total-length",
            CraftField::IpChecksum => "ip-checksum",
            CraftField::IpSource => "ip-source",
            CraftField::IpDestination => "ip-destination",
            CraftField::SourcePort => "source-port",
            CraftField::DestinationPort => "destination-port",
            CraftField::TcpSequence => "tcp-sequence",
            CraftField::TcpAcknowledgment => "tcp-acknowledgment",
            CraftField::TcpDataOffset => "tcp-data-offset",
            CraftField::TcpWindow => "tcp-window",
            CraftField::TcpChecksum => "tcp-checksum",
            CraftField::TcpUrgentPointer => "tcp-urgent-pointer",
            CraftField::UdpLength => "udp-length",
            CraftField::UdpChecksum => "udp-checksum",
            CraftField::Payload => "payload",
        }
    }

    pub fn layer(self) -> Layer {
        match self {
            CraftField::EthDestination | CraftField::EthSource | CraftField::EtherType => Layer::Ethernet,
            CraftField::IpDscp
            | CraftField::IpEcn
            | CraftField::IpIdentification
            | CraftField::IpFragmentOffset
            | CraftField::IpTtl
            | CraftField::IpProtocol
            | CraftField::IpTotalLength
            | CraftField::IpChecksum
            | CraftField::IpSource
            | CraftField::IpDestination => Layer::Ipv4,
            CraftField::Payload => Layer::Payload,
            _ => Layer::Transport,
        }
    }

    /// The transport this field belongs to; `None` for fields every packet has.
    pub fn only_for(self) -> Option<Transport> {
        match self {
            CraftField::TcpSequence
            | CraftField::TcpAcknowledgment
            | CraftField::TcpDataOffset
            | CraftField::TcpWindow
            | CraftField::TcpChecksum
            | CraftField::TcpUrgentPointer => Some(Transport::Tcp),
            CraftField::UdpLength | CraftField::UdpChecksum => Some(Transport::Udp),
            _ => None,
        }
    }

    /// Worked out from the other fields unless set by hand ([`CraftEdit::Override`]).
    pub fn is_computed(self) -> bool {
        matches!(
            self,
            CraftField::IpProtocol
                | CraftField::IpTotalLength
                | CraftField::IpChecksum
                | CraftField::TcpDataOffset
                | CraftField::TcpChecksum
                | CraftField::UdpLength
                | CraftField::UdpChecksum
        )
    }

    /// The largest value a numeric field holds.
    fn max(self) -> u64 {
        match self {
            CraftField::IpDscp => u64::from(IpDscp::MAX_U8),
            CraftField::IpEcn => u64::from(IpEcn::MAX_U8),
            CraftField::IpFragmentOffset => u64::from(IpFragOffset::MAX_U16),
            CraftField::IpTtl | CraftField::IpProtocol => u64::from(u8::MAX),
            CraftField::TcpDataOffset => 15,
            CraftField::TcpSequence | CraftField::TcpAcknowledgment => u64::from(u32::MAX),
            _ => u64::from(u16::MAX),
        }
    }
}

/// Every on/off choice of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Toggle {
    DontFragment,
    MoreFragments,
    Cwr,
    Ece,
    Urg,
    Ack,
    Psh,
    Rst,
    Syn,
    Fin,
    /// A text payload's line breaks sent as CRLF (HTTP, SMTP), not LF.
    CrLf,
}

impl Toggle {
    /// The TCP flags in the order of their bits, most significant first.
    pub const TCP_FLAGS: [Toggle; 8] =
        [Toggle::Cwr, Toggle::Ece, Toggle::Urg, Toggle::Ack, Toggle::Psh, Toggle::Rst, Toggle::Syn, Toggle::Fin];

    pub fn label(self) -> &'static str {
        match self {
            Toggle::DontFragment => "Don't fragment (DF)",
            Toggle::MoreFragments => "More fragments (MF)",
            Toggle::Cwr => "CWR",
            Toggle::Ece => "ECE",
            Toggle::Urg => "URG",
            Toggle::Ack => "ACK",
            Toggle::Psh => "PSH",
            Toggle::Rst => "RST",
            Toggle::Syn => "SYN",
            Toggle::Fin => "FIN",
            Toggle::CrLf => "Line breaks as CRLF",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Toggle::DontFragment => "ip-df",
            Toggle::MoreFragments => "ip-mf",
            Toggle::Cwr => "tcp-cwr",
            Toggle::Ece => "tcp-ece",
            Toggle::Urg => "tcp-urg",
            Toggle::Ack => "tcp-ack",
            Toggle::Psh => "tcp-psh",
            Toggle::Rst => "tcp-rst",
            Toggle::Syn => "tcp-syn",
            Toggle::Fin => "tcp-fin",
            Toggle::CrLf => "payload-crlf",
        }
    }

    /// The flag's bit in the TCP flags byte; `None` for the others.
    pub fn tcp_bit(self) -> Option<u8> {
        let index = Toggle::TCP_FLAGS.iter().position(|flag| *flag == self)?;
        Some(0x80 >> index)
    }
}

/// The form as typed. Texts are kept exactly as typed, also when wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CraftForm {
    pub transport: Transport,
    pub payload_kind: PayloadKind,
    texts: BTreeMap<CraftField, String>,
    toggles: BTreeSet<Toggle>,
    /// Computed fields whose typed text is used instead of the computed value.
    overridden: BTreeSet<CraftField>,
    /// The preset last chosen, until the form is edited.
    pub preset: Option<Preset>,
}

/// One change to the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CraftEdit {
    Text(CraftField, String),
    Toggle(Toggle, bool),
    /// Set a computed field by hand (its text starts as the computed value), or compute it again.
    Override(CraftField, bool),
    Transport(Transport),
    /// The payload typed another way: the bytes are kept when they read in both.
    PayloadKind(PayloadKind),
    Preset(Preset),
}

/// A field that does not check, and why, the message starting with the field's label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: CraftField,
    pub message: String,
}

impl FieldProblem {
    fn new(field: CraftField, why: impl std::fmt::Display) -> FieldProblem {
        FieldProblem { field, message: format!("{}: {why}", field.label()) }
    }
}

/// Ethernet II: addresses and the EtherType.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EthernetSpec {
    pub destination: [u8; 6],
    pub source: [u8; 6],
    pub ether_type: u16,
}

/// IPv4 without options; `None` means computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv4Spec {
    pub dscp: IpDscp,
    pub ecn: IpEcn,
    pub identification: u16,
    pub dont_fragment: bool,
    pub more_fragments: bool,
    pub fragment_offset: IpFragOffset,
    pub ttl: u8,
    pub protocol: Option<u8>,
    pub total_length: Option<u16>,
    pub checksum: Option<u16>,
    pub source: Ipv4Addr,
    pub destination: Ipv4Addr,
}

/// TCP without options; `None` means computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSpec {
    pub sequence: u32,
    pub acknowledgment: u32,
    /// The flags byte, CWR the most significant bit.
    pub flags: u8,
    pub window: u16,
    pub urgent_pointer: u16,
    pub data_offset: Option<u8>,
    pub checksum: Option<u16>,
}

/// UDP; `None` means computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UdpSpec {
    pub length: Option<u16>,
    pub checksum: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportSpec {
    Tcp(TcpSpec),
    Udp(UdpSpec),
}

/// A form that checked: every value in range, ready to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CraftSpec {
    pub ethernet: EthernetSpec,
    pub ipv4: Ipv4Spec,
    pub source_port: u16,
    pub destination_port: u16,
    pub transport: TransportSpec,
    pub payload: Vec<u8>,
}

impl Default for CraftForm {
    fn default() -> Self {
        Preset::DnsQuery.form()
    }
}

impl CraftForm {
    /// A form with every field empty and no flag set (presets fill it).
    pub fn blank(transport: Transport) -> CraftForm {
        CraftForm {
            transport,
            payload_kind: PayloadKind::Text,
            texts: BTreeMap::new(),
            toggles: BTreeSet::new(),
            overridden: BTreeSet::new(),
            preset: None,
        }
    }

    /// The field's text as typed (empty when never typed).
    pub fn text(&self, field: CraftField) -> &str {
        self.texts.get(&field).map_or("", String::as_str)
    }

    pub fn is_on(&self, toggle: Toggle) -> bool {
        self.toggles.contains(&toggle)
    }

    /// Whether a computed field is set by hand.
    pub fn is_overridden(&self, field: CraftField) -> bool {
        self.overridden.contains(&field)
    }

    /// The computed fields set by hand that apply to this transport.
    pub fn overrides(&self) -> impl Iterator<Item = CraftField> + '_ {
        self.overridden.iter().copied().filter(|field| field.only_for().is_none_or(|only| only == self.transport))
    }

    pub fn set_text(&mut self, field: CraftField, text: impl Into<String>) {
        self.texts.insert(field, text.into());
    }

    pub fn set_toggle(&mut self, toggle: Toggle, on: bool) {
        if on {
            self.toggles.insert(toggle);
        } else {
            self.toggles.remove(&toggle);
        }
    }

    /// Applies one edit. Setting a computed field by hand starts from its computed value, so the
    /// packet does not change until the value is edited.
    pub fn apply(&mut self, edit: CraftEdit) {
        match edit {
            CraftEdit::Preset(preset) => {
                *self = preset.form();
                return;
            }
            CraftEdit::Text(field, text) => self.set_text(field, text),
            CraftEdit::Toggle(toggle, on) => self.set_toggle(toggle, on),
            CraftEdit::Override(field, true) if field.is_computed() => {
                if let Some(value) = self.craft().ok().and_then(|crafted| crafted.computed.text(field)) {
                    self.set_text(field, value);
                }
                self.overridden.insert(field);
            }
            CraftEdit::Override(field, _) => {
                self.overridden.remove(&field);
            }
            CraftEdit::Transport(transport) => self.transport = transport,
            CraftEdit::PayloadKind(kind) => self.retype_payload(kind),
        }
        self.preset = None;
    }

    /// The payload rewritten for `kind` when its bytes read now and can be shown that way
    /// (text needs UTF-8); otherwise the typed text stays for the person to fix.
    fn retype_payload(&mut self, kind: PayloadKind) {
        let bytes = self.payload().ok();
        self.payload_kind = kind;
        let Some(bytes) = bytes else { return };
        let text = match kind {
            PayloadKind::Hex => to_hex(&bytes),
            PayloadKind::Base64 => to_base64(&bytes),
            PayloadKind::Text => match String::from_utf8(bytes) {
                // Control characters other than line breaks and tabs would not show in the box.
                Ok(text) if text.chars().all(|c| !c.is_control() || matches!(c, '\r' | '\n' | '\t')) => {
                    let crlf = text.contains("\r\n");
                    self.set_toggle(Toggle::CrLf, crlf);
                    if crlf { text.replace("\r\n", "\n") } else { text }
                }
                _ => return,
            },
        };
        self.set_text(CraftField::Payload, text);
    }

    /// The form with `edits` applied in turn (a preset changed here and there).
    pub fn with(mut self, edits: impl IntoIterator<Item = CraftEdit>) -> CraftForm {
        for edit in edits {
            self.apply(edit);
        }
        self
    }

    /// The payload's bytes as typed.
    pub fn payload(&self) -> Result<Vec<u8>, FieldProblem> {
        let text = self.text(CraftField::Payload);
        let problem = |error: crate::diagnostic::Diagnostic| FieldProblem::new(CraftField::Payload, error);
        match self.payload_kind {
            PayloadKind::Text if self.is_on(Toggle::CrLf) => {
                Ok(text.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes())
            }
            PayloadKind::Text => Ok(text.as_bytes().to_vec()),
            PayloadKind::Hex => parse_hex(text).map_err(problem),
            PayloadKind::Base64 => parse_base64(text).map_err(problem),
        }
    }

    /// Every field checked; all the problems at once, in the form's order.
    pub fn check(&self) -> Result<CraftSpec, Vec<FieldProblem>> {
        let mut check = Checker { form: self, problems: Vec::new() };
        let ethernet = EthernetSpec {
            destination: check.mac(CraftField::EthDestination),
            source: check.mac(CraftField::EthSource),
            ether_type: check.number(CraftField::EtherType) as u16,
        };
        let dscp = check.number(CraftField::IpDscp) as u8;
        let ecn = check.number(CraftField::IpEcn) as u8;
        let fragment_offset = check.number(CraftField::IpFragmentOffset) as u16;
        let ipv4 = Ipv4Spec {
            dscp: IpDscp::try_new(dscp).unwrap_or(IpDscp::ZERO),
            ecn: IpEcn::try_new(ecn).unwrap_or(IpEcn::ZERO),
            identification: check.number(CraftField::IpIdentification) as u16,
            dont_fragment: self.is_on(Toggle::DontFragment),
            more_fragments: self.is_on(Toggle::MoreFragments),
            fragment_offset: IpFragOffset::try_new(fragment_offset).unwrap_or(IpFragOffset::ZERO),
            ttl: check.number(CraftField::IpTtl) as u8,
            protocol: check.computed(CraftField::IpProtocol).map(|value| value as u8),
            total_length: check.computed(CraftField::IpTotalLength).map(|value| value as u16),
            checksum: check.computed(CraftField::IpChecksum).map(|value| value as u16),
            source: check.address(CraftField::IpSource),
            destination: check.address(CraftField::IpDestination),
        };
        let source_port = check.number(CraftField::SourcePort) as u16;
        let destination_port = check.number(CraftField::DestinationPort) as u16;
        let transport = match self.transport {
            Transport::Tcp => TransportSpec::Tcp(TcpSpec {
                sequence: check.number(CraftField::TcpSequence) as u32,
                acknowledgment: check.number(CraftField::TcpAcknowledgment) as u32,
                flags: Toggle::TCP_FLAGS
                    .iter()
                    .filter(|flag| self.is_on(**flag))
                    .filter_map(|flag| flag.tcp_bit())
                    .fold(0, |flags, bit| flags | bit),
                window: check.number(CraftField::TcpWindow) as u16,
                urgent_pointer: check.number(CraftField::TcpUrgentPointer) as u16,
                data_offset: check.computed(CraftField::TcpDataOffset).map(|value| value as u8),
                checksum: check.computed(CraftField::TcpChecksum).map(|value| value as u16),
            }),
            Transport::Udp => TransportSpec::Udp(UdpSpec {
                length: check.computed(CraftField::UdpLength).map(|value| value as u16),
                checksum: check.computed(CraftField::UdpChecksum).map(|value| value as u16),
            }),
        };
        let payload = check.payload();
        if !check.problems.is_empty() {
            return Err(check.problems);
        }
        Ok(CraftSpec { ethernet, ipv4, source_port, destination_port, transport, payload })
    }
}

/// Reads fields one by one, noting each problem and going on with a stand-in value, so one
/// check reports every wrong field.
struct Checker<'a> {
    form: &'a CraftForm,
    problems: Vec<FieldProblem>,
}

impl Checker<'_> {
    fn fail(&mut self, field: CraftField, why: impl std::fmt::Display) {
        self.problems.push(FieldProblem::new(field, why));
    }

    /// A decimal or `0x` hexadecimal number from 0 to the field's largest value.
    fn number(&mut self, field: CraftField) -> u64 {
        let text = self.form.text(field).trim();
        let max = field.max();
        let range = if max > 0xffff { format!("0 to {max}") } else { format!("0 to {max} (0x{max:x})") };
        if text.is_empty() {
            self.fail(field, format!("empty; type a number from {range}"));
            return 0;
        }
        let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"));
        let parsed = match hex {
            Some(digits) => u64::from_str_radix(digits, 16),
            None => text.parse::<u64>(),
        };
        match parsed {
            Ok(value) if value <= max => value,
            Ok(_) => {
                self.fail(field, format!("{text} is out of range: {range}"));
                0
            }
            Err(_) => {
                self.fail(field, format!("“{text}” is not a number; type one from {range}, decimal or 0x hex"));
                0
            }
        }
    }

    /// A computed field: `None` unless set by hand, then its typed number.
    fn computed(&mut self, field: CraftField) -> Option<u64> {
        self.form.is_overridden(field).then(|| self.number(field))
    }

    fn mac(&mut self, field: CraftField) -> [u8; 6] {
        let text = self.form.text(field).trim();
        match parse_mac(text) {
            Some(mac) => mac,
            None => {
                let shown =
                    if text.is_empty() { "empty".to_owned() } else { format!("“{text}” is not a MAC address") };
                self.fail(field, format!("{shown}; type six bytes in hex, like 02:00:5e:00:53:01"));
                [0; 6]
            }
        }
    }

    fn address(&mut self, field: CraftField) -> Ipv4Addr {
        let text = self.form.text(field).trim();
        match text.parse::<Ipv4Addr>() {
            Ok(address) => address,
            Err(_) => {
                let shown =
                    if text.is_empty() { "empty".to_owned() } else { format!("“{text}” is not an IPv4 address") };
                self.fail(field, format!("{shown}; type four numbers from 0 to 255, like 192.0.2.1"));
                Ipv4Addr::UNSPECIFIED
            }
        }
    }

    /// The payload's bytes, no longer than one IPv4 packet can carry over the transport.
    fn payload(&mut self) -> Vec<u8> {
        match self.form.payload() {
            Ok(bytes) => {
                let transport = self.form.transport;
                let room = usize::from(u16::MAX) - IPV4_HEADER_LEN - transport.header_len();
                if bytes.len() > room {
                    self.fail(
                        CraftField::Payload,
                        format!(
                            "{} bytes is too long for one IPv4 packet (at most {room} over {})",
                            bytes.len(),
                            transport.label()
                        ),
                    );
                }
                bytes
            }
            Err(problem) => {
                self.problems.push(problem);
                Vec::new()
            }
        }
    }
}

/// Six bytes in hex: `02:00:5e:00:53:01`, `02-00-5e-00-53-01`, or twelve digits in a row.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let digits: String = if text.contains([':', '-']) {
        let groups: Vec<&str> = text.split([':', '-']).collect();
        if groups.len() != 6 || groups.iter().any(|group| group.len() != 2) {
            return None;
        }
        groups.concat()
    } else {
        text.to_owned()
    };
    if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let mut mac = [0u8; 6];
    for (index, byte) in mac.iter_mut().enumerate() {
        *byte = u8::from_str_radix(digits.get(index * 2..index * 2 + 2)?, 16).ok()?;
    }
    Some(mac)
}

/// A MAC address as `02:00:5e:00:53:01`.
pub fn format_mac(mac: [u8; 6]) -> String {
    mac.iter().map(|byte| format!("{byte:02x}")).collect::<Vec<_>>().join(":")
}
