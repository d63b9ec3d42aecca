use crate::temp_db;
use chrono::NaiveDate;
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::load::population;
use headtail_core::evaluation::store::{self, MemberFilter, Trigger};
use headtail_core::evaluation::{EvaluationSettings, Population};
use headtail_core::Database;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

const AS_OF: &str = "2026-10-31";

fn demo_db(customers: u32) -> (tempfile::TempDir, Database) {
    let (dir, db) = temp_db();
    let settings = DemoSettings::new(customers, 11, day(AS_OF));
    db.with_tx(|tx| demo::generate(tx, settings, chrono::Utc::now(), |_, _| {})).expect("demo");
    (dir, db)
}

fn load(db: &Database) -> Population {
    population(db, day(AS_OF), "CNY", &EvaluationSettings::default(), None).expect("population")
}

fn sql(db: &Database, sql: &str) {
    db.with_conn(|c| Ok(c.execute_batch(sql)?)).expect(sql);
}

fn count(db: &Database, sql: &str) -> i64 {
    db.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).expect(sql)
}

/// Blocks with a stored digest.
fn digests(db: &Database) -> i64 {
    count(db, "SELECT count(*) FROM order_digests WHERE data IS NOT NULL")
}

fn assert_same(a: &Population, b: &Population, what: &str) {
    assert_eq!(a.customers, b.customers, "{what}: facts");
    assert_eq!(a.day_offsets, b.day_offsets, "{what}: day offsets");
    assert_eq!(a.days, b.days, "{what}: days");
    assert_eq!(a.categories, b.categories, "{what}: categories");
}

/// The population read with the digests as they are equals the one read from the tables
/// alone, and the one read again once every block has its digest.
fn check(db: &Database, what: &str) -> Population {
    let with_digests = load(db);
    sql(db, "DELETE FROM order_digests");
    let from_tables = load(db);
    assert_same(&with_digests, &from_tables, what);
    let blocks = count(db, "SELECT count(*) FROM order_digests");
    assert!(blocks > 0, "{what}");
    assert_eq!(digests(db), blocks, "{what}: every block read stores its digest");
    assert_same(&load(db), &from_tables, &format!("{what}, from digests only"));
    from_tables
}

/// A new order through the app's way of recording one; its id.
fn order(db: &Database, customer_id: i64, on: &str, amount_minor: i64, category: Option<&str>) -> i64 {
    crate::evaluation::order(db, customer_id, on, amount_minor, category);
    count(db, "SELECT max(id) FROM orders")
}

/// The stored digest of the block holding an order id.
fn digest_of(db: &Database, order: i64) -> Option<Vec<u8>> {
    db.with_conn(|c| {
        let mut stmt = c.prepare("SELECT data FROM order_digests WHERE first_id <= ?1 AND last_id >= ?1")?;
        let mut rows = stmt.query([order])?;
        Ok(match rows.next()? {
            Some(row) => row.get(0)?,
            None => None,
        })
    })
    .expect("digest")
}

#[test]
fn a_population_from_digests_equals_the_one_from_the_tables_after_every_kind_of_change() {
    let (_dir, db) = demo_db(120);
    let first = check(&db, "demo");
    assert!(first.days.len() > 300 && !first.categories.is_empty());
    // Orders far apart: blocks in between have no orders, the far ones a few.
    sql(
        &db,
        "INSERT INTO orders (id, customer_id, ordered_on, amount_minor, currency, cost_minor) VALUES
           (600000, 1, '2026-09-01', 1200, 'CNY', 300), (600001, 2, '2026-09-02', 800, 'CNY', NULL),
           (900000, 3, '2026-10-02', 500, 'CNY', NULL), (900001, 3, '2026-12-02', 500, 'CNY', NULL),
           (900002, 4, '2026-10-02', 700, 'USD', NULL), (900003, 5, '2026-10-03', 400, 'CNY', NULL);
         INSERT INTO order_lines (order_id, product, category, amount_minor) VALUES
           (600000, 'p', '远方', 1200), (600000, 'p', '茶叶', 1), (600001, 'p', '远方', 800),
           (900000, 'p', '远方', 500), (900002, 'p', '别处', 700);",
    );
    check(&db, "far apart");
    assert_eq!(count(&db, "SELECT count(*) FROM order_digests"), 4, "blocks 0 to 3");

    // A new order in an existing block deletes that block's digest only.
    let id = order(&db, 7, "2026-10-20", 4_000, Some("新品"));
    assert!(digest_of(&db, id).is_none(), "its block is stale");
    assert!(digest_of(&db, 1).is_some() && digest_of(&db, 600000).is_some(), "other blocks keep theirs");
    check(&db, "new order, last block");
    sql(&db, "INSERT INTO orders (id, customer_id, ordered_on, amount_minor, currency) VALUES (200000, 8, '2026-10-06', 300, 'CNY')");
    assert!(digest_of(&db, 1).is_none() && digest_of(&db, 600000).is_some());
    check(&db, "new order, first block");
    // A new order in a new block.
    sql(&db, "INSERT INTO orders (id, customer_id, ordered_on, amount_minor, currency) VALUES (1100000, 6, '2026-10-05', 900, 'CNY')");
    check(&db, "new order, new block");

    let changes = [
        ("amount", "UPDATE orders SET amount_minor = amount_minor + 77 WHERE id = 600001"),
        ("date", "UPDATE orders SET ordered_on = '2025-01-01' WHERE id = 600000"),
        ("date after the evaluation", "UPDATE orders SET ordered_on = '2027-01-01' WHERE id = 900003"),
        ("currency", "UPDATE orders SET currency = 'USD' WHERE id = 900000"),
        ("currency back", "UPDATE orders SET currency = 'CNY' WHERE id = 900002"),
        ("cost", "UPDATE orders SET cost_minor = 10 WHERE id = 600001"),
        ("status", "UPDATE orders SET status = 'refunded' WHERE id = (SELECT min(id) FROM orders)"),
        ("status back", "UPDATE orders SET status = NULL WHERE id = (SELECT min(id) FROM orders)"),
        ("customer", "UPDATE orders SET customer_id = 9 WHERE id = 600000"),
        ("id", "UPDATE orders SET id = 700000 WHERE id = 900003"),
        ("order deleted", "DELETE FROM orders WHERE id = 900000"),
        ("line added", "INSERT INTO order_lines (order_id, product, category, amount_minor) VALUES (700000, 'p', '新品', 1)"),
        ("line changed", "UPDATE order_lines SET category = '别处' WHERE order_id = 600000 AND category = '茶叶'"),
        ("line moved", "UPDATE order_lines SET order_id = 700000 WHERE order_id = 600001"),
        ("line deleted", "DELETE FROM order_lines WHERE order_id = 900002"),
        // A purge, as an import's revert does: its orders and their lines go by cascade.
        ("customer purged", "DELETE FROM customers WHERE id = 3"),
        // A merge: one customer's orders move to the other, which keeps them.
        ("customers merged", "UPDATE orders SET customer_id = 1 WHERE customer_id = 2; UPDATE customers SET deleted_at = '2026-10-01T00:00:00Z' WHERE id = 2"),
        ("customer in the trash", "UPDATE customers SET deleted_at = '2026-10-01T00:00:00Z' WHERE id = 9"),
    ];
    for (what, change) in changes {
        let before = digests(&db);
        sql(&db, change);
        if what != "customer in the trash" {
            assert!(digests(&db) < before, "{what}: a block's digest goes");
        }
        check(&db, what);
    }
    // Edits elsewhere in an order keep its block's digest.
    let before = digests(&db);
    sql(&db, "UPDATE orders SET channel = 'store' WHERE id = 700000");
    assert_eq!(digests(&db), before);
}

#[test]
fn a_run_from_digests_equals_the_run_from_the_tables() {
    let (_dir, db) = demo_db(150);
    sql(&db, "DELETE FROM order_digests");
    let (cold, _) = store::run(&db, day(AS_OF), Trigger::Manual, &mut |_, _| {}).expect("cold run");
    assert!(digests(&db) > 0);
    let (warm, _) = store::run(&db, day(AS_OF), Trigger::Manual, &mut |_, _| {}).expect("warm run");
    assert_eq!((&cold.summary, &cold.model, cold.customers), (&warm.summary, &warm.model, warm.customers));
    let csv = |run| {
        let mut out = Vec::new();
        db.with_conn(|c| store::members_csv(c, run, &MemberFilter::default(), None, &mut out)).expect("csv");
        out
    };
    let (a, b) = (csv(&cold), csv(&warm));
    assert!(a.len() > 1000);
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
}

#[test]
fn a_damaged_digest_is_read_from_the_tables_and_stored_again() {
    let (_dir, db) = demo_db(60);
    let sound = check(&db, "demo");
    let data = digest_of(&db, 1).expect("digest");
    for damaged in [b"not a digest".to_vec(), data[..data.len() / 2].to_vec(), {
        let mut flipped = data.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x55;
        flipped
    }] {
        db.with_conn(|c| Ok(c.execute("UPDATE order_digests SET data = ?1", [&damaged])?)).expect("damage");
        assert_same(&load(&db), &sound, "damaged");
        assert!(digest_of(&db, 1) == Some(data.clone()), "stored again");
    }
}

#[test]
fn the_catalogue_keeps_the_first_64_categories_met_most_bought_first() {
    let (_dir, db) = demo_db(30);
    // 70 more categories, on orders in several blocks, met in line id order 坊0..坊69 but
    // bought more the later they come.
    for k in 0..70_i64 {
        let order = 300_000 + k * 100_000;
        sql(
            &db,
            &format!(
                "INSERT INTO orders (id, customer_id, ordered_on, amount_minor, currency) VALUES ({order}, {c}, '2026-10-01', 100, 'CNY');
                 INSERT INTO order_lines (order_id, product, category, amount_minor) VALUES ({order}, 'p', '坊{k}', 1);",
                c = 1 + k % 30
            ),
        );
    }
    for k in 0..70_i64 {
        for _ in 0..k / 10 {
            let order = 300_000 + k * 100_000;
            sql(&db, &format!("INSERT INTO order_lines (order_id, product, category, amount_minor) VALUES ({order}, 'p', '坊{k}', 1)"));
        }
    }
    let expected: Vec<String> = db
        .with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT category FROM (SELECT category, count(*) AS n, min(id) AS f FROM order_lines
                   WHERE category IS NOT NULL GROUP BY category ORDER BY f LIMIT 64)
                 ORDER BY n DESC, category",
            )?;
            let names = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Ok(names)
        })
        .expect("expected");
    let population = check(&db, "70 categories");
    assert_eq!(population.categories, expected);
    assert!(!population.categories.contains(&"坊69".to_owned()));
}
