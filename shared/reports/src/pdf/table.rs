//! Paginated tables: section title, header row repeated on every page,
//! zebra rows, right-aligned numbers and an optional bold total row.

use super::canvas::{Align, TextStyle};
use super::document::Document;
use super::fonts::Font;
use super::theme::{
    BODY, BODY_BOLD, CONTENT_BOTTOM, CONTENT_WIDTH, H2, INK, LABEL, MARGIN_TOP, MARGIN_X, MUTED,
    RULE, SMALL, STRIPE,
};

pub(crate) struct Column {
    pub header: &'static str,
    pub align: Align,
}

pub(crate) const fn text(header: &'static str) -> Column {
    Column {
        header,
        align: Align::Left,
    }
}

pub(crate) const fn number(header: &'static str) -> Column {
    Column {
        header,
        align: Align::Right,
    }
}

pub(crate) struct Table<'a> {
    pub title: &'a str,
    pub note: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    pub total: Option<Vec<String>>,
    /// Smaller type and padding, for wide tables.
    pub compact: bool,
}

/// Text styles and padding of one table.
#[derive(Clone, Copy)]
struct Metrics {
    body: TextStyle,
    bold: TextStyle,
    padding: f32,
}

impl Metrics {
    fn of(table: &Table<'_>) -> Self {
        if table.compact {
            Self {
                body: TextStyle { size: 8.0, ..BODY },
                bold: TextStyle {
                    size: 8.0,
                    ..BODY_BOLD
                },
                padding: 4.0,
            }
        } else {
            Self {
                body: BODY,
                bold: BODY_BOLD,
                padding: CELL_PADDING,
            }
        }
    }
}

const ROW_HEIGHT: f32 = 15.0;
const HEADER_HEIGHT: f32 = 20.0;
const TITLE_HEIGHT: f32 = 26.0;
const CELL_PADDING: f32 = 5.0;
const SECTION_GAP: f32 = 22.0;

/// Lays `table` out at the document cursor, continuing on new pages as needed.
pub(crate) fn draw(doc: &mut Document, table: &Table<'_>) {
    let metrics = Metrics::of(table);
    let widths = column_widths(table, metrics);
    let rows = table.rows.len().max(1) + usize::from(table.total.is_some());
    let whole_height = TITLE_HEIGHT + HEADER_HEIGHT + ROW_HEIGHT * rows as f32 + 2.0;
    if whole_height <= CONTENT_BOTTOM - MARGIN_TOP {
        // A table that fits on one page is never split.
        doc.ensure(whole_height);
    } else {
        // Keep the title with its header and first rows.
        doc.ensure(TITLE_HEIGHT + HEADER_HEIGHT + ROW_HEIGHT * 3.0);
    }
    draw_title(doc, table, false);
    draw_header(doc, table, &widths, metrics);
    if table.rows.is_empty() {
        let y = doc.y;
        doc.page().text(
            MARGIN_X + CELL_PADDING,
            y + 11.0,
            SMALL,
            Align::Left,
            "No data for this period.",
        );
        doc.y += ROW_HEIGHT;
    }
    for (index, row) in table.rows.iter().enumerate() {
        // The last row stays with the total row.
        let is_last = index + 1 == table.rows.len();
        let needed = if is_last && table.total.is_some() {
            2.0 * ROW_HEIGHT + 2.0
        } else {
            ROW_HEIGHT
        };
        if doc.remaining() < needed {
            doc.new_page();
            draw_title(doc, table, true);
            draw_header(doc, table, &widths, metrics);
        }
        if index % 2 == 1 {
            let y = doc.y;
            doc.page()
                .fill_rect(MARGIN_X, y, CONTENT_WIDTH, ROW_HEIGHT, STRIPE);
        }
        draw_cells(doc, table, &widths, row, metrics.body, metrics.padding);
    }
    if let Some(total) = &table.total {
        if doc.remaining() < ROW_HEIGHT + 2.0 {
            doc.new_page();
            draw_title(doc, table, true);
            draw_header(doc, table, &widths, metrics);
        }
        let y = doc.y;
        doc.page()
            .line((MARGIN_X, y), (MARGIN_X + CONTENT_WIDTH, y), 0.8, INK);
        doc.y += 1.0;
        draw_cells(doc, table, &widths, total, metrics.bold, metrics.padding);
    }
    doc.y += SECTION_GAP;
}

/// Most spare width a numeric column gets beyond its natural width.
const MAX_NUMERIC_SLACK: f32 = 36.0;

/// Natural column widths (widest header or cell plus padding). Spare width
/// goes to numeric columns (up to [`MAX_NUMERIC_SLACK`] each) and the rest to
/// the first, label column. Too-wide tables are scaled down and their cells
/// truncated.
fn column_widths(table: &Table<'_>, metrics: Metrics) -> Vec<f32> {
    let padding = 2.0 * metrics.padding;
    let mut widths: Vec<f32> = table
        .columns
        .iter()
        .map(|c| LABEL.width(&c.header.to_uppercase()) + padding)
        .collect();
    let cells = table
        .rows
        .iter()
        .map(|row| (row, metrics.body))
        .chain(table.total.iter().map(|row| (row, metrics.bold)));
    for (row, style) in cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = width.max(style.width(cell) + padding);
        }
    }
    let natural: f32 = widths.iter().sum();
    if natural > CONTENT_WIDTH {
        return widths.iter().map(|w| w * CONTENT_WIDTH / natural).collect();
    }
    let others = widths.len().saturating_sub(1);
    let slack = if others == 0 {
        0.0
    } else {
        ((CONTENT_WIDTH - natural) * 0.6 / others as f32).min(MAX_NUMERIC_SLACK)
    };
    for width in widths.iter_mut().skip(1) {
        *width += slack;
    }
    let used: f32 = widths.iter().sum();
    if let Some(first) = widths.first_mut() {
        *first += CONTENT_WIDTH - used;
    }
    widths
}

fn draw_title(doc: &mut Document, table: &Table<'_>, continued: bool) {
    let y = doc.y;
    let page = doc.page();
    let title = if continued {
        format!("{} (continued)", table.title)
    } else {
        table.title.to_owned()
    };
    page.text(MARGIN_X, y + 13.0, H2, Align::Left, &title);
    if let Some(note) = &table.note {
        let x = MARGIN_X + H2.width(&title) + 8.0;
        page.text(x, y + 13.0, SMALL, Align::Left, note);
    }
    doc.y += TITLE_HEIGHT;
}

fn draw_header(doc: &mut Document, table: &Table<'_>, widths: &[f32], metrics: Metrics) {
    let y = doc.y;
    let page = doc.page();
    let mut x = MARGIN_X;
    for (column, &width) in table.columns.iter().zip(widths) {
        let header = column.header.to_uppercase();
        let anchor = cell_anchor(x, width, column.align, metrics.padding);
        page.text_fit(
            anchor,
            y + 12.0,
            LABEL,
            column.align,
            width - 2.0 * metrics.padding,
            &header,
        );
        x += width;
    }
    let rule_y = y + HEADER_HEIGHT - 2.0;
    page.line(
        (MARGIN_X, rule_y),
        (MARGIN_X + CONTENT_WIDTH, rule_y),
        0.8,
        RULE,
    );
    doc.y += HEADER_HEIGHT;
}

fn draw_cells(
    doc: &mut Document,
    table: &Table<'_>,
    widths: &[f32],
    cells: &[String],
    style: TextStyle,
    padding: f32,
) {
    let y = doc.y;
    let page = doc.page();
    let mut x = MARGIN_X;
    for ((column, &width), cell) in table.columns.iter().zip(widths).zip(cells) {
        let cell_style = if cell == "—" {
            TextStyle {
                color: MUTED,
                font: Font::Regular,
                ..style
            }
        } else {
            style
        };
        let anchor = cell_anchor(x, width, column.align, padding);
        page.text_fit(
            anchor,
            y + 10.5,
            cell_style,
            column.align,
            width - 2.0 * padding,
            cell,
        );
        x += width;
    }
    doc.y += ROW_HEIGHT;
}

fn cell_anchor(x: f32, width: f32, align: Align, padding: f32) -> f32 {
    match align {
        Align::Left => x + padding,
        Align::Center => x + width / 2.0,
        Align::Right => x + width - padding,
    }
}
