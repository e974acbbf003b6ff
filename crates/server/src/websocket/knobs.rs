//! The echo endpoints' knobs (`/ws/echo?delay_ms=200&fragment=16`, read by
//! `wire::echo_options` in `handshake.rs`) as the echo loop follows them: a [`Plan`], the frames a
//! `fragment`ed echo is cut into, and the `ping_ms` pinger.
//!
//! A bad value is a `400` before the upgrade (see `handshake.rs`), its JSON error naming the
//! parameter (`delay_ms: 'soon' is not a whole number`). What each knob does:
//!
//! - `delay_ms`: the server waits this long before each echo. It reads nothing meanwhile, so the
//!   delay holds back the following messages too (the loop's backpressure rule is unchanged).
//! - `fragment`: each echo goes out in frames of at most this many bytes of the message: the
//!   first frame has the message's opcode and FIN clear, continuation frames follow, FIN on the
//!   last. With permessage-deflate the message is cut before it is compressed: yawc compresses the
//!   pieces as one message (RSV1 on the first frame), so each frame carries what deflate made of
//!   its piece and may be a few bytes larger or much smaller. (yawc cannot send an uncompressed
//!   frame once deflate is negotiated; ask for `compress=off` to see exact sizes.)
//! - `close_after`: after echoing this many messages the server closes; `0` closes right after
//!   the handshake (after the handshake report on `/ws/inspect`). It then waits for the client's
//!   close like a shutdown does.
//! - `close_code`, `close_reason`: the code (default 1000) and reason (default
//!   `close_after=N reached`) of that close. On their own they change nothing: the server closes
//!   only when `close_after` says so; a client's close is still echoed with the client's code, and
//!   shutdown still sends 1001.
//! - `ping_ms`: a ping every so often, its payload a counter (`1`, `2`, ...). Pings go out while
//!   the server waits for the client, never in the middle of an echo, and the client's pongs are
//!   read and dropped.
//! - `subprotocol`: select this one of the offered subprotocols; `400` when the client did not
//!   offer it. Without the knob the first offered one is selected. (Read in `handshake.rs`.)
//! - `compress`: `off` declines permessage-deflate even when offered; `on` (the default) accepts an
//!   offer when the server allows compression at all (`--permessage-deflate`). (Read in
//!   `handshake.rs`.)

use std::time::Duration;

use bytes::Bytes;
use tokio::time::{Interval, MissedTickBehavior, interval_at};
use wire::echo_options::EchoOptions;
use yawc::{Frame, OpCode};

/// The close code used by `close_after` unless `close_code` says otherwise.
const NORMAL_CLOSURE: u16 = 1000;

/// How the echo loop treats one connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub delay: Option<Duration>,
    pub fragment: Option<usize>,
    pub close_after: Option<u64>,
    pub close_code: u16,
    pub close_reason: String,
    pub ping_every: Option<Duration>,
}

impl Plan {
    pub fn new(options: &EchoOptions) -> Plan {
        Plan {
            delay: options.delay_ms.map(Duration::from_millis),
            fragment: options.fragment,
            close_after: options.close_after,
            close_code: options.close_code.unwrap_or(NORMAL_CLOSURE),
            close_reason: match (&options.close_reason, options.close_after) {
                (Some(reason), _) => reason.clone(),
                (None, Some(count)) => format!("close_after={count} reached"),
                (None, None) => String::new(),
            },
            ping_every: options.ping_ms.map(Duration::from_millis),
        }
    }

    /// Whether the server closes now, having echoed `echoed` messages.
    pub fn closes_after(&self, echoed: u64) -> bool {
        self.close_after.is_some_and(|count| echoed >= count)
    }
}

/// The frames that carry `message`: itself, or with `fragment` pieces of at most that many bytes.
pub(crate) fn fragments(message: Frame, fragment: Option<usize>) -> Vec<Frame> {
    let Some(size) = fragment.filter(|size| *size > 0 && *size < message.payload().len()) else {
        return vec![message];
    };
    let (opcode, _, payload) = message.into_parts();
    let count = payload.len().div_ceil(size);
    (0..count)
        .map(|index| {
            let piece = payload.slice(index * size..((index + 1) * size).min(payload.len()));
            let frame = match (index, opcode) {
                (0, OpCode::Text) => Frame::text(piece),
                (0, _) => Frame::binary(piece),
                _ => Frame::continuation(piece),
            };
            frame.with_fin(index + 1 == count)
        })
        .collect()
}

/// The `ping_ms` pings: a counter sent every so often, or never.
pub(crate) struct Pinger {
    interval: Option<Interval>,
    sent: u64,
}

impl Pinger {
    pub fn new(every: Option<Duration>) -> Pinger {
        let interval = every.map(|every| {
            let mut interval = interval_at(tokio::time::Instant::now() + every, every);
            // After a long echo, the next ping waits a whole period rather than catching up.
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        });
        Pinger { interval, sent: 0 }
    }

    /// The next ping, when it is due; never without `ping_ms`. Cancel-safe.
    pub async fn next(&mut self) -> Frame {
        match &mut self.interval {
            Some(interval) => {
                interval.tick().await;
            }
            None => std::future::pending::<()>().await,
        }
        self.sent += 1;
        Frame::ping(Bytes::from(self.sent.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_has_defaults_for_the_close() {
        let plan = |query: &str| Plan::new(&EchoOptions::from_query(query).unwrap());
        let cases = [
            ("", None, 1000, ""),
            ("close_after=3", Some(3), 1000, "close_after=3 reached"),
            ("close_after=0&close_code=4000&close_reason=bye", Some(0), 4000, "bye"),
            ("close_code=4001", None, 4001, ""),
        ];
        for (query, close_after, code, reason) in cases {
            let plan = plan(query);
            assert_eq!((plan.close_after, plan.close_code, plan.close_reason.as_str()), (close_after, code, reason));
        }
        assert!(plan("close_after=2").closes_after(2));
        assert!(!plan("close_after=2").closes_after(1));
        assert!(!plan("").closes_after(1_000_000));
        assert_eq!(plan("delay_ms=250&ping_ms=10").delay, Some(Duration::from_millis(250)));
    }

    /// (payload, fragment) → each frame's (opcode, fin, payload).
    #[test]
    fn messages_are_cut_into_frames_of_at_most_fragment_bytes() {
        type Expected = &'static [(OpCode, bool, &'static [u8])];
        let cases: &[(&[u8], Option<usize>, Expected)] = &[
            (b"hello", None, &[(OpCode::Text, true, b"hello")]),
            (b"hello", Some(5), &[(OpCode::Text, true, b"hello")]),
            (b"", Some(4), &[(OpCode::Text, true, b"")]),
            (
                b"hello",
                Some(2),
                &[
                    (OpCode::Text, false, b"he"),
                    (OpCode::Continuation, false, b"ll"),
                    (OpCode::Continuation, true, b"o"),
                ],
            ),
            (b"abcdefgh", Some(4), &[(OpCode::Text, false, b"abcd"), (OpCode::Continuation, true, b"efgh")]),
        ];
        for (payload, fragment, expected) in cases {
            let frames: Vec<_> = fragments(Frame::text(payload.to_vec()), *fragment)
                .into_iter()
                .map(|frame| (frame.opcode(), frame.is_fin(), frame.payload().to_vec()))
                .collect();
            let expected: Vec<_> = expected.iter().map(|(op, fin, bytes)| (*op, *fin, bytes.to_vec())).collect();
            assert_eq!(frames, expected, "{payload:?} / {fragment:?}");
        }
        let binary: Vec<_> = fragments(Frame::binary(vec![1, 2, 3]), Some(2)).iter().map(Frame::opcode).collect();
        assert_eq!(binary, [OpCode::Binary, OpCode::Continuation]);
    }
}
