//! The transcript's lines, its words for the bridge's events, and its cap, as tables.

use crate::bridge_event::{BridgeEvent, CloseReason, ConnectFailure, TimeoutPhase, Transport};
use crate::message_log::Direction;

use super::*;

enum Step {
    Chunk(Direction, &'static [u8]),
    Note(Note),
}

fn run(transport: Transport, steps: Script) -> Transcript {
    let mut transcript = Transcript::new(transport);
    transcript.start(1000.0);
    for (at, step) in steps {
        match step {
            Step::Chunk(direction, bytes) => transcript.push_chunk(direction, bytes, 1000.0 + at),
            Step::Note(note) => transcript.push_note(note, 1000.0 + at),
        };
    }
    transcript
}

fn connected(transport: Transport) -> Note {
    Note::Bridge(BridgeEvent::Connected {
        at_ms: 1.0,
        transport,
        local: "127.0.0.1:50312".into(),
        remote: "127.0.0.1:2525".into(),
        connect_ms: 0.412,
        capture: None,
    })
}

/// Milliseconds after the start, and what happened then.
type Script = Vec<(f64, Step)>;

#[test]
fn sessions_read_as_lines() {
    let cases: Vec<(Transport, Script, Vec<&str>)> = vec![
        (
            Transport::Tcp,
            vec![
                (0.0, Step::Note(Note::Connecting { target: "smtp".into(), transport: Transport::Tcp })),
                (1.5, Step::Note(connected(Transport::Tcp))),
                (2.0, Step::Chunk(Direction::Received, b"220 wirelab ESMTP\r\n")),
                (950.0, Step::Chunk(Direction::Sent, b"EHLO learner\r\n")),
                (1200.0, Step::Note(Note::Bridge(BridgeEvent::PeerFin { at_ms: 1200.0 }))),
            ],
            vec![
                "+0 µs · Connecting to smtp over TCP through the server's bridge…",
                "+1.5 ms · Connected over TCP in 412 µs: 127.0.0.1:50312 (the server's end) → 127.0.0.1:2525",
                "+2.0 ms ← received 19 B 220 wirelab ESMTP␍␊",
                "+950.0 ms → sent 14 B EHLO learner␍␊",
                "+1.20 s · The peer closed its side (FIN): no more bytes will come",
            ],
        ),
        (
            Transport::Udp,
            vec![(0.5, Step::Chunk(Direction::Sent, b"one")), (0.7, Step::Chunk(Direction::Received, b"one"))],
            vec!["+500 µs → sent datagram, 3 B one", "+700 µs ← received datagram, 3 B one"],
        ),
    ];
    for (transport, steps, lines) in cases {
        assert_eq!(run(transport, steps).summary(40), lines);
    }
}

#[test]
fn notes_say_what_happened_and_whether_it_is_a_problem() {
    let cases: Vec<(Note, &str, bool)> = vec![
        (
            Note::Bridge(BridgeEvent::Reset { at_ms: 1.0, error: "Connection reset by peer (os error 104)".into() }),
            "The peer reset the connection (RST): Connection reset by peer (os error 104)",
            true,
        ),
        (
            Note::Bridge(BridgeEvent::Timeout { at_ms: 1.0, phase: TimeoutPhase::Idle, limit_ms: 60000 }),
            "Timed out: nothing sent or received for 60000 ms",
            true,
        ),
        (
            Note::Bridge(BridgeEvent::ConnectFailed {
                at_ms: 1.0,
                reason: ConnectFailure::Refused,
                error: "Connection refused (os error 111)".into(),
            }),
            "Connection refused: nothing listens there (Connection refused (os error 111))",
            true,
        ),
        (
            Note::Bridge(BridgeEvent::Closed {
                at_ms: 1.0,
                reason: CloseReason::Finished,
                detail: "both sides sent FIN".into(),
            }),
            "Bridge closed: both sides sent FIN",
            false,
        ),
        (
            Note::Bridge(BridgeEvent::Closed {
                at_ms: 1.0,
                reason: CloseReason::ByteLimit,
                detail: "the byte limit".into(),
            }),
            "Bridge closed: the byte limit",
            true,
        ),
        (
            Note::Lost { code: 1006, reason: String::new() },
            "The connection to the bridge was lost (WebSocket close 1006)",
            true,
        ),
        (
            Note::Refused("The server refused the connection (403): no".into()),
            "The server refused the connection (403): no",
            true,
        ),
        (Note::Info("Data connection for LIST".into()), "Data connection for LIST", false),
    ];
    for (note, text, problem) in cases {
        assert_eq!((note.text().as_str(), note.is_problem()), (text, problem), "{note:?}");
    }
}

#[test]
fn the_cap_drops_the_oldest_and_counts_them() {
    // (max entries, max bytes, chunk sizes pushed, entries kept, notice)
    type Cap = (usize, usize, Vec<usize>, usize, Option<&'static str>);
    let cases: Vec<Cap> = vec![
        (10, 1000, vec![10, 10, 10], 3, None),
        (
            2,
            1000,
            vec![10, 20, 30],
            2,
            Some("1 earlier entry (10 B) dropped to keep the transcript within 2 entries and 1000 B"),
        ),
        (
            100,
            25,
            vec![10, 10, 10],
            2,
            Some("1 earlier entry (10 B) dropped to keep the transcript within 100 entries and 25 B"),
        ),
        (
            100,
            5,
            vec![10, 10],
            1,
            Some("1 earlier entry (10 B) dropped to keep the transcript within 100 entries and 5 B"),
        ),
    ];
    for (max_entries, max_bytes, sizes, kept, notice) in cases {
        let mut transcript = Transcript::with_limits(Transport::Tcp, max_entries, max_bytes);
        for size in &sizes {
            transcript.push_chunk(Direction::Received, &vec![b'x'; *size], 0.0);
        }
        assert_eq!(transcript.len(), kept, "{sizes:?}");
        assert_eq!(transcript.dropped_notice().as_deref(), notice, "{sizes:?}");
        assert_eq!(transcript.received().bytes, sizes.iter().sum::<usize>() as u64, "totals count dropped chunks");
        let last_id = sizes.len() as u64 - 1;
        assert!(transcript.by_id(last_id).is_some(), "the newest entry is always kept");
    }
}

#[test]
fn text_export_shows_every_byte() {
    let transcript = run(
        Transport::Tcp,
        vec![
            (1.0, Step::Chunk(Direction::Received, b"250-first\r\n250 last\r\n")),
            (2.0, Step::Chunk(Direction::Sent, b"\x00")),
        ],
    );
    assert_eq!(
        transcript.to_text(),
        "+1.0 ms ← received 21 B\n    250-first␍␊\n    250 last␍␊\n+2.0 ms → sent 1 B\n    ␀\n"
    );
}

#[test]
fn hex_rows_come_from_the_chunk() {
    let transcript = run(Transport::Tcp, vec![(1.0, Step::Chunk(Direction::Received, b"OK\r\n"))]);
    let rows: Vec<String> =
        transcript.iter().flat_map(Entry::hex_rows).map(|row| row.hex.trim_end().to_string()).collect();
    assert_eq!(rows, ["4f 4b 0d 0a"]);
}
