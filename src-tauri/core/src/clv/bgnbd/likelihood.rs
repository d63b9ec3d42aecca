//! The BG/NBD log-likelihood over a customer base: histories grouped into distinct
//! (x, t_x, T), and the terms that depend on the parameters shared across them.

use super::BgNbd;
use crate::clv::summary::CustomerHistory;
use crate::clv::{summed, ClvError, Grouped};
use rayon::slice::ParallelSliceMut;
use statrs::function::gamma::{digamma, ln_gamma};

/// The parts of the log-likelihood that depend on the parameters and x only.
pub(super) struct FrequencyTerms {
    x: f64,
    /// ln Gamma(r+x) - ln Gamma(r) + r ln alpha + ln B(a, b+x) - ln B(a, b)
    base: f64,
    /// Derivatives of `base` by r, alpha, a, b.
    base_gradient: [f64; 4],
    /// ln(a / (b+x-1)); unused when x = 0.
    ln_ratio: f64,
    /// 1 / a and 1 / (b+x-1), the derivatives of `ln_ratio`.
    inv_a: f64,
    inv_b_x_1: f64,
}

impl FrequencyTerms {
    pub(super) fn new(m: &BgNbd, frequency: u32) -> Self {
        Self::build(m, frequency, false)
    }

    fn build(m: &BgNbd, frequency: u32, with_gradient: bool) -> Self {
        let x = f64::from(frequency);
        let BgNbd { r, alpha, a, b } = *m;
        let base = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) + ln_gamma(b + x)
            - ln_gamma(b)
            - ln_gamma(a + b + x);
        let base_gradient = if with_gradient {
            let d_ab = digamma(a + b) - digamma(a + b + x);
            [digamma(r + x) - digamma(r) + alpha.ln(), r / alpha, d_ab, digamma(b + x) - digamma(b) + d_ab]
        } else {
            [0.0; 4]
        };
        let b_x_1 = b + x - 1.0;
        FrequencyTerms {
            x,
            base,
            base_gradient,
            ln_ratio: if frequency > 0 { a.ln() - b_x_1.ln() } else { f64::NEG_INFINITY },
            inv_a: 1.0 / a,
            inv_b_x_1: if frequency > 0 { 1.0 / b_x_1 } else { 0.0 },
        }
    }

    /// Log-likelihood of (x, t_x, T) from ln(alpha+T) and ln(alpha+t_x), and the weight of
    /// the second summand (the "dropped out after the last purchase" branch).
    #[inline]
    pub(super) fn log_likelihood(&self, r_plus_x: f64, ln_age: f64, ln_recency: f64) -> (f64, f64) {
        let first = -r_plus_x * ln_age;
        if self.x == 0.0 {
            return (self.base + first, 0.0);
        }
        let second = self.ln_ratio - r_plus_x * ln_recency;
        let d = second - first;
        let e = (-d.abs()).exp();
        let softplus = d.max(0.0) + e.ln_1p();
        let weight_second = if d >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
        (self.base + first + softplus, weight_second)
    }
}

#[derive(Clone, Copy)]
pub(super) struct Group {
    frequency: u32,
    recency: u32,
    age: u32,
    count: f64,
}

/// Histories grouped into distinct (x, t_x, T) with counts; x and time values are indexed
/// so per-evaluation work on them is done once per distinct value.
pub(super) struct GroupedHistories {
    pub(super) frequencies: Vec<u32>,
    times: Vec<f64>,
    pub(super) groups: Vec<Group>,
    pub(super) customers: usize,
}

impl GroupedHistories {
    pub(super) fn new(histories: impl ExactSizeIterator<Item = CustomerHistory>) -> Result<Self, ClvError> {
        let mut keys = Vec::with_capacity(histories.len());
        for h in histories {
            h.validate()?;
            // Bit patterns of non-negative floats order like the numbers; adding +0.0 turns
            // -0.0 into 0.0 so equal values share a key.
            keys.push((h.frequency, (h.age + 0.0).to_bits(), (h.recency + 0.0).to_bits()));
        }
        let customers = keys.len();
        keys.par_sort_unstable();
        // Distinct keys are moved to the front and counted in place: a million histories
        // are grouped without a second list of them.
        let mut counts: Vec<u32> = Vec::new();
        let mut distinct = 0;
        for i in 0..keys.len() {
            if distinct > 0 && keys[distinct - 1] == keys[i] {
                counts[distinct - 1] += 1;
            } else {
                keys[distinct] = keys[i];
                counts.push(1);
                distinct += 1;
            }
        }
        keys.truncate(distinct);
        keys.shrink_to_fit();
        let mut frequencies: Vec<u32> = keys.iter().map(|k| k.0).collect();
        frequencies.dedup();
        let mut time_bits: Vec<u64> = keys.iter().flat_map(|k| [k.1, k.2]).collect();
        time_bits.sort_unstable();
        time_bits.dedup();
        let index_of_time = |bits: u64| time_bits.partition_point(|&t| t < bits) as u32;
        let mut frequency_index = 0_u32;
        let groups = keys
            .iter()
            .zip(&counts)
            .map(|(&(x, age, recency), &count)| {
                while frequencies[frequency_index as usize] != x {
                    frequency_index += 1;
                }
                Group {
                    frequency: frequency_index,
                    recency: index_of_time(recency),
                    age: index_of_time(age),
                    count: f64::from(count),
                }
            })
            .collect();
        drop((keys, counts));
        let times = time_bits.into_iter().map(f64::from_bits).collect();
        Ok(GroupedHistories { frequencies, times, groups, customers })
    }

    /// Starting points for the fit: the first from simple moments of the data, the second
    /// a neutral one on the data's time scale.
    fn starting_points(&self) -> [BgNbd; 2] {
        let (mut purchases, mut exposure) = (0.0, 0.0);
        for g in &self.groups {
            purchases += g.count * f64::from(self.frequencies[g.frequency as usize]);
            exposure += g.count * self.times[g.age as usize];
        }
        let mean_age = (exposure / self.customers as f64).max(1e-3);
        let rate = if purchases > 0.0 { purchases / exposure.max(1e-3) } else { 1.0 / mean_age };
        // One purchase per 1/rate time units on average, with Gamma shape 1.
        let moments = BgNbd { r: 1.0, alpha: (1.0 / rate).max(1e-6), a: 1.0, b: 3.0 };
        let neutral = BgNbd { r: 1.0, alpha: mean_age, a: 1.0, b: 1.0 };
        [moments, neutral]
    }

    /// Total log-likelihood and, if asked, its gradient by (r, alpha, a, b).
    pub(super) fn log_likelihood_and_gradient(&self, m: &BgNbd, with_gradient: bool) -> (f64, [f64; 4]) {
        let per_frequency: Vec<FrequencyTerms> =
            self.frequencies.iter().map(|&x| FrequencyTerms::build(m, x, with_gradient)).collect();
        let ln_times: Vec<f64> = self.times.iter().map(|t| (m.alpha + t).ln()).collect();
        let inv_times: Vec<f64> =
            if with_gradient { self.times.iter().map(|t| 1.0 / (m.alpha + t)).collect() } else { Vec::new() };
        let tables = Tables { model: m, per_frequency, ln_times, inv_times, with_gradient };
        summed(&self.groups, |part| tables.sum(part))
    }
}

impl Grouped<4> for GroupedHistories {
    fn distinct(&self) -> usize {
        self.groups.len()
    }

    fn customers(&self) -> usize {
        self.customers
    }

    /// Shares the index tables.
    fn sample(&self, step: usize) -> Self {
        let groups: Vec<Group> = self.groups.iter().step_by(step).copied().collect();
        let customers = groups.iter().map(|g| g.count as usize).sum();
        GroupedHistories { frequencies: self.frequencies.clone(), times: self.times.clone(), groups, customers }
    }

    fn starts(&self) -> [[f64; 4]; 2] {
        self.starting_points().map(|m| m.logs())
    }

    fn log_likelihood_at(&self, theta: &[f64; 4]) -> Option<(f64, [f64; 4])> {
        let model = BgNbd::from_logs(theta).ok()?;
        let (ll, grad) = self.log_likelihood_and_gradient(&model, true);
        let params = [model.r, model.alpha, model.a, model.b];
        Some((ll, std::array::from_fn(|i| grad[i] * params[i])))
    }
}

struct Tables<'a> {
    model: &'a BgNbd,
    per_frequency: Vec<FrequencyTerms>,
    ln_times: Vec<f64>,
    inv_times: Vec<f64>,
    with_gradient: bool,
}

impl Tables<'_> {
    fn sum(&self, groups: &[Group]) -> (f64, [f64; 4]) {
        let r = self.model.r;
        let mut ll = 0.0;
        let mut grad = [0.0; 4];
        for g in groups {
            let terms = &self.per_frequency[g.frequency as usize];
            let r_plus_x = r + terms.x;
            let ln_age = self.ln_times[g.age as usize];
            let ln_recency = self.ln_times[g.recency as usize];
            let (value, w2) = terms.log_likelihood(r_plus_x, ln_age, ln_recency);
            ll += g.count * value;
            if self.with_gradient {
                let w1 = 1.0 - w2;
                let inv_age = self.inv_times[g.age as usize];
                let inv_recency = self.inv_times[g.recency as usize];
                let bg = &terms.base_gradient;
                grad[0] += g.count * (bg[0] - (w1 * ln_age + w2 * ln_recency));
                grad[1] += g.count * (bg[1] - r_plus_x * (w1 * inv_age + w2 * inv_recency));
                grad[2] += g.count * (bg[2] + w2 * terms.inv_a);
                grad[3] += g.count * (bg[3] - w2 * terms.inv_b_x_1);
            }
        }
        (ll, grad)
    }
}
