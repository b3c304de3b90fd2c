//! The event contract (v1): CloudEvents 1.0 envelopes with one typed `data`
//! payload per event type. Field names are camelCase like the upstream
//! services. String fields borrow from the message body where they can, so
//! decoding a batch allocates little.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The six event types; each is also the name of its SQS queue.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum EventType {
    TicketPurchase,
    TicketScan,
    PageView,
    CartUpdate,
    VenueUpdate,
    TicketRefund,
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        EventType::TicketPurchase,
        EventType::TicketScan,
        EventType::PageView,
        EventType::CartUpdate,
        EventType::VenueUpdate,
        EventType::TicketRefund,
    ];

    /// The CloudEvents `type` and the queue name.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::TicketPurchase => "ticket-purchase",
            EventType::TicketScan => "ticket-scan",
            EventType::PageView => "page-view",
            EventType::CartUpdate => "cart-update",
            EventType::VenueUpdate => "venue-update",
            EventType::TicketRefund => "ticket-refund",
        }
    }

    /// `TICKET_PURCHASE`: the suffix of per-type environment variables.
    pub fn env_suffix(self) -> String {
        self.as_str().replace('-', "_").to_ascii_uppercase()
    }

    /// The upstream service that normally publishes this type.
    pub const fn typical_source(self) -> &'static str {
        match self {
            EventType::TicketPurchase => "ticket-service",
            EventType::TicketScan => "scanning-service",
            EventType::PageView => "frontend",
            EventType::CartUpdate => "order-service",
            EventType::VenueUpdate => "venue-service",
            EventType::TicketRefund => "payment-service",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown event type {0:?}; expected one of ticket-purchase, ticket-scan, page-view, cart-update, venue-update, ticket-refund"
)]
pub struct UnknownEventType(pub String);

impl FromStr for EventType {
    type Err = UnknownEventType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_owned()))
    }
}

/// A CloudEvents 1.0 envelope in structured JSON mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CloudEvent<D> {
    pub specversion: String,
    /// Unique per `source`; `source` + `id` is the dedupe key.
    pub id: String,
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// Event time (RFC 3339). Rollups bucket by this time, not arrival time.
    pub time: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    pub data: D,
}

/// A completed order: `quantity` tickets for `amount` minor units in total.
/// Publish one event per order; `orders` counts these events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketPurchase<'a> {
    #[serde(borrow)]
    pub order_id: Cow<'a, str>,
    /// The (first) ticket of the order.
    #[serde(borrow)]
    pub ticket_id: Cow<'a, str>,
    /// The show.
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(borrow)]
    pub venue_id: Cow<'a, str>,
    #[serde(borrow)]
    pub user_id: Cow<'a, str>,
    /// Total charged, in minor units of `currency` (4500 = $45.00); at most 10^12.
    #[schemars(range(min = 0, max = crate::decode::MAX_AMOUNT))]
    pub amount: i64,
    /// ISO 4217 code, upper case.
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
    /// Tickets in the order, 1–10,000.
    #[serde(default = "one")]
    #[schemars(range(min = 1, max = crate::decode::MAX_QUANTITY))]
    pub quantity: u32,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = crate::decode::MAX_LABEL_LEN))]
    pub tier: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = crate::decode::MAX_LABEL_LEN))]
    pub channel: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = crate::decode::MAX_LABEL_LEN))]
    pub campaign_id: Option<Cow<'a, str>>,
    /// When the show starts, if the ticket service knows (for lead-time patterns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_starts_at: Option<DateTime<Utc>>,
}

const fn one() -> u32 {
    1
}

/// Why money went back to a buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefundReason {
    /// The buyer asked, the venue agreed.
    Refund,
    /// The show (or the order) was cancelled by the venue or promoter.
    Cancellation,
    /// The card holder disputed the charge with their bank.
    Chargeback,
}

impl RefundReason {
    pub const ALL: [RefundReason; 3] = [
        RefundReason::Refund,
        RefundReason::Cancellation,
        RefundReason::Chargeback,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            RefundReason::Refund => "refund",
            RefundReason::Cancellation => "cancellation",
            RefundReason::Chargeback => "chargeback",
        }
    }
}

/// Where a chargeback stands. The bank takes the money when a dispute is
/// `opened`; a `won` dispute gives it back; `lost` confirms it is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChargebackStatus {
    Opened,
    Won,
    Lost,
}

/// Money (and tickets) going back to a buyer: a refund, a cancellation or a
/// chargeback. Needs no lookup of the original order: it lands in the bucket
/// of its own time, in its own currency.
///
/// Effect on the numbers (`a` = `amount`, `q` = `quantity`): a refund, a
/// cancellation and an `opened` chargeback take `a` and `q` off net revenue
/// and net tickets; a `won` chargeback puts them back; a `lost` chargeback
/// changes no money (it was taken when the dispute opened) and is counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketRefund<'a> {
    #[serde(borrow)]
    pub order_id: Cow<'a, str>,
    /// The show.
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(borrow)]
    pub venue_id: Cow<'a, str>,
    #[serde(borrow)]
    pub user_id: Cow<'a, str>,
    /// Refunded, in minor units of `currency` (partial refunds are smaller
    /// than the order); at most 10^12.
    #[schemars(range(min = 0, max = crate::decode::MAX_AMOUNT))]
    pub amount: i64,
    /// ISO 4217 code, upper case.
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
    /// Tickets given back (0 for a refund of money only, such as fees).
    #[schemars(range(min = 0, max = crate::decode::MAX_QUANTITY))]
    pub quantity: u32,
    pub reason: RefundReason,
    /// Chargebacks only, and required for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ChargebackStatus>,
}

/// The sign of a refund event's money and tickets in the rollups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundEffect {
    /// Money and tickets leave (refund, cancellation, chargeback opened).
    Out,
    /// A won chargeback: money and tickets come back.
    Back,
    /// A lost chargeback: no money moves.
    None,
}

impl TicketRefund<'_> {
    pub fn effect(&self) -> RefundEffect {
        match (self.reason, self.status) {
            (RefundReason::Chargeback, Some(ChargebackStatus::Won)) => RefundEffect::Back,
            (RefundReason::Chargeback, Some(ChargebackStatus::Lost)) => RefundEffect::None,
            _ => RefundEffect::Out,
        }
    }

    /// What the refund takes off net revenue (negative when it gives back).
    pub fn signed_amount(&self) -> i64 {
        self.effect().sign() * self.amount
    }

    /// What the refund takes off net tickets (negative when it gives back).
    pub fn signed_quantity(&self) -> i64 {
        self.effect().sign() * i64::from(self.quantity)
    }

    /// The breakdown value of the reason: `refund`, `cancellation`,
    /// `chargeback`, and for settled chargebacks `chargebackWon`/`chargebackLost`.
    pub fn reason_key(&self) -> &'static str {
        match (self.reason, self.status) {
            (RefundReason::Chargeback, Some(ChargebackStatus::Won)) => "chargebackWon",
            (RefundReason::Chargeback, Some(ChargebackStatus::Lost)) => "chargebackLost",
            (r, _) => r.as_str(),
        }
    }
}

impl RefundEffect {
    pub const fn sign(self) -> i64 {
        match self {
            RefundEffect::Out => 1,
            RefundEffect::Back => -1,
            RefundEffect::None => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScanResult {
    Admitted,
    Rejected,
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketScan<'a> {
    #[serde(borrow)]
    pub ticket_id: Cow<'a, str>,
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(borrow)]
    pub venue_id: Cow<'a, str>,
    /// The gate: not blank, at most 256 bytes.
    #[serde(borrow)]
    #[schemars(length(min = 1, max = crate::decode::MAX_LABEL_LEN))]
    pub entry_point: Cow<'a, str>,
    pub result: ScanResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageView<'a> {
    #[serde(borrow)]
    pub session_id: Cow<'a, str>,
    #[serde(borrow)]
    #[schemars(length(min = 1, max = crate::decode::MAX_LABEL_LEN))]
    pub path: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Cow<'a, str>>,
    /// Views without a venue count in flow health only.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub venue_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = crate::decode::MAX_LABEL_LEN))]
    pub campaign_id: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CartAction {
    Add,
    Remove,
    Checkout,
    Abandon,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CartItem<'a> {
    /// Not blank, at most 256 bytes.
    #[serde(borrow)]
    #[schemars(length(min = 1, max = crate::decode::MAX_LABEL_LEN))]
    pub tier: Cow<'a, str>,
    /// 1–10,000.
    #[schemars(range(min = 1, max = crate::decode::MAX_QUANTITY))]
    pub quantity: u32,
    /// Minor units per ticket; at most 10^12.
    #[schemars(range(min = 0, max = crate::decode::MAX_AMOUNT))]
    pub unit_amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CartUpdate<'a> {
    #[serde(borrow)]
    pub cart_id: Cow<'a, str>,
    #[serde(borrow)]
    pub user_id: Cow<'a, str>,
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(borrow)]
    pub venue_id: Cow<'a, str>,
    pub action: CartAction,
    #[serde(default, borrow)]
    pub items: Vec<CartItem<'a>>,
    /// Value of the whole cart after this update, minor units.
    pub cart_value: i64,
    #[serde(borrow)]
    pub currency: Cow<'a, str>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShowInfo<'a> {
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    pub starts_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// When tickets went on sale (for sales forecasts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_sale_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenueUpdate<'a> {
    #[serde(borrow)]
    pub venue_id: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub name: Option<Cow<'a, str>>,
    /// IANA time zone, e.g. `America/New_York`; daily rollups use it.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub shows: Option<Vec<ShowInfo<'a>>>,
    /// Default currency for the venue's dashboards.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Cow<'a, str>>,
}

impl<'a> VenueUpdate<'a> {
    /// The listed shows, each once: a show listed twice keeps its last entry
    /// (one transaction may not write one item twice).
    pub fn distinct_shows(&self) -> Vec<&ShowInfo<'a>> {
        let shows = self.shows.as_deref().unwrap_or_default();
        shows
            .iter()
            .enumerate()
            .filter(|(i, s)| !shows[i + 1..].iter().any(|t| t.event_id == s.event_id))
            .map(|(_, s)| s)
            .collect()
    }
}

/// The typed payload of a decoded event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventData<'a> {
    TicketPurchase(TicketPurchase<'a>),
    TicketScan(TicketScan<'a>),
    PageView(PageView<'a>),
    CartUpdate(CartUpdate<'a>),
    VenueUpdate(VenueUpdate<'a>),
    TicketRefund(TicketRefund<'a>),
}

impl EventData<'_> {
    pub fn event_type(&self) -> EventType {
        match self {
            EventData::TicketPurchase(_) => EventType::TicketPurchase,
            EventData::TicketScan(_) => EventType::TicketScan,
            EventData::PageView(_) => EventType::PageView,
            EventData::CartUpdate(_) => EventType::CartUpdate,
            EventData::VenueUpdate(_) => EventType::VenueUpdate,
            EventData::TicketRefund(_) => EventType::TicketRefund,
        }
    }

    /// The venue the event belongs to, if any.
    pub fn venue_id(&self) -> Option<&str> {
        match self {
            EventData::TicketPurchase(d) => Some(&d.venue_id),
            EventData::TicketScan(d) => Some(&d.venue_id),
            EventData::PageView(d) => d.venue_id.as_deref(),
            EventData::CartUpdate(d) => Some(&d.venue_id),
            EventData::VenueUpdate(d) => Some(&d.venue_id),
            EventData::TicketRefund(d) => Some(&d.venue_id),
        }
    }

    /// The (venue, customer) whose metrics the event moves: purchases and
    /// refunds. Ingest keeps such an event's dedupe token in that customer's item.
    pub fn customer(&self) -> Option<(&str, &str)> {
        match self {
            EventData::TicketPurchase(d) => Some((&d.venue_id, &d.user_id)),
            EventData::TicketRefund(d) => Some((&d.venue_id, &d.user_id)),
            _ => None,
        }
    }

    /// The show the event belongs to, if any.
    pub fn show_id(&self) -> Option<&str> {
        match self {
            EventData::TicketPurchase(d) => Some(&d.event_id),
            EventData::TicketScan(d) => Some(&d.event_id),
            EventData::PageView(d) => d.event_id.as_deref(),
            EventData::CartUpdate(d) => Some(&d.event_id),
            EventData::VenueUpdate(_) => None,
            EventData::TicketRefund(d) => Some(&d.event_id),
        }
    }
}

/// A decoded, validated event. Borrows from the message body.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    pub id: Cow<'a, str>,
    pub source: Cow<'a, str>,
    pub time: DateTime<Utc>,
    pub data: EventData<'a>,
}

impl Event<'_> {
    pub fn event_type(&self) -> EventType {
        self.data.event_type()
    }
}
