//! Decoding and validation of one message body into an [`Event`], or a
//! [`Rejection`] with a machine-readable reason. Rejections are final: the
//! pipeline quarantines them and never retries them.

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::event::{
    CartUpdate, Event, EventData, EventType, PageView, TicketPurchase, TicketScan, VenueUpdate,
};

/// How far ahead of the ingest clock an event time may be (clock skew).
pub const MAX_FUTURE_SKEW: Duration = Duration::minutes(15);
/// Events older than this are rejected: their rollups may already have expired.
pub const MAX_EVENT_AGE: Duration = Duration::days(400);
/// Largest accepted quantity of tickets in one order or cart line.
pub const MAX_QUANTITY: u32 = 10_000;
/// Longest accepted id or label.
pub const MAX_ID_LEN: usize = 256;

/// Why a message was rejected. Serialized as snake_case codes in quarantine records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The body is not JSON, or not a JSON object.
    MalformedJson,
    /// `specversion` is not `1.0`, or a required attribute is missing.
    InvalidEnvelope,
    /// `type` is not one of the five event types.
    UnknownType,
    /// `type` is valid but the message arrived on another type's queue.
    TypeMismatch,
    /// `data` does not match the type's JSON Schema.
    SchemaViolation,
    /// Values that cannot be real: negative amounts, zero quantities, bad time zones…
    ImpossibleValue,
    /// `time` is more than 15 minutes ahead of the ingest clock.
    FutureTimestamp,
    /// `time` is older than the retention of the rollups.
    StaleTimestamp,
}

impl RejectReason {
    pub const fn code(self) -> &'static str {
        match self {
            RejectReason::MalformedJson => "malformed_json",
            RejectReason::InvalidEnvelope => "invalid_envelope",
            RejectReason::UnknownType => "unknown_type",
            RejectReason::TypeMismatch => "type_mismatch",
            RejectReason::SchemaViolation => "schema_violation",
            RejectReason::ImpossibleValue => "impossible_value",
            RejectReason::FutureTimestamp => "future_timestamp",
            RejectReason::StaleTimestamp => "stale_timestamp",
        }
    }
}

/// A rejected message: the reason code and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}: {detail}", reason.code())]
pub struct Rejection {
    pub reason: RejectReason,
    pub detail: String,
}

impl Rejection {
    pub fn new(reason: RejectReason, detail: impl Into<String>) -> Self {
        Rejection {
            reason,
            detail: detail.into(),
        }
    }
}

fn reject<T>(reason: RejectReason, detail: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection::new(reason, detail))
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    specversion: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    event_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    datacontenttype: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// Decodes and validates one message body that arrived on `queue`'s queue.
///
/// `now` is the ingest clock, used for the future/stale checks.
pub fn decode(queue: EventType, body: &str, now: DateTime<Utc>) -> Result<Event<'_>, Rejection> {
    let env: Envelope<'_> = serde_json::from_str(body).map_err(|e| {
        let reason = if e.is_data() {
            RejectReason::InvalidEnvelope
        } else {
            RejectReason::MalformedJson
        };
        Rejection::new(reason, e.to_string())
    })?;
    match env.specversion.as_deref() {
        Some("1.0") => {}
        Some(v) => {
            return reject(
                RejectReason::InvalidEnvelope,
                format!("unsupported specversion {v:?}; expected \"1.0\""),
            );
        }
        None => {
            return reject(
                RejectReason::InvalidEnvelope,
                "missing attribute `specversion`",
            );
        }
    }
    let id = required_attr(env.id, "id")?;
    let source = required_attr(env.source, "source")?;
    let type_name = required_attr(env.event_type, "type")?;
    let Ok(event_type) = type_name.parse::<EventType>() else {
        return reject(
            RejectReason::UnknownType,
            format!("unknown event type {type_name:?}"),
        );
    };
    if event_type != queue {
        return reject(
            RejectReason::TypeMismatch,
            format!("a {event_type} event arrived on the {queue} queue"),
        );
    }
    if let Some(ct) = env.datacontenttype.as_deref()
        && !ct.starts_with("application/json")
    {
        return reject(
            RejectReason::InvalidEnvelope,
            format!("datacontenttype {ct:?} is not application/json"),
        );
    }
    let time_text = required_attr(env.time, "time")?;
    let time = DateTime::parse_from_rfc3339(&time_text)
        .map_err(|e| {
            Rejection::new(
                RejectReason::InvalidEnvelope,
                format!("time {time_text:?} is not RFC 3339: {e}"),
            )
        })?
        .with_timezone(&Utc);
    if time > now + MAX_FUTURE_SKEW {
        return reject(
            RejectReason::FutureTimestamp,
            format!(
                "time {time_text} is more than 15 minutes ahead of the ingest clock ({})",
                now.to_rfc3339()
            ),
        );
    }
    if time < now - MAX_EVENT_AGE {
        return reject(
            RejectReason::StaleTimestamp,
            format!("time {time_text} is older than 400 days"),
        );
    }
    let Some(raw) = env.data else {
        return reject(RejectReason::SchemaViolation, "missing attribute `data`");
    };
    let data = decode_data(event_type, raw.get())?;
    Ok(Event {
        id,
        source,
        time,
        data,
    })
}

fn required_attr<'a>(value: Option<Cow<'a, str>>, name: &str) -> Result<Cow<'a, str>, Rejection> {
    match value {
        Some(v) if v.is_empty() => reject(
            RejectReason::InvalidEnvelope,
            format!("attribute `{name}` is empty"),
        ),
        Some(v) if v.len() > MAX_ID_LEN => reject(
            RejectReason::InvalidEnvelope,
            format!("attribute `{name}` is longer than {MAX_ID_LEN} bytes"),
        ),
        Some(v) => Ok(v),
        None => reject(
            RejectReason::InvalidEnvelope,
            format!("missing attribute `{name}`"),
        ),
    }
}

/// Decodes `data`; on failure decodes again, slowly, to name the offending field.
fn schema<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<T, Rejection> {
    serde_json::from_str(raw).map_err(|e| {
        let de = &mut serde_json::Deserializer::from_str(raw);
        let detail = match serde_path_to_error::deserialize::<_, T>(de) {
            Err(pe) if pe.path().to_string() != "." => {
                format!("data.{}: {}", pe.path(), pe.inner())
            }
            _ => format!("data: {e}"),
        };
        Rejection::new(RejectReason::SchemaViolation, detail)
    })
}

fn decode_data(event_type: EventType, raw: &str) -> Result<EventData<'_>, Rejection> {
    let data = match event_type {
        EventType::TicketPurchase => {
            let d: TicketPurchase<'_> = schema(raw)?;
            ids(&[
                ("orderId", &d.order_id),
                ("ticketId", &d.ticket_id),
                ("eventId", &d.event_id),
                ("venueId", &d.venue_id),
                ("userId", &d.user_id),
            ])?;
            labels(&[
                ("tier", d.tier.as_deref()),
                ("channel", d.channel.as_deref()),
                ("campaignId", d.campaign_id.as_deref()),
            ])?;
            non_negative("amount", d.amount)?;
            quantity("quantity", d.quantity)?;
            currency(&d.currency)?;
            EventData::TicketPurchase(d)
        }
        EventType::TicketScan => {
            let d: TicketScan<'_> = schema(raw)?;
            ids(&[
                ("ticketId", &d.ticket_id),
                ("eventId", &d.event_id),
                ("venueId", &d.venue_id),
                ("entryPoint", &d.entry_point),
            ])?;
            EventData::TicketScan(d)
        }
        EventType::PageView => {
            let d: PageView<'_> = schema(raw)?;
            ids(&[("sessionId", &d.session_id), ("path", &d.path)])?;
            labels(&[
                ("userId", d.user_id.as_deref()),
                ("venueId", d.venue_id.as_deref()),
                ("eventId", d.event_id.as_deref()),
                ("campaignId", d.campaign_id.as_deref()),
            ])?;
            if d.event_id.is_some() && d.venue_id.is_none() {
                return reject(
                    RejectReason::SchemaViolation,
                    "data: eventId is set but venueId is missing",
                );
            }
            EventData::PageView(d)
        }
        EventType::CartUpdate => {
            let d: CartUpdate<'_> = schema(raw)?;
            ids(&[
                ("cartId", &d.cart_id),
                ("userId", &d.user_id),
                ("eventId", &d.event_id),
                ("venueId", &d.venue_id),
            ])?;
            non_negative("cartValue", d.cart_value)?;
            currency(&d.currency)?;
            for (i, item) in d.items.iter().enumerate() {
                ids(&[("items[].tier", &item.tier)])?;
                quantity(&format!("items[{i}].quantity"), item.quantity)?;
                non_negative(&format!("items[{i}].unitAmount"), item.unit_amount)?;
            }
            EventData::CartUpdate(d)
        }
        EventType::VenueUpdate => {
            let d: VenueUpdate<'_> = schema(raw)?;
            ids(&[("venueId", &d.venue_id)])?;
            if let Some(tz) = d.timezone.as_deref()
                && tz.parse::<chrono_tz::Tz>().is_err()
            {
                return reject(
                    RejectReason::ImpossibleValue,
                    format!("data.timezone {tz:?} is not an IANA time zone"),
                );
            }
            if let Some(c) = d.currency.as_deref() {
                currency(c)?;
            }
            for show in d.shows.iter().flatten() {
                ids(&[("shows[].eventId", &show.event_id)])?;
            }
            EventData::VenueUpdate(d)
        }
    };
    Ok(data)
}

fn ids(fields: &[(&str, &str)]) -> Result<(), Rejection> {
    for (name, value) in fields {
        if value.trim().is_empty() {
            return reject(
                RejectReason::SchemaViolation,
                format!("data.{name} is empty"),
            );
        }
        if value.len() > MAX_ID_LEN {
            return reject(
                RejectReason::SchemaViolation,
                format!("data.{name} is longer than {MAX_ID_LEN} bytes"),
            );
        }
    }
    Ok(())
}

fn labels(fields: &[(&str, Option<&str>)]) -> Result<(), Rejection> {
    for (name, value) in fields {
        if let Some(v) = value {
            ids(&[(name, v)])?;
        }
    }
    Ok(())
}

fn non_negative(name: &str, v: i64) -> Result<(), Rejection> {
    if v < 0 {
        return reject(
            RejectReason::ImpossibleValue,
            format!("data.{name} is negative ({v})"),
        );
    }
    Ok(())
}

fn quantity(name: &str, q: u32) -> Result<(), Rejection> {
    if q == 0 || q > MAX_QUANTITY {
        return reject(
            RejectReason::ImpossibleValue,
            format!("data.{name} must be between 1 and {MAX_QUANTITY} (got {q})"),
        );
    }
    Ok(())
}

fn currency(c: &str) -> Result<(), Rejection> {
    if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
        return reject(
            RejectReason::SchemaViolation,
            format!("data.currency {c:?} is not an ISO 4217 code (three upper-case letters)"),
        );
    }
    Ok(())
}
