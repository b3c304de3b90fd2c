//! Runs decode + validate + pre-aggregate over a 10,000-event batch, for
//! profilers (`valgrind --tool=callgrind`) and instruction counts.

use domain::aggregate::{MAX_TRANSACTION_ACTIONS, plan_chunks};
use domain::{VenueContexts, decode};

#[path = "../benches/support/mod.rs"]
mod support;

use support::batch;

fn main() {
    let now = "2026-11-28T20:00:00Z".parse().unwrap();
    let bodies = batch(10_000);
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let start = std::time::Instant::now();
    let mut chunks = 0;
    for _ in 0..rounds {
        let events: Vec<_> = bodies
            .iter()
            .filter_map(|(t, body)| decode(*t, body, now).ok())
            .collect();
        chunks += plan_chunks(
            &events,
            0..events.len(),
            &VenueContexts::default(),
            &domain::aggregate::Learned::default(),
            MAX_TRANSACTION_ACTIONS,
        )
        .len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} events in {chunks} chunks: {:.0} events/s",
        rounds * bodies.len(),
        (rounds * bodies.len()) as f64 / secs
    );
}
