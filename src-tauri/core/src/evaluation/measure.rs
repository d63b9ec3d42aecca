//! Each customer's own figures: recency, purchase days and the gaps between them, the window's
//! orders, revenue and contribution, and the streaks the last run left.

use super::{date_of, day_number, CustomerFacts, Day, Lifecycle, Measures};
use chrono::NaiveDate;

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
