//! The Sockets lab's guided walkthroughs, as data a learner can run step by step or edit: each
//! step says what to do (connect, send a line with its line ending, open FTP's data connection),
//! what to expect back, and why, in a sentence.

use crate::bridge_event::Transport;

use super::line_ending::LineEnding;

/// The address the SMTP walkthrough sends from (`.test` is reserved: RFC 2606).
pub const MAIL_FROM: &str = "learner@wirelab.test";
/// The address it sends to.
pub const MAIL_TO: &str = "friend@wirelab.test";
/// The POP3 peer's user name and password in the POP3 walkthrough.
pub const POP3_USER: &str = "learner";
pub const POP3_PASSWORD: &str = "wirelab";
/// A file the FTP peer serves in its sample folder.
pub const FTP_SAMPLE_FILE: &str = "readme.txt";

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Connect to a built-in peer (or `HOST:PORT`) over a transport.
    Connect { target: String, transport: Transport },
    /// Send one text with its line ending.
    Send { text: String, line_ending: LineEnding },
    /// Several sends straight after each other, each its own write (its own datagram over UDP).
    SendEach { pieces: Vec<String>, line_ending: LineEnding },
    /// FTP: open the data connection at the address the last 227 or 229 reply gave.
    OpenData,
    /// Close the connection.
    Disconnect,
    /// Show the server's mailbox (where the SMTP walkthrough's mail arrives).
    ShowMailbox,
}

/// What a step waits for before it counts as done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Nothing: done once the action is.
    Nothing,
    /// The bridge reports the connection open.
    Connected,
    /// Replies with these statuses, in order (`250`; `150` then `226`; `+OK`); `x` stands for
    /// any digit (`2xx`).
    Replies(Vec<String>),
    /// Every byte sent comes back (an echo peer).
    Echo,
}

impl Expect {
    /// One status pattern per reply.
    pub fn replies(statuses: &[&str]) -> Expect {
        Expect::Replies(statuses.iter().map(|status| status.to_string()).collect())
    }

    /// What is expected, in words: `expect 150, then 226`.
    pub fn text(&self) -> String {
        match self {
            Expect::Nothing => "no reply expected".to_string(),
            Expect::Connected => "expect: connected".to_string(),
            Expect::Replies(statuses) => format!("expect {}", statuses.join(", then ")),
            Expect::Echo => "expect the same bytes back".to_string(),
        }
    }
}

/// Whether a reply's status (`250`, `+OK`) matches a pattern (`250`, `2xx`, `+OK`).
pub fn status_matches(pattern: &str, status: &str) -> bool {
    let pattern = pattern.trim();
    pattern.eq_ignore_ascii_case(status)
        || (pattern.len() == status.len()
            && pattern
                .bytes()
                .zip(status.bytes())
                .all(|(want, got)| want == got || (want.eq_ignore_ascii_case(&b'x') && got.is_ascii_digit())))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub expect: Expect,
    /// Why, in a sentence or two.
    pub explanation: String,
}

impl Step {
    pub fn new(action: Action, expect: Expect, explanation: &str) -> Step {
        Step { action, expect, explanation: explanation.to_string() }
    }

    fn send(text: &str, expect: Expect, explanation: &str) -> Step {
        Step::new(Action::Send { text: text.to_string(), line_ending: LineEnding::CrLf }, expect, explanation)
    }

    /// The action in words: `Send "EHLO learner" + CRLF ␍␊`.
    pub fn action_text(&self) -> String {
        let ending = |line_ending: &LineEnding| match line_ending {
            LineEnding::None => String::new(),
            other => format!(" + {}", other.label()),
        };
        match &self.action {
            Action::Connect { target, transport } => {
                format!("Connect to {target} over {}", super::transcript::transport_label(*transport))
            }
            Action::Send { text, line_ending } => format!("Send {text:?}{}", ending(line_ending)),
            Action::SendEach { pieces, line_ending } => {
                let quoted: Vec<String> = pieces.iter().map(|piece| format!("{piece:?}")).collect();
                format!("Send {} at once{}", quoted.join(", "), ending(line_ending))
            }
            Action::OpenData => "Open the data connection (address from the 227 reply)".to_string(),
            Action::Disconnect => "Disconnect".to_string(),
            Action::ShowMailbox => "Open the server's mailbox".to_string(),
        }
    }
}

/// One change to a walkthrough's steps; a step index out of range changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepEdit {
    /// The text of a Send (for SendEach: the pieces, one per line).
    Text(usize, String),
    LineEnding(usize, LineEnding),
    Expect(usize, Expect),
    Explanation(usize, String),
    /// A new step before this index (at the end when past it).
    Insert(usize, Step),
    Remove(usize),
    /// Swap a step with the one before it.
    MoveUp(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walkthrough {
    /// A stable name (for links and storage): `smtp`, `pop3`, `ftp`, `stream`.
    pub id: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<Step>,
}

impl Walkthrough {
    pub fn edit(&mut self, edit: StepEdit) {
        match edit {
            StepEdit::Text(index, text) => match self.steps.get_mut(index).map(|step| &mut step.action) {
                Some(Action::Send { text: old, .. }) => *old = text,
                Some(Action::SendEach { pieces, .. }) => *pieces = text.lines().map(str::to_string).collect(),
                _ => {}
            },
            StepEdit::LineEnding(index, ending) => {
                if let Some(Action::Send { line_ending, .. } | Action::SendEach { line_ending, .. }) =
                    self.steps.get_mut(index).map(|step| &mut step.action)
                {
                    *line_ending = ending;
                }
            }
            StepEdit::Expect(index, expect) => {
                if let Some(step) = self.steps.get_mut(index) {
                    step.expect = expect;
                }
            }
            StepEdit::Explanation(index, explanation) => {
                if let Some(step) = self.steps.get_mut(index) {
                    step.explanation = explanation;
                }
            }
            StepEdit::Insert(index, step) => self.steps.insert(index.min(self.steps.len()), step),
            StepEdit::Remove(index) => {
                if index < self.steps.len() {
                    self.steps.remove(index);
                }
            }
            StepEdit::MoveUp(index) => {
                if index > 0 && index < self.steps.len() {
                    self.steps.swap(index - 1, index);
                }
            }
        }
    }
}

/// Every built-in walkthrough, in the order the lab lists them.
pub fn builtin() -> Vec<Walkthrough> {
    vec![smtp_by_hand(), pop3_read_back(), ftp_list_and_fetch(), stream_and_datagrams()]
}

/// The built-in walkthrough with this id.
pub fn by_id(id: &str) -> Option<Walkthrough> {
    builtin().into_iter().find(|walkthrough| walkthrough.id == id)
}

fn connect(target: &str, transport: Transport, expect: Expect, explanation: &str) -> Step {
    Step::new(Action::Connect { target: target.to_string(), transport }, expect, explanation)
}

/// The message the SMTP walkthrough types: headers, a blank line, the body.
pub fn sample_message() -> String {
    format!(
        "From: Learner <{MAIL_FROM}>\nTo: Friend <{MAIL_TO}>\nSubject: Hello by hand\n\nI typed every line of this mail myself."
    )
}

fn smtp_by_hand() -> Walkthrough {
    let message = Step::new(
        Action::Send { text: sample_message(), line_ending: LineEnding::CrLf },
        Expect::Nothing,
        "The message itself: headers, one blank line, the body, every line ending in CRLF. Nothing comes back yet: the server keeps reading until the lone dot.",
    );
    Walkthrough {
        id: "smtp".to_string(),
        title: "Send an email by hand (SMTP)".to_string(),
        summary: "Talk to the mail server the way a mail program does: greet it, name the sender and the recipient, send the message, end it with a dot.".to_string(),
        steps: vec![
            connect("smtp", Transport::Tcp, Expect::replies(&["220"]), "The server speaks first: a 220 greeting with its name. SMTP runs over TCP, one command line at a time."),
            Step::send("EHLO learner.wirelab.test", Expect::replies(&["250"]), "Introduce yourself. EHLO (extended HELO) asks the server to list its extensions, one per 250- line; the line with 250 and a space is the last."),
            Step::send(&format!("MAIL FROM:<{MAIL_FROM}>"), Expect::replies(&["250"]), "Start a mail transaction with the envelope sender: where bounces go. It need not match the From: header."),
            Step::send(&format!("RCPT TO:<{MAIL_TO}>"), Expect::replies(&["250"]), "Name a recipient (repeat for more). This envelope, not the To: header, decides where the mail goes."),
            Step::send("DATA", Expect::replies(&["354"]), "Ask to send the message. 354 means go ahead, and end with a line holding only a dot."),
            message,
            Step::send(".", Expect::replies(&["250"]), "The lone dot ends the message (a line of your own that starts with a dot would be sent with a second dot). 250 means the server has taken responsibility for it."),
            Step::send("QUIT", Expect::replies(&["221"]), "Say goodbye: 221, and the server closes its side of the connection (FIN)."),
            Step::new(Action::ShowMailbox, Expect::Nothing, "The mail is in the server's mailbox, envelope and headers as you typed them."),
        ],
    }
}

fn pop3_read_back() -> Walkthrough {
    Walkthrough {
        id: "pop3".to_string(),
        title: "Read it back (POP3)".to_string(),
        summary: "Log in to the mailbox and download the message the SMTP walkthrough sent.".to_string(),
        steps: vec![
            connect(
                "pop3",
                Transport::Tcp,
                Expect::replies(&["+OK"]),
                "POP3 greets with +OK. Its replies are only +OK or -ERR; the command you sent says what they mean.",
            ),
            Step::send(&format!("USER {POP3_USER}"), Expect::replies(&["+OK"]), "Name the mailbox."),
            Step::send(
                &format!("PASS {POP3_PASSWORD}"),
                Expect::replies(&["+OK"]),
                "The password, in plain text: POP3 without TLS hides nothing, which is why real servers require TLS.",
            ),
            Step::send("STAT", Expect::replies(&["+OK"]), "How many messages, and how many bytes in all."),
            Step::send(
                "LIST",
                Expect::replies(&["+OK"]),
                "One line per message: its number and size. A multi-line response ends with a line holding only a dot.",
            ),
            Step::send(
                "RETR 1",
                Expect::replies(&["+OK"]),
                "Download message 1, exactly as the SMTP server received it; it too ends with a lone dot.",
            ),
            Step::send(
                "QUIT",
                Expect::replies(&["+OK"]),
                "End the session; messages marked with DELE would be deleted now.",
            ),
        ],
    }
}

fn ftp_list_and_fetch() -> Walkthrough {
    let open_data = |explanation: &str| Step::new(Action::OpenData, Expect::Connected, explanation);
    Walkthrough {
        id: "ftp".to_string(),
        title: "List a folder and fetch a file (FTP)".to_string(),
        summary: "FTP uses two connections: commands and replies on one, each listing or file on a new data connection whose address the server gives in a 227 reply.".to_string(),
        steps: vec![
            connect("ftp", Transport::Tcp, Expect::replies(&["220"]), "The control connection: the server greets with 220."),
            Step::send("USER anonymous", Expect::replies(&["331"]), "Anonymous FTP: the user name anonymous. 331 asks for a password."),
            Step::send(&format!("PASS {MAIL_FROM}"), Expect::replies(&["230"]), "By custom, anonymous users give their email address as the password. 230: logged in."),
            Step::send("PASV", Expect::replies(&["227"]), "Passive mode: ask the server to listen for the data connection. The 227 reply gives its address as six numbers h1,h2,h3,h4,p1,p2: host h1.h2.h3.h4, port p1 × 256 + p2."),
            open_data("Open a second TCP connection to the decoded address: the listing will come over it, not over the control connection."),
            Step::send("LIST", Expect::replies(&["150", "226"]), "150: the listing starts on the data connection. When all of it is sent the server closes that connection (FIN) and says 226 here."),
            Step::send("PASV", Expect::replies(&["227"]), "Every transfer needs a new data connection, so ask for another address."),
            open_data("Connect to the new address."),
            Step::send(&format!("RETR {FTP_SAMPLE_FILE}"), Expect::replies(&["150", "226"]), "Fetch the file: its bytes arrive on the data connection, which closes when the file is complete."),
            Step::send("QUIT", Expect::replies(&["221"]), "Goodbye: 221."),
        ],
    }
}

fn stream_and_datagrams() -> Walkthrough {
    let three = || Action::SendEach {
        pieces: vec!["one".to_string(), "two".to_string(), "three".to_string()],
        line_ending: LineEnding::None,
    };
    Walkthrough {
        id: "stream".to_string(),
        title: "TCP is a stream, UDP is datagrams".to_string(),
        summary: "Send three short messages quickly to the echo peer, over TCP and then over UDP, and count how they come back.".to_string(),
        steps: vec![
            connect("echo", Transport::Tcp, Expect::Connected, "The echo peer sends back every byte it receives (RFC 862)."),
            Step::new(three(), Expect::Echo, "Three sends, straight after each other. TCP keeps the bytes and their order, not where one send ended: they often come back as one chunk, onetwothree. A protocol over TCP must mark its own message ends, as SMTP does with CRLF."),
            Step::new(Action::Disconnect, Expect::Nothing, "Close the TCP connection."),
            connect("echo", Transport::Udp, Expect::Connected, "The same peer over UDP: no connection is set up on the wire, the bridge only fixes where datagrams go."),
            Step::new(three(), Expect::Echo, "Each send is one datagram and comes back as one: three datagrams, boundaries kept. UDP does not promise they all arrive, or in order."),
        ],
    }
}

#[cfg(test)]
#[path = "tests/walkthroughs.rs"]
mod tests;
