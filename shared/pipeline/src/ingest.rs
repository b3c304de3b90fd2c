//! The shared ingest handler: decode → validate → dedupe → pre-aggregate → write.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::aggregate::{
    ChunkPlan, Learned, MAX_TRANSACTION_ACTIONS, VenueContext, VenueContexts, plan_chunks,
};
use domain::event::EventData;
use domain::ports::{RealtimePush, StoreError};
use domain::{Event, EventType, Granularity, Metric};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::ports::{
    CommitContext, CommitOutcome, IngestStore, MeasureSink, Quarantine, QuarantineReason,
    QuarantineRecord,
};

/// Longest a batch waits for its realtime pushes (sent beside the measure
/// sink's write); dashboards poll as a fallback for what is cut off.
pub const PUSH_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);

/// One SQS message, as the pipeline sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub body: String,
}

/// What happened to a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Message ids to report as `batchItemFailures` (transient failures: retried, then DLQ).
    pub failed: Vec<String>,
    pub committed: usize,
    /// Already counted (redelivered or re-published): acknowledged, no effect.
    pub duplicates: usize,
    pub quarantined: usize,
    pub transactions: usize,
    /// Chunks committed again after a `TransactionConflict` (another Lambda
    /// held one of their items).
    pub conflict_retries: usize,
}

#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Actions per transaction (≤ 100).
    pub transaction_budget: usize,
    /// Shards of hot rollup items.
    pub shards: u8,
    /// How long venue time zones are cached.
    pub venue_cache_ttl: Duration,
    /// How long a venue without a known zone is cached: short, so events
    /// soon after its first `venue-update` get local days.
    pub unknown_venue_ttl: Duration,
    /// Retries of a chunk whose transaction met another on one of its items,
    /// before its messages go back to the queue (and wait out the
    /// visibility timeout).
    pub conflict_retries: u32,
    /// First pause before such a retry; doubled each time, plus up to as
    /// much jitter, so two Lambdas that met do not meet again.
    pub conflict_backoff: Duration,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            transaction_budget: MAX_TRANSACTION_ACTIONS,
            shards: 4,
            venue_cache_ttl: Duration::from_secs(300),
            unknown_venue_ttl: Duration::from_secs(5),
            conflict_retries: 3,
            conflict_backoff: Duration::from_millis(20),
        }
    }
}

/// The ingest handler of one queue. Cheap to share; one per Lambda instance.
pub struct Pipeline {
    event_type: EventType,
    store: Arc<dyn IngestStore>,
    quarantine: Arc<dyn Quarantine>,
    sink: Option<Arc<dyn MeasureSink>>,
    push: Option<Arc<dyn RealtimePush>>,
    config: PipelineConfig,
    clock: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    venue_cache: Mutex<FxHashMap<String, (VenueContext, Instant)>>,
}

impl Pipeline {
    pub fn new(
        event_type: EventType,
        store: Arc<dyn IngestStore>,
        quarantine: Arc<dyn Quarantine>,
    ) -> Self {
        Pipeline {
            event_type,
            store,
            quarantine,
            sink: None,
            push: None,
            config: PipelineConfig::default(),
            clock: Arc::new(Utc::now),
            venue_cache: Mutex::new(FxHashMap::default()),
        }
    }

    #[must_use]
    pub fn with_sink(mut self, sink: Option<Arc<dyn MeasureSink>>) -> Self {
        self.sink = sink;
        self
    }

    #[must_use]
    pub fn with_push(mut self, push: Option<Arc<dyn RealtimePush>>) -> Self {
        self.push = push;
        self
    }

    #[must_use]
    pub fn with_config(mut self, config: PipelineConfig) -> Self {
        self.config = config;
        self
    }

    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>) -> Self {
        self.clock = clock;
        self
    }

    pub fn event_type(&self) -> EventType {
        self.event_type
    }

    /// Processes one batch. Never fails as a whole: transient failures are
    /// reported per message so SQS retries only those.
    #[tracing::instrument(skip_all, fields(queue = %self.event_type, messages = messages.len()))]
    pub async fn handle(&self, messages: &[Message]) -> BatchOutcome {
        let now = (self.clock)();
        let mut outcome = BatchOutcome::default();
        let mut events: Vec<Event<'_>> = Vec::with_capacity(messages.len());
        let mut owners: Vec<usize> = Vec::with_capacity(messages.len());
        let mut rejected = Vec::new();
        let mut seen = HashSet::new();
        for (i, m) in messages.iter().enumerate() {
            match domain::decode(self.event_type, &m.body, now) {
                Ok(e) => {
                    if seen.insert((e.source.clone(), e.id.clone())) {
                        events.push(e);
                        owners.push(i);
                    } else {
                        outcome.duplicates += 1;
                    }
                }
                Err(r) => rejected.push(self.quarantine_record(
                    m,
                    QuarantineReason::Invalid(r.reason),
                    r.detail,
                    now,
                )),
            }
        }
        self.quarantine_all(&rejected, messages, now, &mut outcome)
            .await;

        let contexts = match self.contexts(&events).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "venue lookup failed; retrying the batch's valid messages");
                outcome
                    .failed
                    .extend(owners.iter().map(|&i| messages[i].id.clone()));
                return outcome;
            }
        };

        let mut sink_events: Vec<usize> = Vec::new();
        let mut failed_events: Vec<usize> = Vec::new();
        let mut deltas: BTreeMap<(String, Option<String>), BTreeMap<String, i64>> = BTreeMap::new();
        let mut learned = Learned::default();
        let mut plans = plan_chunks(
            &events,
            0..events.len(),
            &contexts,
            &learned,
            self.config.transaction_budget,
        );
        match self.store.known(&events, &plans).await {
            Ok(known)
                if !known.events.is_empty()
                    || !known.sessions.is_empty()
                    || !known.marker_guards.is_empty() =>
            {
                outcome.duplicates += known.events.len();
                learned.marker_guards.extend(known.marker_guards);
                // Already committed: still written to the idempotent sink (see below).
                sink_events.extend(&known.events);
                learned.sessions.extend(known.sessions);
                let dup: HashSet<usize> = known.events.into_iter().collect();
                plans = plan_chunks(
                    &events,
                    (0..events.len()).filter(|i| !dup.contains(i)),
                    &contexts,
                    &learned,
                    self.config.transaction_budget,
                );
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "pre-check of known events failed; the transactions decide");
            }
        }
        let mut store_rejected: Vec<(usize, String)> = Vec::new();
        for plan in plans {
            let mut pending = vec![plan];
            let mut conflicts = 0;
            while let Some(plan) = pending.pop() {
                outcome.transactions += 1;
                let ctx = CommitContext {
                    now,
                    shard: self.shard_for(&events, &plan),
                };
                match self.store.commit(&events, &plan, &ctx).await {
                    Ok(CommitOutcome::Committed) => {
                        outcome.committed += plan.events.len();
                        sink_events.extend(&plan.events);
                        collect_deltas(&plan, &mut deltas);
                    }
                    Ok(CommitOutcome::Conflicts {
                        duplicates,
                        known_sessions,
                        stale_updates,
                        marker_guards,
                    }) => {
                        // A chunk planned before its guards were known to be in
                        // marker mode may need more actions than a transaction holds.
                        learned.marker_guards.extend(marker_guards);
                        let over_budget =
                            plan.action_count(&events, &learned) > self.config.transaction_budget;
                        if duplicates.is_empty()
                            && known_sessions.is_empty()
                            && stale_updates.is_empty()
                            && !over_budget
                        {
                            tracing::warn!(
                                "transaction cancelled without a named conflict; retrying the chunk's messages"
                            );
                            failed_events.extend(&plan.events);
                            continue;
                        }
                        outcome.duplicates += duplicates.len();
                        // Already committed: still written to the (idempotent) sink, in case an
                        // earlier attempt crashed before the sink write.
                        sink_events.extend(&duplicates);
                        learned.sessions.extend(known_sessions);
                        learned.stale_updates.extend(stale_updates);
                        let dup: HashSet<usize> = duplicates.into_iter().collect();
                        let rest: Vec<usize> = plan
                            .events
                            .iter()
                            .copied()
                            .filter(|i| !dup.contains(i))
                            .collect();
                        pending.extend(plan_chunks(
                            &events,
                            rest,
                            &contexts,
                            &learned,
                            self.config.transaction_budget,
                        ));
                    }
                    Err(StoreError::Permanent(detail)) if plan.events.len() > 1 => {
                        // Some event of the chunk can never be written: bisect
                        // until it stands alone, so the others still commit.
                        tracing::warn!(error = %detail, events = plan.events.len(), "chunk refused for good; bisecting");
                        let (left, right) = plan.events.split_at(plan.events.len() / 2);
                        for half in [left, right] {
                            pending.extend(plan_chunks(
                                &events,
                                half.iter().copied(),
                                &contexts,
                                &learned,
                                self.config.transaction_budget,
                            ));
                        }
                    }
                    Err(StoreError::Permanent(detail)) => {
                        store_rejected.extend(plan.events.iter().map(|&i| (i, detail.clone())));
                    }
                    Err(StoreError::Conflict(detail))
                        if conflicts < self.config.conflict_retries =>
                    {
                        tracing::info!(error = %detail, attempt = conflicts + 1, "transaction conflict; retrying the chunk");
                        tokio::time::sleep(self.conflict_pause(conflicts)).await;
                        conflicts += 1;
                        outcome.conflict_retries += 1;
                        pending.push(plan);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, events = plan.events.len(), "chunk commit failed; its messages will be retried");
                        failed_events.extend(&plan.events);
                    }
                }
            }
        }
        if !store_rejected.is_empty() {
            let records: Vec<QuarantineRecord> = store_rejected
                .iter()
                .map(|(i, detail)| {
                    self.quarantine_record(
                        &messages[owners[*i]],
                        QuarantineReason::StoreRejected,
                        detail.clone(),
                        now,
                    )
                })
                .collect();
            self.quarantine_all(&records, messages, now, &mut outcome)
                .await;
        }

        // The pushes go out beside the sink's write, not after it.
        tokio::join!(
            self.write_sink(
                &events,
                &sink_events,
                &owners,
                messages,
                now,
                &mut failed_events,
                &mut outcome,
            ),
            self.push_deltas(deltas, now)
        );

        failed_events.sort_unstable();
        failed_events.dedup();
        outcome.failed.extend(
            failed_events
                .into_iter()
                .map(|i| messages[owners[i]].id.clone()),
        );
        tracing::info!(
            committed = outcome.committed,
            duplicates = outcome.duplicates,
            quarantined = outcome.quarantined,
            failed = outcome.failed.len(),
            transactions = outcome.transactions,
            "batch done"
        );
        outcome
    }

    fn quarantine_record(
        &self,
        m: &Message,
        reason: QuarantineReason,
        detail: String,
        now: DateTime<Utc>,
    ) -> QuarantineRecord {
        #[derive(serde::Deserialize)]
        struct Attrs {
            source: Option<String>,
            id: Option<String>,
        }
        let attrs: Option<Attrs> = serde_json::from_str(&m.body).ok();
        QuarantineRecord {
            queue: self.event_type,
            reason,
            detail,
            message_id: m.id.clone(),
            source: attrs.as_ref().and_then(|a| a.source.clone()),
            event_id: attrs.and_then(|a| a.id),
            received_at: now,
            body_sha256: hex::encode(Sha256::digest(m.body.as_bytes())),
            body: m.body.clone(),
        }
    }

    async fn quarantine_all(
        &self,
        records: &[QuarantineRecord],
        messages: &[Message],
        now: DateTime<Utc>,
        outcome: &mut BatchOutcome,
    ) {
        if records.is_empty() {
            return;
        }
        let mut stored = Vec::new();
        for r in records {
            match self.quarantine.quarantine(r).await {
                Ok(key) => {
                    tracing::info!(
                        reason = r.reason.code(),
                        key,
                        message_id = r.message_id,
                        "quarantined"
                    );
                    stored.push(r.clone());
                }
                Err(e) => {
                    tracing::warn!(error = %e, message_id = r.message_id, "quarantine write failed; will retry");
                    outcome.failed.push(r.message_id.clone());
                }
            }
        }
        // Identical bodies are one rejection (and one marker: a transaction
        // may not write one item twice).
        let mut distinct: Vec<QuarantineRecord> = Vec::with_capacity(stored.len());
        for r in &stored {
            if !distinct
                .iter()
                .any(|d| d.queue == r.queue && d.body_sha256 == r.body_sha256)
            {
                distinct.push(r.clone());
            }
        }
        if let Err(e) = self.store.record_rejections(&distinct, now).await {
            tracing::warn!(error = %e, "rejection counts failed; will retry");
            outcome
                .failed
                .extend(stored.iter().map(|r| r.message_id.clone()));
            return;
        }
        outcome.quarantined += stored.len();
        debug_assert!(
            stored
                .iter()
                .all(|r| messages.iter().any(|m| m.id == r.message_id))
        );
    }

    /// Venue contexts from the cache or the store, updated by this batch's venue updates.
    async fn contexts(&self, events: &[Event<'_>]) -> Result<VenueContexts, StoreError> {
        let mut contexts = VenueContexts::default();
        let mut missing = Vec::new();
        {
            let cache = self
                .venue_cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for e in events {
                let Some(v) = e.data.venue_id() else { continue };
                if contexts.contains_key(v) || missing.iter().any(|m: &String| m == v) {
                    continue;
                }
                match cache.get(v) {
                    Some((ctx, at))
                        if at.elapsed()
                            < if ctx.tz.is_some() {
                                self.config.venue_cache_ttl
                            } else {
                                self.config.unknown_venue_ttl
                            } =>
                    {
                        contexts.insert(v.to_owned(), ctx.clone());
                    }
                    _ => missing.push(v.to_owned()),
                }
            }
        }
        if !missing.is_empty() {
            let fetched = self.store.venue_contexts(&missing).await?;
            let mut cache = self
                .venue_cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for v in missing {
                let ctx = fetched.get(&v).cloned().unwrap_or_default();
                cache.insert(v.clone(), (ctx.clone(), Instant::now()));
                contexts.insert(v, ctx);
            }
        }
        for e in events {
            if let EventData::VenueUpdate(u) = &e.data {
                let ctx = contexts.entry(u.venue_id.to_string()).or_default();
                // Only a newer update moves the zone (the store guards the same way).
                if ctx.updated_at.is_some_and(|at| e.time < at) {
                    continue;
                }
                ctx.updated_at = Some(e.time);
                if let Some(tz) = u.timezone.as_deref().and_then(|t| t.parse().ok()) {
                    ctx.tz = Some(tz);
                }
                for s in u.shows.iter().flatten() {
                    ctx.show_starts.insert(s.event_id.to_string(), s.starts_at);
                }
                let mut cache = self
                    .venue_cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                cache.insert(u.venue_id.to_string(), (ctx.clone(), Instant::now()));
            }
        }
        Ok(contexts)
    }

    /// The pause before conflict retry `attempt` (from 0): the backoff
    /// doubled per attempt plus a jitter of up to as much (from the clock's
    /// nanoseconds: Lambdas that met rarely draw the same).
    fn conflict_pause(&self, attempt: u32) -> Duration {
        let base = self.config.conflict_backoff * 2u32.saturating_pow(attempt);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        base + base.mul_f64(f64::from(nanos % 1000) / 1000.0)
    }

    /// Spreads concurrent chunks over shards so they do not conflict on one hot item.
    fn shard_for(&self, events: &[Event<'_>], plan: &ChunkPlan<'_>) -> u8 {
        let Some(&first) = plan.events.first() else {
            return 0;
        };
        let digest = Sha256::digest(events[first].id.as_bytes());
        digest[0] % self.config.shards.max(1)
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_sink(
        &self,
        events: &[Event<'_>],
        indexes: &[usize],
        owners: &[usize],
        messages: &[Message],
        now: DateTime<Utc>,
        failed: &mut Vec<usize>,
        outcome: &mut BatchOutcome,
    ) {
        let Some(sink) = &self.sink else { return };
        if indexes.is_empty() {
            return;
        }
        let batch: Vec<&Event<'_>> = indexes.iter().map(|&i| &events[i]).collect();
        match sink.write(&batch).await {
            Ok(rejections) => {
                for r in rejections {
                    let i = indexes[r.index];
                    let m = &messages[owners[i]];
                    let record = self.quarantine_record(
                        m,
                        QuarantineReason::TimestreamRejected,
                        r.reason,
                        now,
                    );
                    tracing::warn!(
                        message_id = m.id,
                        reason = record.detail,
                        "measure sink rejected a record"
                    );
                    if self.quarantine.quarantine(&record).await.is_err() {
                        failed.push(i);
                    } else {
                        outcome.quarantined += 1;
                    }
                }
            }
            Err(e) => {
                // Rollups are committed; a retry finds them duplicates and only re-writes the sink.
                tracing::warn!(error = %e, "measure sink write failed; retrying its messages");
                failed.extend(indexes);
            }
        }
    }

    /// One push per (venue, show), all at once, for at most [`PUSH_BUDGET`]:
    /// a slow or unreachable gateway never holds the batch longer.
    async fn push_deltas(
        &self,
        deltas: BTreeMap<(String, Option<String>), BTreeMap<String, i64>>,
        now: DateTime<Utc>,
    ) {
        let Some(push) = &self.push else { return };
        let sends = deltas.into_iter().map(|((venue, show), counters)| async move {
            let msg = serde_json::json!({
                "type": "delta", "venueId": venue, "eventId": show, "at": now, "counters": counters,
            });
            if let Err(e) = push.push(&venue, &msg).await {
                tracing::debug!(error = %e, venue, "realtime push failed (dashboards poll as a fallback)");
            }
        });
        if tokio::time::timeout(PUSH_BUDGET, futures::future::join_all(sends))
            .await
            .is_err()
        {
            tracing::debug!(
                "realtime pushes cut off at their budget (dashboards poll as a fallback)"
            );
        }
    }
}

/// Per (venue, show) increments of the chunk, from its minute rollups.
fn collect_deltas(
    plan: &ChunkPlan<'_>,
    out: &mut BTreeMap<(String, Option<String>), BTreeMap<String, i64>>,
) {
    for (key, counters) in &plan.rollups {
        if key.granularity != Granularity::Minute {
            continue;
        }
        let entry = out
            .entry((key.venue.to_owned(), key.show.map(str::to_owned)))
            .or_default();
        for m in Metric::ALL {
            let v = counters.get(m);
            if v != 0 {
                *entry.entry(m.as_str().to_owned()).or_default() += v;
            }
        }
    }
}
