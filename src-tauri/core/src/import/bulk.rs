//! The connection set up for an import and put back after it; for a bulk load, also the
//! indexes dropped for the load and built once at its end.

use super::ImportKind;
use crate::error::Result;
use rusqlite::Connection;
use std::path::Path;

/// Runs `import` on the connection set up for it, told whether the file is a bulk load, and
/// puts the connection's settings back afterwards, whatever the outcome.
pub(super) fn with_import_settings<T>(
    conn: &Connection,
    path: &Path,
    kind: ImportKind,
    import: impl FnOnce(bool) -> Result<T>,
) -> Result<T> {
    // A big import touches index pages all over the file; with SQLite's default 2 MB page
    // cache they would be written out and read back again and again. The connection gets
    // its usual cache back afterwards.
    let previous: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    let bulk = is_bulk_load(conn, path, kind)?;
    // A bulk load makes every reference it writes itself (customer ids it looked up or
    // created, the order id it just inserted, its own batch), so SQLite's per-row foreign
    // key look-ups only repeat what is known; they are off while it runs. The pragma only
    // works outside a transaction, so a caller's transaction keeps them.
    let foreign_keys_off = bulk && conn.is_autocommit();
    if foreign_keys_off {
        conn.pragma_update(None, "foreign_keys", "OFF")?;
    }
    // Its commit leaves the log (the size of the new data) for the next writer to copy into
    // the file, search::catch_up's first step, rather than copying it before returning.
    let autocheckpoint: i64 = conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
    if bulk {
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    }
    let result = import(bulk);
    let restored = conn
        .pragma_update(None, "cache_size", previous)
        .and_then(|()| conn.pragma_update(None, "wal_autocheckpoint", autocheckpoint))
        .and_then(|()| if foreign_keys_off { conn.pragma_update(None, "foreign_keys", "ON") } else { Ok(()) });
    let value = result?;
    restored?;
    Ok(value)
}

/// A file at least this big is a bulk load, unless the tables hold much more already.
const BULK_BYTES: u64 = 32 << 20;
/// Rough size of an order row in a CSV file, to guess the rows a file holds.
const BYTES_PER_ROW: u64 = 64;

/// An order file big against the orders already stored: its load defers index building.
fn is_bulk_load(conn: &Connection, path: &Path, kind: ImportKind) -> Result<bool> {
    let bytes = std::fs::metadata(path)?.len();
    if kind != ImportKind::Orders || bytes < BULK_BYTES {
        return Ok(false);
    }
    let existing: i64 = conn.query_row("SELECT coalesce(max(rowid), 0) FROM order_lines", [], |r| r.get(0))?;
    Ok(existing as u64 <= 4 * (bytes / BYTES_PER_ROW))
}

/// Sorter threads and page cache (KiB) while deferred indexes are built.
const SORT_THREADS: i64 = 2;
const SORT_CACHE_KIB: i64 = 256 * 1024;

/// Page cache of an import, in KiB.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// Indexes dropped for a bulk load, as the SQL that makes them again.
#[derive(Default)]
pub(super) struct DeferredIndexes(Vec<String>);

impl DeferredIndexes {
    /// For a bulk load, drops the order indexes (and the customers' when the file names
    /// customers by external id, so that no look-up needs the others) so that they are built
    /// once, sorted, at the end: inserting 10 million rows into several indexes in random
    /// order costs several times more than sorting them. Unique indexes stay, since they are
    /// what finds existing order numbers and customer ids. Dropping and creating happen
    /// inside the import's transaction, so a crash or a rollback leaves them as they were.
    pub fn defer(conn: &Connection, customers_too: bool) -> Result<Self> {
        let mut tables = vec!["orders", "order_lines"];
        if customers_too {
            tables.push("customers");
        }
        Ok(Self(crate::db::drop_indexes(conn, &tables, crate::db::Deferred::NonUniqueIndexes)?))
    }

    /// Builds the dropped indexes, with more sorting threads and memory meanwhile.
    pub fn rebuild(&mut self, conn: &Connection) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        // Building an index is a sort: with a helper thread and more memory per sorted run
        // SQLite needs fewer passes over temporary files.
        let threads: i64 = conn.query_row("PRAGMA threads", [], |r| r.get(0))?;
        conn.pragma_update(None, "threads", SORT_THREADS)?;
        conn.pragma_update(None, "cache_size", -SORT_CACHE_KIB)?;
        let built = crate::db::rebuild_indexes(conn, &std::mem::take(&mut self.0));
        conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        conn.pragma_update(None, "threads", threads)?;
        built
    }
}
