use crate::{customer, date, field_rules, rules, temp_db};
use headtail_core::error::Rule;
use headtail_core::loyalty::{self, LoyaltyEntry, LoyaltyEntryInput, LoyaltyKind};
use headtail_core::orders::{self, OrderInput};
use headtail_core::Database;

fn entry(customer_id: i64, day: u32, kind: LoyaltyKind, points: i64) -> LoyaltyEntryInput {
    LoyaltyEntryInput { customer_id, occurred_on: date(3, day), kind, points, order_id: None, notes: None }
}

fn add(db: &Database, input: LoyaltyEntryInput) -> headtail_core::Result<LoyaltyEntry> {
    db.with_tx(|tx| loyalty::create(tx, input))
}

fn balance(db: &Database, customer_id: i64) -> i64 {
    db.with_conn(|c| loyalty::balance(c, customer_id)).expect("balance")
}

#[test]
fn the_balance_is_the_sum_of_the_ledger() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    assert_eq!(balance(&db, member), 0, "no entries, no points");
    add(&db, entry(member, 1, LoyaltyKind::Earn, 100)).expect("earn");
    add(&db, entry(member, 2, LoyaltyKind::ReferralReward, 50)).expect("referral");
    add(&db, entry(member, 3, LoyaltyKind::Redeem, -30)).expect("redeem");
    add(&db, entry(member, 4, LoyaltyKind::Adjust, -20)).expect("adjust down");
    add(&db, entry(other, 4, LoyaltyKind::Earn, 999)).expect("other customer");
    assert_eq!(balance(&db, member), 100, "100 + 50 - 30 - 20");
}

#[test]
fn points_must_have_the_sign_of_their_kind() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    add(&db, entry(member, 1, LoyaltyKind::Earn, 100)).expect("earn");
    for (kind, points) in [
        (LoyaltyKind::Earn, -5),
        (LoyaltyKind::Earn, 0),
        (LoyaltyKind::ReferralReward, -1),
        (LoyaltyKind::Redeem, 10),
        (LoyaltyKind::Adjust, 0),
    ] {
        assert_eq!(
            field_rules(add(&db, entry(member, 2, kind, points))),
            rules(&[("points", Rule::OutOfRange)]),
            "{kind:?} with {points} points must be refused"
        );
    }
    add(&db, entry(member, 2, LoyaltyKind::Adjust, 7)).expect("an adjustment may add points");
}

#[test]
fn a_redemption_may_not_take_the_balance_below_zero() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    add(&db, entry(member, 1, LoyaltyKind::Earn, 100)).expect("earn");
    assert_eq!(
        field_rules(add(&db, entry(member, 2, LoyaltyKind::Redeem, -101))),
        rules(&[("points", Rule::OutOfRange)]),
        "101 points cannot be redeemed from 100"
    );
    assert_eq!(
        field_rules(add(&db, entry(member, 2, LoyaltyKind::Adjust, -101))),
        rules(&[("points", Rule::OutOfRange)]),
        "nor taken away by an adjustment"
    );
    add(&db, entry(member, 2, LoyaltyKind::Redeem, -100)).expect("the whole balance can be redeemed");
    assert_eq!(balance(&db, member), 0);
}

#[test]
fn a_back_dated_redemption_may_not_dip_the_balance_on_any_later_day() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    add(&db, entry(member, 10, LoyaltyKind::Earn, 100)).expect("earn on the 10th");
    assert_eq!(
        field_rules(add(&db, entry(member, 5, LoyaltyKind::Redeem, -50))),
        rules(&[("points", Rule::OutOfRange)]),
        "on the 5th there were no points yet"
    );
    add(&db, entry(member, 20, LoyaltyKind::Redeem, -80)).expect("redeem on the 20th");
    assert_eq!(
        field_rules(add(&db, entry(member, 12, LoyaltyKind::Redeem, -30))),
        rules(&[("points", Rule::OutOfRange)]),
        "30 on the 12th would leave -10 after the redemption of the 20th"
    );
    add(&db, entry(member, 12, LoyaltyKind::Redeem, -20)).expect("20 on the 12th leaves exactly 0 on the 20th");
    assert_eq!(balance(&db, member), 0);
}

#[test]
fn an_order_linked_to_points_must_be_the_same_customers() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let order = |customer_id| OrderInput {
        customer_id,
        external_id: None,
        ordered_on: date(3, 1),
        amount_minor: 1_000,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    };
    let own = db.with_tx(|tx| orders::create(tx, order(member))).expect("own order");
    let theirs = db.with_tx(|tx| orders::create(tx, order(other))).expect("other's order");
    let linked = add(&db, LoyaltyEntryInput { order_id: Some(own.id), ..entry(member, 1, LoyaltyKind::Earn, 10) });
    assert_eq!(linked.expect("own order").order_id, Some(own.id));
    for (order_id, why) in [(theirs.id, "another customer's order"), (999, "an order that does not exist")] {
        let input = LoyaltyEntryInput { order_id: Some(order_id), ..entry(member, 1, LoyaltyKind::Earn, 10) };
        assert_eq!(field_rules(add(&db, input)), rules(&[("order_id", Rule::UnknownReference)]), "{why}");
    }
    assert_eq!(
        field_rules(add(&db, entry(404, 1, LoyaltyKind::Earn, 10))),
        rules(&[("customer_id", Rule::UnknownReference)])
    );
}

#[test]
fn the_list_is_newest_first_with_the_balance_after_each_entry() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    let earn = add(&db, LoyaltyEntryInput { notes: Some(" 首单 ".into()), ..entry(member, 1, LoyaltyKind::Earn, 100) })
        .expect("earn");
    let redeem = add(&db, entry(member, 9, LoyaltyKind::Redeem, -40)).expect("redeem");
    let back_dated = add(&db, entry(member, 5, LoyaltyKind::ReferralReward, 25)).expect("referral");
    assert_eq!(earn.notes.as_deref(), Some("首单"), "notes are trimmed");
    assert_eq!(redeem.balance_after, 60, "right after creating, 100 - 40");

    let page = db.with_conn(|c| loyalty::list(c, member, 0, 0)).expect("list");
    let rows: Vec<(i64, i64, i64)> = page.items.iter().map(|e| (e.id, e.points, e.balance_after)).collect();
    assert_eq!(
        rows,
        vec![(redeem.id, -40, 85), (back_dated.id, 25, 125), (earn.id, 100, 100)],
        "newest first by date; running balances follow the dates, not the order of entry"
    );
    assert_eq!(page.total, 3);
    let second = db.with_conn(|c| loyalty::list(c, member, 1, 1)).expect("page");
    assert_eq!(second.items[0].balance_after, 125, "a page keeps balances of the whole ledger");
}
