//! The manager's report folder: the chart folder (every chart as PNG and SVG, `summary.json`),
//! `report.xlsx` with one sheet per table of the summary and a native Excel chart on each (so
//! it can be restyled in Excel or WPS), one members CSV per tier and one for the prospects, and
//! `report.pdf`: a title page with the headline figures, then every chart, one per page, as
//! vectors with the font embedded and the text selectable.

use super::data::Matrix;
use super::draw::{joined, RenderedChart};
use super::folder::{run_to_draw, write_charts, FolderRequest, GroupSummary, Summary, TierSummary};
use super::font::FONT;
use super::style::{currency_sign, group_name, percent, Lang, PALETTE};
use crate::db::Database;
use crate::error::{Error, Result};
use crate::evaluation::store::{each_member_line, get_run, MemberFilter, MembersCsv};
use crate::evaluation::Tier;
use crate::money;
use crate::settings::Language;
use rusqlite::{Connection, OptionalExtension};
use rust_xlsxwriter as xlsx;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The settings key of the business's name, shown on the report's title page.
pub const BUSINESS_NAME_KEY: &str = "business_name";

/// What was written and how long each part took.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportWritten {
    pub run_id: i64,
    pub files: Vec<PathBuf>,
    pub charts_seconds: f64,
    pub workbook_seconds: f64,
    pub members_seconds: f64,
    pub pdf_seconds: f64,
}

/// Writes the report of a run (the latest when `request.run` is `None`) into `dir`.
///
/// The members files are one long pass over the run of their own, written on a second
/// connection while the charts are drawn.
///
/// # Errors
/// As [`super::write_folder`]; [`Error::Internal`] when the workbook or the PDF cannot be made.
pub fn write_report(db: &Database, request: FolderRequest, dir: &Path) -> Result<ReportWritten> {
    let run_id = db.with_conn(|c| run_to_draw(c, request.run))?;
    let request = FolderRequest { run: Some(run_id), ..request };
    let lang = request.lang;
    std::fs::create_dir_all(dir)?;
    let (folder, members) = std::thread::scope(|scope| {
        let members = scope.spawn(|| {
            let clock = std::time::Instant::now();
            let files = db.with_conn(|c| members_files(c, run_id, lang, dir));
            Ok((files, clock.elapsed().as_secs_f64()))
        });
        let clock = std::time::Instant::now();
        let folder = write_charts(db, request, dir);
        let charts_seconds = clock.elapsed().as_secs_f64();
        ((folder, charts_seconds), joined(members))
    });
    let ((folder, charts_seconds), (members, members_seconds)) = (folder, members?);
    let folder = folder?;
    let mut files = folder.written.files;
    files.extend(members?);

    let clock = std::time::Instant::now();
    let file = dir.join("report.xlsx");
    workbook(&folder.summary, lang, &file)?;
    files.push(file);
    let workbook_seconds = clock.elapsed().as_secs_f64();

    let clock = std::time::Instant::now();
    let file = dir.join("report.pdf");
    let name = db.with_conn(business_name)?;
    std::fs::write(&file, pdf(&folder.summary, &folder.svgs, lang, &name)?)?;
    files.push(file);
    let pdf_seconds = clock.elapsed().as_secs_f64();

    Ok(ReportWritten { run_id, files, charts_seconds, workbook_seconds, members_seconds, pdf_seconds })
}

/// The business's name from the settings, else the database file's name.
fn business_name(conn: &Connection) -> Result<String> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [BUSINESS_NAME_KEY], |r| r.get(0)).optional()?;
    if let Some(name) = stored.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        return Ok(name);
    }
    Ok(conn
        .path()
        .and_then(|p| Path::new(p).file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Headtail".to_owned()))
}

/// `members_tier_a.csv` to `members_tier_d.csv` and `members_prospects.csv`: the members
/// export of each group, headers and labels in the report's language after a UTF-8 BOM, all
/// written in one pass over the run.
fn members_files(conn: &Connection, run_id: i64, lang: Lang, dir: &Path) -> Result<Vec<PathBuf>> {
    let run = get_run(conn, run_id)?;
    let language = match lang {
        Lang::ZhCn => Language::ZhCn,
        Lang::En => Language::En,
    };
    let mut files = Vec::new();
    let mut writers = Vec::new();
    for &tier in Tier::ALL {
        let name = match tier {
            Tier::Prospect => "members_prospects.csv".to_owned(),
            other => format!("members_tier_{}.csv", other.as_str()),
        };
        let file = dir.join(name);
        let out = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&file)?);
        writers.push((tier, MembersCsv::new(&run, Some(language), out)?));
        files.push(file);
    }
    each_member_line(conn, run_id, &MemberFilter::default(), |line| {
        match writers.iter_mut().find(|(tier, _)| *tier == line.tier) {
            Some((_, file)) => file.write(line),
            None => Ok(()),
        }
    })?;
    for (_, file) in writers {
        file.finish()?;
    }
    Ok(files)
}

fn xlsx_error(e: xlsx::XlsxError) -> Error {
    Error::Internal(format!("writing report.xlsx failed: {e}"))
}

/// One cell of a sheet's table.
enum Cell {
    Text(String),
    Count(f64),
    Money(i64),
    Share(Option<f64>),
    Score(Option<f64>),
}

struct Formats {
    header: xlsx::Format,
    count: xlsx::Format,
    money: xlsx::Format,
    share: xlsx::Format,
    score: xlsx::Format,
    /// Minor units per major unit of the run's currency.
    per_major: f64,
}

/// A table written from A1 with its headers in bold, columns sized to their text.
fn table(book: &mut xlsx::Workbook, name: &str, headers: &[String], rows: &[Vec<Cell>], f: &Formats) -> Result<()> {
    let sheet = book.add_worksheet();
    sheet.set_name(name).map_err(xlsx_error)?;
    for (c, header) in (0_u16..).zip(headers) {
        sheet.write_string_with_format(0, c, header, &f.header).map_err(xlsx_error)?;
        let widest = rows
            .iter()
            .filter_map(|row| match row.get(usize::from(c)) {
                Some(Cell::Text(t)) => Some(t.chars().map(|ch| if ch.is_ascii() { 1.0 } else { 2.0 }).sum()),
                _ => None,
            })
            .fold(header.chars().map(|ch| if ch.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>(), f64::max);
        sheet.set_column_width(c, widest.clamp(10.0, 40.0) + 2.0).map_err(xlsx_error)?;
    }
    for (r, row) in (1_u32..).zip(rows) {
        for (c, cell) in (0_u16..).zip(row) {
            match cell {
                Cell::Text(t) => crate::export::write_text(sheet, r, c, t),
                Cell::Count(n) => sheet.write_number_with_format(r, c, *n, &f.count).map(|_| ()),
                Cell::Money(m) => sheet.write_number_with_format(r, c, *m as f64 / f.per_major, &f.money).map(|_| ()),
                Cell::Share(Some(s)) => sheet.write_number_with_format(r, c, s / 100.0, &f.share).map(|_| ()),
                Cell::Score(Some(s)) => sheet.write_number_with_format(r, c, *s, &f.score).map(|_| ()),
                Cell::Share(None) | Cell::Score(None) => Ok(()),
            }
            .map_err(xlsx_error)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    Ok(())
}

/// The series colours of the charts' palette.
fn colour(i: usize) -> xlsx::Color {
    let (r, g, b) = PALETTE[i % 7];
    xlsx::Color::RGB((u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b))
}

/// A chart of `columns` of the sheet's first `rows` data rows, one series per column, the
/// first column as categories, placed right of the table at `slot` (0 = top, 1 = below it).
fn chart(
    book: &mut xlsx::Workbook,
    sheet_name: &str,
    kind: xlsx::ChartType,
    title: &str,
    (rows, columns): (u32, &[u16]),
    (table_width, slot): (u16, u32),
) -> Result<()> {
    let mut chart = xlsx::Chart::new(kind);
    chart.title().set_name(title);
    let lines = matches!(kind, xlsx::ChartType::Line);
    for (i, &c) in columns.iter().enumerate() {
        let mut format = xlsx::ChartFormat::new();
        if lines {
            format.set_line(xlsx::ChartLine::new().set_color(colour(i)).set_width(2.25));
        } else {
            format.set_solid_fill(xlsx::ChartSolidFill::new().set_color(colour(i)));
        }
        let series = chart
            .add_series()
            .set_name((sheet_name, 0, c))
            .set_categories((sheet_name, 1, 0, rows, 0))
            .set_values((sheet_name, 1, c, rows, c))
            .set_format(&mut format);
        if lines {
            series.set_marker(xlsx::ChartMarker::new().set_automatic());
        }
    }
    if columns.len() == 1 {
        chart.legend().set_hidden();
    } else {
        chart.legend().set_position(xlsx::ChartLegendPosition::Bottom);
    }
    chart.set_width(640).set_height(360);
    let sheet = book.worksheet_from_name(sheet_name).map_err(xlsx_error)?;
    sheet.insert_chart(1 + slot * 20, table_width + 1, &chart).map_err(xlsx_error)?;
    Ok(())
}

/// A sheet of customers and revenue per group: its name and its key column's header in
/// English and Chinese, the groups, and the chart's kind.
struct GroupSheet<'a> {
    name: (&'a str, &'a str),
    key: (&'a str, &'a str),
    list: &'a [GroupSummary],
    kind: xlsx::ChartType,
}

/// `report.xlsx`: tiers, lifecycle stages, RFM segments, value classes, satisfaction by month
/// and, with a comparison run, the migration matrices; each sheet with a native chart.
fn workbook(summary: &Summary, lang: Lang, path: &Path) -> Result<()> {
    let mut book = xlsx::Workbook::new();
    let digits = money::minor_digits(&summary.currency);
    let money_format = match digits {
        0 => "#,##0".to_owned(),
        d => format!("#,##0.{}", "0".repeat(d as usize)),
    };
    let f = Formats {
        header: xlsx::Format::new().set_bold().set_background_color(xlsx::Color::RGB(0x00EE_EEEE)),
        count: xlsx::Format::new().set_num_format("#,##0"),
        money: xlsx::Format::new().set_num_format(money_format),
        share: xlsx::Format::new().set_num_format("0.0%"),
        score: xlsx::Format::new().set_num_format("0.0"),
        per_major: 10_f64.powi(digits as i32),
    };
    let pick = |en: &str, zh: &str| lang.pick(en, zh).to_owned();
    let currency = &summary.currency;
    let customers = pick("Customers", "客户数");
    let revenue = match lang {
        Lang::ZhCn => format!("收入（{currency}）"),
        Lang::En => format!("Revenue ({currency})"),
    };
    let contribution = match lang {
        Lang::ZhCn => format!("利润贡献（{currency}）"),
        Lang::En => format!("Contribution ({currency})"),
    };
    let as_of = &summary.as_of;

    let name = pick("Tiers", "客户层级");
    let tier_row = |t: &TierSummary| {
        vec![
            Cell::Text(group_name(lang, &t.tier)),
            Cell::Count(f64::from(t.customers)),
            Cell::Money(t.contribution_minor),
            Cell::Share(t.share),
        ]
    };
    let rows: Vec<Vec<Cell>> = summary.tiers.iter().chain(std::iter::once(&summary.prospects)).map(tier_row).collect();
    let headers =
        [pick("Tier", "客户层级"), customers.clone(), contribution.clone(), pick("Share of contribution", "贡献占比")];
    table(&mut book, &name, &headers, &rows, &f)?;
    let n = rows.len() as u32;
    let title = match lang {
        Lang::ZhCn => format!("各层级客户数（{as_of}）"),
        Lang::En => format!("Customers by tier ({as_of})"),
    };
    chart(&mut book, &name, xlsx::ChartType::Column, &title, (n, &[1]), (4, 0))?;
    let title = match lang {
        Lang::ZhCn => format!("各层级利润贡献（{as_of}）"),
        Lang::En => format!("Contribution by tier ({as_of})"),
    };
    chart(&mut book, &name, xlsx::ChartType::Column, &title, (n - 1, &[2]), (4, 1))?;

    let groups = [
        GroupSheet {
            name: ("Lifecycle", "生命周期"),
            key: ("Lifecycle stage", "生命周期阶段"),
            list: &summary.lifecycle,
            kind: xlsx::ChartType::Column,
        },
        GroupSheet {
            name: ("RFM segments", "RFM分群"),
            key: ("RFM segment", "RFM 分群"),
            list: &summary.rfm_segments,
            kind: xlsx::ChartType::Bar,
        },
        GroupSheet {
            name: ("Value classes", "八类客户价值"),
            key: ("Value class", "客户价值类别"),
            list: &summary.value_classes,
            kind: xlsx::ChartType::Bar,
        },
    ];
    for GroupSheet { name: (en, zh), key: (key_en, key_zh), list, kind } in groups {
        let name = pick(en, zh);
        let rows: Vec<Vec<Cell>> = list
            .iter()
            .map(|g| {
                vec![
                    Cell::Text(group_name(lang, &g.key)),
                    Cell::Count(f64::from(g.customers)),
                    Cell::Money(g.revenue_minor),
                ]
            })
            .collect();
        table(&mut book, &name, &[pick(key_en, key_zh), customers.clone(), revenue.clone()], &rows, &f)?;
        let n = rows.len() as u32;
        let title = match lang {
            Lang::ZhCn => format!("{zh}：客户数（{as_of}）"),
            Lang::En => format!("{en}: customers ({as_of})"),
        };
        chart(&mut book, &name, kind, &title, (n, &[1]), (3, 0))?;
        let title = match lang {
            Lang::ZhCn => format!("{zh}：收入（{as_of}）"),
            Lang::En => format!("{en}: revenue ({as_of})"),
        };
        chart(&mut book, &name, kind, &title, (n, &[2]), (3, 1))?;
    }

    satisfaction_sheet(&mut book, summary, lang, &f)?;
    if let Some(m) = &summary.migration {
        let (tiers, stages) = match lang {
            Lang::ZhCn => (("层级迁移", "客户层级迁移"), ("生命周期迁移", "生命周期迁移")),
            Lang::En => (("Tier migration", "Tier migration"), ("Lifecycle migration", "Lifecycle migration")),
        };
        for ((name, what), matrix) in [(tiers, &m.tiers), (stages, &m.lifecycle)] {
            let title = match lang {
                Lang::ZhCn => format!("{what}：{} → {as_of}", m.from_as_of),
                Lang::En => format!("{what}: {} → {as_of}", m.from_as_of),
            };
            matrix_sheet(&mut book, name, &title, matrix, lang, &f)?;
        }
    }
    book.set_properties(&xlsx::DocProperties::new().set_title(lang.pick("Customer report", "客户分层报告")));
    book.save(path).map_err(xlsx_error)
}

fn satisfaction_sheet(book: &mut xlsx::Workbook, summary: &Summary, lang: Lang, f: &Formats) -> Result<()> {
    let name = lang.pick("Satisfaction", "满意度");
    let months: std::collections::BTreeSet<&str> =
        summary.satisfaction.iter().flat_map(|s| s.by_month.iter().map(|m| m.month.as_str())).collect();
    let mut headers = vec![lang.pick("Month", "月份").to_owned()];
    for s in &summary.satisfaction {
        let kind = s.kind.as_str();
        let label = group_name(lang, kind);
        headers.push(match (lang, kind) {
            (Lang::En, "csat") => format!("{label} (% satisfied)"),
            (Lang::ZhCn, "csat") => format!("{label}（满意占比）"),
            (Lang::En, "ces") => format!("{label} (mean)"),
            (Lang::ZhCn, "ces") => format!("{label}（均值）"),
            _ => label.clone(),
        });
        headers.push(match lang {
            Lang::ZhCn => format!("{label} 回复数"),
            Lang::En => format!("{label} responses"),
        });
    }
    let rows: Vec<Vec<Cell>> = months
        .iter()
        .map(|&month| {
            let mut row = vec![Cell::Text(month.to_owned())];
            for s in &summary.satisfaction {
                let figure = s.by_month.iter().find(|m| m.month == month);
                let score = figure.and_then(|m| m.score);
                // CSAT is a share: written as one so Excel shows it as a percentage.
                row.push(if s.kind.as_str() == "csat" { Cell::Share(score) } else { Cell::Score(score) });
                row.push(Cell::Count(f64::from(figure.map_or(0, |m| m.responses))));
            }
            row
        })
        .collect();
    table(book, name, &headers, &rows, f)?;
    let n = (rows.len() as u32).max(1);
    let width = headers.len() as u16;
    let title = lang.pick("NPS by month", "NPS 月度走势");
    chart(book, name, xlsx::ChartType::Line, title, (n, &[1]), (width, 0))?;
    let title = lang.pick("Survey responses by month", "每月问卷回复数");
    chart(book, name, xlsx::ChartType::Column, title, (n, &[2, 4, 6]), (width, 1))?;
    Ok(())
}

/// A migration matrix: earlier groups down, later groups across, and a stacked bar per
/// earlier group showing where its customers went.
fn matrix_sheet(
    book: &mut xlsx::Workbook,
    name: &str,
    title: &str,
    matrix: &Matrix,
    lang: Lang,
    f: &Formats,
) -> Result<()> {
    let mut headers = vec![lang.pick("From \\ to", "原 \\ 现").to_owned()];
    headers.extend(matrix.columns.iter().map(|c| group_name(lang, c)));
    let rows: Vec<Vec<Cell>> = matrix
        .rows
        .iter()
        .zip(&matrix.counts)
        .map(|(key, counts)| {
            std::iter::once(Cell::Text(group_name(lang, key)))
                .chain(counts.iter().map(|&n| Cell::Count(f64::from(n))))
                .collect()
        })
        .collect();
    table(book, name, &headers, &rows, f)?;
    let columns: Vec<u16> = (1..headers.len() as u16).collect();
    let n = (rows.len() as u32).max(1);
    chart(book, name, xlsx::ChartType::BarStacked, title, (n, &columns), (headers.len() as u16, 0))
}

/// A 16:9 page, in points.
const PAGE: (f32, f32) = (960.0, 540.0);

fn pdf_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("writing report.pdf failed: {e}"))
}

/// Whole numbers with thousands separators: `12,345`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// An amount in whole major units with its sign: `¥12,345`.
fn amount(minor: i64, currency: &str) -> String {
    let per = 10_i64.pow(money::minor_digits(currency));
    let major = (minor as f64 / per as f64).round() as i64;
    let sign = if major < 0 { "-" } else { "" };
    format!("{sign}{}{}", currency_sign(currency), grouped(major.abs()))
}

/// Text on the title page, set in the chart font.
struct Pen {
    font: krilla::text::Font,
    metrics: ab_glyph::FontRef<'static>,
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

impl Pen {
    fn width(&self, text: &str, size: f32) -> f32 {
        use ab_glyph::Font as _;
        let units = self.metrics.units_per_em().unwrap_or(1000.0);
        let advance: f32 = text.chars().map(|c| self.metrics.h_advance_unscaled(self.metrics.glyph_id(c))).sum();
        advance * size / units
    }

    /// Writes `text` with its baseline at `y`, from `x` or ending at `x`.
    fn write(
        &self,
        surface: &mut krilla::surface::Surface<'_>,
        (x, y): (f32, f32),
        size: f32,
        colour: (u8, u8, u8),
        align: Align,
        text: &str,
    ) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - self.width(text, size),
        };
        surface.set_fill(Some(krilla::paint::Fill {
            paint: krilla::color::rgb::Color::new(colour.0, colour.1, colour.2).into(),
            ..krilla::paint::Fill::default()
        }));
        surface.draw_text(
            krilla::geom::Point::from_xy(x, y),
            self.font.clone(),
            size,
            text,
            false,
            krilla::text::TextDirection::Auto,
        );
    }
}

const INK: (u8, u8, u8) = (0x22, 0x22, 0x22);
const MUTED: (u8, u8, u8) = (0x66, 0x66, 0x66);

fn rule(surface: &mut krilla::surface::Surface<'_>, y: f32, (from, to): (f32, f32)) {
    let mut path = krilla::geom::PathBuilder::new();
    path.move_to(from, y);
    path.line_to(to, y);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(krilla::paint::Stroke {
            paint: krilla::color::rgb::Color::new(0xDD, 0xDD, 0xDD).into(),
            width: 1.0,
            ..krilla::paint::Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn title_page(surface: &mut krilla::surface::Surface<'_>, pen: &Pen, summary: &Summary, lang: Lang, business: &str) {
    let left = 56.0;
    let right = PAGE.0 - 56.0;
    pen.write(
        surface,
        (left, 72.0),
        14.0,
        MUTED,
        Align::Left,
        lang.pick("Customer report · Headtail", "客户分层报告 · Headtail"),
    );
    pen.write(surface, (left, 124.0), 36.0, INK, Align::Left, business);
    let mut dates = match lang {
        Lang::ZhCn => format!("评估日期 {} · 第 {} 次评估", summary.as_of, summary.run_id),
        Lang::En => format!("Evaluated {} · run {}", summary.as_of, summary.run_id),
    };
    if let Some(m) = &summary.migration {
        dates.push_str(&match lang {
            Lang::ZhCn => format!(" · 对比 {}（第 {} 次）", m.from_as_of, m.from_run),
            Lang::En => format!(" · compared with {} (run {})", m.from_as_of, m.from_run),
        });
    }
    pen.write(surface, (left, 156.0), 16.0, MUTED, Align::Left, &dates);
    rule(surface, 182.0, (left, right));

    let buyers: u32 = summary.tiers.iter().map(|t| t.customers).sum();
    let total: i64 = summary.tiers.iter().map(|t| t.contribution_minor).sum();
    let (x, y) = (percent(summary.headline.customer_share), percent(summary.headline.profit_share));
    let figures = [
        (
            grouped(i64::from(summary.customers)),
            match lang {
                Lang::ZhCn => format!("位客户，其中 {} 位已购买", grouped(i64::from(buyers))),
                Lang::En => format!("customers, {} of them buyers", grouped(i64::from(buyers))),
            },
        ),
        (
            format!("{x} → {y}"),
            match lang {
                Lang::ZhCn => format!("{x} 的客户（A 头部）带来 {y} 的利润"),
                Lang::En => format!("{x} of customers (tier A) bring {y} of the profit"),
            },
        ),
        (amount(total, &summary.currency), lang.pick("profit contribution in all", "利润贡献合计").to_owned()),
    ];
    for (i, (big, caption)) in figures.iter().enumerate() {
        let x = left + i as f32 * 296.0;
        pen.write(surface, (x, 236.0), 30.0, if i == 1 { PALETTE[0] } else { INK }, Align::Left, big);
        pen.write(surface, (x, 260.0), 12.0, MUTED, Align::Left, caption);
    }

    let columns = [
        (left, Align::Left),
        (420.0, Align::Right),
        (540.0, Align::Right),
        (740.0, Align::Right),
        (right, Align::Right),
    ];
    let headers = match lang {
        Lang::ZhCn => ["客户层级", "客户数", "占买家比例", "利润贡献", "贡献占比"],
        Lang::En => ["Tier", "Customers", "Share of buyers", "Contribution", "Share of contribution"],
    };
    let top = 318.0;
    for ((x, align), h) in columns.iter().zip(headers) {
        pen.write(surface, (*x, top), 12.0, MUTED, *align, h);
    }
    rule(surface, top + 8.0, (left, right));
    for (i, t) in summary.tiers.iter().chain(std::iter::once(&summary.prospects)).enumerate() {
        let prospect = i == summary.tiers.len();
        let buyer_share = (!prospect && buyers > 0).then(|| f64::from(t.customers) * 100.0 / f64::from(buyers));
        let cells = [
            group_name(lang, &t.tier),
            grouped(i64::from(t.customers)),
            buyer_share.map_or_else(|| "—".to_owned(), percent),
            amount(t.contribution_minor, &summary.currency),
            t.share.map_or_else(|| "—".to_owned(), percent),
        ];
        let y = top + 32.0 + i as f32 * 26.0;
        for ((x, align), text) in columns.iter().zip(&cells) {
            pen.write(surface, (*x, y), 14.0, INK, *align, text);
        }
    }
    let note = lang.pick(
        "Tiers are cut by profit contribution; prospects have not bought yet and are in no tier.",
        "客户层级按利润贡献划分；潜在客户尚未购买，不计入层级。",
    );
    pen.write(surface, (left, PAGE.1 - 36.0), 11.0, MUTED, Align::Left, note);
}

/// `report.pdf`: the title page, then every chart on a page of its own.
fn pdf(summary: &Summary, svgs: &[RenderedChart], lang: Lang, business: &str) -> Result<Vec<u8>> {
    let font = krilla::text::Font::new(krilla::Data::from(FONT), 0).ok_or_else(|| pdf_error("the chart font"))?;
    let metrics = ab_glyph::FontRef::try_from_slice(FONT).map_err(pdf_error)?;
    let pen = Pen { font, metrics };
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_source(usvg::fontdb::Source::Binary(Arc::new(FONT)));
    // The charts ask for a list of CJK families ending in sans-serif; the one font answers all.
    let family = fonts.faces().next().and_then(|f| f.families.first()).map(|f| f.0.clone());
    if let Some(family) = family {
        fonts.set_sans_serif_family(family);
    }
    let options = usvg::Options { fontdb: Arc::new(fonts), ..usvg::Options::default() };

    let page_settings = || krilla::page::PageSettings::from_wh(PAGE.0, PAGE.1).ok_or_else(|| pdf_error("page size"));
    let mut document = krilla::Document::new();
    let mut page = document.start_page_with(page_settings()?);
    let mut surface = page.surface();
    title_page(&mut surface, &pen, summary, lang, business);
    surface.finish();
    page.finish();
    let size = krilla::geom::Size::from_wh(PAGE.0, PAGE.1).ok_or_else(|| pdf_error("page size"))?;
    for chart in svgs {
        let tree = usvg::Tree::from_data(&chart.bytes, &options).map_err(pdf_error)?;
        let mut page = document.start_page_with(page_settings()?);
        let mut surface = page.surface();
        use krilla_svg::SurfaceExt as _;
        surface
            .draw_svg(&tree, size, krilla_svg::SvgSettings::default())
            .ok_or_else(|| pdf_error(format!("drawing {}", chart.chart.as_str())))?;
        surface.finish();
        page.finish();
    }
    let title = match lang {
        Lang::ZhCn => format!("{business} · 客户分层报告 · {}", summary.as_of),
        Lang::En => format!("{business} · Customer report · {}", summary.as_of),
    };
    document.set_metadata(
        krilla::metadata::Metadata::new().title(title).language(lang.code().to_owned()).creator("Headtail".to_owned()),
    );
    document.finish().map_err(|e| pdf_error(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::{amount, grouped};

    #[test]
    fn amounts_are_whole_and_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-999), "-999");
        assert_eq!(amount(-123_456_789, "CNY"), "-¥1,234,568");
        assert_eq!(amount(5_000, "JPY"), "¥5,000");
    }
}
