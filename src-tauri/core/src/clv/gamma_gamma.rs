//! The Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma Model
//! of Monetary Value"; Colombo & Jiang 1999).
//!
//! A customer's purchase amounts are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers,
//! independent of the purchase process. For a customer with x repeat purchases of mean zbar
//!
//! f(zbar | x) = Gamma(px+q) / (Gamma(px) Gamma(q)) * gamma^q x^(px) zbar^(px-1)
//!             / (gamma + x zbar)^(px+q),
//!
//! and the expected spend per purchase given the data is
//! E[M | x, zbar] = p (gamma + x zbar) / (px + q - 1),
//! which for x = 0 is the population mean p gamma / (q - 1).
//!
//! zbar is the mean over the repeat purchase days of each day's total spend, the first
//! purchase day left out (see [`super::summarize`]). On the CDNOW sample this convention
//! reproduces the published fit (p = 6.25, q = 3.74, gamma = 15.44, LL = -4055.9);
//! averaging over repeat purchase rows instead gives p = 6.05, q = 3.89, gamma = 16.44.

use super::summary::SpendHistory;
use super::{fit_logs, summed, ClvError, Grouped, Shortage};
use rayon::slice::ParallelSliceMut;
use serde::{Deserialize, Deserializer, Serialize};
use specta::Type;
use statrs::function::gamma::{digamma, ln_gamma};

const MODEL: &str = "Gamma-Gamma";

/// Gamma-Gamma parameters, all finite and positive: [`GammaGamma::new`] checks them once,
/// and they are checked again only when read back. `gamma` is in money units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Type)]
pub struct GammaGamma {
    /// Shape of the Gamma distribution of a customer's purchase amounts.
    p: f64,
    /// Shape of the Gamma distribution of the amounts' rate parameter across customers.
    q: f64,
    /// Scale of the Gamma distribution of the amounts' rate parameter across customers.
    gamma: f64,
}

impl<'de> Deserialize<'de> for GammaGamma {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Parameters {
            p: f64,
            q: f64,
            gamma: f64,
        }
        let Parameters { p, q, gamma } = Parameters::deserialize(d)?;
        GammaGamma::new(p, q, gamma).map_err(serde::de::Error::custom)
    }
}

/// A maximum-likelihood fit of [`GammaGamma`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct GammaGammaFit {
    pub model: GammaGamma,
    /// Log-likelihood of the used customers' mean spends at the fitted parameters.
    pub log_likelihood: f64,
    /// Number of customers the model was fitted on (x > 0 and zbar > 0).
    pub customers: u32,
}

impl GammaGamma {
    /// The model with these parameters (see the fields), which must all be finite and
    /// positive.
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] otherwise.
    pub fn new(p: f64, q: f64, gamma: f64) -> Result<Self, ClvError> {
        if [p, q, gamma].iter().all(|v| v.is_finite() && *v > 0.0) {
            Ok(GammaGamma { p, q, gamma })
        } else {
            Err(ClvError::InvalidInput(format!(
                "Gamma-Gamma parameters must be finite and positive, got p {p}, q {q}, gamma {gamma}"
            )))
        }
    }

    /// Shape of the Gamma distribution of a customer's purchase amounts.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// Shape of the Gamma distribution of the amounts' rate parameter across customers.
    pub fn q(&self) -> f64 {
        self.q
    }

    /// Scale of the Gamma distribution of the amounts' rate parameter across customers.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Log-density of one customer's mean spend (see the module documentation).
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] unless x > 0 and zbar is positive and finite.
    pub fn customer_log_likelihood(&self, customer: &SpendHistory) -> Result<f64, ClvError> {
        validate_spend(customer)?;
        if customer.frequency == 0 || customer.mean_spend == 0.0 {
            return Err(ClvError::InvalidInput("the spend likelihood needs x > 0 and a positive mean spend".into()));
        }
        let terms = FrequencyTerms::build(self, customer.frequency, false);
        let (ll, _) = terms.log_likelihood(self, customer.mean_spend.ln(), customer.mean_spend);
        finite(ll, "Gamma-Gamma log-likelihood")
    }

    /// Total log-likelihood over the customers the model uses: those with x > 0 and a
    /// positive mean spend (0 when there are none).
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] for a negative or non-finite mean spend.
    pub fn log_likelihood(&self, customers: &[SpendHistory]) -> Result<f64, ClvError> {
        let data = GroupedSpends::new(customers)?;
        let (ll, _) = data.log_likelihood_and_gradient(self, false);
        finite(ll, "Gamma-Gamma log-likelihood")
    }

    /// Mean spend per purchase over the population, p gamma / (q - 1).
    ///
    /// # Errors
    /// [`ClvError::NotFinite`] when q <= 1 (the mean of the mixing distribution does not
    /// exist).
    pub fn population_mean_spend(&self) -> Result<f64, ClvError> {
        self.expected_average_spend(&SpendHistory { frequency: 0, mean_spend: 0.0 })
    }

    /// E[M | x, zbar] = p (gamma + x zbar) / (px + q - 1): the expected spend per future
    /// purchase, shrinking the customer's own mean towards the population mean. With x = 0,
    /// zbar is ignored and this is the population mean.
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] for a negative or non-finite zbar; [`ClvError::NotFinite`]
    /// when px + q <= 1.
    pub fn expected_average_spend(&self, customer: &SpendHistory) -> Result<f64, ClvError> {
        validate_spend(customer)?;
        let x = f64::from(customer.frequency);
        let zbar = if customer.frequency == 0 { 0.0 } else { customer.mean_spend };
        let denominator = self.p * x + self.q - 1.0;
        if denominator <= 0.0 {
            return Err(ClvError::NotFinite { quantity: "expected average spend" });
        }
        finite(self.p * (self.gamma + x * zbar) / denominator, "expected average spend")
    }

    /// Maximum-likelihood fit on the customers with x > 0 and a positive mean spend; others
    /// are skipped (customers without repeat purchases carry no spend information here, and
    /// the model's amounts are positive). Parameters are optimised as logarithms with BFGS;
    /// identical (x, zbar) pairs are grouped and the gamma-function terms are computed once
    /// per distinct x.
    ///
    /// # Errors
    /// - [`ClvError::InvalidInput`] for a negative or non-finite mean spend.
    /// - [`ClvError::NotEnoughData`] with fewer than two usable customers or when all their
    ///   mean spends are equal (which includes all-zero spend).
    /// - [`ClvError::NoConvergence`] if the optimiser does not reach a maximum.
    pub fn fit(customers: &[SpendHistory]) -> Result<GammaGammaFit, ClvError> {
        let data = GroupedSpends::new(customers)?;
        if data.customers < 2 {
            return Err(ClvError::NotEnoughData {
                model: MODEL,
                shortage: Shortage::TooFewSpenders,
                reason: format!(
                    "needs at least 2 customers with repeat purchases and positive spend, found {}",
                    data.customers
                ),
            });
        }
        let first_spend = data.groups[0].mean_spend;
        if data.groups.iter().all(|g| g.mean_spend == first_spend) {
            return Err(ClvError::NotEnoughData {
                model: MODEL,
                shortage: Shortage::SameSpend,
                reason: "all customers have the same mean spend".into(),
            });
        }
        let fitted = fit_logs(&data).and_then(|theta| GammaGamma::from_logs(&theta).ok());
        let model = fitted.ok_or(ClvError::NoConvergence { what: "Gamma-Gamma fit" })?;
        let (log_likelihood, _) = data.log_likelihood_and_gradient(&model, false);
        Ok(GammaGammaFit {
            model,
            log_likelihood: finite(log_likelihood, "Gamma-Gamma log-likelihood")?,
            customers: u32::try_from(data.customers).unwrap_or(u32::MAX),
        })
    }

    /// The model at log-parameters; an exponent may still overflow or vanish.
    fn from_logs(theta: &[f64; 3]) -> Result<Self, ClvError> {
        GammaGamma::new(theta[0].exp(), theta[1].exp(), theta[2].exp())
    }
}

fn validate_spend(customer: &SpendHistory) -> Result<(), ClvError> {
    if customer.mean_spend.is_finite() && customer.mean_spend >= 0.0 {
        Ok(())
    } else {
        Err(ClvError::InvalidInput(format!("mean spend must be finite and not negative, got {}", customer.mean_spend)))
    }
}

fn finite(value: f64, quantity: &'static str) -> Result<f64, ClvError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ClvError::NotFinite { quantity })
    }
}

/// Terms of the log-likelihood that depend on the parameters and x only.
struct FrequencyTerms {
    x: f64,
    ln_x: f64,
    /// ln Gamma(px+q) - ln Gamma(px) - ln Gamma(q) + q ln gamma + px ln x
    base: f64,
    /// psi(px+q) - psi(px), psi(px+q) - psi(q)
    digamma_p: f64,
    digamma_q: f64,
}

impl FrequencyTerms {
    fn build(m: &GammaGamma, frequency: u32, with_gradient: bool) -> Self {
        let x = f64::from(frequency);
        let ln_x = x.ln();
        let px = m.p * x;
        let base = ln_gamma(px + m.q) - ln_gamma(px) - ln_gamma(m.q) + m.q * m.gamma.ln() + px * ln_x;
        let (digamma_p, digamma_q) = if with_gradient {
            let both = digamma(px + m.q);
            (both - digamma(px), both - digamma(m.q))
        } else {
            (0.0, 0.0)
        };
        FrequencyTerms { x, ln_x, base, digamma_p, digamma_q }
    }

    /// Log-likelihood of one customer from ln zbar and zbar, and the log of gamma + x zbar.
    #[inline]
    fn log_likelihood(&self, m: &GammaGamma, ln_spend: f64, spend: f64) -> (f64, f64) {
        let px = m.p * self.x;
        let ln_pooled = (m.gamma + self.x * spend).ln();
        (self.base + (px - 1.0) * ln_spend - (px + m.q) * ln_pooled, ln_pooled)
    }
}

#[derive(Clone, Copy)]
struct SpendGroup {
    frequency: u32,
    mean_spend: f64,
    ln_spend: f64,
    count: f64,
}

/// Usable customers grouped into distinct (x, zbar) with counts, plus the distinct x values.
struct GroupedSpends {
    frequencies: Vec<u32>,
    groups: Vec<SpendGroup>,
    customers: usize,
}

impl GroupedSpends {
    fn new(customers: &[SpendHistory]) -> Result<Self, ClvError> {
        let mut keys = Vec::with_capacity(customers.len());
        for c in customers {
            validate_spend(c)?;
            if c.frequency > 0 && c.mean_spend > 0.0 {
                // Bit patterns of positive floats order like the numbers.
                keys.push((c.frequency, c.mean_spend.to_bits()));
            }
        }
        keys.par_sort_unstable();
        let used = keys.len();
        let mut frequencies: Vec<u32> = keys.iter().map(|k| k.0).collect();
        frequencies.dedup();
        let mut groups: Vec<SpendGroup> = Vec::new();
        let mut frequency_index = 0_u32;
        for (x, bits) in keys {
            if let Some(last) = groups.last_mut() {
                if frequencies[last.frequency as usize] == x && last.mean_spend.to_bits() == bits {
                    last.count += 1.0;
                    continue;
                }
            }
            while frequencies[frequency_index as usize] != x {
                frequency_index += 1;
            }
            let mean_spend = f64::from_bits(bits);
            groups.push(SpendGroup { frequency: frequency_index, mean_spend, ln_spend: mean_spend.ln(), count: 1.0 });
        }
        Ok(GroupedSpends { frequencies, groups, customers: used })
    }

    /// Starts: mean-preserving with moderate dispersion, then a neutral one.
    fn starting_points(&self) -> [GammaGamma; 2] {
        let weighted: f64 = self.groups.iter().map(|g| g.count * g.mean_spend).sum();
        let mean = (weighted / self.customers as f64).max(f64::MIN_POSITIVE);
        // p gamma / (q - 1) = mean
        [GammaGamma { p: 2.0, q: 3.0, gamma: mean }, GammaGamma { p: 1.0, q: 1.0, gamma: 1.0 }]
    }

    fn log_likelihood_and_gradient(&self, m: &GammaGamma, with_gradient: bool) -> (f64, [f64; 3]) {
        let per_frequency: Vec<FrequencyTerms> =
            self.frequencies.iter().map(|&x| FrequencyTerms::build(m, x, with_gradient)).collect();
        let ln_gamma_param = m.gamma.ln();
        summed(&self.groups, |groups| {
            let mut ll = 0.0;
            let mut grad = [0.0; 3];
            for g in groups {
                let terms = &per_frequency[g.frequency as usize];
                let (value, ln_pooled) = terms.log_likelihood(m, g.ln_spend, g.mean_spend);
                ll += g.count * value;
                if with_gradient {
                    let x = terms.x;
                    let px_q = m.p * x + m.q;
                    grad[0] += g.count * x * (terms.digamma_p + g.ln_spend + terms.ln_x - ln_pooled);
                    grad[1] += g.count * (terms.digamma_q + ln_gamma_param - ln_pooled);
                    grad[2] += g.count * (m.q / m.gamma - px_q / (m.gamma + x * g.mean_spend));
                }
            }
            (ll, grad)
        })
    }
}

impl Grouped<3> for GroupedSpends {
    fn distinct(&self) -> usize {
        self.groups.len()
    }

    fn customers(&self) -> usize {
        self.customers
    }

    fn sample(&self, step: usize) -> Self {
        let groups: Vec<SpendGroup> = self.groups.iter().step_by(step).copied().collect();
        let customers = groups.iter().map(|g| g.count as usize).sum();
        GroupedSpends { frequencies: self.frequencies.clone(), groups, customers }
    }

    fn starts(&self) -> [[f64; 3]; 2] {
        self.starting_points().map(|m| [m.p.ln(), m.q.ln(), m.gamma.ln()])
    }

    fn log_likelihood_at(&self, theta: &[f64; 3]) -> Option<(f64, [f64; 3])> {
        let model = GammaGamma::from_logs(theta).ok()?;
        let (ll, grad) = self.log_likelihood_and_gradient(&model, true);
        let params = [model.p, model.q, model.gamma];
        Some((ll, std::array::from_fn(|i| grad[i] * params[i])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(frequency: u32, mean_spend: f64) -> SpendHistory {
        SpendHistory { frequency, mean_spend }
    }

    #[test]
    fn a_large_base_fitted_from_a_sample_reaches_the_optimum_of_a_fit_from_scratch() {
        use super::super::{maximize, optimize::Start, SAMPLE_ABOVE};
        // Skewed spends, as shops see them; each mean distinct.
        let customers: Vec<SpendHistory> = (0..(SAMPLE_ABOVE + 1_000) as u64)
            .map(|i| {
                let u = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1_u64 << 53) as f64;
                s(1 + (i % 7) as u32, 5.0 + 300.0 * u * u * u + (i as f64) * 1e-6)
            })
            .collect();
        let warm = GammaGamma::fit(&customers).expect("fit through a sample");
        let data = GroupedSpends::new(&customers).expect("valid");
        assert!(data.groups.len() > SAMPLE_ABOVE, "the sampled path is taken");
        let starts = data.starts().map(Start::from);
        let cold = GammaGamma::from_logs(&maximize(&data, &starts).expect("fit from scratch").x).expect("valid");
        for (a, b) in [(warm.model.p, cold.p), (warm.model.q, cold.q), (warm.model.gamma, cold.gamma)] {
            assert!((a - b).abs() <= 1e-6 * b.abs(), "{:?} vs {cold:?}", warm.model);
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let data = GroupedSpends::new(&[s(1, 10.0), s(3, 42.5), s(2, 7.25), s(1, 10.0)]).expect("valid");
        let m = GammaGamma { p: 3.0, q: 2.5, gamma: 12.0 };
        let (_, grad) = data.log_likelihood_and_gradient(&m, true);
        let params = [m.p, m.q, m.gamma];
        for i in 0..3 {
            let step = 1e-6 * params[i];
            let at = |delta: f64| {
                let mut p = params;
                p[i] += delta;
                let model = GammaGamma { p: p[0], q: p[1], gamma: p[2] };
                data.log_likelihood_and_gradient(&model, false).0
            };
            let numeric = (at(step) - at(-step)) / (2.0 * step);
            assert!((numeric - grad[i]).abs() < 1e-6 * (1.0 + grad[i].abs()), "{i}");
        }
    }

    #[test]
    fn density_integrates_to_one() {
        // Trapezoid rule over zbar for x = 2 on a log grid.
        let m = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 };
        let (mut total, mut previous) = (0.0, None);
        for k in 0..=200_000 {
            let z = (-8.0 + 16.0 * f64::from(k) / 200_000.0).exp() * 30.0;
            let density = m.customer_log_likelihood(&s(2, z)).expect("valid").exp();
            if let Some((z0, d0)) = previous {
                total += 0.5 * (density + d0) * (z - z0);
            }
            previous = Some((z, density));
        }
        assert!((total - 1.0).abs() < 1e-6, "{total}");
    }

    #[test]
    fn conditional_spend_shrinks_towards_population_mean() {
        let m = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 };
        let population = m.population_mean_spend().expect("q > 1");
        assert!((population - 6.25 * 15.44 / 2.74).abs() < 1e-12);
        let one = m.expected_average_spend(&s(1, 100.0)).expect("finite");
        let many = m.expected_average_spend(&s(50, 100.0)).expect("finite");
        assert!(population < one && one < many && many < 100.0);
        assert_eq!(m.expected_average_spend(&s(0, 123.0)), Ok(population));
        let heavy_tail = GammaGamma { q: 0.5, ..m };
        assert!(matches!(heavy_tail.population_mean_spend(), Err(ClvError::NotFinite { .. })));
    }

    #[test]
    fn parameters_are_checked_when_made_and_when_read_back() {
        for (p, q) in [(-1.0, 3.74), (0.0, 3.74), (6.25, f64::NAN), (6.25, f64::INFINITY)] {
            assert!(matches!(GammaGamma::new(p, q, 15.44), Err(ClvError::InvalidInput(_))), "{p} {q}");
        }
        let m = GammaGamma::new(6.25, 3.74, 15.44).expect("valid");
        let stored = serde_json::to_string(&m).expect("json");
        assert_eq!(serde_json::from_str::<GammaGamma>(&stored).expect("read back"), m);
        assert!(serde_json::from_str::<GammaGamma>(r#"{"p": 6.25, "q": 0.0, "gamma": 15.44}"#).is_err());
    }
}
