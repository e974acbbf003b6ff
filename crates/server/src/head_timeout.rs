//! A listener whose connections must finish their first request head (the request line and
//! headers, up to the blank line) within a deadline, so a slowloris client dripping one header
//! byte at a time cannot hold a connection forever. axum's `serve` sets no such timeout, and
//! hyper's own needs a timer axum does not give it.
//!
//! Only the first head is timed: after it the stream is left alone, because an upgraded
//! WebSocket lives on this same stream and may rightly stay quiet for hours.
//!
//! The listener also sets each connection's write timeout (`--write-timeout`, TCP_USER_TIMEOUT on
//! Linux): the kernel drops a connection whose data has stayed unsent that long because the
//! client's receive window is full, or unacknowledged. Writes that are stuck are then failed, so
//! a client that never reads is closed instead of being held with its echoes forever.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep, sleep_until};

use crate::metrics::{ConnectionMetrics, OpenGuard};

/// [`TcpListener`] with a deadline on each connection's first request head.
pub struct HeadTimeoutListener {
    inner: TcpListener,
    timeout: Duration,
    write_timeout: Option<Duration>,
    metrics: Option<ConnectionMetrics>,
}

impl HeadTimeoutListener {
    pub fn new(inner: TcpListener, timeout: Duration) -> HeadTimeoutListener {
        HeadTimeoutListener { inner, timeout, write_timeout: None, metrics: None }
    }

    /// Counts accepted and open connections, and head timeouts, into `metrics`.
    pub(crate) fn with_metrics(self, metrics: ConnectionMetrics) -> HeadTimeoutListener {
        HeadTimeoutListener { metrics: Some(metrics), ..self }
    }

    /// Sets TCP_USER_TIMEOUT on every accepted connection (Linux; ignored elsewhere).
    pub fn with_write_timeout(self, write_timeout: Option<Duration>) -> HeadTimeoutListener {
        HeadTimeoutListener { write_timeout, ..self }
    }
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "fuchsia"))]
pub(crate) fn set_write_timeout(stream: &TcpStream, timeout: Duration) {
    if let Err(error) = socket2::SockRef::from(stream).set_tcp_user_timeout(Some(timeout)) {
        tracing::debug!(%error, "cannot set TCP_USER_TIMEOUT");
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "fuchsia")))]
pub(crate) fn set_write_timeout(_stream: &TcpStream, _timeout: Duration) {}

impl Listener for HeadTimeoutListener {
    type Io = HeadDeadline<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's accept loop for TcpListener already rides out errors such as too many open files.
        let (stream, addr) = Listener::accept(&mut self.inner).await;
        // Echoes are written in batches already (see echo.rs); Nagle's algorithm would hold a
        // batch back until the previous one is acknowledged.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        if let Some(timeout) = self.write_timeout {
            set_write_timeout(&stream, timeout);
        }
        let stream = HeadDeadline::new(stream, self.timeout);
        let stream = match &self.metrics {
            Some(metrics) => stream.counted(metrics.clone(), metrics.accepted()),
            None => stream,
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A stream that fails its reads once the deadline passes before `\r\n\r\n` has been read.
pub struct HeadDeadline<S> {
    inner: S,
    deadline: Option<Pin<Box<Sleep>>>,
    /// How many bytes of `\r\n\r\n` the bytes read so far end with.
    matched: usize,
    /// The listener's counters and this connection's place in the open gauge.
    counted: Option<(ConnectionMetrics, OpenGuard)>,
}

impl<S> HeadDeadline<S> {
    pub fn new(inner: S, timeout: Duration) -> HeadDeadline<S> {
        HeadDeadline {
            inner,
            deadline: Some(Box::pin(sleep_until(Instant::now() + timeout))),
            matched: 0,
            counted: None,
        }
    }

    /// Counts a head timeout into `metrics`, and holds the connection's place in the open gauge
    /// (`open`) until the stream is dropped.
    pub(crate) fn counted(self, metrics: ConnectionMetrics, open: OpenGuard) -> HeadDeadline<S> {
        HeadDeadline { counted: Some((metrics, open)), ..self }
    }

    /// Whether the first request head has been read completely.
    pub fn head_complete(&self) -> bool {
        self.deadline.is_none()
    }

    fn scan(&mut self, bytes: &[u8]) {
        const END: &[u8; 4] = b"\r\n\r\n";
        for &byte in bytes {
            self.matched = if byte == END[self.matched] {
                self.matched + 1
            } else if byte == b'\r' {
                1
            } else {
                0
            };
            if self.matched == END.len() {
                self.deadline = None;
                return;
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadDeadline<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            if self.deadline.is_some() {
                let filled = buf.filled()[before..].to_vec();
                self.scan(&filled);
            }
            return result;
        }
        if let Some(deadline) = self.deadline.as_mut()
            && deadline.as_mut().poll(cx).is_ready()
        {
            if let Some((metrics, _)) = &self.counted {
                metrics.header_timed_out();
            }
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request head did not arrive within the header read timeout",
            )));
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadDeadline<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_the_head_is_found_across_reads() {
        let cases: &[(&[&[u8]], bool)] = &[
            (&[b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"], true),
            (&[b"GET / HTTP/1.1\r\nHost: a\r\n", b"\r", b"\n"], true),
            (&[b"GET / HTTP/1.1\r\nHost: a\r\n"], false),
            (&[b"\r\n\r", b"x\r\n"], false),
            (&[b"\r\r\n\r\n"], true),
        ];
        for (reads, complete) in cases {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build();
            let Ok(runtime) = runtime else { panic!("a runtime") };
            let done = runtime.block_on(async {
                let mut stream = HeadDeadline::new((), Duration::from_secs(5));
                for read in *reads {
                    stream.scan(read);
                }
                stream.head_complete()
            });
            assert_eq!(done, *complete, "{reads:?}");
        }
    }
}
