//! The nightly-insights Lambda, invoked by EventBridge Scheduler with
//! `{"job":"insights"}`: refits each venue's customer-base model and writes
//! every customer's insight (recency, churn risk, RFM segment, CLV); and with
//! `{"job":"insights-refresh"}` between nights, for the venues with new
//! activity whose interval has passed. All logic is in `jobs::insights`.

fn main() -> Result<(), lambda_runtime::Error> {
    lambda_glue::job_main(&["insights", "insights-refresh"], false)
}
