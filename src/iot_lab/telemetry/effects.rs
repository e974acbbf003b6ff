//! The Telemetry tab's browser side: the `/ws/telemetry` socket, the timer that takes the stats a
//! few times a second, and the timer that steps "Measure each encoding". Readings are dispatched
//! as streamed (a push into the ring buffers, at most one redraw per
//! `lab_store::STREAMED_REDRAW_MS`); the socket opening and closing redraw at once.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use wire::iot_lab::{TICK_MS, TelemetryEffect, TelemetryEvent, TelemetryState};
use wire::message_log::Payload;

use crate::lab_store::{EffectRunner, LabStore};
use crate::net::socket::{Socket, SocketEvent};

pub type TelemetryStore = LabStore<TelemetryState, TelemetryIo>;

/// Milliseconds since the Unix epoch with the browser's sub-millisecond clock
/// (`performance.timeOrigin + performance.now()`), for latencies of a fraction of a millisecond.
pub fn precise_now_ms() -> f64 {
    match web_sys::window().and_then(|window| window.performance()) {
        Some(performance) => performance.time_origin() + performance.now(),
        None => js_sys::Date::now(),
    }
}

#[derive(Default)]
pub struct TelemetryIo {
    socket: RefCell<Option<Socket>>,
    ticks: RefCell<Option<Interval>>,
    compare_timer: RefCell<Option<Timeout>>,
}

impl EffectRunner<TelemetryState> for TelemetryIo {
    fn run(&self, effect: TelemetryEffect, lab: &TelemetryStore) {
        match effect {
            TelemetryEffect::Open { url } => {
                // Replacing a closed socket detaches its handlers.
                drop(self.socket.borrow_mut().take());
                let store = lab.downgrade();
                let on_event = Rc::new(move |event: SocketEvent| {
                    let streamed = matches!(event, SocketEvent::Received(_));
                    let event = TelemetryEvent::Socket { event, at_ms: precise_now_ms() };
                    if streamed { store.dispatch_streamed(event) } else { store.dispatch(event) }
                });
                match Socket::open(&url, &[], on_event) {
                    Ok(socket) => *self.socket.borrow_mut() = Some(socket),
                    Err(error) => lab.dispatch(TelemetryEvent::ConnectRefused(error)),
                }
            }
            TelemetryEffect::Send(text) => {
                let sent = self.socket.borrow().as_ref().map(|socket| socket.send(&Payload::Text(text)));
                if let Some(Err(error)) = sent {
                    lab.dispatch(TelemetryEvent::SendRefused(error));
                }
            }
            TelemetryEffect::Close => {
                let closed = self.socket.borrow().as_ref().map(|socket| socket.close(1000, "closed by the lab"));
                if !matches!(closed, Some(Ok(()))) {
                    // Nothing open to close: say it closed, so the state does not wait for it.
                    drop(self.socket.borrow_mut().take());
                    let close = wire::connection::CloseInfo { code: 1005, reason: String::new(), was_clean: true };
                    lab.dispatch(TelemetryEvent::Socket { event: SocketEvent::Closed(close), at_ms: precise_now_ms() });
                }
            }
            TelemetryEffect::StartTicks => {
                let store = lab.downgrade();
                *self.ticks.borrow_mut() = Some(Interval::new(TICK_MS, move || store.dispatch(TelemetryEvent::Tick)));
            }
            TelemetryEffect::StopTicks => drop(self.ticks.borrow_mut().take()),
            TelemetryEffect::CompareTimer { run, after_ms } => {
                let store = lab.downgrade();
                *self.compare_timer.borrow_mut() =
                    Some(Timeout::new(after_ms, move || store.dispatch(TelemetryEvent::CompareStep { run })));
            }
        }
    }
}
