//! Every decision about one customer, from their measures and the run's model, with the
//! reasons when asked for.

use super::reasons::{ActionDetail, Reason};
use super::rfm::{AgainstMeans, RfmSegment, ScoreRule, ValueClass};
use super::tiers::Tier;
use super::{Behaviour, EvaluationSettings, ExitStep, Lifecycle, Measures, Model, NextActionKind, ServiceLevel};
use crate::clv::DAYS_PER_MONTH;
use serde::{Deserialize, Serialize};
use specta::Type;

/// What was decided for one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Decision {
    pub r_score: Option<u8>,
    pub f_score: Option<u8>,
    pub m_score: Option<u8>,
    pub segment: Option<RfmSegment>,
    pub value_class: Option<ValueClass>,
    pub tier: Tier,
    pub potential_head: bool,
    pub influential: bool,
    pub lifecycle: Lifecycle,
    pub behaviour: Option<Behaviour>,
    pub service_level: ServiceLevel,
    /// Consecutive runs in tier D, this one included.
    pub low_value_runs: u32,
    /// Consecutive runs as exit candidate, this one included; 0 when not a candidate.
    pub exit_runs: u32,
    pub exit_step: Option<ExitStep>,
    pub next_action: Option<NextActionKind>,
    /// Index into the run's categories, for an upsell.
    pub upsell_category: Option<u32>,
}

fn scores(m: &Measures, model: &Model) -> Option<(u8, u8, u8, RfmSegment)> {
    let recency = m.recency_days?;
    let r = model.recency.score(i64::from(recency));
    let f = model.frequency.score(i64::from(m.frequency));
    let mon = model.monetary.score(m.monetary_minor);
    Some((r, f, mon, RfmSegment::of(r, f)))
}

/// Every decision for one customer from their measures and the run's model. With `reasons`,
/// also says why, in the order the decisions were taken.
pub fn decide(m: &Measures, model: &Model, s: &EvaluationSettings, mut reasons: Option<&mut Vec<Reason>>) -> Decision {
    let mut note = |reason: Reason| {
        if let Some(list) = reasons.as_deref_mut() {
            list.push(reason);
        }
    };
    let scored = scores(m, model);
    let mut value_class = None;
    let (rule, buyers, min_buyers) = (model.score_rule, model.buyers, s.score_min_buyers());
    if let (Some((r, f, mon, segment)), Some(days)) = (scored, m.recency_days) {
        let (from, to) = model.recency.band(r);
        note(Reason::Recency { score: r, days, rule, buyers, min_buyers, from, to });
        let (from, to) = model.frequency.band(f);
        let window_months = s.window_months();
        note(Reason::Frequency { score: f, orders: m.frequency, window_months, rule, buyers, min_buyers, from, to });
        let (from, to) = model.monetary.band(mon);
        let spend_minor = m.monetary_minor;
        note(Reason::Monetary { score: mon, spend_minor, window_months, rule, buyers, min_buyers, from, to });
        note(Reason::Segment { segment, r, f });
        let against = match rule {
            // Too few buyers for means: the middle of each fixed scale is the line.
            ScoreRule::Fixed => AgainstMeans { recent: r >= 3, frequent: f >= 3, big_spender: mon >= 3 },
            ScoreRule::Quintiles => {
                let mut against =
                    AgainstMeans::of(&model.means, i64::from(days), i64::from(m.frequency), m.monetary_minor);
                // The ends of the fixed recency scale overrule the mean, as they bound R.
                match s.fixed_cuts()[0].score(i64::from(days)) {
                    5 => against.recent = true,
                    1 => against.recent = false,
                    _ => {}
                }
                against
            }
        };
        value_class = Some(against.class());
        note(Reason::ValueClass {
            class: against.class(),
            recent: against.recent,
            frequent: against.frequent,
            big_spender: against.big_spender,
            rule,
        });
    }

    let tier = if m.recency_days.is_none() { Tier::Prospect } else { model.tiers.tier(m.contribution_minor) };
    note(Reason::Tier {
        tier,
        contribution_minor: m.contribution_minor,
        a_from_minor: model.tiers.a_from_minor,
        b_from_minor: model.tiers.b_from_minor,
        buyers,
        min_buyers,
    });
    let potential_head = tier != Tier::A
        && match (m.predicted_clv_minor, model.potential_head_from_minor) {
            (Some(clv), Some(from)) if clv >= from && clv > 0 => {
                note(Reason::PotentialHead { clv_minor: clv, threshold_minor: from });
                true
            }
            _ => false,
        };
    let influential = m.is_kol || m.referrals >= s.influential_referrals();
    if influential {
        note(Reason::Influential {
            kol: m.is_kol,
            referrals: m.referrals,
            referrals_needed: s.influential_referrals(),
        });
    }
    if let Some(failure) = model.clv.unavailable_code {
        if m.purchase_days > 0 && (m.p_alive.is_none() || m.predicted_clv_minor.is_none()) {
            note(Reason::ClvUnavailable { model: failure.model, cause: failure.cause });
        }
    }

    let (lifecycle, why) = lifecycle(m, s);
    note(why);
    note(Reason::Lifecycle { stage: lifecycle });
    let behaviour = m.recency_days.map(|days| {
        let b = if days <= s.dormant_days() || s.bought_recently(days) {
            Behaviour::Active
        } else if days <= s.churn_days() {
            Behaviour::Dormant
        } else {
            Behaviour::Churned
        };
        note(Reason::Behaviour { behaviour: b, days });
        b
    });

    let service_level = match tier {
        Tier::A => ServiceLevel::Vip,
        Tier::B => ServiceLevel::Priority,
        _ if potential_head || influential => ServiceLevel::Priority,
        // A prospect has yet to show their value: never served below standard.
        Tier::C | Tier::Prospect => ServiceLevel::Standard,
        Tier::D => ServiceLevel::SelfService,
    };
    note(Reason::ServiceLevel { level: service_level, tier, potential_head, influential });

    let low_value_runs = if tier == Tier::D { m.low_value_runs_before + 1 } else { 0 };
    let exit_candidate = m.purchase_days > 0
        && low_value_runs >= s.exit_low_value_runs()
        && m.window_service_cost_minor > m.window_margin_minor
        && m.monetary_minor <= m.previous_window_revenue_minor;
    let exit_runs = if exit_candidate { m.exit_runs_before + 1 } else { 0 };
    let exit_step = exit_candidate.then_some(match exit_runs {
        1 => ExitStep::SelfService,
        2 => ExitStep::ReduceCost,
        3 => ExitStep::Reprice,
        _ => ExitStep::LetGo,
    });
    if let Some(step) = exit_step {
        note(Reason::ExitCandidate {
            step,
            low_value_runs,
            service_cost_minor: m.window_service_cost_minor,
            margin_minor: m.window_margin_minor,
            revenue_minor: m.monetary_minor,
            previous_revenue_minor: m.previous_window_revenue_minor,
        });
    }

    let segment = scored.map(|t| t.3);
    let upsell = segment.and_then(|segment| upsell(m, model, segment));
    let (next_action, detail) = if m.open_complaints > 0 {
        (Some(NextActionKind::ResolveComplaint), Some(ActionDetail::OpenComplaints { count: m.open_complaints }))
    } else if let Some(due) = m.follow_up_due {
        (Some(NextActionKind::FollowUp), Some(ActionDetail::FollowUpDue { due_on: due.to_string() }))
    } else if lifecycle == Lifecycle::AtRisk {
        (Some(NextActionKind::WinBack), Some(ActionDetail::AtRisk))
    } else if let Some(step) = exit_step {
        (Some(NextActionKind::ExitPlan), Some(ActionDetail::Exit { step }))
    } else if let (Some((category, share)), Some(segment)) = (upsell, segment) {
        let name = model.categories.get(category as usize).cloned().unwrap_or_default();
        (Some(NextActionKind::Upsell), Some(ActionDetail::Upsell { category: name, share, segment }))
    } else if behaviour == Some(Behaviour::Active)
        && m.last_survey.is_none_or(|d| (model.as_of - d).num_days() > i64::from(s.survey_interval_days()))
    {
        let last = m.last_survey.map(|d| d.to_string());
        (
            Some(NextActionKind::SurveyDue),
            Some(ActionDetail::SurveyDue { last_answer_on: last, interval_days: s.survey_interval_days() }),
        )
    } else {
        (None, None)
    };
    if let (Some(action), Some(detail)) = (next_action, detail) {
        note(Reason::NextAction { action, detail });
    }

    Decision {
        r_score: scored.map(|t| t.0),
        f_score: scored.map(|t| t.1),
        m_score: scored.map(|t| t.2),
        segment,
        value_class,
        tier,
        potential_head,
        influential,
        lifecycle,
        behaviour,
        service_level,
        low_value_runs,
        exit_runs,
        exit_step,
        next_action,
        upsell_category: upsell.filter(|_| next_action == Some(NextActionKind::Upsell)).map(|u| u.0),
    }
}

/// The most popular category of the customer's segment that they have not bought.
fn upsell(m: &Measures, model: &Model, segment: RfmSegment) -> Option<(u32, f64)> {
    let popular = &model.upsell.iter().find(|p| p.segment == segment)?.popular;
    popular.iter().copied().find(|&(c, _)| c < 64 && m.categories & (1 << c) == 0)
}

fn lifecycle(m: &Measures, s: &EvaluationSettings) -> (Lifecycle, Reason) {
    let Some(days) = m.recency_days else { return (Lifecycle::Prospect, Reason::NoPurchase) };
    // Whatever the gaps or P(alive) say, someone who bought this month has not lapsed.
    if !s.bought_recently(days) {
        if let Some(lapsed) = lapsed(m, s, days) {
            return lapsed;
        }
    }
    if let Some(gap) = m.last_gap_days.filter(|&g| g > s.churn_days()) {
        return (Lifecycle::WonBack, Reason::ReturnedAfterGap { gap_days: gap, limit: s.churn_days() });
    }
    if m.returned_after_churn {
        return (Lifecycle::WonBack, Reason::ReturnedAfterChurn);
    }
    if m.purchase_days == 1 {
        return (Lifecycle::New, Reason::FirstPurchase { days, limit: s.one_time_at_risk_days() });
    }
    let loyal_span = f64::from(s.loyal_min_months()) * DAYS_PER_MONTH;
    if m.purchase_days >= s.loyal_min_purchases()
        && days <= s.dormant_days()
        && f64::from(m.span_days) >= loyal_span.floor()
        && m.p_alive.is_none_or(|p| p >= s.loyal_min_p_alive())
    {
        let reason = Reason::LoyalHistory { purchases: m.purchase_days, span_days: m.span_days, p_alive: m.p_alive };
        return (Lifecycle::Loyal, reason);
    }
    (Lifecycle::Repeat, Reason::RepeatPurchases { purchases: m.purchase_days })
}

/// Churned or at risk, with the rule that says so, for a buyer last seen `days` ago.
fn lapsed(m: &Measures, s: &EvaluationSettings, days: u32) -> Option<(Lifecycle, Reason)> {
    if days > s.churn_days() {
        return Some((Lifecycle::Churned, Reason::NoPurchaseFor { days, limit: s.churn_days() }));
    }
    if let Some(p) = m.p_alive.filter(|&p| p < s.churned_p_alive()) {
        return Some((Lifecycle::Churned, Reason::LowPAlive { p_alive: p, limit: s.churned_p_alive() }));
    }
    if m.purchase_days == 1 && days > s.one_time_at_risk_days() {
        return Some((Lifecycle::AtRisk, Reason::OneTimeLapsed { days, limit: s.one_time_at_risk_days() }));
    }
    if let Some(gap) = m.median_gap_days {
        if f64::from(days) > s.at_risk_gap_multiple() * f64::from(gap) {
            let reason = Reason::GapExceeded { days, median_gap_days: gap, multiple: s.at_risk_gap_multiple() };
            return Some((Lifecycle::AtRisk, reason));
        }
    }
    if let Some(p) = m.p_alive.filter(|&p| p < s.at_risk_p_alive()) {
        return Some((Lifecycle::AtRisk, Reason::LowPAlive { p_alive: p, limit: s.at_risk_p_alive() }));
    }
    None
}
