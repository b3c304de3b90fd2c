//! End-to-end checks of the public API on the fixtures.

use std::path::PathBuf;
use std::process::Command;

use reports::{Format, RenderError, fixtures, format_money, render};

/// Text of a PDF via poppler's `pdftotext`, or `None` when it is not installed.
fn pdf_text(bytes: &[u8], name: &str) -> Option<String> {
    let path: PathBuf =
        std::env::temp_dir().join(format!("reports-test-{}-{name}.pdf", std::process::id()));
    std::fs::write(&path, bytes).expect("temp file");
    let output = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_file(&path);
    match output {
        Ok(output) if output.status.success() => {
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Ok(output) => panic!(
            "pdftotext failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => {
            eprintln!("pdftotext not on PATH: skipping text extraction checks");
            None
        }
    }
}

#[test]
fn year_pdf_has_kpis_tables_and_page_numbers() {
    let data = fixtures::year_hourly(11);
    let bytes = render(Format::Pdf, &data).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let Some(text) = pdf_text(&bytes, "year") else {
        return;
    };
    let revenue = format_money(data.kpis.revenue, &data.currency);
    assert!(text.contains(&revenue), "revenue KPI {revenue} missing");
    for needle in [
        data.title.as_str(),
        "Riverside Music Hall",
        "1 Jan 2025 – 31 Dec 2025",
        "Sales velocity",
        "Door scans",
        "Daily sales",
        "Daily sales (continued)",
        "Ticket tiers",
        "Sales channels",
        "Entry points",
        "Campaigns",
        "Customer segments",
        "General admission",
        "Wed 31 Dec 2025",
        "Page 1 of",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from the PDF text"
        );
    }
    let tickets = format!("{}", data.kpis.tickets_sold);
    let grouped = format!(
        "{},{:03}",
        &tickets[..tickets.len() - 3],
        data.kpis.tickets_sold % 1000
    );
    assert!(text.contains(&grouped), "tickets KPI {grouped} missing");
}

#[test]
fn show_pdf_names_the_show() {
    let data = fixtures::show_week(4);
    let bytes = render("PDF".parse().unwrap(), &data).unwrap();
    let Some(text) = pdf_text(&bytes, "week") else {
        return;
    };
    assert!(text.contains("Midnight Echo — Summer Tour"));
    assert!(text.contains(&format_money(data.kpis.average_order_value, "USD")));
    // Gross, refunded and net side by side; the change against the previous period.
    for needle in [
        "Gross revenue",
        "Refunded",
        "Net revenue",
        "Check-ins",
        "Main entrance",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} missing from the show PDF"
        );
    }
    let net = format_money(data.kpis.net_revenue(), "USD");
    assert!(text.contains(&net), "net revenue {net} missing");
    let previous = data.previous.as_ref().unwrap();
    let change = (data.kpis.revenue - previous.revenue) as f64 / previous.revenue as f64 * 100.0;
    let shown = format!("{change:+.1}%");
    assert!(
        text.contains(&shown),
        "gross revenue change {shown} missing"
    );
}

#[test]
fn show_xlsx_has_previous_period_and_check_ins() {
    use calamine::{Data, DataType, Reader, Xlsx};
    let data = fixtures::show_week(4);
    let bytes = render(Format::Xlsx, &data).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let row = (0..summary.height() as u32)
        .find(|&r| summary.get_value((r, 0)) == Some(&Data::String("Net revenue".into())))
        .expect("a Net revenue row");
    let value = |c| {
        summary
            .get_value((row, c))
            .and_then(DataType::get_float)
            .unwrap()
    };
    assert_eq!(value(1), data.kpis.net_revenue() as f64 / 100.0);
    let before = data.previous.as_ref().unwrap().net_revenue();
    assert_eq!(value(2), before as f64 / 100.0);
    let change = (data.kpis.net_revenue() - before) as f64 / before as f64;
    assert!((value(3) - change).abs() < 1e-9, "{} vs {change}", value(3));

    let checkins = book.worksheet_range("Check-ins").unwrap();
    assert_eq!(checkins.height(), data.checkins[0].points.len() + 1);
    let last = data.checkins.len() as u32 + 1;
    assert_eq!(
        checkins.get_value((0, last)),
        Some(&Data::String("All gates".into()))
    );
    let total: f64 = (1..checkins.height() as u32)
        .filter_map(|r| checkins.get_value((r, last))?.get_float())
        .sum();
    let expected: i64 = data
        .checkins
        .iter()
        .flat_map(|g| g.points.iter().map(|p| p.1))
        .sum();
    assert_eq!(total, expected as f64);
}

#[test]
fn every_format_renders_and_is_deterministic() {
    let data = fixtures::show_week(9);
    for format in Format::ALL {
        let first = render(format, &data).unwrap();
        assert!(!first.is_empty(), "{format}");
        // Same data, same bytes (stable S3 ETags); XLSX uses generated_at as its creation time.
        assert_eq!(first, render(format, &data).unwrap(), "{format}");
    }
}

#[test]
fn empty_report_still_renders() {
    let mut data = fixtures::show_week(1);
    data.rows.clear();
    data.daily.clear();
    data.tiers.clear();
    data.channels.clear();
    data.campaigns.clear();
    data.entry_points.clear();
    data.segments.clear();
    data.kpis = reports::Kpis::default();
    for format in Format::ALL {
        assert!(!render(format, &data).unwrap().is_empty(), "{format}");
    }
}

#[test]
fn invalid_input_is_an_error() {
    let mut data = fixtures::show_week(1);
    data.granularity = "5m".into();
    assert!(matches!(
        render(Format::Pdf, &data),
        Err(RenderError::InvalidData(_))
    ));
    let mut data = fixtures::show_week(1);
    data.currency = "US".into();
    assert!(matches!(
        render(Format::Xlsx, &data),
        Err(RenderError::InvalidData(_))
    ));
}

#[test]
fn report_data_json_is_camel_case_and_round_trips() {
    let data = fixtures::show_week(2);
    let json = serde_json::to_value(&data).unwrap();
    assert!(json.get("venueName").is_some());
    assert!(json["kpis"].get("salesVelocityPerHour").is_some());
    assert!(json["rows"][0].get("bucketStart").is_some());
    let back: reports::ReportData = serde_json::from_value(json).unwrap();
    assert_eq!(back, data);
}

#[test]
fn daily_granularity_renders_in_every_format() {
    let mut data = fixtures::year_hourly(6);
    data.rows = data.daily.clone();
    data.granularity = "1d".into();
    let csv = render(Format::Csv, &data).unwrap();
    assert_eq!(
        csv.split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .count(),
        366
    );
    assert!(render(Format::Xlsx, &data).unwrap().starts_with(b"PK"));
    let pdf = render(Format::Pdf, &data).unwrap();
    let Some(text) = pdf_text(&pdf, "daily") else {
        return;
    };
    assert!(text.contains("Weekly totals"));
    assert!(text.contains(&format_money(data.kpis.revenue, &data.currency)));
}
