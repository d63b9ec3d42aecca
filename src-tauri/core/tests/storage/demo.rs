use chrono::NaiveDate;
use headtail_core::customers::{self, CustomerQuery};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::{Database, Error};

fn until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("date")
}

fn fill(db: &Database, customers: u32, seed: u64) -> demo::DemoSummary {
    db.with_tx(|tx| demo::generate(tx, DemoSettings::new(customers, seed, until()), crate::at(1), |_, _| {}))
        .expect("demo data")
}

/// Every row of every table, in order, as text: equal digests mean equal databases.
fn digest(db: &Database) -> String {
    // Every database has its own identity (for its backups), so that table is left out.
    db.with_conn(|c| {
        let mut tables: Vec<String> = c
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'customer_search%' AND name NOT LIKE 'sqlite_%' AND name <> 'database_identity' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tables.push("customer_search".into());
        let mut out = String::new();
        for t in tables {
            let width = c.prepare(&format!("SELECT * FROM {t}"))?.column_count();
            let order = if width > 1 { "1, 2" } else { "1" };
            let sql = if t == "customer_search" { "SELECT rowid FROM customer_search ORDER BY rowid".to_owned() } else { format!("SELECT * FROM {t} ORDER BY {order}") };
            let mut stmt = c.prepare(&sql)?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in 0..n {
                    out.push_str(&format!("{:?}|", row.get_ref(i)?));
                }
                out.push('\n');
            }
        }
        Ok(out)
    })
    .expect("digest")
}

#[test]
fn the_same_seed_gives_the_same_database_and_another_seed_does_not() {
    let (_a, first) = crate::temp_db();
    let (_b, second) = crate::temp_db();
    let (_c, third) = crate::temp_db();
    assert_eq!(fill(&first, 300, 7), fill(&second, 300, 7));
    fill(&third, 300, 8);
    assert_eq!(digest(&first), digest(&second));
    assert_ne!(digest(&first), digest(&third));
}

#[test]
fn demo_data_has_head_accounts_a_long_tail_prospects_and_history_of_every_kind() {
    let (_dir, db) = crate::temp_db();
    let summary = fill(&db, 1_000, 42);
    assert_eq!(summary.customers, 1_000);
    for (what, count) in [
        ("contacts", summary.contacts),
        ("orders", summary.orders),
        ("interactions", summary.interactions),
        ("complaints", summary.complaints),
        ("survey responses", summary.survey_responses),
        ("loyalty entries", summary.loyalty_entries),
        ("service costs", summary.service_costs),
    ] {
        assert!(count > 10, "{what}: only {count}");
    }
    let (head, prospects, revenue_top_2pct, revenue_all): (i64, i64, i64, i64) = db
        .with_conn(|c| {
            Ok(c.query_row(
                "WITH spend AS (SELECT customer_id, sum(amount_minor) AS s FROM orders GROUP BY customer_id),
                      ranked AS (SELECT s, row_number() OVER (ORDER BY s DESC) AS r FROM spend)
                 SELECT (SELECT count(*) FROM customer_tags WHERE tag = '重点客户'),
                        (SELECT count(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)),
                        (SELECT sum(s) FROM ranked WHERE r <= 20), (SELECT sum(s) FROM spend)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .expect("shape");
    assert!((5..=50).contains(&head), "about 2% head accounts, got {head}");
    assert!((50..=200).contains(&prospects), "about 10% prospects, got {prospects}");
    assert!(revenue_top_2pct * 2 > revenue_all, "the top 2% bring most revenue: {revenue_top_2pct} of {revenue_all}");
    let found = db
        .with_conn(|c| customers::list(c, &CustomerQuery { search: Some("有限公司".into()), ..Default::default() }))
        .expect("search");
    assert!(found.total > 0, "demo customers are in the search index");
    let integrity: String = db
        .with_conn(|c| Ok(c.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).unwrap_or_else(|_| "ok".into())))
        .expect("fk");
    assert_eq!(integrity, "ok", "no dangling references");
    let check: String =
        db.with_conn(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)).expect("integrity");
    assert_eq!(check, "ok", "every row passes the tables' CHECK constraints");
}

#[test]
fn demo_data_never_mixes_into_a_database_with_customers() {
    let (_dir, db) = crate::temp_db();
    fill(&db, 10, 1);
    let err = db
        .with_tx(|tx| demo::generate(tx, DemoSettings::new(10, 1, until()), crate::at(1), |_, _| {}))
        .expect_err("not empty");
    assert!(matches!(err, Error::Conflict(ref m) if m.contains("10 customers")), "{err}");
    let err = db
        .with_tx(|tx| demo::generate(tx, DemoSettings::new(0, 1, until()), crate::at(1), |_, _| {}))
        .expect_err("zero");
    assert!(matches!(err, Error::InvalidArgument(_)));
}
