//! Exact money and number formatting for humans.
//!
//! Amounts are integer minor units; formatting is done with integer
//! arithmetic so no amount is ever rounded through a float.

/// Number of minor-unit digits of an ISO 4217 currency (2 unless listed).
pub fn currency_exponent(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Symbol printed before the amount, for the currencies that have a
/// well-known one; others are written as `CODE 1,234.56`.
fn currency_symbol(currency: &str) -> Option<&'static str> {
    match currency.to_ascii_uppercase().as_str() {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// Formats minor units as currency: `4500, "USD"` → `$45.00`,
/// `-5, "USD"` → `-$0.05`, `123456, "CHF"` → `CHF 1,234.56`.
pub fn format_money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let amount = format_unsigned_decimal(minor.unsigned_abs(), currency_exponent(currency), true);
    match currency_symbol(currency) {
        Some(symbol) => format!("{sign}{symbol}{amount}"),
        None => format!("{sign}{} {amount}", currency.to_ascii_uppercase()),
    }
}

/// Plain machine decimal of minor units without grouping or symbol:
/// `-4500, "USD"` → `-45.00` (used by the CSV `revenue` column).
pub fn format_decimal(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let amount = format_unsigned_decimal(minor.unsigned_abs(), currency_exponent(currency), false);
    format!("{sign}{amount}")
}

/// Minor units as a float of major units, for spreadsheet cells and charts
/// (exact for any amount below 2^53 minor units).
pub fn minor_to_major(minor: i64, currency: &str) -> f64 {
    minor as f64 / 10f64.powi(currency_exponent(currency) as i32)
}

fn format_unsigned_decimal(value: u64, exponent: u32, grouped: bool) -> String {
    let scale = 10u64.pow(exponent);
    let whole = value / scale;
    let whole = if grouped {
        group_thousands(whole)
    } else {
        whole.to_string()
    };
    if exponent == 0 {
        whole
    } else {
        format!(
            "{whole}.{:0width$}",
            value % scale,
            width = exponent as usize
        )
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Integer with thousands separators: `-1234567` → `-1,234,567`.
pub(crate) fn format_count(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}", group_thousands(value.unsigned_abs()))
}

/// A fraction as a percentage with one decimal, or an em dash when unknown.
pub(crate) fn format_percent(rate: Option<f64>) -> String {
    match rate {
        Some(rate) if rate.is_finite() => format!("{:.1}%", rate * 100.0),
        _ => "—".to_owned(),
    }
}

/// Short axis label: `1250` → `1.3k`, `2_500_000` → `2.5M`.
pub(crate) fn format_compact(value: f64) -> String {
    let abs = value.abs();
    let (scaled, suffix) = if abs >= 1e9 {
        (value / 1e9, "B")
    } else if abs >= 1e6 {
        (value / 1e6, "M")
    } else if abs >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let decimals = if scaled.abs() >= 100.0 {
        0
    } else if scaled.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{scaled:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text}{suffix}")
}

/// Compact money for axis labels: `$12.5k`.
pub(crate) fn format_money_compact(major: f64, currency: &str) -> String {
    let sign = if major < 0.0 { "-" } else { "" };
    let compact = format_compact(major.abs());
    match currency_symbol(currency) {
        Some(symbol) => format!("{sign}{symbol}{compact}"),
        None => format!("{sign}{compact}"),
    }
}

/// Excel number format showing major units with the currency symbol/code.
pub(crate) fn excel_currency_format(currency: &str) -> String {
    let decimals = match currency_exponent(currency) {
        0 => String::new(),
        n => format!(".{}", "0".repeat(n as usize)),
    };
    let prefix = match currency_symbol(currency) {
        Some(symbol) => format!("\"{symbol}\""),
        None => format!("\"{} \"", currency.to_ascii_uppercase()),
    };
    format!("{prefix}#,##0{decimals};-{prefix}#,##0{decimals}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_edge_cases_are_exact() {
        let cases = [
            (4500, "USD", "$45.00"),
            (0, "USD", "$0.00"),
            (5, "USD", "$0.05"),
            (-5, "USD", "-$0.05"),
            (-4500, "USD", "-$45.00"),
            (100_000_099, "USD", "$1,000,000.99"),
            (100_000_099, "EUR", "€1,000,000.99"),
            (123_456, "CHF", "CHF 1,234.56"),
            (123_456, "chf", "CHF 1,234.56"),
            (1_500, "JPY", "¥1,500"),
            (1_234_567, "KWD", "KWD 1,234.567"),
            (i64::MIN, "USD", "-$92,233,720,368,547,758.08"),
        ];
        for (minor, currency, expected) in cases {
            assert_eq!(
                format_money(minor, currency),
                expected,
                "{minor} {currency}"
            );
        }
    }

    #[test]
    fn decimal_and_major_units() {
        assert_eq!(format_decimal(100_000_099, "USD"), "1000000.99");
        assert_eq!(format_decimal(-5, "USD"), "-0.05");
        assert_eq!(format_decimal(7, "JPY"), "7");
        assert_eq!(minor_to_major(4500, "USD"), 45.0);
        assert_eq!(minor_to_major(1234, "KWD"), 1.234);
    }

    #[test]
    fn counts_percent_compact() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(-1_234_567), "-1,234,567");
        assert_eq!(format_percent(Some(0.1234)), "12.3%");
        assert_eq!(format_percent(None), "—");
        assert_eq!(format_compact(1250.0), "1.25k");
        assert_eq!(format_compact(2_500_000.0), "2.5M");
        assert_eq!(format_compact(0.0), "0");
        assert_eq!(format_compact(40_000.0), "40k");
        assert_eq!(format_money_compact(12_500.0, "USD"), "$12.5k");
    }

    #[test]
    fn excel_formats() {
        assert_eq!(excel_currency_format("USD"), "\"$\"#,##0.00;-\"$\"#,##0.00");
        assert_eq!(excel_currency_format("JPY"), "\"¥\"#,##0;-\"¥\"#,##0");
        assert_eq!(
            excel_currency_format("CHF"),
            "\"CHF \"#,##0.00;-\"CHF \"#,##0.00"
        );
    }
}
