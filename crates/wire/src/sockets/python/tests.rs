//! The generated programs: their text for the walkthroughs' sessions, that every one compiles
//! with `python3 -m py_compile`, and the literals they are made of.

use expect_test::{Expect, expect};

use super::*;
use crate::bridge_event::Transport;
use crate::sockets::target::Protocol;

fn session(protocol: Protocol, transport: Transport, exchanges: Vec<Exchange>) -> Session {
    Session { host: "127.0.0.1".into(), port: 2525, transport, protocol, exchanges }
}

fn sent(text: &str) -> Exchange {
    Exchange::Sent(text.as_bytes().to_vec())
}

const ANSWERED: Exchange = Exchange::Received(1);

fn smtp_session() -> Session {
    session(
        Protocol::Smtp,
        Transport::Tcp,
        vec![
            ANSWERED,
            sent("EHLO learner.wirelab.test\r\n"),
            ANSWERED,
            sent("MAIL FROM:<learner@wirelab.test> SIZE=120\r\n"),
            ANSWERED,
            sent("RCPT TO:<friend@wirelab.test>\r\n"),
            ANSWERED,
            sent("DATA\r\n"),
            ANSWERED,
            sent("Subject: \"hi\"\r\n\r\n..a line with a dot\r\n"),
            sent(".\r\n"),
            ANSWERED,
            sent("XCLIENT x\r\nQUIT\r\n"),
            ANSWERED,
        ],
    )
}

fn pop3_session() -> Session {
    let commands =
        ["USER learner", "PASS wirelab", "STAT", "LIST", "LIST 1", "RETR 1", "TOP 1 0", "UIDL", "XTND", "QUIT"];
    let mut exchanges = vec![ANSWERED];
    for command in commands {
        exchanges.extend([sent(&format!("{command}\r\n")), ANSWERED]);
    }
    session(Protocol::Pop3, Transport::Tcp, exchanges)
}

fn ftp_session() -> Session {
    let commands = [
        "USER anonymous",
        "PASS learner@wirelab.test",
        "PASV",
        "LIST",
        "CWD pub",
        "PASV",
        "RETR ../hello.txt",
        "TYPE I",
        "QUIT",
    ];
    let mut exchanges = vec![ANSWERED];
    for command in commands {
        exchanges.extend([sent(&format!("{command}\r\n")), ANSWERED]);
    }
    session(Protocol::Ftp, Transport::Tcp, exchanges)
}

fn stream_sessions() -> [Session; 3] {
    let three = vec![sent("one"), sent("two"), sent("three"), ANSWERED];
    [
        session(Protocol::Echo, Transport::Tcp, three.clone()),
        session(Protocol::Echo, Transport::Udp, three),
        Session {
            host: "::1".into(),
            ..session(Protocol::Raw, Transport::Tcp, vec![Exchange::Sent(vec![0, 0xff, b'"', b'\\'])])
        },
    ]
}

fn check(program: Option<String>, expected: Expect) {
    expected.assert_eq(&program.unwrap_or_else(|| "(no program)".to_string()));
}

#[test]
fn the_smtp_session_with_smtplib() {
    check(
        library_program(&smtp_session()),
        expect![[r#"
            """The Wirelab Sockets lab's SMTP session with 127.0.0.1:2525 over TCP, with smtplib."""

            import smtplib

            HOST = "127.0.0.1"
            PORT = 2525

            smtp = smtplib.SMTP(HOST, PORT, timeout=10)
            smtp.set_debuglevel(1)  # prints every command and reply, as the lab's transcript shows them
            print(smtp.ehlo("learner.wirelab.test"))
            print(smtp.mail("learner@wirelab.test", ["SIZE=120"]))
            print(smtp.rcpt("friend@wirelab.test"))
            # data() sends DATA, then the message with its dots doubled and the final dot
            print(smtp.data((
                b"Subject: \"hi\"\r\n"
                b"\r\n"
                b".a line with a dot\r\n"
            )))
            print(smtp.docmd("XCLIENT x"))
            print(smtp.quit())
        "#]],
    );
}

#[test]
fn the_pop3_session_with_poplib() {
    check(
        library_program(&pop3_session()),
        expect![[r#"
            """The Wirelab Sockets lab's POP3 session with 127.0.0.1:2525 over TCP, with poplib."""

            import poplib

            HOST = "127.0.0.1"
            PORT = 2525

            pop = poplib.POP3(HOST, PORT, timeout=10)
            print(pop.getwelcome())
            print(pop.user("learner"))
            print(pop.pass_("wirelab"))
            print(pop.stat())
            response, lines, octets = pop.list()
            print(response)
            for line in lines:
                print(line)
            print(pop.list(1))
            response, lines, octets = pop.retr(1)
            print(response)
            # poplib undoes the dot-stuffing; lines come without their CRLF
            print(b"\r\n".join(lines).decode("utf-8", "replace"))
            response, lines, octets = pop.top(1, 0)
            print(response)
            # poplib undoes the dot-stuffing; lines come without their CRLF
            print(b"\r\n".join(lines).decode("utf-8", "replace"))
            response, lines, octets = pop.uidl()
            print(response)
            for line in lines:
                print(line)
            # XTND: poplib has no call for this command; left out
            print(pop.quit())
        "#]],
    );
}

#[test]
fn the_ftp_session_with_ftplib() {
    check(
        library_program(&ftp_session()),
        expect![[r#"
            """The Wirelab Sockets lab's FTP session with 127.0.0.1:2525 over TCP, with ftplib in passive mode."""

            import ftplib

            HOST = "127.0.0.1"
            PORT = 2525

            with ftplib.FTP() as ftp:
                print(ftp.connect(HOST, PORT, timeout=10))
                ftp.set_pasv(True)  # passive (ftplib's default): before each transfer it sends PASV and connects to the address the 227 reply gives
                print(ftp.login("anonymous", "learner@wirelab.test"))  # USER, then PASS
                ftp.retrlines("LIST")  # prints each line of the listing
                print(ftp.cwd("pub"))
                with open("hello.txt", "wb") as file:
                    print(ftp.retrbinary("RETR ../hello.txt", file.write))
                print(ftp.sendcmd("TYPE I"))
                print(ftp.quit())
        "#]],
    );
}

#[test]
fn the_stream_session_with_socket() {
    let [tcp, udp, _] = stream_sessions();
    check(
        Some(socket_program(&tcp)),
        expect![[r#"
            """The Wirelab Sockets lab's Echo session with 127.0.0.1:2525 over TCP, with the socket module: the same bytes, in the same order."""

            import socket

            HOST = "127.0.0.1"
            PORT = 2525
            TIMEOUT = 2.0  # seconds to wait for the first byte of an answer
            QUIET = 0.3  # an answer is over when nothing more comes for this long


            def receive(sock):
                """Prints each chunk the peer sends until it goes quiet or closes its side; returns them."""
                received = b""
                sock.settimeout(TIMEOUT)
                try:
                    while True:
                        chunk = sock.recv(65536)
                        if not chunk:
                            print("the peer closed its side (FIN)")
                            break
                        print("received", len(chunk), "bytes:", chunk)
                        received += chunk
                        sock.settimeout(QUIET)
                except TimeoutError:
                    pass
                return received


            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.connect((HOST, PORT))
                sock.sendall(b"one")
                sock.sendall(b"two")
                sock.sendall(b"three")
                receive(sock)
        "#]],
    );
    let udp_program = socket_program(&udp);
    let expected_lines = [
        "with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:",
        "    sock.send(b\"one\")",
        "            datagram = sock.recv(65535)",
    ];
    for line in expected_lines {
        assert!(udp_program.lines().any(|program_line| program_line == line), "{line} in\n{udp_program}");
    }
}

#[test]
fn the_ftp_session_with_socket_opens_the_data_connections_itself() {
    let program = socket_program(&ftp_session());
    let body: Vec<&str> = program.lines().skip_while(|line| !line.starts_with("with socket.socket")).collect();
    assert_eq!(
        body,
        [
            "with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:",
            "    sock.connect((HOST, PORT))",
            "    receive(sock)",
            "    sock.sendall(b\"USER anonymous\\r\\n\")",
            "    receive(sock)",
            "    sock.sendall(b\"PASS learner@wirelab.test\\r\\n\")",
            "    receive(sock)",
            "    sock.sendall(b\"PASV\\r\\n\")",
            "    data = open_data(receive(sock))",
            "    sock.sendall(b\"LIST\\r\\n\")",
            "    receive(sock)",
            "    receive_data(data)",
            "    sock.sendall(b\"CWD pub\\r\\n\")",
            "    receive(sock)",
            "    sock.sendall(b\"PASV\\r\\n\")",
            "    data = open_data(receive(sock))",
            "    sock.sendall(b\"RETR ../hello.txt\\r\\n\")",
            "    receive(sock)",
            "    receive_data(data)",
            "    sock.sendall(b\"TYPE I\\r\\n\")",
            "    receive(sock)",
            "    sock.sendall(b\"QUIT\\r\\n\")",
            "    receive(sock)",
        ]
    );
}

#[test]
fn libraries_exist_only_for_their_protocols_over_tcp() {
    let [tcp_echo, udp_echo, raw] = stream_sessions();
    let smtp_over_udp = Session { transport: Transport::Udp, ..smtp_session() };
    for session in [tcp_echo, udp_echo, raw, smtp_over_udp] {
        assert_eq!(library_program(&session), None, "{:?} {:?}", session.protocol, session.transport);
    }
}

#[test]
fn literals_escape_every_byte() {
    let cases: [(&[u8], &str); 4] = [
        (b"EHLO x\r\n", r#"b"EHLO x\r\n""#),
        (b"\x00\xff\"\\\t", r#"b"\x00\xff\"\\\t""#),
        (b"", r#"b"""#),
        ("é".as_bytes(), r#"b"\xc3\xa9""#),
    ];
    for (bytes, literal) in cases {
        assert_eq!(bytes_literal(bytes), literal, "{bytes:?}");
    }
    let texts = [("a\"b\\c", r#""a\"b\\c""#), ("é ☃ 😀\u{7}", r#""\xe9 \u2603 \U0001f600\x07""#)];
    for (text, literal) in texts {
        assert_eq!(str_literal(text), literal, "{text:?}");
    }
}

#[test]
fn sessions_are_read_from_transcripts() {
    use crate::message_log::Direction;
    use crate::sockets::transcript::{Note, Transcript};
    let mut transcript = Transcript::new(Transport::Tcp);
    transcript.push_note(Note::Info("connected".into()), 0.0);
    transcript.push_chunk(Direction::Received, b"220 hi\r\n", 1.0);
    transcript.push_chunk(Direction::Sent, b"EHLO x\r\n", 2.0);
    transcript.push_chunk(Direction::Received, b"250-a\r\n", 3.0);
    transcript.push_chunk(Direction::Received, b"250 b\r\n", 4.0);
    let session = Session::from_transcript("127.0.0.1", 25, Protocol::Smtp, &transcript);
    assert_eq!(session.exchanges, vec![Exchange::Received(1), sent("EHLO x\r\n"), Exchange::Received(2)]);
}

/// Every program compiles under the machine's python3 (the lead's tests run them against the
/// server). Native only: it starts a process.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_program_compiles_with_python3() {
    let [tcp, udp, raw] = stream_sessions();
    let empty = session(Protocol::Smtp, Transport::Tcp, Vec::new());
    let odd_bytes = session(Protocol::Ftp, Transport::Tcp, vec![Exchange::Sent((0..=255).collect())]);
    let mut programs = Vec::new();
    for session in [smtp_session(), pop3_session(), ftp_session(), tcp, udp, raw, empty, odd_bytes] {
        programs.push(socket_program(&session));
        programs.extend(library_program(&session));
    }
    let directory = std::env::temp_dir().join(format!("wirelab-python-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap_or_else(|error| panic!("{}: {error}", directory.display()));
    for (index, program) in programs.iter().enumerate() {
        let path = directory.join(format!("session_{index}.py"));
        std::fs::write(&path, program).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let output = std::process::Command::new("python3")
            .args(["-m", "py_compile"])
            .arg(&path)
            .output()
            .unwrap_or_else(|error| panic!("python3 could not run: {error}"));
        assert!(output.status.success(), "{}\n{program}", String::from_utf8_lossy(&output.stderr));
    }
    let _ = std::fs::remove_dir_all(&directory);
}
