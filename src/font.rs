//! The bundled font (BIZ UDGothic, Regular and Bold): glyph lookup and advance widths.
//!
//! The layout measures text with these metrics and the PDF renderer draws the same glyph ids,
//! so what is measured is exactly what is drawn.

use std::sync::OnceLock;

use skrifa::prelude::*;

/// The font family every output uses.
pub const FAMILY: &str = "BIZ UDGothic";
/// The family name as Excel and LibreOffice know it on Japanese Windows.
pub const FAMILY_JA: &str = "BIZ UDゴシック";

static REGULAR_DATA: &[u8] = include_bytes!("../fonts/BIZUDGothic-Regular.ttf");
static BOLD_DATA: &[u8] = include_bytes!("../fonts/BIZUDGothic-Bold.ttf");

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weight {
    Regular,
    Bold,
}

/// One face's character map and advance widths.
pub struct Face {
    pub data: &'static [u8],
    units_per_em: f32,
    /// Glyph id per BMP code point (0: the font has no glyph).
    bmp: Vec<u16>,
    /// Glyph ids for code points above the BMP, sorted by code point.
    astral: Vec<(u32, u16)>,
    /// Advance width per glyph id, in font units.
    advances: Vec<u16>,
}

impl Face {
    fn new(data: &'static [u8]) -> Face {
        let font = FontRef::new(data).expect("bundled font is a valid TrueType file");
        let units_per_em = font.metrics(Size::unscaled(), LocationRef::default()).units_per_em as f32;
        let mut bmp = vec![0u16; 0x10000];
        let mut astral = Vec::new();
        let mut max_gid = 0u32;
        for (cp, gid) in font.charmap().mappings() {
            let g = gid.to_u32();
            max_gid = max_gid.max(g);
            let Ok(g16) = u16::try_from(g) else { continue };
            if cp < 0x10000 {
                bmp[cp as usize] = g16;
            } else {
                astral.push((cp, g16));
            }
        }
        astral.sort_unstable();
        let gm = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let advances = (0..=max_gid)
            .map(|g| gm.advance_width(GlyphId::new(g)).unwrap_or(0.0).round() as u16)
            .collect();
        Face { data, units_per_em, bmp, astral, advances }
    }

    /// The glyph id for a character, if the font has one.
    pub fn glyph(&self, c: char) -> Option<u16> {
        let cp = c as u32;
        let g = if cp < 0x10000 {
            self.bmp[cp as usize]
        } else {
            self.astral
                .binary_search_by_key(&cp, |(c, _)| *c)
                .map(|i| self.astral[i].1)
                .unwrap_or(0)
        };
        (g != 0).then_some(g)
    }

    /// Whether the font can draw the character. Line breaks and tabs are layout, not glyphs.
    pub fn has(&self, c: char) -> bool {
        matches!(c, '\n' | '\r' | '\t') || self.glyph(c).is_some()
    }

    pub fn units_per_em(&self) -> f32 {
        self.units_per_em
    }

    /// Advance of a glyph, in font units.
    pub fn advance_units(&self, gid: u16) -> u16 {
        self.advances.get(gid as usize).copied().unwrap_or(0)
    }

    /// Width of a character at `size` points (0 for a character the font lacks).
    pub fn char_width(&self, c: char, size: f32) -> f32 {
        self.glyph(c)
            .map(|g| self.advance_units(g) as f32 * size / self.units_per_em)
            .unwrap_or(0.0)
    }

    /// Width of a string at `size` points.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        let units: u32 = s
            .chars()
            .filter_map(|c| self.glyph(c))
            .map(|g| u32::from(self.advance_units(g)))
            .sum();
        units as f32 * size / self.units_per_em
    }
}

/// The face for a weight, loaded once per process.
pub fn face(weight: Weight) -> &'static Face {
    static REGULAR: OnceLock<Face> = OnceLock::new();
    static BOLD: OnceLock<Face> = OnceLock::new();
    match weight {
        Weight::Regular => REGULAR.get_or_init(|| Face::new(REGULAR_DATA)),
        Weight::Bold => BOLD.get_or_init(|| Face::new(BOLD_DATA)),
    }
}

/// Characters of `s` that a weight cannot draw.
pub fn missing_chars(s: &str, weight: Weight) -> impl Iterator<Item = (usize, char)> + '_ {
    let f = face(weight);
    s.char_indices().filter(move |(_, c)| !f.has(*c))
}
