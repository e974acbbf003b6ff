//! [`Recorded`]: a stream whose every read and write is also recorded in a capture, with its end
//! (EOF read: the client's FIN; a reset; the server's shutdown or drop: its FIN). Used under
//! every other layer of a `/ws/inspect` connection, so the capture holds the bytes as they
//! crossed the socket.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wire::packets::synth::Side;

use super::Recorder;

/// `inner`, recorded in `recorder` (client → server for reads, server → client for writes).
pub(crate) struct Recorded<S> {
    inner: S,
    /// `None`: capturing is off, and this is the stream alone.
    recorder: Option<Recorder>,
    /// The end of each direction has been recorded.
    read_ended: bool,
    write_ended: bool,
}

impl<S> Recorded<S> {
    pub(crate) fn new(inner: S, recorder: Option<Recorder>) -> Self {
        Recorded { inner, recorder, read_ended: false, write_ended: false }
    }
}

impl<S> Drop for Recorded<S> {
    /// Dropping the server's end of the socket closes it: FIN (after a reset, the capture ends
    /// at the reset: nothing after one is written).
    fn drop(&mut self) {
        if !self.write_ended
            && let Some(recorder) = &self.recorder
        {
            recorder.fin(Side::Server);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorded<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = ready!(Pin::new(&mut this.inner).poll_read(cx, buf));
        let Some(recorder) = &this.recorder else { return Poll::Ready(read) };
        match &read {
            Ok(()) if buf.filled().len() > before => recorder.data_copied(Side::Client, &buf.filled()[before..]),
            Ok(()) if buf.remaining() > 0 && !this.read_ended => {
                this.read_ended = true;
                recorder.fin(Side::Client);
            }
            Err(error) if is_reset(error) && !this.read_ended => {
                this.read_ended = true;
                recorder.reset(Side::Client);
            }
            _ => {}
        }
        Poll::Ready(read)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorded<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.inner).poll_write(cx, buf));
        if let (Ok(count), Some(recorder)) = (&written, &this.recorder) {
            recorder.data_copied(Side::Server, &buf[..*count]);
        }
        Poll::Ready(written)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let shut = ready!(Pin::new(&mut this.inner).poll_shutdown(cx));
        if shut.is_ok() && !this.write_ended {
            this.write_ended = true;
            if let Some(recorder) = &this.recorder {
                recorder.fin(Side::Server);
            }
        }
        Poll::Ready(shut)
    }
}

fn is_reset(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted)
}
