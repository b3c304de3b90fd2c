//! The chunk builder as it was before leaves were looked up once per event:
//! the plain, obviously right version, kept as the oracle for the tests.
//!
//! Its venue-local day is found independently of `rollup::local_midnight`
//! and of any cache: per event, with chrono-tz, the first minute whose local
//! date is the event's local date ([`local_day_start`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{
    ChunkPlan, CountedSession, Counters, CustomerDelta, FlowDelta, Learned,
    MAX_TRANSACTION_ACTIONS, RollupKey, SessionKey, VenueContexts, venue_update_actions,
};
use crate::event::{CartAction, ChargebackStatus, Event, EventData, RefundReason, ScanResult};
use crate::guard::{DedupeBucket, NO_VENUE, OwnedGuard, slot};
use crate::rollup::{Dimension, Granularity, Metric};

/// The first instant (whole minute) of the venue-local day holding `t`:
/// binary search for the earliest minute within 26 hours before `t` whose
/// local date is not before `t`'s.
pub fn local_day_start(t: DateTime<Utc>, tz: Tz) -> i64 {
    let date = |m: i64| -> NaiveDate {
        DateTime::from_timestamp(m * 60, 0)
            .unwrap_or_default()
            .with_timezone(&tz)
            .date_naive()
    };
    let target = t.with_timezone(&tz).date_naive();
    let (mut lo, mut hi) = (
        (t - Duration::hours(26)).timestamp().div_euclid(60),
        t.timestamp().div_euclid(60),
    );
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if date(mid) < target {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo * 60
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct LeafKey<'e> {
    venue: &'e str,
    show: Option<&'e str>,
    minute: i64,
}

#[derive(Default)]
struct Leaf<'e> {
    base: [i64; Metric::COUNT],
    breakdowns: FxHashMap<(Dimension, &'e str), [i64; Metric::COUNT]>,
    currency: Option<&'e str>,
}

/// Builds chunk plans from decoded events, closing a chunk before it would
/// exceed [`MAX_TRANSACTION_ACTIONS`].
pub struct ChunkBuilder<'e, 'c> {
    contexts: &'c VenueContexts,
    learned: &'c Learned,
    /// Sessions counted by earlier chunks of the same batch.
    carried: Option<&'c FxHashSet<SessionKey<'e>>>,
    budget: usize,
    events: Vec<usize>,
    markers: usize,
    buckets: FxHashSet<DedupeBucket<'e>>,
    leaves: FxHashMap<LeafKey<'e>, Leaf<'e>>,
    derived: FxHashSet<RollupKey<'e>>,
    customers: FxHashMap<(&'e str, &'e str), CustomerDelta<'e>>,
    sessions: FxHashSet<SessionKey<'e>>,
    /// Unique-session increments, straight into every rollup of the session's scope.
    session_rollups: FxHashMap<RollupKey<'e>, Counters<'e>>,
    flows: Vec<FlowDelta<'e>>,
    venue_updates: Vec<(usize, &'e str)>,
    venue_actions: usize,
}

impl<'e, 'c> ChunkBuilder<'e, 'c> {
    /// `learned`: sessions already counted and stale venue updates.
    pub fn new(contexts: &'c VenueContexts, learned: &'c Learned) -> Self {
        ChunkBuilder {
            contexts,
            learned,
            carried: None,
            budget: MAX_TRANSACTION_ACTIONS,
            events: Vec::new(),
            markers: 0,
            buckets: FxHashSet::default(),
            leaves: FxHashMap::default(),
            derived: FxHashSet::default(),
            customers: FxHashMap::default(),
            sessions: FxHashSet::default(),
            session_rollups: FxHashMap::default(),
            flows: Vec::new(),
            venue_updates: Vec::new(),
            venue_actions: 0,
        }
    }

    /// Lowers the action budget (tests use it to force many small chunks).
    #[must_use]
    pub fn with_budget(mut self, budget: usize) -> Self {
        self.budget = budget.clamp(16, MAX_TRANSACTION_ACTIONS);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn actions(&self) -> usize {
        self.markers
            + self.buckets.len()
            + self.derived.len()
            + self.customers.len()
            + self.sessions.len()
            + 2 * self.flows.len()
            + self.venue_actions
    }

    fn tz(&self, venue: &str) -> Tz {
        self.contexts
            .get(venue)
            .and_then(|c| c.tz)
            .unwrap_or(Tz::UTC)
    }

    fn day_of(&self, venue: &'e str, minute: i64) -> i64 {
        local_day_start(
            DateTime::from_timestamp(minute, 0).unwrap_or_default(),
            self.tz(venue),
        )
    }

    /// Adds event `index` to the chunk if it fits; returns `false` (and leaves
    /// the chunk unchanged) when the caller must close the chunk first.
    pub fn try_add(&mut self, index: usize, event: &'e Event<'_>) -> bool {
        let new_actions = self.new_actions(index, event);
        if !self.events.is_empty()
            && (self.second_update_of_a_venue(index, event)
                || self.actions() + new_actions > self.budget)
        {
            return false;
        }
        self.add(index, event);
        true
    }

    fn writes_venue(&self, index: usize, e: &Event<'_>) -> bool {
        matches!(e.data, EventData::VenueUpdate(_)) && !self.learned.stale_updates.contains(&index)
    }

    /// A chunk writes each venue's metadata at most once.
    fn second_update_of_a_venue(&self, index: usize, e: &Event<'_>) -> bool {
        self.writes_venue(index, e)
            && self
                .venue_updates
                .iter()
                .any(|&(_, venue)| Some(venue) == e.data.venue_id())
    }

    /// Actions the event would add: its marker plus any keys not yet in the chunk.
    /// Events carry their dedupe token in their guard (customer item or
    /// dedupe bucket), unless the guard is in marker mode.
    fn needs_marker(&self, e: &Event<'_>) -> bool {
        let owned = match e.data.customer() {
            Some((venue, customer)) => OwnedGuard::Customer {
                venue: venue.to_owned(),
                customer: customer.to_owned(),
            },
            None => OwnedGuard::Bucket {
                venue: e.data.venue_id().unwrap_or(NO_VENUE).to_owned(),
                source: e.source.to_string(),
                minute: e.time.timestamp().div_euclid(60) * 60,
                slot: slot(&e.source, &e.id),
            },
        };
        self.learned.marker_guards.contains(&owned)
    }

    fn new_bucket(&self, e: &'e Event<'_>) -> Option<DedupeBucket<'e>> {
        if e.data.customer().is_some() {
            return None;
        }
        let b = DedupeBucket {
            venue: e.data.venue_id().unwrap_or(NO_VENUE),
            source: &e.source,
            minute: e.time.timestamp().div_euclid(60) * 60,
            slot: slot(&e.source, &e.id),
        };
        (!self.buckets.contains(&b)).then_some(b)
    }

    fn new_actions(&mut self, index: usize, e: &'e Event<'_>) -> usize {
        let mut n = usize::from(self.needs_marker(e)) + usize::from(self.new_bucket(e).is_some());
        if let EventData::VenueUpdate(_) = &e.data {
            let venue = if self.writes_venue(index, e) {
                venue_update_actions(e)
            } else {
                0
            };
            return n + venue + self.new_flow(e);
        }
        n += self.new_flow(e);
        let Some(venue) = e.data.venue_id() else {
            return n;
        };
        let minute = Granularity::Minute.bucket_start(e.time, Tz::UTC);
        let leaf = LeafKey {
            venue,
            show: e.data.show_id(),
            minute,
        };
        if !self.leaves.contains_key(&leaf) {
            let day = self.day_of(venue, minute);
            n += derived_keys(leaf, day)
                .filter(|k| !self.derived.contains(k))
                .count();
        }
        let new_key = match &e.data {
            EventData::TicketPurchase(p) => !self.customers.contains_key(&(venue, &*p.user_id)),
            EventData::TicketRefund(r) => !self.customers.contains_key(&(venue, &*r.user_id)),
            EventData::PageView(v) => {
                let day = self.day_of(venue, minute);
                let show = e.data.show_id();
                n += usize::from(
                    show.is_some_and(|s| self.is_new_session(venue, Some(s), day, &v.session_id)),
                );
                self.is_new_session(venue, None, day, &v.session_id)
            }
            _ => false,
        };
        n + usize::from(new_key)
    }

    fn new_flow(&self, e: &Event<'_>) -> usize {
        let t = e.event_type();
        usize::from(
            !self
                .flows
                .iter()
                .any(|f| f.event_type == t && f.source == e.source.as_ref()),
        ) * 2
    }

    fn is_new_session(
        &self,
        venue: &'e str,
        show: Option<&'e str>,
        day: i64,
        session: &'e str,
    ) -> bool {
        let key = SessionKey {
            venue,
            show,
            day,
            session,
        };
        !self.sessions.contains(&key)
            && !self.carried.is_some_and(|c| c.contains(&key))
            && !self.learned.sessions.contains(&CountedSession::from(&key))
    }

    fn add(&mut self, index: usize, e: &'e Event<'_>) {
        self.events.push(index);
        self.markers += usize::from(self.needs_marker(e));
        if let Some(b) = self.new_bucket(e) {
            self.buckets.insert(b);
        }
        let source: &'e str = &e.source;
        let t = e.event_type();
        match self
            .flows
            .iter_mut()
            .find(|f| f.event_type == t && f.source == source)
        {
            Some(f) => {
                f.count += 1;
                f.latest_event_time = f.latest_event_time.max(e.time);
            }
            None => self.flows.push(FlowDelta {
                event_type: t,
                source,
                count: 1,
                latest_event_time: e.time,
            }),
        }
        if let EventData::VenueUpdate(v) = &e.data {
            if self.writes_venue(index, e) {
                self.venue_updates.push((index, &v.venue_id));
                self.venue_actions += venue_update_actions(e);
            }
            return;
        }
        let Some(venue) = e.data.venue_id() else {
            return;
        };
        let minute = Granularity::Minute.bucket_start(e.time, Tz::UTC);
        let key = LeafKey {
            venue,
            show: e.data.show_id(),
            minute,
        };
        let day = self.day_of(venue, minute);
        if !self.leaves.contains_key(&key) {
            self.derived.extend(derived_keys(key, day));
        }
        if let EventData::PageView(v) = &e.data {
            for scope in [None, key.show].into_iter().collect::<FxHashSet<_>>() {
                if self.is_new_session(venue, scope, day, &v.session_id) {
                    self.sessions.insert(SessionKey {
                        venue,
                        show: scope,
                        day,
                        session: &v.session_id,
                    });
                    self.count_session(venue, scope, minute, day, v.campaign_id.as_deref());
                }
            }
        }
        if let EventData::TicketPurchase(p) = &e.data {
            self.add_customer(venue, p, e.time);
        }
        if let EventData::TicketRefund(r) = &e.data {
            let (amount, tickets) = refund_effect(r);
            let d = self
                .customers
                .entry((venue, &r.user_id))
                .or_insert_with(CustomerDelta::empty);
            d.spend -= amount;
            d.tickets -= tickets;
            d.refunds += 1;
            d.refunded += amount;
            match d.spend_by_currency.iter_mut().find(|c| c.0 == &*r.currency) {
                Some(c) => c.1 -= amount,
                None => d.spend_by_currency.push((&r.currency, -amount)),
            }
        }
        let leaf = self.leaves.entry(key).or_default();
        apply(leaf, &e.data);
    }

    /// One unique session in every rollup of `scope` that holds `minute`.
    fn count_session(
        &mut self,
        venue: &'e str,
        scope: Option<&'e str>,
        minute: i64,
        day: i64,
        campaign: Option<&'e str>,
    ) {
        for granularity in Granularity::ALL {
            let bucket = match granularity {
                Granularity::Minute => minute,
                Granularity::FiveMinutes => minute - minute.rem_euclid(300),
                Granularity::Hour => minute - minute.rem_euclid(3600),
                Granularity::Day => day,
            };
            let key = RollupKey {
                venue,
                show: scope,
                granularity,
                bucket,
            };
            let c = self.session_rollups.entry(key).or_default();
            c.base[Metric::UniqueSessions.index()] += 1;
            if let Some(campaign) = campaign {
                c.breakdowns
                    .push((Metric::UniqueSessions, Dimension::Campaign, campaign, 1));
            }
        }
    }

    fn add_customer(
        &mut self,
        venue: &'e str,
        p: &'e crate::event::TicketPurchase<'_>,
        time: DateTime<Utc>,
    ) {
        let ctx = self.contexts.get(venue);
        let tz = ctx.and_then(|c| c.tz).unwrap_or(Tz::UTC);
        let local = time.with_timezone(&tz);
        let starts = p
            .show_starts_at
            .or_else(|| ctx.and_then(|c| c.show_starts.get(p.event_id.as_ref()).copied()));
        self.customers
            .entry((venue, &p.user_id))
            .and_modify(|d| d.add_purchase(p, time, local, starts))
            .or_insert_with(|| CustomerDelta::purchase(p, time, local, starts));
    }

    /// Closes the chunk: derives every rollup from the leaves.
    pub fn finish(self) -> ChunkPlan<'e> {
        let mut rollups: FxHashMap<RollupKey<'e>, Counters<'e>> = FxHashMap::default();
        for (leaf_key, leaf) in &self.leaves {
            let day = self.day_of(leaf_key.venue, leaf_key.minute);
            for key in derived_keys(*leaf_key, day) {
                let c = rollups.entry(key).or_default();
                for (acc, v) in c.base.iter_mut().zip(leaf.base) {
                    *acc += v;
                }
                if c.currency.is_none() {
                    c.currency = leaf.currency;
                }
                for (&(dim, value), counts) in &leaf.breakdowns {
                    for (m, &delta) in Metric::ALL.iter().zip(counts) {
                        if delta == 0 {
                            continue;
                        }
                        match c
                            .breakdowns
                            .iter_mut()
                            .find(|b| b.0 == *m && b.1 == dim && b.2 == value)
                        {
                            Some(b) => b.3 += delta,
                            None => c.breakdowns.push((*m, dim, value, delta)),
                        }
                    }
                }
            }
        }
        for (key, sessions) in &self.session_rollups {
            let c = rollups.entry(*key).or_default();
            c.base[Metric::UniqueSessions.index()] += sessions.get(Metric::UniqueSessions);
            for &(m, dim, value, delta) in &sessions.breakdowns {
                match c
                    .breakdowns
                    .iter_mut()
                    .find(|b| b.0 == m && b.1 == dim && b.2 == value)
                {
                    Some(b) => b.3 += delta,
                    None => c.breakdowns.push((m, dim, value, delta)),
                }
            }
        }
        let mut rollups: Vec<_> = rollups.into_iter().collect();
        rollups.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, c) in &mut rollups {
            c.breakdowns
                .sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        }
        let mut customers: Vec<_> = self.customers.into_iter().collect();
        customers.sort_by(|a, b| a.0.cmp(&b.0));
        let mut sessions: Vec<_> = self.sessions.into_iter().collect();
        sessions.sort();
        ChunkPlan {
            events: self.events,
            rollups,
            customers,
            sessions,
            flows: self.flows,
            venue_updates: self.venue_updates.iter().map(|&(i, _)| i).collect(),
            buckets: {
                let mut b: Vec<_> = self.buckets.into_iter().collect();
                b.sort_unstable();
                b
            },
        }
    }
}

/// The rollup keys a leaf feeds: each granularity, for the show and for the venue.
fn derived_keys(leaf: LeafKey<'_>, day: i64) -> impl Iterator<Item = RollupKey<'_>> {
    let scopes = [Some(leaf.show), leaf.show.map(|_| None)];
    scopes.into_iter().flatten().flat_map(move |show| {
        Granularity::ALL.into_iter().map(move |granularity| {
            let bucket = match granularity.fixed_seconds() {
                Some(w) => leaf.minute.div_euclid(w) * w,
                None => day,
            };
            RollupKey {
                venue: leaf.venue,
                show,
                granularity,
                bucket,
            }
        })
    })
}

fn apply<'e>(leaf: &mut Leaf<'e>, data: &'e EventData<'_>) {
    let mut add = |m: Metric, v: i64| leaf.base[m.index()] += v;
    match data {
        EventData::TicketPurchase(p) => {
            let q = i64::from(p.quantity);
            add(Metric::Revenue, p.amount);
            add(Metric::TicketsSold, q);
            add(Metric::Orders, 1);
            leaf.currency.get_or_insert(&p.currency);
            for (dim, value) in [
                (Dimension::Tier, &p.tier),
                (Dimension::Channel, &p.channel),
                (Dimension::Campaign, &p.campaign_id),
            ] {
                if let Some(value) = value.as_deref() {
                    let b = leaf.breakdowns.entry((dim, value)).or_default();
                    b[Metric::Revenue.index()] += p.amount;
                    b[Metric::TicketsSold.index()] += q;
                    b[Metric::Orders.index()] += 1;
                }
            }
            let money = leaf
                .breakdowns
                .entry((Dimension::Currency, &p.currency))
                .or_default();
            money[Metric::Revenue.index()] += p.amount;
            money[Metric::TicketsSold.index()] += q;
            money[Metric::Orders.index()] += 1;
        }
        EventData::TicketScan(s) => {
            let m = match s.result {
                ScanResult::Admitted => Metric::ScansAdmitted,
                ScanResult::Rejected => Metric::ScansRejected,
                ScanResult::Duplicate => Metric::ScansDuplicate,
            };
            add(m, 1);
            leaf.breakdowns
                .entry((Dimension::EntryPoint, &s.entry_point))
                .or_default()[m.index()] += 1;
        }
        EventData::PageView(v) => {
            add(Metric::PageViews, 1);
            if let Some(c) = v.campaign_id.as_deref() {
                let b = leaf.breakdowns.entry((Dimension::Campaign, c)).or_default();
                b[Metric::PageViews.index()] += 1;
            }
        }
        EventData::CartUpdate(c) => {
            match c.action {
                CartAction::Add => add(Metric::CartAdds, 1),
                CartAction::Remove => add(Metric::CartRemoves, 1),
                CartAction::Checkout => add(Metric::CartCheckouts, 1),
                CartAction::Abandon => {
                    add(Metric::CartAbandons, 1);
                    add(Metric::CartAbandonedValue, c.cart_value);
                    let money = leaf
                        .breakdowns
                        .entry((Dimension::Currency, &c.currency))
                        .or_default();
                    money[Metric::CartAbandons.index()] += 1;
                    money[Metric::CartAbandonedValue.index()] += c.cart_value;
                }
            }
            if c.action == CartAction::Add {
                for item in &c.items {
                    leaf.breakdowns
                        .entry((Dimension::Tier, &item.tier))
                        .or_default()[Metric::CartAdds.index()] += i64::from(item.quantity);
                }
            }
        }
        EventData::TicketRefund(r) => {
            let (amount, tickets) = refund_effect(r);
            let reason = match (r.reason, r.status) {
                (RefundReason::Refund, _) => "refund",
                (RefundReason::Cancellation, _) => "cancellation",
                (RefundReason::Chargeback, Some(ChargebackStatus::Won)) => "chargebackWon",
                (RefundReason::Chargeback, Some(ChargebackStatus::Lost)) => "chargebackLost",
                (RefundReason::Chargeback, _) => "chargeback",
            };
            add(Metric::Refunds, 1);
            add(Metric::RefundedAmount, amount);
            add(Metric::TicketsRefunded, tickets);
            leaf.currency.get_or_insert(&r.currency);
            for key in [
                (Dimension::RefundReason, reason),
                (Dimension::Currency, &*r.currency),
            ] {
                let b = leaf.breakdowns.entry(key).or_default();
                b[Metric::Refunds.index()] += 1;
                b[Metric::RefundedAmount.index()] += amount;
                b[Metric::TicketsRefunded.index()] += tickets;
            }
        }
        EventData::VenueUpdate(_) => {}
    }
}

/// What a refund takes off (amount, tickets), read from the contract's table:
/// a won chargeback gives back, a lost one moves nothing, the rest take.
fn refund_effect(r: &crate::event::TicketRefund<'_>) -> (i64, i64) {
    let (a, q) = (r.amount, i64::from(r.quantity));
    match (r.reason, r.status) {
        (RefundReason::Chargeback, Some(ChargebackStatus::Won)) => (-a, -q),
        (RefundReason::Chargeback, Some(ChargebackStatus::Lost)) => (0, 0),
        _ => (a, q),
    }
}

/// Splits the events at `indexes` into chunk plans, in order. A session
/// counted in one chunk is known to the chunks after it.
pub fn plan_chunks<'e>(
    events: &'e [Event<'_>],
    indexes: impl IntoIterator<Item = usize>,
    contexts: &VenueContexts,
    learned: &Learned,
    budget: usize,
) -> Vec<ChunkPlan<'e>> {
    let mut carried: FxHashSet<SessionKey<'e>> = FxHashSet::default();
    let mut plans = Vec::new();
    let mut pending = indexes.into_iter().peekable();
    while pending.peek().is_some() {
        let mut builder = ChunkBuilder::new(contexts, learned).with_budget(budget);
        builder.carried = Some(&carried);
        while let Some(&i) = pending.peek() {
            if !builder.try_add(i, &events[i]) {
                break;
            }
            pending.next();
        }
        let plan = builder.finish();
        carried.extend(plan.sessions.iter().copied());
        plans.push(plan);
    }
    plans
}
