//! The ingest flow against the emulator with the real adapters: totals read
//! back through the API equal what was published, exactly — with
//! duplicates, redeliveries, late and malformed messages — and a crash
//! between any two writes neither loses nor doubles an event.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::aggregate::{ChunkPlan, VenueContexts};
use domain::ports::{StoreError, StoreResult};
use domain::rollup::Granularity;
use domain::{Event, EventType, Metric};
use pipeline::{
    CommitContext, CommitOutcome, IngestStore, Message, Pipeline, PipelineConfig, QuarantineRecord,
};
use publisher::simulate::{Kind, SimConfig, Simulation, simulate};
use runner::LocalStack;
use tests::{get_json, quarantine, small_chunks, stack, unique};

fn night(venue: &str, seed: u64, scale: f64) -> Simulation {
    let mut cfg = SimConfig::new(Utc::now(), seed);
    cfg.venue_id = venue.to_owned();
    cfg.show_id = unique("show");
    cfg.scale = scale;
    simulate(&cfg)
}

/// Messages per queue, in publish order, with SQS-like ids.
fn by_queue(sim: &Simulation) -> BTreeMap<EventType, Vec<Message>> {
    let mut out: BTreeMap<EventType, Vec<Message>> = BTreeMap::new();
    for (i, e) in sim.events.iter().enumerate() {
        out.entry(e.event_type).or_default().push(Message {
            id: format!("msg-{i}"),
            body: e.body.clone(),
        });
    }
    out
}

fn pipeline_for(local: &LocalStack, t: EventType) -> Pipeline {
    storage::wire::ingest_pipeline(t, &local.aws, &local.names)
}

/// Ingests `bodies` on `t`'s queue, one batch, and asserts every one committed.
async fn commit_all(local: &LocalStack, t: EventType, bodies: Vec<String>) {
    let messages: Vec<Message> = bodies
        .into_iter()
        .map(|body| Message {
            id: unique("msg"),
            body,
        })
        .collect();
    let out = pipeline_for(local, t).handle(&messages).await;
    assert_eq!(out.committed, messages.len(), "{t}: {out:?}");
}

fn assert_totals(
    dashboard: &serde_json::Value,
    expected: &publisher::simulate::Totals,
    scope: &str,
) {
    let check = |field: &str, got: &serde_json::Value, want: i64| {
        assert_eq!(got.as_i64(), Some(want), "{scope}: {field}");
    };
    check("revenue", &dashboard["revenue"]["amount"], expected.revenue);
    check(
        "ticketsSold",
        &dashboard["ticketsSold"],
        expected.tickets_sold,
    );
    check("orders", &dashboard["orders"], expected.orders);
    check(
        "scans.admitted",
        &dashboard["scans"]["admitted"],
        expected.scans_admitted,
    );
    check(
        "scans.rejected",
        &dashboard["scans"]["rejected"],
        expected.scans_rejected,
    );
    check(
        "scans.duplicate",
        &dashboard["scans"]["duplicate"],
        expected.scans_duplicate,
    );
    check("pageViews", &dashboard["pageViews"], expected.page_views);
    check(
        "uniqueSessions",
        &dashboard["uniqueSessions"],
        expected.unique_sessions,
    );
    check("cart.adds", &dashboard["cart"]["adds"], expected.cart_adds);
    check(
        "cart.checkouts",
        &dashboard["cart"]["checkouts"],
        expected.cart_checkouts,
    );
    check(
        "cart.abandons",
        &dashboard["cart"]["abandons"],
        expected.cart_abandons,
    );
    check(
        "refunds.count",
        &dashboard["refunds"]["count"],
        expected.refunds,
    );
    check(
        "refunds.amount",
        &dashboard["refunds"]["amount"]["amount"],
        expected.refunded_amount,
    );
    check(
        "refunds.tickets",
        &dashboard["refunds"]["tickets"],
        expected.tickets_refunded,
    );
    check(
        "netRevenue",
        &dashboard["netRevenue"]["amount"],
        expected.net_revenue(),
    );
    check(
        "netTicketsSold",
        &dashboard["netTicketsSold"],
        expected.tickets_sold - expected.tickets_refunded,
    );
    assert_eq!(dashboard["revenueBasis"], "gross", "{scope}: revenueBasis");
    let by_reason: std::collections::BTreeMap<String, i64> = dashboard["refunds"]["byReason"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["reason"].as_str().unwrap_or_default().to_owned(),
                r["count"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        by_reason, expected.refunds_by_reason,
        "{scope}: refunds by reason"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_show_night_reads_back_exactly_with_redeliveries_and_bad_input() {
    let local = stack().await;
    let venue = unique("venue");
    let sim = night(&venue, 11, 0.4);
    assert!(
        sim.count(Kind::Duplicate) > 0
            && sim.count(Kind::Malformed) > 0
            && sim.count(Kind::Late) > 0
            && sim.expected.venue.refunds > 0
    );
    let queues = by_queue(&sim);
    // The venue update first (it sets the venue's time zone), then every queue in batches of 50,
    // each batch delivered twice: SQS redelivery must not change a total.
    let order = std::iter::once(EventType::VenueUpdate).chain(
        EventType::ALL
            .into_iter()
            .filter(|t| *t != EventType::VenueUpdate),
    );
    let mut quarantined = 0;
    for t in order {
        let p = pipeline_for(&local, t);
        for batch in queues
            .get(&t)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .chunks(50)
        {
            let first = p.handle(batch).await;
            assert!(
                first.failed.is_empty(),
                "{t}: transient failures {:?}",
                first.failed
            );
            quarantined += first.quarantined;
            let again = p.handle(batch).await;
            assert_eq!(
                again.committed, 0,
                "{t}: a redelivered batch committed events"
            );
        }
    }
    assert_eq!(
        quarantined as u64, sim.expected.rejected,
        "every malformed message is quarantined once"
    );

    let venue_dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_totals(&venue_dash, &sim.expected.venue, "venue");
    let show_dash = get_json(
        &local,
        &format!("/api/dashboards/{venue}?eventId={}", sim.expected.show_id),
    )
    .await;
    assert_totals(&show_dash, &sim.expected.show, "show");

    // Each malformed body is in the quarantine bucket, named by its hash, with its reason.
    for e in sim.events.iter().filter(|e| e.kind == Kind::Malformed) {
        let record = quarantine_record(&local, e.event_type.as_str(), &e.body)
            .await
            .unwrap_or_else(|| panic!("no quarantine object for {}", e.body));
        assert_eq!(record["body"], e.body.as_str());
        assert!(
            record["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{record}"
        );
        assert!(
            record["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{record}"
        );
    }
}

/// The quarantine record of `body`, found by its SHA-256 (the object's name)
/// on every page of the queue's listing: all tests share the bucket.
async fn quarantine_record(
    local: &LocalStack,
    queue: &str,
    body: &str,
) -> Option<serde_json::Value> {
    use sha2::Digest;
    let name = format!(
        "/{}.json",
        hex::encode(sha2::Sha256::digest(body.as_bytes()))
    );
    let bucket = &local.names.quarantine_bucket;
    let mut pages = local
        .aws
        .s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(format!("{queue}/"))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        let Some(key) = page
            .contents()
            .iter()
            .filter_map(|o| o.key())
            .find(|k| k.ends_with(&name))
        else {
            continue;
        };
        let obj = local
            .aws
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        let bytes = obj.body.collect().await.unwrap().into_bytes();
        return Some(serde_json::from_slice(&bytes).unwrap());
    }
    None
}

/// What [`Faulty`] does instead of a commit.
#[derive(Clone, Copy)]
enum Fault {
    /// The process dies: no batch response, so SQS redelivers the whole batch.
    Crash,
    /// DynamoDB throttles: a transient error, so only that chunk's messages are retried.
    Throttle,
    /// Another Lambda's transaction held one of the chunk's items
    /// (`TransactionConflict`): nothing landed, the chunk is retried at once.
    Conflict,
}

/// Fault injection over the real store: before commit number `n` (from 0),
/// `fault(n)` decides whether it goes through.
struct Faulty<F> {
    inner: Arc<dyn IngestStore>,
    commits: AtomicUsize,
    fault: F,
    /// Event indexes of each commit let through, for failure messages.
    passed: std::sync::Mutex<Vec<Vec<usize>>>,
}

impl<F: Fn(usize) -> Option<Fault>> Faulty<F> {
    fn new(local: &LocalStack, fault: F) -> Arc<Self> {
        Arc::new(Faulty {
            inner: real_store(local),
            commits: AtomicUsize::new(0),
            fault,
            passed: std::sync::Mutex::new(Vec::new()),
        })
    }
}

#[async_trait]
impl<F: Fn(usize) -> Option<Fault> + Send + Sync> IngestStore for Faulty<F> {
    async fn venue_contexts(&self, venues: &[String]) -> StoreResult<VenueContexts> {
        self.inner.venue_contexts(venues).await
    }
    async fn commit(
        &self,
        events: &[Event<'_>],
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
    ) -> StoreResult<CommitOutcome> {
        match (self.fault)(self.commits.fetch_add(1, Ordering::SeqCst)) {
            Some(Fault::Crash) => panic!("injected crash before a commit"),
            Some(Fault::Throttle) => Err(StoreError::Transient("injected throttling".into())),
            Some(Fault::Conflict) => Err(StoreError::Conflict(
                "transaction cancelled: TransactionConflict (injected)".into(),
            )),
            None => {
                let r = self.inner.commit(events, plan, ctx).await;
                self.passed.lock().unwrap().push(plan.events.clone());
                r
            }
        }
    }
    async fn record_rejections(
        &self,
        rejections: &[QuarantineRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.record_rejections(rejections, now).await
    }
}

/// A purchase Lambda with small chunks over a [`Faulty`] store.
fn faulty_purchases(
    local: &LocalStack,
    fault: impl Fn(usize) -> Option<Fault> + Send + Sync + 'static,
) -> Pipeline {
    Pipeline::new(
        EventType::TicketPurchase,
        Faulty::new(local, fault),
        quarantine(local),
    )
    .with_config(small_chunks())
}

fn purchases(sim: &Simulation) -> Vec<Message> {
    by_queue(sim)
        .remove(&EventType::TicketPurchase)
        .unwrap_or_default()
}

fn real_store(local: &LocalStack) -> Arc<dyn IngestStore> {
    Arc::new(storage::DynamoIngest::new(
        local.aws.dynamodb.clone(),
        local.names.clone(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_any_two_writes_neither_loses_nor_doubles() {
    let local = stack().await;
    let healthy = Pipeline::new(
        EventType::TicketPurchase,
        real_store(&local),
        quarantine(&local),
    )
    .with_config(small_chunks());
    // Crash before the 1st, 2nd, 3rd … commit, until the batch completes without
    // crashing; each time the whole batch is redelivered to a healthy instance.
    let mut crash_points = 0;
    for allowed in 0..40 {
        let venue = unique("venue");
        let sim = night(&venue, 5, 0.1);
        let batch = purchases(&sim);
        let faulty = Faulty::new(&local, move |n| (n >= allowed).then_some(Fault::Crash));
        let crashing = Arc::new(
            Pipeline::new(
                EventType::TicketPurchase,
                faulty.clone(),
                quarantine(&local),
            )
            .with_config(small_chunks()),
        );
        let b = batch.clone();
        let crashed = tokio::spawn(async move { crashing.handle(&b).await })
            .await
            .is_err();
        let mut redelivered = None;
        if crashed {
            crash_points += 1;
            let outcome = healthy.handle(&batch).await;
            // Every valid message is either written now or found already written;
            // only the malformed ones are quarantined (nothing `store_rejected`).
            let malformed = sim
                .events
                .iter()
                .filter(|e| e.event_type == EventType::TicketPurchase && e.kind == Kind::Malformed)
                .count();
            assert!(outcome.failed.is_empty(), "{outcome:?}");
            assert_eq!(
                (outcome.quarantined, outcome.committed + outcome.duplicates),
                (malformed, batch.len() - malformed),
                "crash before commit {}: {outcome:?}",
                allowed + 1
            );
            redelivered = Some(outcome);
        }
        let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
        let context = format!(
            "crash before commit {} (of a batch of {} purchases); committed before the crash: {:?}; redelivery: {redelivered:?}",
            allowed + 1,
            batch.len(),
            faulty.passed.lock().unwrap(),
        );
        assert_eq!(
            dash["revenue"]["amount"].as_i64(),
            Some(sim.expected.venue.revenue),
            "{context}"
        );
        assert_eq!(
            dash["orders"].as_i64(),
            Some(sim.expected.venue.orders),
            "{context}"
        );
        assert_eq!(
            dash["ticketsSold"].as_i64(),
            Some(sim.expected.venue.tickets_sold),
            "{context}"
        );
        if !crashed {
            break;
        }
    }
    assert!(
        crash_points >= 3,
        "the batch should span several transactions (crashed at {crash_points} points)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_retry_only_their_messages() {
    let local = stack().await;
    let venue = unique("venue");
    let sim = night(&venue, 9, 0.2);
    let batch = purchases(&sim);
    // Every other commit is throttled.
    let flaky = faulty_purchases(&local, |n| (n % 2 == 1).then_some(Fault::Throttle));
    let mut pending = batch.clone();
    let mut rounds = 0;
    while !pending.is_empty() {
        rounds += 1;
        assert!(rounds < 20, "retries did not converge");
        let outcome = flaky.handle(&pending).await;
        assert!(
            outcome
                .failed
                .iter()
                .all(|id| pending.iter().any(|m| &m.id == id)),
            "only pending messages can fail"
        );
        pending.retain(|m| outcome.failed.contains(&m.id));
    }
    assert!(rounds > 1, "the flaky store should have failed some chunks");
    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(
        dash["revenue"]["amount"].as_i64(),
        Some(sim.expected.venue.revenue)
    );
    assert_eq!(dash["orders"].as_i64(), Some(sim.expected.venue.orders));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_conflicts_are_retried_in_place_and_give_up_to_the_queue() {
    let local = stack().await;
    let venue = unique("venue");
    let sim = night(&venue, 10, 0.2);
    let batch = purchases(&sim);
    // Commits 1, 2 and 3 conflict (one chunk three times in a row), then
    // every fifth: each is retried in place, nothing goes back to the queue.
    let contended = faulty_purchases(&local, |n| {
        ((1..=3).contains(&n) || (n > 4 && n % 5 == 0)).then_some(Fault::Conflict)
    });
    let outcome = contended.handle(&batch).await;
    assert!(outcome.failed.is_empty(), "{outcome:?}");
    assert!(outcome.conflict_retries >= 4, "{outcome:?}");
    assert_eq!(
        outcome.committed + outcome.duplicates + outcome.quarantined,
        batch.len()
    );
    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(
        dash["revenue"]["amount"].as_i64(),
        Some(sim.expected.venue.revenue)
    );
    assert_eq!(dash["orders"].as_i64(), Some(sim.expected.venue.orders));

    // A chunk that keeps meeting others goes back to the queue after its retries.
    let jammed = faulty_purchases(&local, |_| Some(Fault::Conflict));
    let more = purchases(&night(&unique("venue"), 11, 0.0));
    let outcome = jammed.handle(&more[..5]).await;
    assert!(!outcome.failed.is_empty(), "{outcome:?}");
    assert_eq!(
        outcome.failed.len() + outcome.quarantined,
        5,
        "every valid message back to the queue: {outcome:?}"
    );
    let retries = usize::try_from(PipelineConfig::default().conflict_retries).unwrap();
    assert!(
        outcome.conflict_retries >= retries && outcome.conflict_retries % retries == 0,
        "{retries} retries per chunk: {outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_event_published_twice_with_new_message_ids_counts_once() {
    let local = stack().await;
    let venue = unique("venue");
    let body = include_str!("../../events/cloudevents/ticket-purchase.json")
        .replace("venue-riverside", &venue)
        .replace("0b6f3c1e-7f0e-4c55-9d1e-1d7c1b0a9f01", &unique("evt"));
    let p = pipeline_for(&local, EventType::TicketPurchase);
    let first = p
        .handle(&[Message {
            id: "a".into(),
            body: body.clone(),
        }])
        .await;
    let second = p
        .handle(&[
            Message {
                id: "b".into(),
                body: body.clone(),
            },
            Message {
                id: "c".into(),
                body,
            },
        ])
        .await;
    assert_eq!(
        (first.committed, second.committed, second.duplicates),
        (1, 0, 2)
    );
    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(dash["revenue"]["amount"].as_i64(), Some(9000));
    assert_eq!(dash["ticketsSold"].as_i64(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_purchases_move_first_purchase_back_and_never_last_purchase() {
    let local = stack().await;
    let venue = unique("venue");
    let customer = unique("user");
    let p = pipeline_for(&local, EventType::TicketPurchase);
    let base = DateTime::from_timestamp(Utc::now().timestamp() - 12 * 3600, 0).unwrap();
    let at = |hours: i64| base + chrono::Duration::hours(hours);
    let purchase = |hours: i64| Message {
        id: unique("msg"),
        body: include_str!("../../events/cloudevents/ticket-purchase.json")
            .replace("venue-riverside", &venue)
            .replace("user-42", &customer)
            .replace("0b6f3c1e-7f0e-4c55-9d1e-1d7c1b0a9f01", &unique("evt"))
            .replace(
                "2026-11-24T19:02:11Z",
                &at(hours).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
    };
    let reader = storage::DynamoReader::new(local.aws.dynamodb.clone(), local.names.clone());
    // (purchase hour, expected first, expected last) after each batch.
    for (hour, first, last) in [(2, 2, 2), (0, 0, 2), (1, 0, 2), (3, 0, 3)] {
        let out = p.handle(&[purchase(hour)]).await;
        assert!(out.failed.is_empty(), "purchase at +{hour}h: {out:?}");
        let row = domain::ports::AnalyticsReader::customer(&reader, &venue, &customer)
            .await
            .unwrap()
            .expect("customer row");
        assert_eq!(
            (row.first_purchase_at, row.last_purchase_at),
            (Some(at(first)), Some(at(last))),
            "after the purchase at +{hour}h"
        );
    }
    let row = domain::ports::AnalyticsReader::customer(&reader, &venue, &customer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.orders, row.spend),
        (4, 36_000),
        "retries add nothing twice"
    );
}

/// A backfill older than the fine rollups' retention (an offline box office
/// uploading last month): its 1-minute rows (kept 8 days) and 5-minute rows
/// (35 days) are not written — TTL would delete them, and until then they
/// would stand alone among their deleted neighbours — while its hours and
/// days count it, as today's purchase counts in all four.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_past_the_fine_retention_writes_only_the_rows_that_are_kept() {
    let local = stack().await;
    let venue = unique("venue");
    let now = Utc::now();
    // (age, amount): today, 10 days ago (past 1m), 40 days ago (past 5m too).
    let sent = [
        (chrono::Duration::minutes(30), 1_000),
        (chrono::Duration::days(10), 2_000),
        (chrono::Duration::days(40), 4_000),
    ];
    let bodies = sent
        .iter()
        .map(|(age, amount)| {
            let mut e: serde_json::Value = serde_json::from_str(include_str!(
                "../../events/cloudevents/ticket-purchase.json"
            ))
            .unwrap();
            e["id"] = unique("evt").into();
            e["time"] = (now - *age)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .into();
            e["data"]["venueId"] = venue.clone().into();
            e["data"]["amount"] = (*amount).into();
            e.to_string()
        })
        .collect();
    commit_all(&local, EventType::TicketPurchase, bodies).await;

    let reader = storage::DynamoReader::new(local.aws.dynamodb.clone(), local.names.clone());
    let (from, to) = (
        (now - chrono::Duration::days(42)).timestamp(),
        (now + chrono::Duration::days(1)).timestamp(),
    );
    for g in Granularity::ALL {
        let rows = domain::ports::AnalyticsReader::rollups(&reader, &venue, None, g, from, to)
            .await
            .unwrap();
        let revenue: i64 = rows.iter().map(|r| r.get(Metric::Revenue)).sum();
        let kept: i64 = sent
            .iter()
            .filter(|(age, _)| {
                g.retention_days()
                    .is_none_or(|days| *age < chrono::Duration::days(days))
            })
            .map(|(_, amount)| amount)
            .sum();
        assert_eq!(revenue, kept, "{g:?} rows: {rows:?}");
    }
}

/// A store that refuses for good (like DynamoDB's `ValidationError`) every
/// chunk holding the event `culprit`, and writes every other chunk for real.
struct Refuses {
    inner: Arc<dyn IngestStore>,
    culprit: String,
    refused: AtomicUsize,
}

#[async_trait]
impl IngestStore for Refuses {
    async fn venue_contexts(&self, venues: &[String]) -> StoreResult<VenueContexts> {
        self.inner.venue_contexts(venues).await
    }
    async fn known(
        &self,
        events: &[Event<'_>],
        plans: &[ChunkPlan<'_>],
    ) -> StoreResult<pipeline::Known> {
        self.inner.known(events, plans).await
    }
    async fn commit(
        &self,
        events: &[Event<'_>],
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
    ) -> StoreResult<CommitOutcome> {
        if plan.events.iter().any(|&i| events[i].id == self.culprit) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(StoreError::Permanent(
                "ValidationError: injected refusal".into(),
            ));
        }
        self.inner.commit(events, plan, ctx).await
    }
    async fn record_rejections(
        &self,
        rejections: &[QuarantineRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.record_rejections(rejections, now).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_refused_for_good_is_bisected_to_its_culprit() {
    let local = stack().await;
    let venue = unique("venue");
    let sample = include_str!("../../events/cloudevents/ticket-purchase.json");
    let ids: Vec<String> = (0..40).map(|i| unique(&format!("evt{i}"))).collect();
    let batch: Vec<Message> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Message {
            id: format!("m{i}"),
            body: sample
                .replace("venue-riverside", &venue)
                .replace("0b6f3c1e-7f0e-4c55-9d1e-1d7c1b0a9f01", id)
                .replace("ord-1001", &format!("ord-{i}"))
                .replace("user-42", &format!("user-{}", i % 7)),
        })
        .collect();
    let store = Arc::new(Refuses {
        inner: real_store(&local),
        culprit: ids[23].clone(),
        refused: AtomicUsize::new(0),
    });
    let p = Pipeline::new(EventType::TicketPurchase, store.clone(), quarantine(&local));
    let out = p.handle(&batch).await;
    assert!(
        out.failed.is_empty(),
        "nothing innocent is retried: {out:?}"
    );
    assert_eq!((out.committed, out.quarantined), (39, 1), "{out:?}");
    // One refusal per level of the bisection, not one per event.
    let refused = store.refused.load(Ordering::SeqCst);
    assert!((2..=8).contains(&refused), "{refused} refusals");
    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(dash["orders"], 39);
    assert_eq!(dash["revenue"]["amount"], 39 * 9000);
    let record = quarantine_record(&local, "ticket-purchase", &batch[23].body)
        .await
        .expect("the culprit is in the quarantine bucket");
    assert_eq!(record["reason"], "store_rejected", "{record}");
    assert!(
        record["detail"]
            .as_str()
            .is_some_and(|d| d.contains("injected refusal")),
        "{record}"
    );
    // Redelivered, the batch changes nothing: 39 are duplicates, the culprit is refused again.
    let again = p.handle(&batch).await;
    assert!(again.failed.is_empty(), "{again:?}");
    assert_eq!(again.duplicates, 39, "{again:?}");
    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(dash["orders"], 39);
}

/// A realtime gateway that takes every push and never answers.
#[derive(Default)]
struct Hangs {
    started: std::sync::Mutex<Vec<String>>,
}

#[async_trait]
impl domain::ports::RealtimePush for Hangs {
    async fn push(&self, venue: &str, _message: &serde_json::Value) -> StoreResult<()> {
        self.started.lock().unwrap().push(venue.to_owned());
        std::future::pending().await
    }
}

/// Pushes go out to every venue at once and cannot hold a batch: with a
/// gateway that never answers, the batch still commits and returns, and
/// every venue's push was started (one at a time, only the first would be).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_that_never_answers_holds_no_batch() {
    let local = stack().await;
    let sample = include_str!("../../events/cloudevents/ticket-purchase.json");
    let venues: Vec<String> = (0..3).map(|i| unique(&format!("push{i}"))).collect();
    let batch: Vec<Message> = venues
        .iter()
        .enumerate()
        .map(|(i, v)| Message {
            id: format!("m{i}"),
            body: sample
                .replace("venue-riverside", v)
                .replace("0b6f3c1e-7f0e-4c55-9d1e-1d7c1b0a9f01", &unique("evt")),
        })
        .collect();
    let hangs = Arc::new(Hangs::default());
    let p = pipeline_for(&local, EventType::TicketPurchase).with_push(Some(
        Arc::clone(&hangs) as Arc<dyn domain::ports::RealtimePush>
    ));
    let outcome = p.handle(&batch).await;
    assert_eq!(outcome.committed, 3, "{outcome:?}");
    assert!(outcome.failed.is_empty(), "{outcome:?}");
    // One push per venue and one per show: six, all started.
    let started = hangs.started.lock().unwrap().clone();
    assert_eq!(started.len(), 6, "{started:?}");
    let distinct: std::collections::BTreeSet<_> = started.into_iter().collect();
    assert_eq!(distinct, venues.into_iter().collect());
}

/// A `ticket-refund` body from the sample, for `venue`/`customer` at `time`.
fn refund_body(
    venue: &str,
    customer: &str,
    time: DateTime<Utc>,
    data: &[(&str, serde_json::Value)],
) -> String {
    let mut event: serde_json::Value =
        serde_json::from_str(include_str!("../../events/cloudevents/ticket-refund.json")).unwrap();
    event["id"] = unique("refund").into();
    event["time"] = time
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        .into();
    event["data"]["venueId"] = venue.into();
    event["data"]["userId"] = customer.into();
    for (k, v) in data {
        event["data"][*k] = v.clone();
    }
    event.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_and_chargebacks_net_out_once_in_their_own_bucket_without_the_order() {
    let local = stack().await;
    let venue = unique("venue");
    let customer = unique("user");
    let now = DateTime::from_timestamp(Utc::now().timestamp() / 3600 * 3600 - 3600, 0).unwrap();
    let hour = |h: i64| now - chrono::Duration::hours(h);
    // Two orders (9000 + 4500 USD, 3 tickets) three hours ago, in another currency one (2000 EUR).
    let purchase = |order: &str, amount: i64, quantity: u32, currency: &str| Message {
        id: unique("msg"),
        body: include_str!("../../events/cloudevents/ticket-purchase.json")
            .replace("venue-riverside", &venue)
            .replace("user-42", &customer)
            .replace("ord-1001", order)
            .replace("\"amount\":9000", &format!("\"amount\":{amount}"))
            .replace("\"quantity\":2", &format!("\"quantity\":{quantity}"))
            .replace(
                "\"currency\":\"USD\"",
                &format!("\"currency\":\"{currency}\""),
            )
            .replace("0b6f3c1e-7f0e-4c55-9d1e-1d7c1b0a9f01", &unique("evt"))
            .replace(
                "2026-11-24T19:02:11Z",
                &hour(3).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
    };
    let refund = |h: i64, data: &[(&str, serde_json::Value)]| Message {
        id: unique("msg"),
        body: refund_body(&venue, &customer, hour(h), data),
    };
    use serde_json::json;
    // The refunds arrive first: they need no lookup of the order.
    let refunds = [
        // A partial refund of one ticket of the first order, an hour later.
        refund(
            2,
            &[
                ("orderId", json!("o1")),
                ("amount", json!(4500)),
                ("quantity", json!(1)),
            ],
        ),
        // The second order disputed, then the dispute won: money and ticket back.
        refund(
            1,
            &[
                ("orderId", json!("o2")),
                ("reason", json!("chargeback")),
                ("status", json!("opened")),
            ],
        ),
        refund(
            0,
            &[
                ("orderId", json!("o2")),
                ("reason", json!("chargeback")),
                ("status", json!("won")),
            ],
        ),
        // A fee refund (money only) in euros.
        refund(
            0,
            &[
                ("orderId", json!("o3")),
                ("amount", json!(300)),
                ("quantity", json!(0)),
                ("currency", json!("EUR")),
            ],
        ),
    ];
    let r = pipeline_for(&local, EventType::TicketRefund);
    let first = r.handle(&refunds).await;
    assert_eq!((first.committed, first.quarantined), (4, 0), "{first:?}");
    let again = r.handle(&refunds).await;
    assert_eq!(
        (again.committed, again.duplicates),
        (0, 4),
        "a refund counts once"
    );
    let p = pipeline_for(&local, EventType::TicketPurchase);
    let bought = p
        .handle(&[
            purchase("o1", 9000, 2, "USD"),
            purchase("o2", 4500, 1, "USD"),
            purchase("o3", 2000, 1, "EUR"),
        ])
        .await;
    assert_eq!(bought.committed, 3, "{bought:?}");

    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(dash["currency"], "USD");
    assert_eq!(dash["revenue"]["amount"].as_i64(), Some(13_500), "gross");
    // 13,500 − 4,500 (partial) − 4,500 (opened) + 4,500 (won).
    assert_eq!(dash["netRevenue"]["amount"].as_i64(), Some(9_000), "net");
    assert_eq!(dash["refunds"]["amount"]["amount"].as_i64(), Some(4_500));
    assert_eq!(dash["refunds"]["count"].as_i64(), Some(4));
    assert_eq!(dash["ticketsSold"].as_i64(), Some(4));
    assert_eq!(dash["netTicketsSold"].as_i64(), Some(3));
    let eur = dash["revenueByCurrency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["revenue"]["currency"] == "EUR")
        .expect("EUR listed");
    assert_eq!(eur["refunded"]["amount"].as_i64(), Some(300));
    assert_eq!(eur["netRevenue"]["amount"].as_i64(), Some(1_700));

    // Each refund in the hour of its own time, not its order's.
    let series = |metric: &str| {
        let local = local.clone();
        let venue = venue.clone();
        let (from, to) = (hour(3), hour(-1));
        let metric = metric.to_owned();
        async move {
            let path = format!(
                "/api/metrics/{venue}?metric={metric}&granularity=1h&from={}&to={}",
                from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            let body = get_json(&local, &path.replace('+', "%2B")).await;
            body["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["value"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(series("refundedAmount").await, vec![0, 4500, 4500, -4500]);
    assert_eq!(series("netRevenue").await, vec![13_500, -4500, -4500, 4500]);
    assert_eq!(series("revenue").await, vec![13_500, 0, 0, 0]);

    // The customer's spend is net, per currency; purchase times are the purchases'.
    let reader = storage::DynamoReader::new(local.aws.dynamodb.clone(), local.names.clone());
    let row = domain::ports::AnalyticsReader::customer(&reader, &venue, &customer)
        .await
        .unwrap()
        .expect("customer row");
    assert_eq!(row.spend_by_currency.get("USD"), Some(&9_000));
    assert_eq!(row.spend_by_currency.get("EUR"), Some(&1_700));
    assert_eq!(row.tickets, 3);
    assert_eq!(row.orders, 3);
    assert_eq!(
        (row.first_purchase_at, row.last_purchase_at),
        (Some(hour(3)), Some(hour(3)))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periods_compare_with_the_previous_one_and_a_year_back_and_doors_read_per_gate() {
    use serde_json::json;
    use tests::scenarios::event;
    let local = stack().await;
    let venue = unique("venue");
    let show = unique("show");
    let now = Utc::now();
    // Local days in UTC: this week's seven days end with today.
    let today = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let (from, to) = (
        today - chrono::Duration::days(6),
        today + chrono::Duration::days(1),
    );
    let starts = now + chrono::Duration::minutes(30);
    let venue_update = event(
        EventType::VenueUpdate,
        &unique("vu"),
        "venue-service",
        now - chrono::Duration::days(400) + chrono::Duration::hours(1),
        json!({"venueId": venue, "timezone": "UTC", "currency": "USD",
               "shows": [{"eventId": show, "name": "Doors test", "startsAt": starts, "capacity": 500}]}),
    );
    // Halfway through today so far: on today's date, never in the future.
    let midday = today + (now - today) / 2;
    let purchase = |days_ago: i64, amount: i64| {
        event(
            EventType::TicketPurchase,
            &unique("p"),
            "ticket-service",
            midday - chrono::Duration::days(days_ago),
            json!({"orderId": unique("o"), "ticketId": unique("t"), "eventId": show, "venueId": venue,
                   "userId": unique("u"), "amount": amount, "currency": "USD", "quantity": 1}),
        )
    };
    // This week 3 orders (30,000), the week before 2 (16,000), 52 weeks ago 1 (5,000).
    let purchases = [
        purchase(0, 10_000),
        purchase(2, 12_000),
        purchase(5, 8_000),
        purchase(8, 9_000),
        purchase(12, 7_000),
        purchase(364, 5_000),
    ];
    // Doors: North 3 and South 1 in one 5-minute bucket, North 2 in the next.
    let doors = (now - chrono::Duration::minutes(40)).timestamp() / 300 * 300;
    let scan = |gate: &str, bucket: i64| {
        let t = DateTime::from_timestamp(doors + bucket * 300 + 10, 0).unwrap();
        event(
            EventType::TicketScan,
            &unique("s"),
            "scanning-service",
            t,
            json!({"ticketId": unique("t"), "eventId": show, "venueId": venue, "entryPoint": gate, "result": "admitted"}),
        )
    };
    let scans = [
        scan("North", 0),
        scan("North", 0),
        scan("North", 0),
        scan("South", 0),
        scan("North", 1),
        scan("North", 1),
    ];
    commit_all(&local, EventType::VenueUpdate, vec![venue_update]).await;
    commit_all(&local, EventType::TicketPurchase, purchases.to_vec()).await;
    commit_all(&local, EventType::TicketScan, scans.to_vec()).await;

    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let dash = |compare: &str| {
        let (local, venue) = (local.clone(), venue.clone());
        let path = format!(
            "/api/dashboards/{venue}?from={}&to={}&compare={compare}",
            rfc(from),
            rfc(to)
        );
        async move { get_json(&local, &path).await }
    };
    let previous = dash("previous").await;
    assert_eq!(
        previous["revenue"]["amount"].as_i64(),
        Some(30_000),
        "this week"
    );
    let c = &previous["comparison"];
    assert_eq!(c["compare"], "previous");
    assert_eq!(
        c["previous"]["revenue"].as_i64(),
        Some(16_000),
        "the week before"
    );
    assert_eq!(c["previous"]["orders"].as_i64(), Some(2));
    assert_eq!(c["changes"]["revenue"]["absolute"].as_f64(), Some(14_000.0));
    assert_eq!(c["changes"]["revenue"]["percent"].as_f64(), Some(87.5));
    let year = dash("year").await;
    assert_eq!(
        year["comparison"]["previous"]["revenue"].as_i64(),
        Some(5_000),
        "52 weeks back"
    );
    assert_eq!(
        year["comparison"]["from"].as_str(),
        Some(rfc(from - chrono::Duration::weeks(52)).as_str())
    );
    // All time is unchanged without a period.
    let all = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(all["revenue"]["amount"].as_i64(), Some(51_000));
    assert!(all["comparison"].is_null());

    // The metrics series, point for point.
    let path = format!(
        "/api/metrics/{venue}?metric=revenue&granularity=1d&from={}&to={}&compare=previous",
        rfc(from),
        rfc(to)
    );
    let series = get_json(&local, &path).await;
    let values = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values(&series["points"]),
        [0, 8_000, 0, 0, 12_000, 0, 10_000]
    );
    assert_eq!(
        values(&series["comparison"]["points"]),
        [0, 7_000, 0, 0, 0, 9_000, 0]
    );

    // Check-ins around doors: per gate per 5 minutes, and the peak.
    let checkins = get_json(
        &local,
        &format!("/api/analytics/{venue}/checkins?eventId={show}"),
    )
    .await;
    let at = |b: i64| rfc(DateTime::from_timestamp(doors + b * 300, 0).unwrap());
    let gate = |name: &str| {
        checkins["gates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["gate"] == name)
            .unwrap_or_else(|| panic!("{name} in {checkins}"))["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["admitted"].as_i64() != Some(0))
            .map(|p| {
                (
                    p["t"].as_str().unwrap().to_owned(),
                    p["admitted"].as_i64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(gate("North"), [(at(0), 3), (at(1), 2)]);
    assert_eq!(gate("South"), [(at(0), 1)]);
    assert_eq!(checkins["gates"][0]["gate"], "North", "busiest first");
    assert_eq!(checkins["peak"]["admitted"].as_i64(), Some(4));
    assert_eq!(checkins["peak"]["t"].as_str(), Some(at(0).as_str()));
}

fn ports_reader(local: &LocalStack) -> Arc<dyn domain::ports::AnalyticsReader> {
    Arc::new(storage::DynamoReader::new(
        local.aws.dynamodb.clone(),
        local.names.clone(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_show_paces_against_the_median_of_the_venues_earlier_shows() {
    use serde_json::json;
    use tests::scenarios::event;
    let local = stack().await;
    let venue = unique("venue");
    let now = Utc::now();
    let day = chrono::Duration::days(1);
    // Three earlier shows (10, 20 and 40 days ago), the next one in 10 days
    // and one more in 12 (for the pacing alert).
    let shows: Vec<(String, DateTime<Utc>)> = [-10, -20, -40, 10, 12]
        .iter()
        .map(|d| (unique("show"), now + day * *d))
        .collect();
    let venue_update = event(
        EventType::VenueUpdate,
        &unique("vu"),
        "venue-service",
        now - day * 100,
        json!({"venueId": venue, "timezone": "UTC", "currency": "USD",
               "shows": shows.iter().map(|(id, at)| json!({"eventId": id, "name": id, "startsAt": at, "capacity": 500})).collect::<Vec<_>>()}),
    );
    // Each earlier show sells `n` tickets 20 days out and `n` more 5 days out;
    // the next show has sold 25 (one refunded) 20 days out and 5 more since.
    let purchase = |show: &str, at: DateTime<Utc>, tickets: u32| {
        event(
            EventType::TicketPurchase,
            &unique("p"),
            "ticket-service",
            at,
            json!({"orderId": unique("o"), "ticketId": unique("t"), "eventId": show, "venueId": venue,
                   "userId": unique("u"), "amount": 1000 * i64::from(tickets), "currency": "USD", "quantity": tickets}),
        )
    };
    let mut purchases = Vec::new();
    for ((show, starts), n) in shows.iter().take(3).zip([10, 20, 30]) {
        purchases.push(purchase(show, *starts - day * 20, n));
        purchases.push(purchase(show, *starts - day * 5, n));
    }
    let (next, starts) = &shows[3];
    purchases.push(purchase(next, *starts - day * 20, 25));
    purchases.push(purchase(next, now - chrono::Duration::hours(1), 5));
    let (later, _) = &shows[4];
    purchases.push(purchase(later, now - chrono::Duration::hours(2), 2));
    let refund = event(
        EventType::TicketRefund,
        &unique("r"),
        "payment-service",
        *starts - day * 19,
        json!({"orderId": "o", "eventId": next, "venueId": venue, "userId": "u", "amount": 1000,
               "currency": "USD", "quantity": 1, "reason": "refund"}),
    );
    commit_all(&local, EventType::VenueUpdate, vec![venue_update]).await;
    commit_all(&local, EventType::TicketPurchase, purchases).await;
    commit_all(&local, EventType::TicketRefund, vec![refund]).await;

    let p = get_json(
        &local,
        &format!("/api/analytics/{venue}/pacing?eventId={next}&horizonDays=30"),
    )
    .await;
    assert_eq!(p["comparables"].as_array().unwrap().len(), 3, "{p}");
    let point = |d: i64| {
        p["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["daysBefore"] == d)
            .unwrap()
            .clone()
    };
    // 20 days out: 10, 20, 30 → median 20; the next show 25.
    assert_eq!(point(20)["median"].as_f64(), Some(20.0));
    assert_eq!(point(20)["tickets"].as_i64(), Some(25));
    // Day 0 of the earlier shows: 20, 40, 60.
    assert_eq!(point(0)["median"].as_f64(), Some(40.0));
    assert_eq!(
        (point(0)["min"].as_i64(), point(0)["max"].as_i64()),
        (Some(20), Some(60))
    );
    assert!(point(5)["tickets"].is_null(), "5 days out is still ahead");
    // Today, 10 days out: 25 − 1 refunded + 5 = 29 against a median of 20.
    let today = &p["now"];
    assert_eq!(today["daysBefore"].as_i64(), Some(10), "{p}");
    assert_eq!(today["tickets"].as_i64(), Some(29));
    assert_eq!(today["aheadBy"].as_f64(), Some(9.0));
    // No eventId: a clear 400; an unknown show: 404.
    let (s, _) = tests::get_status(&local, &format!("/api/analytics/{venue}/pacing")).await;
    assert_eq!(s, 400);
    let (s, _) = tests::get_status(
        &local,
        &format!("/api/analytics/{venue}/pacing?eventId=nope"),
    )
    .await;
    assert_eq!(s, 404);

    // The show report carries the same pacing (and says where it stands).
    let data = jobs::reports::build_report_data(
        ports_reader(&local).as_ref(),
        &venue,
        Some(next),
        now - day * 30,
        now,
        domain::Granularity::Hour,
        now,
    )
    .await
    .unwrap();
    let pacing = data.pacing.expect("a show report has pacing");
    assert_eq!(pacing.comparables, 3);
    assert_eq!(
        pacing.standing.as_deref(),
        Some("29 tickets at 10 days out, ahead of the median of 3 earlier shows by 9 (45.0%)")
    );
    let twenty = pacing.points.iter().find(|x| x.days_before == 20).unwrap();
    assert_eq!((twenty.tickets, twenty.median), (Some(25), Some(20.0)));

    // Alert rules "pacing behind by 50% within 14 days out": the show 12 days
    // out has 2 tickets where the earlier four (10, 20, 30 and the next
    // show's 24) had a median of 22 → 90.9% behind, fires; the next show,
    // ahead, does not.
    let ports = runner::schedules::job_ports(&local.aws, &local.names, None);
    for (id, event_id) in [("pace-any", None), ("pace-next", Some(next.clone()))] {
        let rule = insights::alerts::AlertRule {
            id: id.into(),
            venue_id: venue.clone(),
            name: format!("Pacing {id}"),
            kind: insights::alerts::RuleKind::PacingBehind {
                event_id,
                days_before: 14,
                behind_pct: 50.0,
            },
            enabled: true,
            webhook_url: None,
        };
        rule.validate().unwrap();
        ports
            .docs
            .put(
                jobs::alerts::RULE_KIND,
                &venue,
                id,
                &serde_json::json!({"createdAt": Utc::now(), "updatedAt": Utc::now(), "createdBy": "tests"})
                    .as_object()
                    .unwrap()
                    .clone()
                    .into_iter()
                    .chain(serde_json::to_value(&rule).unwrap().as_object().unwrap().clone())
                    .collect(),
                None,
            )
            .await
            .unwrap();
    }
    jobs::alerts::run(&ports, Utc::now()).await.unwrap();
    let alerts = get_json(&local, &format!("/api/alerts/{venue}")).await;
    let state = |id: &str| {
        alerts["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["ruleId"] == id)
            .unwrap_or_else(|| panic!("no state for {id}: {alerts}"))
            .clone()
    };
    let any = state("pace-any");
    assert_eq!(any["status"], "firing", "{any}");
    let behind = any["lastValue"].as_f64().unwrap();
    assert!((behind - 20.0 / 22.0 * 100.0).abs() < 1e-9, "{any}");
    assert!(
        any["message"].as_str().unwrap().contains(later.as_str()),
        "{any}"
    );
    assert_eq!(state("pace-next")["status"], "ok", "{alerts}");
}

/// A venue's first events arrive before its `venue-update` names the zone
/// (Kathmandu, +05:45): they land in a UTC day row. The day report and the
/// API both count that local day once, with every order in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_counts_a_local_day_once_when_its_first_events_came_before_the_zone() {
    use serde_json::json;
    use tests::scenarios::event;
    let local = stack().await;
    let venue = unique("venue-ktm");
    let now = Utc::now();
    let tz = chrono_tz::Asia::Kathmandu;
    // Local day D = two days ago; 03:00Z and 10:00Z are 08:45 and 15:45 on D.
    let d = (now - chrono::Duration::days(2)).date_naive();
    let utc = |h: u32| d.and_hms_opt(h, 0, 0).unwrap().and_utc();
    let purchase = |at: DateTime<Utc>, amount: i64| {
        event(
            EventType::TicketPurchase,
            &unique("p"),
            "box-office",
            at,
            json!({"orderId": unique("o"), "ticketId": unique("t"), "eventId": unique("show"),
                   "venueId": venue, "userId": unique("u"), "amount": amount, "currency": "USD", "quantity": 1}),
        )
    };
    commit_all(
        &local,
        EventType::TicketPurchase,
        vec![purchase(utc(3), 1_000)],
    )
    .await;
    let venue_update = event(
        EventType::VenueUpdate,
        &unique("vu"),
        "venue-service",
        now - chrono::Duration::days(30),
        json!({"venueId": venue, "timezone": "Asia/Kathmandu", "currency": "USD", "shows": []}),
    );
    commit_all(&local, EventType::VenueUpdate, vec![venue_update]).await;
    commit_all(
        &local,
        EventType::TicketPurchase,
        vec![purchase(utc(10), 2_000)],
    )
    .await;

    let day = |date: chrono::NaiveDate| domain::rollup::local_day_start(date, tz);
    let (from, to) = (day(d.pred_opt().unwrap()), day(d.succ_opt().unwrap()));
    let data = jobs::reports::build_report_data(
        ports_reader(&local).as_ref(),
        &venue,
        None,
        from,
        to,
        Granularity::Day,
        now,
    )
    .await
    .unwrap();
    let dates: Vec<chrono::NaiveDate> = data
        .daily
        .iter()
        .map(|r| r.bucket_start.with_timezone(&tz).date_naive())
        .collect();
    let mut unique_dates = dates.clone();
    unique_dates.dedup();
    assert_eq!(
        dates, unique_dates,
        "a local date twice in {:?}",
        data.daily
    );
    let on_d: Vec<_> = data
        .daily
        .iter()
        .filter(|r| r.bucket_start.with_timezone(&tz).date_naive() == d)
        .collect();
    assert_eq!(on_d.len(), 1);
    assert_eq!((on_d[0].orders, on_d[0].revenue), (2, 3_000));
    assert_eq!(data.rows, data.daily, "a 1d report's rows are its days");
}
