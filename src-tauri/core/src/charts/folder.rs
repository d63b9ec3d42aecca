//! Every chart of a run written to a folder as PNG and SVG, with `summary.json`: the run,
//! the tiers (prospects apart), lifecycle stages, RFM segments, NPS / CSAT / CES with their
//! response counts, and the migration matrices when a comparison run is given.

use super::data::{ChartMembers, Group, Matrix, MonthScore};
use super::draw::{render_all, ChartSet, Format, RenderedChart};
use super::style::Lang;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::evaluation::store::latest_run;
use crate::surveys::{Score, SurveyKind};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What to write: the run (the latest when `None`), an earlier run to compare with, the
/// language and the PNG scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderRequest {
    pub run: Option<i64>,
    pub compare: Option<i64>,
    pub lang: Lang,
    pub scale: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierSummary {
    pub tier: String,
    pub customers: u32,
    pub contribution_minor: i64,
    /// % of the tiers' total contribution (D's negative included); `None` for the prospects.
    pub share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSummary {
    pub key: String,
    pub customers: u32,
    pub revenue_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveySummary {
    pub kind: SurveyKind,
    /// Over the months shown: NPS, CSAT's % satisfied or CES's mean.
    pub score: Option<f64>,
    pub responses: u32,
    pub by_month: Vec<MonthFigure>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthFigure {
    pub month: String,
    pub score: Option<f64>,
    pub responses: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MigrationSummary {
    pub from_run: i64,
    pub from_as_of: NaiveDate,
    pub tiers: Matrix,
    pub lifecycle: Matrix,
}

/// The figures of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub currency: String,
    pub customers: u32,
    pub language: &'static str,
    pub headline: Headline,
    pub tiers: Vec<TierSummary>,
    pub prospects: TierSummary,
    pub lifecycle: Vec<GroupSummary>,
    pub rfm_segments: Vec<GroupSummary>,
    pub value_classes: Vec<GroupSummary>,
    pub satisfaction: Vec<SurveySummary>,
    pub migration: Option<MigrationSummary>,
}

/// "x % of customers bring y % of the profit" (tier A, of the buyers and of the positive
/// contribution).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    pub customer_share: f64,
    pub profit_share: f64,
}

fn groups(groups: &[Group]) -> Vec<GroupSummary> {
    groups
        .iter()
        .map(|g| GroupSummary { key: g.key.clone(), customers: g.customers, revenue_minor: g.revenue_minor })
        .collect()
}

fn surveys(months: &[MonthScore]) -> Vec<SurveySummary> {
    SurveyKind::ALL
        .iter()
        .map(|&kind| {
            let mut overall = Score::tally(kind);
            let low = kind.range().0;
            let mut by_month = Vec::new();
            for m in months.iter().filter(|m| m.kind == kind) {
                for (point, &n) in (low..).zip(&m.score.distribution) {
                    overall.add(point, n);
                }
                by_month.push(MonthFigure {
                    month: m.month.clone(),
                    score: m.score.score,
                    responses: m.score.responses,
                });
            }
            let overall = overall.score();
            SurveySummary { kind, score: overall.score, responses: overall.responses, by_month }
        })
        .collect()
}

impl Summary {
    pub fn of(set: &ChartSet, lang: Lang) -> Summary {
        let run = &set.run;
        let total = run.tiers.total_contribution_minor as f64;
        let tier = |g: &Group, share: bool| TierSummary {
            tier: g.key.clone(),
            customers: g.customers,
            contribution_minor: g.contribution_minor,
            share: (share && total != 0.0).then(|| g.contribution_minor as f64 * 100.0 / total),
        };
        Summary {
            run_id: run.run_id,
            as_of: run.as_of,
            currency: run.currency.clone(),
            customers: run.customers,
            language: lang.code(),
            headline: Headline {
                customer_share: run.pareto.head_customer_share,
                profit_share: run.pareto.head_contribution_share,
            },
            tiers: run.tiers.tiers.iter().map(|g| tier(g, true)).collect(),
            prospects: tier(&run.tiers.prospects, false),
            lifecycle: groups(&run.lifecycle),
            rfm_segments: groups(&run.segments),
            value_classes: groups(&run.value_classes),
            satisfaction: surveys(&set.activity.satisfaction),
            migration: set.migration.as_ref().map(|m| MigrationSummary {
                from_run: m.from_run,
                from_as_of: m.from_as_of,
                tiers: m.tiers.clone(),
                lifecycle: m.lifecycle.clone(),
            }),
        }
    }
}

/// The files written and how long drawing took.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub run_id: i64,
    pub files: Vec<PathBuf>,
    pub figures_seconds: f64,
    pub drawing_seconds: f64,
}

/// Writes every chart as `<chart>.png` and `<chart>.svg`, and `summary.json`, into `dir`
/// (created if missing).
///
/// # Errors
/// [`Error::NotFound`] for a run that is not there; [`Error::InvalidArgument`] when the
/// database holds no evaluation yet; [`Error::Validation`] for a scale outside 1 to 4.
pub fn write_folder(db: &Database, request: FolderRequest, dir: &Path) -> Result<Written> {
    Ok(write_charts(db, request, dir)?.written)
}

/// The run asked for, or the latest.
pub(super) fn run_to_draw(conn: &Connection, run: Option<i64>) -> Result<i64> {
    match run {
        Some(id) => Ok(id),
        None => latest_run(conn)?.map(|r| r.id).ok_or_else(|| {
            Error::InvalidArgument("the database has no evaluation yet: run an evaluation first".into())
        }),
    }
}

/// The chart folder as written, with what the report builds on: the summary and the SVGs.
pub(super) struct ChartFolder {
    pub written: Written,
    pub summary: Summary,
    pub svgs: Vec<RenderedChart>,
}

pub(super) fn write_charts(db: &Database, request: FolderRequest, dir: &Path) -> Result<ChartFolder> {
    let run_id = db.with_conn(|c| run_to_draw(c, request.run))?;
    let clock = std::time::Instant::now();
    let set = ChartSet::load_parallel(db, run_id, request.compare, &ChartMembers::default())?;
    let figures_seconds = clock.elapsed().as_secs_f64();
    let clock = std::time::Instant::now();
    let pngs = render_all(&set, request.lang, Format::Png { scale: request.scale })?;
    let svgs = render_all(&set, request.lang, Format::Svg)?;
    let drawing_seconds = clock.elapsed().as_secs_f64();
    std::fs::create_dir_all(dir)?;
    let mut files = Vec::new();
    for (chart, extension) in pngs.iter().map(|c| (c, "png")).chain(svgs.iter().map(|c| (c, "svg"))) {
        let file = dir.join(format!("{}.{extension}", chart.chart.as_str()));
        std::fs::write(&file, &chart.bytes)?;
        files.push(file);
    }
    let summary = Summary::of(&set, request.lang);
    let json = serde_json::to_vec_pretty(&summary).map_err(|e| Error::Internal(format!("summary.json: {e}")))?;
    let file = dir.join("summary.json");
    std::fs::write(&file, json)?;
    files.push(file);
    Ok(ChartFolder { written: Written { run_id, files, figures_seconds, drawing_seconds }, summary, svgs })
}
