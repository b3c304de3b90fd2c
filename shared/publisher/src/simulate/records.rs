//! The generator's own record of each valid event, and its CloudEvent body.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use domain::event::{
    CartAction, CartItem, CartUpdate, ChargebackStatus, PageView, RefundReason, ScanResult,
    ShowInfo, TicketPurchase, TicketRefund, TicketScan, VenueUpdate,
};
use domain::{CloudEvent, EventType};
use serde::Serialize;

use super::SimConfig;

pub(super) const CURRENCY: &str = "USD";

/// A show of the venue.
#[derive(Debug, Clone)]
pub(super) struct Show {
    pub id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub on_sale_at: DateTime<Utc>,
    pub capacity: u32,
}

/// A valid event as generated.
#[derive(Debug, Clone)]
pub(super) struct Rec {
    pub id: String,
    pub time: DateTime<Utc>,
    pub data: RecData,
    /// Published after newer events.
    pub late: bool,
}

#[derive(Debug, Clone)]
pub(super) enum RecData {
    Venue,
    Purchase(Purchase),
    Scan(Scan),
    View(View),
    Cart(Cart),
    Refund(Refund),
}

/// Money (and tickets) going back on an order.
#[derive(Debug, Clone)]
pub(super) struct Refund {
    pub order_id: String,
    pub show: usize,
    pub user_id: String,
    pub amount: i64,
    pub quantity: u32,
    pub reason: RefundReason,
    pub status: Option<ChargebackStatus>,
}

#[derive(Debug, Clone)]
pub(super) struct Purchase {
    pub order_id: String,
    pub show: usize,
    pub user_id: String,
    pub quantity: u32,
    pub unit_amount: i64,
    pub tier: &'static str,
    pub channel: &'static str,
    pub campaign: Option<&'static str>,
}

impl Purchase {
    pub fn amount(&self) -> i64 {
        self.unit_amount * i64::from(self.quantity)
    }

    /// Ticket `k` (1-based) of the order.
    pub fn ticket_id(&self, k: u32) -> String {
        format!("{}-{k}", self.order_id.replacen("ord", "tkt", 1))
    }
}

#[derive(Debug, Clone)]
pub(super) struct Scan {
    pub ticket_id: String,
    pub show: usize,
    pub entry_point: &'static str,
    pub result: ScanResult,
}

#[derive(Debug, Clone)]
pub(super) struct View {
    pub session_id: String,
    pub path: String,
    pub user_id: Option<String>,
    /// Venue-scoped (carries `venueId`); otherwise it counts nowhere but flow health.
    pub venue: bool,
    pub show: Option<usize>,
    pub referrer: Option<&'static str>,
    pub campaign: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub(super) struct Cart {
    pub cart_id: String,
    pub user_id: String,
    pub show: usize,
    pub action: CartAction,
    /// `(tier, quantity, unit amount)`: the items this update is about.
    pub items: Vec<(&'static str, u32, i64)>,
    /// Value of the whole cart after the update.
    pub value: i64,
}

impl Rec {
    pub fn event_type(&self) -> EventType {
        match self.data {
            RecData::Venue => EventType::VenueUpdate,
            RecData::Purchase(_) => EventType::TicketPurchase,
            RecData::Scan(_) => EventType::TicketScan,
            RecData::View(_) => EventType::PageView,
            RecData::Cart(_) => EventType::CartUpdate,
            RecData::Refund(_) => EventType::TicketRefund,
        }
    }

    /// The CloudEvent JSON of this record.
    pub fn body(&self, cfg: &SimConfig, shows: &[Show]) -> String {
        let venue = Cow::Borrowed(cfg.venue_id.as_str());
        let show_id = |i: usize| Cow::Borrowed(shows[i].id.as_str());
        match &self.data {
            RecData::Venue => self.envelope(VenueUpdate {
                venue_id: venue,
                name: Some(Cow::Borrowed(&cfg.venue_name)),
                timezone: Some(Cow::Borrowed(cfg.timezone.name())),
                capacity: Some(cfg.capacity),
                shows: Some(
                    shows
                        .iter()
                        .map(|s| ShowInfo {
                            event_id: Cow::Borrowed(&s.id),
                            name: Cow::Borrowed(&s.name),
                            starts_at: s.starts_at,
                            capacity: Some(s.capacity),
                            on_sale_at: Some(s.on_sale_at),
                        })
                        .collect(),
                ),
                currency: Some(Cow::Borrowed(CURRENCY)),
            }),
            RecData::Purchase(p) => self.envelope(TicketPurchase {
                order_id: Cow::Borrowed(&p.order_id),
                ticket_id: Cow::Owned(p.ticket_id(1)),
                event_id: show_id(p.show),
                venue_id: venue,
                user_id: Cow::Borrowed(&p.user_id),
                amount: p.amount(),
                currency: Cow::Borrowed(CURRENCY),
                quantity: p.quantity,
                tier: Some(Cow::Borrowed(p.tier)),
                channel: Some(Cow::Borrowed(p.channel)),
                campaign_id: p.campaign.map(Cow::Borrowed),
                show_starts_at: Some(shows[p.show].starts_at),
            }),
            RecData::Scan(s) => self.envelope(TicketScan {
                ticket_id: Cow::Borrowed(&s.ticket_id),
                event_id: show_id(s.show),
                venue_id: venue,
                entry_point: Cow::Borrowed(s.entry_point),
                result: s.result,
            }),
            RecData::View(v) => self.envelope(PageView {
                session_id: Cow::Borrowed(&v.session_id),
                path: Cow::Borrowed(&v.path),
                user_id: v.user_id.as_deref().map(Cow::Borrowed),
                venue_id: v.venue.then_some(venue),
                event_id: v.show.map(show_id),
                referrer: v.referrer.map(Cow::Borrowed),
                campaign_id: v.campaign.map(Cow::Borrowed),
            }),
            RecData::Cart(c) => self.envelope(CartUpdate {
                cart_id: Cow::Borrowed(&c.cart_id),
                user_id: Cow::Borrowed(&c.user_id),
                event_id: show_id(c.show),
                venue_id: venue,
                action: c.action,
                items: c
                    .items
                    .iter()
                    .map(|&(tier, quantity, unit_amount)| CartItem {
                        tier: Cow::Borrowed(tier),
                        quantity,
                        unit_amount,
                    })
                    .collect(),
                cart_value: c.value,
                currency: Cow::Borrowed(CURRENCY),
            }),
            RecData::Refund(r) => self.envelope(TicketRefund {
                order_id: Cow::Borrowed(&r.order_id),
                event_id: show_id(r.show),
                venue_id: venue,
                user_id: Cow::Borrowed(&r.user_id),
                amount: r.amount,
                currency: Cow::Borrowed(CURRENCY),
                quantity: r.quantity,
                reason: r.reason,
                status: r.status,
            }),
        }
    }

    fn envelope<D: Serialize>(&self, data: D) -> String {
        let event_type = self.event_type();
        let event = CloudEvent {
            specversion: "1.0".to_owned(),
            id: self.id.clone(),
            source: event_type.typical_source().to_owned(),
            event_type,
            time: self.time,
            datacontenttype: Some("application/json".to_owned()),
            data,
        };
        serde_json::to_string(&event).expect("contract payloads always serialize to JSON")
    }
}
