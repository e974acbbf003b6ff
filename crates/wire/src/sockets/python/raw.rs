//! The session with Python's `socket` module: the same bytes in the same order, and after each
//! send where the peer answered, its answer printed as it arrives. For FTP the program also does
//! what the lab's second transcript did: after PASV or EPSV it opens the data connection at the
//! address the reply gives, and after LIST, RETR and the like it reads that connection to its end.

use super::{Exchange, Session, bytes_expression, header};
use crate::bridge_event::Transport;
use crate::sockets::replies::commands::CommandReader;
use crate::sockets::target::Protocol;

/// The session as a program using `socket` alone (TCP or UDP).
pub fn socket_program(session: &Session) -> String {
    let udp = session.transport == Transport::Udp;
    let ftp = session.protocol == Protocol::Ftp && !udp;
    let imports: &[&str] = if ftp { &["re", "socket"] } else { &["socket"] };
    let mut out = header(session, "with the socket module: the same bytes, in the same order", imports);
    out.push_str("TIMEOUT = 2.0  # seconds to wait for the first byte of an answer\n");
    out.push_str("QUIET = 0.3  # an answer is over when nothing more comes for this long\n\n\n");
    out.push_str(if udp { RECEIVE_DATAGRAMS } else { RECEIVE_STREAM });
    if ftp {
        out.push_str("\n\n");
        out.push_str(FTP_DATA);
    }
    out.push_str("\n\n");
    let family = if session.host.contains(':') { "socket.AF_INET6" } else { "socket.AF_INET" };
    let kind = if udp { "socket.SOCK_DGRAM" } else { "socket.SOCK_STREAM" };
    out.push_str(&format!("with socket.socket({family}, {kind}) as sock:\n"));
    if udp {
        out.push_str("    # Connected UDP: send() needs no address, and only this peer's datagrams come back.\n");
    }
    out.push_str("    sock.connect((HOST, PORT))\n");
    let mut commands = CommandReader::new(Protocol::Ftp);
    let mut answer_read = false;
    for (index, exchange) in session.exchanges.iter().enumerate() {
        match exchange {
            Exchange::Sent(bytes) => {
                let call = if udp { "send" } else { "sendall" };
                out.push_str(&format!("    sock.{call}({})\n", bytes_expression(bytes, "    ")));
                answer_read = false;
                if !ftp {
                    continue;
                }
                for command in commands.push(bytes, index as u64) {
                    let answered = matches!(session.exchanges.get(index + 1), Some(Exchange::Received(_)));
                    match command.verb.as_str() {
                        "PASV" | "EPSV" => {
                            out.push_str("    data = open_data(receive(sock))\n");
                            answer_read = true;
                        }
                        "LIST" | "NLST" | "MLSD" | "RETR" => {
                            if answered {
                                out.push_str("    receive(sock)\n");
                            }
                            out.push_str("    receive_data(data)\n");
                            answer_read = true;
                        }
                        _ => {}
                    }
                }
            }
            Exchange::Received(_) if answer_read => answer_read = false,
            Exchange::Received(_) => out.push_str("    receive(sock)\n"),
        }
    }
    if session.exchanges.is_empty() {
        out.push_str("    receive(sock)\n");
    }
    out
}

const RECEIVE_STREAM: &str = r#"def receive(sock):
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
"#;

const RECEIVE_DATAGRAMS: &str = r#"def receive(sock):
    """Prints each datagram the peer sends until it goes quiet."""
    sock.settimeout(TIMEOUT)
    try:
        while True:
            datagram = sock.recv(65535)
            print("received a datagram of", len(datagram), "bytes:", datagram)
            sock.settimeout(QUIET)
    except TimeoutError:
        pass
    except ConnectionRefusedError:
        print("nothing listens on that port (ICMP port unreachable)")
"#;

const FTP_DATA: &str = r#"def open_data(reply):
    """Connects to the address a 227 or 229 reply gives: FTP's data connection."""
    numbers = re.search(rb"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", reply)
    if numbers:
        h1, h2, h3, h4, p1, p2 = (int(number) for number in numbers.groups())
        address = (f"{h1}.{h2}.{h3}.{h4}", p1 * 256 + p2)
    else:
        port = re.search(rb"\(\|\|\|(\d+)\|\)", reply)
        if port is None:
            raise RuntimeError(f"no data connection address in {reply!r}")
        address = (HOST, int(port.group(1)))
    print("opening the data connection to", address)
    return socket.create_connection(address, timeout=TIMEOUT)


def receive_data(data):
    """Prints what comes over the data connection until the server closes it (FIN)."""
    with data:
        while chunk := data.recv(65536):
            print("data:", len(chunk), "bytes:", chunk)
    print("the data connection is closed: the transfer is complete")
"#;
