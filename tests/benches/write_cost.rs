//! DynamoDB write cost per 1,000 events of one hot show, dedupe included,
//! through the real pipeline and adapter against the emulator, and the AWS
//! bill per million events (`cost::bill`) of each scenario.
//!
//! Every action of every transaction sent is logged and priced as DynamoDB
//! bills transactional writes: 2 WCU per started KB of the item. Puts (dedupe
//! and session markers) are priced by their own size; updates by the size of
//! the stored item after the run, an upper bound. A marker per event would
//! cost 2 WCU per event; guards (`storage::dedupe_tokens`) share one update
//! per customer or per dedupe bucket among a chunk's events. The naive
//! design, one write per counter per event, is about 10.
//!
//! Each scenario also prints the floor of the row model (`kept_floor`): the
//! rollup, flow and customer items it leaves, each written once by its final
//! size — what any design keeping those rows would write at least, before
//! any guard, and twice that inside transactions.
//!
//! The bill uses the template's settings (batches of 100, 128 MB arm64,
//! Timestream retention 24 h / 365 d, markers kept 35 days; the items kept
//! for good are priced per month apart) and Lambda's
//! duration modelled for AWS: the time measured outside DynamoDB calls plus
//! each call at an AWS latency ([`AWS_TRANSACTION_MS`], [`AWS_READ_MS`]);
//! the emulator's own duration (~1 s per transaction) is printed as the
//! upper bound.
//!
//! Run: `cargo bench -p tests --bench write_cost` (an emulator must answer at
//! AWS_ENDPOINT_URL, or scripts/setup.sh must have installed one).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use domain::EventType;
use pipeline::{Message, Pipeline};
use std::sync::atomic::{AtomicU64, Ordering};
use storage::DynamoIngest;

use cost::{Prices, TimestreamUsage, Usage, bill, service};
use storage::ingest::{LoggedAction, WriteCounters};
use tests::scenarios::{doors, on_sale, replay_week};
use tests::{stack, unique};

const BATCH: usize = 100;

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

type Sizes = HashMap<(String, String, Option<String>), usize>;

async fn price(
    local: &runner::LocalStack,
    log: &[LoggedAction],
) -> (u64, BTreeMap<String, u64>, Sizes) {
    let mut sizes: Sizes = HashMap::new();
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
        let wcu = 2 * write_units(bytes);
        total += wcu;
        // The dedupe table by kind of item (buckets, event and session
        // markers), rollups by granularity and scope (ids hold no `#`).
        let table = if a.table == local.names.dedupe {
            match a.pk.split_once('#') {
                Some((kind, _)) => format!("{} {kind}", a.table),
                None => a.table.clone(),
            }
        } else if a.table == local.names.rollups {
            match a.pk.rsplitn(3, '#').collect::<Vec<_>>()[..] {
                [g, "*", _] => format!("{} {g} venue", a.table),
                [g, _, _] => format!("{} {g} show", a.table),
                _ => a.table.clone(),
            }
        } else {
            a.table.clone()
        };
        *by_table.entry(table).or_default() += wcu;
    }
    (total, by_table, sizes)
}

/// A `TransactWriteItems` of up to 100 actions on AWS, p50 (conservative).
const AWS_TRANSACTION_MS: f64 = 30.0;
/// A `BatchGetItem` or a small `Query` on AWS, p50 (conservative).
const AWS_READ_MS: f64 = 10.0;
/// Lambda's START/END/REPORT lines plus our one summary line per batch.
const LOG_BYTES_PER_INVOCATION: u64 = 1_200;
/// Item overhead DynamoDB adds to each stored item.
const ITEM_OVERHEAD: usize = 100;
const MONTH_DAYS: f64 = 30.44;
const MEMORY_MB: u32 = 128;

/// What one scenario used, measured.
struct Measured {
    messages: u64,
    committed: usize,
    invocations: u64,
    quarantined: u64,
    elapsed: std::time::Duration,
    timestream_requests: Vec<Vec<u64>>,
}

fn usage(
    m: &Measured,
    c: &WriteCounters,
    wcu: u64,
    byte_months: f64,
    millis: f64,
    timestream: bool,
) -> Usage {
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    Usage {
        events: m.messages,
        sqs_requests: cost::sqs_requests(m.messages, 10, 10, 10),
        lambda_invocations: m.invocations,
        lambda_gb_seconds: cost::lambda_gb_seconds(m.invocations, millis, MEMORY_MB),
        dynamodb_write_units: wcu,
        // Eventually consistent, keys only: half a unit per item read.
        #[allow(clippy::cast_precision_loss)]
        dynamodb_read_units: load(&c.read_items) as f64 * 0.5,
        dynamodb_byte_months: byte_months,
        s3_puts: m.quarantined,
        log_bytes: m.invocations * LOG_BYTES_PER_INVOCATION,
        traces: m.invocations,
        timestream: timestream.then(|| TimestreamUsage {
            write_units: cost::timestream_write_units(&m.timestream_requests),
            stored_bytes: m.timestream_requests.iter().flatten().sum(),
            memory_hours: 24.0,
            magnetic_months: 365.0 / MONTH_DAYS,
        }),
    }
}

/// Byte-months of the dedupe items the run wrote, kept 35 days: the markers
/// (puts) and the dedupe buckets (updated items of the dedupe table).
#[allow(clippy::cast_precision_loss)]
fn dedupe_byte_months(log: &[LoggedAction], sizes: &Sizes, dedupe: &str) -> f64 {
    let markers: usize = log
        .iter()
        .filter_map(|a| a.put_bytes)
        .map(|b| b + ITEM_OVERHEAD)
        .sum();
    let buckets: usize = sizes
        .iter()
        .filter(|((table, _, _), _)| table == dedupe)
        .map(|(_, b)| b + ITEM_OVERHEAD)
        .sum();
    (markers + buckets) as f64 * storage::ingest::DEDUPE_RETENTION.num_days() as f64 / MONTH_DAYS
}

/// Bytes of the rollup, flow and customer items the run updated (kept for
/// good; dedupe buckets expire).
fn kept_bytes(sizes: &Sizes, dedupe: &str) -> usize {
    kept_sizes(sizes, dedupe).map(|b| b + ITEM_OVERHEAD).sum()
}

/// Sizes of the items kept for good: every table but the dedupe table.
fn kept_sizes<'a>(sizes: &'a Sizes, dedupe: &'a str) -> impl Iterator<Item = usize> + 'a {
    sizes
        .iter()
        .filter(move |((table, _, _), _)| table != dedupe)
        .map(|(_, b)| *b)
}

/// Write units of one non-transactional write of an item of `bytes`: one
/// per started KB.
fn write_units(bytes: usize) -> u64 {
    bytes.div_ceil(1024).max(1) as u64
}

/// The least any design keeping these items could write: each item the run
/// left in the rollup, flow and customer tables written once, in one request,
/// by its final size (1 WCU per started KB; a transaction doubles it).
/// Guards (buckets, markers) are left out: a design might fold them away.
fn kept_floor(sizes: &Sizes, dedupe: &str) -> (usize, u64) {
    kept_sizes(sizes, dedupe).fold((0, 0), |(n, units), bytes| {
        (n + 1, units + write_units(bytes))
    })
}

async fn run(name: &str, events: Vec<(EventType, String)>) {
    let local = stack().await;
    let store =
        DynamoIngest::new(local.aws.dynamodb.clone(), local.names.clone()).with_action_log();
    let counters = Arc::clone(&store.counters);
    let store = Arc::new(store);
    let quarantine = tests::quarantine(&local);
    let mut by_type: BTreeMap<EventType, Vec<Message>> = BTreeMap::new();
    for (i, (t, body)) in events.iter().enumerate() {
        by_type.entry(*t).or_default().push(Message {
            id: format!("m{i}"),
            body: body.clone(),
        });
    }
    let mut m = Measured {
        messages: events.len() as u64,
        committed: 0,
        invocations: 0,
        quarantined: 0,
        elapsed: std::time::Duration::ZERO,
        timestream_requests: Vec::new(),
    };
    let started = std::time::Instant::now();
    for (t, msgs) in &by_type {
        let p = Pipeline::new(
            *t,
            Arc::clone(&store) as Arc<dyn pipeline::IngestStore>,
            Arc::clone(&quarantine) as Arc<dyn pipeline::Quarantine>,
        );
        for batch in msgs.chunks(BATCH) {
            let outcome = p.handle(batch).await;
            m.committed += outcome.committed;
            m.quarantined += outcome.quarantined as u64;
            m.invocations += 1;
            // What the Timestream sink would write for this batch: one
            // request per 100 decodable events.
            let now = Utc::now();
            let sizes: Vec<u64> = batch
                .iter()
                .filter_map(|msg| domain::decode(*t, &msg.body, now).ok())
                .map(|e| storage::timestream::write_size(&storage::timestream::record(&e)))
                .collect();
            m.timestream_requests.extend(
                sizes
                    .chunks(storage::timestream::MAX_RECORDS_PER_WRITE)
                    .map(<[u64]>::to_vec),
            );
        }
    }
    m.elapsed = started.elapsed();
    let log = counters.log.as_ref().unwrap().lock().unwrap().clone();
    let (wcu, by_table, sizes) = price(&local, &log).await;
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let tx = load(&counters.transactions);
    let per_1000 = wcu as f64 * 1000.0 / m.committed as f64;
    println!(
        "{name:<28} events {:>6}  transactions {tx:>5}  actions/event {:.2}  WCU/1000 events {per_1000:>7.0}  ({:.2} per event; a marker each 2.00, naive ~10)  [{:.1}s on the emulator]",
        m.committed,
        log.len() as f64 / m.committed as f64,
        per_1000 / 1000.0,
        m.elapsed.as_secs_f64()
    );
    // Updates are billed by the item's size: the largest items written most often cost most.
    let mut writes: HashMap<&(String, String, Option<String>), u64> = HashMap::new();
    for a in log.iter().filter(|a| a.put_bytes.is_none()) {
        *writes
            .entry(
                sizes
                    .get_key_value(&(a.table.clone(), a.pk.clone(), a.sk.clone()))
                    .unwrap()
                    .0,
            )
            .or_default() += 1;
    }
    let mut costly: Vec<_> = writes
        .into_iter()
        .map(|(k, n)| (2 * write_units(sizes[k]) * n, sizes[k], n, k))
        .collect();
    costly.sort_by_key(|c| std::cmp::Reverse(c.0));
    for (wcu, bytes, n, (table, pk, sk)) in costly.iter().take(3) {
        println!(
            "    costliest: {table} {pk} {} — {bytes} B, {n} updates, {wcu} WCU",
            sk.as_deref().unwrap_or("")
        );
    }
    let (kept_items, kept_units) = kept_floor(&sizes, &local.names.dedupe);
    let events = m.committed as f64;
    println!(
        "    floor of the row model: {kept_items} items kept (rollups, flows, customers), {:.2} per event; each written once, no guard: {:.2} WCU/event outside transactions, {:.2} inside",
        kept_items as f64 / events,
        kept_units as f64 / events,
        2.0 * kept_units as f64 / events,
    );
    for (table, w) in by_table {
        println!(
            "    {table:<12} {:>7.0} WCU/1000 events",
            w as f64 * 1000.0 / m.committed as f64
        );
    }
    let invocations = m.invocations as f64;
    let waits = (load(&counters.transact_micros) + load(&counters.read_micros)) as f64 / 1000.0;
    let outside_ms = (m.elapsed.as_secs_f64() * 1000.0 - waits).max(0.0) / invocations;
    let aws_ms = outside_ms
        + (tx as f64 * AWS_TRANSACTION_MS + load(&counters.reads) as f64 * AWS_READ_MS)
            / invocations;
    let emulator_ms = m.elapsed.as_secs_f64() * 1000.0 / invocations;
    let stored = dedupe_byte_months(&log, &sizes, &local.names.dedupe);
    let prices = Prices::US_EAST_1;
    let off = bill(&usage(&m, &counters, wcu, stored, aws_ms, false), &prices).per_million();
    let on = bill(&usage(&m, &counters, wcu, stored, aws_ms, true), &prices).per_million();
    let slow = bill(
        &usage(&m, &counters, wcu, stored, emulator_ms, false),
        &prices,
    )
    .per_million();
    let lines: Vec<String> = off
        .lines
        .iter()
        .map(|l| format!("{} ${:.3}", l.service, l.dollars))
        .collect();
    println!(
        "    $ per million events: {:.2} without Timestream, {:.2} with (timestream ${:.2})  [goal ≤ 1.50]",
        off.total(),
        on.total(),
        on.dollars(service::TIMESTREAM)
    );
    println!("      {}", lines.join(", "));
    #[allow(clippy::cast_precision_loss)]
    let kept = kept_bytes(&sizes, &local.names.dedupe) as f64 / m.messages as f64 * 1e6
        / (1u64 << 30) as f64;
    println!(
        "      kept items (rollups, flows, customers): {kept:.3} GB per million events, ${:.3} per month stored",
        kept * prices.dynamodb_per_gb_month
    );
    println!(
        "      Lambda {aws_ms:.0} ms per batch of {BATCH} modelled for AWS ({outside_ms:.0} ms outside DynamoDB calls); at the emulator's {emulator_ms:.0} ms Lambda would be ${:.3}",
        slow.dollars(service::LAMBDA)
    );
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
    run(
        "replayed week (5,000 mixed)",
        replay_week(&unique("bench-venue"), 5000),
    )
    .await;
}
