//! A run is stored without the rows the lists read; they are built from its archive
//! afterwards, and until then the list, My day and the survey list read the previous run's.

use crate::run_archive::{count, day, demo_db, index_definitions, run};
use headtail_core::customers::{self, CustomerQuery};
use headtail_core::evaluation::store::{self, refresh_customer, MemberFilter, Trigger};
use headtail_core::evaluation::Lifecycle;
use headtail_core::Database;

/// A run as `headtail evaluate` and the window store it: the rows come later.
fn run_without_rows(db: &Database, as_of: &str) -> i64 {
    store::run_beside(db, day(as_of), Trigger::Manual, &mut |_, _| {}, |_, _| Ok(())).expect("run").0.id
}

fn listed_run(db: &Database) -> Option<i64> {
    db.with_conn(store::listed_run).expect("listed run").map(|(id, _)| id)
}

fn all_members(db: &Database, run: i64) -> Vec<store::MemberRow> {
    let page = db.with_conn(|c| store::members(c, run, &MemberFilter::default(), 0, 10_000)).expect("members");
    page.items
}

/// The predicted CLV the customer list shows for each customer.
fn listed_clv(db: &Database) -> Vec<(i64, Option<i64>)> {
    let query = CustomerQuery { limit: 500, ..CustomerQuery::default() };
    let page = db.with_conn(|c| customers::list(c, &query)).expect("list");
    page.standings.iter().map(|s| (s.customer_id, s.predicted_clv_minor)).collect()
}

#[test]
fn the_lists_read_the_previous_run_until_the_latest_rows_are_built() {
    let (_dir, db) = demo_db(300);
    let first = run(&db, "2026-09-30");
    let indexes = index_definitions(&db);
    let listed_before = listed_clv(&db);
    let second = run_without_rows(&db, "2026-10-31");
    assert_eq!(db.with_conn(store::latest_run).expect("latest").map(|r| r.id), Some(second));
    assert_eq!(listed_run(&db), Some(first), "the lists stay on the run whose rows are built");
    assert_eq!(db.with_conn(store::latest_without_rows).expect("stale"), Some(second));
    assert_eq!(listed_clv(&db), listed_before);
    assert_eq!(count(&db, &format!("SELECT count(*) FROM evaluation_members WHERE run_id = {second}")), 0);

    // The new run itself reads from its archive meanwhile: its members and a profile's standing.
    let archived = all_members(&db, second);
    assert_eq!(archived.len(), 300);
    let buyer = archived.iter().find(|r| r.member.decision.lifecycle != Lifecycle::Prospect).expect("a buyer");
    let id = buyer.member.measures.customer_id;
    let standing = db.with_conn(|c| store::standing(c, id)).expect("standing").expect("member");
    assert_eq!((standing.run_id, &standing.member), (second, &buyer.member));
    let level = db.with_conn(|c| headtail_core::complaints::service_level(c, id)).expect("level");
    assert_eq!(level, buyer.member.decision.service_level, "complaint targets follow the latest run");

    assert_eq!(store::build_latest(&db).expect("build"), Some(second));
    assert_eq!(listed_run(&db), Some(second));
    assert_eq!(all_members(&db, second), archived, "the rows hold what the archive does");
    assert_eq!(count(&db, "SELECT count(DISTINCT run_id) FROM evaluation_members"), 1);
    assert_eq!(index_definitions(&db), indexes, "the same indexes, by the same definitions");
    assert_ne!(listed_clv(&db), listed_before, "the list shows the new run's figures");
    assert_eq!(store::build_latest(&db).expect("again"), None, "nothing left to build");
    assert_eq!(count(&db, "SELECT count(*) FROM sqlite_master WHERE name = 'evaluation_members_saving'"), 0);
}

#[test]
fn a_refresh_before_the_rows_are_built_reaches_them() {
    let (_dir, db) = demo_db(200);
    run(&db, "2026-09-30");
    let second = run_without_rows(&db, "2026-10-31");
    let buyer = all_members(&db, second)
        .into_iter()
        .find(|r| r.member.decision.lifecycle != Lifecycle::Prospect)
        .expect("a buyer");
    let id = buyer.member.measures.customer_id;
    db.with_conn(|c| {
        c.execute(
            "INSERT INTO orders (customer_id, ordered_on, amount_minor, currency) VALUES (?1, '2026-11-20', 99900, 'CNY')",
            [id],
        )?;
        Ok(())
    })
    .expect("order");
    let refreshed = refresh_customer(&db, id, day("2026-11-21")).expect("refresh").expect("still a member");
    assert_ne!(refreshed.measures, buyer.member.measures);
    let refreshed = store::as_stored(&refreshed).expect("as stored");
    store::build_latest(&db).expect("build");
    let row = all_members(&db, second).into_iter().find(|r| r.member.measures.customer_id == id).expect("row");
    assert_eq!(row.member, refreshed);
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM evaluation_members WHERE customer_id = {id} AND refreshed_on = '2026-11-21'"
            )
        ),
        1
    );
}

#[test]
fn keeping_one_run_removes_the_rows_with_the_run_they_belong_to() {
    let (_dir, db) = demo_db(120);
    db.with_conn(|c| {
        c.execute("INSERT INTO settings (key, value) VALUES ('evaluation', '{\"keep_runs\": 1}')", [])?;
        Ok(())
    })
    .expect("keep one run");
    run(&db, "2026-09-30");
    let second = run_without_rows(&db, "2026-10-31");
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_runs"), 1);
    assert_eq!(listed_run(&db), None, "no rows of a removed run remain");
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_members"), 0);
    assert_eq!(index_definitions(&db).len(), 3);
    assert_eq!(store::build_latest(&db).expect("build"), Some(second));
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_members"), 120);
}

#[test]
fn customers_removed_for_good_before_the_build_are_left_out_of_the_rows() {
    let (_dir, db) = demo_db(150);
    let only = run_without_rows(&db, "2026-10-31");
    assert_eq!(listed_run(&db), None, "no rows before the first build");
    let gone = all_members(&db, only)[3].member.measures.customer_id;
    db.with_conn(|c| {
        c.execute("DELETE FROM customers WHERE id = ?1", [gone])?;
        Ok(())
    })
    .expect("purge");
    assert_eq!(store::build_latest(&db).expect("build"), Some(only));
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_members"), 149);
    assert_eq!(count(&db, &format!("SELECT count(*) FROM evaluation_members WHERE customer_id = {gone}")), 0);
}

#[test]
fn a_build_while_an_evaluation_runs_is_refused_and_changes_nothing() {
    let (_dir, db) = demo_db(80);
    let first = run(&db, "2026-09-30");
    run_without_rows(&db, "2026-10-31");
    let lease = headtail_core::evaluation::lease::Lease::take(&db, chrono::Utc::now()).expect("lease");
    let refused = store::build_latest(&db);
    assert!(matches!(refused, Err(headtail_core::Error::Conflict(_))), "{refused:?}");
    assert_eq!(listed_run(&db), Some(first));
    drop(lease);
    assert!(store::build_latest(&db).expect("build").is_some());
}
