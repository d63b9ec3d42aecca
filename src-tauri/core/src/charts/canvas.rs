//! Drawing pieces shared by the charts, in pixels of a 1600 x 900 canvas times the scale:
//! titles, legends, labelled bar panels and heat maps. Bars carry their values as text rather
//! than leaning on a grid, so each figure reads on a slide without squinting at an axis.

use super::font::FAMILY;
use super::style::{Lang, PALETTE};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(super) type Area<DB> = DrawingArea<DB, Shift>;
pub(super) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub(super) const RULE: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Negative amounts (tier D's contribution) stand out in vermillion.
pub(super) const NEGATIVE: RGBColor = colour(3);

pub(super) const fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % 7];
    RGBColor(r, g, b)
}

/// What every chart needs to lay itself out: the language, the scale and the currency.
pub(super) struct Ctx<'a> {
    pub lang: Lang,
    pub scale: f64,
    pub currency: &'a str,
}

impl Ctx<'_> {
    pub fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    pub fn text(&self, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        TextStyle {
            font: (FAMILY, size * self.scale).into_font(),
            color: color.to_backend_color(),
            pos: Pos::new(h, v),
        }
    }

    pub fn money(&self, minor: f64) -> String {
        self.lang.money(minor.round() as i64, self.currency)
    }
}

/// Draws the title, subtitle and footnote, and returns the area left for the figure.
pub(super) fn frame<DB: DrawingBackend>(
    root: &Area<DB>,
    ctx: &Ctx<'_>,
    title: &str,
    subtitle: &str,
    note: &str,
) -> Result<Area<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    root.draw_text(title, &ctx.text(40.0, INK, HPos::Left, VPos::Top), (ctx.px(48.0), ctx.px(32.0)))?;
    if !subtitle.is_empty() {
        root.draw_text(subtitle, &ctx.text(24.0, MUTED, HPos::Left, VPos::Top), (ctx.px(48.0), ctx.px(86.0)))?;
    }
    if !note.is_empty() {
        root.draw_text(note, &ctx.text(18.0, MUTED, HPos::Left, VPos::Bottom), (ctx.px(48.0), ctx.px(884.0)))?;
    }
    Ok(root.margin(ctx.px(136.0), ctx.px(40.0), ctx.px(48.0), ctx.px(48.0)))
}

/// A legend in one row at the top right of `area`: a swatch and a name per entry.
pub(super) fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    ctx: &Ctx<'_>,
    entries: &[(String, RGBColor)],
    y: i32,
) -> Drawn<DB> {
    let style = ctx.text(20.0, INK, HPos::Left, VPos::Center);
    let widths: Vec<i32> = entries
        .iter()
        .map(|(name, _)| area.estimate_text_size(name, &style).map(|(w, _)| w as i32))
        .collect::<Result<_, _>>()?;
    let gap = ctx.px(28.0);
    let swatch = ctx.px(18.0);
    let total: i32 = widths.iter().map(|w| w + swatch + ctx.px(8.0) + gap).sum::<i32>() - gap;
    let mut x = area.dim_in_pixel().0 as i32 - total;
    for ((name, color), w) in entries.iter().zip(widths) {
        area.draw(&Rectangle::new([(x, y - swatch / 2), (x + swatch, y + swatch / 2)], color.filled()))?;
        area.draw_text(name, &style, (x + swatch + ctx.px(8.0), y))?;
        x += w + swatch + ctx.px(8.0) + gap;
    }
    Ok(())
}

/// The width of the widest of `names` in `style`.
fn widest<DB: DrawingBackend>(
    area: &Area<DB>,
    names: &[String],
    style: &TextStyle<'_>,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut widest = 0;
    for name in names {
        widest = widest.max(area.estimate_text_size(name, style)?.0 as i32);
    }
    Ok(widest)
}

/// One column of horizontal bars beside the shared category names.
pub(super) struct Panel<'a> {
    pub title: String,
    pub values: Vec<f64>,
    pub format: &'a dyn Fn(f64) -> String,
    pub color: RGBColor,
}

/// Category names down the left, then one column of bars per panel, each bar labelled with
/// its value; negative values run left of the panel's zero line in [`NEGATIVE`].
/// `separate_last` sets the last category apart (the prospects beside the tiers).
pub(super) fn panel_bars<DB: DrawingBackend>(
    area: &Area<DB>,
    ctx: &Ctx<'_>,
    categories: &[String],
    panels: &[Panel<'_>],
    separate_last: bool,
) -> Drawn<DB> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let name_style = ctx.text(22.0, INK, HPos::Right, VPos::Center);
    let names_width = widest(area, categories, &name_style)? + ctx.px(24.0);
    let header = ctx.px(44.0);
    let gap_before_last = if separate_last { ctx.px(28.0) } else { 0 };
    let rows = categories.len().max(1) as i32;
    let row_height = (height - header - gap_before_last) / rows;
    let row_top = |i: usize| {
        let extra = if separate_last && i + 1 == categories.len() { gap_before_last } else { 0 };
        header + row_height * i as i32 + extra
    };
    for (i, name) in categories.iter().enumerate() {
        area.draw_text(name, &name_style, (names_width - ctx.px(16.0), row_top(i) + row_height / 2))?;
    }
    if separate_last && categories.len() > 1 {
        let y = row_top(categories.len() - 1) - gap_before_last / 2;
        area.draw(&PathElement::new(vec![(0, y), (width, y)], RULE.stroke_width(ctx.px(1.0).max(1) as u32)))?;
    }
    let panel_gap = ctx.px(40.0);
    let panel_width = (width - names_width - panel_gap * (panels.len() as i32 - 1)) / panels.len().max(1) as i32;
    let value_style = ctx.text(20.0, INK, HPos::Left, VPos::Center);
    let value_style_left = ctx.text(20.0, INK, HPos::Right, VPos::Center);
    for (p, panel) in panels.iter().enumerate() {
        let left = names_width + (panel_width + panel_gap) * p as i32;
        area.draw_text(&panel.title, &ctx.text(22.0, MUTED, HPos::Left, VPos::Top), (left, 0))?;
        let max = panel.values.iter().fold(0.0_f64, |m, v| m.max(*v));
        let min = panel.values.iter().fold(0.0_f64, |m, v| m.min(*v));
        // Room for the value text on either side of the bars.
        let label_room = ctx.px(110.0);
        let span = (max - min).max(f64::EPSILON);
        let usable = f64::from((panel_width - label_room * if min < 0.0 { 2 } else { 1 }).max(1));
        let zero = left + if min < 0.0 { label_room } else { 0 } + ((-min) / span * usable).round() as i32;
        let bar_x = |v: f64| zero + (v / span * usable).round() as i32;
        for (i, &v) in panel.values.iter().enumerate() {
            let top = row_top(i) + row_height / 5;
            let bottom = row_top(i) + row_height * 4 / 5;
            let color = if v < 0.0 { NEGATIVE } else { panel.color };
            let end = bar_x(v);
            if end != zero {
                area.draw(&Rectangle::new([(zero.min(end), top), (zero.max(end), bottom)], color.filled()))?;
            }
            let text = (panel.format)(v);
            let mid = row_top(i) + row_height / 2;
            if v < 0.0 {
                area.draw_text(&text, &value_style_left, (end - ctx.px(8.0), mid))?;
            } else {
                area.draw_text(&text, &value_style, (end + ctx.px(8.0), mid))?;
            }
        }
        area.draw(&PathElement::new(
            vec![(zero, header - ctx.px(6.0)), (zero, height)],
            MUTED.stroke_width(ctx.px(1.5).max(1) as u32),
        ))?;
    }
    Ok(())
}

/// A grid of cells shaded by `values[row][column]` (0 to 1), each with its text, under
/// column names and beside row names, with the axis titles.
pub(super) struct Heat<'a> {
    pub rows: &'a [String],
    pub columns: &'a [String],
    pub shade: &'a [Vec<f64>],
    pub text: &'a [Vec<String>],
    pub row_title: &'a str,
    pub column_title: &'a str,
}

pub(super) fn heatmap<DB: DrawingBackend>(area: &Area<DB>, ctx: &Ctx<'_>, heat: &Heat<'_>) -> Drawn<DB> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let name_style = ctx.text(20.0, INK, HPos::Right, VPos::Center);
    let names_width = widest(area, heat.rows, &name_style)? + ctx.px(52.0);
    let header = ctx.px(76.0);
    let columns = heat.columns.len().max(1) as i32;
    let rows = heat.rows.len().max(1) as i32;
    let cell_w = (width - names_width) / columns;
    let cell_h = (height - header) / rows;
    area.draw_text(
        heat.column_title,
        &ctx.text(20.0, MUTED, HPos::Center, VPos::Top),
        (names_width + cell_w * columns / 2, 0),
    )?;
    let row_title_style = ctx.text(20.0, MUTED, HPos::Center, VPos::Center).transform(FontTransform::Rotate270);
    area.draw_text(heat.row_title, &row_title_style, (ctx.px(12.0), header + cell_h * rows / 2))?;
    let column_style = ctx.text(18.0, INK, HPos::Center, VPos::Bottom);
    for (j, name) in heat.columns.iter().enumerate() {
        let x = names_width + cell_w * j as i32 + cell_w / 2;
        area.draw_text(name, &column_style, (x, header - ctx.px(8.0)))?;
    }
    let base = colour(0);
    for (i, name) in heat.rows.iter().enumerate() {
        let y = header + cell_h * i as i32;
        area.draw_text(name, &name_style, (names_width - ctx.px(10.0), y + cell_h / 2))?;
        for j in 0..heat.columns.len() {
            let t = heat.shade.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0.0).clamp(0.0, 1.0);
            let x = names_width + cell_w * j as i32;
            let fill = blend(base, t);
            area.draw(&Rectangle::new([(x + 1, y + 1), (x + cell_w - 1, y + cell_h - 1)], fill.filled()))?;
            let ink = if t > 0.55 { WHITE } else { INK };
            let text = heat.text.get(i).and_then(|r| r.get(j)).map(String::as_str).unwrap_or("");
            let lines: Vec<&str> = text.lines().collect();
            let line_h = ctx.px(22.0);
            let first = y + cell_h / 2 - line_h * (lines.len() as i32 - 1) / 2;
            for (k, line) in lines.iter().enumerate() {
                let size = if k == 0 { 20.0 } else { 16.0 };
                area.draw_text(
                    line,
                    &ctx.text(size, ink, HPos::Center, VPos::Center),
                    (x + cell_w / 2, first + line_h * k as i32),
                )?;
            }
        }
    }
    Ok(())
}

/// `color` at strength `t` over a near-white ground.
fn blend(color: RGBColor, t: f64) -> RGBColor {
    let mix = |c: u8, ground: u8| (f64::from(ground) + (f64::from(c) - f64::from(ground)) * t).round() as u8;
    RGBColor(mix(color.0, 0xF4), mix(color.1, 0xF6), mix(color.2, 0xF8))
}
