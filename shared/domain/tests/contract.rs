//! The event contract: fixtures from `events/` decode (or are rejected) as
//! documented, the committed JSON Schemas match the Rust types, and
//! pre-aggregation conserves every counted quantity.

use chrono::{DateTime, Utc};
use domain::aggregate::{MAX_TRANSACTION_ACTIONS, plan_chunks};
use domain::{EventType, Metric, RejectReason, VenueContexts, decode};

const PURCHASE: &str = include_str!("../../../events/cloudevents/ticket-purchase.json");
const SCAN: &str = include_str!("../../../events/cloudevents/ticket-scan.json");
const VIEW: &str = include_str!("../../../events/cloudevents/page-view.json");
const CART: &str = include_str!("../../../events/cloudevents/cart-update.json");
const VENUE: &str = include_str!("../../../events/cloudevents/venue-update.json");

fn now() -> DateTime<Utc> {
    "2026-11-28T20:00:00Z".parse().unwrap()
}

fn check_rejected(queue: EventType, body: &str, reason: RejectReason, detail_contains: &str) {
    let err = decode(queue, body, now()).expect_err("should be rejected");
    assert_eq!(err.reason, reason, "{err}");
    assert!(
        err.detail.contains(detail_contains),
        "detail {:?} lacks {detail_contains:?}",
        err.detail
    );
}

#[test]
fn every_valid_fixture_decodes_on_its_own_queue() {
    for (t, body) in [
        (EventType::TicketPurchase, PURCHASE),
        (EventType::TicketScan, SCAN),
        (EventType::PageView, VIEW),
        (EventType::CartUpdate, CART),
        (EventType::VenueUpdate, VENUE),
    ] {
        let e = decode(t, body, now()).unwrap_or_else(|r| panic!("{t}: {r}"));
        assert_eq!(e.event_type(), t);
        assert!(!e.id.is_empty());
    }
}

#[test]
fn invalid_fixtures_are_rejected_with_their_reason() {
    use EventType::*;
    check_rejected(
        TicketPurchase,
        include_str!("../../../events/invalid/malformed-json.txt"),
        RejectReason::MalformedJson,
        "EOF",
    );
    check_rejected(
        TicketPurchase,
        include_str!("../../../events/invalid/unknown-type.json"),
        RejectReason::UnknownType,
        "ticket-transfer",
    );
    check_rejected(
        TicketPurchase,
        include_str!("../../../events/invalid/schema-violation.json"),
        RejectReason::SchemaViolation,
        "amount",
    );
    check_rejected(
        TicketPurchase,
        include_str!("../../../events/invalid/negative-amount.json"),
        RejectReason::ImpossibleValue,
        "amount",
    );
    check_rejected(
        TicketScan,
        include_str!("../../../events/invalid/future-time.json"),
        RejectReason::FutureTimestamp,
        "15 minutes",
    );
    check_rejected(
        TicketScan,
        PURCHASE,
        RejectReason::TypeMismatch,
        "ticket-scan queue",
    );
    check_rejected(TicketPurchase, "[1,2]", RejectReason::InvalidEnvelope, "");
    check_rejected(
        TicketPurchase,
        include_str!("../../../events/invalid/invalid-id.json"),
        RejectReason::InvalidId,
        "data.venueId contains '#'",
    );
    // Every id field, each forbidden shape: `#`, `*`, a space, a control
    // character, 129 characters. Labels (tier) may hold `#` and spaces.
    let long = "x".repeat(domain::ids::MAX_ID_CHARS + 1);
    for field in ["orderId", "ticketId", "eventId", "venueId", "userId"] {
        for bad in ["a#b", "*", "two words", "tab\\t", long.as_str()] {
            let body =
                PURCHASE.replace(&format!("\"{field}\":\""), &format!("\"{field}\":\"{bad}"));
            check_rejected(TicketPurchase, &body, RejectReason::InvalidId, field);
        }
    }
    for (attr, bad) in [("id", "0b6f#1"), ("source", "ticket service")] {
        let body = PURCHASE.replacen(&format!("\"{attr}\":\""), &format!("\"{attr}\":\"{bad}"), 1);
        check_rejected(TicketPurchase, &body, RejectReason::InvalidId, attr);
    }
    assert!(PURCHASE.contains("\"tier\":\""));
    let tier = PURCHASE.replace("\"tier\":\"", "\"tier\":\"Row #1 ");
    assert!(decode(TicketPurchase, &tier, now()).is_ok());
    check_rejected(
        TicketPurchase,
        &PURCHASE.replace("\"1.0\"", "\"0.3\""),
        RejectReason::InvalidEnvelope,
        "specversion",
    );
    check_rejected(
        TicketPurchase,
        &PURCHASE.replace("\"USD\"", "\"usd\""),
        RejectReason::SchemaViolation,
        "ISO 4217",
    );
    check_rejected(
        TicketPurchase,
        &PURCHASE.replace("\"quantity\":2", "\"quantity\":0"),
        RejectReason::ImpossibleValue,
        "quantity",
    );
    check_rejected(
        VenueUpdate,
        &VENUE.replace("America/New_York", "Mars/Olympus"),
        RejectReason::ImpossibleValue,
        "time zone",
    );
}

#[test]
fn late_events_are_accepted() {
    let late = PURCHASE.replace("2026-11-24T19:02:11Z", "2026-11-28T08:00:00Z");
    assert!(decode(EventType::TicketPurchase, &late, now()).is_ok());
}

#[test]
fn committed_schemas_match_the_rust_types() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/schemas");
    for (name, schema) in domain::schema::all() {
        let path = format!("{dir}/{name}");
        let rendered = domain::schema::render(&schema);
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &rendered).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            committed, rendered,
            "{name} drifted from the Rust types: run `UPDATE_SCHEMAS=1 cargo test -p domain --test contract` and commit events/schemas"
        );
    }
}

/// A mixed batch: the sum over every chunk's show-scope day rollups equals
/// the sum over events, whatever the chunk budget.
#[test]
fn chunking_conserves_totals() {
    let mut bodies = Vec::new();
    for i in 0..300 {
        bodies.push((
            EventType::TicketPurchase,
            PURCHASE
                .replace("0b6f3c1e", &format!("p{i}"))
                .replace("user-42", &format!("user-{}", i % 37)),
        ));
        bodies.push((
            EventType::TicketScan,
            SCAN.replace("5c2a9d44", &format!("s{i}"))
                .replace("North Gate", ["North Gate", "South Gate", "VIP"][i % 3]),
        ));
        bodies.push((
            EventType::PageView,
            VIEW.replace("9a1d7e52", &format!("v{i}"))
                .replace("sess-77", &format!("sess-{}", i % 50)),
        ));
    }
    let events: Vec<_> = bodies
        .iter()
        .map(|(t, b)| decode(*t, b, now()).unwrap())
        .collect();
    let contexts = VenueContexts::default();
    let known = domain::aggregate::Learned::default();
    for budget in [16, 40, MAX_TRANSACTION_ACTIONS] {
        let plans = plan_chunks(&events, 0..events.len(), &contexts, &known, budget);
        let mut revenue = 0;
        let mut scans = 0;
        let mut sessions = 0;
        let mut seen = 0;
        for p in &plans {
            assert!(
                p.action_count(&events, &known) <= budget,
                "chunk over budget"
            );
            seen += p.events.len();
            for (k, c) in &p.rollups {
                if k.show.is_some() && k.granularity == domain::Granularity::Day {
                    revenue += c.get(Metric::Revenue);
                    scans += c.get(Metric::ScansAdmitted);
                    sessions += c.get(Metric::UniqueSessions);
                }
            }
        }
        assert_eq!(seen, events.len());
        assert_eq!(revenue, 300 * 9000);
        assert_eq!(scans, 300);
        assert_eq!(
            sessions, 50,
            "each session counts once per day (budget {budget})"
        );
    }
}
