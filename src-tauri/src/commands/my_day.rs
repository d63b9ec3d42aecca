//! My day: what needs doing today, and the sidebar's counts.

use super::{local_now, on_db, CommandResult, Store};
use headtail_core::my_day::{self, MyDay, MyDayCounts, MyDayItem, MyDayQuery, MyDaySectionQuery};
use headtail_core::page::Page;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn my_day(db: State<'_, Store>, query: MyDayQuery) -> CommandResult<MyDay> {
    on_db(&db, move |db| db.with_conn(|c| my_day::my_day(c, &query, local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn my_day_section(db: State<'_, Store>, query: MyDaySectionQuery) -> CommandResult<Page<MyDayItem>> {
    on_db(&db, move |db| db.with_conn(|c| my_day::section(c, &query, local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn my_day_counts(db: State<'_, Store>, owner: Option<String>) -> CommandResult<MyDayCounts> {
    on_db(&db, move |db| db.with_conn(|c| my_day::counts(c, owner.as_deref(), local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn my_day_owners(db: State<'_, Store>) -> CommandResult<Vec<String>> {
    on_db(&db, |db| db.with_conn(my_day::owners)).await
}
