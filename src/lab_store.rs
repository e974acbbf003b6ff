//! One state holder per lab: the lab's `wire` state (a `wire::lab::LabState`), the object that
//! carries out its effects with the browser (built on `net`), and the redraw of the lab's root.
//!
//! A lab's root calls [`use_lab_store`] once and passes plain values and callbacks down; leaves
//! emit events through those callbacks and never hold lab state of their own (only what their own
//! drawing needs: a hovered byte, an open disclosure, a scroll position). An event is applied to
//! the state, the effects it returns are run in order, and an effect's outcome (a socket opened, a
//! response arrived, a timer fired) comes back as another event. Events raised while effects run
//! are queued and applied after them, so no effect ever finds the state borrowed.
//!
//! Why not yew's `use_reducer`: a reducer renders once per dispatch, and socket messages arrive
//! one per browser task, so a burst of 5,000 echoes would mean 5,000 renders. Here the state lives
//! outside yew, a message costs a push, and [`LabStore::dispatch_streamed`] (for events that
//! arrive in bursts) redraws at most once per [`STREAMED_REDRAW_MS`] — at most 20 redraws a
//! second, never more than one per frame — while [`LabStore::dispatch`] (for what a person did)
//! redraws right away, so typing and clicks never wait for a timer. yew batches the redraws asked
//! for within one task into one render. (`requestAnimationFrame` would allow three times as many
//! renders of a lab that is busy taking messages, and none at all in a background tab.)

use std::cell::{Cell, Ref, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use wire::lab::LabState;
use yew::prelude::*;

use crate::net::now_ms;

/// Streamed events redraw at most once per this many milliseconds.
pub const STREAMED_REDRAW_MS: u32 = 50;

/// Carries out a lab's effects: the browser I/O, timers and storage the state asks for. It holds
/// the browser objects (a socket, a request's abort controller, attached files) and answers
/// through `lab.dispatch` with the outcome.
pub trait EffectRunner<S: LabState>: Sized + 'static {
    fn run(&self, effect: S::Effect, lab: &LabStore<S, Self>);
}

/// A lab's state and effect runner, shared by the root's callbacks. Equal when it is the same
/// store.
pub struct LabStore<S: LabState, R> {
    inner: Rc<Inner<S, R>>,
}

struct Inner<S: LabState, R> {
    state: RefCell<S>,
    runner: R,
    queue: RefCell<VecDeque<S::Event>>,
    applying: Cell<bool>,
    redraw: Redraw,
}

struct Redraw {
    force_update: UseForceUpdateHandle,
    /// A streamed redraw is already scheduled.
    pending: Rc<Cell<bool>>,
}

impl Redraw {
    fn now(&self) {
        self.force_update.force_update();
    }

    fn soon(&self) {
        if self.pending.replace(true) {
            return;
        }
        let force_update = self.force_update.clone();
        let pending = self.pending.clone();
        Timeout::new(STREAMED_REDRAW_MS, move || {
            pending.set(false);
            force_update.force_update();
        })
        .forget();
    }
}

impl<S: LabState + 'static, R: EffectRunner<S>> LabStore<S, R> {
    /// Applies what a person did and redraws in this task.
    pub fn dispatch(&self, event: S::Event) {
        if self.apply(event) {
            self.inner.redraw.now();
        }
    }

    /// Applies an event that may come in a burst (a socket message) and redraws within
    /// [`STREAMED_REDRAW_MS`].
    pub fn dispatch_streamed(&self, event: S::Event) {
        if self.apply(event) {
            self.inner.redraw.soon();
        }
    }

    /// Applies `event` and everything its effects raise. Returns false when called from inside
    /// an effect: the event is queued, and the outer call applies it and redraws.
    fn apply(&self, event: S::Event) -> bool {
        self.inner.queue.borrow_mut().push_back(event);
        if self.inner.applying.replace(true) {
            return false;
        }
        loop {
            let next = self.inner.queue.borrow_mut().pop_front();
            let Some(event) = next else { break };
            let effects = self.inner.state.borrow_mut().apply(event, now_ms());
            for effect in effects {
                self.inner.runner.run(effect, self);
            }
        }
        self.inner.applying.set(false);
        true
    }

    /// The state, for rendering. Never hold it across a dispatch.
    pub fn state(&self) -> Ref<'_, S> {
        self.inner.state.borrow()
    }

    pub fn runner(&self) -> &R {
        &self.inner.runner
    }

    /// A callback that dispatches the event `make` builds from its argument.
    pub fn callback<T: 'static>(&self, make: impl Fn(T) -> S::Event + 'static) -> Callback<T> {
        let store = self.clone();
        Callback::from(move |value: T| store.dispatch(make(value)))
    }

    /// A handle for browser callbacks (socket handlers, timers) that must not keep the lab alive.
    pub fn downgrade(&self) -> WeakLabStore<S, R> {
        WeakLabStore { inner: Rc::downgrade(&self.inner) }
    }
}

impl<S: LabState, R> Clone for LabStore<S, R> {
    fn clone(&self) -> Self {
        LabStore { inner: self.inner.clone() }
    }
}

impl<S: LabState, R> PartialEq for LabStore<S, R> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

/// A [`LabStore`] that does nothing once the lab is gone.
pub struct WeakLabStore<S: LabState, R> {
    inner: Weak<Inner<S, R>>,
}

impl<S: LabState + 'static, R: EffectRunner<S>> WeakLabStore<S, R> {
    pub fn dispatch(&self, event: S::Event) {
        if let Some(inner) = self.inner.upgrade() {
            LabStore { inner }.dispatch(event);
        }
    }

    pub fn dispatch_streamed(&self, event: S::Event) {
        if let Some(inner) = self.inner.upgrade() {
            LabStore { inner }.dispatch_streamed(event);
        }
    }
}

impl<S: LabState, R> Clone for WeakLabStore<S, R> {
    fn clone(&self) -> Self {
        WeakLabStore { inner: self.inner.clone() }
    }
}

/// The lab's store, made on the first render from `init` (the state and its effect runner).
#[hook]
pub fn use_lab_store<S, R, Init>(init: Init) -> LabStore<S, R>
where
    S: LabState + 'static,
    R: EffectRunner<S>,
    Init: FnOnce() -> (S, R),
{
    let force_update = use_force_update();
    let store = use_state(move || {
        let (state, runner) = init();
        LabStore {
            inner: Rc::new(Inner {
                state: RefCell::new(state),
                runner,
                queue: RefCell::new(VecDeque::new()),
                applying: Cell::new(false),
                redraw: Redraw { force_update, pending: Rc::new(Cell::new(false)) },
            }),
        }
    });
    (*store).clone()
}
