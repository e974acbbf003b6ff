//! Steady HTTP GETs for `wirelab-loadgen reconnect --http-target`: each client keeps one
//! kept-alive connection (hyper's pooled client, which reconnects when a balancer closes an idle
//! one and resends a request that never left), sends at a fixed rate, and tallies the answers.
//!
//! h2load was the first choice, but its clients stop for good when nginx closes their idle
//! connections on a graceful reload (which the scale test's readiness agent does), so the load
//! silently vanished without an error; a real client reconnects, and so does this one.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Uri;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::time::{Instant, MissedTickBehavior, interval, timeout, timeout_at};

/// How long one request may take before it counts as timed out.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the HTTP clients saw, all together.
#[derive(Debug, Default)]
pub struct HttpTally {
    pub sent: u64,
    pub ok_2xx: u64,
    pub other_status: u64,
    pub errors: u64,
    pub timeouts: u64,
    pub first_error: Option<String>,
}

impl HttpTally {
    fn add(&mut self, other: HttpTally) {
        self.sent += other.sent;
        self.ok_2xx += other.ok_2xx;
        self.other_status += other.other_status;
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// The tab-separated `HTTP` line the xtask reads.
    pub fn line(&self) -> String {
        format!(
            "HTTP\tsent={}\tok_2xx={}\tother_status={}\terrors={}\ttimeouts={}\tfirst_error={}",
            self.sent,
            self.ok_2xx,
            self.other_status,
            self.errors,
            self.timeouts,
            self.first_error.as_deref().unwrap_or("none").replace(['\t', '\n'], " ")
        )
    }
}

/// Runs `clients` clients, each sending `rate` GETs per second to `target` until `deadline`.
pub async fn run(target: &str, clients: usize, rate: f64, deadline: Instant) -> Result<HttpTally, String> {
    let uri: Uri = target.parse().map_err(|error| format!("--http-target {target}: {error}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("--http-target {target}: expected http://HOST:PORT/PATH"));
    }
    let period = Duration::from_secs_f64(1.0 / rate);
    let mut tasks = Vec::with_capacity(clients);
    for index in 0..clients {
        let uri = uri.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(period.mul_f64(index as f64 / clients.max(1) as f64)).await;
            one_client(uri, period, deadline).await
        }));
    }
    let mut total = HttpTally::default();
    for task in tasks {
        total.add(task.await.map_err(|error| format!("an HTTP client task failed: {error}"))?);
    }
    Ok(total)
}

async fn one_client(uri: Uri, period: Duration, deadline: Instant) -> HttpTally {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    // One idle connection kept per client, as a browser tab or a script would keep.
    let client: Client<HttpConnector, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(1).build(connector);
    let mut tally = HttpTally::default();
    let mut ticks = interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while timeout_at(deadline, ticks.tick()).await.is_ok() {
        tally.sent += 1;
        let answer = timeout(REQUEST_TIMEOUT, async {
            let response = client.get(uri.clone()).await.map_err(|error| format!("{error:?}"))?;
            let status = response.status();
            response.into_body().collect().await.map_err(|error| format!("reading the body: {error}"))?;
            Ok::<_, String>(status)
        })
        .await;
        match answer {
            Ok(Ok(status)) if status.is_success() => tally.ok_2xx += 1,
            Ok(Ok(_)) => tally.other_status += 1,
            Ok(Err(error)) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(error);
            }
            Err(_) => tally.timeouts += 1,
        }
    }
    tally
}
