//! The SMTP peer against real clients (Python's smtplib, curl's smtp://, a raw socket) and the
//! mailbox they fill, read back through `GET /api/mailbox`.

mod peers_support;
mod support;

use std::net::SocketAddr;

use peers_support::{PeersServer, curl, get, python, within};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wirelab_server::PeersConfig;

/// Sends a multipart message (text, HTML alternative, a binary attachment) with smtplib.
const SEND_MULTIPART: &str = r#"
import smtplib, sys
from email.message import EmailMessage
message = EmailMessage()
message["From"] = "Ada <ada@example.org>"
message["To"] = "lab@wirelab.test"
message["Subject"] = "Résumé attached"
message.set_content("Hello,\n.a line that starts with a dot\n")
message.add_alternative("<p>Hello</p>", subtype="html")
message.add_attachment(bytes(range(256)), maintype="application", subtype="octet-stream", filename="bytes.bin")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as smtp:
    refused = smtp.send_message(message, from_addr="bounce@example.org", to_addrs=["lab@wirelab.test", "cc@elsewhere.test"])
    assert refused == {}, refused
print("sent")
"#;

#[tokio::test]
async fn smtplib_delivers_a_multipart_message_that_api_mailbox_shows_in_parts() {
    let server = PeersServer::start().await;
    let out = python(SEND_MULTIPART, &[server.port("smtp", "tcp").to_string()]).await;
    assert_eq!(out.trim(), "sent");

    let mailbox = server.get_json("/api/mailbox").await;
    assert_eq!((mailbox["dropped"].clone(), mailbox["capacity"].clone()), (json!(0), json!(100)));
    let message = &mailbox["messages"][0];
    assert_eq!(
        message["envelope"],
        json!({"helo": message["envelope"]["helo"], "from": "bounce@example.org", "to": ["lab@wirelab.test", "cc@elsewhere.test"]})
    );
    assert!(message["envelope"]["helo"].as_str().is_some_and(|helo| !helo.is_empty()), "{message}");
    assert_eq!(message["subject"], "Résumé attached");
    assert!(message["client"].as_str().is_some_and(|client| client.starts_with("127.0.0.1:")), "{message}");
    assert!(message["received_unix_ms"].as_u64().is_some_and(|ms| ms > 1_600_000_000_000), "{message}");
    let header_names: Vec<&str> =
        message["headers"].as_array().into_iter().flatten().filter_map(|h| h["name"].as_str()).collect();
    assert!(header_names.starts_with(&["From", "To", "Subject"]), "{header_names:?}");

    // (depth, content type, file name, size or text)
    let parts: Vec<(u64, &str, &Value, Value)> = message["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|part| {
            let shown = if part["text"].is_string() { part["text"].clone() } else { part["size"].clone() };
            (
                part["depth"].as_u64().unwrap_or(99),
                part["content_type"].as_str().unwrap_or("?"),
                &part["filename"],
                shown,
            )
        })
        .collect();
    let expected: [(u64, &str, &Value, Value); 5] = [
        (0, "multipart/mixed", &Value::Null, json!(0)),
        (1, "multipart/alternative", &Value::Null, json!(0)),
        (2, "text/plain", &Value::Null, json!("Hello,\r\n.a line that starts with a dot\r\n")),
        (2, "text/html", &Value::Null, json!("<p>Hello</p>\r\n")),
        (1, "application/octet-stream", &json!("bytes.bin"), json!(256)),
    ];
    assert_eq!(parts, expected);
    server.stop().await;
}

#[tokio::test]
async fn curl_uploads_a_message_over_smtp() {
    let server = PeersServer::start().await;
    let mail = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(mail.path(), "From: curl@example.org\r\nSubject: by curl\r\n\r\nsent with curl\r\n")
        .expect("write the mail");
    let url = format!("smtp://127.0.0.1:{}/client.example", server.port("smtp", "tcp"));
    let path = mail.path().to_string_lossy().into_owned();
    curl(&[&url, "--mail-from", "curl@example.org", "--mail-rcpt", "anyone@anywhere.test", "--upload-file", &path])
        .await;

    let mailbox = server.get_json("/api/mailbox").await;
    let message = &mailbox["messages"][0];
    assert_eq!(
        message["envelope"],
        json!({"helo": "client.example", "from": "curl@example.org", "to": ["anyone@anywhere.test"]})
    );
    assert_eq!((&message["subject"], &message["parts"][0]["text"]), (&json!("by curl"), &json!("sent with curl\r\n")));
    server.stop().await;
}

/// Sends one small message per argument (its subject), each in a connection of its own.
const SEND_SUBJECTS: &str = r#"
import smtplib, sys
port = int(sys.argv[1])
for subject in sys.argv[2:]:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail("a@example.org", ["b@example.org"], f"Subject: {subject}\r\n\r\nbody\r\n")
"#;

#[tokio::test]
async fn a_full_mailbox_drops_the_oldest_and_counts_it() {
    let server = PeersServer::with_peers(PeersConfig { mailbox_capacity: 2, ..PeersConfig::default() }).await;
    let subjects = ["first", "second", "third"].map(str::to_owned);
    let args: Vec<String> = std::iter::once(server.port("smtp", "tcp").to_string()).chain(subjects).collect();
    python(SEND_SUBJECTS, &args).await;

    let mailbox = server.get_json("/api/mailbox").await;
    let kept: Vec<&str> =
        mailbox["messages"].as_array().into_iter().flatten().filter_map(|m| m["subject"].as_str()).collect();
    assert_eq!((kept, &mailbox["dropped"], &mailbox["capacity"]), (vec!["second", "third"], &json!(1), &json!(2)));
    server.stop().await;
}

/// A message over the cap gets 552 at the final dot; the session goes on and the next one fits.
const SEND_TOO_BIG: &str = r#"
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as smtp:
    try:
        smtp.sendmail("a@example.org", ["b@example.org"], "Subject: big\r\n\r\n" + "x" * 3000 + "\r\n")
        print("accepted")
    except smtplib.SMTPDataError as error:
        print(error.smtp_code)
    smtp.sendmail("a@example.org", ["b@example.org"], "Subject: small\r\n\r\nfits\r\n")
print("sent")
"#;

#[tokio::test]
async fn a_message_over_the_size_cap_is_refused_with_552_and_the_session_goes_on() {
    let server = PeersServer::with_peers(PeersConfig { max_mail_bytes: 1000, ..PeersConfig::default() }).await;
    let out = python(SEND_TOO_BIG, &[server.port("smtp", "tcp").to_string()]).await;
    assert_eq!(out.lines().collect::<Vec<_>>(), ["552", "sent"]);
    let mailbox = server.get_json("/api/mailbox").await;
    let kept: Vec<&str> =
        mailbox["messages"].as_array().into_iter().flatten().filter_map(|m| m["subject"].as_str()).collect();
    assert_eq!(kept, ["small"]);
    server.stop().await;
}

/// A conversation typed by hand: (what the client sends, the reply code it must get; 0: none).
const BY_HAND: &[(&str, u16)] = &[
    ("", 220),
    ("EHLO hand.example\r\n", 250),
    ("HELP\r\n", 500),
    ("RCPT TO:<early@example.org>\r\n", 503),
    ("DATA\r\n", 503),
    ("MAIL FROM:<me@example.org>\r\n", 250),
    ("RCPT TO:<you@example.org>\r\n", 250),
    ("DATA\r\n", 354),
    ("Subject: by hand\r\n\r\n..starts with a dot\r\n", 0),
    (".\r\n", 250),
    ("NOOP\r\n", 250),
    ("RSET\r\n", 250),
    ("QUIT\r\n", 221),
];

#[tokio::test]
async fn a_conversation_by_hand_gets_the_rfc_5321_replies_and_dots_are_unstuffed() {
    let server = PeersServer::start().await;
    let peer = SocketAddr::from(([127, 0, 0, 1], server.port("smtp", "tcp")));
    let stream = within("connect", TcpStream::connect(peer)).await.expect("the SMTP peer accepts");
    let mut stream = BufReader::new(stream);
    for (send, code) in BY_HAND {
        within("send", stream.get_mut().write_all(send.as_bytes())).await.expect("send");
        if *code != 0 {
            assert_eq!(within(send, read_reply(&mut stream)).await, *code, "after {send:?}");
        }
    }
    let mut rest = String::new();
    let closed = within("the close after QUIT", stream.read_line(&mut rest)).await;
    assert_eq!(closed.ok(), Some(0), "the peer closes after 221");

    let mailbox = server.get_json("/api/mailbox").await;
    assert_eq!(mailbox["messages"][0]["parts"][0]["text"], ".starts with a dot\r\n");
    assert_eq!(mailbox["messages"][0]["size"], json!("Subject: by hand\r\n\r\n.starts with a dot\r\n".len()));
    server.stop().await;
}

#[tokio::test]
async fn an_overlong_command_line_is_refused_and_the_session_goes_on() {
    let server = PeersServer::start().await;
    let peer = SocketAddr::from(([127, 0, 0, 1], server.port("smtp", "tcp")));
    let mut stream = BufReader::new(within("connect", TcpStream::connect(peer)).await.expect("connect"));
    assert_eq!(within("greeting", read_reply(&mut stream)).await, 220);
    let long = format!("NOOP {}\r\n", "x".repeat(10_000));
    for (send, code) in [(long.as_str(), 500), ("NOOP\r\n", 250)] {
        within("send", stream.get_mut().write_all(send.as_bytes())).await.expect("send");
        assert_eq!(within("reply", read_reply(&mut stream)).await, code, "{}", &send[..10]);
    }
    server.stop().await;
}

#[tokio::test]
async fn api_mailbox_is_a_json_404_when_the_peers_are_off() {
    let server = PeersServer::with_peers(PeersConfig { enabled: false, ..PeersConfig::default() }).await;
    let (status, body) = within("GET /api/mailbox", get(server.addr, "/api/mailbox")).await;
    let body: Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!((status, &body["status"]), (404, &json!(404)));
    assert!(body["error"].as_str().is_some_and(|error| error.contains("--no-peers")), "{body}");
    server.stop().await;
}

/// Reads one reply (all lines of a multi-line one) and returns its code.
async fn read_reply(stream: &mut BufReader<TcpStream>) -> u16 {
    loop {
        let mut line = String::new();
        let read = stream.read_line(&mut line).await.expect("read a reply line");
        assert!(read > 0, "the peer closed the connection instead of replying");
        let code = line.get(..3).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("not a reply: {line:?}"));
        if line.as_bytes().get(3) != Some(&b'-') {
            return code;
        }
    }
}
