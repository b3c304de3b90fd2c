//! Scheduled jobs, as plain functions over the domain's ports. The report,
//! nightly-insights and alerts Lambdas and the local runner's scheduler call
//! these; nothing here knows AWS or Lambda.
