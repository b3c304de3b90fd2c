//! Messages the pipeline must quarantine, each on the queue an upstream bug
//! would put it on.

use chrono::Duration;
use domain::EventType;
use serde_json::json;

use super::night::Night;
use super::records::{CURRENCY, RecData};
use super::{Kind, SimConfig, SimEvent};

/// The kinds, in the order they cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defect {
    /// A purchase body cut in half.
    BadJson,
    /// A purchase with a negative amount.
    NegativeAmount,
    /// `ticket-transfer` (no such type) on the ticket-purchase queue.
    UnknownType,
    /// A scan two days in the future.
    FutureTime,
    /// A cart update without `cartId`.
    MissingField,
}

const DEFECTS: [Defect; 5] = [
    Defect::BadJson,
    Defect::NegativeAmount,
    Defect::UnknownType,
    Defect::FutureTime,
    Defect::MissingField,
];

/// `count` malformed messages, cycling through [`DEFECTS`].
pub(super) fn messages(cfg: &SimConfig, night: &Night, count: usize) -> Vec<SimEvent> {
    let now = night
        .records
        .iter()
        .map(|r| r.time)
        .max()
        .unwrap_or(cfg.now);
    let show = &night.shows[0].id;
    let venue = &cfg.venue_id;
    let time = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    (0..count)
        .map(|k| {
            let id = format!("malformed-{}-{k}", cfg.seed);
            let (event_type, body) = match DEFECTS[k % DEFECTS.len()] {
                Defect::BadJson => {
                    let sample = night.records.iter().find(|r| matches!(r.data, RecData::Purchase(_)));
                    let full = sample.map_or_else(|| format!("{{\"specversion\":\"1.0\",\"id\":\"{id}\""), |r| r.body(cfg, &night.shows));
                    let cut = full.len() / 2;
                    let cut = (0..=cut).rev().find(|&i| full.is_char_boundary(i)).unwrap_or(0);
                    (EventType::TicketPurchase, full[..cut].to_owned())
                }
                Defect::NegativeAmount => (
                    EventType::TicketPurchase,
                    envelope(&id, "ticket-service", "ticket-purchase", &time, json!({
                        "orderId": format!("ord-refund-{k}"), "ticketId": format!("tkt-refund-{k}"), "eventId": show,
                        "venueId": venue, "userId": "user-refund", "amount": -4500, "currency": CURRENCY, "quantity": 1
                    })),
                ),
                Defect::UnknownType => (
                    EventType::TicketPurchase,
                    envelope(&id, "ticket-service", "ticket-transfer", &time, json!({
                        "orderId": format!("ord-refund-{k}"), "venueId": venue, "amount": 4500, "currency": CURRENCY
                    })),
                ),
                Defect::FutureTime => {
                    let future = (now + Duration::days(2)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    (
                        EventType::TicketScan,
                        envelope(&id, "scanning-service", "ticket-scan", &future, json!({
                            "ticketId": format!("tkt-future-{k}"), "eventId": show, "venueId": venue,
                            "entryPoint": "North Gate", "result": "admitted"
                        })),
                    )
                }
                Defect::MissingField => (
                    EventType::CartUpdate,
                    envelope(&id, "order-service", "cart-update", &time, json!({
                        "userId": "user-broken", "eventId": show, "venueId": venue, "action": "add",
                        "items": [{"tier": "GA", "quantity": 1, "unitAmount": 4500}], "cartValue": 4500, "currency": CURRENCY
                    })),
                ),
            };
            SimEvent { event_type, body, kind: Kind::Malformed }
        })
        .collect()
}

fn envelope(
    id: &str,
    source: &str,
    event_type: &str,
    time: &str,
    data: serde_json::Value,
) -> String {
    json!({
        "specversion": "1.0", "id": id, "source": source, "type": event_type, "time": time,
        "datacontenttype": "application/json", "data": data
    })
    .to_string()
}
