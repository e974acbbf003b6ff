//! "Copy as scapy": the crafted packet as a Python program that builds the same bytes with scapy
//! (`Ether(...)/IP(...)/UDP(...)/Raw(...)`), writes them with `wrpcap` and prints them as hex.
//! Fields the tab computes are left for scapy to compute; fields set by hand are written out.
//! When a length is set by hand, receivers disagree on what the checksum covers, so the program
//! then writes the tab's checksum as well and the bytes stay the same.

use super::build::Crafted;
use super::form::{CraftSpec, TransportSpec, format_mac};

/// The program for `spec` as built into `crafted`, writing `file_name`.
pub fn scapy_program(spec: &CraftSpec, crafted: &Crafted, file_name: &str) -> String {
    let ip = &spec.ipv4;
    let lengths_set =
        ip.total_length.is_some() || matches!(&spec.transport, TransportSpec::Udp(udp) if udp.length.is_some());
    let mut layers = Vec::new();
    layers.push(format!(
        "Ether(dst=\"{}\", src=\"{}\", type=0x{:04x})",
        format_mac(spec.ethernet.destination),
        format_mac(spec.ethernet.source),
        spec.ethernet.ether_type
    ));
    let flags = match (ip.dont_fragment, ip.more_fragments) {
        (true, true) => "\"DF+MF\"",
        (true, false) => "\"DF\"",
        (false, true) => "\"MF\"",
        (false, false) => "0",
    };
    let mut ip_args = vec![
        format!("tos=0x{:02x}", (ip.dscp.value() << 2) | ip.ecn.value()),
        format!("id=0x{:04x}", ip.identification),
        format!("flags={flags}"),
        format!("frag={}", ip.fragment_offset.value()),
        format!("ttl={}", ip.ttl),
    ];
    ip_args.extend(ip.protocol.map(|protocol| format!("proto={protocol}")));
    ip_args.extend(ip.total_length.map(|length| format!("len={length}")));
    ip_args.extend(ip.checksum.map(|checksum| format!("chksum=0x{checksum:04x}")));
    ip_args.push(format!("src=\"{}\"", ip.source));
    ip_args.push(format!("dst=\"{}\"", ip.destination));
    layers.push(format!("IP({})", ip_args.join(", ")));

    let ports = format!("sport={}, dport={}", spec.source_port, spec.destination_port);
    let checksum = |set: Option<u16>| {
        set.or(lengths_set.then_some(crafted.computed.transport_checksum))
            .map(|checksum| format!(", chksum=0x{checksum:04x}"))
            .unwrap_or_default()
    };
    match &spec.transport {
        TransportSpec::Udp(udp) => {
            let length = udp.length.map(|length| format!(", len={length}")).unwrap_or_default();
            layers.push(format!("UDP({ports}{length}{})", checksum(udp.checksum)));
        }
        TransportSpec::Tcp(tcp) => {
            let data_offset = tcp.data_offset.map(|words| format!(", dataofs={words}")).unwrap_or_default();
            layers.push(format!(
                "TCP({ports}, seq={}, ack={}{data_offset}, flags={}, window={}{}, urgptr={})",
                tcp.sequence,
                tcp.acknowledgment,
                scapy_flags(tcp.flags),
                tcp.window,
                checksum(tcp.checksum),
                tcp.urgent_pointer
            ));
        }
    }
    if !spec.payload.is_empty() {
        layers.push(format!("Raw(load={})", python_bytes(&spec.payload)));
    }

    let mut notes = vec![
        "# The packet built in Wirelab's Craft packet tab, built again by scapy: the same bytes.".to_owned(),
        "# Lengths and checksums not written here are computed by scapy, as the tab computed them.".to_owned(),
    ];
    for field in &crafted.differs {
        notes.push(format!("# {} is set by hand to a value other than the computed one.", field.label()));
    }
    if lengths_set {
        notes.push("# A length is set by hand, so the tab's transport checksum is written out too.".to_owned());
    }
    format!(
        "{notes}\nfrom scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap\n\npacket = (\n    {layers}\n)\nwrpcap(\"{file_name}\", [packet])\nprint(bytes(packet).hex(\" \"))\n",
        notes = notes.join("\n"),
        layers = layers.join("\n    / "),
    )
}

/// TCP flags as scapy's letters (`"SA"`), or 0.
fn scapy_flags(flags: u8) -> String {
    if flags == 0 {
        return "0".to_owned();
    }
    // scapy's letters, least significant bit first: FIN SYN RST PSH ACK URG ECE CWR.
    let letters: String =
        "FSRPAUEC".chars().enumerate().filter(|(bit, _)| flags & (1 << bit) != 0).map(|(_, letter)| letter).collect();
    format!("\"{letters}\"")
}

/// A Python bytes literal: `b"GET / HTTP/1.1\r\n"` for text, `bytes.fromhex("1a 2b")` otherwise.
pub fn python_bytes(bytes: &[u8]) -> String {
    let text_like = bytes.iter().all(|&byte| (0x20..0x7f).contains(&byte) || matches!(byte, b'\r' | b'\n' | b'\t'));
    if !text_like {
        return format!("bytes.fromhex(\"{}\")", crate::hexdump::to_hex(bytes));
    }
    let mut literal = String::from("b\"");
    for &byte in bytes {
        match byte {
            b'\\' => literal.push_str("\\\\"),
            b'"' => literal.push_str("\\\""),
            b'\r' => literal.push_str("\\r"),
            b'\n' => literal.push_str("\\n"),
            b'\t' => literal.push_str("\\t"),
            _ => literal.push(char::from(byte)),
        }
    }
    literal.push('"');
    literal
}
