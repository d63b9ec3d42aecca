use crate::{customer, field_rules, local, rules, temp_db};
use headtail_core::complaints::{self, ComplaintInput, ComplaintSeverity, ComplaintStatus};
use headtail_core::error::Rule;
use headtail_core::Error;

fn open(customer_id: i64, opened_at: chrono::NaiveDateTime) -> ComplaintInput {
    ComplaintInput {
        customer_id,
        opened_at,
        category: "物流".into(),
        severity: ComplaintSeverity::Medium,
        status: ComplaintStatus::Open,
        description: None,
        resolved_at: None,
    }
}

#[test]
fn an_open_complaint_has_no_resolution_time() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let input = ComplaintInput {
        category: " 质量 ".into(),
        description: Some(" 茶叶受潮 ".into()),
        severity: ComplaintSeverity::High,
        ..open(who, local(3, 2, 9, 0))
    };
    let created = db.with_tx(|tx| complaints::create(tx, input)).expect("create");
    assert_eq!(created.category, "质量", "the category is trimmed");
    assert_eq!(created.description.as_deref(), Some("茶叶受潮"));
    assert_eq!((created.status, created.resolved_at, created.resolution_hours), (ComplaintStatus::Open, None, None));
    assert_eq!(db.with_conn(|c| complaints::get(c, created.id)).expect("get"), created);
}

#[test]
fn resolved_and_closed_need_a_resolution_time_not_before_the_opening() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let opened = local(3, 2, 9, 0);
    let cases = [
        (
            ComplaintInput { status: ComplaintStatus::Resolved, ..open(who, opened) },
            rules(&[("resolved_at", Rule::Required)]),
            "resolved without a time",
        ),
        (
            ComplaintInput {
                status: ComplaintStatus::Closed,
                resolved_at: Some(local(3, 1, 9, 0)),
                ..open(who, opened)
            },
            rules(&[("resolved_at", Rule::OutOfRange)]),
            "closed before it was opened",
        ),
        (
            ComplaintInput { resolved_at: Some(local(3, 3, 9, 0)), ..open(who, opened) },
            rules(&[("resolved_at", Rule::OutOfRange)]),
            "still open but with a resolution time",
        ),
        (
            ComplaintInput { category: " ".into(), description: Some("x".repeat(5001)), ..open(who, opened) },
            rules(&[("category", Rule::Required), ("description", Rule::TooLong)]),
            "blank category and an overlong description",
        ),
    ];
    for (input, expected, why) in cases {
        // A field error, not the table's CHECK failing as a database error.
        assert_eq!(field_rules(db.with_tx(|tx| complaints::create(tx, input))), expected, "{why}");
    }
    let same_minute =
        ComplaintInput { status: ComplaintStatus::Closed, resolved_at: Some(opened), ..open(who, opened) };
    let closed = db.with_tx(|tx| complaints::create(tx, same_minute)).expect("resolved when opened is allowed");
    assert_eq!(closed.resolution_hours, Some(0.0));
}

#[test]
fn resolve_records_the_time_and_the_resolution_hours() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let created = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 2, 9, 0)))).expect("create");
    let resolved = db.with_tx(|tx| complaints::resolve(tx, created.id, local(3, 3, 15, 30))).expect("resolve");
    assert_eq!(resolved.status, ComplaintStatus::Resolved);
    assert_eq!(resolved.resolved_at, Some(local(3, 3, 15, 30)));
    assert_eq!(resolved.resolution_hours, Some(30.5), "09:00 one day to 15:30 the next is 30.5 hours");

    let err = db.with_tx(|tx| complaints::resolve(tx, created.id, local(3, 4, 9, 0))).expect_err("twice");
    assert!(matches!(err, Error::Conflict(_)), "resolving a resolved complaint is refused, got {err:?}");
    assert!(matches!(db.with_tx(|tx| complaints::resolve(tx, 99, local(3, 4, 9, 0))), Err(Error::NotFound { .. })));
}

#[test]
fn resolving_before_the_opening_is_out_of_range() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let created = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 2, 9, 0)))).expect("create");
    let result = db.with_tx(|tx| complaints::resolve(tx, created.id, local(3, 2, 8, 59)));
    assert_eq!(field_rules(result), rules(&[("resolved_at", Rule::OutOfRange)]));
    assert_eq!(db.with_conn(|c| complaints::get(c, created.id)).expect("get").status, ComplaintStatus::Open);
}

#[test]
fn update_can_move_a_complaint_on_and_reopen_it() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let opened = local(3, 2, 9, 0);
    let created = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("create");
    let working = ComplaintInput {
        status: ComplaintStatus::InProgress,
        severity: ComplaintSeverity::Critical,
        ..open(who, opened)
    };
    let updated = db.with_tx(|tx| complaints::update(tx, created.id, working)).expect("in progress");
    assert_eq!((updated.status, updated.severity), (ComplaintStatus::InProgress, ComplaintSeverity::Critical));
    let closed =
        ComplaintInput { status: ComplaintStatus::Closed, resolved_at: Some(local(3, 2, 11, 15)), ..open(who, opened) };
    let updated = db.with_tx(|tx| complaints::update(tx, created.id, closed)).expect("close");
    assert_eq!(updated.resolution_hours, Some(2.25));
    let reopened = db.with_tx(|tx| complaints::update(tx, created.id, open(who, opened))).expect("reopen");
    assert_eq!((reopened.status, reopened.resolution_hours), (ComplaintStatus::Open, None));
    let err = db.with_tx(|tx| complaints::update(tx, 99, open(who, opened))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "complaint", id: 99 }), "got {err:?}");
}

#[test]
fn a_complaint_from_an_unknown_customer_is_an_unknown_reference() {
    let (_dir, db) = temp_db();
    let result = db.with_tx(|tx| complaints::create(tx, open(404, local(3, 2, 9, 0))));
    assert_eq!(field_rules(result), rules(&[("customer_id", Rule::UnknownReference)]));
}

#[test]
fn list_for_customer_is_newest_first() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let first = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 1, 9, 0)))).expect("first");
    let second = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 5, 9, 0)))).expect("second");
    db.with_tx(|tx| complaints::create(tx, open(other, local(3, 9, 9, 0)))).expect("other");
    let page = db.with_conn(|c| complaints::list_for_customer(c, who, 0, 0)).expect("list");
    assert_eq!(page.total, 2);
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![second.id, first.id]);
}
