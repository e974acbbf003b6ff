//! The FTP peer (libunftp) against real clients: Python's ftplib in passive mode and curl's
//! ftp://, over the sample folder; uploads within and over the cap; the shutdown ends sessions.

mod peers_support;
mod support;

use std::net::SocketAddr;

use peers_support::{PeersServer, curl, python, within};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wirelab_server::PeersConfig;

/// Lists, downloads, changes folder, uploads one file within the cap and one over it.
const FTPLIB_SESSION: &str = r#"
import ftplib, io, sys
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", int(sys.argv[1]), timeout=10)
ftp.login()  # anonymous
ftp.set_pasv(True)
print("root", sorted(ftp.nlst()))
binary = io.BytesIO()
ftp.retrbinary("RETR bytes.bin", binary.write)
print("bytes.bin", binary.getvalue() == bytes(range(256)))
readme = []
ftp.retrlines("RETR readme.txt", readme.append)
print("readme", readme[0])
ftp.cwd("docs")
print("docs", ftp.nlst())
ftp.cwd("/")
ftp.storbinary("STOR small.txt", io.BytesIO(b"x" * 1000))
try:
    ftp.storbinary("STOR big.txt", io.BytesIO(b"y" * 5000))
    print("big accepted")
except ftplib.error_perm as error:
    print("big", str(error)[:3])
print("after", sorted(ftp.nlst()))
print("small", ftp.size("small.txt"))
ftp.quit()
"#;

#[tokio::test]
async fn ftplib_in_passive_mode_lists_downloads_and_uploads_within_the_cap() {
    let peers = PeersConfig { ftp_max_upload_bytes: 1000, ..PeersConfig::default() };
    let server = PeersServer::with_peers(peers).await;
    let out = python(FTPLIB_SESSION, &[server.port("ftp", "tcp").to_string()]).await;
    let expected = [
        "root ['bytes.bin', 'docs', 'readme.txt']",
        "bytes.bin True",
        "readme Welcome to Wirelab's FTP peer.",
        "docs ['protocol.txt']",
        "big 552",
        "after ['bytes.bin', 'docs', 'readme.txt', 'small.txt']",
        "small 1000",
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
    server.stop().await;
}

#[tokio::test]
async fn curl_lists_downloads_and_uploads_over_ftp() {
    let server = PeersServer::start().await;
    let base = format!("ftp://127.0.0.1:{}/", server.port("ftp", "tcp"));
    let upload = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(upload.path(), "uploaded by curl\n").expect("write the upload");
    let upload_path = upload.path().to_string_lossy().into_owned();
    let up_url = format!("{base}from-curl.txt");
    curl(&["--upload-file", &upload_path, &up_url]).await;

    // (arguments after the URL's path, what curl prints)
    let cases: [(&str, &[&str], &str); 3] = [
        ("", &["--list-only"], "bytes.bin\ndocs\nfrom-curl.txt\nreadme.txt"),
        ("docs/protocol.txt", &[], "FTP: RFC 959. Passive mode: PASV (RFC 959), EPSV (RFC 2428).\r\n"),
        ("from-curl.txt", &[], "uploaded by curl\n"),
    ];
    for (path, options, expected) in cases {
        let url = format!("{base}{path}");
        let args: Vec<&str> = options.iter().copied().chain([url.as_str()]).collect();
        let mut listed = curl(&args).await;
        if options.contains(&"--list-only") {
            // The order of a listing is the folder's; compare it sorted, a name a line.
            let mut names: Vec<&str> = listed.lines().collect();
            names.sort_unstable();
            listed = names.join("\n");
        }
        assert_eq!(listed, expected, "{url}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_shutdown_ends_an_open_ftp_session() {
    let server = PeersServer::start().await;
    let peer = SocketAddr::from(([127, 0, 0, 1], server.port("ftp", "tcp")));
    let mut control = BufReader::new(within("connect", TcpStream::connect(peer)).await.expect("connect"));
    let mut greeting = String::new();
    within("greeting", control.read_line(&mut greeting)).await.expect("read the greeting");
    assert!(greeting.starts_with("220 "), "{greeting:?}");
    within("USER", control.get_mut().write_all(b"USER anonymous\r\n")).await.expect("send USER");
    let mut reply = String::new();
    within("reply to USER", control.read_line(&mut reply)).await.expect("read the reply");
    assert!(reply.starts_with("331 "), "{reply:?}");

    server.stop().await;
    let mut rest = String::new();
    let read = within("the end of the session", control.read_line(&mut rest)).await;
    assert!(matches!(read, Ok(0) | Err(_)), "the session is still open: {read:?} {rest:?}");
}
