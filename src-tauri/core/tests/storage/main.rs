//! Storage tests: every query against a real SQLite file in a temporary directory.

mod customers;
mod db;
mod export;
mod import;
mod settings;

use chrono::{DateTime, TimeZone, Utc};
use headtail_core::Database;
use tempfile::TempDir;

/// A fresh database file; keep the directory alive as long as the database.
pub fn temp_db() -> (TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(&dir.path().join("headtail.sqlite")).expect("open fresh database");
    (dir, db)
}

pub fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0).single().expect("valid test date")
}
