//! WebSocket connection states as the lab shows them, close codes and what they mean, and the
//! rules a browser enforces on the close a client may send.

use std::fmt;

/// How a connection ended, as the browser's `CloseEvent` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseInfo {
    pub code: u16,
    pub reason: String,
    /// False when the TCP connection ended without a closing handshake.
    pub was_clean: bool,
}

/// The life of one connection, following the browser's `readyState`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum ConnectionState {
    /// Nothing attempted yet.
    #[default]
    Idle,
    Connecting,
    Open {
        /// The subprotocol the server selected (empty: none).
        protocol: String,
        /// The extensions the server accepted, as in `Sec-WebSocket-Extensions`.
        extensions: String,
    },
    Closing,
    Closed(CloseInfo),
}

impl ConnectionState {
    pub fn label(&self) -> &'static str {
        match self {
            ConnectionState::Idle => "not connected",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Open { .. } => "open",
            ConnectionState::Closing => "closing",
            ConnectionState::Closed(_) => "closed",
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, ConnectionState::Open { .. })
    }

    /// Whether a new connection may be started (nothing is open or opening).
    pub fn can_connect(&self) -> bool {
        matches!(self, ConnectionState::Idle | ConnectionState::Closed(_))
    }
}

/// The registered name of a close code (RFC 6455 §7.4.1 and the IANA registry), or the range it
/// belongs to.
pub fn close_code_name(code: u16) -> &'static str {
    match code {
        1000 => "Normal Closure",
        1001 => "Going Away",
        1002 => "Protocol Error",
        1003 => "Unsupported Data",
        1005 => "No Status Received",
        1006 => "Abnormal Closure",
        1007 => "Invalid Payload Data",
        1008 => "Policy Violation",
        1009 => "Message Too Big",
        1010 => "Mandatory Extension",
        1011 => "Internal Error",
        1012 => "Service Restart",
        1013 => "Try Again Later",
        1014 => "Bad Gateway",
        1015 => "TLS Handshake Failure",
        0..=999 => "Not Used",
        1016..=2999 => "Reserved for the Protocol",
        3000..=3999 => "Registered (libraries and frameworks)",
        4000..=4999 => "Private Use (applications)",
        _ => "Invalid",
    }
}

/// A sentence on what a close code usually means for the person looking at it.
pub fn close_code_explanation(code: u16) -> &'static str {
    match code {
        1000 => "the purpose of the connection was fulfilled.",
        1001 => "the server is shutting down or the page is navigating away.",
        1002 => "an endpoint received a frame that breaks RFC 6455.",
        1003 => "an endpoint received a kind of data it cannot accept.",
        1005 => "the close frame carried no status code.",
        1006 => {
            "the connection dropped without a closing handshake (server unreachable, refused, \
                 or the TCP connection was cut). Browsers never reveal more than this."
        }
        1007 => "a text message was not valid UTF-8.",
        1008 => "a message broke the endpoint's policy.",
        1009 => "a message was larger than the endpoint accepts.",
        1010 => "the client needed an extension the server did not negotiate.",
        1011 => "the server hit an unexpected condition.",
        1015 => "the TLS handshake failed.",
        4000..=4999 => "an application-defined reason.",
        _ => "no further meaning is registered.",
    }
}

/// Why a close the person asked for cannot be sent by a browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseRequestError(pub String);

impl fmt::Display for CloseRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Browsers let scripts close with 1000 or 3000–4999 and a reason of at most 123 UTF-8 bytes
/// (WHATWG WebSocket `close()`); anything else throws. Checking first keeps the message clear.
pub fn check_client_close(code: u16, reason: &str) -> Result<(), CloseRequestError> {
    if code != 1000 && !(3000..=4999).contains(&code) {
        return Err(CloseRequestError(format!("a browser may only send close code 1000 or 3000–4999, not {code}")));
    }
    if reason.len() > 123 {
        return Err(CloseRequestError(format!(
            "the close reason is {} bytes; the limit is 123 bytes of UTF-8",
            reason.len()
        )));
    }
    Ok(())
}
