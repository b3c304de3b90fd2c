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

/// KPI groups as shown in reports: (group title, KPIs).
pub(crate) fn kpi_groups(kpis: &Kpis) -> [(&'static str, [Kpi; 4]); 3] {
    use KpiValue::{Count, Money, PerHour, Rate};
    let kpi = |label, value| Kpi { label, value };
    [
        (
            "Sales",
            [
                kpi("Revenue", Money(kpis.revenue)),
                kpi("Tickets sold", Count(kpis.tickets_sold)),
                kpi("Orders", Count(kpis.orders)),
                kpi("Average order value", Money(kpis.average_order_value)),
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
            "Entry",
            [
                kpi("Scans admitted", Count(kpis.scans_admitted)),
                kpi("Attendance rate", Rate(kpis.attendance_rate)),
                kpi("Scans rejected", Count(kpis.scans_rejected)),
                kpi("Duplicate scans", Count(kpis.scans_duplicate)),
            ],
        ),
    ]
}

/// KPIs that only fit the flat XLSX list (the PDF shows them as captions).
pub(crate) fn extra_kpis(kpis: &Kpis) -> [Kpi; 2] {
    [
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
