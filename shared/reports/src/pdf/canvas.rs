//! Drawing on one page with top-down coordinates (y grows downwards, like
//! layout code thinks), converted to PDF's bottom-up space here.

use pdf_writer::{Content, Str};

use super::fonts::{Font, encode};
use super::theme::{PAGE_HEIGHT, Rgb};

/// Horizontal anchor of a text run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// Text style: font, size and colour.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextStyle {
    pub font: Font,
    pub size: f32,
    pub color: Rgb,
}

impl TextStyle {
    pub const fn new(font: Font, size: f32, color: Rgb) -> Self {
        Self { font, size, color }
    }

    pub fn width(&self, text: &str) -> f32 {
        self.font.width(text, self.size)
    }
}

/// One page's content stream.
pub(crate) struct Canvas {
    content: Content,
}

fn flip(y: f32) -> f32 {
    PAGE_HEIGHT - y
}

impl Canvas {
    pub fn new() -> Self {
        Self {
            content: Content::new(),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        self.content.finish().to_vec()
    }

    /// Filled rectangle; `(x, y)` is the top-left corner.
    pub fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb) {
        let Rgb(r, g, b) = color;
        self.content
            .set_fill_rgb(r, g, b)
            .rect(x, flip(y + height), width, height)
            .fill_nonzero();
    }

    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, color: Rgb) {
        self.polyline(&[from, to], width, color);
    }

    pub fn polyline(&mut self, points: &[(f32, f32)], width: f32, color: Rgb) {
        let Some((&(x0, y0), rest)) = points.split_first() else {
            return;
        };
        let Rgb(r, g, b) = color;
        self.content.set_stroke_rgb(r, g, b).set_line_width(width);
        self.content.move_to(x0, flip(y0));
        for &(x, y) in rest {
            self.content.line_to(x, flip(y));
        }
        self.content.stroke();
    }

    /// Closed filled polygon.
    pub fn fill_polygon(&mut self, points: &[(f32, f32)], color: Rgb) {
        let Some((&(x0, y0), rest)) = points.split_first() else {
            return;
        };
        let Rgb(r, g, b) = color;
        self.content.set_fill_rgb(r, g, b).move_to(x0, flip(y0));
        for &(x, y) in rest {
            self.content.line_to(x, flip(y));
        }
        self.content.close_path().fill_nonzero();
    }

    /// Draws `text` with its baseline at `baseline`, anchored at `x` per `align`.
    pub fn text(&mut self, x: f32, baseline: f32, style: TextStyle, align: Align, text: &str) {
        if text.is_empty() {
            return;
        }
        let x = match align {
            Align::Left => x,
            Align::Center => x - style.width(text) / 2.0,
            Align::Right => x - style.width(text),
        };
        let Rgb(r, g, b) = style.color;
        self.content
            .begin_text()
            .set_fill_rgb(r, g, b)
            .set_font(style.font.resource_name(), style.size)
            .next_line(x, flip(baseline))
            .show(Str(&encode(text)))
            .end_text();
    }

    /// Like [`Canvas::text`] but truncated with an ellipsis to `max_width`.
    pub fn text_fit(
        &mut self,
        x: f32,
        baseline: f32,
        style: TextStyle,
        align: Align,
        max_width: f32,
        text: &str,
    ) {
        let fitted = style.font.fit(text, style.size, max_width);
        self.text(x, baseline, style, align, &fitted);
    }
}
