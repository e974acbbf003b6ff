//! The TLS port against real clients: curl over HTTP/2 and HTTP/1.1 (ALPN and `/tls/info`),
//! Python's `ssl` (a bare handshake), `requests` and `websockets` (WSS echo), Digest
//! authentication from curl and requests, the generated certificate kept across starts, and the
//! bad inputs: plain HTTP on the TLS port, a truncated ClientHello, a client that stalls
//! mid-handshake, a client that refuses the certificate (its issuer, or its name after the
//! handshake: a debug line then, as an unused preconnect gets). Each bad input gets a log line and a
//! closed connection, and the server keeps serving.

mod tls_support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use serde_json::Value;
use tls_support::{STEP, TlsServer, run, run_output, run_python};

/// `curl -sS --cacert <cert> <flags> <url>` as JSON.
fn curl_json(server: &TlsServer, flags: &[&str], url: &str) -> Value {
    let cert = server.cert_path.to_string_lossy();
    let mut args = vec!["-sS", "--max-time", "10", "--cacert", &cert];
    args.extend_from_slice(flags);
    args.push(url);
    let out = run("curl", &args);
    serde_json::from_str(&out).unwrap_or_else(|error| panic!("not JSON ({error}): {out}"))
}

#[test]
fn curl_gets_h2_or_http1_by_alpn_and_tls_info_says_so() {
    let server = TlsServer::start();
    // (curl's flag, ALPN chosen, HTTP version, JA4's start: TCP, TLS 1.3, SNI given)
    let cases = [("--http2", "h2", "HTTP/2.0", "t13d"), ("--http1.1", "http/1.1", "HTTP/1.1", "t13d")];
    for (flag, alpn, http_version, ja4_start) in cases {
        let info = curl_json(&server, &[flag], &server.https("/tls/info"));
        assert_eq!(info["alpn"], alpn, "{flag}: {info}");
        assert_eq!(info["http_version"], http_version, "{flag}: {info}");
        assert_eq!(info["tls_version"], "TLS 1.3", "{flag}: {info}");
        assert_eq!(info["sni"], "localhost", "{flag}: {info}");
        assert!(info["cipher_suite"].as_str().is_some_and(|suite| suite.starts_with("TLS_")), "{info}");
        assert!(info["key_exchange_group"].is_string(), "{info}");
        // A handshake record (0x16) carrying a ClientHello (0x01).
        let hello = info["client_hello_hex"].as_str().unwrap_or_default();
        assert!(hello.starts_with("16030") && &hello[10..12] == "01", "{flag}: {hello}");
        // The fingerprints of that ClientHello: JA4's ALPN part is the first offered
        // protocol's first and last characters (curl offers h2 first with --http2).
        let ja4 = info["ja4"].as_str().unwrap_or_default();
        let ja4_alpn = if flag == "--http2" { "h2_" } else { "h1_" };
        assert!(ja4.starts_with(ja4_start) && ja4[4..].contains(ja4_alpn) && ja4.len() == 36, "{flag}: {ja4}");
        let ja3 = info["ja3"].as_str().unwrap_or_default();
        assert!(ja3.len() == 32 && ja3.chars().all(|c| c.is_ascii_hexdigit()), "{flag}: {ja3}");
        assert!(info["ja3_text"].as_str().is_some_and(|text| text.starts_with("771,")), "{info}");
    }
    // The rest of the app is there too.
    let api = curl_json(&server, &["--http2"], &server.https("/api/info"));
    assert_eq!(api["tls"]["port"], server.tls_port, "{api}");
    assert_eq!(api["tls"]["certificate_sha256"], server.certificate_sha256.as_str(), "{api}");
    assert!(api["tls"]["spki_sha256_base64"].as_str().is_some_and(|spki| spki.len() == 44), "{api}");
}

#[test]
fn tls_info_over_plain_http_is_a_400_with_the_https_url() {
    let server = TlsServer::start();
    let out =
        run("curl", &["-sS", "--max-time", "10", "-w", "\n%{http_code}", &format!("http://{}/tls/info", server.http)]);
    let (body, status) = out.rsplit_once('\n').unwrap_or_default();
    assert_eq!(status, "400", "{out}");
    let expected = format!("https://127.0.0.1:{}/tls/info", server.tls_port);
    assert!(body.contains(&expected) && body.contains("\"status\":400"), "{body}");
}

const PYTHON_HANDSHAKE: &str = r#"
import json, socket, ssl, sys
port, cafile, maximum = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=cafile)
context.maximum_version = getattr(ssl.TLSVersion, maximum)
context.set_alpn_protocols(["h2", "http/1.1"])
with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        print(json.dumps({"version": tls.version(), "cipher": tls.cipher()[0], "alpn": tls.selected_alpn_protocol()}))
"#;

#[test]
fn python_ssl_handshakes_with_tls_1_3_and_1_2() {
    let server = TlsServer::start();
    let cert = server.cert_path.to_string_lossy();
    let cases = [("TLSv1_3", "TLSv1.3", "TLS_"), ("TLSv1_2", "TLSv1.2", "ECDHE-ECDSA-")];
    for (maximum, version, cipher_prefix) in cases {
        let out = run_python(PYTHON_HANDSHAKE, &[&server.tls_port.to_string(), &cert, maximum]);
        let seen: Value = serde_json::from_str(&out).unwrap_or_else(|error| panic!("{error}: {out}"));
        assert_eq!(seen["version"], version, "{out}");
        assert_eq!(seen["alpn"], "h2", "{out}");
        assert!(seen["cipher"].as_str().is_some_and(|cipher| cipher.starts_with(cipher_prefix)), "{out}");
    }
}

const PYTHON_REQUESTS: &str = r#"
import json, sys, requests
from requests.auth import HTTPDigestAuth
base, cafile = sys.argv[1], sys.argv[2]
info = requests.get(base + "/tls/info", verify=cafile, timeout=10).json()
digest = {}
for algorithm in ["MD5", "SHA-256"]:
    url = base + "/digest-auth/auth/alice/s3cret/" + algorithm
    right = requests.get(url, auth=HTTPDigestAuth("alice", "s3cret"), verify=cafile, timeout=10)
    wrong = requests.get(url, auth=HTTPDigestAuth("alice", "guess"), verify=cafile, timeout=10)
    digest[algorithm] = [right.status_code, right.json(), wrong.status_code]
print(json.dumps({"info": info, "digest": digest}))
"#;

#[test]
fn python_requests_verifies_the_certificate_and_answers_digest_challenges() {
    let server = TlsServer::start();
    let out = run_python(PYTHON_REQUESTS, &[&server.https(""), &server.cert_path.to_string_lossy()]);
    let seen: Value = serde_json::from_str(&out).unwrap_or_else(|error| panic!("{error}: {out}"));
    assert_eq!(seen["info"]["http_version"], "HTTP/1.1", "{out}");
    for algorithm in ["MD5", "SHA-256"] {
        let expected = serde_json::json!([200, {"authenticated": true, "user": "alice"}, 401]);
        assert_eq!(seen["digest"][algorithm], expected, "{algorithm}: {out}");
    }
}

#[test]
fn curl_answers_digest_challenges() {
    let server = TlsServer::start();
    let plain = |path: &str| format!("http://{}{path}", server.http);
    // (url, password curl sends, expected status)
    let cases = [
        (server.https("/digest-auth/auth/bob/pw"), "pw", "200"),
        (server.https("/digest-auth/auth/bob/pw/MD5"), "pw", "200"),
        (server.https("/digest-auth/auth/bob/pw/SHA-256"), "pw", "200"),
        (plain("/digest-auth/auth-int/bob/pw/MD5"), "pw", "200"),
        (plain("/digest-auth/auth-int/bob/pw/SHA-256"), "pw", "200"),
        (plain("/digest-auth/auth/bob/pw/MD5"), "nope", "401"),
    ];
    let cert = server.cert_path.to_string_lossy();
    for (url, password, status) in cases {
        let credentials = format!("bob:{password}");
        let args = [
            "-sS",
            "--max-time",
            "10",
            "--cacert",
            &cert,
            "--digest",
            "-u",
            &credentials,
            "-w",
            "\n%{http_code}",
            &url,
        ];
        let out = run("curl", &args);
        assert!(out.ends_with(&format!("\n{status}")), "{url} with {password}: {out}");
        if status == "200" {
            assert!(out.contains(r#""authenticated":true"#) && out.contains(r#""user":"bob""#), "{out}");
        }
    }
}

const PYTHON_WSS_ECHO: &str = r#"
import asyncio, json, ssl, sys
import websockets
async def main(url, cafile):
    context = ssl.create_default_context(cafile=cafile)
    async with websockets.connect(url, ssl=context) as socket:
        echoed = []
        for message in ["hello over TLS", b"\x00\x01\x02"]:
            await socket.send(message)
            reply = await socket.recv()
            echoed.append(reply if isinstance(reply, str) else reply.hex())
        print(json.dumps(echoed))
asyncio.run(main(sys.argv[1], sys.argv[2]))
"#;

#[test]
fn wss_echo_works_with_python_websockets() {
    let server = TlsServer::start();
    let url = format!("wss://localhost:{}/ws/echo", server.tls_port);
    let out = run_python(PYTHON_WSS_ECHO, &[&url, &server.cert_path.to_string_lossy()]);
    assert_eq!(out.trim(), r#"["hello over TLS", "000102"]"#);
}

#[test]
fn the_generated_certificate_is_reused_on_the_next_start() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let first = TlsServer::start_with(folder.path(), &[]);
    let (cert_path, fingerprint) = (first.cert_path.clone(), first.certificate_sha256.clone());
    first.wait_for_log("generated_now=true");
    let pem = std::fs::read(&cert_path).expect("the certificate file");
    drop(first);
    let second = TlsServer::start_with(folder.path(), &[]);
    second.wait_for_log("generated_now=false");
    assert_eq!((&second.cert_path, &second.certificate_sha256), (&cert_path, &fingerprint));
    assert_eq!(std::fs::read(&cert_path).expect("the certificate file"), pem);
    // openssl agrees with the fingerprint printed.
    let openssl = run("openssl", &["x509", "-in", &cert_path.to_string_lossy(), "-noout", "-fingerprint", "-sha256"]);
    assert!(openssl.trim().ends_with(&fingerprint), "{openssl} vs {fingerprint}");
}

/// Reads until the server closes the connection; the bytes it sent. Fails after [`STEP`].
fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let started = Instant::now();
    stream.set_read_timeout(Some(STEP)).expect("a read timeout");
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return received,
            Ok(count) => received.extend_from_slice(&buffer[..count]),
            // A reset is closed too.
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return received,
            Err(error) => panic!("the server kept the connection open {:?}: {error}", started.elapsed()),
        }
    }
}

/// The first 60 bytes of a real ClientHello: the handshake record and message headers and part
/// of the body (curl's, recorded from `/tls/info`).
fn client_hello_start(server: &TlsServer) -> Vec<u8> {
    let info = curl_json(server, &["--http1.1"], &server.https("/tls/info"));
    let hex = info["client_hello_hex"].as_str().unwrap_or_default();
    (0..120)
        .step_by(2)
        .filter_map(|at| hex.get(at..at + 2))
        .filter_map(|byte| u8::from_str_radix(byte, 16).ok())
        .collect()
}

#[test]
fn bad_input_on_the_tls_port_is_logged_and_closed() {
    let server = TlsServer::start();
    let hello_start = client_hello_start(&server);
    assert_eq!(hello_start.len(), 60);
    let address = ("127.0.0.1", server.tls_port);

    // Plain HTTP: a TLS alert (content type 21) or nothing, then the close.
    let mut plain = TcpStream::connect(address).expect("a connection");
    plain.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("a write");
    let answer = read_until_closed(&mut plain);
    assert!(answer.is_empty() || answer[0] == 21, "{answer:?}");
    server.wait_for_log("plain HTTP on the TLS port (\"GET / HTTP/1.1\")");

    // A ClientHello cut short, then the client's FIN.
    let mut truncated = TcpStream::connect(address).expect("a connection");
    truncated.write_all(&hello_start).expect("a write");
    truncated.shutdown(Shutdown::Write).expect("a FIN");
    read_until_closed(&mut truncated);
    server.wait_for_log("in the middle of its ClientHello (a truncated handshake)");

    // A ClientHello cut short, and then silence: closed at the header read timeout (1 s).
    let started = Instant::now();
    let mut stalled = TcpStream::connect(address).expect("a connection");
    stalled.write_all(&hello_start).expect("a write");
    read_until_closed(&mut stalled);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(5), "{waited:?}");
    server.wait_for_log("TLS handshake not finished within the header read timeout (1 s)");

    // Clients that refuse the certificate: curl fails (60: peer certificate cannot be
    // authenticated), the server logs the alert it received.
    let cert = server.cert_path.to_string_lossy().into_owned();
    let elsewhere = format!("other.example:{}:127.0.0.1", server.tls_port);
    let other_name = format!("https://other.example:{}/tls/info", server.tls_port);
    let refusals: [(&str, Vec<&str>, &str); 2] = [
        ("an unknown issuer (no --cacert)", vec![], "with the alert UnknownCA"),
        (
            "a name the certificate does not cover",
            vec!["--cacert", &cert, "--resolve", &elsewhere, &other_name],
            "TLS connection closed after the handshake without a request",
        ),
    ];
    for (what, extra, logged) in refusals {
        let before = server.log().matches(logged).count();
        let https = server.https("/tls/info");
        let args: Vec<&str> = if extra.is_empty() { vec![https.as_str()] } else { extra };
        let refused = run_output("curl", &[&["-sS", "--max-time", "10"][..], &args].concat());
        assert_eq!(refused.status.code(), Some(60), "{what}: {refused:?}");
        let deadline = Instant::now() + STEP;
        while server.log().matches(logged).count() == before {
            assert!(Instant::now() < deadline, "{what}: no {logged:?} in the log:\n{}", server.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    // And the server still serves.
    let info = curl_json(&server, &["--http2"], &server.https("/tls/info"));
    assert_eq!(info["alpn"], "h2");
}

#[test]
fn an_idle_tls_connection_does_not_hold_the_shutdown() {
    let mut server = TlsServer::start();
    // A connection stopped mid-handshake.
    let mut idle = TcpStream::connect(("127.0.0.1", server.tls_port)).expect("a connection");
    idle.write_all(&client_hello_start(&server)).expect("a write");
    let started = Instant::now();
    let killed = run_output("kill", &["-INT", &server.pid().to_string()]);
    assert!(killed.status.success());
    while server.is_running() {
        assert!(started.elapsed() < STEP, "the server did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    server.wait_for_log("shutdown complete");
}
