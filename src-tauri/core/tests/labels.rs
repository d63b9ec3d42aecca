//! Labels that never contradict each other, on generated customer bases of every size from one
//! customer to a few thousand: a shop's first buyer, a shop whose whole base bought this month,
//! a base of old lapsed buyers, and everything between.
//!
//! - Nobody who bought within the last 30 days is called hibernating, at risk, churned or
//!   lapsed in any family of labels (RFM segment, the eight classes, lifecycle stage,
//!   behaviour, next action, or any reason given).
//! - Nobody who has not bought for more than a year is a champion, new or promising buyer.
//! - A prospect (no purchase yet) is in no value tier, never below standard service, never on
//!   an exit plan, and has no RFM label.

use chrono::NaiveDate;
use headtail_core::evaluation::{
    day_number, decide, evaluate, Behaviour, CustomerFacts, EvaluationSettings, Lifecycle, Member, NextActionKind,
    Population, PreviousRun, Reason, RfmSegment, ServiceLevel, Tier, ValueClass,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RECENT_DAYS: u32 = 30;
const YEAR_DAYS: u32 = 365;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("date")
}

/// What kind of customer base to generate; the customers themselves come from `seed`.
#[derive(Debug, Clone)]
struct Shape {
    customers: usize,
    seed: u64,
    /// Per mille of customers who never bought.
    prospects: u32,
    /// Per mille of buyers whose last purchase is within the last 30 days.
    recent: u32,
    /// How far back the other buyers' purchases go, in days.
    history_days: u32,
    /// Most purchases one buyer makes.
    most_purchases: u32,
    /// Per mille of customers the last run had as low value, exit candidate or churned.
    with_past: u32,
}

fn shapes(most_customers: usize) -> impl Strategy<Value = Shape> {
    (1..=most_customers, any::<u64>(), 0..=600_u32, 0..=1000_u32, 31..=2000_u32, 1..=40_u32, 0..=1000_u32).prop_map(
        |(customers, seed, prospects, recent, history_days, most_purchases, with_past)| Shape {
            customers,
            seed,
            prospects,
            recent,
            history_days,
            most_purchases,
            with_past,
        },
    )
}

fn population(shape: &Shape) -> Population {
    let mut rng = ChaCha8Rng::seed_from_u64(shape.seed);
    let today = day_number(as_of());
    let mut population = Population { categories: vec!["茶".into(), "杯".into()], ..Population::default() };
    for id in 1..=shape.customers as i64 {
        let mut facts = CustomerFacts { customer_id: id, ..CustomerFacts::default() };
        let mut days = Vec::new();
        if rng.random_range(0..1000) >= shape.prospects {
            let purchases = rng.random_range(1..=shape.most_purchases);
            let recent = rng.random_range(0..1000) < shape.recent;
            let last = if recent {
                rng.random_range(0..=RECENT_DAYS as i32)
            } else {
                rng.random_range(0..=shape.history_days as i32)
            };
            days.push(today - last);
            for _ in 1..purchases {
                days.push(today - last - rng.random_range(1..=shape.history_days as i32));
            }
            days.sort_unstable();
            days.dedup();
        }
        for &day in &days {
            let amount = match rng.random_range(0..20) {
                0 => rng.random_range(100_000..5_000_000),
                _ => rng.random_range(500..60_000),
            };
            let margin = amount * 3 / 10;
            facts.orders += 1;
            facts.lifetime_revenue_minor += amount;
            facts.lifetime_margin_minor += margin;
            if day == days[0] {
                facts.first_day_revenue_minor = amount;
            }
            if day > today - YEAR_DAYS as i32 {
                facts.window_orders += 1;
                facts.window_revenue_minor += amount;
                facts.window_margin_minor += margin;
            } else if day > today - 2 * YEAR_DAYS as i32 {
                facts.previous_window_revenue_minor += amount;
            }
        }
        if rng.random_range(0..4) == 0 {
            facts.window_service_cost_minor = rng.random_range(0..50_000);
            facts.lifetime_service_cost_minor = facts.window_service_cost_minor;
        }
        facts.is_kol = rng.random_range(0..200) == 0;
        facts.categories = rng.random_range(0..4);
        if rng.random_range(0..1000) < shape.with_past {
            let lifecycle = if rng.random_range(0..2) == 0 { Lifecycle::Churned } else { Lifecycle::AtRisk };
            facts.previous = Some(PreviousRun {
                as_of: today - 30,
                lifecycle,
                low_value_runs: rng.random_range(0..6),
                exit_runs: rng.random_range(0..4),
            });
        }
        population.push(facts, &days);
    }
    population
}

/// Every contradiction in one evaluation of the shape, as sentences; none when it holds.
fn contradictions(shape: &Shape) -> Vec<String> {
    let settings = EvaluationSettings::default();
    let (model, members) = evaluate(population(shape), &settings, as_of(), "CNY", &mut |_, _| {});
    let mut found = Vec::new();
    for Member { measures: m, decision: d } in &members {
        let mut reasons = Vec::new();
        decide(m, &model, &settings, Some(&mut reasons));
        let mut say = |what: String| {
            if found.len() < 5 {
                found.push(format!("customer {} of {} ({} buyers): {what}", m.customer_id, members.len(), model.buyers))
            }
        };
        match m.recency_days {
            None => {
                if matches!(d.tier, Tier::A | Tier::B | Tier::C | Tier::D) {
                    say(format!("prospect in value tier {:?}", d.tier));
                }
                if d.service_level == ServiceLevel::SelfService {
                    say("prospect below standard service".into());
                }
                if d.exit_step.is_some() || d.next_action == Some(NextActionKind::ExitPlan) || d.exit_runs > 0 {
                    say("prospect on an exit plan".into());
                }
                if d.low_value_runs > 0 {
                    say(format!("prospect counted low value for {} runs", d.low_value_runs));
                }
                if d.r_score.is_some() || d.segment.is_some() || d.value_class.is_some() || d.behaviour.is_some() {
                    say(format!("prospect with RFM labels {:?} {:?} {:?}", d.segment, d.value_class, d.behaviour));
                }
                if d.lifecycle != Lifecycle::Prospect {
                    say(format!("prospect in lifecycle {:?}", d.lifecycle));
                }
            }
            Some(days) if days <= RECENT_DAYS => {
                use RfmSegment::*;
                if matches!(d.segment, Some(Hibernating | AtRisk | CantLoseThem | AboutToSleep)) {
                    say(format!("bought {days} days ago, RFM segment {:?} (R{:?})", d.segment, d.r_score));
                }
                use ValueClass::*;
                if matches!(d.value_class, Some(ImportantRetain | GeneralRetain | ImportantKeep | GeneralKeep)) {
                    say(format!("bought {days} days ago, value class {:?}", d.value_class));
                }
                if matches!(d.lifecycle, Lifecycle::AtRisk | Lifecycle::Churned) {
                    say(format!("bought {days} days ago, lifecycle {:?}", d.lifecycle));
                }
                if d.behaviour != Some(Behaviour::Active) {
                    say(format!("bought {days} days ago, behaviour {:?}", d.behaviour));
                }
                if d.next_action == Some(NextActionKind::WinBack) {
                    say(format!("bought {days} days ago, to win back"));
                }
                for r in &reasons {
                    let lapsed = match r {
                        Reason::OneTimeLapsed { .. }
                        | Reason::GapExceeded { .. }
                        | Reason::LowPAlive { .. }
                        | Reason::NoPurchaseFor { .. } => true,
                        Reason::Segment { segment, .. } => {
                            matches!(segment, Hibernating | AtRisk | CantLoseThem | AboutToSleep)
                        }
                        Reason::ValueClass { recent, .. } => !recent,
                        Reason::Behaviour { behaviour, .. } => *behaviour != Behaviour::Active,
                        _ => false,
                    };
                    if lapsed {
                        say(format!("bought {days} days ago, reason {r:?}"));
                    }
                }
            }
            Some(days) if days > YEAR_DAYS => {
                use RfmSegment::*;
                if matches!(d.segment, Some(Champions | New | Promising | PotentialLoyalist)) {
                    say(format!("no purchase for {days} days, RFM segment {:?}", d.segment));
                }
            }
            Some(_) => {}
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn labels_never_contradict_on_any_customer_base(shape in shapes(3000)) {
        let found = contradictions(&shape);
        prop_assert!(found.is_empty(), "{shape:?}\n{}", found.join("\n"));
    }
}

/// Every size from one customer up, where the switch between fixed thresholds and quintiles
/// falls, in a shop whose buyers nearly all bought this month and in a shop of old buyers.
#[test]
fn labels_never_contradict_at_every_small_size() {
    for customers in 1..=130 {
        for (recent, prospects) in [(950, 300), (150, 100)] {
            let shape = Shape {
                customers,
                seed: customers as u64,
                prospects,
                recent,
                history_days: 900,
                most_purchases: 8,
                with_past: 300,
            };
            let found = contradictions(&shape);
            assert!(found.is_empty(), "{shape:?}\n{}", found.join("\n"));
        }
    }
}

/// The new shop of the report: one buyer who bought today and two leads.
#[test]
fn a_first_buyer_and_two_leads() {
    let today = day_number(as_of());
    let mut population = Population::default();
    let buyer = CustomerFacts {
        customer_id: 1,
        orders: 1,
        lifetime_revenue_minor: 12_800,
        lifetime_margin_minor: 3_840,
        first_day_revenue_minor: 12_800,
        window_orders: 1,
        window_revenue_minor: 12_800,
        window_margin_minor: 3_840,
        ..CustomerFacts::default()
    };
    population.push(buyer, &[today]);
    for id in [2, 3] {
        population.push(CustomerFacts { customer_id: id, ..CustomerFacts::default() }, &[]);
    }
    let settings = EvaluationSettings::default();
    let (_, members) = evaluate(population, &settings, as_of(), "CNY", &mut |_, _| {});
    let d = &members[0].decision;
    assert_eq!(
        (d.r_score, d.f_score, d.m_score),
        (Some(5), Some(1), Some(2)),
        "fixed thresholds: today, 1 order, ¥128"
    );
    assert_eq!(d.segment, Some(RfmSegment::New));
    assert_eq!(d.value_class, Some(ValueClass::GeneralDevelop), "recent, one order, under ¥300");
    assert_eq!((d.lifecycle, d.behaviour), (Lifecycle::New, Some(Behaviour::Active)));
    for lead in &members[1..] {
        assert!(!matches!(lead.decision.tier, Tier::A | Tier::B | Tier::C | Tier::D), "{:?}", lead.decision);
        assert_eq!(lead.decision.service_level, ServiceLevel::Standard);
    }
}
