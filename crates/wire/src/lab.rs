//! The one shape every lab's state takes: a plain value changed only by [`LabState::apply`], which
//! takes one event (something the person did, or something the browser reported) and returns the
//! effects the browser must carry out (open a socket, send a request, store a list, start a
//! timer). The app performs the effects and reports their outcome as further events, so every
//! decision a lab makes is here, where it is tested natively with tables of events.
//!
//! `ws_lab`, `http_lab` and `formats_lab` each define a state type, an `…Event` and an `…Effect`
//! enum, and implement this trait; ARCHITECTURE.md ("How to add a lab") says how a new lab does
//! the same.

/// A lab's state: events in, effects out.
pub trait LabState {
    /// Something that happened: a person's edit or click, or the browser's answer to an effect.
    type Event;
    /// Something only the browser can do (I/O, timers, storage), asked for by [`LabState::apply`].
    type Effect;

    /// Applies `event`, which happened at `now_ms` (milliseconds since the Unix epoch: the clock
    /// the logs show), and returns what the browser must do, in order.
    fn apply(&mut self, event: Self::Event, now_ms: f64) -> Vec<Self::Effect>;
}
