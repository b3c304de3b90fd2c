//! The benchmark batch, shared by `benches/ingest.rs` and `examples/ingest_profile.rs`.

use domain::EventType;

const PURCHASE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../events/cloudevents/ticket-purchase.json"
));
const SCAN: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../events/cloudevents/ticket-scan.json"
));
const VIEW: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../events/cloudevents/page-view.json"
));
const CART: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../events/cloudevents/cart-update.json"
));

/// A hot show's batch of `n` events: one venue and show, a mix of purchases,
/// scans, page views and cart updates, in time order.
pub fn batch(n: usize) -> Vec<(EventType, String)> {
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
