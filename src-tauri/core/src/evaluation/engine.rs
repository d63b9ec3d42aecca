//! One evaluation: population-wide figures first (cut points, tiers, CLV fits), then each
//! customer's decisions from their measures.

use super::decide::{decide, Decision};
use super::measure::measure;
use super::predict::{predict, ModelInputs, Prediction};
use super::rfm::{Cuts, Means, RfmSegment, ScoreRule};
use super::tiers::TierCuts;
use super::{
    day_number, CustomerFacts, Day, EvaluationSettings, Measures, Member, Model, Population, SegmentCategories,
};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use specta::Type;

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

/// Evaluates everyone in `population` at `as_of`, with money in `currency`; see
/// [`evaluate_columns`].
pub fn evaluate(
    population: Population,
    settings: &EvaluationSettings,
    as_of: NaiveDate,
    currency: &str,
    progress: &mut dyn FnMut(Stage, f64),
) -> (Model, Vec<Member>) {
    let evaluation = evaluate_columns(population, settings, as_of, currency, progress);
    let members = (0..evaluation.len())
        .map(|i| Member { measures: evaluation.measures(i), decision: evaluation.decisions[i].clone() })
        .collect();
    (evaluation.model, members)
}

/// Evaluates everyone in `population`. Data that cannot fit the CLV models is not an error:
/// the run records why and leaves P(alive) and CLV empty.
pub fn evaluate_columns(
    population: Population,
    settings: &EvaluationSettings,
    as_of: NaiveDate,
    currency: &str,
    progress: &mut dyn FnMut(Stage, f64),
) -> Evaluation {
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
    let tiers = TierCuts::from_contributions(&contributions, settings.tier_a_share(), settings.tier_b_share());
    let score_rule = settings.score_rule(buyers.len() as u32);
    let [fixed_recency, fixed_frequency, fixed_monetary] = settings.fixed_cuts();
    let (recency_cuts, frequency_cuts, monetary_cuts) = match score_rule {
        ScoreRule::Fixed => (fixed_recency, fixed_frequency, fixed_monetary),
        ScoreRule::Quintiles => (
            Cuts::from_values(&recency, false).held_within(&fixed_recency),
            Cuts::from_values(&frequency, true),
            Cuts::from_values(&monetary, true),
        ),
    };
    let mut model = Model {
        as_of,
        currency: currency.to_owned(),
        customers: n as u32,
        buyers: buyers.len() as u32,
        score_rule,
        recency: recency_cuts,
        frequency: frequency_cuts,
        monetary: monetary_cuts,
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
    Evaluation { model, facts, day_offsets, days, predictions, decisions }
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
                .filter(|&(_, share)| share >= settings.upsell_min_share())
                .collect();
            popular.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            SegmentCategories { segment, popular }
        })
        .collect()
}
