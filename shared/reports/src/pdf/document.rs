//! The page sequence, a flowing layout cursor, and final PDF assembly
//! (fonts, footers with "Page N of M", compression, document info).

use chrono::{DateTime, Datelike, Timelike, Utc};
use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Date, Filter, Finish, Pdf, Rect, Ref, TextStr};

use super::canvas::{Align, Canvas};
use super::fonts::Font;
use super::theme::{
    CONTENT_BOTTOM, FOOTER_BASELINE, MARGIN_TOP, MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH, RULE, SMALL,
};

/// Deflate level for content streams: fast, and most of the gain.
const COMPRESSION_LEVEL: u8 = 6;

/// Pages being laid out, top to bottom, with a cursor `y` on the last page.
pub(crate) struct Document {
    pages: Vec<Canvas>,
    /// Next free y on the current page (top-down points).
    pub y: f32,
}

/// Text for document info and footers.
pub(crate) struct DocumentMeta<'a> {
    pub title: &'a str,
    pub footer_left: &'a str,
    pub generated_at: DateTime<Utc>,
}

impl Document {
    pub fn new() -> Self {
        Self {
            pages: Vec::new(),
            y: MARGIN_TOP,
        }
    }

    pub fn new_page(&mut self) -> &mut Canvas {
        self.pages.push(Canvas::new());
        self.y = MARGIN_TOP;
        self.page()
    }

    /// The current (last) page, creating the first one if needed.
    pub fn page(&mut self) -> &mut Canvas {
        if self.pages.is_empty() {
            self.pages.push(Canvas::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Space left on the current page below the cursor.
    pub fn remaining(&self) -> f32 {
        CONTENT_BOTTOM - self.y
    }

    /// Starts a new page unless `height` still fits below the cursor.
    pub fn ensure(&mut self, height: f32) -> bool {
        if self.pages.is_empty() || self.remaining() < height {
            self.new_page();
            true
        } else {
            false
        }
    }

    pub fn finish(mut self, meta: &DocumentMeta<'_>) -> Vec<u8> {
        let total = self.pages.len();
        for (index, page) in self.pages.iter_mut().enumerate() {
            let rule_y = FOOTER_BASELINE - 12.0;
            page.line(
                (MARGIN_X, rule_y),
                (PAGE_WIDTH - MARGIN_X, rule_y),
                0.5,
                RULE,
            );
            page.text_fit(
                MARGIN_X,
                FOOTER_BASELINE,
                SMALL,
                Align::Left,
                PAGE_WIDTH * 0.6,
                meta.footer_left,
            );
            let number = format!("Page {} of {}", index + 1, total);
            page.text(
                PAGE_WIDTH - MARGIN_X,
                FOOTER_BASELINE,
                SMALL,
                Align::Right,
                &number,
            );
        }

        let catalog_id = Ref::new(1);
        let tree_id = Ref::new(2);
        let info_id = Ref::new(3);
        let font_ids = [Ref::new(4), Ref::new(5)];
        let page_id = |index: usize| Ref::new(6 + 2 * index as i32);
        let content_id = |index: usize| Ref::new(7 + 2 * index as i32);

        let mut pdf = Pdf::new();
        pdf.catalog(catalog_id).pages(tree_id);
        pdf.pages(tree_id)
            .kids((0..total).map(page_id))
            .count(total as i32);
        for (font, id) in Font::ALL.into_iter().zip(font_ids) {
            pdf.type1_font(id)
                .base_font(font.base_font())
                .encoding_predefined(pdf_writer::Name(b"WinAnsiEncoding"));
        }
        let mut info = pdf.document_info(info_id);
        info.title(TextStr(meta.title))
            .producer(TextStr("venue-analytics reports"));
        info.creation_date(pdf_date(meta.generated_at));
        info.finish();

        for (index, canvas) in self.pages.into_iter().enumerate() {
            let mut page = pdf.page(page_id(index));
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree_id)
                .contents(content_id(index));
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            for (font, id) in Font::ALL.into_iter().zip(font_ids) {
                fonts.pair(font.resource_name(), id);
            }
            fonts.finish();
            resources.finish();
            page.finish();
            let compressed = compress_to_vec_zlib(&canvas.finish(), COMPRESSION_LEVEL);
            pdf.stream(content_id(index), &compressed)
                .filter(Filter::FlateDecode);
        }
        pdf.finish()
    }
}

fn pdf_date(at: DateTime<Utc>) -> Date {
    Date::new(at.year() as u16)
        .month(at.month() as u8)
        .day(at.day() as u8)
        .hour(at.hour() as u8)
        .minute(at.minute() as u8)
        .second(at.second() as u8)
        .utc_offset_hour(0)
}
