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

#[test]
fn info_creates_the_database_named_by_db() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("crm.sqlite");
    let out = headtail(&["info", "--db", path.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(path.exists(), "the file and its folder are created");
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema version: "));
}

#[test]
fn the_database_can_be_named_by_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("env.sqlite");
    let out = Command::new(env!("CARGO_BIN_EXE_headtail"))
        .arg("info")
        .env("HEADTAIL_DB", &path)
        .env_remove("DISPLAY")
        .output()
        .expect("run headtail");
    assert!(out.status.success());
    assert!(path.exists());
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message_and_a_failure_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("newer.sqlite");
    rusqlite::Connection::open(&path).expect("create").execute_batch("PRAGMA user_version = 77").expect("version");
    let out = headtail(&["info", "--db", path.to_str().expect("utf-8 path")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer version of Headtail") && err.contains("77"), "{err}");
}
