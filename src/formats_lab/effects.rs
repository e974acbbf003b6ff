//! The Formats lab's browser side: the one timer that applies typed source text once typing
//! pauses. Everything else the lab decides is `wire::formats_lab::FormatsLabState`.

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use wire::formats_lab::{FormatsEffect, FormatsEvent, FormatsLabState};

use crate::lab_store::{EffectRunner, LabStore};

pub type FormatsStore = LabStore<FormatsLabState, SettleTimer>;

#[derive(Default)]
pub struct SettleTimer {
    timer: RefCell<Option<Timeout>>,
}

impl EffectRunner<FormatsLabState> for SettleTimer {
    fn run(&self, effect: FormatsEffect, lab: &FormatsStore) {
        match effect {
            FormatsEffect::Settle(after_ms) => {
                let lab = lab.downgrade();
                // Replacing the timer drops (cancels) the one still running.
                *self.timer.borrow_mut() = Some(Timeout::new(after_ms, move || lab.dispatch(FormatsEvent::Settled)));
            }
            FormatsEffect::CancelSettle => drop(self.timer.borrow_mut().take()),
        }
    }
}
