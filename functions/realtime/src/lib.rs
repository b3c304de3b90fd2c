//! The connection registry behind the API Gateway WebSocket API.
//!
//! - `$connect?venue={venueId}&token={JWT}`: the token must verify with the
//!   API's [`AuthConfig`] (on AWS: an RS256/ES256 token of the configured
//!   issuer, checked against its published keys) and grant the venue; the connection is then stored in
//!   the app table as a venue-scoped document of kind
//!   [`CONNECTION_KIND`] (`{connectionId, venueId, sub, connectedAt}`, the
//!   partition ingest's `PostToConnection` push lists), plus an index document
//!   of kind [`CONNECTION_INDEX_KIND`] keyed by the connection id alone, because
//!   `$disconnect` knows nothing else. Both expire after [`CONNECTION_TTL_HOURS`].
//! - `$disconnect`: removes both documents.
//! - `$default`: answers `{"type":"pong"}` and extends the TTL of a live
//!   connection (dashboards ping every few minutes).
//!
//! A refused `$connect` answers 400/401/403, which API Gateway turns into a
//! failed WebSocket handshake with that status.

use std::sync::Arc;

use api::auth::{AuthConfig, Claims};
use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderValue, header};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use domain::ports::{DocumentStore, StoreError};
use serde_json::{Value, json};

pub use storage::websocket::{CONNECTION_INDEX_KIND, CONNECTION_KIND};

/// How long a connection document lives without a ping. API Gateway closes a
/// WebSocket after 2 h anyway, so nothing outlives its connection for long.
pub const CONNECTION_TTL_HOURS: i64 = 2;

/// The time source; tests pin it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Handles the three routes of the WebSocket API.
pub struct Connections {
    auth: AuthConfig,
    docs: Arc<dyn DocumentStore>,
    clock: Clock,
}

/// Why a request was refused, mapped to an HTTP status.
#[derive(Debug)]
enum Refusal {
    BadRequest(String),
    Unauthorized(String),
    Forbidden(String),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

impl Refusal {
    fn response(self) -> ApiGatewayProxyResponse {
        let (status, code, message) = match self {
            Refusal::BadRequest(m) => (400, "bad_request", m),
            Refusal::Unauthorized(m) => (401, "unauthorized", m),
            Refusal::Forbidden(m) => (403, "forbidden", m),
            Refusal::Store(e) => {
                tracing::error!(error = %e, "connection store failed");
                (500, "internal", "the connection store failed".to_owned())
            }
        };
        json_response(
            status,
            &json!({"error": {"code": code, "message": message}}),
        )
    }
}

fn json_response(status: i64, body: &Value) -> ApiGatewayProxyResponse {
    let mut res = ApiGatewayProxyResponse::default();
    res.status_code = status;
    res.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.body = Some(Body::Text(body.to_string()));
    res
}

impl Connections {
    pub fn new(auth: AuthConfig, docs: Arc<dyn DocumentStore>) -> Self {
        Connections {
            auth,
            docs,
            clock: Arc::new(Utc::now),
        }
    }

    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Dispatches on the route key; never fails (errors become status codes).
    pub async fn handle(&self, req: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
        let ctx = &req.request_context;
        let route = ctx.route_key.as_deref().unwrap_or("$default");
        let Some(connection) = ctx.connection_id.as_deref().filter(|c| !c.is_empty()) else {
            return Refusal::BadRequest("the request has no connection id".into()).response();
        };
        let result = match route {
            "$connect" => self.connect(req, connection).await,
            "$disconnect" => self.disconnect(connection).await,
            _ => self.ping(connection).await,
        };
        match result {
            Ok(body) => json_response(200, &body),
            Err(refusal) => {
                tracing::info!(route, connection, ?refusal, "websocket request refused");
                refusal.response()
            }
        }
    }

    async fn connect(
        &self,
        req: &ApiGatewayWebsocketProxyRequest,
        connection: &str,
    ) -> Result<Value, Refusal> {
        let query = &req.query_string_parameters;
        let venue = query
            .first("venue")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Refusal::BadRequest("missing ?venue=<venueId>".into()))?;
        let token = query
            .first("token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Refusal::Unauthorized("missing token: pass ?token=<JWT>".into()))?;
        let claims: Claims = self
            .auth
            .verify_bearer(token)
            .await
            .map_err(|e| Refusal::Unauthorized(e.to_string()))?;
        if !claims.can_access(venue) {
            return Err(Refusal::Forbidden(format!(
                "the token does not grant access to venue {venue:?}"
            )));
        }
        let now = (self.clock)();
        let doc = json!({
            "connectionId": connection,
            "venueId": venue,
            "sub": claims.sub,
            "connectedAt": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        });
        self.store(connection, venue, &doc, now).await?;
        tracing::info!(connection, venue, sub = %claims.sub, "websocket connected");
        Ok(json!({"type": "connected", "venueId": venue}))
    }

    /// Writes the venue-scoped document first: a crash in between leaves a
    /// connection that push can reach and TTL removes, never a dangling index.
    async fn store(
        &self,
        connection: &str,
        venue: &str,
        doc: &Value,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        let expires = now + Duration::hours(CONNECTION_TTL_HOURS);
        self.docs
            .put(CONNECTION_KIND, venue, connection, doc, Some(expires))
            .await?;
        self.docs
            .put(
                CONNECTION_INDEX_KIND,
                connection,
                connection,
                &json!({"connectionId": connection, "venueId": venue}),
                Some(expires),
            )
            .await?;
        Ok(())
    }

    async fn venue_of(&self, connection: &str) -> Result<Option<String>, Refusal> {
        Ok(self
            .docs
            .get(CONNECTION_INDEX_KIND, connection, connection)
            .await?
            .and_then(|d| d.get("venueId").and_then(Value::as_str).map(str::to_owned)))
    }

    async fn disconnect(&self, connection: &str) -> Result<Value, Refusal> {
        let venue = self.venue_of(connection).await?;
        if let Some(venue) = &venue {
            self.docs.delete(CONNECTION_KIND, venue, connection).await?;
        }
        self.docs
            .delete(CONNECTION_INDEX_KIND, connection, connection)
            .await?;
        tracing::info!(connection, venue, "websocket disconnected");
        Ok(json!({"type": "disconnected"}))
    }

    async fn ping(&self, connection: &str) -> Result<Value, Refusal> {
        if let Some(venue) = self.venue_of(connection).await?
            && let Some(doc) = self.docs.get(CONNECTION_KIND, &venue, connection).await?
        {
            self.store(connection, &venue, &doc, (self.clock)()).await?;
        }
        Ok(json!({"type": "pong"}))
    }
}
