//! Backups of the database file with SQLite's online backup API: taken while the app runs,
//! rotated, and checked before a restore replaces anything.

use crate::db::{check_openable, migrate, open_connection, Database};
use crate::encryption::{self, Passphrase};
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

const SUFFIX: &str = ".sqlite";
const STAMP: &str = "%Y%m%d-%H%M%S";
const STAMP_LEN: usize = "20260101-000000".len();
/// How much of the database's identity a backup's name carries: enough to keep apart the
/// databases of one folder; a restore checks the whole identity inside the file.
const IDENTITY_IN_NAME: usize = 8;
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

/// Whose backups: a database's identity and the file name they are named after. Every
/// database of a folder shares its `backups/` folder, so each only ever lists, rotates and
/// restores its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    identity: String,
    stem: String,
}

impl Owner {
    /// The owner of the live database `db`.
    pub fn of(db: &Database) -> Result<Self> {
        let identity = db.with_conn(identity)?;
        Ok(Self { identity, stem: stem_of(db.path()) })
    }

    /// The owner of the database file at `path`, read without changing it (the file must
    /// already be migrated by this version, as any file the app has opened is).
    pub fn of_file(path: &Path) -> Result<Self> {
        Self::of_file_with(path, None)
    }

    /// [`Owner::of_file`] of a file that may be encrypted with `key`.
    pub fn of_file_with(path: &Path, key: Option<&Passphrase>) -> Result<Self> {
        let conn = open_read_only(path, key)?;
        Ok(Self { identity: identity(&conn).map_err(|e| corrupt(path, e.to_string()))?, stem: stem_of(path) })
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    fn file_name(&self, at: DateTime<Utc>) -> String {
        format!("{}-{}-{}{SUFFIX}", self.stem, &self.identity[..IDENTITY_IN_NAME], at.format(STAMP))
    }

    /// When the backup named `file_name` was taken, if it is one of this owner's.
    fn taken_at(&self, file_name: &str) -> Option<NaiveDateTime> {
        let rest = file_name.strip_suffix(SUFFIX)?;
        let stamp_at = rest.len().checked_sub(STAMP_LEN)?;
        let (rest, stamp) = (rest.get(..stamp_at)?, rest.get(stamp_at..)?);
        let identity = rest.strip_suffix('-')?.rsplit('-').next()?;
        if identity != &self.identity[..IDENTITY_IN_NAME] {
            return None;
        }
        NaiveDateTime::parse_from_str(stamp, STAMP).ok()
    }
}

/// The identity a migration gave the database (see `0010_database_identity.sql`).
pub fn identity(conn: &Connection) -> Result<String> {
    Ok(conn.query_row("SELECT id FROM database_identity", [], |r| r.get(0))?)
}

fn stem_of(path: &Path) -> String {
    path.file_stem().map_or_else(|| "headtail".into(), |s| s.to_string_lossy().into_owned())
}

/// An encrypted file is read with `key` (a missing one is [`Error::PassphraseRequired`]); a
/// plain one without.
fn open_read_only(path: &Path, key: Option<&Passphrase>) -> Result<Connection> {
    let key = if encryption::is_encrypted(path)? {
        Some(key.ok_or_else(|| Error::PassphraseRequired { path: path.display().to_string() })?)
    } else {
        None
    };
    open_connection(path, OpenFlags::SQLITE_OPEN_READ_ONLY, key).map_err(|e| match e {
        Error::WrongPassphrase { .. } => e,
        e => corrupt(path, e.to_string()),
    })
}

/// `owner`'s backups in `dir`, newest first. A missing folder has none; other databases'
/// backups (and backups from before databases had an identity) are not listed.
pub fn list(dir: &Path, owner: &Owner) -> Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if let Some(at) = owner.taken_at(&file_name) {
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

/// Copies the live database into `dir` and keeps only its newest `keep` backups. The backup
/// of an encrypted database is encrypted with the same passphrase.
pub fn create(db: &Database, dir: &Path, now: DateTime<Utc>, keep: usize) -> Result<BackupFile> {
    create_with(db, dir, now, keep, db.key())
}

/// [`create`] with the backup keyed by `key` (plain without one), whatever the live file is:
/// a database about to be encrypted gets its backup encrypted already. A copy keyed unlike
/// the live file is written with `sqlcipher_export` and checked against it.
pub(crate) fn create_with(
    db: &Database,
    dir: &Path,
    now: DateTime<Utc>,
    keep: usize,
    key: Option<&Passphrase>,
) -> Result<BackupFile> {
    let owner = Owner::of(db)?;
    std::fs::create_dir_all(dir)?;
    let file_name = owner.file_name(now);
    let target = dir.join(&file_name);
    // Written under a temporary name, so a crash never leaves a half backup that looks whole.
    let partial = dir.join(format!("{file_name}.partial"));
    let written = db.with_conn(|conn| {
        if key == db.key() {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
            let mut dst = open_connection(&partial, flags, key)?;
            Backup::new(conn, &mut dst)?.run_to_completion(PAGES_PER_STEP, Duration::ZERO, None)?;
            Ok(())
        } else {
            encryption::export(conn, &partial, key)?;
            encryption::verify(conn, &partial, key)
        }
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &target)?;
    for old in list(dir, &owner)?.into_iter().skip(keep.max(1)) {
        std::fs::remove_file(&old.path)?;
    }
    list(dir, &owner)?
        .into_iter()
        .find(|f| f.file_name == file_name)
        .ok_or_else(|| Error::Io(std::io::Error::other("the backup vanished after it was written")))
}

/// Takes a backup when none of this database's is younger than a day; returns it, or `None`
/// when not due.
pub fn automatic(db: &Database, dir: &Path, now: DateTime<Utc>) -> Result<Option<BackupFile>> {
    let owner = Owner::of(db)?;
    let newest = list(dir, &owner)?.first().and_then(|f| owner.taken_at(&f.file_name));
    let due = newest.is_none_or(|at| now.naive_utc() - at >= chrono::Duration::hours(AUTOMATIC_INTERVAL_HOURS));
    if due {
        create(db, dir, now, KEEP_DEFAULT).map(Some)
    } else {
        Ok(None)
    }
}

/// Replaces the live database with `backup` after checking the backup: it must pass
/// `integrity_check`, be a Headtail database this version can open, and be a backup of this
/// database (same identity), never of another one. A backup of the current state is taken
/// first (into `safety_dir`), so a restore can itself be undone.
pub fn restore(db: &Database, backup: &Path, safety_dir: &Path, now: DateTime<Utc>) -> Result<BackupFile> {
    let src = open_read_only(backup, db.key())?;
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
    // A backup from before databases had an identity cannot prove whose it is.
    let theirs = identity(&src).ok();
    if theirs.as_deref() != Some(Owner::of(db)?.identity()) {
        return Err(Error::BackupOfAnotherDatabase { backup: backup.display().to_string() });
    }
    let safety = create(db, safety_dir, now, usize::MAX)?;
    // Copying pages into the live file (not replacing the file) keeps the pool's other
    // connections valid: they see the restored content at once.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    let mut live = open_connection(db.path(), flags, db.key())?;
    live.busy_timeout(Duration::from_secs(5))?;
    Backup::new(&src, &mut live)?.run_to_completion(PAGES_PER_STEP, Duration::ZERO, None)?;
    migrate(&mut live)?;
    Ok(safety)
}

fn corrupt(path: &Path, reason: String) -> Error {
    Error::DatabaseCorrupt { path: path.display().to_string(), reason }
}
