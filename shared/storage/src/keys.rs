//! Item keys. Every table has string keys `pk` (and `sk`, except dedupe).
//!
//! | table     | pk                              | sk                         |
//! |-----------|---------------------------------|----------------------------|
//! | rollups   | `{venue}#{show or *}#{1m..1d}`  | `{bucket:011}#{shard:02}`  |
//! | customers | `{venue}`                       | `{customer}` (attrs `spend${ISO}`, `tier#{tier}`) |
//! | dedupe    | `evt#{source}#{id}`, `sess#{venue}#{show or *}#{day}#{session}`, `rej#{queue}#{sha256}` | – |
//! | flows     | `flow`                          | `{type}#{source}`          |
//! | flows     | `arrivals#{type}#{source}`      | `{5-minute bucket:011}`    |
//! | venues    | `{venue}`                       | `meta`, `show#{eventId}`   |
//! | app       | `{kind}#{venue}`                | `{id}`                     |
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

pub fn flow_sk(t: EventType, source: &str) -> String {
    format!("{t}#{source}")
}

pub fn arrivals_pk(t: EventType, source: &str) -> String {
    format!("arrivals#{t}#{source}")
}

/// Width of the arrival buckets behind `eventsLastHour`.
pub const ARRIVAL_BUCKET_SECS: i64 = 300;

pub fn arrival_sk(now_secs: i64) -> String {
    format!(
        "{:011}",
        now_secs.div_euclid(ARRIVAL_BUCKET_SECS) * ARRIVAL_BUCKET_SECS
    )
}

pub const VENUE_META_SK: &str = "meta";

pub fn show_sk(show: &str) -> String {
    format!("show#{show}")
}

pub fn doc_pk(kind: &str, venue: &str) -> String {
    format!("{kind}#{venue}")
}
