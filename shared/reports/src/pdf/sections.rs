//! Report sections after the cover: charts and tables.

use super::chart::{self, ChartSpec, Frame, Series, SeriesStyle};
use super::document::Document;
use super::table::{self, Column, Table, number, text};
use super::theme::{
    AMBER, CONTENT_BOTTOM, CONTENT_WIDTH, CORAL, MARGIN_TOP, MARGIN_X, NAVY, Rgb, SAGE, TEAL,
};
use crate::context::ReportContext;
use crate::money::{
    format_count, format_money, format_money_compact, format_percent, minor_to_major,
};
use crate::series::{BucketKind, ChartBucket};
use crate::{Breakdown, SegmentRow};

const CHART_HEIGHT: f32 = 300.0;
const CHART_GAP: f32 = 30.0;

fn x_labels(kind: BucketKind, buckets: &[ChartBucket]) -> Vec<String> {
    let pattern = match kind {
        BucketKind::Hour => "%a %H:%M",
        BucketKind::Day if buckets.len() <= 14 => "%a %-d %b",
        BucketKind::Day | BucketKind::Week => "%-d %b",
    };
    buckets
        .iter()
        .map(|b| b.start_local.format(pattern).to_string())
        .collect()
}

fn subtitle(kind: BucketKind, what: &str, tz: &str) -> String {
    format!("{} {what}, venue time ({tz})", kind.adjective())
}

/// Draws a chart in the next `height` points of the current page.
fn place(doc: &mut Document, height: f32, spec: &ChartSpec<'_>) {
    doc.ensure(height);
    let frame = Frame {
        x: MARGIN_X,
        y: doc.y,
        width: CONTENT_WIDTH,
        height,
    };
    chart::draw(doc.page(), frame, spec);
    doc.y += height + CHART_GAP;
}

/// Revenue per bucket, filling the rest of the cover page.
pub(crate) fn revenue_chart(
    doc: &mut Document,
    ctx: &ReportContext<'_>,
    kind: BucketKind,
    buckets: &[ChartBucket],
) {
    let currency = ctx.data.currency.as_str();
    let y_label = |v: f64| format_money_compact(v, currency);
    let spec = ChartSpec {
        title: "Gross revenue",
        subtitle: &subtitle(kind, "totals", &ctx.data.timezone),
        x_labels: x_labels(kind, buckets),
        series: vec![Series {
            name: "Gross revenue".into(),
            color: NAVY,
            style: SeriesStyle::Bars,
            values: buckets
                .iter()
                .map(|b| minor_to_major(b.totals.revenue, currency))
                .collect(),
        }],
        y_label: &y_label,
    };
    let height = (CONTENT_BOTTOM - doc.y).clamp(180.0, CHART_HEIGHT);
    place(doc, height, &spec);
}

/// A show's check-ins around doors: admitted scans per 5 minutes, stacked by gate.
pub(crate) fn checkins_chart(doc: &mut Document, ctx: &ReportContext<'_>) {
    let gates = &ctx.data.checkins;
    let Some(first) = gates.first() else {
        return;
    };
    const COLORS: [Rgb; 5] = [TEAL, NAVY, AMBER, CORAL, SAGE];
    let y_label = |v: f64| crate::money::format_compact(v);
    let peak = (0..first.points.len())
        .map(|i| {
            gates
                .iter()
                .map(|g| g.points.get(i).map_or(0, |p| p.1))
                .sum::<i64>()
        })
        .enumerate()
        .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)));
    let subtitle = match peak {
        Some((i, n)) if n > 0 => format!(
            "admitted per 5 minutes by gate, venue time ({}); peak {} at {}",
            ctx.data.timezone,
            format_count(n),
            ctx.local(first.points[i].0).format("%H:%M")
        ),
        _ => format!(
            "admitted per 5 minutes by gate, venue time ({})",
            ctx.data.timezone
        ),
    };
    let spec = ChartSpec {
        title: "Check-ins",
        subtitle: &subtitle,
        x_labels: first
            .points
            .iter()
            .map(|p| ctx.local(p.0).format("%H:%M").to_string())
            .collect(),
        series: gates
            .iter()
            .take(COLORS.len())
            .zip(COLORS)
            .map(|(g, color)| Series {
                name: g.gate.clone().into(),
                color,
                style: SeriesStyle::Bars,
                values: g.points.iter().map(|p| p.1 as f64).collect(),
            })
            .collect(),
        y_label: &y_label,
    };
    place(doc, half_page_chart_height(), &spec);
}

/// A show's cumulative net tickets by days before it, over the median and
/// range of the venue's earlier shows at the same distance.
pub(crate) fn pacing_chart(doc: &mut Document, ctx: &ReportContext<'_>) {
    let Some(p) = &ctx.data.pacing else {
        return;
    };
    let y_label = |v: f64| crate::money::format_compact(v);
    let known: Vec<f64> = p
        .points
        .iter()
        .map_while(|x| x.tickets.map(|t| t as f64))
        .collect();
    let mut series = vec![Series {
        name: "This show".into(),
        color: TEAL,
        style: SeriesStyle::Line,
        values: known,
    }];
    if p.comparables > 0 {
        let trace = |name: &'static str, color, f: fn(&crate::PacingPoint) -> Option<f64>| Series {
            name: name.into(),
            color,
            style: SeriesStyle::Trace,
            values: p.points.iter().map(|x| f(x).unwrap_or(0.0)).collect(),
        };
        series.push(trace("Median", NAVY, |x| x.median));
        series.push(trace("Lowest", SAGE, |x| x.min.map(|v| v as f64)));
        series.push(trace("Highest", AMBER, |x| x.max.map(|v| v as f64)));
    }
    let subtitle = match (&p.standing, p.comparables) {
        (Some(s), _) => format!("net tickets by days before the show; {s}"),
        (None, 0) => "net tickets by days before the show; no earlier show to compare".into(),
        (None, n) => format!("net tickets by days before the show, against {n} earlier show(s)"),
    };
    let spec = ChartSpec {
        title: "Pacing against earlier shows",
        subtitle: &subtitle,
        x_labels: p
            .points
            .iter()
            .map(|x| match x.days_before {
                0 => "show day".to_owned(),
                d => format!("D-{d}"),
            })
            .collect(),
        series,
        y_label: &y_label,
    };
    place(doc, half_page_chart_height(), &spec);
}

/// Height for each of two charts sharing one page.
pub(crate) fn half_page_chart_height() -> f32 {
    (CONTENT_BOTTOM - MARGIN_TOP - 2.0 * CHART_GAP) / 2.0
}

/// Tickets per hour per bucket.
pub(crate) fn velocity_chart(
    doc: &mut Document,
    ctx: &ReportContext<'_>,
    kind: BucketKind,
    buckets: &[ChartBucket],
) {
    let y_label = |v: f64| {
        if v.abs() < 10.0 && v.fract() != 0.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.0}")
        }
    };
    let spec = ChartSpec {
        title: "Sales velocity",
        subtitle: &subtitle(kind, "average tickets sold per hour", &ctx.data.timezone),
        x_labels: x_labels(kind, buckets),
        series: vec![Series {
            name: "Tickets per hour".into(),
            color: TEAL,
            style: SeriesStyle::Line,
            values: buckets.iter().map(ChartBucket::velocity).collect(),
        }],
        y_label: &y_label,
    };
    place(doc, half_page_chart_height(), &spec);
}

/// Door scans per bucket, stacked by outcome.
pub(crate) fn scans_chart(doc: &mut Document, kind: BucketKind, buckets: &[ChartBucket]) {
    let values = |f: fn(&ChartBucket) -> i64| buckets.iter().map(|b| f(b) as f64).collect();
    let y_label = |v: f64| crate::money::format_compact(v);
    let spec = ChartSpec {
        title: "Door scans",
        subtitle: &format!("{} scans by outcome", kind.adjective()),
        x_labels: x_labels(kind, buckets),
        series: vec![
            Series {
                name: "Admitted".into(),
                color: SAGE,
                style: SeriesStyle::Bars,
                values: values(|b| b.totals.scans_admitted),
            },
            Series {
                name: "Rejected".into(),
                color: CORAL,
                style: SeriesStyle::Bars,
                values: values(|b| b.totals.scans_rejected),
            },
            Series {
                name: "Duplicate".into(),
                color: AMBER,
                style: SeriesStyle::Bars,
                values: values(|b| b.totals.scans_duplicate),
            },
        ],
        y_label: &y_label,
    };
    place(doc, half_page_chart_height(), &spec);
}

fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

fn per(numerator: i64, denominator: i64) -> i64 {
    if denominator > 0 {
        numerator / denominator
    } else {
        0
    }
}

pub(crate) fn tables(doc: &mut Document, ctx: &ReportContext<'_>) {
    let currency = ctx.data.currency.as_str();
    let money = |minor: i64| format_money(minor, currency);
    let daily = ctx.daily();
    let mut rows = Vec::with_capacity(daily.len());
    let mut total = crate::RollupRow::default();
    for day in daily.iter() {
        total.accumulate(day);
        rows.push(vec![
            ctx.local(day.bucket_start)
                .format("%a %-d %b %Y")
                .to_string(),
            money(day.revenue),
            money(day.net_revenue()),
            format_count(day.tickets_sold),
            format_count(day.orders),
            format_count(day.scans_admitted),
            format_count(day.scans_rejected + day.scans_duplicate),
            format_count(day.page_views),
            format_percent(ratio(day.orders, day.page_views)),
        ]);
    }
    let total_row = vec![
        "Total".to_owned(),
        money(total.revenue),
        money(total.net_revenue()),
        format_count(total.tickets_sold),
        format_count(total.orders),
        format_count(total.scans_admitted),
        format_count(total.scans_rejected + total.scans_duplicate),
        format_count(total.page_views),
        format_percent(ratio(total.orders, total.page_views)),
    ];
    table::draw(
        doc,
        &Table {
            title: "Daily sales",
            note: Some(format!(
                "venue-local days ({}); net = gross minus refunds, by refund date",
                ctx.data.timezone
            )),
            columns: vec![
                text("Date"),
                number("Gross"),
                number("Net"),
                number("Tickets"),
                number("Orders"),
                number("Admitted"),
                number("Rej./dup."),
                number("Page views"),
                number("Conv."),
            ],
            total: (!rows.is_empty()).then_some(total_row),
            compact: true,
            rows,
        },
    );
    let breakdowns: [(&str, &str, &[Breakdown]); 4] = [
        ("Ticket tiers", "Tier", &ctx.data.tiers),
        ("Sales channels", "Channel", &ctx.data.channels),
        ("Entry points", "Entry point", &ctx.data.entry_points),
        ("Campaigns", "Campaign", &ctx.data.campaigns),
    ];
    for (title, key, items) in breakdowns {
        table::draw(doc, &breakdown_table(title, key, items, currency));
    }
    table::draw(doc, &segment_table(&ctx.data.segments, currency));
}

fn breakdown_table<'a>(
    title: &'a str,
    key: &'static str,
    items: &[Breakdown],
    currency: &str,
) -> Table<'a> {
    let mut total = Breakdown::default();
    for item in items {
        total.revenue += item.revenue;
        total.tickets_sold += item.tickets_sold;
        total.orders += item.orders;
        total.scans_admitted += item.scans_admitted;
        total.page_views += item.page_views;
    }
    let any = |f: fn(&Breakdown) -> i64| items.iter().any(|item| f(item) != 0);
    // (column, shown?, cell text) — metrics that are zero for every key (say,
    // revenue of a door) are left out rather than printed as columns of zeros.
    type Cell = fn(&Breakdown, &Breakdown, &str) -> String;
    let metrics: [(Column, bool, Cell); 7] = [
        (number("Gross revenue"), any(|b| b.revenue), |b, _, c| {
            format_money(b.revenue, c)
        }),
        (number("Share"), any(|b| b.revenue), |b, t, _| {
            format_percent(ratio(b.revenue, t.revenue))
        }),
        (number("Tickets"), any(|b| b.tickets_sold), |b, _, _| {
            format_count(b.tickets_sold)
        }),
        (number("Orders"), any(|b| b.orders), |b, _, _| {
            format_count(b.orders)
        }),
        (number("Avg order"), any(|b| b.orders), |b, _, c| {
            format_money(per(b.revenue, b.orders), c)
        }),
        (number("Admitted"), any(|b| b.scans_admitted), |b, _, _| {
            format_count(b.scans_admitted)
        }),
        (number("Page views"), any(|b| b.page_views), |b, _, _| {
            format_count(b.page_views)
        }),
    ];
    let shown: Vec<&(Column, bool, Cell)> = metrics.iter().filter(|m| m.1).collect();
    let row = |item: &Breakdown, label: &str| {
        std::iter::once(label.to_owned())
            .chain(shown.iter().map(|m| (m.2)(item, &total, currency)))
            .collect()
    };
    let mut columns = vec![text(key)];
    columns.extend(shown.iter().map(|m| Column {
        header: m.0.header,
        align: m.0.align,
    }));
    Table {
        title,
        note: None,
        columns,
        rows: items.iter().map(|item| row(item, &item.key)).collect(),
        total: (!items.is_empty()).then(|| row(&total, "Total")),
        compact: false,
    }
}

fn segment_table<'a>(segments: &[SegmentRow], currency: &str) -> Table<'a> {
    let customers: i64 = segments.iter().map(|s| s.customers).sum();
    let revenue: i64 = segments.iter().map(|s| s.revenue).sum();
    let row = |label: &str, seg_customers: i64, seg_revenue: i64| {
        vec![
            label.to_owned(),
            format_count(seg_customers),
            format_percent(ratio(seg_customers, customers)),
            format_money(seg_revenue, currency),
            format_percent(ratio(seg_revenue, revenue)),
            format_money(per(seg_revenue, seg_customers), currency),
        ]
    };
    Table {
        title: "Customer segments",
        note: None,
        columns: vec![
            text("Segment"),
            number("Customers"),
            number("Share"),
            number("Net revenue"),
            number("Share"),
            number("Revenue / customer"),
        ],
        rows: segments
            .iter()
            .map(|s| row(&s.segment, s.customers, s.revenue))
            .collect(),
        total: (!segments.is_empty()).then(|| row("Total", customers, revenue)),
        compact: false,
    }
}
