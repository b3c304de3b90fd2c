//! Integration tests of the public API, one module per model family.

mod alerts;
mod campaigns;
mod customers;
mod forecast;

use chrono::{DateTime, TimeZone, Utc};

/// 2026-06-01T00:00:00Z, the "now" of most tests.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}
