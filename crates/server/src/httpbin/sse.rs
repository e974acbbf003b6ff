//! `/sse`: Server-Sent Events (`text/event-stream`) for the HTTP lab's stream view and its
//! EventSource panel, with everything the protocol offers a client: `retry:`, `id:`, `event:`
//! types and resuming from `Last-Event-ID`.
//!
//! `GET /sse?count=N&interval_ms=M&retry_ms=R&close_after=K` sends a `retry: R` block first, then
//! events `1..=N` (numbered from one, so a `Last-Event-ID` of 0 is no event), one every `M`
//! milliseconds, the first at once. Every fifth event is of type `milestone`, the others `tick`;
//! each carries JSON data: its `id`, the `count`, the server's send time (`sent_at_ms`, since the
//! Unix epoch), the `retry_ms` it announced (EventSource hides `retry:` from pages) and the
//! `Last-Event-ID` this connection resumed from (`resumed_from`, null on a first connection).
//!
//! With `Last-Event-ID: L` the stream continues at `L + 1`. `close_after=K` ends each response
//! after K events, so a browser's reconnect (and its resume) can be watched. Once every event is
//! sent, a reconnect gets 204 No Content: the answer that tells an EventSource to stop for good.
//!
//! Bounds: `count` up to [`MAX_SSE_EVENTS`], `interval_ms` up to `--max-delay`, `retry_ms` up to
//! [`MAX_SSE_RETRY_MS`]; anything else is a 400 naming the parameter. The compression layer's
//! default predicate never compresses `text/event-stream`, so each event leaves when it is made.

use std::convert::Infallible;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::json;
use tokio::time::Instant;

use super::{Httpbin, parse_count, query_value};
use crate::error::ApiError;

/// The most events one `/sse` stream may be asked for.
pub(crate) const MAX_SSE_EVENTS: u64 = 1000;
/// The longest reconnection delay `retry_ms` may announce: one minute.
pub(crate) const MAX_SSE_RETRY_MS: u64 = 60_000;
/// Every this many events, one is a `milestone` instead of a `tick`.
const MILESTONE_EVERY: u64 = 5;

const DEFAULT_COUNT: u64 = 10;
const DEFAULT_INTERVAL_MS: u64 = 500;
const DEFAULT_RETRY_MS: u64 = 1000;

/// What one `/sse` request asked for, checked.
#[derive(Clone, Copy, Debug)]
struct SsePlan {
    count: u64,
    interval: Duration,
    retry_ms: u64,
    /// Events this response sends at most before the server ends it.
    close_after: Option<u64>,
    /// The `Last-Event-ID` the client resumes from.
    resumed_from: Option<u64>,
}

impl SsePlan {
    fn read(state: &Httpbin, uri: &Uri, headers: &HeaderMap) -> Result<SsePlan, ApiError> {
        let number = |name: &str, max: u64, default: u64| -> Result<u64, ApiError> {
            query_value(uri, name).map_or(Ok(default), |text| parse_count(name, &text, max))
        };
        let count = number("count", MAX_SSE_EVENTS, DEFAULT_COUNT)?;
        let max_interval_ms = u64::try_from(state.max_delay.as_millis()).unwrap_or(u64::MAX);
        let interval_ms = number("interval_ms", u64::MAX, DEFAULT_INTERVAL_MS)?;
        if interval_ms > max_interval_ms {
            return Err(ApiError::bad_request(format!(
                "interval_ms: {interval_ms} is over the server's maximum delay of {max_interval_ms} ms (--max-delay)"
            )));
        }
        let interval = Duration::from_millis(interval_ms);
        let retry_ms = number("retry_ms", MAX_SSE_RETRY_MS, DEFAULT_RETRY_MS)?;
        let close_after = match query_value(uri, "close_after") {
            Some(text) => match parse_count("close_after", &text, MAX_SSE_EVENTS)? {
                0 => return Err(ApiError::bad_request("close_after: must be 1 or more (events per connection)")),
                after => Some(after),
            },
            None => None,
        };
        let resumed_from = match headers.get("last-event-id") {
            None => None,
            Some(value) => {
                let text = value.to_str().unwrap_or_default().trim();
                // An EventSource sends the id it last saw; an empty one means none.
                if text.is_empty() {
                    None
                } else {
                    Some(text.parse::<u64>().map_err(|_| {
                        ApiError::bad_request(format!(
                            "Last-Event-ID: expected the number of an event of this stream, got {text:?}"
                        ))
                    })?)
                }
            }
        };
        Ok(SsePlan { count, interval, retry_ms, close_after, resumed_from })
    }

    /// The ids this response sends: after the resume point, up to `count` and `close_after`.
    fn ids(&self) -> std::ops::RangeInclusive<u64> {
        let first = self.resumed_from.map_or(1, |last| last.saturating_add(1));
        let last = match self.close_after {
            Some(after) => self.count.min(first.saturating_add(after - 1)),
            None => self.count,
        };
        first..=last
    }
}

/// Milliseconds since the Unix epoch by the server's clock.
fn now_epoch_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(0))
}

fn event_type(id: u64) -> &'static str {
    if id.is_multiple_of(MILESTONE_EVERY) { "milestone" } else { "tick" }
}

/// Event `id` as it leaves now.
fn event(id: u64, plan: &SsePlan) -> Event {
    let data = json!({
        "id": id,
        "count": plan.count,
        "sent_at_ms": now_epoch_ms(),
        "retry_ms": plan.retry_ms,
        "resumed_from": plan.resumed_from,
    });
    Event::default().id(id.to_string()).event(event_type(id)).data(data.to_string())
}

/// The events of `plan`: the first at once, then one every interval (from the start, so delays
/// do not add up).
fn events(plan: SsePlan) -> impl Stream<Item = Result<Event, Infallible>> {
    let retry = Event::default().retry(Duration::from_millis(plan.retry_ms)).comment(format!(
        "wirelab /sse: events up to {}, one every {} ms",
        plan.count,
        plan.interval.as_millis()
    ));
    let start = Instant::now();
    let paced = stream::iter(plan.ids().enumerate()).then(move |(index, id)| async move {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        tokio::time::sleep_until(start + plan.interval.saturating_mul(index)).await;
        Ok(event(id, &plan))
    });
    stream::once(async move { Ok(retry) }).chain(paced)
}

/// `/sse`: see the module documentation.
pub(crate) async fn sse(State(state): State<Httpbin>, uri: Uri, headers: HeaderMap) -> Result<Response, ApiError> {
    let plan = SsePlan::read(&state, &uri, &headers)?;
    if plan.ids().is_empty() {
        // Every event was sent: 204 tells an EventSource not to reconnect.
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Sse::new(events(plan)).into_response())
}
