//! Prints what a simulated show night contains and the totals it must produce.
//!
//! `cargo run -p publisher --example show_night -- [seed] [scale]`

use std::collections::BTreeMap;

use publisher::simulate::{SimConfig, simulate};

fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let scale = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let config = SimConfig {
        scale,
        ..SimConfig::new(chrono::Utc::now(), seed)
    };
    let sim = simulate(&config);
    let mut by_type_and_kind: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in &sim.events {
        *by_type_and_kind
            .entry((e.event_type.to_string(), format!("{:?}", e.kind)))
            .or_default() += 1;
    }
    println!("{} messages (seed {seed}, scale {scale})", sim.events.len());
    for ((t, k), n) in by_type_and_kind {
        println!("  {t:<16} {k:<10} {n:>6}");
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&sim.expected).expect("Expected serializes")
    );
}
