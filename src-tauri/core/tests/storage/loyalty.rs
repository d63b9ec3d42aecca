use crate::{customer, date, field_rules, rules, temp_db};
use headtail_core::error::Rule;
use headtail_core::import::{import_file, revert_batch, ImportKind, ImportOptions, ImportStatus};
use headtail_core::loyalty::{self, LoyaltyEntry, LoyaltyEntryInput, LoyaltyKind};
use headtail_core::orders::{self, OrderInput};
use headtail_core::work_settings::{self, WorkSettingsInput};
use headtail_core::Database;

fn entry(customer_id: i64, day: u32, kind: LoyaltyKind, points: i64) -> LoyaltyEntryInput {
    LoyaltyEntryInput {
        customer_id,
        occurred_on: date(3, day),
        kind,
        points,
        order_id: None,
        notes: None,
        referred_customer_id: None,
    }
}

/// A referral reward for having referred `referred`.
fn referral(customer_id: i64, referred: i64, day: u32, points: i64) -> LoyaltyEntryInput {
    LoyaltyEntryInput {
        referred_customer_id: Some(referred),
        ..entry(customer_id, day, LoyaltyKind::ReferralReward, points)
    }
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
    add(&db, referral(member, other, 2, 50)).expect("referral");
    add(&db, entry(member, 3, LoyaltyKind::Redeem, -30)).expect("redeem");
    add(&db, entry(member, 4, LoyaltyKind::Adjust, -20)).expect("adjust down");
    add(&db, entry(other, 4, LoyaltyKind::Earn, 999)).expect("other customer");
    assert_eq!(balance(&db, member), 100, "100 + 50 - 30 - 20");
}

#[test]
fn points_must_have_the_sign_of_their_kind() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    let referred = customer(&db, "李娜");
    add(&db, entry(member, 1, LoyaltyKind::Earn, 100)).expect("earn");
    for (kind, points) in [
        (LoyaltyKind::Earn, -5),
        (LoyaltyKind::Earn, 0),
        (LoyaltyKind::ReferralReward, -1),
        (LoyaltyKind::Redeem, 10),
        (LoyaltyKind::Adjust, 0),
    ] {
        assert_eq!(
            field_rules(add(
                &db,
                LoyaltyEntryInput {
                    referred_customer_id: (kind == LoyaltyKind::ReferralReward).then_some(referred),
                    ..entry(member, 2, kind, points)
                }
            )),
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
        rules(&[("points", Rule::NotEnoughPoints)]),
        "101 points cannot be redeemed from 100"
    );
    assert_eq!(
        field_rules(add(&db, entry(member, 2, LoyaltyKind::Adjust, -101))),
        rules(&[("points", Rule::NotEnoughPoints)]),
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
        rules(&[("points", Rule::NotEnoughPoints)]),
        "on the 5th there were no points yet"
    );
    add(&db, entry(member, 20, LoyaltyKind::Redeem, -80)).expect("redeem on the 20th");
    assert_eq!(
        field_rules(add(&db, entry(member, 12, LoyaltyKind::Redeem, -30))),
        rules(&[("points", Rule::NotEnoughPoints)]),
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
    let friend = customer(&db, "王芳");
    let back_dated = add(&db, referral(member, friend, 5, 25)).expect("referral");
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

#[test]
fn a_redemption_beyond_the_balance_names_the_balance() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    add(&db, entry(member, 1, LoyaltyKind::Earn, 120)).expect("earn");
    let Err(headtail_core::Error::Validation(fields)) = add(&db, entry(member, 2, LoyaltyKind::Redeem, -500)) else {
        panic!("must be refused")
    };
    assert_eq!(
        fields,
        vec![headtail_core::error::FieldError {
            field: "points".into(),
            rule: Rule::NotEnoughPoints,
            limit: Some(120)
        }],
        "the error carries the balance so the message can say it"
    );
    assert_eq!(balance(&db, member), 120, "nothing was written");
}

#[test]
fn a_referral_reward_names_an_existing_other_customer() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    let friend = customer(&db, "李娜");
    let cases = [
        (entry(member, 1, LoyaltyKind::ReferralReward, 50), ("referred_customer_id", Rule::Required), "nobody named"),
        (referral(member, member, 1, 50), ("referred_customer_id", Rule::SelfReference), "oneself"),
        (referral(member, 404, 1, 50), ("referred_customer_id", Rule::UnknownReference), "nobody by that id"),
        (
            LoyaltyEntryInput { referred_customer_id: Some(friend), ..entry(member, 1, LoyaltyKind::Earn, 50) },
            ("referred_customer_id", Rule::OutOfRange),
            "only a referral reward names a referred customer",
        ),
    ];
    for (input, expected, why) in cases {
        assert_eq!(field_rules(add(&db, input)), rules(&[expected]), "{why}");
    }
    let reward = add(&db, referral(member, friend, 1, 50)).expect("reward");
    assert_eq!(
        (reward.referred_customer_id, reward.referred_customer_name.as_deref(), reward.balance_after),
        (Some(friend), Some("李娜"), 50)
    );
}

fn order(customer_id: i64, amount_minor: i64) -> OrderInput {
    OrderInput {
        customer_id,
        external_id: None,
        ordered_on: date(3, 4),
        amount_minor,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    }
}

fn set_rate(db: &Database, per_yuan: f64) {
    let input = WorkSettingsInput { loyalty_points_per_yuan: per_yuan, ..WorkSettingsInput::default() };
    db.with_conn(|c| work_settings::save(c, input)).expect("save settings");
}

#[test]
fn an_order_earns_points_only_with_the_rule_on_rounded_down() {
    let (_dir, db) = temp_db();
    let member = customer(&db, "张伟");
    db.with_tx(|tx| orders::create(tx, order(member, 12_345))).expect("order with the rule off");
    assert_eq!(balance(&db, member), 0, "rate 0: no points");

    set_rate(&db, 1.5);
    let sold = db.with_tx(|tx| orders::create(tx, order(member, 12_345))).expect("order");
    let ledger = db.with_conn(|c| loyalty::list(c, member, 0, 0)).expect("ledger");
    let earned = &ledger.items[0];
    assert_eq!(
        (earned.kind, earned.points, earned.order_id, earned.occurred_on),
        (LoyaltyKind::Earn, 185, Some(sold.id), date(3, 4)),
        "123.45 yuan x 1.5 = 185.175, rounded down, on the order's date"
    );
    db.with_tx(|tx| orders::create(tx, order(member, 60))).expect("small order");
    assert_eq!(balance(&db, member), 185, "0.60 yuan x 1.5 = 0.9 earns nothing, and writes no entry");
    assert_eq!(ledger.total, 1);

    set_rate(&db, 0.29);
    db.with_tx(|tx| orders::create(tx, order(member, 29_000))).expect("order");
    assert_eq!(balance(&db, member), 185 + 84, "290 x 0.29 = 84.1 exactly, not 84.099… or 83");
}

#[test]
fn imported_orders_earn_points_that_leave_with_the_import() {
    let (dir, db) = temp_db();
    let csv = "客户编号,客户名称,订单号,下单日期,金额\n\
               M1,张伟,A1,2026-03-01,100.99\n\
               M1,张伟,A2,2026-03-02,0.40\n\
               M2,李娜,A3,2026-03-02,250.00\n";
    let path = dir.path().join("订单.csv");
    std::fs::write(&path, csv).expect("write");
    let options = ImportOptions::new(ImportKind::Orders);
    let import = |db: &Database| {
        let report = db.with_conn(|c| import_file(c, &path, &options, crate::at(10), |_| {})).expect("import");
        assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
        report.batch_id.expect("batch")
    };
    let points = |db: &Database| -> Vec<(String, i64, bool)> {
        db.with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT o.external_id, l.points, l.import_batch_id IS NOT NULL
                 FROM loyalty_ledger l JOIN orders o ON o.id = l.order_id ORDER BY o.external_id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("points")
    };
    let batch = import(&db);
    assert!(points(&db).is_empty(), "the rule is off by default");
    db.with_tx(|tx| revert_batch(tx, batch, crate::at(11))).expect("revert");

    set_rate(&db, 2.0);
    let batch = import(&db);
    assert_eq!(
        points(&db),
        vec![("A1".to_owned(), 201, true), ("A3".to_owned(), 500, true)],
        "100.99 x 2 = 201.98 → 201; 0.40 x 2 = 0.8 earns nothing; 250 x 2 = 500"
    );
    let reverted = db.with_tx(|tx| revert_batch(tx, batch, crate::at(11))).expect("revert");
    assert_eq!((reverted.orders_deleted, reverted.loyalty_entries_deleted), (3, 2));
    assert!(points(&db).is_empty(), "the points left with the orders");
    let left: i64 =
        db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM loyalty_ledger", [], |r| r.get(0))?)).expect("count");
    assert_eq!(left, 0);
}

#[test]
fn points_already_spent_keep_an_import_from_being_reverted() {
    let (dir, db) = temp_db();
    set_rate(&db, 1.0);
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, "客户编号,客户名称,订单号,下单日期,金额\nM1,张伟,A1,2026-03-01,100.00\n").expect("write");
    let options = ImportOptions::new(ImportKind::Orders);
    let report = db.with_conn(|c| import_file(c, &path, &options, crate::at(10), |_| {})).expect("import");
    let batch = report.batch_id.expect("batch");
    let member: i64 = db.with_conn(|c| Ok(c.query_row("SELECT id FROM customers", [], |r| r.get(0))?)).expect("id");
    assert_eq!(balance(&db, member), 100);
    add(&db, entry(member, 5, LoyaltyKind::Redeem, -60)).expect("spend some");
    let err = db.with_tx(|tx| revert_batch(tx, batch, crate::at(11))).expect_err("the points are spent");
    assert!(matches!(err, headtail_core::Error::Conflict(_)), "got {err:?}");
    assert_eq!(balance(&db, member), 40, "nothing changed");
    let orders: i64 =
        db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?)).expect("count");
    assert_eq!(orders, 1);
}
