//! Realtime push on AWS: connections live in the app table (kind `ws`,
//! per venue, with TTL); `PostToConnection` sends, and a 410 Gone removes
//! the stale connection and its index.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use domain::ports::{DocumentStore, RealtimePush, StoreResult};
use futures::stream::{self, StreamExt};

/// Connection documents, per venue: `{connectionId, venueId, sub, connectedAt}`.
pub const CONNECTION_KIND: &str = "ws";
/// Index documents: `ws-conn#{connectionId}` → the connection's venue.
pub const CONNECTION_INDEX_KIND: &str = "ws-conn";

/// `PostToConnection` calls in flight at once per venue.
const PUSH_CONCURRENCY: usize = 32;

pub struct ApiGatewayPush {
    client: aws_sdk_apigatewaymanagement::Client,
    docs: Arc<dyn DocumentStore>,
}

impl ApiGatewayPush {
    /// `endpoint` is the WebSocket API's `https://{id}.execute-api.{region}.amazonaws.com/{stage}`.
    pub fn new(
        sdk_config: &aws_config::SdkConfig,
        endpoint: &str,
        docs: Arc<dyn DocumentStore>,
    ) -> Self {
        let conf = aws_sdk_apigatewaymanagement::config::Builder::from(sdk_config)
            .endpoint_url(endpoint)
            .build();
        ApiGatewayPush {
            client: aws_sdk_apigatewaymanagement::Client::from_conf(conf),
            docs,
        }
    }
}

#[async_trait]
impl RealtimePush for ApiGatewayPush {
    /// Every connection of the venue at once (up to [`PUSH_CONCURRENCY`] in flight).
    async fn push(&self, venue: &str, message: &serde_json::Value) -> StoreResult<()> {
        let body = message.to_string();
        let connections = self.docs.list(CONNECTION_KIND, venue).await?;
        let ids: Vec<String> = connections
            .iter()
            .filter_map(|c| c.get("connectionId").and_then(|v| v.as_str()))
            .map(str::to_owned)
            .collect();
        let gone: Vec<String> = stream::iter(ids)
            .map(|id| {
                let body = body.clone();
                async move {
                    let res = self
                        .client
                        .post_to_connection()
                        .connection_id(&id)
                        .data(Blob::new(body))
                        .send()
                        .await;
                    match res {
                        Err(e) if e.as_service_error().is_some_and(PostToConnectionError::is_gone_exception) => Some(id),
                        Err(e) => {
                            tracing::debug!(error = %aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&e), id, "post_to_connection failed");
                            None
                        }
                        Ok(_) => None,
                    }
                }
            })
            .buffer_unordered(PUSH_CONCURRENCY)
            .filter_map(std::future::ready)
            .collect()
            .await;
        for id in &gone {
            self.docs.delete(CONNECTION_KIND, venue, id).await?;
            self.docs.delete(CONNECTION_INDEX_KIND, id, id).await?;
        }
        Ok(())
    }
}
