//! Event streams the benches share.

use chrono::{Duration, Utc};
use domain::EventType;

use crate::unique;

/// One CloudEvent body.
pub fn event(
    t: EventType,
    id: &str,
    source: &str,
    time: chrono::DateTime<Utc>,
    data: serde_json::Value,
) -> String {
    serde_json::json!({"specversion":"1.0","id":id,"source":source,"type":t.as_str(),"time":time.to_rfc3339(),"data":data}).to_string()
}

/// Doors open: `n` scans over ten minutes at four gates.
pub fn doors(venue: &str, show: &str, n: usize) -> Vec<(EventType, String)> {
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

/// An on-sale: `n` purchases for one show over five minutes, 90% by new customers.
pub fn on_sale(venue: &str, show: &str, n: usize) -> Vec<(EventType, String)> {
    let start = Utc::now() - Duration::minutes(10);
    let tiers = [("GA", 4500), ("Balcony", 6500), ("VIP", 12000)];
    (0..n)
        .map(|i| {
            let (tier, price) = tiers[i % 3];
            let q = 1 + (i % 4) as i64;
            let user = if i % 10 == 0 { format!("user-{}", i / 10) } else { format!("user-{i}") };
            let channel = ["web", "app"][i % 2];
            let data = serde_json::json!({"orderId":format!("o-{i}"),"ticketId":format!("t-{i}"),"eventId":show,"venueId":venue,"userId":user,
                "amount":price*q,"currency":"USD","quantity":q,"tier":tier,"channel":channel});
            (EventType::TicketPurchase, event(EventType::TicketPurchase, &unique("p"), "ticket-service", start + Duration::milliseconds((i * 300_000 / n) as i64), data))
        })
        .collect()
}

/// A replayed week (a backfill after an outage, an offline box office
/// uploading): `n` events in time order over the last seven days, four
/// shows, half purchases by a returning crowd, a third scans, the rest page
/// views. Batches span hours, so they touch many rollup buckets.
pub fn replay_week(venue: &str, n: usize) -> Vec<(EventType, String)> {
    let start = Utc::now() - Duration::days(7);
    let week_ms = 7 * 86_400_000;
    (0..n)
        .map(|i| {
            let time = start + Duration::milliseconds((i as i64 * week_ms) / n as i64);
            let show = format!("{venue}-show-{}", i % 4);
            let user = format!("user-{}", (i * 7919) % (n / 3).max(1));
            match i % 10 {
                0..=4 => {
                    let q = 1 + (i % 3) as i64;
                    let data = serde_json::json!({"orderId":format!("o-{i}"),"ticketId":format!("t-{i}"),"eventId":show,"venueId":venue,"userId":user,
                        "amount":5500*q,"currency":"USD","quantity":q,"tier":(["GA","VIP"][i % 2]),"channel":"box-office"});
                    (EventType::TicketPurchase, event(EventType::TicketPurchase, &unique("p"), "box-office", time, data))
                }
                5..=7 => {
                    let data = serde_json::json!({"ticketId":format!("t-{i}"),"eventId":show,"venueId":venue,"entryPoint":(["North","South"][i % 2]),"result":"admitted"});
                    (EventType::TicketScan, event(EventType::TicketScan, &unique("s"), "offline-scanner", time, data))
                }
                _ => {
                    let data = serde_json::json!({"sessionId":format!("sess-{}", i / 20),"path":format!("/events/{show}"),"venueId":venue,"eventId":show});
                    (EventType::PageView, event(EventType::PageView, &unique("v"), "frontend", time, data))
                }
            }
        })
        .collect()
}
