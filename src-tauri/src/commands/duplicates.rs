//! The customer form's check for possible duplicates as the user types.

use super::{on_db, CommandResult, Store};
use headtail_core::customers::{self, DuplicateDraft, PossibleDuplicate};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn find_possible_duplicates(
    db: State<'_, Store>,
    draft: DuplicateDraft,
) -> CommandResult<Vec<PossibleDuplicate>> {
    on_db(&db, move |db| db.with_conn(|c| customers::possible_duplicates(c, &draft))).await
}
