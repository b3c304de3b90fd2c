//! What every handler shares: the ports, the realtime hub, auth settings and a clock.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::ports::{AnalyticsReader, DocumentStore, ObjectStore, QueueStats};

use crate::auth::AuthConfig;
use crate::hub::RealtimeHub;
use crate::sign_in::SignIn;

/// The time source; tests pin it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A flow with no event for this long is reported `silent`.
pub const DEFAULT_SILENT_AFTER_MINUTES: i64 = 15;

#[derive(Clone)]
pub struct AppState {
    pub reader: Arc<dyn AnalyticsReader>,
    pub docs: Arc<dyn DocumentStore>,
    pub objects: Arc<dyn ObjectStore>,
    pub queues: Arc<dyn QueueStats>,
    pub hub: RealtimeHub,
    pub auth: Arc<AuthConfig>,
    pub silent_after: Duration,
    pub clock: Clock,
    /// Where browsers open live updates when they are not served by this
    /// process (the API Gateway WebSocket API on AWS); `None`: `/api/realtime/{venueId}/ws`.
    pub websocket_url: Option<String>,
    /// How the page signs people in (`GET /api/sign-in`).
    pub sign_in: SignIn,
    /// Venues with at most this many customers are summarised per request;
    /// larger ones read the nightly customer-base document.
    pub live_fit_max: usize,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("auth", &self.auth)
            .field("silent_after", &self.silent_after)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State with the default silent window and the system clock.
    pub fn new(
        reader: Arc<dyn AnalyticsReader>,
        docs: Arc<dyn DocumentStore>,
        objects: Arc<dyn ObjectStore>,
        queues: Arc<dyn QueueStats>,
        hub: RealtimeHub,
        auth: AuthConfig,
    ) -> Self {
        AppState {
            reader,
            docs,
            objects,
            queues,
            hub,
            auth: Arc::new(auth),
            silent_after: Duration::minutes(DEFAULT_SILENT_AFTER_MINUTES),
            clock: Arc::new(Utc::now),
            websocket_url: None,
            sign_in: SignIn::Token,
            live_fit_max: jobs::customer_base::LIVE_FIT_MAX,
        }
    }

    #[must_use]
    pub fn with_live_fit_max(mut self, live_fit_max: usize) -> Self {
        self.live_fit_max = live_fit_max;
        self
    }

    #[must_use]
    pub fn with_silent_after(mut self, silent_after: Duration) -> Self {
        self.silent_after = silent_after;
        self
    }

    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    #[must_use]
    pub fn with_websocket_url(mut self, url: Option<String>) -> Self {
        self.websocket_url = url;
        self
    }

    #[must_use]
    pub fn with_sign_in(mut self, sign_in: SignIn) -> Self {
        self.sign_in = sign_in;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// `ANALYTICS_SILENT_AFTER_MINUTES` (a positive integer), default
/// [`DEFAULT_SILENT_AFTER_MINUTES`].
pub fn silent_after_from_env() -> Duration {
    let minutes = std::env::var("ANALYTICS_SILENT_AFTER_MINUTES")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|m| *m > 0)
        .unwrap_or(DEFAULT_SILENT_AFTER_MINUTES);
    Duration::minutes(minutes)
}

/// The browsers' WebSocket URL from `WEBSOCKET_ENDPOINT` (the management
/// endpoint the template gives every function: the same host and stage over
/// `https://`), as `wss://…`.
pub fn websocket_url_from_env() -> Option<String> {
    let endpoint = std::env::var("WEBSOCKET_ENDPOINT").ok()?;
    websocket_url(&endpoint)
}

fn websocket_url(endpoint: &str) -> Option<String> {
    let endpoint = endpoint.trim().trim_end_matches('/');
    if let Some(rest) = endpoint.strip_prefix("https://") {
        Some(format!("wss://{rest}"))
    } else {
        endpoint
            .strip_prefix("http://")
            .map(|rest| format!("ws://{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::websocket_url;

    #[test]
    fn websocket_url_follows_the_management_endpoint() {
        assert_eq!(
            websocket_url("https://abc.execute-api.eu-west-1.amazonaws.com/prod/").as_deref(),
            Some("wss://abc.execute-api.eu-west-1.amazonaws.com/prod")
        );
        assert_eq!(
            websocket_url("http://127.0.0.1:4510/local").as_deref(),
            Some("ws://127.0.0.1:4510/local")
        );
        assert_eq!(websocket_url(""), None);
        assert_eq!(websocket_url("ftp://x"), None);
    }
}
