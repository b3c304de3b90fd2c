//! Scheduled and on-demand venue reports: [`build_report_data`] reads the
//! rollups into a [`reports::ReportData`], [`due_runs`] decides which periods
//! are due in each venue's time zone, and [`run_due`] renders them to the
//! object store under period keys
//! `reports/{venueId}/{reportId}/{periodStart}_{periodEnd}.{ext}` with one
//! `report-run` document per (report, period): re-running a period
//! overwrites its files and its run, never duplicates them.

mod data;
mod def;
pub mod delivery;
mod period;
mod run;
pub mod segments;

/// The renderers' types, for callers that do not depend on the `reports` crate.
pub use ::reports::{Breakdown, Format, ReportData, RollupRow, SegmentRow};
pub use data::{DEFAULT_CURRENCY, MAX_RANGE_DAYS, build_report_data};
pub use def::{ADHOC_REPORT_ID, Cadence, DEF_KIND, RUN_KIND, ReportDef};
pub use period::{
    Period, due_period, due_runs, is_local_midnight, local_day_start, previous_period,
};
pub use run::{
    DueSummary, FAILED, ReportRun, RunFile, SUCCEEDED, adhoc_report_id, content_disposition,
    file_name, run_adhoc, run_due, run_report,
};
