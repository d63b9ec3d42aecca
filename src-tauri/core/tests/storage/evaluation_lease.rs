use crate::temp_db;
use chrono::{Duration, Utc};
use headtail_core::evaluation::lease::{Lease, STALE_AFTER};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::{Database, Error};

fn half_saved_runs(db: &Database) -> i64 {
    db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM evaluation_runs WHERE complete = 0", [], |r| r.get(0))?))
        .expect("count")
}

/// A run being saved, as another process would have it in the middle of its save.
fn start_saving(db: &Database) {
    db.with_conn(|c| {
        Ok(c.execute(
            "INSERT INTO evaluation_runs (as_of, started_at, finished_at, trigger, currency, settings, model, summary,
                                          customers, seconds, complete)
             VALUES ('2026-03-01', '', '', 'command_line', 'CNY', '{}', '{}', '{}', 0, 0, 0)",
            [],
        )?)
    })
    .expect("half-saved run");
}

#[test]
fn one_evaluation_at_a_time_and_a_run_being_saved_is_never_deleted_by_another() {
    let (_dir, db) = temp_db();
    let first = Lease::take(&db, Utc::now()).expect("first takes the lease");
    start_saving(&db);
    let second = Lease::take(&db, Utc::now()).expect_err("a second evaluation is refused");
    assert!(matches!(second, Error::Conflict(_)), "got {second:?}");
    let refused = store::run(&db, crate::date(3, 1), Trigger::Manual, &mut |_, _| {}).expect_err("run refused");
    assert!(matches!(refused, Error::Conflict(_)), "got {refused:?}");
    assert_eq!(half_saved_runs(&db), 1, "the run being saved is left alone");
    drop(first);
    let (run, _) = store::run(&db, crate::date(3, 1), Trigger::Manual, &mut |_, _| {}).expect("runs once released");
    assert_eq!(half_saved_runs(&db), 0, "what the holder left half-saved went with the next run");
    let latest = db.with_conn(store::latest_run).expect("latest").expect("a run");
    assert_eq!(latest.id, run.id);
}

/// A process killed while it held the lease stops renewing it: once stale, the next
/// evaluation takes over, and the old holder can no longer complete its run.
#[test]
fn a_lease_left_by_a_process_that_died_is_taken_over_once_stale() {
    let (_dir, db) = temp_db();
    let stale = chrono::Duration::from_std(STALE_AFTER).expect("duration");
    let then = Utc::now() - stale - Duration::seconds(1);
    let dead = Lease::take(&db, then).expect("taken long ago");
    // Its renewals stopped when it died: turn back the clock on the last one.
    db.with_conn(|c| Ok(c.execute("UPDATE evaluation_lease SET renewed_at = ?1", [then.to_rfc3339()])?))
        .expect("age the lease");
    start_saving(&db);
    let next = Lease::take(&db, Utc::now()).expect("a stale lease is taken over");
    assert_eq!(half_saved_runs(&db), 0, "the dead holder's half-saved run is removed");
    let confirm = db.with_conn(|c| dead.confirm(c)).expect_err("the old holder lost its place");
    assert!(matches!(confirm, Error::Conflict(_)), "got {confirm:?}");
    db.with_conn(|c| next.confirm(c)).expect("the new holder holds it");
    std::mem::forget(dead); // a dead process releases nothing
}

/// A run killed a moment ago leaves a fresh lease; its process is gone, so the next run
/// need not wait for the lease to go stale.
#[test]
fn a_lease_whose_process_is_gone_is_taken_over_at_once() {
    let (_dir, db) = temp_db();
    let mut gone = std::process::Command::new("true").spawn().expect("a short process");
    let pid = gone.id();
    gone.wait().expect("it ended");
    let now = Utc::now().to_rfc3339();
    db.with_conn(|c| {
        Ok(c.execute(
            "INSERT INTO evaluation_lease (singleton, holder, taken_at, renewed_at) VALUES (1, ?1, ?2, ?2)",
            rusqlite::params![format!("{pid}-1"), now],
        )?)
    })
    .expect("lease of a dead process");
    start_saving(&db);
    Lease::take(&db, Utc::now()).expect("taken over at once");
    assert_eq!(half_saved_runs(&db), 0);
}
