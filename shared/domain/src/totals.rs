//! Arithmetic over stored rollup rows, shared by the API and the reports so
//! that a report's numbers are the dashboard's: sums, breakdown totals, ratios.

use std::collections::BTreeMap;

use crate::ports::RollupRow;
use crate::rollup::{Dimension, Metric};

/// Sum of every base counter over `rows`.
pub fn sum_all(rows: &[RollupRow]) -> BTreeMap<Metric, i64> {
    let mut out = BTreeMap::new();
    for row in rows {
        for (m, v) in &row.base {
            *out.entry(*m).or_insert(0) += v;
        }
    }
    out
}

/// Per breakdown value of `dim`: the sum of each metric over `rows`.
pub fn breakdown(rows: &[RollupRow], dim: Dimension) -> BTreeMap<String, BTreeMap<Metric, i64>> {
    let mut out: BTreeMap<String, BTreeMap<Metric, i64>> = BTreeMap::new();
    for row in rows {
        for (m, d, key, v) in &row.breakdowns {
            if *d == dim {
                *out.entry(key.clone()).or_default().entry(*m).or_insert(0) += v;
            }
        }
    }
    out
}

/// Admitted scans per entry point (gate) and bucket: `gate → bucket → n`.
/// Check-ins over time on the page and in the show report both read this.
pub fn admitted_by_gate(rows: &[RollupRow]) -> BTreeMap<String, BTreeMap<i64, i64>> {
    let mut out: BTreeMap<String, BTreeMap<i64, i64>> = BTreeMap::new();
    for row in rows {
        for (m, d, gate, v) in &row.breakdowns {
            if *m == Metric::ScansAdmitted && *d == Dimension::EntryPoint {
                *out.entry(gate.clone())
                    .or_default()
                    .entry(row.bucket)
                    .or_insert(0) += v;
            }
        }
    }
    out
}

/// The currency of money nothing else names (no venue currency, no data).
pub const DEFAULT_CURRENCY: &str = "USD";

/// The money of rows in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CurrencyTotals {
    pub revenue: i64,
    pub orders: i64,
    pub tickets_sold: i64,
    pub cart_abandons: i64,
    pub cart_abandoned_value: i64,
    /// Refund events, money refunded (net of won chargebacks) and tickets given back.
    pub refunds: i64,
    pub refunded: i64,
    pub tickets_refunded: i64,
}

impl CurrencyTotals {
    fn of(m: impl Fn(Metric) -> i64) -> Self {
        CurrencyTotals {
            revenue: m(Metric::Revenue),
            orders: m(Metric::Orders),
            tickets_sold: m(Metric::TicketsSold),
            cart_abandons: m(Metric::CartAbandons),
            cart_abandoned_value: m(Metric::CartAbandonedValue),
            refunds: m(Metric::Refunds),
            refunded: m(Metric::RefundedAmount),
            tickets_refunded: m(Metric::TicketsRefunded),
        }
    }

    fn add(&mut self, o: CurrencyTotals) {
        self.revenue += o.revenue;
        self.orders += o.orders;
        self.tickets_sold += o.tickets_sold;
        self.cart_abandons += o.cart_abandons;
        self.cart_abandoned_value += o.cart_abandoned_value;
        self.refunds += o.refunds;
        self.refunded += o.refunded;
        self.tickets_refunded += o.tickets_refunded;
    }

    fn minus(self, o: CurrencyTotals) -> Self {
        CurrencyTotals {
            revenue: self.revenue - o.revenue,
            orders: self.orders - o.orders,
            tickets_sold: self.tickets_sold - o.tickets_sold,
            cart_abandons: self.cart_abandons - o.cart_abandons,
            cart_abandoned_value: self.cart_abandoned_value - o.cart_abandoned_value,
            refunds: self.refunds - o.refunds,
            refunded: self.refunded - o.refunded,
            tickets_refunded: self.tickets_refunded - o.tickets_refunded,
        }
    }

    /// Revenue net of refunds: what the venue keeps.
    pub fn net_revenue(self) -> i64 {
        self.revenue - self.refunded
    }

    fn is_zero(self) -> bool {
        self == CurrencyTotals::default()
    }
}

/// Money of one row per currency. Money the row does not attribute to a
/// currency (written before rollups kept one) is in the row's `currency`,
/// else `fallback`: this is the only currency fallback of the workspace.
pub fn row_currencies(row: &RollupRow, fallback: &str) -> BTreeMap<String, CurrencyTotals> {
    let mut out: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
    let mut attributed = CurrencyTotals::default();
    for (code, metrics) in breakdown(std::slice::from_ref(row), Dimension::Currency) {
        let t = CurrencyTotals::of(|m| metrics.get(&m).copied().unwrap_or(0));
        attributed.add(t);
        out.entry(code).or_default().add(t);
    }
    let rest = CurrencyTotals::of(|m| row.get(m)).minus(attributed);
    if !rest.is_zero() {
        let code = row.currency.as_deref().unwrap_or(fallback);
        out.entry(code.to_owned()).or_default().add(rest);
    }
    out
}

/// Money of `rows` per currency (see [`row_currencies`]).
pub fn currency_totals(rows: &[RollupRow], fallback: &str) -> BTreeMap<String, CurrencyTotals> {
    let mut out: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
    for row in rows {
        for (code, t) in row_currencies(row, fallback) {
            out.entry(code).or_default().add(t);
        }
    }
    out
}

/// The currency money is shown in: the venue's own, else the one with the
/// most revenue in the data (ties: the first code), else [`DEFAULT_CURRENCY`].
pub fn reporting_currency(
    venue_currency: Option<&str>,
    totals: &BTreeMap<String, CurrencyTotals>,
) -> String {
    venue_currency
        .map(str::to_owned)
        .or_else(|| {
            totals
                .iter()
                .max_by(|a, b| a.1.revenue.cmp(&b.1.revenue).then(b.0.cmp(a.0)))
                .map(|(code, _)| code.clone())
        })
        .unwrap_or_else(|| DEFAULT_CURRENCY.to_owned())
}

/// `rows` with their money (revenue, refunds and abandoned cart value, in total and
/// per breakdown value where it can be told apart) in `currency` only: money
/// in other currencies is left out, never added. Counts of orders and
/// tickets stay whole. Tier, channel and campaign revenue of a row that
/// holds several currencies cannot be split and is left out of them too.
pub fn in_currency(rows: &[RollupRow], currency: &str, fallback: &str) -> Vec<RollupRow> {
    rows.iter()
        .map(|row| {
            let per = row_currencies(row, fallback);
            let mine = per.get(currency).copied().unwrap_or_default();
            let single = per.len() <= 1 && (per.is_empty() || per.contains_key(currency));
            let mut out = row.clone();
            out.base.insert(Metric::Revenue, mine.revenue);
            out.base
                .insert(Metric::CartAbandonedValue, mine.cart_abandoned_value);
            out.base.insert(Metric::RefundedAmount, mine.refunded);
            if !single {
                for b in &mut out.breakdowns {
                    if b.1 != Dimension::Currency
                        && matches!(
                            b.0,
                            Metric::Revenue | Metric::CartAbandonedValue | Metric::RefundedAmount
                        )
                    {
                        b.3 = 0;
                    }
                }
            }
            out.currency = Some(currency.to_owned());
            out
        })
        .collect()
}

/// Revenue in `currency` of the rows that also hold another currency: the
/// money [`in_currency`] counts in the total but cannot split by tier,
/// channel or campaign (their breakdowns do not say which currency). Tables
/// by those dimensions add up to the total minus this.
pub fn unsplit_revenue(rows: &[RollupRow], currency: &str, fallback: &str) -> i64 {
    rows.iter()
        .map(|row| row_currencies(row, fallback))
        .filter(|per| per.len() > 1)
        .filter_map(|per| per.get(currency).map(|t| t.revenue))
        .sum()
}

/// `num / den`, `None` when the denominator is zero.
#[allow(clippy::cast_precision_loss)]
pub fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

/// Integer division rounded half away from zero; 0 for a zero denominator.
pub fn div_round(num: i64, den: i64) -> i64 {
    if den == 0 {
        return 0;
    }
    let (q, r) = (num / den, num % den);
    if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        base: &[(Metric, i64)],
        money: &[(&str, i64, i64)],
        currency: Option<&str>,
    ) -> RollupRow {
        RollupRow {
            bucket: 0,
            base: base.iter().copied().collect(),
            breakdowns: money
                .iter()
                .flat_map(|(c, revenue, orders)| {
                    [
                        (
                            Metric::Revenue,
                            Dimension::Currency,
                            (*c).to_owned(),
                            *revenue,
                        ),
                        (
                            Metric::Orders,
                            Dimension::Currency,
                            (*c).to_owned(),
                            *orders,
                        ),
                    ]
                })
                .collect(),
            currency: currency.map(str::to_owned),
        }
    }

    #[test]
    fn money_is_kept_apart_per_currency() {
        // 100 EUR + 40 USD in one row, base counters add all of it.
        let mixed = row(
            &[(Metric::Revenue, 140), (Metric::Orders, 3)],
            &[("EUR", 100, 2), ("USD", 40, 1)],
            Some("EUR"),
        );
        // A row written before money had a currency breakdown: 25 in its currency.
        let legacy = row(
            &[(Metric::Revenue, 25), (Metric::Orders, 1)],
            &[],
            Some("USD"),
        );
        let rows = [mixed, legacy];
        let t = currency_totals(&rows, "CHF");
        assert_eq!((t["EUR"].revenue, t["EUR"].orders), (100, 2));
        assert_eq!((t["USD"].revenue, t["USD"].orders), (65, 2));
        assert_eq!(t.len(), 2);
        assert_eq!(reporting_currency(None, &t), "EUR");
        assert_eq!(reporting_currency(Some("GBP"), &t), "GBP");
        assert_eq!(reporting_currency(None, &BTreeMap::new()), DEFAULT_CURRENCY);
        let usd = in_currency(&rows, "USD", "CHF");
        assert_eq!(sum_all(&usd)[&Metric::Revenue], 65, "never 140 + 25");
        assert_eq!(sum_all(&usd)[&Metric::Orders], 4, "counts stay whole");
        let gbp = in_currency(&rows, "GBP", "CHF");
        assert_eq!(sum_all(&gbp)[&Metric::Revenue], 0);
    }

    #[test]
    fn revenue_a_mixed_row_cannot_split_by_tier_is_named() {
        // One row in USD only, one holding USD and EUR.
        let usd = row(&[(Metric::Revenue, 1_000)], &[("USD", 1_000, 1)], None);
        let mixed = row(
            &[(Metric::Revenue, 1_500)],
            &[("USD", 1_000, 1), ("EUR", 500, 1)],
            None,
        );
        let rows = [usd, mixed];
        assert_eq!(unsplit_revenue(&rows, "USD", "USD"), 1_000);
        assert_eq!(unsplit_revenue(&rows, "EUR", "USD"), 500);
        assert_eq!(unsplit_revenue(&rows[..1], "USD", "USD"), 0);
    }

    #[test]
    fn tier_revenue_of_a_mixed_row_is_not_passed_off_as_one_currency() {
        let mut mixed = row(
            &[(Metric::Revenue, 140)],
            &[("EUR", 100, 2), ("USD", 40, 1)],
            None,
        );
        mixed
            .breakdowns
            .push((Metric::Revenue, Dimension::Tier, "vip".into(), 140));
        let single = {
            let mut r = row(&[(Metric::Revenue, 30)], &[("EUR", 30, 1)], None);
            r.breakdowns
                .push((Metric::Revenue, Dimension::Tier, "vip".into(), 30));
            r
        };
        let eur = in_currency(&[mixed, single], "EUR", "EUR");
        assert_eq!(
            breakdown(&eur, Dimension::Tier)["vip"][&Metric::Revenue],
            30
        );
        assert_eq!(sum_all(&eur)[&Metric::Revenue], 130);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(10, 4), 3);
        assert_eq!(div_round(9, 4), 2);
        assert_eq!(div_round(-10, 4), -3);
        assert_eq!(div_round(7, 0), 0);
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
    }
}
