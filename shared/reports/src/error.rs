//! Errors a renderer can return.

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The input violates a documented precondition (bad time zone, currency, ...).
    #[error("invalid report data: {0}")]
    InvalidData(String),
    /// A format name that is not `pdf`, `xlsx` or `csv`.
    #[error("unknown report format {0:?} (expected pdf, xlsx or csv)")]
    UnknownFormat(String),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
