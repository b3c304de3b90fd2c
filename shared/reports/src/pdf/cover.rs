//! Cover: dark banner with title and venue, report details, KPI tiles.

use super::canvas::{Align, TextStyle};
use super::document::Document;
use super::fonts::Font;
use super::theme::{
    BANNER, CONTENT_WIDTH, CORAL, FAINT, H1, INK, LABEL, MARGIN_X, NAVY, PAGE_WIDTH, Rgb, SAGE,
    SMALL, STRIPE, TEAL,
};
use crate::context::ReportContext;
use crate::kpi_list::{Kpi, KpiValue, change, higher_is_better, kpi_groups};
use crate::money::{format_count, format_money, format_percent};

const BANNER_HEIGHT: f32 = 118.0;
const TILE_HEIGHT: f32 = 56.0;
const TILE_GAP: f32 = 10.0;
const TILES_PER_ROW: usize = 4;

pub(crate) fn draw(doc: &mut Document, ctx: &ReportContext<'_>) {
    let data = ctx.data;
    doc.new_page();
    let page = doc.page();
    page.fill_rect(0.0, 0.0, PAGE_WIDTH, BANNER_HEIGHT, BANNER);
    let overline = TextStyle::new(Font::Bold, 8.0, Rgb::hex(0x9FB3C8));
    let kind = if data.event_id.is_some() {
        "SHOW REPORT"
    } else {
        "VENUE REPORT"
    };
    page.text(MARGIN_X, 40.0, overline, Align::Left, kind);
    page.text_fit(MARGIN_X, 68.0, H1, Align::Left, CONTENT_WIDTH, &data.title);
    let subtitle = TextStyle::new(Font::Regular, 12.0, Rgb::hex(0xD9E2EC));
    let venue_line = match &data.show_name {
        Some(show) => format!("{} — {}", data.venue_name, show),
        None => data.venue_name.clone(),
    };
    page.text_fit(
        MARGIN_X,
        92.0,
        subtitle,
        Align::Left,
        CONTENT_WIDTH,
        &venue_line,
    );

    let mut details = vec![
        ("PERIOD", ctx.period_label()),
        ("TIME ZONE", data.timezone.clone()),
        (
            "GENERATED",
            ctx.local(data.generated_at)
                .format("%-d %b %Y, %H:%M")
                .to_string(),
        ),
    ];
    if let Some(event) = &data.event_id {
        details.push(("EVENT", event.clone()));
    }
    // The period ("18 Nov 2026 – 25 Nov 2026") needs half again as much room as the rest.
    let shares: f32 = 0.5 + details.len() as f32;
    let value_style = TextStyle::new(Font::Regular, 9.5, INK);
    let mut x = MARGIN_X;
    for (i, (label, value)) in details.iter().enumerate() {
        let column_width = CONTENT_WIDTH * if i == 0 { 1.5 } else { 1.0 } / shares;
        page.text(x, BANNER_HEIGHT + 26.0, LABEL, Align::Left, label);
        page.text_fit(
            x,
            BANNER_HEIGHT + 40.0,
            value_style,
            Align::Left,
            column_width - 10.0,
            value,
        );
        x += column_width;
    }
    doc.y = BANNER_HEIGHT + 66.0;

    let accents = [NAVY, TEAL, SAGE];
    let previous = data.previous.as_ref().map(kpi_groups);
    for (i, ((group, kpis), accent)) in kpi_groups(&data.kpis).iter().zip(accents).enumerate() {
        let before = previous.as_ref().map(|p| p[i].1.as_slice());
        draw_group(doc, ctx, group, kpis, before, accent);
    }
    doc.y += 6.0;
}

/// `previous`: the same tiles for the previous period; each tile then shows
/// its change in its top right corner ("+4.1%", rates in points).
fn draw_group(
    doc: &mut Document,
    ctx: &ReportContext<'_>,
    title: &str,
    kpis: &[Kpi],
    previous: Option<&[Kpi]>,
    accent: Rgb,
) {
    let y = doc.y;
    let page = doc.page();
    page.text(MARGIN_X, y + 8.0, LABEL, Align::Left, &title.to_uppercase());
    let top = y + 14.0;
    let tile_width =
        (CONTENT_WIDTH - TILE_GAP * (TILES_PER_ROW as f32 - 1.0)) / TILES_PER_ROW as f32;
    for (i, kpi) in kpis.iter().enumerate() {
        let x = MARGIN_X + (tile_width + TILE_GAP) * (i % TILES_PER_ROW) as f32;
        let tile_top = top + (TILE_HEIGHT + TILE_GAP) * (i / TILES_PER_ROW) as f32;
        page.fill_rect(x, tile_top, tile_width, TILE_HEIGHT, STRIPE);
        page.fill_rect(x, tile_top, 3.0, TILE_HEIGHT, accent);
        let inner = tile_width - 20.0;
        let changed = previous
            .and_then(|p| p.get(i))
            .and_then(|before| change(kpi.value, before.value));
        // Room for the change in the corner.
        let label_width = if changed.is_some() {
            inner - 34.0
        } else {
            inner
        };
        page.text_fit(
            x + 12.0,
            tile_top + 15.0,
            SMALL,
            Align::Left,
            label_width,
            kpi.label,
        );
        if let Some(c) = changed {
            let text = match kpi.value {
                KpiValue::Rate(_) => format!("{:+.1} pt", c * 100.0),
                _ => format!("{:+.1}%", c * 100.0),
            };
            let good = (c >= 0.0) == higher_is_better(kpi.label);
            let color = if c == 0.0 || good { SAGE } else { CORAL };
            page.text(
                x + tile_width - 8.0,
                tile_top + 15.0,
                TextStyle::new(Font::Bold, 7.5, color),
                Align::Right,
                &text,
            );
        }
        let value = value_text(ctx, kpi.value);
        let size = fitting_size(&value, inner);
        page.text(
            x + 12.0,
            tile_top + 35.0,
            TextStyle::new(Font::Bold, size, INK),
            Align::Left,
            &value,
        );
        if let Some(caption) = caption(ctx, kpi) {
            let style = TextStyle {
                color: FAINT,
                ..SMALL
            };
            page.text_fit(
                x + 12.0,
                tile_top + 48.0,
                style,
                Align::Left,
                inner,
                &caption,
            );
        }
    }
    let rows = kpis.len().div_ceil(TILES_PER_ROW) as f32;
    doc.y = top + rows * (TILE_HEIGHT + TILE_GAP) + 8.0;
}

/// Largest value size (≤ 17pt) that fits the tile.
fn fitting_size(text: &str, width: f32) -> f32 {
    let mut size = 17.0;
    while size > 9.0 && Font::Bold.width(text, size) > width {
        size -= 0.5;
    }
    size
}

fn value_text(ctx: &ReportContext<'_>, value: KpiValue) -> String {
    match value {
        KpiValue::Money(minor) => format_money(minor, &ctx.data.currency),
        KpiValue::Count(count) => format_count(count),
        KpiValue::Rate(rate) => format_percent(rate),
        KpiValue::PerHour(per_hour) => format!("{per_hour:.1}"),
    }
}

/// A short line of context under some tiles.
fn caption(ctx: &ReportContext<'_>, kpi: &Kpi) -> Option<String> {
    let k = &ctx.data.kpis;
    let share =
        |part: i64, whole: i64| format_percent((whole > 0).then(|| part as f64 / whole as f64));
    let scans = k.scans_admitted + k.scans_rejected + k.scans_duplicate;
    Some(match kpi.label {
        "Orders" if k.orders > 0 => {
            format!(
                "avg {} (gross)",
                format_money(k.average_order_value, &ctx.data.currency)
            )
        }
        "Tickets sold" if k.tickets_refunded != 0 => {
            format!("{} held after refunds", format_count(k.net_tickets()))
        }
        "Tickets sold" if k.orders > 0 => {
            format!("{:.2} per order", k.tickets_sold as f64 / k.orders as f64)
        }
        "Sales velocity (tickets/hour)" => format!(
            "over {} hours",
            format_count(ctx.period_hours().round() as i64)
        ),
        "Cart adds" => format!(
            "{} abandoned ({})",
            format_count(k.cart_abandons),
            share(k.cart_abandons, k.cart_adds)
        ),
        "Gross revenue" if !ctx.data.other_currencies.is_empty() => {
            let others: Vec<String> = ctx
                .data
                .other_currencies
                .iter()
                .map(|o| format_money(o.revenue, &o.currency))
                .collect();
            format!("also {} (not added)", others.join(", "))
        }
        "Gross revenue" => "before refunds".to_owned(),
        "Refunded" => format!(
            "{} refunds, {} tickets",
            format_count(k.refunds),
            format_count(k.tickets_refunded)
        ),
        "Net revenue" => format!("{} of gross", share(k.net_revenue(), k.revenue)),
        "Conversion rate" => "orders / page views".to_owned(),
        "Attendance rate" => "admitted / net tickets sold".to_owned(),
        "Scans rejected" => format!(
            "{} of scans, {} duplicate",
            share(k.scans_rejected, scans),
            format_count(k.scans_duplicate)
        ),
        _ => return None,
    })
}
