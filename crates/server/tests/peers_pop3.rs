//! The POP3 peer against real clients: what Python's smtplib sends, poplib reads back byte for
//! byte; curl's pop3:// lists and retrieves; DELE and QUIT empty the shared mailbox.

mod peers_support;
mod support;

use peers_support::{PeersServer, curl, python};
use serde_json::json;

/// A message with every line that dot-stuffing and line endings could spoil, sent with smtplib and
/// read back with poplib, compared byte for byte (and the octet count of RETR's reply too).
const ROUND_TRIP: &str = r#"
import poplib, smtplib, sys
smtp_port, pop3_port = int(sys.argv[1]), int(sys.argv[2])
message = (
    b"From: ada@example.org\r\nTo: lab@wirelab.test\r\nSubject: round trip\r\n\r\n"
    b".\r\n..two dots\r\n.leading dot\r\n\r\ntrailing space \r\n\tand a tab\r\nUTF-8: caf\xc3\xa9\r\n"
)
with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
    smtp.sendmail("ada@example.org", ["lab@wirelab.test"], message)
pop = poplib.POP3("127.0.0.1", pop3_port, timeout=10)
assert pop.getwelcome().startswith(b"+OK"), pop.getwelcome()
pop.user("ada")
pop.pass_("any password")
count, size = pop.stat()
assert (count, size) == (1, len(message)), (count, size, len(message))
response, lines, _ = pop.retr(1)
assert response == f"+OK {len(message)} octets".encode(), response
read_back = b"\r\n".join(lines) + b"\r\n"
assert read_back == message, (read_back, message)
response, uids, _ = pop.uidl()
assert len(uids) == 1 and uids[0].startswith(b"1 "), uids
response, top, _ = pop.top(1, 1)
assert top == [b"From: ada@example.org", b"To: lab@wirelab.test", b"Subject: round trip", b"", b"."], top
pop.dele(1)
pop.quit()
print("identical", len(message))
"#;

#[tokio::test]
async fn smtplib_sends_and_poplib_reads_back_byte_for_byte_then_deletes() {
    let server = PeersServer::start().await;
    let ports = [server.port("smtp", "tcp"), server.port("pop3", "tcp")].map(|port| port.to_string());
    let out = python(ROUND_TRIP, &ports).await;
    assert!(out.starts_with("identical "), "{out}");
    // DELE then QUIT removed it from the one mailbox.
    let mailbox = server.get_json("/api/mailbox").await;
    assert_eq!((&mailbox["messages"], &mailbox["dropped"]), (&json!([]), &json!(0)));
    server.stop().await;
}

const SEND_TWO: &str = r#"
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as smtp:
    smtp.sendmail("a@example.org", ["b@example.org"], b"Subject: first\r\n\r\n.hidden dot\r\n")
    smtp.sendmail("a@example.org", ["b@example.org"], b"Subject: second\r\n\r\nbody\r\n")
"#;

#[tokio::test]
async fn curl_lists_and_retrieves_over_pop3() {
    let server = PeersServer::start().await;
    python(SEND_TWO, &[server.port("smtp", "tcp").to_string()]).await;
    let base = format!("pop3://127.0.0.1:{}/", server.port("pop3", "tcp"));
    // (URL path, what curl prints): the list, then message 1 (curl undoes the dot-stuffing).
    let cases = [("", "1 31\r\n2 25\r\n"), ("1", "Subject: first\r\n\r\n.hidden dot\r\n")];
    for (path, expected) in cases {
        let url = format!("{base}{path}");
        assert_eq!(curl(&[&url, "--user", "ada:secret"]).await, expected, "{url}");
    }
    server.stop().await;
}
