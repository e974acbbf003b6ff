//! The Sockets lab as scripts of events: what each asks the app to do, the transcript lines and
//! replies it adds, the errors it shows, the connections' states and the walkthrough's progress.

use expect_test::{Expect, expect};

use super::*;
use crate::binary_input::PayloadEncoding;
use crate::bridge_event::{CloseReason, ConnectFailure, TimeoutPhase};
use crate::sockets::line_ending::LineEnding;
use crate::sockets::replies::Reply;
use crate::units::first_chars;

fn peers() -> Vec<Peer> {
    let peer = |name: &str, transport, port| Peer {
        name: name.into(),
        protocol: name.into(),
        transport,
        host: "127.0.0.1".into(),
        port,
    };
    vec![
        peer("echo", Transport::Tcp, 7007),
        peer("echo", Transport::Udp, 7007),
        peer("smtp", Transport::Tcp, 2525),
        peer("pop3", Transport::Tcp, 1110),
        peer("ftp", Transport::Tcp, 2121),
    ]
}

fn lab() -> SocketsLabState {
    let mut lab = SocketsLabState::new("http:", "127.0.0.1:8080");
    lab.apply(SocketsEvent::Peers(Ok(peers())), 0.0);
    lab
}

fn bridge(channel: Channel, event: BridgeEvent) -> SocketsEvent {
    SocketsEvent::BridgeText { channel, text: event.to_json() }
}

fn connected(channel: Channel, transport: Transport, remote: &str) -> SocketsEvent {
    bridge(
        channel,
        BridgeEvent::Connected {
            at_ms: 0.5,
            transport,
            local: "127.0.0.1:40000".into(),
            remote: remote.into(),
            connect_ms: 0.25,
            capture: None,
        },
    )
}

fn received(channel: Channel, text: &str) -> SocketsEvent {
    SocketsEvent::Received { channel, bytes: text.as_bytes().to_vec() }
}

fn sent(channel: Channel, text: &str, origin: Origin) -> SocketsEvent {
    SocketsEvent::Sent { channel, bytes: text.as_bytes().to_vec(), origin }
}

fn typed(text: &str) -> SocketsEvent {
    SocketsEvent::Draft(DraftEdit::Text(text.into()))
}

/// The events the app reports when a connection opens: started, socket open, bridge connected.
fn opening(channel: Channel, transport: Transport, remote: &str) -> Vec<SocketsEvent> {
    vec![SocketsEvent::OpenStarted(channel), SocketsEvent::SocketOpened(channel), connected(channel, transport, remote)]
}

fn describe_effect(effect: &SocketsEffect) -> String {
    match effect {
        SocketsEffect::Open { channel, url } => format!("open {channel:?} {url}"),
        SocketsEffect::Send { channel, bytes, origin } => {
            format!("send {channel:?} {:?} ({origin:?})", String::from_utf8_lossy(bytes))
        }
        SocketsEffect::Command { channel, json } => format!("command {channel:?} {json}"),
        SocketsEffect::Close { channel } => format!("close {channel:?}"),
        SocketsEffect::ExplainRefusal { channel, url } => format!("explain refusal {channel:?} via {url}"),
        SocketsEffect::Copy(text) => format!("copy {:?}…", text.lines().next().unwrap_or("")),
        SocketsEffect::ShowMailbox => "show mailbox".to_string(),
    }
}

fn describe_reply(reply: &Reply) -> String {
    let command = reply.command.as_ref().map_or("-", |command| command.text.as_str());
    format!("reply {} to {command:?}: {}", reply.status_label(), reply.explanation().summary)
}

/// What a view shows that can change: for each channel its status, problem and counts.
#[derive(Clone, PartialEq)]
struct Seen {
    /// When each link's transcript began (a new link on Connect starts a new transcript).
    started: [Option<f64>; 2],
    next_ids: [u64; 2],
    replies: [usize; 2],
    statuses: [Option<LinkStatus>; 2],
    problems: [Option<String>; 2],
    errors: [Option<String>; 4],
    outcomes: Vec<StepOutcome>,
    current: Option<usize>,
    draft: String,
    passive: Option<(String, u16)>,
    transport: Transport,
    running_all: bool,
    /// Loading, problem, times shown, messages, SMTP clients remembered.
    mailbox: (bool, Option<String>, u64, usize, usize),
    copy_notice: Option<Result<String, String>>,
}

fn seen(lab: &SocketsLabState) -> Seen {
    let per_link = |channel| lab.link(channel);
    let channels = [Channel::Control, Channel::Data];
    Seen {
        started: channels
            .map(|channel| per_link(channel).and_then(|link| link.transcript.iter().next().map(|entry| entry.at_ms))),
        next_ids: channels.map(|channel| per_link(channel).map_or(0, |link| link.transcript.next_id())),
        replies: channels.map(|channel| per_link(channel).map_or(0, |link| link.replies.len())),
        statuses: channels.map(|channel| per_link(channel).map(|link| link.status)),
        problems: channels.map(|channel| per_link(channel).and_then(|link| link.problem.clone())),
        errors: [lab.form_error.clone(), lab.draft_error.clone(), lab.data_error.clone(), lab.python_problem.clone()],
        outcomes: lab.walkthrough.as_ref().map(|run| run.outcomes.clone()).unwrap_or_default(),
        current: lab.walkthrough.as_ref().map(|run| run.current),
        draft: lab.draft.text.clone(),
        passive: lab.passive.as_ref().map(|passive| (passive.host.clone(), passive.port)),
        transport: lab.transport,
        running_all: lab.walkthrough.as_ref().is_some_and(|run| run.running_all),
        mailbox: (
            lab.mailbox.loading,
            lab.mailbox.problem.clone(),
            lab.mailbox.shown,
            lab.mailbox.mailbox.as_ref().map_or(0, |mailbox| mailbox.messages.len()),
            lab.mailbox.delivered_from.len(),
        ),
        copy_notice: lab.copy_notice.clone(),
    }
}

/// Applies `events` in order and writes what each one did.
fn script(lab: &mut SocketsLabState, events: Vec<SocketsEvent>) -> String {
    let mut out = String::new();
    for (step, event) in events.into_iter().enumerate() {
        let before = seen(lab);
        let name = format!("{event:?}");
        let (name, cut) = first_chars(&name, 110);
        out.push_str(&format!("{name}{}\n", if cut { "…" } else { "" }));
        for effect in lab.apply(event, 1000.0 + step as f64 * 10.0) {
            out.push_str(&format!("  → {}\n", describe_effect(&effect)));
        }
        let after = seen(lab);
        for (slot, channel) in [Channel::Control, Channel::Data].into_iter().enumerate() {
            let Some(link) = lab.link(channel) else { continue };
            let label = format!("{channel:?}").to_lowercase();
            let first_new = if after.started[slot] != before.started[slot] { 0 } else { before.next_ids[slot] };
            let new_entries = link.transcript.iter().filter(|entry| entry.id >= first_new);
            for entry in new_entries {
                let preview =
                    entry.bytes().map(|bytes| format!(" {}", crate::sockets::visible_text::preview(bytes, 60)));
                out.push_str(&format!(
                    "  {label} #{} {}{}\n",
                    entry.id,
                    link.transcript.heading(entry),
                    preview.unwrap_or_default()
                ));
            }
            let first_reply = if first_new == 0 { 0 } else { before.replies[slot] };
            for reply in link.replies.iter().skip(first_reply) {
                out.push_str(&format!("  {label} {}\n", describe_reply(reply)));
            }
            if after.statuses[slot] != before.statuses[slot] {
                out.push_str(&format!("  {label}: {}\n", after.statuses[slot].map_or("none", LinkStatus::label)));
            }
            if after.problems[slot] != before.problems[slot] {
                out.push_str(&format!("  {label} problem: {:?}\n", after.problems[slot]));
            }
        }
        for (name, (was, now)) in
            ["form", "composer", "data", "python"].iter().zip(before.errors.iter().zip(&after.errors))
        {
            if was != now {
                out.push_str(&format!("  {name} error: {now:?}\n"));
            }
        }
        if after.draft != before.draft {
            out.push_str(&format!("  draft: {:?}\n", after.draft));
        }
        if after.passive != before.passive {
            out.push_str(&format!("  passive: {:?}\n", after.passive));
        }
        if after.transport != before.transport {
            out.push_str(&format!("  transport: {:?}\n", after.transport));
        }
        if after.running_all != before.running_all {
            out.push_str(&format!("  running all: {}\n", after.running_all));
        }
        if after.mailbox != before.mailbox {
            let (loading, problem, shown, messages, clients) = &after.mailbox;
            out.push_str(&format!(
                "  mailbox: loading {loading}, problem {problem:?}, shown {shown} times, {messages} messages, {clients} SMTP clients\n"
            ));
        }
        if after.copy_notice != before.copy_notice {
            out.push_str(&format!("  copy notice: {:?}\n", after.copy_notice));
        }
        for (index, outcome) in after.outcomes.iter().enumerate() {
            let was = before.outcomes.get(index).unwrap_or(&StepOutcome::NotRun);
            if was != outcome {
                out.push_str(&format!("  step {index}: {outcome:?}\n"));
            }
        }
        if after.current != before.current {
            out.push_str(&format!("  next step: {:?}\n", after.current));
        }
    }
    out
}

fn check(events: Vec<SocketsEvent>, expected: Expect) {
    expected.assert_eq(&script(&mut lab(), events));
}

#[test]
fn an_smtp_conversation_typed_by_hand() {
    let mut events = vec![SocketsEvent::Target("smtp".into()), SocketsEvent::Connect];
    events.extend(opening(Channel::Control, Transport::Tcp, "127.0.0.1:2525"));
    events.extend([
        received(Channel::Control, "220 wirelab ES"),
        received(Channel::Control, "MTP ready\r\n"),
        typed("EHLO learner"),
        SocketsEvent::Send,
        sent(Channel::Control, "EHLO learner\r\n", Origin::Draft),
        received(Channel::Control, "250-wirelab\r\n250-SIZE 1048576\r\n250 8BITMIME\r\n"),
        typed("MAIL FROM:<a@wirelab.test>"),
        SocketsEvent::Send,
        sent(Channel::Control, "MAIL FROM:<a@wirelab.test>\r\n", Origin::Draft),
        received(Channel::Control, "250 2.1.0 OK\r\n"),
        SocketsEvent::Recall(0),
        SocketsEvent::Disconnect,
        SocketsEvent::SocketClosed { channel: Channel::Control, code: 1000, reason: String::new() },
    ]);
    check(
        events,
        expect![[r#"
        Target("smtp")
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=smtp
          control #0 +0 µs · Connecting to smtp over TCP through the server's bridge…
          control: opening the bridge
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:2525
          control: connected
          mailbox: loading false, problem None, shown 0 times, 0 messages, 1 SMTP clients
        Received { channel: Control, bytes: [50, 50, 48, 32, 119, 105, 114, 101, 108, 97, 98, 32, 69, 83] }
          control #2 +40.0 ms ← received 14 B 220 wirelab ES
        Received { channel: Control, bytes: [77, 84, 80, 32, 114, 101, 97, 100, 121, 13, 10] }
          control #3 +50.0 ms ← received 11 B MTP ready␍␊
          control reply 220 to "(connecting)": 220: The server is ready and greets you: introduce yourself with EHLO (or the older HELO)
        Draft(Text("EHLO learner"))
          draft: "EHLO learner"
        Send
          → send Control "EHLO learner\r\n" (Draft)
        Sent { channel: Control, bytes: [69, 72, 76, 79, 32, 108, 101, 97, 114, 110, 101, 114, 13, 10], origin: Draft …
          control #4 +80.0 ms → sent 14 B EHLO learner␍␊
          draft: ""
        Received { channel: Control, bytes: [50, 53, 48, 45, 119, 105, 114, 101, 108, 97, 98, 13, 10, 50, 53, 48, 45, …
          control #5 +90.0 ms ← received 45 B 250-wirelab␍␊250-SIZE 1048576␍␊250 8BITMIME␍␊
          control reply 250 to "EHLO learner": 250: OK: the requested action was done
        Draft(Text("MAIL FROM:<a@wirelab.test>"))
          draft: "MAIL FROM:<a@wirelab.test>"
        Send
          → send Control "MAIL FROM:<a@wirelab.test>\r\n" (Draft)
        Sent { channel: Control, bytes: [77, 65, 73, 76, 32, 70, 82, 79, 77, 58, 60, 97, 64, 119, 105, 114, 101, 108, …
          control #6 +120.0 ms → sent 28 B MAIL FROM:<a@wirelab.test>␍␊
          draft: ""
        Received { channel: Control, bytes: [50, 53, 48, 32, 50, 46, 49, 46, 48, 32, 79, 75, 13, 10] }
          control #7 +130.0 ms ← received 14 B 250 2.1.0 OK␍␊
          control reply 250 to "MAIL FROM:<a@wirelab.test>": 250: OK: the requested action was done
        Recall(0)
          draft: "EHLO learner"
        Disconnect
          → close Control
        SocketClosed { channel: Control, code: 1000, reason: "" }
          control #8 +160.0 ms · Disconnected: the bridge closed its connection to the peer
          control: closed
    "#]],
    );
}

#[test]
fn a_refused_target_is_explained_in_place_and_the_typed_text_stays() {
    let events = vec![
        SocketsEvent::Target("127.0.0.1:25".into()),
        SocketsEvent::Connect,
        SocketsEvent::OpenStarted(Channel::Control),
        SocketsEvent::SocketClosed { channel: Channel::Control, code: 1006, reason: String::new() },
        SocketsEvent::Refusal {
            channel: Channel::Control,
            status: 403,
            body: r#"{"error":"127.0.0.1:25 is not an allowed target: start the server with --allow-connect 127.0.0.1:25","status":403}"#.into(),
        },
        typed("EHLO me"),
        SocketsEvent::Send,
        SocketsEvent::Target("nowhere".into()),
        SocketsEvent::Connect,
        SocketsEvent::Target("smtp".into()),
        SocketsEvent::Connect,
        SocketsEvent::OpenRefused { channel: Channel::Control, error: "SecurityError: insecure".into() },
        SocketsEvent::Connect,
        SocketsEvent::OpenStarted(Channel::Control),
        SocketsEvent::SocketClosed { channel: Channel::Control, code: 1006, reason: String::new() },
        SocketsEvent::RefusalUnexplained { channel: Channel::Control, error: "TypeError: Failed to fetch".into() },
    ];
    check(
        events,
        expect![[r#"
        Target("127.0.0.1:25")
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=127.0.0.1%3A25
          control #0 +0 µs · Connecting to 127.0.0.1:25 over TCP through the server's bridge…
          control: opening the bridge
        OpenStarted(Control)
        SocketClosed { channel: Control, code: 1006, reason: "" }
          → explain refusal Control via http://127.0.0.1:8080/ws/tcp?to=127.0.0.1%3A25
          control: closed
          control problem: Some("The bridge did not open; asking the server why…")
        Refusal { channel: Control, status: 403, body: "{\"error\":\"127.0.0.1:25 is not an allowed target: start the …
          control #1 +30.0 ms · The server refused the connection (403): 127.0.0.1:25 is not an allowed target: start the server with --allow-connect 127.0.0.1:25
          control problem: Some("The server refused the connection (403): 127.0.0.1:25 is not an allowed target: start the server with --allow-connect 127.0.0.1:25")
        Draft(Text("EHLO me"))
          draft: "EHLO me"
        Send
          composer error: Some("Nothing was sent: the connection is closed: Connect again")
        Target("nowhere")
        Connect
          form error: Some("no built-in peer is called 'nowhere' (there are: echo, smtp, pop3, ftp); for another service type HOST:PORT at line 1, column 1")
        Target("smtp")
          form error: None
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=smtp
          control #0 +0 µs · Connecting to smtp over TCP through the server's bridge…
          control: opening the bridge
          control problem: None
        OpenRefused { channel: Control, error: "SecurityError: insecure" }
          control #1 +10.0 ms · The browser would not open the bridge: SecurityError: insecure
          control: closed
          control problem: Some("The browser would not open the bridge: SecurityError: insecure")
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=smtp
          control #0 +0 µs · Connecting to smtp over TCP through the server's bridge…
          control: opening the bridge
          control problem: None
        OpenStarted(Control)
        SocketClosed { channel: Control, code: 1006, reason: "" }
          → explain refusal Control via http://127.0.0.1:8080/ws/tcp?to=smtp
          control: closed
          control problem: Some("The bridge did not open; asking the server why…")
        RefusalUnexplained { channel: Control, error: "TypeError: Failed to fetch" }
          control #1 +30.0 ms · The bridge closed before it opened, and the server could not be asked why: TypeError: Failed to fetch
          control problem: Some("The bridge closed before it opened, and the server could not be asked why: TypeError: Failed to fetch")
    "#]],
    );
}

#[test]
fn what_the_composer_refuses_keeps_the_text() {
    let mut events =
        vec![typed("QUIT"), SocketsEvent::Send, SocketsEvent::Target("echo".into()), SocketsEvent::Connect];
    events.extend([
        SocketsEvent::OpenStarted(Channel::Control),
        SocketsEvent::SocketOpened(Channel::Control),
        SocketsEvent::Send,
        connected(Channel::Control, Transport::Tcp, "127.0.0.1:7007"),
        SocketsEvent::Draft(DraftEdit::Encoding(PayloadEncoding::Hex)),
        typed("de ad b"),
        SocketsEvent::Send,
        typed(""),
        SocketsEvent::Draft(DraftEdit::LineEnding(LineEnding::None)),
        SocketsEvent::Draft(DraftEdit::Encoding(PayloadEncoding::Text)),
        SocketsEvent::Send,
        typed("ping"),
        SocketsEvent::Send,
        SocketsEvent::SendRefused {
            channel: Channel::Control,
            origin: Origin::Draft,
            error: "InvalidStateError".into(),
        },
        SocketsEvent::FinishSending,
        bridge(Channel::Control, BridgeEvent::FinSent { at_ms: 20.0 }),
        SocketsEvent::Send,
        SocketsEvent::SendOn(Channel::Data),
        SocketsEvent::Send,
        SocketsEvent::OpenData,
    ]);
    check(
        events,
        expect![[r#"
        Draft(Text("QUIT"))
          draft: "QUIT"
        Send
          composer error: Some("Nothing was sent: not connected: choose a peer and Connect first")
        Target("echo")
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=echo
          control #0 +0 µs · Connecting to echo over TCP through the server's bridge…
          control: opening the bridge
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        Send
          composer error: Some("Nothing was sent: still connecting: wait for “Connected”")
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +40.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:7007
          control: connected
        Draft(Encoding(Hex))
          composer error: None
        Draft(Text("de ad b"))
          draft: "de ad b"
        Send
          composer error: Some("Nothing was sent: odd number of hex digits (1) in this group: each byte needs two at line 1, column 7")
        Draft(Text(""))
          composer error: None
          draft: ""
        Draft(LineEnding(None))
        Draft(Encoding(Text))
        Send
          composer error: Some("Nothing was sent: there are no bytes to send (over TCP an empty send sends nothing)")
        Draft(Text("ping"))
          composer error: None
          draft: "ping"
        Send
          → send Control "ping" (Draft)
        SendRefused { channel: Control, origin: Draft, error: "InvalidStateError" }
          composer error: Some("Nothing was sent: InvalidStateError")
        FinishSending
          → command Control {"command":"shutdown_write"}
        BridgeText { channel: Control, text: "{\"event\":\"fin_sent\",\"at_ms\":20.0}" }
          control #2 +160.0 ms · FIN sent: the peer will read no more from us
        Send
          composer error: Some("Nothing was sent: you sent FIN (finished sending): this connection takes no more bytes")
        SendOn(Data)
        Send
          composer error: Some("Nothing was sent: no data connection: open one from a passive (227) reply first")
        OpenData
          data error: Some("no address yet: send PASV (or EPSV) first; its reply gives one")
    "#]],
    );
}

#[test]
fn the_peer_ending_the_connection_is_said_in_words() {
    let mut events = vec![SocketsEvent::Target("pop3".into()), SocketsEvent::Connect];
    events.extend(opening(Channel::Control, Transport::Tcp, "127.0.0.1:1110"));
    events.extend([
        received(Channel::Control, "+OK ready\r\n"),
        sent(Channel::Control, "RETR 1\r\n", Origin::Draft),
        received(Channel::Control, "+OK 120 octets\r\nSubject: cut\r\n"),
        bridge(
            Channel::Control,
            BridgeEvent::Reset { at_ms: 30.0, error: "Connection reset by peer (os error 104)".into() },
        ),
        bridge(
            Channel::Control,
            BridgeEvent::Closed {
                at_ms: 30.1,
                reason: CloseReason::Reset,
                detail: "the peer reset the connection".into(),
            },
        ),
        SocketsEvent::SocketClosed { channel: Channel::Control, code: 1000, reason: String::new() },
        SocketsEvent::Connect,
        SocketsEvent::OpenStarted(Channel::Control),
        SocketsEvent::SocketOpened(Channel::Control),
        bridge(
            Channel::Control,
            BridgeEvent::ConnectFailed {
                at_ms: 1.0,
                reason: ConnectFailure::Refused,
                error: "Connection refused (os error 111)".into(),
            },
        ),
        bridge(
            Channel::Control,
            BridgeEvent::Closed {
                at_ms: 1.1,
                reason: CloseReason::ConnectFailed,
                detail: "the connection attempt failed".into(),
            },
        ),
        SocketsEvent::Connect,
        SocketsEvent::OpenStarted(Channel::Control),
        SocketsEvent::SocketOpened(Channel::Control),
        connected(Channel::Control, Transport::Tcp, "127.0.0.1:1110"),
        bridge(Channel::Control, BridgeEvent::Timeout { at_ms: 300000.0, phase: TimeoutPhase::Idle, limit_ms: 300000 }),
        SocketsEvent::SocketClosed { channel: Channel::Control, code: 1006, reason: String::new() },
        SocketsEvent::BridgeText { channel: Channel::Control, text: "{\"event\":\"teleported\"}".into() },
    ]);
    check(
        events,
        expect![[r#"
        Target("pop3")
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=pop3
          control #0 +0 µs · Connecting to pop3 over TCP through the server's bridge…
          control: opening the bridge
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:1110
          control: connected
        Received { channel: Control, bytes: [43, 79, 75, 32, 114, 101, 97, 100, 121, 13, 10] }
          control #2 +40.0 ms ← received 11 B +OK ready␍␊
          control reply +OK to "(connecting)": +OK: The server is ready: log in with USER and PASS (or APOP)
        Sent { channel: Control, bytes: [82, 69, 84, 82, 32, 49, 13, 10], origin: Draft }
          control #3 +50.0 ms → sent 8 B RETR 1␍␊
        Received { channel: Control, bytes: [43, 79, 75, 32, 49, 50, 48, 32, 111, 99, 116, 101, 116, 115, 13, 10, 83, …
          control #4 +60.0 ms ← received 30 B +OK 120 octets␍␊Subject: cut␍␊
        BridgeText { channel: Control, text: "{\"event\":\"reset\",\"at_ms\":30.0,\"error\":\"Connection reset by peer…
          control #5 +70.0 ms · The peer reset the connection (RST): Connection reset by peer (os error 104)
        BridgeText { channel: Control, text: "{\"event\":\"closed\",\"at_ms\":30.1,\"reason\":\"reset\",\"detail\":\"t…
          control #6 +80.0 ms · Bridge closed: the peer reset the connection
          control reply +OK to "RETR 1": +OK: The message follows (1 line): headers, a blank line, the body; a line starting with '.' had a second '.' added, removed here
          control: closed
        SocketClosed { channel: Control, code: 1000, reason: "" }
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=pop3
          control #0 +0 µs · Connecting to pop3 over TCP through the server's bridge…
          control: opening the bridge
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connect_failed\",\"at_ms\":1.0,\"reason\":\"refused\",\"err…
          control #1 +30.0 ms · Connection refused: nothing listens there (Connection refused (os error 111))
          control problem: Some("Connection refused: nothing listens there (Connection refused (os error 111))")
        BridgeText { channel: Control, text: "{\"event\":\"closed\",\"at_ms\":1.1,\"reason\":\"connect_failed\",\"deta…
          control #2 +40.0 ms · Bridge closed: the connection attempt failed
          control: closed
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=pop3
          control #0 +0 µs · Connecting to pop3 over TCP through the server's bridge…
          control: opening the bridge
          control problem: None
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:1110
          control: connected
        BridgeText { channel: Control, text: "{\"event\":\"timeout\",\"at_ms\":300000.0,\"phase\":\"idle\",\"limit_ms\…
          control #2 +40.0 ms · Timed out: nothing sent or received for 300000 ms
        SocketClosed { channel: Control, code: 1006, reason: "" }
          control #3 +50.0 ms · The connection to the bridge was lost (WebSocket close 1006)
          control: closed
          control problem: Some("The connection to the bridge was lost (WebSocket close 1006)")
        BridgeText { channel: Control, text: "{\"event\":\"teleported\"}" }
          control #4 +60.0 ms · An event from the bridge the lab cannot read (unknown variant `teleported`, expected one of `connected`, `data`, `peer_fin`, `fin_sent`, `reset`, `port_unreachable`, `timeout`, `connect_failed`, `bad_command`, `closed` at line 1 column 21): {"event":"teleported"}
    "#]],
    );
}

#[test]
fn ftp_passive_mode_opens_a_linked_data_connection() {
    let mut events = vec![SocketsEvent::Target("ftp".into()), SocketsEvent::Connect];
    events.extend(opening(Channel::Control, Transport::Tcp, "127.0.0.1:2121"));
    events.extend([
        received(Channel::Control, "220 wirelab FTP\r\n"),
        SocketsEvent::OpenData,
        sent(Channel::Control, "PASV\r\n", Origin::Draft),
        received(Channel::Control, "227 Entering Passive Mode (127,0,0,1,195,80)\r\n"),
        SocketsEvent::OpenData,
    ]);
    events.extend(opening(Channel::Data, Transport::Tcp, "127.0.0.1:50000"));
    events.extend([
        sent(Channel::Control, "LIST\r\n", Origin::Draft),
        received(Channel::Control, "150 Here comes the listing\r\n"),
        received(Channel::Data, "-rw-r--r-- 1 ftp ftp 13 hello.txt\r\n"),
        bridge(Channel::Data, BridgeEvent::PeerFin { at_ms: 5.0 }),
        bridge(Channel::Data, BridgeEvent::FinSent { at_ms: 5.1 }),
        bridge(
            Channel::Data,
            BridgeEvent::Closed { at_ms: 5.2, reason: CloseReason::Finished, detail: "both sides sent FIN".into() },
        ),
        SocketsEvent::SocketClosed { channel: Channel::Data, code: 1000, reason: String::new() },
        received(Channel::Control, "226 Transfer complete\r\n"),
        sent(Channel::Control, "EPSV\r\n", Origin::Draft),
        received(Channel::Control, "229 Entering Extended Passive Mode (|||50001|)\r\n"),
    ]);
    check(
        events,
        expect![[r#"
        Target("ftp")
        Connect
          → open Control ws://127.0.0.1:8080/ws/tcp?to=ftp
          control #0 +0 µs · Connecting to ftp over TCP through the server's bridge…
          control: opening the bridge
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:2121
          control: connected
        Received { channel: Control, bytes: [50, 50, 48, 32, 119, 105, 114, 101, 108, 97, 98, 32, 70, 84, 80, 13, 10] …
          control #2 +40.0 ms ← received 17 B 220 wirelab FTP␍␊
          control reply 220 to "(connecting)": 220: The server is ready for a new user: log in with USER
        OpenData
          data error: Some("no address yet: send PASV (or EPSV) first; its reply gives one")
        Sent { channel: Control, bytes: [80, 65, 83, 86, 13, 10], origin: Draft }
          control #3 +60.0 ms → sent 6 B PASV␍␊
        Received { channel: Control, bytes: [50, 50, 55, 32, 69, 110, 116, 101, 114, 105, 110, 103, 32, 80, 97, 115, 1…
          control #4 +70.0 ms ← received 46 B 227 Entering Passive Mode (127,0,0,1,195,80)␍␊
          control reply 227 to "PASV": 227: Passive mode: connect to this address for the data connection
          passive: Some(("127.0.0.1", 50000))
        OpenData
          → open Data ws://127.0.0.1:8080/ws/tcp?to=127.0.0.1%3A50000
          data #0 +0 µs · Connecting to 127.0.0.1:50000 over TCP through the server's bridge…
          data #1 +0 µs · FTP data connection, from the passive reply: (127,0,0,1,195,80) → host 127.0.0.1, port 195 × 256 + 80 = 50000
          data: opening the bridge
          data error: None
        OpenStarted(Data)
        SocketOpened(Data)
          data: connecting
        BridgeText { channel: Data, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\"12…
          data #2 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:50000
          data: connected
        Sent { channel: Control, bytes: [76, 73, 83, 84, 13, 10], origin: Draft }
          control #5 +120.0 ms → sent 6 B LIST␍␊
          data #3 +40.0 ms · This connection carries the data for LIST
        Received { channel: Control, bytes: [49, 53, 48, 32, 72, 101, 114, 101, 32, 99, 111, 109, 101, 115, 32, 116, 1…
          control #6 +130.0 ms ← received 28 B 150 Here comes the listing␍␊
          control reply 150 to "LIST": 150: OK: the server is about to send over the data connection (a second, separate connection)
        Received { channel: Data, bytes: [45, 114, 119, 45, 114, 45, 45, 114, 45, 45, 32, 49, 32, 102, 116, 112, 32, 1…
          data #4 +60.0 ms ← received 35 B -rw-r--r-- 1 ftp ftp 13 hello.txt␍␊
        BridgeText { channel: Data, text: "{\"event\":\"peer_fin\",\"at_ms\":5.0}" }
          → command Data {"command":"shutdown_write"}
          data #5 +70.0 ms · The peer closed its side (FIN): no more bytes will come
        BridgeText { channel: Data, text: "{\"event\":\"fin_sent\",\"at_ms\":5.1}" }
          data #6 +80.0 ms · FIN sent: the peer will read no more from us
        BridgeText { channel: Data, text: "{\"event\":\"closed\",\"at_ms\":5.2,\"reason\":\"finished\",\"detail\":\"bo…
          data #7 +90.0 ms · Bridge closed: both sides sent FIN
          data: closed
        SocketClosed { channel: Data, code: 1000, reason: "" }
        Received { channel: Control, bytes: [50, 50, 54, 32, 84, 114, 97, 110, 115, 102, 101, 114, 32, 99, 111, 109, 1…
          control #7 +190.0 ms ← received 23 B 226 Transfer complete␍␊
          control reply 226 to "LIST": 226: Transfer complete: the server closes the data connection
        Sent { channel: Control, bytes: [69, 80, 83, 86, 13, 10], origin: Draft }
          control #8 +200.0 ms → sent 6 B EPSV␍␊
        Received { channel: Control, bytes: [50, 50, 57, 32, 69, 110, 116, 101, 114, 105, 110, 103, 32, 69, 120, 116, …
          control #9 +210.0 ms ← received 48 B 229 Entering Extended Passive Mode (|||50001|)␍␊
          control reply 229 to "EPSV": 229: Extended passive mode: connect to this port (same host) for the data connection
          passive: Some(("127.0.0.1", 50001))
    "#]],
    );
}

#[test]
fn the_smtp_walkthrough_run_step_by_step() {
    let walk = |event| SocketsEvent::Walkthrough(event);
    let mut events = vec![walk(WalkthroughEvent::Start("smtp".into())), walk(WalkthroughEvent::RunStep)];
    events.extend(opening(Channel::Control, Transport::Tcp, "127.0.0.1:2525"));
    events.extend([
        received(Channel::Control, "220 wirelab ESMTP\r\n"),
        walk(WalkthroughEvent::RunStep),
        sent(Channel::Control, "EHLO learner.wirelab.test\r\n", Origin::Step(1)),
        received(Channel::Control, "250-wirelab\r\n250 PIPELINING\r\n"),
        walk(WalkthroughEvent::UseStep(2)),
        SocketsEvent::Send,
        sent(Channel::Control, "MAIL FROM:<learner@wirelab.test>\r\n", Origin::Draft),
        received(Channel::Control, "250 OK\r\n"),
        walk(WalkthroughEvent::Edit(StepEdit::Text(3, "RCPT TO:<nobody@elsewhere.test>".into()))),
        walk(WalkthroughEvent::RunStep),
        sent(Channel::Control, "RCPT TO:<nobody@elsewhere.test>\r\n", Origin::Step(3)),
        received(Channel::Control, "550 5.1.1 no such user\r\n"),
        walk(WalkthroughEvent::Edit(StepEdit::Text(3, "RCPT TO:<friend@wirelab.test>".into()))),
        walk(WalkthroughEvent::RunStep),
        sent(Channel::Control, "RCPT TO:<friend@wirelab.test>\r\n", Origin::Step(3)),
        received(Channel::Control, "250 OK\r\n"),
        walk(WalkthroughEvent::RunStep),
        sent(Channel::Control, "DATA\r\n", Origin::Step(4)),
        received(Channel::Control, "354 go ahead\r\n"),
        walk(WalkthroughEvent::RunStep),
        SocketsEvent::Sent {
            channel: Channel::Control,
            bytes: crate::sockets::line_ending::text_bytes(
                &crate::sockets::walkthroughs::sample_message(),
                LineEnding::CrLf,
            ),
            origin: Origin::Step(5),
        },
        walk(WalkthroughEvent::RunStep),
        sent(Channel::Control, ".\r\n", Origin::Step(6)),
        received(Channel::Control, "250 queued\r\n"),
        SocketsEvent::CopyPython(PythonFlavor::Library),
    ]);
    check(
        events,
        expect![[r#"
        Walkthrough(Start("smtp"))
          next step: Some(0)
        Walkthrough(RunStep)
          → open Control ws://127.0.0.1:8080/ws/tcp?to=smtp
          control #0 +0 µs · Connecting to smtp over TCP through the server's bridge…
          control: opening the bridge
          step 0: Waiting("expect 220")
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:2525
          control: connected
          mailbox: loading false, problem None, shown 0 times, 0 messages, 1 SMTP clients
        Received { channel: Control, bytes: [50, 50, 48, 32, 119, 105, 114, 101, 108, 97, 98, 32, 69, 83, 77, 84, 80, …
          control #2 +40.0 ms ← received 19 B 220 wirelab ESMTP␍␊
          control reply 220 to "(connecting)": 220: The server is ready and greets you: introduce yourself with EHLO (or the older HELO)
          step 0: Done("220: The server is ready and greets you: introduce yourself with EHLO (or the older HELO)")
          next step: Some(1)
        Walkthrough(RunStep)
          → send Control "EHLO learner.wirelab.test\r\n" (Step(1))
          step 1: Waiting("expect 250")
        Sent { channel: Control, bytes: [69, 72, 76, 79, 32, 108, 101, 97, 114, 110, 101, 114, 46, 119, 105, 114, 101,…
          control #3 +60.0 ms → sent 27 B EHLO learner.wirelab.test␍␊
        Received { channel: Control, bytes: [50, 53, 48, 45, 119, 105, 114, 101, 108, 97, 98, 13, 10, 50, 53, 48, 32, …
          control #4 +70.0 ms ← received 29 B 250-wirelab␍␊250 PIPELINING␍␊
          control reply 250 to "EHLO learner.wirelab.test": 250: OK: the requested action was done
          step 1: Done("250: OK: the requested action was done")
          next step: Some(2)
        Walkthrough(UseStep(2))
          draft: "MAIL FROM:<learner@wirelab.test>"
        Send
          → send Control "MAIL FROM:<learner@wirelab.test>\r\n" (Draft)
        Sent { channel: Control, bytes: [77, 65, 73, 76, 32, 70, 82, 79, 77, 58, 60, 108, 101, 97, 114, 110, 101, 114,…
          control #5 +100.0 ms → sent 34 B MAIL FROM:<learner@wirelab.test>␍␊
          draft: ""
          step 2: Waiting("expect 250")
        Received { channel: Control, bytes: [50, 53, 48, 32, 79, 75, 13, 10] }
          control #6 +110.0 ms ← received 8 B 250 OK␍␊
          control reply 250 to "MAIL FROM:<learner@wirelab.test>": 250: OK: the requested action was done
          step 2: Done("250: OK: the requested action was done")
          next step: Some(3)
        Walkthrough(Edit(Text(3, "RCPT TO:<nobody@elsewhere.test>")))
        Walkthrough(RunStep)
          → send Control "RCPT TO:<nobody@elsewhere.test>\r\n" (Step(3))
          step 3: Waiting("expect 250")
        Sent { channel: Control, bytes: [82, 67, 80, 84, 32, 84, 79, 58, 60, 110, 111, 98, 111, 100, 121, 64, 101, 108…
          control #7 +140.0 ms → sent 33 B RCPT TO:<nobody@elsewhere.test>␍␊
        Received { channel: Control, bytes: [53, 53, 48, 32, 53, 46, 49, 46, 49, 32, 110, 111, 32, 115, 117, 99, 104, …
          control #8 +150.0 ms ← received 24 B 550 5.1.1 no such user␍␊
          control reply 550 to "RCPT TO:<nobody@elsewhere.test>": 550: Refused: the mailbox is unavailable (no such user, no access, or a policy)
          step 3: Unexpected("expected 250, got 550: Refused: the mailbox is unavailable (no such user, no access, or a policy)")
        Walkthrough(Edit(Text(3, "RCPT TO:<friend@wirelab.test>")))
        Walkthrough(RunStep)
          → send Control "RCPT TO:<friend@wirelab.test>\r\n" (Step(3))
          step 3: Waiting("expect 250")
        Sent { channel: Control, bytes: [82, 67, 80, 84, 32, 84, 79, 58, 60, 102, 114, 105, 101, 110, 100, 64, 119, 10…
          control #9 +180.0 ms → sent 31 B RCPT TO:<friend@wirelab.test>␍␊
        Received { channel: Control, bytes: [50, 53, 48, 32, 79, 75, 13, 10] }
          control #10 +190.0 ms ← received 8 B 250 OK␍␊
          control reply 250 to "RCPT TO:<friend@wirelab.test>": 250: OK: the requested action was done
          step 3: Done("250: OK: the requested action was done")
          next step: Some(4)
        Walkthrough(RunStep)
          → send Control "DATA\r\n" (Step(4))
          step 4: Waiting("expect 354")
        Sent { channel: Control, bytes: [68, 65, 84, 65, 13, 10], origin: Step(4) }
          control #11 +210.0 ms → sent 6 B DATA␍␊
        Received { channel: Control, bytes: [51, 53, 52, 32, 103, 111, 32, 97, 104, 101, 97, 100, 13, 10] }
          control #12 +220.0 ms ← received 14 B 354 go ahead␍␊
          control reply 354 to "DATA": 354: Go ahead: send the message (headers, a blank line, the body) and end it with a line holding only '.'
          step 4: Done("354: Go ahead: send the message (headers, a blank line, the body) and end it with a line holding only '.'")
          next step: Some(5)
        Walkthrough(RunStep)
          → send Control "From: Learner <learner@wirelab.test>\r\nTo: Friend <friend@wirelab.test>\r\nSubject: Hello by hand\r\n\r\nI typed every line of this mail myself.\r\n" (Step(5))
          step 5: Done("done (no reply expected)")
          next step: Some(6)
        Sent { channel: Control, bytes: [70, 114, 111, 109, 58, 32, 76, 101, 97, 114, 110, 101, 114, 32, 60, 108, 101,…
          control #13 +240.0 ms → sent 139 B From: Learner <learner@wirelab.test>␍␊To: Friend <friend@wir…
        Walkthrough(RunStep)
          → send Control ".\r\n" (Step(6))
          step 6: Waiting("expect 250")
        Sent { channel: Control, bytes: [46, 13, 10], origin: Step(6) }
          control #14 +260.0 ms → sent 3 B .␍␊
        Received { channel: Control, bytes: [50, 53, 48, 32, 113, 117, 101, 117, 101, 100, 13, 10] }
          control #15 +270.0 ms ← received 12 B 250 queued␍␊
          control reply 250 to "(the message: 5 lines, 139 bytes, and the final dot)": 250: OK: the requested action was done
          step 6: Done("250: OK: the requested action was done")
          next step: Some(7)
        CopyPython(Library)
          → copy "\"\"\"The Wirelab Sockets lab's SMTP session with 127.0.0.1:2525 over TCP, with smtplib.\"\"\""…
    "#]],
    );
}

#[test]
fn the_stream_walkthrough_counts_chunks_and_datagrams() {
    let walk = |event| SocketsEvent::Walkthrough(event);
    let mut events = vec![walk(WalkthroughEvent::Start("stream".into())), walk(WalkthroughEvent::RunStep)];
    events.extend(opening(Channel::Control, Transport::Tcp, "127.0.0.1:7007"));
    events.extend([
        walk(WalkthroughEvent::RunStep),
        sent(Channel::Control, "one", Origin::Step(1)),
        sent(Channel::Control, "two", Origin::Step(1)),
        sent(Channel::Control, "three", Origin::Step(1)),
        received(Channel::Control, "onetwothree"),
        walk(WalkthroughEvent::RunStep),
        SocketsEvent::SocketClosed { channel: Channel::Control, code: 1000, reason: String::new() },
        walk(WalkthroughEvent::RunStep),
    ]);
    events.extend(opening(Channel::Control, Transport::Udp, "127.0.0.1:7007"));
    events.extend([
        walk(WalkthroughEvent::RunStep),
        sent(Channel::Control, "one", Origin::Step(4)),
        sent(Channel::Control, "two", Origin::Step(4)),
        sent(Channel::Control, "three", Origin::Step(4)),
        received(Channel::Control, "one"),
        received(Channel::Control, "two"),
        received(Channel::Control, "three"),
        SocketsEvent::CopyPython(PythonFlavor::Library),
        SocketsEvent::CopyPython(PythonFlavor::Socket),
    ]);
    check(
        events,
        expect![[r#"
        Walkthrough(Start("stream"))
          next step: Some(0)
        Walkthrough(RunStep)
          → open Control ws://127.0.0.1:8080/ws/tcp?to=echo
          control #0 +0 µs · Connecting to echo over TCP through the server's bridge…
          control: opening the bridge
          step 0: Waiting("expect: connected")
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:7007
          control: connected
          step 0: Done("connected in 250 µs")
          next step: Some(1)
        Walkthrough(RunStep)
          → send Control "one" (Step(1))
          → send Control "two" (Step(1))
          → send Control "three" (Step(1))
          step 1: Waiting("expect the same bytes back")
        Sent { channel: Control, bytes: [111, 110, 101], origin: Step(1) }
          control #2 +50.0 ms → sent 3 B one
        Sent { channel: Control, bytes: [116, 119, 111], origin: Step(1) }
          control #3 +60.0 ms → sent 3 B two
        Sent { channel: Control, bytes: [116, 104, 114, 101, 101], origin: Step(1) }
          control #4 +70.0 ms → sent 5 B three
        Received { channel: Control, bytes: [111, 110, 101, 116, 119, 111, 116, 104, 114, 101, 101] }
          control #5 +80.0 ms ← received 11 B onetwothree
          step 1: Done("11 bytes came back in 1 chunk")
          next step: Some(2)
        Walkthrough(RunStep)
          → close Control
          step 2: Done("done (no reply expected)")
          next step: Some(3)
        SocketClosed { channel: Control, code: 1000, reason: "" }
          control #6 +100.0 ms · Disconnected: the bridge closed its connection to the peer
          control: closed
        Walkthrough(RunStep)
          → open Control ws://127.0.0.1:8080/ws/udp?to=echo
          control #0 +0 µs · Connecting to echo over UDP through the server's bridge…
          control: opening the bridge
          transport: Udp
          step 3: Waiting("expect: connected")
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"udp\",\"local\":\…
          control #1 +30.0 ms · Connected over UDP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:7007
          control: connected
          step 3: Done("connected in 250 µs")
          next step: Some(4)
        Walkthrough(RunStep)
          → send Control "one" (Step(4))
          → send Control "two" (Step(4))
          → send Control "three" (Step(4))
          step 4: Waiting("expect the same bytes back")
        Sent { channel: Control, bytes: [111, 110, 101], origin: Step(4) }
          control #2 +50.0 ms → sent datagram, 3 B one
        Sent { channel: Control, bytes: [116, 119, 111], origin: Step(4) }
          control #3 +60.0 ms → sent datagram, 3 B two
        Sent { channel: Control, bytes: [116, 104, 114, 101, 101], origin: Step(4) }
          control #4 +70.0 ms → sent datagram, 5 B three
        Received { channel: Control, bytes: [111, 110, 101] }
          control #5 +80.0 ms ← received datagram, 3 B one
        Received { channel: Control, bytes: [116, 119, 111] }
          control #6 +90.0 ms ← received datagram, 3 B two
        Received { channel: Control, bytes: [116, 104, 114, 101, 101] }
          control #7 +100.0 ms ← received datagram, 5 B three
          step 4: Done("11 bytes came back in 3 datagrams")
          next step: Some(5)
        CopyPython(Library)
          python error: Some("Echo over UDP has no Python library of its own: use the socket program")
        CopyPython(Socket)
          → copy "\"\"\"The Wirelab Sockets lab's Echo session with 127.0.0.1:7007 over UDP, with the socket module: the same bytes, in the same order.\"\"\""…
          python error: None
    "#]],
    );
}

#[test]
fn steps_that_cannot_run_say_why() {
    let walk = |event| SocketsEvent::Walkthrough(event);
    let events = vec![
        walk(WalkthroughEvent::Start("ftp".into())),
        walk(WalkthroughEvent::GoTo(1)),
        walk(WalkthroughEvent::RunStep),
        walk(WalkthroughEvent::GoTo(4)),
        walk(WalkthroughEvent::RunStep),
        walk(WalkthroughEvent::Edit(StepEdit::Remove(0))),
        walk(WalkthroughEvent::Start("no-such-walkthrough".into())),
    ];
    check(
        events,
        expect![[r#"
        Walkthrough(Start("ftp"))
          next step: Some(0)
        Walkthrough(GoTo(1))
          next step: Some(1)
        Walkthrough(RunStep)
          step 1: Unexpected("not connected: choose a peer and Connect first")
        Walkthrough(GoTo(4))
          next step: Some(4)
        Walkthrough(RunStep)
          step 4: Unexpected("no address yet: send PASV (or EPSV) first; its reply gives one")
        Walkthrough(Edit(Remove(0)))
          step 1: NotRun
          step 4: NotRun
        Walkthrough(Start("no-such-walkthrough"))
    "#]],
    );
}

#[test]
fn line_ending_warnings_follow_the_protocol() {
    let cases = [
        ("smtp", LineEnding::Lf, PayloadEncoding::Text, true),
        ("smtp", LineEnding::CrLf, PayloadEncoding::Text, false),
        ("smtp", LineEnding::None, PayloadEncoding::Hex, false),
        ("echo", LineEnding::None, PayloadEncoding::Text, false),
        ("127.0.0.1:21", LineEnding::Lf, PayloadEncoding::Text, true),
    ];
    for (target, ending, encoding, warned) in cases {
        let mut lab = lab();
        lab.apply(SocketsEvent::Target(target.into()), 0.0);
        lab.apply(SocketsEvent::Draft(DraftEdit::LineEnding(ending)), 0.0);
        lab.apply(SocketsEvent::Draft(DraftEdit::Encoding(encoding)), 0.0);
        assert_eq!(lab.line_ending_warning().is_some(), warned, "{target} {ending:?} {encoding:?}");
    }
}

#[test]
fn run_all_goes_through_the_smtp_walkthrough_to_the_mailbox() {
    let walk = |event| SocketsEvent::Walkthrough(event);
    let mut events = vec![walk(WalkthroughEvent::Start("smtp".into())), walk(WalkthroughEvent::RunAll)];
    events.extend(opening(Channel::Control, Transport::Tcp, "127.0.0.1:2525"));
    let message =
        crate::sockets::line_ending::text_bytes(&crate::sockets::walkthroughs::sample_message(), LineEnding::CrLf);
    events.extend([
        received(Channel::Control, "220 wirelab ESMTP\r\n"),
        sent(Channel::Control, "EHLO learner.wirelab.test\r\n", Origin::Step(1)),
        received(Channel::Control, "250 wirelab\r\n"),
        sent(Channel::Control, "MAIL FROM:<learner@wirelab.test>\r\n", Origin::Step(2)),
        received(Channel::Control, "250 OK\r\n"),
        sent(Channel::Control, "RCPT TO:<friend@wirelab.test>\r\n", Origin::Step(3)),
        received(Channel::Control, "250 OK\r\n"),
        sent(Channel::Control, "DATA\r\n", Origin::Step(4)),
        received(Channel::Control, "354 go ahead\r\n"),
        SocketsEvent::Sent { channel: Channel::Control, bytes: message, origin: Origin::Step(5) },
        sent(Channel::Control, ".\r\n", Origin::Step(6)),
        received(Channel::Control, "250 queued\r\n"),
        sent(Channel::Control, "QUIT\r\n", Origin::Step(7)),
        received(Channel::Control, "221 bye\r\n"),
        SocketsEvent::MailboxFetched(Err("the server did not answer".into())),
        SocketsEvent::RefreshMailbox,
        SocketsEvent::MailboxFetched(Ok(crate::mailbox::Mailbox::default())),
    ]);
    check(
        events,
        expect![[r#"
        Walkthrough(Start("smtp"))
          next step: Some(0)
        Walkthrough(RunAll)
          → open Control ws://127.0.0.1:8080/ws/tcp?to=smtp
          control #0 +0 µs · Connecting to smtp over TCP through the server's bridge…
          control: opening the bridge
          running all: true
          step 0: Waiting("expect 220")
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:2525
          control: connected
          mailbox: loading false, problem None, shown 0 times, 0 messages, 1 SMTP clients
        Received { channel: Control, bytes: [50, 50, 48, 32, 119, 105, 114, 101, 108, 97, 98, 32, 69, 83, 77, 84, 80, …
          → send Control "EHLO learner.wirelab.test\r\n" (Step(1))
          control #2 +40.0 ms ← received 19 B 220 wirelab ESMTP␍␊
          control reply 220 to "(connecting)": 220: The server is ready and greets you: introduce yourself with EHLO (or the older HELO)
          step 0: Done("220: The server is ready and greets you: introduce yourself with EHLO (or the older HELO)")
          step 1: Waiting("expect 250")
          next step: Some(1)
        Sent { channel: Control, bytes: [69, 72, 76, 79, 32, 108, 101, 97, 114, 110, 101, 114, 46, 119, 105, 114, 101,…
          control #3 +50.0 ms → sent 27 B EHLO learner.wirelab.test␍␊
        Received { channel: Control, bytes: [50, 53, 48, 32, 119, 105, 114, 101, 108, 97, 98, 13, 10] }
          → send Control "MAIL FROM:<learner@wirelab.test>\r\n" (Step(2))
          control #4 +60.0 ms ← received 13 B 250 wirelab␍␊
          control reply 250 to "EHLO learner.wirelab.test": 250: OK: the requested action was done
          step 1: Done("250: OK: the requested action was done")
          step 2: Waiting("expect 250")
          next step: Some(2)
        Sent { channel: Control, bytes: [77, 65, 73, 76, 32, 70, 82, 79, 77, 58, 60, 108, 101, 97, 114, 110, 101, 114,…
          control #5 +70.0 ms → sent 34 B MAIL FROM:<learner@wirelab.test>␍␊
        Received { channel: Control, bytes: [50, 53, 48, 32, 79, 75, 13, 10] }
          → send Control "RCPT TO:<friend@wirelab.test>\r\n" (Step(3))
          control #6 +80.0 ms ← received 8 B 250 OK␍␊
          control reply 250 to "MAIL FROM:<learner@wirelab.test>": 250: OK: the requested action was done
          step 2: Done("250: OK: the requested action was done")
          step 3: Waiting("expect 250")
          next step: Some(3)
        Sent { channel: Control, bytes: [82, 67, 80, 84, 32, 84, 79, 58, 60, 102, 114, 105, 101, 110, 100, 64, 119, 10…
          control #7 +90.0 ms → sent 31 B RCPT TO:<friend@wirelab.test>␍␊
        Received { channel: Control, bytes: [50, 53, 48, 32, 79, 75, 13, 10] }
          → send Control "DATA\r\n" (Step(4))
          control #8 +100.0 ms ← received 8 B 250 OK␍␊
          control reply 250 to "RCPT TO:<friend@wirelab.test>": 250: OK: the requested action was done
          step 3: Done("250: OK: the requested action was done")
          step 4: Waiting("expect 354")
          next step: Some(4)
        Sent { channel: Control, bytes: [68, 65, 84, 65, 13, 10], origin: Step(4) }
          control #9 +110.0 ms → sent 6 B DATA␍␊
        Received { channel: Control, bytes: [51, 53, 52, 32, 103, 111, 32, 97, 104, 101, 97, 100, 13, 10] }
          → send Control "From: Learner <learner@wirelab.test>\r\nTo: Friend <friend@wirelab.test>\r\nSubject: Hello by hand\r\n\r\nI typed every line of this mail myself.\r\n" (Step(5))
          → send Control ".\r\n" (Step(6))
          control #10 +120.0 ms ← received 14 B 354 go ahead␍␊
          control reply 354 to "DATA": 354: Go ahead: send the message (headers, a blank line, the body) and end it with a line holding only '.'
          step 4: Done("354: Go ahead: send the message (headers, a blank line, the body) and end it with a line holding only '.'")
          step 5: Done("done (no reply expected)")
          step 6: Waiting("expect 250")
          next step: Some(6)
        Sent { channel: Control, bytes: [70, 114, 111, 109, 58, 32, 76, 101, 97, 114, 110, 101, 114, 32, 60, 108, 101,…
          control #11 +130.0 ms → sent 139 B From: Learner <learner@wirelab.test>␍␊To: Friend <friend@wir…
        Sent { channel: Control, bytes: [46, 13, 10], origin: Step(6) }
          control #12 +140.0 ms → sent 3 B .␍␊
        Received { channel: Control, bytes: [50, 53, 48, 32, 113, 117, 101, 117, 101, 100, 13, 10] }
          → send Control "QUIT\r\n" (Step(7))
          control #13 +150.0 ms ← received 12 B 250 queued␍␊
          control reply 250 to "(the message: 5 lines, 139 bytes, and the final dot)": 250: OK: the requested action was done
          step 6: Done("250: OK: the requested action was done")
          step 7: Waiting("expect 221")
          next step: Some(7)
        Sent { channel: Control, bytes: [81, 85, 73, 84, 13, 10], origin: Step(7) }
          control #14 +160.0 ms → sent 6 B QUIT␍␊
        Received { channel: Control, bytes: [50, 50, 49, 32, 98, 121, 101, 13, 10] }
          → show mailbox
          control #15 +170.0 ms ← received 9 B 221 bye␍␊
          control reply 221 to "QUIT": 221: Goodbye: the server is closing the connection
          running all: false
          mailbox: loading true, problem None, shown 1 times, 0 messages, 1 SMTP clients
          step 7: Done("221: Goodbye: the server is closing the connection")
          step 8: Done("done (no reply expected)")
          next step: Some(9)
        MailboxFetched(Err("the server did not answer"))
          mailbox: loading false, problem Some("the server did not answer"), shown 1 times, 0 messages, 1 SMTP clients
        RefreshMailbox
          → show mailbox
          mailbox: loading true, problem Some("the server did not answer"), shown 2 times, 0 messages, 1 SMTP clients
        MailboxFetched(Ok(Mailbox { messages: [], dropped: 0, capacity: 0, max_message_bytes: 0 }))
          mailbox: loading false, problem None, shown 2 times, 0 messages, 1 SMTP clients
        "#]],
    );
}

#[test]
fn run_all_stops_at_a_step_that_goes_wrong_and_when_asked() {
    let walk = |event| SocketsEvent::Walkthrough(event);
    let mut events = vec![walk(WalkthroughEvent::Start("pop3".into())), walk(WalkthroughEvent::RunAll)];
    events.extend(opening(Channel::Control, Transport::Tcp, "127.0.0.1:1110"));
    events.extend([
        received(Channel::Control, "+OK POP3 ready\r\n"),
        sent(Channel::Control, "USER learner\r\n", Origin::Step(1)),
        received(Channel::Control, "-ERR no\r\n"),
        walk(WalkthroughEvent::RunAll),
        sent(Channel::Control, "USER learner\r\n", Origin::Step(1)),
        walk(WalkthroughEvent::Stop),
        received(Channel::Control, "+OK\r\n"),
        walk(WalkthroughEvent::RunAll),
        walk(WalkthroughEvent::GoTo(6)),
    ]);
    check(
        events,
        expect![[r#"
        Walkthrough(Start("pop3"))
          next step: Some(0)
        Walkthrough(RunAll)
          → open Control ws://127.0.0.1:8080/ws/tcp?to=pop3
          control #0 +0 µs · Connecting to pop3 over TCP through the server's bridge…
          control: opening the bridge
          running all: true
          step 0: Waiting("expect +OK")
        OpenStarted(Control)
        SocketOpened(Control)
          control: connecting
        BridgeText { channel: Control, text: "{\"event\":\"connected\",\"at_ms\":0.5,\"transport\":\"tcp\",\"local\":\…
          control #1 +30.0 ms · Connected over TCP in 250 µs: 127.0.0.1:40000 (the server's end) → 127.0.0.1:1110
          control: connected
        Received { channel: Control, bytes: [43, 79, 75, 32, 80, 79, 80, 51, 32, 114, 101, 97, 100, 121, 13, 10] }
          → send Control "USER learner\r\n" (Step(1))
          control #2 +40.0 ms ← received 16 B +OK POP3 ready␍␊
          control reply +OK to "(connecting)": +OK: The server is ready: log in with USER and PASS (or APOP)
          step 0: Done("+OK: The server is ready: log in with USER and PASS (or APOP)")
          step 1: Waiting("expect +OK")
          next step: Some(1)
        Sent { channel: Control, bytes: [85, 83, 69, 82, 32, 108, 101, 97, 114, 110, 101, 114, 13, 10], origin: Step(1…
          control #3 +50.0 ms → sent 14 B USER learner␍␊
        Received { channel: Control, bytes: [45, 69, 82, 82, 32, 110, 111, 13, 10] }
          control #4 +60.0 ms ← received 9 B -ERR no␍␊
          control reply -ERR to "USER learner": -ERR: The command failed; the text says why
          running all: false
          step 1: Unexpected("expected +OK, got -ERR: The command failed; the text says why")
        Walkthrough(RunAll)
          → send Control "USER learner\r\n" (Step(1))
          running all: true
          step 1: Waiting("expect +OK")
        Sent { channel: Control, bytes: [85, 83, 69, 82, 32, 108, 101, 97, 114, 110, 101, 114, 13, 10], origin: Step(1…
          control #5 +80.0 ms → sent 14 B USER learner␍␊
        Walkthrough(Stop)
          running all: false
        Received { channel: Control, bytes: [43, 79, 75, 13, 10] }
          control #6 +100.0 ms ← received 5 B +OK␍␊
          control reply +OK to "USER learner": +OK: The user name is accepted: now send PASS with the password
          step 1: Done("+OK: The user name is accepted: now send PASS with the password")
          next step: Some(2)
        Walkthrough(RunAll)
          → send Control "PASS wirelab\r\n" (Step(2))
          running all: true
          step 2: Waiting("expect +OK")
        Walkthrough(GoTo(6))
          running all: false
          next step: Some(6)
        "#]],
    );
}

#[test]
fn picking_a_peer_fits_the_transport_and_copies_are_reported() {
    let events = vec![
        SocketsEvent::Transport(Transport::Udp),
        SocketsEvent::Target("smtp".into()),
        SocketsEvent::Transport(Transport::Udp),
        SocketsEvent::Target("echo".into()),
        SocketsEvent::Target("127.0.0.1:7".into()),
        SocketsEvent::Copied(Ok(())),
        SocketsEvent::Copied(Err("NotAllowedError: denied".into())),
    ];
    check(
        events,
        expect![[r#"
        Transport(Udp)
          transport: Udp
        Target("smtp")
          transport: Tcp
        Transport(Udp)
          transport: Udp
        Target("echo")
        Target("127.0.0.1:7")
        Copied(Ok(()))
          copy notice: Some(Ok("Copied to the clipboard"))
        Copied(Err("NotAllowedError: denied"))
          copy notice: Some(Err("The clipboard refused (NotAllowedError: denied): select the program and copy it by hand"))
        "#]],
    );
}

#[test]
fn a_connection_s_capture_is_named_by_the_bridge_and_served_by_its_server() {
    let with_capture = |id: Option<&str>| {
        bridge(
            Channel::Control,
            BridgeEvent::Connected {
                at_ms: 0.5,
                transport: Transport::Tcp,
                local: "127.0.0.1:40000".into(),
                remote: "127.0.0.1:2525".into(),
                connect_ms: 0.25,
                capture: id.map(str::to_owned),
            },
        )
    };
    let cases = [
        ("before connecting", None, None),
        ("a server that keeps no captures", Some(None), None),
        ("a named capture", Some(Some("0f3a9c")), Some("http://127.0.0.1:8080/api/captures/0f3a9c.pcap")),
        ("an id that is not a plain name", Some(Some("../x")), None),
    ];
    for (name, connected, expected) in cases {
        let mut lab = lab();
        if let Some(id) = connected {
            for event in [
                SocketsEvent::Target("smtp".into()),
                SocketsEvent::Connect,
                SocketsEvent::OpenStarted(Channel::Control),
                SocketsEvent::SocketOpened(Channel::Control),
                with_capture(id),
            ] {
                lab.apply(event, 0.0);
            }
        }
        assert_eq!(lab.capture_url(Channel::Control).as_deref(), expected, "{name}");
        assert_eq!(lab.capture_url(Channel::Data), None, "{name}: no data connection");
    }
}
