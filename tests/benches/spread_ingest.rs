//! Ingest throughput on realistic, spread data, the way a new user meets it:
//! several venues' mixed events over the last 40 hours (late events,
//! duplicates, several zones and currencies — `tests::mixed`), published to
//! SQS, then drained by the local event source mapping (`runner::poller`, one
//! poller per queue as `venue-analytics up` runs them, or `--pollers N`)
//! through the real pipeline and adapters against the emulator.
//!
//! Prints messages/s, the time to drain, transactions per batch (and how
//! many were cancelled: each is sent again, re-planned) and where
//! the time went (inside `TransactWriteItems` vs. everything else).
//!
//! Run: `cargo bench -p tests --bench spread_ingest [-- --sets 2 --pollers 1]`
//! (an emulator must answer at AWS_ENDPOINT_URL, or scripts/setup.sh must
//! have installed one).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use domain::EventType;
use storage::DynamoIngest;
use tests::queues::{create_queues, depth, drain_with_pollers, pipelines, publish};
use tests::{bench_arg, mixed, stack};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sets = bench_arg("--sets", 2);
    let pollers = bench_arg("--pollers", 1);
    let local = stack().await;
    let sqs = &local.aws.sqs;
    let queues = create_queues(sqs, "spread").await;

    let now = Utc::now();
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let generated: Vec<mixed::MixedSet> = (0..sets)
        .map(|i| mixed::generate(&format!("{run}{i}"), now, 12 + i as u64))
        .collect();
    let venues: usize = generated.iter().map(|s| s.venues.len()).sum();
    let store = Arc::new(DynamoIngest::new(
        local.aws.dynamodb.clone(),
        local.names.clone(),
    ));
    let counters = Arc::clone(&store.counters);
    let quarantine = tests::quarantine(&local);
    let make = pipelines(store, quarantine);

    // The venues first (as a platform onboards them), drained, not timed.
    let updates: Vec<(EventType, String)> = generated
        .iter()
        .flat_map(|s| s.venue_updates.iter())
        .map(|b| (EventType::VenueUpdate, b.clone()))
        .collect();
    publish(sqs, &queues, updates).await;
    drain_with_pollers(sqs, &queues, pollers, &make).await;

    // Everything else is published before the pollers start: the backlog a
    // new user's first import (or a replay) leaves on the queues.
    let mut bodies: Vec<(EventType, String)> = Vec::new();
    for s in &generated {
        bodies.extend(s.events.iter().cloned());
        bodies.extend(s.rejected.iter().map(|(t, b, _)| (*t, b.clone())));
    }
    let messages = bodies.len();
    publish(sqs, &queues, bodies).await;
    let tx_before = counters.transactions.load(Ordering::Relaxed);
    let actions_before = counters.actions.load(Ordering::Relaxed);
    let micros_before = counters.transact_micros.load(Ordering::Relaxed);
    let cancelled_before = counters.cancelled.load(Ordering::Relaxed);

    let elapsed = drain_with_pollers(sqs, &queues, pollers, &make).await;
    for dlq in &queues.dlqs {
        assert_eq!(depth(sqs, dlq).await, 0, "{dlq} is not empty");
    }

    let tx = counters.transactions.load(Ordering::Relaxed) - tx_before;
    let actions = counters.actions.load(Ordering::Relaxed) - actions_before;
    let cancelled = counters.cancelled.load(Ordering::Relaxed) - cancelled_before;
    let in_tx =
        Duration::from_micros(counters.transact_micros.load(Ordering::Relaxed) - micros_before);
    // Each poller hands the pipeline up to 100 messages.
    let batches_min = messages.div_ceil(100);
    println!(
        "spread ingest: {messages} messages ({venues} venues, 40 h), {pollers} poller(s) per queue: \
         drained in {:.1}s = {:.0} messages/s",
        elapsed.as_secs_f64(),
        messages as f64 / elapsed.as_secs_f64()
    );
    println!(
        "    transactions {tx} ({:.1} per 100 messages, ≥ {batches_min} batches; {cancelled} cancelled), actions {actions} ({:.1} per message)",
        tx as f64 * 100.0 / messages as f64,
        actions as f64 / messages as f64
    );
    println!(
        "    inside TransactWriteItems {:.1}s summed over the pollers ({:.0} ms per transaction)",
        in_tx.as_secs_f64(),
        in_tx.as_secs_f64() * 1000.0 / tx.max(1) as f64,
    );
}
