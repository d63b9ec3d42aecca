//! Erasing a customer on request: their personal data goes, the anonymous facts stay.
//!
//! What goes: the profile's name (replaced by a placeholder), company, phone, email, region,
//! owner, notes, needs, preferences, external id and the duplicate keys made from them; all
//! contacts and tags; the free text written about the customer anywhere (interaction notes
//! and outcomes, complaint descriptions, follow-up reasons, survey comments, loyalty and
//! service-cost notes, why a prospect was lost); order numbers from the till or shop, which
//! would name the customer there; the profile copies an import kept for reverting; and the
//! search entry.
//!
//! What stays, so that every total and chart stays right: the row and its id, the kind, size
//! class, industry, source, channels, pipeline stage and referral link, and every dated
//! number: orders with their amounts, costs and lines, service costs, loyalty points, survey
//! scores, interaction kinds and dates, complaint categories and times.
//!
//! **Old bytes.** SQLite does not overwrite what it deletes: a deleted row's bytes stay in
//! its page, and a freed page keeps its content, until the space is reused or the file is
//! rebuilt with `VACUUM`. So the erasure runs with `PRAGMA secure_delete = ON`, which makes
//! SQLite zero deleted content as it goes, and rewrites the search index, which otherwise
//! keeps a deleted entry's tokens behind a tombstone (see `drop_search_entry`). In WAL
//! mode the old pages also live on in the `-wal` file until a checkpoint; [`erase`] ends with
//! a truncating checkpoint. No `VACUUM` is needed. Copies outside this file (backups, exports)
//! are not reached from here.

use crate::customers::{self, timestamp, Customer};
use crate::db::Database;
use crate::error::{Error, Result};
use crate::search;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use specta::Type;

/// The name an erased customer keeps, so lists and charts can still refer to the row.
pub fn placeholder_name(id: i64) -> String {
    format!("erased customer #{id}")
}

/// Removes the customer's personal data everywhere, inside the caller's transaction.
/// Erasing twice is harmless; the first erasure time is kept.
///
/// Sets `PRAGMA secure_delete = ON` on `conn` for the duration and restores the previous
/// value afterwards, also on failure.
pub fn erase_customer(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Customer> {
    let secure_before: i64 = conn.query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
    conn.pragma_update(None, "secure_delete", 1)?;
    let erased = erase_rows(conn, id, now);
    let restored = conn.pragma_update(None, "secure_delete", secure_before);
    let customer = erased?;
    restored?;
    Ok(customer)
}

fn erase_rows(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Customer> {
    let changed = conn.execute(
        "UPDATE customers SET
             name = ?2, company = NULL, phone = NULL, email = NULL, region = NULL, owner = NULL, notes = NULL,
             needs = NULL, preferences = NULL, external_id = NULL, pipeline_lost_reason = NULL,
             phone_key = NULL, email_key = NULL, name_key = NULL, name_sort = NULL, company_sort = NULL, owner_sort = NULL,
             updated_at = ?3, erased_at = coalesce(erased_at, ?3)
         WHERE id = ?1",
        params![id, placeholder_name(id), timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
    for sql in [
        "DELETE FROM contacts WHERE customer_id = ?1",
        "DELETE FROM customer_tags WHERE customer_id = ?1",
        "DELETE FROM import_previous_profiles WHERE customer_id = ?1",
        "UPDATE interactions SET notes = NULL, outcome = NULL
         WHERE customer_id = ?1 AND (notes IS NOT NULL OR outcome IS NOT NULL)",
        "UPDATE complaints SET description = NULL, resolution = NULL
         WHERE customer_id = ?1 AND (description IS NOT NULL OR resolution IS NOT NULL)",
        "UPDATE follow_ups SET reason = NULL WHERE customer_id = ?1 AND reason IS NOT NULL",
        "UPDATE survey_responses SET comment = NULL WHERE customer_id = ?1 AND comment IS NOT NULL",
        "UPDATE loyalty_ledger SET notes = NULL WHERE customer_id = ?1 AND notes IS NOT NULL",
        "UPDATE service_costs SET notes = NULL WHERE customer_id = ?1 AND notes IS NOT NULL",
        "UPDATE orders SET external_id = NULL WHERE customer_id = ?1 AND external_id IS NOT NULL",
    ] {
        conn.execute(sql, [id])?;
    }
    drop_search_entry(conn, id)?;
    customers::get(conn, id)
}

/// Deletes the customer's search entry and then rewrites the whole index without it.
///
/// The index is contentless: a delete only records a tombstone for the row, and the tokens
/// (name parts, the phone number) stay in the index's segments until those are merged. So
/// do earlier versions of the entry, left by every edit of the profile or its contacts.
/// FTS5's `optimize` merges every segment into one and drops all tombstoned entries; with
/// `secure_delete` on, the pages it frees are zeroed. It costs a rewrite of the whole index
/// (about 10 s for a million customers on a laptop), acceptable for an erasure, which is
/// rare and deliberate; targeting only this row would need the index to keep its text.
fn drop_search_entry(conn: &Connection, id: i64) -> Result<()> {
    // The customer is erased now, so reindexing leaves no entry.
    search::reindex(conn, id)?;
    conn.execute("INSERT INTO customer_search (customer_search) VALUES ('optimize')", [])?;
    Ok(())
}

/// What [`erase`] did beyond the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Erasure {
    pub customer: Customer,
    /// Whether the write-ahead log was emptied into the file and truncated. False when
    /// another connection was reading at the time; the old pages then leave the log at a
    /// later checkpoint.
    pub log_cleared: bool,
}

/// Erases a customer in one transaction, then checkpoints and truncates the write-ahead log
/// so that the erased bytes no longer exist in the log either.
pub fn erase(db: &Database, id: i64, now: DateTime<Utc>) -> Result<Erasure> {
    let customer = db.with_tx(|tx| erase_customer(tx, id, now))?;
    let log_cleared = db.with_conn(|conn| {
        // (busy, frames in the log, frames checkpointed); busy = 1 when a reader blocked it.
        let (busy, _, _): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(busy == 0)
    })?;
    Ok(Erasure { customer, log_cleared })
}
