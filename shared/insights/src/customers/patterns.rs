//! Descriptive purchase patterns of one customer (no model: arg-max and
//! means of the counters the ingest keeps).

use serde::{Deserialize, Serialize};

use super::CustomerRecord;

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// When and how a customer buys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchasePatterns {
    /// Venue-local weekday with the most purchases ("Monday" …); earliest
    /// in the week on ties; `None` without purchases.
    pub preferred_weekday: Option<String>,
    /// Venue-local hour (0–23) with the most purchases; earliest on ties.
    pub preferred_hour: Option<u8>,
    /// Mean hours between purchase and show start.
    pub average_lead_time_hours: Option<f64>,
    /// Total spend ÷ tickets, rounded to the nearest minor unit.
    pub average_ticket_price: Option<i64>,
    /// Tier with the most tickets; alphabetically first on ties.
    pub top_tier: Option<String>,
}

impl PurchasePatterns {
    #[must_use]
    pub fn of(c: &CustomerRecord) -> Self {
        Self {
            preferred_weekday: arg_max(&c.purchases_by_weekday).map(|i| WEEKDAYS[i].to_owned()),
            preferred_hour: arg_max(&c.purchases_by_hour).map(|i| i as u8),
            average_lead_time_hours: (c.lead_time_count > 0)
                .then(|| c.lead_time_hours_sum / f64::from(c.lead_time_count)),
            average_ticket_price: (c.tickets > 0).then(|| div_round(c.total_spend, c.tickets)),
            top_tier: c
                .tiers
                .iter()
                .filter(|(_, n)| **n > 0)
                // max_by keeps the last maximum; reverse so ties pick the first key.
                .rev()
                .max_by_key(|(_, n)| **n)
                .map(|(t, _)| t.clone()),
        }
    }
}

/// Index of the first maximum, `None` if every count is zero.
fn arg_max(counts: &[u32]) -> Option<usize> {
    let (i, max) = counts.iter().enumerate().fold(
        (0, 0),
        |best, (i, &v)| if v > best.1 { (i, v) } else { best },
    );
    (max > 0).then_some(i)
}

/// Integer division rounded half away from zero.
pub(crate) fn div_round(num: i64, den: i64) -> i64 {
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    }
}
