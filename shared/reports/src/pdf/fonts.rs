//! The two standard (non-embedded) fonts the PDF uses: their WinAnsi
//! encoding and advance widths, needed to right-align and truncate text.
//!
//! Widths are Adobe's Helvetica / Helvetica-Bold AFM metrics.

use std::borrow::Cow;

use pdf_writer::Name;

/// A standard Type 1 font, referenced by resource name on every page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

impl Font {
    pub const ALL: [Font; 2] = [Font::Regular, Font::Bold];

    pub fn resource_name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    pub fn base_font(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"Helvetica"),
            Font::Bold => Name(b"Helvetica-Bold"),
        }
    }

    fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }

    /// Width of `text` in points at `size`.
    pub fn width(self, text: &str, size: f32) -> f32 {
        let widths = self.widths();
        let units: u32 = text
            .chars()
            .map(|c| glyph_width(widths, win_ansi_byte(c)))
            .sum();
        units as f32 * size / 1000.0
    }

    /// `text`, shortened with an ellipsis if needed to fit `max_width`.
    pub fn fit<'t>(self, text: &'t str, size: f32, max_width: f32) -> Cow<'t, str> {
        if self.width(text, size) <= max_width {
            return Cow::Borrowed(text);
        }
        let mut shortened: String = text.to_owned();
        while !shortened.is_empty() {
            shortened.pop();
            let candidate = format!("{}…", shortened.trim_end());
            if self.width(&candidate, size) <= max_width {
                return Cow::Owned(candidate);
            }
        }
        Cow::Borrowed("")
    }
}

fn glyph_width(widths: &[u16; 224], byte: u8) -> u32 {
    if byte < 32 {
        0
    } else {
        u32::from(widths[usize::from(byte - 32)])
    }
}

/// Encodes `text` as WinAnsi (Windows-1252) bytes; unmappable characters become `?`.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi_byte).collect()
}

fn win_ansi_byte(c: char) -> u8 {
    let code = u32::from(c);
    match code {
        0x20..=0x7E | 0xA0..=0xFF => code as u8,
        _ => match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            '\t' | '\n' | '\r' => b' ',
            _ => b'?',
        },
    }
}

/// Advance widths (1/1000 em) of Helvetica for WinAnsi codes 32..=255 (0 = unmapped).
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 222, 222,
    333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    260, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 578, 537, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];
/// Advance widths (1/1000 em) of Helvetica-Bold for WinAnsi codes 32..=255 (0 = unmapped).
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 278, 278,
    500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    280, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611,
    611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_win_ansi_and_measures() {
        assert_eq!(encode("A€–é✓"), vec![b'A', 0x80, 0x96, 0xE9, b'?']);
        // "0" is 556 units in both weights: 10 digits at 10pt = 55.6pt.
        assert!((Font::Regular.width("0123456789", 10.0) - 55.6).abs() < 1e-3);
        assert!(Font::Bold.width("Revenue", 10.0) > Font::Regular.width("Revenue", 10.0));
        let fitted = Font::Regular.fit("Accessible entrance at the back", 9.0, 60.0);
        assert!(fitted.ends_with('…') && Font::Regular.width(&fitted, 9.0) <= 60.0);
    }
}
