//! Where an event's exactly-once guard lives: which stored item a
//! transaction updates to record that the event was counted.
//!
//! A purchase or refund is guarded by its customer's item (the transaction
//! updates it anyway). Every other event is guarded by a *dedupe bucket*: one
//! item per (venue, source, event minute, slot), the slot a stable hash of
//! the event's source and id. A chunk of 100 scans from one minute updates at
//! most [`BUCKET_SLOTS`] bucket items instead of writing 100 markers.
//!
//! The bucket must follow from the event alone — a redelivery, in another
//! batch or another Lambda, has to find the same item — so the slot hash is
//! part of the storage format: changing it loses the record of counted events.

use crate::event::Event;
use crate::rollup::Granularity;

/// Buckets per (venue, source, minute). More slots: fewer tokens per item
/// (it stays under 1 KB, one write unit, for longer) but more items per chunk.
pub const BUCKET_SLOTS: u64 = 16;

/// The venue part of the bucket of an event without a venue (a page view of
/// a page about no venue). Never a venue id (`domain::ids`).
pub const NO_VENUE: &str = "*";

/// The dedupe bucket of an event that has no customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupeBucket<'e> {
    pub venue: &'e str,
    pub source: &'e str,
    /// Start of the event's UTC minute, Unix seconds.
    pub minute: i64,
    pub slot: u8,
}

/// The item that records an event as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Guard<'e> {
    /// (venue, customer): purchases and refunds.
    Customer(&'e str, &'e str),
    Bucket(DedupeBucket<'e>),
}

/// A [`Guard`] owned, as storage reports it (a guard in marker mode).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OwnedGuard {
    Customer {
        venue: String,
        customer: String,
    },
    Bucket {
        venue: String,
        source: String,
        minute: i64,
        slot: u8,
    },
}

/// FNV-1a (64 bits) of `source#id`: stable across builds and platforms,
/// unlike the standard library's hashers.
pub fn slot(source: &str, id: &str) -> u8 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for b in source.bytes().chain([b'#']).chain(id.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    u8::try_from(h % BUCKET_SLOTS).expect("fewer than 256 slots")
}

impl<'e> Guard<'e> {
    pub fn of(e: &'e Event<'_>) -> Self {
        if let Some((venue, customer)) = e.data.customer() {
            return Guard::Customer(venue, customer);
        }
        Guard::Bucket(DedupeBucket {
            venue: e.data.venue_id().unwrap_or(NO_VENUE),
            source: &e.source,
            minute: Granularity::Minute.bucket_start(e.time, chrono_tz::Tz::UTC),
            slot: slot(&e.source, &e.id),
        })
    }

    /// Whether `owned` names this guard (compared without allocating).
    pub fn is(&self, owned: &OwnedGuard) -> bool {
        match (self, owned) {
            (Guard::Customer(v, c), OwnedGuard::Customer { venue, customer }) => {
                v == venue && c == customer
            }
            (
                Guard::Bucket(b),
                OwnedGuard::Bucket {
                    venue,
                    source,
                    minute,
                    slot,
                },
            ) => b.venue == venue && b.source == source && b.minute == *minute && b.slot == *slot,
            _ => false,
        }
    }

    pub fn to_owned(&self) -> OwnedGuard {
        match *self {
            Guard::Customer(venue, customer) => OwnedGuard::Customer {
                venue: venue.to_owned(),
                customer: customer.to_owned(),
            },
            Guard::Bucket(b) => OwnedGuard::Bucket {
                venue: b.venue.to_owned(),
                source: b.source.to_owned(),
                minute: b.minute,
                slot: b.slot,
            },
        }
    }

    pub fn bucket(&self) -> Option<DedupeBucket<'e>> {
        match *self {
            Guard::Bucket(b) => Some(b),
            Guard::Customer(..) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a 64 reference values (the published test vectors: "" and "a").
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    }

    #[test]
    fn the_slot_is_fnv1a_of_source_and_id() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        // Pinned (computed independently, in Python): a change here moves
        // every event to another bucket.
        let ids = ["1", "2", "3", "ticket-9f3a", "order:7/line.2|1"];
        let slots: Vec<u8> = ids.iter().map(|id| slot("gate-app", id)).collect();
        assert_eq!(slots, [12, 5, 2, 15, 4]);
        for id in ids {
            let h = fnv1a(format!("gate-app#{id}").as_bytes());
            assert_eq!(u64::from(slot("gate-app", id)), h % BUCKET_SLOTS);
        }
    }

    #[test]
    fn slots_spread_ids() {
        let mut counts = [0u32; BUCKET_SLOTS as usize];
        for i in 0..16_000 {
            counts[usize::from(slot("gate-app", &format!("tkt-{i}")))] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }
}
