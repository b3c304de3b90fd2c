//! Realtime push on AWS: connections live in the app table (kind `ws`,
//! per venue, with TTL); `PostToConnection` sends, and a 410 Gone removes
//! the stale connection and its index.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use domain::ports::{DocumentStore, RealtimePush, StoreResult};

/// Connection documents, per venue: `{connectionId, venueId, sub, connectedAt}`.
pub const CONNECTION_KIND: &str = "ws";
/// Index documents: `ws-conn#{connectionId}` → the connection's venue.
pub const CONNECTION_INDEX_KIND: &str = "ws-conn";

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
    async fn push(&self, venue: &str, message: &serde_json::Value) -> StoreResult<()> {
        let body = message.to_string();
        for conn in self.docs.list(CONNECTION_KIND, venue).await? {
            let Some(id) = conn.get("connectionId").and_then(|v| v.as_str()) else {
                continue;
            };
            let res = self
                .client
                .post_to_connection()
                .connection_id(id)
                .data(Blob::new(body.clone()))
                .send()
                .await;
            if let Err(e) = res {
                if e.as_service_error().is_some_and(aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError::is_gone_exception) {
                    self.docs.delete(CONNECTION_KIND, venue, id).await?;
                    self.docs.delete(CONNECTION_INDEX_KIND, id, id).await?;
                } else {
                    tracing::debug!(error = %aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&e), id, "post_to_connection failed");
                }
            }
        }
        Ok(())
    }
}
