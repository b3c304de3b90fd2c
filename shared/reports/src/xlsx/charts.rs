//! Native Excel charts on the Summary sheet, reading the daily (or rows) sheet.

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartLine, ChartSolidFill, ChartType,
};

use super::styles::{ACCENT, VELOCITY};
use super::table::ChartSource;
use crate::money::excel_currency_format;

const WIDTH: u32 = 760;
const HEIGHT: u32 = 340;

fn base(kind: ChartType, title: String, source: &ChartSource) -> Chart {
    let mut chart = Chart::new(kind);
    chart.title().set_name(&title);
    chart.set_width(WIDTH).set_height(HEIGHT);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart
        .x_axis()
        .set_date_axis(true)
        .set_num_format(source.date_format);
    chart
        .y_axis()
        .set_major_gridlines(true)
        .set_major_gridlines_line(ChartLine::new().set_color(0xE4E7EB));
    chart
}

/// Revenue per bucket as columns.
pub(crate) fn revenue(source: &ChartSource, currency: &str) -> Chart {
    let mut chart = base(
        ChartType::Column,
        format!("Revenue per {}", source.per),
        source,
    );
    chart
        .add_series()
        .set_name("Revenue")
        .set_categories((
            source.sheet,
            1,
            source.date_col,
            source.last_row,
            source.date_col,
        ))
        .set_values((
            source.sheet,
            1,
            source.revenue_col,
            source.last_row,
            source.revenue_col,
        ))
        .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(ACCENT)))
        .set_gap(40);
    let money_format = excel_currency_format(currency);
    let positive_part = money_format
        .split(';')
        .next()
        .unwrap_or("#,##0")
        .replace(".00", "");
    chart.y_axis().set_num_format(positive_part);
    chart
}

/// Sales velocity (tickets per hour) per bucket as a line.
pub(crate) fn velocity(source: &ChartSource) -> Chart {
    let mut chart = base(
        ChartType::Line,
        format!("Sales velocity per {} (tickets/hour)", source.per),
        source,
    );
    chart
        .add_series()
        .set_name("Tickets per hour")
        .set_categories((
            source.sheet,
            1,
            source.date_col,
            source.last_row,
            source.date_col,
        ))
        .set_values((
            source.sheet,
            1,
            source.velocity_col,
            source.last_row,
            source.velocity_col,
        ))
        .set_format(ChartLine::new().set_color(VELOCITY).set_width(1.75));
    chart.y_axis().set_num_format("0.0");
    chart
}
