//! WebSocket URLs and subprotocol lists as people type them.

use wire::endpoint::{check_socket_url, echo_url_for_page, parse_subprotocols};

case_test! {
    fn echo_url_follows_the_page() {
        let cases = [
            ("http:", "127.0.0.1:8080", "ws://127.0.0.1:8080/ws/echo"),
            ("https:", "lab.example:443", "wss://lab.example:443/ws/echo"),
            ("http:", "", "ws://127.0.0.1:8080/ws/echo"),
        ];
        for (protocol, host, expected) in cases {
            assert_eq!(echo_url_for_page(protocol, host), expected);
        }
    }

    fn urls() {
        let cases: [(&str, bool, Result<&str, &str>); 10] = [
            ("ws://127.0.0.1:8080/ws/echo", false, Ok("ws://127.0.0.1:8080/ws/echo")),
            ("  wss://example.com/socket?x=1 ", false, Ok("wss://example.com/socket?x=1")),
            ("http://localhost:8080/ws/echo", false, Ok("ws://localhost:8080/ws/echo")),
            ("https://example.com", true, Ok("wss://example.com/")),
            ("", false, Err("enter a URL, such as ws://127.0.0.1:8080/ws/echo")),
            ("localhost:8080/ws", false, Err("a WebSocket URL starts with ws:// or wss://, not localhost:")),
            ("example.com/ws", false, Err("'example.com/ws' has no scheme: start it with ws:// or wss://")),
            ("ftp://example.com", false, Err("a WebSocket URL starts with ws:// or wss://, not ftp:")),
            ("ws://example.com/#top", false, Err("a WebSocket URL cannot have a #fragment")),
            ("ws://example.com/", true, Err("this page was loaded over HTTPS, so the browser blocks unencrypted ws:// connections (mixed content): use wss://")),
        ];
        for (input, secure, expected) in cases {
            let got = check_socket_url(input, secure).map_err(|error| error.to_string());
            assert_eq!(got, expected.map(str::to_string).map_err(str::to_string), "{input:?}");
        }
    }

    fn subprotocols() {
        let cases: [(&str, Result<&[&str], &str>); 6] = [
            ("", Ok(&[])),
            ("chat", Ok(&["chat"])),
            ("chat, json  wirelab.v1", Ok(&["chat", "json", "wirelab.v1"])),
            ("chat,chat", Err("subprotocol 'chat' is listed twice")),
            ("my/proto", Err("subprotocol 'my/proto' contains '/', which is not allowed in a token")),
            ("héllo", Err("subprotocol 'héllo' contains 'é', which is not allowed in a token")),
        ];
        for (input, expected) in cases {
            let got = parse_subprotocols(input).map_err(|error| error.to_string());
            let expected = expected.map(|list| list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).map_err(str::to_string);
            assert_eq!(got, expected, "{input:?}");
        }
    }
}
