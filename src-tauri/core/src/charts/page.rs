//! The Charts page: which charts a run has under the page's filters, one drawn as SVG for
//! display, one saved as PNG or SVG to a chosen file, and the report folder written.

use super::data::ChartMembers;
use super::draw::{render, Chart, ChartSet, Format};
use super::folder::FolderRequest;
use super::report::write_report;
use super::style::Lang;
use crate::activity::Checks;
use crate::db::Database;
use crate::error::{Result, Rule};
use crate::settings::Language;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The page's filters: the run, an earlier run to compare with, and the members kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChartQuery {
    pub run_id: i64,
    pub compare_run_id: Option<i64>,
    pub members: ChartMembers,
}

/// The charts a run has under the filters: the migrations only with a comparison run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChartList {
    pub run_id: i64,
    pub as_of: NaiveDate,
    /// Members the filters keep.
    pub customers: u32,
    pub charts: Vec<Chart>,
}

/// One chart drawn as SVG text, its text escaped by the SVG writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChartSvg {
    pub chart: Chart,
    pub svg: String,
    pub width: u32,
    pub height: u32,
}

text_enum!(
    /// The file a chart is saved as.
    ChartFileFormat { Png = "png", Svg = "svg" }
);

/// A chart written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SavedChart {
    pub path: String,
    pub bytes: u32,
}

/// The report folder written: how many files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ExportedReport {
    pub dir: String,
    pub files: u32,
}

pub fn lang(language: Language) -> Lang {
    match language {
        Language::ZhCn => Lang::ZhCn,
        Language::En => Lang::En,
    }
}

/// The figures last loaded, with the file, the query and the file's data version they came
/// from: the page's cards ask for their charts all at once, and each would otherwise read the
/// run's members and every order again.
struct Loaded {
    path: PathBuf,
    version: (u64, i64),
    query: ChartQuery,
    set: Arc<ChartSet>,
}

static LOADED: Mutex<Option<Loaded>> = Mutex::new(None);

fn load(db: &Database, query: &ChartQuery) -> Result<Arc<ChartSet>> {
    if query.compare_run_id == Some(query.run_id) {
        let mut checks = Checks::default();
        checks.fail("compare_run_id", Rule::InvalidChoice);
        checks.finish()?;
    }
    // Held while loading, so the cards asking at the same time wait for one load.
    let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    let version = db.data_version()?;
    if let Some(hit) = loaded.as_ref().filter(|l| l.path == db.path() && l.version == version && l.query == *query) {
        return Ok(Arc::clone(&hit.set));
    }
    let set = Arc::new(ChartSet::load_parallel(db, query.run_id, query.compare_run_id, &query.members)?);
    *loaded = Some(Loaded { path: db.path().to_owned(), version, query: query.clone(), set: Arc::clone(&set) });
    Ok(set)
}

fn required_path(path: &str) -> Result<&Path> {
    let mut checks = Checks::default();
    if path.trim().is_empty() {
        checks.fail("path", Rule::Required);
    }
    checks.finish()?;
    Ok(Path::new(path.trim()))
}

/// The charts of the query's run.
///
/// # Errors
/// `NotFound` for a run that is not there; a field error on `compare_run_id` for the run
/// compared with itself.
pub fn list(db: &Database, query: &ChartQuery) -> Result<ChartList> {
    let set = load(db, query)?;
    Ok(ChartList { run_id: set.run.run_id, as_of: set.run.as_of, customers: set.run.customers, charts: set.charts() })
}

/// Draws `chart` as SVG for display.
///
/// # Errors
/// As [`list`], and a field error on `chart` for a migration without a comparison run.
pub fn svg(db: &Database, query: &ChartQuery, chart: Chart, language: Language) -> Result<ChartSvg> {
    let set = load(db, query)?;
    let drawn = drawable(&set, chart).and_then(|()| render(&set, chart, lang(language), Format::Svg))?;
    let svg = String::from_utf8(drawn.bytes)
        .map_err(|e| crate::error::Error::Internal(format!("an SVG that is not UTF-8: {e}")))?;
    Ok(ChartSvg { chart, svg, width: drawn.width, height: drawn.height })
}

fn drawable(set: &ChartSet, chart: Chart) -> Result<()> {
    let mut checks = Checks::default();
    if !set.charts().contains(&chart) {
        checks.fail("chart", Rule::InvalidChoice);
    }
    checks.finish()
}

/// Writes `chart` to `path` as PNG at `scale` (1 to 4 times 1600 x 900) or as SVG.
///
/// # Errors
/// As [`svg`], a field error on `path` when empty or on `scale` out of range, and an I/O
/// error when the file cannot be written.
pub fn save(
    db: &Database,
    query: &ChartQuery,
    chart: Chart,
    language: Language,
    format: ChartFileFormat,
    scale: u32,
    path: &str,
) -> Result<SavedChart> {
    let file = required_path(path)?;
    let set = load(db, query)?;
    drawable(&set, chart)?;
    let format = match format {
        ChartFileFormat::Png => Format::Png { scale },
        ChartFileFormat::Svg => Format::Svg,
    };
    let drawn = render(&set, chart, lang(language), format)?;
    std::fs::write(file, &drawn.bytes)?;
    Ok(SavedChart { path: file.display().to_string(), bytes: u32::try_from(drawn.bytes.len()).unwrap_or(u32::MAX) })
}

/// Writes the report folder of the query's run and comparison run into `dir` (every chart,
/// summary.json, report.xlsx, the members of each tier, report.pdf), PNGs at 2x.
/// The folder covers every member: the owner and channel filters are for the page.
///
/// # Errors
/// As [`list`], a field error on `dir` when empty, and an I/O error when a file cannot be written.
pub fn export_report(db: &Database, query: &ChartQuery, language: Language, dir: &str) -> Result<ExportedReport> {
    let mut checks = Checks::default();
    if dir.trim().is_empty() {
        checks.fail("dir", Rule::Required);
    }
    checks.finish()?;
    if query.compare_run_id == Some(query.run_id) {
        let mut checks = Checks::default();
        checks.fail("compare_run_id", Rule::InvalidChoice);
        checks.finish()?;
    }
    let request =
        FolderRequest { run: Some(query.run_id), compare: query.compare_run_id, lang: lang(language), scale: 2 };
    let written = write_report(db, request, Path::new(dir.trim()))?;
    Ok(ExportedReport { dir: dir.trim().to_owned(), files: u32::try_from(written.files.len()).unwrap_or(u32::MAX) })
}
