use crate::{customer, date, field_rules, rules, temp_db};
use headtail_core::error::Rule;
use headtail_core::service_costs::{self, ServiceCostInput};
use headtail_core::Error;

fn cost(customer_id: i64, day: u32, minutes: Option<i64>, amount_minor: i64) -> ServiceCostInput {
    ServiceCostInput { customer_id, occurred_on: date(3, day), minutes, amount_minor, currency: None, notes: None }
}

#[test]
fn time_money_or_both_are_recorded_and_listed_newest_first() {
    let (_dir, db) = temp_db();
    let served = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let time = db.with_tx(|tx| service_costs::create(tx, cost(served, 1, Some(45), 0))).expect("time only");
    let money = db
        .with_tx(|tx| {
            service_costs::create(
                tx,
                ServiceCostInput {
                    notes: Some(" 补发快递 ".into()),
                    currency: Some("cny".into()),
                    ..cost(served, 5, None, 1_800)
                },
            )
        })
        .expect("money only");
    let both = db.with_tx(|tx| service_costs::create(tx, cost(served, 3, Some(120), 30_000))).expect("both");
    db.with_tx(|tx| service_costs::create(tx, cost(other, 9, Some(5), 0))).expect("other customer");

    assert_eq!((time.minutes, time.amount_minor, time.currency.as_str()), (Some(45), 0, "CNY"));
    assert_eq!(money.minutes, None, "no time given is stored as none");
    assert_eq!(money.notes.as_deref(), Some("补发快递"));
    assert_eq!(money.currency, "CNY", "currency codes are upper-cased");

    let page = db.with_conn(|c| service_costs::list_for_customer(c, served, 0, 0)).expect("list");
    assert_eq!(page.total, 3, "only this customer's costs count");
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![money.id, both.id, time.id], "newest first");
    assert_eq!(page.items[0], money, "listed entries equal what create returned");
}

#[test]
fn an_entry_of_neither_time_nor_money_is_required_on_both_fields() {
    let (_dir, db) = temp_db();
    let served = customer(&db, "张伟");
    for (minutes, why) in [(None, "no time and no money"), (Some(0), "zero time and zero money")] {
        let result = db.with_tx(|tx| service_costs::create(tx, cost(served, 1, minutes, 0)));
        assert_eq!(field_rules(result), rules(&[("minutes", Rule::Required), ("amount", Rule::Required)]), "{why}");
    }
}

#[test]
fn negative_time_or_money_is_out_of_range() {
    let (_dir, db) = temp_db();
    let served = customer(&db, "张伟");
    let result = db.with_tx(|tx| service_costs::create(tx, cost(served, 1, Some(-5), -1)));
    assert_eq!(field_rules(result), rules(&[("minutes", Rule::OutOfRange), ("amount", Rule::OutOfRange)]));
    let result = db.with_tx(|tx| service_costs::create(tx, cost(served, 1, Some(-5), 100)));
    assert_eq!(
        field_rules(result),
        rules(&[("minutes", Rule::OutOfRange)]),
        "a positive amount does not excuse negative minutes"
    );
}

#[test]
fn a_cost_for_an_unknown_customer_is_an_unknown_reference() {
    let (_dir, db) = temp_db();
    let result = db.with_tx(|tx| service_costs::create(tx, cost(404, 1, Some(10), 0)));
    assert_eq!(field_rules(result), rules(&[("customer_id", Rule::UnknownReference)]));
}

#[test]
fn delete_removes_the_entry_and_a_missing_one_is_not_found() {
    let (_dir, db) = temp_db();
    let served = customer(&db, "张伟");
    let entry = db.with_tx(|tx| service_costs::create(tx, cost(served, 1, Some(10), 0))).expect("create");
    db.with_tx(|tx| service_costs::delete(tx, entry.id)).expect("delete");
    assert_eq!(db.with_conn(|c| service_costs::list_for_customer(c, served, 0, 0)).expect("list").total, 0);
    let err = db.with_tx(|tx| service_costs::delete(tx, entry.id)).expect_err("twice");
    assert!(matches!(err, Error::NotFound { entity: "service cost", .. }), "got {err:?}");
}
