//! The customer form's possible duplicates: each rule, the customer being edited, the trash,
//! the cap, and the indexes the look-ups go along.

use crate::{at, temp_db};
use headtail_core::customers::{
    self, possible_duplicates, CustomerInput, DuplicateDraft, DuplicateMatch, PossibleDuplicate, DUPLICATES_MAX,
};
use headtail_core::Database;

fn add(db: &Database, input: CustomerInput) -> i64 {
    db.with_tx(|tx| customers::create(tx, input, at(1))).expect("create").id
}

fn zhang(db: &Database) -> i64 {
    add(
        db,
        CustomerInput {
            company: Some("深圳市华强电子有限公司".into()),
            phone: Some("13800138000".into()),
            email: Some("Zhang.Wei@HuaQiang.cn".into()),
            ..CustomerInput::named("张晓伟")
        },
    )
}

fn draft(name: &str) -> DuplicateDraft {
    DuplicateDraft { name: name.into(), ..Default::default() }
}

/// 张晓伟 typed in again with every detail.
fn zhang_again() -> DuplicateDraft {
    DuplicateDraft {
        company: Some("深圳市华强电子有限公司".into()),
        phones: vec!["13800138000".into()],
        emails: vec!["zhang.wei@huaqiang.cn".into()],
        ..draft("张晓伟")
    }
}

fn check(db: &Database, draft: &DuplicateDraft) -> Vec<PossibleDuplicate> {
    db.with_conn(|c| possible_duplicates(c, draft)).expect("duplicates")
}

fn found(db: &Database, draft: &DuplicateDraft) -> Vec<(i64, Vec<DuplicateMatch>)> {
    check(db, draft).into_iter().map(|d| (d.id, d.matched)).collect()
}

#[test]
fn the_same_phone_however_written_is_a_possible_duplicate() {
    let (_dir, db) = temp_db();
    let id = zhang(&db);
    let same = DuplicateDraft { phones: vec!["+86 138-0013-8000".into()], ..draft("张伟") };
    let shown = check(&db, &same);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!((shown[0].id, shown[0].matched.clone()), (id, vec![DuplicateMatch::Phone]));
    assert_eq!(shown[0].name, "张晓伟");
    assert_eq!(
        shown[0].company.as_deref(),
        Some("深圳市华强电子有限公司"),
        "shown with the company to tell them apart"
    );
    let other = DuplicateDraft { phones: vec!["13800138001".into()], ..draft("张伟") };
    assert!(found(&db, &other).is_empty(), "another number is another customer");
}

#[test]
fn the_same_email_in_any_case_is_a_possible_duplicate() {
    let (_dir, db) = temp_db();
    let id = zhang(&db);
    let same = DuplicateDraft { emails: vec![" zhang.wei@huaqiang.CN ".into()], ..draft("Wei Zhang") };
    assert_eq!(found(&db, &same), vec![(id, vec![DuplicateMatch::Email])]);
    let other = DuplicateDraft { emails: vec!["zhang.wei@huaqiang.com".into()], ..draft("Wei Zhang") };
    assert!(found(&db, &other).is_empty());
}

#[test]
fn a_same_or_slightly_different_name_at_the_same_company_is_a_possible_duplicate() {
    let (_dir, db) = temp_db();
    let id = zhang(&db);
    let company = Some("深圳市华强电子有限公司".to_owned());
    let same = DuplicateDraft { company: company.clone(), ..draft("张 晓伟") };
    assert_eq!(found(&db, &same), vec![(id, vec![DuplicateMatch::SameName])], "spaces do not tell names apart");
    let slip = DuplicateDraft { company: company.clone(), phones: vec!["13900000000".into()], ..draft("张小伟") };
    assert_eq!(found(&db, &slip), vec![(id, vec![DuplicateMatch::SimilarName])], "one wrong character");
    let other_person = DuplicateDraft { company: company.clone(), ..draft("李小红") };
    assert!(found(&db, &other_person).is_empty(), "another name at the same company is a colleague");
    let other_company =
        DuplicateDraft { company: Some("广州市华强电子有限公司".into()), ..draft("张晓伟") };
    assert!(found(&db, &other_company).is_empty(), "the same name elsewhere is someone else");
}

#[test]
fn a_name_alone_counts_only_when_nothing_better_is_typed() {
    let (_dir, db) = temp_db();
    let wang = add(&db, CustomerInput { phone: Some("13900139000".into()), ..CustomerInput::named("王芳") });
    assert_eq!(found(&db, &draft("王芳")), vec![(wang, vec![DuplicateMatch::SameName])]);
    let with_phone = DuplicateDraft { phones: vec!["13700137000".into()], ..draft("王芳") };
    assert!(found(&db, &with_phone).is_empty(), "a new 王芳 with a new phone is not the old one (the import's rule)");
    assert!(found(&db, &draft("")).is_empty(), "nothing typed, nothing found");
}

#[test]
fn every_reason_is_listed_once_and_the_strongest_first() {
    let (_dir, db) = temp_db();
    let id = zhang(&db);
    let by_name = add(
        &db,
        CustomerInput {
            company: Some("深圳市华强电子有限公司".into()), ..CustomerInput::named("张晓伟")
        },
    );
    let all = DuplicateDraft {
        company: Some("深圳市华强电子有限公司".into()),
        phones: vec!["13800138000".into(), "138 0013 8000".into()],
        emails: vec!["zhang.wei@huaqiang.cn".into()],
        ..draft("张晓伟")
    };
    assert_eq!(
        found(&db, &all),
        vec![
            (id, vec![DuplicateMatch::Phone, DuplicateMatch::Email, DuplicateMatch::SameName]),
            (by_name, vec![DuplicateMatch::SameName]),
        ]
    );
}

#[test]
fn the_customer_being_edited_is_not_their_own_duplicate() {
    let (_dir, db) = temp_db();
    let id = zhang(&db);
    let editing = DuplicateDraft { editing: Some(id), ..zhang_again() };
    assert!(found(&db, &editing).is_empty());
    let twin = zhang(&db);
    assert_eq!(
        found(&db, &editing),
        vec![(twin, vec![DuplicateMatch::Phone, DuplicateMatch::Email, DuplicateMatch::SameName])],
        "another customer with the same details still is one"
    );
}

#[test]
fn deleted_customers_are_not_duplicates_until_restored() {
    let (_dir, db) = temp_db();
    let id = zhang(&db);
    let same = zhang_again();
    db.with_tx(|tx| customers::soft_delete(tx, id, at(2))).expect("delete");
    assert!(found(&db, &same).is_empty(), "the trash is no duplicate");
    db.with_tx(|tx| customers::restore(tx, id)).expect("restore");
    assert_eq!(found(&db, &same).len(), 1);
}

#[test]
fn at_most_five_are_shown() {
    let (_dir, db) = temp_db();
    for n in 0..8 {
        add(&db, CustomerInput { phone: Some("13800138000".into()), ..CustomerInput::named(&format!("客户{n}")) });
    }
    let shown = check(&db, &DuplicateDraft { phones: vec!["13800138000".into()], ..draft("张伟") });
    assert_eq!(shown.len(), DUPLICATES_MAX);
    assert!(shown.windows(2).all(|w| w[0].id < w[1].id), "oldest first: {shown:?}");
}

#[test]
fn every_duplicate_look_up_goes_along_an_index() {
    let (_dir, db) = temp_db();
    let plan = |sql: &str| -> Vec<String> {
        db.with_conn(|c| {
            let rows = c
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?
                .query_map([], |r| r.get::<_, String>(3))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .expect("plan")
    };
    let live = "deleted_at IS NULL AND erased_at IS NULL";
    for (sql, index) in [
        (
            format!("SELECT id, name_key FROM customers WHERE company = 'x' AND {live} AND company IS NOT NULL AND id IS NOT 1 LIMIT 5000"),
            "customers_live_by_company_name",
        ),
        (
            format!("SELECT id FROM customers WHERE name_sort = 'x' AND name_key = 'x' AND {live} AND company IS NULL AND id IS NOT 1 ORDER BY id LIMIT 5"),
            "customers_live_by_name",
        ),
        (
            format!("SELECT id FROM customers WHERE phone_key = 'x' AND {live} AND id IS NOT 1 ORDER BY id LIMIT 5"),
            "customers_phone_key",
        ),
        (
            format!("SELECT id FROM customers WHERE email_key = 'x' AND {live} AND id IS NOT 1 ORDER BY id LIMIT 5"),
            "customers_email_key",
        ),
    ] {
        let steps = plan(&sql);
        assert!(steps.iter().any(|s| s.contains(index)), "{sql}: {steps:?}");
        assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE") || s.starts_with("SCAN")), "{sql}: {steps:?}");
    }
}
