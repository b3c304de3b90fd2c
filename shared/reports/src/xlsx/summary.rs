//! The Summary sheet: report header, KPI list and the two charts.

use rust_xlsxwriter::{RowNum, Worksheet};

use super::charts;
use super::styles::Styles;
use super::table::{ChartSource, SUMMARY_SHEET};
use crate::RenderError;
use crate::context::ReportContext;
use crate::kpi_list::{KpiValue, extra_kpis, kpi_groups};
use crate::money::minor_to_major;

pub(crate) fn write(
    sheet: &mut Worksheet,
    ctx: &ReportContext<'_>,
    styles: &Styles,
    chart_source: &ChartSource,
) -> Result<(), RenderError> {
    let data = ctx.data;
    sheet.set_name(SUMMARY_SHEET)?;
    sheet.set_column_width(0, 30.0)?;
    sheet.set_column_width(1, 20.0)?;
    sheet.set_column_width(2, 3.0)?;
    sheet.write_string_with_format(0, 0, &data.title, &styles.title)?;
    sheet.set_row_height(0, 24.0)?;
    let mut details: Vec<(&str, String)> = vec![("Venue", data.venue_name.clone())];
    if let Some(show) = &data.show_name {
        details.push(("Show", show.clone()));
    }
    details.push(("Period", ctx.period_label()));
    details.push(("Time zone", data.timezone.clone()));
    details.push(("Currency", data.currency.to_ascii_uppercase()));
    for other in &data.other_currencies {
        details.push((
            "Also sold in (not added)",
            format!(
                "{} {} ({} orders)",
                other.currency,
                crate::format_decimal(other.revenue, &other.currency),
                other.orders
            ),
        ));
    }
    details.push((
        "Generated",
        ctx.local(data.generated_at)
            .format("%-d %b %Y %H:%M")
            .to_string(),
    ));
    let mut row: RowNum = 2;
    for (label, value) in details {
        sheet.write_string_with_format(row, 0, label, &styles.label)?;
        sheet.write_string_with_format(row, 1, value, &styles.subtitle)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Metric", &styles.header)?;
    sheet.write_string_with_format(row, 1, "Value", &styles.header_right)?;
    row += 1;
    let groups = kpi_groups(&data.kpis);
    let extras = extra_kpis(&data.kpis);
    let kpis = groups
        .iter()
        .flat_map(|(_, kpis)| kpis.iter())
        .chain(extras.iter());
    for kpi in kpis {
        sheet.write_string_with_format(row, 0, kpi.label, &styles.text)?;
        match kpi.value {
            KpiValue::Money(minor) => sheet.write_number_with_format(
                row,
                1,
                minor_to_major(minor, &data.currency),
                &styles.money,
            )?,
            KpiValue::Count(count) => {
                sheet.write_number_with_format(row, 1, count as f64, &styles.count)?
            }
            KpiValue::Rate(Some(rate)) if rate.is_finite() => {
                sheet.write_number_with_format(row, 1, rate, &styles.percent)?
            }
            KpiValue::Rate(_) => sheet.write_string_with_format(row, 1, "n/a", &styles.subtitle)?,
            KpiValue::PerHour(value) => {
                sheet.write_number_with_format(row, 1, value, &styles.decimal)?
            }
        };
        row += 1;
    }
    if chart_source.last_row > 0 {
        sheet.insert_chart(1, 3, &charts::revenue(chart_source, &data.currency))?;
        sheet.insert_chart(19, 3, &charts::velocity(chart_source))?;
    }
    Ok(())
}
