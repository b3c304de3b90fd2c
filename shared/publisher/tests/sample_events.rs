//! The sample Lambda SQS events in `events/sqs/` deserialize as the runtime
//! would hand them to a function, and carry the contract samples verbatim.

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::{DateTime, Utc};
use domain::{EventType, RejectReason, decode};
use md5::{Digest, Md5};

fn sqs(name: &str) -> SqsEvent {
    let path = format!(
        "{}/../../events/sqs/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not an SqsEvent: {e}"))
}

fn cloudevent(name: &str) -> String {
    let path = format!(
        "{}/../../events/cloudevents/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap().trim_end().to_owned()
}

fn ingest_clock() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T20:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Envelope fields a Lambda would rely on, and an MD5 that matches the body.
fn check_record(r: &aws_lambda_events::event::sqs::SqsMessage, queue: EventType) {
    let body = r.body.as_deref().expect("body");
    assert_eq!(r.event_source.as_deref(), Some("aws:sqs"));
    assert_eq!(
        r.event_source_arn.as_deref(),
        Some(format!("arn:aws:sqs:us-east-1:123456789012:{queue}").as_str())
    );
    assert_eq!(r.aws_region.as_deref(), Some("us-east-1"));
    assert!(r.message_id.as_deref().is_some_and(|m| !m.is_empty()));
    assert!(r.receipt_handle.as_deref().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        r.attributes
            .get("ApproximateReceiveCount")
            .map(String::as_str),
        Some("1")
    );
    assert!(r.message_attributes.is_empty());
    let md5: String = Md5::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        r.md5_of_body.as_deref(),
        Some(md5.as_str()),
        "md5OfBody of {}",
        r.message_id.as_deref().unwrap_or("?")
    );
}

#[test]
fn each_type_has_a_one_record_event_carrying_its_cloudevent_sample() {
    for t in EventType::ALL {
        let event = sqs(t.as_str());
        assert_eq!(event.records.len(), 1, "{t}");
        let r = &event.records[0];
        check_record(r, t);
        let body = r.body.as_deref().unwrap();
        assert_eq!(
            body,
            cloudevent(t.as_str()),
            "events/sqs/{t}.json drifted from events/cloudevents/{t}.json"
        );
        decode(t, body, ingest_clock()).unwrap_or_else(|e| panic!("{t}: {e}"));
    }
}

#[test]
fn the_mixed_event_has_a_valid_a_malformed_and_a_duplicate_record() {
    let event = sqs("ticket-purchase-mixed");
    assert_eq!(event.records.len(), 3);
    for r in &event.records {
        check_record(r, EventType::TicketPurchase);
    }
    let bodies: Vec<&str> = event
        .records
        .iter()
        .map(|r| r.body.as_deref().unwrap())
        .collect();
    let first = decode(EventType::TicketPurchase, bodies[0], ingest_clock()).unwrap();
    assert_eq!(
        decode(EventType::TicketPurchase, bodies[1], ingest_clock())
            .unwrap_err()
            .reason,
        RejectReason::MalformedJson
    );
    let third = decode(EventType::TicketPurchase, bodies[2], ingest_clock()).unwrap();
    assert_eq!(
        (&first.source, &first.id),
        (&third.source, &third.id),
        "same source + id: a duplicate"
    );
    let ids: std::collections::HashSet<_> =
        event.records.iter().map(|r| r.message_id.clone()).collect();
    assert_eq!(
        ids.len(),
        3,
        "a re-published duplicate is a distinct SQS message"
    );
}
