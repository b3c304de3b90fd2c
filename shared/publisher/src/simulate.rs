//! A deterministic show night: the events of one venue and its show, from
//! the venue's metadata to the doors surge, plus the totals a correct
//! pipeline must show after ingesting them.
//!
//! The night (all event times at or before `now`):
//!
//! - a `venue-update` first: the venue, its time zone and 2–3 shows — this
//!   show starts 30 minutes after `now`, doors opened 90 minutes before;
//! - sales since the on-sale 7 days ago: a spike in the first hour, then a
//!   decaying daily trickle, a last-day bump and box-office sales at the door;
//!   each web/app order is a session (page views with a campaign or direct),
//!   a cart (add, sometimes add + remove, checkout) and a purchase; about 30%
//!   of carts are abandoned; some customers buy again;
//! - money going back on about 5% of orders, hours to days after the
//!   purchase: refunds (some partial), cancellations, chargebacks opened
//!   and later won or lost (`ticket-refund`); refunded tickets are not scanned;
//! - scans at 3–4 entry points since doors opened, with rejected and
//!   duplicate scans;
//! - a few late events (hours old, published last), a few exact duplicates
//!   (same `source` + `id` re-sent) and malformed messages on their queues.
//!
//! [`Expected`] is computed from the generator's own records of the valid
//! events (not by decoding the bodies, and not with the pipeline's code), so
//! it checks the pipeline end to end. Page-view sessions never cross a UTC or
//! venue-local midnight and each session views one show (or only the venue),
//! so unique sessions come out the same whichever zone a pipeline used and
//! in whichever order it processed the views.

mod expected;
mod malformed;
mod night;
mod records;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::EventType;
use serde::Serialize;

pub use expected::{Expected, Totals};

use crate::OutgoingEvent;

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub venue_id: String,
    pub venue_name: String,
    /// The venue's IANA zone; daily buckets are local days.
    pub timezone: Tz,
    /// Seats, per show.
    pub capacity: u32,
    pub show_id: String,
    pub show_name: String,
    /// The end of the simulated night: no valid event is later.
    pub now: DateTime<Utc>,
    pub seed: u64,
    /// Volume: 1.0 ≈ 4,000 messages (300 orders for this show).
    pub scale: f64,
    /// Share of valid events re-sent as exact duplicates.
    pub duplicate_rate: f64,
    /// Malformed messages, cycling through bad JSON, negative amount, unknown
    /// type, future time and missing field.
    pub malformed_count: usize,
}

impl SimConfig {
    /// The demo venue ("Riverside Hall", New York, 1,200 seats) at scale 1.
    pub fn new(now: DateTime<Utc>, seed: u64) -> Self {
        SimConfig {
            venue_id: "venue-riverside".to_owned(),
            venue_name: "Riverside Hall".to_owned(),
            timezone: chrono_tz::America::New_York,
            capacity: 1200,
            show_id: "show-midnight-owls".to_owned(),
            show_name: "The Midnight Owls".to_owned(),
            now,
            seed,
            scale: 1.0,
            duplicate_rate: 0.01,
            malformed_count: 5,
        }
    }
}

/// Why a message is in the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// A valid event, in event-time order.
    Valid,
    /// An exact re-send of an earlier valid event: must not change any total.
    Duplicate,
    /// Must be rejected (quarantined) and not counted.
    Malformed,
    /// A valid event hours old, published after newer ones.
    Late,
}

/// One message: the queue it goes to and its body, verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimEvent {
    pub event_type: EventType,
    pub body: String,
    pub kind: Kind,
}

impl SimEvent {
    /// The message as an [`OutgoingEvent`] for [`crate::Publisher::publish_batch`]
    /// (its id is the CloudEvent `id`, or `unparseable` for bad JSON).
    pub fn to_outgoing(&self) -> OutgoingEvent {
        #[derive(serde::Deserialize)]
        struct IdOnly {
            id: String,
        }
        let id = serde_json::from_str::<IdOnly>(&self.body)
            .map_or_else(|_| "unparseable".to_owned(), |e| e.id);
        OutgoingEvent::raw(self.event_type, id, self.body.clone())
    }
}

/// The messages in publish order and the totals they must produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub events: Vec<SimEvent>,
    pub expected: Expected,
}

impl Simulation {
    /// Messages of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.events.iter().filter(|e| e.kind == kind).count()
    }
}

/// Generates the night described by `config`. Same config, same bytes.
pub fn simulate(config: &SimConfig) -> Simulation {
    let night = night::generate(config);
    let events = night::publish_order(config, &night);
    let expected = expected::expected(config, &night, &events);
    Simulation { events, expected }
}

#[cfg(test)]
mod tests;
