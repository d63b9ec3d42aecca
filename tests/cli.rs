//! The headless side of the binary: it must work with no display at all.

use std::process::{Command, Output};

fn headtail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headtail"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("HEADTAIL_DB")
        .output()
        .expect("run headtail")
}

#[test]
fn version_prints_and_exits_without_a_display() {
    let out = headtail(&["--version"]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("headtail {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_the_database_option_and_exits_without_a_display() {
    let out = headtail(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--db <PATH>"), "{help}");
    assert!(help.contains("HEADTAIL_DB"), "{help}");
}

fn demo(path: &std::path::Path) {
    let out =
        headtail(&["demo", "--db", path.to_str().expect("utf-8 path"), "--customers", "5", "--until", "2026-06-30"]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

/// A mistyped `--db` must not quietly make an empty database that `export` and `evaluate`
/// then report on with success: only the app, `import` and `demo` create one.
#[test]
fn only_the_app_import_and_demo_create_a_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("crm.sqlite");
    let db = path.to_str().expect("utf-8 path");
    let out_dir = dir.path().join("out");
    let members = dir.path().join("members.csv");
    for args in [
        vec!["info", "--db", db],
        vec!["export", "--db", db, "--out", out_dir.to_str().expect("path")],
        vec!["evaluate", "--db", db, "--as-of", "2026-06-30", "--out", members.to_str().expect("path")],
    ] {
        let out = headtail(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: exit 2, could not start");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("there is no database at") && err.contains("crm.sqlite"), "{args:?}: {err}");
        assert!(!path.exists() && !path.parent().expect("dir").exists(), "{args:?} created nothing");
        assert!(!out_dir.exists() && !members.exists(), "{args:?} wrote nothing");
    }
    demo(&path);
    let out = headtail(&["info", "--db", db]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema version: "));
}

#[test]
fn the_database_can_be_named_by_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("env.sqlite");
    demo(&path);
    let out = Command::new(env!("CARGO_BIN_EXE_headtail"))
        .arg("info")
        .env("HEADTAIL_DB", &path)
        .env_remove("DISPLAY")
        .output()
        .expect("run headtail");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(path.to_str().expect("path")));
}

/// The same fault gives the same status whatever the subcommand (the table in `exit.rs`).
#[test]
fn a_file_that_is_not_a_database_exits_2_from_every_subcommand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, "these are meeting notes, long enough to look like a database header").expect("write");
    let before = std::fs::read(&path).expect("read");
    let csv = dir.path().join("orders.csv");
    std::fs::write(&csv, "订单号,客户名称,下单日期,金额\nA1,张伟,2024-01-05,10\n").expect("csv");
    let db = path.to_str().expect("path");
    let out_dir = dir.path().join("out");
    for args in [
        vec!["info", "--db", db],
        vec!["export", "--db", db, "--out", out_dir.to_str().expect("path")],
        vec!["evaluate", "--db", db, "--as-of", "2026-06-30"],
        vec!["import", "--db", db, "--kind", "orders", csv.to_str().expect("path")],
        vec!["demo", "--db", db, "--customers", "5"],
    ] {
        let out = headtail(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("is not a Headtail database"), "{args:?}");
    }
    assert_eq!(std::fs::read(&path).expect("read"), before, "the file is untouched");
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message_and_a_failure_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("newer.sqlite");
    rusqlite::Connection::open(&path).expect("create").execute_batch("PRAGMA user_version = 77").expect("version");
    let out = headtail(&["info", "--db", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer version of Headtail") && err.contains("77"), "{err}");
}
