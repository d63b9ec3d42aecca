//! Customer since: the first order's date when it is older than the record, kept right by
//! every path that records or removes orders, and filled in for databases made before.

use crate::{at, temp_db};
use chrono::NaiveDate;
use headtail_core::customers::{self, CustomerInput};
use headtail_core::export::{self, CustomerColumn, CustomerSelection};
use headtail_core::import::{import_file, revert_batch, ImportKind, ImportOptions};
use headtail_core::orders::{self, OrderInput};
use headtail_core::Database;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A customer typed in on 2026-03-01.
fn add(db: &Database, name: &str, phone: &str) -> i64 {
    db.with_tx(|tx| {
        customers::create(tx, CustomerInput { phone: Some(phone.into()), ..CustomerInput::named(name) }, at(1))
    })
    .expect("create")
    .id
}

fn order(customer_id: i64, on: NaiveDate) -> OrderInput {
    OrderInput {
        customer_id,
        external_id: None,
        ordered_on: on,
        amount_minor: 1_000,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    }
}

fn since(db: &Database, id: i64) -> Option<NaiveDate> {
    db.with_conn(|c| customers::get(c, id)).expect("get").customer_since
}

fn import(db: &Database, dir: &std::path::Path, csv: &str) -> i64 {
    let path = dir.join("orders.csv");
    std::fs::write(&path, csv).expect("write");
    let report = db
        .with_conn(|c| import_file(c, &path, &ImportOptions::new(ImportKind::Orders), at(10), |_| {}))
        .expect("import");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report.batch_id.expect("batch")
}

#[test]
fn an_order_older_than_the_record_moves_the_date_back_and_a_newer_one_does_not() {
    let (_dir, db) = temp_db();
    let id = add(&db, "张伟", "13800138000");
    assert_eq!(since(&db, id), None, "no orders: a customer since the record was made");
    db.with_tx(|tx| orders::create(tx, order(id, day(2026, 3, 5)))).expect("order after");
    assert_eq!(since(&db, id), None, "an order after the record changes nothing");
    let old = db.with_tx(|tx| orders::create(tx, order(id, day(2023, 5, 20)))).expect("old order");
    assert_eq!(since(&db, id), Some(day(2023, 5, 20)));
    db.with_tx(|tx| orders::create(tx, order(id, day(2024, 1, 1)))).expect("later order");
    assert_eq!(since(&db, id), Some(day(2023, 5, 20)), "the first order counts");
    db.with_tx(|tx| orders::delete(tx, old.id)).expect("delete");
    assert_eq!(since(&db, id), Some(day(2024, 1, 1)), "the next oldest takes its place");
}

#[test]
fn an_order_import_moves_the_date_back_and_its_revert_puts_it_back() {
    let (dir, db) = temp_db();
    let zhang = add(&db, "张伟", "13800138000");
    db.with_tx(|tx| orders::create(tx, order(zhang, day(2025, 6, 1)))).expect("order");
    let batch = import(
        &db,
        dir.path(),
        "手机,姓名,日期,金额\n13800138000,张伟,2022-08-08,10\n13900139000,王芳,2021-01-02,5\n13900139000,王芳,2024-01-02,5\n",
    );
    assert_eq!(since(&db, zhang), Some(day(2022, 8, 8)));
    let wang = db
        .with_conn(|c| Ok(c.query_row("SELECT id FROM customers WHERE name = '王芳'", [], |r| r.get::<_, i64>(0))?))
        .expect("created by the import");
    assert_eq!(
        since(&db, wang),
        Some(day(2021, 1, 2)),
        "a customer the import made is a customer since the first order"
    );
    db.with_tx(|tx| revert_batch(tx, batch, at(11))).expect("revert");
    assert_eq!(since(&db, zhang), Some(day(2025, 6, 1)), "back to the orders that stay");
}

#[test]
fn demo_customers_are_customers_since_their_first_order() {
    let (_dir, db) = temp_db();
    let until = day(2026, 2, 28);
    db.with_tx(|tx| {
        headtail_core::demo::generate(tx, headtail_core::demo::DemoSettings::new(300, 7, until), at(1), |_, _| {})
    })
    .expect("demo");
    let (wrong, buyers, dated): (i64, i64, i64) = db
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT
                     sum(customer_since IS NOT (SELECT min(ordered_on) FROM orders WHERE customer_id = c.id)),
                     sum(EXISTS (SELECT 1 FROM orders WHERE customer_id = c.id)),
                     count(customer_since)
                 FROM customers c",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .expect("check");
    assert_eq!(wrong, 0, "every demo order is older than the day the demo was made");
    assert!(buyers > 200 && dated == buyers, "{buyers} buyers, {dated} dated");
}

#[test]
fn upgrading_fills_the_date_from_the_orders_already_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v19.sqlite");
    {
        let conn = crate::database_at_version(&path, 19);
        conn.execute_batch(
            "INSERT INTO customers (id, name, kind, name_key, created_at, updated_at) VALUES
                 (1, '张伟', 'person', '张伟', '2026-01-01T08:00:00.000Z', '2026-01-01T08:00:00.000Z'),
                 (2, '王芳', 'person', '王芳', '2026-01-01T08:00:00.000Z', '2026-01-01T08:00:00.000Z'),
                 (3, '李娜', 'person', '李娜', '2026-01-01T08:00:00.000Z', '2026-01-01T08:00:00.000Z');
             INSERT INTO orders (customer_id, ordered_on, amount_minor, currency) VALUES
                 (1, '2024-05-01', 100, 'CNY'), (1, '2022-03-09', 100, 'CNY'), (2, '2026-02-01', 100, 'CNY');",
        )
        .expect("customers of version 19");
    }
    let db = Database::open(&path).expect("upgrade");
    assert_eq!(since(&db, 1), Some(day(2022, 3, 9)));
    assert_eq!(since(&db, 2), None, "an order after the record");
    assert_eq!(since(&db, 3), None, "no orders");
}

#[test]
fn an_export_gives_the_customer_since_date() {
    let (_dir, db) = temp_db();
    let old = add(&db, "张伟", "13800138000");
    let new = add(&db, "王芳", "13900139000");
    db.with_tx(|tx| orders::create(tx, order(old, day(2023, 5, 20)))).expect("order");
    let columns: Vec<_> = headtail_core::export::default_columns(headtail_core::settings::Language::En)
        .into_iter()
        .filter(|c| matches!(c.column, CustomerColumn::Name | CustomerColumn::CustomerSince))
        .collect();
    let mut out = Vec::new();
    db.with_conn(|c| {
        export::customers_csv(
            c,
            &CustomerSelection::Ids(vec![old, new]),
            &columns,
            Some(headtail_core::settings::Language::En),
            &mut out,
        )
    })
    .expect("export");
    let text = String::from_utf8(out).expect("utf-8").trim_start_matches('\u{feff}').to_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, vec!["Name,Customer since", "张伟,2023-05-20", "王芳,2026-03-01"]);
}

#[test]
fn a_bulk_order_load_moves_the_date_back_once_its_indexes_are_built() {
    let (dir, db) = temp_db();
    let zhang = add(&db, "张伟", "13800138000");
    // A file of 32 MB or more is a bulk load; an unmapped column of filler makes one of a
    // few rows.
    let filler = "x".repeat(33 << 20);
    let csv =
        format!("手机,姓名,日期,金额,附言\n13800138000,张伟,2022-08-08,10,{filler}\n13700137000,李娜,2020-02-02,5,\n");
    import(&db, dir.path(), &csv);
    let waiting = db.with_conn(headtail_core::search::pending).expect("pending");
    assert_eq!(waiting, 1, "李娜 was made by a bulk load, so waits for the search catch-up");
    assert_eq!(since(&db, zhang), Some(day(2022, 8, 8)));
    let li = db
        .with_conn(|c| Ok(c.query_row("SELECT id FROM customers WHERE name = '李娜'", [], |r| r.get::<_, i64>(0))?))
        .expect("created");
    assert_eq!(since(&db, li), Some(day(2020, 2, 2)));
}
