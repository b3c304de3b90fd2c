//! Vector charts: title, legend, y gridlines with nice ticks, x date labels,
//! stacked bars and lines (with a soft area fill).

use super::canvas::{Align, Canvas, TextStyle};
use super::theme::{AXIS, GRID, H3, MUTED, RULE, Rgb, SMALL};

/// How a series is drawn. Bar series stack on each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeriesStyle {
    Bars,
    Line,
    /// A thin line without the area fill, for reference lines over another.
    Trace,
}

pub(crate) struct Series {
    pub name: std::borrow::Cow<'static, str>,
    pub color: Rgb,
    pub style: SeriesStyle,
    pub values: Vec<f64>,
}

pub(crate) struct ChartSpec<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// One label per point; only some are drawn, evenly spaced.
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub y_label: &'a dyn Fn(f64) -> String,
}

/// Chart box position and size (top-left origin).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

const TARGET_TICKS: f64 = 5.0;
const HEADER_HEIGHT: f32 = 30.0;
const X_LABEL_HEIGHT: f32 = 16.0;

/// Axis range `[lo, hi]` covering `[min, max]` in round steps of 1, 2, 2.5 or 5 × 10^k.
pub(crate) fn nice_ticks(min: f64, max: f64) -> (f64, f64, f64) {
    let (min, max) = (min.min(0.0), max.max(0.0));
    let span = if max - min > 0.0 { max - min } else { 1.0 };
    let raw = span / TARGET_TICKS;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= raw)
        .unwrap_or(10.0 * magnitude);
    let lo = (min / step).floor() * step;
    let hi = ((max / step).ceil() * step).max(lo + step);
    (lo, hi, step)
}

pub(crate) fn draw(canvas: &mut Canvas, frame: Frame, spec: &ChartSpec<'_>) {
    let Frame {
        x,
        y,
        width,
        height,
    } = frame;
    canvas.text(x, y + 11.0, H3, Align::Left, spec.title);
    canvas.text(x, y + 23.0, SMALL, Align::Left, spec.subtitle);
    draw_legend(canvas, x + width, y + 11.0, &spec.series);

    let points = spec
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0);
    let (min, max) = value_range(&spec.series, points);
    let (lo, hi, step) = nice_ticks(min, max);
    let ticks: Vec<f64> = (0..)
        .map(|i| lo + f64::from(i) * step)
        .take_while(|v| *v <= hi + step * 1e-6)
        .collect();
    let label_width = ticks
        .iter()
        .map(|&t| AXIS.width(&(spec.y_label)(t)))
        .fold(0.0, f32::max);

    let plot_left = x + label_width + 8.0;
    let plot_top = y + HEADER_HEIGHT + 6.0;
    let plot_bottom = y + height - X_LABEL_HEIGHT;
    let plot_width = x + width - plot_left;
    let to_y =
        |value: f64| plot_bottom - ((value - lo) / (hi - lo)) as f32 * (plot_bottom - plot_top);

    for &tick in &ticks {
        let ty = to_y(tick);
        canvas.line((plot_left, ty), (x + width, ty), 0.5, GRID);
        canvas.text(
            plot_left - 6.0,
            ty + 2.5,
            AXIS,
            Align::Right,
            &(spec.y_label)(tick),
        );
    }
    if points == 0 {
        canvas.text(
            plot_left + plot_width / 2.0,
            (plot_top + plot_bottom) / 2.0,
            SMALL,
            Align::Center,
            "No data",
        );
        return;
    }
    let slot = plot_width / points as f32;
    let center = |i: usize| plot_left + slot * (i as f32 + 0.5);

    draw_bars(canvas, &spec.series, points, slot, center, &to_y);
    for series in spec.series.iter().filter(|s| s.style == SeriesStyle::Trace) {
        draw_line(canvas, series, center, &to_y);
    }
    for series in spec.series.iter().filter(|s| s.style == SeriesStyle::Line) {
        draw_line(canvas, series, center, &to_y);
    }
    canvas.line((plot_left, to_y(0.0)), (x + width, to_y(0.0)), 0.8, RULE);
    draw_x_labels(
        canvas,
        &spec.x_labels,
        plot_left,
        plot_width,
        plot_bottom,
        center,
    );
}

fn value_range(series: &[Series], points: usize) -> (f64, f64) {
    let mut min = 0.0f64;
    let mut max = 0.0f64;
    for i in 0..points {
        let (mut up, mut down) = (0.0, 0.0);
        for s in series {
            let value = s.values.get(i).copied().unwrap_or(0.0);
            match s.style {
                SeriesStyle::Bars if value >= 0.0 => up += value,
                SeriesStyle::Bars => down += value,
                SeriesStyle::Line | SeriesStyle::Trace => {
                    max = max.max(value);
                    min = min.min(value);
                }
            }
        }
        max = max.max(up);
        min = min.min(down);
    }
    (min, max)
}

fn draw_bars(
    canvas: &mut Canvas,
    series: &[Series],
    points: usize,
    slot: f32,
    center: impl Fn(usize) -> f32,
    to_y: &impl Fn(f64) -> f32,
) {
    let bar_width = (slot * 0.72).max(0.6);
    for i in 0..points {
        let (mut up, mut down) = (0.0, 0.0);
        for s in series.iter().filter(|s| s.style == SeriesStyle::Bars) {
            let value = s.values.get(i).copied().unwrap_or(0.0);
            let (from, to) = if value >= 0.0 {
                up += value;
                (up - value, up)
            } else {
                down += value;
                (down - value, down)
            };
            let (top, bottom) = (to_y(from.max(to)), to_y(from.min(to)));
            if bottom - top > 0.05 {
                canvas.fill_rect(
                    center(i) - bar_width / 2.0,
                    top,
                    bar_width,
                    bottom - top,
                    s.color,
                );
            }
        }
    }
}

fn draw_line(
    canvas: &mut Canvas,
    series: &Series,
    center: impl Fn(usize) -> f32,
    to_y: &impl Fn(f64) -> f32,
) {
    let points: Vec<(f32, f32)> = series
        .values
        .iter()
        .enumerate()
        .map(|(i, &v)| (center(i), to_y(v)))
        .collect();
    if series.style == SeriesStyle::Trace {
        if points.len() > 1 {
            canvas.polyline(&points, 1.0, series.color);
        }
        return;
    }
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let base = to_y(0.0);
        let mut area = Vec::with_capacity(points.len() + 2);
        area.push((first.0, base));
        area.extend_from_slice(&points);
        area.push((last.0, base));
        canvas.fill_polygon(&area, series.color.tint(0.85));
    }
    if points.len() == 1 {
        let (px, py) = points[0];
        canvas.fill_rect(px - 2.0, py - 2.0, 4.0, 4.0, series.color);
    } else {
        canvas.polyline(&points, 1.6, series.color);
    }
}

fn draw_legend(canvas: &mut Canvas, right: f32, baseline: f32, series: &[Series]) {
    let style = TextStyle {
        color: MUTED,
        ..AXIS
    };
    let mut x = right;
    for s in series.iter().rev() {
        x -= style.width(&s.name);
        canvas.text(x, baseline, style, Align::Left, &s.name);
        x -= 12.0;
        match s.style {
            SeriesStyle::Bars => canvas.fill_rect(x, baseline - 6.5, 8.0, 8.0, s.color),
            SeriesStyle::Line | SeriesStyle::Trace => canvas.line(
                (x - 2.0, baseline - 2.5),
                (x + 9.0, baseline - 2.5),
                2.0,
                s.color,
            ),
        }
        x -= 14.0;
    }
}

fn draw_x_labels(
    canvas: &mut Canvas,
    labels: &[String],
    plot_left: f32,
    plot_width: f32,
    plot_bottom: f32,
    center: impl Fn(usize) -> f32,
) {
    if labels.is_empty() {
        return;
    }
    let widest = labels.iter().map(|l| AXIS.width(l)).fold(0.0, f32::max);
    let fit = ((plot_width / (widest + 14.0)).floor() as usize).max(1);
    let step = labels.len().div_ceil(fit).max(1);
    for i in (0..labels.len()).step_by(step) {
        let cx = center(i);
        let half = AXIS.width(&labels[i]) / 2.0;
        let cx = cx.clamp(plot_left + half, plot_left + plot_width - half);
        canvas.line(
            (center(i), plot_bottom),
            (center(i), plot_bottom + 3.0),
            0.5,
            RULE,
        );
        canvas.text(cx, plot_bottom + 11.0, AXIS, Align::Center, &labels[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::nice_ticks;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 97.0), (0.0, 100.0, 20.0));
        assert_eq!(nice_ticks(0.0, 0.0), (0.0, 0.2, 0.2));
        let (lo, hi, step) = nice_ticks(-30.0, 120_000.0);
        assert!(lo <= -30.0 && hi >= 120_000.0);
        assert_eq!(step, 25_000.0);
    }
}
