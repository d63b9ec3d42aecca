use crate::{at, customer, date, field_rules, temp_db};
use headtail_core::customers::{self, PipelineStage};
use headtail_core::error::Rule;
use headtail_core::import::{self, ImportKind, ImportOptions, ImportStatus};
use headtail_core::orders::{self, OrderInput};
use headtail_core::pipeline::{self, PipelineCard, PipelineMoveInput};
use headtail_core::{Database, Error};
use PipelineStage::{Awareness, Decision, Interest, Lost, Purchase, Won};

fn try_move(
    db: &Database,
    id: i64,
    to: PipelineStage,
    reason: Option<&str>,
    day: u32,
) -> headtail_core::Result<PipelineCard> {
    let input = PipelineMoveInput { customer_id: id, to_stage: to, lost_reason: reason.map(str::to_owned) };
    db.with_tx(|tx| pipeline::move_prospect(tx, input, at(day), date(3, 20)))
}

fn go(db: &Database, id: i64, to: PipelineStage, day: u32) {
    let reason = (to == Lost).then_some("预算不足");
    try_move(db, id, to, reason, day).expect("move");
}

fn order(customer_id: i64, on: u32) -> OrderInput {
    OrderInput {
        customer_id,
        external_id: None,
        ordered_on: date(3, on),
        amount_minor: 100,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    }
}

fn moves(db: &Database, id: i64) -> Vec<(Option<String>, Option<String>, String)> {
    db.with_conn(|c| {
        let mut stmt =
            c.prepare("SELECT from_stage, to_stage, moved_at FROM pipeline_moves WHERE customer_id = ?1 ORDER BY id")?;
        let rows =
            stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })
    .expect("moves")
}

fn stage_of(db: &Database, id: i64) -> Option<PipelineStage> {
    db.with_conn(|c| customers::get(c, id)).expect("get").pipeline_stage
}

#[test]
fn a_move_changes_the_stage_and_is_recorded_with_where_it_came_from() {
    let (_dir, db) = temp_db();
    let prospect = customer(&db, "潜在客户");
    go(&db, prospect, Awareness, 2);
    let card = try_move(&db, prospect, Interest, None, 5).expect("move");
    assert_eq!((card.stage, card.days_in_stage), (Interest, 15), "moved on March 5th, seen on the 20th");
    assert_eq!(card.entered_at, "2026-03-05T09:30:00.000Z");
    let profile = db.with_conn(|c| customers::get(c, prospect)).expect("get");
    assert_eq!(profile.pipeline_stage, Some(Interest));
    assert_eq!(profile.updated_at, "2026-03-05T09:30:00.000Z", "a move is a change to the profile");
    assert_eq!(
        moves(&db, prospect),
        vec![
            (None, Some("awareness".into()), "2026-03-02T09:30:00.000Z".into()),
            (Some("awareness".into()), Some("interest".into()), "2026-03-05T09:30:00.000Z".into()),
        ]
    );
    try_move(&db, prospect, Interest, None, 6).expect("same stage");
    assert_eq!(moves(&db, prospect).len(), 2, "a move to the stage it stands at records nothing");
}

#[test]
fn lost_needs_a_reason_and_a_refused_move_changes_nothing() {
    let (_dir, db) = temp_db();
    let prospect = customer(&db, "犹豫客户");
    go(&db, prospect, Decision, 2);
    for reason in [None, Some("   ")] {
        let result = try_move(&db, prospect, Lost, reason, 3);
        assert_eq!(field_rules(result), vec![("lost_reason".to_owned(), Rule::Required)], "reason {reason:?}");
    }
    let long = "因".repeat(pipeline::LOST_REASON_MAX + 1);
    assert_eq!(
        field_rules(try_move(&db, prospect, Lost, Some(&long), 3)),
        vec![("lost_reason".to_owned(), Rule::TooLong)]
    );
    assert_eq!(stage_of(&db, prospect), Some(Decision), "a refused move leaves the stage");
    assert_eq!(moves(&db, prospect).len(), 1, "and records no move");

    let lost = try_move(&db, prospect, Lost, Some("  选了竞品  "), 4).expect("lost with a reason");
    assert_eq!(lost.lost_reason.as_deref(), Some("选了竞品"));
    let back = try_move(&db, prospect, Interest, Some("ignored"), 5).expect("back in the running");
    assert_eq!(back.lost_reason, None, "leaving lost forgets the reason; other stages take none");
}

#[test]
fn moving_a_missing_or_deleted_customer_is_not_found() {
    let (_dir, db) = temp_db();
    let err = try_move(&db, 404, Won, None, 5).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "customer", id: 404 }), "got {err:?}");
    let trashed = customer(&db, "已删除");
    db.with_tx(|tx| customers::soft_delete(tx, trashed, at(2))).expect("delete");
    let err = try_move(&db, trashed, Lost, None, 5).expect_err("deleted");
    assert!(matches!(err, Error::NotFound { .. }), "not found comes before the reason, got {err:?}");
}

/// Seven prospects with these paths (→ moves in order):
///   a: awareness → interest → decision → purchase → won
///   b: awareness → interest → lost
///   c: awareness
///   d: awareness → decision (skipped interest)
///   e: interest → lost          (entered at interest)
///   f: decision → won
///   g: awareness → interest → awareness (moved back)
/// By hand: awareness reached by a, b, c, d, g = 5; later (interest+ or won) a, b, d, g = 4 → 0.8.
/// interest reached by a, b, e, g = 4; later (decision+ or won): a only = 1 → 0.25.
/// decision reached by a, d, f = 3; later (purchase or won): a, f = 2 → 2/3.
/// purchase reached by a = 1; won: a → 1.0. Standing: won a, f; lost b, e → win rate 0.5.
#[test]
fn conversion_per_stage_and_win_rate_match_hand_computed_values() {
    let (_dir, db) = temp_db();
    let paths: [(&str, &[PipelineStage]); 7] = [
        ("a", &[Awareness, Interest, Decision, Purchase, Won]),
        ("b", &[Awareness, Interest, Lost]),
        ("c", &[Awareness]),
        ("d", &[Awareness, Decision]),
        ("e", &[Interest, Lost]),
        ("f", &[Decision, Won]),
        ("g", &[Awareness, Interest, Awareness]),
    ];
    for (name, path) in paths {
        let id = customer(&db, name);
        for (i, &to) in path.iter().enumerate() {
            go(&db, id, to, 1 + i as u32);
        }
    }
    // A deleted customer who reached everything counts nowhere.
    let trashed = customer(&db, "trashed");
    for to in [Awareness, Interest, Decision, Purchase, Won] {
        go(&db, trashed, to, 2);
    }
    db.with_tx(|tx| customers::soft_delete(tx, trashed, at(9))).expect("delete");

    let summary = db.with_conn(pipeline::summary).expect("summary");
    let got: Vec<_> =
        summary.stages.iter().map(|s| (s.stage, s.prospects, s.reached, s.advanced, s.conversion)).collect();
    assert_eq!(
        got,
        vec![
            (Awareness, 2, 5, 4, Some(0.8)),
            (Interest, 0, 4, 1, Some(0.25)),
            (Decision, 1, 3, 2, Some(2.0 / 3.0)),
            (Purchase, 0, 1, 1, Some(1.0)),
            (Won, 2, 2, 0, None),
            (Lost, 2, 2, 0, None),
        ]
    );
    assert_eq!(summary.win_rate, Some(0.5));
}

#[test]
fn a_stage_set_without_moves_counts_as_reached_and_an_empty_board_has_no_rates() {
    let (_dir, db) = temp_db();
    let empty = db.with_conn(pipeline::summary).expect("summary");
    assert!(empty.stages.iter().all(|s| s.conversion.is_none() && s.prospects == 0), "{empty:?}");
    assert_eq!(empty.win_rate, None);

    let id = customer(&db, "旧数据");
    db.with_conn(|c| Ok(c.execute("UPDATE customers SET pipeline_stage = 'decision' WHERE id = ?1", [id])?))
        .expect("stage without a move");
    let summary = db.with_conn(pipeline::summary).expect("summary");
    let decision = &summary.stages[2];
    assert_eq!(
        (decision.stage, decision.prospects, decision.reached, decision.conversion),
        (Decision, 1, 1, Some(0.0))
    );

    go(&db, id, Purchase, 4);
    let summary = db.with_conn(pipeline::summary).expect("summary");
    let decision = &summary.stages[2];
    assert_eq!(
        (decision.prospects, decision.reached, decision.advanced, decision.conversion),
        (0, 1, 1, Some(1.0)),
        "the stage a move came from was reached, even with no move into it"
    );
}

#[test]
fn columns_page_through_the_prospects_longest_in_stage_first() {
    let (_dir, db) = temp_db();
    let mut ids = Vec::new();
    for (name, day) in [("三", 3), ("一", 1), ("二", 2)] {
        let id = customer(&db, name);
        go(&db, id, Interest, day);
        ids.push(id);
    }
    let other = customer(&db, "别处");
    go(&db, other, Awareness, 1);
    customer(&db, "不在漏斗里");

    let first = db.with_conn(|c| pipeline::list_stage(c, Interest, 0, 2, date(3, 20))).expect("page");
    assert_eq!(first.total, 3);
    let names: Vec<_> = first.items.iter().map(|c| (c.name.as_str(), c.days_in_stage)).collect();
    assert_eq!(names, vec![("一", 19), ("二", 18)]);
    let rest = db.with_conn(|c| pipeline::list_stage(c, Interest, 2, 2, date(3, 20))).expect("page");
    assert_eq!(rest.items.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["三"]);

    let board = db.with_conn(|c| pipeline::board(c, 10, date(3, 20))).expect("board");
    let totals: Vec<_> = board.columns.iter().map(|p| p.total).collect();
    assert_eq!(totals, vec![1, 3, 0, 0, 0, 0], "one column per stage in pipeline order");
}

#[test]
fn a_first_order_from_the_form_marks_a_prospect_won_and_later_orders_change_nothing() {
    let (_dir, db) = temp_db();
    let prospect = customer(&db, "要下单的");
    go(&db, prospect, Decision, 2);
    let lost = customer(&db, "回头客");
    go(&db, lost, Lost, 2);
    let outside = customer(&db, "不在漏斗里");
    for id in [prospect, lost, outside] {
        db.with_tx(|tx| orders::create(tx, order(id, 6))).expect("first order");
    }
    assert_eq!(stage_of(&db, prospect), Some(Won));
    assert_eq!(
        moves(&db, prospect).last(),
        Some(&(Some("decision".into()), Some("won".into()), "2026-03-06T00:00:00.000Z".into()))
    );
    assert_eq!(stage_of(&db, lost), Some(Won), "a lost prospect who buys after all is won");
    let lost_profile = db.with_conn(|c| pipeline::list_stage(c, Won, 0, 0, date(3, 20))).expect("won");
    assert!(lost_profile.items.iter().all(|c| c.lost_reason.is_none()), "the lost reason goes with the stage");
    assert_eq!(stage_of(&db, outside), None, "a customer outside the pipeline stays outside");

    // A customer who already bought and is then put back on the board is not won by a second order.
    go(&db, prospect, Purchase, 8);
    db.with_tx(|tx| orders::create(tx, order(prospect, 9))).expect("second order");
    assert_eq!(stage_of(&db, prospect), Some(Purchase), "only a first order marks won");
}

#[test]
fn an_order_import_marks_the_prospects_of_first_orders_won_and_a_dry_run_does_not() {
    let (dir, db) = temp_db();
    let newcomer = customer(&db, "新客户甲");
    go(&db, newcomer, Interest, 2);
    let earlier = customer(&db, "老客户乙");
    db.with_tx(|tx| orders::create(tx, order(earlier, 1))).expect("earlier order");
    go(&db, earlier, Decision, 3);
    let untouched = customer(&db, "没下单丙");
    go(&db, untouched, Awareness, 2);

    let file = dir.path().join("orders.csv");
    std::fs::write(
        &file,
        "客户名称,下单日期,金额\n新客户甲,2026-03-10,100\n新客户甲,2026-03-08,50\n老客户乙,2026-03-10,80\n",
    )
    .expect("write");
    let mut options = ImportOptions::new(ImportKind::Orders);
    options.dry_run = true;
    let dry = db.with_conn(|c| import::import_file(c, &file, &options, at(11), |_| {})).expect("dry run");
    assert_eq!(dry.status, ImportStatus::DryRun, "{:?}", dry.errors);
    assert_eq!(stage_of(&db, newcomer), Some(Interest), "a dry run writes nothing");

    options.dry_run = false;
    let report = db.with_conn(|c| import::import_file(c, &file, &options, at(11), |_| {})).expect("import");
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    assert_eq!(stage_of(&db, newcomer), Some(Won));
    assert_eq!(
        moves(&db, newcomer).last(),
        Some(&(Some("interest".into()), Some("won".into()), "2026-03-08T00:00:00.000Z".into())),
        "won on the day of the first order"
    );
    assert_eq!(stage_of(&db, earlier), Some(Decision), "not a first order");
    assert_eq!(stage_of(&db, untouched), Some(Awareness));
}

#[test]
fn erasing_a_customer_removes_why_they_were_lost() {
    let (_dir, db) = temp_db();
    let id = customer(&db, "王芳");
    try_move(&db, id, Lost, Some("王芳说她丈夫不同意"), 3).expect("lost");
    db.with_tx(|tx| headtail_core::erase::erase_customer(tx, id, at(4)).map(|_| ())).expect("erase");
    let lost = db.with_conn(|c| pipeline::list_stage(c, Lost, 0, 0, date(3, 20))).expect("lost column");
    assert!(lost.items.is_empty(), "an erased customer is off the board");
    let reason: Option<String> = db
        .with_conn(|c| Ok(c.query_row("SELECT pipeline_lost_reason FROM customers WHERE id = ?1", [id], |r| r.get(0))?))
        .expect("read");
    assert_eq!(reason, None, "the reason is free text about the customer");
}

#[test]
fn a_stage_changed_in_the_profile_is_recorded_as_a_move() {
    let (_dir, db) = temp_db();
    let id = customer(&db, "表单客户");
    try_move(&db, id, Lost, Some("预算不足"), 2).expect("lost");
    let mut input = db.with_conn(|c| customers::get(c, id)).expect("get").to_input();
    input.pipeline_stage = Some(Interest);
    db.with_tx(|tx| customers::update(tx, id, input.clone(), at(3))).expect("update");
    assert_eq!(
        moves(&db, id).last(),
        Some(&(Some("lost".into()), Some("interest".into()), "2026-03-03T09:30:00.000Z".into()))
    );
    let card = db.with_conn(|c| pipeline::list_stage(c, Interest, 0, 0, date(3, 20))).expect("interest");
    assert_eq!(card.items[0].lost_reason, None, "back in the running, the loss is forgotten");
    db.with_tx(|tx| customers::update(tx, id, input, at(4))).expect("same stage");
    assert_eq!(moves(&db, id).len(), 2, "an edit that keeps the stage is no move");
}
