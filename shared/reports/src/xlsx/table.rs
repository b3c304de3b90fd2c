//! Table sheets: one header row (frozen, autofiltered) and typed cells.

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{ColNum, RowNum, Worksheet};

use super::styles::Styles;
use crate::context::ReportContext;
use crate::money::minor_to_major;
use crate::{Breakdown, RenderError, RollupRow, SegmentRow};

pub(crate) const SUMMARY_SHEET: &str = "Summary";
pub(crate) const DAILY_SHEET: &str = "Daily sales";
/// (sheet name, first column header) per breakdown, in workbook order.
pub(crate) const BREAKDOWN_SHEETS: [(&str, &str); 4] = [
    ("Tiers", "Tier"),
    ("Channels", "Channel"),
    ("Entry points", "Entry point"),
    ("Campaigns", "Campaign"),
];
pub(crate) const SEGMENTS_SHEET: &str = "Segments";

/// Sheet name for `rows`: "Hourly" for hourly data, else "Time series".
pub(crate) fn rows_sheet(bucket_hours: f64) -> &'static str {
    if bucket_hours < 24.0 {
        "Hourly"
    } else {
        "Time series"
    }
}

/// Every sheet name of the workbook, in order.
#[cfg(test)]
pub(crate) fn sheet_names(bucket_hours: f64) -> Vec<&'static str> {
    let mut names = vec![SUMMARY_SHEET, DAILY_SHEET, rows_sheet(bucket_hours)];
    names.extend(BREAKDOWN_SHEETS.map(|(sheet, _)| sheet));
    names.push(SEGMENTS_SHEET);
    names
}

/// Where the summary charts read their series from.
pub(crate) struct ChartSource {
    pub sheet: &'static str,
    /// Last data row (the header is row 0).
    pub last_row: RowNum,
    pub date_col: ColNum,
    pub revenue_col: ColNum,
    pub velocity_col: ColNum,
    pub date_format: &'static str,
    pub per: &'static str,
}

impl ChartSource {
    pub fn daily(days: usize) -> Self {
        Self {
            sheet: DAILY_SHEET,
            last_row: days as RowNum,
            date_col: 0,
            revenue_col: 1,
            velocity_col: 5,
            date_format: "mmm d",
            per: "day",
        }
    }

    pub fn rows(ctx: &ReportContext<'_>) -> Self {
        Self {
            sheet: rows_sheet(ctx.bucket_hours),
            last_row: ctx.data.rows.len() as RowNum,
            date_col: 0,
            revenue_col: 2,
            velocity_col: 5,
            date_format: "mmm d hh:mm",
            per: if ctx.bucket_hours < 24.0 {
                "hour"
            } else {
                "day"
            },
        }
    }
}

/// One typed cell value.
pub(crate) enum Cell<'a> {
    Money(i64),
    Count(i64),
    Decimal(f64),
    Percent(Option<f64>),
    Text(&'a str),
    DateTime(NaiveDateTime),
    Date(NaiveDate),
}

/// A column: header text, width in characters, and whether it holds numbers
/// (numbers get a right-aligned header).
pub(crate) struct Column {
    pub title: &'static str,
    pub width: f64,
    pub numeric: bool,
}

const fn label(title: &'static str, width: f64) -> Column {
    Column {
        title,
        width,
        numeric: false,
    }
}

const fn number(title: &'static str, width: f64) -> Column {
    Column {
        title,
        width,
        numeric: true,
    }
}

/// Writes a header row, one row per item, then freezes the header, adds an
/// autofilter over the whole table and sets column widths.
fn write_table<'a, T, const N: usize>(
    sheet: &mut Worksheet,
    styles: &Styles,
    currency: &str,
    columns: [Column; N],
    items: &'a [T],
    cells: impl Fn(&'a T) -> [Cell<'a>; N],
) -> Result<(), RenderError> {
    for (col, column) in columns.iter().enumerate() {
        let col = col as ColNum;
        let header = if column.numeric {
            &styles.header_right
        } else {
            &styles.header
        };
        sheet.write_string_with_format(0, col, column.title, header)?;
        sheet.set_column_width(col, column.width)?;
    }
    for (index, item) in items.iter().enumerate() {
        let row = index as RowNum + 1;
        for (col, cell) in cells(item).into_iter().enumerate() {
            write_cell(sheet, styles, currency, row, col as ColNum, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, items.len().max(1) as RowNum, (N - 1) as ColNum)?;
    Ok(())
}

pub(crate) fn write_cell(
    sheet: &mut Worksheet,
    styles: &Styles,
    currency: &str,
    row: RowNum,
    col: ColNum,
    cell: Cell<'_>,
) -> Result<(), RenderError> {
    match cell {
        Cell::Money(minor) => sheet.write_number_with_format(
            row,
            col,
            minor_to_major(minor, currency),
            &styles.money,
        )?,
        Cell::Count(value) => {
            sheet.write_number_with_format(row, col, value as f64, &styles.count)?
        }
        Cell::Decimal(value) => sheet.write_number_with_format(row, col, value, &styles.decimal)?,
        Cell::Percent(Some(rate)) if rate.is_finite() => {
            sheet.write_number_with_format(row, col, rate, &styles.percent)?
        }
        Cell::Percent(_) => sheet,
        Cell::Text(text) => sheet.write_string_with_format(row, col, text, &styles.text)?,
        Cell::DateTime(at) => sheet.write_datetime_with_format(row, col, at, &styles.datetime)?,
        Cell::Date(day) => sheet.write_datetime_with_format(row, col, day, &styles.date)?,
    };
    Ok(())
}

fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

fn average_order_value(row_revenue: i64, orders: i64) -> i64 {
    if orders > 0 { row_revenue / orders } else { 0 }
}

pub(crate) fn write_daily(
    sheet: &mut Worksheet,
    ctx: &ReportContext<'_>,
    styles: &Styles,
    daily: &[RollupRow],
) -> Result<(), RenderError> {
    sheet.set_name(DAILY_SHEET)?;
    let columns = [
        label("Date", 16.0),
        number("Gross revenue", 15.0),
        number("Tickets sold", 13.0),
        number("Orders", 10.0),
        number("Avg order value", 15.0),
        number("Tickets / hour", 14.0),
        number("Scans admitted", 15.0),
        number("Scans rejected", 14.0),
        number("Duplicate scans", 15.0),
        number("Page views", 12.0),
        number("Cart adds", 11.0),
        number("Checkouts", 11.0),
        number("Abandons", 11.0),
        number("Conversion", 12.0),
        number("Refunded", 13.0),
        number("Net revenue", 15.0),
    ];
    write_table(sheet, styles, &ctx.data.currency, columns, daily, |day| {
        [
            Cell::Date(ctx.local(day.bucket_start).date()),
            Cell::Money(day.revenue),
            Cell::Count(day.tickets_sold),
            Cell::Count(day.orders),
            Cell::Money(average_order_value(day.revenue, day.orders)),
            Cell::Decimal(day.tickets_sold as f64 / ctx.local_day_hours(day.bucket_start)),
            Cell::Count(day.scans_admitted),
            Cell::Count(day.scans_rejected),
            Cell::Count(day.scans_duplicate),
            Cell::Count(day.page_views),
            Cell::Count(day.cart_adds),
            Cell::Count(day.cart_checkouts),
            Cell::Count(day.cart_abandons),
            Cell::Percent(ratio(day.orders, day.page_views)),
            Cell::Money(day.refunded),
            Cell::Money(day.net_revenue()),
        ]
    })
}

pub(crate) fn write_rows(
    sheet: &mut Worksheet,
    ctx: &ReportContext<'_>,
    styles: &Styles,
) -> Result<(), RenderError> {
    sheet.set_name(rows_sheet(ctx.bucket_hours))?;
    let columns = [
        label("Start (venue time)", 18.0),
        label("Start (UTC)", 18.0),
        number("Gross revenue", 14.0),
        number("Tickets sold", 13.0),
        number("Orders", 10.0),
        number("Tickets / hour", 14.0),
        number("Scans admitted", 15.0),
        number("Scans rejected", 14.0),
        number("Duplicate scans", 15.0),
        number("Page views", 12.0),
        number("Cart adds", 11.0),
        number("Checkouts", 11.0),
        number("Abandons", 11.0),
        number("Refunded", 13.0),
        number("Net revenue", 15.0),
    ];
    write_table(
        sheet,
        styles,
        &ctx.data.currency,
        columns,
        &ctx.data.rows,
        |row| {
            [
                Cell::DateTime(ctx.local(row.bucket_start)),
                Cell::DateTime(row.bucket_start.naive_utc()),
                Cell::Money(row.revenue),
                Cell::Count(row.tickets_sold),
                Cell::Count(row.orders),
                Cell::Decimal(row.tickets_sold as f64 / ctx.bucket_hours),
                Cell::Count(row.scans_admitted),
                Cell::Count(row.scans_rejected),
                Cell::Count(row.scans_duplicate),
                Cell::Count(row.page_views),
                Cell::Count(row.cart_adds),
                Cell::Count(row.cart_checkouts),
                Cell::Count(row.cart_abandons),
                Cell::Money(row.refunded),
                Cell::Money(row.net_revenue()),
            ]
        },
    )
}

/// A show's check-ins: one row per 5 minutes, a column per gate, then all gates.
pub(crate) fn write_checkins(
    sheet: &mut Worksheet,
    ctx: &ReportContext<'_>,
    styles: &Styles,
) -> Result<(), RenderError> {
    let gates = &ctx.data.checkins;
    sheet.set_name("Check-ins")?;
    sheet.write_string_with_format(0, 0, "Time (venue)", &styles.header)?;
    sheet.set_column_width(0, 18.0)?;
    let all = gates.len() as ColNum + 1;
    for (i, g) in gates.iter().enumerate() {
        let col = i as ColNum + 1;
        sheet.write_string_with_format(0, col, &g.gate, &styles.header_right)?;
        sheet.set_column_width(col, (g.gate.chars().count() as f64 + 4.0).max(12.0))?;
    }
    sheet.write_string_with_format(0, all, "All gates", &styles.header_right)?;
    sheet.set_column_width(all, 12.0)?;
    let buckets = gates.first().map_or(0, |g| g.points.len());
    for i in 0..buckets {
        let row = i as RowNum + 1;
        let at = ctx.local(gates[0].points[i].0);
        sheet.write_datetime_with_format(row, 0, at, &styles.datetime)?;
        let mut total = 0;
        for (g, gate) in gates.iter().enumerate() {
            let n = gate.points.get(i).map_or(0, |p| p.1);
            total += n;
            sheet.write_number_with_format(row, g as ColNum + 1, n as f64, &styles.count)?;
        }
        sheet.write_number_with_format(row, all, total as f64, &styles.count)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    Ok(())
}

/// A show's pacing: one row per day before the show.
pub(crate) fn write_pacing(
    sheet: &mut Worksheet,
    pacing: &crate::ShowPacing,
    styles: &Styles,
) -> Result<(), RenderError> {
    sheet.set_name("Pacing")?;
    let headers = [
        ("Days before show", 17.0),
        ("Net tickets", 13.0),
        ("Median of earlier shows", 24.0),
        ("Lowest", 10.0),
        ("Highest", 10.0),
    ];
    for (col, (title, width)) in headers.iter().enumerate() {
        let col = col as ColNum;
        let style = if col == 0 {
            &styles.header
        } else {
            &styles.header_right
        };
        sheet.write_string_with_format(0, col, *title, style)?;
        sheet.set_column_width(col, *width)?;
    }
    for (i, p) in pacing.points.iter().enumerate() {
        let row = i as RowNum + 1;
        sheet.write_number_with_format(row, 0, p.days_before as f64, &styles.count)?;
        let cells = [
            p.tickets.map(|v| v as f64),
            p.median,
            p.min.map(|v| v as f64),
            p.max.map(|v| v as f64),
        ];
        for (c, v) in cells.into_iter().enumerate() {
            if let Some(v) = v {
                sheet.write_number_with_format(row, c as ColNum + 1, v, &styles.count)?;
            }
        }
    }
    if let Some(standing) = &pacing.standing {
        let row = pacing.points.len() as RowNum + 2;
        sheet.write_string(row, 0, standing)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

pub(crate) fn write_breakdown(
    sheet: &mut Worksheet,
    styles: &Styles,
    currency: &str,
    (name, key_title): &(&'static str, &'static str),
    items: &[Breakdown],
) -> Result<(), RenderError> {
    sheet.set_name(*name)?;
    let total_revenue: i64 = items.iter().map(|item| item.revenue).sum();
    let columns = [
        label(key_title, 24.0),
        number("Gross revenue", 15.0),
        number("Share of revenue", 16.0),
        number("Tickets sold", 13.0),
        number("Orders", 10.0),
        number("Avg order value", 15.0),
        number("Scans admitted", 15.0),
        number("Page views", 12.0),
    ];
    write_table(sheet, styles, currency, columns, items, |item| {
        [
            Cell::Text(&item.key),
            Cell::Money(item.revenue),
            Cell::Percent(ratio(item.revenue, total_revenue)),
            Cell::Count(item.tickets_sold),
            Cell::Count(item.orders),
            Cell::Money(average_order_value(item.revenue, item.orders)),
            Cell::Count(item.scans_admitted),
            Cell::Count(item.page_views),
        ]
    })
}

pub(crate) fn write_segments(
    sheet: &mut Worksheet,
    styles: &Styles,
    currency: &str,
    segments: &[SegmentRow],
) -> Result<(), RenderError> {
    sheet.set_name(SEGMENTS_SHEET)?;
    let total_revenue: i64 = segments.iter().map(|segment| segment.revenue).sum();
    let columns = [
        label("Segment", 24.0),
        number("Customers", 12.0),
        number("Net revenue", 15.0),
        number("Share of revenue", 16.0),
        number("Revenue per customer", 20.0),
    ];
    write_table(sheet, styles, currency, columns, segments, |segment| {
        [
            Cell::Text(&segment.segment),
            Cell::Count(segment.customers),
            Cell::Money(segment.revenue),
            Cell::Percent(ratio(segment.revenue, total_revenue)),
            Cell::Money(average_order_value(segment.revenue, segment.customers)),
        ]
    })
}
