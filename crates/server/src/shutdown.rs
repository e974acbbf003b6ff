//! Graceful shutdown plumbing: one token every connection watches, one tracker to wait for them.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use tokio::time::{Instant, timeout_at};
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;

/// A shutdown switch shared by the server and all of its WebSocket connections.
///
/// Cloning is cheap; all clones share one state.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    token: CancellationToken,
    /// Set just before the token is cancelled: reading the token's state takes a lock that every
    /// connection would share, reading this does not.
    triggered: Arc<AtomicBool>,
    tracker: TaskTracker,
    /// Connections ever tracked, for `memory.rs` to see how many have closed.
    started: Arc<AtomicU64>,
    /// Set by [`start_draining`](Self::start_draining) (and by the trigger): the server is on
    /// its way out, so `/readyz` answers 503 and new WebSockets are refused.
    draining: Arc<AtomicBool>,
}

impl Shutdown {
    /// A switch that has not been triggered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Announces the shutdown before it starts: readiness turns false (`/readyz` answers 503),
    /// new WebSocket upgrades get 503, and HTTP/1.1 responses close their connection, while
    /// everything already open keeps working until [`trigger`](Self::trigger).
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    /// Whether the server is draining or shutting down: no longer ready for new traffic.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// Starts the shutdown: the server stops accepting and every WebSocket closes with 1001.
    pub fn trigger(&self) {
        self.draining.store(true, Ordering::Release);
        self.triggered.store(true, Ordering::Release);
        self.token.cancel();
    }

    /// Whether [`trigger`](Self::trigger) has been called.
    pub fn is_triggered(&self) -> bool {
        self.triggered.load(Ordering::Acquire)
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

    /// Completes once the shutdown is triggered, like [`triggered`](Self::triggered), but made for
    /// a connection's task to poll on every wake: see [`Signal`].
    pub(crate) fn signal(&self) -> Signal<'_> {
        Signal { triggered: &self.triggered, registered: false, wait: self.token.cancelled() }
    }
}

pin_project! {
    /// The shutdown as one connection's task sees it. The first poll registers the task with the
    /// token (which wakes it on shutdown); later polls only read an atomic flag, where polling the
    /// token's future again would take the lock that all connections share. It must therefore be
    /// polled by one task only, which a future pinned in a connection's task is.
    pub(crate) struct Signal<'a> {
        triggered: &'a AtomicBool,
        registered: bool,
        #[pin]
        wait: WaitForCancellationFuture<'a>,
    }
}

impl Future for Signal<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if this.triggered.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if !*this.registered {
            *this.registered = true;
            return this.wait.poll(cx);
        }
        Poll::Pending
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

    #[tokio::test]
    async fn a_signal_polled_many_times_still_wakes_its_task_on_shutdown() {
        let shutdown = Shutdown::new();
        let waiter = shutdown.clone();
        let task = tokio::spawn(async move {
            let signal = waiter.signal();
            tokio::pin!(signal);
            let mut polls = 0u32;
            // Poll it again and again, as the echo loop does on every wake, then wait on it.
            while polls < 100 && !std::future::poll_fn(|cx| Poll::Ready(signal.as_mut().poll(cx).is_ready())).await {
                polls += 1;
                tokio::task::yield_now().await;
            }
            signal.await;
            polls
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!shutdown.is_triggered());
        shutdown.trigger();
        let polls = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        assert!(matches!(polls, Ok(Ok(100))), "{polls:?}");
        assert!(shutdown.is_triggered());
    }
}
