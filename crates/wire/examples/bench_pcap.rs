//! Writes the deterministic capture `cargo xtask bench-pcap` opens: about 50 MB of mixed traffic
//! (HTTP exchanges with bodies cut into segments, DNS over UDP, WebSocket conversations after
//! their upgrade, plain UDP), built with etherparse and written by `wire::packets::pcap_writer`.
//! The same arguments always give the same bytes.
//!
//! `cargo run -p wirelab-wire --release --example bench_pcap -- OUT.pcap [MEGABYTES]`

use etherparse::PacketBuilder;
use wire::packets::pcap_writer::{TimedPacket, write_ethernet_pcap};

/// SplitMix64: a fixed sequence from a fixed seed.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Writer {
    packets: Vec<TimedPacket>,
    at_us: u64,
    bytes: usize,
}

impl Writer {
    fn push(&mut self, frame: Vec<u8>, gap_us: u64) {
        self.at_us += gap_us;
        self.bytes += 16 + frame.len();
        self.packets.push(TimedPacket { at_us: self.at_us, bytes: frame });
    }
}

fn host(index: u64) -> [u8; 4] {
    [10, 1, (index >> 8) as u8, index as u8]
}

fn tcp(from: ([u8; 4], u16), to: ([u8; 4], u16), seq: u32, ack: u32, flags: &str, payload: &[u8]) -> Vec<u8> {
    let mut builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, from.0[3]], [2, 0, 0, 0, 0, to.0[3]])
        .ipv4(from.0, to.0, 64)
        .tcp(from.1, to.1, seq, 502);
    if flags.contains('A') {
        builder = builder.ack(ack);
    }
    if flags.contains('S') {
        builder = builder.syn();
    }
    if flags.contains('P') {
        builder = builder.psh();
    }
    if flags.contains('F') {
        builder = builder.fin();
    }
    let mut bytes = Vec::with_capacity(54 + payload.len());
    if builder.write(&mut bytes, payload).is_err() {
        bytes.clear();
    }
    bytes
}

fn udp(from: ([u8; 4], u16), to: ([u8; 4], u16), payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(42 + payload.len());
    let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, from.0[3]], [2, 0, 0, 0, 0, to.0[3]])
        .ipv4(from.0, to.0, 64)
        .udp(from.1, to.1);
    if builder.write(&mut bytes, payload).is_err() {
        bytes.clear();
    }
    bytes
}

/// A TCP conversation: handshake, then `exchanges` of (client bytes, server bytes) cut into
/// segments of at most 1448 bytes, then FINs.
fn conversation(
    out: &mut Writer,
    numbers: &mut Numbers,
    client: ([u8; 4], u16),
    server: ([u8; 4], u16),
    exchanges: &[(Vec<u8>, Vec<u8>)],
) {
    let (mut c, mut s) = (numbers.next() as u32, numbers.next() as u32);
    out.push(tcp(client, server, c, 0, "S", b""), 40 + numbers.below(200));
    out.push(tcp(server, client, s, c.wrapping_add(1), "SA", b""), 100 + numbers.below(400));
    c = c.wrapping_add(1);
    s = s.wrapping_add(1);
    out.push(tcp(client, server, c, s, "A", b""), 30);
    for (request, response) in exchanges {
        for piece in request.chunks(1448) {
            out.push(tcp(client, server, c, s, "PA", piece), 20 + numbers.below(100));
            c = c.wrapping_add(piece.len() as u32);
        }
        for piece in response.chunks(1448) {
            out.push(tcp(server, client, s, c, "PA", piece), 50 + numbers.below(300));
            s = s.wrapping_add(piece.len() as u32);
        }
        out.push(tcp(client, server, c, s, "A", b""), 20);
    }
    out.push(tcp(client, server, c, s, "FA", b""), 100);
    out.push(tcp(server, client, s, c.wrapping_add(1), "FA", b""), 80);
}

fn body(numbers: &mut Numbers, len: usize) -> Vec<u8> {
    let words = [&b"wirelab "[..], b"packet ", b"capture ", b"stream ", b"bytes ", b"frame\n"];
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        out.extend_from_slice(words[numbers.below(words.len() as u64) as usize]);
    }
    out.truncate(len);
    out
}

fn dns_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.') {
        out.push(label.len() as u8);
        out.extend(label.as_bytes());
    }
    out.push(0);
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: bench_pcap OUT.pcap [MEGABYTES]");
        std::process::exit(2);
    };
    let megabytes: usize = args.get(1).and_then(|text| text.parse().ok()).unwrap_or(50);
    let target = megabytes * 1_000_000;
    let mut numbers = Numbers(14);
    let mut out = Writer { packets: Vec::new(), at_us: 1_700_000_000_000_000, bytes: 24 };
    let server_web = (host(1), 80);
    let server_dns = (host(2), 53);
    let server_ws = (host(3), 8080);
    let mut round = 0u64;
    while out.bytes < target {
        round += 1;
        let client_ip = host(10 + numbers.below(200));
        let port = 30000 + (round % 30000) as u16;
        match numbers.below(10) {
            0..=3 => {
                let mut exchanges = Vec::new();
                for request in 0..1 + numbers.below(3) {
                    let length = 200 + numbers.below(12_000) as usize;
                    let request = format!("GET /items/{round}/{request} HTTP/1.1\r\nHost: web.lab\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n").into_bytes();
                    let mut response =
                        format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {length}\r\n\r\n")
                            .into_bytes();
                    response.extend(body(&mut numbers, length));
                    exchanges.push((request, response));
                }
                conversation(&mut out, &mut numbers, (client_ip, port), server_web, &exchanges);
            }
            4..=6 => {
                let id = numbers.below(65536) as u16;
                let name = format!("host{}.example.lab", numbers.below(500));
                let mut query = vec![(id >> 8) as u8, id as u8, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
                query.extend(dns_name(&name));
                query.extend([0, 1, 0, 1]);
                let mut answer = query.clone();
                answer[2] = 0x81;
                answer[3] = 0x80;
                answer[7] = 1;
                answer.extend([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, numbers.below(256) as u8, 1]);
                out.push(udp((client_ip, port), server_dns, &query), 200 + numbers.below(2000));
                out.push(udp(server_dns, (client_ip, port), &answer), 300 + numbers.below(900));
            }
            7 | 8 => {
                let upgrade = b"GET /ws HTTP/1.1\r\nHost: ws.lab\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".to_vec();
                let switched = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n".to_vec();
                let mut exchanges = vec![(upgrade, switched)];
                for _ in 0..2 + numbers.below(6) {
                    let len = 20 + numbers.below(400) as usize;
                    let text = body(&mut numbers, len);
                    let key = [0x11, 0x22, 0x33, 0x44];
                    let mut masked = vec![0x81];
                    let mut plain = vec![0x81];
                    if text.len() < 126 {
                        masked.push(0x80 | text.len() as u8);
                        plain.push(text.len() as u8);
                    } else {
                        masked.extend([0x80 | 126, (text.len() >> 8) as u8, text.len() as u8]);
                        plain.extend([126, (text.len() >> 8) as u8, text.len() as u8]);
                    }
                    masked.extend(key);
                    masked.extend(text.iter().enumerate().map(|(index, byte)| byte ^ key[index % 4]));
                    plain.extend(&text);
                    exchanges.push((masked, plain));
                }
                conversation(&mut out, &mut numbers, (client_ip, port), server_ws, &exchanges);
            }
            _ => {
                let len = 40 + numbers.below(1200) as usize;
                let payload = body(&mut numbers, len);
                out.push(udp((client_ip, port), (host(4), 9999), &payload), 100 + numbers.below(500));
            }
        }
    }
    let file = write_ethernet_pcap(&out.packets);
    if let Err(error) = std::fs::write(path, &file) {
        eprintln!("{path}: {error}");
        std::process::exit(1);
    }
    println!("{path}: {} packets, {} bytes", out.packets.len(), file.len());
}
