//! Graceful shutdown plumbing: one token every connection watches, one tracker to wait for them.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::{Instant, timeout_at};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;

/// A shutdown switch shared by the server and all of its WebSocket connections.
///
/// Cloning is cheap; all clones share one state.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    token: CancellationToken,
    tracker: TaskTracker,
    /// Connections ever tracked, for `memory.rs` to see how many have closed.
    started: Arc<AtomicU64>,
}

impl Shutdown {
    /// A switch that has not been triggered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts the shutdown: the server stops accepting and every WebSocket closes with 1001.
    pub fn trigger(&self) {
        self.token.cancel();
    }

    /// Whether [`trigger`](Self::trigger) has been called.
    pub fn is_triggered(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes once the shutdown is triggered.
    pub async fn triggered(&self) {
        self.token.cancelled().await;
    }

    /// How many WebSocket connections are still running.
    pub fn open_connections(&self) -> usize {
        self.tracker.len()
    }

    /// How many WebSocket connections have ended since the server started.
    pub(crate) fn closed_connections(&self) -> u64 {
        let open = u64::try_from(self.tracker.len()).unwrap_or(u64::MAX);
        self.started.load(Ordering::Relaxed).saturating_sub(open)
    }

    /// Waits until every tracked connection has ended, or until `deadline`.
    ///
    /// Returns whether they all ended in time.
    pub(crate) async fn wait_for_connections(&self, deadline: Instant) -> bool {
        self.tracker.close();
        timeout_at(deadline, self.tracker.wait()).await.is_ok()
    }

    /// Marks one connection as running until the returned token is dropped.
    pub(crate) fn track(&self) -> TaskTrackerToken {
        self.started.fetch_add(1, Ordering::Relaxed);
        self.tracker.token()
    }

    /// The token that connection tasks select on.
    pub(crate) fn token(&self) -> &CancellationToken {
        &self.token
    }
}

/// Waits for SIGINT or SIGTERM (Ctrl-C elsewhere than Unix) and returns the signal's name.
pub async fn wait_for_signal() -> io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            _ = interrupt.recv() => Ok("SIGINT"),
            _ = terminate.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok("Ctrl-C")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_connections_counts_the_tokens_dropped() {
        let shutdown = Shutdown::new();
        assert_eq!(shutdown.closed_connections(), 0);
        let tokens: Vec<_> = (0..5).map(|_| shutdown.track()).collect();
        assert_eq!((shutdown.open_connections(), shutdown.closed_connections()), (5, 0));
        let mut tokens = tokens.into_iter();
        drop(tokens.by_ref().take(3).collect::<Vec<_>>());
        assert_eq!((shutdown.open_connections(), shutdown.closed_connections()), (2, 3));
        drop(tokens);
        let _again = shutdown.track();
        assert_eq!((shutdown.open_connections(), shutdown.closed_connections()), (1, 5));
    }
}
