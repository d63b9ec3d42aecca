//! One evaluation: population-wide figures first (cut points, tiers, CLV fits), then each
//! customer's decisions from their measures.

use super::reasons::{ActionDetail, Reason};
use super::rfm::{AgainstMeans, Cuts, Means, RfmSegment, ValueClass};
use super::tiers::{Tier, TierCuts};
use super::{
    date_of, day_number, Behaviour, ClvFailure, ClvModel, ClvModels, CustomerFacts, Day, EvaluationSettings, ExitStep,
    Lifecycle, Measures, Member, Model, NextActionKind, Population, SegmentCategories, ServiceLevel,
};
use crate::clv::{BgNbd, CustomerHistory, GammaGamma, SpendHistory, DAYS_PER_MONTH};
use crate::error::Result;
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashMap;

/// Customers decided between two progress reports.
const PROGRESS_STEP: usize = 100_000;

/// The parts of a run, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Loading,
    Measuring,
    FittingClv,
    Predicting,
    Deciding,
    Saving,
}

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

/// The figures of one customer that do not depend on the rest of the population.
pub fn measure(facts: &CustomerFacts, days: &[Day], as_of: NaiveDate) -> Measures {
    let today = day_number(as_of);
    let (first, last) = (days.first().copied(), days.last().copied());
    let span = |from: Day, to: Day| u32::try_from(to - from).unwrap_or(0);
    let median_gap_days = median_gap(days);
    let returned_after_churn =
        facts.previous.is_some_and(|p| p.lifecycle == Lifecycle::Churned && last.is_some_and(|l| l > p.as_of));
    Measures {
        customer_id: facts.customer_id,
        recency_days: last.map(|l| span(l, today)),
        purchase_days: days.len() as u32,
        span_days: match (first, last) {
            (Some(f), Some(l)) => span(f, l),
            _ => 0,
        },
        median_gap_days,
        last_gap_days: (days.len() >= 2).then(|| span(days[days.len() - 2], days[days.len() - 1])),
        frequency: facts.window_orders,
        monetary_minor: facts.window_revenue_minor,
        contribution_minor: facts.window_margin_minor - facts.window_service_cost_minor,
        historical_clv_minor: facts.lifetime_margin_minor - facts.lifetime_service_cost_minor,
        window_margin_minor: facts.window_margin_minor,
        window_service_cost_minor: facts.window_service_cost_minor,
        previous_window_revenue_minor: facts.previous_window_revenue_minor,
        p_alive: None,
        expected_purchases: None,
        predicted_clv_minor: None,
        is_kol: facts.is_kol,
        referrals: facts.referrals,
        open_complaints: facts.open_complaints,
        follow_up_due: facts.follow_up_due.map(date_of),
        last_survey: facts.last_survey.map(date_of),
        categories: facts.categories,
        returned_after_churn,
        low_value_runs_before: facts.previous.map_or(0, |p| p.low_value_runs),
        exit_runs_before: facts.previous.map_or(0, |p| p.exit_runs),
    }
}

fn median_gap(days: &[Day]) -> Option<u32> {
    if days.len() < 2 {
        return None;
    }
    let mut gaps: Vec<i32> = days.windows(2).map(|w| w[1] - w[0]).collect();
    let mid = gaps.len() / 2;
    let (_, upper, _) = gaps.select_nth_unstable(mid);
    let upper = *upper;
    let median = if gaps.len() % 2 == 1 {
        f64::from(upper)
    } else {
        let lower = gaps[..mid].iter().copied().max().unwrap_or(upper);
        (f64::from(lower) + f64::from(upper)) / 2.0
    };
    Some(median.round() as u32)
}

/// The result of a run: the model, and each customer's facts, predictions and decisions.
/// Measures are made from the facts when asked for ([`Evaluation::measures`]), so a
/// million customers never hold facts and measures in memory at once.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub model: Model,
    facts: Vec<CustomerFacts>,
    day_offsets: Vec<u32>,
    days: Vec<Day>,
    predictions: Vec<Prediction>,
    pub decisions: Vec<Decision>,
}

impl Evaluation {
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Customer i's measures, as the decisions saw them.
    pub fn measures(&self, i: usize) -> Measures {
        let days = &self.days[self.day_offsets[i] as usize..self.day_offsets[i + 1] as usize];
        let mut m = measure(&self.facts[i], days, self.model.as_of);
        self.predictions[i].apply(&mut m);
        m
    }
}

/// P(alive), expected purchases and predicted CLV of one customer; NaN and `i64::MIN` for
/// none, to keep a million of them small.
#[derive(Debug, Clone, Copy)]
struct Prediction {
    p_alive: f64,
    expected_purchases: f64,
    clv_minor: i64,
}

impl Prediction {
    const NONE: Prediction = Prediction { p_alive: f64::NAN, expected_purchases: f64::NAN, clv_minor: i64::MIN };

    fn of(m: &Measures) -> Self {
        Prediction {
            p_alive: m.p_alive.unwrap_or(f64::NAN),
            expected_purchases: m.expected_purchases.unwrap_or(f64::NAN),
            clv_minor: m.predicted_clv_minor.unwrap_or(i64::MIN),
        }
    }

    fn clv(&self) -> Option<i64> {
        (self.clv_minor != i64::MIN).then_some(self.clv_minor)
    }

    fn apply(&self, m: &mut Measures) {
        m.p_alive = (!self.p_alive.is_nan()).then_some(self.p_alive);
        m.expected_purchases = (!self.expected_purchases.is_nan()).then_some(self.expected_purchases);
        m.predicted_clv_minor = self.clv();
    }
}

/// Evaluates everyone in `population` at `as_of`, with money in `currency`; see
/// [`evaluate_columns`].
///
/// # Errors
/// As [`evaluate_columns`].
pub fn evaluate(
    population: Population,
    settings: &EvaluationSettings,
    as_of: NaiveDate,
    currency: &str,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<(Model, Vec<Member>)> {
    let evaluation = evaluate_columns(population, settings, as_of, currency, progress)?;
    let members = (0..evaluation.len())
        .map(|i| Member { measures: evaluation.measures(i), decision: evaluation.decisions[i].clone() })
        .collect();
    Ok((evaluation.model, members))
}

/// Evaluates everyone in `population`.
///
/// # Errors
/// [`crate::Error::Validation`] for settings out of range. Data that cannot fit the CLV
/// models is not an error: the run records why and leaves P(alive) and CLV empty.
pub fn evaluate_columns(
    population: Population,
    settings: &EvaluationSettings,
    as_of: NaiveDate,
    currency: &str,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<Evaluation> {
    settings.validate()?;
    progress(Stage::Measuring, 0.0);
    let Population { customers: facts, day_offsets, days, categories } = population;
    let today = day_number(as_of);
    let n = facts.len();
    let days_of = |i: usize| &days[day_offsets[i] as usize..day_offsets[i + 1] as usize];
    // Made again on each pass rather than kept: cheap next to the memory of a million.
    let input = |i: usize| ModelInputs::of(&facts[i], days_of(i), today, settings);
    let mut predictions = vec![Prediction::NONE; n];
    let clv = predict(&mut predictions, &input, settings, progress);

    progress(Stage::Deciding, 0.0);
    let recency_of = |i: usize| days_of(i).last().map(|&l| i64::from(today - l));
    let buyers: Vec<usize> = (0..n).filter(|&i| !days_of(i).is_empty()).collect();
    let recency: Vec<i64> = buyers.iter().filter_map(|&i| recency_of(i)).collect();
    let frequency: Vec<i64> = buyers.iter().map(|&i| i64::from(facts[i].window_orders)).collect();
    let monetary: Vec<i64> = buyers.iter().map(|&i| facts[i].window_revenue_minor).collect();
    let contributions: Vec<i64> = facts.iter().map(|f| f.window_margin_minor - f.window_service_cost_minor).collect();
    let tiers = TierCuts::from_contributions(&contributions, settings.tier_a_share, settings.tier_b_share);
    let mut model = Model {
        as_of,
        currency: currency.to_owned(),
        customers: n as u32,
        buyers: buyers.len() as u32,
        recency: Cuts::from_values(&recency, false),
        frequency: Cuts::from_values(&frequency, true),
        monetary: Cuts::from_values(&monetary, true),
        means: Means::of(&recency, &frequency, &monetary),
        potential_head_from_minor: potential_head_from(predictions.iter().filter_map(Prediction::clv), tiers.a_count),
        tiers,
        clv,
        categories,
        upsell: Vec::new(),
    };
    drop((recency, frequency, monetary, contributions));
    let bought = buyers.iter().map(|&i| {
        let f = &facts[i];
        (recency_of(i).unwrap_or(0), i64::from(f.window_orders), f.categories)
    });
    model.upsell = popular_categories(bought, &model, settings);
    drop(buyers);

    let mut decisions = Vec::with_capacity(n);
    for start in (0..n).step_by(PROGRESS_STEP) {
        progress(Stage::Deciding, start as f64 / n as f64);
        decisions.par_extend((start..(start + PROGRESS_STEP).min(n)).into_par_iter().map(|i| {
            let mut m = measure(&facts[i], days_of(i), as_of);
            predictions[i].apply(&mut m);
            decide(&m, &model, settings, None)
        }));
    }
    progress(Stage::Deciding, 1.0);
    Ok(Evaluation { model, facts, day_offsets, days, predictions, decisions })
}

/// What the CLV models need of one buyer.
#[derive(Debug, Clone, Copy)]
struct ModelInputs {
    x: u32,
    /// t_x and T in days; T is also the key of the shared value curves.
    recency_days: i32,
    age_days: i32,
    margin: f64,
    mean_spend: f64,
}

impl ModelInputs {
    /// From the customer's purchase days (`None` without any): x repeat days, t_x and T, the
    /// mean spend of the repeat days (the first day's is left out) and the customer's own
    /// margin on revenue so far, or the default without revenue.
    fn of(facts: &CustomerFacts, days: &[Day], today: Day, settings: &EvaluationSettings) -> Option<Self> {
        let (&first, &last) = (days.first()?, days.last()?);
        let x = days.len() as u32 - 1;
        let repeat_revenue = (facts.lifetime_revenue_minor - facts.first_day_revenue_minor).max(0);
        let margin = if facts.lifetime_revenue_minor > 0 {
            (facts.lifetime_margin_minor as f64 / facts.lifetime_revenue_minor as f64).clamp(0.0, 1.0)
        } else {
            settings.default_margin
        };
        Some(ModelInputs {
            x,
            recency_days: last - first,
            age_days: today - first,
            margin,
            mean_spend: if x == 0 { 0.0 } else { repeat_revenue as f64 / f64::from(x) },
        })
    }

    fn history(&self, unit_days: f64) -> CustomerHistory {
        CustomerHistory {
            frequency: self.x,
            recency: f64::from(self.recency_days) / unit_days,
            age: f64::from(self.age_days) / unit_days,
        }
    }

    fn spend(&self) -> SpendHistory {
        SpendHistory { frequency: self.x, mean_spend: self.mean_spend }
    }
}

/// Fits BG/NBD and Gamma-Gamma and fills P(alive), expected purchases and predicted CLV.
fn predict(
    predictions: &mut [Prediction],
    input: &(dyn Fn(usize) -> Option<ModelInputs> + Sync),
    settings: &EvaluationSettings,
    progress: &mut dyn FnMut(Stage, f64),
) -> ClvModels {
    progress(Stage::FittingClv, 0.0);
    let unit_days = settings.clv_time_unit.days();
    let customers = predictions.len();
    let buyers = || (0..customers).filter_map(|i| input(i).map(|b| (i, b)));
    let buyer_count = buyers().count();
    let repeat_buyers = buyers().filter(|(_, b)| b.x > 0).count() as u32;
    let mut models = ClvModels {
        purchases: None,
        purchases_log_likelihood: None,
        spend: None,
        spend_log_likelihood: None,
        unavailable: None,
        unavailable_code: None,
        repeat_buyers,
    };
    let histories = buyers().map(|(_, b)| b.history(unit_days));
    let purchases = match BgNbd::fit_each(Counted { inner: histories, len: buyer_count }) {
        Ok(fit) => fit,
        Err(e) => {
            models.unavailable = Some(e.to_string());
            models.unavailable_code = Some(ClvFailure::of(ClvModel::Purchases, &e));
            return models;
        }
    };
    models.purchases = Some(purchases.model);
    models.purchases_log_likelihood = Some(purchases.log_likelihood);
    let spends: Vec<SpendHistory> = buyers().map(|(_, b)| b.spend()).collect();
    let spend_model = match GammaGamma::fit(&spends) {
        Ok(fit) => {
            models.spend = Some(fit.model);
            models.spend_log_likelihood = Some(fit.log_likelihood);
            Some(fit.model)
        }
        Err(e) => {
            models.unavailable = Some(e.to_string());
            models.unavailable_code = Some(ClvFailure::of(ClvModel::Spend, &e));
            None
        }
    };
    drop(spends);
    progress(Stage::Predicting, 0.0);
    let curves = ValueCurves::new(&purchases.model, settings, buyers().map(|(_, b)| (b.x, b.age_days)));
    let fitted = Fitted { purchases: &purchases.model, spend: spend_model.as_ref() };
    predictions.par_iter_mut().enumerate().for_each(|(i, prediction)| {
        let Some(b) = input(i) else { return };
        let Some(curve) = curves.get(b.x, b.age_days) else { return };
        let mut m = Measures::default();
        fill_prediction(&mut m, &b.history(unit_days), &b.spend(), b.margin, fitted, curve);
        *prediction = Prediction::of(&m);
    });
    progress(Stage::Predicting, 1.0);
    models
}

/// One customer's P(alive), expected purchases and CLV with models fitted before, their
/// value curve computed for them alone.
pub(crate) fn predict_alone(
    m: &mut Measures,
    facts: &CustomerFacts,
    days: &[Day],
    as_of: NaiveDate,
    settings: &EvaluationSettings,
    models: &ClvModels,
) {
    let (Some(purchases), Some(b)) = (&models.purchases, ModelInputs::of(facts, days, day_number(as_of), settings))
    else {
        return;
    };
    let history = b.history(settings.clv_time_unit.days());
    if let Some(c) = curve(purchases, settings, b.x, history.age) {
        let fitted = Fitted { purchases, spend: models.spend.as_ref() };
        fill_prediction(m, &history, &b.spend(), b.margin, fitted, c);
    }
}

/// An iterator that knows its length, for a filtered one whose length was counted.
struct Counted<I> {
    inner: I,
    len: usize,
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next()?;
        self.len -= 1;
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl<I: Iterator> ExactSizeIterator for Counted<I> {}

/// The fitted models a prediction uses; the spend model may be missing.
#[derive(Clone, Copy)]
struct Fitted<'a> {
    purchases: &'a BgNbd,
    spend: Option<&'a GammaGamma>,
}

/// P(alive), expected purchases over the horizon and the discounted CLV with `margin`.
fn fill_prediction(
    m: &mut Measures,
    history: &CustomerHistory,
    spend: &SpendHistory,
    margin: f64,
    fitted: Fitted<'_>,
    curve: Curve,
) {
    let Ok(p_alive) = fitted.purchases.probability_alive(history) else { return };
    m.p_alive = Some(p_alive);
    m.expected_purchases = Some(p_alive * curve.horizon_purchases);
    let Some(spend_model) = fitted.spend else { return };
    if let Ok(per_purchase) = spend_model.expected_average_spend(spend) {
        let value = p_alive * curve.discounted_purchases * per_purchase * margin;
        if value.is_finite() {
            m.predicted_clv_minor = Some(value.round() as i64);
        }
    }
}

/// E[Y(t) | x, t_x, T] = P(alive | x, t_x, T) * A(x, T, t): the recency t_x enters only through
/// P(alive). The monthly sums of A are therefore shared by all customers with the same x
/// and T, which makes the CLV of a million customers a few thousand function evaluations.
#[derive(Debug, Clone, Copy)]
struct Curve {
    /// A(x, T, horizon).
    horizon_purchases: f64,
    /// sum over months m of (A(m) - A(m - 1)) / (1 + d)^m.
    discounted_purchases: f64,
}

struct ValueCurves {
    curves: HashMap<(u32, i32), Curve>,
}

impl ValueCurves {
    fn new(model: &BgNbd, settings: &EvaluationSettings, buyers: impl Iterator<Item = (u32, i32)>) -> Self {
        let mut keys: Vec<(u32, i32)> = buyers.collect();
        keys.par_sort_unstable();
        keys.dedup();
        let unit_days = settings.clv_time_unit.days();
        let compute = |&(x, age_days): &(u32, i32)| {
            let age = f64::from(age_days) / unit_days;
            curve(model, settings, x, age).map(|c| ((x, age_days), c))
        };
        ValueCurves { curves: keys.par_iter().filter_map(compute).collect() }
    }

    fn get(&self, x: u32, age_days: i32) -> Option<Curve> {
        self.curves.get(&(x, age_days)).copied()
    }
}

/// Discounted and plain expected purchases of an alive customer with x repeat days and age T.
fn curve(model: &BgNbd, settings: &EvaluationSettings, x: u32, age: f64) -> Option<Curve> {
    // Any recency gives the same A; t_x = T keeps P(alive) away from 0 for the division.
    let history = CustomerHistory { frequency: x, recency: if x == 0 { 0.0 } else { age }, age };
    let alive = model.probability_alive(&history).ok()?;
    let month = DAYS_PER_MONTH / settings.clv_time_unit.days();
    let discount = 1.0 + settings.clv_monthly_discount_rate;
    let (mut previous, mut sum, mut factor) = (0.0, 0.0, 1.0);
    for m in 1..=settings.clv_horizon_months {
        let cumulative = model.expected_purchases(&history, f64::from(m) * month).ok()? / alive;
        factor /= discount;
        sum += (cumulative - previous).max(0.0) * factor;
        previous = cumulative;
    }
    (previous.is_finite() && sum.is_finite())
        .then_some(Curve { horizon_purchases: previous, discounted_purchases: sum })
}

/// The least predicted CLV among the `count` highest.
fn potential_head_from(clvs: impl Iterator<Item = i64>, count: u32) -> Option<i64> {
    let mut values: Vec<i64> = clvs.collect();
    let k = count as usize;
    if k == 0 || values.len() < k {
        return None;
    }
    let (_, kth, _) = values.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
    Some(*kth)
}

/// For each RFM segment, the categories bought by at least the upsell share of its members.
fn popular_categories(
    buyers: impl Iterator<Item = (i64, i64, u64)>,
    model: &Model,
    settings: &EvaluationSettings,
) -> Vec<SegmentCategories> {
    let segments = RfmSegment::ALL;
    let mut members = vec![0_u32; segments.len()];
    let mut counts = vec![[0_u32; 64]; segments.len()];
    for (recency, frequency, categories) in buyers {
        let segment = RfmSegment::of(model.recency.score(recency), model.frequency.score(frequency));
        let s = segments.iter().position(|x| *x == segment).unwrap_or(0);
        members[s] += 1;
        let mut bits = categories;
        while bits != 0 {
            counts[s][bits.trailing_zeros() as usize] += 1;
            bits &= bits - 1;
        }
    }
    segments
        .iter()
        .enumerate()
        .filter(|&(s, _)| members[s] > 0)
        .map(|(s, &segment)| {
            let mut popular: Vec<(u32, f64)> = (0..model.categories.len().min(64))
                .map(|c| (c as u32, f64::from(counts[s][c]) / f64::from(members[s])))
                .filter(|&(_, share)| share >= settings.upsell_min_share)
                .collect();
            popular.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            SegmentCategories { segment, popular }
        })
        .collect()
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
    if let (Some((r, f, mon, segment)), Some(days)) = (scored, m.recency_days) {
        note(Reason::Recency { score: r, days });
        note(Reason::Frequency { score: f, orders: m.frequency, window_months: s.window_months });
        note(Reason::Monetary { score: mon, spend_minor: m.monetary_minor, window_months: s.window_months });
        note(Reason::Segment { segment, r, f });
        let against = AgainstMeans::of(&model.means, i64::from(days), i64::from(m.frequency), m.monetary_minor);
        value_class = Some(against.class());
        note(Reason::ValueClass {
            class: against.class(),
            recent: against.recent,
            frequent: against.frequent,
            big_spender: against.big_spender,
        });
    }

    let tier = model.tiers.tier(m.contribution_minor);
    note(Reason::Tier {
        tier,
        contribution_minor: m.contribution_minor,
        a_from_minor: model.tiers.a_from_minor,
        b_from_minor: model.tiers.b_from_minor,
    });
    let potential_head = tier != Tier::A
        && match (m.predicted_clv_minor, model.potential_head_from_minor) {
            (Some(clv), Some(from)) if clv >= from && clv > 0 => {
                note(Reason::PotentialHead { clv_minor: clv, threshold_minor: from });
                true
            }
            _ => false,
        };
    let influential = m.is_kol || m.referrals >= s.influential_referrals;
    if influential {
        note(Reason::Influential { kol: m.is_kol, referrals: m.referrals, referrals_needed: s.influential_referrals });
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
        let b = if days <= s.dormant_days {
            Behaviour::Active
        } else if days <= s.churn_days {
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
        Tier::C => ServiceLevel::Standard,
        Tier::D => ServiceLevel::SelfService,
    };
    note(Reason::ServiceLevel { level: service_level, tier, potential_head, influential });

    let low_value_runs = if tier == Tier::D { m.low_value_runs_before + 1 } else { 0 };
    let exit_candidate = m.purchase_days > 0
        && low_value_runs >= s.exit_low_value_runs
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
        && m.last_survey.is_none_or(|d| (model.as_of - d).num_days() > i64::from(s.survey_interval_days))
    {
        let last = m.last_survey.map(|d| d.to_string());
        (
            Some(NextActionKind::SurveyDue),
            Some(ActionDetail::SurveyDue { last_answer_on: last, interval_days: s.survey_interval_days }),
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
    if days > s.churn_days {
        return (Lifecycle::Churned, Reason::NoPurchaseFor { days, limit: s.churn_days });
    }
    if let Some(p) = m.p_alive.filter(|&p| p < s.churned_p_alive) {
        return (Lifecycle::Churned, Reason::LowPAlive { p_alive: p, limit: s.churned_p_alive });
    }
    if m.purchase_days == 1 && days > s.one_time_at_risk_days {
        return (Lifecycle::AtRisk, Reason::OneTimeLapsed { days, limit: s.one_time_at_risk_days });
    }
    if let Some(gap) = m.median_gap_days {
        if f64::from(days) > s.at_risk_gap_multiple * f64::from(gap) {
            let reason = Reason::GapExceeded { days, median_gap_days: gap, multiple: s.at_risk_gap_multiple };
            return (Lifecycle::AtRisk, reason);
        }
    }
    if let Some(p) = m.p_alive.filter(|&p| p < s.at_risk_p_alive) {
        return (Lifecycle::AtRisk, Reason::LowPAlive { p_alive: p, limit: s.at_risk_p_alive });
    }
    if let Some(gap) = m.last_gap_days.filter(|&g| g > s.churn_days) {
        return (Lifecycle::WonBack, Reason::ReturnedAfterGap { gap_days: gap, limit: s.churn_days });
    }
    if m.returned_after_churn {
        return (Lifecycle::WonBack, Reason::ReturnedAfterChurn);
    }
    if m.purchase_days == 1 {
        return (Lifecycle::New, Reason::FirstPurchase { days, limit: s.one_time_at_risk_days });
    }
    let loyal_span = f64::from(s.loyal_min_months) * DAYS_PER_MONTH;
    if m.purchase_days >= s.loyal_min_purchases
        && days <= s.dormant_days
        && f64::from(m.span_days) >= loyal_span.floor()
        && m.p_alive.is_none_or(|p| p >= s.loyal_min_p_alive)
    {
        let reason = Reason::LoyalHistory { purchases: m.purchase_days, span_days: m.span_days, p_alive: m.p_alive };
        return (Lifecycle::Loyal, reason);
    }
    (Lifecycle::Repeat, Reason::RepeatPurchases { purchases: m.purchase_days })
}
