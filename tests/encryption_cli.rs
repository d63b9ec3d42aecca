//! `headtail encrypt` and `decrypt`, and every subcommand on an encrypted file: the
//! passphrase from HEADTAIL_PASSPHRASE (standard input is never a terminal here, so nothing
//! is ever asked).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn headtail(args: &[&str], passphrase: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_headtail"));
    command.args(args).env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").env_remove("HEADTAIL_DB");
    match passphrase {
        Some(p) => command.env("HEADTAIL_PASSPHRASE", p),
        None => command.env_remove("HEADTAIL_PASSPHRASE"),
    };
    command.output().expect("run headtail")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn contains(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

fn backups(path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().expect("dir").join("backups");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.sort();
    files
}

/// A demo database and one customer's name read from its export, to look for in the files.
fn demo(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("crm.sqlite");
    let db = path.to_str().expect("path");
    let out = headtail(&["demo", "--db", db, "--customers", "20", "--until", "2026-06-30"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = headtail(&["export", "--db", db, "--out", dir.join("plain-export").to_str().expect("path")], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let customers = std::fs::read_to_string(dir.join("plain-export").join("customers.csv")).expect("export");
    let row = customers.lines().nth(1).expect("a customer");
    let name = row.split(',').nth(1).expect("the name column").trim_matches('"').to_owned();
    assert!(name.chars().count() >= 2, "a name to look for: {row}");
    (path, name)
}

#[test]
fn encrypting_hides_the_data_and_every_command_needs_the_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, name) = demo(dir.path());
    let db = path.to_str().expect("path");
    assert!(contains(&std::fs::read(&path).expect("read"), name.as_bytes()), "control: the name is in the plain file");

    let out = headtail(&["encrypt", "--db", db], Some("correct horse"));
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&path).expect("read");
    assert!(!bytes.starts_with(b"SQLite format 3\0"), "the plain header is gone");
    assert!(!contains(&bytes, name.as_bytes()), "the name is not in the file");
    let taken = backups(&path);
    assert_eq!(taken.len(), 1, "one backup taken before converting: {taken:?}");
    let backup = std::fs::read(&taken[0]).expect("backup");
    assert!(!backup.starts_with(b"SQLite format") && !contains(&backup, name.as_bytes()), "the backup is encrypted");

    let out = headtail(
        &["export", "--db", db, "--out", dir.path().join("out").to_str().expect("path")],
        Some("correct horse"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = std::fs::read_to_string(dir.path().join("out").join("customers.csv")).expect("export");
    assert!(exported.contains(&name), "the data reads back with the passphrase");
    let out = headtail(
        &["evaluate", "--db", db, "--as-of", "2026-06-30", "--out", dir.path().join("m.csv").to_str().expect("path")],
        Some("correct horse"),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // Whatever the commands above left beside the file (a write-ahead log) stays as it is too.
    let before = std::fs::read(&path).expect("read");
    let beside: Vec<PathBuf> =
        std::fs::read_dir(dir.path()).expect("dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
    for args in
        [vec!["info", "--db", db], vec!["evaluate", "--db", db, "--as-of", "2026-06-30"], vec!["decrypt", "--db", db]]
    {
        let out = headtail(&args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}: exit 1 without a passphrase: {}", stderr(&out));
        assert!(
            stderr(&out).contains("is encrypted") && stderr(&out).contains("HEADTAIL_PASSPHRASE"),
            "{args:?}: {}",
            stderr(&out)
        );
        let out = headtail(&args, Some("wrong horse"));
        assert_eq!(out.status.code(), Some(1), "{args:?}: exit 1 with a wrong passphrase: {}", stderr(&out));
        assert!(stderr(&out).contains("the passphrase does not open"), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("hmac"), "SQLCipher's own log stays quiet: {}", stderr(&out));
    }
    assert!(std::fs::read(&path).expect("read") == before, "the file is byte for byte as it was");
    let after: Vec<PathBuf> =
        std::fs::read_dir(dir.path()).expect("dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
    assert_eq!(after.len(), beside.len(), "nothing new beside it: {after:?}");
    for file in after.iter().filter(|f| f.to_string_lossy().contains("crm.sqlite")) {
        assert!(!contains(&std::fs::read(file).expect("read"), name.as_bytes()), "{file:?} holds no plain text");
    }
}

#[test]
fn decrypting_gives_back_a_plain_database_that_opens_without_a_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, name) = demo(dir.path());
    let db = path.to_str().expect("path");
    assert!(headtail(&["encrypt", "--db", db], Some("pw")).status.success());
    let out = headtail(&["decrypt", "--db", db], Some("pw"));
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&path).expect("read");
    assert!(bytes.starts_with(b"SQLite format 3\0") && contains(&bytes, name.as_bytes()), "plain again");
    let out = headtail(&["info", "--db", db], None);
    assert!(out.status.success(), "{}", stderr(&out));
    // A passphrase in the environment does not stop a plain database from opening.
    let out = headtail(&["info", "--db", db], Some("anything"));
    assert!(out.status.success(), "{}", stderr(&out));
    for backup in backups(&path) {
        assert!(!contains(&std::fs::read(&backup).expect("read"), name.as_bytes()), "{backup:?} stays encrypted");
    }
}

#[test]
fn plain_backups_are_never_left_behind_silently() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, name) = demo(dir.path());
    let db = path.to_str().expect("path");
    // The app's automatic backup, taken while the database was plain.
    let plain_backup = {
        let live = headtail_core::Database::open(&path).expect("open");
        let taken = headtail_core::backup::create(
            &live,
            &headtail_core::backup::default_dir(&path),
            chrono::Utc::now() - chrono::Duration::days(1),
            10,
        )
        .expect("backup");
        PathBuf::from(taken.path)
    };
    let before = std::fs::read(&path).expect("read");
    let out = headtail(&["encrypt", "--db", db], Some("pw"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--plain-backups"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&path).expect("read"), before, "refused before changing anything");

    let out = headtail(&["encrypt", "--db", db, "--plain-backups", "encrypt"], Some("pw"));
    assert!(out.status.success(), "{}", stderr(&out));
    let kept = backups(&path);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.contains(&plain_backup), "the old backup is kept, encrypted");
    for backup in kept {
        assert!(!contains(&std::fs::read(&backup).expect("read"), name.as_bytes()), "{backup:?} is encrypted");
    }
}

#[test]
fn no_passphrase_and_no_terminal_is_a_clear_refusal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = demo(dir.path());
    let before = std::fs::read(&path).expect("read");
    let out = headtail(&["encrypt", "--db", path.to_str().expect("path")], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("set HEADTAIL_PASSPHRASE"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&path).expect("read"), before);
    assert!(backups(&path).is_empty(), "no backup for a refused command");
}
