//! Backups of the database file with SQLite's online backup API: taken while the app runs,
//! rotated, and checked before a restore replaces anything.

use crate::db::{check_openable, migrate, Database};
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use specta::Type;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many automatic backups are kept.
pub const KEEP_DEFAULT: usize = 10;
/// An automatic backup is taken when the newest is older than this.
pub const AUTOMATIC_INTERVAL_HOURS: i64 = 24;

const PREFIX: &str = "headtail-";
const SUFFIX: &str = ".sqlite";
const STAMP: &str = "%Y%m%d-%H%M%S";
const PAGES_PER_STEP: std::ffi::c_int = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct BackupFile {
    pub path: String,
    pub file_name: String,
    /// When it was taken (UTC, from its name).
    pub taken_at: String,
    pub size_bytes: u64,
}

/// Backups sit in a `backups` folder beside the database file.
pub fn default_dir(db_path: &Path) -> PathBuf {
    db_path.parent().unwrap_or(Path::new(".")).join("backups")
}

fn taken_at(file_name: &str) -> Option<NaiveDateTime> {
    let stamp = file_name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    NaiveDateTime::parse_from_str(stamp, STAMP).ok()
}

/// The backups in `dir`, newest first. A missing folder has none.
pub fn list(dir: &Path) -> Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if let Some(at) = taken_at(&file_name) {
            found.push((
                at,
                BackupFile {
                    path: entry.path().display().to_string(),
                    taken_at: at.and_utc().to_rfc3339(),
                    size_bytes: entry.metadata()?.len(),
                    file_name,
                },
            ));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    Ok(found.into_iter().map(|(_, f)| f).collect())
}

/// Copies the live database into `dir` and keeps only the newest `keep` backups.
pub fn create(db: &Database, dir: &Path, now: DateTime<Utc>, keep: usize) -> Result<BackupFile> {
    std::fs::create_dir_all(dir)?;
    let file_name = format!("{PREFIX}{}{SUFFIX}", now.format(STAMP));
    let target = dir.join(&file_name);
    // Written under a temporary name, so a crash never leaves a half backup that looks whole.
    let partial = dir.join(format!("{file_name}.partial"));
    db.with_conn(|conn| {
        let mut dst = Connection::open(&partial)?;
        Backup::new(conn, &mut dst)?.run_to_completion(PAGES_PER_STEP, Duration::ZERO, None)?;
        Ok(())
    })?;
    std::fs::rename(&partial, &target)?;
    for old in list(dir)?.into_iter().skip(keep.max(1)) {
        std::fs::remove_file(&old.path)?;
    }
    list(dir)?
        .into_iter()
        .find(|f| f.file_name == file_name)
        .ok_or_else(|| Error::Io(std::io::Error::other("the backup vanished after it was written")))
}

/// Takes a backup when none is younger than a day; returns it, or `None` when not due.
pub fn automatic(db: &Database, dir: &Path, now: DateTime<Utc>) -> Result<Option<BackupFile>> {
    let newest = list(dir)?.first().and_then(|f| taken_at(&f.file_name));
    let due = newest.is_none_or(|at| now.naive_utc() - at >= chrono::Duration::hours(AUTOMATIC_INTERVAL_HOURS));
    if due {
        create(db, dir, now, KEEP_DEFAULT).map(Some)
    } else {
        Ok(None)
    }
}

/// Replaces the live database with `backup` after checking the backup: it must pass
/// `integrity_check` and be a Headtail database this version can open. A backup of the
/// current state is taken first (into `safety_dir`), so a restore can itself be undone.
pub fn restore(db: &Database, backup: &Path, safety_dir: &Path, now: DateTime<Utc>) -> Result<BackupFile> {
    let src = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| corrupt(backup, e.to_string()))?;
    check_openable(&src, backup)?;
    let verdict: String =
        src.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| corrupt(backup, e.to_string()))?;
    if verdict != "ok" {
        return Err(corrupt(backup, verdict));
    }
    let has_customers: bool =
        src.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'customers')", [], |r| r.get(0))?;
    if !has_customers {
        return Err(corrupt(backup, "not a Headtail database".into()));
    }
    let safety = create(db, safety_dir, now, usize::MAX)?;
    // Copying pages into the live file (not replacing the file) keeps the pool's other
    // connections valid: they see the restored content at once.
    let mut live = Connection::open(db.path())?;
    live.busy_timeout(Duration::from_secs(5))?;
    Backup::new(&src, &mut live)?.run_to_completion(PAGES_PER_STEP, Duration::ZERO, None)?;
    migrate(&mut live)?;
    Ok(safety)
}

fn corrupt(path: &Path, reason: String) -> Error {
    Error::DatabaseCorrupt { path: path.display().to_string(), reason }
}
