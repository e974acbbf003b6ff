//! Tests of `wire::history`: newest first, capped, completed in any order, and read back from
//! storage only when it is exactly the versioned form.

use expect_test::expect;
use wire::history::{HISTORY_CAPACITY, History};
use wire::http_request::{Auth, HttpRequest, KeyValue, RequestBody};

fn get(url: &str) -> HttpRequest {
    HttpRequest { url: url.into(), ..HttpRequest::default() }
}

fn urls(history: &History) -> Vec<&str> {
    history.entries().iter().map(|entry| entry.request.url.as_str()).collect()
}

case_test! {
    fn records_newest_first_and_drops_the_oldest() {
        let mut history = History::with_capacity(3);
        assert!(history.is_empty());
        let ids: Vec<u64> = ["/1", "/2", "/3", "/4", "/5"]
            .iter()
            .enumerate()
            .map(|(index, url)| history.record(get(url), index as f64))
            .collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
        assert_eq!(urls(&history), ["/5", "/4", "/3"]);
        assert_eq!(history.len(), 3);
        assert!(history.get(1).is_none());
        assert_eq!(history.get(4).map(|entry| entry.sent_at_ms), Some(3.0));
        assert_eq!(History::default().capacity(), HISTORY_CAPACITY);

        let mut none_kept = History::with_capacity(0);
        assert_eq!(none_kept.record(get("/x"), 0.0), 1);
        assert!(none_kept.is_empty());
    }

    fn completes_in_any_order() {
        let mut history = History::with_capacity(10);
        let slow = history.record(get("/slow"), 1000.0);
        let fast = history.record(get("/fast"), 1001.0);
        assert!(history.get(slow).is_some_and(|entry| entry.is_pending()));
        history.complete(fast, Some(200), Some(12.5), None);
        history.complete(slow, None, Some(30_000.0), Some("timed out after 30 s".into()));
        history.complete(99, Some(500), None, None); // unknown id: nothing happens
        history.complete(fast, Some(204), Some(f64::NAN), None); // non-finite duration is dropped

        let fast = history.get(fast).cloned().unwrap_or_else(|| panic!("fast entry missing"));
        assert_eq!((fast.status, fast.duration_ms, fast.error), (Some(204), None, None));
        let slow = history.get(slow).cloned().unwrap_or_else(|| panic!("slow entry missing"));
        assert_eq!(slow.status, None);
        assert_eq!(slow.error.as_deref(), Some("timed out after 30 s"));
        assert!(!slow.is_pending());

        assert!(history.remove(1));
        assert!(!history.remove(1));
        history.clear();
        assert!(history.is_empty());
        assert_eq!(history.record(get("/after-clear"), 0.0), 3, "ids are never reused");
    }

    fn stored_form() {
        let mut history = History::with_capacity(5);
        let id = history.record(get("http://127.0.0.1:8080/json"), 1_700_000_000_000.0);
        history.complete(id, Some(200), Some(3.25), None);
        expect![[r#"{"version":1,"entries":[{"id":1,"request":{"method":"GET","url":"http://127.0.0.1:8080/json","headers":[],"body":"None","auth":"None","timeout_ms":30000},"sent_at_ms":1700000000000.0,"status":200,"duration_ms":3.25,"error":null}]}"#]]
            .assert_eq(&history.to_json());
    }

    fn round_trip() {
        let mut history = History::with_capacity(HISTORY_CAPACITY);
        let post = HttpRequest {
            method: "POST".into(),
            url: "https://example.com/api?q=1".into(),
            headers: vec![KeyValue::new("X-Trace", "on"), KeyValue::disabled("X-Off", "1")],
            body: RequestBody::Json("{\"a\": [1, 2]}".into()),
            auth: Auth::Basic { user: "ada".into(), password: "p:w".into() },
            timeout_ms: None,
            include_credentials: true,
        };
        let first = history.record(post, 10.0);
        history.complete(first, None, None, Some("network error".into()));
        history.record(get("http://x/"), 20.0);
        let read = History::from_json(&history.to_json(), HISTORY_CAPACITY);
        assert_eq!(read.as_ref(), Ok(&history));
        // New ids continue after the stored ones.
        let mut read = read.unwrap_or_default();
        assert_eq!(read.record(get("/next"), 30.0), 3);

        // Serde goes through the same versioned form.
        let json = serde_json::to_string(&history).unwrap_or_default();
        assert_eq!(json, history.to_json());
        assert_eq!(serde_json::from_str::<History>(&json).ok(), Some(history));
    }

    fn reading_drops_entries_over_capacity() {
        let mut history = History::with_capacity(10);
        for index in 0..10 {
            history.record(get(&format!("/{index}")), f64::from(index));
        }
        let read = History::from_json(&history.to_json(), 4).unwrap_or_default();
        assert_eq!(urls(&read), ["/9", "/8", "/7", "/6"]);
        assert_eq!(read.capacity(), 4);
    }

    fn corrupt_storage_is_refused_with_a_sentence() {
        let cases = [
            ("", "The saved history is not valid JSON (EOF while parsing a value at line 1, column 0), so it could not be read."),
            ("{\"version\":1,\"entries\":[", "The saved history is not valid JSON (EOF while parsing a list at line 1, column 24), so it could not be read."),
            ("[]", "The saved history is not a JSON object with a version and entries, so it could not be read."),
            ("{\"entries\":[]}", "The saved history has no version number, so it could not be read."),
            ("{\"version\":2,\"entries\":[]}", "The saved history is version 2, but this Wirelab reads version 1, so it could not be read."),
            ("{\"version\":\"1\",\"entries\":[]}", "The saved history is version \"1\", but this Wirelab reads version 1, so it could not be read."),
            ("{\"version\":1}", "The saved history is not in the expected shape (missing field `entries`), so it could not be read."),
            ("{\"version\":1,\"entries\":[{\"id\":1}]}", "The saved history is not in the expected shape (missing field `request`), so it could not be read."),
            ("{\"version\":1,\"entries\":[{\"id\":-1,\"request\":{},\"sent_at_ms\":0}]}", "The saved history is not in the expected shape (invalid value: integer `-1`, expected u64), so it could not be read."),
            ("{\"version\":1,\"entries\":[{\"id\":1,\"request\":{\"body\":\"Pdf\"},\"sent_at_ms\":0}]}", "The saved history is not in the expected shape (unknown variant `Pdf`, expected one of `None`, `Json`, `Xml`, `Form`, `Multipart`, `Text`, `Binary`, `File`), so it could not be read."),
        ];
        for (text, expected) in cases {
            assert_eq!(History::from_json(text, HISTORY_CAPACITY), Err(expected.to_string()), "{text:?}");
        }
    }

    fn missing_optional_fields_take_defaults() {
        let text = r#"{"version":1,"entries":[{"id":7,"request":{"url":"http://x/"},"sent_at_ms":5}]}"#;
        let read = History::from_json(text, HISTORY_CAPACITY).unwrap_or_default();
        let entry = &read.entries()[0];
        assert_eq!(entry.request, get("http://x/"));
        assert!(entry.is_pending());
        let mut read = read;
        assert_eq!(read.record(get("/next"), 6.0), 8);
    }
}
