//! The customer list's saved views and bulk actions.

use super::{now, on_db, CommandResult, Store};
use headtail_core::bulk::{self, BulkAction, BulkOutcome};
use headtail_core::customers::CustomerQuery;
use headtail_core::export::CustomerSelection;
use headtail_core::saved_views::{self, SavedView};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn list_saved_views(db: State<'_, Store>) -> CommandResult<Vec<SavedView>> {
    on_db(&db, move |db| db.with_conn(saved_views::list)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_saved_view(db: State<'_, Store>, name: String, query: CustomerQuery) -> CommandResult<SavedView> {
    on_db(&db, move |db| db.with_tx(|tx| saved_views::create(tx, &name, &query, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn rename_saved_view(db: State<'_, Store>, id: i64, name: String) -> CommandResult<SavedView> {
    on_db(&db, move |db| db.with_tx(|tx| saved_views::rename(tx, id, &name))).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_saved_view(db: State<'_, Store>, id: i64) -> CommandResult<()> {
    on_db(&db, move |db| db.with_tx(|tx| saved_views::delete(tx, id))).await
}

/// Applies a bulk action to the selected rows or to every customer the list query matches.
#[tauri::command]
#[specta::specta]
pub async fn apply_bulk_action(
    db: State<'_, Store>,
    selection: CustomerSelection,
    action: BulkAction,
) -> CommandResult<BulkOutcome> {
    on_db(&db, move |db| db.with_tx(|tx| bulk::apply(tx, &selection, &action, now()))).await
}
