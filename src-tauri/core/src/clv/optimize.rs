//! A small BFGS minimiser for the smooth, low-dimensional likelihoods of the CLV models.
//!
//! Written here rather than taken from a general optimisation crate: the models have 3 or 4
//! parameters and analytic gradients, so a quasi-Newton method with a backtracking line
//! search is a few dozen lines, needs no matrix library, and treats a non-finite objective
//! (parameters that overflow) as "step too long" instead of failing.

/// The objective: value and gradient at a point, or `None` where it is not finite.
pub(crate) trait Objective<const N: usize> {
    fn evaluate(&mut self, x: &[f64; N]) -> Option<(f64, [f64; N])>;
}

impl<const N: usize, F: FnMut(&[f64; N]) -> Option<(f64, [f64; N])>> Objective<N> for F {
    fn evaluate(&mut self, x: &[f64; N]) -> Option<(f64, [f64; N])> {
        self(x)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Minimum<const N: usize> {
    pub x: [f64; N],
    /// The inverse Hessian approximation built on the way: with `x`, a start for a nearby
    /// problem (the same model on more data) that needs no rebuilding of the curvature.
    pub inverse_hessian: [[f64; N]; N],
}

/// Where a search starts, with the curvature known there if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start<const N: usize> {
    pub x: [f64; N],
    pub inverse_hessian: Option<[[f64; N]; N]>,
}

impl<const N: usize> From<[f64; N]> for Start<N> {
    fn from(x: [f64; N]) -> Self {
        Start { x, inverse_hessian: None }
    }
}

impl<const N: usize> From<Minimum<N>> for Start<N> {
    fn from(m: Minimum<N>) -> Self {
        Start { x: m.x, inverse_hessian: Some(m.inverse_hessian) }
    }
}

/// Stop when the largest gradient component is below this.
const GRADIENT_TOLERANCE: f64 = 1e-9;
/// When a step no longer lowers the objective by more than `STALLED_DECREASE` relative to
/// its size (its rounding level is reached), accept the point if the gradient is below this.
/// Objectives are means over customers of order 1-10; rounding noise in sums over many
/// customers and poor conditioning can keep the reachable gradient around 1e-7.
const STALLED_GRADIENT_TOLERANCE: f64 = 1e-5;
const STALLED_DECREASE: f64 = 1e-14;
const MAX_ITERATIONS: usize = 500;
/// Longest step in any coordinate; the coordinates are logs of parameters, so this is a
/// factor of e^4 per iteration at most.
const MAX_STEP: f64 = 4.0;
/// Sufficient-decrease constant of the Armijo condition.
const ARMIJO: f64 = 1e-4;
/// Halvings of the step before the line search gives up.
const MAX_HALVINGS: usize = 40;

/// Minimises `f` from `start`. Returns `None` if `f` is not finite at `start` or the search
/// ends without reaching the gradient tolerance.
pub(crate) fn minimize<const N: usize>(f: &mut impl Objective<N>, start: impl Into<Start<N>>) -> Option<Minimum<N>> {
    let start = start.into();
    let mut x = start.x;
    let (mut fx, mut g) = f.evaluate(&x)?;
    let mut h = start.inverse_hessian.unwrap_or_else(identity::<N>);
    let mut fresh_h = start.inverse_hessian.is_none();
    for _ in 0..MAX_ITERATIONS {
        let g_norm = max_abs(&g);
        let here = Minimum { x, inverse_hessian: h };
        if g_norm <= GRADIENT_TOLERANCE {
            return Some(here);
        }
        let mut d = mat_vec(&h, &g).map(|v| -v);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 || !slope.is_finite() {
            // Not a descent direction: fall back to steepest descent.
            h = identity::<N>();
            fresh_h = true;
            d = g.map(|v| -v);
            slope = dot(&g, &d);
        }
        let longest = max_abs(&d);
        let mut step = if longest > MAX_STEP { MAX_STEP / longest } else { 1.0 };
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let candidate: [f64; N] = std::array::from_fn(|i| x[i] + step * d[i]);
            if candidate == x {
                break;
            }
            if let Some((fc, gc)) = f.evaluate(&candidate) {
                if fc < fx && fc <= fx + ARMIJO * step * slope {
                    accepted = Some((candidate, fc, gc));
                    break;
                }
            }
            step *= 0.5;
        }
        let Some((x_new, f_new, g_new)) = accepted else {
            if g_norm <= STALLED_GRADIENT_TOLERANCE {
                return Some(here);
            }
            if fresh_h {
                return None;
            }
            // Retry once along the steepest descent.
            h = identity::<N>();
            fresh_h = true;
            continue;
        };
        if fx - f_new <= STALLED_DECREASE * fx.abs().max(1.0) && max_abs(&g_new) <= STALLED_GRADIENT_TOLERANCE {
            return Some(Minimum { x: x_new, inverse_hessian: h });
        }
        let s: [f64; N] = std::array::from_fn(|i| x_new[i] - x[i]);
        let y: [f64; N] = std::array::from_fn(|i| g_new[i] - g[i]);
        let sy = dot(&s, &y);
        if sy > 1e-12 * norm(&s) * norm(&y) {
            if fresh_h {
                // Scale the first approximation to the curvature just seen.
                let scale = sy / dot(&y, &y);
                h = identity::<N>().map(|row| row.map(|v| v * scale));
            }
            bfgs_update(&mut h, &s, &y, sy);
            fresh_h = false;
        }
        x = x_new;
        fx = f_new;
        g = g_new;
    }
    None
}

/// H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T, rho = 1 / (s^T y).
fn bfgs_update<const N: usize>(h: &mut [[f64; N]; N], s: &[f64; N], y: &[f64; N], sy: f64) {
    let rho = 1.0 / sy;
    let hy = mat_vec(h, y);
    let yhy = dot(y, &hy);
    for i in 0..N {
        for j in 0..N {
            h[i][j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

fn identity<const N: usize>() -> [[f64; N]; N] {
    std::array::from_fn(|i| std::array::from_fn(|j| if i == j { 1.0 } else { 0.0 }))
}

fn mat_vec<const N: usize>(m: &[[f64; N]; N], v: &[f64; N]) -> [f64; N] {
    std::array::from_fn(|i| dot(&m[i], v))
}

fn dot<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm<const N: usize>(v: &[f64; N]) -> f64 {
    dot(v, v).sqrt()
}

fn max_abs<const N: usize>(v: &[f64; N]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimizes_rosenbrock() {
        let mut f = |p: &[f64; 2]| {
            let (x, y) = (p[0], p[1]);
            let value = (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
            let gx = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x);
            let gy = 200.0 * (y - x * x);
            Some((value, [gx, gy]))
        };
        let m = minimize(&mut f, [-1.2, 1.0]).expect("converges");
        assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6, "{m:?}");
    }

    #[test]
    fn backs_off_where_the_objective_is_not_finite() {
        // exp(x) - 2x has its minimum at ln 2; the objective refuses x > 3.
        let mut f = |p: &[f64; 1]| (p[0] <= 3.0).then(|| (p[0].exp() - 2.0 * p[0], [p[0].exp() - 2.0]));
        let m = minimize(&mut f, [-5.0]).expect("converges");
        assert!((m.x[0] - 2.0_f64.ln()).abs() < 1e-8, "{m:?}");
        assert!(minimize(&mut f, [4.0]).is_none());
    }
}
