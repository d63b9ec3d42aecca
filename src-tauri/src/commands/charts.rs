//! The Charts page: a run's charts under its filters, one drawn as SVG, one saved to a file,
//! and the report folder.

use super::{on_db, CommandResult, Store};
use headtail_core::charts::page::{self, ChartFileFormat, ChartList, ChartQuery, ChartSvg, ExportedReport, SavedChart};
use headtail_core::charts::Chart;
use headtail_core::settings::Language;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn list_charts(db: State<'_, Store>, query: ChartQuery) -> CommandResult<ChartList> {
    on_db(&db, move |db| page::list(db, &query)).await
}

#[tauri::command]
#[specta::specta]
pub async fn chart_svg(
    db: State<'_, Store>,
    query: ChartQuery,
    chart: Chart,
    language: Language,
) -> CommandResult<ChartSvg> {
    on_db(&db, move |db| page::svg(db, &query, chart, language)).await
}

/// Writes one chart to `path`, a PNG at `scale` times 1600 x 900 or an SVG.
#[tauri::command]
#[specta::specta]
pub async fn save_chart(
    db: State<'_, Store>,
    query: ChartQuery,
    chart: Chart,
    language: Language,
    format: ChartFileFormat,
    scale: u32,
    path: String,
) -> CommandResult<SavedChart> {
    on_db(&db, move |db| page::save(db, &query, chart, language, format, scale, &path)).await
}

/// Writes the report folder into `dir`.
#[tauri::command]
#[specta::specta]
pub async fn export_chart_report(
    db: State<'_, Store>,
    query: ChartQuery,
    language: Language,
    dir: String,
) -> CommandResult<ExportedReport> {
    on_db(&db, move |db| page::export_report(db, &query, language, &dir)).await
}
