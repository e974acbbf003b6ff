//! Tests of `wire::packets::follow`: segments in order, out of order, retransmitted, overlapping
//! and missing, each direction put back together as Wireshark's "Follow TCP stream" shows it.

use std::net::{IpAddr, Ipv4Addr};

use expect_test::{Expect, expect};
use wire::packets::follow::{ChunkContent, Direction, FollowedStream, Segment, follow};

const CLIENT: (IpAddr, u16) = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 40000);
const SERVER: (IpAddr, u16) = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 80);

/// (to server, seq, flags "S"/"F"/"", payload) as segments numbered from 1.
fn segments(list: &[(bool, u32, &str, &'static [u8])]) -> Vec<Segment<'static>> {
    list.iter()
        .enumerate()
        .map(|(index, (to_server, seq, flags, payload))| {
            let (from, to) = if *to_server { (CLIENT, SERVER) } else { (SERVER, CLIENT) };
            Segment {
                packet: index as u32 + 1,
                from,
                to,
                seq: *seq,
                syn: flags.contains('S'),
                fin: flags.contains('F'),
                payload,
            }
        })
        .collect()
}

fn render(stream: &FollowedStream) -> String {
    let mut out = String::new();
    for chunk in &stream.chunks {
        let arrow = match chunk.direction {
            Direction::ClientToServer => ">",
            Direction::ServerToClient => "<",
        };
        match &chunk.content {
            ChunkContent::Bytes(bytes) => {
                out.push_str(&format!("{arrow} #{} {:?}\n", chunk.packet, String::from_utf8_lossy(bytes)))
            }
            ChunkContent::Missing(count) => out.push_str(&format!("{arrow} #{} [{count} missing]\n", chunk.packet)),
        }
    }
    out.push_str(&stream.summary());
    out.push('\n');
    out
}

fn check(list: &[(bool, u32, &str, &'static [u8])], expected: Expect) {
    expected.assert_eq(&render(&follow(segments(list))));
}

case_test! {
    fn in_order_both_ways() {
        check(&[(true, 100, "S", b""), (false, 500, "S", b""), (true, 101, "", b"GET / "), (true, 107, "", b"HTTP/1.1\r\n"), (false, 501, "", b"200 OK"), (true, 117, "F", b"")], expect![[r#"
            > #3 "GET / HTTP/1.1\r\n"
            < #5 "200 OK"
            10.0.0.1:40000 → 10.0.0.2:80: 16 bytes sent, 6 received
        "#]]);
    }

    fn out_of_order_waits_for_the_bytes_before_it() {
        check(&[(true, 100, "S", b""), (true, 105, "", b"world"), (true, 101, "", b"hell"), (true, 104, "", b"o ")], expect![[r#"
            > #3 "hellworld"
            10.0.0.1:40000 → 10.0.0.2:80: 9 bytes sent, 0 received; 1 retransmission, 1 segment out of order
        "#]]);
    }

    fn a_retransmission_is_delivered_once() {
        check(&[(true, 100, "S", b""), (true, 101, "", b"abc"), (true, 101, "", b"abc"), (true, 104, "", b"def")], expect![[r#"
            > #2 "abcdef"
            10.0.0.1:40000 → 10.0.0.2:80: 6 bytes sent, 0 received; 1 retransmission
        "#]]);
    }

    fn an_overlap_gives_only_its_new_bytes() {
        check(&[(true, 100, "S", b""), (true, 101, "", b"abcd"), (true, 103, "", b"cdef")], expect![[r#"
            > #2 "abcdef"
            10.0.0.1:40000 → 10.0.0.2:80: 6 bytes sent, 0 received; 1 overlap
        "#]]);
    }

    fn a_gap_is_named_with_its_size() {
        check(&[(true, 100, "S", b""), (true, 101, "", b"abc"), (true, 110, "", b"xyz"), (false, 7, "", b"reply")], expect![[r#"
            > #2 "abc"
            < #4 "reply"
            > #3 [6 missing]
            > #3 "xyz"
            10.0.0.1:40000 → 10.0.0.2:80: 6 bytes sent, 5 received; 1 segment out of order, 1 gap (6 bytes missing)
        "#]]);
    }

    fn a_stream_caught_midway_starts_at_its_first_segment() {
        check(&[(false, 9000, "", b"late "), (true, 42, "", b"ask"), (false, 9005, "", b"answer")], expect![[r#"
            > #1 "late "
            < #2 "ask"
            > #3 "answer"
            10.0.0.2:80 → 10.0.0.1:40000: 11 bytes sent, 3 received
        "#]]);
    }

    fn sequence_numbers_wrap() {
        check(&[(true, u32::MAX - 1, "S", b""), (true, u32::MAX, "", b"ab"), (true, 1, "", b"cd")], expect![[r#"
            > #2 "abcd"
            10.0.0.1:40000 → 10.0.0.2:80: 4 bytes sent, 0 received
        "#]]);
    }
}
