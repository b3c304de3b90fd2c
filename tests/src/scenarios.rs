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
