//! Targets as typed, the bridge's URLs, the peer list and the server's refusals.

use super::*;

const PEERS: [&str; 4] = ["echo", "smtp", "pop3", "ftp"];

#[test]
fn targets_are_read_as_typed() {
    let cases: [(&str, &[&str], Result<Target, &str>); 11] = [
        ("smtp", &PEERS, Ok(Target::Peer("smtp".into()))),
        (" SMTP ", &PEERS, Ok(Target::Peer("smtp".into()))),
        ("127.0.0.1:2525", &PEERS, Ok(Target::Address { host: "127.0.0.1".into(), port: 2525 })),
        ("[::1]:25", &PEERS, Ok(Target::Address { host: "::1".into(), port: 25 })),
        ("mail.example:25", &PEERS, Ok(Target::Address { host: "mail.example".into(), port: 25 })),
        ("imap", &[], Ok(Target::Peer("imap".into()))),
        (
            "imap",
            &PEERS,
            Err(
                "no built-in peer is called 'imap' (there are: echo, smtp, pop3, ftp); for another service type HOST:PORT at line 1, column 1",
            ),
        ),
        ("", &PEERS, Err("choose a peer, or type HOST:PORT at line 1, column 1")),
        ("host:0", &PEERS, Err("'0' is not a port: a number from 1 to 65535 at line 1, column 6")),
        (" ::1:25", &PEERS, Err("an IPv6 address goes in brackets: [::1]:25 at line 1, column 2")),
        (":25", &PEERS, Err("the host is missing before ':' at line 1, column 1")),
    ];
    for (typed, names, expected) in cases {
        let got = Target::parse(typed, names).map_err(|error| error.to_string());
        assert_eq!(got, expected.map_err(str::to_string), "{typed:?}");
    }
}

#[test]
fn bridge_urls_follow_the_page() {
    let smtp = Target::Peer("smtp".into());
    let v6 = Target::Address { host: "::1".into(), port: 7 };
    let cases = [
        ("http:", "127.0.0.1:8080", Transport::Tcp, &smtp, "ws://127.0.0.1:8080/ws/tcp?to=smtp"),
        ("https:", "lab.example", Transport::Udp, &v6, "wss://lab.example/ws/udp?to=%5B%3A%3A1%5D%3A7"),
    ];
    for (protocol, host, transport, target, url) in cases {
        assert_eq!(bridge_url(protocol, host, transport, target), url);
    }
    assert_eq!(bridge_http_url("wss://lab.example/ws/tcp?to=smtp"), "https://lab.example/ws/tcp?to=smtp");
    assert_eq!(bridge_http_url("ws://h/ws/tcp?to=smtp"), "http://h/ws/tcp?to=smtp");
}

#[test]
fn protocols_come_from_the_peer_or_the_port() {
    let peers = vec![Peer {
        name: "mail".into(),
        protocol: "smtp".into(),
        transport: Transport::Tcp,
        host: "127.0.0.1".into(),
        port: 2525,
    }];
    let cases = [
        (Target::Peer("mail".into()), Protocol::Smtp),
        (Target::Peer("ftp".into()), Protocol::Ftp),
        (Target::Address { host: "h".into(), port: 110 }, Protocol::Pop3),
        (Target::Address { host: "h".into(), port: 8080 }, Protocol::Raw),
    ];
    for (target, protocol) in cases {
        assert_eq!(target.protocol(&peers), protocol, "{target:?}");
    }
    let address = Target::Peer("mail".into()).socket_address(&peers, Transport::Tcp);
    assert_eq!(address, Some(("127.0.0.1".to_string(), 2525)));
}

#[test]
fn the_peer_list_is_read_from_api_info() {
    let cases: [(&str, Result<usize, &str>); 3] = [
        (
            r#"{"name":"wirelab","peers":[{"name":"echo","protocol":"echo","transport":"udp","host":"127.0.0.1","port":7007}]}"#,
            Ok(1),
        ),
        (r#"{"name":"wirelab"}"#, Ok(0)),
        (
            r#"{"peers":[{"name":"echo"}]}"#,
            Err("the server's peer list is unreadable: missing field `protocol` at line 1, column 25"),
        ),
    ];
    for (json, expected) in cases {
        let got = peers_from_info(json).map(|peers| peers.len()).map_err(|error| error.to_string());
        assert_eq!(got, expected.map_err(str::to_string), "{json}");
    }
}

#[test]
fn refusals_read_the_servers_words() {
    let cases = [
        (
            403,
            r#"{"error":"127.0.0.1:25 is not allowed: add --allow-connect 127.0.0.1:25","status":403}"#,
            "The server refused the connection (403): 127.0.0.1:25 is not allowed: add --allow-connect 127.0.0.1:25",
        ),
        (502, "Bad Gateway", "The server refused the connection with HTTP 502"),
    ];
    for (status, body, message) in cases {
        assert_eq!(refusal_message(status, body), message);
    }
}
