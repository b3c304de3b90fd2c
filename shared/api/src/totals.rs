//! Arithmetic over rollup rows: the shared sums and ratios of
//! [`domain::totals`], and the currency a response is in.

use std::collections::BTreeMap;

use domain::ports::{RollupRow, VenueRecord};
pub use domain::totals::{CurrencyTotals, breakdown, div_round, ratio, sum_all};
use domain::totals::{
    DEFAULT_CURRENCY, currency_totals, in_currency, reporting_currency, unsplit_revenue,
};

/// Rollup rows with their money in one currency.
#[derive(Debug, Clone)]
pub struct InCurrency {
    /// The currency of every amount in `rows`.
    pub currency: String,
    pub rows: Vec<RollupRow>,
    /// The money of the original rows in each currency they hold.
    pub by_currency: BTreeMap<String, CurrencyTotals>,
    /// Revenue in `currency` that rows holding several currencies cannot
    /// split by tier, channel or campaign (`domain::totals::unsplit_revenue`).
    pub unsplit_revenue: i64,
}

/// `rows` in `wanted`, else in the venue's reporting currency
/// ([`reporting_currency`]): amounts in other currencies are left out, never
/// added to these.
pub fn money_in(rows: &[RollupRow], venue: &VenueRecord, wanted: Option<&str>) -> InCurrency {
    let fallback = venue.currency.as_deref().unwrap_or(DEFAULT_CURRENCY);
    let by_currency = currency_totals(rows, fallback);
    let currency = wanted.map_or_else(
        || reporting_currency(venue.currency.as_deref(), &by_currency),
        str::to_owned,
    );
    InCurrency {
        rows: in_currency(rows, &currency, fallback),
        unsplit_revenue: unsplit_revenue(rows, &currency, fallback),
        currency,
        by_currency,
    }
}

/// The currency a response about `rows` of `venue` is in.
pub fn currency(rows: &[RollupRow], venue: &VenueRecord) -> String {
    let fallback = venue.currency.as_deref().unwrap_or(DEFAULT_CURRENCY);
    reporting_currency(venue.currency.as_deref(), &currency_totals(rows, fallback))
}
