//! The Craft packet tab's packets read by the tools people use. tshark (Debian's) reads each
//! crafted `.pcap` with every field as set and the checksums good, or bad exactly where set wrong
//! by hand. scapy (PyPI, in the venv xtask makes) runs each "Copy as scapy" program and builds the
//! same bytes, and its `rdpcap` reads our file and, asked to compute the lengths and checksums
//! again, gets ours. Native only. A missing tool fails the test unless `WIRELAB_OPTIONAL_TOOLS=1`,
//! as `cargo xtask setup` installs both.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use wire::hexdump::to_hex;
use wire::packets::craft::{CraftEdit, CraftField, CraftForm, Crafted, PayloadKind, Preset, Toggle};
use wire::packets::pcap_writer::{TimedPacket, write_ethernet_pcap};

/// The environment variable naming scapy's Python (set by `cargo xtask test`).
const SCAPY_PYTHON_ENV: &str = "WIRELAB_SCAPY_PYTHON";

/// `None` (the test says it skips) when the tool is missing and `WIRELAB_OPTIONAL_TOOLS=1`.
fn tool(path: PathBuf, works: bool, install: &str) -> Option<PathBuf> {
    if works {
        return Some(path);
    }
    let optional = std::env::var("WIRELAB_OPTIONAL_TOOLS").is_ok_and(|value| value == "1");
    assert!(optional, "{} does not run: {install} (or set WIRELAB_OPTIONAL_TOOLS=1 to skip)", path.display());
    eprintln!("SKIPPED: {} does not run ({install})", path.display());
    None
}

fn tshark() -> Option<PathBuf> {
    let works = Command::new("tshark").arg("--version").output().is_ok_and(|output| output.status.success());
    tool(PathBuf::from("tshark"), works, "install Debian's tshark with `cargo xtask setup`")
}

fn scapy_python() -> Option<PathBuf> {
    let path = std::env::var_os(SCAPY_PYTHON_ENV).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/tools/py-scapy/bin/python"))
    });
    let works = Command::new(&path).args(["-c", "import scapy"]).output().is_ok_and(|output| output.status.success());
    tool(path, works, "make the scapy venv with `cargo xtask setup`")
}

/// A fresh directory of this test's own under the system's temporary one.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirelab-craft-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("cannot create {}: {error}", dir.display()));
    dir
}

/// Runs `command` to the end; its standard output, or a failure with everything it said.
fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn edited(preset: Preset, edits: &[CraftEdit]) -> CraftForm {
    preset.form().with(edits.iter().cloned())
}

fn text(field: CraftField, value: &str) -> CraftEdit {
    CraftEdit::Text(field, value.to_owned())
}

fn by_hand(field: CraftField, value: &str) -> [CraftEdit; 2] {
    [CraftEdit::Override(field, true), text(field, value)]
}

fn crafted(name: &str, form: &CraftForm) -> Crafted {
    form.craft().unwrap_or_else(|problems| panic!("{name}: the form should build: {problems:?}"))
}

/// A crafted packet and what tshark must read in it (field, value as `-T fields` prints it).
struct Case {
    name: &'static str,
    form: CraftForm,
    reads: &'static [(&'static str, &'static str)],
}

/// tshark's checksum status: 1 good, 0 bad.
const GOOD: &str = "1";
const BAD: &str = "0";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "dns query",
            form: Preset::DnsQuery.form(),
            reads: &[
                ("eth.dst", "02:00:5e:00:53:02"),
                ("eth.src", "02:00:5e:00:53:01"),
                ("eth.type", "0x0800"),
                ("ip.version", "4"),
                ("ip.hdr_len", "20"),
                ("ip.dsfield.dscp", "0"),
                ("ip.dsfield.ecn", "0"),
                ("ip.len", "57"),
                ("ip.id", "0x1c46"),
                ("ip.flags.df", "1"),
                ("ip.flags.mf", "0"),
                ("ip.frag_offset", "0"),
                ("ip.ttl", "64"),
                ("ip.proto", "17"),
                ("ip.src", "192.0.2.10"),
                ("ip.dst", "198.51.100.53"),
                ("ip.checksum", "0x31fb"),
                ("ip.checksum.status", GOOD),
                ("udp.srcport", "53124"),
                ("udp.dstport", "53"),
                ("udp.length", "37"),
                ("udp.checksum", "0x59de"),
                ("udp.checksum.status", GOOD),
                ("dns.id", "0x1a2b"),
                ("dns.qry.name", "example.com"),
            ],
        },
        Case {
            name: "tcp syn",
            form: Preset::TcpSyn.form(),
            reads: &[
                ("ip.len", "40"),
                ("ip.proto", "6"),
                ("ip.checksum.status", GOOD),
                ("tcp.srcport", "49152"),
                ("tcp.dstport", "80"),
                ("tcp.seq_raw", "1000"),
                ("tcp.ack_raw", "0"),
                ("tcp.hdr_len", "20"),
                ("tcp.flags", "0x0002"),
                ("tcp.window_size_value", "64240"),
                ("tcp.urgent_pointer", "0"),
                ("tcp.len", "0"),
                ("tcp.checksum.status", GOOD),
            ],
        },
        Case {
            name: "http get",
            form: Preset::HttpGet.form(),
            reads: &[
                ("ip.len", "90"),
                ("tcp.seq_raw", "1001"),
                ("tcp.ack_raw", "5001"),
                ("tcp.flags", "0x0018"),
                ("tcp.window_size_value", "502"),
                ("tcp.len", "50"),
                ("tcp.checksum.status", GOOD),
                ("http.request.method", "GET"),
                ("http.request.uri", "/"),
                ("http.host", "example.com"),
            ],
        },
        Case {
            name: "every tcp field far from the presets",
            form: edited(
                Preset::TcpSyn,
                &[
                    text(CraftField::EthDestination, "ff-ff-ff-ff-ff-ff"),
                    text(CraftField::IpDscp, "46"),
                    text(CraftField::IpEcn, "1"),
                    text(CraftField::IpIdentification, "65535"),
                    text(CraftField::IpTtl, "1"),
                    CraftEdit::Toggle(Toggle::DontFragment, false),
                    text(CraftField::IpSource, "203.0.113.255"),
                    text(CraftField::IpDestination, "0.0.0.0"),
                    text(CraftField::SourcePort, "0"),
                    text(CraftField::DestinationPort, "0xffff"),
                    text(CraftField::TcpSequence, "4294967295"),
                    text(CraftField::TcpAcknowledgment, "0x80000000"),
                    text(CraftField::TcpWindow, "0"),
                    text(CraftField::TcpUrgentPointer, "7"),
                    CraftEdit::Toggle(Toggle::Syn, false),
                    CraftEdit::Toggle(Toggle::Cwr, true),
                    CraftEdit::Toggle(Toggle::Ece, true),
                    CraftEdit::Toggle(Toggle::Urg, true),
                    CraftEdit::Toggle(Toggle::Fin, true),
                    CraftEdit::PayloadKind(PayloadKind::Base64),
                    text(CraftField::Payload, "AAEC/w=="),
                ],
            ),
            reads: &[
                ("eth.dst", "ff:ff:ff:ff:ff:ff"),
                ("ip.dsfield.dscp", "46"),
                ("ip.dsfield.ecn", "1"),
                ("ip.id", "0xffff"),
                ("ip.ttl", "1"),
                ("ip.flags.df", "0"),
                ("ip.src", "203.0.113.255"),
                ("ip.dst", "0.0.0.0"),
                ("ip.checksum.status", GOOD),
                ("tcp.srcport", "0"),
                ("tcp.dstport", "65535"),
                ("tcp.seq_raw", "4294967295"),
                ("tcp.ack_raw", "2147483648"),
                ("tcp.flags", "0x00e1"),
                ("tcp.window_size_value", "0"),
                ("tcp.urgent_pointer", "7"),
                ("tcp.len", "4"),
                ("tcp.payload", "000102ff"),
                ("tcp.checksum.status", GOOD),
            ],
        },
        Case {
            name: "a later fragment",
            form: edited(
                Preset::DnsQuery,
                &[
                    CraftEdit::Toggle(Toggle::DontFragment, false),
                    CraftEdit::Toggle(Toggle::MoreFragments, true),
                    text(CraftField::IpFragmentOffset, "185"),
                ],
            ),
            reads: &[("ip.flags.mf", "1"), ("ip.frag_offset", "185"), ("ip.checksum.status", GOOD)],
        },
        Case {
            name: "a wrong IPv4 header checksum",
            form: edited(Preset::DnsQuery, &by_hand(CraftField::IpChecksum, "0xdead")),
            reads: &[("ip.checksum", "0xdead"), ("ip.checksum.status", BAD), ("udp.checksum.status", GOOD)],
        },
        Case {
            name: "a wrong UDP checksum",
            form: edited(Preset::DnsQuery, &by_hand(CraftField::UdpChecksum, "0x1234")),
            reads: &[("ip.checksum.status", GOOD), ("udp.checksum", "0x1234"), ("udp.checksum.status", BAD)],
        },
        Case {
            name: "a wrong TCP checksum",
            form: edited(Preset::HttpGet, &by_hand(CraftField::TcpChecksum, "1")),
            reads: &[("tcp.checksum", "0x0001"), ("tcp.checksum.status", BAD), ("tcp.len", "50")],
        },
        Case {
            name: "a header checksum set by hand to the right value",
            form: edited(Preset::TcpSyn, &by_hand(CraftField::IpChecksum, "0x1041")),
            reads: &[("ip.checksum", "0x1041"), ("ip.checksum.status", GOOD)],
        },
        Case {
            name: "a UDP length set by hand",
            form: edited(Preset::DnsQuery, &by_hand(CraftField::UdpLength, "30")),
            reads: &[("udp.length", "30"), ("ip.checksum.status", GOOD)],
        },
    ]
}

fn write_pcap(dir: &Path, name: &str, packet: &Crafted) -> PathBuf {
    let path = dir.join(format!("{}.pcap", name.replace(' ', "-")));
    std::fs::write(&path, packet.pcap(1_764_547_200_000_000))
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    path
}

#[test]
fn tshark_reads_every_field_as_set_and_the_checksums_as_computed() {
    let Some(tshark) = tshark() else { return };
    let dir = scratch("tshark");
    // One file with every case's packet, read once (tshark takes seconds to start), asked for
    // every field any case names; each line is checked for its own case's fields.
    let cases = cases();
    let packets: Vec<TimedPacket> = cases
        .iter()
        .enumerate()
        .map(|(index, case)| TimedPacket {
            at_us: 1_764_547_200_000_000 + index as u64,
            bytes: crafted(case.name, &case.form).bytes,
        })
        .collect();
    let file = dir.join("cases.pcap");
    std::fs::write(&file, write_ethernet_pcap(&packets))
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", file.display()));
    let mut fields: Vec<&str> = Vec::new();
    for (field, _) in cases.iter().flat_map(|case| case.reads) {
        if !fields.contains(field) {
            fields.push(field);
        }
    }
    let mut command = Command::new(&tshark);
    command.arg("-r").arg(&file).args(["-T", "fields", "-E", "separator=|"]);
    for preference in ["ip.check_checksum:TRUE", "udp.check_checksum:TRUE", "tcp.check_checksum:TRUE"] {
        command.args(["-o", preference]);
    }
    for field in &fields {
        command.args(["-e", field]);
    }
    let read = run(&mut command);
    let lines: Vec<&str> = read.lines().collect();
    assert_eq!(lines.len(), cases.len(), "a line per packet:\n{read}");
    for (case, line) in cases.iter().zip(lines) {
        let values: Vec<&str> = line.split('|').collect();
        let read: Vec<(&str, &str)> = case
            .reads
            .iter()
            .map(|(field, _)| {
                (
                    *field,
                    fields.iter().position(|each| each == field).and_then(|at| values.get(at)).copied().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(read, case.reads, "{}: as tshark reads it", case.name);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads a pcap with scapy's rdpcap and prints its first packet's bytes, then the same packet
/// with every length and checksum deleted, so scapy computes them again.
const RDPCAP: &str = r#"
import sys
from scapy.all import IP, TCP, UDP, Ether, rdpcap
packet = rdpcap(sys.argv[1])[0]
print(bytes(packet).hex(" "))
again = Ether(bytes(packet))
for layer, fields in ((IP, ("len", "chksum", "ihl")), (UDP, ("len", "chksum")), (TCP, ("chksum", "dataofs"))):
    if layer in again:
        for field in fields:
            delattr(again[layer], field)
print(bytes(again).hex(" "))
"#;

#[test]
fn scapy_builds_the_same_bytes_from_the_program_and_reads_our_file() {
    let Some(python) = scapy_python() else { return };
    let dir = scratch("scapy");
    for case in cases() {
        let packet = crafted(case.name, &case.form);
        let ours = to_hex(&packet.bytes);

        // "Copy as scapy", run as written: it prints the bytes and writes crafted-<transport>.pcap.
        let program = case.form.scapy().unwrap_or_else(|problems| panic!("{}: {problems:?}", case.name));
        let printed = run(Command::new(&python).arg("-c").arg(&program).current_dir(&dir));
        assert_eq!(printed.lines().last(), Some(ours.as_str()), "{}: the program's bytes\n{program}", case.name);
        let written = dir.join(wire::packets::craft::pcap_file_name(case.form.transport));
        let file =
            std::fs::read(&written).unwrap_or_else(|error| panic!("{}: no {}: {error}", case.name, written.display()));
        let Ok(mut reader) = pcap_file::pcap::PcapReader::new(&file[..]) else { panic!("{}: scapy's pcap", case.name) };
        let Some(Ok(record)) = reader.next_packet() else { panic!("{}: a packet in scapy's pcap", case.name) };
        assert_eq!(to_hex(&record.data), ours, "{}: the bytes in scapy's pcap", case.name);

        // Our file read by rdpcap, and its lengths and checksums computed by scapy.
        let ours_file = write_pcap(&dir, case.name, &packet);
        let read = run(Command::new(&python).arg("-c").arg(RDPCAP).arg(&ours_file));
        let lines: Vec<&str> = read.lines().collect();
        assert_eq!(lines.first(), Some(&ours.as_str()), "{}: rdpcap's bytes", case.name);
        if packet.differs.is_empty() {
            assert_eq!(lines.get(1), Some(&ours.as_str()), "{}: scapy's own lengths and checksums", case.name);
        } else {
            assert_ne!(lines.get(1), Some(&ours.as_str()), "{}: scapy computes what was set by hand", case.name);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
