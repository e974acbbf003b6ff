//! The capped message log: dropping, totals, lookup by id, and the filter.

use wire::message_log::{Direction, EntryBody, EventKind, LogFilter, MessageLog, Payload};

fn text(s: &str) -> Payload {
    Payload::Text(s.to_string())
}

fn sample_log() -> MessageLog {
    let mut log = MessageLog::with_capacity(100);
    log.push_event(EventKind::Info, "Connected to ws://127.0.0.1:8080/ws/echo", 0.0);
    log.push_message(Direction::Sent, text("hello"), 1.0);
    log.push_message(Direction::Received, text("HELLO back"), 2.0);
    log.push_message(Direction::Sent, Payload::Binary(vec![0xde, 0xad, 0xbe, 0xef]), 3.0);
    log.push_message(Direction::Received, Payload::Binary(vec![0x00, 0xde, 0xad, 0xbe, 0xef]), 4.0);
    log.push_event(EventKind::Error, "Closed 1006 Abnormal Closure", 5.0);
    log
}

case_test! {
    fn the_cap_drops_the_oldest_and_counts_them() {
        let mut log = MessageLog::with_capacity(3);
        for n in 0..5 {
            log.push_message(Direction::Received, text(&n.to_string()), n as f64);
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.dropped(), 2);
        let kept: Vec<u64> = log.iter().map(|entry| entry.id).collect();
        assert_eq!(kept, [2, 3, 4]);
        assert!(log.by_id(1).is_none());
        assert_eq!(log.by_id(3).map(|entry| entry.at_ms), Some(3.0));
        assert!(log.by_id(5).is_none());
        assert_eq!(log.received().messages, 5, "totals count dropped messages too");
    }

    fn totals_per_direction() {
        let log = sample_log();
        assert_eq!((log.sent().messages, log.sent().bytes), (2, 9));
        assert_eq!((log.received().messages, log.received().bytes), (2, 15));
    }

    fn clear_keeps_ids_increasing() {
        let mut log = sample_log();
        log.clear();
        assert!(log.is_empty());
        assert_eq!((log.dropped(), log.sent().messages), (0, 0));
        let id = log.push_message(Direction::Sent, text("again"), 9.0);
        assert_eq!(id, 6);
        assert_eq!(log.by_id(6).map(|entry| entry.at_ms), Some(9.0));
    }

    fn filters() {
        let log = sample_log();
        let cases: [(&str, Option<Direction>, &[usize]); 8] = [
            ("", None, &[0, 1, 2, 3, 4, 5]),
            ("hello", None, &[1, 2]),
            ("HELLO", Some(Direction::Received), &[2]),
            ("", Some(Direction::Sent), &[1, 3]),
            ("de ad", None, &[3, 4]),
            ("00de", None, &[4]),
            ("1006", None, &[5]),
            ("nothing like it", None, &[]),
        ];
        for (query, direction, expected) in cases {
            let filter = LogFilter { query: query.to_string(), direction };
            assert_eq!(log.matching(&filter), expected, "{query:?} {direction:?}");
        }
    }

    fn previews() {
        let cases = [
            (text("line one\nline\ttwo"), 40, "line one\\nline\\ttwo"),
            (text("abcdefghij"), 4, "abcd…"),
            (text("bell\u{7}"), 10, "bell·"),
            (Payload::Binary(vec![1, 2, 3]), 30, "01 02 03"),
            (Payload::Binary((0..20).collect()), 12, "00 01 02 03 …"),
        ];
        for (payload, max, expected) in cases {
            assert_eq!(payload.preview(max), expected);
        }
    }

    fn events_are_entries() {
        let log = sample_log();
        match log.entry(5).map(|entry| &entry.body) {
            Some(EntryBody::Event { kind, text }) => {
                assert_eq!(*kind, EventKind::Error);
                assert!(text.contains("1006"));
            }
            other => panic!("expected an event, got {other:?}"),
        }
    }
}
