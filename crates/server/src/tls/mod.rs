//! The TLS port (`--tls-port`): the same app as the plain port, over HTTPS and WSS, with HTTP/2 or
//! HTTP/1.1 chosen by ALPN.
//!
//! Each accepted connection goes through, in its own task:
//!
//! 1. `client_hello.rs`: a tap under rustls that keeps the ClientHello bytes as they arrived.
//! 2. The rustls handshake (tokio-rustls, ring provider), within the header read timeout. A failed
//!    or stalled handshake is logged in one line saying what happened (plain HTTP on the TLS port,
//!    a client that closed mid-handshake, a client that refused the certificate, a timeout), and
//!    the connection is closed: nothing is held open.
//! 3. hyper-util's auto builder serves the app on the TLS stream: HTTP/2 when ALPN chose `h2`,
//!    HTTP/1.1 with upgrades otherwise, so WebSocket upgrades work as on the plain port (the
//!    server offers no RFC 8441 WebSockets over HTTP/2, so browsers open WSS over HTTP/1.1). The
//!    first request head has the header read timeout, as on the plain port (`head_timeout.rs`).
//!    Every request carries [`TlsConnection`] (what was negotiated, and the ClientHello) and the
//!    peer's `ConnectInfo<SocketAddr>` as extensions; `route.rs` serves them at `/tls/info`.
//!
//! On shutdown the port stops accepting, each connection finishes its requests (hyper's graceful
//! shutdown), and WebSockets close with 1001 as on the plain port.
//!
//! `certificate.rs` loads or makes the certificate.

mod certificate;
mod client_hello;
pub(crate) mod route;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::ServerConnection;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout};
use tokio_rustls::TlsAcceptor;
use tokio_util::io::InspectReader;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

pub use certificate::{CertificateSource, GENERATED_NAMES, TlsIdentity, default_data_dir};
use client_hello::HelloRecording;
pub use client_hello::MAX_CLIENT_HELLO_BYTES;

use crate::Shutdown;
use crate::head_timeout::{HeadDeadline, set_write_timeout};
use crate::metrics::{ConnectionMetrics, OpenGuard};

/// The TLS port: its socket and its certificate.
pub struct TlsListener {
    pub listener: TcpListener,
    pub identity: TlsIdentity,
}

/// What the handshake of one connection settled, and the ClientHello it started with; every
/// request on the connection carries it (`Extension<Arc<TlsConnection>>`).
#[derive(Clone, Debug)]
pub(crate) struct TlsConnection {
    /// The TLS records that carried the ClientHello, as received.
    pub client_hello: Vec<u8>,
    /// 0x0304 for TLS 1.3.
    pub protocol_version: Option<u16>,
    pub cipher_suite: Option<u16>,
    pub key_exchange_group: Option<u16>,
    pub alpn: Option<String>,
    pub sni: Option<String>,
}

impl TlsConnection {
    fn new(session: &ServerConnection, client_hello: Vec<u8>) -> TlsConnection {
        TlsConnection {
            client_hello,
            protocol_version: session.protocol_version().map(u16::from),
            cipher_suite: session.negotiated_cipher_suite().map(|suite| u16::from(suite.suite())),
            key_exchange_group: session.negotiated_key_exchange_group().map(|group| u16::from(group.name())),
            alpn: session.alpn_protocol().map(|protocol| String::from_utf8_lossy(protocol).into_owned()),
            sni: session.server_name().map(str::to_owned),
        }
    }
}

/// The limits a TLS connection shares with the plain port.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnectionLimits {
    /// For the handshake, and again for the first request head after it.
    pub header_read_timeout: Duration,
    pub write_timeout: Option<Duration>,
}

/// Accepts on `tls.listener` until `shutdown`, serving `app` on each connection; then waits for
/// the connections to finish (the caller bounds the wait).
pub(crate) async fn serve(
    tls: TlsListener,
    app: Router,
    limits: ConnectionLimits,
    metrics: ConnectionMetrics,
    shutdown: Shutdown,
) {
    let acceptor = TlsAcceptor::from(Arc::clone(&tls.identity.server_config));
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            accepted = tls.listener.accept() => accepted,
            () = shutdown.triggered() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // As axum's accept loop: errors of one connection are skipped, others (too many open
            // files) are waited out.
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                tracing::error!(%error, "TLS port: cannot accept a connection; trying again in a second");
                sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        if let Some(write_timeout) = limits.write_timeout {
            set_write_timeout(&stream, write_timeout);
        }
        let open = metrics.accepted();
        let counted = (metrics.clone(), open);
        connections.spawn(serve_connection(
            stream,
            peer,
            acceptor.clone(),
            app.clone(),
            limits,
            counted,
            shutdown.clone(),
        ));
    }
    connections.close();
    connections.wait().await;
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
    app: Router,
    limits: ConnectionLimits,
    (metrics, open): (ConnectionMetrics, OpenGuard),
    shutdown: Shutdown,
) {
    let recording = Arc::new(HelloRecording::default());
    let tapped = InspectReader::new(stream, recording.tap());
    let handshake = timeout(limits.header_read_timeout, acceptor.accept(tapped).into_fallible());
    let accepted = tokio::select! {
        accepted = handshake => accepted,
        () = shutdown.triggered() => return,
    };
    let tls = match accepted {
        Ok(Ok(tls)) => tls,
        Ok(Err((error, _))) => {
            log_failed_handshake(peer, &error, &recording.recorded());
            return;
        }
        Err(_elapsed) => {
            metrics.header_timed_out();
            tracing::info!(
                %peer,
                "TLS handshake not finished within the header read timeout ({} s): connection closed",
                limits.header_read_timeout.as_secs_f64()
            );
            return;
        }
    };
    let connection = Arc::new(TlsConnection::new(tls.get_ref().1, recording.take_recorded()));
    tracing::debug!(%peer, alpn = ?connection.alpn, "TLS handshake done");

    // Whether any request came: a client that rejects the certificate's name after the handshake
    // (curl, OpenSSL check the name then) just closes, as an unused browser preconnect does.
    let asked = Arc::new(AtomicBool::new(false));
    let asked_here = Arc::clone(&asked);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        asked_here.store(true, Ordering::Relaxed);
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(Arc::clone(&connection));
        app.clone().oneshot(request)
    });
    let io = TokioIo::new(HeadDeadline::new(tls, limits.header_read_timeout).counted(metrics, open));
    let builder = auto::Builder::new(TokioExecutor::new());
    let serving = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(serving);
    let result = tokio::select! {
        result = serving.as_mut() => result,
        () = shutdown.triggered() => {
            serving.as_mut().graceful_shutdown();
            serving.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "TLS connection ended with an error");
    }
    if !asked.load(Ordering::Relaxed) {
        tracing::debug!(
            %peer,
            "TLS connection closed after the handshake without a request (a client that rejects the \
             certificate's name, or an unused browser preconnect)"
        );
    }
}

/// One line saying why a handshake failed, from the error and the first bytes the client sent.
fn log_failed_handshake(peer: SocketAddr, error: &io::Error, first_bytes: &[u8]) {
    let tls_error = error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>());
    if first_bytes.is_empty() {
        tracing::debug!(%peer, %error, "TLS port: the client closed the connection without sending anything");
    } else if first_bytes[0] != 22 {
        let start = String::from_utf8_lossy(&first_bytes[..first_bytes.len().min(40)]);
        let start = start.lines().next().unwrap_or_default();
        if first_bytes[0].is_ascii_uppercase() {
            tracing::info!(
                %peer,
                "plain HTTP on the TLS port ({start:?}): answered with a TLS alert and closed; this port speaks HTTPS"
            );
        } else {
            tracing::info!(%peer, first_bytes = ?start, "not TLS on the TLS port: answered with a TLS alert and closed");
        }
    } else if let Some(rustls::Error::AlertReceived(alert)) = tls_error {
        tracing::info!(
            %peer,
            "the client refused the TLS handshake with the alert {alert:?} (a client that does not trust the \
             certificate sends BadCertificate, UnknownCA or CertificateUnknown): connection closed"
        );
    } else if let Some(tls_error) = tls_error {
        tracing::info!(%peer, "TLS handshake failed: {tls_error}; connection closed");
    } else if matches!(error.kind(), io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset) {
        let hello_complete = crate::tls::client_hello::is_complete(first_bytes);
        let when = if hello_complete {
            "after its ClientHello (perhaps it does not trust the certificate)"
        } else {
            "in the middle of its ClientHello (a truncated handshake)"
        };
        tracing::info!(%peer, bytes = first_bytes.len(), "the client closed the connection {when}: connection closed");
    } else {
        tracing::info!(%peer, %error, "TLS handshake failed: connection closed");
    }
}
