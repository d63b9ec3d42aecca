//! The SQLite file: opening, connection set-up, migrations and transactions.

use crate::error::{Error, Result};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, Transaction};
use rusqlite_migration::{Migrations, M};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

/// Ordered, forward-only schema changes, embedded in the binary.
/// The schema version is SQLite's `user_version`: the number of migrations applied.
const MIGRATION_SQL: &[&str] = &[
    include_str!("../migrations/0001_customers.sql"),
    include_str!("../migrations/0002_data_model.sql"),
];

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect()));

/// Schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATION_SQL.len() as i64
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const POOL_SIZE: u32 = 4;

fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// A Headtail database: a pool of configured connections to one SQLite file.
#[derive(Clone, Debug)]
pub struct Database {
    pool: r2d2::Pool<SqliteConnectionManager>,
    path: PathBuf,
}

impl Database {
    /// Opens (creating if needed) the file at `path` and brings its schema up to date.
    /// A file from a newer Headtail, or one that is not a database, is refused untouched.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        let corrupt = |e: rusqlite::Error| Error::DatabaseCorrupt {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // Reading the schema is the first thing that fails on a file that is not SQLite.
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .and_then(|v| conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(v)))
            .map_err(corrupt)?;
        if found > schema_version() {
            return Err(Error::DatabaseTooNew { found, supported: schema_version() });
        }
        configure(&mut conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        MIGRATIONS.to_latest(&mut conn)?;
        drop(conn);

        let manager = SqliteConnectionManager::file(path).with_init(configure);
        let pool = r2d2::Pool::builder().max_size(POOL_SIZE).build(manager)?;
        Ok(Self { pool, path: path.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a pooled connection.
    pub fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.pool.get()?;
        f(&conn)
    }

    /// Runs `f` in one immediate transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn with_tx<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.pool.get()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migration_list_length_is_the_schema_version() {
        assert!(MIGRATIONS.validate().is_ok(), "migrations must be valid SQL in order");
        let mut conn = Connection::open_in_memory().expect("memory db");
        MIGRATIONS.to_latest(&mut conn).expect("migrate");
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(v, schema_version(), "user_version counts the applied migrations");
    }
}
