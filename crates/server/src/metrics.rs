//! The server's Prometheus metrics: one registry per server instance, counted where things
//! happen (connections, messages, requests, refusals, latencies) and served on a separate port.
//!
//! STUB (issue 15, helper M fills it in): the shape the rest of the server relies on.

use std::fmt;
use std::io;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::Shutdown;

/// One server instance's metrics. Cloning is cheap; all clones count into one registry.
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {}

impl fmt::Debug for Metrics {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Everything counted so far, in the Prometheus text format (version 0.0.4).
    pub fn encode(&self) -> String {
        let _ = &self.inner;
        String::new()
    }
}

/// Serves `GET /metrics` on `listener` until `shutdown` has finished closing the app's
/// connections, so the last scrape sees the drain.
pub async fn serve_metrics(listener: TcpListener, metrics: Metrics, shutdown: Shutdown) -> io::Result<()> {
    let _ = (listener, metrics, shutdown);
    Ok(())
}
