//! wire::packets held against Wireshark's tshark (Debian's package; `cargo xtask setup` installs
//! it): the sample capture written as pcap, converted by editcap to pcapng and to nanosecond
//! pcap, is read by both, and every row's columns (number, length, time, protocol, source,
//! destination, info, TCP stream) and a set of dissected fields must agree. Native only.

#![cfg(not(target_arch = "wasm32"))]

#[path = "cases/packets_support.rs"]
mod packets_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use wire::packets::capture::{PacketRow, read_all};
use wire::packets::dissect::{dissect_frame, field_text};

/// This test thread's scratch folder (removed when the test's `Scratch` guard drops).
fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "wirelab-packets-tshark-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ))
}

fn scratch(name: &str) -> PathBuf {
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    dir.join(name)
}

/// Removes the thread's scratch folder when the test ends, passed or not.
struct Scratch;

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(scratch_dir());
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|error| {
        panic!("{program} did not start ({error}): install Debian's tshark (cargo xtask setup)")
    });
    assert!(output.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// tshark's values of `fields` for every packet of `file`, one row per packet.
fn tshark_fields(file: &Path, fields: &[&str]) -> Vec<Vec<String>> {
    let mut args =
        vec!["-n", "-r", file.to_str().unwrap_or_default(), "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"];
    for field in fields {
        args.push("-e");
        args.push(field);
    }
    run("tshark", &args).lines().map(|line| line.split('\t').map(str::to_string).collect()).collect()
}

/// The columns both sides fill, ours first.
fn our_columns(row: &PacketRow) -> Vec<String> {
    vec![
        row.number.to_string(),
        row.length.to_string(),
        row.time_text(),
        row.protocol.clone(),
        row.source.clone(),
        row.destination.clone(),
        row.info.clone(),
        row.tcp_stream.map(|stream| stream.to_string()).unwrap_or_default(),
    ]
}

fn their_columns(fields: &[String]) -> Vec<String> {
    let mut columns = fields.to_vec();
    // frame.time_relative has nanosecond digits: the list shows microseconds.
    if let Some(time) = columns.get_mut(2)
        && let Some((seconds, fraction)) = time.split_once('.')
    {
        *time = format!("{seconds}.{:0<6}", &fraction[..fraction.len().min(6)]);
    }
    columns
}

fn files() -> Vec<(String, PathBuf)> {
    let pcap = scratch("sample.pcap");
    std::fs::write(&pcap, packets_support::sample_pcap()).unwrap_or_else(|error| panic!("write: {error}"));
    let pcapng = scratch("sample.pcapng");
    run("editcap", &["-F", "pcapng", pcap.to_str().unwrap_or_default(), pcapng.to_str().unwrap_or_default()]);
    let nanoseconds = scratch("sample-ns.pcap");
    run("editcap", &["-F", "nsecpcap", pcap.to_str().unwrap_or_default(), nanoseconds.to_str().unwrap_or_default()]);
    vec![("pcap".into(), pcap), ("pcapng (editcap)".into(), pcapng), ("nanosecond pcap (editcap)".into(), nanoseconds)]
}

#[test]
fn every_rows_columns_agree_with_tshark() {
    let _scratch = Scratch;
    let fields = [
        "frame.number",
        "frame.len",
        "frame.time_relative",
        "_ws.col.Protocol",
        "_ws.col.Source",
        "_ws.col.Destination",
        "_ws.col.Info",
        "tcp.stream",
    ];
    for (kind, file) in files() {
        let bytes = std::fs::read(&file).unwrap_or_else(|error| panic!("read {}: {error}", file.display()));
        let capture = read_all(&bytes).unwrap_or_else(|error| panic!("{kind}: {error}"));
        assert_eq!(capture.problem, None, "{kind}");
        let theirs = tshark_fields(&file, &fields);
        assert_eq!(capture.rows.len(), theirs.len(), "{kind}: packet count");
        let mut differences = Vec::new();
        for (row, their) in capture.rows.iter().zip(&theirs) {
            let ours = our_columns(row);
            let their = their_columns(their);
            for ((field, a), b) in fields.iter().zip(&ours).zip(&their) {
                if a.trim_end() != b.trim_end() {
                    differences.push(format!("{kind} #{} {field}: ours {a:?}, tshark {b:?}", row.number));
                }
            }
        }
        assert!(differences.is_empty(), "{}", differences.join("\n"));
    }
}

#[test]
fn dissected_fields_agree_with_tshark() {
    let _scratch = Scratch;
    // (our path, tshark's field) for every packet where tshark has a value.
    let pairs = [
        ("ethernet.source", "eth.src"),
        ("ethernet.destination", "eth.dst"),
        ("ipv4.ttl", "ip.ttl"),
        ("ipv4.total_length", "ip.len"),
        ("ipv4.source", "ip.src"),
        ("ipv4.destination", "ip.dst"),
        ("ipv6.source", "ipv6.src"),
        ("ipv6.hop_limit", "ipv6.hlim"),
        ("tcp.source_port", "tcp.srcport"),
        ("tcp.destination_port", "tcp.dstport"),
        ("tcp.window", "tcp.window_size_value"),
        ("tcp.sequence_number", "tcp.seq_raw"),
        ("udp.source_port", "udp.srcport"),
        ("udp.length", "udp.length"),
        ("arp.sender_ip", "arp.src.proto_ipv4"),
        ("arp.target_ip", "arp.dst.proto_ipv4"),
        ("dns.id", "dns.id"),
        ("dns.questions.0.name", "dns.qry.name"),
        ("dns.answers.0.address", "dns.a"),
        ("http.method", "http.request.method"),
        ("http.target", "http.request.uri"),
        ("http.status", "http.response.code"),
        ("icmp.sequence", "icmp.seq"),
        ("icmpv6.identifier", "icmpv6.echo.identifier"),
        ("ethernet.vlan.0.tci.vlan_id", "vlan.id"),
        ("websocket.0.payload", "websocket.payload.text"),
    ];
    let tshark_names: Vec<&str> = pairs.iter().map(|(_, theirs)| *theirs).collect();
    let (_, file) = files().remove(0);
    let bytes = std::fs::read(&file).unwrap_or_else(|error| panic!("read: {error}"));
    let capture = read_all(&bytes).unwrap_or_else(|error| panic!("{error}"));
    let theirs = tshark_fields(&file, &tshark_names);
    let mut compared = 0;
    let mut differences = Vec::new();
    for (row, their) in capture.rows.iter().zip(&theirs) {
        let frame = row.record.bytes(&bytes);
        let dissection = wire::packets::dissect::dissect_frame_with(
            row.record.data_link(),
            frame,
            wire::packets::dissect::StreamHint { websocket: row.websocket },
        );
        assert_eq!(dissection.error, None, "packet {}", row.number);
        for ((ours_path, their_name), their_value) in pairs.iter().zip(their) {
            if their_value.is_empty() {
                continue;
            }
            let ours = field_text(&dissection.document, ours_path).unwrap_or_default();
            let their_value = match *their_name {
                "dns.id" | "icmpv6.echo.identifier" => u16::from_str_radix(their_value.trim_start_matches("0x"), 16)
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                _ => their_value.clone(),
            };
            compared += 1;
            if ours != their_value {
                differences
                    .push(format!("#{} {ours_path}: ours {ours:?}, tshark {their_name} {their_value:?}", row.number));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(compared > 60, "only {compared} fields compared");
    // Every frame is mapped byte for byte, with no span overlapping another.
    for row in &capture.rows {
        let frame = row.record.bytes(&bytes);
        let dissection = dissect_frame(row.record.data_link(), frame);
        assert_eq!(dissection.map.check(frame.len()), Ok(()), "packet {}", row.number);
        assert_eq!(dissection.map.covered_bytes(), frame.len(), "packet {} has unmapped bytes", row.number);
    }
}
