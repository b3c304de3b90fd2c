//! CSV export of the rollup rows.

use chrono::SecondsFormat;

use crate::context::ReportContext;
use crate::money::format_decimal;
use crate::{RenderError, ReportData};

/// Column names, in order.
pub(crate) const CSV_HEADER: [&str; 16] = [
    "bucket_start_utc",
    "bucket_start_local",
    "currency",
    "revenue_minor",
    "revenue",
    "tickets_sold",
    "orders",
    "scans_admitted",
    "scans_rejected",
    "scans_duplicate",
    "page_views",
    "cart_adds",
    "cart_checkouts",
    "cart_abandons",
    "refunded_minor",
    "net_revenue_minor",
];

/// Renders `data.rows` as CSV (RFC 4180, UTF-8, CRLF line ends, one header row).
///
/// One line per bucket of `data.granularity`, ascending. Columns:
///
/// | column | meaning |
/// |---|---|
/// | `bucket_start_utc` | bucket start, RFC 3339 in UTC (`2025-01-01T05:00:00Z`) |
/// | `bucket_start_local` | the same instant in the venue time zone, RFC 3339 with offset (`2025-01-01T00:00:00-05:00`) |
/// | `currency` | ISO 4217 code of the amounts |
/// | `revenue_minor` | gross revenue (before refunds) in integer minor units (cents for USD) — exact, use this for sums |
/// | `revenue` | the same amount as a plain decimal in major units (`45.00`), no symbol or grouping |
/// | `tickets_sold`, `orders` | tickets and orders in the bucket |
/// | `scans_admitted`, `scans_rejected`, `scans_duplicate` | door scans by outcome |
/// | `page_views`, `cart_adds`, `cart_checkouts`, `cart_abandons` | web funnel counts |
/// | `refunded_minor` | refunded in the bucket (by the refund's time), net of won chargebacks, minor units |
/// | `net_revenue_minor` | `revenue_minor` − `refunded_minor` |
pub fn render_csv(data: &ReportData) -> Result<Vec<u8>, RenderError> {
    let ctx = ReportContext::new(data)?;
    // ~120 bytes per line; sizing up front avoids regrowing for a year of hours.
    let buffer = Vec::with_capacity(128 * (data.rows.len() + 1));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(buffer);
    writer.write_record(CSV_HEADER)?;
    for row in &data.rows {
        let local = row.bucket_start.with_timezone(&ctx.tz);
        writer.write_record([
            row.bucket_start.to_rfc3339_opts(SecondsFormat::Secs, true),
            local.to_rfc3339_opts(SecondsFormat::Secs, true),
            data.currency.clone(),
            row.revenue.to_string(),
            format_decimal(row.revenue, &data.currency),
            row.tickets_sold.to_string(),
            row.orders.to_string(),
            row.scans_admitted.to_string(),
            row.scans_rejected.to_string(),
            row.scans_duplicate.to_string(),
            row.page_views.to_string(),
            row.cart_adds.to_string(),
            row.cart_checkouts.to_string(),
            row.cart_abandons.to_string(),
            row.refunded.to_string(),
            row.net_revenue().to_string(),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|error| RenderError::Io(error.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn parses_back_with_exact_numbers() {
        let data = fixtures::year_hourly(3);
        let bytes = render_csv(&data).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_HEADER
        );
        let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
        assert_eq!(records.len(), 8_760);
        let mut revenue = 0i64;
        for (record, row) in records.iter().zip(&data.rows) {
            let utc: chrono::DateTime<chrono::Utc> = record[0].parse().unwrap();
            let local = chrono::DateTime::parse_from_rfc3339(&record[1]).unwrap();
            assert_eq!(utc, row.bucket_start);
            assert_eq!(local, row.bucket_start);
            assert_eq!(&record[2], "USD");
            assert_eq!(record[3].parse::<i64>().unwrap(), row.revenue);
            assert_eq!(record[4], format_decimal(row.revenue, "USD"));
            assert_eq!(record[5].parse::<i64>().unwrap(), row.tickets_sold);
            assert_eq!(record[13].parse::<i64>().unwrap(), row.cart_abandons);
            revenue += record[3].parse::<i64>().unwrap();
        }
        assert_eq!(revenue, data.kpis.revenue);
        // New York is UTC-5 in January.
        assert_eq!(&records[0][0], "2025-01-01T05:00:00Z");
        assert_eq!(&records[0][1], "2025-01-01T00:00:00-05:00");
        assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    }

    #[test]
    fn rejects_unknown_time_zone() {
        let mut data = fixtures::show_week(1);
        data.timezone = "Mars/Olympus_Mons".into();
        assert!(matches!(
            render_csv(&data),
            Err(RenderError::InvalidData(_))
        ));
    }
}
