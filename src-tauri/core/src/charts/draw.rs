//! Every chart drawn with plotters, to PNG (1600 x 900 times the scale) or SVG (1600 x 900),
//! in Chinese or English, from the figures of [`super::data`].

use super::canvas::{colour, frame, heatmap, legend, panel_bars, Area, Ctx, Drawn, Heat, Panel, INK, MUTED, RULE};
use super::data::{
    activity_charts, channel_table, migration_of, run_charts_of, ActivityCharts, ChartMembers, Group, Matrix,
    Migration, RunCharts, NOT_IN_RUN,
};
use super::font::{self, FAMILY};
use super::style::{group_name, percent, Lang};
use super::typeset::Typeset;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::evaluation::store::get_run;
use crate::surveys::SurveyKind;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;

pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;
/// Months shown by the charts over time.
pub const MONTHS: u32 = 12;

text_enum!(
    /// Each chart, named as its file is.
    Chart {
        Pareto = "pareto",
        Tiers = "tiers",
        RfmGrid = "rfm_grid",
        RfmSegments = "rfm_segments",
        ValueClasses = "value_classes",
        Lifecycle = "lifecycle",
        Behaviour = "behaviour",
        TierMigration = "tier_migration",
        LifecycleMigration = "lifecycle_migration",
        Satisfaction = "satisfaction",
        Cohorts = "cohorts",
        ClvDistribution = "clv_distribution",
        PAliveClv = "p_alive_clv",
        ChannelMix = "channel_mix",
        Resources = "resources",
    }
);

/// PNG at a scale of the 1600 x 900 canvas (1 to 4), or SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png { scale: u32 },
    Svg,
}

/// The figures of every chart of one run, with the comparison run's migration when asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ChartSet {
    pub run: RunCharts,
    pub activity: ActivityCharts,
    pub migration: Option<Migration>,
}

impl ChartSet {
    /// The figures of run `run_id`, with the migration from `compare` (an earlier run) when given.
    pub fn load(conn: &Connection, run_id: i64, compare: Option<i64>) -> Result<ChartSet> {
        ChartSet::load_of(conn, run_id, compare, &ChartMembers::default())
    }

    /// [`ChartSet::load`] with the run's charts and the migration over the members `filter`
    /// keeps; the charts over time cover the whole shop.
    pub fn load_of(conn: &Connection, run_id: i64, compare: Option<i64>, filter: &ChartMembers) -> Result<ChartSet> {
        let run = run_charts_of(conn, run_id, filter)?;
        let activity = activity_charts(conn, run.as_of, MONTHS)?;
        let migration = compare.map(|from| migration_of(conn, from, run_id, filter)).transpose()?;
        Ok(ChartSet { run, activity, migration })
    }

    /// [`ChartSet::load_of`] with its three independent passes (the run's members, the
    /// orders and answers over time, the two runs' members) each on a connection of its own,
    /// at the same time.
    pub fn load_parallel(db: &Database, run_id: i64, compare: Option<i64>, filter: &ChartMembers) -> Result<ChartSet> {
        let as_of = db.with_conn(|c| get_run(c, run_id))?.as_of;
        std::thread::scope(|scope| {
            let activity = scope.spawn(|| db.with_conn(|c| activity_charts(c, as_of, MONTHS)));
            let migration =
                compare.map(|from| scope.spawn(move || db.with_conn(|c| migration_of(c, from, run_id, filter))));
            let run = db.with_conn(|c| run_charts_of(c, run_id, filter));
            let activity = joined(activity);
            let migration = migration.map(joined).transpose();
            Ok(ChartSet { run: run?, activity: activity?, migration: migration? })
        })
    }

    /// The charts this set can draw: the migrations only with a comparison run.
    pub fn charts(&self) -> Vec<Chart> {
        Chart::ALL
            .iter()
            .copied()
            .filter(|c| self.migration.is_some() || !matches!(c, Chart::TierMigration | Chart::LifecycleMigration))
            .collect()
    }
}

/// One chart drawn: its bytes and size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedChart {
    pub chart: Chart,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The result of a scoped thread; a panic in it is an internal error.
pub(super) fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    handle.join().unwrap_or_else(|_| Err(Error::Internal("a chart pass stopped unexpectedly".into())))
}

fn drawing_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::Internal(format!("drawing a chart failed: {e}"))
}

/// Draws `chart` in `lang` as PNG or SVG.
///
/// # Errors
/// [`Error::Validation`] for a PNG scale outside 1 to 4; [`Error::Internal`] when drawing fails.
pub fn render(set: &ChartSet, chart: Chart, lang: Lang, format: Format) -> Result<RenderedChart> {
    font::ensure()?;
    match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = Typeset { inner: SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)), draw_glyphs: false }
                    .into_drawing_area();
                let ctx = Ctx { lang, scale: 1.0, currency: &set.run.currency };
                draw(&root, set, chart, &ctx).map_err(drawing_error)?;
                root.present().map_err(drawing_error)?;
            }
            Ok(RenderedChart { chart, bytes: svg.into_bytes(), width: WIDTH, height: HEIGHT })
        }
        Format::Png { scale } => {
            if !(1..=4).contains(&scale) {
                let mut checks = crate::activity::Checks::default();
                checks.fail("scale", crate::error::Rule::OutOfRange);
                checks.finish()?;
            }
            let (width, height) = (WIDTH * scale, HEIGHT * scale);
            let mut pixels = vec![0_u8; (width * height * 3) as usize];
            {
                let root =
                    Typeset { inner: BitMapBackend::with_buffer(&mut pixels, (width, height)), draw_glyphs: true }
                        .into_drawing_area();
                let ctx = Ctx { lang, scale: f64::from(scale), currency: &set.run.currency };
                draw(&root, set, chart, &ctx).map_err(drawing_error)?;
                root.present().map_err(drawing_error)?;
            }
            Ok(RenderedChart { chart, bytes: encode_png(&pixels, width, height)?, width, height })
        }
    }
}

/// Every chart of the set in `lang` and `format`.
pub fn render_all(set: &ChartSet, lang: Lang, format: Format) -> Result<Vec<RenderedChart>> {
    set.charts().into_iter().map(|chart| render(set, chart, lang, format)).collect()
}

pub(crate) fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let failed = |e: png::EncodingError| Error::Internal(format!("encoding a PNG failed: {e}"));
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(rgb).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

fn draw<DB: DrawingBackend>(root: &Area<DB>, set: &ChartSet, chart: Chart, ctx: &Ctx<'_>) -> Drawn<DB> {
    let lang = ctx.lang;
    let run = &set.run;
    let note = match lang {
        Lang::ZhCn => format!("评估日期 {} · 客户 {} 位 · Headtail", run.as_of, run.customers),
        Lang::En => format!("Evaluated {} · {} customers · Headtail", run.as_of, run.customers),
    };
    match chart {
        Chart::Pareto => pareto(root, run, ctx, &note),
        Chart::Tiers => tiers(root, run, ctx, &note),
        Chart::RfmGrid => rfm_grid(root, run, ctx, &note),
        Chart::RfmSegments => {
            let title = lang.pick("RFM segments: customers and revenue", "RFM 客户分群：客户数与收入");
            let sub = lang.pick("Named from recency and frequency scores", "按最近购买（R）与购买频次（F）评分命名");
            groups(root, ctx, title, sub, &note, &run.segments)
        }
        Chart::ValueClasses => {
            let title = lang.pick("Eight value classes: customers and revenue", "八类客户价值：客户数与收入");
            let sub = lang.pick("R, F and M each above or below the mean", "R、F、M 各自高于或低于均值");
            groups(root, ctx, title, sub, &note, &run.value_classes)
        }
        Chart::Lifecycle => {
            let title = lang.pick("Lifecycle stages: customers and revenue", "客户生命周期：客户数与收入");
            groups(root, ctx, title, "", &note, &run.lifecycle)
        }
        Chart::Behaviour => {
            let title = lang.pick("Active, dormant and churned customers", "活跃、沉睡与流失客户");
            let sub = lang.pick("By days since the last purchase", "按距上次购买的天数");
            groups(root, ctx, title, sub, &note, &run.behaviour)
        }
        Chart::TierMigration | Chart::LifecycleMigration => {
            let Some(m) = &set.migration else { return Ok(()) };
            let tier = chart == Chart::TierMigration;
            let what = if tier { lang.pick("Tier", "客户层级") } else { lang.pick("Lifecycle", "生命周期") };
            let title = match lang {
                Lang::ZhCn => format!("{what}迁移：{} → {}", m.from_as_of, m.to_as_of),
                Lang::En => format!("{what} migration: {} → {}", m.from_as_of, m.to_as_of),
            };
            let matrix = if tier { &m.tiers } else { &m.lifecycle };
            migration_chart(root, ctx, &title, &note, m, matrix)
        }
        Chart::Satisfaction => satisfaction(root, &set.activity, ctx, &note),
        Chart::Cohorts => cohorts(root, &set.activity, ctx, &note),
        Chart::ClvDistribution => clv_distribution(root, run, ctx, &note),
        Chart::PAliveClv => p_alive(root, run, ctx, &note),
        Chart::ChannelMix => channel_mix(root, &set.activity, ctx, &note),
        Chart::Resources => resources(root, run, ctx, &note),
    }
}

fn count_format(lang: Lang) -> impl Fn(f64) -> String {
    move |v| lang.count(v)
}

fn axis_font(ctx: &Ctx<'_>) -> TextStyle<'static> {
    TextStyle::from((FAMILY, 20.0 * ctx.scale).into_font()).color(&INK)
}

fn pareto<DB: DrawingBackend>(root: &Area<DB>, run: &RunCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let p = &run.pareto;
    let (x, y) = (percent(p.head_customer_share), percent(p.head_contribution_share));
    let headline = match lang {
        Lang::ZhCn => format!("{x} 的客户（A 头部）带来 {y} 的利润"),
        Lang::En => format!("{x} of customers (tier A) bring {y} of the profit"),
    };
    let title = lang.pick("Pareto: cumulative profit by share of customers", "帕累托曲线：客户占比与累计利润占比");
    let area = frame(root, ctx, title, &headline, note)?;
    let top = p.points.iter().fold(100.0_f64, |m, q| m.max(q.contribution_share)) * 1.08;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(ctx.px(24.0))
        .margin_top(ctx.px(12.0))
        .x_label_area_size(ctx.px(70.0))
        .y_label_area_size(ctx.px(110.0))
        .build_cartesian_2d(0.0..100.0, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc(lang.pick("Share of buyers, best first", "客户占比（按贡献从高到低）"))
        .y_desc(lang.pick("Cumulative share of profit", "累计利润贡献占比"))
        .x_label_formatter(&|v| percent(*v))
        .y_label_formatter(&|v| percent(*v))
        .label_style(axis_font(ctx))
        .axis_desc_style(axis_font(ctx))
        .light_line_style(WHITE)
        .bold_line_style(RULE)
        .draw()?;
    chart.draw_series(LineSeries::new([(0.0, 0.0), (100.0, 100.0)], RULE.stroke_width(ctx.px(2.0) as u32)))?;
    chart.draw_series(LineSeries::new(
        p.points.iter().map(|q| (q.customer_share, q.contribution_share)),
        colour(0).stroke_width(ctx.px(4.0) as u32),
    ))?;
    let mut previous = 0.0;
    let letters = ctx.text(24.0, MUTED, HPos::Center, VPos::Top);
    let narrow_letters = ctx.text(24.0, MUTED, HPos::Left, VPos::Top);
    let mut ends: Vec<(String, f64)> = p.cuts.iter().map(|c| (c.tier.to_uppercase(), c.customer_share)).collect();
    if p.buyers > 0 && ends.last().is_none_or(|e| e.1 < 100.0) {
        ends.push(("D".into(), 100.0));
    }
    for (i, (letter, end)) in ends.iter().enumerate() {
        // A tier too narrow to hold its letter gets it beside its start line, one step lower
        // than the one before, so neighbours never overlap.
        if end - previous >= 6.0 {
            let mid = chart.backend_coord(&((previous + end) / 2.0, top));
            root.draw_text(letter, &letters, (mid.0, mid.1 + ctx.px(6.0)))?;
        } else {
            let at = chart.backend_coord(&(*end, top));
            root.draw_text(letter, &narrow_letters, (at.0 + ctx.px(8.0), at.1 + ctx.px(6.0 + 30.0 * i as f64)))?;
        }
        previous = *end;
    }
    for (i, cut) in p.cuts.iter().enumerate() {
        let line = vec![(cut.customer_share, 0.0), (cut.customer_share, top)];
        chart.draw_series(std::iter::once(PathElement::new(
            line,
            MUTED.mix(0.6).stroke_width(ctx.px(1.5).max(1) as u32),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (cut.customer_share, cut.contribution_share),
            ctx.px(7.0),
            colour(i + 1).filled(),
        )))?;
        let at = chart.backend_coord(&(cut.customer_share, cut.contribution_share));
        let label = match lang {
            Lang::ZhCn => format!(
                "{} 类及以上：客户 {} · 利润 {}",
                cut.tier.to_uppercase(),
                percent(cut.customer_share),
                percent(cut.contribution_share)
            ),
            Lang::En => format!(
                "Through {}: {} of customers · {} of profit",
                cut.tier.to_uppercase(),
                percent(cut.customer_share),
                percent(cut.contribution_share)
            ),
        };
        root.draw_text(
            &label,
            &ctx.text(20.0, INK, HPos::Left, VPos::Center),
            (at.0 + ctx.px(16.0), at.1 + ctx.px(28.0 + 4.0 * i as f64)),
        )?;
    }
    Ok(())
}

fn tiers<DB: DrawingBackend>(root: &Area<DB>, run: &RunCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let t = &run.tiers;
    let rows: Vec<&Group> = t.tiers.iter().chain(std::iter::once(&t.prospects)).collect();
    let names: Vec<String> = rows.iter().map(|g| group_name(lang, &g.key)).collect();
    let total = t.total_contribution_minor as f64;
    let money = |v: f64| {
        if total == 0.0 {
            ctx.money(v)
        } else {
            format!("{} · {}", ctx.money(v), percent(v * 100.0 / total))
        }
    };
    let counts = count_format(lang);
    let panels = [
        customers_panel(lang, &rows, &counts),
        Panel {
            title: lang.pick("Profit contribution (share of the total)", "利润贡献（占总额比例）").into(),
            values: rows.iter().map(|g| g.contribution_minor as f64).collect(),
            format: &money,
            color: colour(2),
        },
    ];
    let title = lang.pick("Customers and profit contribution by tier", "各层级客户数与利润贡献");
    let sub = lang.pick(
        "Prospects (no purchase yet) are not a tier and are shown apart; D brings a loss",
        "潜在客户（尚未购买）不属于任何层级，单独列出；D 类贡献为负",
    );
    let area = frame(root, ctx, title, sub, note)?;
    panel_bars(&area, ctx, &names, &panels, true)
}

/// The customers of each group, as the first column of bars.
fn customers_panel<'a>(lang: Lang, groups: &[&Group], format: &'a dyn Fn(f64) -> String) -> Panel<'a> {
    Panel {
        title: lang.pick("Customers", "客户数").into(),
        values: groups.iter().map(|g| f64::from(g.customers)).collect(),
        format,
        color: colour(0),
    }
}

/// Customers and revenue of each group, the empty ones left out.
fn groups<DB: DrawingBackend>(
    root: &Area<DB>,
    ctx: &Ctx<'_>,
    title: &str,
    subtitle: &str,
    note: &str,
    groups: &[Group],
) -> Drawn<DB> {
    let lang = ctx.lang;
    let shown: Vec<&Group> = groups.iter().filter(|g| g.customers > 0).collect();
    let names: Vec<String> = shown.iter().map(|g| group_name(lang, &g.key)).collect();
    let counts = count_format(lang);
    let money = |v: f64| ctx.money(v);
    let panels = [
        customers_panel(lang, &shown, &counts),
        Panel {
            title: lang.pick("Revenue in the window", "窗口期收入").into(),
            values: shown.iter().map(|g| g.revenue_minor as f64).collect(),
            format: &money,
            color: colour(1),
        },
    ];
    let area = frame(root, ctx, title, subtitle, note)?;
    panel_bars(&area, ctx, &names, &panels, false)
}

fn rfm_grid<DB: DrawingBackend>(root: &Area<DB>, run: &RunCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let rows: Vec<String> = (1..=5).rev().map(|r| format!("R{r}")).collect();
    let columns: Vec<String> = (1..=5).map(|f| format!("F{f}")).collect();
    let max = run.rfm_grid.iter().map(|c| c.customers).max().unwrap_or(0).max(1);
    let mut shade = vec![vec![0.0; 5]; 5];
    let mut text = vec![vec![String::new(); 5]; 5];
    for (i, cell) in run.rfm_grid.iter().enumerate() {
        let (r, c) = (i / 5, i % 5);
        shade[r][c] = f64::from(cell.customers) / f64::from(max);
        text[r][c] = format!("{}\n{}", lang.count(f64::from(cell.customers)), ctx.money(cell.revenue_minor as f64));
    }
    let title = lang.pick("RFM grid: recency × frequency", "RFM 矩阵：最近购买 × 购买频次");
    let sub = lang.pick("Customers and revenue in each cell; 5 is best", "每格为客户数与收入；5 分最好");
    let area = frame(root, ctx, title, sub, note)?;
    let area = area.margin(0, 0, ctx.px(160.0), ctx.px(160.0));
    heatmap(
        &area,
        ctx,
        &Heat {
            rows: &rows,
            columns: &columns,
            shade: &shade,
            text: &text,
            row_title: lang.pick("Recency score", "最近购买评分 R"),
            column_title: lang.pick("Frequency score", "购买频次评分 F"),
        },
    )
}

fn migration_chart<DB: DrawingBackend>(
    root: &Area<DB>,
    ctx: &Ctx<'_>,
    title: &str,
    note: &str,
    m: &Migration,
    matrix: &Matrix,
) -> Drawn<DB> {
    let lang = ctx.lang;
    // Groups nobody is in, in either run, are left out.
    let used: Vec<usize> = (0..matrix.rows.len())
        .filter(|&i| {
            matrix.counts.get(i).is_some_and(|r| r.iter().any(|&n| n > 0))
                || matrix.counts.iter().any(|r| r.get(i).is_some_and(|&n| n > 0))
        })
        .collect();
    let names: Vec<String> = used.iter().map(|&i| group_name(lang, &matrix.rows[i])).collect();
    let mut shade = Vec::new();
    let mut text = Vec::new();
    for &i in &used {
        let row_total: u32 = used.iter().map(|&j| matrix.counts[i][j]).sum();
        shade.push(used.iter().map(|&j| f64::from(matrix.counts[i][j]) / f64::from(row_total.max(1))).collect());
        text.push(
            used.iter()
                .map(|&j| {
                    let n = matrix.counts[i][j];
                    if n == 0 {
                        String::new()
                    } else if matrix.rows[i] == NOT_IN_RUN {
                        lang.count(f64::from(n))
                    } else {
                        format!(
                            "{}\n{}",
                            lang.count(f64::from(n)),
                            percent(f64::from(n) * 100.0 / f64::from(row_total.max(1)))
                        )
                    }
                })
                .collect(),
        );
    }
    let sub = lang.pick(
        "Customers moving from each group (rows) to each group (columns); shade = share of the row",
        "每行客户在下一次评估中的去向；颜色深浅为占该行的比例",
    );
    let area = frame(root, ctx, title, sub, note)?;
    let (from, to) = (m.from_as_of.to_string(), m.to_as_of.to_string());
    let row_title = match lang {
        Lang::ZhCn => format!("{from} 的评估"),
        Lang::En => format!("Evaluation of {from}"),
    };
    let column_title = match lang {
        Lang::ZhCn => format!("{to} 的评估"),
        Lang::En => format!("Evaluation of {to}"),
    };
    heatmap(
        &area,
        ctx,
        &Heat {
            rows: &names,
            columns: &names,
            shade: &shade,
            text: &text,
            row_title: &row_title,
            column_title: &column_title,
        },
    )
}

fn satisfaction<DB: DrawingBackend>(root: &Area<DB>, a: &ActivityCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let title = lang.pick("NPS, CSAT and CES by month", "每月 NPS、CSAT 与 CES");
    let sub = lang.pick(
        "NPS = % promoters − % detractors; CSAT = % satisfied (4-5); CES = mean ease (1-7); n = responses",
        "NPS = 推荐者% − 贬损者%；CSAT = 满意（4-5 分）占比；CES = 平均省力度（1-7）；n = 回复数",
    );
    let area = frame(root, ctx, title, sub, note)?;
    let panels = area.split_evenly((3, 1));
    let n = a.months.len() as u32;
    let kinds = [(SurveyKind::Nps, -100.0, 100.0), (SurveyKind::Csat, 0.0, 100.0), (SurveyKind::Ces, 1.0, 7.0)];
    for (k, ((kind, low, high), panel)) in kinds.into_iter().zip(panels.iter()).enumerate() {
        let last = k == 2;
        let mut chart = ChartBuilder::on(panel)
            .margin_top(ctx.px(10.0))
            .margin_bottom(ctx.px(if last { 0.0 } else { 18.0 }))
            .margin_right(ctx.px(24.0))
            .x_label_area_size(if last { ctx.px(40.0) } else { 0 })
            .y_label_area_size(ctx.px(150.0))
            .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), low..high)?;
        let months = &a.months;
        let month_label = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => months.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let value_label = |v: &f64| format!("{v:.0}");
        chart
            .configure_mesh()
            .x_labels(n as usize)
            .y_labels(5)
            .x_label_formatter(&month_label)
            .y_label_formatter(&value_label)
            .label_style(axis_font(ctx))
            .light_line_style(WHITE)
            .bold_line_style(RULE)
            .disable_x_mesh()
            .draw()?;
        let name = group_name(lang, kind.as_str());
        panel.draw_text(&name, &ctx.text(26.0, colour(k), HPos::Left, VPos::Top), (ctx.px(4.0), ctx.px(10.0)))?;
        let points: Vec<(SegmentValue<u32>, f64, u32)> = a
            .satisfaction
            .iter()
            .filter(|s| s.kind == kind)
            .filter_map(|s| {
                let i = months.iter().position(|m| *m == s.month)? as u32;
                Some((SegmentValue::CenterOf(i), s.score.score?, s.score.responses))
            })
            .collect();
        let style = colour(k).stroke_width(ctx.px(3.0) as u32);
        chart.draw_series(LineSeries::new(points.iter().map(|(x, y, _)| (x.clone(), *y)), style))?;
        chart.draw_series(
            points.iter().map(|(x, y, _)| Circle::new((x.clone(), *y), ctx.px(5.0), colour(k).filled())),
        )?;
        for (x, y, responses) in &points {
            let at = chart.backend_coord(&(x.clone(), *y));
            let label = if kind == SurveyKind::Ces { format!("{y:.1}") } else { format!("{y:.0}") };
            let text = format!("{label} (n={responses})");
            root.draw_text(&text, &ctx.text(16.0, INK, HPos::Center, VPos::Bottom), (at.0, at.1 - ctx.px(8.0)))?;
        }
    }
    Ok(())
}

fn cohorts<DB: DrawingBackend>(root: &Area<DB>, a: &ActivityCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let span = a.months.len();
    let rows: Vec<String> = a.cohorts.iter().map(|c| c.month.clone()).collect();
    let mut columns = vec![lang.pick("New", "新客数").to_owned()];
    columns.extend((1..span).map(|k| format!("+{k}")));
    let rates: Vec<Vec<Option<f64>>> = a
        .cohorts
        .iter()
        .map(|c| {
            (1..span)
                .map(|k| {
                    c.retained
                        .get(k)
                        .filter(|_| c.customers > 0)
                        .map(|&n| f64::from(n) * 100.0 / f64::from(c.customers))
                })
                .collect()
        })
        .collect();
    let max = rates.iter().flatten().flatten().fold(0.0_f64, |m, v| m.max(*v)).max(1.0);
    let shade: Vec<Vec<f64>> =
        rates.iter().map(|r| std::iter::once(0.0).chain(r.iter().map(|v| v.unwrap_or(0.0) / max)).collect()).collect();
    let text: Vec<Vec<String>> = a
        .cohorts
        .iter()
        .zip(&rates)
        .map(|(c, r)| {
            std::iter::once(lang.count(f64::from(c.customers)))
                .chain(r.iter().map(|v| v.map(percent).unwrap_or_default()))
                .collect()
        })
        .collect();
    let title = lang.pick("Monthly cohort retention", "月度新客留存");
    let sub = lang.pick(
        "Share of each first-purchase month's customers who bought again n months later",
        "按首次购买月份分组，n 个月后再次购买的客户占比",
    );
    let area = frame(root, ctx, title, sub, note)?;
    heatmap(
        &area,
        ctx,
        &Heat {
            rows: &rows,
            columns: &columns,
            shade: &shade,
            text: &text,
            row_title: lang.pick("First purchase", "首次购买月份"),
            column_title: lang.pick("Months since the first purchase", "距首次购买的月数"),
        },
    )
}

fn clv_distribution<DB: DrawingBackend>(root: &Area<DB>, run: &RunCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let title = lang.pick("Predicted customer lifetime value, 12 months", "预测客户终身价值（未来 12 个月）");
    let sub = match lang {
        Lang::ZhCn => format!("对数刻度；另有 {} 位客户无正的预测值", lang.count(f64::from(run.clv_none))),
        Lang::En => {
            format!("Log scale; {} more customers have no positive prediction", lang.count(f64::from(run.clv_none)))
        }
    };
    let area = frame(root, ctx, title, &sub, note)?;
    let (Some(first), Some(last)) = (run.clv_bins.first(), run.clv_bins.last()) else {
        return empty(&area, ctx);
    };
    let (low, high) = (first.from_minor.max(1) as f64 / 100.0, last.to_minor.max(2) as f64 / 100.0);
    let top = run.clv_bins.iter().map(|b| b.customers).max().unwrap_or(1) as f64 * 1.1;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(ctx.px(24.0))
        .x_label_area_size(ctx.px(70.0))
        .y_label_area_size(ctx.px(110.0))
        .build_cartesian_2d((low..high).log_scale(), 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc(lang.pick("Predicted CLV", "预测 CLV"))
        .y_desc(lang.pick("Customers", "客户数"))
        .x_label_formatter(&|v| ctx.money(v * 100.0))
        .y_label_formatter(&|v| lang.count(*v))
        .label_style(axis_font(ctx))
        .axis_desc_style(axis_font(ctx))
        .light_line_style(WHITE)
        .bold_line_style(RULE)
        .draw()?;
    chart.draw_series(run.clv_bins.iter().map(|b| {
        Rectangle::new(
            [(b.from_minor.max(1) as f64 / 100.0, 0.0), (b.to_minor as f64 / 100.0, f64::from(b.customers))],
            colour(0).filled(),
        )
    }))?;
    chart.draw_series(run.clv_bins.iter().map(|b| {
        Rectangle::new(
            [(b.from_minor.max(1) as f64 / 100.0, 0.0), (b.to_minor as f64 / 100.0, f64::from(b.customers))],
            WHITE.stroke_width(ctx.px(1.0).max(1) as u32),
        )
    }))?;
    Ok(())
}

fn empty<DB: DrawingBackend>(area: &Area<DB>, ctx: &Ctx<'_>) -> Drawn<DB> {
    let (w, h) = area.dim_in_pixel();
    let text = ctx.lang.pick("No data yet", "暂无数据");
    area.draw_text(text, &ctx.text(28.0, MUTED, HPos::Center, VPos::Center), (w as i32 / 2, h as i32 / 2))
}

fn p_alive<DB: DrawingBackend>(root: &Area<DB>, run: &RunCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let title = lang.pick("Probability still active against predicted CLV", "客户存活概率与预测 CLV");
    let points: Vec<(f64, f64)> =
        run.p_alive.iter().filter(|p| p.clv_minor > 0).map(|p| (p.clv_minor as f64 / 100.0, p.p_alive)).collect();
    let sub = match lang {
        Lang::ZhCn => format!("每点一位客户（抽样 {} 位）；横轴为对数刻度", lang.count(points.len() as f64)),
        Lang::En => format!("One dot per customer ({} sampled); log scale across", lang.count(points.len() as f64)),
    };
    let area = frame(root, ctx, title, &sub, note)?;
    if points.is_empty() {
        return empty(&area, ctx);
    }
    let low = points.iter().fold(f64::MAX, |m, p| m.min(p.0)).max(0.01);
    let high = points.iter().fold(0.0_f64, |m, p| m.max(p.0)).max(low * 10.0);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(ctx.px(24.0))
        .x_label_area_size(ctx.px(70.0))
        .y_label_area_size(ctx.px(110.0))
        .build_cartesian_2d((low..high).log_scale(), 0.0..1.02)?;
    chart
        .configure_mesh()
        .x_desc(lang.pick("Predicted CLV", "预测 CLV"))
        .y_desc(lang.pick("P(alive)", "存活概率"))
        .x_label_formatter(&|v| ctx.money(v * 100.0))
        .y_label_formatter(&|v| percent(v * 100.0))
        .label_style(axis_font(ctx))
        .axis_desc_style(axis_font(ctx))
        .light_line_style(WHITE)
        .bold_line_style(RULE)
        .draw()?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, ctx.px(4.0), colour(0).mix(0.45).filled())))?;
    Ok(())
}

fn channel_mix<DB: DrawingBackend>(root: &Area<DB>, a: &ActivityCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let (channels, table) = channel_table(&a.months, &a.channels);
    let title = lang.pick("Revenue by channel and month", "各渠道月度收入");
    let area = frame(root, ctx, title, "", note)?;
    let entries: Vec<(String, RGBColor)> =
        channels.iter().enumerate().map(|(i, c)| (group_name(lang, c), colour(i))).collect();
    legend(&area, ctx, &entries, ctx.px(12.0))?;
    let area = area.margin(ctx.px(40.0), 0, 0, 0);
    let n = a.months.len() as u32;
    let max = table.iter().map(|row| row.iter().sum::<i64>()).max().unwrap_or(0) as f64;
    let top = (max * 1.1).max(100.0);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(ctx.px(24.0))
        .x_label_area_size(ctx.px(50.0))
        .y_label_area_size(ctx.px(120.0))
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), 0.0..top)?;
    let months = &a.months;
    chart
        .configure_mesh()
        .x_labels(n as usize)
        .y_labels(6)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => months.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| ctx.money(*v))
        .label_style(axis_font(ctx))
        .light_line_style(WHITE)
        .bold_line_style(RULE)
        .disable_x_mesh()
        .draw()?;
    let gap = ctx.px(14.0) as u32;
    for (m, row) in table.iter().enumerate() {
        let mut base = 0.0;
        for (c, &v) in row.iter().enumerate() {
            if v <= 0 {
                continue;
            }
            let top = base + v as f64;
            let mut bar = Rectangle::new(
                [(SegmentValue::Exact(m as u32), base), (SegmentValue::Exact(m as u32 + 1), top)],
                colour(c).filled(),
            );
            bar.set_margin(0, 0, gap, gap);
            chart.draw_series(std::iter::once(bar))?;
            base = top;
        }
    }
    Ok(())
}

fn resources<DB: DrawingBackend>(root: &Area<DB>, run: &RunCharts, ctx: &Ctx<'_>, note: &str) -> Drawn<DB> {
    let lang = ctx.lang;
    let names: Vec<String> = run.resources.iter().map(|r| group_name(lang, &r.key)).collect();
    let money = |v: f64| ctx.money(v);
    let counts = count_format(lang);
    let hours = |v: f64| match lang {
        Lang::ZhCn => format!("{} 小时", lang.count(v)),
        Lang::En => format!("{} h", lang.count(v)),
    };
    let panels = [
        Panel {
            title: lang.pick("Profit contribution", "利润贡献").into(),
            values: run.resources.iter().map(|r| r.contribution_minor as f64).collect(),
            format: &money,
            color: colour(2),
        },
        Panel {
            title: lang.pick("Service cost", "服务成本").into(),
            values: run.resources.iter().map(|r| r.service_cost_minor as f64).collect(),
            format: &money,
            color: colour(1),
        },
        Panel {
            title: lang.pick("Service time", "服务时间").into(),
            values: run.resources.iter().map(|r| r.service_minutes as f64 / 60.0).collect(),
            format: &hours,
            color: colour(4),
        },
        Panel {
            title: lang.pick("Interactions", "互动次数").into(),
            values: run.resources.iter().map(|r| f64::from(r.interactions)).collect(),
            format: &counts,
            color: colour(5),
        },
    ];
    let title = lang.pick("Service effort and cost against contribution, per tier", "各层级的服务投入、成本与利润贡献");
    let sub = lang.pick("Over the evaluation window", "统计区间为评估窗口期");
    let area = frame(root, ctx, title, sub, note)?;
    panel_bars(&area, ctx, &names, &panels, true)
}
