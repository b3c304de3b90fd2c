//! What a run used, and the services' own rounding rules to get there.

/// Billable usage of one run over `events` events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub events: u64,
    /// SQS requests (publish, receive and delete), see [`sqs_requests`].
    pub sqs_requests: f64,
    pub lambda_invocations: u64,
    /// See [`lambda_gb_seconds`].
    pub lambda_gb_seconds: f64,
    pub dynamodb_write_units: u64,
    pub dynamodb_read_units: f64,
    /// Bytes stored × months kept (markers until their TTL, rollups a year).
    pub dynamodb_byte_months: f64,
    pub s3_puts: u64,
    pub log_bytes: u64,
    pub traces: u64,
    /// `None` without the optional Timestream sink.
    pub timestream: Option<TimestreamUsage>,
}

/// The raw-measure sink's share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimestreamUsage {
    /// 1 KiB write units, see [`timestream_write_units`].
    pub write_units: u64,
    /// Bytes stored (Timestream's own measure: time, dimensions, measure names and values).
    pub stored_bytes: u64,
    /// Memory store retention, in hours.
    pub memory_hours: f64,
    /// Magnetic store retention, in months.
    pub magnetic_months: f64,
}

/// SQS requests for `events` messages sent in batches of `send_batch`,
/// received in batches of `receive_batch` and deleted in batches of
/// `delete_batch` (the event source mapping receives up to 10 and deletes
/// what the function reports done). Messages ≤ 64 KiB: one request each chunk.
#[allow(clippy::cast_precision_loss)]
pub fn sqs_requests(events: u64, send_batch: u64, receive_batch: u64, delete_batch: u64) -> f64 {
    let calls = |batch: u64| events.div_ceil(batch.max(1)) as f64;
    calls(send_batch) + calls(receive_batch) + calls(delete_batch)
}

/// GB-seconds of `invocations` each lasting `millis` (Lambda bills duration
/// per started millisecond) at `memory_mb`.
#[allow(clippy::cast_precision_loss)]
pub fn lambda_gb_seconds(invocations: u64, millis: f64, memory_mb: u32) -> f64 {
    invocations as f64 * millis.max(0.0).ceil() / 1000.0 * f64::from(memory_mb) / 1024.0
}

/// Timestream write units of `requests`, each given as the write sizes of
/// its records: every request is metered in started KiB of its summed size.
pub fn timestream_write_units<R: AsRef<[u64]>>(requests: &[R]) -> u64 {
    requests
        .iter()
        .map(|r| r.as_ref().iter().sum::<u64>().div_ceil(1024))
        .sum()
}
