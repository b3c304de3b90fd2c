//! Pre-aggregation of a batch into transaction-sized chunks.
//!
//! Every event's effect lands in exactly one chunk, together with its dedupe
//! marker, so one `TransactWriteItems` per chunk applies a set of events
//! atomically. Writes scale with the distinct rollup keys of a chunk, not with
//! its events: each event touches one *leaf* (venue, show, minute); the
//! coarser buckets and the venue scope are derived from the leaves when the
//! chunk is closed.

mod builder;
mod leaf;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use rustc_hash::FxHashMap;

pub use builder::ChunkBuilder;

use crate::event::{Event, EventData, EventType, TicketPurchase, TicketRefund};
use crate::guard::{DedupeBucket, Guard, OwnedGuard};
use crate::rollup::{Dimension, Granularity, Metric};

/// Most actions DynamoDB accepts in one `TransactWriteItems`.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;

/// What ingest knows about a venue: its zone (for daily buckets) and its shows' start times.
#[derive(Debug, Clone, Default)]
pub struct VenueContext {
    pub tz: Option<Tz>,
    pub show_starts: FxHashMap<String, DateTime<Utc>>,
    /// Event time of the venue update the stored metadata comes from; an
    /// older update changes nothing.
    pub updated_at: Option<DateTime<Utc>>,
}

/// What failed conditions of earlier attempts taught about storage, for re-planning.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    /// Sessions already counted in storage; their views add no unique session there.
    pub sessions: HashSet<CountedSession>,
    /// Batch indexes of venue updates older than the stored venue metadata:
    /// they are acknowledged (marker and flow) but write no venue data.
    pub stale_updates: HashSet<usize>,
    /// Guards in marker mode (storage's customer items and dedupe buckets
    /// that hold no more tokens, or whose events may have markers from
    /// before tokens): their events take a dedupe marker. Every other event
    /// costs no marker action, only its guard's update.
    pub marker_guards: HashSet<OwnedGuard>,
}

impl Learned {
    /// Whether the event's transaction holds a marker for it: its guard is in marker mode.
    pub fn needs_marker(&self, e: &Event<'_>) -> bool {
        !self.marker_guards.is_empty() && {
            let g = Guard::of(e);
            self.marker_guards.iter().any(|m| g.is(m))
        }
    }
}

/// Venue contexts for a batch, by venue id. Unknown venues count in UTC.
pub type VenueContexts = FxHashMap<String, VenueContext>;

/// One rollup item: a scope (venue, or venue + show) at one granularity and bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RollupKey<'e> {
    pub venue: &'e str,
    pub show: Option<&'e str>,
    pub granularity: Granularity,
    /// Bucket start, Unix seconds.
    pub bucket: i64,
}

/// Counter increments for one rollup item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counters<'e> {
    pub base: [i64; Metric::COUNT],
    /// Non-zero breakdown increments `(metric, dimension, value, delta)`.
    pub breakdowns: Vec<(Metric, Dimension, &'e str, i64)>,
    pub currency: Option<&'e str>,
}

impl Counters<'_> {
    pub fn get(&self, m: Metric) -> i64 {
        self.base[m.index()]
    }
}

/// Increments to one customer's metrics at one venue. Spend and tickets are
/// net: refunds take theirs off (a won chargeback puts them back).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerDelta<'e> {
    /// Net spend in every currency together (kept for readers of old items).
    pub spend: i64,
    /// Net spend per ISO 4217 code, in order of first appearance.
    pub spend_by_currency: Vec<(&'e str, i64)>,
    pub orders: i64,
    pub tickets: i64,
    /// Refund events (of every reason and status).
    pub refunds: i64,
    /// Money refunded, net of won chargebacks, in every currency together.
    pub refunded: i64,
    /// The currency of the first purchase; `None` when the delta holds refunds only.
    pub currency: Option<&'e str>,
    /// Purchase times; `None` when the delta holds refunds only (a refund
    /// never moves a customer's first or last purchase).
    pub first_purchase_at: Option<DateTime<Utc>>,
    pub last_purchase_at: Option<DateTime<Utc>>,
    /// Orders by venue-local weekday (Monday = 0) and hour.
    pub weekday: [u32; 7],
    pub hour: [u32; 24],
    /// Sum and count of hours between purchase and show start, where the start is known.
    pub lead_hours_sum: f64,
    pub lead_count: u32,
    pub tiers: Vec<(&'e str, i64)>,
}

impl<'e> CustomerDelta<'e> {
    /// The delta of one purchase at `time`, `local` in the venue's zone,
    /// for a show starting at `starts` (when known).
    pub fn purchase(
        p: &'e TicketPurchase<'_>,
        time: DateTime<Utc>,
        local: DateTime<Tz>,
        starts: Option<DateTime<Utc>>,
    ) -> Self {
        let mut d = CustomerDelta::empty();
        d.add_purchase(p, time, local, starts);
        d
    }

    /// The delta of one refund.
    pub fn refund(r: &'e TicketRefund<'_>) -> Self {
        let mut d = CustomerDelta::empty();
        d.add_refund(r);
        d
    }

    fn empty() -> Self {
        CustomerDelta {
            spend: 0,
            spend_by_currency: Vec::new(),
            orders: 0,
            tickets: 0,
            refunds: 0,
            refunded: 0,
            currency: None,
            first_purchase_at: None,
            last_purchase_at: None,
            weekday: [0; 7],
            hour: [0; 24],
            lead_hours_sum: 0.0,
            lead_count: 0,
            tiers: Vec::new(),
        }
    }

    fn add_spend(&mut self, currency: &'e str, amount: i64) {
        self.spend += amount;
        match self
            .spend_by_currency
            .iter_mut()
            .find(|(c, _)| *c == currency)
        {
            Some((_, s)) => *s += amount,
            None => self.spend_by_currency.push((currency, amount)),
        }
    }

    /// Adds one refund: net spend and tickets go down by what it took back
    /// (up, for a won chargeback).
    pub fn add_refund(&mut self, r: &'e TicketRefund<'_>) {
        let amount = r.signed_amount();
        self.add_spend(&r.currency, -amount);
        self.tickets -= r.signed_quantity();
        self.refunds += 1;
        self.refunded += amount;
    }

    /// Adds one more purchase (see [`CustomerDelta::purchase`]).
    pub fn add_purchase(
        &mut self,
        p: &'e TicketPurchase<'_>,
        time: DateTime<Utc>,
        local: DateTime<Tz>,
        starts: Option<DateTime<Utc>>,
    ) {
        let q = i64::from(p.quantity);
        self.add_spend(&p.currency, p.amount);
        self.currency.get_or_insert(&p.currency);
        self.orders += 1;
        self.tickets += q;
        self.first_purchase_at = Some(self.first_purchase_at.map_or(time, |t| t.min(time)));
        self.last_purchase_at = Some(self.last_purchase_at.map_or(time, |t| t.max(time)));
        self.weekday[local.weekday().num_days_from_monday() as usize] += 1;
        self.hour[local.hour() as usize] += 1;
        if let Some(starts) = starts
            && starts > time
        {
            #[allow(clippy::cast_precision_loss)]
            let hours = (starts - time).num_seconds() as f64 / 3600.0;
            self.lead_hours_sum += hours;
            self.lead_count += 1;
        }
        if let Some(tier) = p.tier.as_deref() {
            match self.tiers.iter_mut().find(|(t, _)| *t == tier) {
                Some((_, n)) => *n += q,
                None => self.tiers.push((tier, q)),
            }
        }
    }
}

/// A session first seen on a venue-local day, in the venue scope (`show:
/// None`) or in one show's: its marker makes `uniqueSessions` exact per
/// venue-day and per show-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey<'e> {
    pub venue: &'e str,
    pub show: Option<&'e str>,
    pub day: i64,
    pub session: &'e str,
}

/// A session counted in storage (an owned [`SessionKey`]), as a failed marker reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountedSession {
    pub venue: String,
    pub show: Option<String>,
    pub day: i64,
    pub session: String,
}

impl From<&SessionKey<'_>> for CountedSession {
    fn from(k: &SessionKey<'_>) -> Self {
        CountedSession {
            venue: k.venue.to_owned(),
            show: k.show.map(str::to_owned),
            day: k.day,
            session: k.session.to_owned(),
        }
    }
}

impl SessionKey<'_> {
    /// Whether `counted` is this session (compared without allocating).
    pub fn is(&self, counted: &CountedSession) -> bool {
        self.venue == counted.venue
            && self.show == counted.show.as_deref()
            && self.day == counted.day
            && self.session == counted.session
    }
}

/// Per upstream source: how many events of the chunk it sent, and the latest event time.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowDelta<'e> {
    pub event_type: EventType,
    pub source: &'e str,
    pub count: i64,
    pub latest_event_time: DateTime<Utc>,
}

/// Everything one transaction writes for a set of events.
#[derive(Debug, Clone, Default)]
pub struct ChunkPlan<'e> {
    /// Indexes of the chunk's events in the batch.
    pub events: Vec<usize>,
    pub rollups: Vec<(RollupKey<'e>, Counters<'e>)>,
    pub customers: Vec<((&'e str, &'e str), CustomerDelta<'e>)>,
    pub sessions: Vec<SessionKey<'e>>,
    pub flows: Vec<FlowDelta<'e>>,
    /// Indexes of `venue-update` events (each upserts venue metadata and its shows).
    pub venue_updates: Vec<usize>,
    /// The distinct dedupe buckets of the chunk's events, sorted (each an update).
    pub buckets: Vec<DedupeBucket<'e>>,
}

impl ChunkPlan<'_> {
    /// Transaction actions this plan needs: a marker per event that needs
    /// one (see [`Learned::needs_marker`]) and per session, an update per
    /// rollup, customer, dedupe bucket and flow (summary + arrival bucket), a
    /// put per venue and show.
    pub fn action_count(&self, events: &[Event<'_>], learned: &Learned) -> usize {
        let venue_actions: usize = self
            .venue_updates
            .iter()
            .map(|&i| venue_update_actions(&events[i]))
            .sum();
        self.events
            .iter()
            .filter(|&&i| learned.needs_marker(&events[i]))
            .count()
            + self.rollups.len()
            + self.customers.len()
            + self.buckets.len()
            + self.sessions.len()
            + 2 * self.flows.len()
            + venue_actions
    }
}

fn venue_update_actions(e: &Event<'_>) -> usize {
    match &e.data {
        EventData::VenueUpdate(v) => 1 + v.distinct_shows().len(),
        _ => 0,
    }
}

/// Splits the events at `indexes` into chunk plans, in order. A session
/// counted in one chunk is known to the chunks after it. One builder serves
/// every chunk, keeping its allocations and caches.
///
/// No plan has two actions on one item: a chunk holds at most one update
/// per venue (and each listed show once), and every other key is distinct
/// by construction.
pub fn plan_chunks<'e>(
    events: &'e [Event<'_>],
    indexes: impl IntoIterator<Item = usize>,
    contexts: &VenueContexts,
    learned: &Learned,
    budget: usize,
) -> Vec<ChunkPlan<'e>> {
    let mut builder = ChunkBuilder::new(contexts, learned).with_budget(budget);
    let mut plans = Vec::new();
    let mut pending = indexes.into_iter().peekable();
    while pending.peek().is_some() {
        while let Some(&i) = pending.peek() {
            if !builder.try_add(i, &events[i]) {
                break;
            }
            pending.next();
        }
        let plan = builder.take_plan();
        builder.carry_sessions(&plan.sessions);
        plans.push(plan);
    }
    plans
}
