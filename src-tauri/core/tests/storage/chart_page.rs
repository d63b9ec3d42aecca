use crate::{field_rules, temp_db};
use chrono::NaiveDate;
use headtail_core::charts::page::{self, ChartFileFormat, ChartQuery};
use headtail_core::charts::{Chart, ChartMembers};
use headtail_core::customers::SalesChannel;
use headtail_core::demo::{self, DemoSettings};
use headtail_core::error::Rule;
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::settings::Language;
use headtail_core::{Database, Error};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// A 200-customer demo evaluated twice; the runs' ids, first then second.
fn shop() -> (tempfile::TempDir, Database, i64, i64) {
    let (dir, db) = temp_db();
    let settings = DemoSettings::new(200, 11, day("2026-10-31"));
    db.with_tx(|tx| demo::generate(tx, settings, chrono::Utc::now(), |_, _| {})).expect("demo");
    let run = |as_of: &str| store::run(&db, day(as_of), Trigger::Manual, &mut |_, _| {}).expect("run").0.id;
    let first = run("2026-07-31");
    let second = run("2026-10-31");
    (dir, db, first, second)
}

fn query(run_id: i64, compare_run_id: Option<i64>, owner: Option<&str>, channel: Option<SalesChannel>) -> ChartQuery {
    ChartQuery { run_id, compare_run_id, members: ChartMembers { owner: owner.map(str::to_owned), channel } }
}

fn count(db: &Database, sql: &str, run: i64, value: &str) -> u32 {
    db.with_conn(|c| Ok(c.query_row(sql, rusqlite::params![run, value], |r| r.get(0))?)).expect(sql)
}

fn some_owner(db: &Database) -> String {
    db.with_conn(|c| {
        Ok(c.query_row(
            "SELECT owner FROM customers WHERE owner IS NOT NULL GROUP BY owner ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )?)
    })
    .expect("an owner in the demo")
}

#[test]
fn the_migrations_are_listed_only_with_a_comparison_run() {
    let (_dir, db, first, second) = shop();
    let alone = page::list(&db, &query(second, None, None, None)).expect("list");
    assert_eq!(alone.charts.len(), Chart::ALL.len() - 2);
    assert!(!alone.charts.contains(&Chart::TierMigration));
    assert_eq!(
        alone.customers,
        count(&db, "SELECT count(*) FROM evaluation_members WHERE run_id = ?1 AND ?2 = ?2", second, "")
    );
    let compared = page::list(&db, &query(second, Some(first), None, None)).expect("list");
    assert_eq!(compared.charts, Chart::ALL.to_vec());
    let itself = page::list(&db, &query(second, Some(second), None, None));
    assert_eq!(field_rules(itself), vec![("compare_run_id".to_owned(), Rule::InvalidChoice)]);
    let missing = page::list(&db, &query(9_999, None, None, None));
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
}

#[test]
fn owner_and_channel_keep_their_members_only() {
    let (_dir, db, first, second) = shop();
    let owner = some_owner(&db);
    let by_owner = count(
        &db,
        "SELECT count(*) FROM evaluation_members m JOIN customers c ON c.id = m.customer_id
         WHERE m.run_id = ?1 AND c.owner = ?2",
        second,
        &owner,
    );
    let by_store = count(
        &db,
        "SELECT count(*) FROM evaluation_members m WHERE m.run_id = ?1
           AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = m.customer_id AND o.channel = ?2)",
        second,
        "store",
    );
    let all = count(&db, "SELECT count(*) FROM evaluation_members WHERE run_id = ?1 AND ?2 = ?2", second, "");
    assert!(by_owner > 0 && by_owner < all, "the owner has some of the customers: {by_owner} of {all}");
    assert!(by_store > 0 && by_store < all, "some bought in a store: {by_store} of {all}");

    let set = |owner: Option<&str>, channel| {
        db.with_conn(|c| {
            headtail_core::charts::ChartSet::load_of(
                c,
                second,
                Some(first),
                &ChartMembers { owner: owner.map(str::to_owned), channel },
            )
        })
        .expect("chart set")
    };
    let mine = set(Some(&owner), None);
    assert_eq!(mine.run.customers, by_owner);
    let tiered: u32 =
        mine.run.tiers.tiers.iter().map(|t| t.customers).sum::<u32>() + mine.run.tiers.prospects.customers;
    assert_eq!(tiered, by_owner, "tiers and prospects hold the owner's members");
    let staged: u32 = mine.run.lifecycle.iter().map(|g| g.customers).sum();
    assert_eq!(staged, by_owner);
    let moved: u32 = mine.migration.as_ref().expect("migration").tiers.counts.iter().flatten().sum();
    let in_either = count(
        &db,
        &format!(
            "SELECT count(DISTINCT m.customer_id) FROM evaluation_members m JOIN customers c ON c.id = m.customer_id
             WHERE m.run_id IN (?1, {first}) AND c.owner = ?2"
        ),
        second,
        &owner,
    );
    assert_eq!(moved, in_either, "the owner's members of either run, each once");
    let everyone = set(None, None);
    let all_moved: u32 = everyone.migration.as_ref().expect("migration").tiers.counts.iter().flatten().sum();
    assert!(moved < all_moved, "the matrix is narrowed too");

    let store = set(None, Some(SalesChannel::Store));
    assert_eq!(store.run.customers, by_store);
    let both = set(Some(&owner), Some(SalesChannel::Store));
    assert!(both.run.customers <= by_store.min(by_owner));
    let nobody = set(Some("no such owner"), None);
    assert_eq!(nobody.run.customers, 0);
    assert_eq!(nobody.run.tiers.total_contribution_minor, 0);
    let blank = set(Some("  "), None);
    assert_eq!(blank.run.customers, all, "a blank owner is no filter");
}

#[test]
fn a_chart_is_drawn_as_svg_in_the_language_asked() {
    let (_dir, db, first, second) = shop();
    let q = query(second, None, None, None);
    let zh = page::svg(&db, &q, Chart::Tiers, Language::ZhCn).expect("svg");
    assert!(zh.svg.starts_with("<svg"));
    assert!(zh.svg.contains("各层级客户数与利润贡献"));
    assert_eq!((zh.width, zh.height), (1600, 900));
    let en = page::svg(&db, &q, Chart::Tiers, Language::En).expect("svg");
    assert!(en.svg.contains("Customers and profit contribution by tier"));
    let migration = page::svg(&db, &q, Chart::TierMigration, Language::En);
    assert_eq!(field_rules(migration), vec![("chart".to_owned(), Rule::InvalidChoice)]);
    let compared = query(second, Some(first), None, None);
    let drawn = page::svg(&db, &compared, Chart::TierMigration, Language::En).expect("svg");
    assert!(drawn.svg.starts_with("<svg"));
}

#[test]
fn a_chart_is_saved_as_png_or_svg_where_asked() {
    let (dir, db, _first, second) = shop();
    let q = query(second, None, None, None);
    let png = dir.path().join("pareto.png");
    let saved = page::save(&db, &q, Chart::Pareto, Language::En, ChartFileFormat::Png, 2, &png.display().to_string())
        .expect("saved");
    let bytes = std::fs::read(&png).expect("png written");
    assert_eq!(&bytes[1..4], b"PNG");
    let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    assert_eq!((word(16), word(20)), (3200, 1800), "scale 2");
    assert_eq!(saved.bytes as usize, bytes.len());
    let svg = dir.path().join("tiers.svg");
    page::save(&db, &q, Chart::Tiers, Language::ZhCn, ChartFileFormat::Svg, 1, &svg.display().to_string())
        .expect("saved");
    assert!(std::fs::read_to_string(&svg).expect("svg written").contains("各层级客户数与利润贡献"));

    let blank = page::save(&db, &q, Chart::Tiers, Language::En, ChartFileFormat::Svg, 1, " ");
    assert_eq!(field_rules(blank), vec![("path".to_owned(), Rule::Required)]);
    let huge = dir.path().join("huge.png");
    let scale = page::save(&db, &q, Chart::Tiers, Language::En, ChartFileFormat::Png, 9, &huge.display().to_string());
    assert_eq!(field_rules(scale), vec![("scale".to_owned(), Rule::OutOfRange)]);
    assert!(!huge.exists(), "nothing written for a bad scale");
    let nowhere = dir.path().join("missing-folder").join("x.svg");
    let failed =
        page::save(&db, &q, Chart::Tiers, Language::En, ChartFileFormat::Svg, 1, &nowhere.display().to_string());
    assert!(failed.is_err());
}

#[test]
fn the_report_folder_is_written_where_asked() {
    let (dir, db, first, second) = shop();
    let out = dir.path().join("report");
    let q = query(second, Some(first), None, None);
    let written = page::export_report(&db, &q, Language::ZhCn, &out.display().to_string()).expect("report");
    assert!(out.join("summary.json").exists());
    assert!(out.join("tier_migration.png").exists());
    let files = std::fs::read_dir(&out).expect("folder").count() as u32;
    assert_eq!(written.files, files);
    let blank = page::export_report(&db, &q, Language::En, "");
    assert_eq!(field_rules(blank), vec![("dir".to_owned(), Rule::Required)]);
}

#[test]
fn the_figures_kept_for_the_page_follow_every_change_to_the_file() {
    let (_dir, db, _, second) = shop();
    let q = query(second, None, None, None);
    let before = page::list(&db, &q).expect("list").customers;
    assert_eq!(page::list(&db, &q).expect("list again").customers, before, "the same figures");
    let version = db.data_version().expect("version");
    db.with_tx(|tx| crate::edit_members(tx, second, |members| members.truncate(members.len() - 1)))
        .expect("a member gone");
    assert_ne!(db.data_version().expect("version"), version, "a commit moves the version");
    assert_eq!(page::list(&db, &q).expect("list after").customers, before - 1);

    // A commit by another connection to the file, as another process makes it.
    let other = rusqlite::Connection::open(db.path()).expect("second connection");
    crate::edit_members(&other, second, |members| {
        members.remove(0);
    })
    .expect("another member gone");
    assert_eq!(page::list(&db, &q).expect("list after the other").customers, before - 2);

    // The same file opened again (a restored backup is): never the figures of the other opening.
    let again = Database::open(db.path()).expect("opened again");
    assert_ne!(again.data_version().expect("version").0, db.data_version().expect("version").0);
}
