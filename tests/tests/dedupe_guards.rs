//! Events are deduplicated by a guard item (`storage::dedupe_tokens`) — a
//! purchase or refund by its customer's item, every other event by a dedupe
//! bucket — not by a marker each: these tests drive the real pipeline against
//! the emulator through the cases that could count one twice — a customer id
//! that buys all the time and a minute of doors that overflows its buckets
//! (marker mode), two Lambdas at once, a pre-check that sees nothing, items
//! written before tokens or buckets existed, an erased customer, returning
//! customers' purchases out of time order — and compare with totals summed
//! from the generated events themselves.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};
use domain::aggregate::{ChunkPlan, VenueContexts};
use domain::ports::{AnalyticsReader, StoreResult};
use domain::{Event, EventType};
use pipeline::{
    BatchOutcome, CommitContext, CommitOutcome, IngestStore, Known, Message, Pipeline,
    QuarantineRecord,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use runner::LocalStack;
use storage::dedupe_tokens::{
    BUCKET_TOKEN_LIMIT, CUSTOMER_TOKEN_LIMIT, MARKERS_UNTIL, SEEN_COUNT, is_token_attr,
};
use tests::{get_json, quarantine, stack, unique};

#[derive(Debug, Clone)]
struct Purchase {
    id: String,
    amount: i64,
    quantity: i64,
    time: DateTime<Utc>,
}

/// Purchases as platforms send them: ids in several shapes (UUIDs, order
/// lines with `:`, `/`, `|` and `.`), amounts in minor units, times over the
/// last ten hours.
/// Ids are unique per run: an event id is global to its source, so one
/// repeated from an earlier run would rightly be a duplicate.
fn purchases(rng: &mut StdRng, n: usize) -> Vec<Purchase> {
    let now = Utc::now();
    let run = uuid::Uuid::new_v4().simple().to_string();
    (0..n)
        .map(|i| Purchase {
            id: match i % 3 {
                0 => uuid::Uuid::new_v4().to_string(),
                1 => format!(
                    "order:{}-{}/line.{}|{i}",
                    &run[..8],
                    rng.random_range(1000..9999),
                    i % 4
                ),
                _ => unique("po"),
            },
            amount: rng.random_range(500..50_000),
            quantity: rng.random_range(1..6),
            time: now - Duration::seconds(rng.random_range(60..36_000)),
        })
        .collect()
}

fn body(venue: &str, customer: &str, p: &Purchase) -> String {
    let mut event: serde_json::Value = serde_json::from_str(include_str!(
        "../../events/cloudevents/ticket-purchase.json"
    ))
    .unwrap();
    event["id"] = p.id.clone().into();
    event["time"] = p.time.to_rfc3339_opts(SecondsFormat::Secs, true).into();
    event["data"]["venueId"] = venue.into();
    event["data"]["userId"] = customer.into();
    event["data"]["amount"] = p.amount.into();
    event["data"]["quantity"] = p.quantity.into();
    event.to_string()
}

fn message(venue: &str, customer: &str, p: &Purchase) -> Message {
    Message {
        id: unique("msg"),
        body: body(venue, customer, p),
    }
}

/// A fresh ingest Lambda: its own store, nothing cached.
fn lambda(local: &LocalStack) -> Pipeline {
    storage::wire::ingest_pipeline(EventType::TicketPurchase, &local.aws, &local.names)
}

/// A fresh store. Buckets of minutes before `cutover` are legacy; tests that
/// count markers name it (another test process may have met the dedupe table
/// before the runner recorded its cut-over, and proposed a later one).
fn store(local: &LocalStack, cutover: DateTime<Utc>) -> storage::DynamoIngest {
    storage::DynamoIngest::new(local.aws.dynamodb.clone(), local.names.clone())
        .with_bucket_cutover(cutover)
}

fn scan_lambda(local: &LocalStack) -> Pipeline {
    Pipeline::new(
        EventType::TicketScan,
        Arc::new(store(local, DateTime::UNIX_EPOCH)),
        quarantine(local),
    )
}

fn blind_scan_lambda(local: &LocalStack) -> Pipeline {
    Pipeline::new(
        EventType::TicketScan,
        Arc::new(Blind(store(local, DateTime::UNIX_EPOCH))),
        quarantine(local),
    )
}

/// Handles `batch`, retrying what failed (conflicts between Lambdas), until
/// every message is settled; returns (committed, duplicates).
async fn settle(p: &Pipeline, batch: Vec<Message>) -> (usize, usize) {
    let (mut committed, mut duplicates) = (0, 0);
    let mut pending = batch;
    for _ in 0..20 {
        if pending.is_empty() {
            return (committed, duplicates);
        }
        let out = p.handle(&pending).await;
        assert_eq!(out.quarantined, 0, "{out:?}");
        committed += out.committed;
        duplicates += out.duplicates;
        pending.retain(|m| out.failed.contains(&m.id));
    }
    panic!("messages kept failing: {pending:?}");
}

fn reader(local: &LocalStack) -> storage::DynamoReader {
    storage::DynamoReader::new(local.aws.dynamodb.clone(), local.names.clone())
}

async fn raw_customer(
    local: &LocalStack,
    venue: &str,
    customer: &str,
) -> BTreeMap<String, AttributeValue> {
    local
        .aws
        .dynamodb
        .get_item()
        .table_name(&local.names.customers)
        .key("pk", AttributeValue::S(venue.into()))
        .key("sk", AttributeValue::S(customer.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .collect()
}

fn tokens(item: &BTreeMap<String, AttributeValue>) -> usize {
    item.keys().filter(|k| is_token_attr(k)).count()
}

/// Dashboard totals and the customer's row against sums over `expected`.
async fn assert_counted_once(
    local: &LocalStack,
    venue: &str,
    customer: &str,
    expected: &[Purchase],
) {
    let revenue: i64 = expected.iter().map(|p| p.amount).sum();
    let tickets: i64 = expected.iter().map(|p| p.quantity).sum();
    let orders = i64::try_from(expected.len()).unwrap();
    let dash = get_json(local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(
        (
            dash["revenue"]["amount"].as_i64(),
            dash["orders"].as_i64(),
            dash["ticketsSold"].as_i64()
        ),
        (Some(revenue), Some(orders), Some(tickets)),
        "dashboard"
    );
    let row = reader(local)
        .customer(venue, customer)
        .await
        .unwrap()
        .expect("the customer's row");
    assert_eq!(
        (row.orders, row.spend, row.tickets),
        (orders, revenue, tickets),
        "customer row"
    );
}

/// The real store, except that its pre-check never finds anything (as when
/// an eventually consistent read misses): the transactions' conditions alone
/// must keep each event counted once.
struct Blind(storage::DynamoIngest);

#[async_trait]
impl IngestStore for Blind {
    async fn venue_contexts(&self, venues: &[String]) -> StoreResult<VenueContexts> {
        self.0.venue_contexts(venues).await
    }
    async fn known(&self, _: &[Event<'_>], _: &[ChunkPlan<'_>]) -> StoreResult<Known> {
        Ok(Known::default())
    }
    async fn commit(
        &self,
        events: &[Event<'_>],
        plan: &ChunkPlan<'_>,
        ctx: &CommitContext,
    ) -> StoreResult<CommitOutcome> {
        self.0.commit(events, plan, ctx).await
    }
    async fn record_rejections(
        &self,
        rejections: &[QuarantineRecord],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0.record_rejections(rejections, now).await
    }
}

fn blind_lambda(local: &LocalStack) -> Pipeline {
    Pipeline::new(
        EventType::TicketPurchase,
        Arc::new(Blind(storage::DynamoIngest::new(
            local.aws.dynamodb.clone(),
            local.names.clone(),
        ))),
        quarantine(local),
    )
}

/// Delivers each of `items` one to three times, shuffled, in batches of
/// 1–`max_batch`, two Lambdas handling neighbouring batches at once (as SQS
/// does, at least once); returns how many deliveries committed.
async fn deliver_at_least_once<T>(
    local: &LocalStack,
    rng: &mut StdRng,
    items: &[T],
    max_batch: usize,
    lambda: fn(&LocalStack) -> Pipeline,
    message: impl Fn(&T) -> Message,
) -> usize {
    let mut deliveries: Vec<&T> = items
        .iter()
        .flat_map(|item| std::iter::repeat_n(item, rng.random_range(1..=3)))
        .collect();
    deliveries.shuffle(rng);
    let mut batches = Vec::new();
    while !deliveries.is_empty() {
        let n = rng.random_range(1..=max_batch).min(deliveries.len());
        batches.push(deliveries.drain(..n).map(&message).collect::<Vec<_>>());
    }
    let (a, b) = (lambda(local), lambda(local));
    let mut committed = 0;
    let mut batches = batches.into_iter();
    while let Some(first) = batches.next() {
        let second = batches.next().unwrap_or_default();
        let ((c1, _), (c2, _)) = tokio::join!(settle(&a, first), settle(&b, second));
        committed += c1 + c2;
    }
    committed
}

/// One customer id buys 40 times; every purchase is delivered one to three
/// times, in shuffled batches of 1–12, two Lambdas handling neighbouring
/// batches at once. Returns the redelivery of everything to a fresh Lambda.
async fn hot_customer(
    local: &LocalStack,
    seed: u64,
    lambda: fn(&LocalStack) -> Pipeline,
) -> BatchOutcome {
    let venue = unique("venue");
    let customer = "guest";
    let mut rng = StdRng::seed_from_u64(seed);
    let all = purchases(&mut rng, 40);
    let committed = deliver_at_least_once(local, &mut rng, &all, 12, lambda, |p| {
        message(&venue, customer, p)
    })
    .await;
    assert_eq!(committed, all.len(), "each purchase commits exactly once");
    assert_counted_once(local, &venue, customer, &all).await;

    let item = raw_customer(local, &venue, customer).await;
    assert!(
        tokens(&item) <= usize::try_from(CUSTOMER_TOKEN_LIMIT).unwrap(),
        "the item holds at most {CUSTOMER_TOKEN_LIMIT} tokens: {}",
        tokens(&item)
    );
    assert!(
        item.contains_key(MARKERS_UNTIL),
        "past the limit: marker mode"
    );

    let again: Vec<Message> = all.iter().map(|p| message(&venue, customer, p)).collect();
    let out = lambda(local).handle(&again).await;
    assert_eq!((out.committed, out.duplicates), (0, all.len()), "{out:?}");
    assert_counted_once(local, &venue, customer, &all).await;

    // A burst of 100 in one batch: planned without markers, a customer in
    // marker mode needs 100 of them, past a transaction's 100 actions; the
    // chunk is planned again with them counted.
    let burst = purchases(&mut rng, 100);
    let batch = burst.iter().map(|p| message(&venue, customer, p)).collect();
    assert_eq!(settle(&lambda(local), batch).await, (100, 0));
    let everything: Vec<Purchase> = all.iter().chain(&burst).cloned().collect();
    assert_counted_once(local, &venue, customer, &everything).await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_buys_all_the_time_moves_to_markers_and_counts_each_purchase_once() {
    let local = stack().await;
    let redelivered = hot_customer(&local, 11, lambda).await;
    assert_eq!(
        redelivered.transactions, 0,
        "a fresh Lambda's pre-check knows every token and marker"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_pre_check_the_conditions_alone_count_each_purchase_once() {
    let local = stack().await;
    let redelivered = hot_customer(&local, 14, blind_lambda).await;
    assert!(redelivered.transactions > 0, "{redelivered:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_counted_before_tokens_existed_is_still_known_by_its_marker() {
    let local = stack().await;
    let venue = unique("venue");
    let customer = unique("user");
    let mut rng = StdRng::seed_from_u64(12);
    let old = purchases(&mut rng, 1).remove(0);
    // What the code before tokens left: a marker per event, a customer item
    // with its totals and no dedupe state.
    let ddb = &local.aws.dynamodb;
    ddb.put_item()
        .table_name(&local.names.dedupe)
        .item(
            "pk",
            AttributeValue::S(format!("evt#ticket-service#{}", old.id)),
        )
        .item(
            "expiresAt",
            AttributeValue::N((Utc::now() + Duration::days(30)).timestamp().to_string()),
        )
        .send()
        .await
        .unwrap();
    ddb.put_item()
        .table_name(&local.names.customers)
        .item("pk", AttributeValue::S(venue.clone()))
        .item("sk", AttributeValue::S(customer.clone()))
        .item("orders", AttributeValue::N("1".into()))
        .item("spend", AttributeValue::N(old.amount.to_string()))
        .item("tickets", AttributeValue::N(old.quantity.to_string()))
        .send()
        .await
        .unwrap();

    assert_eq!(
        settle(&lambda(&local), vec![message(&venue, &customer, &old)]).await,
        (0, 1),
        "redelivered after the upgrade: known by its marker"
    );
    let new = purchases(&mut rng, 1).remove(0);
    assert_eq!(
        settle(&lambda(&local), vec![message(&venue, &customer, &new)]).await,
        (1, 0)
    );
    // The legacy customer stays in marker mode while old markers may exist.
    let item = raw_customer(&local, &venue, &customer).await;
    assert_eq!(tokens(&item), 0, "{item:?}");
    assert!(item.contains_key(MARKERS_UNTIL) && !item.contains_key(SEEN_COUNT));
    for p in [&old, &new] {
        assert_eq!(
            settle(&lambda(&local), vec![message(&venue, &customer, p)]).await,
            (0, 1),
            "{} delivered again",
            p.id
        );
    }
    let row = reader(&local)
        .customer(&venue, &customer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.orders, row.spend), (2, old.amount + new.amount));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_customer_stays_erased_and_its_purchases_stay_counted_once() {
    let local = stack().await;
    let venue = unique("venue");
    let customer = unique("user");
    let mut rng = StdRng::seed_from_u64(13);
    let bought = purchases(&mut rng, 3);
    let batch = |ps: &[Purchase]| ps.iter().map(|p| message(&venue, &customer, p)).collect();
    assert_eq!(settle(&lambda(&local), batch(&bought)).await, (3, 0));

    let r = reader(&local);
    assert!(r.erase_customer(&venue, &customer).await.unwrap());
    assert_eq!(r.customer(&venue, &customer).await.unwrap(), None);
    let item = raw_customer(&local, &venue, &customer).await;
    assert_eq!(tokens(&item), 3, "dedupe state kept: {item:?}");
    assert!(
        !item.contains_key("orders") && !item.contains_key("spend") && !item.contains_key("h0"),
        "no personal metrics left: {item:?}"
    );
    assert!(r.customers(&venue).await.unwrap().is_empty());
    assert!(
        !r.erase_customer(&venue, &customer).await.unwrap(),
        "already erased"
    );

    // Redelivered after the erasure: known, and the customer is not recreated.
    assert_eq!(settle(&lambda(&local), batch(&bought)).await, (0, 3));
    assert_eq!(r.customer(&venue, &customer).await.unwrap(), None);
    let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
    assert_eq!(
        dash["revenue"]["amount"].as_i64(),
        Some(bought.iter().map(|p| p.amount).sum::<i64>()),
        "the venue's totals keep the erased customer's purchases, once"
    );

    // A new purchase afterwards is new data.
    let later = purchases(&mut rng, 1);
    assert_eq!(settle(&lambda(&local), batch(&later)).await, (1, 0));
    let row = r.customer(&venue, &customer).await.unwrap().unwrap();
    assert_eq!((row.orders, row.spend), (1, later[0].amount));
}

/// Box-office uploads and offline sales: returning customers' purchases
/// arrive out of time order, several of one customer per batch and split
/// over chunks, each batch on a fresh Lambda. The pre-check reads each
/// stored customer's first and last purchase and every commit carries them
/// on to the batch's next chunks, so the first attempt's guards hold: no
/// transaction is cancelled to learn them. Blind (conditions alone), the
/// same stream is cancelled and re-planned. Both end with each customer's
/// first and last purchase, orders and spend as summed from the purchases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_customers_out_of_order_purchases_are_guarded_right_the_first_time() {
    let local = stack().await;
    let mut rng = StdRng::seed_from_u64(37);
    let run = &uuid::Uuid::new_v4().simple().to_string()[..8];
    for blind in [false, true] {
        let venue = unique("venue");
        // Customer ids as platforms have them; a few buy most of the tickets.
        let customers: Vec<String> = (0..10)
            .map(|i| match i % 3 {
                0 => format!("fan.{i}@{run}.example"),
                1 => format!("box-office:{run}/walk-up|{i}"),
                _ => format!("{run}-zoë-{i}"),
            })
            .collect();
        let mut sent: Vec<(usize, Purchase)> = purchases(&mut rng, 200)
            .into_iter()
            .map(|p| (rng.random_range(0..10usize).min(rng.random_range(0..10)), p))
            .collect();
        sent.shuffle(&mut rng);
        let mut cancelled = 0;
        let mut rest = &sent[..];
        while !rest.is_empty() {
            let (batch, later) = rest.split_at(rng.random_range(1..=40).min(rest.len()));
            rest = later;
            let store = store(&local, DateTime::UNIX_EPOCH);
            let counters = Arc::clone(&store.counters);
            let store: Arc<dyn IngestStore> = if blind {
                Arc::new(Blind(store))
            } else {
                Arc::new(store)
            };
            let p = Pipeline::new(EventType::TicketPurchase, store, quarantine(&local))
                .with_config(tests::small_chunks());
            let messages = batch
                .iter()
                .map(|(c, p)| message(&venue, &customers[*c], p))
                .collect();
            assert_eq!(settle(&p, messages).await, (batch.len(), 0));
            cancelled += counters.cancelled.load(Ordering::Relaxed);
        }
        let r = reader(&local);
        for (c, customer) in customers.iter().enumerate() {
            let theirs: Vec<&Purchase> = sent
                .iter()
                .filter(|(i, _)| *i == c)
                .map(|(_, p)| p)
                .collect();
            let row = r.customer(&venue, customer).await.unwrap();
            let Some(row) = row else {
                assert!(theirs.is_empty(), "{customer} has no row");
                continue;
            };
            let at = |t: DateTime<Utc>| t.trunc_subsecs(0);
            assert_eq!(
                (
                    row.first_purchase_at,
                    row.last_purchase_at,
                    row.orders,
                    row.spend
                ),
                (
                    theirs.iter().map(|p| at(p.time)).min(),
                    theirs.iter().map(|p| at(p.time)).max(),
                    i64::try_from(theirs.len()).unwrap(),
                    theirs.iter().map(|p| p.amount).sum()
                ),
                "{customer} (blind: {blind})"
            );
        }
        if blind {
            assert!(cancelled > 0, "blind guards learn by cancellation");
        } else {
            assert_eq!(
                cancelled, 0,
                "the pre-check and the commits set every guard"
            );
        }
    }
}

#[derive(Debug, Clone)]
struct Scan {
    id: String,
    source: &'static str,
    ticket: String,
    gate: &'static str,
    result: &'static str,
    time: DateTime<Utc>,
}

/// Scans as gates send them: ids as UUIDs, barcodes and offline scanners'
/// composite ids (`gate-3/scan:…|retry.1`), two sources, three results.
/// Three in four from one source in one minute of doors (750 of 1,000 are
/// more than its buckets hold: 16 slots × [`BUCKET_TOKEN_LIMIT`]), the rest
/// over the last 90 minutes.
/// Ids are unique per run.
fn scans(rng: &mut StdRng, n: usize, hot_minute: DateTime<Utc>) -> Vec<Scan> {
    let run = &uuid::Uuid::new_v4().simple().to_string()[..10];
    let now = Utc::now();
    (0..n)
        .map(|i| Scan {
            id: match i % 3 {
                0 => uuid::Uuid::new_v4().to_string(),
                1 => format!("{run}{:013}", rng.random_range(0..10_000_000_000_000_i64)),
                _ => format!("gate-{}/scan:{run}-{i}|retry.{}", i % 7, i % 2),
            },
            // The hot minute from one source, the rest from either.
            source: if i % 4 != 3 || i % 8 == 3 {
                "scanning-service"
            } else {
                "gate-app"
            },
            ticket: format!("tkt-{}", rng.random_range(0..100_000)),
            gate: ["North Gate", "South Gate", "VIP"][rng.random_range(0..3)],
            result: match rng.random_range(0..20) {
                0 => "rejected",
                1 | 2 => "duplicate",
                _ => "admitted",
            },
            time: if i % 4 != 3 {
                hot_minute + Duration::milliseconds(rng.random_range(0..60_000))
            } else {
                now - Duration::seconds(rng.random_range(60..5_400))
            },
        })
        .collect()
}

fn scan_message(venue: &str, s: &Scan) -> Message {
    let mut event: serde_json::Value =
        serde_json::from_str(include_str!("../../events/cloudevents/ticket-scan.json")).unwrap();
    event["id"] = s.id.clone().into();
    event["source"] = s.source.into();
    event["time"] = s.time.to_rfc3339_opts(SecondsFormat::Millis, true).into();
    event["data"]["venueId"] = venue.into();
    event["data"]["ticketId"] = s.ticket.clone().into();
    event["data"]["entryPoint"] = s.gate.into();
    event["data"]["result"] = s.result.into();
    Message {
        id: unique("msg"),
        body: event.to_string(),
    }
}

/// The dashboard's scan counts against counts over `expected`.
async fn assert_scans_counted_once(local: &LocalStack, venue: &str, expected: &[Scan]) {
    let count = |r: &str| i64::try_from(expected.iter().filter(|s| s.result == r).count()).ok();
    let dash = get_json(local, &format!("/api/dashboards/{venue}")).await;
    let scans = &dash["scans"];
    assert_eq!(
        (
            scans["admitted"].as_i64(),
            scans["rejected"].as_i64(),
            scans["duplicate"].as_i64()
        ),
        (count("admitted"), count("rejected"), count("duplicate")),
        "dashboard scans"
    );
}

/// Every item of the dedupe table whose key starts with `prefix`.
async fn dedupe_items(local: &LocalStack, prefix: &str) -> Vec<BTreeMap<String, AttributeValue>> {
    let mut pages = local
        .aws
        .dynamodb
        .scan()
        .table_name(&local.names.dedupe)
        .filter_expression("begins_with(pk, :p)")
        .expression_attribute_values(":p", AttributeValue::S(prefix.into()))
        .consistent_read(true)
        .into_paginator()
        .items()
        .send();
    let mut out = Vec::new();
    while let Some(item) = pages.next().await {
        out.push(item.unwrap().into_iter().collect());
    }
    out
}

/// 1,000 scans, three in four in one minute; each delivered one to three times, in
/// shuffled batches of 1–100, two Lambdas handling neighbouring batches at
/// once. Returns the redelivery of everything to a fresh Lambda.
async fn doors(local: &LocalStack, seed: u64, lambda: fn(&LocalStack) -> Pipeline) -> BatchOutcome {
    let venue = unique("venue");
    let mut rng = StdRng::seed_from_u64(seed);
    let hot = Utc::now() - Duration::minutes(30);
    let hot = hot - Duration::seconds(hot.timestamp() % 60);
    let all = scans(&mut rng, 1000, hot);
    let committed = deliver_at_least_once(local, &mut rng, &all, 100, lambda, |s| {
        scan_message(&venue, s)
    })
    .await;
    assert_eq!(committed, all.len(), "each scan commits exactly once");
    assert_scans_counted_once(local, &venue, &all).await;

    let buckets = dedupe_items(local, &format!("bkt#{venue}#")).await;
    let limit = usize::try_from(BUCKET_TOKEN_LIMIT).unwrap();
    assert!(
        buckets.iter().all(|b| tokens(b) <= limit),
        "a bucket holds at most {limit} tokens"
    );
    let hot_key = format!("#{:011}#", hot.timestamp());
    let overflowing = buckets
        .iter()
        .filter(|b| matches!(&b["pk"], AttributeValue::S(pk) if pk.contains(&hot_key)))
        .filter(|b| b.contains_key(MARKERS_UNTIL))
        .count();
    assert!(
        overflowing > 0,
        "the hot minute's buckets overflow into marker mode"
    );
    let tokened: usize = buckets.iter().map(tokens).sum();
    assert!(
        tokened >= all.len() / 2,
        "most scans are guarded by tokens, not markers: {tokened} of {}",
        all.len()
    );

    let again: Vec<Message> = all.iter().map(|s| scan_message(&venue, s)).collect();
    let mut out = BatchOutcome::default();
    for batch in again.chunks(100) {
        let o = lambda(local).handle(batch).await;
        out.committed += o.committed;
        out.duplicates += o.duplicates;
        out.transactions += o.transactions;
    }
    assert_eq!((out.committed, out.duplicates), (0, all.len()), "{out:?}");
    assert_scans_counted_once(local, &venue, &all).await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minute_of_doors_overflows_its_buckets_and_counts_each_scan_once() {
    let local = stack().await;
    let redelivered = doors(&local, 21, scan_lambda).await;
    assert_eq!(
        redelivered.transactions, 0,
        "a fresh Lambda's pre-check knows every token and marker"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_pre_check_the_bucket_conditions_alone_count_each_scan_once() {
    let local = stack().await;
    let redelivered = doors(&local, 22, blind_scan_lambda).await;
    assert!(redelivered.transactions > 0, "{redelivered:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_counted_before_buckets_existed_is_still_known_by_its_marker() {
    let local = stack().await;
    let venue = unique("venue");
    let mut rng = StdRng::seed_from_u64(23);
    let cutover = Utc::now() - Duration::minutes(10);
    let before = cutover - Duration::minutes(20);
    let mut old = scans(&mut rng, 3, before);
    for s in &mut old {
        s.time = before;
    }
    // What the code before buckets left: a marker for the first scan.
    local
        .aws
        .dynamodb
        .put_item()
        .table_name(&local.names.dedupe)
        .item(
            "pk",
            AttributeValue::S(format!("evt#{}#{}", old[0].source, old[0].id)),
        )
        .item(
            "expiresAt",
            AttributeValue::N((Utc::now() + Duration::days(30)).timestamp().to_string()),
        )
        .send()
        .await
        .unwrap();
    // Lambdas of the new version, which know the cut-over.
    let legacy_lambda = || {
        Pipeline::new(
            EventType::TicketScan,
            Arc::new(Blind(store(&local, cutover))),
            quarantine(&local),
        )
    };
    let checking_lambda = || {
        Pipeline::new(
            EventType::TicketScan,
            Arc::new(store(&local, cutover)),
            quarantine(&local),
        )
    };
    let one = |s: &Scan| vec![scan_message(&venue, s)];
    assert_eq!(
        settle(&legacy_lambda(), one(&old[0])).await,
        (0, 1),
        "redelivered after the upgrade: a duplicate by its marker, even without the pre-check"
    );
    assert_eq!(settle(&legacy_lambda(), one(&old[1])).await, (1, 0));
    // After the cut-over: a token in the bucket, no marker.
    let new = scans(&mut rng, 1, Utc::now())
        .into_iter()
        .map(|s| Scan {
            time: Utc::now() - Duration::minutes(1),
            ..s
        })
        .collect::<Vec<_>>();
    assert_eq!(settle(&legacy_lambda(), one(&new[0])).await, (1, 0));
    let markers = |s: &Scan| format!("evt#{}#{}", s.source, s.id);
    let stored_markers = dedupe_items(&local, "evt#").await;
    let has_marker = |s: &Scan| {
        stored_markers
            .iter()
            .any(|m| matches!(&m["pk"], AttributeValue::S(pk) if *pk == markers(s)))
    };
    assert!(
        has_marker(&old[1]),
        "a scan of a minute before the cut-over takes a marker"
    );
    assert!(!has_marker(&new[0]), "a scan after the cut-over takes none");
    for s in [&old[0], &old[1], &new[0]] {
        assert_eq!(
            settle(&legacy_lambda(), one(s)).await,
            (0, 1),
            "{} delivered again",
            s.id
        );
        assert_eq!(
            settle(&checking_lambda(), one(s)).await,
            (0, 1),
            "{} delivered again, to a Lambda with the pre-check",
            s.id
        );
    }
    let counted: Vec<Scan> = vec![old[1].clone(), new[0].clone()];
    assert_scans_counted_once(&local, &venue, &counted).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bucket_cut_over_is_zero_on_a_new_table_and_later_on_an_old_one() {
    let local = stack().await;
    // The runner created the shared dedupe table: no legacy markers there.
    let shared = storage::DynamoIngest::new(local.aws.dynamodb.clone(), local.names.clone());
    assert_eq!(shared.bucket_cutover().await.unwrap(), 0);

    // A table the runner did not create (an existing deployment's): the
    // first Lambda proposes a time after every old Lambda has stopped, and
    // every later one reads the same.
    let table = unique("dedupe");
    storage::provision::ensure_table(
        &local.aws,
        &storage::provision::TableDef {
            name: &table,
            partition_key: "pk",
            sort_key: None,
            ttl_attribute: None,
        },
    )
    .await
    .unwrap();
    let mut names = local.names.clone();
    names.dedupe = table;
    let started = Utc::now();
    let first = storage::DynamoIngest::new(local.aws.dynamodb.clone(), names.clone());
    let second = storage::DynamoIngest::new(local.aws.dynamodb.clone(), names);
    let (a, b) = tokio::join!(first.bucket_cutover(), second.bucket_cutover());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "one cut-over for every Lambda");
    assert!(
        a >= (started + domain::decode::MAX_FUTURE_SKEW + Duration::minutes(15)).timestamp(),
        "after the old Lambdas' last batch and the future skew: {a}"
    );
}
