//! The CLV models of a run: fitted once to every buyer, then P(alive), expected purchases
//! and predicted CLV for each customer.

use super::engine::Stage;
use super::{day_number, ClvFailure, ClvModel, ClvModels, CustomerFacts, Day, EvaluationSettings, Measures};
use crate::clv::{BgNbd, CustomerHistory, GammaGamma, SpendHistory, DAYS_PER_MONTH};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::HashMap;

/// P(alive), expected purchases and predicted CLV of one customer; NaN and `i64::MIN` for
/// none, to keep a million of them small.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prediction {
    p_alive: f64,
    expected_purchases: f64,
    clv_minor: i64,
}

impl Prediction {
    pub(super) const NONE: Prediction =
        Prediction { p_alive: f64::NAN, expected_purchases: f64::NAN, clv_minor: i64::MIN };

    pub(super) fn of(m: &Measures) -> Self {
        Prediction {
            p_alive: m.p_alive.unwrap_or(f64::NAN),
            expected_purchases: m.expected_purchases.unwrap_or(f64::NAN),
            clv_minor: m.predicted_clv_minor.unwrap_or(i64::MIN),
        }
    }

    pub(super) fn clv(&self) -> Option<i64> {
        (self.clv_minor != i64::MIN).then_some(self.clv_minor)
    }

    pub(super) fn apply(&self, m: &mut Measures) {
        m.p_alive = (!self.p_alive.is_nan()).then_some(self.p_alive);
        m.expected_purchases = (!self.expected_purchases.is_nan()).then_some(self.expected_purchases);
        m.predicted_clv_minor = self.clv();
    }
}

/// What the CLV models need of one buyer.
#[derive(Debug, Clone, Copy)]
pub(super) struct ModelInputs {
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
    pub(super) fn of(facts: &CustomerFacts, days: &[Day], today: Day, settings: &EvaluationSettings) -> Option<Self> {
        let (&first, &last) = (days.first()?, days.last()?);
        let x = days.len() as u32 - 1;
        let repeat_revenue = (facts.lifetime_revenue_minor - facts.first_day_revenue_minor).max(0);
        let margin = if facts.lifetime_revenue_minor > 0 {
            (facts.lifetime_margin_minor as f64 / facts.lifetime_revenue_minor as f64).clamp(0.0, 1.0)
        } else {
            settings.default_margin()
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
pub(super) fn predict(
    predictions: &mut [Prediction],
    input: &(dyn Fn(usize) -> Option<ModelInputs> + Sync),
    settings: &EvaluationSettings,
    progress: &mut dyn FnMut(Stage, f64),
) -> ClvModels {
    progress(Stage::FittingClv, 0.0);
    let unit_days = settings.clv_time_unit().days();
    let customers = predictions.len();
    let buyers = || (0..customers).filter_map(|i| input(i).map(|b| (i, b)));
    let buyer_count = buyers().count();
    let repeat_buyers = buyers().filter(|(_, b)| b.x > 0).count() as u32;
    let mut models = ClvModels::unfitted(repeat_buyers);
    let histories = buyers().map(|(_, b)| b.history(unit_days));
    let purchases = match BgNbd::fit_each(KnownLength { inner: histories, len: buyer_count }) {
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
    let history = b.history(settings.clv_time_unit().days());
    if let Some(c) = curve(purchases, settings, b.x, history.age) {
        let fitted = Fitted { purchases, spend: models.spend.as_ref() };
        fill_prediction(m, &history, &b.spend(), b.margin, fitted, c);
    }
}

/// An iterator that knows its length, for a filtered one whose length was counted.
struct KnownLength<I> {
    inner: I,
    len: usize,
}

impl<I: Iterator> Iterator for KnownLength<I> {
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

impl<I: Iterator> ExactSizeIterator for KnownLength<I> {}

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
        let unit_days = settings.clv_time_unit().days();
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
    let month = DAYS_PER_MONTH / settings.clv_time_unit().days();
    let discount = 1.0 + settings.clv_monthly_discount_rate();
    let (mut previous, mut sum, mut factor) = (0.0, 0.0, 1.0);
    for m in 1..=settings.clv_horizon_months() {
        let cumulative = model.expected_purchases(&history, f64::from(m) * month).ok()? / alive;
        factor /= discount;
        sum += (cumulative - previous).max(0.0) * factor;
        previous = cumulative;
    }
    (previous.is_finite() && sum.is_finite())
        .then_some(Curve { horizon_purchases: previous, discounted_purchases: sum })
}
