use crate::{customer, temp_db};
use chrono::NaiveDate;
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::store::{self, Dimension, MemberFilter, Trigger};
use headtail_core::evaluation::{EvaluationSettings, EvaluationSettingsInput, Lifecycle, Reason, Tier};
use headtail_core::orders::{self, OrderInput, OrderLineInput};
use headtail_core::service_costs::{self, ServiceCostInput};
use headtail_core::{Database, Error};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

pub(crate) fn order(db: &Database, customer_id: i64, on: &str, amount_minor: i64, category: Option<&str>) {
    let input = OrderInput {
        customer_id,
        external_id: None,
        ordered_on: day(on),
        amount_minor,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: vec![OrderLineInput {
            product: "商品".into(),
            category: category.map(str::to_owned),
            quantity: 1,
            amount_minor,
        }],
    };
    db.with_tx(|tx| orders::create(tx, input)).expect("order");
}

fn demo_db(customers: u32) -> (tempfile::TempDir, Database) {
    let (dir, db) = temp_db();
    let settings = DemoSettings::new(customers, 11, day("2026-10-31"));
    db.with_tx(|tx| demo::generate(tx, settings, chrono::Utc::now(), |_, _| {})).expect("demo");
    (dir, db)
}

#[test]
fn a_run_is_stored_with_every_customer_and_its_summary() {
    let (_dir, db) = demo_db(600);
    let mut stages = Vec::new();
    let (run, _) = store::run(&db, day("2026-10-31"), Trigger::Manual, &mut |s, _| stages.push(s)).expect("run");
    assert_eq!(run.customers, 600);
    assert!(stages.len() >= 4, "progress reported: {stages:?}");
    let stored: u32 = db
        .with_conn(|c| {
            Ok(c.query_row("SELECT count(*) FROM evaluation_members WHERE run_id = ?1", [run.id], |r| r.get(0))?)
        })
        .expect("count");
    assert_eq!(stored, 600);
    let tiers: u32 = run.summary.tiers.iter().map(|g| g.customers).sum();
    assert_eq!(tiers, 600, "tiers partition the customers");
    assert!(run.model.clv.purchases.is_some(), "{:?}", run.model.clv.unavailable);

    let runs = db.with_conn(store::runs).expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0], run);

    // The member list filters by tier and orders by contribution.
    let a = db
        .with_conn(|c| store::members(c, run.id, &MemberFilter { tier: Some(Tier::A), ..Default::default() }, 0, 50))
        .expect("members");
    let a_count = run.summary.tiers.iter().find(|g| g.key == "a").map_or(0, |g| g.customers);
    assert_eq!(a.total, a_count);
    assert!(a
        .items
        .windows(2)
        .all(|w| w[0].member.measures.contribution_minor >= w[1].member.measures.contribution_minor));
    assert!(a.items.iter().all(|m| m.member.decision.tier == Tier::A));

    // Reasons come back for a stored member, and agree with what was stored.
    let first = &a.items[0];
    let standing =
        db.with_conn(|c| store::standing(c, first.member.measures.customer_id)).expect("standing").expect("some");
    assert_eq!(standing.member, first.member);
    assert!(standing.reasons.iter().any(|r| matches!(r, Reason::Tier { tier: Tier::A, .. })));

    // Read alone, each customer's figures are those the full run (orders read by two
    // threads, lines apart from orders) found.
    for row in a.items.iter().take(5) {
        let id = row.member.measures.customer_id;
        let alone = store::refresh_customer(&db, id, day("2026-10-31")).expect("refresh").expect("member");
        let alone = store::as_stored(&alone).expect("as stored");
        assert_eq!(alone.measures, row.member.measures, "customer {id}");
    }
    let all = db.with_conn(|c| store::members(c, run.id, &MemberFilter::default(), 0, 500)).expect("members");
    for row in all.items.iter().step_by(37) {
        let id = row.member.measures.customer_id;
        let alone = store::refresh_customer(&db, id, day("2026-10-31")).expect("refresh").expect("member");
        let alone = store::as_stored(&alone).expect("as stored");
        assert_eq!(alone.measures, row.member.measures, "customer {id}");
        assert_eq!(alone.decision, row.member.decision, "customer {id}");
    }

    // The members file has the header and one row per customer.
    let mut csv = Vec::new();
    let rows = db.with_conn(|c| store::members_csv(c, &run, &MemberFilter::default(), None, &mut csv)).expect("csv");
    assert_eq!(rows, 600);
    let text = String::from_utf8(csv).expect("utf-8");
    assert!(text.starts_with("customer_id,external_id,name,recency_days,frequency,monetary,r_score"));
    assert_eq!(text.lines().count(), 601);
}

#[test]
fn history_and_migration_between_runs() {
    let (_dir, db) = temp_db();
    let loyal = customer(&db, "老客户");
    let fading = customer(&db, "渐远客户");
    let prospect = customer(&db, "潜在客户");
    for (i, month) in ["2025-01-10", "2025-03-10", "2025-05-10", "2025-07-10", "2025-09-10"].iter().enumerate() {
        order(&db, loyal, month, 50_000 + i as i64, Some("茶叶"));
    }
    order(&db, fading, "2025-08-01", 2_000, Some("茶具"));
    let (first, _) = store::run(&db, day("2025-09-20"), Trigger::Manual, &mut |_, _| {}).expect("first run");
    let (second, _) = store::run(&db, day("2026-10-01"), Trigger::Manual, &mut |_, _| {}).expect("second run");

    assert_eq!(first.model.categories, ["茶叶", "茶具"], "most bought first");
    let fading_now = db.with_conn(|c| store::standing(c, fading)).expect("standing").expect("member");
    assert_eq!(fading_now.member.measures.categories, 0b10, "bought 茶具 only");
    let loyal_now = db.with_conn(|c| store::standing(c, loyal)).expect("standing").expect("member");
    assert_eq!(loyal_now.member.measures.categories, 0b01);

    let history = db.with_conn(|c| store::history(c, fading)).expect("history");
    assert_eq!(history.iter().map(|h| h.run_id).collect::<Vec<_>>(), [second.id, first.id]);
    assert_eq!(history[1].decision.lifecycle, Lifecycle::New);
    assert_eq!(history[0].decision.lifecycle, Lifecycle::Churned);

    let flows = db.with_conn(|c| store::migration(c, first.id, second.id, Dimension::Lifecycle)).expect("migration");
    let flow = |from: &str, to: &str| {
        flows.iter().find(|f| f.from.as_deref() == Some(from) && f.to.as_deref() == Some(to)).map(|f| f.customers)
    };
    assert_eq!(flow("new", "churned"), Some(1));
    assert_eq!(flow("prospect", "prospect"), Some(1));
    assert_eq!(flows.iter().map(|f| f.customers).sum::<u32>(), 3);
    let _ = prospect;

    assert!(matches!(
        db.with_conn(|c| store::migration(c, first.id, 999, Dimension::Tier)),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn a_new_order_refreshes_one_customer_against_the_stored_model() {
    let (_dir, db) = demo_db(400);
    let (run, _) = store::run(&db, day("2026-10-31"), Trigger::Manual, &mut |_, _| {}).expect("run");
    let page = db.with_conn(|c| store::members(c, run.id, &MemberFilter::default(), 0, 500)).expect("members");
    let lapsed = page
        .items
        .iter()
        .find(|m| m.member.decision.lifecycle == Lifecycle::Churned)
        .expect("a churned customer in the demo")
        .member
        .measures
        .customer_id;
    order(&db, lapsed, "2026-11-02", 30_000, None);
    let started = std::time::Instant::now();
    let refreshed = store::refresh_customer(&db, lapsed, day("2026-11-02")).expect("refresh").expect("member");
    let elapsed = started.elapsed();
    assert_eq!(refreshed.measures.recency_days, Some(0));
    assert_eq!(refreshed.decision.lifecycle, Lifecycle::WonBack);
    assert!(refreshed.measures.p_alive.is_some());
    eprintln!("refresh took {elapsed:?}");
    let standing = db.with_conn(|c| store::standing(c, lapsed)).expect("standing").expect("some");
    assert_eq!(standing.evaluated_on, day("2026-11-02"));
    assert_eq!(standing.member, refreshed);
    // No new run: the model was reused.
    assert_eq!(db.with_conn(store::runs).expect("runs").len(), 1);
}

#[test]
fn service_cost_above_margin_for_three_runs_makes_an_exit_candidate() {
    let (_dir, db) = temp_db();
    let costly = customer(&db, "费时客户");
    let good = customer(&db, "好客户");
    order(&db, good, "2026-01-05", 900_000, None);
    order(&db, good, "2026-02-05", 900_000, None);
    order(&db, costly, "2025-01-15", 5_000, None);
    order(&db, costly, "2025-12-01", 1_000, None);
    order(&db, costly, "2026-01-01", 1_000, None);
    let cost = ServiceCostInput {
        customer_id: costly,
        occurred_on: day("2026-01-02"),
        minutes: Some(120),
        amount_minor: 0,
        currency: None,
        notes: None,
    };
    db.with_tx(|tx| service_costs::create(tx, cost)).expect("service cost");
    let mut steps = Vec::new();
    for as_of in ["2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"] {
        let (run, _) = store::run(&db, day(as_of), Trigger::Manual, &mut |_, _| {}).expect("run");
        let standing = db.with_conn(|c| store::standing(c, costly)).expect("standing").expect("member");
        assert_eq!(standing.member.decision.tier, Tier::D);
        steps.push(standing.member.decision.exit_step.map(|s| s.as_str()));
        assert_eq!(run.summary.exit_candidates, u32::from(steps.last().is_some_and(Option::is_some)));
    }
    assert_eq!(steps, [None, None, Some("self_service"), Some("reduce_cost")]);
    // A second run on the same day does not move the streak on.
    store::run(&db, day("2026-05-01"), Trigger::Manual, &mut |_, _| {}).expect("rerun");
    let standing = db.with_conn(|c| store::standing(c, costly)).expect("standing").expect("member");
    assert_eq!(standing.member.decision.exit_step.map(|s| s.as_str()), Some("reduce_cost"));
}

#[test]
fn settings_are_validated_and_kept_runs_are_pruned() {
    let (_dir, db) = temp_db();
    assert_eq!(db.with_conn(store::settings).expect("settings"), EvaluationSettings::default());
    let bad = EvaluationSettingsInput { churn_days: 0, ..EvaluationSettingsInput::default() };
    assert!(matches!(db.with_conn(|c| store::save_settings(c, &bad)), Err(Error::Validation(_))));
    assert_eq!(db.with_conn(store::settings).expect("unchanged"), EvaluationSettings::default());
    let keep_two = EvaluationSettingsInput { keep_runs: 2, ..EvaluationSettingsInput::default() };
    db.with_conn(|c| store::save_settings(c, &keep_two)).expect("save");
    let buyer = customer(&db, "客户");
    order(&db, buyer, "2026-01-01", 1_000, None);
    for as_of in ["2026-02-01", "2026-03-01", "2026-04-01"] {
        store::run(&db, day(as_of), Trigger::Manual, &mut |_, _| {}).expect("run");
    }
    let runs = db.with_conn(store::runs).expect("runs");
    assert_eq!(runs.iter().map(|r| r.as_of.to_string()).collect::<Vec<_>>(), ["2026-04-01", "2026-03-01"]);
    let count = |sql: &str| -> u32 { db.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).expect(sql) };
    assert_eq!(count("SELECT count(*) FROM evaluation_members"), 1, "only the latest run keeps rows");
    assert_eq!(
        count("SELECT count(DISTINCT run_id) FROM evaluation_archive"),
        2,
        "the archives of removed runs go with them"
    );
}

#[test]
fn a_half_saved_run_is_never_shown_and_is_cleared_by_the_next() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "客户");
    order(&db, buyer, "2026-01-01", 1_000, None);
    db.with_conn(|c| {
        c.execute(
            "INSERT INTO evaluation_runs (as_of, started_at, finished_at, trigger, currency, settings, model, summary,
               customers, seconds, complete)
             VALUES ('2026-02-01', 'x', '', 'manual', 'CNY', '{}', '{}', '{}', 1, 0, 0)",
            [],
        )?;
        Ok(())
    })
    .expect("insert a crashed run");
    assert!(db.with_conn(store::runs).expect("runs").is_empty());
    assert!(db.with_conn(store::latest_run).expect("latest").is_none());
    let (run, _) = store::run(&db, day("2026-02-02"), Trigger::Manual, &mut |_, _| {}).expect("run");
    let rows: Vec<(i64, i64)> = db
        .with_conn(|c| {
            let mut stmt = c.prepare("SELECT id, complete FROM evaluation_runs")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .expect("rows");
    assert_eq!(rows, [(run.id, 1)]);
}
