//! The output formats a report can be rendered to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::RenderError;

/// A report file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Xlsx,
    Csv,
}

impl Format {
    /// Every format, in the order reports are usually produced.
    pub const ALL: [Format; 3] = [Format::Pdf, Format::Xlsx, Format::Csv];

    /// File extension without the dot.
    pub fn extension(&self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// MIME type for `Content-Type` headers and S3 object metadata.
    pub fn content_type(&self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = RenderError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| s.trim().eq_ignore_ascii_case(format.extension()))
            .ok_or_else(|| RenderError::UnknownFormat(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_and_round_trips() {
        for (text, format) in [
            ("pdf", Format::Pdf),
            ("XLSX", Format::Xlsx),
            ("Csv", Format::Csv),
        ] {
            let parsed: Format = text.parse().unwrap();
            assert_eq!(parsed, format);
            assert_eq!(parsed.to_string().parse::<Format>().unwrap(), format);
        }
        assert!("docx".parse::<Format>().is_err());
    }

    #[test]
    fn serde_is_lowercase() {
        assert_eq!(serde_json::to_string(&Format::Xlsx).unwrap(), "\"xlsx\"");
        let back: Format = serde_json::from_str("\"pdf\"").unwrap();
        assert_eq!(back, Format::Pdf);
    }
}
