//! Pure assembly of the dashboard summary from rollup rows: no I/O, so the
//! handler's store round trips stay countable (venue, daily totals, last hour).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::ports::{RollupRow, VenueRecord};
use domain::{Dimension, Granularity, Metric};
use serde::Serialize;
use utoipa::ToSchema;

use crate::compare::Comparison;
use crate::model::{Money, ShowView, shows_sorted};
use crate::totals::{InCurrency, breakdown, div_round, money_in, ratio, sum_all};

/// Width of the sales-velocity window.
pub const VELOCITY_WINDOW_MINUTES: i64 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scans {
    pub admitted: i64,
    pub rejected: i64,
    pub duplicate: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    pub adds: i64,
    pub removes: i64,
    pub checkouts: i64,
    pub abandons: i64,
    /// Value of the abandoned carts.
    pub abandoned_value: Money,
}

/// View → cart → purchase conversion. Ratios are `null` when their denominator is 0.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    /// Page views.
    pub views: i64,
    /// Cart adds.
    pub carts: i64,
    /// Orders.
    pub purchases: i64,
    pub view_to_cart: Option<f64>,
    pub cart_to_purchase: Option<f64>,
    pub view_to_purchase: Option<f64>,
}

impl Funnel {
    pub fn from_totals(t: &BTreeMap<Metric, i64>) -> Self {
        let get = |m| t.get(&m).copied().unwrap_or(0);
        let (views, carts, purchases) = (
            get(Metric::PageViews),
            get(Metric::CartAdds),
            get(Metric::Orders),
        );
        Funnel {
            views,
            carts,
            purchases,
            view_to_cart: ratio(carts, views),
            cart_to_purchase: ratio(purchases, carts),
            view_to_purchase: ratio(purchases, views),
        }
    }
}

/// Sales of one tier or channel.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesBreakdown {
    pub key: String,
    pub revenue: Money,
    pub tickets_sold: i64,
    pub orders: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignBreakdown {
    pub key: String,
    pub revenue: Money,
    pub tickets_sold: i64,
    pub orders: i64,
    pub page_views: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EntryPointBreakdown {
    pub key: String,
    pub admitted: i64,
    pub rejected: i64,
    pub duplicate: i64,
}

/// Sales in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencySales {
    /// Gross revenue.
    pub revenue: Money,
    /// Refunded, net of won chargebacks.
    pub refunded: Money,
    /// Gross − refunded.
    pub net_revenue: Money,
    pub orders: i64,
    pub tickets_sold: i64,
}

/// Refunds of one reason: `refund`, `cancellation`, `chargeback` (opened),
/// `chargebackWon` (money and tickets back: negative), `chargebackLost`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundBreakdown {
    pub reason: String,
    /// Refund events.
    pub count: i64,
    pub amount: Money,
    pub tickets: i64,
}

/// Money and tickets that went back to buyers.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Refunds {
    /// Refund events of every reason and status.
    pub count: i64,
    /// Refunded in `currency`, net of won chargebacks.
    pub amount: Money,
    /// Tickets given back, net of won chargebacks.
    pub tickets: i64,
    pub by_reason: Vec<RefundBreakdown>,
}

impl Refunds {
    pub fn from_rows(rows: &[RollupRow], totals: &BTreeMap<Metric, i64>, currency: &str) -> Self {
        let by_reason = breakdown(rows, Dimension::RefundReason)
            .into_iter()
            .map(|(reason, m)| RefundBreakdown {
                reason,
                count: metric(&m, Metric::Refunds),
                amount: Money::new(metric(&m, Metric::RefundedAmount), currency),
                tickets: metric(&m, Metric::TicketsRefunded),
            })
            .collect();
        Refunds {
            count: metric(totals, Metric::Refunds),
            amount: Money::new(metric(totals, Metric::RefundedAmount), currency),
            tickets: metric(totals, Metric::TicketsRefunded),
            by_reason,
        }
    }
}

/// `GET /api/dashboards/{venueId}`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSummary {
    pub venue_id: String,
    /// The show, when the summary is for one show.
    pub event_id: Option<String>,
    pub venue_name: Option<String>,
    pub timezone: String,
    /// The currency of every amount here: the venue's, else the one with the
    /// most revenue. Money in other currencies is in `revenueByCurrency` only.
    pub currency: String,
    /// Gross revenue in `currency`: what was charged, before refunds.
    pub revenue: Money,
    /// Always `"gross"`: `revenue` is before refunds; `netRevenue` after.
    pub revenue_basis: String,
    /// Revenue net of refunds and chargebacks, in `currency`.
    pub net_revenue: Money,
    /// Refunds, cancellations and chargebacks.
    pub refunds: Refunds,
    /// Revenue and orders in every currency sold in, by revenue descending.
    pub revenue_by_currency: Vec<CurrencySales>,
    /// Tickets sold (gross), in every currency.
    pub tickets_sold: i64,
    /// Tickets sold − tickets refunded: what attendance and capacity use.
    pub net_tickets_sold: i64,
    /// Orders, in every currency.
    pub orders: i64,
    /// Gross revenue ÷ orders in `currency`, rounded; 0 without orders.
    pub average_order_value: Money,
    /// Tickets sold per hour over the last 60 minutes.
    pub sales_velocity: f64,
    pub scans: Scans,
    /// Admitted ÷ net tickets sold; `null` before any sale.
    pub attendance_rate: Option<f64>,
    /// Net sold − admitted, once the show has started; `null` for a venue-wide summary.
    pub no_shows: Option<i64>,
    /// The show's capacity (venue capacity as fallback), or the sum over the
    /// venue's shows for a venue-wide summary; `null` when unknown.
    pub capacity: Option<i64>,
    /// Net tickets sold ÷ capacity.
    pub capacity_utilisation: Option<f64>,
    pub page_views: i64,
    /// Sessions first seen per venue-local day, summed over days.
    pub unique_sessions: i64,
    pub cart: Cart,
    /// Abandons ÷ (checkouts + abandons).
    pub cart_abandonment_rate: Option<f64>,
    pub funnel: Funnel,
    pub by_tier: Vec<SalesBreakdown>,
    /// Revenue counted in `revenue` but in none of `byTier`, `byChannel`,
    /// `byCampaign`: it is in rows (days, most often) that also hold another
    /// currency, whose breakdowns do not say which currency their money is
    /// in. Zero for a venue selling in one currency.
    pub breakdown_revenue_unsplit: Money,
    pub by_channel: Vec<SalesBreakdown>,
    pub by_campaign: Vec<CampaignBreakdown>,
    pub by_entry_point: Vec<EntryPointBreakdown>,
    pub shows: Vec<ShowView>,
    pub updated_at: DateTime<Utc>,
    /// The period the totals cover (the request's `from`/`to` on the grid of
    /// its resolution); `null`: all time.
    pub period: Option<Period>,
    /// With `compare`: the same numbers for the compared period, and the changes.
    pub comparison: Option<Comparison>,
}

/// The `[from, to)` period counted: the buckets of `resolution` starting
/// in the requested period (`from` and `to` rounded up to its grid).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `1m`, `5m` or `1h`: the finest rows still kept at `from` (and at the
    /// compared period's); `1d` for a long old period in a zone whose
    /// midnights are off the hour.
    #[schema(value_type = String, example = "1m")]
    pub resolution: Granularity,
}

impl Period {
    pub fn of(p: &domain::period::Period) -> Self {
        let t = |s: i64| DateTime::from_timestamp(s, 0).unwrap_or_default();
        Period {
            from: t(p.from),
            to: t(p.to),
            resolution: p.resolution,
        }
    }
}

/// What the summary is built from.
#[derive(Debug, Clone, Copy)]
pub struct SummaryInput<'a> {
    pub venue: &'a VenueRecord,
    pub event_id: Option<&'a str>,
    /// The rows to sum: all daily rows of the scope, or a period's rows
    /// (`domain::period`: days, and finer rows at its edges).
    pub days: &'a [RollupRow],
    /// Minute rows covering at least [`velocity_window`].
    pub minutes: &'a [RollupRow],
    pub now: DateTime<Utc>,
}

/// `[from, to)` bucket range of the minute rollups the velocity needs: the
/// 60 minute buckets ending with the current (partial) one.
pub fn velocity_window(now: DateTime<Utc>) -> (i64, i64) {
    let current = Granularity::Minute.bucket_start(now, chrono_tz::Tz::UTC);
    (current - (VELOCITY_WINDOW_MINUTES - 1) * 60, current + 60)
}

pub fn assemble(input: SummaryInput<'_>) -> DashboardSummary {
    let SummaryInput {
        venue,
        event_id,
        days,
        minutes,
        now,
    } = input;
    let InCurrency {
        currency,
        rows: days,
        by_currency,
        unsplit_revenue,
    } = money_in(days, venue, None);
    let days = days.as_slice();
    let mine = by_currency.get(&currency).copied().unwrap_or_default();
    let mut revenue_by_currency: Vec<CurrencySales> = by_currency
        .iter()
        .filter(|(_, t)| t.revenue != 0 || t.orders != 0 || t.refunds != 0)
        .map(|(code, t)| CurrencySales {
            revenue: Money::new(t.revenue, code),
            refunded: Money::new(t.refunded, code),
            net_revenue: Money::new(t.net_revenue(), code),
            orders: t.orders,
            tickets_sold: t.tickets_sold,
        })
        .collect();
    revenue_by_currency.sort_by_key(|b| std::cmp::Reverse(b.revenue.amount));
    let totals = sum_all(days);
    let get = |m| totals.get(&m).copied().unwrap_or(0);
    let money = |amount| Money::new(amount, &currency);

    let gross_sold = get(Metric::TicketsSold);
    // Attendance and capacity count the tickets still held.
    let sold = gross_sold - get(Metric::TicketsRefunded);
    let orders = get(Metric::Orders);
    let admitted = get(Metric::ScansAdmitted);
    let (checkouts, abandons) = (get(Metric::CartCheckouts), get(Metric::CartAbandons));

    let (from, to) = velocity_window(now);
    let last_hour: i64 = minutes
        .iter()
        .filter(|r| (from..to).contains(&r.bucket))
        .map(|r| r.get(Metric::TicketsSold))
        .sum();
    #[allow(clippy::cast_precision_loss)]
    let sales_velocity = last_hour as f64 * 60.0 / VELOCITY_WINDOW_MINUTES as f64;

    let show = event_id.and_then(|id| venue.shows.iter().find(|s| s.event_id == id));
    let no_shows = show
        .filter(|s| s.starts_at <= now)
        .map(|_| (sold - admitted).max(0));
    let capacity = match event_id {
        Some(_) => show
            .and_then(|s| s.capacity)
            .or(venue.capacity)
            .map(i64::from),
        None if venue.shows.is_empty() => None,
        None => venue
            .shows
            .iter()
            .map(|s| s.capacity.or(venue.capacity).map(i64::from))
            .sum(),
    };

    DashboardSummary {
        venue_id: venue.venue_id.clone(),
        event_id: event_id.map(str::to_owned),
        venue_name: venue.name.clone(),
        timezone: venue.timezone.clone().unwrap_or_else(|| "UTC".into()),
        revenue: money(mine.revenue),
        revenue_basis: "gross".into(),
        net_revenue: money(mine.net_revenue()),
        refunds: Refunds::from_rows(days, &totals, &currency),
        revenue_by_currency,
        tickets_sold: gross_sold,
        net_tickets_sold: sold,
        orders,
        average_order_value: money(div_round(mine.revenue, mine.orders)),
        sales_velocity,
        scans: Scans {
            admitted,
            rejected: get(Metric::ScansRejected),
            duplicate: get(Metric::ScansDuplicate),
        },
        attendance_rate: ratio(admitted, sold),
        no_shows,
        capacity,
        capacity_utilisation: capacity.and_then(|c| ratio(sold, c)),
        page_views: get(Metric::PageViews),
        unique_sessions: get(Metric::UniqueSessions),
        cart: Cart {
            adds: get(Metric::CartAdds),
            removes: get(Metric::CartRemoves),
            checkouts,
            abandons,
            abandoned_value: money(get(Metric::CartAbandonedValue)),
        },
        cart_abandonment_rate: ratio(abandons, checkouts + abandons),
        funnel: Funnel::from_totals(&totals),
        by_tier: sales_breakdown(days, Dimension::Tier, &currency),
        breakdown_revenue_unsplit: money(unsplit_revenue),
        by_channel: sales_breakdown(days, Dimension::Channel, &currency),
        by_campaign: campaign_breakdown(days, &currency),
        by_entry_point: entry_point_breakdown(days),
        shows: shows_sorted(venue),
        currency,
        updated_at: now,
        period: None,
        comparison: None,
    }
}

fn metric(m: &BTreeMap<Metric, i64>, k: Metric) -> i64 {
    m.get(&k).copied().unwrap_or(0)
}

/// Tier or channel sales, by revenue descending. Keys seen only in cart adds are left out.
pub fn sales_breakdown(rows: &[RollupRow], dim: Dimension, currency: &str) -> Vec<SalesBreakdown> {
    let mut out: Vec<SalesBreakdown> = breakdown(rows, dim)
        .into_iter()
        .map(|(key, m)| SalesBreakdown {
            key,
            revenue: Money::new(metric(&m, Metric::Revenue), currency),
            tickets_sold: metric(&m, Metric::TicketsSold),
            orders: metric(&m, Metric::Orders),
        })
        .filter(|b| b.revenue.amount != 0 || b.tickets_sold != 0 || b.orders != 0)
        .collect();
    out.sort_by(|a, b| {
        b.revenue
            .amount
            .cmp(&a.revenue.amount)
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

pub fn campaign_breakdown(rows: &[RollupRow], currency: &str) -> Vec<CampaignBreakdown> {
    let mut out: Vec<CampaignBreakdown> = breakdown(rows, Dimension::Campaign)
        .into_iter()
        .map(|(key, m)| CampaignBreakdown {
            key,
            revenue: Money::new(metric(&m, Metric::Revenue), currency),
            tickets_sold: metric(&m, Metric::TicketsSold),
            orders: metric(&m, Metric::Orders),
            page_views: metric(&m, Metric::PageViews),
        })
        .collect();
    out.sort_by(|a, b| {
        b.revenue
            .amount
            .cmp(&a.revenue.amount)
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

pub fn entry_point_breakdown(rows: &[RollupRow]) -> Vec<EntryPointBreakdown> {
    breakdown(rows, Dimension::EntryPoint)
        .into_iter()
        .map(|(key, m)| EntryPointBreakdown {
            key,
            admitted: metric(&m, Metric::ScansAdmitted),
            rejected: metric(&m, Metric::ScansRejected),
            duplicate: metric(&m, Metric::ScansDuplicate),
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use domain::ports::ShowRecord;

    use super::*;

    pub(crate) fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A row at `t` with base counters and breakdowns.
    pub(crate) fn row(
        t: &str,
        base: &[(Metric, i64)],
        breakdowns: &[(Metric, Dimension, &str, i64)],
    ) -> RollupRow {
        RollupRow {
            bucket: at(t).timestamp(),
            base: base.iter().copied().collect(),
            breakdowns: breakdowns
                .iter()
                .map(|(m, d, k, v)| (*m, *d, (*k).to_owned(), *v))
                .collect(),
            currency: Some("EUR".into()),
        }
    }

    pub(crate) fn venue() -> VenueRecord {
        VenueRecord {
            venue_id: "v1".into(),
            name: Some("Hall".into()),
            timezone: Some("Europe/Berlin".into()),
            capacity: Some(500),
            currency: None,
            shows: vec![
                ShowRecord {
                    event_id: "s1".into(),
                    name: "Early".into(),
                    starts_at: at("2026-11-24T19:00:00Z"),
                    capacity: Some(100),
                    on_sale_at: None,
                },
                ShowRecord {
                    event_id: "s2".into(),
                    name: "Late".into(),
                    starts_at: at("2026-12-24T19:00:00Z"),
                    capacity: None,
                    on_sale_at: None,
                },
            ],
        }
    }

    fn days() -> Vec<RollupRow> {
        use Dimension::*;
        use Metric::*;
        vec![
            row(
                "2026-11-22T23:00:00Z",
                &[
                    (Revenue, 9000),
                    (TicketsSold, 4),
                    (Orders, 2),
                    (PageViews, 40),
                    (UniqueSessions, 10),
                    (CartAdds, 8),
                    (CartCheckouts, 3),
                    (CartAbandons, 1),
                    (CartAbandonedValue, 4500),
                ],
                &[
                    (Revenue, Tier, "GA", 4000),
                    (TicketsSold, Tier, "GA", 3),
                    (Orders, Tier, "GA", 1),
                    (Revenue, Tier, "VIP", 5000),
                    (TicketsSold, Tier, "VIP", 1),
                    (Orders, Tier, "VIP", 1),
                    (CartAdds, Tier, "Box", 2),
                    (PageViews, Campaign, "fall", 12),
                    (Revenue, Campaign, "fall", 5000),
                    (Orders, Campaign, "fall", 1),
                    (TicketsSold, Campaign, "fall", 1),
                ],
            ),
            row(
                "2026-11-23T23:00:00Z",
                &[
                    (Revenue, 2000),
                    (TicketsSold, 1),
                    (Orders, 1),
                    (ScansAdmitted, 3),
                    (ScansRejected, 1),
                    (ScansDuplicate, 1),
                    (PageViews, 10),
                ],
                &[
                    (ScansAdmitted, EntryPoint, "north", 2),
                    (ScansAdmitted, EntryPoint, "south", 1),
                    (ScansRejected, EntryPoint, "south", 1),
                    (ScansDuplicate, EntryPoint, "north", 1),
                    (Revenue, Tier, "GA", 2000),
                    (TicketsSold, Tier, "GA", 1),
                    (Orders, Tier, "GA", 1),
                ],
            ),
        ]
    }

    #[test]
    fn venue_summary_adds_up_the_days() {
        let now = at("2026-11-24T20:30:20Z");
        let minutes = vec![
            row("2026-11-24T19:30:00Z", &[(Metric::TicketsSold, 100)], &[]), // outside the last 60 minutes
            row("2026-11-24T19:31:00Z", &[(Metric::TicketsSold, 2)], &[]),
            row("2026-11-24T20:30:00Z", &[(Metric::TicketsSold, 3)], &[]),
        ];
        let v = venue();
        let s = assemble(SummaryInput {
            venue: &v,
            event_id: None,
            days: &days(),
            minutes: &minutes,
            now,
        });
        assert_eq!(s.revenue, Money::new(11_000, "EUR"));
        assert_eq!((s.tickets_sold, s.orders), (5, 3));
        assert_eq!(s.average_order_value.amount, 3667);
        assert!((s.sales_velocity - 5.0).abs() < 1e-9);
        assert_eq!(
            s.scans,
            Scans {
                admitted: 3,
                rejected: 1,
                duplicate: 1
            }
        );
        assert_eq!(s.attendance_rate, Some(0.6));
        assert_eq!(
            s.no_shows, None,
            "venue-wide summaries have no no-show count"
        );
        assert_eq!(
            s.capacity,
            Some(600),
            "show capacities, venue capacity for the show without one"
        );
        assert_eq!(s.capacity_utilisation, Some(5.0 / 600.0));
        assert_eq!((s.page_views, s.unique_sessions), (50, 10));
        assert_eq!(s.cart_abandonment_rate, Some(0.25));
        assert_eq!(s.cart.abandoned_value.amount, 4500);
        assert_eq!(s.funnel.views, 50);
        assert_eq!(s.funnel.carts, 8);
        assert_eq!(s.funnel.purchases, 3);
        assert_eq!(s.funnel.view_to_cart, Some(8.0 / 50.0));
        let tiers: Vec<_> = s
            .by_tier
            .iter()
            .map(|b| (b.key.as_str(), b.revenue.amount, b.tickets_sold))
            .collect();
        assert_eq!(
            tiers,
            vec![("GA", 6000, 4), ("VIP", 5000, 1)],
            "the cart-only tier is left out"
        );
        assert_eq!(s.by_campaign[0].page_views, 12);
        assert_eq!(s.by_entry_point.len(), 2);
        assert_eq!(s.by_entry_point[0].key, "north");
        assert_eq!(s.by_entry_point[0].duplicate, 1);
        assert_eq!(
            s.shows
                .iter()
                .map(|s| s.event_id.as_str())
                .collect::<Vec<_>>(),
            vec!["s1", "s2"]
        );
    }

    #[test]
    fn show_summary_counts_no_shows_only_after_the_start() {
        let v = venue();
        let days = days();
        let before = assemble(SummaryInput {
            venue: &v,
            event_id: Some("s1"),
            days: &days,
            minutes: &[],
            now: at("2026-11-24T18:00:00Z"),
        });
        assert_eq!(before.no_shows, None);
        assert_eq!(before.capacity, Some(100));
        let after = assemble(SummaryInput {
            venue: &v,
            event_id: Some("s1"),
            days: &days,
            minutes: &[],
            now: at("2026-11-24T21:00:00Z"),
        });
        assert_eq!(after.no_shows, Some(2));
        assert_eq!(after.event_id.as_deref(), Some("s1"));
        let late = assemble(SummaryInput {
            venue: &v,
            event_id: Some("s2"),
            days: &days,
            minutes: &[],
            now: at("2026-11-24T21:00:00Z"),
        });
        assert_eq!(late.capacity, Some(500), "falls back to the venue capacity");
        assert_eq!(late.no_shows, None);
    }

    #[test]
    fn an_empty_scope_has_null_rates_not_zeros() {
        let v = VenueRecord {
            venue_id: "v9".into(),
            name: None,
            timezone: None,
            capacity: None,
            currency: None,
            shows: vec![],
        };
        let s = assemble(SummaryInput {
            venue: &v,
            event_id: None,
            days: &[],
            minutes: &[],
            now: at("2026-01-01T00:00:00Z"),
        });
        assert_eq!(s.revenue, Money::new(0, "USD"));
        assert_eq!(s.attendance_rate, None);
        assert_eq!(s.capacity, None);
        assert_eq!(s.cart_abandonment_rate, None);
        assert_eq!(s.funnel.view_to_purchase, None);
        assert_eq!(s.timezone, "UTC");
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["attendanceRate"].is_null());
        assert_eq!(json["revenue"]["amount"], 0);
        assert_eq!(json["cart"]["adds"], 0);
    }
}
