//! Arithmetic over rollup rows: the shared sums and ratios of
//! [`domain::totals`], and the currency a response is in.

use domain::ports::{RollupRow, VenueRecord};
pub use domain::totals::{breakdown, div_round, ratio, sum_all};

use crate::model::DEFAULT_CURRENCY;

/// The currency of the data, else the venue's, else [`DEFAULT_CURRENCY`].
pub fn currency(rows: &[RollupRow], venue: &VenueRecord) -> String {
    rows.iter()
        .find_map(|r| r.currency.clone())
        .or_else(|| venue.currency.clone())
        .unwrap_or_else(|| DEFAULT_CURRENCY.to_owned())
}
