//! The Sockets lab's pure core: raw TCP and UDP conversations through the server's bridge, and
//! SMTP, POP3 and FTP spoken by hand, with every byte shown and every reply explained.
//!
//! - [`target`]: what the lab connects to (a built-in peer or an allowed `HOST:PORT`), the
//!   protocol it speaks, and the bridge's URL.
//! - [`transcript`]: the capped record of one connection (chunks both ways, events in words).
//! - [`visible_text`]: bytes as text with CR, LF and other controls made visible.
//! - [`line_ending`]: what the composer sends (text with a chosen line ending, or hex/base64 bytes).
//! - [`replies`]: SMTP, POP3 and FTP replies read incrementally from the stream, explained, and
//!   paired with the command that provoked them.
//! - [`walkthroughs`]: the guided, editable step lists.
//! - [`python`]: a session as a Python program (`socket`, and `smtplib`/`poplib`/`ftplib`).
//! - [`lab`]: [`lab::SocketsLabState`], the lab's state ([`crate::lab::LabState`]).

pub mod lab;
pub mod line_ending;
pub mod python;
pub mod replies;
pub mod target;
pub mod transcript;
pub mod visible_text;
pub mod walkthroughs;
