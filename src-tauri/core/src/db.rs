//! The SQLite file: opening, connection set-up, migrations and transactions.

use crate::encryption::{self, Passphrase};
use crate::error::{Error, Result};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags, Transaction};
use rusqlite_migration::{HookError, HookResult, Migrations, M};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Ordered, forward-only schema changes, embedded in the binary.
/// The schema version is SQLite's `user_version`: the number of migrations applied.
/// Each migration's SQL, and the Rust step that follows it where SQL alone cannot do the work.
type RustStep = fn(&Transaction<'_>) -> HookResult;

const MIGRATION_STEPS: &[(&str, Option<RustStep>)] = &[
    (include_str!("../migrations/0001_customers.sql"), None),
    (include_str!("../migrations/0002_data_model.sql"), None),
    (include_str!("../migrations/0003_activity.sql"), None),
    (include_str!("../migrations/0004_list_indexes.sql"), None),
    (include_str!("../migrations/0005_search_prefixes.sql"), Some(rebuild_search)),
    (include_str!("../migrations/0006_evaluations.sql"), None),
    (include_str!("../migrations/0007_unused_indexes.sql"), None),
    (include_str!("../migrations/0008_search_pending.sql"), None),
    (include_str!("../migrations/0009_name_key_index.sql"), None),
    (include_str!("../migrations/0010_database_identity.sql"), None),
    (include_str!("../migrations/0011_evaluation_lease.sql"), None),
    (include_str!("../migrations/0012_workday.sql"), None),
    (include_str!("../migrations/0013_follow_ups_from_interactions.sql"), None),
    (include_str!("../migrations/0014_my_day.sql"), None),
    (include_str!("../migrations/0015_survey_indexes.sql"), None),
    (include_str!("../migrations/0016_complaint_targets.sql"), None),
    (include_str!("../migrations/0017_pipeline_board.sql"), None),
    (include_str!("../migrations/0018_segment_list.sql"), None),
    (include_str!("../migrations/0019_workday_counts.sql"), None),
    (include_str!("../migrations/0020_evaluation_cells.sql"), Some(fill_standing_codes)),
    (include_str!("../migrations/0021_order_status.sql"), None),
    (include_str!("../migrations/0022_sort_keys.sql"), Some(fill_sort_keys)),
    (include_str!("../migrations/0023_duplicates_and_customer_since.sql"), Some(fill_customer_since)),
    (include_str!("../migrations/0024_run_archive.sql"), Some(archive_runs)),
    (include_str!("../migrations/0025_order_digest.sql"), None),
    (include_str!("../migrations/0026_evaluated_customers.sql"), None),
    (include_str!("../migrations/0027_narrow_member_indexes.sql"), None),
    (include_str!("../migrations/0028_member_rows_by_place.sql"), Some(build_member_rows)),
];

/// The search tokens are made in Rust, so a new search table is filled here. This is the one
/// link between the two modules and it runs db → search: a migration must fill what it
/// creates, while search works on a connection and needs nothing of the pool.
fn rebuild_search(tx: &Transaction<'_>) -> HookResult {
    crate::search::index_all(tx).map_err(|e| HookError::Hook(e.to_string()))
}

/// Each stored run's standing cells and codes, made in Rust from its members.
fn fill_standing_codes(tx: &Transaction<'_>) -> HookResult {
    crate::evaluation::store::rebuild_all_standings(tx).map_err(|e| HookError::Hook(e.to_string()))
}

/// The stored runs are compressed in Rust; the rows of all but the latest then go.
fn archive_runs(tx: &Transaction<'_>) -> HookResult {
    crate::evaluation::store::archive_stored_runs(tx).map_err(|e| HookError::Hook(e.to_string()))
}

/// The latest run's member rows, made again from its archive in their new shape.
fn build_member_rows(tx: &Transaction<'_>) -> HookResult {
    crate::evaluation::store::rebuild_latest_rows(tx).map_err(|e| HookError::Hook(e.to_string()))
}

/// The list's sort keys are made in Rust, so existing customers get theirs here.
fn fill_sort_keys(tx: &Transaction<'_>) -> HookResult {
    crate::customers::sort_key::fill_all(tx).map(|_| ()).map_err(|e| HookError::Hook(e.to_string()))
}

/// Customer since is the first order's date when older than the record; the rule is in Rust,
/// shared with every path that records or removes orders.
fn fill_customer_since(tx: &Transaction<'_>) -> HookResult {
    crate::customers::since::refresh_all(tx).map(|_| ()).map_err(|e| HookError::Hook(e.to_string()))
}

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(
        MIGRATION_STEPS
            .iter()
            .map(|(sql, step)| match step {
                Some(step) => M::up_with_hook(sql, *step),
                None => M::up(sql),
            })
            // Foreign keys are off while a migration rebuilds a table; this checks them after.
            .map(|m| m.foreign_key_check())
            .collect(),
    )
});

/// Schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATION_STEPS.len() as i64
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const POOL_SIZE: u32 = 4;

/// Keys a connection that was just opened: `PRAGMA key` must come before anything else reads
/// the file. The first read of the schema then fails on a wrong passphrase, with nothing
/// written. Temporary tables and indexes stay in memory, never in a plain file beside it.
fn apply_key(conn: &Connection, key: &Passphrase) -> rusqlite::Result<()> {
    // SQLCipher would print each failed page check of a wrong passphrase on stderr; the
    // error says it once, in words.
    conn.execute_batch("PRAGMA cipher_log_level = NONE")?;
    conn.pragma_update(None, "key", key.expose())?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
}

/// Opens one connection to `path` (a path or a `file:` URI) with `flags`, keyed when `key` is
/// given: the one place where a connection to a Headtail file is opened outside the pool.
/// A wrong passphrase is [`Error::WrongPassphrase`].
pub(crate) fn open_connection(path: &Path, flags: OpenFlags, key: Option<&Passphrase>) -> Result<Connection> {
    let flags = flags | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let mut log = path.as_os_str().to_owned();
    log.push("-wal");
    let log_left = Path::new(&log).exists();
    if let Some(key) = key.filter(|_| log_left && !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY)) {
        // A write-ahead log left beside the file (by a program that did not close it) is
        // checkpointed into it when the last writable connection closes, whatever the key:
        // the passphrase is tried on a read-only connection first, which never writes.
        // Without a log, a wrong key writes nothing, and the slow key derivation runs once.
        let probe = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        if let Ok(conn) = Connection::open_with_flags(path, probe) {
            if let Err(e @ Error::WrongPassphrase { .. }) = apply_key(&conn, key).map_err(|e| keyed_failure(path, e)) {
                return Err(e);
            }
        }
    }
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        apply_key(&conn, key).map_err(|e| keyed_failure(path, e))?;
    }
    Ok(conn)
}

/// A keyed file that does not read as a database was opened with the wrong passphrase.
fn keyed_failure(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::WrongPassphrase { path: path.display().to_string() },
        _ => Error::Database(e),
    }
}

/// Set-up of every pooled connection: the key first, when the file is encrypted.
fn set_up(key: Option<Arc<Passphrase>>) -> impl Fn(&mut Connection) -> rusqlite::Result<()> + Send + Sync + 'static {
    move |conn| {
        match &key {
            Some(key) => apply_key(conn, key)?,
            None => keep_plain_temp_files(conn)?,
        }
        configure(conn)
    }
}

/// The SQLCipher build keeps temporary tables and sorts in memory unless told otherwise; a
/// plain database keeps SQLite's usual files for them, so a large sort (an index built after
/// a million-row import) costs no more memory than before.
fn keep_plain_temp_files(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "temp_store", "FILE")
}

fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// Fails on a file that is not SQLite or that a newer Headtail wrote; returns its schema version.
pub(crate) fn check_openable(conn: &Connection, path: &Path) -> Result<i64> {
    let corrupt =
        |e: rusqlite::Error| Error::DatabaseCorrupt { path: path.display().to_string(), reason: e.to_string() };
    // Reading the schema is the first thing that fails on a file that is not SQLite.
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .and_then(|v| conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(v)))
        .map_err(corrupt)?;
    if found > schema_version() {
        return Err(Error::DatabaseTooNew { found, supported: schema_version() });
    }
    Ok(found)
}

/// Applies the migrations this file lacks, in one transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    // SQLite's way to change a table's constraints is to copy it into a new one, which
    // enforced foreign keys would refuse; the setting only changes outside a transaction.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let migrated = MIGRATIONS.to_latest(conn);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrated?;
    Ok(())
}

/// Brings the schema to `version` at most, as a file of an older Headtail has it: for tests of
/// an upgrade from that version.
pub fn migrate_to_version(conn: &mut Connection, version: usize) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let migrated = MIGRATIONS.to_version(conn, version);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrated?;
    Ok(())
}

/// Page cache for bulk loads (KiB): enough to keep a million customers' pages off the disk
/// until commit.
const BULK_CACHE_KIB: i64 = 256 * 1024;

/// Runs `load` with a large page cache on this connection, then gives the memory back.
pub fn with_bulk_cache<T>(conn: &Connection, load: impl FnOnce() -> Result<T>) -> Result<T> {
    let before: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
    let value = load();
    conn.pragma_update(None, "cache_size", before)?;
    value
}

/// Runs `write` with the tables' CHECK constraints left out of the statements it prepares,
/// for bulk writes whose every checked value the caller has validated in Rust (lengths, ranges)
/// or holds as a Rust enum. SQLite tests `channel IN ('online_shop', ...)` through a
/// temporary b-tree that it opens and frees for every row, which costs about as much as
/// the rest of an order insert. NOT NULL, unique and foreign key constraints stay. Changing
/// the setting expires every prepared statement, so none prepared inside outlives it
/// unchecked: the next use prepares it again, with the checks.
pub fn without_check_constraints<T>(conn: &Connection, write: impl FnOnce() -> Result<T>) -> Result<T> {
    let before: bool = conn.query_row("PRAGMA ignore_check_constraints", [], |r| r.get(0))?;
    conn.pragma_update(None, "ignore_check_constraints", true)?;
    let value = write();
    conn.pragma_update(None, "ignore_check_constraints", before)?;
    value
}

/// Which indexes a bulk load drops for the duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deferred {
    /// Every index with a stored definition.
    AllIndexes,
    /// All but the unique ones, which the load itself needs to find existing rows.
    NonUniqueIndexes,
}

/// Drops the named tables' indexes and returns their stored definitions, for
/// [`rebuild_indexes`] after the load: sorting once is far faster than updating an index per
/// row. Call it inside a transaction, so a failure restores the indexes with everything else.
pub fn drop_indexes(conn: &Connection, tables: &[&str], which: Deferred) -> Result<Vec<String>> {
    let unique_filter = match which {
        Deferred::AllIndexes => "",
        Deferred::NonUniqueIndexes => "AND sql NOT LIKE 'CREATE UNIQUE%'",
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = ?1 {unique_filter}"
    ))?;
    let mut saved = Vec::new();
    for table in tables {
        let found: Vec<(String, String)> =
            stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        for (name, sql) in found {
            conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
            saved.push(sql);
        }
    }
    Ok(saved)
}

/// Builds again the indexes [`drop_indexes`] returned (a duplicate in a unique one fails).
pub fn rebuild_indexes(conn: &Connection, definitions: &[String]) -> Result<()> {
    for sql in definitions {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// Runs several reads as one snapshot: inside a read transaction, so that writes committed by
/// other connections meanwhile are not half seen. Inside the caller's transaction it just runs.
pub fn read_snapshot<T>(conn: &Connection, read: impl FnOnce() -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return read();
    }
    conn.execute_batch("BEGIN DEFERRED")?;
    let value = read();
    // A read transaction has nothing to keep: ending it either way only releases the snapshot.
    let ended = conn.execute_batch("COMMIT");
    let value = value?;
    ended?;
    Ok(value)
}

/// Runs a bulk load with the named tables' indexes dropped, then builds them again.
pub fn with_indexes_deferred<T>(conn: &Connection, tables: &[&str], load: impl FnOnce() -> Result<T>) -> Result<T> {
    let saved = drop_indexes(conn, tables, Deferred::AllIndexes)?;
    let value = load()?;
    rebuild_indexes(conn, &saved)?;
    Ok(value)
}

/// A Headtail database: a pool of configured connections to one SQLite file.
#[derive(Clone, Debug)]
pub struct Database {
    /// A connection that never writes, so its `PRAGMA data_version` moves with every commit
    /// made elsewhere: in this process's pool or in another process. Declared (so dropped)
    /// before the pool: the last connection to close checkpoints the log into the file, and
    /// that is then a pooled one, as before the watch existed.
    watch: std::sync::Arc<std::sync::Mutex<Connection>>,
    pool: r2d2::Pool<SqliteConnectionManager>,
    path: PathBuf,
    read_only: bool,
    /// Which opening of a file this is, counted in this process.
    opening: u64,
    /// The passphrase of an encrypted file; `None` for a plain one.
    key: Option<Arc<Passphrase>>,
}

fn next_opening() -> u64 {
    static OPENINGS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    OPENINGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn file_writable(path: &Path) -> bool {
    std::fs::OpenOptions::new().append(true).open(path).is_ok()
}

/// Whether opening failed because the file or its folder cannot be written. SQLite opens a
/// write-protected file for reading by itself, and then cannot make the write-ahead log
/// beside it: "unable to open database file".
fn is_read_only(e: &Error) -> bool {
    match e {
        Error::DatabaseCorrupt { reason, .. } => reason.contains("unable to open") || reason.contains("readonly"),
        Error::Database(rusqlite::Error::SqliteFailure(f, _)) => {
            matches!(
                f.code,
                rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::PermissionDenied
            )
        }
        Error::Io(io) => {
            matches!(io.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem)
        }
        _ => false,
    }
}

fn not_writable(dir: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            Error::FolderNotWritable { dir: dir.display().to_string() }
        }
        _ => Error::Io(e),
    }
}

/// Keying a connection derives the key from the passphrase (PBKDF2, a deliberately slow
/// step), so an encrypted database opens one connection at first and the rest on demand.
fn pool_builder(keyed: bool) -> r2d2::Builder<SqliteConnectionManager> {
    let builder = r2d2::Pool::builder().max_size(POOL_SIZE);
    if keyed {
        builder.min_idle(Some(1))
    } else {
        builder
    }
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            '%' => out.push_str("%25"),
            c => out.push(c),
        }
    }
    out
}

impl Database {
    /// Opens (creating if needed) the file at `path` and brings its schema up to date.
    /// A file from a newer Headtail, or one that is not a database, is refused untouched.
    /// A database Headtail may read but not write (read-only media, a locked-down folder)
    /// opens read-only: reading and exporting work, writing fails with [`Error::ReadOnly`].
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, None)
    }

    /// Opens as [`Database::open`] does; an encrypted file with `key`. A plain file ignores the
    /// key and stays plain (`encryption::encrypt` converts it).
    ///
    /// # Errors
    /// [`Error::PassphraseRequired`] for an encrypted file without a key and
    /// [`Error::WrongPassphrase`] for a wrong one; the file is left byte for byte as it was.
    pub fn open_with(path: &Path, key: Option<Passphrase>) -> Result<Self> {
        let key = if encryption::is_encrypted(path)? {
            Some(Arc::new(key.ok_or_else(|| Error::PassphraseRequired { path: path.display().to_string() })?))
        } else {
            None
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| not_writable(dir, e))?;
        }
        let existed = path.exists();
        match Self::open_writable(path, key.clone()) {
            Ok(db) => Ok(db),
            Err(e @ Error::WrongPassphrase { .. }) => Err(e),
            // Tried only where writing is what failed, and the reason to give if reading fails too.
            Err(e) if existed && (is_read_only(&e) || !file_writable(path)) => {
                Self::open_read_only(path, key).map_err(|_| e)
            }
            Err(e) if !existed && is_read_only(&e) => {
                // Nothing of a database that could not be written is left behind.
                let _ = std::fs::remove_file(path);
                let dir = path.parent().unwrap_or(Path::new("."));
                Err(Error::FolderNotWritable { dir: dir.display().to_string() })
            }
            Err(e) => Err(e),
        }
    }

    /// Opens a database that must already exist: a mistyped path is an error, not a new file.
    pub fn open_existing(path: &Path) -> Result<Self> {
        Self::open_existing_with(path, None)
    }

    /// [`Database::open_existing`] of a file that may be encrypted.
    pub fn open_existing_with(path: &Path, key: Option<Passphrase>) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::NoDatabase { path: path.display().to_string() });
        }
        Self::open_with(path, key)
    }

    fn open_writable(path: &Path, key: Option<Arc<Passphrase>>) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let mut conn = open_connection(path, flags, key.as_deref())?;
        if key.is_none() {
            keep_plain_temp_files(&conn)?;
        }
        check_openable(&conn, path)?;
        configure(&mut conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrate(&mut conn)?;
        // Kept to watch the file: it writes nothing more, and a second keyed connection would
        // cost an encrypted file another key derivation.

        let manager = SqliteConnectionManager::file(path).with_init(set_up(key.clone()));
        let pool = pool_builder(key.is_some()).build(manager)?;
        Ok(Self {
            pool,
            path: path.to_owned(),
            read_only: false,
            watch: Arc::new(std::sync::Mutex::new(conn)),
            opening: next_opening(),
            key,
        })
    }

    /// Read-only media cannot hold the write-ahead log's files, so the file is opened as
    /// immutable: nothing else can change it there either.
    fn open_read_only(path: &Path, key: Option<Arc<Passphrase>>) -> Result<Self> {
        let uri = format!("file:{}?immutable=1", uri_path(path));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = open_connection(Path::new(&uri), flags, key.as_deref())?;
        let found = check_openable(&conn, path)?;
        if found < schema_version() {
            return Err(Error::ReadOnly { path: path.display().to_string() });
        }
        let init = key.clone();
        let manager = SqliteConnectionManager::file(uri).with_flags(flags).with_init(move |c| {
            if let Some(key) = &init {
                apply_key(c, key)?;
            }
            c.busy_timeout(BUSY_TIMEOUT)
        });
        let pool = pool_builder(key.is_some()).build(manager)?;
        Ok(Self {
            pool,
            path: path.to_owned(),
            read_only: true,
            watch: Arc::new(std::sync::Mutex::new(conn)),
            opening: next_opening(),
            key,
        })
    }

    /// A version that changes whenever a change to the file is committed, by this process or
    /// another, and differs between two openings of the file (a restored backup is another
    /// file at the same path): what figures computed from it and kept for a while are checked
    /// against.
    pub fn data_version(&self) -> Result<(u64, i64)> {
        let watch = self.watch.lock().map_err(|_| Error::Internal("the database watch is poisoned".into()))?;
        let version = watch.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok((self.opening, version))
    }

    /// True when the file is encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The passphrase the file was opened with, for copies that must be keyed the same.
    pub(crate) fn key(&self) -> Option<&Passphrase> {
        self.key.as_deref()
    }

    /// True when the file could only be opened for reading.
    pub fn is_read_only(&self) -> bool {
        self.read_only
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
        if self.read_only {
            return Err(Error::ReadOnly { path: self.path.display().to_string() });
        }
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

    #[test]
    fn rebuilding_import_batches_keeps_its_rows_and_the_references_to_them() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
        MIGRATIONS.to_version(&mut conn, 11).expect("migrate to 11");
        conn.execute_batch(
            "INSERT INTO import_batches (id, kind, source_name, started_at) VALUES (7, 'orders', 'a.csv', '2026-01-01T00:00:00Z');
             INSERT INTO customers (name, kind, created_at, updated_at, name_key, import_batch_id)
                 VALUES ('A', 'person', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'a', 7);",
        )
        .expect("rows at version 11");
        migrate(&mut conn).expect("migrate to latest");
        let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("fk");
        assert!(fk, "foreign keys are on again after migrating");
        let (kind, batch): (String, i64) = conn
            .query_row(
                "SELECT b.kind, c.import_batch_id FROM customers c JOIN import_batches b ON b.id = c.import_batch_id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("the customer still points at its batch");
        assert_eq!((kind.as_str(), batch), ("orders", 7));
        conn.execute(
            "INSERT INTO import_batches (kind, source_name, started_at) VALUES ('complaints', 'c.csv', '2026-01-02T00:00:00Z')",
            [],
        )
        .expect("complaint imports are a kind now");
        let missing: rusqlite::Result<usize> = conn.execute("UPDATE customers SET import_batch_id = 99", []);
        assert!(missing.is_err(), "foreign keys are enforced on the rebuilt table");
    }
}
