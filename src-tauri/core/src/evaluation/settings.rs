//! Every threshold of the evaluation, with the defaults of the product definitions.

use crate::clv::{ClvSettings, TimeUnit};
use crate::error::{FieldError, Result, Rule};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Thresholds of one evaluation. Stored with each run, so a past run can always be explained
/// with the settings it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct EvaluationSettings {
    /// Trailing window for F, M and profit contribution, in months (1..=60).
    pub window_months: u32,
    /// Margin assumed for orders without a known cost, in [0, 1].
    pub default_margin: f64,
    /// What an hour of service time costs, in minor units, for service entries kept in minutes.
    pub service_hour_cost_minor: i64,
    /// Share of total positive contribution made by tier A (head), in (0, 1).
    pub tier_a_share: f64,
    /// Share covered by tiers A and B together, in (tier_a_share, 1].
    pub tier_b_share: f64,
    /// Referrals that make a customer influential, as a KOL is (>= 1).
    pub influential_referrals: u32,
    /// Days without a purchase after which a customer is churned (lifecycle and behaviour).
    pub churn_days: u32,
    /// Days without a purchase after which behaviour is dormant rather than active (loyal
    /// customers are active).
    pub dormant_days: u32,
    /// A one-time buyer is at risk after this many days.
    pub one_time_at_risk_days: u32,
    /// A repeat buyer is at risk when the time since the last purchase exceeds this multiple
    /// of their own median gap between purchases (> 1).
    pub at_risk_gap_multiple: f64,
    /// Loyal needs at least this many purchases …
    pub loyal_min_purchases: u32,
    /// … spread over at least this many months …
    pub loyal_min_months: u32,
    /// … and P(alive) at least this.
    pub loyal_min_p_alive: f64,
    /// P(alive) below this is at risk.
    pub at_risk_p_alive: f64,
    /// P(alive) below this is churned.
    pub churned_p_alive: f64,
    /// Consecutive evaluations in tier D (this one included) before exit is considered.
    pub exit_low_value_runs: u32,
    /// A customer without an answer to a survey for this many days is due one.
    pub survey_interval_days: u32,
    /// Upsell needs a category bought by at least this share of the customer's segment.
    pub upsell_min_share: f64,
    /// Prediction horizon, discount and time unit of the CLV models.
    pub clv_horizon_months: u32,
    pub clv_monthly_discount_rate: f64,
    pub clv_time_unit: TimeUnit,
    /// Evaluations kept with every customer's assignments; older ones are removed.
    pub keep_runs: u32,
}

impl Default for EvaluationSettings {
    fn default() -> Self {
        EvaluationSettings {
            window_months: 12,
            default_margin: 0.3,
            service_hour_cost_minor: 6_000,
            tier_a_share: 0.7,
            tier_b_share: 0.9,
            influential_referrals: 3,
            churn_days: 365,
            dormant_days: 180,
            one_time_at_risk_days: 90,
            at_risk_gap_multiple: 2.0,
            loyal_min_purchases: 4,
            loyal_min_months: 6,
            loyal_min_p_alive: 0.8,
            at_risk_p_alive: 0.5,
            churned_p_alive: 0.1,
            exit_low_value_runs: 3,
            survey_interval_days: 180,
            upsell_min_share: 0.2,
            clv_horizon_months: ClvSettings::DEFAULT_HORIZON_MONTHS,
            clv_monthly_discount_rate: ClvSettings::DEFAULT_MONTHLY_DISCOUNT_RATE,
            clv_time_unit: TimeUnit::Day,
            keep_runs: 12,
        }
    }
}

impl EvaluationSettings {
    /// The CLV settings these thresholds imply.
    pub fn clv(&self) -> ClvSettings {
        ClvSettings {
            time_unit: self.clv_time_unit,
            horizon_months: self.clv_horizon_months,
            monthly_discount_rate: self.clv_monthly_discount_rate,
            margin: self.default_margin,
        }
    }

    /// # Errors
    /// [`crate::Error::Validation`] naming every setting out of its range.
    pub fn validate(&self) -> Result<()> {
        let mut bad = Vec::new();
        let mut check = |ok: bool, field: &str| {
            if !ok {
                bad.push(FieldError::new(field, Rule::OutOfRange));
            }
        };
        let share = |v: f64| (0.0..=1.0).contains(&v);
        check((1..=60).contains(&self.window_months), "window_months");
        check(share(self.default_margin), "default_margin");
        check((0..=100_000_000).contains(&self.service_hour_cost_minor), "service_hour_cost_minor");
        check(self.tier_a_share > 0.0 && self.tier_a_share < 1.0, "tier_a_share");
        check(self.tier_b_share > self.tier_a_share && self.tier_b_share <= 1.0, "tier_b_share");
        check((1..=10_000).contains(&self.influential_referrals), "influential_referrals");
        check((1..=3650).contains(&self.churn_days), "churn_days");
        check(self.dormant_days >= 1 && self.dormant_days < self.churn_days, "dormant_days");
        check(self.one_time_at_risk_days >= 1 && self.one_time_at_risk_days < self.churn_days, "one_time_at_risk_days");
        check(self.at_risk_gap_multiple > 1.0 && self.at_risk_gap_multiple <= 100.0, "at_risk_gap_multiple");
        check((2..=1000).contains(&self.loyal_min_purchases), "loyal_min_purchases");
        check((1..=120).contains(&self.loyal_min_months), "loyal_min_months");
        check(share(self.loyal_min_p_alive), "loyal_min_p_alive");
        check(share(self.at_risk_p_alive) && self.at_risk_p_alive <= self.loyal_min_p_alive, "at_risk_p_alive");
        check(share(self.churned_p_alive) && self.churned_p_alive <= self.at_risk_p_alive, "churned_p_alive");
        check((1..=24).contains(&self.exit_low_value_runs), "exit_low_value_runs");
        check((1..=3650).contains(&self.survey_interval_days), "survey_interval_days");
        check(self.upsell_min_share > 0.0 && self.upsell_min_share <= 1.0, "upsell_min_share");
        check((1..=ClvSettings::MAX_HORIZON_MONTHS).contains(&self.clv_horizon_months), "clv_horizon_months");
        check((0.0..1.0).contains(&self.clv_monthly_discount_rate), "clv_monthly_discount_rate");
        check((1..=1000).contains(&self.keep_runs), "keep_runs");
        if bad.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::Validation(bad))
        }
    }

    /// Days in the trailing window ending on the evaluation date.
    pub fn window_days(&self) -> i32 {
        // Whole months of the average Gregorian length, rounded: 12 months = 365 days.
        (f64::from(self.window_months) * crate::clv::DAYS_PER_MONTH).round() as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_the_definitions() {
        let s = EvaluationSettings::default();
        assert!(s.validate().is_ok());
        assert_eq!(s.window_days(), 365);
        assert_eq!((s.tier_a_share, s.tier_b_share), (0.7, 0.9));
    }

    #[test]
    fn every_bad_setting_is_named() {
        let s = EvaluationSettings {
            window_months: 0,
            tier_b_share: 0.5,
            default_margin: f64::NAN,
            churned_p_alive: 0.9,
            ..EvaluationSettings::default()
        };
        let Err(crate::Error::Validation(fields)) = s.validate() else { panic!("must fail") };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["window_months", "default_margin", "tier_b_share", "churned_p_alive"]);
    }

    #[test]
    fn missing_fields_take_defaults_when_read() {
        let s: EvaluationSettings = serde_json::from_str(r#"{"window_months": 6}"#).expect("json");
        assert_eq!(s.window_months, 6);
        assert_eq!(s.churn_days, 365);
    }
}
