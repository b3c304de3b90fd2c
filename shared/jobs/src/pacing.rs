//! A show's pacing in net tickets, read from the rollups: the alerts job's
//! `pacingBehind` rule and the show report both go through here.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::Granularity;
use domain::pacing::{self, Pacing, ShowRows};
use domain::ports::{AnalyticsReader, ShowRecord, StoreResult, VenueRecord};

/// Pacing of `show` against the venue's earlier shows over `horizon` days:
/// one daily query per show (the show and at most
/// [`pacing::MAX_COMPARABLES`] earlier ones), in parallel. Money is left in
/// whatever currencies the rows hold, so only the tickets are meaningful
/// (the API converts money first and assembles itself).
pub async fn read(
    reader: &dyn AnalyticsReader,
    venue: &VenueRecord,
    show: &ShowRecord,
    tz: Tz,
    horizon: i64,
    now: DateTime<Utc>,
) -> StoreResult<Pacing> {
    let earlier = pacing::comparables(&venue.shows, show, false);
    let reads = std::iter::once(show)
        .chain(earlier.iter().copied())
        .map(|s| {
            reader.rollups(
                &venue.venue_id,
                Some(&s.event_id),
                Granularity::Day,
                0,
                i64::MAX,
            )
        });
    let all = futures::future::try_join_all(reads).await?;
    let earlier_rows: Vec<ShowRows<'_>> = earlier
        .iter()
        .zip(&all[1..])
        .map(|(s, rows)| ShowRows { show: s, rows })
        .collect();
    Ok(pacing::assemble(
        &venue.venue_id,
        "",
        tz,
        &ShowRows {
            show,
            rows: &all[0],
        },
        &earlier_rows,
        horizon,
        now,
    ))
}
