//! The SMTP peer: mailin's sans-I/O SMTP state machine driven over a tokio socket. It accepts
//! mail for any recipient, relays nothing anywhere, and keeps what it received in the lab's
//! [`Mailbox`].
//!
//! mailin parses the commands (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT; anything else
//! is `500 Syntax error`, a command out of order `503`) and undoes the dot-stuffing of DATA. This
//! file adds what a socket needs: lines read with a bound (a command line of more than
//! [`MAX_COMMAND_LINE`] bytes gets `500 Line too long`, and so, after the final dot, does a
//! message with a text line of more than [`MAX_TEXT_LINE`]), the message size cap (`552`), a
//! recipient cap (`452`), an idle timeout (`421`), a cap on errors in a row (`421`) and the
//! shutdown (`421`). Commands must end in CRLF, as RFC 5321 says; `MAIL FROM:<a@b>` takes no
//! space after the colon.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::net::TcpStream;
use wire::mailbox::Envelope;

use super::Connection;
use super::line::{Conversation, Line, Read};
use super::mailbox::Mailbox;

/// The longest command line accepted, CRLF included (RFC 5321 section 4.5.3.1.4 asks for 512
/// at least; extensions' parameters make longer ones legal).
pub(crate) const MAX_COMMAND_LINE: usize = 2048;
/// The longest text line of a message, CRLF included (RFC 5321 section 4.5.3.1.6 says 1000; mail
/// programs that do not wrap long lines are met halfway).
pub(crate) const MAX_TEXT_LINE: usize = 64 * 1024;
/// The most recipients of one message (RFC 5321 section 4.5.3.1.8 asks for 100 at least).
const MAX_RECIPIENTS: usize = 100;
/// Error replies in a row after which the peer closes the connection.
const MAX_ERRORS_IN_A_ROW: usize = 20;

/// The greeting: the protocol requires `220`; the text says what this server is.
const GREETING: &[u8] = b"220 localhost ESMTP Wirelab's lab mail server: accepts mail for anyone, relays nothing\r\n";
/// What a client over the connection cap hears before the close.
pub(crate) const BUSY: &[u8] = b"421 4.3.2 Too many connections, try again later\r\n";
const IDLE: &[u8] = b"421 4.4.2 Idle for too long, closing connection\r\n";
const SHUTTING_DOWN: &[u8] = b"421 4.3.2 The server is shutting down, closing connection\r\n";
const LINE_TOO_LONG: &[u8] = b"500 5.5.2 Line too long\r\n";
const TOO_MANY_ERRORS: &[u8] = b"421 4.7.0 Too many errors, closing connection\r\n";

/// Serves one SMTP client until QUIT, the idle timeout, an error or the shutdown.
pub(super) async fn serve(stream: TcpStream, client: SocketAddr, connection: Connection, mailbox: Arc<Mailbox>) {
    let context = &connection.context;
    let mut conversation = Conversation::new(stream, context);
    let text_line_too_long = Arc::new(AtomicBool::new(false));
    let receiver = Receiver::new(client, Arc::clone(&mailbox), Arc::clone(&text_line_too_long));
    let session = SessionBuilder::new("localhost").build(client.ip(), receiver);
    match converse(&mut conversation, session, &text_line_too_long, client).await {
        Ok(why) => tracing::debug!(peer = context.name, %client, why, "SMTP connection closed"),
        Err(error) => tracing::debug!(peer = context.name, %client, %error, "SMTP connection failed"),
    }
}

/// The conversation after the connection is set up; returns why it ended.
async fn converse(
    conversation: &mut Conversation<'_>,
    mut session: mailin::Session<Receiver>,
    text_line_too_long: &AtomicBool,
    client: SocketAddr,
) -> io::Result<&'static str> {
    conversation.send(GREETING).await?;
    let mut line = Vec::with_capacity(512);
    let mut in_data = false;
    let mut errors_in_a_row = 0;
    loop {
        let max = if in_data { MAX_TEXT_LINE } else { MAX_COMMAND_LINE };
        let reply = match conversation.read_line(&mut line, max).await? {
            Read::Line(Line::End) => return Ok("the client closed the connection"),
            Read::Line(Line::TooLong) if in_data => {
                text_line_too_long.store(true, Ordering::Relaxed);
                continue;
            }
            Read::Line(Line::TooLong) => Reply::Bytes(LINE_TOO_LONG),
            Read::Line(Line::Complete) => Reply::Session(session.process(&line)),
            Read::Idle => {
                conversation.send(IDLE).await?;
                return Ok("idle");
            }
            Read::Shutdown => {
                conversation.send(SHUTTING_DOWN).await?;
                return Ok("shutdown");
            }
        };
        let (bytes, code, close) = match reply {
            Reply::Bytes(bytes) => (bytes.to_vec(), 500, false),
            Reply::Session(response) => {
                if response.action == Action::NoReply {
                    continue; // A line of the message.
                }
                let close = response.action == Action::Close;
                (response.buffer()?, response.code, close)
            }
        };
        in_data = code == 354;
        tracing::debug!(peer = "smtp", %client, code, "reply");
        conversation.send(&bytes).await?;
        if close {
            return Ok("closed by the peer (QUIT)");
        }
        errors_in_a_row = if code >= 400 { errors_in_a_row + 1 } else { 0 };
        if errors_in_a_row >= MAX_ERRORS_IN_A_ROW {
            conversation.send(TOO_MANY_ERRORS).await?;
            return Ok("too many errors");
        }
    }
}

enum Reply {
    Bytes(&'static [u8]),
    Session(Response),
}

/// mailin's [`Handler`]: records the envelope, collects the message within the size cap and
/// keeps it in the mailbox at the final dot.
struct Receiver {
    client: SocketAddr,
    mailbox: Arc<Mailbox>,
    helo: String,
    recipients: usize,
    envelope: Option<Envelope>,
    data: Vec<u8>,
    over_size: bool,
    /// Set by the connection when it skipped a text line over [`MAX_TEXT_LINE`].
    text_line_too_long: Arc<AtomicBool>,
}

impl Receiver {
    fn new(client: SocketAddr, mailbox: Arc<Mailbox>, text_line_too_long: Arc<AtomicBool>) -> Self {
        Self {
            client,
            mailbox,
            helo: String::new(),
            recipients: 0,
            envelope: None,
            data: Vec::new(),
            over_size: false,
            text_line_too_long,
        }
    }
}

impl Handler for Receiver {
    fn helo(&mut self, _ip: IpAddr, domain: &str) -> Response {
        domain.clone_into(&mut self.helo);
        mailin::response::OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        self.recipients = 0;
        mailin::response::OK
    }

    fn rcpt(&mut self, _to: &str) -> Response {
        if self.recipients >= MAX_RECIPIENTS {
            return Response::custom(452, format!("4.5.3 Too many recipients (at most {MAX_RECIPIENTS})"));
        }
        self.recipients += 1;
        // Any recipient is accepted: the mail stays here, in the lab's mailbox.
        mailin::response::OK
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.envelope = Some(Envelope { helo: self.helo.clone(), from: from.to_owned(), to: to.to_vec() });
        self.data.clear();
        self.over_size = false;
        self.text_line_too_long.store(false, Ordering::Relaxed);
        mailin::response::OK
    }

    fn data(&mut self, line: &[u8]) -> io::Result<()> {
        if self.data.len() + line.len() > self.mailbox.max_message_bytes() {
            // Keep reading to the final dot, holding nothing more, and refuse the message there.
            self.over_size = true;
            self.data = Vec::new();
        } else if !self.over_size {
            self.data.extend_from_slice(line);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let data = std::mem::take(&mut self.data);
        let envelope = self.envelope.take();
        let refusal = if self.over_size {
            Some(Response::custom(
                552,
                format!("5.3.4 Message too big: at most {} bytes (--max-mail-bytes)", self.mailbox.max_message_bytes()),
            ))
        } else if self.text_line_too_long.swap(false, Ordering::Relaxed) {
            Some(Response::custom(500, format!("5.5.6 Line too long: at most {MAX_TEXT_LINE} bytes, CRLF included")))
        } else if envelope.is_none() {
            Some(Response::custom(503, "5.5.1 No transaction in progress".to_owned()))
        } else {
            None
        };
        if let Some(mut refusal) = refusal {
            tracing::info!(peer = "smtp", client = %self.client, code = refusal.code, "message refused");
            // mailin stays in its DATA state after an error reply, and would take the next
            // commands for message text; the transaction is over, so the reply is marked as not an
            // error for the state machine (its code still says 552 or 500 to the client).
            refusal.is_error = false;
            return refusal;
        }
        let Some(envelope) = envelope else { return mailin::response::INTERNAL_ERROR };
        let size = data.len();
        let id = self.mailbox.deliver(self.client, envelope, data);
        tracing::info!(peer = "smtp", client = %self.client, id, size, "message received");
        Response::custom(250, format!("2.0.0 OK: kept in the lab mailbox as message {id}"))
    }
}
