//! Undoing a committed import, and the list of imports.

use super::ImportKind;
use crate::customers::{timestamp, Customer, CustomerWriter, DuplicateKeys};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

/// An import as `import_batches` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ImportBatch {
    pub id: i64,
    pub kind: ImportKind,
    pub source_name: String,
    pub started_at: String,
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub reverted_at: Option<String>,
}

/// What a revert did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RevertReport {
    pub orders_deleted: u64,
    pub interactions_deleted: u64,
    pub responses_deleted: u64,
    pub complaints_deleted: u64,
    /// Loyalty points the import's orders earned.
    pub loyalty_entries_deleted: u64,
    pub customers_deleted: u64,
    /// Customers the import created that something else now refers to, so they stay.
    pub customers_kept: u64,
    pub profiles_restored: u64,
}

/// A profile as it was before an import changed it: the customer and its duplicate keys,
/// stored as JSON in `import_previous_profiles`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PreviousProfile {
    #[serde(flatten)]
    pub customer: Customer,
    pub phone_key: Option<String>,
    pub email_key: Option<String>,
    pub name_key: Option<String>,
}

impl PreviousProfile {
    pub fn read(conn: &Connection, id: i64) -> Result<Self> {
        let customer = crate::customers::get(conn, id)?;
        let (phone_key, email_key, name_key) = conn
            .prepare_cached("SELECT phone_key, email_key, name_key FROM customers WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(Self { customer, phone_key, email_key, name_key })
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }
}

/// Every import, newest first.
pub fn list_batches(conn: &Connection) -> Result<Vec<ImportBatch>> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, source_name, started_at, rows_read, created, updated, skipped, reverted_at
         FROM import_batches ORDER BY id DESC",
    )?;
    let batches = stmt
        .query_map([], |r| {
            Ok(ImportBatch {
                id: r.get(0)?,
                kind: r.get(1)?,
                source_name: r.get(2)?,
                started_at: r.get(3)?,
                rows_read: r.get(4)?,
                created: r.get(5)?,
                updated: r.get(6)?,
                skipped: r.get(7)?,
                reverted_at: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(batches)
}

/// Tables whose rows a customer's deletion would take with it, other than the profile's own
/// parts; read from the schema, so tables added later are respected too.
fn referencing_columns(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut tables = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
    )?;
    let names = tables.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for table in names {
        if matches!(table.as_str(), "customer_tags" | "customer_channels") {
            continue;
        }
        let mut fks = conn.prepare("SELECT \"table\", \"from\" FROM pragma_foreign_key_list(?1)")?;
        let refs = fks.query_map([&table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for r in refs {
            let (target, column) = r?;
            if target == "customers" {
                out.push((table.clone(), column));
            }
        }
    }
    Ok(out)
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Undoes import `batch_id`: deletes the orders (with the loyalty points they earned),
/// interactions, survey responses and complaints it created, then the customers it created that nothing else refers to any more, and puts
/// back the profiles it updated exactly as they were (timestamps included). A batch is
/// reverted once. Run it inside a transaction (`Database::with_tx`).
pub fn revert_batch(conn: &Connection, batch_id: i64, now: DateTime<Utc>) -> Result<RevertReport> {
    let reverted: Option<Option<String>> =
        conn.query_row("SELECT reverted_at FROM import_batches WHERE id = ?1", [batch_id], |r| r.get(0)).optional()?;
    match reverted {
        None => return Err(Error::NotFound { entity: "import batch", id: batch_id }),
        Some(Some(at)) => return Err(Error::Conflict(format!("import {batch_id} was already reverted at {at}"))),
        Some(None) => {}
    }
    // Points first: they name the orders about to go. A balance may never dip below zero, so
    // points already spent refuse the revert (the caller's transaction rolls back).
    let loyalty_entries_deleted =
        conn.execute("DELETE FROM loyalty_ledger WHERE import_batch_id = ?1", [batch_id])? as u64;
    if loyalty_entries_deleted > 0 {
        let overdrawn: Option<i64> = conn
            .query_row(
                "SELECT customer_id FROM (
                     SELECT customer_id, sum(points) OVER (PARTITION BY customer_id ORDER BY occurred_on, id) AS running
                     FROM loyalty_ledger
                     WHERE customer_id IN (SELECT customer_id FROM orders WHERE import_batch_id = ?1))
                 WHERE running < 0 LIMIT 1",
                [batch_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(customer) = overdrawn {
            return Err(Error::Conflict(format!(
                "import {batch_id} cannot be reverted: customer {customer} has spent loyalty points its orders earned"
            )));
        }
    }
    // Customer since follows the orders that stay (see customers::since).
    let order_customers = crate::orders::customers_of_batch(conn, batch_id)?;
    let mut report = RevertReport {
        loyalty_entries_deleted,
        complaints_deleted: conn.execute("DELETE FROM complaints WHERE import_batch_id = ?1", [batch_id])? as u64,
        orders_deleted: conn.execute("DELETE FROM orders WHERE import_batch_id = ?1", [batch_id])? as u64,
        interactions_deleted: conn.execute("DELETE FROM interactions WHERE import_batch_id = ?1", [batch_id])? as u64,
        responses_deleted: conn.execute("DELETE FROM survey_responses WHERE import_batch_id = ?1", [batch_id])? as u64,
        ..RevertReport::default()
    };

    // Profiles first: a restored profile may be what keeps a created customer referenced.
    let mut stmt = conn.prepare("SELECT customer_id, profile FROM import_previous_profiles WHERE batch_id = ?1")?;
    let profiles = stmt
        .query_map([batch_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut writer = CustomerWriter::new(conn);
    for (id, json) in profiles {
        let before: PreviousProfile = serde_json::from_str(&json)
            .map_err(|e| Error::Internal(format!("stored profile of customer {id}: {e}")))?;
        let keys = DuplicateKeys { phone: before.phone_key, email: before.email_key, name: before.name_key };
        writer.restore(&before.customer, keys)?;
        report.profiles_restored += 1;
    }
    conn.execute("DELETE FROM import_previous_profiles WHERE batch_id = ?1", [batch_id])?;
    crate::customers::since::refresh_many(conn, &order_customers)?;

    let still_used: Vec<String> = referencing_columns(conn)?
        .into_iter()
        .map(|(table, column)| format!("EXISTS (SELECT 1 FROM {} WHERE {} = c.id)", quote(&table), quote(&column)))
        .collect();
    let used = if still_used.is_empty() { "0".to_owned() } else { still_used.join(" OR ") };
    let created: Vec<(i64, bool)> = conn
        .prepare(&format!("SELECT c.id, {used} FROM customers c WHERE c.import_batch_id = ?1"))?
        .query_map([batch_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut delete = conn.prepare("DELETE FROM customers WHERE id = ?1")?;
    let mut unindex = conn.prepare("DELETE FROM customer_search WHERE rowid = ?1")?;
    for (id, referenced) in created {
        if referenced {
            report.customers_kept += 1;
        } else {
            unindex.execute([id])?;
            delete.execute([id])?;
            report.customers_deleted += 1;
        }
    }
    conn.execute("UPDATE import_batches SET reverted_at = ?2 WHERE id = ?1", params![batch_id, timestamp(now)])?;
    Ok(report)
}
