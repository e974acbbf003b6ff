//! The echo server's knobs: read from a query, refused with the parameter's name, and written
//! back into a URL without disturbing its other parameters.

use wire::echo_options::{EchoOptions, knob_value, server_may_send, set_knob, with_path};

case_test! {
    fn knobs_read_from_a_query() {
        let cases: [(&str, EchoOptions); 6] = [
            ("", EchoOptions::default()),
            ("delay_ms=250", EchoOptions { delay_ms: Some(250), ..EchoOptions::default() }),
            ("fragment=16&close_after=3", EchoOptions { fragment: Some(16), close_after: Some(3), ..EchoOptions::default() }),
            (
                "close_code=4000&close_reason=see+you",
                EchoOptions { close_code: Some(4000), close_reason: Some("see you".into()), ..EchoOptions::default() },
            ),
            ("ping_ms=1000&subprotocol=chat&compress=off&other=kept", EchoOptions {
                ping_ms: Some(1000),
                subprotocol: Some("chat".into()),
                compress: Some(false),
                ..EchoOptions::default()
            }),
            ("delay_ms=5&delay_ms=7", EchoOptions { delay_ms: Some(7), ..EchoOptions::default() }),
        ];
        for (query, expected) in cases {
            assert_eq!(EchoOptions::from_query(query), Ok(expected), "{query}");
        }
    }

    fn bad_knobs_name_the_parameter() {
        let cases = [
            ("delay_ms=soon", "delay_ms: 'soon' is not a whole number"),
            ("delay_ms=60001", "delay_ms: 60001 ms is more than the 60000 ms allowed"),
            ("fragment=0", "fragment: a frame must carry at least 1 byte"),
            ("close_code=1005", "close_code: a server may not send 1005 (use 1000–1003, 1007–1011 or 3000–4999)"),
            ("close_code=70000", "close_code: '70000' is not a whole number"),
            ("ping_ms=1", "ping_ms: 1 ms is outside 10 to 3600000"),
            ("compress=maybe", "compress: 'maybe' is neither on nor off"),
        ];
        for (query, expected) in cases {
            let error = EchoOptions::from_query(query).err().map(|error| error.to_string());
            assert_eq!(error.as_deref(), Some(expected), "{query}");
        }
        let long_reason = format!("close_reason={}", "x".repeat(124));
        assert!(EchoOptions::from_query(&long_reason).is_err());
    }

    fn knobs_written_into_a_url() {
        let options = EchoOptions { delay_ms: Some(100), close_reason: Some("a b&c".into()), ..EchoOptions::default() };
        let cases = [
            ("ws://127.0.0.1:8080/ws/echo", "ws://127.0.0.1:8080/ws/echo?delay_ms=100&close_reason=a+b%26c"),
            ("ws://h/ws/echo?token=x&delay_ms=5", "ws://h/ws/echo?token=x&delay_ms=100&close_reason=a+b%26c"),
        ];
        for (url, expected) in cases {
            assert_eq!(options.apply_to_url(url).as_deref(), Ok(expected), "{url}");
        }
        assert_eq!(EchoOptions::default().apply_to_url("ws://h/ws/echo?delay_ms=5").as_deref(), Ok("ws://h/ws/echo"));
        let back = EchoOptions::from_query("delay_ms=100&close_reason=a+b%26c");
        assert_eq!(back, Ok(options));
    }

    fn close_codes_a_server_may_send() {
        let allowed: Vec<u16> = [999, 1000, 1003, 1004, 1005, 1006, 1007, 1011, 1012, 1015, 2999, 3000, 4999, 5000]
            .into_iter()
            .filter(|&code| server_may_send(code))
            .collect();
        assert_eq!(allowed, [1000, 1003, 1007, 1011, 3000, 4999]);
    }

    fn single_knobs_edited_in_place() {
        let cases = [
            ("ws://h/ws/echo", "delay_ms", "250", "ws://h/ws/echo?delay_ms=250"),
            ("ws://h/ws/echo?a=1&delay_ms=5&b=2", "delay_ms", "250", "ws://h/ws/echo?a=1&delay_ms=250&b=2"),
            ("ws://h/ws/echo?delay_ms=5", "delay_ms", "", "ws://h/ws/echo"),
            ("ws://h/ws/echo?a=1", "close_reason", "so long", "ws://h/ws/echo?a=1&close_reason=so+long"),
            // Typed as is, even when the server will refuse it.
            ("ws://h/ws/echo", "fragment", "zero", "ws://h/ws/echo?fragment=zero"),
        ];
        for (url, name, value, expected) in cases {
            assert_eq!(set_knob(url, name, value).as_deref(), Some(expected), "{url} {name}={value}");
            if !value.is_empty() {
                assert_eq!(knob_value(expected, name), value);
            }
        }
        assert_eq!(set_knob("not a url", "delay_ms", "1"), None);
        assert_eq!(knob_value("ws://h/ws/echo", "delay_ms"), "");
        assert_eq!(with_path("ws://h:1/ws/echo?delay_ms=5", "/ws/inspect").as_deref(), Some("ws://h:1/ws/inspect?delay_ms=5"));
    }
}
