//! Probabilistic customer-lifetime-value models.
//!
//! - [`summarize`]: purchase rows to per-customer (x, t_x, T) and mean spend per repeat day,
//!   for a calibration period whose end is always passed in (never read from the clock).
//! - [`BgNbd`]: how many purchases a customer will make (Fader, Hardie & Lee 2005).
//! - [`GammaGamma`]: how much they will spend per purchase (Fader & Hardie 2013).
//! - [`customer_lifetime_value`]: the two combined into a discounted margin over a horizon.
//!
//! Everything here is pure computation over slices. Failures are typed ([`ClvError`]); no
//! function returns NaN or an infinity.

mod bgnbd;
mod gamma_gamma;
mod hyp2f1;
mod optimize;
mod summary;

pub use bgnbd::{BgNbd, BgNbdFit};
pub use gamma_gamma::{GammaGamma, GammaGammaFit};
pub use hyp2f1::hyp2f1;
pub use summary::{summarize, CustomerHistory, CustomerSummary, SpendHistory, Transaction};

use optimize::{minimize, Minimum, Start};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Above this many distinct histories a likelihood is summed on two threads.
const PARALLEL_GROUPS: usize = 20_000;
/// Above this many distinct histories a fit starts from the optimum of a sample …
const SAMPLE_ABOVE: usize = 100_000;
/// … of every this-many-th history.
const SAMPLE_STEP: usize = 16;

/// A log-likelihood and its gradient summed over `groups` by `sum`, in two halves on two
/// threads when there are many (always split in the same place, so the result is the same
/// on every run).
fn summed<G: Sync, const N: usize>(groups: &[G], sum: impl Fn(&[G]) -> (f64, [f64; N]) + Sync) -> (f64, [f64; N]) {
    if groups.len() < PARALLEL_GROUPS {
        return sum(groups);
    }
    let (left, right) = groups.split_at(groups.len() / 2);
    let (l, r) = rayon::join(|| sum(left), || sum(right));
    (l.0 + r.0, std::array::from_fn(|i| l.1[i] + r.1[i]))
}

/// A model's likelihood over a customer base grouped into distinct histories: what the
/// shared fitting steps need of it. Parameters travel as their logarithms, so every point
/// of the search is a set of positive parameters.
trait Grouped<const N: usize>: Sized {
    /// Distinct histories.
    fn distinct(&self) -> usize;
    fn customers(&self) -> usize;
    /// Every `step`-th distinct history with its count: a sample of the base.
    fn sample(&self, step: usize) -> Self;
    /// Where the search starts, as log-parameters.
    fn starts(&self) -> [[f64; N]; 2];
    /// The log-likelihood and its gradient by the log-parameters at `theta`; `None` where
    /// the parameters are out of the model's range.
    fn log_likelihood_at(&self, theta: &[f64; N]) -> Option<(f64, [f64; N])>;
}

/// The log-parameters maximising the likelihood (minimising its mean per customer, which
/// keeps the scale the same for any base), from the first start that converges.
fn maximize<const N: usize>(data: &impl Grouped<N>, starts: &[Start<N>]) -> Option<Minimum<N>> {
    let total = data.customers() as f64;
    let mut objective = |theta: &[f64; N]| {
        let (ll, grad) = data.log_likelihood_at(theta)?;
        let gradient: [f64; N] = std::array::from_fn(|i| -grad[i] / total);
        let value = -ll / total;
        (value.is_finite() && gradient.iter().all(|g| g.is_finite())).then_some((value, gradient))
    };
    starts.iter().find_map(|&start| minimize(&mut objective, start))
}

/// The log-parameters of the maximum likelihood. A large base is fitted first on a
/// systematic sample of its histories; the whole base then only polishes that optimum,
/// starting with the curvature the sample's search found, in a few iterations instead of
/// dozens.
fn fit_logs<const N: usize>(data: &impl Grouped<N>) -> Option<[f64; N]> {
    let mut starts: Vec<Start<N>> = Vec::new();
    if data.distinct() > SAMPLE_ABOVE {
        let sample = data.sample(SAMPLE_STEP);
        starts.extend(maximize(&sample, &sample.starts().map(Start::from)).map(Start::from));
    }
    starts.extend(data.starts().map(Start::from));
    maximize(data, &starts).map(|m| m.x)
}

/// Why a CLV computation could not give a finite answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClvError {
    /// An argument is out of its domain (NaN, infinite, negative amount, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The data cannot identify the model (too few customers or repeat buyers, no variation).
    #[error("not enough data to fit {model}: {reason}")]
    NotEnoughData { model: &'static str, shortage: Shortage, reason: String },
    /// An iterative method stopped before meeting its tolerance.
    #[error("{what} did not converge")]
    NoConvergence { what: &'static str },
    /// The quantity is infinite or undefined for these parameters, or overflows f64.
    #[error("{quantity} is not finite for these parameters")]
    NotFinite { quantity: &'static str },
}

/// What the data lacks when a model cannot be fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Shortage {
    /// Nobody bought a second time.
    NoRepeatBuyers,
    /// Every repeat buyer made the same number of repeat purchases.
    SameRepeatCount,
    /// Fewer than two repeat buyers with a positive spend.
    TooFewSpenders,
    /// Every repeat buyer spent the same on average.
    SameSpend,
}

/// Average Gregorian month: 365.2425 / 12 days.
pub const DAYS_PER_MONTH: f64 = 365.2425 / 12.0;

/// The unit of t_x, T and prediction horizons (and of the BG/NBD `alpha`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Day,
    Week,
}

impl TimeUnit {
    /// Length of one unit in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }

    /// Length of an average month ([`DAYS_PER_MONTH`]) in this unit: 30.436875 days or
    /// 4.348125 weeks.
    pub fn per_month(self) -> f64 {
        DAYS_PER_MONTH / self.days()
    }
}

/// How [`customer_lifetime_value`] turns predictions into money.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct ClvSettings {
    /// The time unit the BG/NBD model was fitted in.
    pub time_unit: TimeUnit,
    /// Number of months summed; 1..=120.
    pub horizon_months: u32,
    /// Discount rate per month, in [0, 1).
    pub monthly_discount_rate: f64,
    /// Share of revenue kept as profit, in [0, 1]; 1 gives revenue rather than margin.
    pub margin: f64,
}

impl ClvSettings {
    pub const DEFAULT_HORIZON_MONTHS: u32 = 12;
    pub const DEFAULT_MONTHLY_DISCOUNT_RATE: f64 = 0.01;
    pub const MAX_HORIZON_MONTHS: u32 = 120;

    /// Twelve months at 1 % a month, with the given time unit and margin.
    pub fn new(time_unit: TimeUnit, margin: f64) -> Self {
        ClvSettings {
            time_unit,
            horizon_months: Self::DEFAULT_HORIZON_MONTHS,
            monthly_discount_rate: Self::DEFAULT_MONTHLY_DISCOUNT_RATE,
            margin,
        }
    }

    /// # Errors
    /// [`ClvError::InvalidInput`] naming the first field out of its range (see the fields).
    pub fn validate(&self) -> Result<(), ClvError> {
        if !(1..=Self::MAX_HORIZON_MONTHS).contains(&self.horizon_months) {
            return Err(ClvError::InvalidInput(format!(
                "horizon_months must be between 1 and {}, got {}",
                Self::MAX_HORIZON_MONTHS,
                self.horizon_months
            )));
        }
        if !(0.0..1.0).contains(&self.monthly_discount_rate) {
            return Err(ClvError::InvalidInput(format!(
                "monthly_discount_rate must be in [0, 1), got {}",
                self.monthly_discount_rate
            )));
        }
        if !(0.0..=1.0).contains(&self.margin) {
            return Err(ClvError::InvalidInput(format!("margin must be in [0, 1], got {}", self.margin)));
        }
        Ok(())
    }
}

/// Discounted customer lifetime value over the settings' horizon:
///
/// sum over months m = 1..=H of (E[Y(m)] - E[Y(m-1)]) * E[M | x, zbar] * margin / (1+d)^m,
///
/// where E[Y(m)] is the BG/NBD expectation of purchases in the m months after the end of the
/// calibration period (a month is [`TimeUnit::per_month`] time units), E[M | x, zbar] the
/// Gamma-Gamma expected spend per purchase (the population mean for customers without
/// repeat purchases) and d the monthly discount rate. Purchases in a month are discounted
/// as if made at its end.
///
/// # Errors
/// [`ClvError::InvalidInput`] for invalid settings or customer data (including a repeat
/// buyer without a mean spend); [`ClvError::NotFinite`] if the expected spend is
/// infinite for these parameters (q <= 1 for a customer without repeat purchases).
pub fn customer_lifetime_value<K>(
    purchases: &BgNbd,
    spend: &GammaGamma,
    customer: &CustomerSummary<K>,
    settings: &ClvSettings,
) -> Result<f64, ClvError> {
    settings.validate()?;
    if customer.history.frequency > 0 && customer.mean_spend.is_none() {
        return Err(ClvError::InvalidInput("a repeat buyer needs a mean spend".into()));
    }
    let spend_per_purchase = spend.expected_average_spend(&customer.spend_history())?;
    let month = settings.time_unit.per_month();
    let discount = 1.0 + settings.monthly_discount_rate;
    let mut value = 0.0;
    let mut previous = 0.0;
    let mut discount_factor = 1.0;
    for m in 1..=settings.horizon_months {
        let cumulative = purchases.expected_purchases(&customer.history, f64::from(m) * month)?;
        discount_factor /= discount;
        value += (cumulative - previous).max(0.0) * discount_factor;
        previous = cumulative;
    }
    let value = value * spend_per_purchase * settings.margin;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ClvError::NotFinite { quantity: "customer lifetime value" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn customer(frequency: u32, recency: f64, age: f64, mean_spend: Option<f64>) -> CustomerSummary<u32> {
        CustomerSummary {
            customer_id: 1,
            first_purchase: NaiveDate::from_ymd_opt(1997, 1, 1).expect("valid date"),
            history: CustomerHistory { frequency, recency, age },
            mean_spend,
        }
    }

    /// The CDNOW fits (Fader, Hardie & Lee 2005; Fader & Hardie 2013), in weeks.
    fn purchases() -> BgNbd {
        BgNbd::new(0.243, 4.414, 0.793, 2.426).expect("valid")
    }

    fn spend() -> GammaGamma {
        GammaGamma::new(6.25, 3.74, 15.44).expect("valid")
    }

    #[test]
    fn settings_validation() {
        let ok = ClvSettings::new(TimeUnit::Week, 0.3);
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.horizon_months, 12);
        assert_eq!(ok.monthly_discount_rate, 0.01);
        for bad in [
            ClvSettings { horizon_months: 0, ..ok },
            ClvSettings { horizon_months: 121, ..ok },
            ClvSettings { monthly_discount_rate: -0.1, ..ok },
            ClvSettings { monthly_discount_rate: 1.0, ..ok },
            ClvSettings { monthly_discount_rate: f64::NAN, ..ok },
            ClvSettings { margin: 1.5, ..ok },
            ClvSettings { margin: f64::NAN, ..ok },
        ] {
            assert!(matches!(bad.validate(), Err(ClvError::InvalidInput(_))), "{bad:?}");
        }
    }

    #[test]
    fn time_unit_months() {
        assert!((TimeUnit::Day.per_month() - 30.436_875).abs() < 1e-12);
        assert!((TimeUnit::Week.per_month() - 4.348_125).abs() < 1e-12);
    }

    #[test]
    fn clv_is_the_discounted_sum_of_monthly_increments() {
        let (purchases, spend_model) = (purchases(), spend());
        let c = customer(2, 30.43, 38.86, Some(40.0));
        let settings = ClvSettings::new(TimeUnit::Week, 0.25);
        let clv = customer_lifetime_value(&purchases, &spend_model, &c, &settings).expect("finite");
        let spend = spend_model.expected_average_spend(&c.spend_history()).expect("finite");
        let mut expected = 0.0;
        for m in 1..=12 {
            let at = |k: i32| purchases.expected_purchases(&c.history, f64::from(k) * 4.348_125).expect("finite");
            expected += (at(m) - at(m - 1)) * spend * 0.25 / 1.01_f64.powi(m);
        }
        assert!((clv - expected).abs() < 1e-9 * expected, "{clv} vs {expected}");

        // Without discounting and at full margin it is the 12-month expectation times spend.
        let plain = ClvSettings { monthly_discount_rate: 0.0, margin: 1.0, ..settings };
        let undiscounted = customer_lifetime_value(&purchases, &spend_model, &c, &plain).expect("ok");
        let year = purchases.expected_purchases(&c.history, 12.0 * 4.348_125).expect("finite");
        assert!((undiscounted - year * spend).abs() < 1e-9 * undiscounted);

        // The same customer measured in days gives the same value.
        let in_days = customer(2, 30.43 * 7.0, 38.86 * 7.0, Some(40.0));
        let daily = BgNbd::new(purchases.r(), purchases.alpha() * 7.0, purchases.a(), purchases.b()).expect("valid");
        let day_settings = ClvSettings { time_unit: TimeUnit::Day, ..settings };
        let clv_days = customer_lifetime_value(&daily, &spend_model, &in_days, &day_settings).expect("finite");
        assert!((clv_days - clv).abs() < 1e-9 * clv);
    }

    #[test]
    fn clv_of_a_new_customer_uses_the_population_spend() {
        let (purchases, spend_model) = (purchases(), spend());
        let c = customer(0, 0.0, 10.0, None);
        let settings = ClvSettings::new(TimeUnit::Week, 1.0);
        let clv = customer_lifetime_value(&purchases, &spend_model, &c, &settings).expect("finite");
        assert!(clv > 0.0 && clv.is_finite());
        let heavy_tail = GammaGamma::new(6.25, 0.9, 15.44).expect("valid");
        assert!(matches!(
            customer_lifetime_value(&purchases, &heavy_tail, &c, &settings),
            Err(ClvError::NotFinite { .. })
        ));
        let inconsistent = customer(2, 1.0, 10.0, None);
        assert!(matches!(
            customer_lifetime_value(&purchases, &spend_model, &inconsistent, &settings),
            Err(ClvError::InvalidInput(_))
        ));
    }
}
