//! Storage tests: every query against a real SQLite file in a temporary directory.

mod backup;
mod chart_page;
mod charts;
mod complaints;
mod contacts;
mod customer_since;
mod customers;
mod db;
mod demo;
mod duplicates;
mod encryption;
mod erase;
mod evaluation;
mod evaluation_lease;
mod export;
mod export_language;
mod follow_up_reminders;
mod follow_ups;
mod hostile;
mod import;
mod import_customer_keys;
mod interactions;
mod latest_rows;
mod loyalty;
mod my_day;
mod order_digest;
mod orders;
mod pipeline;
mod platform_exports;
mod report;
mod run_archive;
mod segment_list;
mod service_costs;
mod settings;
mod small_shop;
mod sort_keys;
mod surveys;
mod timeline;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use headtail_core::customers::{CustomerInput, CustomerQuery};
use headtail_core::error::Rule;
use headtail_core::{Database, Error};
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

/// A calendar date in 2026.
pub fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).expect("valid test date")
}

/// A local wall-clock time in 2026.
pub fn local(month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    date(month, day).and_hms_opt(hour, minute, 0).expect("valid test time")
}

/// A database file as the first `version` migrations left it, for tests of later ones.
pub fn database_at_version(path: &std::path::Path, version: u32) -> rusqlite::Connection {
    let mut conn = rusqlite::Connection::open(path).expect("create");
    headtail_core::db::migrate_to_version(&mut conn, version as usize).expect("old migrations");
    conn
}

/// A live customer with only a name.
pub fn customer(db: &Database, name: &str) -> i64 {
    db.with_tx(|tx| headtail_core::customers::create(tx, CustomerInput::named(name), at(1)))
        .expect("create customer")
        .id
}

/// The (field, rule) pairs of a validation error; anything else fails the test.
pub fn field_rules<T: std::fmt::Debug>(result: headtail_core::Result<T>) -> Vec<(String, Rule)> {
    match result {
        Err(Error::Validation(fields)) => fields.into_iter().map(|f| (f.field, f.rule)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Expected (field, rule) pairs, in the order validation reports them.
pub fn rules(pairs: &[(&str, Rule)]) -> Vec<(String, Rule)> {
    pairs.iter().map(|(f, r)| ((*f).to_owned(), *r)).collect()
}

/// Names of the live customers a search finds.
pub fn found(db: &Database, term: &str) -> Vec<String> {
    db.with_conn(|c| {
        headtail_core::customers::list(c, &CustomerQuery { search: Some(term.into()), ..Default::default() })
    })
    .expect("search")
    .items
    .into_iter()
    .map(|c| c.name)
    .collect()
}

/// A member of a hand-made run: its customer and standing, every other figure zero.
pub fn hand_member(
    customer_id: i64,
    tier: headtail_core::evaluation::Tier,
    lifecycle: headtail_core::evaluation::Lifecycle,
) -> headtail_core::evaluation::Member {
    use headtail_core::evaluation::{Decision, Measures, Member, ServiceLevel};
    Member {
        measures: Measures { customer_id, ..Measures::default() },
        decision: Decision {
            r_score: None,
            f_score: None,
            m_score: None,
            segment: None,
            value_class: None,
            tier,
            potential_head: false,
            influential: false,
            lifecycle,
            behaviour: None,
            service_level: ServiceLevel::Standard,
            low_value_runs: 0,
            exit_runs: 0,
            exit_step: None,
            next_action: None,
            upsell_category: None,
        },
    }
}

/// Changes the members of a stored run by hand: `edit` gets them all (ascending by customer)
/// and may change, add or remove any; the run's archive, standings and rows follow.
pub fn edit_members(
    conn: &rusqlite::Connection,
    run: i64,
    edit: impl FnOnce(&mut Vec<headtail_core::evaluation::Member>),
) -> headtail_core::Result<()> {
    use headtail_core::evaluation::store;
    let mut members = store::stored_members(conn, run)?;
    edit(&mut members);
    store::put_members(conn, run, &members)
}
