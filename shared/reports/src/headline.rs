//! The headline of a report in words, for the places that are not the
//! report itself (the email a scheduled report is delivered with): its
//! period as venue-local dates and its main KPIs, formatted as the PDF
//! tiles format them, with the change against the previous period.

use crate::context::ReportContext;
use crate::kpi_list::{KpiValue, change, kpi_groups};
use crate::money::{format_count, format_money, format_percent};
use crate::{RenderError, ReportData};

/// One headline figure: `Net revenue`, `$12,345.00`, `+12.0% vs previous period`.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineFigure {
    pub label: &'static str,
    pub value: String,
    pub change: Option<String>,
}

/// What a message about a report says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Venue-local, end inclusive: `23 Nov 2026 – 29 Nov 2026`.
    pub period: String,
    pub figures: Vec<HeadlineFigure>,
}

/// The KPIs a headline carries, in this order.
const HEADLINE_LABELS: [&str; 6] = [
    "Net revenue",
    "Gross revenue",
    "Refunded",
    "Tickets sold",
    "Orders",
    "Scans admitted",
];

/// The headline of `data`.
///
/// # Errors
/// The same invalid data the renderers refuse (unknown zone, bad currency).
pub fn headline(data: &ReportData) -> Result<Headline, RenderError> {
    let ctx = ReportContext::new(data)?;
    let now = kpi_groups(&data.kpis);
    let before = data.previous.as_ref().map(kpi_groups);
    let find = |groups: &[(&'static str, [crate::kpi_list::Kpi; 4]); 3], label: &str| {
        groups
            .iter()
            .flat_map(|(_, kpis)| kpis.iter())
            .find(|k| k.label == label)
            .map(|k| k.value)
    };
    let text = |value: KpiValue| match value {
        KpiValue::Money(minor) => format_money(minor, &data.currency),
        KpiValue::Count(count) => format_count(count),
        KpiValue::Rate(rate) => format_percent(rate),
        KpiValue::PerHour(per_hour) => format!("{per_hour:.1}"),
    };
    let figures = HEADLINE_LABELS
        .iter()
        .filter_map(|label| {
            let value = find(&now, label)?;
            let change = before
                .as_ref()
                .and_then(|b| find(b, label))
                .and_then(|b| change(value, b))
                .map(|c| format!("{:+.1}% vs previous period", c * 100.0));
            Some(HeadlineFigure {
                label,
                value: text(value),
                change,
            })
        })
        .collect();
    Ok(Headline {
        period: ctx.period_label(),
        figures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn names_the_period_and_the_main_figures() {
        let data = fixtures::show_week(7);
        let h = headline(&data).unwrap();
        assert!(h.period.contains(" – "), "{}", h.period);
        let labels: Vec<_> = h.figures.iter().map(|f| f.label).collect();
        assert_eq!(labels, HEADLINE_LABELS);
        let net = &h.figures[0];
        assert_eq!(
            net.value,
            format_money(data.kpis.net_revenue(), &data.currency)
        );
    }
}
