//! Watches what the FTP peer says over a bridged control connection for passive replies (227,
//! 229), so the bridge opens exactly the data ports the FTP peer offered and nothing else in its
//! passive range, where other programs on this machine may listen.

use std::sync::Arc;

use wire::sockets::replies::ftp::passive_address;

use crate::peers::Peers;

/// A reply line longer than this is not a passive reply; its bytes are not kept.
const MAX_LINE: usize = 512;

pub(crate) struct FtpWatch {
    peers: Arc<Peers>,
    /// The start of a line whose end has not arrived yet.
    line: Vec<u8>,
}

impl FtpWatch {
    pub fn new(peers: Arc<Peers>) -> FtpWatch {
        FtpWatch { peers, line: Vec::new() }
    }

    /// Reads bytes the FTP peer sent, noting the port of every passive reply they complete.
    pub fn read(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte == b'\n' {
                self.end_line();
            } else if self.line.len() < MAX_LINE {
                self.line.push(byte);
            }
        }
    }

    fn end_line(&mut self) {
        let line = String::from_utf8_lossy(&self.line);
        let code = line.get(..3).and_then(|code| code.parse::<u16>().ok());
        if let Some(code @ (227 | 229)) = code
            && let Ok(address) = passive_address(code, line.get(4..).unwrap_or(""))
        {
            self.peers.note_ftp_data_port(address.port);
        }
        self.line.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passive_replies_are_read_across_chunks_and_nothing_else_counts() {
        let cases: &[(&[&[u8]], Option<u16>)] = &[
            (&[b"227 Entering Passive Mode (127,0,0,1,195,80)\r\n"], Some(50_000)),
            (&[b"227 Entering Pass", b"ive Mode (127,0,0,1,195,81)\r", b"\n"], Some(50_001)),
            (&[b"229 Entering Extended Passive Mode (|||50002|)\r\n"], Some(50_002)),
            (&[b"150 Here (127,0,0,1,195,83)\r\n"], None),
            (&[b"227 no numbers\r\n"], None),
            (&[b"227 Entering Passive Mode (127,0,0,1,195,84)"], None),
        ];
        for (chunks, offered) in cases {
            let peers = Arc::new(Peers::none());
            let mut watch = FtpWatch::new(peers.clone());
            for chunk in *chunks {
                watch.read(chunk);
            }
            let noted: Vec<u16> = (50_000..50_010).filter(|&port| peers.was_offered(port)).collect();
            assert_eq!(noted, offered.iter().copied().collect::<Vec<_>>(), "{chunks:?}");
        }
    }
}
