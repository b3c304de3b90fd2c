//! Exactly-once without a marker item per event: each event has a *guard*
//! item (`domain::guard`) — its customer's item for a purchase or refund, a
//! dedupe bucket for every other event — and the transaction that counts the
//! event updates the guard with the event's *token* (`e#{12 base64url chars
//! of SHA-256("{source}#{id}")}` = the day it was counted), on the condition
//! that it is absent. A customer update is in the transaction anyway; a
//! bucket update serves every event of the chunk in that bucket. Either
//! saves a marker put — 2 WCU in a transaction — per event.
//!
//! A guard must not grow without end (a box office's "guest" customer, a
//! minute of a stadium's doors), so it holds at most [`token_limit`] tokens;
//! past it, the guard is in *marker mode*: its events get markers like
//! before, and its item records `markersUntil`, the latest expiry of those
//! markers. Token mode is allowed only while no marker of the guard's
//! events can still exist: `markersUntil` absent or past, and the guard is
//! not *legacy* — a customer item written before tokens (it has `orders` but
//! neither `seenEvents` nor `markersUntil`), or a bucket of a minute before
//! the bucket cut-over (events counted with markers before buckets existed;
//! see `DynamoIngest::bucket_cutover`). Every guard update, in either mode,
//! requires its events' tokens to be absent. So an event counted in one mode
//! is a duplicate in the other, whichever order the deliveries come in.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use domain::guard::Guard;

use crate::items::{Item, get_i64};

/// Most dedupe tokens a customer item holds before its events use markers
/// (a customer item is read whole by the API: it stays small).
pub const CUSTOMER_TOKEN_LIMIT: i64 = 16;
/// Most tokens a dedupe bucket holds: 40 × 18 bytes, with its key and
/// counters the item stays under 1 KB (one write unit) while the venue and
/// source ids together take up to ~230 bytes (typical ids take 20–40).
pub const BUCKET_TOKEN_LIMIT: i64 = 40;

pub fn token_limit(guard: &Guard<'_>) -> i64 {
    match guard {
        Guard::Customer(..) => CUSTOMER_TOKEN_LIMIT,
        Guard::Bucket(_) => BUCKET_TOKEN_LIMIT,
    }
}
/// The number of tokens the item holds.
pub const SEEN_COUNT: &str = "seenEvents";
/// Unix seconds until which markers of this customer's events may exist.
pub const MARKERS_UNTIL: &str = "markersUntil";
/// Present on every customer item ingest ever wrote; absent on an erased one.
pub const ORDERS: &str = "orders";
const TOKEN_PREFIX: &str = "e#";

/// The attribute that says a customer item counted the event `source`/`id`.
pub fn token_attr(source: &str, id: &str) -> String {
    let mut h = Sha256::new();
    h.update(source.as_bytes());
    h.update(b"#");
    h.update(id.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(TOKEN_PREFIX.len() + 12);
    out.push_str(TOKEN_PREFIX);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(&digest[..9], &mut out);
    out
}

pub fn is_token_attr(attr: &str) -> bool {
    attr.starts_with(TOKEN_PREFIX)
}

/// An attribute of the dedupe state (what an erased customer's item keeps).
pub fn is_dedupe_attr(attr: &str) -> bool {
    is_token_attr(attr) || attr == SEEN_COUNT || attr == MARKERS_UNTIL
}

/// The token's value: the Unix day it was counted (for a later pruning pass).
pub fn token_value(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(86_400)
}

/// What a stored guard item says about how its events are deduplicated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DedupeState {
    /// Tokens held.
    pub seen: i64,
    pub markers_until: Option<i64>,
    /// Written before tokens existed (or a bucket before the cut-over):
    /// markers of its events may exist.
    pub legacy: bool,
}

impl DedupeState {
    pub fn from_item(item: &Item) -> Self {
        let seen = get_i64(item, SEEN_COUNT);
        let markers_until = get_i64(item, MARKERS_UNTIL);
        DedupeState {
            seen: seen.unwrap_or(0),
            markers_until,
            legacy: item.contains_key(ORDERS) && seen.is_none() && markers_until.is_none(),
        }
    }

    /// Whether markers of this guard's events may still exist at `now`.
    pub fn markers_may_exist(&self, now: DateTime<Utc>) -> bool {
        self.legacy || self.markers_until.is_some_and(|t| t >= now.timestamp())
    }

    /// Whether `new` more events must use markers (token mode would break the
    /// rule above, or pass `limit`).
    pub fn uses_markers(&self, now: DateTime<Utc>, new: usize, limit: i64) -> bool {
        self.markers_may_exist(now) || self.seen + i64::try_from(new).unwrap_or(i64::MAX) > limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::n;

    #[test]
    fn tokens_are_short_distinct_and_independent_of_the_separator() {
        let a = token_attr("box-office", "1");
        assert_eq!(a.len(), 14);
        assert!(is_token_attr(&a));
        // "a#b" + "c" and "a" + "b#c" cannot both be ids (ids never hold '#'),
        // but the token must still tell sources and ids apart.
        assert_ne!(
            token_attr("box-office", "12"),
            token_attr("box-office1", "2")
        );
        assert_ne!(a, token_attr("web", "1"));
        assert_eq!(a, token_attr("box-office", "1"));
    }

    #[test]
    fn a_state_reads_legacy_markers_and_limits() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let empty = DedupeState::from_item(&Item::new());
        assert!(!empty.uses_markers(now, CUSTOMER_TOKEN_LIMIT as usize, CUSTOMER_TOKEN_LIMIT));
        assert!(empty.uses_markers(now, CUSTOMER_TOKEN_LIMIT as usize + 1, CUSTOMER_TOKEN_LIMIT));

        let legacy = DedupeState::from_item(&Item::from([(ORDERS.to_owned(), n(3))]));
        assert!(legacy.legacy && legacy.uses_markers(now, 1, CUSTOMER_TOKEN_LIMIT));

        let tokens = DedupeState::from_item(&Item::from([
            (ORDERS.to_owned(), n(3)),
            (SEEN_COUNT.to_owned(), n(3)),
        ]));
        assert!(!tokens.legacy && !tokens.uses_markers(now, 13, CUSTOMER_TOKEN_LIMIT));
        assert!(tokens.uses_markers(now, 14, CUSTOMER_TOKEN_LIMIT));

        let marked = |until: i64| {
            DedupeState::from_item(&Item::from([
                (ORDERS.to_owned(), n(3)),
                (MARKERS_UNTIL.to_owned(), n(until)),
            ]))
        };
        assert!(marked(1_000_000).uses_markers(now, 1, CUSTOMER_TOKEN_LIMIT));
        assert!(!marked(999_999).uses_markers(now, 1, CUSTOMER_TOKEN_LIMIT));
    }
}
