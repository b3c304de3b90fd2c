//! Timestream: raw measures, ≤ 100 records per `WriteRecords`. Timestream
//! ignores a record identical to one already written, so re-writing a
//! redelivered event is harmless. Rejected records are returned, never dropped.

use async_trait::async_trait;
use aws_sdk_timestreamwrite::error::SdkError;
use aws_sdk_timestreamwrite::operation::write_records::WriteRecordsError;
use aws_sdk_timestreamwrite::types::{Dimension, MeasureValue, MeasureValueType, Record, TimeUnit};
use domain::Event;
use domain::event::{CartAction, EventData, ScanResult};
use domain::ports::{StoreError, StoreResult};
use pipeline::{MeasureSink, SinkRejection};

use crate::error::classify;

/// Timestream's limit per `WriteRecords` call.
pub const MAX_RECORDS_PER_WRITE: usize = 100;

pub struct TimestreamSink {
    client: aws_sdk_timestreamwrite::Client,
    database: String,
    table: String,
}

impl TimestreamSink {
    pub fn new(
        client: aws_sdk_timestreamwrite::Client,
        database: impl Into<String>,
        table: impl Into<String>,
    ) -> Self {
        TimestreamSink {
            client,
            database: database.into(),
            table: table.into(),
        }
    }

    /// Enabled when both `TIMESTREAM_DATABASE` and `TIMESTREAM_TABLE` are set and non-empty.
    pub fn from_env(client_for: impl FnOnce() -> aws_sdk_timestreamwrite::Client) -> Option<Self> {
        let db = std::env::var("TIMESTREAM_DATABASE")
            .ok()
            .filter(|v| !v.is_empty())?;
        let table = std::env::var("TIMESTREAM_TABLE")
            .ok()
            .filter(|v| !v.is_empty())?;
        Some(Self::new(client_for(), db, table))
    }
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name and value are set")
}

fn measure(name: &str, value: i64) -> MeasureValue {
    MeasureValue::builder()
        .name(name)
        .value(value.to_string())
        .r#type(MeasureValueType::Bigint)
        .build()
        .expect("fields are set")
}

/// One multi-measure record per event, dimensions venue/show/source/type.
pub fn record(e: &Event<'_>) -> Record {
    let mut dims = vec![
        dim("eventType", e.event_type().as_str()),
        dim("source", &e.source),
        dim("eventKey", &e.id),
    ];
    if let Some(v) = e.data.venue_id() {
        dims.push(dim("venueId", v));
    }
    if let Some(s) = e.data.show_id() {
        dims.push(dim("eventId", s));
    }
    let measures = match &e.data {
        EventData::TicketPurchase(p) => vec![
            measure("amount", p.amount),
            measure("quantity", i64::from(p.quantity)),
        ],
        EventData::TicketScan(s) => vec![measure(
            match s.result {
                ScanResult::Admitted => "admitted",
                ScanResult::Rejected => "rejected",
                ScanResult::Duplicate => "duplicate",
            },
            1,
        )],
        EventData::PageView(_) => vec![measure("views", 1)],
        EventData::CartUpdate(c) => vec![
            measure(
                match c.action {
                    CartAction::Add => "adds",
                    CartAction::Remove => "removes",
                    CartAction::Checkout => "checkouts",
                    CartAction::Abandon => "abandons",
                },
                1,
            ),
            measure("cartValue", c.cart_value),
        ],
        EventData::VenueUpdate(_) => vec![measure("updates", 1)],
        // Signed as in the rollups: a won chargeback is negative.
        EventData::TicketRefund(r) => {
            dims.push(dim("reason", r.reason_key()));
            vec![
                measure("refunded", r.signed_amount()),
                measure("tickets", r.signed_quantity()),
            ]
        }
    };
    Record::builder()
        .set_dimensions(Some(dims))
        .measure_name(e.event_type().as_str())
        .measure_value_type(MeasureValueType::Multi)
        .set_measure_values(Some(measures))
        .time(e.time.timestamp_millis().to_string())
        .time_unit(TimeUnit::Milliseconds)
        .build()
}

/// A record's write size as Timestream meters it: 8 bytes of time, the
/// UTF-8 bytes of dimension names and values and of measure names, 8 bytes
/// per bigint value (all of ours are bigints).
pub fn write_size(r: &Record) -> u64 {
    let dims: usize = r
        .dimensions()
        .iter()
        .map(|d| d.name().len() + d.value().len())
        .sum();
    let measures: usize = r.measure_values().iter().map(|m| m.name().len() + 8).sum();
    (8 + dims + r.measure_name().map_or(0, str::len) + measures) as u64
}

#[async_trait]
impl MeasureSink for TimestreamSink {
    async fn write(&self, events: &[&Event<'_>]) -> StoreResult<Vec<SinkRejection>> {
        let mut rejected = Vec::new();
        for (chunk_no, chunk) in events.chunks(MAX_RECORDS_PER_WRITE).enumerate() {
            let records: Vec<Record> = chunk.iter().map(|e| record(e)).collect();
            let res = self
                .client
                .write_records()
                .database_name(&self.database)
                .table_name(&self.table)
                .set_records(Some(records))
                .send()
                .await;
            match res {
                Ok(_) => {}
                Err(SdkError::ServiceError(e))
                    if matches!(e.err(), WriteRecordsError::RejectedRecordsException(_)) =>
                {
                    let WriteRecordsError::RejectedRecordsException(ex) = e.err() else {
                        unreachable!()
                    };
                    for r in ex.rejected_records() {
                        let Ok(i) = usize::try_from(r.record_index()) else {
                            continue;
                        };
                        rejected.push(SinkRejection {
                            index: chunk_no * MAX_RECORDS_PER_WRITE + i,
                            reason: r.reason().unwrap_or("rejected by Timestream").to_owned(),
                        });
                    }
                }
                Err(e) => return Err(classify("timestream write_records", e)),
            }
        }
        if rejected.len() > events.len() {
            return Err(StoreError::Permanent("more rejections than records".into()));
        }
        Ok(rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_size_counts_what_timestream_meters() {
        let r = Record::builder()
            .dimensions(dim("eventType", "ticket-purchase"))
            .dimensions(dim("source", "box"))
            .measure_name("ticket-purchase")
            .measure_value_type(MeasureValueType::Multi)
            .measure_values(measure("amount", 9000))
            .measure_values(measure("quantity", 2))
            .time("1764000000000")
            .build();
        // time 8 + (9 + 15) + (6 + 3) + name 15 + (6 + 8) + (8 + 8).
        assert_eq!(write_size(&r), 86);
    }
}
