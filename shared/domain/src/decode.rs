//! Decoding and validation of one message body into an [`Event`], or a
//! [`Rejection`] with a machine-readable reason. Rejections are final: the
//! pipeline quarantines them and never retries them.

mod json_reader;
mod plain_body;
mod rfc3339;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::event::{
    CartUpdate, Event, EventData, EventType, PageView, RefundReason, TicketPurchase, TicketRefund,
    TicketScan, VenueUpdate,
};

/// How far ahead of the ingest clock an event time may be (clock skew).
pub const MAX_FUTURE_SKEW: Duration = Duration::minutes(15);
/// Events older than this are rejected: their rollups may already have expired.
pub const MAX_EVENT_AGE: Duration = Duration::days(400);
/// Largest accepted quantity of tickets in one order or cart line.
pub const MAX_QUANTITY: u32 = 10_000;
/// Longest accepted label (tier, channel, campaign, entry point, path), in bytes.
/// Ids follow the stricter grammar of [`crate::ids`].
pub const MAX_LABEL_LEN: usize = 256;
/// Largest accepted `amount`, `cartValue` or `unitAmount`, in minor units
/// (10¹² cents is ten billion dollars): sums of billions of these stay far
/// inside `i64` and inside DynamoDB's 38 digits.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// Why a message was rejected. Serialized as snake_case codes in quarantine records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The body is not JSON, or not a JSON object.
    MalformedJson,
    /// `specversion` is not `1.0`, or a required attribute is missing.
    InvalidEnvelope,
    /// `type` is not one of the six event types.
    UnknownType,
    /// `type` is valid but the message arrived on another type's queue.
    TypeMismatch,
    /// `data` does not match the type's JSON Schema.
    SchemaViolation,
    /// An id outside the id grammar ([`crate::ids`]): empty, too long,
    /// whitespace, control characters, `#` or `*`.
    InvalidId,
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
            RejectReason::InvalidId => "invalid_id",
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

/// The envelope, with `data` as `D`: `&RawValue` on the careful path, the
/// queue's typed payload on the fast path (one pass over the body).
#[derive(Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>"))]
struct Envelope<'a, D> {
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
    #[serde(default)]
    data: Option<D>,
}

/// Decodes and validates one message body that arrived on `queue`'s queue.
///
/// `now` is the ingest clock, used for the future/stale checks. Well-formed
/// bodies are parsed in one pass straight into the queue's payload type (by
/// a small reader when the JSON is plain, else by serde_json); any body that
/// fails that is parsed again, carefully, to name what is wrong.
pub fn decode(queue: EventType, body: &str, now: DateTime<Utc>) -> Result<Event<'_>, Rejection> {
    match plain_body::read(queue, body) {
        Some(env) => checked_event(queue, env, now),
        None => decode_with_serde(queue, body, now),
    }
}

/// [`decode`] without the plain-body reader: what that reader must agree with.
fn decode_with_serde(
    queue: EventType,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Event<'_>, Rejection> {
    fn typed<'a, D: Deserialize<'a>>(
        body: &'a str,
        wrap: fn(D) -> EventData<'a>,
    ) -> Option<Envelope<'a, EventData<'a>>> {
        let env: Envelope<'a, D> = serde_json::from_str(body).ok()?;
        Some(Envelope {
            specversion: env.specversion,
            id: env.id,
            source: env.source,
            event_type: env.event_type,
            time: env.time,
            datacontenttype: env.datacontenttype,
            data: env.data.map(wrap),
        })
    }
    let fast = match queue {
        EventType::TicketPurchase => typed::<TicketPurchase<'_>>(body, EventData::TicketPurchase),
        EventType::TicketScan => typed::<TicketScan<'_>>(body, EventData::TicketScan),
        EventType::PageView => typed::<PageView<'_>>(body, EventData::PageView),
        EventType::CartUpdate => typed::<CartUpdate<'_>>(body, EventData::CartUpdate),
        EventType::VenueUpdate => typed::<VenueUpdate<'_>>(body, EventData::VenueUpdate),
        EventType::TicketRefund => typed::<TicketRefund<'_>>(body, EventData::TicketRefund),
    };
    match fast {
        Some(env) if env.data.is_some() => checked_event(queue, env, now),
        _ => decode_carefully(queue, body, now),
    }
}

/// The envelope and data rules, for an envelope whose `data` is present.
fn checked_event<'a>(
    queue: EventType,
    mut env: Envelope<'a, EventData<'a>>,
    now: DateTime<Utc>,
) -> Result<Event<'a>, Rejection> {
    let checked = check_envelope(queue, &mut env, now)?;
    let data = env
        .data
        .unwrap_or_else(|| unreachable!("callers pass an envelope with data"));
    validated(checked, data)
}

/// The event, once its payload passes [`validate_data`].
fn validated<'a>(
    (id, source, time): Checked<'a>,
    data: EventData<'a>,
) -> Result<Event<'a>, Rejection> {
    validate_data(&data)?;
    Ok(Event {
        id,
        source,
        time,
        data,
    })
}

/// The slow path: names the first problem of a body the fast path refused.
fn decode_carefully(
    queue: EventType,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Event<'_>, Rejection> {
    let mut env: Envelope<'_, &RawValue> = serde_json::from_str(body).map_err(|e| {
        let reason = if e.is_data() {
            RejectReason::InvalidEnvelope
        } else {
            RejectReason::MalformedJson
        };
        Rejection::new(reason, e.to_string())
    })?;
    let checked = check_envelope(queue, &mut env, now)?;
    let Some(raw) = env.data else {
        return reject(RejectReason::SchemaViolation, "missing attribute `data`");
    };
    validated(checked, parse_data(queue, raw.get())?)
}

type Checked<'a> = (Cow<'a, str>, Cow<'a, str>, DateTime<Utc>);

/// The envelope rules: spec version, required attributes, type, content type, time window.
/// Takes the attributes it returns out of `env` and leaves `data` (which may be large) in place.
fn check_envelope<'a, D>(
    queue: EventType,
    env: &mut Envelope<'a, D>,
    now: DateTime<Utc>,
) -> Result<Checked<'a>, Rejection> {
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
    let id = required_attr(env.id.take(), "id")?;
    let source = required_attr(env.source.take(), "source")?;
    for (name, value) in [("id", &id), ("source", &source)] {
        if let Err(e) = crate::ids::check(value) {
            return reject(RejectReason::InvalidId, format!("attribute `{name}` {e}"));
        }
    }
    let type_name = required_attr(env.event_type.take(), "type")?;
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
    let time_text = required_attr(env.time.take(), "time")?;
    let time = rfc3339::parse_utc(&time_text).map_err(|e| {
        Rejection::new(
            RejectReason::InvalidEnvelope,
            format!("time {time_text:?} is not RFC 3339: {e}"),
        )
    })?;
    let position = window_position(time, now);
    if position == Ordering::Greater {
        return reject(
            RejectReason::FutureTimestamp,
            format!(
                "time {time_text} is more than 15 minutes ahead of the ingest clock ({})",
                now.to_rfc3339()
            ),
        );
    }
    if position == Ordering::Less {
        return reject(
            RejectReason::StaleTimestamp,
            format!("time {time_text} is older than 400 days"),
        );
    }
    Ok((id, source, time))
}

/// Where `time` is relative to the accepted window around `now`: `Greater`
/// when `time > now + MAX_FUTURE_SKEW`, else `Less` when `time < now - MAX_EVENT_AGE`.
fn window_position(time: DateTime<Utc>, now: DateTime<Utc>) -> Ordering {
    if let Some((secs, nanos)) = plain_instant(now) {
        let t = instant(time);
        if t > (secs + MAX_FUTURE_SKEW.num_seconds(), nanos) {
            Ordering::Greater
        } else if t < (secs - MAX_EVENT_AGE.num_seconds(), nanos) {
            Ordering::Less
        } else {
            Ordering::Equal
        }
    } else if time > now + MAX_FUTURE_SKEW {
        Ordering::Greater
    } else if time < now - MAX_EVENT_AGE {
        Ordering::Less
    } else {
        Ordering::Equal
    }
}

// The window is checked on Unix seconds, so its bounds must be whole seconds.
const _: () = assert!(MAX_FUTURE_SKEW.subsec_nanos() == 0 && MAX_EVENT_AGE.subsec_nanos() == 0);

/// An instant as (Unix seconds, nanoseconds): ordered like the instants.
fn instant(t: DateTime<Utc>) -> (i64, u32) {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

/// `instant(t)` when moving `t` by the window bounds is plain arithmetic on
/// it, as it is in chrono (whose date arithmetic is slow): not a leap second,
/// and far from the ends of chrono's range.
fn plain_instant(t: DateTime<Utc>) -> Option<(i64, u32)> {
    let (secs, nanos) = instant(t);
    (secs.unsigned_abs() < 1 << 40 && nanos < 1_000_000_000).then_some((secs, nanos))
}

fn required_attr<'a>(value: Option<Cow<'a, str>>, name: &str) -> Result<Cow<'a, str>, Rejection> {
    match value {
        Some(v) if v.is_empty() => reject(
            RejectReason::InvalidEnvelope,
            format!("attribute `{name}` is empty"),
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

fn parse_data(event_type: EventType, raw: &str) -> Result<EventData<'_>, Rejection> {
    Ok(match event_type {
        EventType::TicketPurchase => EventData::TicketPurchase(schema(raw)?),
        EventType::TicketScan => EventData::TicketScan(schema(raw)?),
        EventType::PageView => EventData::PageView(schema(raw)?),
        EventType::CartUpdate => EventData::CartUpdate(schema(raw)?),
        EventType::VenueUpdate => EventData::VenueUpdate(schema(raw)?),
        EventType::TicketRefund => EventData::TicketRefund(schema(raw)?),
    })
}

/// Rules beyond the schema: non-empty ids, impossible values, known time zones.
fn validate_data(data: &EventData<'_>) -> Result<(), Rejection> {
    match data {
        EventData::TicketPurchase(d) => {
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
            amount("amount", d.amount)?;
            quantity("quantity", d.quantity)?;
            currency(&d.currency)?;
        }
        EventData::TicketScan(d) => {
            ids(&[
                ("ticketId", &d.ticket_id),
                ("eventId", &d.event_id),
                ("venueId", &d.venue_id),
            ])?;
            labels(&[("entryPoint", Some(&d.entry_point))])?;
        }
        EventData::PageView(d) => {
            ids(&[("sessionId", &d.session_id)])?;
            optional_ids(&[
                ("userId", d.user_id.as_deref()),
                ("venueId", d.venue_id.as_deref()),
                ("eventId", d.event_id.as_deref()),
            ])?;
            labels(&[
                ("path", Some(&d.path)),
                ("campaignId", d.campaign_id.as_deref()),
            ])?;
            if d.event_id.is_some() && d.venue_id.is_none() {
                return reject(
                    RejectReason::SchemaViolation,
                    "data: eventId is set but venueId is missing",
                );
            }
        }
        EventData::CartUpdate(d) => {
            ids(&[
                ("cartId", &d.cart_id),
                ("userId", &d.user_id),
                ("eventId", &d.event_id),
                ("venueId", &d.venue_id),
            ])?;
            amount("cartValue", d.cart_value)?;
            currency(&d.currency)?;
            for (i, item) in d.items.iter().enumerate() {
                labels(&[("items[].tier", Some(&item.tier))])?;
                // Field names are formatted only for a rejection.
                if !quantity_in_range(item.quantity) {
                    quantity(&format!("items[{i}].quantity"), item.quantity)?;
                }
                if !(0..=MAX_AMOUNT).contains(&item.unit_amount) {
                    amount(&format!("items[{i}].unitAmount"), item.unit_amount)?;
                }
            }
        }
        EventData::VenueUpdate(d) => {
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
        }
        EventData::TicketRefund(d) => {
            ids(&[
                ("orderId", &d.order_id),
                ("eventId", &d.event_id),
                ("venueId", &d.venue_id),
                ("userId", &d.user_id),
            ])?;
            amount("amount", d.amount)?;
            if d.quantity > MAX_QUANTITY {
                return reject(
                    RejectReason::ImpossibleValue,
                    format!(
                        "data.quantity must be between 0 and {MAX_QUANTITY} (got {})",
                        d.quantity
                    ),
                );
            }
            if d.amount == 0 && d.quantity == 0 {
                return reject(
                    RejectReason::ImpossibleValue,
                    "data: a refund of neither money nor tickets (amount and quantity are 0)",
                );
            }
            currency(&d.currency)?;
            match (d.reason, d.status) {
                (RefundReason::Chargeback, None) => {
                    return reject(
                        RejectReason::SchemaViolation,
                        "data.status is required for a chargeback (opened, won or lost)",
                    );
                }
                (RefundReason::Refund | RefundReason::Cancellation, Some(_)) => {
                    return reject(
                        RejectReason::SchemaViolation,
                        "data.status is for chargebacks only",
                    );
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Ids: the grammar of [`crate::ids`].
fn ids(fields: &[(&str, &str)]) -> Result<(), Rejection> {
    for (name, value) in fields {
        if let Err(e) = crate::ids::check(value) {
            return reject(RejectReason::InvalidId, format!("data.{name} {e}"));
        }
    }
    Ok(())
}

fn optional_ids(fields: &[(&str, Option<&str>)]) -> Result<(), Rejection> {
    for (name, value) in fields {
        if let Some(v) = value {
            ids(&[(name, v)])?;
        }
    }
    Ok(())
}

/// Labels (breakdown values, paths): not blank, bounded.
fn label(name: &str, value: &str) -> Result<(), Rejection> {
    if is_blank(value) {
        return reject(
            RejectReason::SchemaViolation,
            format!("data.{name} is empty"),
        );
    }
    if value.len() > MAX_LABEL_LEN {
        return reject(
            RejectReason::SchemaViolation,
            format!("data.{name} is longer than {MAX_LABEL_LEN} bytes"),
        );
    }
    Ok(())
}

/// `value.trim().is_empty()`, without trimming when it starts with a visible ASCII character.
fn is_blank(value: &str) -> bool {
    match value.as_bytes().first() {
        Some(b'!'..=b'~') => false,
        _ => value.trim().is_empty(),
    }
}

fn labels(fields: &[(&str, Option<&str>)]) -> Result<(), Rejection> {
    for (name, value) in fields {
        if let Some(v) = value {
            label(name, v)?;
        }
    }
    Ok(())
}

fn amount(name: &str, v: i64) -> Result<(), Rejection> {
    if v < 0 {
        return reject(
            RejectReason::ImpossibleValue,
            format!("data.{name} is negative ({v})"),
        );
    }
    if v > MAX_AMOUNT {
        return reject(
            RejectReason::ImpossibleValue,
            format!("data.{name} is above the largest accepted amount {MAX_AMOUNT} ({v})"),
        );
    }
    Ok(())
}

fn quantity_in_range(q: u32) -> bool {
    (1..=MAX_QUANTITY).contains(&q)
}

fn quantity(name: &str, q: u32) -> Result<(), Rejection> {
    if !quantity_in_range(q) {
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
