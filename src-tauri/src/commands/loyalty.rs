//! Loyalty points: a customer's balance and ledger, and new entries.

use super::{on_db, CommandResult, Store};
use headtail_core::loyalty::{self, LoyaltyEntry, LoyaltyEntryInput, LoyaltyLedger};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn loyalty_ledger(
    db: State<'_, Store>,
    customer_id: i64,
    offset: u32,
    limit: u32,
) -> CommandResult<LoyaltyLedger> {
    on_db(&db, move |db| db.with_conn(|c| loyalty::ledger(c, customer_id, offset, limit))).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_loyalty_entry(db: State<'_, Store>, input: LoyaltyEntryInput) -> CommandResult<LoyaltyEntry> {
    on_db(&db, move |db| db.with_tx(|tx| loyalty::create(tx, input))).await
}
