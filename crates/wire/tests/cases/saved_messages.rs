//! Saved WebSocket messages: order, duplicates, the cap, labels, and reading stored text.

use wire::binary_input::PayloadEncoding;
use wire::saved_messages::{SAVED_CAPACITY, SavedMessage, SavedMessages};

case_test! {
    fn newest_first_without_duplicates() {
        let mut saved = SavedMessages::default();
        assert!(saved.save(SavedMessage::new(PayloadEncoding::Text, "hello")));
        assert!(saved.save(SavedMessage::new(PayloadEncoding::Hex, "de ad")));
        assert!(saved.save(SavedMessage::new(PayloadEncoding::Text, "hello")));
        assert!(!saved.save(SavedMessage::new(PayloadEncoding::Text, "")), "empty text is not saved");
        let texts: Vec<&str> = saved.messages().iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["hello", "de ad"]);
        saved.remove(1);
        saved.remove(7);
        assert_eq!(saved.messages().len(), 1);
    }

    fn the_cap_drops_the_oldest() {
        let mut saved = SavedMessages::default();
        for n in 0..SAVED_CAPACITY + 5 {
            saved.save(SavedMessage::new(PayloadEncoding::Text, n.to_string()));
        }
        assert_eq!(saved.messages().len(), SAVED_CAPACITY);
        assert_eq!(saved.messages()[0].text, (SAVED_CAPACITY + 4).to_string());
    }

    fn labels() {
        let cases = [
            (SavedMessage::new(PayloadEncoding::Text, "ping"), "ping"),
            (SavedMessage::new(PayloadEncoding::Text, "line one\nline two"), "line one line tw…"),
            (SavedMessage::new(PayloadEncoding::Hex, "de ad be ef"), "hex: de ad be ef"),
            (SavedMessage { encoding: "nonsense".into(), text: "x".into() }, "x"),
        ];
        for (message, expected) in cases {
            assert_eq!(message.label(16), expected);
        }
    }

    fn stored_text_round_trips_and_bad_text_is_refused() {
        let mut saved = SavedMessages::default();
        saved.save(SavedMessage::new(PayloadEncoding::Base64, "3q2+7w=="));
        assert_eq!(SavedMessages::from_json(&saved.to_json()), Ok(saved));
        let refused = [
            ("", "the saved messages are not in the expected form"),
            ("[1,2]", "the saved messages are not in the expected form"),
            ("{\"version\":2,\"messages\":[]}", "the saved messages have version 2, this Wirelab reads version 1"),
        ];
        for (text, expected) in refused {
            let error = SavedMessages::from_json(text).expect_err(text);
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }
}
