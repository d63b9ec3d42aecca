//! Customer since: the date of a customer's first order when it is older than the record.
//! Imported and demo customers are made on one day with years of orders behind them, and a
//! shop that types an old buyer in records their orders after them. The date is stored
//! (`customers.customer_since`, NULL for "since the record was made") and kept right
//! wherever orders come or go: an order recorded or deleted, an import (bulk or not) and its
//! revert, demo data, and the migration that added it. The record's day is its UTC date.

use crate::error::Result;
use rusqlite::Connection;

/// The value `customer_since` should hold for the row `customers`: one step down
/// `orders_customer_date` per customer. Orders a platform cancelled or refunded do not count.
const FIRST_OLDER_ORDER: &str = "(SELECT o.ordered_on FROM orders o
     WHERE o.customer_id = customers.id AND o.ordered_on < substr(customers.created_at, 1, 10) AND o.status IS NULL
     ORDER BY o.ordered_on LIMIT 1)";

fn refresh_where(conn: &Connection, condition: &str, args: impl rusqlite::Params) -> Result<u64> {
    let sql = format!(
        "UPDATE customers SET customer_since = {FIRST_OLDER_ORDER}
         WHERE ({condition}) AND customer_since IS NOT {FIRST_OLDER_ORDER}"
    );
    Ok(conn.prepare_cached(&sql)?.execute(args)? as u64)
}

/// Brings one customer's date up to date after their orders changed.
pub(crate) fn refresh(conn: &Connection, customer: i64) -> Result<()> {
    refresh_where(conn, "id = ?1", [customer])?;
    Ok(())
}

/// Brings these customers' dates up to date; how many changed.
pub(crate) fn refresh_many(conn: &Connection, customers: &[i64]) -> Result<u64> {
    let mut changed = 0;
    for id in customers {
        changed += refresh_where(conn, "id = ?1", [id])?;
    }
    Ok(changed)
}

/// Brings the dates of the customers of an import's orders up to date; how many changed.
pub(crate) fn refresh_batch(conn: &Connection, batch: i64) -> Result<u64> {
    refresh_where(conn, "id IN (SELECT customer_id FROM orders WHERE import_batch_id = ?1)", [batch])
}

/// Brings every customer's date up to date (demo data, the migration); how many changed.
pub fn refresh_all(conn: &Connection) -> Result<u64> {
    refresh_where(conn, "1", [])
}
