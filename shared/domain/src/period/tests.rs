//! The tiling against definitions that do not use it: a bucket start is
//! where the UTC clock is on the width's grid, or (days) where the venue's
//! local date changes; the tiles must follow each other from the period's
//! first bucket to its end.

use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;

const ZONES: [Tz; 10] = [
    Tz::UTC,
    Tz::America__New_York,
    Tz::Europe__London,
    Tz::Asia__Kathmandu,
    Tz::Asia__Kolkata,
    Tz::Pacific__Chatham,
    Tz::Australia__Lord_Howe,
    Tz::Australia__Eucla,
    Tz::America__St_Johns,
    Tz::Pacific__Apia,
];

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Whether a bucket of `g` starts at `t`, from the clock alone.
fn starts_bucket(g: Granularity, t: i64, tz: Tz) -> bool {
    match g.fixed_seconds() {
        Some(w) => t.rem_euclid(w) == 0,
        None => {
            let date = |s: i64| tz.timestamp_opt(s, 0).unwrap().date_naive();
            date(t - 1) != date(t)
        }
    }
}

/// The first bucket start of `g` at or after `t`, by walking the clock.
fn first_start_from(g: Granularity, t: i64, tz: Tz) -> i64 {
    let mut s = t;
    while !starts_bucket(g, s, tz) {
        // Every zone's midnight is on a whole minute since 1972.
        s = if starts_bucket(Granularity::Minute, s, tz) {
            s + 60
        } else {
            s + 1
        };
    }
    s
}

fn check(p: &Period, from: DateTime<Utc>, to: DateTime<Utc>) {
    let want_from = first_start_from(p.resolution, from.timestamp(), p.tz);
    let want_to = first_start_from(p.resolution, to.timestamp(), p.tz).max(want_from);
    assert_eq!((p.from, p.to), (want_from, want_to), "{p:?}");
    let spans = p.tile();
    let mut at = p.from;
    for s in &spans {
        assert_eq!(s.from, at, "a gap or an overlap before {s:?} in {spans:?}");
        assert!(s.from < s.to, "an empty span {s:?}");
        assert!(s.granularity >= p.resolution, "{s:?} finer than {p:?}");
        for bound in [s.from, s.to] {
            assert!(
                starts_bucket(s.granularity, bound, p.tz),
                "{bound} is not a {} bucket start in {}: {s:?}",
                s.granularity,
                p.tz
            );
        }
        at = s.to;
    }
    assert_eq!(at, p.to, "the tiles stop before the end: {spans:?}");
}

#[test]
fn a_day_with_odd_edges_is_one_day_row_and_finer_rows_at_each_end() {
    let tz = Tz::America__New_York;
    let p = Period::at(
        at("2026-12-03T03:17:42Z"),
        at("2026-12-05T07:02:10Z"),
        Granularity::Minute,
        tz,
    );
    check(&p, at("2026-12-03T03:17:42Z"), at("2026-12-05T07:02:10Z"));
    let spans: Vec<(Granularity, DateTime<Utc>, DateTime<Utc>)> = p
        .tile()
        .iter()
        .map(|s| {
            let t = |x| DateTime::from_timestamp(x, 0).unwrap();
            (s.granularity, t(s.from), t(s.to))
        })
        .collect();
    use Granularity::*;
    assert_eq!(
        spans,
        vec![
            (
                Minute,
                at("2026-12-03T03:18:00Z"),
                at("2026-12-03T03:20:00Z")
            ),
            (
                FiveMinutes,
                at("2026-12-03T03:20:00Z"),
                at("2026-12-03T04:00:00Z")
            ),
            (Hour, at("2026-12-03T04:00:00Z"), at("2026-12-03T05:00:00Z")),
            (Day, at("2026-12-03T05:00:00Z"), at("2026-12-05T05:00:00Z")),
            (Hour, at("2026-12-05T05:00:00Z"), at("2026-12-05T07:00:00Z")),
            (
                Minute,
                at("2026-12-05T07:00:00Z"),
                at("2026-12-05T07:03:00Z")
            ),
        ]
    );
}

#[test]
fn a_quarter_hour_zone_reaches_its_midnight_through_five_minute_rows() {
    // Kathmandu's midnight is 18:15 UTC: the hour rows stop at 18:00.
    let p = Period::at(
        at("2026-12-01T12:00:00Z"),
        at("2026-12-03T12:00:00Z"),
        Granularity::Minute,
        Tz::Asia__Kathmandu,
    );
    check(&p, at("2026-12-01T12:00:00Z"), at("2026-12-03T12:00:00Z"));
    let grains: Vec<Granularity> = p.tile().iter().map(|s| s.granularity).collect();
    use Granularity::*;
    assert_eq!(grains, vec![Hour, FiveMinutes, Day, FiveMinutes, Hour]);
}

#[test]
fn the_resolution_is_the_finest_granularity_still_kept_at_from() {
    let now = at("2026-12-05T12:00:00Z");
    let tz = Tz::America__New_York;
    let res = |days: i64| Period::counted(now - Duration::days(days), now, tz, now).resolution;
    assert_eq!(res(1), Granularity::Minute);
    assert_eq!(res(8), Granularity::Minute);
    assert_eq!(res(9), Granularity::FiveMinutes);
    assert_eq!(res(35), Granularity::FiveMinutes);
    assert_eq!(res(36), Granularity::Hour);
    assert_eq!(res(3000), Granularity::Hour);
    // Kathmandu's midnights are not on an hour: past the 5-minute rows, a
    // long period would take thousands of hour rows, so it is counted in days.
    let k = |days: i64| {
        Period::counted(now - Duration::days(days), now, Tz::Asia__Kathmandu, now).resolution
    };
    assert_eq!(k(40), Granularity::Hour);
    assert_eq!(k(120), Granularity::Day);
}

#[test]
fn an_empty_or_reversed_period_has_no_tiles() {
    let t = at("2026-12-05T12:00:30Z");
    let p = Period::at(t, t, Granularity::Minute, Tz::UTC);
    assert!(p.is_empty() && p.tile().is_empty());
    // Within one minute: no minute starts in it.
    let p = Period::at(t, t + Duration::seconds(20), Granularity::Minute, Tz::UTC);
    assert!(p.is_empty() && p.tile().is_empty());
    let p = Period::at(t, t - Duration::hours(3), Granularity::Minute, Tz::UTC);
    assert!(p.is_empty() && p.tile().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Any zone (DST days, :30 and :45 offsets, a skipped day), any edges,
    /// any resolution: the tiles cover exactly the period's buckets.
    #[test]
    fn tiles_cover_the_period_exactly(
        zone in 0..ZONES.len(),
        // 2026-02-20 .. 2026-12-20: both DST changes of every zone above.
        start in 1_771_545_600i64..1_797_724_800,
        length in 0i64..(40 * 86_400),
        resolution in 0usize..4,
    ) {
        let tz = ZONES[zone];
        let from = DateTime::from_timestamp(start, 0).unwrap();
        let to = DateTime::from_timestamp(start + length, 0).unwrap();
        let p = Period::at(from, to, Granularity::ALL[resolution], tz);
        check(&p, from, to);
        // Coarse rows wherever they fit: with minutes and days on one
        // 5-minute grid, at most a day's hours, an hour's 5-minute rows and
        // 5 minutes at each end.
        if p.resolution == Granularity::Minute {
            let fine: i64 = p.tile().iter()
                .filter(|s| s.granularity != Granularity::Day)
                .map(|s| (s.to - s.from) / s.granularity.nominal_seconds())
                .sum();
            prop_assert!(fine <= 2 * (25 + 12 + 5), "{fine} fine buckets: {:?}", p.tile());
        }
    }
}
