//! The packets the Craft packet tab starts from: a DNS query over UDP, a TCP SYN and an HTTP GET
//! segment, between documentation addresses (RFC 5737) and locally administered MACs.

use serde::{Deserialize, Serialize};

use super::form::{CraftField, CraftForm, PayloadKind, Toggle, Transport};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Preset {
    DnsQuery,
    TcpSyn,
    HttpGet,
}

/// A DNS query for `example.com`, type A, recursion desired (id 0x1a2b).
pub const DNS_QUERY_HEX: &str =
    "1a 2b 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01";

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::DnsQuery, Preset::TcpSyn, Preset::HttpGet];

    pub fn label(self) -> &'static str {
        match self {
            Preset::DnsQuery => "DNS query (UDP)",
            Preset::TcpSyn => "TCP SYN",
            Preset::HttpGet => "HTTP GET (TCP)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Preset::DnsQuery => "dns-query",
            Preset::TcpSyn => "tcp-syn",
            Preset::HttpGet => "http-get",
        }
    }

    pub fn form(self) -> CraftForm {
        let transport = if self == Preset::DnsQuery { Transport::Udp } else { Transport::Tcp };
        let mut form = CraftForm::blank(transport);
        let common = [
            (CraftField::EthDestination, "02:00:5e:00:53:02"),
            (CraftField::EthSource, "02:00:5e:00:53:01"),
            (CraftField::EtherType, "0x0800"),
            (CraftField::IpDscp, "0"),
            (CraftField::IpEcn, "0"),
            (CraftField::IpFragmentOffset, "0"),
            (CraftField::IpTtl, "64"),
            (CraftField::IpSource, "192.0.2.10"),
            (CraftField::TcpUrgentPointer, "0"),
        ];
        let own: &[(CraftField, &str)] = match self {
            Preset::DnsQuery => &[
                (CraftField::IpIdentification, "0x1c46"),
                (CraftField::IpDestination, "198.51.100.53"),
                (CraftField::SourcePort, "53124"),
                (CraftField::DestinationPort, "53"),
                (CraftField::TcpSequence, "0"),
                (CraftField::TcpAcknowledgment, "0"),
                (CraftField::TcpWindow, "64240"),
                (CraftField::Payload, DNS_QUERY_HEX),
            ],
            Preset::TcpSyn => &[
                (CraftField::IpIdentification, "0x3e01"),
                (CraftField::IpDestination, "198.51.100.80"),
                (CraftField::SourcePort, "49152"),
                (CraftField::DestinationPort, "80"),
                (CraftField::TcpSequence, "1000"),
                (CraftField::TcpAcknowledgment, "0"),
                (CraftField::TcpWindow, "64240"),
            ],
            Preset::HttpGet => &[
                (CraftField::IpIdentification, "0x3e02"),
                (CraftField::IpDestination, "198.51.100.80"),
                (CraftField::SourcePort, "49152"),
                (CraftField::DestinationPort, "80"),
                (CraftField::TcpSequence, "1001"),
                (CraftField::TcpAcknowledgment, "5001"),
                (CraftField::TcpWindow, "502"),
                (CraftField::Payload, "GET / HTTP/1.1\nHost: example.com\nAccept: */*\n\n"),
            ],
        };
        for (field, text) in common.iter().chain(own) {
            form.set_text(*field, *text);
        }
        form.set_toggle(Toggle::DontFragment, true);
        match self {
            Preset::DnsQuery => form.payload_kind = PayloadKind::Hex,
            Preset::TcpSyn => form.set_toggle(Toggle::Syn, true),
            Preset::HttpGet => {
                form.set_toggle(Toggle::Psh, true);
                form.set_toggle(Toggle::Ack, true);
                form.set_toggle(Toggle::CrLf, true);
            }
        }
        form.preset = Some(self);
        form
    }
}
