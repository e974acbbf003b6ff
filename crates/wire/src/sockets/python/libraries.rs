//! The session with the protocol's own Python library: the commands sent are read back
//! ([`CommandReader`]) and each becomes the library call that sends it: `smtplib` for SMTP,
//! `poplib` for POP3, `ftplib` (passive mode, which opens the data connections itself) for FTP.

use super::{Session, bytes_expression, header, str_literal};
use crate::bridge_event::Transport;
use crate::sockets::replies::commands::{Command, CommandKind, CommandReader};
use crate::sockets::target::Protocol;

/// The session as a program using `smtplib`, `poplib` or `ftplib`; `None` for a protocol with
/// no such library here (echo, raw bytes) or over UDP.
pub fn library_program(session: &Session) -> Option<String> {
    if session.transport != Transport::Tcp {
        return None;
    }
    let commands = CommandReader::new(session.protocol).push(&session.sent_bytes(), 0);
    let commands: Vec<Command> = commands.into_iter().filter(|command| !command.text.trim().is_empty()).collect();
    match session.protocol {
        Protocol::Smtp => Some(smtp_program(session, &commands)),
        Protocol::Pop3 => Some(pop3_program(session, &commands)),
        Protocol::Ftp => Some(ftp_program(session, &commands)),
        Protocol::Echo | Protocol::Raw => None,
    }
}

/// `<a@b> SIZE=10` → (`a@b`, [`SIZE=10`]).
fn address_and_options(argument: &str) -> (String, Vec<String>) {
    let after_colon = argument.split_once(':').map_or(argument, |(_, rest)| rest).trim();
    let (address, options) = match after_colon.strip_prefix('<').and_then(|rest| rest.split_once('>')) {
        Some((address, options)) => (address, options),
        None => after_colon.split_once(' ').unwrap_or((after_colon, "")),
    };
    (address.to_string(), options.split_whitespace().map(str::to_string).collect())
}

fn list_literal(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|item| str_literal(item)).collect::<Vec<_>>().join(", "))
}

/// A command the library has no call for, sent as a raw command line.
fn raw_call(indent: &str, object: &str, method: &str, command: &Command) -> String {
    format!("{indent}print({object}.{method}({}))\n", str_literal(&command.text))
}

fn smtp_program(session: &Session, commands: &[Command]) -> String {
    let mut out = header(session, "with smtplib", &["smtplib"]);
    out.push_str("\nsmtp = smtplib.SMTP(HOST, PORT, timeout=10)\n");
    out.push_str("smtp.set_debuglevel(1)  # prints every command and reply, as the lab's transcript shows them\n");
    let mut quit = false;
    let mut index = 0;
    while let Some(command) = commands.get(index) {
        index += 1;
        let argument = command.argument.as_str();
        let line = match (command.kind, command.verb.as_str()) {
            (CommandKind::Greeting, _) => continue,
            (CommandKind::Message, _) => String::new(),
            (_, "EHLO" | "HELO") => {
                format!("print(smtp.{}({}))\n", command.verb.to_ascii_lowercase(), str_literal(argument))
            }
            (_, verb @ ("MAIL" | "RCPT")) => {
                let (address, options) = address_and_options(argument);
                let method = if verb == "MAIL" { "mail" } else { "rcpt" };
                let options = if options.is_empty() { String::new() } else { format!(", {}", list_literal(&options)) };
                format!("print(smtp.{method}({}{options}))\n", str_literal(&address))
            }
            (_, "DATA") => match commands.get(index).filter(|next| next.kind == CommandKind::Message) {
                Some(message) => {
                    index += 1;
                    let content = message.unstuffed_content().unwrap_or_default();
                    format!(
                        "# data() sends DATA, then the message with its dots doubled and the final dot\nprint(smtp.data({}))\n",
                        bytes_expression(&content, "")
                    )
                }
                None => raw_call("", "smtp", "docmd", command),
            },
            (_, "RSET") => "print(smtp.rset())\n".to_string(),
            (_, "NOOP") => "print(smtp.noop())\n".to_string(),
            (_, "VRFY") => format!("print(smtp.verify({}))\n", str_literal(argument)),
            (_, "EXPN") => format!("print(smtp.expn({}))\n", str_literal(argument)),
            (_, "HELP") => "print(smtp.help())\n".to_string(),
            (_, "QUIT") => {
                quit = true;
                out.push_str("print(smtp.quit())\n");
                break;
            }
            (_, "STARTTLS" | "AUTH") => {
                format!("# {}: left out (smtp.starttls() and smtp.login() do this with a real server)\n", command.verb)
            }
            _ => raw_call("", "smtp", "docmd", command),
        };
        out.push_str(&line);
    }
    if !quit {
        out.push_str("smtp.close()  # the lab's session ended without QUIT\n");
    }
    out
}

/// A POP3 message number as Python: `1`, or a string when it is not a number.
fn number_or_text(argument: &str) -> String {
    if !argument.is_empty() && argument.bytes().all(|byte| byte.is_ascii_digit()) {
        argument.trim_start_matches('0').parse::<u64>().unwrap_or(0).to_string()
    } else {
        str_literal(argument)
    }
}

fn pop3_program(session: &Session, commands: &[Command]) -> String {
    let mut out = header(session, "with poplib", &["poplib"]);
    out.push_str("\npop = poplib.POP3(HOST, PORT, timeout=10)\nprint(pop.getwelcome())\n");
    let mut quit = false;
    for command in commands.iter().filter(|command| command.kind == CommandKind::Line) {
        let argument = command.argument.as_str();
        let mut words = argument.split_whitespace();
        let line = match command.verb.as_str() {
            "USER" => format!("print(pop.user({}))\n", str_literal(argument)),
            "PASS" => format!("print(pop.pass_({}))\n", str_literal(argument)),
            "STAT" => "print(pop.stat())\n".to_string(),
            "LIST" | "UIDL" => {
                let method = command.verb.to_ascii_lowercase();
                match argument {
                    "" => format!(
                        "response, lines, octets = pop.{method}()\nprint(response)\nfor line in lines:\n    print(line)\n"
                    ),
                    which => format!("print(pop.{method}({}))\n", number_or_text(which)),
                }
            }
            verb @ ("RETR" | "TOP") => {
                let call = if verb == "RETR" {
                    format!("pop.retr({})", number_or_text(argument))
                } else {
                    let which = number_or_text(words.next().unwrap_or(""));
                    format!("pop.top({which}, {})", number_or_text(words.next().unwrap_or("0")))
                };
                format!(
                    "response, lines, octets = {call}\nprint(response)\n# poplib undoes the dot-stuffing; lines come without their CRLF\nprint(b\"\\r\\n\".join(lines).decode(\"utf-8\", \"replace\"))\n"
                )
            }
            "DELE" => format!("print(pop.dele({}))\n", number_or_text(argument)),
            "RSET" => "print(pop.rset())\n".to_string(),
            "NOOP" => "print(pop.noop())\n".to_string(),
            "CAPA" => "print(pop.capa())\n".to_string(),
            "QUIT" => {
                quit = true;
                "print(pop.quit())\n".to_string()
            }
            verb => format!("# {verb}: poplib has no call for this command; left out\n"),
        };
        out.push_str(&line);
        if quit {
            break;
        }
    }
    if !quit {
        out.push_str("pop.close()  # the lab's session ended without QUIT\n");
    }
    out
}

/// The local file a download is written to: the remote name's last part (never a path).
fn local_name(remote: &str) -> String {
    let name = remote.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() || name == "." || name == ".." { "download.bin".to_string() } else { name.to_string() }
}

fn ftp_program(session: &Session, commands: &[Command]) -> String {
    let mut out = header(session, "with ftplib in passive mode", &["ftplib"]);
    out.push_str("\nwith ftplib.FTP() as ftp:\n    print(ftp.connect(HOST, PORT, timeout=10))\n");
    out.push_str("    ftp.set_pasv(True)  # passive (ftplib's default): before each transfer it sends PASV and connects to the address the 227 reply gives\n");
    let mut index = 0;
    while let Some(command) = commands.get(index) {
        index += 1;
        let argument = command.argument.as_str();
        let with_argument =
            |verb: &str| if argument.is_empty() { verb.to_string() } else { format!("{verb} {argument}") };
        let line = match command.verb.as_str() {
            "USER" => match commands.get(index).filter(|next| next.verb == "PASS") {
                Some(pass) => {
                    index += 1;
                    format!(
                        "    print(ftp.login({}, {}))  # USER, then PASS\n",
                        str_literal(argument),
                        str_literal(&pass.argument)
                    )
                }
                None => raw_call("    ", "ftp", "sendcmd", command),
            },
            "PASV" | "EPSV" => String::new(),
            "PORT" | "EPRT" => {
                format!("    # {}: active mode is left out; this program uses passive mode\n", command.verb)
            }
            "LIST" | "NLST" | "MLSD" => {
                format!(
                    "    ftp.retrlines({})  # prints each line of the listing\n",
                    str_literal(&with_argument(&command.verb))
                )
            }
            "RETR" => format!(
                "    with open({}, \"wb\") as file:\n        print(ftp.retrbinary({}, file.write))\n",
                str_literal(&local_name(argument)),
                str_literal(&with_argument("RETR"))
            ),
            "STOR" | "STOU" | "APPE" => format!(
                "    # {}: the file's bytes went over the data connection; ftp.storbinary({}, open(\"file\", \"rb\")) sends a local file\n",
                command.verb,
                str_literal(&with_argument(&command.verb))
            ),
            "CWD" => format!("    print(ftp.cwd({}))\n", str_literal(argument)),
            "CDUP" => "    print(ftp.cwd(\"..\"))\n".to_string(),
            "PWD" | "XPWD" => "    print(ftp.pwd())\n".to_string(),
            "MKD" => format!("    print(ftp.mkd({}))\n", str_literal(argument)),
            "RMD" => format!("    print(ftp.rmd({}))\n", str_literal(argument)),
            "DELE" => format!("    print(ftp.delete({}))\n", str_literal(argument)),
            "SIZE" => format!("    print(ftp.size({}))\n", str_literal(argument)),
            "QUIT" => {
                out.push_str("    print(ftp.quit())\n");
                break;
            }
            _ => raw_call("    ", "ftp", "sendcmd", command),
        };
        out.push_str(&line);
    }
    out
}
