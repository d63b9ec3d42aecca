//! Every threshold of the evaluation, with the defaults of the product definitions.
//!
//! The thresholds arrive as an [`EvaluationSettingsInput`] (from the settings form, or read
//! back from the database) and are checked once, by [`EvaluationSettings::new`]: the engine
//! then reads them without checking again.

use crate::clv::{ClvSettings, TimeUnit};
use crate::error::{FieldError, Result, Rule};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Declares each threshold once: a field of [`EvaluationSettingsInput`] with its default, and
/// the reader of the same name on [`EvaluationSettings`].
macro_rules! thresholds {
    ($($(#[doc = $doc:literal])* $name:ident: $ty:ty = $default:expr,)+) => {
        /// Thresholds of one evaluation as entered, not checked yet; missing fields take the
        /// defaults. [`EvaluationSettings::new`] accepts them when every one is in range.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
        #[serde(default)]
        pub struct EvaluationSettingsInput {
            $($(#[doc = $doc])* pub $name: $ty,)+
        }

        impl Default for EvaluationSettingsInput {
            fn default() -> Self {
                EvaluationSettingsInput { $($name: $default,)+ }
            }
        }

        impl EvaluationSettings {
            $(
                $(#[doc = $doc])*
                pub fn $name(&self) -> $ty {
                    self.0.$name
                }
            )+
        }
    };
}

thresholds! {
    /// Trailing window for F, M and profit contribution, in months (1..=60).
    window_months: u32 = 12,
    /// Margin assumed for orders without a known cost, in [0, 1].
    default_margin: f64 = 0.3,
    /// What an hour of service time costs, in minor units, for service entries kept in minutes.
    service_hour_cost_minor: i64 = 6_000,
    /// Share of total positive contribution made by tier A (head), in (0, 1).
    tier_a_share: f64 = 0.7,
    /// Share covered by tiers A and B together, in (tier_a_share, 1].
    tier_b_share: f64 = 0.9,
    /// Referrals that make a customer influential, as a KOL is (>= 1).
    influential_referrals: u32 = 3,
    /// Days without a purchase after which a customer is churned (lifecycle and behaviour).
    churn_days: u32 = 365,
    /// Days without a purchase after which behaviour is dormant rather than active (loyal
    /// customers are active).
    dormant_days: u32 = 180,
    /// A one-time buyer is at risk after this many days.
    one_time_at_risk_days: u32 = 90,
    /// A repeat buyer is at risk when the time since the last purchase exceeds this multiple
    /// of their own median gap between purchases (> 1).
    at_risk_gap_multiple: f64 = 2.0,
    /// Loyal needs at least this many purchases …
    loyal_min_purchases: u32 = 4,
    /// … spread over at least this many months …
    loyal_min_months: u32 = 6,
    /// … and P(alive) at least this.
    loyal_min_p_alive: f64 = 0.8,
    /// P(alive) below this is at risk.
    at_risk_p_alive: f64 = 0.5,
    /// P(alive) below this is churned.
    churned_p_alive: f64 = 0.1,
    /// Consecutive evaluations in tier D (this one included) before exit is considered.
    exit_low_value_runs: u32 = 3,
    /// A customer without an answer to a survey for this many days is due one.
    survey_interval_days: u32 = 180,
    /// Upsell needs a category bought by at least this share of the customer's segment.
    upsell_min_share: f64 = 0.2,
    /// Prediction horizon, discount and time unit of the CLV models.
    clv_horizon_months: u32 = ClvSettings::DEFAULT_HORIZON_MONTHS,
    clv_monthly_discount_rate: f64 = ClvSettings::DEFAULT_MONTHLY_DISCOUNT_RATE,
    clv_time_unit: TimeUnit = TimeUnit::Day,
    /// Evaluations kept with every customer's assignments; older ones are removed.
    keep_runs: u32 = 12,
}

/// Thresholds of one evaluation, every one in range (the defaults are). Stored with each run,
/// so a past run can always be explained with the settings it used; read back, they are
/// checked again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(try_from = "EvaluationSettingsInput")]
pub struct EvaluationSettings(EvaluationSettingsInput);

impl TryFrom<EvaluationSettingsInput> for EvaluationSettings {
    type Error = crate::Error;

    fn try_from(input: EvaluationSettingsInput) -> Result<Self> {
        EvaluationSettings::new(input)
    }
}

impl EvaluationSettings {
    /// # Errors
    /// [`crate::Error::Validation`] naming every setting out of its range.
    pub fn new(input: EvaluationSettingsInput) -> Result<Self> {
        let s = &input;
        let mut bad = Vec::new();
        let mut check = |ok: bool, field: &str| {
            if !ok {
                bad.push(FieldError::new(field, Rule::OutOfRange));
            }
        };
        let share = |v: f64| (0.0..=1.0).contains(&v);
        check((1..=60).contains(&s.window_months), "window_months");
        check(share(s.default_margin), "default_margin");
        check((0..=100_000_000).contains(&s.service_hour_cost_minor), "service_hour_cost_minor");
        check(s.tier_a_share > 0.0 && s.tier_a_share < 1.0, "tier_a_share");
        check(s.tier_b_share > s.tier_a_share && s.tier_b_share <= 1.0, "tier_b_share");
        check((1..=10_000).contains(&s.influential_referrals), "influential_referrals");
        check((1..=3650).contains(&s.churn_days), "churn_days");
        check(s.dormant_days >= 1 && s.dormant_days < s.churn_days, "dormant_days");
        check(s.one_time_at_risk_days >= 1 && s.one_time_at_risk_days < s.churn_days, "one_time_at_risk_days");
        check(s.at_risk_gap_multiple > 1.0 && s.at_risk_gap_multiple <= 100.0, "at_risk_gap_multiple");
        check((2..=1000).contains(&s.loyal_min_purchases), "loyal_min_purchases");
        check((1..=120).contains(&s.loyal_min_months), "loyal_min_months");
        check(share(s.loyal_min_p_alive), "loyal_min_p_alive");
        check(share(s.at_risk_p_alive) && s.at_risk_p_alive <= s.loyal_min_p_alive, "at_risk_p_alive");
        check(share(s.churned_p_alive) && s.churned_p_alive <= s.at_risk_p_alive, "churned_p_alive");
        check((1..=24).contains(&s.exit_low_value_runs), "exit_low_value_runs");
        check((1..=3650).contains(&s.survey_interval_days), "survey_interval_days");
        check(s.upsell_min_share > 0.0 && s.upsell_min_share <= 1.0, "upsell_min_share");
        check((1..=ClvSettings::MAX_HORIZON_MONTHS).contains(&s.clv_horizon_months), "clv_horizon_months");
        check((0.0..1.0).contains(&s.clv_monthly_discount_rate), "clv_monthly_discount_rate");
        check((1..=1000).contains(&s.keep_runs), "keep_runs");
        if bad.is_empty() {
            Ok(EvaluationSettings(input))
        } else {
            Err(crate::Error::Validation(bad))
        }
    }

    /// The thresholds as entered, to be changed and checked again.
    pub fn input(&self) -> &EvaluationSettingsInput {
        &self.0
    }

    /// The CLV settings these thresholds imply.
    pub fn clv(&self) -> ClvSettings {
        ClvSettings {
            time_unit: self.clv_time_unit(),
            horizon_months: self.clv_horizon_months(),
            monthly_discount_rate: self.clv_monthly_discount_rate(),
            margin: self.default_margin(),
        }
    }

    /// Days in the trailing window ending on the evaluation date.
    pub fn window_days(&self) -> i32 {
        // Whole months of the average Gregorian length, rounded: 12 months = 365 days.
        (f64::from(self.window_months()) * crate::clv::DAYS_PER_MONTH).round() as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_the_definitions() {
        let s = EvaluationSettings::new(EvaluationSettingsInput::default()).expect("valid");
        assert_eq!(s, EvaluationSettings::default());
        assert_eq!(s.window_days(), 365);
        assert_eq!((s.tier_a_share(), s.tier_b_share()), (0.7, 0.9));
    }

    #[test]
    fn every_bad_setting_is_named() {
        let s = EvaluationSettingsInput {
            window_months: 0,
            tier_b_share: 0.5,
            default_margin: f64::NAN,
            churned_p_alive: 0.9,
            ..EvaluationSettingsInput::default()
        };
        let Err(crate::Error::Validation(fields)) = EvaluationSettings::new(s) else { panic!("must fail") };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["window_months", "default_margin", "tier_b_share", "churned_p_alive"]);
    }

    #[test]
    fn missing_fields_take_defaults_when_read() {
        let s: EvaluationSettings = serde_json::from_str(r#"{"window_months": 6}"#).expect("json");
        assert_eq!(s.window_months(), 6);
        assert_eq!(s.churn_days(), 365);
    }

    #[test]
    fn settings_read_back_are_checked_and_written_as_entered() {
        let bad = serde_json::from_str::<EvaluationSettings>(r#"{"window_months": 6, "churn_days": 0}"#);
        assert!(bad.is_err(), "{bad:?}");
        let s = EvaluationSettings::new(EvaluationSettingsInput { keep_runs: 2, ..Default::default() }).expect("ok");
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json, serde_json::to_value(s.input()).expect("json"));
        assert_eq!(json["keep_runs"], 2);
        assert_eq!(serde_json::from_value::<EvaluationSettings>(json).expect("read back"), s);
    }
}
