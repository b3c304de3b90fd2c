//! The WebSocket route over a real socket: hello, the venue's messages only,
//! and a refused token.

use std::sync::Arc;

use api::{AppState, AuthConfig, RealtimeHub, app, issue_token};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::EventType;
use domain::ports::*;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// A port double knowing one venue and nothing else.
struct OneVenue;

#[async_trait]
impl AnalyticsReader for OneVenue {
    async fn rollups(
        &self,
        _: &str,
        _: Option<&str>,
        _: domain::Granularity,
        _: i64,
        _: i64,
    ) -> StoreResult<Vec<RollupRow>> {
        Ok(vec![])
    }
    async fn venue(&self, venue: &str) -> StoreResult<Option<VenueRecord>> {
        Ok((venue == "v1").then(|| VenueRecord {
            venue_id: "v1".into(),
            name: None,
            timezone: None,
            capacity: None,
            currency: None,
            shows: vec![],
        }))
    }
    async fn venues(&self) -> StoreResult<Vec<VenueRecord>> {
        Ok(vec![])
    }
    async fn flows(&self, _: DateTime<Utc>) -> StoreResult<Vec<FlowRecord>> {
        Ok(vec![])
    }
    async fn customers(&self, _: &str) -> StoreResult<Vec<CustomerRow>> {
        Ok(vec![])
    }
    async fn customer(&self, _: &str, _: &str) -> StoreResult<Option<CustomerRow>> {
        Ok(None)
    }
    async fn erase_customer(&self, _: &str, _: &str) -> StoreResult<bool> {
        Ok(false)
    }
    async fn put_customer_insight(&self, _: &str, _: &str, _: Value) -> StoreResult<()> {
        Ok(())
    }
}

struct Nothing;

#[async_trait]
impl DocumentStore for Nothing {
    async fn put(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &Value,
        _: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        Ok(())
    }
    async fn get(&self, _: &str, _: &str, _: &str) -> StoreResult<Option<Value>> {
        Ok(None)
    }
    async fn list(&self, _: &str, _: &str) -> StoreResult<Vec<Value>> {
        Ok(vec![])
    }
    async fn delete(&self, _: &str, _: &str, _: &str) -> StoreResult<bool> {
        Ok(false)
    }
}

#[async_trait]
impl ObjectStore for Nothing {
    async fn put_object(&self, _: &str, _: Vec<u8>, _: &str, _: Option<&str>) -> StoreResult<()> {
        Ok(())
    }
    async fn get_object(&self, _: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(None)
    }
    async fn list_keys(&self, _: &str) -> StoreResult<Vec<String>> {
        Ok(vec![])
    }
    async fn presigned_get(&self, key: &str, _: u64) -> StoreResult<String> {
        Ok(key.into())
    }
}

#[async_trait]
impl QueueStats for Nothing {
    async fn dlq_depth(&self, _: EventType) -> StoreResult<Option<i64>> {
        Ok(None)
    }
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

#[tokio::test]
async fn the_socket_forwards_its_venues_messages() {
    let hub = RealtimeHub::default();
    let auth = AuthConfig::new("ws-secret");
    let state = AppState::new(
        Arc::new(OneVenue),
        Arc::new(Nothing),
        Arc::new(Nothing),
        Arc::new(Nothing),
        hub.clone(),
        auth.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });

    let token = issue_token(&auth, "alice", &["v1".into()], false, Duration::minutes(5));
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/realtime/v1/ws?token={token}"))
            .await
            .unwrap();
    assert_eq!(
        next_json(&mut ws).await,
        json!({"type": "hello", "venueId": "v1"})
    );

    hub.publish("v2", json!({"type": "delta", "venueId": "v2"}));
    hub.publish(
        "v1",
        json!({"type": "delta", "venueId": "v1", "counters": {"ticketsSold": 1}}),
    );
    let got = next_json(&mut ws).await;
    assert_eq!(
        got["venueId"], "v1",
        "the other venue's message is not forwarded"
    );
    assert_eq!(got["counters"]["ticketsSold"], 1);

    let wrong = issue_token(
        &AuthConfig::new("other"),
        "eve",
        &["v1".into()],
        false,
        Duration::minutes(5),
    );
    let err =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/realtime/v1/ws?token={wrong}"))
            .await
            .unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => assert_eq!(res.status(), 401),
        other => panic!("expected an HTTP 401, got {other:?}"),
    }
    let outsider = issue_token(&auth, "bob", &["v2".into()], false, Duration::minutes(5));
    let err = tokio_tungstenite::connect_async(format!(
        "ws://{addr}/api/realtime/v1/ws?token={outsider}"
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(err, tokio_tungstenite::tungstenite::Error::Http(ref res) if res.status() == 403),
        "{err:?}"
    );
    server.abort();
}
