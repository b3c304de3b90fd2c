//! The totals a correct pipeline shows after ingesting a simulation,
//! counted from the generator's records of the valid events (each once).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use domain::EventType;
use domain::event::{CartAction, ChargebackStatus, RefundReason, ScanResult};
use serde::Serialize;

use super::night::Night;
use super::records::{CURRENCY, Rec, RecData};
use super::{Kind, SimConfig, SimEvent};

/// Totals for one scope (the venue, or one show).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Minor units of [`Expected::currency`].
    pub revenue: i64,
    pub tickets_sold: i64,
    pub orders: i64,
    pub scans_admitted: i64,
    pub scans_rejected: i64,
    pub scans_duplicate: i64,
    /// Page views carrying this scope's `venueId` (and `eventId` for a show).
    pub page_views: i64,
    /// Distinct sessions per venue-local day, summed over days.
    pub unique_sessions: i64,
    pub cart_adds: i64,
    pub cart_removes: i64,
    pub cart_checkouts: i64,
    pub cart_abandons: i64,
    /// Sum of `cartValue` of abandoned carts.
    pub cart_abandoned_value: i64,
    pub revenue_by_tier: BTreeMap<String, i64>,
    pub tickets_by_tier: BTreeMap<String, i64>,
    pub revenue_by_channel: BTreeMap<String, i64>,
    /// Purchases without a campaign are not in this map.
    pub revenue_by_campaign: BTreeMap<String, i64>,
    pub scans_admitted_by_entry_point: BTreeMap<String, i64>,
    /// Refund events (every reason and status).
    pub refunds: i64,
    /// Money refunded, net of won chargebacks (the contract's effect table).
    pub refunded_amount: i64,
    pub tickets_refunded: i64,
    /// Refund events by reason key (`refund`, `cancellation`, `chargeback`,
    /// `chargebackWon`, `chargebackLost`).
    pub refunds_by_reason: BTreeMap<String, i64>,
}

impl Totals {
    /// Gross revenue − refunded.
    pub fn net_revenue(&self) -> i64 {
        self.revenue - self.refunded_amount
    }
}

/// What the pipeline must show for the simulated venue and show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expected {
    pub venue_id: String,
    pub show_id: String,
    pub currency: String,
    pub venue: Totals,
    pub show: Totals,
    /// Messages published (all kinds).
    pub messages: u64,
    /// Distinct valid events (late ones included), per type.
    pub valid_by_type: BTreeMap<EventType, u64>,
    /// Messages that must be quarantined, per queue.
    pub rejected_by_type: BTreeMap<EventType, u64>,
    pub rejected: u64,
    /// Exact re-sends that must not change any total.
    pub duplicates: u64,
    pub late: u64,
    /// Page views without a venue: they count in flow health only.
    pub page_views_without_venue: u64,
}

/// `messages` are the published messages; only their kinds are used (for the message-level counts).
pub(super) fn expected(cfg: &SimConfig, night: &Night, messages: &[SimEvent]) -> Expected {
    let mut venue = Totals::default();
    let mut show = Totals::default();
    let mut venue_sessions: HashSet<(NaiveDate, &str)> = HashSet::new();
    let mut show_sessions: HashSet<(NaiveDate, &str)> = HashSet::new();
    let mut valid_by_type: BTreeMap<EventType, u64> = BTreeMap::new();
    let mut without_venue = 0;
    for rec in &night.records {
        *valid_by_type.entry(rec.event_type()).or_default() += 1;
        let of_show = |s: usize| night.shows[s].id == cfg.show_id;
        match &rec.data {
            RecData::View(v) if !v.venue => without_venue += 1,
            RecData::View(v) => {
                let day = rec.time.with_timezone(&cfg.timezone).date_naive();
                venue.page_views += 1;
                venue_sessions.insert((day, &v.session_id));
                if v.show.is_some_and(of_show) {
                    show.page_views += 1;
                    show_sessions.insert((day, &v.session_id));
                }
            }
            RecData::Purchase(p) => {
                add(&mut venue, rec);
                if of_show(p.show) {
                    add(&mut show, rec);
                }
            }
            RecData::Scan(s) => {
                add(&mut venue, rec);
                if of_show(s.show) {
                    add(&mut show, rec);
                }
            }
            RecData::Cart(c) => {
                add(&mut venue, rec);
                if of_show(c.show) {
                    add(&mut show, rec);
                }
            }
            RecData::Refund(r) => {
                add(&mut venue, rec);
                if of_show(r.show) {
                    add(&mut show, rec);
                }
            }
            RecData::Venue => {}
        }
    }
    venue.unique_sessions = venue_sessions.len() as i64;
    show.unique_sessions = show_sessions.len() as i64;
    let mut rejected_by_type: BTreeMap<EventType, u64> = BTreeMap::new();
    for m in messages.iter().filter(|m| m.kind == Kind::Malformed) {
        *rejected_by_type.entry(m.event_type).or_default() += 1;
    }
    let count = |kind: Kind| messages.iter().filter(|m| m.kind == kind).count() as u64;
    Expected {
        venue_id: cfg.venue_id.clone(),
        show_id: cfg.show_id.clone(),
        currency: CURRENCY.to_owned(),
        venue,
        show,
        messages: messages.len() as u64,
        valid_by_type,
        rejected_by_type,
        rejected: count(Kind::Malformed),
        duplicates: count(Kind::Duplicate),
        late: night.records.iter().filter(|r| r.late).count() as u64,
        page_views_without_venue: without_venue,
    }
}

/// Adds a purchase, scan or cart record to `t`.
fn add(t: &mut Totals, rec: &Rec) {
    match &rec.data {
        RecData::Purchase(p) => {
            let amount = p.amount();
            let tickets = i64::from(p.quantity);
            t.revenue += amount;
            t.tickets_sold += tickets;
            t.orders += 1;
            *t.revenue_by_tier.entry(p.tier.to_owned()).or_default() += amount;
            *t.tickets_by_tier.entry(p.tier.to_owned()).or_default() += tickets;
            *t.revenue_by_channel
                .entry(p.channel.to_owned())
                .or_default() += amount;
            if let Some(c) = p.campaign {
                *t.revenue_by_campaign.entry(c.to_owned()).or_default() += amount;
            }
        }
        RecData::Scan(s) => match s.result {
            ScanResult::Admitted => {
                t.scans_admitted += 1;
                *t.scans_admitted_by_entry_point
                    .entry(s.entry_point.to_owned())
                    .or_default() += 1;
            }
            ScanResult::Rejected => t.scans_rejected += 1,
            ScanResult::Duplicate => t.scans_duplicate += 1,
        },
        RecData::Cart(c) => match c.action {
            CartAction::Add => t.cart_adds += 1,
            CartAction::Remove => t.cart_removes += 1,
            CartAction::Checkout => t.cart_checkouts += 1,
            CartAction::Abandon => {
                t.cart_abandons += 1;
                t.cart_abandoned_value += c.value;
            }
        },
        RecData::Refund(r) => {
            // The contract's table, written out: won gives back, lost moves nothing.
            let (amount, tickets, key) = match (r.reason, r.status) {
                (RefundReason::Chargeback, Some(ChargebackStatus::Won)) => {
                    (-r.amount, -i64::from(r.quantity), "chargebackWon")
                }
                (RefundReason::Chargeback, Some(ChargebackStatus::Lost)) => {
                    (0, 0, "chargebackLost")
                }
                (RefundReason::Chargeback, _) => (r.amount, i64::from(r.quantity), "chargeback"),
                (RefundReason::Cancellation, _) => {
                    (r.amount, i64::from(r.quantity), "cancellation")
                }
                (RefundReason::Refund, _) => (r.amount, i64::from(r.quantity), "refund"),
            };
            t.refunds += 1;
            t.refunded_amount += amount;
            t.tickets_refunded += tickets;
            *t.refunds_by_reason.entry(key.to_owned()).or_default() += 1;
        }
        RecData::View(_) | RecData::Venue => {}
    }
}
