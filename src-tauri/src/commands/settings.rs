//! The work settings: reminders, detractors, complaint targets, loyalty points.

use super::{on_db, CommandResult, Store};
use headtail_core::work_settings::{self, WorkSettings, WorkSettingsInput};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn work_settings(db: State<'_, Store>) -> CommandResult<WorkSettings> {
    on_db(&db, |db| db.with_conn(work_settings::load)).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_work_settings(db: State<'_, Store>, settings: WorkSettingsInput) -> CommandResult<WorkSettings> {
    on_db(&db, move |db| db.with_conn(|c| work_settings::save(c, settings))).await
}
