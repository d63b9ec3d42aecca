//! The customer list in pinyin order: names, companies and owners by their stored sort keys,
//! kept right by every write, filled in for older databases, and walked along an index.

use super::{at, temp_db};
use headtail_core::customers::{self, CustomerInput, CustomerQuery, CustomerSort};
use headtail_core::import::{import_file, revert_batch, ImportKind, ImportMode, ImportOptions, ImportStatus, Reason};
use headtail_core::Database;

fn create(db: &Database, input: CustomerInput) -> i64 {
    db.with_tx(|tx| customers::create(tx, input, at(1))).expect("create").id
}

fn person(db: &Database, name: &str) -> i64 {
    create(db, CustomerInput::named(name))
}

/// Names of the live customers in a sort order, the first `limit` from `offset`.
fn page(db: &Database, sort: CustomerSort, descending: bool, offset: u32, limit: u32) -> Vec<String> {
    db.with_conn(|c| customers::list(c, &CustomerQuery { sort, descending, offset, limit, ..Default::default() }))
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.name)
        .collect()
}

fn names(db: &Database, sort: CustomerSort, descending: bool) -> Vec<String> {
    page(db, sort, descending, 0, 0)
}

fn reversed(v: &[&str]) -> Vec<String> {
    v.iter().rev().map(|s| (*s).to_owned()).collect()
}

#[test]
fn chinese_names_companies_and_owners_sort_in_pinyin_order() {
    let (_dir, db) = temp_db();
    // Written in character-code order, which is not the pinyin one.
    for (name, company, owner) in [
        ("刘洋", "刘氏茶行", "刘经理"),
        ("张伟", "张记五金", "张经理"),
        ("李娜", "李宁专卖", "李经理"),
        ("王芳", "王府井百货", "王经理"),
        ("陈静", "陈皮铺子", "陈经理"),
        ("无主", "", ""),
    ] {
        create(
            &db,
            CustomerInput {
                company: Some(company.into()).filter(|c: &String| !c.is_empty()),
                owner: Some(owner.into()).filter(|o: &String| !o.is_empty()),
                ..CustomerInput::named(name)
            },
        );
    }
    let expected = ["陈静", "李娜", "刘洋", "王芳", "张伟"];
    assert_eq!(names(&db, CustomerSort::Name, false), ["陈静", "李娜", "刘洋", "王芳", "无主", "张伟"]);
    assert_eq!(names(&db, CustomerSort::Name, true), ["张伟", "无主", "王芳", "刘洋", "李娜", "陈静"]);
    for sort in [CustomerSort::Company, CustomerSort::Owner] {
        // No company or owner: after the others, and so first when descending.
        let mut ascending: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        ascending.push("无主".into());
        assert_eq!(names(&db, sort, false), ascending, "{sort:?}");
        let mut descending = vec!["无主".to_owned()];
        descending.extend(reversed(&expected));
        assert_eq!(names(&db, sort, true), descending, "{sort:?}");
    }
}

#[test]
fn latin_digits_and_symbols_sort_among_chinese_names() {
    let (_dir, db) = temp_db();
    for name in ["张伟", "Zoe Li", "alice", "王芳", "3M 中国", "Bob", "#1 客户", "Émile", "ａｎｎａ", "陈静"]
    {
        person(&db, name);
    }
    assert_eq!(
        names(&db, CustomerSort::Name, false),
        ["#1 客户", "3M 中国", "alice", "ａｎｎａ", "Bob", "陈静", "Émile", "王芳", "张伟", "Zoe Li"]
    );
}

#[test]
fn polyphonic_surnames_sort_by_their_surname_reading() {
    let (_dir, db) = temp_db();
    // Read as common words these would be ceng, dan, jie, qu, chou, pu, cha.
    for name in ["曾国藩", "单田芳", "解缙", "区健", "仇英", "朴树", "查良镛", "张伟", "陈静", "尉迟恭"]
    {
        person(&db, name);
    }
    assert_eq!(
        names(&db, CustomerSort::Name, false),
        ["陈静", "区健", "朴树", "仇英", "单田芳", "解缙", "尉迟恭", "曾国藩", "查良镛", "张伟"]
    );
    // In a company name the character keeps its common reading: 曾 is ceng there.
    create(&db, CustomerInput { company: Some("曾经茶馆".into()), ..CustomerInput::named("甲") });
    create(&db, CustomerInput { company: Some("陈记".into()), ..CustomerInput::named("乙") });
    create(&db, CustomerInput { company: Some("常乐".into()), ..CustomerInput::named("丙") });
    let by_company: Vec<String> = names(&db, CustomerSort::Company, false).into_iter().take(3).collect();
    assert_eq!(by_company, ["甲", "丙", "乙"], "ceng, chang, chen");
}

#[test]
fn an_edit_a_bulk_owner_change_a_delete_and_a_restore_keep_the_keys_right() {
    let (_dir, db) = temp_db();
    let a = person(&db, "阿明");
    person(&db, "李娜");
    person(&db, "王芳");
    assert_eq!(names(&db, CustomerSort::Name, false), ["阿明", "李娜", "王芳"]);
    db.with_tx(|tx| {
        customers::update(
            tx,
            a,
            CustomerInput {
                company: Some("中华书局".into()),
                owner: Some("周敏".into()),
                ..CustomerInput::named("赵明")
            },
            at(2),
        )
    })
    .expect("update");
    assert_eq!(names(&db, CustomerSort::Name, false), ["李娜", "王芳", "赵明"]);
    assert_eq!(names(&db, CustomerSort::Company, false)[0], "赵明");
    assert_eq!(names(&db, CustomerSort::Owner, false)[0], "赵明");

    let selection = headtail_core::export::CustomerSelection::Ids(vec![a]);
    db.with_tx(|tx| {
        headtail_core::bulk::apply(
            tx,
            &selection,
            &headtail_core::bulk::BulkAction::AssignOwner { owner: Some("白雪".into()) },
            at(3),
        )
    })
    .expect("assign owner");
    let owner_sort: Option<String> = db
        .with_conn(|c| Ok(c.query_row("SELECT owner_sort FROM customers WHERE id = ?1", [a], |r| r.get(0))?))
        .expect("owner key");
    assert!(owner_sort.is_some_and(|k| k.starts_with("bai xue\u{1}")), "the new owner's key");

    db.with_tx(|tx| customers::soft_delete(tx, a, at(4))).expect("delete");
    assert_eq!(names(&db, CustomerSort::Name, false), ["李娜", "王芳"]);
    db.with_tx(|tx| customers::restore(tx, a)).expect("restore");
    assert_eq!(names(&db, CustomerSort::Name, false), ["李娜", "王芳", "赵明"]);

    // An erased customer keeps no key made from the name it had.
    db.with_tx(|tx| headtail_core::erase::erase_customer(tx, a, at(5))).expect("erase");
    let keys: (Option<String>, Option<String>, Option<String>) = db
        .with_conn(|c| {
            Ok(c.query_row("SELECT name_sort, company_sort, owner_sort FROM customers WHERE id = ?1", [a], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?)
        })
        .expect("keys");
    assert_eq!(keys, (None, None, None));
}

#[test]
fn imported_customers_get_keys_and_a_revert_puts_the_old_ones_back() {
    let (dir, db) = temp_db();
    let existing = create(&db, CustomerInput { external_id: Some("C1".into()), ..CustomerInput::named("阿明") });
    let csv = "客户编号,客户名称,公司,负责人\nC1,赵明,,\nC2,刘洋,刘氏茶行,王经理\nC3,陈静,陈皮铺子,陈经理\n";
    let path = dir.path().join("c.csv");
    std::fs::write(&path, csv).expect("write");
    let options = ImportOptions { mode: ImportMode::Update, ..ImportOptions::new(ImportKind::Customers) };
    let report = db.with_conn(|c| import_file(c, &path, &options, at(2), |_| {})).expect("import");
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    assert_eq!(names(&db, CustomerSort::Name, false), ["陈静", "刘洋", "赵明"]);
    assert_eq!(names(&db, CustomerSort::Owner, false), ["陈静", "刘洋", "赵明"]);

    let batch = report.batch_id.expect("a batch");
    db.with_conn(|c| revert_batch(c, batch, at(3))).expect("revert");
    assert_eq!(names(&db, CustomerSort::Name, false), ["阿明"]);
    let key: String = db
        .with_conn(|c| Ok(c.query_row("SELECT name_sort FROM customers WHERE id = ?1", [existing], |r| r.get(0))?))
        .expect("key");
    assert!(key.starts_with("a ming\u{1}"), "{key:?}");
}

#[test]
fn an_import_row_with_only_a_name_still_finds_the_customer_of_that_name() {
    let (dir, db) = temp_db();
    let zhang = person(&db, "张伟");
    person(&db, "章伟");
    let path = dir.path().join("c.csv");
    std::fs::write(&path, "客户名称\n张 伟\n").expect("write");
    let report = db
        .with_conn(|c| import_file(c, &path, &ImportOptions::new(ImportKind::Customers), at(2), |_| {}))
        .expect("run");
    let warned: Vec<_> = report.warnings.iter().map(|w| (w.reason, w.customer_id)).collect();
    assert_eq!(warned, [(Reason::PossibleDuplicate, Some(zhang))], "张伟, not 章伟 read alike");
}

/// How many migrations come before the one that adds the sort keys.
fn version_before_sort_keys() -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    std::fs::read_dir(dir)
        .expect("migrations")
        .filter_map(|e| e.ok()?.file_name().to_str()?.split('_').next()?.parse::<u32>().ok())
        .filter(|n| *n < 22)
        .count()
}

#[test]
fn an_older_database_gets_its_keys_when_it_is_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.sqlite");
    let before = version_before_sort_keys();
    {
        let conn = crate::database_at_version(&path, before as u32);
        let no_sort_column = conn.prepare("SELECT name_sort FROM customers").is_err();
        assert!(no_sort_column, "version {before} has no sort keys yet");
        conn.execute_batch(
            "INSERT INTO customers (name, kind, company, owner, name_key, created_at, updated_at) VALUES
                 ('张伟', 'person', '张记五金', '王经理', '张伟', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                 ('刘洋', 'person', NULL, '曾经理', '刘洋', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                 ('陈静', 'company', '陈皮铺子', NULL, '陈静', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO customers (name, kind, created_at, updated_at, erased_at) VALUES
                 ('已删除 #4', 'person', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');",
        )
        .expect("customers of the older version");
    }
    let db = Database::open(&path).expect("upgrade");
    assert_eq!(names(&db, CustomerSort::Name, false), ["陈静", "刘洋", "张伟"]);
    assert_eq!(names(&db, CustomerSort::Company, false), ["陈静", "张伟", "刘洋"]);
    assert_eq!(names(&db, CustomerSort::Owner, false), ["张伟", "刘洋", "陈静"], "wang, then zeng, then none");
    let keyless: i64 = db
        .with_conn(|c| Ok(c.query_row("SELECT count(*) FROM customers WHERE name_sort IS NULL", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(keyless, 1, "only the erased customer has no key");
    // New writes after the upgrade fall in with the filled keys.
    person(&db, "李娜");
    assert_eq!(names(&db, CustomerSort::Name, false), ["陈静", "李娜", "刘洋", "张伟"]);
}

#[test]
fn every_sort_by_a_key_walks_its_index_without_sorting() {
    let (_dir, db) = temp_db();
    for sort in [CustomerSort::Name, CustomerSort::Company, CustomerSort::Owner] {
        let terms = sort.order_terms().expect("a sort along an index");
        for direction in ["ASC", "DESC"] {
            let order: Vec<String> =
                terms.iter().chain(std::iter::once(&"c.id")).map(|t| format!("{t} {direction}")).collect();
            let sql = format!(
                "EXPLAIN QUERY PLAN SELECT c.id FROM customers c WHERE c.deleted_at IS NULL AND c.erased_at IS NULL
                 ORDER BY {} LIMIT 50 OFFSET 10000",
                order.join(", ")
            );
            let plan: Vec<String> = db
                .with_conn(|c| Ok(c.prepare(&sql)?.query_map([], |r| r.get(3))?.collect::<rusqlite::Result<_>>()?))
                .expect("plan");
            let index = match sort {
                CustomerSort::Name => "customers_live_by_name",
                CustomerSort::Company => "customers_live_by_company",
                _ => "customers_live_by_owner",
            };
            assert!(plan.iter().any(|step| step.contains(index)), "{sort:?} {direction}: {plan:?}");
            assert!(!plan.iter().any(|step| step.contains("TEMP B-TREE")), "{sort:?} {direction}: {plan:?}");
        }
    }
}

#[test]
fn demo_customers_come_with_their_keys() {
    let (_dir, db) = temp_db();
    let until = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    db.with_tx(|tx| {
        headtail_core::demo::generate(tx, headtail_core::demo::DemoSettings::new(300, 7, until), at(1), |_, _| {})
    })
    .expect("demo");
    let (missing, companies_without, owners_without): (i64, i64, i64) = db
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT count(*) FILTER (WHERE name_sort IS NULL),
                        count(*) FILTER (WHERE company IS NOT NULL AND company_sort IS NULL),
                        count(*) FILTER (WHERE owner IS NOT NULL AND owner_sort IS NULL)
                 FROM customers",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .expect("count");
    assert_eq!((missing, companies_without, owners_without), (0, 0, 0));
    let listed = page(&db, CustomerSort::Name, false, 0, 300);
    let mut keys: Vec<String> = listed.iter().map(|n| customers::sort_key::name_sort_key(n)).collect();
    let in_order = keys.clone();
    keys.sort();
    assert_eq!(keys, in_order, "the list follows the keys of the names it shows");
}

#[test]
fn the_owner_picker_lists_owners_in_the_list_owner_order() {
    let (_dir, db) = temp_db();
    for (name, owner) in [("甲", "张经理"), ("乙", "刘经理"), ("丙", "陈经理"), ("丁", "曾经理"), ("戊", "Anna")]
    {
        create(&db, CustomerInput { owner: Some(owner.into()), ..CustomerInput::named(name) });
    }
    assert_eq!(
        db.with_conn(headtail_core::my_day::owners).expect("owners"),
        ["Anna", "陈经理", "刘经理", "曾经理", "张经理"]
    );
}
