//! PDF report: cover with KPI tiles and the revenue chart, a trends page
//! (sales velocity, door scans), then paginated tables.
//!
//! Built with `pdf-writer` and the standard Helvetica fonts (WinAnsi
//! encoding, not embedded): text stays extractable and files stay small.

mod canvas;
mod chart;
mod cover;
mod document;
mod fonts;
mod sections;
mod table;
mod theme;

use crate::context::ReportContext;
use crate::series::chart_buckets;
use crate::{RenderError, ReportData};
use document::{Document, DocumentMeta};

/// Renders the report as an A4 PDF.
pub fn render_pdf(data: &ReportData) -> Result<Vec<u8>, RenderError> {
    let ctx = ReportContext::new(data)?;
    let (kind, buckets) = chart_buckets(&ctx);
    let mut doc = Document::new();
    cover::draw(&mut doc, &ctx);
    sections::revenue_chart(&mut doc, &ctx, kind, &buckets);
    doc.new_page();
    sections::velocity_chart(&mut doc, &ctx, kind, &buckets);
    sections::scans_chart(&mut doc, kind, &buckets);
    if !data.checkins.is_empty() || data.pacing.is_some() {
        doc.new_page();
        sections::checkins_chart(&mut doc, &ctx);
        sections::pacing_chart(&mut doc, &ctx);
    }
    doc.new_page();
    sections::tables(&mut doc, &ctx);
    let footer = match &data.show_name {
        Some(show) => format!("{} · {} · {}", data.venue_name, show, data.title),
        None => format!("{} · {}", data.venue_name, data.title),
    };
    Ok(doc.finish(&DocumentMeta {
        title: &data.title,
        footer_left: &footer,
        generated_at: data.generated_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn starts_with_pdf_header_and_ends_with_eof() {
        let bytes = render_pdf(&fixtures::show_week(2)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"));
    }
}
