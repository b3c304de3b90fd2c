//! Events ready to send: the serialized CloudEvent and what the publisher
//! needs to route and report it.

use chrono::{DateTime, SubsecRound, Utc};
use domain::event::{CartUpdate, PageView, TicketPurchase, TicketRefund, TicketScan, VenueUpdate};
use domain::{CloudEvent, EventType};
use serde::Serialize;

use crate::error::PublishError;

/// A serialized event: its type (which picks the queue), the JSON body sent
/// verbatim, and its CloudEvents `id` (for reports and logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEvent {
    pub event_type: EventType,
    pub body: String,
    pub id: String,
}

mod sealed {
    pub trait Sealed {}
}

/// A `data` payload of the contract; knows its event type.
///
/// Sealed: implemented for the six payloads of `domain::event`, whose
/// serialization cannot fail.
pub trait EventPayload: Serialize + sealed::Sealed {
    const EVENT_TYPE: EventType;
}

macro_rules! payloads {
    ($($ty:ident => $variant:ident),*) => {$(
        impl sealed::Sealed for $ty<'_> {}
        impl EventPayload for $ty<'_> {
            const EVENT_TYPE: EventType = EventType::$variant;
        }
    )*};
}

payloads!(
    TicketPurchase => TicketPurchase,
    TicketScan => TicketScan,
    PageView => PageView,
    CartUpdate => CartUpdate,
    VenueUpdate => VenueUpdate,
    TicketRefund => TicketRefund
);

/// Wraps `data` in a CloudEvents 1.0 envelope: `id` a fresh UUID v7 (time
/// ordered), `time` now (whole milliseconds), `type` from the payload,
/// `datacontenttype` JSON.
///
/// Fields are public: overwrite `id` with a stable one when the upstream
/// service has it (an order id makes re-publishing after a crash harmless —
/// `source` + `id` is the dedupe key) and `time` with when it happened.
pub fn envelope<D: EventPayload>(source: impl Into<String>, data: D) -> CloudEvent<D> {
    CloudEvent {
        specversion: "1.0".to_owned(),
        id: uuid::Uuid::now_v7().to_string(),
        source: source.into(),
        event_type: D::EVENT_TYPE,
        time: Utc::now().trunc_subsecs(3),
        datacontenttype: Some("application/json".to_owned()),
        data,
    }
}

impl OutgoingEvent {
    /// A new event from `source` with a generated id and the current time (see [`envelope`]).
    pub fn new<D: EventPayload>(source: impl Into<String>, data: D) -> Self {
        Self::at(source, data, None, None)
    }

    /// Like [`OutgoingEvent::new`], keeping `id` and `time` when the caller has them.
    pub fn at<D: EventPayload>(
        source: impl Into<String>,
        data: D,
        id: Option<String>,
        time: Option<DateTime<Utc>>,
    ) -> Self {
        let mut event = envelope(source, data);
        if let Some(id) = id {
            event.id = id;
        }
        if let Some(time) = time {
            event.time = time;
        }
        // The sealed payloads have string keys and no fallible Serialize impls.
        Self::from_cloud_event(&event).expect("contract payloads always serialize to JSON")
    }

    /// Serializes a complete CloudEvent (any `data` type).
    pub fn from_cloud_event<D: Serialize>(event: &CloudEvent<D>) -> Result<Self, PublishError> {
        Ok(OutgoingEvent {
            event_type: event.event_type,
            body: serde_json::to_string(event)?,
            id: event.id.clone(),
        })
    }

    /// An already serialized body, sent verbatim.
    pub fn raw(event_type: EventType, id: impl Into<String>, body: impl Into<String>) -> Self {
        OutgoingEvent {
            event_type,
            body: body.into(),
            id: id.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn scan() -> TicketScan<'static> {
        TicketScan {
            ticket_id: Cow::Borrowed("tkt-1"),
            event_id: Cow::Borrowed("show-1"),
            venue_id: Cow::Borrowed("venue-1"),
            entry_point: Cow::Borrowed("North Gate"),
            result: domain::event::ScanResult::Admitted,
        }
    }

    #[test]
    fn new_builds_a_valid_cloud_event_with_fresh_id_and_time() {
        let a = OutgoingEvent::new("scanning-service", scan());
        let b = OutgoingEvent::new("scanning-service", scan());
        assert_eq!(a.event_type, EventType::TicketScan);
        assert_ne!(a.id, b.id, "ids are generated per event");
        assert_eq!(uuid::Uuid::parse_str(&a.id).unwrap().get_version_num(), 7);
        let decoded = domain::decode(EventType::TicketScan, &a.body, Utc::now()).expect("decodes");
        assert_eq!(decoded.id, a.id);
        assert_eq!(decoded.source, "scanning-service");
        let json: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(json["specversion"], "1.0");
        assert_eq!(json["datacontenttype"], "application/json");
        assert_eq!(json["type"], "ticket-scan");
    }

    #[test]
    fn at_keeps_the_callers_id_and_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-28T19:31:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = OutgoingEvent::at("scanning-service", scan(), Some("scan-42".into()), Some(t));
        assert_eq!(e.id, "scan-42");
        let json: serde_json::Value = serde_json::from_str(&e.body).unwrap();
        assert_eq!(json["id"], "scan-42");
        assert_eq!(json["time"], "2026-11-28T19:31:05Z");
    }
}
