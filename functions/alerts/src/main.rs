//! The alerts Lambda, invoked by EventBridge Scheduler with `{"job":"alerts"}`
//! (every minute): evaluates each venue's alert rules, stores their states and
//! delivers transitions (history, dashboards over the WebSocket API,
//! webhooks). All logic is in `jobs::alerts`.

fn main() -> Result<(), lambda_runtime::Error> {
    lambda_glue::job_main(&["alerts"], true)
}
