//! The Sockets lab's "As Python" programs (`wire::sockets::python`), generated from each
//! walkthrough's session and run with python3 against the real peers: the mail arrives, poplib
//! reads it back, the file downloads. What the lab offers to copy must work as written.

mod peers_support;
mod support;

use std::process::Command;

use peers_support::{PeersServer, run};
use wire::bridge_event::Transport;
use wire::sockets::line_ending::SendDraft;
use wire::sockets::python::{Exchange, Session, library_program, socket_program};
use wire::sockets::target::Protocol;
use wire::sockets::walkthroughs::{Action, FTP_SAMPLE_FILE, by_id};

/// The session a learner has after running walkthrough `id` against `port`: the greeting, then
/// each text sent and its answer.
fn walkthrough_session(id: &str, protocol: Protocol, port: u16) -> Session {
    let walkthrough = by_id(id).unwrap_or_else(|| panic!("no {id} walkthrough"));
    let mut exchanges = vec![Exchange::Received(1)];
    for step in &walkthrough.steps {
        match &step.action {
            Action::Send { text, line_ending } => {
                let bytes = SendDraft::text(text, *line_ending).bytes().expect("a walkthrough's text encodes");
                exchanges.extend([Exchange::Sent(bytes), Exchange::Received(1)]);
            }
            Action::SendEach { .. } => panic!("{id}: a SendEach step in a protocol walkthrough"),
            _ => {}
        }
    }
    Session { host: "127.0.0.1".into(), port, transport: Transport::Tcp, protocol, exchanges }
}

/// Runs `program` with python3 in `folder`; its standard output.
async fn run_python(program: &str, folder: &std::path::Path) -> String {
    let mut command = Command::new("python3");
    command.arg("-c").arg(program).current_dir(folder);
    run(command, "python3").await
}

async fn mail_count(server: &PeersServer) -> usize {
    server.get_json("/api/mailbox").await["messages"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn both_smtp_programs_deliver_the_walkthroughs_mail_and_both_pop3_programs_read_it_back() {
    let server = PeersServer::start().await;
    let folder = tempfile::tempdir().expect("a temporary folder");
    let smtp = walkthrough_session("smtp", Protocol::Smtp, server.port("smtp", "tcp"));
    let programs =
        [("socket", socket_program(&smtp)), ("smtplib", library_program(&smtp).expect("an smtplib program"))];
    for (delivered, (flavour, program)) in programs.iter().enumerate() {
        run_python(program, folder.path()).await;
        assert_eq!(mail_count(&server).await, delivered + 1, "after the {flavour} program:\n{program}");
    }
    let mailbox = server.get_json("/api/mailbox").await;
    for message in mailbox["messages"].as_array().into_iter().flatten() {
        assert_eq!(message["subject"], "Hello by hand", "{message}");
    }

    let pop3 = walkthrough_session("pop3", Protocol::Pop3, server.port("pop3", "tcp"));
    let programs = [("socket", socket_program(&pop3)), ("poplib", library_program(&pop3).expect("a poplib program"))];
    for (flavour, program) in programs {
        let out = run_python(&program, folder.path()).await;
        assert!(
            out.contains("I typed every line of this mail myself."),
            "{flavour} printed:\n{out}\nprogram:\n{program}"
        );
    }
}

#[tokio::test]
async fn the_ftplib_program_downloads_the_file_and_the_socket_program_lists_the_folder() {
    let server = PeersServer::start().await;
    let folder = tempfile::tempdir().expect("a temporary folder");
    let ftp = walkthrough_session("ftp", Protocol::Ftp, server.port("ftp", "tcp"));

    let program = library_program(&ftp).expect("an ftplib program");
    let out = run_python(&program, folder.path()).await;
    let downloaded = std::fs::read_to_string(folder.path().join(FTP_SAMPLE_FILE)).unwrap_or_else(|error| {
        panic!("{FTP_SAMPLE_FILE} not downloaded ({error}); printed:\n{out}\nprogram:\n{program}")
    });
    assert!(downloaded.contains("RETR readme.txt"), "{downloaded}");
    assert!(out.contains(FTP_SAMPLE_FILE), "the listing names the file:\n{out}");

    let program = socket_program(&ftp);
    let out = run_python(&program, folder.path()).await;
    assert!(out.contains(FTP_SAMPLE_FILE) && out.contains("226"), "printed:\n{out}\nprogram:\n{program}");
}

#[tokio::test]
async fn the_socket_programs_show_tcp_as_a_stream_and_udp_as_datagrams() {
    let server = PeersServer::start().await;
    let folder = tempfile::tempdir().expect("a temporary folder");
    let sends = || ["one", "two", "three"].map(|piece| Exchange::Sent(piece.as_bytes().to_vec()));
    for (transport, name) in [(Transport::Tcp, "tcp"), (Transport::Udp, "udp")] {
        let mut exchanges: Vec<Exchange> = sends().into();
        exchanges.push(Exchange::Received(3));
        let session = Session {
            host: "127.0.0.1".into(),
            port: server.port("echo", name),
            transport,
            protocol: Protocol::Echo,
            exchanges,
        };
        let program = socket_program(&session);
        let out = run_python(&program, folder.path()).await;
        for piece in ["one", "two", "three"] {
            assert!(out.contains(piece), "{name}: {piece} not echoed; printed:\n{out}\nprogram:\n{program}");
        }
    }
}
