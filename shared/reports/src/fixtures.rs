//! Deterministic, realistic report data for tests, benches and demos.
//!
//! The generator simulates orders hour by hour (ticket counts, tiers,
//! channels, campaigns), door scans on show nights and the web funnel, so
//! every breakdown and KPI is consistent with the rows. Same seed → same data.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use crate::context::{group_by_local_day, local_midnight};
use crate::{Breakdown, GateCheckins, Kpis, ReportData, RollupRow, SegmentRow};

/// A full calendar year (2025, America/New_York) of hourly rows: 8,760 rows.
pub fn year_hourly(seed: u64) -> ReportData {
    let tz = chrono_tz::America::New_York;
    let start = local_midnight(date(2025, 1, 1), tz);
    let shows = |day: NaiveDate| is_regular_show_night(day);
    let mut sim = Simulation::new(seed, tz);
    sim.run(start, 8_760, |_, day| demand_year(day), shows);
    sim.finish(Header {
        title: "Annual sales & attendance report 2025".into(),
        venue_id: "venue-riverside-hall".into(),
        venue_name: "Riverside Music Hall".into(),
        event_id: None,
        show_name: None,
        start,
        end: start + Duration::hours(8_760),
    })
}

/// The seven venue-local days up to and including one show night.
pub fn show_week(seed: u64) -> ReportData {
    let tz = chrono_tz::America::New_York;
    let show_day = date(2025, 6, 14);
    let start = local_midnight(show_day - Duration::days(6), tz);
    let end = local_midnight(show_day + Duration::days(1), tz);
    let hours = (end - start).num_hours() as usize;
    let mut sim = Simulation::new(seed, tz);
    // Demand ramps up towards the show, with a last-day rush.
    sim.run(
        start,
        hours,
        |offset, _| 0.12 + offset as f64 / 320.0,
        |day| day == show_day,
    );
    let mut data = sim.finish(Header {
        title: "Show report".into(),
        venue_id: "venue-riverside-hall".into(),
        venue_name: "Riverside Music Hall".into(),
        event_id: Some("evt-2025-06-14-midnight-echo".into()),
        show_name: Some("Midnight Echo — Summer Tour".into()),
        start,
        end,
    });
    let doors = local_midnight(show_day, tz) + Duration::hours(18);
    data.checkins = door_curve(doors, data.kpis.scans_admitted);
    data.pacing = Some(pacing_curve(data.kpis.tickets_sold));
    data
}

/// Pacing over 45 days: this show ends at `tickets`; five earlier shows
/// followed the same S-curve scaled from 70% to 130% of it.
fn pacing_curve(tickets: i64) -> crate::ShowPacing {
    let share = |d: i64| {
        let x = (45 - d) as f64 / 45.0;
        x * x * (3.0 - 2.0 * x)
    };
    let scales = [0.7, 0.85, 1.0, 1.15, 1.3];
    let points = (0..=45)
        .rev()
        .map(|d| {
            let theirs: Vec<i64> = scales
                .iter()
                .map(|s| (s * 1.05 * tickets as f64 * share(d)).round() as i64)
                .collect();
            crate::PacingPoint {
                days_before: d,
                tickets: Some((tickets as f64 * share(d).powf(1.3)).round() as i64),
                median: Some(theirs[2] as f64),
                min: theirs.first().copied(),
                max: theirs.last().copied(),
            }
        })
        .collect();
    crate::ShowPacing {
        comparables: scales.len(),
        points,
        standing: Some(format!(
            "{tickets} tickets on the day, behind the median of 5 earlier shows by {} (4.8%)",
            (tickets as f64 * 0.05).round()
        )),
    }
}

/// Check-ins at each gate over three hours from `doors`: a surge in the
/// first hour, each gate its share of `admitted` (no draw: layouts only).
fn door_curve(doors: DateTime<Utc>, admitted: i64) -> Vec<GateCheckins> {
    let weights: Vec<f64> = (0..36)
        .map(|k| {
            let x = (f64::from(k) - 8.0) / 5.0;
            (-x * x).exp()
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    ENTRY_POINTS
        .iter()
        .map(|&(gate, share)| GateCheckins {
            gate: gate.into(),
            points: weights
                .iter()
                .enumerate()
                .map(|(k, w)| {
                    let t = doors + Duration::minutes(5 * k as i64);
                    (t, (admitted as f64 * share * w / sum).round() as i64)
                })
                .collect(),
        })
        .collect()
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// Shows on Fridays and Saturdays, and Wednesdays of even ISO weeks.
fn is_regular_show_night(day: NaiveDate) -> bool {
    match day.weekday() {
        Weekday::Fri | Weekday::Sat => true,
        Weekday::Wed => day.iso_week().week().is_multiple_of(2),
        _ => false,
    }
}

/// Orders-per-hour multiplier for a day of the year: summer season plus an
/// on-sale spike every six weeks.
fn demand_year(day: NaiveDate) -> f64 {
    let ordinal = f64::from(day.ordinal0());
    let season = 1.0 + 0.35 * ((ordinal - 80.0) / 365.0 * std::f64::consts::TAU).sin();
    let on_sale = if day.ordinal0() % 42 == 10 { 4.0 } else { 1.0 };
    season * on_sale
}

/// Share of a day's orders by local hour (quiet nights, lunch and evening peaks).
const HOUR_CURVE: [f64; 24] = [
    0.15, 0.08, 0.05, 0.03, 0.03, 0.05, 0.15, 0.35, 0.6, 0.8, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 1.0,
    1.1, 1.3, 1.5, 1.6, 1.4, 1.0, 0.5,
];
/// Share of a show's admissions by local hour, doors at 18:00.
const DOOR_CURVE: [(u32, f64); 5] = [(18, 0.18), (19, 0.38), (20, 0.28), (21, 0.12), (22, 0.04)];

/// (name, weight, price in cents)
const TIERS: [(&str, f64, i64); 4] = [
    ("General admission", 0.52, 3_500),
    ("Balcony", 0.22, 4_800),
    ("Floor", 0.16, 6_500),
    ("VIP", 0.10, 14_500),
];
const CHANNELS: [(&str, f64); 4] = [
    ("Web", 0.55),
    ("Mobile app", 0.29),
    ("Box office", 0.11),
    ("Partner resale", 0.05),
];
const CAMPAIGNS: [(&str, f64); 5] = [
    ("(direct)", 0.41),
    ("Newsletter", 0.22),
    ("Instagram", 0.17),
    ("Spring presale", 0.12),
    ("Radio partnership", 0.08),
];
const ENTRY_POINTS: [(&str, f64); 4] = [
    ("Main entrance", 0.58),
    ("North gate", 0.27),
    ("VIP entrance", 0.10),
    ("Accessible entrance", 0.05),
];
/// (segment, share of customers, share of revenue)
const SEGMENTS: [(&str, f64, f64); 4] = [
    ("New", 0.54, 0.38),
    ("Returning", 0.27, 0.31),
    ("Loyal (3+ shows)", 0.12, 0.26),
    ("Lapsed", 0.07, 0.05),
];
/// Booking fee per ticket, in cents.
const FEE_PER_TICKET: i64 = 450;
/// Base orders per hour at curve 1.0 and demand 1.0.
const BASE_ORDERS_PER_HOUR: f64 = 10.0;

struct Header {
    title: String,
    venue_id: String,
    venue_name: String,
    event_id: Option<String>,
    show_name: Option<String>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// SplitMix64: tiny, fast and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn pick(&mut self, weights: impl IntoIterator<Item = f64>) -> usize {
        let target = self.unit();
        let mut acc = 0.0;
        let mut last = 0;
        for (i, weight) in weights.into_iter().enumerate() {
            acc += weight;
            last = i;
            if target < acc {
                return i;
            }
        }
        last
    }

    /// Rounds `x` up or down at random so that the expectation stays `x`.
    fn round(&mut self, x: f64) -> i64 {
        let floor = x.floor();
        floor as i64 + i64::from(self.unit() < x - floor)
    }
}

struct Simulation {
    rng: Rng,
    tz: Tz,
    rows: Vec<RollupRow>,
    tiers: Vec<Breakdown>,
    channels: Vec<Breakdown>,
    campaigns: Vec<Breakdown>,
    entry_points: Vec<Breakdown>,
    refunds: i64,
    tickets_refunded: i64,
    orders_seen: i64,
}

fn breakdowns(names: impl IntoIterator<Item = &'static str>) -> Vec<Breakdown> {
    names
        .into_iter()
        .map(|key| Breakdown {
            key: key.into(),
            ..Breakdown::default()
        })
        .collect()
}

impl Simulation {
    fn new(seed: u64, tz: Tz) -> Self {
        Self {
            rng: Rng(seed ^ 0x0005_EED0_FA11_u64),
            tz,
            rows: Vec::new(),
            tiers: breakdowns(TIERS.map(|t| t.0)),
            channels: breakdowns(CHANNELS.map(|c| c.0)),
            campaigns: breakdowns(CAMPAIGNS.map(|c| c.0)),
            entry_points: breakdowns(ENTRY_POINTS.map(|e| e.0)),
            refunds: 0,
            tickets_refunded: 0,
            orders_seen: 0,
        }
    }

    /// Simulates `hours` hourly buckets from `start`; `demand(offset, local day)`
    /// scales orders, `show_night(local day)` turns on door scans.
    fn run(
        &mut self,
        start: DateTime<Utc>,
        hours: usize,
        demand: impl Fn(usize, NaiveDate) -> f64,
        show_night: impl Fn(NaiveDate) -> bool,
    ) {
        self.rows.reserve(hours);
        let mut show_size = 0.0;
        for offset in 0..hours {
            let bucket_start = start + Duration::hours(offset as i64);
            let local = bucket_start.with_timezone(&self.tz);
            let day = local.date_naive();
            let hour = local.hour();
            if hour == 0 || offset == 0 {
                show_size = self.rng.between(950.0, 1_350.0);
            }
            let mut row = RollupRow {
                bucket_start,
                ..RollupRow::default()
            };
            let expected = BASE_ORDERS_PER_HOUR * HOUR_CURVE[hour as usize] * demand(offset, day);
            let noise = self.rng.between(0.7, 1.3);
            let orders = self.rng.round(expected * noise);
            for _ in 0..orders {
                self.simulate_order(&mut row);
            }
            self.simulate_funnel(&mut row);
            if show_night(day)
                && let Some(&(_, share)) = DOOR_CURVE.iter().find(|(h, _)| *h == hour)
            {
                self.simulate_doors(&mut row, show_size * share);
            }
            self.rows.push(row);
        }
    }

    fn simulate_order(&mut self, row: &mut RollupRow) {
        let tickets = [1, 2, 2, 2, 3, 4][self.rng.pick([0.25, 0.15, 0.15, 0.15, 0.15, 0.15])];
        let tier = self.rng.pick(TIERS.map(|t| t.1));
        let revenue = tickets * (TIERS[tier].2 + FEE_PER_TICKET);
        let channel = self.rng.pick(CHANNELS.map(|c| c.1));
        let campaign = self.rng.pick(CAMPAIGNS.map(|c| c.1));
        row.orders += 1;
        row.tickets_sold += tickets;
        row.revenue += revenue;
        // Every 37th order is refunded (no draw: the rest keeps its shape).
        self.orders_seen += 1;
        if self.orders_seen % 37 == 0 {
            row.refunded += revenue;
            self.refunds += 1;
            self.tickets_refunded += tickets;
        }
        for breakdown in [
            &mut self.tiers[tier],
            &mut self.channels[channel],
            &mut self.campaigns[campaign],
        ] {
            breakdown.orders += 1;
            breakdown.tickets_sold += tickets;
            breakdown.revenue += revenue;
        }
    }

    fn simulate_funnel(&mut self, row: &mut RollupRow) {
        let browsing = self.rng.between(8.0, 30.0);
        let views_per_order = self.rng.between(22.0, 38.0);
        row.page_views = self
            .rng
            .round(row.orders as f64 * views_per_order + browsing);
        let adds_per_order = self.rng.between(1.4, 2.2);
        row.cart_adds = row.orders
            + self
                .rng
                .round(row.orders as f64 * adds_per_order + browsing / 10.0);
        row.cart_checkouts = row.orders;
        row.cart_abandons = row.cart_adds - row.cart_checkouts;
        // Web views are attributed to campaigns (channels are for sales only).
        let views = row.page_views;
        for (i, part) in split(views, CAMPAIGNS.map(|c| c.1)).into_iter().enumerate() {
            self.campaigns[i].page_views += part;
        }
        for (i, part) in split(views, CHANNELS.map(|c| c.1)).into_iter().enumerate() {
            self.channels[i].page_views += part;
        }
    }

    fn simulate_doors(&mut self, row: &mut RollupRow, expected: f64) {
        row.scans_admitted = self.rng.round(expected);
        let reject_rate = self.rng.between(0.004, 0.015);
        row.scans_rejected = self.rng.round(expected * reject_rate);
        let duplicate_rate = self.rng.between(0.001, 0.006);
        row.scans_duplicate = self.rng.round(expected * duplicate_rate);
        for (i, part) in split(row.scans_admitted, ENTRY_POINTS.map(|e| e.1))
            .into_iter()
            .enumerate()
        {
            self.entry_points[i].scans_admitted += part;
        }
        for (i, part) in split(row.scans_admitted, TIERS.map(|t| t.1))
            .into_iter()
            .enumerate()
        {
            self.tiers[i].scans_admitted += part;
        }
    }

    fn finish(self, header: Header) -> ReportData {
        let mut total = RollupRow::default();
        for row in &self.rows {
            total.accumulate(row);
        }
        let hours = ((header.end - header.start).num_seconds() as f64 / 3600.0).max(1.0);
        let kpis = Kpis {
            revenue: total.revenue,
            refunded: total.refunded,
            refunds: self.refunds,
            tickets_refunded: self.tickets_refunded,
            tickets_sold: total.tickets_sold,
            orders: total.orders,
            average_order_value: if total.orders > 0 {
                total.revenue / total.orders
            } else {
                0
            },
            scans_admitted: total.scans_admitted,
            scans_rejected: total.scans_rejected,
            scans_duplicate: total.scans_duplicate,
            attendance_rate: ratio(
                total.scans_admitted,
                total.tickets_sold - self.tickets_refunded,
            ),
            page_views: total.page_views,
            cart_adds: total.cart_adds,
            cart_checkouts: total.cart_checkouts,
            cart_abandons: total.cart_abandons,
            conversion_rate: ratio(total.orders, total.page_views),
            sales_velocity_per_hour: total.tickets_sold as f64 / hours,
        };
        let customers = total.orders * 7 / 10;
        let customer_parts = split(customers, SEGMENTS.map(|s| s.1));
        let revenue_parts = split(total.revenue, SEGMENTS.map(|s| s.2));
        let segments = SEGMENTS
            .iter()
            .zip(customer_parts.into_iter().zip(revenue_parts))
            .map(|(s, (customers, revenue))| SegmentRow {
                segment: s.0.into(),
                customers,
                revenue,
            })
            .collect();
        let daily = group_by_local_day(&self.rows, self.tz);
        ReportData {
            title: header.title,
            venue_id: header.venue_id,
            venue_name: header.venue_name,
            event_id: header.event_id,
            show_name: header.show_name,
            timezone: self.tz.name().to_owned(),
            currency: "USD".into(),
            period_start: header.start,
            period_end: header.end,
            generated_at: header.end + Duration::hours(6),
            granularity: "1h".into(),
            previous: Some(previous_of(&kpis)),
            kpis,
            other_currencies: Vec::new(),
            rows: self.rows,
            daily,
            tiers: self.tiers,
            channels: self.channels,
            campaigns: self.campaigns,
            entry_points: self.entry_points,
            segments,
            checkins: Vec::new(),
            pacing: None,
        }
    }
}

/// A previous period a little weaker than `k` (the "vs previous period" column).
fn previous_of(k: &Kpis) -> Kpis {
    let less = |v: i64| v * 9 / 10;
    Kpis {
        revenue: less(k.revenue),
        refunded: less(k.refunded) + 1_000,
        tickets_sold: less(k.tickets_sold),
        orders: less(k.orders),
        page_views: less(k.page_views),
        scans_admitted: less(k.scans_admitted),
        attendance_rate: k.attendance_rate.map(|r| r - 0.02),
        sales_velocity_per_hour: k.sales_velocity_per_hour * 0.9,
        ..k.clone()
    }
}

fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Splits `total` by `weights` into integers that add up to exactly `total`.
fn split<const N: usize>(total: i64, weights: [f64; N]) -> [i64; N] {
    let sum: f64 = weights.iter().sum();
    let mut parts = [0; N];
    let mut assigned = 0;
    for (part, weight) in parts.iter_mut().zip(weights).take(N.saturating_sub(1)) {
        *part = (total as f64 * weight / sum).floor() as i64;
        assigned += *part;
    }
    if let Some(last) = parts.last_mut() {
        *last = total - assigned;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_is_deterministic_and_consistent() {
        let a = year_hourly(7);
        let b = year_hourly(7);
        assert_eq!(a, b);
        assert_ne!(a.kpis.revenue, year_hourly(8).kpis.revenue);
        assert_eq!(a.rows.len(), 8_760);
        assert_eq!(a.daily.len(), 365);
        let tier_revenue: i64 = a.tiers.iter().map(|t| t.revenue).sum();
        let channel_tickets: i64 = a.channels.iter().map(|c| c.tickets_sold).sum();
        let gate_scans: i64 = a.entry_points.iter().map(|e| e.scans_admitted).sum();
        let segment_revenue: i64 = a.segments.iter().map(|s| s.revenue).sum();
        assert_eq!(tier_revenue, a.kpis.revenue);
        assert_eq!(segment_revenue, a.kpis.revenue);
        assert_eq!(channel_tickets, a.kpis.tickets_sold);
        assert_eq!(gate_scans, a.kpis.scans_admitted);
        let attendance = a.kpis.attendance_rate.unwrap();
        assert!((0.5..1.2).contains(&attendance), "{attendance}");
    }

    #[test]
    fn show_week_has_one_show_night() {
        let data = show_week(3);
        assert_eq!(data.rows.len(), 168);
        assert_eq!(data.daily.len(), 7);
        let scan_days = data.daily.iter().filter(|d| d.scans_admitted > 0).count();
        assert_eq!(scan_days, 1);
        assert!(data.show_name.is_some());
    }
}
