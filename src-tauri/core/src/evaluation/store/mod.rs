//! Evaluation runs in the database: running and saving one (`running`, with the group totals
//! in `summary`), the stored runs (`runs`) and their members (`members`, and as a file in
//! `export`), and a customer's standing, history and migration between runs (`history`).

pub(crate) mod archive;
mod cells;
mod export;
mod history;
mod members;
mod rows;
mod running;
mod runs;
mod summary;

pub use super::refresh::refresh_customer;
pub use archive::{append_evaluation, archive_figures, archived_bytes, as_stored, each_stored_member, ArchiveFigures};
pub(crate) use cells::{cell_of, rebuild_all_standings, stored_cell, stored_code, CellMoves};
pub use cells::{rebuild_standings, RunStandings, StandingCell};
pub use export::{each_member_line, evaluation_csv, members_csv, MemberLine, MembersCsv, MEMBER_CSV_HEADER};
pub use history::{history, migration, standing, Dimension, Flow, HistoryEntry, Standing};
pub(crate) use members::MEMBER_COLUMNS;
pub use members::{members, MemberFilter, MemberRow};
pub use rows::{
    archive_stored_runs, build_latest, latest_without_rows, listed_run, put_members, rebuild_latest_rows,
    stored_members,
};
pub(crate) use rows::{drop_saving, existing_customers, has_rows, update_row_sql, write_row};
pub(crate) use running::SAVE_BATCH;
pub use running::{run, run_beside, RunTimings};
pub use runs::{get_run, latest_run, runs, EvaluationRun};
pub use summary::{GroupFigures, RunSummary};

use super::{EvaluationSettings, EvaluationSettingsInput};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

const SETTINGS_KEY: &str = "evaluation";

text_enum!(
    /// What started a run.
    Trigger { Manual = "manual", Import = "import", CommandLine = "command_line" }
);

/// The evaluation thresholds saved with the database (the defaults until changed, or when
/// what is stored cannot be read or is out of range).
pub fn settings(conn: &Connection) -> Result<EvaluationSettings> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [SETTINGS_KEY], |r| r.get(0)).optional()?;
    Ok(stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// Checks and saves the thresholds.
///
/// # Errors
/// [`Error::Validation`] naming each setting out of range; nothing is saved then.
pub fn save_settings(conn: &Connection, input: &EvaluationSettingsInput) -> Result<()> {
    let settings = EvaluationSettings::new(input.clone())?;
    let json = json(&settings)?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![SETTINGS_KEY, json],
    )?;
    Ok(())
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}
