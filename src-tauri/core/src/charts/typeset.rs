//! Text set with ab_glyph from the chart font, around any plotters backend.
//!
//! plotters' own ab_glyph text drops each glyph's side bearing (CJK text comes out with
//! uneven gaps) and measures text with a rough height; this places every glyph at its
//! advance and kerning, sizes the em as the SVG backend does (`font-size` = size / 1.24), and
//! measures what it draws, so labels laid out by width fit in both PNG and SVG.

use super::font::FONT;
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use std::sync::OnceLock;

fn font() -> Option<&'static FontRef<'static>> {
    static PARSED: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    PARSED.get_or_init(|| FontRef::try_from_slice(FONT).ok()).as_ref()
}

/// The glyphs of `text` at `size`, each with its pen position, and the line's width, ascent
/// and descent (below the baseline, positive).
struct Line {
    glyphs: Vec<(ab_glyph::GlyphId, f32)>,
    width: f32,
    ascent: f32,
    descent: f32,
    scale: PxScale,
}

fn set_line(font: &FontRef<'static>, text: &str, size: f64) -> Line {
    // The em the SVG backend writes, in the scale ab_glyph takes (ascent to descent).
    let em = (size / 1.24) as f32;
    let units = font.units_per_em().unwrap_or(1000.0);
    let scale = PxScale::from(em * font.height_unscaled() / units);
    let scaled = font.as_scaled(scale);
    let mut pen = 0.0_f32;
    let mut previous = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            pen += scaled.kern(p, id);
        }
        glyphs.push((id, pen));
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
    Line { glyphs, width: pen, ascent: scaled.ascent(), descent: -scaled.descent(), scale }
}

/// A plotters backend whose text is set by [`set_line`]; `draw_glyphs` draws it pixel by
/// pixel (bitmaps), otherwise the wrapped backend writes the text itself (SVG keeps it as
/// selectable text) and only the measuring changes.
pub(super) struct Typeset<B> {
    pub inner: B,
    pub draw_glyphs: bool,
}

impl<B: DrawingBackend> DrawingBackend for Typeset<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = font() else { return self.inner.estimate_text_size(text, style) };
        let line = set_line(font, text, style.size());
        Ok((line.width.ceil() as u32, (line.ascent + line.descent).ceil() as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        let font = match font() {
            Some(font) if self.draw_glyphs && color.alpha > 0.0 => font,
            _ => return self.inner.draw_text(text, style, pos),
        };
        let line = set_line(font, text, style.size());
        let left = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let baseline = match style.anchor().v_pos {
            VPos::Top => line.ascent,
            VPos::Center => (line.ascent - line.descent) / 2.0,
            VPos::Bottom => -line.descent,
        };
        let turn = style.transform();
        let (width, height) = self.get_size();
        for (id, pen) in line.glyphs {
            let glyph = id.with_scale_and_position(line.scale, point(left + pen, baseline));
            let Some(outline) = font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|x, y, coverage| pixels.push((x, y, coverage)));
            for (x, y, coverage) in pixels {
                if coverage <= 0.0 {
                    continue;
                }
                let (dx, dy) = (bounds.min.x as i32 + x as i32, bounds.min.y as i32 + y as i32);
                let (dx, dy) = turn.transform(dx, dy);
                let (px, py) = (pos.0 + dx, pos.1 + dy);
                if px >= 0 && py >= 0 && px < width as i32 && py < height as i32 {
                    let ink = BackendColor { alpha: color.alpha * f64::from(coverage.min(1.0)), rgb: color.rgb };
                    self.inner.draw_pixel((px, py), ink)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
/// Whether `c` has a glyph of its own in the chart font (not the empty box of .notdef).
pub fn has_glyph(c: char) -> bool {
    font().is_some_and(|f| f.glyph_id(c).0 != 0)
}

#[cfg(test)]
/// The pixels `text` covers, set at `size` on a white `width` x `height` bitmap: for tests
/// of what a glyph looks like.
pub fn ink(text: &str, size: f64, (width, height): (u32, u32)) -> Vec<bool> {
    let mut rgb = vec![255_u8; (width * height * 3) as usize];
    {
        let mut canvas = Typeset { inner: BitMapBackend::with_buffer(&mut rgb, (width, height)), draw_glyphs: true };
        let style = TextStyle::from((super::font::FAMILY, size).into_font()).color(&BLACK);
        // Drawing on a bitmap of the right size cannot fail.
        let _ = canvas.draw_text(text, &style, (2, 2));
        let _ = canvas.present();
    }
    rgb.chunks(3).map(|p| p.iter().any(|&v| v < 128)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_glyphs_are_in_the_font_and_not_boxes() {
        for c in "客户帕累托层级利润万亿¥".chars() {
            assert!(has_glyph(c), "{c} has a glyph");
        }
        assert!(!has_glyph('\u{E000}'), "a private-use character has none");
        let size = (60, 60);
        let notdef = ink("\u{E000}", 40.0, size);
        for text in ["客", "户", "利"] {
            let drawn = ink(text, 40.0, size);
            let dark = drawn.iter().filter(|&&d| d).count();
            assert!(dark > 40, "{text} leaves ink ({dark} pixels)");
            assert_ne!(drawn, notdef, "{text} is not drawn as the missing-glyph box");
        }
        assert_ne!(ink("客", 40.0, size), ink("户", 40.0, size));
    }

    #[test]
    fn measured_width_follows_the_advances() {
        let font = font().expect("the chart font parses");
        let one = set_line(font, "客", 40.0).width;
        let four = set_line(font, "客户价值", 40.0).width;
        // Full-width characters advance one em each: 40 / 1.24.
        assert!((one - 40.0 / 1.24).abs() < 0.5, "{one}");
        assert!((four - 4.0 * one).abs() < 0.5, "{four}");
    }
}
