//! IPC commands of follow-ups and the agenda. Due times are local wall-clock time, so "now"
//! for them is the local clock; completions are instants.

use super::{local_now, now, on_db, CommandResult, Store};
use chrono::NaiveDateTime;
use headtail_core::follow_ups::agenda::{self, AgendaCounts, AgendaItem, AgendaQuery};
use headtail_core::follow_ups::{self, CustomerFollowUps, FollowUp, NewFollowUp, SnoozeFor};
use headtail_core::interactions::{self, InteractionLog, LoggedInteraction};
use headtail_core::page::Page;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn follow_up_agenda(db: State<'_, Store>, query: AgendaQuery) -> CommandResult<Page<AgendaItem>> {
    on_db(&db, move |db| db.with_conn(|c| agenda::agenda(c, &query, local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn follow_up_counts(db: State<'_, Store>, owner: Option<String>) -> CommandResult<AgendaCounts> {
    on_db(&db, move |db| db.with_conn(|c| agenda::counts(c, owner.as_deref(), local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn follow_up_owners(db: State<'_, Store>) -> CommandResult<Vec<String>> {
    on_db(&db, move |db| db.with_conn(follow_ups::owners)).await
}

#[tauri::command]
#[specta::specta]
pub async fn customer_follow_ups(db: State<'_, Store>, customer_id: i64) -> CommandResult<CustomerFollowUps> {
    on_db(&db, move |db| db.with_conn(|c| follow_ups::for_customer(c, customer_id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn schedule_follow_up(db: State<'_, Store>, input: NewFollowUp) -> CommandResult<FollowUp> {
    on_db(&db, move |db| db.with_tx(|tx| follow_ups::schedule_by_hand(tx, input, local_now(), now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn complete_follow_up(db: State<'_, Store>, id: i64) -> CommandResult<FollowUp> {
    on_db(&db, move |db| db.with_tx(|tx| follow_ups::complete(tx, id, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn reopen_follow_up(db: State<'_, Store>, id: i64) -> CommandResult<FollowUp> {
    on_db(&db, move |db| db.with_tx(|tx| follow_ups::reopen(tx, id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn snooze_follow_up(db: State<'_, Store>, id: i64, by: SnoozeFor) -> CommandResult<FollowUp> {
    on_db(&db, move |db| db.with_tx(|tx| follow_ups::snooze(tx, id, by, local_now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn reschedule_follow_up(db: State<'_, Store>, id: i64, due_at: NaiveDateTime) -> CommandResult<FollowUp> {
    on_db(&db, move |db| db.with_tx(|tx| follow_ups::reschedule(tx, id, due_at, local_now()))).await
}

/// Logs an interaction, completing the follow-up it answers and scheduling the next.
#[tauri::command]
#[specta::specta]
pub async fn create_interaction(db: State<'_, Store>, input: InteractionLog) -> CommandResult<LoggedInteraction> {
    on_db(&db, move |db| db.with_tx(|tx| interactions::log(tx, input, local_now(), now()))).await
}
