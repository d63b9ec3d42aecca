//! Complaints: a customer's list, the list across customers, and the moves of one complaint.

use super::{on_db, CommandResult, Store};
use headtail_core::complaints::{self, Complaint, ComplaintInput, ComplaintQuery, ComplaintRow};
use headtail_core::page::Page;
use tauri::State;

/// Complaints keep local wall-clock times to the second, like interactions.
fn local_now() -> chrono::NaiveDateTime {
    let now = super::local_now();
    chrono::Timelike::with_nanosecond(&now, 0).unwrap_or(now)
}

#[tauri::command]
#[specta::specta]
pub async fn create_complaint(db: State<'_, Store>, input: ComplaintInput) -> CommandResult<Complaint> {
    on_db(&db, move |db| db.with_tx(|tx| complaints::create(tx, input))).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_customer_complaints(
    db: State<'_, Store>,
    customer_id: i64,
    offset: u32,
    limit: u32,
) -> CommandResult<Page<Complaint>> {
    on_db(&db, move |db| db.with_conn(|c| complaints::list_for_customer(c, customer_id, offset, limit))).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_complaints(db: State<'_, Store>, query: ComplaintQuery) -> CommandResult<Page<ComplaintRow>> {
    on_db(&db, move |db| db.with_conn(|c| complaints::list(c, local_now(), &query))).await
}

#[tauri::command]
#[specta::specta]
pub async fn respond_to_complaint(db: State<'_, Store>, id: i64) -> CommandResult<Complaint> {
    on_db(&db, move |db| db.with_tx(|tx| complaints::respond(tx, id, local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn start_complaint(db: State<'_, Store>, id: i64) -> CommandResult<Complaint> {
    on_db(&db, move |db| db.with_tx(|tx| complaints::start(tx, id, local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_complaint(db: State<'_, Store>, id: i64, resolution: String) -> CommandResult<Complaint> {
    on_db(&db, move |db| db.with_tx(|tx| complaints::resolve(tx, id, local_now(), &resolution))).await
}
