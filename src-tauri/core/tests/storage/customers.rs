use crate::{at, temp_db};
use headtail_core::customers::{self, CustomerInput, CustomerKind, CustomerQuery, CustomerSort};
use headtail_core::error::Rule;
use headtail_core::{Database, Error};

fn input(name: &str) -> CustomerInput {
    CustomerInput::named(name)
}

fn add(db: &Database, customer: CustomerInput) -> i64 {
    db.with_tx(|tx| customers::create(tx, customer, at(1))).expect("create").id
}

fn names(db: &Database, query: &CustomerQuery) -> Vec<String> {
    db.with_conn(|c| customers::list(c, query)).expect("list").items.into_iter().map(|c| c.name).collect()
}

#[test]
fn create_then_get_returns_the_trimmed_profile() {
    let (_dir, db) = temp_db();
    let id = add(
        &db,
        CustomerInput {
            company: Some("  深圳市华强电子有限公司 ".into()),
            email: Some(" zhang.wei@huaqiang.cn ".into()),
            phone: Some("138 0013 8000".into()),
            notes: Some("   ".into()),
            ..input(" 张伟 ")
        },
    );
    let c = db.with_conn(|c| customers::get(c, id)).expect("get");
    assert_eq!(c.name, "张伟");
    assert_eq!(c.company.as_deref(), Some("深圳市华强电子有限公司"));
    assert_eq!(c.email.as_deref(), Some("zhang.wei@huaqiang.cn"));
    assert_eq!(c.notes, None, "blank optional text is stored as nothing");
    assert_eq!(c.created_at, "2026-03-01T09:30:00.000Z");
    assert_eq!(c.deleted_at, None);
}

#[test]
fn an_invalid_customer_is_rejected_with_every_field_and_nothing_is_written() {
    let (_dir, db) = temp_db();
    let err = db
        .with_tx(|tx| {
            customers::create(
                tx,
                CustomerInput { email: Some("not-an-email".into()), phone: Some("12ab".into()), ..input("  ") },
                at(1),
            )
        })
        .expect_err("invalid");
    let Error::Validation(fields) = err else { panic!("expected a validation error, got {err:?}") };
    let rules: Vec<(&str, Rule)> = fields.iter().map(|f| (f.field.as_str(), f.rule)).collect();
    assert_eq!(rules, vec![("name", Rule::Required), ("email", Rule::InvalidEmail), ("phone", Rule::InvalidPhone)]);
    assert_eq!(db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").total, 0);
}

#[test]
fn update_replaces_the_profile_and_moves_updated_at() {
    let (_dir, db) = temp_db();
    let id = add(&db, input("李娜"));
    let updated = db
        .with_tx(|tx| {
            customers::update(tx, id, CustomerInput { region: Some("广东".into()), ..input("李娜 (采购)") }, at(5))
        })
        .expect("update");
    assert_eq!(updated.name, "李娜 (采购)");
    assert_eq!(updated.region.as_deref(), Some("广东"));
    assert_eq!(updated.created_at, "2026-03-01T09:30:00.000Z");
    assert_eq!(updated.updated_at, "2026-03-05T09:30:00.000Z");
}

#[test]
fn a_failed_update_leaves_the_customer_as_it_was() {
    let (_dir, db) = temp_db();
    let id = add(&db, CustomerInput { email: Some("a@b.cn".into()), ..input("王芳") });
    let before = db.with_conn(|c| customers::get(c, id)).expect("get");
    let err = db
        .with_tx(|tx| customers::update(tx, id, CustomerInput { email: Some("bad@".into()), ..input("王芳2") }, at(2)))
        .expect_err("invalid email");
    assert!(matches!(err, Error::Validation(_)));
    assert_eq!(db.with_conn(|c| customers::get(c, id)).expect("get"), before);
}

#[test]
fn updating_or_deleting_a_missing_customer_is_not_found() {
    let (_dir, db) = temp_db();
    let err = db.with_tx(|tx| customers::update(tx, 42, input("x"), at(1))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { id: 42, .. }));
    assert!(matches!(db.with_tx(|tx| customers::soft_delete(tx, 42, at(1))), Err(Error::NotFound { .. })));
    assert!(matches!(db.with_tx(|tx| customers::restore(tx, 42)), Err(Error::NotFound { .. })));
}

#[test]
fn soft_delete_moves_to_trash_and_restore_brings_back() {
    let (_dir, db) = temp_db();
    let keep = add(&db, input("保留"));
    let gone = add(&db, input("删除"));
    let deleted = db.with_tx(|tx| customers::soft_delete(tx, gone, at(3))).expect("delete");
    assert_eq!(deleted.deleted_at.as_deref(), Some("2026-03-03T09:30:00.000Z"));
    assert_eq!(names(&db, &CustomerQuery::default()), vec!["保留"]);
    assert_eq!(names(&db, &CustomerQuery { deleted: true, ..Default::default() }), vec!["删除"]);
    assert!(
        matches!(db.with_tx(|tx| customers::soft_delete(tx, gone, at(4))), Err(Error::NotFound { .. })),
        "deleting twice is an error, not a silent no-op"
    );
    assert!(matches!(db.with_tx(|tx| customers::update(tx, gone, input("x"), at(4))), Err(Error::NotFound { .. })));
    db.with_tx(|tx| customers::restore(tx, gone)).expect("restore");
    assert_eq!(names(&db, &CustomerQuery::default()), vec!["保留", "删除"]);
    assert!(matches!(db.with_tx(|tx| customers::restore(tx, keep)), Err(Error::NotFound { .. })));
}

fn sample(db: &Database) {
    add(db, CustomerInput { kind: CustomerKind::Company, company: Some("深圳市华强电子有限公司".into()), phone: Some("13800138000".into()), ..input("张伟") });
    add(db, CustomerInput { email: Some("anna@example.com".into()), owner: Some("Li".into()), ..input("Anna Schmidt") });
    add(db, CustomerInput { kind: CustomerKind::Company, company: Some("Acme 100% Ltd".into()), owner: Some("Li".into()), ..input("bob") });
}

#[test]
fn search_matches_part_of_name_company_phone_or_email() {
    let (_dir, db) = temp_db();
    sample(&db);
    let search = |term: &str| names(&db, &CustomerQuery { search: Some(term.into()), ..Default::default() });
    assert_eq!(search("华强"), vec!["张伟"]);
    assert_eq!(search("张"), vec!["张伟"]);
    assert_eq!(search("0013"), vec!["张伟"]);
    assert_eq!(search("EXAMPLE.com"), vec!["Anna Schmidt"], "ASCII search ignores case");
    assert_eq!(search("100%"), vec!["bob"], "% is a literal, not a wildcard");
    assert!(search("_").is_empty(), "_ is a literal, not a wildcard");
    assert_eq!(search("   ").len(), 3, "a blank search shows everyone");
}

#[test]
fn filters_by_kind_and_owner() {
    let (_dir, db) = temp_db();
    sample(&db);
    assert_eq!(names(&db, &CustomerQuery { kind: Some(CustomerKind::Company), ..Default::default() }), vec!["bob", "张伟"]);
    assert_eq!(names(&db, &CustomerQuery { owner: Some("Li".into()), ..Default::default() }), vec!["Anna Schmidt", "bob"]);
}

#[test]
fn sorts_either_way_with_empty_values_last_and_pages_without_overlap() {
    let (_dir, db) = temp_db();
    sample(&db);
    let by_company = |descending| names(&db, &CustomerQuery { sort: CustomerSort::Company, descending, ..Default::default() });
    assert_eq!(by_company(false), vec!["bob", "张伟", "Anna Schmidt"]);
    assert_eq!(by_company(true), vec!["张伟", "bob", "Anna Schmidt"]);

    let page = |offset| {
        db.with_conn(|c| customers::list(c, &CustomerQuery { offset, limit: 2, ..Default::default() })).expect("page")
    };
    let (first, second) = (page(0), page(2));
    assert_eq!(first.total, 3);
    assert_eq!(first.items.len(), 2);
    assert_eq!(second.items.len(), 1);
    assert!(!first.items.iter().any(|c| second.items.iter().any(|d| d.id == c.id)));
}
