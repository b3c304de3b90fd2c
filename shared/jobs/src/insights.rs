//! The nightly customer-insights job: per venue, fit the customer-base model
//! (BG/NBD + Gamma-Gamma, `insights::customers`) to the customer rows the
//! ingest keeps current, and write each customer's insight (recency, churn
//! risk, RFM segment, CLV, purchase patterns) back onto their row.
//!
//! What decays with time (recency, P(alive), segments) is recomputed here;
//! the running totals (spend, orders, counters) are the ingest's.

use chrono::{DateTime, Duration, Utc};
use domain::ports::{CustomerRow, StoreError};
use domain::{Granularity, Metric};
use futures::stream::{self, StreamExt};
use insights::customers::{
    ClvModel, CustomerInsight, CustomerRecord, PopulationModel, fit_population,
};
use serde::Serialize;

use crate::customer_base::{self, CustomerBase, Scoring};
use crate::{JobError, Ports};

/// Name of the job in the schedules (`{"job":"insights"}`).
pub const JOB: &str = "insights";
/// The frequent job that scores venues whose scores are missing or stale
/// (`{"job":"insights-refresh"}`), so a venue that just went live need not
/// wait for the night.
pub const REFRESH_JOB: &str = "insights-refresh";
/// Who fitted a venue's scores: the nightly run, or the refresh between nights.
pub const NIGHTLY: &str = "nightly";
pub const SCHEDULED: &str = "scheduled";
/// Concurrent insight writes per venue.
const WRITE_CONCURRENCY: usize = 16;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub venues: usize,
    /// Customers scored (rows with at least one purchase).
    pub customers: usize,
    /// Insights written.
    pub written: usize,
    /// Rows erased between the read and the write (left erased).
    pub skipped: usize,
    /// Writes that failed (the run then ends in an error, after all venues).
    pub failed: usize,
    pub per_venue: Vec<VenueSummary>,
}

/// The fit of one venue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VenueSummary {
    pub venue_id: String,
    pub customers: usize,
    pub model: ClvModel,
    pub fallback_reason: Option<String>,
    /// Fit + scoring time, milliseconds.
    pub fit_ms: u64,
}

/// The insight JSON stored on a customer row: the [`CustomerInsight`] plus
/// when and how the population was fitted (the API uses `fittedAt` to tell
/// a fresh nightly insight from a stale one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredInsight<'a> {
    #[serde(flatten)]
    pub insight: &'a CustomerInsight,
    pub fitted_at: DateTime<Utc>,
    pub fallback_reason: Option<&'a str>,
    /// [`NIGHTLY`] or [`SCHEDULED`].
    pub source: &'a str,
}

/// How long a venue's scores stand before new activity is scored again. A
/// fit reads the venue's whole customer partition, so the wait grows with
/// the venue: the refresh's cost scales with venues, not with requests.
pub fn refresh_interval(customers: i64) -> Duration {
    if customers < 1_000 {
        Duration::minutes(15)
    } else if customers < 10_000 {
        Duration::hours(1)
    } else {
        Duration::hours(6)
    }
}

/// Orders + refunds the venue has seen (its venue-scope daily rollups): a
/// change since the last fit means there is something new to score.
async fn venue_activity(ports: &Ports, venue: &str) -> Result<i64, JobError> {
    let days = ports
        .reader
        .rollups(venue, None, Granularity::Day, 0, i64::MAX)
        .await?;
    Ok(days
        .iter()
        .map(|r| r.get(Metric::Orders) + r.get(Metric::Refunds))
        .sum())
}

/// What one refresh did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshSummary {
    pub venues: usize,
    /// Venues scored: no scores yet, or new activity and their interval passed.
    pub refitted: Vec<String>,
    /// Venues whose scores stand (nothing new, or scored too recently).
    pub current: usize,
    pub scores: Summary,
}

/// Scores the venues whose scores are missing, or stale: new orders or
/// refunds since the last fit and [`refresh_interval`] passed.
///
/// # Errors
/// As [`run`].
pub async fn refresh(ports: &Ports, now: DateTime<Utc>) -> Result<RefreshSummary, JobError> {
    let venues: Vec<String> = ports
        .reader
        .venues()
        .await?
        .into_iter()
        .map(|v| v.venue_id)
        .collect();
    refresh_venues(ports, &venues, now).await
}

/// [`refresh`] over the given venues.
///
/// # Errors
/// As [`run`].
pub async fn refresh_venues(
    ports: &Ports,
    venues: &[String],
    now: DateTime<Utc>,
) -> Result<RefreshSummary, JobError> {
    let mut out = RefreshSummary {
        venues: venues.len(),
        ..RefreshSummary::default()
    };
    let mut first_error: Option<StoreError> = None;
    for id in venues {
        let id = id.as_str();
        let activity = venue_activity(ports, id).await?;
        let base: Option<CustomerBase> = ports
            .docs
            .get(customer_base::KIND, id, customer_base::ID)
            .await?
            .and_then(|v| serde_json::from_value(v).ok());
        let due = match &base {
            None => activity > 0,
            Some(b) => {
                b.activity_seen != Some(activity)
                    && now - b.computed_at >= refresh_interval(b.customers)
            }
        };
        if !due {
            out.current += 1;
            continue;
        }
        refit_venue(
            ports,
            id,
            now,
            SCHEDULED,
            activity,
            &mut out.scores,
            &mut first_error,
        )
        .await?;
        out.refitted.push(id.to_owned());
    }
    out.scores.venues = out.refitted.len();
    tracing::info!(
        venues = out.venues,
        refitted = out.refitted.len(),
        current = out.current,
        "insights refresh done"
    );
    match first_error {
        Some(e) => Err(e.into()),
        None => Ok(out),
    }
}

/// The model's view of a customer row; `None` without a purchase.
#[must_use]
pub fn record_of(row: &CustomerRow) -> Option<CustomerRecord> {
    Some(CustomerRecord {
        customer_id: row.customer_id.clone(),
        total_spend: row.spend,
        orders: row.orders,
        tickets: row.tickets,
        first_purchase_at: row.first_purchase_at?,
        last_purchase_at: row.last_purchase_at?,
        purchases_by_weekday: row.weekday,
        purchases_by_hour: row.hour,
        lead_time_hours_sum: row.lead_hours_sum,
        lead_time_count: row.lead_count,
        tiers: row.tiers.clone(),
    })
    .filter(|r| r.orders > 0)
}

/// Fit and score one venue's customers at `now`.
#[must_use]
pub fn score_venue(
    rows: &[CustomerRow],
    now: DateTime<Utc>,
) -> (PopulationModel, Vec<CustomerInsight>) {
    let records: Vec<CustomerRecord> = rows.iter().filter_map(record_of).collect();
    let model = fit_population(&records, now);
    let insights = model.insights(&records, now);
    (model, insights)
}

/// Recompute every venue's customer insights at `now`.
///
/// # Errors
/// A failed read of the venues or of a venue's customers ends the run at
/// once; failed insight writes are counted, the other venues still run, and
/// the run then ends in the first write error (the schedule retries it; a
/// re-run overwrites with the same values).
pub async fn run(ports: &Ports, now: DateTime<Utc>) -> Result<Summary, JobError> {
    let venues = ports.reader.venues().await?;
    let mut summary = Summary {
        venues: venues.len(),
        ..Summary::default()
    };
    let mut first_error: Option<StoreError> = None;
    for venue in &venues {
        let activity = venue_activity(ports, &venue.venue_id).await?;
        refit_venue(
            ports,
            &venue.venue_id,
            now,
            NIGHTLY,
            activity,
            &mut summary,
            &mut first_error,
        )
        .await?;
    }
    tracing::info!(
        venues = summary.venues,
        customers = summary.customers,
        written = summary.written,
        skipped = summary.skipped,
        failed = summary.failed,
        "insights job done"
    );
    match first_error {
        Some(e) => Err(e.into()),
        None => Ok(summary),
    }
}

/// Fits one venue's customers and writes their insights and the venue's
/// customer base (with `activity`, the venue's orders + refunds it saw).
async fn refit_venue(
    ports: &Ports,
    venue_id: &str,
    now: DateTime<Utc>,
    source: &str,
    activity: i64,
    summary: &mut Summary,
    first_error: &mut Option<StoreError>,
) -> Result<(), JobError> {
    let rows = ports.reader.customers(venue_id).await?;
    let started = std::time::Instant::now();
    let (model, insights) = score_venue(&rows, now);
    let fit_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let outcomes: Vec<Result<(), StoreError>> = stream::iter(insights.iter().map(|insight| {
        let doc = StoredInsight {
            insight,
            fitted_at: now,
            fallback_reason: model.fallback_reason.as_deref(),
            source,
        };
        let value = serde_json::to_value(&doc).expect("an insight serialises");
        let reader = ports.reader.clone();
        async move {
            reader
                .put_customer_insight(venue_id, &insight.customer_id, value)
                .await
        }
    }))
    .buffer_unordered(WRITE_CONCURRENCY)
    .collect()
    .await;
    for outcome in outcomes {
        match outcome {
            Ok(()) => summary.written += 1,
            // The row is gone (erased on request since the read): leave it gone.
            Err(e) if is_missing_row(&e) => summary.skipped += 1,
            Err(e) => {
                summary.failed += 1;
                tracing::error!(venue = venue_id, error = %e, "writing a customer insight failed");
                first_error.get_or_insert(e);
            }
        }
    }
    // The venue's summary for the routes: one document a request reads
    // instead of the whole customer partition.
    let scoring = (!insights.is_empty()).then(|| Scoring {
        model: model.model,
        fallback_reason: model.fallback_reason.clone(),
        source: "nightly".into(),
        fitted_at: now,
        customers: insights.len(),
        population: Some(model.clone()),
    });
    let mut base = CustomerBase::from_rows(&rows, scoring, &insights, now);
    base.activity_seen = Some(activity);
    let doc = serde_json::to_value(&base).expect("a customer base serialises");
    if let Err(e) = ports
        .docs
        .put(customer_base::KIND, venue_id, customer_base::ID, &doc, None)
        .await
    {
        summary.failed += 1;
        tracing::error!(venue = venue_id, error = %e, "writing the customer base failed");
        first_error.get_or_insert(e);
    }
    tracing::info!(venue = venue_id, source, customers = insights.len(), model = ?model.model,
        fallback = model.fallback_reason.as_deref().unwrap_or("-"), fit_ms, "customer insights");
    summary.customers += insights.len();
    summary.per_venue.push(VenueSummary {
        venue_id: venue_id.to_owned(),
        customers: insights.len(),
        model: model.model,
        fallback_reason: model.fallback_reason.clone(),
        fit_ms,
    });
    Ok(())
}

/// The conditional write found no row (`attribute_exists(pk)` failed).
fn is_missing_row(e: &StoreError) -> bool {
    match e {
        StoreError::NotFound(_) => true,
        StoreError::Permanent(msg) | StoreError::Conflict(msg) => {
            msg.contains("ConditionalCheckFailed")
        }
        StoreError::Transient(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use insights::customers::Segment;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn row(
        id: &str,
        spend: i64,
        orders: i64,
        first: Option<&str>,
        last: Option<&str>,
    ) -> CustomerRow {
        let mut hour = [0; 24];
        hour[19] = u32::try_from(orders).unwrap();
        CustomerRow {
            venue_id: "v".into(),
            customer_id: id.into(),
            spend,
            spend_by_currency: Default::default(),
            orders,
            tickets: orders * 2,
            currency: Some("USD".into()),
            first_purchase_at: first.map(at),
            last_purchase_at: last.map(at),
            weekday: [0; 7],
            hour,
            lead_hours_sum: 10.0 * orders as f64,
            lead_count: u32::try_from(orders).unwrap(),
            tiers: BTreeMap::from([("GA".to_owned(), orders * 2)]),
            insight: None,
        }
    }

    #[test]
    fn rows_without_a_purchase_are_not_scored() {
        let r = row(
            "a",
            5000,
            2,
            Some("2026-01-01T00:00:00Z"),
            Some("2026-03-01T00:00:00Z"),
        );
        let rec = record_of(&r).unwrap();
        assert_eq!((rec.total_spend, rec.orders, rec.tickets), (5000, 2, 4));
        assert_eq!(rec.purchases_by_hour[19], 2);
        assert_eq!(rec.tiers["GA"], 4);
        assert!(
            record_of(&row(
                "b",
                0,
                0,
                Some("2026-01-01T00:00:00Z"),
                Some("2026-01-01T00:00:00Z")
            ))
            .is_none()
        );
        assert!(record_of(&row("c", 10, 1, None, None)).is_none());
    }

    #[test]
    fn a_small_venue_uses_the_fallback_and_ranks_recent_frequent_buyers_first() {
        let now = at("2026-06-01T00:00:00Z");
        let rows = vec![
            row(
                "loyal",
                40_000,
                8,
                Some("2025-06-01T00:00:00Z"),
                Some("2026-05-30T00:00:00Z"),
            ),
            row(
                "lapsed",
                3_000,
                1,
                Some("2025-01-01T00:00:00Z"),
                Some("2025-01-01T00:00:00Z"),
            ),
            row("none", 0, 0, None, None),
        ];
        let (model, insights) = score_venue(&rows, now);
        assert_eq!(model.model, ClvModel::FallbackAverage);
        assert_eq!(model.fallback_reason.as_deref(), Some("2 customers (< 20)"));
        assert_eq!(insights.len(), 2);
        let loyal = &insights[0];
        assert_eq!(loyal.customer_id, "loyal");
        // Quintiles of two: 1 + ⌊5·1/2⌋ = 3 for the better one on R and F.
        assert_eq!((loyal.rfm.r, loyal.rfm.f), (3, 3));
        assert_eq!(loyal.segment, Segment::NeedsAttention);
        assert!(loyal.lifetime_value > 40_000 && loyal.churn_risk < 0.5);
        assert!((loyal.recency_days - 2.0).abs() < 1e-9);
        let lapsed = &insights[1];
        assert_eq!(lapsed.segment, Segment::Lost);
        assert!(loyal.predicted_value_12m > lapsed.predicted_value_12m);
    }

    #[test]
    fn the_stored_insight_carries_its_fit_time() {
        let now = at("2026-06-01T00:00:00Z");
        let rows = vec![row(
            "a",
            1000,
            1,
            Some("2026-05-01T00:00:00Z"),
            Some("2026-05-01T00:00:00Z"),
        )];
        let (model, insights) = score_venue(&rows, now);
        let doc = StoredInsight {
            insight: &insights[0],
            fitted_at: now,
            fallback_reason: model.fallback_reason.as_deref(),
            source: NIGHTLY,
        };
        let v = serde_json::to_value(&doc).unwrap();
        assert_eq!(v["source"], "nightly");
        assert_eq!(v["fittedAt"], "2026-06-01T00:00:00Z");
        // Alone, nobody ranks below: R = F = 1.
        assert_eq!(v["segment"], "lost");
        assert_eq!(v["model"], "fallback-average");
        assert_eq!(v["fallbackReason"], "1 customers (< 20)");
        let back: CustomerInsight = serde_json::from_value(v).unwrap();
        assert_eq!(&back, &insights[0]);
        assert!((insights[0].recency_days - 31.0).abs() < 1e-9);
    }

    #[test]
    fn only_a_failed_condition_counts_as_an_erased_row() {
        assert!(is_missing_row(&StoreError::Permanent(
            "put insight: ConditionalCheckFailedException".into()
        )));
        assert!(!is_missing_row(&StoreError::Permanent(
            "AccessDenied".into()
        )));
        assert!(!is_missing_row(&StoreError::Transient("throttled".into())));
    }
}
