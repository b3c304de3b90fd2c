//! The Summary sheet: report header, KPI list and the two charts.

use rust_xlsxwriter::{RowNum, Worksheet};

use super::charts;
use super::styles::Styles;
use super::table::{Cell, ChartSource, SUMMARY_SHEET, write_cell};
use crate::RenderError;
use crate::context::ReportContext;
use crate::kpi_list::{KpiValue, change, extra_kpis, kpi_groups};

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
    sheet.set_column_width(2, 17.0)?;
    sheet.set_column_width(3, 10.0)?;
    sheet.set_column_width(4, 3.0)?;
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
    if data.previous.is_some() {
        sheet.write_string_with_format(row, 2, "Previous period", &styles.header_right)?;
        sheet.write_string_with_format(row, 3, "Change", &styles.header_right)?;
    }
    row += 1;
    let kpis = |k| {
        let groups = kpi_groups(k);
        let extras = extra_kpis(k);
        groups
            .into_iter()
            .flat_map(|(_, kpis)| kpis)
            .chain(extras)
            .collect::<Vec<_>>()
    };
    let current = kpis(&data.kpis);
    let previous = data.previous.as_ref().map(kpis);
    for (i, kpi) in current.iter().enumerate() {
        sheet.write_string_with_format(row, 0, kpi.label, &styles.text)?;
        write_value(sheet, styles, row, 1, kpi.value, &data.currency)?;
        if let Some(before) = previous.as_ref().and_then(|p| p.get(i)) {
            write_value(sheet, styles, row, 2, before.value, &data.currency)?;
            match change(kpi.value, before.value) {
                Some(c) => sheet.write_number_with_format(row, 3, c, &styles.percent)?,
                None => sheet.write_string_with_format(row, 3, "n/a", &styles.subtitle)?,
            };
        }
        row += 1;
    }
    if chart_source.last_row > 0 {
        sheet.insert_chart(1, 5, &charts::revenue(chart_source, &data.currency))?;
        sheet.insert_chart(19, 5, &charts::velocity(chart_source))?;
    }
    Ok(())
}

/// A KPI value in its cell format; a rate without a denominator reads "n/a".
fn write_value(
    sheet: &mut Worksheet,
    styles: &Styles,
    row: RowNum,
    col: u16,
    value: KpiValue,
    currency: &str,
) -> Result<(), RenderError> {
    let cell = match value {
        KpiValue::Money(minor) => Cell::Money(minor),
        KpiValue::Count(count) => Cell::Count(count),
        KpiValue::Rate(Some(rate)) if rate.is_finite() => Cell::Percent(Some(rate)),
        KpiValue::Rate(_) => {
            sheet.write_string_with_format(row, col, "n/a", &styles.subtitle)?;
            return Ok(());
        }
        KpiValue::PerHour(value) => Cell::Decimal(value),
    };
    write_cell(sheet, styles, currency, row, col, cell)
}
