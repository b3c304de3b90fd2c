//! The DynamoDB side of ingest: one `TransactWriteItems` per chunk holds the
//! dedupe markers of its events and the pre-aggregated updates for exactly
//! those events, so a chunk lands whole or not at all. A cancelled
//! transaction names the markers that already existed.
//!
//! A customer's first and last purchase times only ever move outwards (a late
//! purchase must not make `lastPurchaseAt` older): each customer update is
//! guarded by a condition stating what it assumes of the stored times; when the
//! guard fails, the cancellation returns the stored item, and the chunk is
//! retried with updates that move only the bound that needs moving.
//!
//! Events keep their dedupe token in a guard item instead of a marker of
//! their own: purchases and refunds in that customer item, every other event
//! in a dedupe bucket (`dedupe_tokens`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update,
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use domain::aggregate::{ChunkPlan, VenueContext, VenueContexts};
use domain::event::EventData;
use domain::guard::{Guard, OwnedGuard};
use domain::ports::{StoreError, StoreResult};
use domain::rollup::breakdown_attr;
use domain::{Event, EventType, Metric};
use pipeline::{CommitContext, CommitOutcome, IngestStore, Known, QuarantineRecord};
use sha2::{Digest, Sha256};

use crate::config::Names;
use crate::dedupe_tokens::{
    DedupeState, MARKERS_UNTIL, ORDERS, SEEN_COUNT, token_attr, token_limit, token_value,
};
use crate::error::classify;
use crate::items::{Item, UpdateBuilder, get_s, get_time, n, s};
use crate::keys;

/// How long dedupe markers are kept: longer than any redelivery or publisher retry.
pub const DEDUPE_RETENTION: Duration = Duration::days(35);

/// How long after an existing deployment first meets buckets its events keep
/// markers: old Lambdas finish their batches (15 minutes at most) and events
/// may carry times up to `MAX_FUTURE_SKEW` ahead.
const CUTOVER_MARGIN: Duration = Duration::minutes(30);

/// Writes the bucket cut-over record (`only_if_absent`: a Lambda's
/// proposal; otherwise the runner's, on a table it has just created).
pub async fn write_cutover(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    since: i64,
    only_if_absent: bool,
) -> StoreResult<()> {
    let mut put = client
        .put_item()
        .table_name(table)
        .item("pk", s(keys::BUCKET_CUTOVER_PK))
        .item("since", n(since));
    if only_if_absent {
        put = put.condition_expression("attribute_not_exists(pk)");
    }
    match put.send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Err(StoreError::Conflict(
                "the bucket cut-over is already set".into(),
            ))
        }
        Err(e) => Err(classify("write the bucket cut-over", e)),
    }
}

/// Attempts of one chunk whose customer guards keep failing (each failure
/// teaches the stored times, so the second attempt normally lands).
const CUSTOMER_GUARD_ATTEMPTS: usize = 4;

/// Shards of the flow items rejection counts go to.
const REJECTION_SHARDS: u8 = 4;

/// Most learned purchase times kept per process.
const MAX_LEARNED: usize = 10_000;

/// Counts of what was sent to DynamoDB, for the write-cost benchmark.
#[derive(Debug, Default)]
pub struct WriteCounters {
    pub transactions: AtomicU64,
    pub actions: AtomicU64,
    pub cancelled: AtomicU64,
    /// Wall time spent waiting for `TransactWriteItems`, in microseconds.
    pub transact_micros: AtomicU64,
    /// Read requests sent (`BatchGetItem` of the marker pre-check, venue queries).
    pub reads: AtomicU64,
    /// Items a read request asked for or returned (each costs at least half a read unit).
    pub read_items: AtomicU64,
    /// Wall time spent waiting for reads, in microseconds.
    pub read_micros: AtomicU64,
    /// When enabled, every action sent: (table, pk, sk, put item size in bytes for puts).
    pub log: Option<std::sync::Mutex<Vec<LoggedAction>>>,
    /// When the log is enabled, each transaction's time in flight and items,
    /// for the concurrency bench: two transactions in flight together that
    /// share an item are what DynamoDB cancels with `TransactionConflict`
    /// (the emulator serializes them instead).
    pub spans: Option<std::sync::Mutex<Vec<TransactionSpan>>>,
}

/// One transaction as sent: when it was in flight and which items it wrote.
#[derive(Debug, Clone)]
pub struct TransactionSpan {
    pub start: std::time::Instant,
    pub end: std::time::Instant,
    pub items: Vec<(String, String, Option<String>)>,
}

/// One action of a sent transaction, as the write-cost benchmark prices it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedAction {
    pub table: String,
    pub pk: String,
    pub sk: Option<String>,
    /// Size of a put's item (markers); `None` for updates (priced by the stored item's size).
    pub put_bytes: Option<usize>,
}

#[derive(Clone)]
pub struct DynamoIngest {
    client: aws_sdk_dynamodb::Client,
    names: Names,
    pub counters: Arc<WriteCounters>,
    /// Stored first/last purchase times, by (venue, customer), as the
    /// pre-check read them, failed customer guards returned them or commits
    /// moved them; a guess the guards check.
    learned: Arc<Mutex<HashMap<(String, String), PurchaseBounds>>>,
    /// How each guard's events are deduplicated, as last read (the
    /// pre-check, a failed condition) or written; a guess the conditions check.
    dedupe: Arc<Mutex<HashMap<OwnedGuard, DedupeState>>>,
    /// Buckets of minutes before this Unix time are legacy (see [`Self::bucket_cutover`]).
    cutover: Arc<tokio::sync::OnceCell<i64>>,
}

/// How one chunk deduplicates a guard's events: their tokens, and whether
/// they also take markers (the guard is in marker mode).
struct GuardEvents {
    markers: bool,
    /// Most tokens the guard may hold.
    limit: i64,
    /// (batch index, token attribute) of each of the guard's events.
    tokens: Vec<(usize, String)>,
}

type GuardModes<'e> = HashMap<Guard<'e>, GuardEvents>;

/// A customer's stored first and last purchase times.
#[derive(Debug, Clone, Copy, Default)]
struct PurchaseBounds {
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl PurchaseBounds {
    fn of(customer: &Item) -> Self {
        PurchaseBounds {
            first: get_time(customer, "firstPurchaseAt"),
            last: get_time(customer, "lastPurchaseAt"),
        }
    }
}

/// Purchase times are stored in one sortable form, so the guards can compare strings.
fn sortable(t: DateTime<Utc>) -> AttributeValue {
    s(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Until when markers written `now` may exist.
fn markers_until(now: DateTime<Utc>) -> i64 {
    (now + DEDUPE_RETENTION).timestamp()
}

/// A guard update's dedupe part: every event's token must be absent; in
/// token mode the tokens are written (within the limit, and only while no
/// marker of the guard can exist), in marker mode `markersUntil` is.
fn dedupe_tokens(u: &mut UpdateBuilder, m: &GuardEvents, now: DateTime<Utc>) {
    if m.markers {
        u.set(MARKERS_UNTIL, n(markers_until(now)));
    } else {
        for (_, t) in &m.tokens {
            u.set(t, n(token_value(now)));
        }
        u.add(SEEN_COUNT, m.tokens.len());
        let (until, orders, seen) = (u.name(MARKERS_UNTIL), u.name(ORDERS), u.name(SEEN_COUNT));
        let at = u.value(n(now.timestamp()));
        let room = u.value(n(m.limit - i64::try_from(m.tokens.len()).unwrap_or(m.limit)));
        u.require(format!("(attribute_not_exists({until}) OR {until} < {at})"));
        u.require(format!(
            "(attribute_not_exists({orders}) OR attribute_exists({seen}) OR attribute_exists({until}))"
        ));
        u.require(format!(
            "(attribute_not_exists({seen}) OR {seen} <= {room})"
        ));
    }
    for (_, t) in &m.tokens {
        let t = u.name(t);
        u.require(format!("attribute_not_exists({t})"));
    }
}

/// The actions of one transaction and, index for index, what each is for.
#[derive(Default)]
struct Actions {
    items: Vec<TransactWriteItem>,
    refs: Vec<ActionRef>,
}

/// What each action of a transaction stands for, to read cancellation reasons.
enum ActionRef {
    Event(usize),
    Session(domain::aggregate::CountedSession),
    /// A guard update (customer or bucket), with the (batch index, token)
    /// of each of its events.
    Guard(OwnedGuard, Vec<(usize, String)>),
    /// The metadata update of the venue update at this batch index (guarded by `updatedAt`).
    VenueUpdate(usize),
    Other,
}

/// Cancellation reason codes that mean the transaction can never succeed as
/// planned (the rest — conflicts, throttling — are worth retrying).
const PERMANENT_CANCELLATION_CODES: &[&str] =
    &["ValidationError", "ItemCollectionSizeLimitExceeded"];

impl DynamoIngest {
    pub fn new(client: aws_sdk_dynamodb::Client, names: Names) -> Self {
        DynamoIngest {
            client,
            names,
            counters: Arc::default(),
            learned: Arc::default(),
            dedupe: Arc::default(),
            cutover: Arc::default(),
        }
    }

    /// Uses this bucket cut-over instead of the stored one (tests: a legacy
    /// minute without touching the shared record).
    #[must_use]
    pub fn with_bucket_cutover(mut self, since: DateTime<Utc>) -> Self {
        self.cutover = Arc::new(tokio::sync::OnceCell::new_with(Some(since.timestamp())));
        self
    }

    /// The time from which events may be guarded by buckets: before it,
    /// events may have been counted with markers by a version without buckets,
    /// so buckets of earlier minutes are legacy (marker mode). Read once from
    /// the dedupe table; a table without the record (an existing deployment
    /// meeting this version) gets "now + [`CUTOVER_MARGIN`]", covering
    /// Lambdas of the old version still running and events stamped up to
    /// `MAX_FUTURE_SKEW` ahead. A table the runner creates starts at 0.
    pub async fn bucket_cutover(&self) -> StoreResult<i64> {
        self.cutover
            .get_or_try_init(|| async {
                if let Some(t) = self.stored_cutover().await? {
                    return Ok(t);
                }
                let proposed = (Utc::now() + CUTOVER_MARGIN).timestamp();
                match write_cutover(&self.client, &self.names.dedupe, proposed, true).await {
                    Ok(()) => Ok(proposed),
                    // Another Lambda wrote it first: use theirs.
                    Err(StoreError::Conflict(_)) => self.stored_cutover().await?.ok_or_else(|| {
                        StoreError::Transient("bucket cut-over vanished after a conflict".into())
                    }),
                    Err(e) => Err(e),
                }
            })
            .await
            .copied()
    }

    async fn stored_cutover(&self) -> StoreResult<Option<i64>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.names.dedupe)
            .key("pk", s(keys::BUCKET_CUTOVER_PK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| classify("read the bucket cut-over", e))?;
        Ok(out.item().and_then(|i| crate::items::get_i64(i, "since")))
    }

    /// Also records every action sent (for the write-cost benchmark).
    #[must_use]
    pub fn with_action_log(mut self) -> Self {
        self.counters = Arc::new(WriteCounters {
            log: Some(std::sync::Mutex::default()),
            spans: Some(std::sync::Mutex::default()),
            ..WriteCounters::default()
        });
        self
    }

    fn count_read(&self, items: usize, started: std::time::Instant) {
        let c = &self.counters;
        c.reads.fetch_add(1, Ordering::Relaxed);
        c.read_items.fetch_add(items as u64, Ordering::Relaxed);
        c.read_micros.fetch_add(
            u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn log_actions(&self, actions: &[TransactWriteItem]) {
        let Some(log) = &self.counters.log else {
            return;
        };
        let mut log = log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for a in actions {
            let Some((table, pk, sk)) = action_item(a) else {
                continue;
            };
            let put_bytes = a.put().map(|p| {
                p.item()
                    .iter()
                    .map(|(k, v)| k.len() + crate::items::value_size(v))
                    .sum()
            });
            log.push(LoggedAction {
                table,
                pk,
                sk,
                put_bytes,
            });
        }
    }

    fn marker(
        &self,
        pk: String,
        expires: DateTime<Utc>,
        extra: &[(&str, AttributeValue)],
    ) -> TransactWriteItem {
        let mut item: Item = Item::new();
        item.insert("pk".into(), s(pk));
        item.insert("expiresAt".into(), n(expires.timestamp()));
        for (k, v) in extra {
            item.insert((*k).to_owned(), v.clone());
        }
        let put = Put::builder()
            .table_name(&self.names.dedupe)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .expect("table, item and key are set");
        TransactWriteItem::builder().put(put).build()
    }

    fn update(&self, table: &str, pk: String, sk: String, u: &UpdateBuilder) -> TransactWriteItem {
        self.update_key(table, pk, Some(sk), u)
    }

    /// An update of the item `pk` (and `sk`, in tables that have one).
    fn update_key(
        &self,
        table: &str,
        pk: String,
        sk: Option<String>,
        u: &UpdateBuilder,
    ) -> TransactWriteItem {
        let condition = u.condition();
        let mut key = HashMap::from([("pk".to_owned(), s(pk))]);
        if let Some(sk) = sk {
            key.insert("sk".to_owned(), s(sk));
        }
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(key))
            .update_expression(u.expression())
            .set_expression_attribute_names(Some(u.names.clone()))
            .set_expression_attribute_values(Some(u.values.clone()))
            .set_return_values_on_condition_check_failure(
                condition
                    .is_some()
                    .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            )
            .set_condition_expression(condition)
            .build()
            .expect("table, key and expression are set");
        TransactWriteItem::builder().update(update).build()
    }

    /// Every write of a chunk, one group per kind of item, with what each is for.
    fn build_actions(
        &self,
        events: &[Event<'_>],
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
        modes: &GuardModes<'_>,
    ) -> (Vec<TransactWriteItem>, Vec<ActionRef>) {
        let mut out = Actions {
            items: Vec::with_capacity(100),
            refs: Vec::with_capacity(100),
        };
        self.event_markers(&mut out, events, plan, ctx, modes);
        self.session_markers(&mut out, plan);
        self.rollup_updates(&mut out, plan, ctx);
        self.customer_updates(&mut out, plan, ctx, modes);
        self.bucket_updates(&mut out, plan, ctx, modes);
        self.flow_updates(&mut out, plan, ctx);
        self.venue_updates(&mut out, events, plan);
        (out.items, out.refs)
    }

    /// Each guard's events of the chunk and whether they take markers.
    fn guard_modes<'e>(
        &self,
        events: &'e [Event<'_>],
        plan: &ChunkPlan<'_>,
        now: DateTime<Utc>,
        cutover: i64,
    ) -> GuardModes<'e> {
        let mut modes = GuardModes::new();
        for &i in &plan.events {
            let e = &events[i];
            let guard = Guard::of(e);
            modes
                .entry(guard)
                .or_insert_with(|| GuardEvents {
                    markers: false,
                    limit: token_limit(&guard),
                    tokens: Vec::new(),
                })
                .tokens
                .push((i, token_attr(&e.source, &e.id)));
        }
        let known = self.dedupe.lock().unwrap_or_else(PoisonError::into_inner);
        for (guard, m) in &mut modes {
            let mut state = known.get(&guard.to_owned()).copied().unwrap_or_default();
            state.legacy |= guard.bucket().is_some_and(|b| b.minute < cutover);
            m.markers = state.uses_markers(now, m.tokens.len(), m.limit);
        }
        modes
    }

    /// Dedupe markers of the events whose guard is in marker mode: a chunk
    /// whose event was already counted fails as a whole.
    fn event_markers(
        &self,
        out: &mut Actions,
        events: &[Event<'_>],
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
        modes: &GuardModes<'_>,
    ) {
        let expires = ctx.now + DEDUPE_RETENTION;
        for &i in &plan.events {
            let e = &events[i];
            if modes.get(&Guard::of(e)).is_some_and(|m| !m.markers) {
                continue;
            }
            out.items.push(self.marker(
                keys::event_marker(&e.source, &e.id),
                expires,
                &[
                    ("type", s(e.event_type().as_str())),
                    ("at", s(ctx.now.to_rfc3339())),
                ],
            ));
            out.refs.push(ActionRef::Event(i));
        }
    }

    /// Unique-session markers, one per scope and venue-local day.
    fn session_markers(&self, out: &mut Actions, plan: &ChunkPlan<'_>) {
        for sess in &plan.sessions {
            // Kept as long as a view of that day can still be accepted, so a
            // late view never counts its session again.
            let day_end = DateTime::from_timestamp(sess.day, 0).unwrap_or_default()
                + domain::decode::MAX_EVENT_AGE
                + Duration::days(2);
            out.items.push(self.marker(
                keys::session_marker(sess.venue, sess.show, sess.day, sess.session),
                day_end,
                &[],
            ));
            out.refs.push(ActionRef::Session(sess.into()));
        }
    }

    /// Counter increments of the rollup items (one per scope, granularity,
    /// bucket). A fine row already past its retention (a backfill of last
    /// month at 1m) is not written: TTL would delete it, and until then it
    /// would stand alone among its deleted neighbours.
    fn rollup_updates(&self, out: &mut Actions, plan: &ChunkPlan<'_>, ctx: &CommitContext) {
        for (key, c) in &plan.rollups {
            let expires = key
                .granularity
                .retention_days()
                .map(|days| key.bucket + days * 86_400);
            if expires.is_some_and(|t| t <= ctx.now.timestamp()) {
                continue;
            }
            let mut u = UpdateBuilder::default();
            for m in Metric::ALL {
                let v = c.get(m);
                if v != 0 {
                    u.add(m.as_str(), v);
                }
            }
            for (m, dim, value, delta) in &c.breakdowns {
                u.add(&breakdown_attr(*m, *dim, value), *delta);
            }
            u.set("venueId", s(key.venue)).set("bucket", n(key.bucket));
            if let Some(show) = key.show {
                u.set("eventId", s(show));
            }
            if let Some(cur) = c.currency {
                u.set("currency", s(cur));
            }
            if let Some(t) = expires {
                u.set("expiresAt", n(t));
            }
            out.items.push(self.update(
                &self.names.rollups,
                keys::rollup_pk(key.venue, key.show, key.granularity),
                keys::rollup_sk(key.bucket, ctx.shard),
                &u,
            ));
            out.refs.push(ActionRef::Other);
        }
    }

    /// Customer metrics, with the first/last purchase guards and the
    /// events' dedupe tokens.
    fn customer_updates(
        &self,
        out: &mut Actions,
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
        modes: &GuardModes<'_>,
    ) {
        let learned = self.learned.lock().unwrap_or_else(PoisonError::into_inner);
        for ((venue, customer), d) in &plan.customers {
            let mut u = UpdateBuilder::default();
            u.add("spend", d.spend)
                .add("orders", d.orders)
                .add("tickets", d.tickets);
            for (currency, spend) in &d.spend_by_currency {
                u.add(&keys::spend_attr(currency), spend);
            }
            for (i, c) in d.weekday.iter().enumerate().filter(|(_, c)| **c > 0) {
                u.add(&format!("wd{i}"), c);
            }
            for (i, c) in d.hour.iter().enumerate().filter(|(_, c)| **c > 0) {
                u.add(&format!("h{i}"), c);
            }
            if d.lead_count > 0 {
                u.add("leadHoursSum", format!("{:.3}", d.lead_hours_sum))
                    .add("leadCount", d.lead_count);
            }
            for (tier, q) in &d.tiers {
                u.add(&format!("tier#{tier}"), q);
            }
            if d.refunds != 0 {
                u.add("refunds", d.refunds).add("refunded", d.refunded);
            }
            if let Some(currency) = d.currency {
                u.set("currency", s(currency));
            }
            // Refunds alone never move the purchase times.
            if let (Some(first_at), Some(last_at)) = (d.first_purchase_at, d.last_purchase_at) {
                // Unless a failed guard taught otherwise, assume the usual: the
                // stored first purchase is no later than this chunk's, the stored
                // last purchase no later than this chunk's latest.
                let stored = learned
                    .get(&((*venue).to_owned(), (*customer).to_owned()))
                    .copied()
                    .unwrap_or_default();
                let first = sortable(first_at);
                if stored.first.is_some_and(|f| first_at < f) {
                    u.set_guarded("firstPurchaseAt", first, ">=");
                } else {
                    u.set_if_absent_guarded("firstPurchaseAt", first, "<=");
                }
                if stored.last.is_none_or(|l| last_at >= l) {
                    u.set_guarded("lastPurchaseAt", sortable(last_at), "<=");
                }
            }
            let tokens = modes
                .get(&Guard::Customer(venue, customer))
                .map(|m| {
                    dedupe_tokens(&mut u, m, ctx.now);
                    m.tokens.clone()
                })
                .unwrap_or_default();
            out.items.push(self.update(
                &self.names.customers,
                (*venue).to_owned(),
                (*customer).to_owned(),
                &u,
            ));
            out.refs.push(ActionRef::Guard(
                Guard::Customer(venue, customer).to_owned(),
                tokens,
            ));
        }
    }

    /// The dedupe buckets of the chunk's other events: their tokens (or, in
    /// marker mode, `markersUntil`). A bucket expires with the markers it
    /// may stand beside.
    fn bucket_updates(
        &self,
        out: &mut Actions,
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
        modes: &GuardModes<'_>,
    ) {
        for b in &plan.buckets {
            let guard = Guard::Bucket(*b);
            let Some(m) = modes.get(&guard) else {
                continue;
            };
            let mut u = UpdateBuilder::default();
            dedupe_tokens(&mut u, m, ctx.now);
            u.set("expiresAt", n(markers_until(ctx.now)));
            out.items
                .push(self.update_key(&self.names.dedupe, keys::dedupe_bucket(b), None, &u));
            out.refs
                .push(ActionRef::Guard(guard.to_owned(), m.tokens.clone()));
        }
    }

    /// Flow health: the per-source record and its 5-minute arrivals.
    fn flow_updates(&self, out: &mut Actions, plan: &ChunkPlan<'_>, ctx: &CommitContext) {
        for f in &plan.flows {
            let mut u = UpdateBuilder::default();
            u.add("total", f.count)
                .set("lastEventAt", s(ctx.now.to_rfc3339()))
                .set("latestEventTime", s(f.latest_event_time.to_rfc3339()))
                .set("eventType", s(f.event_type.as_str()))
                .set("source", s(f.source));
            out.items.push(self.update(
                &self.names.flows,
                keys::FLOW_PK.into(),
                keys::flow_sk(f.event_type, f.source, ctx.shard),
                &u,
            ));
            out.refs.push(ActionRef::Other);
            let mut b = UpdateBuilder::default();
            b.add("count", f.count)
                .set("expiresAt", n(ctx.now.timestamp() + 2 * 86_400));
            out.items.push(self.update(
                &self.names.flows,
                keys::ARRIVALS_PK.into(),
                keys::arrival_sk(ctx.now.timestamp(), f.event_type, f.source, ctx.shard),
                &b,
            ));
            out.refs.push(ActionRef::Other);
        }
    }

    /// Venue metadata (guarded by `updatedAt`) and its shows.
    fn venue_updates(&self, out: &mut Actions, events: &[Event<'_>], plan: &ChunkPlan<'_>) {
        for &i in &plan.venue_updates {
            let EventData::VenueUpdate(v) = &events[i].data else {
                continue;
            };
            let mut u = UpdateBuilder::default();
            // An older (redelivered, reordered) update must not overwrite a newer one.
            u.set_guarded("updatedAt", sortable(events[i].time), "<=");
            if let Some(name) = &v.name {
                u.set("name", s(name.as_ref()));
            }
            if let Some(tz) = &v.timezone {
                u.set("timezone", s(tz.as_ref()));
            }
            if let Some(c) = v.capacity {
                u.set("capacity", n(c));
            }
            if let Some(c) = &v.currency {
                u.set("currency", s(c.as_ref()));
            }
            out.items.push(self.update(
                &self.names.venues,
                v.venue_id.to_string(),
                keys::VENUE_META_SK.into(),
                &u,
            ));
            out.refs.push(ActionRef::VenueUpdate(i));
            for show in v.distinct_shows() {
                let mut u = UpdateBuilder::default();
                u.set("name", s(show.name.as_ref()))
                    .set("startsAt", s(show.starts_at.to_rfc3339()));
                if let Some(c) = show.capacity {
                    u.set("capacity", n(c));
                }
                if let Some(t) = show.on_sale_at {
                    u.set("onSaleAt", s(t.to_rfc3339()));
                }
                out.items.push(self.update(
                    &self.names.venues,
                    v.venue_id.to_string(),
                    keys::show_sk(&show.event_id),
                    &u,
                ));
                out.refs.push(ActionRef::Other);
            }
        }
    }

    /// After a commit, the chunk's customers' purchase times are what was
    /// known merged with the chunk's: the next chunk of a batch with an
    /// earlier purchase of one of them guards against the right values.
    fn committed_customers(&self, plan: &ChunkPlan<'_>) {
        let merged: Vec<_> = {
            let learned = self.learned.lock().unwrap_or_else(PoisonError::into_inner);
            plan.customers
                .iter()
                .filter_map(|((venue, customer), d)| {
                    let (first, last) = (d.first_purchase_at?, d.last_purchase_at?);
                    let key = ((*venue).to_owned(), (*customer).to_owned());
                    let known = learned.get(&key).copied().unwrap_or_default();
                    let bounds = PurchaseBounds {
                        first: Some(known.first.map_or(first, |f| f.min(first))),
                        last: Some(known.last.map_or(last, |l| l.max(last))),
                    };
                    Some((key, bounds))
                })
                .collect()
        };
        self.learn_bounds(merged);
    }

    /// Remembers customers' stored purchase times, as a read or a failed
    /// guard returned them.
    fn learn_bounds(&self, bounds: impl IntoIterator<Item = ((String, String), PurchaseBounds)>) {
        let mut learned = self.learned.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, stored) in bounds {
            // Bounded: when full it starts over; forgetting costs at most
            // one more failed guard per customer.
            if learned.len() >= MAX_LEARNED && !learned.contains_key(&key) {
                learned.clear();
            }
            learned.insert(key, stored);
        }
    }

    /// Remembers how guards are deduplicated (bounded like `learned`).
    fn remember_dedupe(&self, states: impl IntoIterator<Item = (OwnedGuard, DedupeState)>) {
        let mut known = self.dedupe.lock().unwrap_or_else(PoisonError::into_inner);
        for (key, state) in states {
            if known.len() >= MAX_LEARNED && !known.contains_key(&key) {
                known.clear();
            }
            known.insert(key, state);
        }
    }

    /// What a committed chunk changed in the dedupe state of the guards
    /// already remembered (the others stay unknown until read).
    fn committed_dedupe(&self, modes: &GuardModes<'_>, now: DateTime<Utc>) {
        let mut known = self.dedupe.lock().unwrap_or_else(PoisonError::into_inner);
        for (guard, m) in modes {
            let Some(state) = known.get_mut(&guard.to_owned()) else {
                continue;
            };
            if m.markers {
                state.markers_until = Some(markers_until(now));
                state.legacy = false;
            } else {
                state.seen += i64::try_from(m.tokens.len()).unwrap_or(i64::MAX);
            }
        }
    }

    /// `BatchGetItem` of `keys` from `table`, 100 at a time; keys left
    /// unprocessed are asked again a few times, then stay unread.
    async fn batch_get(
        &self,
        table: &str,
        keys: Vec<Item>,
        projection: Option<&str>,
    ) -> StoreResult<Vec<Item>> {
        let mut found = Vec::new();
        for chunk in keys.chunks(100) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .set_projection_expression(projection.map(str::to_owned))
                    .build()
                    .map_err(|e| StoreError::Permanent(e.to_string()))?,
            );
            for _ in 0..3 {
                let Some(req) = pending.take() else { break };
                let asked = req.keys().len();
                let started = std::time::Instant::now();
                let mut out = self
                    .client
                    .batch_get_item()
                    .request_items(table, req)
                    .send()
                    .await
                    .map_err(|e| classify("pre-check", e))?;
                self.count_read(asked, started);
                if let Some(items) = out.responses.as_mut().and_then(|r| r.remove(table)) {
                    found.extend(items);
                }
                pending = out
                    .unprocessed_keys()
                    .and_then(|u| u.get(table))
                    .filter(|k| !k.keys().is_empty())
                    .cloned();
            }
        }
        Ok(found)
    }

    async fn transact(
        &self,
        actions: Vec<TransactWriteItem>,
        token: String,
    ) -> Result<(), SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>>
    {
        self.counters.transactions.fetch_add(1, Ordering::Relaxed);
        self.counters
            .actions
            .fetch_add(actions.len() as u64, Ordering::Relaxed);
        self.log_actions(&actions);
        let span_items: Option<Vec<_>> = self
            .counters
            .spans
            .as_ref()
            .map(|_| actions.iter().filter_map(action_item).collect());
        let started = std::time::Instant::now();
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .client_request_token(token)
            .send()
            .await
            .map(|_| ());
        self.counters.transact_micros.fetch_add(
            u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        if let (Some(spans), Some(items)) = (&self.counters.spans, span_items) {
            spans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(TransactionSpan {
                    start: started,
                    end: std::time::Instant::now(),
                    items,
                });
        }
        result
    }
}

/// The item a put or update writes: (table, pk, sk).
fn action_item(a: &TransactWriteItem) -> Option<(String, String, Option<String>)> {
    let key = |m: &HashMap<String, AttributeValue>, k: &str| {
        m.get(k).and_then(|v| v.as_s().ok()).cloned()
    };
    if let Some(p) = a.put() {
        Some((
            p.table_name().to_owned(),
            key(p.item(), "pk").unwrap_or_default(),
            key(p.item(), "sk"),
        ))
    } else {
        a.update().map(|u| {
            (
                u.table_name().to_owned(),
                key(u.key(), "pk").unwrap_or_default(),
                key(u.key(), "sk"),
            )
        })
    }
}

/// A transaction cancelled for a reason that may pass; nothing landed.
/// Another transaction held one of its items (two Lambdas on one customer or
/// dedupe bucket): `Conflict`, worth retrying at once. Throttling and the
/// rest: `Transient`, retried later.
fn retryable_cancellation(code: &str) -> StoreError {
    let msg = format!("transaction cancelled: {code}");
    if code == "TransactionConflict" {
        StoreError::Conflict(msg)
    } else {
        StoreError::Transient(msg)
    }
}

/// Same chunk, same token: a retried request within DynamoDB's 10-minute
/// idempotency window is not applied twice.
fn request_token(actions: &[TransactWriteItem]) -> String {
    let mut h = Sha256::new();
    h.update(format!("{actions:?}").as_bytes());
    hex::encode(&h.finalize()[..16])
}

#[async_trait]
impl IngestStore for DynamoIngest {
    /// Eventually consistent `BatchGetItem`s, 100 keys each: first the guard
    /// items of the batch (customer items and dedupe buckets, at once: their
    /// tokens, and whether markers of theirs may exist), then the markers
    /// (keys only) of events whose guard is in marker mode, and of sessions.
    /// What a read misses, the transaction's conditions catch as before.
    async fn known(&self, events: &[Event<'_>], plans: &[ChunkPlan<'_>]) -> StoreResult<Known> {
        // Each marker, and what it stands for (in-batch duplicates are
        // already gone, so an event marker names one index).
        enum Marked {
            Event(usize),
            Session(domain::aggregate::CountedSession),
        }
        let now = Utc::now();
        let cutover = self.bucket_cutover().await?;
        let mut wanted: HashMap<String, Marked> = HashMap::new();
        let mut by_guard: HashMap<Guard<'_>, Vec<usize>> = HashMap::new();
        for plan in plans {
            for &i in &plan.events {
                by_guard.entry(Guard::of(&events[i])).or_default().push(i);
            }
            for sess in &plan.sessions {
                wanted.insert(
                    keys::session_marker(sess.venue, sess.show, sess.day, sess.session),
                    Marked::Session(sess.into()),
                );
            }
        }
        // Each guard with its item key: (pk, sk) in the customers table, (pk, None) in dedupe.
        let guards: Vec<(Guard<'_>, (String, Option<String>), Vec<usize>)> = by_guard
            .into_iter()
            .map(|(g, indexes)| {
                let key = match g {
                    Guard::Customer(venue, customer) => {
                        (venue.to_owned(), Some(customer.to_owned()))
                    }
                    Guard::Bucket(b) => (keys::dedupe_bucket(&b), None),
                };
                (g, key, indexes)
            })
            .collect();
        let (mut customer_keys, mut bucket_keys) = (Vec::new(), Vec::new());
        for (_, (pk, sk), _) in &guards {
            match sk {
                Some(sk) => customer_keys.push(HashMap::from([
                    ("pk".to_owned(), s(pk)),
                    ("sk".to_owned(), s(sk)),
                ])),
                None => bucket_keys.push(HashMap::from([("pk".to_owned(), s(pk))])),
            }
        }
        let (customers, buckets) = tokio::try_join!(
            self.batch_get(&self.names.customers, customer_keys, None),
            self.batch_get(&self.names.dedupe, bucket_keys, None),
        )?;
        let found: HashMap<(String, Option<String>), Item> = customers
            .into_iter()
            .chain(buckets)
            .filter_map(|item| {
                let pk = get_s(&item, "pk")?.to_owned();
                let sk = get_s(&item, "sk").map(str::to_owned);
                Some(((pk, sk), item))
            })
            .collect();
        let mut known = Known::default();
        let (empty, mut states) = (Item::new(), Vec::with_capacity(guards.len()));
        let mut bounds = Vec::new();
        for (guard, key, indexes) in &guards {
            let stored = found.get(key);
            let item = stored.unwrap_or(&empty);
            // A stored customer's purchase times set the first attempt's
            // guards (out-of-order purchases no longer cancel it to learn
            // them). A stale read is safe: the first purchase time only
            // moves earlier and the last only later, and the guards check.
            // (Only customer keys have a sort key.)
            if let (Some(stored), (pk, Some(sk))) = (stored, key) {
                bounds.push(((pk.clone(), sk.clone()), PurchaseBounds::of(stored)));
            }
            let mut state = DedupeState::from_item(item);
            state.legacy |= guard.bucket().is_some_and(|b| b.minute < cutover);
            let owned = guard.to_owned();
            if state.uses_markers(now, indexes.len(), token_limit(guard)) {
                known.marker_guards.push(owned.clone());
            }
            for &i in indexes {
                let e = &events[i];
                if item.contains_key(&token_attr(&e.source, &e.id)) {
                    known.events.push(i);
                } else if state.markers_may_exist(now) {
                    wanted.insert(keys::event_marker(&e.source, &e.id), Marked::Event(i));
                }
            }
            states.push((owned, state));
        }
        self.remember_dedupe(states);
        self.learn_bounds(bounds);
        let keys = wanted
            .keys()
            .map(|k| HashMap::from([("pk".to_owned(), s(k.clone()))]))
            .collect();
        for item in self.batch_get(&self.names.dedupe, keys, Some("pk")).await? {
            match get_s(&item, "pk").and_then(|pk| wanted.get(pk)) {
                Some(Marked::Event(i)) => known.events.push(*i),
                Some(Marked::Session(session)) => known.sessions.push(session.clone()),
                None => {}
            }
        }
        known.events.sort_unstable();
        known.events.dedup();
        Ok(known)
    }

    async fn venue_contexts(&self, venues: &[String]) -> StoreResult<VenueContexts> {
        let mut out = VenueContexts::default();
        for venue in venues {
            let mut pages = self
                .client
                .query()
                .table_name(&self.names.venues)
                .key_condition_expression("pk = :v")
                .expression_attribute_values(":v", s(venue.clone()))
                .into_paginator()
                .items()
                .send();
            let mut ctx = VenueContext::default();
            let (started, mut items) = (std::time::Instant::now(), 0);
            while let Some(item) = pages.next().await {
                let item = item.map_err(|e| classify("query venue", e))?;
                items += 1;
                match get_s(&item, "sk") {
                    Some(keys::VENUE_META_SK) => {
                        ctx.tz = get_s(&item, "timezone").and_then(|t| t.parse().ok());
                        ctx.updated_at = get_time(&item, "updatedAt");
                    }
                    Some(sk) => {
                        if let (Some(show), Some(starts)) = (
                            sk.strip_prefix("show#"),
                            crate::items::get_time(&item, "startsAt"),
                        ) {
                            ctx.show_starts.insert(show.to_owned(), starts);
                        }
                    }
                    None => {}
                }
            }
            self.count_read(items, started);
            out.insert(venue.clone(), ctx);
        }
        Ok(out)
    }

    async fn commit(
        &self,
        events: &[Event<'_>],
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
    ) -> StoreResult<CommitOutcome> {
        let cutover = self.bucket_cutover().await?;
        for _ in 0..CUSTOMER_GUARD_ATTEMPTS {
            let modes = self.guard_modes(events, plan, ctx.now, cutover);
            let (actions, refs) = self.build_actions(events, plan, ctx, &modes);
            if actions.len() > domain::aggregate::MAX_TRANSACTION_ACTIONS {
                // The plan counted no markers for guards now in marker mode.
                return Ok(CommitOutcome::Conflicts {
                    duplicates: Vec::new(),
                    known_sessions: Vec::new(),
                    stale_updates: Vec::new(),
                    marker_guards: modes
                        .iter()
                        .filter(|(_, m)| m.markers)
                        .map(|(g, _)| g.to_owned())
                        .collect(),
                });
            }
            let token = request_token(&actions);
            let cancelled = match self.transact(actions, token).await {
                Ok(()) => {
                    self.committed_customers(plan);
                    self.committed_dedupe(&modes, ctx.now);
                    return Ok(CommitOutcome::Committed);
                }
                Err(SdkError::ServiceError(e))
                    if matches!(
                        e.err(),
                        TransactWriteItemsError::TransactionCanceledException(_)
                    ) =>
                {
                    let TransactWriteItemsError::TransactionCanceledException(ex) = e.into_err()
                    else {
                        unreachable!()
                    };
                    ex
                }
                Err(e) => return Err(classify("transact_write_items", e)),
            };
            self.counters.cancelled.fetch_add(1, Ordering::Relaxed);
            let mut duplicates = Vec::new();
            let mut known_sessions = Vec::new();
            let mut stale_updates = Vec::new();
            let mut other = None;
            let mut permanent = None;
            for (reason, r) in cancelled.cancellation_reasons().iter().zip(&refs) {
                match (reason.code(), r) {
                    (Some("ConditionalCheckFailed"), ActionRef::Event(i)) => duplicates.push(*i),
                    (Some("ConditionalCheckFailed"), ActionRef::Session(counted)) => {
                        known_sessions.push(counted.clone());
                    }
                    (Some("ConditionalCheckFailed"), ActionRef::VenueUpdate(i)) => {
                        stale_updates.push(*i);
                    }
                    (Some("ConditionalCheckFailed"), ActionRef::Guard(guard, tokens)) => {
                        if let Some(item) = reason.item() {
                            // Events whose token is stored were counted already;
                            // the stored state decides the mode of the next attempt.
                            duplicates.extend(
                                tokens
                                    .iter()
                                    .filter(|(_, t)| item.contains_key(t))
                                    .map(|(i, _)| *i),
                            );
                            self.remember_dedupe([(guard.clone(), DedupeState::from_item(item))]);
                        }
                        let OwnedGuard::Customer {
                            venue: v,
                            customer: c,
                        } = guard
                        else {
                            continue;
                        };
                        let stored = reason
                            .item()
                            .map_or_else(PurchaseBounds::default, PurchaseBounds::of);
                        self.learn_bounds([((v.clone(), c.clone()), stored)]);
                    }
                    (Some("None") | None, _) => {}
                    (Some(code), _) if PERMANENT_CANCELLATION_CODES.contains(&code) => {
                        permanent =
                            Some(format!("{code}: {}", reason.message().unwrap_or_default()));
                    }
                    (Some(code), _) => other = Some(code.to_owned()),
                }
            }
            if let Some(detail) = permanent {
                return Err(StoreError::Permanent(format!(
                    "transaction cancelled: {detail}"
                )));
            }
            if let Some(code) = other {
                return Err(retryable_cancellation(&code));
            }
            duplicates.sort_unstable();
            duplicates.dedup();
            if !duplicates.is_empty() || !known_sessions.is_empty() || !stale_updates.is_empty() {
                // The pipeline re-plans; the next attempt uses what the guards taught.
                return Ok(CommitOutcome::Conflicts {
                    duplicates,
                    known_sessions,
                    stale_updates,
                    marker_guards: Vec::new(),
                });
            }
            // Only customer guards failed: retry with what they taught.
        }
        Err(StoreError::Transient(
            "customer purchase times kept changing under the transaction".into(),
        ))
    }

    async fn record_rejections(
        &self,
        rejections: &[QuarantineRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut pending: Vec<&QuarantineRecord> = rejections.iter().collect();
        // Each round commits markers + counts together; names already counted drop out.
        for _ in 0..4 {
            if pending.is_empty() {
                return Ok(());
            }
            let mut next = Vec::new();
            for chunk in pending.chunks(40) {
                let mut actions = Vec::new();
                let mut counts: std::collections::BTreeMap<(EventType, String), i64> =
                    Default::default();
                for r in chunk {
                    actions.push(self.marker(
                        keys::rejection_marker(r.queue, &r.body_sha256),
                        now + DEDUPE_RETENTION,
                        &[],
                    ));
                    *counts
                        .entry((
                            r.queue,
                            r.source
                                .clone()
                                .filter(|s| domain::ids::check(s).is_ok())
                                .unwrap_or_else(|| keys::UNATTRIBUTED_SOURCE.into()),
                        ))
                        .or_default() += 1;
                }
                // Spread like the chunks' flow updates (readers sum the shards).
                let shard = chunk[0]
                    .body_sha256
                    .get(..2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .unwrap_or(0)
                    % REJECTION_SHARDS;
                for ((t, source), c) in counts {
                    let mut u = UpdateBuilder::default();
                    u.add("rejected", c)
                        .set("eventType", s(t.as_str()))
                        .set("source", s(source.clone()))
                        .set("lastRejectedAt", s(now.to_rfc3339()));
                    actions.push(self.update(
                        &self.names.flows,
                        keys::FLOW_PK.into(),
                        keys::flow_sk(t, &source, shard),
                        &u,
                    ));
                }
                let token = request_token(&actions);
                match self.transact(actions, token).await {
                    Ok(()) => {}
                    Err(SdkError::ServiceError(e))
                        if matches!(
                            e.err(),
                            TransactWriteItemsError::TransactionCanceledException(_)
                        ) =>
                    {
                        let TransactWriteItemsError::TransactionCanceledException(ex) = e.err()
                        else {
                            unreachable!()
                        };
                        let reasons = ex.cancellation_reasons();
                        for (i, r) in chunk.iter().enumerate() {
                            if reasons.get(i).and_then(|x| x.code())
                                != Some("ConditionalCheckFailed")
                            {
                                next.push(*r);
                            }
                        }
                        if next.len() == chunk.len() {
                            return Err(StoreError::Transient(
                                "rejection transaction cancelled without a conflict".into(),
                            ));
                        }
                    }
                    Err(e) => return Err(classify("record rejections", e)),
                }
            }
            pending = next;
        }
        Err(StoreError::Transient(
            "rejection counts kept conflicting".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_conflict_is_retried_in_place_and_throttling_later() {
        // The codes DynamoDB puts in a cancellation reason.
        assert!(matches!(
            retryable_cancellation("TransactionConflict"),
            StoreError::Conflict(_)
        ));
        for code in [
            "ThrottlingError",
            "ProvisionedThroughputExceeded",
            "Unknown",
        ] {
            assert!(matches!(
                retryable_cancellation(code),
                StoreError::Transient(_)
            ));
        }
    }
}
