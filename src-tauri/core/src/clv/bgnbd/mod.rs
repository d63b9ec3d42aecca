//! The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your
//! Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2)).
//!
//! While active, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha);
//! after each purchase they drop out for good with probability p ~ Beta(a, b). For a history
//! (x, t_x, T) the likelihood is
//!
//! L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
//!   + d B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)),
//!
//! with d = 1 if x > 0 and 0 otherwise. It is evaluated as log-gamma terms plus a
//! log-sum-exp of the two summands (B(a+1, b+x-1) / B(a, b+x) = a / (b+x-1)).

mod likelihood;

use super::hyp2f1::hyp2f1_scaled;
use super::summary::CustomerHistory;
use super::{fit_logs, ClvError, Shortage};
use likelihood::{FrequencyTerms, GroupedHistories};
use serde::{Deserialize, Deserializer, Serialize};
use specta::Type;

const MODEL: &str = "BG/NBD";

/// Within this distance of a value of `a` where the closed form of the conditional
/// expectation has a removable singularity (a = 1, or a + b = 1 for x = 0), it is
/// interpolated linearly from both sides.
const SINGULAR_HALF_WIDTH: f64 = 1e-5;

/// BG/NBD parameters, all finite and positive: [`BgNbd::new`] checks them once, so nothing
/// that uses them checks again; read back (from a stored run, say) they are checked as well.
/// `alpha` is in the time unit of the histories it was fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Type)]
pub struct BgNbd {
    /// Shape of the Gamma distribution of purchase rates.
    r: f64,
    /// Scale (in time units) of the Gamma distribution of purchase rates.
    alpha: f64,
    /// First shape of the Beta distribution of the drop-out probability.
    a: f64,
    /// Second shape of the Beta distribution of the drop-out probability.
    b: f64,
}

impl<'de> Deserialize<'de> for BgNbd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Parameters {
            r: f64,
            alpha: f64,
            a: f64,
            b: f64,
        }
        let Parameters { r, alpha, a, b } = Parameters::deserialize(d)?;
        BgNbd::new(r, alpha, a, b).map_err(serde::de::Error::custom)
    }
}

/// A maximum-likelihood fit of [`BgNbd`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct BgNbdFit {
    pub model: BgNbd,
    /// Total log-likelihood of the histories at the fitted parameters.
    pub log_likelihood: f64,
    /// Number of histories the model was fitted on.
    pub customers: u32,
    /// Number of distinct (x, t_x, T) histories the likelihood was evaluated over.
    pub distinct_histories: u32,
}

impl BgNbd {
    /// The model with these parameters (see the fields), which must all be finite and
    /// positive.
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] otherwise.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self, ClvError> {
        if [r, alpha, a, b].iter().all(|v| v.is_finite() && *v > 0.0) {
            Ok(BgNbd { r, alpha, a, b })
        } else {
            Err(ClvError::InvalidInput(format!(
                "BG/NBD parameters must be finite and positive, got r {r}, alpha {alpha}, a {a}, b {b}"
            )))
        }
    }

    /// Shape of the Gamma distribution of purchase rates.
    pub fn r(&self) -> f64 {
        self.r
    }

    /// Scale (in time units) of the Gamma distribution of purchase rates.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// First shape of the Beta distribution of the drop-out probability.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// Second shape of the Beta distribution of the drop-out probability.
    pub fn b(&self) -> f64 {
        self.b
    }

    /// Log-likelihood of one customer's history (see the module documentation).
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] for an invalid history; [`ClvError::NotFinite`] if it
    /// overflows.
    pub fn customer_log_likelihood(&self, history: &CustomerHistory) -> Result<f64, ClvError> {
        history.validate()?;
        let terms = FrequencyTerms::new(self, history.frequency);
        let (ll, _) = terms.log_likelihood(
            self.r + f64::from(history.frequency),
            (self.alpha + history.age).ln(),
            (self.alpha + history.recency).ln(),
        );
        finite(ll, "BG/NBD log-likelihood")
    }

    /// Total log-likelihood of many histories (0 for none).
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] for an invalid history; [`ClvError::NotFinite`] if it
    /// overflows.
    pub fn log_likelihood(&self, histories: &[CustomerHistory]) -> Result<f64, ClvError> {
        if histories.is_empty() {
            return Ok(0.0);
        }
        let data = GroupedHistories::new(histories.iter().copied())?;
        let (ll, _) = data.log_likelihood_and_gradient(self, false);
        finite(ll, "BG/NBD log-likelihood")
    }

    /// P(alive | x, t_x, T) = 1 / (1 + d a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)), d = 1 if
    /// x > 0 and 0 otherwise: the probability that the customer has not dropped out by the end of the period.
    /// Customers without repeat purchases are alive with probability 1 in this model.
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] for an invalid history.
    pub fn probability_alive(&self, history: &CustomerHistory) -> Result<f64, ClvError> {
        history.validate()?;
        Ok(self.alive_given(history))
    }

    fn alive_given(&self, history: &CustomerHistory) -> f64 {
        if history.frequency == 0 {
            return 1.0;
        }
        let x = f64::from(history.frequency);
        let log_odds_dead = self.a.ln() - (self.b + x - 1.0).ln()
            + (self.r + x) * ((self.alpha + history.age).ln() - (self.alpha + history.recency).ln());
        logistic(-log_odds_dead)
    }

    /// E[Y(t) | x, t_x, T]: expected number of purchases (purchase days) in the next `t` time
    /// units:
    ///
    /// (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
    /// * P(alive | x, t_x, T).
    ///
    /// The removable singularities of this form (a = 1, and a + b = 1 when x = 0) are
    /// bridged by linear interpolation across +-1e-5 in a. Returns 0 for `t` = 0.
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] for an invalid history or `t` (negative or not finite);
    /// [`ClvError::NotFinite`] if the result does not fit an f64.
    pub fn expected_purchases(&self, history: &CustomerHistory, t: f64) -> Result<f64, ClvError> {
        history.validate()?;
        if !(t.is_finite() && t >= 0.0) {
            return Err(ClvError::InvalidInput(format!(
                "the prediction horizon must be finite and not negative, got {t}"
            )));
        }
        if t == 0.0 {
            return Ok(0.0);
        }
        let mut singular_points = vec![1.0];
        if history.frequency == 0 && self.b < 1.0 {
            singular_points.push(1.0 - self.b);
        }
        for point in singular_points {
            if (self.a - point).abs() < SINGULAR_HALF_WIDTH {
                let low_a = if point > 2.0 * SINGULAR_HALF_WIDTH { point - SINGULAR_HALF_WIDTH } else { 0.5 * point };
                let high_a = point + SINGULAR_HALF_WIDTH;
                let low = BgNbd { a: low_a, ..*self }.expected_purchases_closed_form(history, t)?;
                let high = BgNbd { a: high_a, ..*self }.expected_purchases_closed_form(history, t)?;
                let value = low + (self.a - low_a) / (high_a - low_a) * (high - low);
                return finite(value.max(0.0), "expected purchases");
            }
        }
        self.expected_purchases_closed_form(history, t)
    }

    fn expected_purchases_closed_form(&self, history: &CustomerHistory, t: f64) -> Result<f64, ClvError> {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(history.frequency);
        let c = a + b + x - 1.0;
        let horizon = alpha + history.age + t;
        let z = t / horizon;
        let ln_one_minus_z = (alpha + history.age).ln() - horizon.ln();
        let f = hyp2f1_scaled(r + x, b + x, c, z)?;
        // 1 - (1-z)^(r+x) 2F1(...), from its logarithm to keep digits when it is near 0.
        let ln_g = (r + x) * ln_one_minus_z + f.ln_abs();
        let one_minus_g = if f.mantissa > 0.0 { -ln_g.exp_m1() } else { 1.0 + ln_g.exp() };
        let value = c / (a - 1.0) * one_minus_g * self.alive_given(history);
        // Tiny negative values can only come from rounding.
        finite(value.max(0.0), "expected purchases")
    }

    /// Maximum-likelihood fit to the histories of a customer base.
    ///
    /// The parameters are optimised as logarithms (so they stay positive) with BFGS on the
    /// analytic gradient. Identical histories are grouped, and the log-gamma terms are
    /// computed once per distinct x and the logs once per distinct time value, so the cost
    /// per iteration grows with the number of distinct histories rather than customers.
    ///
    /// # Errors
    /// - [`ClvError::InvalidInput`] if a history is invalid.
    /// - [`ClvError::NotEnoughData`] without repeat buyers or with fewer than two distinct
    ///   repeat-purchase counts (x > 0): the data then do not identify the model.
    /// - [`ClvError::NoConvergence`] if the optimiser does not reach a maximum; with small
    ///   or unusual customer bases the likelihood may have none at finite parameters.
    ///
    /// A fit may also end at very large `a` and `b` (drop-out probability nearly the same for
    /// everyone); such models remain usable for predictions.
    pub fn fit(histories: &[CustomerHistory]) -> Result<BgNbdFit, ClvError> {
        Self::fit_each(histories.iter().copied())
    }

    /// [`BgNbd::fit`] over histories made on the way, so a large customer base need not be
    /// held as a list first.
    ///
    /// # Errors
    /// As [`BgNbd::fit`].
    pub fn fit_each(histories: impl ExactSizeIterator<Item = CustomerHistory>) -> Result<BgNbdFit, ClvError> {
        let data = GroupedHistories::new(histories)?;
        let distinct_positive = data.frequencies.iter().filter(|&&x| x > 0).count();
        if distinct_positive == 0 {
            return Err(not_enough(Shortage::NoRepeatBuyers, "no customer made a repeat purchase".into()));
        }
        if distinct_positive < 2 {
            return Err(not_enough(
                Shortage::SameRepeatCount,
                "all repeat buyers made the same number of repeat purchases".into(),
            ));
        }
        let fitted = fit_logs(&data).and_then(|theta| BgNbd::from_logs(&theta).ok());
        let model = fitted.ok_or(ClvError::NoConvergence { what: "BG/NBD fit" })?;
        let (log_likelihood, _) = data.log_likelihood_and_gradient(&model, false);
        Ok(BgNbdFit {
            model,
            log_likelihood: finite(log_likelihood, "BG/NBD log-likelihood")?,
            customers: saturating_u32(data.customers),
            distinct_histories: saturating_u32(data.groups.len()),
        })
    }

    fn logs(&self) -> [f64; 4] {
        [self.r.ln(), self.alpha.ln(), self.a.ln(), self.b.ln()]
    }

    /// The model at log-parameters; an exponent may still overflow or vanish.
    fn from_logs(theta: &[f64; 4]) -> Result<Self, ClvError> {
        BgNbd::new(theta[0].exp(), theta[1].exp(), theta[2].exp(), theta[3].exp())
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn not_enough(shortage: Shortage, reason: String) -> ClvError {
    ClvError::NotEnoughData { model: MODEL, shortage, reason }
}

fn finite(value: f64, quantity: &'static str) -> Result<f64, ClvError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ClvError::NotFinite { quantity })
    }
}

/// 1 / (1 + e^-v) without overflow.
fn logistic(v: f64) -> f64 {
    if v >= 0.0 {
        1.0 / (1.0 + (-v).exp())
    } else {
        let e = v.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLISHED: BgNbd = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

    fn h(frequency: u32, recency: f64, age: f64) -> CustomerHistory {
        CustomerHistory { frequency, recency, age }
    }

    #[test]
    fn a_large_base_fitted_from_a_sample_reaches_the_optimum_of_a_fit_from_scratch() {
        use super::super::{maximize, optimize::Start, Grouped, SAMPLE_ABOVE};
        let histories: Vec<CustomerHistory> = (0..(SAMPLE_ABOVE + 1_000) as u64)
            .map(|i| {
                let age = 20.0 + (i % 1000) as f64 * 0.05 + (i / 1000) as f64 * 1e-4;
                let frequency = ((i * 7919) % 13) as u32 / 2;
                let recency = if frequency == 0 { 0.0 } else { age * ((i * 31) % 97 + 1) as f64 / 98.0 };
                h(frequency, recency, age)
            })
            .collect();
        let warm = BgNbd::fit(&histories).expect("fit through a sample");
        let data = GroupedHistories::new(histories.iter().copied()).expect("valid");
        assert!(data.groups.len() > SAMPLE_ABOVE, "the sampled path is taken");
        let starts = data.starts().map(Start::from);
        let cold = BgNbd::from_logs(&maximize(&data, &starts).expect("fit from scratch").x).expect("valid");
        for (a, b) in
            [(warm.model.r, cold.r), (warm.model.alpha, cold.alpha), (warm.model.a, cold.a), (warm.model.b, cold.b)]
        {
            assert!((a - b).abs() <= 1e-6 * b.abs(), "{:?} vs {cold:?}", warm.model);
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let histories = [h(0, 0.0, 38.86), h(2, 30.43, 38.86), h(1, 1.71, 38.86), h(7, 29.43, 35.0)];
        let data = GroupedHistories::new(histories.iter().copied()).expect("valid");
        let m = BgNbd { r: 0.7, alpha: 3.1, a: 1.3, b: 2.2 };
        let (_, grad) = data.log_likelihood_and_gradient(&m, true);
        let params = [m.r, m.alpha, m.a, m.b];
        for i in 0..4 {
            let step = 1e-6 * params[i];
            let mut up = params;
            up[i] += step;
            let mut down = params;
            down[i] -= step;
            let at = |p: [f64; 4]| {
                let model = BgNbd { r: p[0], alpha: p[1], a: p[2], b: p[3] };
                data.log_likelihood_and_gradient(&model, false).0
            };
            let numeric = (at(up) - at(down)) / (2.0 * step);
            assert!((numeric - grad[i]).abs() < 1e-6 * (1.0 + grad[i].abs()), "{i}");
        }
    }

    #[test]
    fn grouped_likelihood_equals_sum_of_customers() {
        let histories = [h(0, 0.0, 38.86), h(2, 30.43, 38.86), h(0, 0.0, 38.86), h(5, 3.0, 20.0)];
        let per_customer: f64 = histories.iter().map(|x| PUBLISHED.customer_log_likelihood(x).expect("valid")).sum();
        let total = PUBLISHED.log_likelihood(&histories).expect("valid");
        assert!((per_customer - total).abs() < 1e-12);
    }

    #[test]
    fn expectations_match_mpmath() {
        // (model, x, t_x, T, t, E[Y(t)], P(alive), 0 to skip it); references from mpmath
        // 1.4.1 (50 digits) evaluating the closed forms with mpmath.hyp2f1.
        let cases = [
            (PUBLISHED, 2, 30.43, 38.86, 39.0, 1.226_028_174_767_144_5, 0.0),
            (PUBLISHED, 0, 0.0, 38.86, 52.0, 0.252_073_022_282_458_9, 1.0),
            (PUBLISHED, 26, 30.86, 31.0, 52.0, 25.758_195_936_483_514, 0.968_915_649_717_525_1),
            (PUBLISHED, 5, 10.0, 38.0, 400.0, 0.505_014_141_847_184_5, 0.027_481_579_663_076_076),
            (
                BgNbd { r: 2.5, alpha: 0.3, a: 3.2, b: 0.5 },
                40,
                200.0,
                210.0,
                1000.0,
                11.564_118_721_302_667,
                0.608_878_184_104_888_6,
            ),
            (
                BgNbd { r: 0.05, alpha: 80.0, a: 0.2, b: 15.0 },
                1,
                0.5,
                300.0,
                30.4,
                0.078_571_163_089_766_98,
                0.936_313_535_463_486_2,
            ),
        ];
        for (model, x, recency, age, t, expected, alive) in cases {
            check_expectation(model, x, recency, age, t, expected, alive);
        }
    }

    #[test]
    fn expectations_with_a_concentrated_drop_out_distribution() {
        // Fits to a few customers can run to very large a and b. References from mpmath 1.4.1
        // (40 digits) integrating P(alive) (1 - (1 + p t/(alpha+T))^-(r+x)) / p over the
        // Beta(a, b+x) posterior of p.
        let model = BgNbd::new(
            0.114_587_932_487_143_58,
            0.509_933_082_702_612_5,
            3_772_773.350_170_701_3,
            31_554_192.674_068_507,
        );
        let larger =
            BgNbd::new(0.162_800_568_343_707_74, 0.581_505_928_190_699, 834_699_477.351_842_9, 5_163_591_117.113_62);
        let (model, larger) = (model.expect("valid"), larger.expect("valid"));
        let cases = [
            (model, 3, 20.0, 50.0, 52.0, 0.871_574_967_662_060_7, 0.0),
            (model, 0, 0.0, 5.0, 52.0, 0.718_851_149_973_476_7, 1.0),
            (larger, 0, 0.0, 5.0, 52.0, 0.909_672_939_518_304, 1.0),
        ];
        for (model, x, recency, age, t, expected, alive) in cases {
            check_expectation(model, x, recency, age, t, expected, alive);
        }
    }

    #[track_caller]
    fn check_expectation(model: BgNbd, x: u32, recency: f64, age: f64, t: f64, expected: f64, alive: f64) {
        let history = h(x, recency, age);
        let e = model.expected_purchases(&history, t).expect("finite");
        assert!((e - expected).abs() < 1e-11 * expected, "{e} vs {expected}");
        if alive > 0.0 {
            let p = model.probability_alive(&history).expect("valid");
            assert!((p - alive).abs() < 1e-13, "{p} vs {alive}");
        }
    }

    #[test]
    fn expectation_is_continuous_at_removable_singularities() {
        let history = h(3, 20.0, 38.0);
        let at = |a: f64| BgNbd { a, ..PUBLISHED }.expected_purchases(&history, 52.0).expect("ok");
        // The a -> 1 limit, from mpmath at a = 1 + 1e-30.
        let limit = 1.243_983_460_599_191_6;
        assert!((at(1.0) - limit).abs() < 1e-9 * limit);
        let slope = (at(1.01) - at(0.99)).abs() / 0.02;
        for delta in [1e-2, 1e-3, 1e-4, 1.1e-5, 9e-6, 1e-6, 1e-9] {
            for a in [1.0 - delta, 1.0 + delta] {
                assert!((at(a) - limit).abs() < 1.5 * slope * delta + 1e-9 * limit, "{a}");
            }
        }
        // x = 0 and a + b = 1 makes the 2F1's c vanish; limit from mpmath at b = 0.6 + 1e-30.
        let new = h(0, 0.0, 10.0);
        let model = BgNbd { a: 0.4, b: 0.6, ..PUBLISHED };
        let value = model.expected_purchases(&new, 20.0).expect("ok");
        assert!((value - 0.266_612_865_561_733_4).abs() < 1e-9, "{value}");
    }

    #[test]
    fn probability_alive_of_non_repeaters_is_one() {
        assert_eq!(PUBLISHED.probability_alive(&h(0, 0.0, 10.0)), Ok(1.0));
    }

    #[test]
    fn rejects_invalid_parameters_and_horizons() {
        for (r, alpha) in [(-1.0, 4.414), (0.0, 4.414), (0.243, f64::NAN), (0.243, f64::INFINITY)] {
            assert!(matches!(BgNbd::new(r, alpha, 0.793, 2.426), Err(ClvError::InvalidInput(_))), "{r} {alpha}");
        }
        let stored = serde_json::to_string(&PUBLISHED).expect("json");
        assert_eq!(serde_json::from_str::<BgNbd>(&stored).expect("read back"), PUBLISHED);
        let bad = r#"{"r": -1.0, "alpha": 4.414, "a": 0.793, "b": 2.426}"#;
        assert!(serde_json::from_str::<BgNbd>(bad).is_err(), "parameters read back are checked too");
        for t in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(PUBLISHED.expected_purchases(&h(1, 1.0, 2.0), t), Err(ClvError::InvalidInput(_))));
        }
        assert_eq!(PUBLISHED.expected_purchases(&h(1, 1.0, 2.0), 0.0), Ok(0.0));
    }
}
