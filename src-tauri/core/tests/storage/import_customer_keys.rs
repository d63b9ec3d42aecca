//! Interactions, survey answers and complaints find their customer the way orders do: by
//! external id, phone, email or name, with the same report for no match or several.

use super::{at, temp_db};
use headtail_core::customers::{self, CustomerInput};
use headtail_core::import::{import_file, Field, ImportKind, ImportOptions, ImportReport, ImportStatus, Reason};
use headtail_core::Database;
use std::path::Path;

/// An activity kind, its table, and the columns and cells of one good row after the customer.
struct ActivityKind {
    kind: ImportKind,
    table: &'static str,
    header: &'static str,
    cells: &'static str,
}

const KINDS: [ActivityKind; 3] = [
    ActivityKind {
        kind: ImportKind::Interactions,
        table: "interactions",
        header: "方式,时间",
        cells: "拜访,2026-02-10",
    },
    ActivityKind {
        kind: ImportKind::SurveyResponses,
        table: "survey_responses",
        header: "类型,评分,日期",
        cells: "NPS,9,2026-02-10",
    },
    ActivityKind {
        kind: ImportKind::Complaints, table: "complaints", header: "类别,日期", cells: "物流,2026-02-10"
    },
];

struct Customers {
    zhang: i64,
}

/// 张伟 known by every key, 王芳 by phone (see `import::seed`), two customers called 李娜,
/// and 刘强 with 王芳's phone.
fn seed(db: &Database) -> Customers {
    let zhang = super::import::seed(db);
    db.with_tx(|c| {
        customers::create(c, CustomerInput::named("李娜"), at(1))?;
        customers::create(c, CustomerInput { company: Some("华强".into()), ..CustomerInput::named("李娜") }, at(1))?;
        customers::create(
            c,
            CustomerInput { phone: Some("13900139000".into()), ..CustomerInput::named("刘强") },
            at(1),
        )?;
        Ok(())
    })
    .expect("seed");
    Customers { zhang }
}

fn import(db: &Database, dir: &Path, kind: &ActivityKind, key: &str, value: &str) -> ImportReport {
    let path = dir.join(format!("{}-{key}.csv", kind.table));
    std::fs::write(&path, format!("{key},{}\n{value},{}\n", kind.header, kind.cells)).expect("write file");
    db.with_conn(|c| import_file(c, &path, &ImportOptions::new(kind.kind), at(10), |_| {})).expect("import runs")
}

fn customer_of(db: &Database, kind: &ActivityKind, report: &ImportReport) -> Vec<i64> {
    let batch = report.batch_id.expect("an imported file has a batch");
    db.with_conn(|c| {
        let sql = format!("SELECT customer_id FROM {} WHERE import_batch_id = ?1", kind.table);
        let ids = c.prepare(&sql)?.query_map([batch], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    })
    .expect("read the imported rows")
}

#[test]
fn each_kind_finds_its_customer_by_each_key() {
    let (dir, db) = temp_db();
    let seeded = seed(&db);
    let keys = [
        ("客户编号", "C001"),
        ("电话", "138 0013 8000"),
        ("手机", "+86 13800138000"),
        ("邮箱", "Zhang.Wei@HuaQiang.cn"),
        ("Email", "zhang.wei@huaqiang.cn"),
        ("客户名称", "张伟"),
        ("Customer name", " 张伟 "),
    ];
    for kind in &KINDS {
        for (key, value) in keys {
            let r = import(&db, dir.path(), kind, key, value);
            assert_eq!(
                r.status,
                ImportStatus::Imported,
                "{:?} by {key}: {:?} {:?}",
                kind.kind,
                r.missing_fields,
                r.errors
            );
            assert_eq!(customer_of(&db, kind, &r), vec![seeded.zhang], "{:?} by {key} = {value} is 张伟's", kind.kind);
            assert_eq!(r.customers_created, 0, "an activity row never creates a customer");
        }
    }
}

#[test]
fn a_name_shared_by_two_customers_is_ambiguous_as_in_an_order_file() {
    let (dir, db) = temp_db();
    seed(&db);
    let order =
        ActivityKind {
            kind: ImportKind::Orders, table: "orders", header: "下单日期,金额", cells: "2026-02-10,99"
        };
    for kind in KINDS.iter().chain([&order]) {
        let r = import(&db, dir.path(), kind, "客户名称", "李娜");
        assert_eq!(r.status, ImportStatus::Rejected, "{:?}", kind.kind);
        let e = &r.errors[0];
        assert_eq!(
            (e.row, e.field, e.reason, e.column.as_deref(), e.value.as_deref()),
            (2, Some(Field::Name), Reason::AmbiguousCustomer, Some("客户名称"), Some("李娜")),
            "{:?}: the row names two customers",
            kind.kind
        );
        assert_eq!(e.to_string(), "row 2: name: ambiguous_customer (\"李娜\")", "{:?}", kind.kind);
    }
}

#[test]
fn a_phone_shared_by_two_customers_goes_to_the_first_as_in_an_order_file() {
    let (dir, db) = temp_db();
    seed(&db);
    let wang: i64 = db
        .with_conn(|c| Ok(c.query_row("SELECT id FROM customers WHERE name = '王芳'", [], |r| r.get(0))?))
        .expect("王芳");
    for kind in &KINDS {
        let r = import(&db, dir.path(), kind, "手机", "13900139000");
        assert_eq!(customer_of(&db, kind, &r), vec![wang], "{:?}", kind.kind);
    }
}

#[test]
fn a_row_matching_no_customer_is_reported_against_its_strongest_key() {
    let (dir, db) = temp_db();
    seed(&db);
    let cases = [
        ("客户编号", "C404", Field::ExternalId),
        ("手机", "13700000000", Field::Phone),
        ("邮箱", "nobody@example.cn", Field::Email),
        ("客户名称", "赵六", Field::Name),
    ];
    for kind in &KINDS {
        for (key, value, field) in cases {
            let r = import(&db, dir.path(), kind, key, value);
            assert_eq!(r.status, ImportStatus::Rejected, "{:?} by {key}", kind.kind);
            let e = &r.errors[0];
            assert_eq!(
                (e.row, e.field, e.reason, e.column.as_deref(), e.value.as_deref()),
                (2, Some(field), Reason::UnknownCustomer, Some(key), Some(value)),
                "{:?} by {key}",
                kind.kind
            );
        }
        let count: i64 = db
            .with_conn(|c| Ok(c.query_row(&format!("SELECT count(*) FROM {}", kind.table), [], |r| r.get(0))?))
            .expect("count");
        assert_eq!(count, 0, "{:?}: a rejected file writes nothing", kind.kind);
    }
}

#[test]
fn a_file_naming_no_customer_column_asks_for_one() {
    let (dir, db) = temp_db();
    seed(&db);
    for kind in &KINDS {
        let r = import(&db, dir.path(), kind, "备注", "x");
        assert_eq!(r.status, ImportStatus::NeedsMapping, "{:?}", kind.kind);
        assert_eq!(r.missing_fields, vec![Field::ExternalId], "{:?}: external id stands for any key", kind.kind);
    }
}
