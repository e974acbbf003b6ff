//! Replies read from streams cut every way, paired with their commands, and explained, as tables.

use super::commands::{Command, CommandReader};
use super::lines::{LineSplitter, MAX_LINE_BYTES};
use super::*;

/// One reply as a line: status, the command it answers, its lines' texts, its body, problems.
fn describe(reply: &Reply) -> String {
    let command = reply.command.as_ref().map_or("-".to_string(), |command| command.text.clone());
    let mut out = format!("{} [{command}] {}", reply.status_label(), reply.texts().join(" | "));
    if !reply.body.is_empty() {
        out.push_str(&format!(" body={:?}", reply.body));
    }
    if !reply.problems.is_empty() {
        out.push_str(&format!(" problems={:?}", reply.problems));
    }
    out
}

/// Sends `sent` (one chunk), then receives `received` cut into pieces of `piece` bytes (0: whole).
fn converse(protocol: Protocol, sent: &str, received: &str, piece: usize) -> Vec<String> {
    let mut conversation = Conversation::new(protocol);
    conversation.on_sent(sent.as_bytes(), 0);
    let bytes = received.as_bytes();
    let pieces: Vec<&[u8]> = if piece == 0 { vec![bytes] } else { bytes.chunks(piece).collect() };
    let mut replies = Vec::new();
    for (index, chunk) in pieces.into_iter().enumerate() {
        replies.extend(conversation.on_received(chunk, index as u64 + 1));
    }
    replies.extend(conversation.on_end());
    replies.iter().map(describe).collect()
}

fn conversations() -> Vec<(Protocol, &'static str, &'static str, Vec<&'static str>)> {
    vec![
        (
            Protocol::Smtp,
            "EHLO learner\r\nMAIL FROM:<a@example.com>\r\n",
            "220 wirelab ESMTP ready\r\n250-wirelab greets learner\r\n250-SIZE 1048576\r\n250 8BITMIME\r\n250 2.1.0 OK\r\n",
            vec![
                "220 [(connecting)] wirelab ESMTP ready",
                "250 [EHLO learner] wirelab greets learner | SIZE 1048576 | 8BITMIME",
                "250 [MAIL FROM:<a@example.com>] 2.1.0 OK",
            ],
        ),
        (
            Protocol::Smtp,
            "DATA\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n",
            "220 ready\r\n354 go ahead\r\n250 queued\r\n221 bye\r\n",
            vec![
                "220 [(connecting)] ready",
                "354 [DATA] go ahead",
                "250 [(the message: 3 lines, 30 bytes, and the final dot)] queued",
                "221 [QUIT] bye",
            ],
        ),
        (
            Protocol::Smtp,
            "",
            "220-first\r\nno code here\r\n220 last\nnot a reply\r\n",
            vec![
                "220 [(connecting)] first | no code here | last problems=[\"a line without the reply's code inside a multi-line reply\", \"a line ended with LF alone; the protocol ends lines with CRLF\"]",
                "? [-] not a reply",
            ],
        ),
        (
            Protocol::Smtp,
            "NOOP\r\n",
            "220 ready\r\n250-half",
            vec![
                "220 [(connecting)] ready",
                "250 [NOOP] half problems=[\"the connection ended before the reply was complete\"]",
            ],
        ),
        (
            Protocol::Pop3,
            "USER learner\r\nSTAT\r\nLIST\r\nRETR 1\r\nLIST 1\r\nQUIT\r\n",
            "+OK POP3 ready\r\n+OK\r\n+OK 1 42\r\n+OK 1 messages\r\n1 42\r\n.\r\n+OK 42 octets\r\nSubject: x\r\n\r\n..dot line\r\n.\r\n+OK 1 42\r\n+OK bye\r\n",
            vec![
                "+OK [(connecting)] POP3 ready",
                "+OK [USER learner] ",
                "+OK [STAT] 1 42",
                "+OK [LIST] 1 messages body=[\"1 42\"]",
                "+OK [RETR 1] 42 octets body=[\"Subject: x\", \"\", \".dot line\"]",
                "+OK [LIST 1] 1 42",
                "+OK [QUIT] bye",
            ],
        ),
        (
            Protocol::Pop3,
            "RETR 9\r\nCAPA\r\n",
            "+OK ready\r\n-ERR [SYS/TEMP] no such message\r\n+OK\r\nUSER\r\nUIDL\r\n.\r\n",
            vec![
                "+OK [(connecting)] ready",
                "-ERR [RETR 9] [SYS/TEMP] no such message",
                "+OK [CAPA]  body=[\"USER\", \"UIDL\"]",
            ],
        ),
        (
            Protocol::Ftp,
            "USER anonymous\r\nPASS guest@\r\nPASV\r\nLIST\r\n",
            "220-Welcome\r\n220 ready\r\n331 need password\r\n230-Hello\r\n 123 not the end\r\n230 logged in\r\n227 Entering Passive Mode (127,0,0,1,195,80).\r\n150 Here comes the listing\r\n226 Transfer complete\r\n",
            vec![
                "220 [(connecting)] Welcome | ready",
                "331 [USER anonymous] need password",
                "230 [PASS guest@] Hello |  123 not the end | logged in",
                "227 [PASV] Entering Passive Mode (127,0,0,1,195,80).",
                "150 [LIST] Here comes the listing",
                "226 [LIST] Transfer complete",
            ],
        ),
        (
            Protocol::Ftp,
            "SYST\r\n",
            "220 ok\r\n215-UNIX\r\n215x not the end\r\n216 not the end either\r\n215 Type: L8\r\n",
            vec!["220 [(connecting)] ok", "215 [SYST] UNIX | 215x not the end | not the end either | Type: L8"],
        ),
    ]
}

#[test]
fn replies_are_the_same_however_the_stream_is_cut() {
    for (protocol, sent, received, expected) in conversations() {
        for piece in [0, 1, 2, 3, 7, 64] {
            assert_eq!(converse(protocol, sent, received, piece), expected, "{protocol:?} in pieces of {piece}");
        }
    }
}

#[test]
fn commands_are_read_from_what_was_sent_however_it_was_cut() {
    let cases: Vec<(Protocol, Vec<&str>, Vec<&str>)> = vec![
        (Protocol::Smtp, vec!["EH", "LO x\r\nMAIL FROM:<a@b>\r", "\n"], vec!["EHLO x", "MAIL FROM:<a@b>"]),
        (
            Protocol::Smtp,
            vec!["DATA\r\n", "Subject: s\r\n\r\nbody\r\n", ".\r\nQUIT\r\n"],
            vec!["DATA", "(the message: 3 lines, 20 bytes, and the final dot)", "QUIT"],
        ),
        (Protocol::Ftp, vec!["retr  a file.txt\r\n"], vec!["retr  a file.txt"]),
        (Protocol::Pop3, vec!["DATA\r\n", "STAT\r\n"], vec!["DATA", "STAT"]),
    ];
    for (protocol, sends, expected) in cases {
        let mut reader = CommandReader::new(protocol);
        let mut commands = Vec::new();
        for (index, send) in sends.iter().enumerate() {
            commands.extend(reader.push(send.as_bytes(), index as u64));
        }
        let texts: Vec<String> = commands.iter().map(|command| command.text.clone()).collect();
        assert_eq!(texts, expected, "{sends:?}");
    }
}

#[test]
fn verbs_and_arguments_are_read_from_a_line() {
    let cases = [
        ("retr 1", "RETR", "1"),
        ("MAIL FROM:<a@b>", "MAIL", "FROM:<a@b>"),
        ("QUIT", "QUIT", ""),
        ("  noop  ", "NOOP", ""),
        ("LIST  /pub ", "LIST", "/pub"),
    ];
    for (line, verb, argument) in cases {
        let command = Command::from_line(line, None);
        assert_eq!((command.verb.as_str(), command.argument.as_str()), (verb, argument), "{line:?}");
    }
}

#[test]
fn a_message_is_unstuffed_for_a_library() {
    let cases: [(&str, &str); 3] = [
        ("Subject: s\r\n\r\n..dot\r\n", "Subject: s\r\n\r\n.dot\r\n"),
        ("a\r\n...\r\n", "a\r\n..\r\n"),
        ("x.. y\r\n", "x.. y\r\n"),
    ];
    for (sent, unstuffed) in cases {
        let mut reader = CommandReader::new(Protocol::Smtp);
        let commands = reader.push(format!("DATA\r\n{sent}.\r\n").as_bytes(), 0);
        let content = commands.last().and_then(Command::unstuffed_content);
        assert_eq!(content.as_deref(), Some(unstuffed.as_bytes()), "{sent:?}");
    }
}

#[test]
fn a_refused_data_leaves_the_next_lines_as_commands() {
    let mut conversation = Conversation::new(Protocol::Smtp);
    conversation.on_received(b"220 hi\r\n", 0);
    conversation.on_sent(b"DATA\r\n", 1);
    let replies = conversation.on_received(b"503 need RCPT first\r\n", 2);
    let commands = conversation.on_sent(b"RSET\r\n", 3);
    let answered: Vec<String> = replies.iter().map(describe).collect();
    let read: Vec<&str> = commands.iter().map(|command| command.text.as_str()).collect();
    assert_eq!((answered, read), (vec!["503 [DATA] need RCPT first".to_string()], vec!["RSET"]));
}

#[test]
fn replies_are_explained() {
    let cases: Vec<(Protocol, &str, &str, &str, Vec<&str>)> = vec![
        (
            Protocol::Smtp,
            "EHLO me\r\n",
            "220 hi\r\n250-wirelab\r\n250-SIZE 1048576\r\n250-PIPELINING\r\n250 X-UNKNOWN\r\n",
            "250: OK: the requested action was done",
            vec![
                "SIZE: messages up to 1048576 bytes are accepted",
                "PIPELINING: you may send several commands without waiting for each reply",
            ],
        ),
        (
            Protocol::Smtp,
            "RCPT TO:<nobody@nowhere>\r\n",
            "220 hi\r\n550 5.1.1 no such user\r\n",
            "550: Refused: the mailbox is unavailable (no such user, no access, or a policy)",
            vec!["5.1.1: permanent failure · addressing · bad destination mailbox address"],
        ),
        (
            Protocol::Smtp,
            "XYZZY\r\n",
            "220 hi\r\n559 odd\r\n",
            "559: a code this lab does not know; its digits say permanent failure: repeating it as is will fail again (about the mail or file system)",
            vec![],
        ),
        (
            Protocol::Ftp,
            "PASV\r\n",
            "220 hi\r\n227 Entering Passive Mode (127,0,0,1,195,80)\r\n",
            "227: Passive mode: connect to this address for the data connection",
            vec!["(127,0,0,1,195,80) → host 127.0.0.1, port 195 × 256 + 80 = 50000"],
        ),
        (
            Protocol::Ftp,
            "EPSV\r\n",
            "220 hi\r\n229 Entering Extended Passive Mode (|||50001|)\r\n",
            "229: Extended passive mode: connect to this port (same host) for the data connection",
            vec!["(|||50001|) → port 50001 on the same host as this control connection"],
        ),
        (
            Protocol::Pop3,
            "STAT\r\n",
            "+OK ready\r\n+OK 2 320\r\n",
            "+OK: The mailbox holds 2 messages of 320 bytes in all",
            vec![],
        ),
        (
            Protocol::Pop3,
            "PASS wrong\r\n",
            "+OK ready\r\n-ERR [AUTH] invalid password\r\n",
            "-ERR: The command failed: the credentials were not accepted",
            vec![],
        ),
        (Protocol::Pop3, "", "* OK IMAP?\r\n", "Not a POP3 reply: a reply starts with +OK or -ERR", vec![]),
        (Protocol::Ftp, "", "SSH-2.0-OpenSSH\r\n", "Not an FTP reply: a reply starts with a three-digit code", vec![]),
    ];
    for (protocol, sent, received, summary, details) in cases {
        let mut conversation = Conversation::new(protocol);
        conversation.on_sent(sent.as_bytes(), 0);
        let last = conversation.on_received(received.as_bytes(), 1).pop();
        let explanation = last.map(|reply| reply.explanation());
        let expected =
            Explanation { summary: summary.into(), details: details.into_iter().map(String::from).collect() };
        assert_eq!(explanation, Some(expected), "{received:?}");
    }
}

/// The host (none: the control connection's) and port, or why there are none.
type Decoded = Result<(Option<&'static str>, u16), &'static str>;

#[test]
fn passive_addresses_are_decoded_or_refused_with_a_reason() {
    let cases: [(u16, &str, Decoded); 8] = [
        (227, "Entering Passive Mode (192,168,1,2,4,1)", Ok((Some("192.168.1.2"), 1025))),
        (227, "Entering Passive Mode 10,0,0,1,0,21", Ok((Some("10.0.0.1"), 21))),
        (227, "=v2 (127,0,0,1,195,80)", Ok((Some("127.0.0.1"), 50000))),
        (227, "Entering Passive Mode (127,0,0,1,300,80)", Err("'300' in the 227 reply is not a number from 0 to 255")),
        (227, "Entering Passive Mode", Err("the 227 reply has no six numbers h1,h2,h3,h4,p1,p2")),
        (229, "Entering Extended Passive Mode (!!!6446!)", Ok((None, 6446))),
        (229, "Entering Extended Passive Mode (|||0|)", Err("'0' in the 229 reply is not a port from 1 to 65535")),
        (
            229,
            "Entering Extended Passive Mode (||127.0.0.1|80|)",
            Err("expected (|||port|) in the 229 reply, found (||127.0.0.1|80|)"),
        ),
    ];
    for (code, text, expected) in cases {
        let got = ftp::passive_address(code, text).map(|address| (address.host, address.port));
        assert_eq!(got, expected.map(|(host, port)| (host.map(String::from), port)).map_err(String::from), "{text}");
    }
}

#[test]
fn enhanced_status_codes_are_read_only_where_they_are() {
    let cases = [
        ("2.1.0 Sender OK", Some((2, 1, 0))),
        ("5.7.1 refused", Some((5, 7, 1))),
        ("4.4.7", Some((4, 4, 7))),
        ("3.1.0 no such class", None),
        ("2.1 short", None),
        ("1.2.3.4 an address", None),
        ("OK", None),
    ];
    for (text, expected) in cases {
        let got = smtp::EnhancedStatus::parse(text).map(|status| (status.class, status.subject, status.detail));
        assert_eq!(got, expected, "{text}");
    }
}

#[test]
fn outcomes_follow_the_first_digit_or_the_status() {
    let cases = [
        (Protocol::Ftp, "150 opening\r\n", Outcome::Preliminary),
        (Protocol::Smtp, "354 go\r\n", Outcome::Intermediate),
        (Protocol::Smtp, "451 later\r\n", Outcome::TransientFailure),
        (Protocol::Ftp, "550 no\r\n", Outcome::PermanentFailure),
        (Protocol::Pop3, "-ERR no\r\n", Outcome::Failure),
        (Protocol::Pop3, "+ challenge\r\n", Outcome::Intermediate),
        (Protocol::Smtp, "hello\r\n", Outcome::NotAReply),
    ];
    for (protocol, received, outcome) in cases {
        let replies = Conversation::new(protocol).on_received(received.as_bytes(), 0);
        assert_eq!(replies.first().map(Reply::outcome), Some(outcome), "{received:?}");
    }
}

#[test]
fn lines_wait_for_their_end_and_long_ones_are_cut() {
    let mut splitter = LineSplitter::default();
    // bytes pushed → each line cut: (length, bare LF, cut at the cap, first chunk)
    type Cut = (usize, bool, bool, u64);
    let cases: Vec<(Vec<u8>, Vec<Cut>)> = vec![
        (b"abc".to_vec(), vec![]),
        (b"def\r\nx\n".to_vec(), vec![(6, false, false, 0), (1, true, false, 1)]),
        (vec![b'y'; MAX_LINE_BYTES + 3], vec![(MAX_LINE_BYTES, false, true, 2)]),
        (b"\r\n".to_vec(), vec![(3, false, false, 2)]),
    ];
    for (chunk, (bytes, expected)) in cases.into_iter().enumerate() {
        let lines = splitter.push(&bytes, chunk as u64);
        let got: Vec<Cut> =
            lines.iter().map(|line| (line.bytes.len(), line.bare_lf, line.cut, line.first_chunk)).collect();
        assert_eq!(got, expected, "chunk {chunk}");
    }
}
