//! Stored runs kept compact: every run archived, only the latest with rows, and everything
//! that reads an earlier run (its members, its file, history, migration, charts, the next
//! run's streaks) reading the same figures from the archive.

use crate::temp_db;
use chrono::NaiveDate;
use headtail_core::charts;
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::store::{self, refresh_customer, Dimension, Flow, MemberFilter, Trigger};
use headtail_core::evaluation::{Lifecycle, Tier};
use headtail_core::Database;
use std::collections::HashMap;

pub(crate) fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

pub(crate) fn run(db: &Database, as_of: &str) -> i64 {
    store::run(db, day(as_of), Trigger::Manual, &mut |_, _| {}).expect("run").0.id
}

pub(crate) fn demo_db(customers: u32) -> (tempfile::TempDir, Database) {
    let (dir, db) = temp_db();
    let settings = DemoSettings::new(customers, 11, day("2026-10-31"));
    db.with_tx(|tx| demo::generate(tx, settings, chrono::Utc::now(), |_, _| {})).expect("demo");
    (dir, db)
}

pub(crate) fn count(db: &Database, sql: &str) -> i64 {
    db.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).expect(sql)
}

/// Every member of the run `filter` keeps, page after page, as the list shows them.
fn all_members(db: &Database, run: i64, filter: &MemberFilter) -> Vec<store::MemberRow> {
    let mut rows = Vec::new();
    loop {
        let page = db.with_conn(|c| store::members(c, run, filter, rows.len() as u32, 100)).expect("members");
        let done = page.items.is_empty() || rows.len() + page.items.len() >= page.total as usize;
        rows.extend(page.items);
        if done {
            return rows;
        }
    }
}

fn members_file(db: &Database, run: i64) -> String {
    let run = db.with_conn(|c| store::get_run(c, run)).expect("run");
    let mut out = Vec::new();
    db.with_conn(|c| store::members_csv(c, &run, &MemberFilter::default(), None, &mut out)).expect("csv");
    String::from_utf8(out).expect("utf-8")
}

pub(crate) fn index_definitions(db: &Database) -> Vec<String> {
    db.with_conn(|c| {
        let mut stmt = c.prepare(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'evaluation_members'
               AND sql IS NOT NULL ORDER BY name",
        )?;
        let found = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(found)
    })
    .expect("indexes")
}

#[test]
fn an_earlier_run_reads_back_from_its_archive_as_it_was_stored() {
    let (_dir, db) = demo_db(700);
    let indexes = index_definitions(&db);
    assert_eq!(indexes.len(), 3, "{indexes:?}");
    let first = run(&db, "2026-09-30");
    let tier_a = MemberFilter { tier: Some(Tier::A), ..MemberFilter::default() };
    let (members, tier_a_members) =
        (all_members(&db, first, &MemberFilter::default()), all_members(&db, first, &tier_a));
    let file = members_file(&db, first);
    let figures = db.with_conn(|c| charts::run_charts(c, first)).expect("charts");
    let paged = db.with_conn(|c| store::members(c, first, &MemberFilter::default(), 35, 20)).expect("page");

    let second = run(&db, "2026-10-31");
    assert_eq!(count(&db, &format!("SELECT count(*) FROM evaluation_members WHERE run_id = {first}")), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_members"), 700, "only the latest run has rows");
    assert_eq!(index_definitions(&db), indexes, "the new rows are indexed as the migrations define");
    assert_eq!(count(&db, "SELECT count(*) FROM sqlite_master WHERE name = 'evaluation_members_saving'"), 0);

    assert_eq!(all_members(&db, first, &MemberFilter::default()), members);
    assert_eq!(all_members(&db, first, &tier_a), tier_a_members);
    assert!(!tier_a_members.is_empty() && tier_a_members.len() < members.len());
    let again = db.with_conn(|c| store::members(c, first, &MemberFilter::default(), 35, 20)).expect("page");
    assert_eq!((again.total, again.items), (paged.total, paged.items));
    assert_eq!(members_file(&db, first), file);
    assert_eq!(db.with_conn(|c| charts::run_charts(c, first)).expect("charts"), figures);

    // History: each run's entry is that run's member.
    let later = all_members(&db, second, &MemberFilter::default());
    for row in members.iter().step_by(37) {
        let id = row.member.measures.customer_id;
        let history = db.with_conn(|c| store::history(c, id)).expect("history");
        let now = later.iter().find(|r| r.member.measures.customer_id == id).expect("in both runs");
        assert_eq!(history.iter().map(|h| h.run_id).collect::<Vec<_>>(), [second, first]);
        assert_eq!(history[1].decision, row.member.decision);
        assert_eq!(history[0].decision, now.member.decision);
        assert_eq!(history[0].predicted_clv_minor, now.member.measures.predicted_clv_minor);
    }

    // Migration: the pairs counted by hand from both runs' members.
    let mut expected: HashMap<(Option<String>, Option<String>), u32> = HashMap::new();
    for row in &later {
        let before = members.iter().find(|r| r.member.measures.customer_id == row.member.measures.customer_id);
        let pair = (
            before.map(|b| b.member.decision.tier.as_str().to_owned()),
            Some(row.member.decision.tier.as_str().to_owned()),
        );
        *expected.entry(pair).or_default() += 1;
    }
    let flows = db.with_conn(|c| store::migration(c, first, second, Dimension::Tier)).expect("migration");
    let found: HashMap<(Option<String>, Option<String>), u32> =
        flows.iter().map(|f: &Flow| ((f.from.clone(), f.to.clone()), f.customers)).collect();
    assert_eq!(found, expected);
    assert!(flows.windows(2).all(|w| w[0].customers >= w[1].customers), "most customers first");
    let chart = db.with_conn(|c| charts::migration(c, first, second)).expect("migration chart");
    assert_eq!(chart.tiers.counts.iter().flatten().sum::<u32>(), 700);
}

#[test]
fn a_refresh_changes_the_archive_with_the_rows() {
    let (_dir, db) = demo_db(300);
    let run_id = run(&db, "2026-10-31");
    let member = all_members(&db, run_id, &MemberFilter::default())
        .into_iter()
        .find(|r| r.member.decision.lifecycle != Lifecycle::Prospect)
        .expect("a buyer");
    let id = member.member.measures.customer_id;
    db.with_conn(|c| {
        c.execute(
            "INSERT INTO orders (customer_id, ordered_on, amount_minor, currency) VALUES (?1, '2026-11-20', 88800, 'CNY')",
            [id],
        )?;
        Ok(())
    })
    .expect("order");
    let refreshed = refresh_customer(&db, id, day("2026-11-21")).expect("refresh").expect("member");
    assert_ne!(refreshed.measures, member.member.measures);
    let refreshed = store::as_stored(&refreshed).expect("as stored");
    let history = db.with_conn(|c| store::history(c, id)).expect("history");
    assert_eq!(history[0].decision, refreshed.decision);
    assert_eq!(history[0].p_alive, refreshed.measures.p_alive);
    // Once the next run is the latest, the refreshed member is what the archive says.
    let next = run(&db, "2026-11-30");
    let archived = all_members(&db, run_id, &MemberFilter::default());
    let kept = archived.iter().find(|r| r.member.measures.customer_id == id).expect("archived");
    assert_eq!(kept.member, refreshed);
    assert!(next > run_id);
}

#[test]
fn a_run_dated_before_the_latest_is_archived_only() {
    let (_dir, db) = demo_db(200);
    let latest = run(&db, "2026-10-31");
    let rows = all_members(&db, latest, &MemberFilter::default());
    let earlier = run(&db, "2026-08-31");
    assert_eq!(db.with_conn(store::latest_run).expect("latest").map(|r| r.id), Some(latest));
    assert_eq!(count(&db, &format!("SELECT count(*) FROM evaluation_members WHERE run_id = {latest}")), 200);
    assert_eq!(all_members(&db, latest, &MemberFilter::default()), rows, "the latest run's rows are untouched");
    let archived = all_members(&db, earlier, &MemberFilter::default());
    assert_eq!(archived.len(), 200);
    assert_ne!(archived, rows);
    assert!(db.with_conn(|c| store::archived_bytes(c, earlier)).expect("bytes") > 0);
}

#[test]
fn a_save_left_half_done_is_cleared_by_the_next_run() {
    let (_dir, db) = demo_db(100);
    let first = run(&db, "2026-09-30");
    db.with_conn(|c| {
        c.execute_batch(
            "CREATE TABLE evaluation_members_saving (run_id INTEGER, customer_id INTEGER);
             INSERT INTO evaluation_runs (as_of, started_at, finished_at, trigger, currency, settings, model, summary,
               customers, seconds, complete)
             VALUES ('2026-10-15', 'x', '', 'manual', 'CNY', '{}', '{}', '{}', 1, 0, 0);",
        )?;
        Ok(())
    })
    .expect("half saved");
    let second = run(&db, "2026-10-31");
    assert_eq!(count(&db, "SELECT count(*) FROM sqlite_master WHERE name = 'evaluation_members_saving'"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_runs"), 2);
    assert_eq!(count(&db, "SELECT count(DISTINCT run_id) FROM evaluation_archive"), 2);
    assert_eq!(all_members(&db, first, &MemberFilter::default()).len(), 100);
    assert_eq!(count(&db, &format!("SELECT count(*) FROM evaluation_members WHERE run_id = {second}")), 100);
}

#[test]
fn a_database_with_runs_as_rows_is_archived_when_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.sqlite");
    {
        let conn = crate::database_at_version(&path, 23);
        conn.execute_batch(
            "INSERT INTO customers (id, name, kind, name_key, created_at, updated_at) VALUES
                 (1, '张伟', 'person', '张伟', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                 (2, '李娜', 'person', '李娜', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                 (7, '王芳', 'person', '王芳', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO evaluation_runs (id, as_of, started_at, finished_at, trigger, currency, settings, model, summary,
                                          customers, seconds, complete) VALUES
                 (1, '2026-02-28', '', '', 'manual', 'CNY', '{}', '{}', '{}', 3, 0, 1),
                 (2, '2026-03-31', '', '', 'manual', 'CNY', '{}', '{}', '{}', 2, 0, 1);",
        )
        .expect("runs at version 23");
        let member = |run: i64, customer: i64, tier: &str, lifecycle: &str, clv: Option<i64>, p: Option<f64>| {
            conn.execute(
                "INSERT INTO evaluation_members (run_id, customer_id, purchase_days, span_days, frequency, monetary_minor,
                    contribution_minor, historical_clv_minor, window_margin_minor, window_service_cost_minor,
                    previous_window_revenue_minor, is_kol, referrals, open_complaints, categories, returned_after_churn,
                    low_value_runs_before, exit_runs_before, tier, potential_head, influential, lifecycle,
                    service_level, low_value_runs, exit_runs, predicted_clv_minor, p_alive, follow_up_due)
                 VALUES (?1, ?2, 3, 40, 2, 500, ?2 * 100, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, ?3, 0, 0, ?4, 'standard', 0, 0,
                         ?5, ?6, '2026-04-01')",
                rusqlite::params![run, customer, tier, lifecycle, clv, p],
            )
            .expect("member at version 23");
        };
        member(1, 1, "a", "loyal", Some(90_000), Some(0.93));
        member(1, 2, "c", "churned", None, None);
        member(1, 7, "b", "repeat", Some(1_000), Some(0.5));
        member(2, 1, "b", "at_risk", Some(40_000), Some(0.61));
        member(2, 7, "a", "loyal", Some(7_000), Some(0.88));
    }
    let db = Database::open(&path).expect("migrated");
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_members WHERE run_id = 2"), 2);
    assert_eq!(count(&db, "SELECT count(*) FROM evaluation_members"), 2, "the earlier run's rows are gone");
    assert_eq!(index_definitions(&db).len(), 3);
    // The rows left hold each standing as its place: tier B is 1, at risk 4, A 0, loyal 3.
    assert_eq!(count(&db, "SELECT sum(tier * 10 + lifecycle) FROM evaluation_members WHERE customer_id = 1"), 14);
    assert_eq!(count(&db, "SELECT sum(tier * 10 + lifecycle) FROM evaluation_members WHERE customer_id = 7"), 3);
    let latest = all_members(&db, 2, &MemberFilter { tier: Some(Tier::B), ..Default::default() });
    assert_eq!(latest.iter().map(|m| m.member.measures.predicted_clv_minor).collect::<Vec<_>>(), [Some(40_000)]);
    let old = all_members(&db, 1, &MemberFilter::default());
    let summary: Vec<_> = old
        .iter()
        .map(|r| {
            (r.name.as_str(), r.member.decision.tier, r.member.measures.predicted_clv_minor, r.member.measures.p_alive)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("王芳", Tier::B, Some(1_000), Some(0.5)),
            ("李娜", Tier::C, None, None),
            ("张伟", Tier::A, Some(90_000), Some(0.93))
        ]
    );
    assert_eq!(old[0].member.measures.follow_up_due, Some(day("2026-04-01")));
    assert_eq!(old[0].member.measures.categories, 5);
    let history = db.with_conn(|c| store::history(c, 1)).expect("history");
    assert_eq!(history.iter().map(|h| (h.run_id, h.decision.tier)).collect::<Vec<_>>(), [(2, Tier::B), (1, Tier::A)]);
    assert_eq!(db.with_conn(|c| store::history(c, 2)).expect("history").len(), 1);
}

#[test]
fn the_database_export_holds_every_stored_run_as_member_rows() {
    let (dir, db) = demo_db(150);
    let first = run(&db, "2026-09-30");
    let second = run(&db, "2026-10-31");
    let out = dir.path().join("tables");
    let tables = db.with_conn(|c| headtail_core::export::database_csv(c, &out)).expect("export");
    let names: Vec<&str> = tables.iter().map(|t| t.table.as_str()).collect();
    assert!(names.contains(&"evaluation_members") && !names.contains(&"evaluation_archive"), "{names:?}");
    let members = tables.iter().find(|t| t.table == "evaluation_members").expect("members");
    assert_eq!(members.rows, 300, "both runs' members");
    let text = std::fs::read_to_string(&members.file).expect("read");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    // Every figure of a member, not only those the latest run's rows hold.
    assert_eq!(&header[..2], ["run_id", "customer_id"]);
    for column in ["purchase_days", "expected_purchases", "historical_clv_minor", "tier", "upsell_category"] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    let exported: Vec<&str> = lines.collect();
    assert_eq!(exported.iter().filter(|l| l.starts_with(&format!("{first},"))).count(), 150);
    let latest: Vec<Vec<&str>> =
        exported.iter().filter(|l| l.starts_with(&format!("{second},"))).map(|l| l.split(',').collect()).collect();
    let stored = db.with_conn(|c| store::stored_members(c, second)).expect("members");
    assert_eq!(latest.len(), stored.len());
    let at = |column: &str| header.iter().position(|h| *h == column).expect("column");
    for (line, m) in latest.iter().zip(&stored) {
        assert_eq!(line.len(), header.len());
        assert_eq!(line[at("customer_id")], m.measures.customer_id.to_string());
        assert_eq!(line[at("tier")], m.decision.tier.as_str());
        assert_eq!(line[at("lifecycle")], m.decision.lifecycle.as_str());
        assert_eq!(line[at("frequency")], m.measures.frequency.to_string());
    }
}

#[test]
fn the_members_file_written_beside_the_save_is_the_stored_runs() {
    let (_dir, db) = demo_db(400);
    for language in [None, Some(headtail_core::settings::Language::ZhCn)] {
        let (run, _, from_memory) =
            store::run_beside(&db, day("2026-10-31"), Trigger::CommandLine, &mut |_, _| {}, |run, evaluation| {
                let mut out = Vec::new();
                db.with_conn(|c| store::evaluation_csv(c, run, evaluation, language, &mut out))?;
                Ok(out)
            })
            .expect("run");
        let mut stored = Vec::new();
        db.with_conn(|c| store::members_csv(c, &run, &MemberFilter::default(), language, &mut stored)).expect("csv");
        let from_memory = String::from_utf8(from_memory).expect("utf-8");
        assert_eq!(from_memory.lines().count(), 401, "a header and every member");
        same_but_kept_floats(&from_memory, &String::from_utf8(stored).expect("utf-8"));
    }
    // A failure beside the save is reported; the run is stored all the same.
    let failed = store::run_beside(&db, day("2026-11-30"), Trigger::CommandLine, &mut |_, _| {}, |_, _| {
        Err::<(), _>(headtail_core::Error::Internal("disk full".into()))
    });
    assert!(matches!(failed, Err(headtail_core::Error::Internal(_))), "{failed:?}");
    assert_eq!(db.with_conn(store::latest_run).expect("latest").map(|r| r.as_of), Some(day("2026-11-30")));
}

/// Members files alike but for P(alive) and the expected purchases: the file shows four
/// decimals of each, and a stored run keeps 7 and 6, so a value that lay on the edge between
/// two shown figures may show one unit apart in the last decimal, and rarely.
fn same_but_kept_floats(from_memory: &str, stored: &str) {
    let header = store::MEMBER_CSV_HEADER;
    let place = |code: &str| header.iter().position(|h| *h == code).expect("column");
    let floats = [place("p_alive"), place("expected_purchases_12m")];
    assert_eq!(from_memory.lines().count(), stored.lines().count());
    let mut apart = 0;
    for (a, b) in from_memory.lines().zip(stored.lines()) {
        let (a, b): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
        assert_eq!(a.len(), b.len(), "{a:?} {b:?}");
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            if floats.contains(&i) && x != y {
                let (x, y): (f64, f64) = (x.parse().expect("float"), y.parse().expect("float"));
                assert!((x - y).abs() <= 1.000_1e-4, "{x} shown as {y}");
                apart += 1;
            } else {
                assert_eq!(x, y, "column {}", header.get(i).copied().unwrap_or("?"));
            }
        }
    }
    assert!(apart * 50 <= from_memory.lines().count(), "{apart} values a unit apart");
}
