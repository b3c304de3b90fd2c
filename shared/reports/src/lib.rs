//! Pure venue report renderers: [`ReportData`] in, file bytes out.
//!
//! No AWS and no I/O: callers load the rollups, call [`render`] and store the
//! bytes wherever they like (S3, an HTTP response, a file).
//!
//! - [`render_csv`]: the rollup rows, one line per bucket (RFC 4180).
//! - [`render_xlsx`]: a workbook with a summary, one sheet per breakdown and
//!   native charts.
//! - [`render_pdf`]: a printable A4 report with KPI tiles, vector charts and
//!   paginated tables, using only the standard Helvetica fonts.

mod context;
mod csv_report;
mod error;
pub mod fixtures;
mod format;
mod headline;
mod kpi_list;
mod model;
mod money;
mod pdf;
mod series;
mod xlsx;

pub use csv_report::render_csv;
pub use error::RenderError;
pub use format::Format;
pub use headline::{Headline, HeadlineFigure, headline};
pub use model::{
    Breakdown, CurrencyAmount, GateCheckins, Kpis, PacingPoint, ReportData, RollupRow, SegmentRow,
    ShowPacing,
};
pub use money::{currency_exponent, format_decimal, format_money, minor_to_major};
pub use pdf::render_pdf;
pub use xlsx::render_xlsx;

/// Renders `data` in `format`.
pub fn render(format: Format, data: &ReportData) -> Result<Vec<u8>, RenderError> {
    match format {
        Format::Pdf => render_pdf(data),
        Format::Xlsx => render_xlsx(data),
        Format::Csv => render_csv(data),
    }
}
