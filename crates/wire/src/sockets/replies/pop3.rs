//! POP3's words for a learner (RFC 1939, RFC 2449): `+OK` and `-ERR` mean what the command they
//! answer makes them mean, so the meaning is read with the command; which commands are answered
//! with a multi-line response (ended by a line holding only `.`); and the response codes in
//! brackets (`-ERR [IN-USE]`).

/// Whether `+OK` to this command is followed by lines up to a lone `.`: LIST and UIDL without an
/// argument (every message), RETR and TOP (a message), CAPA (the capabilities).
pub fn is_multi_line(verb: &str, argument: &str) -> bool {
    match verb {
        "LIST" | "UIDL" => argument.is_empty(),
        "RETR" | "TOP" | "CAPA" => true,
        _ => false,
    }
}

/// What `+OK` means after this command (`None`: no command, it is the greeting).
pub fn ok_meaning(verb: Option<&str>, argument: &str, text: &str, body_lines: usize) -> String {
    let Some(verb) = verb else {
        return "The server is ready: log in with USER and PASS (or APOP)".to_string();
    };
    match verb {
        "USER" => "The user name is accepted: now send PASS with the password".to_string(),
        "PASS" | "APOP" => "Logged in: the mailbox is yours (locked) until QUIT".to_string(),
        "STAT" => match stat_numbers(text) {
            Some((count, size)) => format!(
                "The mailbox holds {count} {} of {size} {} in all",
                if count == 1 { "message" } else { "messages" },
                if size == 1 { "byte" } else { "bytes" }
            ),
            None => "The mailbox's size: number of messages and total bytes".to_string(),
        },
        "LIST" if argument.is_empty() => {
            format!("The list follows: one line per message with its number and size in bytes ({body_lines} listed)")
        }
        "LIST" => "That message's number and size in bytes".to_string(),
        "UIDL" if argument.is_empty() => {
            format!(
                "Unique ids follow: one line per message, its number and an id that never changes ({body_lines} listed)"
            )
        }
        "UIDL" => "That message's number and unique id".to_string(),
        "RETR" => format!(
            "The message follows ({}): headers, a blank line, the body; a line starting with '.' had a second '.' added, removed here",
            count_lines(body_lines)
        ),
        "TOP" => format!("The message's headers and first lines follow ({})", count_lines(body_lines)),
        "CAPA" => format!("The server's capabilities follow ({body_lines})"),
        "DELE" => "The message is marked for deletion; it goes at QUIT (RSET undoes the mark)".to_string(),
        "RSET" => "Deletion marks are undone".to_string(),
        "NOOP" => "Nothing done: the server is still there".to_string(),
        "QUIT" => "Goodbye: messages marked for deletion are now removed, and the connection closes".to_string(),
        _ => "The command succeeded".to_string(),
    }
}

/// What `-ERR` means, with a bracketed response code explained when there is one.
pub fn err_meaning(text: &str) -> String {
    let code = text.trim_start().strip_prefix('[').and_then(|rest| rest.split_once(']')).map(|(code, _)| code);
    let explained = match code.map(str::to_ascii_uppercase).as_deref() {
        Some("IN-USE") => Some("the mailbox is in use by another session"),
        Some("LOGIN-DELAY") => Some("logging in again so soon is not allowed"),
        Some("SYS/TEMP") => Some("a temporary problem on the server"),
        Some("SYS/PERM") => Some("a lasting problem on the server"),
        Some("AUTH") => Some("the credentials were not accepted"),
        _ => None,
    };
    match explained {
        Some(words) => format!("The command failed: {words}"),
        None => "The command failed; the text says why".to_string(),
    }
}

fn count_lines(count: usize) -> String {
    if count == 1 { "1 line".to_string() } else { format!("{count} lines") }
}

/// `+OK 2 320` → (2, 320).
fn stat_numbers(text: &str) -> Option<(u64, u64)> {
    let mut words = text.split_whitespace();
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}
