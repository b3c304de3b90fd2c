//! In-process fan-out of realtime messages to connected dashboards.
//!
//! The local runner hands the same hub to the ingest pipeline (as its
//! [`RealtimePush`]) and to the API, whose WebSocket route forwards each
//! venue's messages to that venue's sockets.

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{RealtimePush, StoreResult};
use tokio::sync::broadcast;

/// One message for the dashboards of one venue.
#[derive(Debug, Clone, PartialEq)]
pub struct HubMessage {
    pub venue: String,
    pub message: serde_json::Value,
}

/// A broadcast channel of [`HubMessage`]s; cheap to clone.
#[derive(Debug, Clone)]
pub struct RealtimeHub {
    tx: broadcast::Sender<Arc<HubMessage>>,
}

impl Default for RealtimeHub {
    fn default() -> Self {
        RealtimeHub::new(1024)
    }
}

impl RealtimeHub {
    /// `capacity` messages are buffered per subscriber; a slower socket skips
    /// (and is told how many it missed).
    pub fn new(capacity: usize) -> Self {
        RealtimeHub {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }

    /// Sends a message to every subscriber; returns how many there were.
    pub fn publish(&self, venue: &str, message: serde_json::Value) -> usize {
        self.tx
            .send(Arc::new(HubMessage {
                venue: venue.to_owned(),
                message,
            }))
            .unwrap_or(0)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<HubMessage>> {
        self.tx.subscribe()
    }

    pub fn subscriber_count(&self) -> usize {
        self.tx.receiver_count()
    }
}

#[async_trait]
impl RealtimePush for RealtimeHub {
    /// Never fails: with nobody connected the message is simply dropped.
    async fn push(&self, venue: &str, message: &serde_json::Value) -> StoreResult<()> {
        self.publish(venue, message.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_receive_pushed_messages() {
        let hub = RealtimeHub::new(8);
        assert_eq!(hub.publish("v1", serde_json::json!({"n": 0})), 0);
        let mut rx = hub.subscribe();
        hub.push("v1", &serde_json::json!({"n": 1})).await.unwrap();
        let got = rx.recv().await.unwrap();
        assert_eq!(got.venue, "v1");
        assert_eq!(got.message["n"], 1);
    }
}
