//! FTP's words for a learner: what each reply code of RFC 959 (and RFC 2228, 2428) means, and the
//! address of a passive data connection: `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` is
//! host h1.h2.h3.h4 and port p1 × 256 + p2; `229 Entering Extended Passive Mode (|||port|)` is
//! that port on the control connection's host.

/// What an FTP reply code says, in plain words, or `None` for a code the RFCs do not name.
pub fn code_meaning(code: u16) -> Option<&'static str> {
    Some(match code {
        110 => "Restart marker",
        120 => "The service will be ready in a few minutes",
        125 => "The data connection is already open; the transfer starts",
        150 => "OK: the server is about to send over the data connection (a second, separate connection)",
        200 => "OK: command done",
        202 => "The command is not needed here (accepted, nothing done)",
        211 => "System status, or a reply to HELP/FEAT",
        212 => "Directory status",
        213 => "File status (SIZE and MDTM answer with this)",
        214 => "Help: text meant for a person",
        215 => "The system type (SYST)",
        220 => "The server is ready for a new user: log in with USER",
        221 => "Goodbye: the server is closing the control connection",
        225 => "The data connection is open; no transfer in progress",
        226 => "Transfer complete: the server closes the data connection",
        227 => "Passive mode: connect to this address for the data connection",
        228 => "Long passive mode: connect to this address for the data connection",
        229 => "Extended passive mode: connect to this port (same host) for the data connection",
        230 => "Logged in: go ahead",
        232 => "Logged in, authorised by a security exchange",
        234 => "The security mechanism (AUTH TLS) is accepted: TLS starts now",
        250 => "OK: the file action was done",
        257 => "The path in quotes was created, or is the current directory",
        331 => "The user name is OK: now send the password with PASS",
        332 => "An account is needed to log in (ACCT)",
        350 => "The file action waits for the next command (RNTO after RNFR, the transfer after REST)",
        421 => "The service is not available and is closing the control connection",
        425 => "The data connection could not be opened",
        426 => "The data connection closed: the transfer was aborted",
        430 => "Wrong user name or password",
        450 => "The file action was not taken: the file is unavailable (busy?)",
        451 => "The action was aborted: a local error on the server",
        452 => "Not done: not enough storage space",
        500 => "Syntax error: the command was not recognised",
        501 => "Syntax error in the parameters or arguments",
        502 => "The command is not implemented by this server",
        503 => "Bad sequence of commands (PASS needs USER first, RNTO needs RNFR)",
        504 => "The command is not implemented for that parameter",
        530 => "Not logged in: log in first (USER, then PASS)",
        532 => "An account is needed to store files",
        534 => "Refused by the server's policy",
        550 => "Not done: the file is unavailable (not found, or no access)",
        551 => "Aborted: page type unknown",
        552 => "Aborted: over the storage allocation",
        553 => "Not done: the file name is not allowed",
        _ => return None,
    })
}

/// Where the data connection is to be opened, as a passive reply gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassiveAddress {
    /// The host the reply named (227), or `None` when it means "the control connection's" (229).
    pub host: Option<String>,
    pub port: u16,
    /// How the address was read from the reply, for the learner.
    pub working: String,
}

/// The data connection's address in a 227 or 229 reply's text, or why it cannot be read.
pub fn passive_address(code: u16, text: &str) -> Result<PassiveAddress, String> {
    match code {
        227 => passive_227(text),
        229 => passive_229(text),
        _ => Err(format!("a {code} reply carries no passive address")),
    }
}

/// `Entering Passive Mode (127,0,0,1,195,80)`: six numbers from 0 to 255 (the parentheses are
/// optional in practice, so the first run of six comma-separated numbers is taken).
fn passive_227(text: &str) -> Result<PassiveAddress, String> {
    let run = text
        .split(|ch: char| !(ch.is_ascii_digit() || ch == ',' || ch == ' '))
        .map(str::trim)
        .find(|run| run.matches(',').count() == 5)
        .ok_or("the 227 reply has no six numbers h1,h2,h3,h4,p1,p2")?;
    let parts: Vec<&str> = run.split(',').map(str::trim).collect();
    let mut numbers = [0u8; 6];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        *slot = part.parse().map_err(|_| format!("'{part}' in the 227 reply is not a number from 0 to 255"))?;
    }
    let [h1, h2, h3, h4, p1, p2] = numbers;
    let host = format!("{h1}.{h2}.{h3}.{h4}");
    let port = u16::from(p1) * 256 + u16::from(p2);
    Ok(PassiveAddress {
        working: format!("({h1},{h2},{h3},{h4},{p1},{p2}) → host {host}, port {p1} × 256 + {p2} = {port}"),
        host: Some(host),
        port,
    })
}

/// `Entering Extended Passive Mode (|||50000|)`: the port between the delimiters (RFC 2428 lets
/// the delimiter be any printable character; `|` is usual).
fn passive_229(text: &str) -> Result<PassiveAddress, String> {
    let inside = text
        .find('(')
        .and_then(|open| text[open + 1..].find(')').map(|close| &text[open + 1..open + 1 + close]))
        .ok_or("the 229 reply has no (|||port|)")?;
    let delimiter = inside.chars().next().ok_or("the 229 reply's parentheses are empty")?;
    let fields: Vec<&str> = inside.split(delimiter).collect();
    // "|||50000|" splits into ["", "", "", "50000", ""]: the protocol and address fields stay
    // empty (the data connection goes to the control connection's host).
    let port_text = match fields.as_slice() {
        ["", "", "", port, ""] => *port,
        _ => return Err(format!("expected (|||port|) in the 229 reply, found ({inside})")),
    };
    let port: u16 = port_text
        .parse()
        .ok()
        .filter(|port| *port > 0)
        .ok_or_else(|| format!("'{port_text}' in the 229 reply is not a port from 1 to 65535"))?;
    Ok(PassiveAddress {
        host: None,
        port,
        working: format!("({inside}) → port {port} on the same host as this control connection"),
    })
}
