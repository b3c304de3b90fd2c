//! Customer segments for the report: the insights crate's RFM grid over the
//! venue's customers. A segment depends only on the RFM scores, so this
//! ranks the population ([`RfmReference`]) without fitting the CLV models
//! (the same segments `fit_population(..).insights(..)` assigns, at a
//! fraction of the cost). Segments are venue-wide and as of `now`.

use domain::ports::CustomerRow;
use insights::customers::{CustomerRecord, RfmReference, Segment};
use reports::SegmentRow;

/// A stored customer row as the models see it (`None` before a first purchase).
pub use crate::insights::record_of as record;

/// Customers and historic revenue per segment, best segment first, empty segments left out.
pub fn summary(rows: &[CustomerRow]) -> Vec<SegmentRow> {
    let records: Vec<CustomerRecord> = rows
        .iter()
        .filter_map(record)
        .filter(|r| r.orders > 0)
        .collect();
    if records.is_empty() {
        return Vec::new();
    }
    let reference = RfmReference::from_records(&records);
    let mut counts = [(0i64, 0i64); Segment::ALL.len()];
    for r in &records {
        let score = reference.score(r);
        let segment = Segment::from_scores(score.r, score.f);
        let i = Segment::ALL.iter().position(|s| *s == segment).unwrap_or(0);
        counts[i].0 += 1;
        counts[i].1 += r.total_spend;
    }
    Segment::ALL
        .iter()
        .zip(counts)
        .filter(|(_, (n, _))| *n > 0)
        .map(|(s, (customers, revenue))| SegmentRow {
            segment: s.label().to_owned(),
            customers,
            revenue,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{DateTime, Utc};
    use insights::customers::{fit_population, segment_summary};

    use super::*;

    fn customer(id: usize, orders: i64, days_ago: i64, now: DateTime<Utc>) -> CustomerRow {
        CustomerRow {
            venue_id: "v".into(),
            customer_id: format!("c{id}"),
            spend: orders * 4500,
            spend_by_currency: Default::default(),
            orders,
            tickets: orders * 2,
            currency: Some("USD".into()),
            first_purchase_at: Some(now - chrono::Duration::days(days_ago + 30)),
            last_purchase_at: Some(now - chrono::Duration::days(days_ago)),
            weekday: [0; 7],
            hour: [0; 24],
            lead_hours_sum: 0.0,
            lead_count: 0,
            tiers: BTreeMap::new(),
            insight: None,
        }
    }

    #[test]
    fn matches_the_fitted_population_segments() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let rows: Vec<CustomerRow> = (0..60)
            .map(|i| customer(i, 1 + (i as i64 % 5), (i as i64 * 7) % 200, now))
            .collect();
        let ours = summary(&rows);
        let records: Vec<CustomerRecord> = rows.iter().filter_map(record).collect();
        let model = fit_population(&records, now);
        let theirs: Vec<SegmentRow> = segment_summary(&model.insights(&records, now))
            .into_iter()
            .map(|s| SegmentRow {
                segment: s.segment.label().to_owned(),
                customers: s.customers,
                revenue: s.revenue,
            })
            .collect();
        assert_eq!(ours, theirs);
        assert!(ours.len() > 2, "{ours:?}");
        assert_eq!(ours.iter().map(|s| s.customers).sum::<i64>(), 60);
        assert!(summary(&[]).is_empty());
    }
}
