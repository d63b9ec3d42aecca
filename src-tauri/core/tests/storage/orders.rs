use crate::{at, customer, date, field_rules, rules, temp_db};
use headtail_core::customers::SalesChannel;
use headtail_core::error::Rule;
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::import::{self, ImportKind, ImportOptions, ImportStatus};
use headtail_core::loyalty::{self, LoyaltyEntryInput, LoyaltyKind};
use headtail_core::orders::{self, Order, OrderInput, OrderLineInput};
use headtail_core::{Database, Error};

pub fn order(customer_id: i64, on: chrono::NaiveDate, amount_minor: i64) -> OrderInput {
    OrderInput {
        customer_id,
        external_id: None,
        ordered_on: on,
        amount_minor,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    }
}

fn line(product: &str, quantity: i64, amount_minor: i64) -> OrderLineInput {
    OrderLineInput { product: product.into(), category: None, quantity, amount_minor }
}

fn add(db: &Database, input: OrderInput) -> Order {
    db.with_tx(|tx| orders::create(tx, input)).expect("create order")
}

#[test]
fn create_then_get_round_trips_the_order_and_its_lines() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "张伟");
    let created = add(
        &db,
        OrderInput {
            external_id: Some(" TB-20260301-001 ".into()),
            currency: Some("usd".into()),
            cost_minor: Some(6_000),
            channel: Some(SalesChannel::Marketplace),
            lines: vec![
                OrderLineInput { category: Some(" 茶叶 ".into()), ..line(" 西湖龙井 250g ", 2, 8_000) },
                line("紫砂壶", 1, 2_000),
            ],
            ..order(buyer, date(3, 1), 10_000)
        },
    );
    let read = db.with_conn(|c| orders::get(c, created.id)).expect("get");
    assert_eq!(read, created, "get returns what create returned");
    assert_eq!(read.external_id.as_deref(), Some("TB-20260301-001"), "the order number is trimmed");
    assert_eq!(read.currency, "USD", "currency codes are upper-cased");
    assert_eq!((read.amount_minor, read.cost_minor), (10_000, Some(6_000)));
    let lines: Vec<(&str, Option<&str>, i64, i64)> =
        read.lines.iter().map(|l| (l.product.as_str(), l.category.as_deref(), l.quantity, l.amount_minor)).collect();
    assert_eq!(
        lines,
        vec![("西湖龙井 250g", Some("茶叶"), 2, 8_000), ("紫砂壶", None, 1, 2_000)],
        "lines come back trimmed, in the order given"
    );
    let plain = add(&db, order(buyer, date(3, 2), 500));
    assert_eq!(plain.currency, "CNY", "the default currency is CNY");
}

#[test]
fn an_invalid_order_is_rejected_with_every_failing_field() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "张伟");
    let input = OrderInput {
        currency: Some("RMB1".into()),
        cost_minor: Some(-1),
        lines: vec![line("  ", 0, -5)],
        ..order(buyer, date(3, 1), -100)
    };
    assert_eq!(
        field_rules(db.with_tx(|tx| orders::create(tx, input))),
        rules(&[
            ("amount", Rule::OutOfRange),
            ("cost", Rule::OutOfRange),
            ("currency", Rule::InvalidChoice),
            ("product", Rule::Required),
            ("quantity", Rule::OutOfRange),
            ("line_amount", Rule::OutOfRange),
        ])
    );
    assert_eq!(db.with_conn(|c| orders::list_for_customer(c, buyer, 0, 0)).expect("list").total, 0);
}

#[test]
fn an_order_for_an_unknown_customer_is_an_unknown_reference() {
    let (_dir, db) = temp_db();
    let result = db.with_tx(|tx| orders::create(tx, order(404, date(3, 1), 100)));
    assert_eq!(field_rules(result), rules(&[("customer_id", Rule::UnknownReference)]));
}

#[test]
fn an_order_number_already_used_is_taken() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    add(&db, OrderInput { external_id: Some("POS-1".into()), ..order(buyer, date(3, 1), 100) });
    let again = OrderInput { external_id: Some("POS-1".into()), ..order(other, date(3, 2), 200) };
    assert_eq!(
        field_rules(db.with_tx(|tx| orders::create(tx, again))),
        rules(&[("external_id", Rule::Taken)]),
        "order numbers are unique across customers"
    );
}

#[test]
fn list_for_customer_is_newest_first_with_lines_and_pages_without_overlap() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let early = add(&db, order(buyer, date(1, 5), 100));
    let same_day_first = add(&db, OrderInput { lines: vec![line("茶", 1, 200)], ..order(buyer, date(3, 1), 200) });
    let same_day_second = add(&db, order(buyer, date(3, 1), 300));
    let late = add(&db, order(buyer, date(4, 1), 400));
    add(&db, order(other, date(5, 1), 999));

    let page = |offset, limit| db.with_conn(|c| orders::list_for_customer(c, buyer, offset, limit)).expect("list");
    let ids = |p: &headtail_core::page::Page<Order>| p.items.iter().map(|o| o.id).collect::<Vec<_>>();
    let all = page(0, 0);
    assert_eq!(all.total, 4, "only this customer's orders count");
    assert_eq!(
        ids(&all),
        vec![late.id, same_day_second.id, same_day_first.id, early.id],
        "newest first; on one day the later entry first"
    );
    assert_eq!(all.items[2].lines.len(), 1, "listed orders carry their lines");
    let (first, second) = (page(0, 2), page(2, 2));
    assert_eq!(ids(&first), vec![late.id, same_day_second.id]);
    assert_eq!(ids(&second), vec![same_day_first.id, early.id]);
    assert_eq!(second.total, 4, "every page reports the whole count");
}

#[test]
fn delete_removes_the_order_and_its_lines_and_keeps_the_points_earned_on_it() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "张伟");
    let sold = add(&db, OrderInput { lines: vec![line("茶", 1, 100)], ..order(buyer, date(3, 1), 100) });
    let earned = db
        .with_tx(|tx| {
            loyalty::create(
                tx,
                LoyaltyEntryInput {
                    customer_id: buyer,
                    occurred_on: date(3, 1),
                    kind: LoyaltyKind::Earn,
                    points: 10,
                    order_id: Some(sold.id),
                    notes: None,
                    referred_customer_id: None,
                },
            )
        })
        .expect("earn");

    db.with_tx(|tx| orders::delete(tx, sold.id)).expect("delete");
    let err = db.with_conn(|c| orders::get(c, sold.id)).expect_err("gone");
    assert!(matches!(err, Error::NotFound { entity: "order", .. }), "got {err:?}");
    let lines: i64 =
        db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM order_lines", [], |r| r.get(0))?)).expect("count lines");
    assert_eq!(lines, 0, "an order's lines go with it");
    let entry = db.with_conn(|c| loyalty::get(c, earned.id)).expect("entry");
    assert_eq!((entry.points, entry.order_id), (10, None), "the points stay, the link to the order goes");

    let err = db.with_tx(|tx| orders::delete(tx, sold.id)).expect_err("twice");
    assert!(matches!(err, Error::NotFound { .. }), "deleting twice is an error, got {err:?}");
}

/// (purchase days, evaluated on) of a customer's standing in the latest run.
fn standing_of(db: &Database, customer: i64) -> (u32, chrono::NaiveDate) {
    let s = db.with_conn(|c| store::standing(c, customer)).expect("standing").expect("in the run");
    (s.member.measures.purchase_days, s.evaluated_on)
}

#[test]
fn orders_from_the_form_or_an_import_bring_their_customers_standings_up_to_date() {
    let (dir, db) = temp_db();
    let (first, second, untouched) = (customer(&db, "甲"), customer(&db, "乙"), customer(&db, "丙"));
    for id in [first, second, untouched] {
        add(&db, order(id, date(1, 5), 10_000));
    }
    store::run(&db, date(3, 1), Trigger::Manual, &mut |_, _| {}).expect("run");
    assert_eq!(standing_of(&db, first), (1, date(3, 1)));

    let recorded = orders::record(&db, order(first, date(3, 4), 5_000), date(3, 5)).expect("record");
    assert_eq!(recorded.value.customer_id, first);
    assert_eq!(recorded.standings.expect("refreshed").customers, 1);
    assert_eq!(standing_of(&db, first), (2, date(3, 5)));

    // 乙 is matched by name; 丁 is new, so not in the run and left for the next one.
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, "客户名称,下单日期,金额\n乙,2026-03-06,20\n乙,2026-03-07,20\n丁,2026-03-07,5\n")
        .expect("write");
    let options = ImportOptions::new(ImportKind::Orders);
    let dry = import::import_into(&db, &file, &ImportOptions { dry_run: true, ..options.clone() }, at(10), |_| {})
        .expect("dry run");
    assert_eq!(dry.value.status, ImportStatus::DryRun);
    assert_eq!(dry.standings.expect("nothing to do").customers, 0);
    assert_eq!(standing_of(&db, second), (1, date(3, 1)), "a dry run changes no standing");
    let imported = import::import_into(&db, &file, &options, at(10), |_| {}).expect("import");
    assert_eq!(imported.value.status, ImportStatus::Imported);
    assert_eq!(imported.standings.expect("refreshed").customers, 1);
    assert_eq!(standing_of(&db, second), (3, date(3, 10)));
    assert_eq!(standing_of(&db, untouched), (1, date(3, 1)), "no new order, the run's standing");
    assert_eq!(db.with_conn(store::runs).expect("runs").len(), 1, "no new run");
}

#[test]
fn without_a_run_recorded_orders_refresh_nobody() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "张伟");
    let recorded = orders::record(&db, order(buyer, date(3, 4), 5_000), date(3, 5)).expect("record");
    assert_eq!(recorded.standings.expect("nothing to refresh").customers, 0);
    assert_eq!(db.with_conn(|c| store::standing(c, buyer)).expect("standing"), None);
}
