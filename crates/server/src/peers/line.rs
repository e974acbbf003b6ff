//! A line-based protocol's conversation (SMTP, POP3): lines read with a bound on their length, so a
//! client that never sends a line feed cannot make the peer buffer without end, under the idle
//! timeout and the shutdown.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::PeerContext;

/// What [`read_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A whole line, its line feed included, is in the buffer.
    Complete,
    /// The line was longer than allowed: what came of it was discarded, up to its line feed.
    TooLong,
    /// The client closed its side (a line it had begun is dropped).
    End,
}

/// Reads one line (up to and including `\n`) into `line`, which is cleared first. A line longer
/// than `max` bytes is read to its end and discarded: the buffer never holds more than `max`.
pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    line.clear();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            line.clear();
            return Ok(Line::End);
        }
        let (taken, complete) = match available.iter().position(|&byte| byte == b'\n') {
            Some(end) => (end + 1, true),
            None => (available.len(), false),
        };
        if !too_long && line.len() + taken <= max {
            line.extend_from_slice(&available[..taken]);
        } else {
            too_long = true;
            line.clear();
        }
        reader.consume(taken);
        if complete {
            return Ok(if too_long { Line::TooLong } else { Line::Complete });
        }
    }
}

/// What came of waiting for a line.
pub(crate) enum Read {
    Line(Line),
    Idle,
    Shutdown,
}

/// A line-based conversation on one socket: bounded reads and writes under the idle timeout,
/// and the shutdown. The POP3 peer talks through it too.
pub(crate) struct Conversation<'a> {
    stream: BufReader<TcpStream>,
    context: &'a PeerContext,
}

impl<'a> Conversation<'a> {
    pub(crate) fn new(stream: TcpStream, context: &'a PeerContext) -> Self {
        Self { stream: BufReader::new(stream), context }
    }

    /// Waits for the next line, at most `max` bytes long.
    pub(crate) async fn read_line(&mut self, line: &mut Vec<u8>, max: usize) -> io::Result<Read> {
        tokio::select! {
            () = self.context.shutdown.triggered() => Ok(Read::Shutdown),
            read = timeout(self.context.idle_timeout, read_line(&mut self.stream, line, max)) => match read {
                Err(_) => Ok(Read::Idle),
                Ok(read) => read.map(Read::Line),
            },
        }
    }

    /// Writes `bytes`; a client that does not read them within the idle timeout is dropped.
    pub(crate) async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let written = timeout(self.context.idle_timeout, self.stream.get_mut().write_all(bytes)).await;
        written.map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the client reads nothing"))?
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::BufReader;

    use super::*;

    #[tokio::test]
    async fn lines_are_cut_at_line_feeds_and_long_ones_are_skipped() {
        // (input, the buffer size of the reader, max, what successive reads give)
        type Case<'a> = (&'a [u8], usize, usize, &'a [(Line, &'a [u8])]);
        let cases: [Case; 4] = [
            (
                b"HELO a\r\nQUIT\r\n",
                64,
                16,
                &[(Line::Complete, b"HELO a\r\n"), (Line::Complete, b"QUIT\r\n"), (Line::End, b"")],
            ),
            (b"0123456789\r\nOK\r\n", 4, 8, &[(Line::TooLong, b""), (Line::Complete, b"OK\r\n"), (Line::End, b"")]),
            (b"exactly8\nno end", 3, 9, &[(Line::Complete, b"exactly8\n"), (Line::End, b"")]),
            (b"bare\n\n", 64, 16, &[(Line::Complete, b"bare\n"), (Line::Complete, b"\n"), (Line::End, b"")]),
        ];
        for (input, capacity, max, expected) in cases {
            let mut reader = BufReader::with_capacity(capacity, input);
            let mut line = Vec::new();
            for (want, bytes) in expected {
                let got = read_line(&mut reader, &mut line, max).await.expect("reading a slice cannot fail");
                assert_eq!((&got, line.as_slice()), (want, *bytes), "{:?}", String::from_utf8_lossy(input));
            }
        }
    }
}
