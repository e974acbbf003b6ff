//! Retained messages for the embedded broker: rmqtt's core leaves them to its `rmqtt-retainer`
//! plugin and its own store answers nothing, so this puts rmqtt's in-memory store (a topic trie
//! with expiry, matched with `+` and `#`) behind its `RetainStorage` hook, with a cap on how many
//! topics it keeps so a client cannot fill the server's memory.

use std::time::Duration;

use async_trait::async_trait;
use rmqtt::Result;
use rmqtt::retain::{DefaultRetainStorage, RetainStorage};
use rmqtt::types::{Retain, TopicFilter, TopicName};

/// rmqtt's in-memory retained store, switched on, holding at most `capacity` topics.
pub(crate) struct CappedRetained {
    store: DefaultRetainStorage,
    capacity: usize,
}

impl CappedRetained {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { store: DefaultRetainStorage::new(), capacity }
    }

    /// Whether a retained message for `topic` may be kept: clearing one always may, replacing one
    /// may, a new topic only under the cap.
    async fn has_room_for(&self, topic: &TopicName, retain: &Retain) -> Result<bool> {
        let held = usize::try_from(RetainStorage::count(&self.store).await).unwrap_or(0);
        if retain.publish.payload.is_empty() || held < self.capacity {
            return Ok(true);
        }
        // A topic name has no wildcards, so as a filter it matches only itself.
        Ok(!self.store.get_message(topic).await?.is_empty())
    }
}

#[async_trait]
impl RetainStorage for CappedRetained {
    fn enable(&self) -> bool {
        true
    }

    async fn set(&self, topic: &TopicName, retain: Retain, expiry_interval: Option<Duration>) -> Result<()> {
        if !self.has_room_for(topic, &retain).await? {
            tracing::warn!(%topic, capacity = self.capacity, "MQTT retained message not kept: the store is full");
            return Ok(());
        }
        self.store.set_with_timeout(topic, retain, expiry_interval).await
    }

    async fn get(&self, topic_filter: &TopicFilter) -> Result<Vec<(TopicName, Retain)>> {
        self.store.get_message(topic_filter).await
    }

    async fn count(&self) -> isize {
        RetainStorage::count(&self.store).await
    }

    async fn max(&self) -> isize {
        RetainStorage::max(&self.store).await
    }
}
