use crate::{at, customer, field_rules, found, rules, temp_db};
use headtail_core::contacts::{self, ContactInput, WECHAT_MAX};
use headtail_core::error::Rule;
use headtail_core::{erase, Database, Error};

fn add(db: &Database, input: ContactInput) -> contacts::Contact {
    db.with_tx(|tx| contacts::create(tx, input, at(2))).expect("create contact")
}

#[test]
fn create_then_list_returns_the_trimmed_contact() {
    let (_dir, db) = temp_db();
    let company = customer(&db, "深圳市华强电子有限公司");
    let added = add(
        &db,
        ContactInput {
            title: Some(" 采购经理 ".into()),
            phone: Some("139 1234 5678".into()),
            email: Some(" li.na@huaqiang.cn ".into()),
            wechat: Some("lina_hq".into()),
            notes: Some("   ".into()),
            ..ContactInput::named(company, " 李娜 ")
        },
    );
    assert_eq!(added.name, "李娜", "names are trimmed");
    assert_eq!(added.title.as_deref(), Some("采购经理"));
    assert_eq!(added.email.as_deref(), Some("li.na@huaqiang.cn"));
    assert_eq!(added.notes, None, "blank optional text is stored as nothing");
    assert_eq!(added.created_at, "2026-03-02T09:30:00.000Z", "the time passed in is the creation time");
    let listed = db.with_conn(|c| contacts::list_for_customer(c, company)).expect("list");
    assert_eq!(listed, vec![added], "the list returns exactly what create returned");
}

#[test]
fn an_invalid_contact_is_rejected_with_every_failing_field() {
    let (_dir, db) = temp_db();
    let company = customer(&db, "华强");
    let result = db.with_tx(|tx| {
        contacts::create(
            tx,
            ContactInput {
                phone: Some("12ab".into()),
                email: Some("li@".into()),
                wechat: Some("w".repeat(WECHAT_MAX + 1)),
                ..ContactInput::named(company, "  ")
            },
            at(2),
        )
    });
    assert_eq!(
        field_rules(result),
        rules(&[
            ("name", Rule::Required),
            ("phone", Rule::InvalidPhone),
            ("email", Rule::InvalidEmail),
            ("wechat", Rule::TooLong)
        ])
    );
    assert!(db.with_conn(|c| contacts::list_for_customer(c, company)).expect("list").is_empty());
}

#[test]
fn a_contact_of_an_unknown_or_erased_customer_is_an_unknown_reference() {
    let (_dir, db) = temp_db();
    let result = db.with_tx(|tx| contacts::create(tx, ContactInput::named(404, "王芳"), at(2)));
    assert_eq!(field_rules(result), rules(&[("customer_id", Rule::UnknownReference)]));

    let gone = customer(&db, "将被删除");
    erase::erase(&db, gone, at(3)).expect("erase");
    let result = db.with_tx(|tx| contacts::create(tx, ContactInput::named(gone, "王芳"), at(4)));
    assert_eq!(
        field_rules(result),
        rules(&[("customer_id", Rule::UnknownReference)]),
        "an erased customer takes no new personal data"
    );
}

#[test]
fn making_a_contact_primary_makes_the_previous_primary_ordinary() {
    let (_dir, db) = temp_db();
    let company = customer(&db, "华强");
    let other = customer(&db, "别家");
    let other_primary = add(&db, ContactInput { is_primary: true, ..ContactInput::named(other, "别家联系人") });
    let first = add(&db, ContactInput { is_primary: true, ..ContactInput::named(company, "张伟") });
    let second = add(&db, ContactInput { is_primary: true, ..ContactInput::named(company, "李娜") });

    let primaries = |customer_id| -> Vec<String> {
        db.with_conn(|c| contacts::list_for_customer(c, customer_id))
            .expect("list")
            .into_iter()
            .filter(|c| c.is_primary)
            .map(|c| c.name)
            .collect()
    };
    assert_eq!(primaries(company), vec!["李娜"], "the newest primary replaces the old one");

    let input = ContactInput { is_primary: true, ..ContactInput::named(company, "张伟") };
    db.with_tx(|tx| contacts::update(tx, first.id, input)).expect("make primary again");
    assert_eq!(primaries(company), vec!["张伟"], "updating a contact to primary also clears the other");
    let names: Vec<String> =
        db.with_conn(|c| contacts::list_for_customer(c, company)).expect("list").into_iter().map(|c| c.name).collect();
    assert_eq!(names, vec!["张伟", "李娜"], "the primary contact is listed first");
    assert_eq!(primaries(other), vec![other_primary.name], "another customer's primary is untouched");
    assert!(!db.with_conn(|c| contacts::get(c, second.id)).expect("get").is_primary);
}

#[test]
fn a_customer_is_found_by_part_of_a_contacts_chinese_name_and_by_a_contacts_phone() {
    let (_dir, db) = temp_db();
    let company = customer(&db, "深圳市华强电子有限公司");
    customer(&db, "无关客户");
    let contact =
        add(&db, ContactInput { phone: Some("139-1234-5678".into()), ..ContactInput::named(company, "欧阳娜娜") });
    assert_eq!(found(&db, "阳娜"), vec!["深圳市华强电子有限公司"], "part of the contact's name");
    assert_eq!(found(&db, "12345678"), vec!["深圳市华强电子有限公司"], "the end of the contact's phone");

    let renamed = ContactInput { phone: Some("13800001111".into()), ..ContactInput::named(company, "司马光") };
    db.with_tx(|tx| contacts::update(tx, contact.id, renamed)).expect("update");
    assert!(found(&db, "阳娜").is_empty(), "the old name no longer finds the customer");
    assert!(found(&db, "12345678").is_empty(), "the old phone no longer finds the customer");
    assert_eq!(found(&db, "司马"), vec!["深圳市华强电子有限公司"], "the new name does");

    db.with_tx(|tx| contacts::delete(tx, contact.id)).expect("delete");
    assert!(found(&db, "司马").is_empty(), "a deleted contact no longer finds the customer");
    assert_eq!(found(&db, "华强"), vec!["深圳市华强电子有限公司"], "the customer's own name still does");
}

#[test]
fn moving_a_contact_to_another_customer_moves_its_search_terms() {
    let (_dir, db) = temp_db();
    let from = customer(&db, "甲公司");
    let to = customer(&db, "乙公司");
    let contact = add(&db, ContactInput::named(from, "诸葛亮"));
    db.with_tx(|tx| contacts::update(tx, contact.id, ContactInput::named(to, "诸葛亮"))).expect("move");
    assert_eq!(found(&db, "诸葛"), vec!["乙公司"], "only the new customer is found by the contact");
}

#[test]
fn updating_or_deleting_a_missing_contact_is_not_found() {
    let (_dir, db) = temp_db();
    let company = customer(&db, "华强");
    let err = db.with_tx(|tx| contacts::update(tx, 99, ContactInput::named(company, "x"))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "contact", id: 99 }), "got {err:?}");
    let err = db.with_tx(|tx| contacts::delete(tx, 99)).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "contact", id: 99 }), "got {err:?}");
}
