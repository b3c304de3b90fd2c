//! Decode + validate + pre-aggregate throughput, one core: the bar is
//! ≥ 1,000,000 events/s. A batch like a hot show's: one venue, one show,
//! a mix of purchases, scans, page views and cart updates.

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::aggregate::{MAX_TRANSACTION_ACTIONS, plan_chunks};
use domain::{VenueContexts, decode};

mod support;

use support::batch;

fn bench(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-11-28T20:00:00Z".parse().unwrap();
    let bodies = batch(10_000);
    let contexts = VenueContexts::default();
    let known = domain::aggregate::Learned::default();
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
