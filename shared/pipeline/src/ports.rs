//! The ports the ingest pipeline writes through.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::aggregate::{ChunkPlan, VenueContexts};
use domain::ports::StoreResult;
use domain::{Event, EventType, RejectReason};
use serde::{Deserialize, Serialize};

/// What the store needs besides the plan to commit a chunk.
#[derive(Debug, Clone)]
pub struct CommitContext {
    pub now: DateTime<Utc>,
    /// Which shard of hot rollup items this chunk adds to (summed on read).
    pub shard: u8,
}

/// The result of committing one chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Every write of the chunk landed, atomically.
    Committed,
    /// Nothing landed: some events were already committed (their dedupe
    /// markers exist) or some sessions were already counted, or the chunk
    /// needs markers the plan did not count. Re-plan with what it taught.
    Conflicts {
        /// Batch indexes of events whose markers exist.
        duplicates: Vec<usize>,
        /// Sessions already counted.
        known_sessions: Vec<domain::aggregate::CountedSession>,
        /// Batch indexes of venue updates older than the stored metadata.
        stale_updates: Vec<usize>,
        /// Guards whose events need markers (marker mode).
        marker_guards: Vec<domain::guard::OwnedGuard>,
    },
}

/// What storage already holds of a batch; see [`IngestStore::known`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// Batch indexes of events already counted (their marker, or their token in their guard, exists).
    pub events: Vec<usize>,
    /// Sessions already counted.
    pub sessions: Vec<domain::aggregate::CountedSession>,
    /// Guards (customers, dedupe buckets) whose events take markers.
    pub marker_guards: Vec<domain::guard::OwnedGuard>,
}

/// Atomic, idempotent writes of pre-aggregated chunks.
#[async_trait]
pub trait IngestStore: Send + Sync {
    /// Time zones and show start times of the given venues.
    async fn venue_contexts(&self, venues: &[String]) -> StoreResult<VenueContexts>;
    /// Commits the plan's markers, counters, customers, flows and venue data
    /// in one transaction. `StoreError::Conflict`: nothing landed because
    /// another transaction held one of its items; the pipeline retries it
    /// after a short, jittered pause.
    async fn commit(
        &self,
        events: &[Event<'_>],
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
    ) -> StoreResult<CommitOutcome>;
    /// What storage already holds of a batch: events already counted (their
    /// marker or their token exists; batch indexes), sessions already
    /// counted, and guards whose events take markers. Only an
    /// optimisation — the transaction's conditions still decide, and a chunk
    /// that needs markers the plan did not count comes back as a conflict —
    /// so that a redelivery or a session seen in an earlier batch does not
    /// cancel a whole chunk (a cancelled transaction is paid for and re-sent).
    /// The default knows nothing.
    async fn known(&self, _events: &[Event<'_>], _plans: &[ChunkPlan<'_>]) -> StoreResult<Known> {
        Ok(Known::default())
    }

    /// Counts quarantined messages in flow health, exactly once per distinct message body.
    async fn record_rejections(
        &self,
        rejections: &[QuarantineRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// A rejected message as stored in the quarantine bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineRecord {
    /// The queue (event type) it arrived on.
    pub queue: EventType,
    pub reason: QuarantineReason,
    pub detail: String,
    pub message_id: String,
    /// CloudEvents `source`, when the envelope was readable.
    pub source: Option<String>,
    pub event_id: Option<String>,
    pub received_at: DateTime<Utc>,
    /// SHA-256 of the body: the quarantine object's name and the rejection's dedupe key.
    pub body_sha256: String,
    pub body: String,
}

/// Why a message was quarantined: a validation rejection, or a sink's refusal.
/// Serialized as its snake_case code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarantineReason {
    Invalid(RejectReason),
    TimestreamRejected,
    /// The store refused the event's writes for good (a permanent error that
    /// bisecting its chunk pinned on this event alone).
    StoreRejected,
}

impl Serialize for QuarantineReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for QuarantineReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        match code.as_str() {
            "timestream_rejected" => return Ok(QuarantineReason::TimestreamRejected),
            "store_rejected" => return Ok(QuarantineReason::StoreRejected),
            _ => {}
        }
        serde_json::from_value(serde_json::Value::String(code))
            .map(QuarantineReason::Invalid)
            .map_err(serde::de::Error::custom)
    }
}

impl QuarantineReason {
    pub fn code(self) -> &'static str {
        match self {
            QuarantineReason::Invalid(r) => r.code(),
            QuarantineReason::TimestreamRejected => "timestream_rejected",
            QuarantineReason::StoreRejected => "store_rejected",
        }
    }
}

/// Where rejected messages go: never lost, never counted.
#[async_trait]
pub trait Quarantine: Send + Sync {
    /// Stores the record; returns the object key. Idempotent per body.
    async fn quarantine(&self, record: &QuarantineRecord) -> StoreResult<String>;
}

/// A record a measure sink refused for good (not retryable).
#[derive(Debug, Clone, PartialEq)]
pub struct SinkRejection {
    /// Index of the event in the slice given to `write`.
    pub index: usize,
    pub reason: String,
}

/// Optional sink of raw measures (Timestream). Writes must be idempotent:
/// redelivered events are written again.
#[async_trait]
pub trait MeasureSink: Send + Sync {
    async fn write(&self, events: &[&Event<'_>]) -> StoreResult<Vec<SinkRejection>>;
}
