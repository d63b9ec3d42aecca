//! Properties of the CLV models over many seeded random inputs, recovery of simulated
//! parameters, and the typed errors on degenerate data.

use chrono::NaiveDate;
use headtail_core::clv::{
    customer_lifetime_value, summarize, BgNbd, ClvError, ClvSettings, CustomerHistory, CustomerSummary, GammaGamma,
    SpendHistory, TimeUnit, Transaction,
};
use rand::distr::Open01;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Random inputs from a seeded generator, so every run sees the same ones.
struct Draws(ChaCha8Rng);

impl Draws {
    fn seeded(seed: u64) -> Self {
        Draws(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        self.0.sample(Open01)
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    fn log_between(&mut self, low: f64, high: f64) -> f64 {
        self.between(low.ln(), high.ln()).exp()
    }

    fn below(&mut self, n: u32) -> u32 {
        self.0.random_range(0..n)
    }

    fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }

    /// Gamma(shape, rate) by Marsaglia & Tsang, boosted for shape < 1.
    fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0, rate) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = (1.0 + c * z).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        x / (x + self.gamma(b, 1.0))
    }

    fn bgnbd_params(&mut self) -> BgNbd {
        let (r, alpha) = (self.log_between(0.01, 50.0), self.log_between(0.01, 500.0));
        let (a, b) = (self.log_between(0.01, 50.0), self.log_between(0.01, 50.0));
        BgNbd::new(r, alpha, a, b).expect("positive")
    }

    fn history(&mut self) -> CustomerHistory {
        let age = if self.below(10) == 0 { 0.0 } else { self.log_between(0.01, 1000.0) };
        let frequency = if self.below(3) == 0 { 0 } else { self.below(300) };
        let recency = if frequency == 0 { 0.0 } else { age * self.uniform() };
        CustomerHistory { frequency, recency, age }
    }
}

fn customer(history: CustomerHistory, mean_spend: Option<f64>) -> CustomerSummary<u32> {
    CustomerSummary {
        customer_id: 0,
        first_purchase: NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date"),
        history,
        mean_spend,
    }
}

#[test]
fn probability_alive_is_a_probability() {
    let mut rng = Draws::seeded(1);
    for _ in 0..20_000 {
        let model = rng.bgnbd_params();
        let history = rng.history();
        let p = model.probability_alive(&history).expect("valid input");
        assert!((0.0..=1.0).contains(&p), "{model:?} {history:?}: {p}");
    }
}

#[test]
fn expected_purchases_are_finite_non_negative_and_grow_with_the_horizon() {
    let mut rng = Draws::seeded(2);
    for _ in 0..3_000 {
        let model = rng.bgnbd_params();
        let history = rng.history();
        let mut previous = 0.0;
        for t in [0.5, 3.0, 13.0, 52.0, 400.0] {
            let e = model.expected_purchases(&history, t).expect("finite");
            assert!(e.is_finite() && e >= 0.0, "{model:?} {history:?} t={t}: {e}");
            assert!(e >= previous * (1.0 - 1e-9), "{model:?} {history:?} t={t}: {e} < {previous}");
            previous = e;
        }
    }
}

#[test]
fn conditional_spend_lies_between_population_and_own_mean() {
    let mut rng = Draws::seeded(3);
    for _ in 0..20_000 {
        let (p, q) = (rng.log_between(0.05, 50.0), rng.log_between(1.05, 50.0));
        let model = GammaGamma::new(p, q, rng.log_between(0.01, 1e4)).expect("positive");
        let own = SpendHistory { frequency: 1 + rng.below(200), mean_spend: rng.log_between(0.01, 1e4) };
        let e = model.expected_average_spend(&own).expect("finite");
        let population = model.population_mean_spend().expect("q > 1");
        let (low, high) =
            if own.mean_spend < population { (own.mean_spend, population) } else { (population, own.mean_spend) };
        assert!(e >= low * (1.0 - 1e-12) && e <= high * (1.0 + 1e-12), "{model:?} {own:?}: {e}");
    }
}

#[test]
fn lifetime_value_is_finite_and_non_negative() {
    let mut rng = Draws::seeded(4);
    for _ in 0..500 {
        let purchases = rng.bgnbd_params();
        let (p, q) = (rng.log_between(0.1, 20.0), rng.log_between(1.1, 20.0));
        let spend = GammaGamma::new(p, q, 10.0).expect("positive");
        let history = rng.history();
        let mean_spend = (history.frequency > 0).then(|| rng.log_between(1.0, 500.0));
        let settings = ClvSettings {
            time_unit: if rng.below(2) == 0 { TimeUnit::Day } else { TimeUnit::Week },
            horizon_months: 1 + rng.below(36),
            monthly_discount_rate: rng.between(0.0, 0.05),
            margin: rng.uniform(),
        };
        let clv =
            customer_lifetime_value(&purchases, &spend, &customer(history, mean_spend), &settings).expect("finite");
        assert!(clv.is_finite() && clv >= 0.0, "{purchases:?} {history:?}: {clv}");
    }
}

#[test]
fn fits_to_small_unstructured_data_are_finite_or_typed_errors() {
    // Tiny customer bases with arbitrary histories: the likelihood may have no interior
    // maximum, so a fit may end at extreme parameters or fail, but never yields NaN.
    let mut rng = Draws::seeded(7);
    for _ in 0..50 {
        let n = 2 + rng.below(30) as usize;
        let histories: Vec<CustomerHistory> = (0..n)
            .map(|_| {
                let age = rng.between(0.0, 100.0).floor();
                let frequency = if rng.below(2) == 0 { 0 } else { rng.below(10) };
                let recency = if frequency == 0 { 0.0 } else { (age * rng.uniform()).ceil() };
                CustomerHistory { frequency, recency, age }
            })
            .collect();
        match BgNbd::fit(&histories) {
            Ok(fit) => {
                assert!(fit.log_likelihood.is_finite());
                let m = fit.model;
                assert!([m.r(), m.alpha(), m.a(), m.b()].iter().all(|v| v.is_finite() && *v > 0.0), "{fit:?}");
                for h in &histories {
                    let p = fit.model.probability_alive(h).expect("valid");
                    let e = fit.model.expected_purchases(h, 52.0).expect("finite");
                    assert!((0.0..=1.0).contains(&p) && e.is_finite() && e >= 0.0, "{fit:?}");
                }
            }
            Err(ClvError::NotEnoughData { .. } | ClvError::NoConvergence { .. }) => {}
            Err(other) => panic!("unexpected {other:?} for {histories:?}"),
        }
        let spends: Vec<SpendHistory> = histories
            .iter()
            .map(|h| s(h.frequency, if h.frequency > 0 { rng.between(0.0, 100.0).round() } else { 0.0 }))
            .collect();
        match GammaGamma::fit(&spends) {
            Ok(fit) => {
                assert!(fit.log_likelihood.is_finite());
                let m = fit.model;
                assert!([m.p(), m.q(), m.gamma()].iter().all(|v| v.is_finite() && *v > 0.0), "{fit:?}");
            }
            Err(ClvError::NotEnoughData { .. } | ClvError::NoConvergence { .. }) => {}
            Err(other) => panic!("unexpected {other:?} for {spends:?}"),
        }
    }
}

/// Simulates BG/NBD customers with first purchases at time 0 and ages between 20 and 60.
fn simulate_bgnbd(rng: &mut Draws, truth: &BgNbd, customers: usize) -> Vec<CustomerHistory> {
    (0..customers)
        .map(|_| {
            let age = rng.between(20.0, 60.0);
            let rate = rng.gamma(truth.r(), truth.alpha());
            let drop_out = rng.beta(truth.a(), truth.b());
            let (mut time, mut frequency, mut recency) = (0.0, 0, 0.0);
            loop {
                time += rng.exponential(rate);
                if time > age {
                    break;
                }
                frequency += 1;
                recency = time;
                if rng.uniform() < drop_out {
                    break;
                }
            }
            CustomerHistory { frequency, recency, age }
        })
        .collect()
}

#[test]
fn bgnbd_fit_recovers_simulated_parameters() {
    let truth = BgNbd::new(0.5, 6.0, 0.8, 2.5).expect("valid");
    let histories = simulate_bgnbd(&mut Draws::seeded(5), &truth, 30_000);
    let fit = BgNbd::fit(&histories).expect("fit").model;
    for (name, got, want) in [
        ("r", fit.r(), truth.r()),
        ("alpha", fit.alpha(), truth.alpha()),
        ("a", fit.a(), truth.a()),
        ("b", fit.b(), truth.b()),
    ] {
        assert!((got / want - 1.0).abs() < 0.15, "{name}: {got} vs {want} ({fit:?})");
    }
}

#[test]
fn gamma_gamma_fit_recovers_simulated_parameters() {
    let truth = GammaGamma::new(4.0, 3.0, 20.0).expect("valid");
    let mut rng = Draws::seeded(6);
    let customers: Vec<SpendHistory> = (0..20_000)
        .map(|_| {
            let frequency = 1 + rng.below(8);
            let nu = rng.gamma(truth.q(), truth.gamma());
            let total: f64 = (0..frequency).map(|_| rng.gamma(truth.p(), nu)).sum();
            SpendHistory { frequency, mean_spend: total / f64::from(frequency) }
        })
        .collect();
    let fit = GammaGamma::fit(&customers).expect("fit").model;
    for (name, got, want) in
        [("p", fit.p(), truth.p()), ("q", fit.q(), truth.q()), ("gamma", fit.gamma(), truth.gamma())]
    {
        assert!((got / want - 1.0).abs() < 0.1, "{name}: {got} vs {want} ({fit:?})");
    }
}

fn not_enough<T>(result: Result<T, ClvError>) -> bool {
    matches!(result, Err(ClvError::NotEnoughData { .. }))
}

fn invalid<T>(result: Result<T, ClvError>) -> bool {
    matches!(result, Err(ClvError::InvalidInput(_)))
}

fn h(frequency: u32, recency: f64, age: f64) -> CustomerHistory {
    CustomerHistory { frequency, recency, age }
}

fn s(frequency: u32, mean_spend: f64) -> SpendHistory {
    SpendHistory { frequency, mean_spend }
}

#[test]
fn bgnbd_fit_needs_repeat_buyers_with_varied_frequencies() {
    assert!(not_enough(BgNbd::fit(&[])));
    assert!(not_enough(BgNbd::fit(&[h(0, 0.0, 10.0); 50])));
    let same_x: Vec<_> =
        (0..50).map(|i| h(u32::from(i % 2 == 0) * 2, if i % 2 == 0 { 3.0 } else { 0.0 }, 10.0)).collect();
    assert!(not_enough(BgNbd::fit(&same_x)));
}

#[test]
fn bgnbd_rejects_non_finite_or_inconsistent_histories() {
    let model = BgNbd::new(0.243, 4.414, 0.793, 2.426).expect("valid");
    for bad in [h(1, f64::NAN, 3.0), h(1, 1.0, f64::INFINITY), h(2, 5.0, 3.0), h(0, 1.0, 3.0)] {
        assert!(invalid(BgNbd::fit(&[h(1, 1.0, 3.0), h(2, 2.0, 3.0), bad])), "{bad:?}");
        assert!(invalid(model.log_likelihood(&[bad])), "{bad:?}");
        assert!(invalid(model.customer_log_likelihood(&bad)), "{bad:?}");
        assert!(invalid(model.probability_alive(&bad)), "{bad:?}");
        assert!(invalid(model.expected_purchases(&bad, 10.0)), "{bad:?}");
    }
}

#[test]
fn gamma_gamma_fit_needs_varied_positive_spend() {
    assert!(not_enough(GammaGamma::fit(&[])));
    assert!(not_enough(GammaGamma::fit(&[s(3, 20.0)])));
    assert!(not_enough(GammaGamma::fit(&[s(0, 0.0); 10])));
    assert!(not_enough(GammaGamma::fit(&[s(2, 0.0), s(1, 0.0), s(5, 0.0)])));
    assert!(not_enough(GammaGamma::fit(&[s(2, 9.5), s(1, 9.5), s(5, 9.5)])));
    for bad in [f64::NAN, f64::INFINITY, -1.0] {
        assert!(invalid(GammaGamma::fit(&[s(2, 9.5), s(1, 12.0), s(1, bad)])), "{bad}");
    }
}

#[test]
fn all_zero_spend_from_transactions_is_not_enough_data() {
    let day = |d: u32| NaiveDate::from_ymd_opt(2024, 1, d).expect("valid date");
    let rows: Vec<Transaction<u32>> = (0..20)
        .flat_map(|id| (1..=(1 + id % 4)).map(move |k| Transaction { customer_id: id, date: day(k * 3), amount: 0.0 }))
        .collect();
    let summary = summarize(&rows, day(31), TimeUnit::Day).expect("summary");
    let spends: Vec<SpendHistory> = summary.iter().map(|c| c.spend_history()).collect();
    assert!(matches!(GammaGamma::fit(&spends), Err(ClvError::NotEnoughData { .. })));
}

#[test]
fn lifetime_value_rejects_invalid_settings() {
    let purchases = BgNbd::new(0.243, 4.414, 0.793, 2.426).expect("valid");
    let spend = GammaGamma::new(6.25, 3.74, 15.44).expect("valid");
    let c = customer(h(2, 30.43, 38.86), Some(30.0));
    let ok = ClvSettings::new(TimeUnit::Week, 0.3);
    for bad in [
        ClvSettings { margin: f64::NAN, ..ok },
        ClvSettings { monthly_discount_rate: f64::INFINITY, ..ok },
        ClvSettings { horizon_months: 0, ..ok },
    ] {
        let result = customer_lifetime_value(&purchases, &spend, &c, &bad);
        assert!(matches!(result, Err(ClvError::InvalidInput(_))), "{bad:?}");
    }
    let nan_spend = customer(h(2, 30.43, 38.86), Some(f64::NAN));
    let result = customer_lifetime_value(&purchases, &spend, &nan_spend, &ok);
    assert!(matches!(result, Err(ClvError::InvalidInput(_))));
}
