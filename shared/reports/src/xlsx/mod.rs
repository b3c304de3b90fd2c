//! XLSX workbook: a Summary sheet with KPIs and native charts, then one sheet
//! per table (Daily sales, Hourly, Tiers, Channels, Entry points, Campaigns,
//! Segments), each with a frozen header, autofilter and typed number formats.
//!
//! Worksheets are kept in memory rather than in rust_xlsxwriter's
//! `constant_memory` mode: that mode spills to temp files (I/O this crate
//! promises not to do), and a year of hourly rows is only ~115k cells, well
//! inside the memory budget.

mod charts;
mod styles;
mod summary;
mod table;

use rust_xlsxwriter::{DocProperties, Workbook};

use crate::context::ReportContext;
use crate::{RenderError, ReportData};

/// Renders the report as an Excel workbook.
pub fn render_xlsx(data: &ReportData) -> Result<Vec<u8>, RenderError> {
    let ctx = ReportContext::new(data)?;
    let styles = styles::Styles::new(&data.currency);
    let mut workbook = Workbook::new();
    // Creation time = generated_at (not "now"), so the same data gives the same bytes.
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&data.title)
            .set_company(&data.venue_name)
            .set_creation_datetime(&data.generated_at),
    );
    let daily = ctx.daily();
    // Charts on the summary point at the daily sheet, or at the rows sheet
    // when there are no days to plot.
    let chart_source = if daily.is_empty() {
        table::ChartSource::rows(&ctx)
    } else {
        table::ChartSource::daily(daily.len())
    };
    summary::write(workbook.add_worksheet(), &ctx, &styles, &chart_source)?;
    table::write_daily(workbook.add_worksheet(), &ctx, &styles, &daily)?;
    table::write_rows(workbook.add_worksheet(), &ctx, &styles)?;
    for (sheet, items) in table::BREAKDOWN_SHEETS.iter().zip([
        &data.tiers,
        &data.channels,
        &data.entry_points,
        &data.campaigns,
    ]) {
        table::write_breakdown(
            workbook.add_worksheet(),
            &styles,
            &data.currency,
            sheet,
            items,
        )?;
    }
    table::write_segments(
        workbook.add_worksheet(),
        &styles,
        &data.currency,
        &data.segments,
    )?;
    if !data.checkins.is_empty() {
        table::write_checkins(workbook.add_worksheet(), &ctx, &styles)?;
    }
    if let Some(pacing) = &data.pacing {
        table::write_pacing(workbook.add_worksheet(), pacing, &styles)?;
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};

    use super::*;
    use crate::fixtures;

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes)).expect("a valid xlsx")
    }

    #[test]
    fn has_expected_sheets_and_values() {
        let data = fixtures::year_hourly(5);
        let mut workbook = open(render_xlsx(&data).unwrap());
        assert_eq!(workbook.sheet_names(), table::sheet_names(1.0));
        assert_eq!(
            workbook.sheet_names(),
            [
                "Summary",
                "Daily sales",
                "Hourly",
                "Tiers",
                "Channels",
                "Entry points",
                "Campaigns",
                "Segments"
            ]
        );

        let hourly = workbook.worksheet_range("Hourly").unwrap();
        assert_eq!(hourly.height(), 8_761);
        assert_eq!(
            hourly.get_value((0, 2)),
            Some(&Data::String("Gross revenue".into()))
        );
        let revenue: f64 = (1..=8_760)
            .filter_map(|r| hourly.get_value((r, 2))?.get_float())
            .sum();
        assert!(
            (revenue - data.kpis.revenue as f64 / 100.0).abs() < 0.005,
            "{revenue}"
        );
        let tickets = hourly
            .get_value((1, 3))
            .and_then(DataType::get_float)
            .unwrap();
        assert_eq!(tickets, data.rows[0].tickets_sold as f64);

        let summary = workbook.worksheet_range("Summary").unwrap();
        let revenue_row = (0..summary.height() as u32)
            .find(|&r| summary.get_value((r, 0)) == Some(&Data::String("Gross revenue".into())))
            .expect("a Gross revenue KPI row");
        let kpi = summary
            .get_value((revenue_row, 1))
            .and_then(DataType::get_float)
            .unwrap();
        assert_eq!(kpi, data.kpis.revenue as f64 / 100.0);

        let tiers = workbook.worksheet_range("Tiers").unwrap();
        assert_eq!(tiers.height(), data.tiers.len() + 1);
        assert_eq!(
            tiers.get_value((1, 0)),
            Some(&Data::String(data.tiers[0].key.clone()))
        );
    }

    #[test]
    fn contains_native_charts() {
        let bytes = render_xlsx(&fixtures::show_week(1)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // Zip entry names are stored uncompressed.
        assert!(text.contains("xl/charts/chart1.xml"));
        assert!(text.contains("xl/charts/chart2.xml"));
    }
}
