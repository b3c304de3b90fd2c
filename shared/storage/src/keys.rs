//! Item keys. Every table has string keys `pk` (and `sk`, except dedupe).
//!
//! | table     | pk                              | sk                         |
//! |-----------|---------------------------------|----------------------------|
//! | rollups   | `{venue}#{show or *}#{1m..1d}`  | `{bucket:011}#{shard:02}`  |
//! | customers | `{venue}`                       | `{customer}` (attrs `spend${ISO}`, `tier#{tier}`, dedupe tokens `e#{12 chars}`, `seenEvents`, `markersUntil`) |
//! | dedupe    | `evt#{source}#{id}`, `sess#{venue}#{show or *}#{day}#{session}`, `rej#{queue}#{sha256}`, buckets `bkt#{venue or *}#{source}#{minute:011}#{slot}` (tokens `e#…`, `seenEvents`, `markersUntil`), `cfg#bucketsSince` | – |
//! | flows     | `flow`                          | `{type}#{source}#{shard:02}` |
//! | flows     | `arrivals`                      | `{5-minute bucket:011}#{type}#{source}#{shard:02}` |
//! | venues    | `{venue}`                       | `meta`, `show#{eventId}`   |
//! | app       | `{kind}#{venue}`                | `{id}`                     |
//!
//! Flow items are sharded like rollups (the shard of the chunk that writes
//! them), so concurrent Lambdas on one queue do not all update one item;
//! readers sum the shards. All flows live in two partitions, so reading
//! flow health is two queries whatever the number of flows.
//!
//! Every id part follows the grammar of `domain::ids` (no `#`, no `*`), so
//! joining parts with `#` is injective for a fixed shape, and `*` (the
//! venue-wide scope, the unattributed source) is never an id.

use domain::{EventType, Granularity};

pub fn rollup_pk(venue: &str, show: Option<&str>, g: Granularity) -> String {
    format!("{venue}#{}#{}", show.unwrap_or("*"), g.as_str())
}

pub fn rollup_sk(bucket: i64, shard: u8) -> String {
    format!("{bucket:011}#{shard:02}")
}

/// Inclusive sort-key bounds of buckets `from <= b < to`.
pub fn rollup_sk_range(from: i64, to: i64) -> (String, String) {
    (
        format!("{:011}", from.max(0)),
        format!("{:011}#~", (to - 1).max(0)),
    )
}

pub fn parse_rollup_sk(sk: &str) -> Option<i64> {
    sk.split('#').next()?.parse().ok()
}

pub fn event_marker(source: &str, id: &str) -> String {
    format!("evt#{source}#{id}")
}

/// The dedupe bucket holding the tokens of its events (`dedupe_tokens`).
pub fn dedupe_bucket(b: &domain::guard::DedupeBucket<'_>) -> String {
    format!("bkt#{}#{}#{:011}#{}", b.venue, b.source, b.minute, b.slot)
}

/// The dedupe table's record of the bucket cut-over (`DynamoIngest::bucket_cutover`).
pub const BUCKET_CUTOVER_PK: &str = "cfg#bucketsSince";

/// A session counted on a venue-local day, in the venue scope (`*`) or a show's.
pub fn session_marker(venue: &str, show: Option<&str>, day: i64, session: &str) -> String {
    format!("sess#{venue}#{}#{day}#{session}", show.unwrap_or("*"))
}

pub fn rejection_marker(queue: EventType, sha: &str) -> String {
    format!("rej#{queue}#{sha}")
}

/// A customer item's spend in one currency (an ISO 4217 code).
pub fn spend_attr(currency: &str) -> String {
    format!("spend${currency}")
}

pub fn parse_spend_attr(attr: &str) -> Option<&str> {
    attr.strip_prefix("spend$")
}

pub const FLOW_PK: &str = "flow";

/// The flow-health source of rejected messages whose `source` cannot be read
/// (or is not an id): never a real source, shown as "unattributed".
pub const UNATTRIBUTED_SOURCE: &str = "*";

pub fn flow_sk(t: EventType, source: &str, shard: u8) -> String {
    format!("{t}#{source}#{shard:02}")
}

pub const ARRIVALS_PK: &str = "arrivals";

/// Width of the arrival buckets behind `eventsLastHour`.
pub const ARRIVAL_BUCKET_SECS: i64 = 300;

fn arrival_bucket(secs: i64) -> i64 {
    secs.div_euclid(ARRIVAL_BUCKET_SECS) * ARRIVAL_BUCKET_SECS
}

pub fn arrival_sk(now_secs: i64, t: EventType, source: &str, shard: u8) -> String {
    format!("{:011}#{t}#{source}#{shard:02}", arrival_bucket(now_secs))
}

/// Inclusive sort-key bounds of the arrival buckets holding `from..=to`.
pub fn arrival_sk_range(from_secs: i64, to_secs: i64) -> (String, String) {
    (
        format!("{:011}", arrival_bucket(from_secs)),
        format!("{:011}#~", arrival_bucket(to_secs)),
    )
}

/// `(type, source)` of an arrival sort key.
pub fn parse_arrival_sk(sk: &str) -> Option<(EventType, &str)> {
    let mut parts = sk.split('#');
    let _bucket = parts.next()?;
    let t = parts.next()?.parse().ok()?;
    Some((t, parts.next()?))
}

pub const VENUE_META_SK: &str = "meta";

pub fn show_sk(show: &str) -> String {
    format!("show#{show}")
}

pub fn doc_pk(kind: &str, venue: &str) -> String {
    format!("{kind}#{venue}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_of_arrivals_is_one_key_range_over_every_flow_and_shard() {
        let now = 1_796_313_617; // 2026-12-03T15:20:17Z
        let (from, to) = arrival_sk_range(now - 3600, now);
        let inside = [
            arrival_sk(now - 3600, EventType::PageView, "frontend", 0),
            arrival_sk(now, EventType::TicketPurchase, "ticket-service", 3),
            arrival_sk(now, EventType::VenueUpdate, UNATTRIBUTED_SOURCE, 1),
        ];
        for sk in &inside {
            assert!(from <= *sk && *sk <= to, "{sk} outside {from}..={to}");
        }
        let before = arrival_sk(
            now - 3600 - ARRIVAL_BUCKET_SECS,
            EventType::PageView,
            "f",
            0,
        );
        assert!(before < from);
        assert_eq!(
            parse_arrival_sk(&inside[1]),
            Some((EventType::TicketPurchase, "ticket-service"))
        );
        assert_eq!(
            parse_arrival_sk(&inside[2]),
            Some((EventType::VenueUpdate, UNATTRIBUTED_SOURCE))
        );
        assert_eq!(parse_arrival_sk("00000000300#no-such-type#x#00"), None);
    }
}
