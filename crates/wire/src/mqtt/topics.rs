//! Which topic floods the broker: per-topic counts of the application messages received, with
//! messages/s and bytes/s over a sliding window (the last [`WINDOW_MS`], in [`BUCKET_MS`]
//! buckets so a busy topic costs a fixed amount of memory), totals, the last payload's size and
//! time and whether it came retained. Bounded: at most [`MAX_TOPICS`] topics are tracked; the
//! messages on the others are counted as left out. Pure: the time is passed in.

use std::collections::{HashMap, HashSet, VecDeque};

/// The rates are taken over this much of the recent past.
pub const WINDOW_MS: f64 = 5_000.0;
/// The window's resolution.
pub const BUCKET_MS: f64 = 250.0;
/// Topics tracked; messages on topics past these are only counted.
pub const MAX_TOPICS: usize = 200;
/// Distinct left-out topic names remembered to count them; past this the count says "at least".
pub const MAX_LEFT_OUT_NAMES: usize = 1_000;

/// Messages and bytes that arrived within one bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bucket {
    index: i64,
    messages: u64,
    bytes: u64,
}

#[derive(Clone, Debug, PartialEq)]
struct TopicCounts {
    first_at_ms: f64,
    recent: VecDeque<Bucket>,
    total_messages: u64,
    total_bytes: u64,
    last_size: usize,
    last_at_ms: f64,
    last_retained: bool,
}

/// One row of the Topics table, rates as of the time it was taken.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicRow {
    pub topic: String,
    pub messages_per_s: f64,
    pub bytes_per_s: f64,
    pub total_messages: u64,
    pub total_bytes: u64,
    pub last_size: usize,
    pub last_at_ms: f64,
    /// The last message on the topic came retained (the broker's stored copy).
    pub retained: bool,
}

/// The topics left out of the table because [`MAX_TOPICS`] were already tracked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LeftOut {
    pub topics: usize,
    /// More distinct topics than [`MAX_LEFT_OUT_NAMES`] were left out: `topics` is a floor.
    pub topics_at_least: bool,
    pub messages: u64,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct TopicStats {
    topics: HashMap<String, TopicCounts>,
    left_out_names: HashSet<String>,
    left_out: LeftOut,
}

fn bucket_index(at_ms: f64) -> i64 {
    (at_ms / BUCKET_MS).floor() as i64
}

/// The oldest bucket still counted at `now_ms`: the one the window's start falls in.
fn oldest_kept(now_ms: f64) -> i64 {
    bucket_index(now_ms - WINDOW_MS)
}

impl TopicStats {
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty() && self.left_out.messages == 0
    }

    pub fn tracked(&self) -> usize {
        self.topics.len()
    }

    pub fn left_out(&self) -> LeftOut {
        self.left_out
    }

    /// A message of `size` payload bytes on `topic` arrived at `at_ms`.
    pub fn record(&mut self, topic: &str, size: usize, retained: bool, at_ms: f64) {
        if !self.topics.contains_key(topic) && self.topics.len() >= MAX_TOPICS {
            self.left_out.messages += 1;
            if self.left_out_names.len() < MAX_LEFT_OUT_NAMES {
                if self.left_out_names.insert(topic.to_owned()) {
                    self.left_out.topics += 1;
                }
            } else if !self.left_out_names.contains(topic) {
                self.left_out.topics_at_least = true;
            }
            return;
        }
        let counts = self.topics.entry(topic.to_owned()).or_insert_with(|| TopicCounts {
            first_at_ms: at_ms,
            recent: VecDeque::new(),
            total_messages: 0,
            total_bytes: 0,
            last_size: 0,
            last_at_ms: at_ms,
            last_retained: false,
        });
        let index = bucket_index(at_ms);
        match counts.recent.back_mut() {
            Some(bucket) if bucket.index >= index => {
                bucket.messages += 1;
                bucket.bytes += size as u64;
            }
            _ => counts.recent.push_back(Bucket { index, messages: 1, bytes: size as u64 }),
        }
        let oldest = oldest_kept(at_ms);
        while counts.recent.front().is_some_and(|bucket| bucket.index < oldest) {
            counts.recent.pop_front();
        }
        counts.total_messages += 1;
        counts.total_bytes += size as u64;
        counts.last_size = size;
        counts.last_at_ms = at_ms;
        counts.last_retained = retained;
    }

    /// Every tracked topic with its rates at `now_ms`, busiest first (messages/s, then bytes/s,
    /// then total messages, then the topic's name).
    ///
    /// A rate is the counted buckets' messages over the time they cover: from the oldest
    /// bucket's start (or the topic's first message, when more recent) to `now_ms`, and at
    /// least one second, so one message does not read as a flood.
    pub fn rows(&self, now_ms: f64) -> Vec<TopicRow> {
        let oldest = oldest_kept(now_ms);
        let mut rows: Vec<TopicRow> = self
            .topics
            .iter()
            .map(|(topic, counts)| {
                let (messages, bytes) = counts
                    .recent
                    .iter()
                    .filter(|bucket| bucket.index >= oldest)
                    .fold((0u64, 0u64), |(messages, bytes), bucket| (messages + bucket.messages, bytes + bucket.bytes));
                let since_ms = (oldest as f64 * BUCKET_MS).max(counts.first_at_ms);
                let span_s = (now_ms - since_ms).max(1_000.0) / 1_000.0;
                TopicRow {
                    topic: topic.clone(),
                    messages_per_s: messages as f64 / span_s,
                    bytes_per_s: bytes as f64 / span_s,
                    total_messages: counts.total_messages,
                    total_bytes: counts.total_bytes,
                    last_size: counts.last_size,
                    last_at_ms: counts.last_at_ms,
                    retained: counts.last_retained,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.messages_per_s
                .total_cmp(&a.messages_per_s)
                .then(b.bytes_per_s.total_cmp(&a.bytes_per_s))
                .then(b.total_messages.cmp(&a.total_messages))
                .then_with(|| a.topic.cmp(&b.topic))
        });
        rows
    }

    pub fn clear(&mut self) {
        *self = TopicStats::default();
    }
}
