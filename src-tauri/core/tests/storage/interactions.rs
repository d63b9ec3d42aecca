use crate::{customer, field_rules, local, rules, temp_db};
use headtail_core::error::Rule;
use headtail_core::interactions::{self, InteractionInput, InteractionKind};
use headtail_core::Error;

/// A call to log.
pub fn call(customer_id: i64, occurred_at: chrono::NaiveDateTime) -> InteractionInput {
    InteractionInput { customer_id, kind: InteractionKind::Call, occurred_at, outcome: None, notes: None, owner: None }
}

#[test]
fn create_then_get_returns_the_trimmed_interaction() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let input = InteractionInput {
        kind: InteractionKind::Visit,
        outcome: Some(" 同意试用 ".into()),
        notes: Some("  ".into()),
        owner: Some("Li".into()),
        ..call(who, local(3, 2, 14, 0))
    };
    let created = db.with_tx(|tx| interactions::create(tx, input)).expect("create");
    assert_eq!(created.outcome.as_deref(), Some("同意试用"));
    assert_eq!(created.notes, None, "blank notes are stored as nothing");
    assert_eq!(created.occurred_at, local(3, 2, 14, 0), "the local time round-trips");
    assert_eq!(db.with_conn(|c| interactions::get(c, created.id)).expect("get"), created);
}

#[test]
fn an_interaction_with_an_unknown_customer_is_an_unknown_reference() {
    let (_dir, db) = temp_db();
    let result = db.with_tx(|tx| interactions::create(tx, call(404, local(3, 2, 9, 0))));
    assert_eq!(field_rules(result), rules(&[("customer_id", Rule::UnknownReference)]));
}

#[test]
fn update_replaces_the_interaction_and_validates_like_create() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let created = db.with_tx(|tx| interactions::create(tx, call(who, local(3, 2, 9, 0)))).expect("create");
    let changed = InteractionInput {
        kind: InteractionKind::Meeting,
        outcome: Some("签约".into()),
        ..call(who, local(3, 3, 15, 30))
    };
    let updated = db.with_tx(|tx| interactions::update(tx, created.id, changed)).expect("update");
    assert_eq!(updated.kind, InteractionKind::Meeting);
    assert_eq!(updated.occurred_at, local(3, 3, 15, 30));

    let bad = InteractionInput {
        outcome: Some("长".repeat(interactions::OUTCOME_MAX + 1)),
        ..call(who, local(3, 3, 15, 30))
    };
    assert_eq!(
        field_rules(db.with_tx(|tx| interactions::update(tx, created.id, bad))),
        rules(&[("outcome", Rule::TooLong)])
    );
    assert_eq!(
        db.with_conn(|c| interactions::get(c, created.id)).expect("get"),
        updated,
        "a failed update changes nothing"
    );
    let err = db.with_tx(|tx| interactions::update(tx, 99, call(who, local(3, 3, 9, 0)))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "interaction", id: 99 }), "got {err:?}");
}

#[test]
fn list_for_customer_is_newest_first_and_paged() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let mut ids = Vec::new();
    for (day, hour) in [(1, 9), (3, 8), (2, 17), (3, 16)] {
        ids.push(db.with_tx(|tx| interactions::create(tx, call(who, local(3, day, hour, 0)))).expect("create").id);
    }
    db.with_tx(|tx| interactions::create(tx, call(other, local(3, 5, 9, 0)))).expect("other");
    let page = |offset, limit| {
        db.with_conn(|c| interactions::list_for_customer(c, who, offset, limit))
            .expect("list")
            .items
            .into_iter()
            .map(|i| i.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(page(0, 0), vec![ids[3], ids[1], ids[2], ids[0]], "newest first, by time of day too");
    assert_eq!(page(1, 2), vec![ids[1], ids[2]], "offset and limit select a window");
    assert_eq!(db.with_conn(|c| interactions::list_for_customer(c, who, 0, 1)).expect("list").total, 4);
}

#[test]
fn delete_removes_the_interaction() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let created = db.with_tx(|tx| interactions::create(tx, call(who, local(3, 2, 9, 0)))).expect("create");
    db.with_tx(|tx| interactions::delete(tx, created.id)).expect("delete");
    assert!(matches!(db.with_conn(|c| interactions::get(c, created.id)), Err(Error::NotFound { .. })));
    assert!(matches!(db.with_tx(|tx| interactions::delete(tx, created.id)), Err(Error::NotFound { .. })));
}
