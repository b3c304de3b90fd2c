//! A hot on-sale, and doors opening, each consumed by 1, 4 and 8 pipelines
//! at once (like that many concurrent Lambdas on one queue), through the
//! real pollers, pipeline and adapters against the emulator. On-sale
//! purchases share customer items (returning customers); scans of one
//! minute share its dedupe buckets (`domain::guard`).
//!
//! For each run it checks the totals the API reads back against sums taken
//! from the published bodies (exact, or the bench panics), and prints
//! events/s, cancelled transactions, and *would-conflict* pairs per 1,000
//! events: two transactions in flight at the same time that write one item.
//! DynamoDB cancels one of such a pair with `TransactionConflict`; the
//! emulator serializes them behind a lock, so its own cancellation count
//! cannot show this.
//!
//! Run: `cargo bench -p tests --bench concurrent_ingest [-- --events 3000 --scenario on-sale|doors|both]`

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use domain::EventType;
use storage::DynamoIngest;
use storage::ingest::TransactionSpan;
use tests::queues::{create_queues, drain_with_pollers, pipelines, publish};
use tests::scenarios::{doors, on_sale};
use tests::{bench_arg, bench_text, get_json, stack, unique};

/// Pairs of transactions in flight together that share an item, and the
/// tables of the items they share.
fn would_conflict(spans: &[TransactionSpan]) -> (usize, BTreeMap<String, usize>) {
    let sets: Vec<HashSet<&(String, String, Option<String>)>> =
        spans.iter().map(|s| s.items.iter().collect()).collect();
    let mut pairs = 0;
    let mut tables = BTreeMap::new();
    for i in 0..spans.len() {
        for j in i + 1..spans.len() {
            let (a, b) = (&spans[i], &spans[j]);
            if a.start < b.end && b.start < a.end && !sets[i].is_disjoint(&sets[j]) {
                pairs += 1;
                for item in sets[i].intersection(&sets[j]) {
                    *tables.entry(item.0.clone()).or_default() += 1;
                }
            }
        }
    }
    (pairs, tables)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = bench_arg("--events", 3000);
    let scenario = bench_text("--scenario").unwrap_or_else(|| "both".into());
    let local = stack().await;
    let sqs = &local.aws.sqs;
    let runs = [("on-sale", "purchases"), ("doors", "scans")]
        .into_iter()
        .filter(|(name, _)| scenario == "both" || scenario == *name);
    for ((name, what), pollers) in runs.flat_map(|r| [1, 4, 8].map(|p| (r, p))) {
        let queues = create_queues(sqs, name).await;
        let venue = unique("bench-venue");
        let events = if name == "doors" {
            doors(&venue, &unique("show"), n)
        } else {
            on_sale(&venue, &unique("show"), n)
        };
        // The oracle: sums over the bodies as published.
        let (mut revenue, mut tickets) = (0_i64, 0_i64);
        let mut scans: BTreeMap<String, i64> = BTreeMap::new();
        for (t, body) in &events {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            if *t == EventType::TicketScan {
                *scans
                    .entry(v["data"]["result"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            } else {
                revenue += v["data"]["amount"].as_i64().unwrap();
                tickets += v["data"]["quantity"].as_i64().unwrap();
            }
        }
        publish(sqs, &queues, events).await;

        let store = Arc::new(
            DynamoIngest::new(local.aws.dynamodb.clone(), local.names.clone()).with_action_log(),
        );
        let counters = Arc::clone(&store.counters);
        let quarantine = tests::quarantine(&local);
        let elapsed = drain_with_pollers(sqs, &queues, pollers, pipelines(store, quarantine)).await;

        let dash = get_json(&local, &format!("/api/dashboards/{venue}")).await;
        if name == "doors" {
            for result in ["admitted", "rejected", "duplicate"] {
                assert_eq!(
                    dash["scans"][result].as_i64(),
                    Some(scans.get(result).copied().unwrap_or(0)),
                    "{result} scans"
                );
            }
        } else {
            assert_eq!(dash["revenue"]["amount"].as_i64(), Some(revenue), "revenue");
            assert_eq!(dash["ticketsSold"].as_i64(), Some(tickets), "tickets");
            assert_eq!(dash["orders"].as_i64(), Some(n as i64), "orders");
        }

        let spans = counters.spans.as_ref().unwrap().lock().unwrap().clone();
        let (conflicts, tables) = would_conflict(&spans);
        let cancelled = counters
            .cancelled
            .load(std::sync::atomic::Ordering::Relaxed);
        println!(
            "{name} {n} {what}, {pollers} pipeline(s): totals exact; {:.0} events/s, {} transactions, \
             cancelled {cancelled} ({:.1}/1000 events), would conflict on DynamoDB {conflicts} pairs ({:.1}/1000 events)",
            n as f64 / elapsed.as_secs_f64(),
            spans.len(),
            cancelled as f64 * 1000.0 / n as f64,
            conflicts as f64 * 1000.0 / n as f64,
        );
        if !tables.is_empty() {
            println!("    shared items by table: {tables:?}");
        }
    }
}
