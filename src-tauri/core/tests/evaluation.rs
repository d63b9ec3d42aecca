//! The evaluation engine on hand-made purchase histories (each lifecycle transition) and on
//! seeded random customer bases (properties that must hold for any data).

use chrono::NaiveDate;
use headtail_core::evaluation::{
    day_number, decide, evaluate, measure, CustomerFacts, EvaluationSettings, EvaluationSettingsInput, ExitStep,
    Lifecycle, Member, Model, NextActionKind, Population, PreviousRun, Reason, ServiceLevel, Tier,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

const AS_OF: &str = "2026-06-30";

fn days_before(as_of: NaiveDate, offsets: &[i64]) -> Vec<i32> {
    let mut days: Vec<i32> = offsets.iter().map(|&o| day_number(as_of - chrono::Duration::days(o))).collect();
    days.sort_unstable();
    days
}

/// A model with no population: cut points empty, no CLV, so only per-customer rules act.
fn empty_model(as_of: NaiveDate) -> Model {
    evaluate(Population::default(), &EvaluationSettings::default(), as_of, "CNY", &mut |_, _| {}).0
}

fn stage(offsets: &[i64], p_alive: Option<f64>, previous: Option<PreviousRun>) -> (Lifecycle, Vec<Reason>) {
    stage_at(date(AS_OF), offsets, p_alive, previous)
}

fn stage_at(
    as_of: NaiveDate,
    offsets: &[i64],
    p_alive: Option<f64>,
    previous: Option<PreviousRun>,
) -> (Lifecycle, Vec<Reason>) {
    let days = days_before(as_of, offsets);
    let facts = CustomerFacts { customer_id: 1, orders: days.len() as u32, previous, ..CustomerFacts::default() };
    let mut m = measure(&facts, &days, as_of);
    m.p_alive = p_alive;
    let mut reasons = Vec::new();
    let d = decide(&m, &empty_model(as_of), &EvaluationSettings::default(), Some(&mut reasons));
    (d.lifecycle, reasons)
}

#[test]
fn each_lifecycle_stage_from_a_purchase_history() {
    assert_eq!(stage(&[], None, None).0, Lifecycle::Prospect);
    assert_eq!(stage(&[10], None, None).0, Lifecycle::New);
    let (lapsed, why) = stage(&[100], None, None);
    assert_eq!(lapsed, Lifecycle::AtRisk);
    assert!(why.contains(&Reason::OneTimeLapsed { days: 100, limit: 90 }), "{why:?}");
    assert_eq!(stage(&[60, 30, 10], None, None).0, Lifecycle::Repeat);
    let (gap, why) = stage(&[100, 90, 80], None, None);
    assert_eq!(gap, Lifecycle::AtRisk);
    assert!(why.contains(&Reason::GapExceeded { days: 80, median_gap_days: 10, multiple: 2.0 }), "{why:?}");
    // Loyal: 5 purchases over 8 months, P(alive) >= 0.8; without the probability, repeat.
    let loyal = [250, 190, 130, 70, 10];
    assert_eq!(stage(&loyal, Some(0.9), None).0, Lifecycle::Loyal);
    assert_eq!(stage(&loyal, Some(0.7), None).0, Lifecycle::Repeat);
    assert_eq!(stage(&loyal, None, None).0, Lifecycle::Loyal, "no model: the purchase rules alone");
    assert_eq!(stage(&[50, 30, 10], Some(0.9), None).0, Lifecycle::Repeat, "span too short for loyal");
    let lapsing = [280, 220, 160, 100, 40];
    assert_eq!(stage(&lapsing, Some(0.3), None).0, Lifecycle::AtRisk);
    assert_eq!(stage(&lapsing, Some(0.05), None).0, Lifecycle::Churned);
    // A purchase within the month outweighs a low P(alive) and a missed rhythm.
    assert_eq!(stage(&loyal, Some(0.05), None).0, Lifecycle::Repeat);
    assert_eq!(stage(&[33, 32, 31, 25], None, None).0, Lifecycle::Repeat);
    assert_eq!(stage(&[33, 32, 31], None, None).0, Lifecycle::AtRisk, "31 days: past the month");
    let (churned, why) = stage(&[400, 380], None, None);
    assert_eq!(churned, Lifecycle::Churned);
    assert!(why.contains(&Reason::NoPurchaseFor { days: 380, limit: 365 }), "{why:?}");
    let (back, why) = stage(&[900, 10], None, None);
    assert_eq!(back, Lifecycle::WonBack);
    assert!(why.contains(&Reason::ReturnedAfterGap { gap_days: 890, limit: 365 }), "{why:?}");
    // The next purchase after coming back makes a repeat buyer again.
    assert_eq!(stage(&[900, 10, 5], None, None).0, Lifecycle::Repeat);
}

#[test]
fn a_customer_the_last_run_called_churned_who_buys_again_is_won_back() {
    let as_of = date(AS_OF);
    let previous =
        PreviousRun { as_of: day_number(as_of) - 30, lifecycle: Lifecycle::Churned, low_value_runs: 0, exit_runs: 0 };
    assert_eq!(stage(&[200, 20], Some(0.2), Some(previous)).0, Lifecycle::WonBack, "bought this month");
    assert_eq!(stage(&[200, 60, 45], Some(0.2), Some(previous)).0, Lifecycle::AtRisk, "P(alive) still low");
    assert_eq!(stage(&[200, 20], None, Some(previous)).0, Lifecycle::WonBack);
    assert_eq!(stage(&[200, 40], None, Some(previous)).0, Lifecycle::Repeat, "bought before that run");
}

#[test]
fn one_customer_through_the_years() {
    // First purchase 2024-01-10; evaluated on a series of dates with purchases added.
    let first = date("2024-01-10");
    let history = |purchases: &[&str], on: &str| {
        let as_of = date(on);
        let offsets: Vec<i64> = purchases.iter().map(|p| (as_of - date(p)).num_days()).collect();
        stage_at(as_of, &offsets, None, None).0
    };
    let _ = first;
    assert_eq!(history(&[], "2024-01-01"), Lifecycle::Prospect);
    assert_eq!(history(&["2024-01-10"], "2024-02-01"), Lifecycle::New);
    assert_eq!(history(&["2024-01-10"], "2024-05-01"), Lifecycle::AtRisk);
    assert_eq!(history(&["2024-01-10", "2024-05-10"], "2024-05-20"), Lifecycle::Repeat);
    assert_eq!(history(&["2024-01-10", "2024-05-10"], "2025-06-01"), Lifecycle::Churned);
    assert_eq!(history(&["2024-01-10", "2024-05-10", "2025-07-01"], "2025-07-05"), Lifecycle::WonBack);
    let loyal = ["2024-01-10", "2024-05-10", "2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01"];
    assert_eq!(history(&loyal, "2025-10-10"), Lifecycle::Loyal);
}

/// A customer base of `n` with a few heavy buyers, a long tail, prospects and service costs,
/// the same for the same seed.
fn random_population(seed: u64, n: usize, as_of: NaiveDate) -> Population {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut below = |n: u64| rng.random_range(0..n);
    let today = day_number(as_of);
    let mut population =
        Population { categories: vec!["茶".into(), "杯".into(), "书".into()], ..Population::default() };
    for id in 1..=n as i64 {
        let kind = below(10);
        let purchases = match kind {
            0 => 0,
            1 => 5 + below(30),
            _ => 1 + below(4),
        };
        let mut days: Vec<i32> = (0..purchases).map(|_| today - below(1000) as i32).collect();
        days.sort_unstable();
        days.dedup();
        let mut facts = CustomerFacts { customer_id: id, orders: days.len() as u32, ..CustomerFacts::default() };
        for (k, &day) in days.iter().enumerate() {
            let amount = if kind == 1 { 50_000 + below(200_000) as i64 } else { 1_000 + below(20_000) as i64 };
            let margin = amount * 3 / 10;
            facts.lifetime_revenue_minor += amount;
            facts.lifetime_margin_minor += margin;
            if k == 0 {
                facts.first_day_revenue_minor = amount;
            }
            if day > today - 365 {
                facts.window_orders += 1;
                facts.window_revenue_minor += amount;
                facts.window_margin_minor += margin;
            } else if day > today - 730 {
                facts.previous_window_revenue_minor += amount;
            }
        }
        facts.window_service_cost_minor = if below(5) == 0 { below(30_000) as i64 } else { 0 };
        facts.lifetime_service_cost_minor = facts.window_service_cost_minor;
        facts.categories = below(8);
        facts.is_kol = below(100) == 0;
        facts.open_complaints = u32::from(below(50) == 0);
        population.push(facts, &days);
    }
    population
}

fn run(seed: u64, n: usize) -> (Model, Vec<Member>) {
    let as_of = date(AS_OF);
    evaluate(random_population(seed, n, as_of), &EvaluationSettings::default(), as_of, "CNY", &mut |_, _| {})
}

#[test]
fn properties_hold_for_random_customer_bases() {
    for (seed, n) in [(1, 50), (2, 500), (3, 3000)] {
        let (model, members) = run(seed, n);
        assert_eq!(members.len(), n);
        assert!(model.clv.purchases.is_some(), "seed {seed}: {:?}", model.clv.unavailable);
        let mut by_value: std::collections::HashMap<(u32, u32, i64), (u8, u8, u8)> = Default::default();
        let mut tier_contribution = [0_i64; 4];
        for Member { measures: m, decision: d } in &members {
            if m.purchase_days == 0 {
                assert_eq!((d.r_score, d.segment, d.lifecycle), (None, None, Lifecycle::Prospect));
                let level = if d.influential { ServiceLevel::Priority } else { ServiceLevel::Standard };
                assert_eq!((d.tier, d.service_level), (Tier::Prospect, level));
                continue;
            }
            let scores = (d.r_score.expect("r"), d.f_score.expect("f"), d.m_score.expect("m"));
            for s in [scores.0, scores.1, scores.2] {
                assert!((1..=5).contains(&s), "score {s}");
            }
            // Equal raw values, equal scores.
            let key = (m.recency_days.expect("recency"), m.frequency, m.monetary_minor);
            assert_eq!(*by_value.entry(key).or_insert(scores), scores, "{key:?}");
            let p = m.p_alive.expect("P(alive) for every buyer");
            assert!((0.0..=1.0).contains(&p), "P(alive) {p}");
            let e = m.expected_purchases.expect("expected purchases");
            assert!(e.is_finite() && e >= 0.0);
            assert!(m.predicted_clv_minor.expect("clv") >= 0);
            let t = match d.tier {
                Tier::A => 0,
                Tier::B => 1,
                Tier::C => 2,
                Tier::D => 3,
                Tier::Prospect => unreachable!("buyers are in a tier"),
            };
            tier_contribution[t] += m.contribution_minor;
            assert_eq!(d.tier == Tier::D, m.contribution_minor <= 0);
            assert!(d.exit_step.is_none(), "no run before: no exit");
        }
        // Tiers A-C share out exactly the positive total, with A covering at least 70 %.
        let positive = model.tiers.total_positive_minor;
        assert_eq!(tier_contribution[0] + tier_contribution[1] + tier_contribution[2], positive);
        let shares: Vec<f64> = tier_contribution[..3].iter().map(|&c| c as f64 / positive as f64).collect();
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(shares[0] >= 0.7 && shares[0] + shares[1] >= 0.9, "{shares:?}");
        // Contribution ranks: every A beats every B, every B every C.
        let least = |tier: Tier| {
            members.iter().filter(|m| m.decision.tier == tier).map(|m| m.measures.contribution_minor).min()
        };
        let most = |tier: Tier| {
            members.iter().filter(|m| m.decision.tier == tier).map(|m| m.measures.contribution_minor).max()
        };
        if let (Some(a), Some(b)) = (least(Tier::A), most(Tier::B)) {
            assert!(a > b);
        }
        if let (Some(b), Some(c)) = (least(Tier::B), most(Tier::C)) {
            assert!(b > c);
        }
    }
}

#[test]
fn a_run_is_deterministic_and_reasons_match_the_decisions() {
    let (model, first) = run(7, 800);
    let (_, again) = run(7, 800);
    assert_eq!(first, again);
    let settings = EvaluationSettings::default();
    for member in first.iter().take(200) {
        let mut reasons = Vec::new();
        let decision = decide(&member.measures, &model, &settings, Some(&mut reasons));
        assert_eq!(decision, member.decision);
        assert!(reasons.iter().any(|r| matches!(r, Reason::Tier { tier, .. } if *tier == decision.tier)));
        assert!(reasons.iter().any(|r| matches!(r, Reason::Lifecycle { stage } if *stage == decision.lifecycle)));
        if let Some(r) = decision.r_score {
            assert!(reasons.iter().any(|x| matches!(x, Reason::Recency { score, .. } if *score == r)));
        }
        let level = decision.service_level;
        let expected = match decision.tier {
            Tier::A => ServiceLevel::Vip,
            Tier::B => ServiceLevel::Priority,
            _ if decision.potential_head || decision.influential => ServiceLevel::Priority,
            Tier::C | Tier::Prospect => ServiceLevel::Standard,
            Tier::D => ServiceLevel::SelfService,
        };
        assert_eq!(level, expected);
        if member.measures.open_complaints > 0 {
            assert_eq!(decision.next_action, Some(NextActionKind::ResolveComplaint));
        }
    }
}

#[test]
fn low_value_customers_become_exit_candidates_after_three_runs_and_step_down_gradually() {
    let as_of = date(AS_OF);
    let days = days_before(as_of, &[300, 20]);
    let facts = |low_value_runs: u32, exit_runs: u32| CustomerFacts {
        customer_id: 9,
        orders: 2,
        lifetime_revenue_minor: 2_000,
        lifetime_margin_minor: 600,
        window_orders: 2,
        window_revenue_minor: 2_000,
        window_margin_minor: 600,
        window_service_cost_minor: 5_000,
        lifetime_service_cost_minor: 5_000,
        previous_window_revenue_minor: 3_000,
        previous: Some(PreviousRun {
            as_of: day_number(as_of) - 30,
            lifecycle: Lifecycle::Repeat,
            low_value_runs,
            exit_runs,
        }),
        ..CustomerFacts::default()
    };
    let model = empty_model(as_of);
    let settings = EvaluationSettings::default();
    let step = |low: u32, exits: u32| {
        let m = measure(&facts(low, exits), &days, as_of);
        let d = decide(&m, &model, &settings, None);
        assert_eq!(d.tier, Tier::D);
        (d.low_value_runs, d.exit_step, d.exit_runs)
    };
    assert_eq!(step(0, 0), (1, None, 0));
    assert_eq!(step(1, 0), (2, None, 0));
    assert_eq!(step(2, 0), (3, Some(ExitStep::SelfService), 1));
    assert_eq!(step(3, 1), (4, Some(ExitStep::ReduceCost), 2));
    assert_eq!(step(4, 2), (5, Some(ExitStep::Reprice), 3));
    assert_eq!(step(9, 7), (10, Some(ExitStep::LetGo), 8));
    // Growth keeps a customer off the exit list.
    let mut growing = facts(5, 0);
    growing.previous_window_revenue_minor = 1_000;
    let d = decide(&measure(&growing, &days, as_of), &model, &settings, None);
    assert_eq!(d.exit_step, None);
}

#[test]
fn degenerate_data_leaves_clv_empty_with_a_reason_never_nan() {
    let as_of = date(AS_OF);
    let mut population = Population::default();
    for id in 1..=20 {
        let days = days_before(as_of, &[id * 3]);
        population.push(
            CustomerFacts { customer_id: id, orders: 1, lifetime_revenue_minor: 100, ..CustomerFacts::default() },
            &days,
        );
    }
    let (model, members) = evaluate(population, &EvaluationSettings::default(), as_of, "CNY", &mut |_, _| {});
    assert!(model.clv.unavailable.is_some());
    assert!(members.iter().all(|m| m.measures.p_alive.is_none() && m.measures.predicted_clv_minor.is_none()));
    let mut reasons = Vec::new();
    decide(&members[0].measures, &model, &EvaluationSettings::default(), Some(&mut reasons));
    assert!(reasons.iter().any(|r| matches!(r, Reason::ClvUnavailable { .. })), "{reasons:?}");
    let json = serde_json::to_value(&members[0].measures).expect("json");
    assert_eq!((json["p_alive"].is_null(), json["predicted_clv_minor"].is_null()), (true, true));
}

#[test]
fn invalid_settings_are_refused() {
    // Settings that reach the engine were checked when made, or when read back.
    let input = EvaluationSettingsInput { tier_a_share: 1.5, ..EvaluationSettingsInput::default() };
    let result = EvaluationSettings::new(input.clone());
    assert!(matches!(result, Err(headtail_core::Error::Validation(_))));
    let json = serde_json::to_string(&input).expect("json");
    assert!(serde_json::from_str::<EvaluationSettings>(&json).is_err());
}
