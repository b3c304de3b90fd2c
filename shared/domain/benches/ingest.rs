//! Decode + validate + pre-aggregate throughput, one core: the bar is
//! ≥ 1,000,000 events/s. A batch like a hot show's: one venue, one show,
//! a mix of purchases, scans, page views and cart updates.

use std::collections::HashSet;
use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::aggregate::{MAX_TRANSACTION_ACTIONS, plan_chunks};
use domain::{EventType, VenueContexts, decode};

const PURCHASE: &str = include_str!("../../../events/cloudevents/ticket-purchase.json");
const SCAN: &str = include_str!("../../../events/cloudevents/ticket-scan.json");
const VIEW: &str = include_str!("../../../events/cloudevents/page-view.json");
const CART: &str = include_str!("../../../events/cloudevents/cart-update.json");

fn batch(n: usize) -> Vec<(EventType, String)> {
    let tiers = ["GA", "Balcony", "VIP"];
    let gates = ["North Gate", "South Gate", "East Gate", "VIP"];
    (0..n)
        .map(|i| {
            // Events arrive in time order, ~17 a second (a busy show).
            let minute = format!("2026-11-24T19:{:02}:{:02}Z", i / 1000, (i / 17) % 60);
            match i % 10 {
                0 | 1 => (
                    EventType::TicketPurchase,
                    PURCHASE
                        .replace("0b6f3c1e-7f0e-4c55-9d1e-1d7c1b0a9f01", &format!("p-{i}"))
                        .replace("user-42", &format!("user-{i}"))
                        .replace("\"GA\"", &format!("\"{}\"", tiers[i % 3]))
                        .replace("2026-11-24T19:02:11Z", &minute),
                ),
                2 | 3 => (
                    EventType::TicketScan,
                    SCAN.replace("5c2a9d44-1a7b-4a38-8e3f-2f5b0d6c7e02", &format!("s-{i}"))
                        .replace("North Gate", gates[i % 4])
                        .replace("2026-11-28T19:31:05Z", &minute),
                ),
                4..=7 => (
                    EventType::PageView,
                    VIEW.replace("9a1d7e52-3c4b-4f6a-b7c8-3e6f1a2b4c03", &format!("v-{i}"))
                        .replace("sess-77", &format!("sess-{}", i / 3))
                        .replace("2026-11-24T18:55:40Z", &minute),
                ),
                _ => (
                    EventType::CartUpdate,
                    CART.replace("e3b4c5d6-7a8b-4c9d-8e0f-4a5b6c7d8e04", &format!("c-{i}"))
                        .replace("2026-11-24T18:58:02Z", &minute),
                ),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-11-28T20:00:00Z".parse().unwrap();
    let bodies = batch(10_000);
    let contexts = VenueContexts::default();
    let known = HashSet::new();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(bodies.len() as u64));
    g.bench_function("decode+validate", |b| {
        b.iter(|| {
            bodies
                .iter()
                .filter(|(t, body)| decode(*t, body, now).is_ok())
                .count()
        });
    });
    g.bench_function("decode+validate+pre-aggregate", |b| {
        b.iter(|| {
            let events: Vec<_> = bodies
                .iter()
                .filter_map(|(t, body)| decode(*t, body, now).ok())
                .collect();
            let plans = plan_chunks(
                &events,
                0..events.len(),
                &contexts,
                &known,
                MAX_TRANSACTION_ACTIONS,
            );
            black_box(plans.len())
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
