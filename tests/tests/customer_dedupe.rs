//! Purchases and refunds are deduplicated by their customer's item
//! (`storage::customer_dedupe`), not by a marker each: these tests drive the
//! real pipeline against the emulator through the cases that could count one
//! twice — a customer id that buys all the time (marker mode), two Lambdas
//! at once, items written before tokens existed, an erased customer — and
//! compare with totals summed from the generated purchases themselves.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
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
use storage::customer_dedupe::{MARKERS_UNTIL, SEEN_COUNT, SEEN_LIMIT, is_token_attr};
use tests::{get_json, stack, unique};

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
        Arc::new(storage::S3Quarantine::new(
            local.aws.s3.clone(),
            local.names.quarantine_bucket.clone(),
        )),
    )
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
    let mut deliveries: Vec<&Purchase> = all
        .iter()
        .flat_map(|p| std::iter::repeat_n(p, rng.random_range(1..=3)))
        .collect();
    deliveries.shuffle(&mut rng);
    let mut batches = Vec::new();
    while !deliveries.is_empty() {
        let n = rng.random_range(1..=12).min(deliveries.len());
        batches.push(
            deliveries
                .drain(..n)
                .map(|p| message(&venue, customer, p))
                .collect::<Vec<_>>(),
        );
    }
    let (a, b) = (lambda(local), lambda(local));
    let mut committed = 0;
    let mut batches = batches.into_iter();
    while let Some(first) = batches.next() {
        let second = batches.next().unwrap_or_default();
        let ((c1, _), (c2, _)) = tokio::join!(settle(&a, first), settle(&b, second));
        committed += c1 + c2;
    }
    assert_eq!(committed, all.len(), "each purchase commits exactly once");
    assert_counted_once(local, &venue, customer, &all).await;

    let item = raw_customer(local, &venue, customer).await;
    assert!(
        tokens(&item) <= usize::try_from(SEEN_LIMIT).unwrap(),
        "the item holds at most {SEEN_LIMIT} tokens: {}",
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
