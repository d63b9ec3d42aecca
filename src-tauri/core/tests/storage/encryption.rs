use crate::{at, customer, found};
use headtail_core::backup;
use headtail_core::encryption::{self, Passphrase, PlainBackups};
use headtail_core::{Database, Error};
use std::path::{Path, PathBuf};

const NAME: &str = "Quillfeather 蒋雨桐";
const MARKER: &[u8] = b"Quillfeather";

fn key(text: &str) -> Passphrase {
    Passphrase::new(text).expect("passphrase")
}

fn contains(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The files SQLite could leave beside a database.
fn companions(path: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal"].iter().map(|s| beside(path, s)).filter(|p| p.exists()).collect()
}

/// A plain database with one customer, closed, in its own folder.
fn plain_database() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("crm.sqlite");
    let db = Database::open(&path).expect("open");
    customer(&db, NAME);
    // Into the file itself, whichever connection closes last.
    db.with_conn(|c| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?)).expect("checkpoint");
    drop(db);
    (dir, path)
}

fn encrypted_database(pass: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = plain_database();
    encryption::encrypt(&path, &key(pass), &backup::default_dir(&path), PlainBackups::Remove, at(2)).expect("encrypt");
    (dir, path)
}

#[test]
fn an_encrypted_file_has_no_plain_header_and_reads_back_with_its_passphrase() {
    let (_dir, path) = plain_database();
    let plain = std::fs::read(&path).expect("read");
    assert!(plain.starts_with(b"SQLite format 3\0") && contains(&plain, MARKER), "control: plain text is visible");
    let converted =
        encryption::encrypt(&path, &key("correct horse"), &backup::default_dir(&path), PlainBackups::Remove, at(2))
            .expect("encrypt");
    let bytes = std::fs::read(&path).expect("read");
    assert!(!bytes.starts_with(b"SQLite format"), "the header is gone");
    assert!(!contains(&bytes, MARKER), "no customer name in the file");
    assert!(encryption::is_encrypted(&path).expect("check"));

    let db = Database::open_existing_with(&path, Some(key("correct horse"))).expect("open with the passphrase");
    assert!(db.is_encrypted());
    let temp_store: i64 = db.with_conn(|c| Ok(c.query_row("PRAGMA temp_store", [], |r| r.get(0))?)).expect("pragma");
    assert_eq!(temp_store, 2, "temporary tables and sorts of an encrypted database stay in memory");
    assert_eq!(found(&db, "蒋雨"), vec![NAME], "the search index came across");
    customer(&db, "王芳");
    assert_eq!(found(&db, "王芳"), vec!["王芳"], "writes work");
    let backup_bytes = std::fs::read(&converted.backup.path).expect("backup");
    assert!(!backup_bytes.starts_with(b"SQLite format") && !contains(&backup_bytes, MARKER), "the backup is encrypted");
}

#[test]
fn a_missing_or_wrong_passphrase_leaves_the_file_byte_for_byte_as_it_was() {
    let (_dir, path) = encrypted_database("correct horse");
    assert!(companions(&path).is_empty(), "a closed database leaves nothing beside it");
    let before = std::fs::read(&path).expect("read");

    let err = Database::open(&path).expect_err("no passphrase");
    assert!(matches!(&err, Error::PassphraseRequired { .. }), "got {err:?}");
    assert_eq!(serde_json::to_value(err.code()).expect("code"), "passphrase_required");
    let err = Database::open_with(&path, Some(key("wrong horse"))).expect_err("wrong passphrase");
    assert!(matches!(&err, Error::WrongPassphrase { .. }), "got {err:?}");
    assert_eq!(serde_json::to_value(err.code()).expect("code"), "wrong_passphrase");
    assert_eq!(err.payload().details.params.get("path").map(String::as_str), path.to_str());
    let err = encryption::decrypt(&path, &key("wrong horse"), &backup::default_dir(&path), at(3)).expect_err("decrypt");
    assert!(matches!(&err, Error::WrongPassphrase { .. }), "got {err:?}");

    assert_eq!(std::fs::read(&path).expect("read"), before, "the file is unchanged");
    assert!(companions(&path).is_empty(), "no log, index or journal was made: {:?}", companions(&path));
}

#[test]
fn decrypting_gives_back_a_plain_file_that_opens_without_a_passphrase() {
    let (_dir, path) = encrypted_database("correct horse");
    let backups = backup::default_dir(&path);
    let converted = encryption::decrypt(&path, &key("correct horse"), &backups, at(3)).expect("decrypt");
    let bytes = std::fs::read(&path).expect("read");
    assert!(bytes.starts_with(b"SQLite format 3\0"), "plain again");
    let db = Database::open_existing(&path).expect("open without a passphrase");
    assert!(!db.is_encrypted());
    assert_eq!(found(&db, "Quillfeather"), vec![NAME]);
    let backup_bytes = std::fs::read(&converted.backup.path).expect("backup");
    assert!(!contains(&backup_bytes, MARKER), "the backup taken before decrypting stays encrypted");
    let err = encryption::decrypt(&path, &key("correct horse"), &backups, at(4)).expect_err("already plain");
    assert!(matches!(err, Error::Conflict(_)), "got {err:?}");
}

#[test]
fn a_plain_database_opens_as_before_and_ignores_a_passphrase() {
    let (_dir, path) = plain_database();
    let db = Database::open_with(&path, Some(key("not needed"))).expect("open");
    assert!(!db.is_encrypted());
    let temp_store: i64 = db.with_conn(|c| Ok(c.query_row("PRAGMA temp_store", [], |r| r.get(0))?)).expect("pragma");
    assert_eq!(temp_store, 1, "a plain database keeps SQLite's temporary files, as before");
    assert_eq!(found(&db, "蒋雨"), vec![NAME]);
    drop(db);
    assert!(std::fs::read(&path).expect("read").starts_with(b"SQLite format 3\0"), "still plain");
}

#[test]
fn the_write_ahead_log_and_later_backups_of_an_encrypted_database_hold_no_plain_text() {
    let (dir, path) = encrypted_database("correct horse");
    let db = Database::open_existing_with(&path, Some(key("correct horse"))).expect("open");
    // Kept open, the write stays in the log.
    customer(&db, "Quillfeather 2");
    let wal = std::fs::read(beside(&path, "-wal")).expect("the write-ahead log");
    assert!(wal.len() > 4096, "the write is in the log");
    assert!(!contains(&wal, MARKER), "the log is encrypted");
    let taken = backup::create(&db, &dir.path().join("backups"), at(5), 10).expect("backup");
    let bytes = std::fs::read(&taken.path).expect("read");
    assert!(!bytes.starts_with(b"SQLite format") && !contains(&bytes, MARKER), "the backup is encrypted");
    let restored = backup::restore(&db, Path::new(&taken.path), &dir.path().join("backups"), at(6));
    assert!(restored.is_ok(), "an encrypted backup restores into its database: {restored:?}");

    // The control: a plain database's log shows the same write in clear.
    let (_plain_dir, plain_path) = plain_database();
    let plain = Database::open(&plain_path).expect("open");
    customer(&plain, "Quillfeather 2");
    assert!(contains(&std::fs::read(beside(&plain_path, "-wal")).expect("wal"), MARKER));
}

#[test]
fn older_plain_backups_are_encrypted_or_removed_when_the_database_is_encrypted() {
    for choice in [PlainBackups::Encrypt, PlainBackups::Remove] {
        let (_dir, path) = plain_database();
        let backups = backup::default_dir(&path);
        let db = Database::open(&path).expect("open");
        let old = backup::create(&db, &backups, at(1), 10).expect("plain backup");
        drop(db);
        assert!(contains(&std::fs::read(&old.path).expect("read"), MARKER), "control: the old backup is plain");
        assert_eq!(encryption::plain_backups(&path, None, &backups).expect("list").len(), 1);

        let converted = encryption::encrypt(&path, &key("pw"), &backups, choice, at(2)).expect("encrypt");
        let db = Database::open_existing_with(&path, Some(key("pw"))).expect("open");
        let owner = backup::Owner::of(&db).expect("owner");
        let left: Vec<String> = backup::list(&backups, &owner).expect("list").into_iter().map(|b| b.path).collect();
        let expected = match choice {
            PlainBackups::Encrypt => vec![converted.backup.path.clone(), old.path.clone()],
            PlainBackups::Remove => vec![converted.backup.path.clone()],
        };
        assert_eq!(left, expected, "{choice:?}");
        for file in &left {
            let bytes = std::fs::read(file).expect("read");
            assert!(!bytes.starts_with(b"SQLite format") && !contains(&bytes, MARKER), "{choice:?}: {file} encrypted");
        }
        assert!(encryption::plain_backups(&path, Some(&key("pw")), &backups).expect("list").is_empty());
        if choice == PlainBackups::Encrypt {
            let restored = backup::restore(&db, Path::new(&old.path), &backups, at(3));
            assert!(restored.is_ok(), "the old backup, now encrypted, still restores: {restored:?}");
        }
    }
}

#[test]
fn a_database_open_elsewhere_is_not_converted() {
    let (_dir, path) = plain_database();
    let other = Database::open(&path).expect("open elsewhere");
    let err = encryption::encrypt(&path, &key("pw"), &backup::default_dir(&path), PlainBackups::Remove, at(2))
        .expect_err("open elsewhere");
    assert!(matches!(&err, Error::Conflict(m) if m.contains("close it")), "got {err:?}");
    assert_eq!(found(&other, "蒋雨"), vec![NAME], "the other connection still reads its data");
    drop(other);
    assert!(!encryption::is_encrypted(&path).expect("check"), "still plain");
    assert!(!beside(&path, ".converting").exists(), "no partial copy left");
}

#[test]
fn a_passphrase_is_never_printed_and_never_empty() {
    let shown = format!("{:?}", key("correct horse"));
    assert!(!shown.contains("correct"), "{shown}");
    assert!(matches!(Passphrase::new(""), Err(Error::InvalidArgument(_))));
}
