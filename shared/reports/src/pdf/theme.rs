//! Page geometry, palette and type scale: one place to tune the look.

use super::canvas::TextStyle;
use super::fonts::Font;

/// An sRGB colour with components in `0.0..=1.0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub const fn hex(value: u32) -> Self {
        Rgb(
            ((value >> 16) & 0xFF) as f32 / 255.0,
            ((value >> 8) & 0xFF) as f32 / 255.0,
            (value & 0xFF) as f32 / 255.0,
        )
    }

    /// This colour mixed with white (`amount` 0 = unchanged, 1 = white).
    pub fn tint(self, amount: f32) -> Self {
        let mix = |c: f32| c + (1.0 - c) * amount;
        Rgb(mix(self.0), mix(self.1), mix(self.2))
    }
}

/// A4 portrait, in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 50.0;
pub(crate) const MARGIN_TOP: f32 = 54.0;
/// Lowest y content may reach; the footer lives below.
pub(crate) const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 62.0;
pub(crate) const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 32.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

pub(crate) const INK: Rgb = Rgb::hex(0x1F2933);
pub(crate) const MUTED: Rgb = Rgb::hex(0x616E7C);
pub(crate) const FAINT: Rgb = Rgb::hex(0x9AA5B1);
pub(crate) const RULE: Rgb = Rgb::hex(0xD9DEE4);
pub(crate) const GRID: Rgb = Rgb::hex(0xE9ECF0);
pub(crate) const STRIPE: Rgb = Rgb::hex(0xF5F7FA);
pub(crate) const BANNER: Rgb = Rgb::hex(0x243B53);
pub(crate) const WHITE: Rgb = Rgb::hex(0xFFFFFF);

/// Series colours: revenue, velocity, admitted, rejected, duplicate.
pub(crate) const NAVY: Rgb = Rgb::hex(0x2F5D8A);
pub(crate) const TEAL: Rgb = Rgb::hex(0x2A9D8F);
pub(crate) const SAGE: Rgb = Rgb::hex(0x6A9A6B);
pub(crate) const CORAL: Rgb = Rgb::hex(0xD1706A);
pub(crate) const AMBER: Rgb = Rgb::hex(0xE0A43A);

pub(crate) const H1: TextStyle = TextStyle::new(Font::Bold, 22.0, WHITE);
pub(crate) const H2: TextStyle = TextStyle::new(Font::Bold, 13.0, INK);
pub(crate) const H3: TextStyle = TextStyle::new(Font::Bold, 10.5, INK);
pub(crate) const BODY: TextStyle = TextStyle::new(Font::Regular, 9.0, INK);
pub(crate) const BODY_BOLD: TextStyle = TextStyle::new(Font::Bold, 9.0, INK);
pub(crate) const SMALL: TextStyle = TextStyle::new(Font::Regular, 7.5, MUTED);
pub(crate) const LABEL: TextStyle = TextStyle::new(Font::Bold, 7.5, MUTED);
pub(crate) const AXIS: TextStyle = TextStyle::new(Font::Regular, 7.0, MUTED);
