//! List prices, on demand, no free tier.

/// Prices in US dollars.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// Standard queue, per million requests (each 64 KiB chunk of a payload is one request).
    pub sqs_per_million_requests: f64,
    pub lambda_per_million_requests: f64,
    /// Duration, per GB-second (arm64: the template's architecture).
    pub lambda_per_gb_second: f64,
    /// On-demand write request units (a transactional write of ≤ 1 KiB is two).
    pub dynamodb_per_million_write_units: f64,
    /// On-demand read request units (an eventually consistent read of ≤ 4 KiB is half of one).
    pub dynamodb_per_million_read_units: f64,
    /// Standard table class storage, per GB-month.
    pub dynamodb_per_gb_month: f64,
    /// S3 Standard PUT/COPY/POST/LIST, per 1,000 requests.
    pub s3_per_thousand_puts: f64,
    /// Timestream for LiveAnalytics writes, per million 1 KiB writes.
    pub timestream_per_million_writes: f64,
    pub timestream_memory_per_gb_hour: f64,
    pub timestream_magnetic_per_gb_month: f64,
    /// CloudWatch Logs ingestion (standard class), per GB.
    pub logs_per_gb_ingested: f64,
    /// X-Ray traces recorded, per million (the template turns tracing on).
    pub xray_per_million_traces: f64,
}

impl Prices {
    /// us-east-1 list prices as published on the services' pricing pages
    /// (read 2026-12; change them here when AWS does).
    pub const US_EAST_1: Prices = Prices {
        sqs_per_million_requests: 0.40,
        lambda_per_million_requests: 0.20,
        lambda_per_gb_second: 0.000_013_333_4,
        dynamodb_per_million_write_units: 0.625,
        dynamodb_per_million_read_units: 0.125,
        dynamodb_per_gb_month: 0.25,
        s3_per_thousand_puts: 0.005,
        timestream_per_million_writes: 0.50,
        timestream_memory_per_gb_hour: 0.036,
        timestream_magnetic_per_gb_month: 0.03,
        logs_per_gb_ingested: 0.50,
        xray_per_million_traces: 5.00,
    };
}
