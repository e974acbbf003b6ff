//! A walkthrough being run: which step is next, and for each step whether it is waiting, done
//! (with what happened, in words) or did not go as expected (and what came instead). A step's
//! replies are the ones that answer the bytes that step sent, so a reply to an earlier command
//! never counts for a later step.

use std::collections::VecDeque;

use super::Channel;
use crate::bridge_event::Transport;
use crate::sockets::replies::commands::CommandKind;
use crate::sockets::replies::{Outcome, Reply};
use crate::sockets::walkthroughs::{Expect, Step, StepEdit, Walkthrough, status_matches};

/// How one step went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    NotRun,
    /// Run; waiting for this.
    Waiting(String),
    /// Done, and what happened.
    Done(String),
    /// Something else happened (a different reply, the connection ended, it could not run).
    Unexpected(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Wait {
    Connected,
    Replies { remaining: VecDeque<String>, greeting: bool, sent_chunks: Vec<u64> },
    Echo { expected: usize, received: usize, chunks: usize, transport: Transport },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Waiting {
    step: usize,
    channel: Channel,
    wait: Wait,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkthroughRun {
    pub walkthrough: Walkthrough,
    /// The step Run does next.
    pub current: usize,
    /// One per step.
    pub outcomes: Vec<StepOutcome>,
    /// Run all: each step starts as soon as the one before it is done, until one does not go
    /// as expected, the last is done, or the person stops it.
    pub running_all: bool,
    waiting: Option<Waiting>,
}

impl WalkthroughRun {
    pub fn new(walkthrough: Walkthrough) -> WalkthroughRun {
        let outcomes = vec![StepOutcome::NotRun; walkthrough.steps.len()];
        WalkthroughRun { walkthrough, current: 0, outcomes, running_all: false, waiting: None }
    }

    /// Whether a step has run and waits for what it expects.
    pub fn is_waiting(&self) -> bool {
        self.waiting.is_some()
    }

    /// Whether the next step to run is one that did not go as expected.
    pub fn is_stuck(&self) -> bool {
        matches!(self.outcomes.get(self.current), Some(StepOutcome::Unexpected(_)))
    }

    pub fn current_step(&self) -> Option<&Step> {
        self.walkthrough.steps.get(self.current)
    }

    pub fn is_finished(&self) -> bool {
        self.current >= self.walkthrough.steps.len()
    }

    /// An edit of the steps; one that adds, removes or moves steps starts the outcomes afresh.
    pub fn edit(&mut self, edit: StepEdit) {
        let reorders = matches!(edit, StepEdit::Insert(..) | StepEdit::Remove(_) | StepEdit::MoveUp(_));
        self.walkthrough.edit(edit);
        if reorders {
            self.outcomes = vec![StepOutcome::NotRun; self.walkthrough.steps.len()];
            self.waiting = None;
            self.running_all = false;
        }
        self.current = self.current.min(self.walkthrough.steps.len());
    }

    /// Makes `step` the next one to run.
    pub fn go_to(&mut self, step: usize) {
        self.current = step.min(self.walkthrough.steps.len());
        self.waiting = None;
        self.running_all = false;
    }

    /// `step` was started on `channel`: wait for what it expects, or count it done.
    pub(super) fn begin(&mut self, step: usize, channel: Channel, transport: Transport, echo_bytes: usize) {
        let Some(expect) = self.walkthrough.steps.get(step).map(|step| step.expect.clone()) else { return };
        let connects = matches!(
            self.walkthrough.steps.get(step).map(|step| &step.action),
            Some(crate::sockets::walkthroughs::Action::Connect { .. })
        );
        let wait = match expect {
            Expect::Nothing => return self.done(step, "done (no reply expected)".to_string()),
            Expect::Connected => Wait::Connected,
            Expect::Replies(statuses) => {
                Wait::Replies { remaining: statuses.into(), greeting: connects, sent_chunks: Vec::new() }
            }
            Expect::Echo => Wait::Echo { expected: echo_bytes, received: 0, chunks: 0, transport },
        };
        self.set(step, StepOutcome::Waiting(self.walkthrough.steps[step].expect.text()));
        self.waiting = Some(Waiting { step, channel, wait });
    }

    /// `step` could not run, for this reason.
    pub(super) fn could_not_run(&mut self, step: usize, reason: String) {
        self.set(step, StepOutcome::Unexpected(reason));
        if self.waiting.as_ref().is_some_and(|waiting| waiting.step == step) {
            self.waiting = None;
        }
    }

    /// Whether a send on `channel` is `step`'s (the step is waiting for replies to it).
    pub(super) fn sent(&mut self, step: usize, channel: Channel, chunk_id: u64) {
        if let Some(Waiting { step: waiting_step, channel: waiting_channel, wait: Wait::Replies { sent_chunks, .. } }) =
            &mut self.waiting
            && *waiting_step == step
            && *waiting_channel == channel
        {
            sent_chunks.push(chunk_id);
        }
    }

    pub(super) fn connected(&mut self, channel: Channel, words: &str) {
        if let Some(Waiting { step, channel: waiting_channel, wait: Wait::Connected }) = &self.waiting
            && *waiting_channel == channel
        {
            let step = *step;
            self.done(step, words.to_string());
        }
    }

    pub(super) fn replies(&mut self, channel: Channel, replies: &[Reply]) {
        for reply in replies {
            let Some(Waiting {
                step,
                channel: waiting_channel,
                wait: Wait::Replies { remaining, greeting, sent_chunks },
            }) = &mut self.waiting
            else {
                return;
            };
            let answers_step = reply.command.as_ref().is_some_and(|command| match command.kind {
                CommandKind::Greeting => *greeting,
                _ => command.chunk_id.is_some_and(|id| sent_chunks.contains(&id)),
            });
            if *waiting_channel != channel || !answers_step || reply.outcome() == Outcome::NotAReply {
                continue;
            }
            let step = *step;
            let summary = reply.explanation().summary;
            match remaining.pop_front() {
                Some(expected) if status_matches(&expected, &reply.status_label()) => {
                    if remaining.is_empty() {
                        self.done(step, summary);
                    } else {
                        let next = remaining.iter().cloned().collect::<Vec<_>>().join(", then ");
                        self.set(step, StepOutcome::Waiting(format!("{summary}; now expect {next}")));
                    }
                }
                Some(expected) => {
                    self.waiting = None;
                    self.set(step, StepOutcome::Unexpected(format!("expected {expected}, got {summary}")));
                }
                None => {}
            }
        }
    }

    pub(super) fn received(&mut self, channel: Channel, bytes: usize) {
        let Some(Waiting {
            step,
            channel: waiting_channel,
            wait: Wait::Echo { expected, received, chunks, transport },
        }) = &mut self.waiting
        else {
            return;
        };
        if *waiting_channel != channel {
            return;
        }
        *received += bytes;
        *chunks += 1;
        if *received >= *expected {
            let unit = match (*transport, *chunks == 1) {
                (Transport::Tcp, true) => "chunk",
                (Transport::Tcp, false) => "chunks",
                (Transport::Udp, true) => "datagram",
                (Transport::Udp, false) => "datagrams",
            };
            let words = format!("{received} bytes came back in {chunks} {unit}");
            let step = *step;
            self.done(step, words);
        }
    }

    /// The connection on `channel` ended: a step waiting on it did not get what it expected.
    pub(super) fn ended(&mut self, channel: Channel, words: &str) {
        if let Some(waiting) = &self.waiting
            && waiting.channel == channel
        {
            let step = waiting.step;
            self.waiting = None;
            self.set(step, StepOutcome::Unexpected(words.to_string()));
        }
    }

    fn done(&mut self, step: usize, words: String) {
        self.set(step, StepOutcome::Done(words));
        if self.waiting.as_ref().is_some_and(|waiting| waiting.step == step) {
            self.waiting = None;
        }
        if self.current <= step {
            self.current = step + 1;
        }
    }

    fn set(&mut self, step: usize, outcome: StepOutcome) {
        if let Some(slot) = self.outcomes.get_mut(step) {
            *slot = outcome;
        }
    }
}
