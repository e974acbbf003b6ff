//! Keeps the ClientHello as the client sent it: a tap on the TCP connection's reads (tokio-util's
//! `InspectReader`, put under rustls) that copies what is read until the first handshake message
//! (the ClientHello) is complete, in as many TLS records as it took, and then stops copying. `/tls/info` shows these
//! bytes and fingerprints them (JA3, JA4); when the handshake fails, the first bytes tell a
//! plain-HTTP request from a TLS client that gave up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The most kept: a ClientHello is a few hundred bytes (about 1.8 KiB with a post-quantum key
/// share); 16 KiB is the largest TLS record.
pub const MAX_CLIENT_HELLO_BYTES: usize = 16 * 1024;
/// TLS record content type `handshake`.
const HANDSHAKE_RECORD: u8 = 22;
const RECORD_HEADER_BYTES: usize = 5;
const HANDSHAKE_HEADER_BYTES: usize = 4;

/// What the bytes read so far hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Extent {
    /// The first handshake message is not complete yet.
    Incomplete,
    /// The first handshake message ends with the record that ends here.
    Complete(usize),
    /// A record that is not a handshake record: not (or no longer) a ClientHello.
    NotHandshake,
}

/// Where the records that carry the first handshake message end.
fn extent(bytes: &[u8]) -> Extent {
    let mut offset = 0;
    let mut payload = Vec::new();
    while let Some(header) = bytes.get(offset..offset + RECORD_HEADER_BYTES) {
        if header[0] != HANDSHAKE_RECORD {
            return Extent::NotHandshake;
        }
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let end = offset + RECORD_HEADER_BYTES + length;
        let Some(body) = bytes.get(offset + RECORD_HEADER_BYTES..end) else {
            return Extent::Incomplete;
        };
        payload.extend_from_slice(body);
        if let Some(&[_, high, middle, low]) = payload.get(..HANDSHAKE_HEADER_BYTES) {
            let message = HANDSHAKE_HEADER_BYTES + usize::from_be_bytes([0, 0, 0, 0, 0, high, middle, low]);
            if payload.len() >= message {
                return Extent::Complete(end);
            }
        }
        offset = end;
    }
    if offset == 0 && bytes.first().is_some_and(|&first| first != HANDSHAKE_RECORD) {
        return Extent::NotHandshake;
    }
    Extent::Incomplete
}

/// Whether `bytes` hold the whole first handshake message.
pub(crate) fn is_complete(bytes: &[u8]) -> bool {
    matches!(extent(bytes), Extent::Complete(_))
}

/// The bytes a connection's first reads brought, kept until the ClientHello is complete (or
/// [`MAX_CLIENT_HELLO_BYTES`] have been read, or the bytes are not TLS handshake records). Shared
/// between the tap under rustls ([`HelloRecording::tap`], for tokio-util's `InspectReader`) and
/// the connection's task, which takes the bytes once the handshake is over.
#[derive(Debug, Default)]
pub struct HelloRecording {
    /// Set once recording has stopped: later reads (the whole connection's) cost one load.
    done: AtomicBool,
    bytes: Mutex<Vec<u8>>,
}

impl HelloRecording {
    /// What to give `InspectReader::new` to record the reads of one connection here.
    pub fn tap(self: &Arc<Self>) -> impl FnMut(&[u8]) + Send + Sync + 'static {
        let recording = Arc::clone(self);
        move |bytes| recording.record(bytes)
    }

    /// The bytes recorded: the ClientHello's records once complete; otherwise the first bytes read.
    pub fn recorded(&self) -> Vec<u8> {
        self.bytes.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Takes the recorded bytes out, leaving nothing behind.
    pub fn take_recorded(&self) -> Vec<u8> {
        std::mem::take(&mut *self.bytes.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn record(&self, bytes: &[u8]) {
        if self.done.load(Ordering::Acquire) || bytes.is_empty() {
            return;
        }
        let mut recorded = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        let room = MAX_CLIENT_HELLO_BYTES - recorded.len();
        recorded.extend_from_slice(&bytes[..bytes.len().min(room)]);
        let done = match extent(&recorded) {
            Extent::Complete(end) => {
                recorded.truncate(end);
                true
            }
            Extent::NotHandshake => true,
            Extent::Incomplete => recorded.len() >= MAX_CLIENT_HELLO_BYTES,
        };
        self.done.store(done, Ordering::Release);
    }

    #[cfg(test)]
    fn is_recording(&self) -> bool {
        !self.done.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handshake record holding `body`.
    fn record(body: &[u8]) -> Vec<u8> {
        let length = u16::try_from(body.len()).expect("a short body");
        [&[HANDSHAKE_RECORD, 3, 1][..], &length.to_be_bytes(), body].concat()
    }

    #[test]
    fn the_client_hello_ends_with_the_record_that_completes_it() {
        // A 6-byte handshake message (type 1, length 2, body "ab"), whole or split over records.
        let whole = record(&[1, 0, 0, 2, b'a', b'b']);
        let split = [record(&[1, 0]), record(&[0, 2, b'a']), record(b"b")].concat();
        let cases: Vec<(&str, Vec<u8>, Extent)> = vec![
            ("one record", whole.clone(), Extent::Complete(11)),
            ("one record and what follows", [whole.clone(), vec![20, 3, 3, 0, 1, 1]].concat(), Extent::Complete(11)),
            ("three records", split.clone(), Extent::Complete(split.len())),
            ("a record cut short", whole[..8].to_vec(), Extent::Incomplete),
            ("a header cut short", whole[..3].to_vec(), Extent::Incomplete),
            ("nothing yet", Vec::new(), Extent::Incomplete),
            ("plain HTTP", b"GET / HTTP/1.1\r\n".to_vec(), Extent::NotHandshake),
            ("an alert first", vec![21, 3, 3, 0, 2, 2, 40], Extent::NotHandshake),
        ];
        for (name, bytes, expected) in cases {
            assert_eq!(extent(&bytes), expected, "{name}");
        }
    }

    #[test]
    fn recording_stops_at_the_end_of_the_client_hello_or_the_cap() {
        let hello = record(&[1, 0, 0, 2, b'a', b'b']);
        let recording = Arc::new(HelloRecording::default());
        let mut tap = recording.tap();
        tap(&hello[..4]);
        assert!(recording.is_recording());
        tap(&[&hello[4..], &[23, 3, 3][..]].concat());
        tap(b"later reads are not kept");
        assert_eq!((recording.recorded(), recording.is_recording()), (hello.clone(), false));
        assert_eq!((recording.take_recorded(), recording.recorded()), (hello, Vec::new()));

        let endless = HelloRecording::default();
        let huge = [&[HANDSHAKE_RECORD, 3, 1, 0xff, 0xff][..], &[0; MAX_CLIENT_HELLO_BYTES]].concat();
        endless.record(&huge);
        assert_eq!((endless.recorded().len(), endless.is_recording()), (MAX_CLIENT_HELLO_BYTES, false));
    }
}
