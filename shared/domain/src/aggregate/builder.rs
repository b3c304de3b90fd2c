//! [`ChunkBuilder`]: adds events to a chunk while its transaction has room.
//!
//! Each event is looked up once (`ChunkBuilder::place`): the lookups tell
//! both how many actions it would add and where its counts go. A batch's
//! events mostly share a venue, show, minute and hour, so the last leaf and
//! the last day are remembered in front of their maps.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rustc_hash::{FxHashMap, FxHashSet};

use super::leaf::{Leaf, LeafKey, NewSession, derived_keys, rollups};
use super::{
    ChunkPlan, CustomerDelta, FlowDelta, Learned, MAX_TRANSACTION_ACTIONS, RollupKey, SessionKey,
    VenueContext, VenueContexts, venue_update_actions,
};
use crate::event::{Event, EventData, TicketPurchase};
use crate::guard::{DedupeBucket, Guard};
use crate::rollup::{Granularity, local_midnight};

/// Builds chunk plans from decoded events, closing a chunk before it would
/// exceed [`MAX_TRANSACTION_ACTIONS`].
pub struct ChunkBuilder<'e, 'c> {
    contexts: &'c VenueContexts,
    learned: &'c Learned,
    /// Sessions counted by earlier chunks of the same batch.
    carried: FxHashSet<SessionKey<'e>>,
    budget: usize,
    events: Vec<usize>,
    /// Events of the chunk whose marker is an action (see `Learned::needs_marker`).
    markers: usize,
    /// Dedupe buckets of the chunk's events (one update each).
    buckets: FxHashSet<DedupeBucket<'e>>,
    leaves: Vec<Leaf<'e>>,
    /// Positions in `leaves`. It starts empty for every chunk: its iteration
    /// order decides which leaf gives a rollup its currency.
    leaf_index: FxHashMap<LeafKey<'e>, usize>,
    last_leaf: Option<usize>,
    derived: FxHashSet<RollupKey<'e>>,
    /// The venue-local days seen, per venue, as `[start, end)` in Unix
    /// seconds: a minute inside one belongs to that day. (A cache keyed by
    /// UTC hour would be wrong in zones at :30 and :45.)
    days: FxHashMap<&'e str, Vec<(i64, i64)>>,
    last_day: Option<(&'e str, i64, i64)>,
    last_context: Option<(&'e str, Option<&'c VenueContext>)>,
    customers: FxHashMap<(&'e str, &'e str), CustomerDelta<'e>>,
    sessions: FxHashSet<SessionKey<'e>>,
    flows: Vec<FlowDelta<'e>>,
    venue_updates: Vec<usize>,
    /// The venue of each entry of `venue_updates`.
    updated_venues: Vec<&'e str>,
    venue_actions: usize,
}

/// Where an event goes, found before deciding whether it fits.
struct Placement<'e> {
    /// Actions the event would add: its marker (when it needs one) plus any
    /// keys not yet in the chunk.
    new_actions: usize,
    marker: bool,
    /// The event's dedupe bucket, when it is not yet in the chunk.
    new_bucket: Option<DedupeBucket<'e>>,
    /// The event cannot join this chunk (a second update of one venue).
    must_close: bool,
    /// A venue update that writes venue data (not stale).
    writes_venue: bool,
    flow: Option<usize>,
    /// Events with a venue (other than venue updates) count into a leaf.
    leaf: Option<LeafPlacement<'e>>,
}

struct LeafPlacement<'e> {
    key: LeafKey<'e>,
    day: i64,
    existing: Option<usize>,
    new_session: NewSession,
}

impl<'e, 'c> ChunkBuilder<'e, 'c> {
    /// `learned` holds what failed conditions taught: sessions already
    /// counted, venue updates older than the stored metadata.
    pub fn new(contexts: &'c VenueContexts, learned: &'c Learned) -> Self {
        ChunkBuilder {
            contexts,
            learned,
            carried: FxHashSet::default(),
            budget: MAX_TRANSACTION_ACTIONS,
            events: Vec::new(),
            markers: 0,
            buckets: FxHashSet::default(),
            leaves: Vec::new(),
            leaf_index: FxHashMap::default(),
            last_leaf: None,
            derived: FxHashSet::default(),
            days: FxHashMap::default(),
            last_day: None,
            last_context: None,
            customers: FxHashMap::default(),
            sessions: FxHashSet::default(),
            flows: Vec::new(),
            venue_updates: Vec::new(),
            updated_venues: Vec::new(),
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

    /// Makes later chunks treat these sessions as already counted.
    pub(super) fn carry_sessions(&mut self, sessions: &[SessionKey<'e>]) {
        self.carried.extend(sessions.iter().copied());
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

    fn context(&mut self, venue: &'e str) -> Option<&'c VenueContext> {
        if let Some((v, ctx)) = self.last_context
            && v == venue
        {
            return ctx;
        }
        let ctx = self.contexts.get(venue);
        self.last_context = Some((venue, ctx));
        ctx
    }

    /// Start of the venue-local day holding `minute`.
    fn day_of(&mut self, venue: &'e str, minute: i64) -> i64 {
        if let Some((v, start, end)) = self.last_day
            && (start..end).contains(&minute)
            && v == venue
        {
            return start;
        }
        let known = self
            .days
            .get(venue)
            .and_then(|days| days.iter().find(|(s, e)| (*s..*e).contains(&minute)))
            .copied();
        let (start, end) = match known {
            Some(day) => day,
            None => {
                let tz = self.context(venue).and_then(|c| c.tz).unwrap_or(Tz::UTC);
                let start =
                    local_midnight(DateTime::from_timestamp(minute, 0).unwrap_or_default(), tz);
                let end = Granularity::Day.next_bucket(start, tz);
                self.days.entry(venue).or_default().push((start, end));
                (start, end)
            }
        };
        self.last_day = Some((venue, start, end));
        start
    }

    fn find_leaf(&mut self, key: LeafKey<'e>) -> Option<usize> {
        if let Some(i) = self.last_leaf
            && self.leaves[i].key == key
        {
            return Some(i);
        }
        let i = *self.leaf_index.get(&key)?;
        self.last_leaf = Some(i);
        Some(i)
    }

    /// Adds event `index` to the chunk if it fits; returns `false` (and leaves
    /// the chunk unchanged) when the caller must close the chunk first.
    pub fn try_add(&mut self, index: usize, event: &'e Event<'_>) -> bool {
        let placement = self.place(index, event);
        if !self.events.is_empty()
            && (placement.must_close || self.actions() + placement.new_actions > self.budget)
        {
            return false;
        }
        self.add(index, event, placement);
        true
    }

    fn place(&mut self, index: usize, e: &'e Event<'_>) -> Placement<'e> {
        let t = e.event_type();
        let flow = self
            .flows
            .iter()
            .position(|f| f.event_type == t && f.source == e.source.as_ref());
        let marker = self.learned.needs_marker(e);
        let new_bucket = Guard::of(e).bucket().filter(|b| !self.buckets.contains(b));
        let mut new_actions = usize::from(marker)
            + usize::from(new_bucket.is_some())
            + 2 * usize::from(flow.is_none());
        if let EventData::VenueUpdate(v) = &e.data {
            let writes_venue = !self.learned.stale_updates.contains(&index);
            let mut must_close = false;
            if writes_venue {
                new_actions += venue_update_actions(e);
                must_close = self.updated_venues.contains(&v.venue_id.as_ref());
            }
            return Placement {
                new_actions,
                marker,
                new_bucket,
                must_close,
                writes_venue,
                flow,
                leaf: None,
            };
        }
        let Some(venue) = e.data.venue_id() else {
            return Placement {
                new_actions,
                marker,
                new_bucket,
                must_close: false,
                writes_venue: false,
                flow,
                leaf: None,
            };
        };
        let minute = Granularity::Minute.bucket_start(e.time, Tz::UTC);
        let key = LeafKey {
            venue,
            show: e.data.show_id(),
            minute,
        };
        let day = self.day_of(venue, minute);
        let existing = self.find_leaf(key);
        if existing.is_none() {
            new_actions += derived_keys(key, day)
                .filter(|k| !self.derived.contains(k))
                .count();
        }
        let mut new_session = NewSession::default();
        match &e.data {
            EventData::TicketPurchase(p) => {
                new_actions += usize::from(!self.customers.contains_key(&(venue, &*p.user_id)));
            }
            EventData::TicketRefund(r) => {
                new_actions += usize::from(!self.customers.contains_key(&(venue, &*r.user_id)));
            }
            EventData::PageView(v) => {
                new_session.venue = self.is_new_session(venue, None, day, &v.session_id);
                new_session.show =
                    key.show.is_some() && self.is_new_session(venue, key.show, day, &v.session_id);
                new_actions += usize::from(new_session.venue) + usize::from(new_session.show);
            }
            _ => {}
        }
        Placement {
            new_actions,
            marker,
            new_bucket,
            must_close: false,
            writes_venue: false,
            flow,
            leaf: Some(LeafPlacement {
                key,
                day,
                existing,
                new_session,
            }),
        }
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
            && !self.carried.contains(&key)
            && (self.learned.sessions.is_empty()
                || !self.learned.sessions.iter().any(|c| key.is(c)))
    }

    fn add(&mut self, index: usize, e: &'e Event<'_>, placement: Placement<'e>) {
        self.events.push(index);
        self.markers += usize::from(placement.marker);
        if let Some(b) = placement.new_bucket {
            self.buckets.insert(b);
        }
        match placement.flow {
            Some(i) => {
                let f = &mut self.flows[i];
                f.count += 1;
                f.latest_event_time = f.latest_event_time.max(e.time);
            }
            None => self.flows.push(FlowDelta {
                event_type: e.event_type(),
                source: &e.source,
                count: 1,
                latest_event_time: e.time,
            }),
        }
        if let EventData::VenueUpdate(v) = &e.data {
            if placement.writes_venue {
                self.venue_updates.push(index);
                self.updated_venues.push(&v.venue_id);
                self.venue_actions += venue_update_actions(e);
            }
            return;
        }
        let Some(place) = placement.leaf else {
            return;
        };
        let leaf = match place.existing {
            Some(i) => i,
            None => {
                self.derived.extend(derived_keys(place.key, place.day));
                let i = self.leaves.len();
                self.leaves.push(Leaf::new(place.key, place.day));
                self.leaf_index.insert(place.key, i);
                self.last_leaf = Some(i);
                i
            }
        };
        match &e.data {
            EventData::PageView(v) => {
                let new = place.new_session;
                for (scope, is_new) in [(None, new.venue), (place.key.show, new.show)] {
                    if is_new {
                        self.sessions.insert(SessionKey {
                            venue: place.key.venue,
                            show: scope,
                            day: place.day,
                            session: &v.session_id,
                        });
                    }
                }
            }
            EventData::TicketPurchase(p) => self.add_customer(place.key.venue, p, e.time),
            EventData::TicketRefund(r) => {
                self.customers
                    .entry((place.key.venue, &r.user_id))
                    .and_modify(|d| d.add_refund(r))
                    .or_insert_with(|| CustomerDelta::refund(r));
            }
            _ => {}
        }
        self.leaves[leaf].count(&e.data, place.new_session);
    }

    fn add_customer(&mut self, venue: &'e str, p: &'e TicketPurchase<'_>, time: DateTime<Utc>) {
        let ctx = self.context(venue);
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
    pub fn finish(mut self) -> ChunkPlan<'e> {
        self.take_plan()
    }

    /// Closes the chunk and starts the next one, keeping what chunks may share
    /// (capacity, the day cache, carried sessions).
    pub(super) fn take_plan(&mut self) -> ChunkPlan<'e> {
        let leaf_index = std::mem::take(&mut self.leaf_index);
        let rollups = rollups(leaf_index.values().map(|&i| &self.leaves[i]));
        self.leaves.clear();
        self.last_leaf = None;
        self.derived.clear();
        self.venue_actions = 0;
        self.markers = 0;
        self.updated_venues.clear();
        let mut customers: Vec<_> = self.customers.drain().collect();
        customers.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut sessions: Vec<_> = self.sessions.drain().collect();
        sessions.sort_unstable();
        let mut buckets: Vec<_> = self.buckets.drain().collect();
        buckets.sort_unstable();
        let events = Vec::with_capacity(self.events.len());
        ChunkPlan {
            events: std::mem::replace(&mut self.events, events),
            rollups,
            customers,
            sessions,
            flows: std::mem::take(&mut self.flows),
            venue_updates: std::mem::take(&mut self.venue_updates),
            buckets,
        }
    }
}
