//! Cell formats shared by every sheet.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};

use crate::money::excel_currency_format;

/// Header fill, the same navy as the PDF charts.
pub(crate) const ACCENT: u32 = 0x2F5D8A;
pub(crate) const VELOCITY: u32 = 0x2A9D8F;

pub(crate) struct Styles {
    pub title: Format,
    pub subtitle: Format,
    pub label: Format,
    pub header: Format,
    pub header_right: Format,
    pub money: Format,
    pub count: Format,
    pub decimal: Format,
    pub percent: Format,
    pub datetime: Format,
    pub date: Format,
    pub text: Format,
}

impl Styles {
    pub fn new(currency: &str) -> Self {
        let header = Format::new()
            .set_bold()
            .set_font_color(0xFFFFFF)
            .set_background_color(ACCENT)
            .set_border_bottom(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Self {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_font_color(0x1F2933),
            subtitle: Format::new().set_font_color(0x52606D),
            label: Format::new().set_bold().set_font_color(0x323F4B),
            header_right: header.clone().set_align(FormatAlign::Right),
            header,
            money: Format::new().set_num_format(excel_currency_format(currency)),
            count: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.00"),
            percent: Format::new().set_num_format("0.0%"),
            datetime: Format::new()
                .set_num_format("yyyy-mm-dd hh:mm")
                .set_align(FormatAlign::Left),
            date: Format::new()
                .set_num_format("yyyy-mm-dd ddd")
                .set_align(FormatAlign::Left),
            text: Format::new(),
        }
    }
}
