//! Report periods: which period of a definition is due, and the stable
//! names (object keys, run ids) derived from a period so that re-running it
//! overwrites instead of duplicating.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use reports::Format;

use super::def::{Cadence, ReportDef};

/// `[start, end)` of one report, with the venue zone that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tz: Tz,
}

impl Period {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> Self {
        Period { start, end, tz }
    }

    /// Both ends fall on venue-local midnights.
    pub fn is_local_days(&self) -> bool {
        is_local_midnight(self.start, self.tz) && is_local_midnight(self.end, self.tz)
    }

    /// `2026-11-23` when `t` is a local midnight, else compact UTC `20261123T143000Z`.
    fn label(&self, t: DateTime<Utc>) -> String {
        if is_local_midnight(t, self.tz) {
            t.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
        } else {
            compact(t)
        }
    }

    /// `{start}_{end}`, e.g. `2026-11-23_2026-11-24`.
    pub fn slug(&self) -> String {
        format!("{}_{}", self.label(self.start), self.label(self.end))
    }

    /// `reports/{venueId}/{reportId}/{start}_{end}.{ext}`: the same for every run of a period.
    pub fn object_key(&self, venue: &str, report: &str, format: Format) -> String {
        format!(
            "reports/{venue}/{report}/{}.{}",
            self.slug(),
            format.extension()
        )
    }

    /// Run document id: ordered by period end (then start), unique per report and period.
    pub fn run_id(&self, report: &str) -> String {
        format!("{}_{}_{report}", compact(self.end), compact(self.start))
    }
}

fn compact(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

pub use domain::rollup::local_day_start;

pub fn is_local_midnight(t: DateTime<Utc>, tz: Tz) -> bool {
    local_day_start(t.with_timezone(&tz).date_naive(), tz) == t
}

/// The last complete period of `cadence` before `now`, in `tz`: yesterday,
/// last Monday–Monday week, or last calendar month. `None` for `once`.
pub fn previous_period(cadence: Cadence, now: DateTime<Utc>, tz: Tz) -> Option<Period> {
    let today = now.with_timezone(&tz).date_naive();
    let (start, end) = match cadence {
        Cadence::Daily => (today.pred_opt()?, today),
        Cadence::Weekly => {
            let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
            (monday - Duration::days(7), monday)
        }
        Cadence::Monthly => {
            let first = today.with_day(1)?;
            let prev = if first.month() == 1 {
                NaiveDate::from_ymd_opt(first.year() - 1, 12, 1)?
            } else {
                first.with_month(first.month() - 1)?
            };
            (prev, first)
        }
        Cadence::Once => return None,
    };
    Some(Period::new(
        local_day_start(start, tz),
        local_day_start(end, tz),
        tz,
    ))
}

/// The period of `def` due at `now`: the previous complete period for a
/// recurring cadence; for `once`, its range as soon as it has ended.
/// Definitions with a bad zone or an incomplete `once` range are skipped.
pub fn due_period(def: &ReportDef, now: DateTime<Utc>) -> Option<Period> {
    let tz = def.tz().ok()?;
    match def.cadence {
        Cadence::Once => {
            let (from, to) = (def.from?, def.to?);
            (from < to && to <= now).then(|| Period::new(from, to, tz))
        }
        c => previous_period(c, now, tz),
    }
}

/// Every definition's due period at `now`, as `(def, period_start, period_end)`.
pub fn due_runs(
    defs: &[ReportDef],
    now: DateTime<Utc>,
) -> Vec<(ReportDef, DateTime<Utc>, DateTime<Utc>)> {
    defs.iter()
        .filter_map(|d| due_period(d, now).map(|p| (d.clone(), p.start, p.end)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn def(cadence: Cadence, tz: &str) -> ReportDef {
        ReportDef {
            report_id: "r1".into(),
            venue_id: "v1".into(),
            name: "n".into(),
            cadence,
            timezone: tz.into(),
            formats: vec!["pdf".into()],
            scope: "venue".into(),
            event_id: None,
            recipients: vec![],
            paused_recipients: vec![],
            from: None,
            to: None,
        }
    }

    #[test]
    fn daily_is_yesterday_in_the_venue_zone() {
        // 03:30 UTC on Nov 24 is still Nov 23 in New York: the due day is Nov 22.
        let now = at("2026-11-24T03:30:00Z");
        let p = due_period(&def(Cadence::Daily, "America/New_York"), now).unwrap();
        assert_eq!(
            (p.start, p.end),
            (at("2026-11-22T05:00:00Z"), at("2026-11-23T05:00:00Z"))
        );
        assert_eq!(p.slug(), "2026-11-22_2026-11-23");
        let berlin = due_period(&def(Cadence::Daily, "Europe/Berlin"), now).unwrap();
        assert_eq!(
            (berlin.start, berlin.end),
            (at("2026-11-22T23:00:00Z"), at("2026-11-23T23:00:00Z"))
        );
    }

    #[test]
    fn weekly_is_last_monday_to_monday_and_monthly_last_month() {
        // 2026-11-25 is a Wednesday.
        let now = at("2026-11-25T12:00:00Z");
        let w = due_period(&def(Cadence::Weekly, "UTC"), now).unwrap();
        assert_eq!(
            (w.start, w.end),
            (at("2026-11-16T00:00:00Z"), at("2026-11-23T00:00:00Z"))
        );
        // On a Monday, the week that just ended.
        let w = due_period(&def(Cadence::Weekly, "UTC"), at("2026-11-23T00:00:00Z")).unwrap();
        assert_eq!(w.end, at("2026-11-23T00:00:00Z"));
        let m = due_period(&def(Cadence::Monthly, "UTC"), now).unwrap();
        assert_eq!(
            (m.start, m.end),
            (at("2026-10-01T00:00:00Z"), at("2026-11-01T00:00:00Z"))
        );
        let jan = due_period(&def(Cadence::Monthly, "UTC"), at("2027-01-10T00:00:00Z")).unwrap();
        assert_eq!(jan.slug(), "2026-12-01_2027-01-01");
    }

    #[test]
    fn dst_days_are_23_and_25_hours() {
        let spring = due_period(
            &def(Cadence::Daily, "Europe/Berlin"),
            at("2026-03-30T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(spring.end - spring.start, Duration::hours(23));
        let fall = due_period(
            &def(Cadence::Daily, "Europe/Berlin"),
            at("2026-10-26T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(fall.end - fall.start, Duration::hours(25));
    }

    #[test]
    fn once_is_due_after_its_end_only() {
        let mut d = def(Cadence::Once, "UTC");
        d.from = Some(at("2026-11-01T10:30:00Z"));
        d.to = Some(at("2026-11-02T00:00:00Z"));
        assert!(due_period(&d, at("2026-11-01T23:00:00Z")).is_none());
        let p = due_period(&d, at("2026-11-02T00:00:00Z")).unwrap();
        assert_eq!(p.slug(), "20261101T103000Z_2026-11-02");
        assert!(!p.is_local_days());
        d.to = None;
        assert!(due_period(&d, at("2026-12-01T00:00:00Z")).is_none());
        let mut bad = def(Cadence::Daily, "Mars/Olympus");
        bad.report_id = "bad".into();
        assert_eq!(
            due_runs(
                &[bad, def(Cadence::Daily, "UTC")],
                at("2026-11-02T00:00:00Z")
            )
            .len(),
            1
        );
    }

    #[test]
    fn names_are_stable_per_period() {
        let p =
            previous_period(Cadence::Daily, at("2026-11-24T12:00:00Z"), chrono_tz::UTC).unwrap();
        let again =
            previous_period(Cadence::Daily, at("2026-11-24T23:59:00Z"), chrono_tz::UTC).unwrap();
        assert_eq!(p, again);
        assert_eq!(
            p.object_key("v1", "r1", Format::Xlsx),
            "reports/v1/r1/2026-11-23_2026-11-24.xlsx"
        );
        assert_eq!(p.run_id("r1"), "20261124T000000Z_20261123T000000Z_r1");
    }
}
