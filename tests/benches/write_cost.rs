//! DynamoDB write cost per 1,000 events of one hot show, dedupe included,
//! through the real pipeline and adapter against the emulator.
//!
//! Every action of every transaction sent is logged and priced as DynamoDB
//! bills transactional writes: 2 WCU per started KB of the item. Puts (dedupe
//! and session markers) are priced by their own size; updates by the size of
//! the stored item after the run, an upper bound. The dedupe floor is 2 WCU
//! per event (one transactional marker); the naive design, one write per
//! counter per event, is about 10.
//!
//! Run: `cargo bench -p tests --bench write_cost` (an emulator must answer at
//! AWS_ENDPOINT_URL, or scripts/setup.sh must have installed one).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, Utc};
use domain::EventType;
use pipeline::{Message, Pipeline};
use storage::DynamoIngest;
use storage::ingest::LoggedAction;
use tests::scenarios::{event, on_sale};
use tests::{stack, unique};

const BATCH: usize = 100;

/// Doors open: `n` scans over ten minutes at four gates.
fn doors(venue: &str, show: &str, n: usize) -> Vec<(EventType, String)> {
    let start = Utc::now() - Duration::minutes(12);
    (0..n)
        .map(|i| {
            let result = if i % 40 == 0 { "rejected" } else if i % 55 == 0 { "duplicate" } else { "admitted" };
            let gate = ["North", "South", "East", "VIP"][i % 4];
            let data = serde_json::json!({"ticketId":format!("t-{i}"),"eventId":show,"venueId":venue,"entryPoint":gate,"result":result});
            (EventType::TicketScan, event(EventType::TicketScan, &unique("s"), "scanning-service", start + Duration::milliseconds((i * 600_000 / n) as i64), data))
        })
        .collect()
}

fn show_night(venue: &str) -> Vec<(EventType, String)> {
    let mut cfg = publisher::simulate::SimConfig::new(Utc::now(), 3);
    cfg.venue_id = venue.to_owned();
    cfg.show_id = unique("show");
    publisher::simulate::simulate(&cfg)
        .events
        .into_iter()
        .filter(|e| e.kind != publisher::simulate::Kind::Malformed)
        .map(|e| (e.event_type, e.body))
        .collect()
}

async fn price(local: &runner::LocalStack, log: &[LoggedAction]) -> (u64, BTreeMap<String, u64>) {
    let mut sizes: HashMap<(String, String, Option<String>), usize> = HashMap::new();
    for a in log.iter().filter(|a| a.put_bytes.is_none()) {
        let k = (a.table.clone(), a.pk.clone(), a.sk.clone());
        if sizes.contains_key(&k) {
            continue;
        }
        let mut req = local
            .aws
            .dynamodb
            .get_item()
            .table_name(&a.table)
            .key("pk", AttributeValue::S(a.pk.clone()));
        if let Some(sk) = &a.sk {
            req = req.key("sk", AttributeValue::S(sk.clone()));
        }
        let item = req.send().await.unwrap().item.unwrap_or_default();
        sizes.insert(k, storage::items::item_size(&item));
    }
    let mut total = 0;
    let mut by_table: BTreeMap<String, u64> = BTreeMap::new();
    for a in log {
        let bytes = a
            .put_bytes
            .unwrap_or_else(|| sizes[&(a.table.clone(), a.pk.clone(), a.sk.clone())]);
        let wcu = 2 * bytes.div_ceil(1024).max(1) as u64;
        total += wcu;
        *by_table.entry(a.table.clone()).or_default() += wcu;
    }
    (total, by_table)
}

async fn run(name: &str, events: Vec<(EventType, String)>) {
    let local = stack().await;
    let store =
        DynamoIngest::new(local.aws.dynamodb.clone(), local.names.clone()).with_action_log();
    let counters = Arc::clone(&store.counters);
    let store = Arc::new(store);
    let quarantine = Arc::new(storage::S3Quarantine::new(
        local.aws.s3.clone(),
        local.names.quarantine_bucket.clone(),
    ));
    let mut by_type: BTreeMap<EventType, Vec<Message>> = BTreeMap::new();
    for (i, (t, body)) in events.iter().enumerate() {
        by_type.entry(*t).or_default().push(Message {
            id: format!("m{i}"),
            body: body.clone(),
        });
    }
    let mut committed = 0;
    let started = std::time::Instant::now();
    for (t, msgs) in &by_type {
        let p = Pipeline::new(
            *t,
            Arc::clone(&store) as Arc<dyn pipeline::IngestStore>,
            Arc::clone(&quarantine) as Arc<dyn pipeline::Quarantine>,
        );
        for batch in msgs.chunks(BATCH) {
            committed += p.handle(batch).await.committed;
        }
    }
    let elapsed = started.elapsed();
    let log = counters.log.as_ref().unwrap().lock().unwrap().clone();
    let (wcu, by_table) = price(&local, &log).await;
    let tx = counters
        .transactions
        .load(std::sync::atomic::Ordering::Relaxed);
    let per_1000 = wcu as f64 * 1000.0 / committed as f64;
    println!(
        "{name:<28} events {committed:>6}  transactions {tx:>5}  actions/event {:.2}  WCU/1000 events {per_1000:>7.0}  ({:.2} per event; floor 2.00, naive ~10)  [{:.1}s on the emulator]",
        log.len() as f64 / committed as f64,
        per_1000 / 1000.0,
        elapsed.as_secs_f64()
    );
    for (table, w) in by_table {
        println!(
            "    {table:<12} {:>7.0} WCU/1000 events",
            w as f64 * 1000.0 / committed as f64
        );
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let venue = unique("bench-venue");
    let show = unique("show");
    run("on-sale (5,000 purchases)", on_sale(&venue, &show, 5000)).await;
    run("doors open (5,000 scans)", doors(&venue, &show, 5000)).await;
    run("show night (mixed)", show_night(&unique("bench-venue"))).await;
}
