//! The report Lambda, invoked by EventBridge Scheduler with `{"job":"reports"}`
//! (renders the report definitions that are due, in venue-local time, to S3)
//! and `{"job":"exports"}` (renders pending large exports). All logic is in
//! `jobs::reports` and `jobs::exports`.

fn main() -> Result<(), lambda_runtime::Error> {
    lambda_glue::job_main(&["reports", "exports"], false)
}
