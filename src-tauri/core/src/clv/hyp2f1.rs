//! The Gaussian hypergeometric function 2F1(a, b; c; z) for real arguments and z < 1.
//!
//! Method, by region of z:
//! - 0 <= z <= 0.5, and polynomials (a or b a non-positive integer): the defining power
//!   series, sum_n (a)_n (b)_n / ((c)_n n!) z^n.
//! - z < 0: Pfaff's transformation 2F1(a, b; c; z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)),
//!   which maps z into (0, 1) and avoids the cancellation of an alternating series.
//! - 0.5 < z < 1: the power series if it converges within a few thousand terms without
//!   cancellation (it does for all but z near 1, and faster than z^n when large parameters
//!   make (a)_n (b)_n / (c)_n n! shrink). Otherwise, after Euler's transformation
//!   2F1(a, b; c; z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) when c-a-b > 0, the series gives
//!   the value and the derivative at z0 = 1/2; from there the
//!   solution of the hypergeometric differential equation
//!   z(1-z) w'' + (c - (a+b+1) z) w' - a b w = 0
//!   is carried towards z by re-expanding it in Taylor series around successive points, each
//!   step at most half the distance to the singular point 1. This needs no special case when
//!   c - a - b is an integer, unlike the connection formulas around z = 1.
//!
//! Series are stopped by a bound on their geometric tail, not by the size of the last term.
//! Against mpmath, relative errors are around 1e-14 over the parameters the BG/NBD model
//! produces; for large parameters of mixed sign at negative z some digits are lost.
//!
//! Values are carried as mantissa times exp(scale), so large parameters (2F1 of the order
//! of 2^1000) do not overflow before the caller combines them with small factors.

use super::ClvError;

/// Relative size below which the remaining terms of a series are dropped.
const TOLERANCE: f64 = 1e-17;
/// Upper bound on terms of one series; generous, convergence is geometric with ratio <= 1/2.
const MAX_TERMS: usize = 100_000;
/// Up to which z the power series is always used directly.
const SERIES_LIMIT: f64 = 0.5;
/// Beyond `SERIES_LIMIT`, terms the power series may take before the continuation is used.
const DIRECT_TERMS: usize = 4_000;
/// Beyond `SERIES_LIMIT`, the largest term may exceed the sum by at most this factor.
const MAX_CANCELLATION: f64 = 1e3;
/// Rescale running sums when their magnitude exceeds this.
const RESCALE_ABOVE: f64 = 1e100;

/// A value `mantissa * exp(scale)`; lets intermediate results exceed the f64 range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scaled {
    pub mantissa: f64,
    pub scale: f64,
}

impl Scaled {
    fn plain(value: f64) -> Self {
        Scaled { mantissa: value, scale: 0.0 }
    }

    /// Natural log of the absolute value (`-inf` for zero).
    pub fn ln_abs(self) -> f64 {
        self.mantissa.abs().ln() + self.scale
    }

    fn value(self) -> f64 {
        self.mantissa * self.scale.exp()
    }
}

/// The Gaussian hypergeometric function 2F1(a, b; c; z) for real a, b, c and z < 1.
///
/// Terminating cases (a or b a non-positive integer) are summed exactly for any z < 1.
///
/// # Errors
/// [`ClvError::InvalidInput`] for non-finite arguments, z >= 1, or c a non-positive integer
/// (where the function is undefined); [`ClvError::NotFinite`] when the value overflows f64;
/// [`ClvError::NoConvergence`] if a series fails to converge (not expected for z < 1).
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, ClvError> {
    let value = hyp2f1_scaled(a, b, c, z)?.value();
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ClvError::NotFinite { quantity: "hyp2f1" })
    }
}

/// 2F1 as mantissa and log scale; see [`hyp2f1`].
pub(crate) fn hyp2f1_scaled(a: f64, b: f64, c: f64, z: f64) -> Result<Scaled, ClvError> {
    if !(a.is_finite() && b.is_finite() && c.is_finite() && z.is_finite()) {
        return Err(ClvError::InvalidInput("hyp2f1 arguments must be finite".into()));
    }
    if z >= 1.0 {
        return Err(ClvError::InvalidInput(format!("hyp2f1 needs z < 1, got {z}")));
    }
    if is_non_positive_integer(c) {
        return Err(ClvError::InvalidInput(format!("hyp2f1 is undefined for c = {c} (a non-positive integer)")));
    }
    if z == 0.0 || a == 0.0 || b == 0.0 {
        return Ok(Scaled::plain(1.0));
    }
    if is_non_positive_integer(a) || is_non_positive_integer(b) {
        return series_value(a, b, c, z);
    }
    if z < 0.0 {
        // Pfaff: (1-z)^-p 2F1(p, c-q; c; w) with w = z/(z-1) in (0, 1) and {p, q} = {a, b}.
        // Taking p = min(a, b) keeps the inner function bounded as w -> 1 (its exponent
        // c - p - (c - q) = q - p is >= 0), unless the other choice terminates sooner.
        let (small, large) = if a <= b { (a, b) } else { (b, a) };
        let (p, q) = if is_non_positive_integer(c - small) { (large, small) } else { (small, large) };
        let one_minus_z = 1.0 - z;
        let w = z / (z - 1.0);
        let inner = positive_z(p, c - q, c, w, 1.0 / one_minus_z)?;
        return Ok(Scaled { mantissa: inner.mantissa, scale: inner.scale - p * one_minus_z.ln() });
    }
    positive_z(a, b, c, z, 1.0 - z)
}

fn is_non_positive_integer(v: f64) -> bool {
    v <= 0.0 && v == v.round()
}

/// 2F1 for 0 < z < 1; `one_minus_z` is 1 - z, passed separately so that it keeps its
/// relative precision when z is within rounding of 1.
fn positive_z(a: f64, b: f64, c: f64, z: f64, one_minus_z: f64) -> Result<Scaled, ClvError> {
    if z <= SERIES_LIMIT || is_non_positive_integer(a) || is_non_positive_integer(b) {
        return series_value(a, b, c, z);
    }
    // Large parameters with b/c or a/c below 1 can make the series converge much faster
    // than z^n; take it when it does so within a modest number of terms, without cancellation.
    if let Some(direct) = series(a, b, c, z, DIRECT_TERMS) {
        if direct.cancellation <= MAX_CANCELLATION {
            return Ok(direct.value);
        }
    }
    let excess = c - a - b;
    if excess > 0.0 {
        // Euler: (1-z)^(c-a-b) 2F1(c-a, c-b; c; z). The inner function grows towards z = 1,
        // so it is the dominant solution there and its continuation keeps full relative
        // accuracy, even when 2F1(a, b; c; z) itself tends to zero.
        let inner = if is_non_positive_integer(c - a) || is_non_positive_integer(c - b) {
            series_value(c - a, c - b, c, z)?
        } else {
            continue_to(c - a, c - b, c, one_minus_z)?
        };
        return Ok(Scaled { mantissa: inner.mantissa, scale: inner.scale + excess * one_minus_z.ln() });
    }
    continue_to(a, b, c, one_minus_z)
}

/// Value and derivative of the power series at z.
struct SeriesResult {
    value: Scaled,
    /// Derivative, in the same scale as `value`.
    derivative: f64,
    /// Largest term magnitude over the magnitude of the sum; large values mean cancellation.
    cancellation: f64,
}

/// The power series, or `None` if it has not converged within `max_terms` terms.
fn series(a: f64, b: f64, c: f64, z: f64, max_terms: usize) -> Option<SeriesResult> {
    // For m >= n, with every factor positive, the term ratio is
    // |z| (a+m)(b+m) / ((c+m)(m+1)) = |z| (1 + (ab - c + (a+b-c-1) m) / ((c+m)(m+1)))
    // <= |z| (1 + max(ab - c, 0) / ((c+n)(n+1)) + max(a+b-c-1, 0) / (c+n)),
    // which bounds the tail by a geometric series.
    let alpha = (a * b - c).max(0.0);
    let beta = (a + b - c - 1.0).max(0.0);
    let all_positive_from = (-a).max(-b).max(-c).max(0.0);
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    let mut largest = 1.0_f64;
    // sum_n n t_n; the derivative is this divided by z.
    let mut weighted = 0.0_f64;
    let mut scale = 0.0_f64;
    let mut n = 0.0_f64;
    for _ in 0..max_terms {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        n += 1.0;
        sum += term;
        weighted += n * term;
        largest = largest.max(term.abs());
        if term == 0.0 {
            return Some(finish_series(sum, weighted, scale, z, largest));
        }
        if sum.abs() > RESCALE_ABOVE || term.abs() > RESCALE_ABOVE {
            let factor = sum.abs().max(term.abs());
            sum /= factor;
            term /= factor;
            weighted /= factor;
            largest /= factor;
            scale += factor.ln();
        }
        if n > all_positive_from {
            let ratio = z.abs() * (1.0 + alpha / ((c + n) * (n + 1.0)) + beta / (c + n));
            let weighted_ratio = ratio * (n + 1.0) / n;
            if weighted_ratio < 1.0
                && term.abs() * ratio <= TOLERANCE * sum.abs() * (1.0 - ratio)
                && n * term.abs() * weighted_ratio <= TOLERANCE * weighted.abs().max(sum.abs()) * (1.0 - weighted_ratio)
            {
                return Some(finish_series(sum, weighted, scale, z, largest));
            }
        }
    }
    None
}

fn finish_series(sum: f64, weighted: f64, scale: f64, z: f64, largest: f64) -> SeriesResult {
    SeriesResult { value: Scaled { mantissa: sum, scale }, derivative: weighted / z, cancellation: largest / sum.abs() }
}

fn series_value(a: f64, b: f64, c: f64, z: f64) -> Result<Scaled, ClvError> {
    series(a, b, c, z, MAX_TERMS).map(|s| s.value).ok_or(ClvError::NoConvergence { what: "hyp2f1 power series" })
}

/// Carries the solution from z0 = 1/2 to z = 1 - `one_minus_z` in (1/2, 1) along the
/// differential equation. Positions are tracked as distances to 1, which stay exact.
fn continue_to(a: f64, b: f64, c: f64, one_minus_z: f64) -> Result<Scaled, ClvError> {
    let mut u0 = 1.0 - SERIES_LIMIT;
    let start = series(a, b, c, 1.0 - u0, MAX_TERMS).ok_or(ClvError::NoConvergence { what: "hyp2f1 power series" })?;
    let mut w = start.value.mantissa;
    let mut dw = start.derivative;
    let mut scale = start.value.scale;
    while u0 > one_minus_z {
        let last = u0 - one_minus_z <= 0.5 * u0;
        let h = if last { u0 - one_minus_z } else { 0.5 * u0 };
        let (w1, dw1) = taylor_step(a, b, c, u0, w, dw, h)?;
        u0 = if last { one_minus_z } else { u0 - h };
        // Keep w and (1 - z) w' near unit size; they share one scale.
        let size = w1.abs().max(dw1.abs() * u0);
        if !size.is_finite() {
            return Err(ClvError::NotFinite { quantity: "hyp2f1" });
        }
        if size > 0.0 {
            w = w1 / size;
            dw = dw1 / size;
            scale += size.ln();
        } else {
            w = w1;
            dw = dw1;
        }
    }
    Ok(Scaled { mantissa: w, scale })
}

/// One Taylor step of the hypergeometric equation from z0 = 1 - u0 (value w, derivative dw)
/// by h. Works with d_n = c_n h^n, where c_n are the Taylor coefficients around z0.
fn taylor_step(a: f64, b: f64, c: f64, u0: f64, w: f64, dw: f64, h: f64) -> Result<(f64, f64), ClvError> {
    let z0 = 1.0 - u0;
    let p0 = z0 * u0;
    let p1 = 2.0 * u0 - 1.0;
    let q0 = c - (a + b + 1.0) * z0;
    let mut d_prev = w; // d_n
    let mut d_cur = dw * h; // d_{n+1}
    let mut value = d_prev + d_cur;
    let mut slope = d_cur; // sum of n d_n, divided by h at the end
    let mut small_in_a_row = 0;
    for k in 0..MAX_TERMS {
        let n = k as f64;
        // c_{n+2} = [(n+a)(n+b) c_n - (n+1)((1-2 z0) n + c - (a+b+1) z0) c_{n+1}]
        //           / (z0 (1-z0) (n+2)(n+1))
        let d_next =
            ((n + a) * (n + b) * h * h * d_prev - (n + 1.0) * (p1 * n + q0) * h * d_cur) / (p0 * (n + 2.0) * (n + 1.0));
        value += d_next;
        slope += (n + 2.0) * d_next;
        let negligible = d_next.abs() <= TOLERANCE * value.abs()
            && (n + 2.0) * d_next.abs() <= TOLERANCE * slope.abs().max(value.abs());
        small_in_a_row = if negligible { small_in_a_row + 1 } else { 0 };
        if small_in_a_row >= 3 && n > (a.abs() + b.abs()).min(1e4) * h / u0 {
            return Ok((value, slope / h));
        }
        d_prev = d_cur;
        d_cur = d_next;
    }
    Err(ClvError::NoConvergence { what: "hyp2f1 continuation" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, rel: f64) -> bool {
        (actual - expected).abs() <= rel * expected.abs().max(f64::MIN_POSITIVE)
    }

    #[track_caller]
    fn check(a: f64, b: f64, c: f64, z: f64, expected: f64, rel: f64) {
        let got = hyp2f1(a, b, c, z).expect("hyp2f1");
        assert!(
            close(got, expected, rel),
            "2F1({a}, {b}; {c}; {z}) = {got:e}, expected {expected:e} (rel err {:e})",
            (got - expected).abs() / expected.abs()
        );
    }

    #[test]
    fn hyp2f1_log_closed_form() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        for &z in &[-50.0, -3.0, -0.9, -0.4, -1e-3, 1e-3, 0.3, 0.5, 0.51, 0.75, 0.9, 0.99, 0.999_999] {
            check(1.0, 1.0, 2.0, z, -(-z).ln_1p() / z, 1e-13);
        }
    }

    #[test]
    fn hyp2f1_power_closed_form() {
        // 2F1(a, b; b; z) = (1 - z)^-a
        for &(a, b) in &[(0.3, 1.7), (2.5, 0.4), (12.0, 3.0), (-2.5, 1.1), (150.0, 151.0)] {
            for &z in &[-20.0_f64, -0.7, -0.2, 0.2, 0.6, 0.95, 0.9999] {
                let expected = -a * (-z).ln_1p();
                let got = hyp2f1_scaled(a, b, b, z).expect("hyp2f1").ln_abs();
                assert!(
                    (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                    "ln 2F1({a}, {b}; {b}; {z}) = {got}, expected {expected}"
                );
            }
        }
        check(2.5, 0.4, 0.4, 0.9999, 1e10, 1e-12);
        // (1 - 0.9999)^-150 = 1e600 does not fit an f64.
        assert_eq!(hyp2f1(150.0, 151.0, 151.0, 0.9999), Err(ClvError::NotFinite { quantity: "hyp2f1" }));
    }

    #[test]
    fn hyp2f1_asin_closed_form() {
        // 2F1(1/2, 1/2; 3/2; z^2) = asin(z) / z
        for &z in &[0.1_f64, 0.6, 0.8, 0.95, 0.999] {
            check(0.5, 0.5, 1.5, z * z, z.asin() / z, 1e-13);
        }
    }

    #[test]
    fn hyp2f1_terminating_polynomial() {
        // 2F1(-2, b; c; z) = 1 - 2 b z / c + b (b+1) z^2 / (c (c+1))
        let (b, c) = (3.5, 1.25);
        for &z in &[-40.0, -1.5, 0.3, 0.8] {
            let expected = 1.0 - 2.0 * b * z / c + b * (b + 1.0) * z * z / (c * (c + 1.0));
            check(-2.0, b, c, z, expected, 1e-13);
        }
    }

    #[test]
    fn hyp2f1_matches_mpmath() {
        // Reference values from mpmath 1.4.1: mpmath.hyp2f1 at mp.dps = 40, with the arguments
        // converted from these exact binary doubles.
        let cases: &[(f64, f64, f64, f64, f64)] = &[
            (0.243, 2.426, 2.219, 0.5, 1.207_097_007_044_042_3),
            (2.243, 4.426, 4.219, 0.531, 6.012_327_924_499_285),
            (26.243, 28.426, 28.219, 0.626, 196_553_847_683.334_06),
            (0.7, 1.3, 0.9, -0.8, 0.556_746_275_119_658),
            (0.7, 1.3, 2.9, -7.5, 0.411_289_769_750_081_5),
            (1.5, 2.5, 4.0, 0.97, 9.784_734_861_085_157),
            (0.5, 0.5, 1.0, 0.999_999, 5.280_157_154_762_713),
            (3.0, 4.0, 7.0, 0.9999, 353.145_849_295_363_5),
            (0.1, -0.2, 0.3, 0.95, 0.875_020_902_655_532_2),
            (5.0, 0.2, 5.2, -1e6, 0.063_656_964_283_867_13),
            (0.5, 0.3, 0.8, 0.999_999_999_9, 6.002_370_265_254_632),
            (1.2, 0.7, 1.9, 0.999_999_99, 15.150_983_342_732_29),
            (80.0, 60.0, 90.5, 0.8, 1.300_271_324_729_845_1e36),
            (0.2, 0.3, 2.5, -1e8, 0.079_834_618_960_048_83),
            (-0.3, 1.7, 0.4, 0.6, -0.454_965_968_635_788_65),
            (2.0, 3.0, 5.0, 0.75, 4.198_079_210_376),
            (0.243, 2.426, 2.219, -3.0, 0.699_950_601_225_688_3),
        ];
        for &(a, b, c, z, expected) in cases {
            check(a, b, c, z, expected, 1e-12);
        }
    }

    #[test]
    fn hyp2f1_rejects_outside_domain() {
        assert!(matches!(hyp2f1(1.0, 1.0, 2.0, 1.0), Err(ClvError::InvalidInput(_))));
        assert!(matches!(hyp2f1(1.0, 1.0, -3.0, 0.2), Err(ClvError::InvalidInput(_))));
        assert!(matches!(hyp2f1(f64::NAN, 1.0, 2.0, 0.2), Err(ClvError::InvalidInput(_))));
        assert!(matches!(hyp2f1(1.0, 1.0, 2.0, f64::NEG_INFINITY), Err(ClvError::InvalidInput(_))));
    }
}
