//! Ports: the small storage traits the handlers depend on. The AWS SDK
//! adapters in the `storage` crate implement them; handlers never see AWS.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::EventType;
use crate::rollup::{Dimension, Granularity, Metric};

/// A storage failure, classified once: transient ones are retried (and end
/// in the DLQ), permanent ones are bugs or misconfiguration.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("transient storage error: {0}")]
    Transient(String),
    #[error("storage error: {0}")]
    Permanent(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One rollup bucket read back, shards summed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RollupRow {
    /// Bucket start, Unix seconds.
    pub bucket: i64,
    pub base: BTreeMap<Metric, i64>,
    pub breakdowns: Vec<(Metric, Dimension, String, i64)>,
    pub currency: Option<String>,
}

impl RollupRow {
    pub fn get(&self, m: Metric) -> i64 {
        self.base.get(&m).copied().unwrap_or(0)
    }
}

impl serde::Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Metric {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowRecord {
    pub event_id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: Option<u32>,
    pub on_sale_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VenueRecord {
    pub venue_id: String,
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub capacity: Option<u32>,
    pub currency: Option<String>,
    pub shows: Vec<ShowRecord>,
}

/// Running totals of one customer at one venue, as ingest keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRow {
    pub venue_id: String,
    pub customer_id: String,
    /// Spend in `currency` (the customer's largest).
    pub spend: i64,
    /// Spend per ISO 4217 code, every currency the customer paid in.
    #[serde(default)]
    pub spend_by_currency: BTreeMap<String, i64>,
    /// Orders and tickets, in every currency.
    pub orders: i64,
    pub tickets: i64,
    pub currency: Option<String>,
    pub first_purchase_at: Option<DateTime<Utc>>,
    pub last_purchase_at: Option<DateTime<Utc>>,
    pub weekday: [u32; 7],
    pub hour: [u32; 24],
    pub lead_hours_sum: f64,
    pub lead_count: u32,
    pub tiers: BTreeMap<String, i64>,
    /// Derived fields written by the nightly insights job (JSON), if any.
    pub insight: Option<serde_json::Value>,
}

/// One page of a venue's customers, by customer id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRow>,
    /// The last id of this page when more may follow (pass it as `after`).
    pub next: Option<String>,
}

/// Flow health of one (type, source) as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowRecord {
    pub event_type: EventType,
    pub source: String,
    pub last_event_at: Option<DateTime<Utc>>,
    pub total: i64,
    pub rejected: i64,
    pub events_last_hour: i64,
}

/// Reads of the rollups and reference data (what the API and reports need).
#[async_trait]
pub trait AnalyticsReader: Send + Sync {
    /// Rollup rows of a scope (venue, or venue + show) with `from <= bucket < to`, ascending.
    /// One paginated query.
    async fn rollups(
        &self,
        venue: &str,
        show: Option<&str>,
        granularity: Granularity,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<RollupRow>>;
    async fn venue(&self, venue: &str) -> StoreResult<Option<VenueRecord>>;
    async fn venues(&self) -> StoreResult<Vec<VenueRecord>>;
    async fn flows(&self, now: DateTime<Utc>) -> StoreResult<Vec<FlowRecord>>;
    /// Every customer of a venue: for jobs (nightly insights, reports), never a request.
    async fn customers(&self, venue: &str) -> StoreResult<Vec<CustomerRow>>;
    /// At most `limit` customers of a venue with ids after `after`, by id, and
    /// the id to continue after when more may follow: a request's read,
    /// bounded by `limit` whatever the venue's history.
    async fn customers_page(
        &self,
        venue: &str,
        limit: usize,
        after: Option<&str>,
    ) -> StoreResult<CustomerPage> {
        let mut rows = self.customers(venue).await?;
        rows.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        rows.retain(|r| after.is_none_or(|a| r.customer_id.as_str() > a));
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = more
            .then(|| rows.last().map(|r| r.customer_id.clone()))
            .flatten();
        Ok(CustomerPage { rows, next })
    }
    async fn customer(&self, venue: &str, customer: &str) -> StoreResult<Option<CustomerRow>>;
    /// Erases a customer's personal metrics at a venue (aggregates stay, and
    /// the dedupe state of its purchases). Returns whether it existed.
    async fn erase_customer(&self, venue: &str, customer: &str) -> StoreResult<bool>;
    /// Stores derived insight fields on a customer row.
    async fn put_customer_insight(
        &self,
        venue: &str,
        customer: &str,
        insight: serde_json::Value,
    ) -> StoreResult<()>;
}

/// JSON documents per venue: widgets, report definitions and runs, alert rules
/// and states, export jobs, audit records. `kind` is a short collection name.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    async fn put(
        &self,
        kind: &str,
        venue: &str,
        id: &str,
        doc: &serde_json::Value,
        ttl: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;
    async fn get(
        &self,
        kind: &str,
        venue: &str,
        id: &str,
    ) -> StoreResult<Option<serde_json::Value>>;
    /// All documents of a kind for a venue, ordered by id.
    async fn list(&self, kind: &str, venue: &str) -> StoreResult<Vec<serde_json::Value>>;
    /// Returns whether it existed.
    async fn delete(&self, kind: &str, venue: &str, id: &str) -> StoreResult<bool>;
}

/// Binary objects (reports, exports): put and presigned download.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    async fn put_object(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        content_disposition: Option<&str>,
    ) -> StoreResult<()>;
    async fn get_object(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;
    async fn list_keys(&self, prefix: &str) -> StoreResult<Vec<String>>;
    async fn presigned_get(&self, key: &str, expires_in_secs: u64) -> StoreResult<String>;
}

/// Outgoing email (report delivery). One message per call, to one recipient,
/// as a complete MIME message; the sender is the adapter's configured one.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// The address messages are sent from.
    fn sender(&self) -> &str;
    /// Sends `raw` (RFC 5322) to `to`; returns the provider's message id.
    async fn send_raw(&self, to: &str, raw: Vec<u8>) -> StoreResult<String>;
}

/// Depth of each type's dead-letter queue (`None` when unknown).
#[async_trait]
pub trait QueueStats: Send + Sync {
    async fn dlq_depth(&self, event_type: EventType) -> StoreResult<Option<i64>>;
}

/// A delta pushed to connected dashboards after a chunk is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RealtimeDelta {
    pub venue_id: String,
    pub event_id: Option<String>,
    pub at: DateTime<Utc>,
    /// Metric name → increment.
    pub counters: BTreeMap<String, i64>,
}

/// Pushes messages to the dashboards connected for a venue.
#[async_trait]
pub trait RealtimePush: Send + Sync {
    async fn push(&self, venue: &str, message: &serde_json::Value) -> StoreResult<()>;
}
