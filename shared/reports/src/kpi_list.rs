//! The KPI list, in display order, shared by the XLSX summary and PDF tiles.

use crate::Kpis;

/// How a KPI value is displayed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum KpiValue {
    Money(i64),
    Count(i64),
    Rate(Option<f64>),
    PerHour(f64),
}

/// One labelled KPI.
pub(crate) struct Kpi {
    pub label: &'static str,
    pub value: KpiValue,
}

/// KPI groups as shown in reports: (group title, KPIs). Revenue is shown
/// gross, refunded and net, side by side.
pub(crate) fn kpi_groups(kpis: &Kpis) -> [(&'static str, [Kpi; 4]); 3] {
    use KpiValue::{Count, Money, PerHour, Rate};
    let kpi = |label, value| Kpi { label, value };
    [
        (
            "Sales",
            [
                kpi("Gross revenue", Money(kpis.revenue)),
                kpi("Refunded", Money(kpis.refunded)),
                kpi("Net revenue", Money(kpis.net_revenue())),
                kpi("Orders", Count(kpis.orders)),
            ],
        ),
        (
            "Demand",
            [
                kpi(
                    "Sales velocity (tickets/hour)",
                    PerHour(kpis.sales_velocity_per_hour),
                ),
                kpi("Page views", Count(kpis.page_views)),
                kpi("Cart adds", Count(kpis.cart_adds)),
                kpi("Conversion rate", Rate(kpis.conversion_rate)),
            ],
        ),
        (
            "Tickets and entry",
            [
                kpi("Tickets sold", Count(kpis.tickets_sold)),
                kpi("Scans admitted", Count(kpis.scans_admitted)),
                kpi("Attendance rate", Rate(kpis.attendance_rate)),
                kpi("Scans rejected", Count(kpis.scans_rejected)),
            ],
        ),
    ]
}

/// KPIs that only fit the flat XLSX list (the PDF shows them as captions).
pub(crate) fn extra_kpis(kpis: &Kpis) -> [Kpi; 6] {
    [
        Kpi {
            label: "Average order value (gross)",
            value: KpiValue::Money(kpis.average_order_value),
        },
        Kpi {
            label: "Refunds",
            value: KpiValue::Count(kpis.refunds),
        },
        Kpi {
            label: "Tickets refunded",
            value: KpiValue::Count(kpis.tickets_refunded),
        },
        Kpi {
            label: "Duplicate scans",
            value: KpiValue::Count(kpis.scans_duplicate),
        },
        Kpi {
            label: "Cart checkouts",
            value: KpiValue::Count(kpis.cart_checkouts),
        },
        Kpi {
            label: "Cart abandons",
            value: KpiValue::Count(kpis.cart_abandons),
        },
    ]
}

/// Relative change from `before` to `now` (a fraction; rates: their
/// difference), `None` when there is nothing to compare with.
pub(crate) fn change(now: KpiValue, before: KpiValue) -> Option<f64> {
    let relative = |a: f64, b: f64| (b != 0.0).then(|| (a - b) / b.abs());
    #[allow(clippy::cast_precision_loss)]
    match (now, before) {
        (KpiValue::Money(a), KpiValue::Money(b)) | (KpiValue::Count(a), KpiValue::Count(b)) => {
            relative(a as f64, b as f64)
        }
        (KpiValue::PerHour(a), KpiValue::PerHour(b)) => relative(a, b),
        (KpiValue::Rate(Some(a)), KpiValue::Rate(Some(b))) => Some(a - b),
        _ => None,
    }
}

/// Whether a rise of this KPI is good news (refunds and rejections are not).
pub(crate) fn higher_is_better(label: &str) -> bool {
    !matches!(
        label,
        "Refunded" | "Refunds" | "Tickets refunded" | "Scans rejected" | "Duplicate scans"
    )
}
