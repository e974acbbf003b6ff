//! Close codes: names, and which closes a browser lets a script send.

use wire::connection::{ConnectionState, check_client_close, close_code_name};

case_test! {
    fn names() {
        let cases = [(1000, "Normal Closure"), (1001, "Going Away"), (1006, "Abnormal Closure"),
            (1009, "Message Too Big"), (999, "Not Used"), (2000, "Reserved for the Protocol"),
            (3001, "Registered (libraries and frameworks)"), (4000, "Private Use (applications)"), (5000, "Invalid")];
        for (code, name) in cases {
            assert_eq!(close_code_name(code), name, "{code}");
        }
    }

    fn client_closes() {
        let long_reason = "x".repeat(124);
        let cases: [(u16, &str, Result<(), &str>); 6] = [
            (1000, "done", Ok(())),
            (3000, "", Ok(())),
            (4999, &long_reason[..123], Ok(())),
            (1001, "", Err("a browser may only send close code 1000 or 3000–4999, not 1001")),
            (2999, "", Err("a browser may only send close code 1000 or 3000–4999, not 2999")),
            (1000, &long_reason, Err("the close reason is 124 bytes; the limit is 123 bytes of UTF-8")),
        ];
        for (code, reason, expected) in cases {
            let got = check_client_close(code, reason).map_err(|error| error.to_string());
            assert_eq!(got, expected.map_err(str::to_string), "{code} {reason:?}");
        }
    }

    fn states() {
        assert!(ConnectionState::Idle.can_connect());
        assert!(!ConnectionState::Connecting.can_connect());
        let open = ConnectionState::Open { protocol: String::new(), extensions: String::new() };
        assert!(open.is_open() && !open.can_connect());
        assert_eq!(open.label(), "open");
    }
}
