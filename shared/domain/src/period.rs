//! Exact totals of a period from rollup rows of mixed granularities.
//!
//! Ingest counts every event in its bucket at every granularity, so rows
//! whose buckets tile a period add up to exactly the events of that period.
//! [`Period::tile`] covers it with whole venue-local days where they fit,
//! then whole UTC hours, 5-minute and 1-minute buckets towards the edges: a
//! month is ~30 day rows and a few dozen finer ones, not 43,200 minutes.
//!
//! A period is counted at a *resolution*: the buckets of that granularity
//! starting in `[from, to)` (events within a bucket cannot be told apart).
//! It is the finest granularity whose rows are still kept at `from`
//! (`Granularity::kept_since`): 1m for 8 days, 5m for 35, then hours.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::rollup::Granularity;

/// Most fine buckets a tiling may take before the period is counted in
/// whole days instead (a venue whose midnights are not on an hour, asked
/// for a long period older than the 5-minute rows).
pub const MAX_FINE_BUCKETS: i64 = 2_000;

/// Rows of one granularity whose bucket starts lie in `[from, to)` (Unix
/// seconds, both bucket starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub granularity: Granularity,
    pub from: i64,
    pub to: i64,
}

/// The period actually counted: `[from, to)`, both bucket starts of
/// `resolution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: i64,
    pub to: i64,
    pub resolution: Granularity,
    pub tz: Tz,
}

impl Period {
    /// The buckets of the finest granularity kept at `from` that start in
    /// `[from, to)`; in whole venue-local days when finer rows could not tile
    /// it within [`MAX_FINE_BUCKETS`].
    pub fn counted(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz, now: DateTime<Utc>) -> Self {
        let resolution = [Granularity::Minute, Granularity::FiveMinutes]
            .into_iter()
            .find(|g| g.keeps(from, now))
            .unwrap_or(Granularity::Hour);
        let fine = Self::at(from, to, resolution, tz);
        let fine_buckets: i64 = fine
            .tile()
            .iter()
            .filter(|s| s.granularity != Granularity::Day)
            .map(|s| (s.to - s.from) / s.granularity.nominal_seconds())
            .sum();
        if fine_buckets > MAX_FINE_BUCKETS {
            return Self::at(from, to, Granularity::Day, tz);
        }
        fine
    }

    /// The buckets of `resolution` starting in `[from, to)`.
    pub fn at(from: DateTime<Utc>, to: DateTime<Utc>, resolution: Granularity, tz: Tz) -> Self {
        let from = ceil(resolution, from.timestamp(), tz);
        let to = ceil(resolution, to.timestamp(), tz).max(from);
        Period {
            from,
            to,
            resolution,
            tz,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.from >= self.to
    }

    /// Spans, in time order, whose buckets cover the period exactly once:
    /// coarsest first wherever a coarser bucket lies whole inside it and its
    /// bounds are on the resolution's grid.
    pub fn tile(&self) -> Vec<Span> {
        let levels: Vec<Granularity> = Granularity::ALL
            .into_iter()
            .rev()
            .take_while(|g| *g >= self.resolution)
            .collect();
        let mut out = Vec::new();
        self.tile_into(self.from, self.to, &levels, &mut out);
        out
    }

    fn tile_into(&self, a: i64, b: i64, levels: &[Granularity], out: &mut Vec<Span>) {
        let Some((&g, finer)) = levels.split_first() else {
            return;
        };
        if a >= b {
            return;
        }
        if finer.is_empty() {
            out.push(Span {
                granularity: g,
                from: a,
                to: b,
            });
            return;
        }
        let (c1, c2) = (ceil(g, a, self.tz), floor(g, b, self.tz));
        let on_grid = |t: i64| ceil(self.resolution, t, self.tz) == t;
        if c1 < c2 && on_grid(c1) && on_grid(c2) {
            self.tile_into(a, c1, finer, out);
            out.push(Span {
                granularity: g,
                from: c1,
                to: c2,
            });
            self.tile_into(c2, b, finer, out);
        } else {
            self.tile_into(a, b, finer, out);
        }
    }
}

/// The start of the bucket holding `t`.
fn floor(g: Granularity, t: i64, tz: Tz) -> i64 {
    g.bucket_start(DateTime::from_timestamp(t, 0).unwrap_or_default(), tz)
}

/// The first bucket start at or after `t`.
fn ceil(g: Granularity, t: i64, tz: Tz) -> i64 {
    let start = floor(g, t, tz);
    if start == t {
        t
    } else {
        g.next_bucket(start, tz)
    }
}

#[cfg(test)]
mod tests;
