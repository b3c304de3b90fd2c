//! What a million events cost on AWS, from what a run of the pipeline used.
//!
//! [`Usage`] is measured (the benches fill it from the adapters' counters and
//! the template's settings); [`Prices`] are list prices; [`bill`] multiplies
//! the two, service by service, with each service's own rounding (Lambda's
//! per-millisecond duration, DynamoDB's per-item units, Timestream's 1 KiB
//! per request). Nothing here talks to AWS.

mod prices;
mod usage;

pub use prices::Prices;
pub use usage::{TimestreamUsage, Usage, lambda_gb_seconds, sqs_requests, timestream_write_units};

/// One service's share of a bill, in US dollars.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub service: &'static str,
    pub dollars: f64,
}

/// A bill for `events` events, line by line.
#[derive(Debug, Clone, PartialEq)]
pub struct Bill {
    pub events: u64,
    pub lines: Vec<Line>,
}

impl Bill {
    pub fn total(&self) -> f64 {
        self.lines.iter().map(|l| l.dollars).sum()
    }

    /// The bill scaled to a million events (0 for a run without events).
    pub fn per_million(&self) -> Bill {
        #[allow(clippy::cast_precision_loss)]
        let scale = if self.events == 0 {
            0.0
        } else {
            1e6 / self.events as f64
        };
        Bill {
            events: 1_000_000,
            lines: self
                .lines
                .iter()
                .map(|l| Line {
                    service: l.service,
                    dollars: l.dollars * scale,
                })
                .collect(),
        }
    }

    /// One service's dollars (0 when it has no line).
    pub fn dollars(&self, service: &str) -> f64 {
        self.lines
            .iter()
            .filter(|l| l.service == service)
            .map(|l| l.dollars)
            .sum()
    }
}

/// Service names of a bill's lines.
pub mod service {
    pub const SQS: &str = "sqs";
    pub const LAMBDA: &str = "lambda";
    pub const DYNAMODB_WRITES: &str = "dynamodb writes";
    pub const DYNAMODB_READS: &str = "dynamodb reads";
    pub const DYNAMODB_STORAGE: &str = "dynamodb storage";
    pub const S3: &str = "s3";
    pub const TIMESTREAM: &str = "timestream";
    pub const LOGS: &str = "cloudwatch logs";
    pub const TRACES: &str = "x-ray";
}

const GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// The bill of `usage` at `prices`. Timestream has a line only when the
/// usage has a Timestream sink (it is optional in the template).
#[allow(clippy::cast_precision_loss)]
pub fn bill(usage: &Usage, prices: &Prices) -> Bill {
    let per_million = |n: f64, price: f64| n / 1e6 * price;
    let mut lines = vec![
        Line {
            service: service::SQS,
            dollars: per_million(usage.sqs_requests, prices.sqs_per_million_requests),
        },
        Line {
            service: service::LAMBDA,
            dollars: per_million(
                usage.lambda_invocations as f64,
                prices.lambda_per_million_requests,
            ) + usage.lambda_gb_seconds * prices.lambda_per_gb_second,
        },
        Line {
            service: service::DYNAMODB_WRITES,
            dollars: per_million(
                usage.dynamodb_write_units as f64,
                prices.dynamodb_per_million_write_units,
            ),
        },
        Line {
            service: service::DYNAMODB_READS,
            dollars: per_million(
                usage.dynamodb_read_units,
                prices.dynamodb_per_million_read_units,
            ),
        },
        Line {
            service: service::DYNAMODB_STORAGE,
            dollars: usage.dynamodb_byte_months / GB * prices.dynamodb_per_gb_month,
        },
        Line {
            service: service::S3,
            dollars: usage.s3_puts as f64 / 1000.0 * prices.s3_per_thousand_puts,
        },
        Line {
            service: service::LOGS,
            dollars: usage.log_bytes as f64 / GB * prices.logs_per_gb_ingested,
        },
        Line {
            service: service::TRACES,
            dollars: per_million(usage.traces as f64, prices.xray_per_million_traces),
        },
    ];
    if let Some(ts) = &usage.timestream {
        lines.push(Line {
            service: service::TIMESTREAM,
            dollars: per_million(ts.write_units as f64, prices.timestream_per_million_writes)
                + ts.stored_bytes as f64 / GB
                    * (ts.memory_hours * prices.timestream_memory_per_gb_hour
                        + ts.magnetic_months * prices.timestream_magnetic_per_gb_month),
        });
    }
    Bill {
        events: usage.events,
        lines,
    }
}

#[cfg(test)]
mod tests;
