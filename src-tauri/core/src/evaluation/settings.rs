//! Every threshold of the evaluation, with the defaults of the product definitions.
//!
//! The thresholds arrive as an [`EvaluationSettingsInput`] (from the settings form, or read
//! back from the database) and are checked once, by [`EvaluationSettings::new`]: the engine
//! then reads them without checking again.

use super::rfm::{Cuts, ScoreRule};
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
    /// Buyers needed before R, F and M are scored by quintiles and the eight classes compare
    /// with the means (1..=10,000,000); below it the fixed scales that follow apply, and tiers
    /// say how few buyers they rank. 100 buyers put at least 20 in each quintile: with fewer,
    /// one purchase more or less moves a customer a whole score, and a population of one
    /// scores its only buyer 1 on everything.
    score_min_buyers: u32 = 100,
    /// Fixed recency scale, in days since the last purchase: R = 5 within this many days (a
    /// month), 4 within the next (a quarter, the one-time buyer's at-risk limit), 3 within
    /// half a year (still active), 2 within a year (dormant), else 1 (churned). R = 5 also
    /// marks a recent buyer, whom no rule calls at risk, lapsed or churned.
    recency_5_days: u32 = 30,
    recency_4_days: u32 = 90,
    recency_3_days: u32 = 180,
    recency_2_days: u32 = 365,
    /// Fixed frequency scale, in orders in the window: F = 2 from this many (a second order),
    /// 3 from three, 4 from four (as many as loyal needs), 5 from six (every other month over
    /// a year); one order is 1.
    frequency_2_orders: u32 = 2,
    frequency_3_orders: u32 = 3,
    frequency_4_orders: u32 = 4,
    frequency_5_orders: u32 = 6,
    /// Fixed spend scale, revenue in the window in minor units: M = 2 from 100, 3 from 300,
    /// 4 from 1,000, 5 from 3,000 (yuan by default: one typical small-shop order, a few, a
    /// regular's year, a big buyer's year); less than 100 is 1.
    monetary_2_minor: i64 = 10_000,
    monetary_3_minor: i64 = 30_000,
    monetary_4_minor: i64 = 100_000,
    monetary_5_minor: i64 = 300_000,
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
        check((1..=10_000_000).contains(&s.score_min_buyers), "score_min_buyers");
        // Each scale strictly rises from score to score; a step is named where it breaks.
        let days = [s.recency_5_days, s.recency_4_days, s.recency_3_days, s.recency_2_days];
        let names = ["recency_5_days", "recency_4_days", "recency_3_days", "recency_2_days"];
        for (i, name) in names.iter().enumerate() {
            check((1..=3650).contains(&days[i]) && (i == 0 || days[i] > days[i - 1]), name);
        }
        let orders = [s.frequency_2_orders, s.frequency_3_orders, s.frequency_4_orders, s.frequency_5_orders];
        let names = ["frequency_2_orders", "frequency_3_orders", "frequency_4_orders", "frequency_5_orders"];
        for (i, name) in names.iter().enumerate() {
            check((1..=100_000).contains(&orders[i]) && (i == 0 || orders[i] > orders[i - 1]), name);
        }
        let spend = [s.monetary_2_minor, s.monetary_3_minor, s.monetary_4_minor, s.monetary_5_minor];
        let names = ["monetary_2_minor", "monetary_3_minor", "monetary_4_minor", "monetary_5_minor"];
        for (i, name) in names.iter().enumerate() {
            check((1..=1_000_000_000_000).contains(&spend[i]) && (i == 0 || spend[i] > spend[i - 1]), name);
        }
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

    /// The fixed R, F and M scales as cut points, scored as quintile cuts are.
    pub fn fixed_cuts(&self) -> [Cuts; 3] {
        let days = [self.recency_2_days(), self.recency_3_days(), self.recency_4_days(), self.recency_5_days()];
        let orders = [
            self.frequency_2_orders(),
            self.frequency_3_orders(),
            self.frequency_4_orders(),
            self.frequency_5_orders(),
        ];
        let spend =
            [self.monetary_2_minor(), self.monetary_3_minor(), self.monetary_4_minor(), self.monetary_5_minor()];
        [Cuts::within(days.map(i64::from)), Cuts::at_least(orders.map(i64::from)), Cuts::at_least(spend)]
    }

    /// How R, F and M are scored for a population with this many buyers.
    pub fn score_rule(&self, buyers: u32) -> ScoreRule {
        if buyers < self.score_min_buyers() {
            ScoreRule::Fixed
        } else {
            ScoreRule::Quintiles
        }
    }

    /// Whether the last purchase, `days` ago, is recent enough (R = 5 on the fixed scale)
    /// that no rule may call the customer at risk, lapsed or churned.
    pub fn bought_recently(&self, days: u32) -> bool {
        days <= self.recency_5_days()
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

    /// The settings `input` is refused for, in the order named.
    fn refused(input: EvaluationSettingsInput) -> Vec<String> {
        let Err(crate::Error::Validation(fields)) = EvaluationSettings::new(input) else { panic!("must fail") };
        fields.into_iter().map(|f| f.field).collect()
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
        assert_eq!(refused(s), ["window_months", "default_margin", "tier_b_share", "churned_p_alive"]);
    }

    #[test]
    fn the_fixed_scales_score_at_their_limits_and_must_rise() {
        let [r, f, m] = EvaluationSettings::default().fixed_cuts();
        let scores = |cuts: Cuts, values: &[i64]| values.iter().map(|&v| cuts.score(v)).collect::<Vec<_>>();
        assert_eq!(scores(r, &[0, 30, 31, 90, 91, 180, 181, 365, 366]), [5, 5, 4, 4, 3, 3, 2, 2, 1]);
        assert_eq!(scores(f, &[0, 1, 2, 3, 4, 5, 6, 40]), [1, 1, 2, 3, 4, 4, 5, 5]);
        assert_eq!(scores(m, &[0, 9_999, 10_000, 30_000, 99_999, 100_000, 300_000]), [1, 1, 2, 3, 3, 4, 5]);
        let s = EvaluationSettings::default();
        assert_eq!((s.score_rule(99), s.score_rule(100)), (ScoreRule::Fixed, ScoreRule::Quintiles));
        let bad = EvaluationSettingsInput {
            recency_4_days: 30,
            frequency_2_orders: 0,
            monetary_5_minor: 100_000,
            score_min_buyers: 0,
            ..Default::default()
        };
        assert_eq!(refused(bad), ["score_min_buyers", "recency_4_days", "frequency_2_orders", "monetary_5_minor"]);
    }

    #[test]
    fn settings_stored_before_the_fixed_scales_read_with_their_defaults() {
        let old = r#"{"window_months": 12, "default_margin": 0.3, "tier_a_share": 0.7, "keep_runs": 12}"#;
        let s: EvaluationSettings = serde_json::from_str(old).expect("read back");
        assert_eq!((s.score_min_buyers(), s.recency_5_days(), s.monetary_5_minor()), (100, 30, 300_000));
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
