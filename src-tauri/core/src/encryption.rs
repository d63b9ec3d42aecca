//! Encryption at rest with SQLCipher: the passphrase, telling an encrypted file from a plain
//! one, and converting a database in place either way.
//!
//! A database is plain unless `encrypt` made it encrypted: opening a plain file ignores any
//! passphrase, so a plain database behaves exactly as before. An encrypted file has no
//! readable header (its first bytes are a random salt), so it is told apart from a damaged or
//! foreign file by what it lacks: no "SQLite format 3" header and a size that is a whole
//! number of pages. Such a file is never opened without a passphrase, and a wrong one fails on
//! the first read of the schema, before SQLite writes anything beside it.
//!
//! A conversion takes a verified backup first (of an encrypted database, or of one being
//! encrypted, the backup is encrypted), writes the converted copy with `sqlcipher_export`
//! beside the file, checks it against the original, and renames it over the original.

use crate::backup::{self, BackupFile, Owner};
use crate::db::{self, Database};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The first 16 bytes of every plain SQLite file.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// SQLite's smallest page: an encrypted file is a whole number of them.
const MIN_PAGE: u64 = 512;

/// A database passphrase. It is wiped from memory when dropped and never printed: its
/// `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Refuses an empty passphrase, which SQLCipher would take as "no encryption".
    pub fn new(text: impl Into<String>) -> Result<Self> {
        let text = Zeroizing::new(text.into());
        if text.is_empty() {
            return Err(Error::InvalidArgument("the passphrase is empty".into()));
        }
        Ok(Self(text))
    }

    /// The text itself, for SQLCipher and the OS keyring only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(hidden)")
    }
}

impl PartialEq for Passphrase {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

/// True when the file at `path` is an encrypted database: no plain header, and a whole number
/// of pages. A missing or empty file is not encrypted (it becomes a new plain database).
pub fn is_encrypted(path: &Path) -> Result<bool> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    let mut head = [0u8; 16];
    if len < MIN_PAGE || len % MIN_PAGE != 0 {
        return Ok(false);
    }
    file.read_exact(&mut head)?;
    Ok(&head != PLAIN_HEADER)
}

/// Which way a database was converted, and the backup taken before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub path: PathBuf,
    pub backup: BackupFile,
}

/// What to do with the plain backups of a database being encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainBackups {
    /// Encrypt each with the new passphrase, in place.
    Encrypt,
    /// Delete them.
    Remove,
}

/// This database's backups in `dir` that are still plain (taken before it was encrypted).
pub fn plain_backups(path: &Path, key: Option<&Passphrase>, dir: &Path) -> Result<Vec<BackupFile>> {
    let owner = Owner::of_file_with(path, key)?;
    let mut plain = Vec::new();
    for file in backup::list(dir, &owner)? {
        if !is_encrypted(Path::new(&file.path))? {
            plain.push(file);
        }
    }
    Ok(plain)
}

/// Encrypts the plain database at `path` in place with `passphrase`. First an encrypted,
/// verified backup goes into `backups_dir`; then this database's older plain backups there
/// are encrypted or removed as `plain_backups` says.
///
/// # Errors
/// [`Error::Conflict`] when the file is already encrypted or another program has it open;
/// the errors of opening it. On any failure the file is left as it was.
pub fn encrypt(
    path: &Path,
    passphrase: &Passphrase,
    backups_dir: &Path,
    plain_backups: PlainBackups,
    now: DateTime<Utc>,
) -> Result<Converted> {
    if is_encrypted(path)? {
        return Err(Error::Conflict(format!("{} is already encrypted", path.display())));
    }
    let old_plain = self::plain_backups(path, None, backups_dir)?;
    let converted = convert(path, None, Some(passphrase), backups_dir, now)?;
    for file in old_plain {
        let file = Path::new(&file.path);
        match plain_backups {
            PlainBackups::Remove => std::fs::remove_file(file)?,
            PlainBackups::Encrypt => encrypt_file(file, passphrase)?,
        }
    }
    Ok(converted)
}

/// Decrypts the database at `path` in place, after a verified (encrypted) backup into
/// `backups_dir`. A wrong passphrase changes nothing.
pub fn decrypt(path: &Path, passphrase: &Passphrase, backups_dir: &Path, now: DateTime<Utc>) -> Result<Converted> {
    if !is_encrypted(path)? {
        return Err(Error::Conflict(format!("{} is not encrypted", path.display())));
    }
    convert(path, Some(passphrase), None, backups_dir, now)
}

/// Copies the database at `path` (opened with `from`) into a new file beside it keyed with
/// `to`, checks the copy and renames it over the original.
fn convert(
    path: &Path,
    from: Option<&Passphrase>,
    to: Option<&Passphrase>,
    backups_dir: &Path,
    now: DateTime<Utc>,
) -> Result<Converted> {
    let db = Database::open_existing_with(path, from.cloned())?;
    if db.is_read_only() {
        return Err(Error::ReadOnly { path: path.display().to_string() });
    }
    // Of a database being encrypted the backup is encrypted too; of one being decrypted it
    // stays encrypted, as every backup of an encrypted database is.
    let backup_key = to.or(from);
    let backup = backup::create_with(&db, backups_dir, now, backup::KEEP_DEFAULT, backup_key)?;
    let partial = beside(path, "converting");
    remove_if_there(&partial)?;
    let written = db.with_conn(|conn| export(conn, &partial, to).and_then(|()| verify(conn, &partial, to)));
    if let Err(e) = written {
        remove_if_there(&partial)?;
        return Err(e);
    }
    drop(db);
    if let Err(e) = release(path, from) {
        remove_if_there(&partial)?;
        return Err(e);
    }
    std::fs::rename(&partial, path)?;
    sync_dir(path);
    Ok(Converted { path: path.to_owned(), backup })
}

/// Encrypts one plain file (a backup) in place with `passphrase`.
fn encrypt_file(file: &Path, passphrase: &Passphrase) -> Result<()> {
    let partial = beside(file, "converting");
    remove_if_there(&partial)?;
    // Attached files are opened with the main file's flags, and the copy must be created;
    // nothing is written to the backup itself.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    let source = db::open_connection(file, flags, None)?;
    let written =
        export(&source, &partial, Some(passphrase)).and_then(|()| verify(&source, &partial, Some(passphrase)));
    drop(source);
    if let Err(e) = written {
        remove_if_there(&partial)?;
        return Err(e);
    }
    std::fs::rename(&partial, file)?;
    sync_dir(file);
    Ok(())
}

/// Writes everything of `conn`'s main database into a new file at `target`, keyed with `key`
/// (plain without one), with the schema version that `sqlcipher_export` leaves out.
pub(crate) fn export(conn: &Connection, target: &Path, key: Option<&Passphrase>) -> Result<()> {
    let target_text = target.to_str().ok_or_else(|| Error::InvalidArgument("the path is not UTF-8".into()))?;
    let key_text = key.map_or("", Passphrase::expose);
    conn.execute("ATTACH DATABASE ?1 AS converted KEY ?2", [target_text, key_text])?;
    let copied = (|| -> Result<()> {
        conn.query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(()))?;
        let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
        conn.pragma_update(Some("converted"), "user_version", version)?;
        Ok(())
    })();
    let detached = conn.execute_batch("DETACH DATABASE converted");
    copied?;
    detached?;
    Ok(())
}

/// Checks the copy at `target` against the database `conn` reads: it passes
/// `integrity_check` and has the same schema version, identity and row count in every table.
pub(crate) fn verify(conn: &Connection, target: &Path, key: Option<&Passphrase>) -> Result<()> {
    let copy = db::open_connection(target, OpenFlags::SQLITE_OPEN_READ_ONLY, key)?;
    let unlike = |what: String| Error::DatabaseCorrupt { path: target.display().to_string(), reason: what };
    let verdict: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(unlike(verdict));
    }
    let version = |c: &Connection| c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0));
    if version(conn)? != version(&copy)? {
        return Err(unlike("the schema version differs from the original".into()));
    }
    if backup::identity(conn)? != backup::identity(&copy)? {
        return Err(unlike("the identity differs from the original".into()));
    }
    let mut tables = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 AND name NOT LIKE 'sqlite_%'")?;
    let names: Vec<String> = tables.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for name in names {
        let sql = format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""));
        let count = |c: &Connection| c.query_row(&sql, [], |r| r.get::<_, i64>(0));
        if count(conn)? != count(&copy)? {
            return Err(unlike(format!("table {name} has a different number of rows")));
        }
    }
    Ok(())
}

/// Takes the file out of write-ahead mode, which SQLite allows only to its one connection:
/// another program with the database open must close it before the file is replaced, or
/// its log would be applied to the new file.
fn release(path: &Path, key: Option<&Passphrase>) -> Result<()> {
    let conn = db::open_connection(path, OpenFlags::SQLITE_OPEN_READ_WRITE, key)?;
    let in_use = || {
        Error::Conflict(format!(
            "{} is open in another Headtail window or program; close it and try again",
            path.display()
        ))
    };
    match conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0)) {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => Ok(()),
        Ok(_) => Err(in_use()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => Err(in_use()),
        Err(e) => Err(e.into()),
    }
}

fn beside(path: &Path, what: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{what}"));
    path.with_file_name(name)
}

fn remove_if_there(path: &Path) -> Result<()> {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    for file in [path.to_owned(), PathBuf::from(journal)] {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Makes the rename itself durable; a folder that cannot be synced is no reason to fail.
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}
