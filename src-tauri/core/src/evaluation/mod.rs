//! The segmentation and lifecycle engine: RFM, value tiers, CLV, lifecycle, service levels,
//! exit candidates and the next best action, for every customer at an evaluation date.
//!
//! The analytics are pure: they take [`Population`] facts and the date, and return a
//! [`Model`] (what holds for the whole customer base: cut points, fitted CLV parameters) and
//! one [`Member`] per customer. `engine` runs them: each customer's figures (`measure`), the
//! CLV models and their predictions (`predict`), then the decisions (`decide`). [`load`]
//! gathers the facts from the database and [`store`] keeps each run, so history and
//! migration between runs can be shown.
//!
//! A member's decisions are a pure function of its measures and the model ([`decide`]), so
//! the reasons shown later are recomputed from stored numbers and always match.

mod decide;
mod engine;
pub mod lease;
pub mod load;
mod measure;
mod predict;
mod reasons;
pub mod refresh;
pub mod rfm;
mod settings;
pub mod store;
pub mod tiers;

pub use decide::{decide, Decision};
pub use engine::{evaluate, evaluate_columns, Evaluation, Stage};
pub use measure::measure;
pub use reasons::{ActionDetail, Reason};
pub use rfm::{RfmSegment, ScoreRule, ValueClass};
pub use settings::{EvaluationSettings, EvaluationSettingsInput};
pub use tiers::Tier;

use crate::clv::{BgNbd, GammaGamma};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(
    /// 客户生命周期.
    Lifecycle {
        Prospect = "prospect",
        New = "new",
        Repeat = "repeat",
        Loyal = "loyal",
        AtRisk = "at_risk",
        Churned = "churned",
        WonBack = "won_back",
    }
);
text_enum!(
    /// The plain behaviour view: by days since the last purchase.
    Behaviour { Active = "active", Dormant = "dormant", Churned = "churned" }
);
text_enum!(
    /// How much attention a customer gets.
    ServiceLevel { Vip = "vip", Priority = "priority", Standard = "standard", SelfService = "self_service" }
);
text_enum!(
    /// The steps of a gradual exit, one more each evaluation the customer stays a candidate:
    /// serve through self-service channels only; stop proactive contact and free extras;
    /// propose a minimum order or a price review; no more marketing, the record stays.
    /// Nobody is ever deleted.
    ExitStep { SelfService = "self_service", ReduceCost = "reduce_cost", Reprice = "reprice", LetGo = "let_go" }
);
text_enum!(
    NextActionKind {
        ResolveComplaint = "resolve_complaint",
        FollowUp = "follow_up",
        WinBack = "win_back",
        ExitPlan = "exit_plan",
        Upsell = "upsell",
        SurveyDue = "survey_due",
    }
);

/// Days since 0001-01-01 (chrono's `num_days_from_ce`), the engine's day number.
pub type Day = i32;

pub fn day_number(date: NaiveDate) -> Day {
    chrono::Datelike::num_days_from_ce(&date)
}

pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// What the last stored evaluation said about a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousRun {
    pub as_of: Day,
    pub lifecycle: Lifecycle,
    pub low_value_runs: u32,
    pub exit_runs: u32,
}

/// What the database says about one customer up to the evaluation date. Money is in minor
/// units of the evaluation currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerFacts {
    pub customer_id: i64,
    pub is_kol: bool,
    pub referrals: u32,
    /// Orders on or before the evaluation date.
    pub orders: u32,
    pub lifetime_revenue_minor: i64,
    /// Revenue minus cost of goods (estimated with the default margin where unknown).
    pub lifetime_margin_minor: i64,
    pub lifetime_service_cost_minor: i64,
    /// Revenue on the first purchase day, which the spend model leaves out.
    pub first_day_revenue_minor: i64,
    pub window_orders: u32,
    pub window_revenue_minor: i64,
    pub window_margin_minor: i64,
    pub window_service_cost_minor: i64,
    /// Revenue in the window of the same length just before the current one.
    pub previous_window_revenue_minor: i64,
    pub open_complaints: u32,
    pub follow_up_due: Option<Day>,
    pub last_survey: Option<Day>,
    /// Bit i: bought a product of `Population::categories[i]`.
    pub categories: u64,
    pub previous: Option<PreviousRun>,
}

/// Everyone the evaluation covers, with their distinct purchase days.
#[derive(Debug, Clone, Default)]
pub struct Population {
    pub customers: Vec<CustomerFacts>,
    /// Customer i's purchase days are `days[day_offsets[i]..day_offsets[i + 1]]`, ascending,
    /// distinct, none after the evaluation date.
    pub day_offsets: Vec<u32>,
    pub days: Vec<Day>,
    /// The product categories the `categories` bits refer to (at most 64, most bought first).
    pub categories: Vec<String>,
}

impl Population {
    pub fn purchase_days(&self, i: usize) -> &[Day] {
        &self.days[self.day_offsets[i] as usize..self.day_offsets[i + 1] as usize]
    }

    /// Adds a customer; `days` must be ascending and distinct.
    pub fn push(&mut self, facts: CustomerFacts, days: &[Day]) {
        if self.day_offsets.is_empty() {
            self.day_offsets.push(0);
        }
        self.customers.push(facts);
        self.days.extend_from_slice(days);
        self.day_offsets.push(self.days.len() as u32);
    }
}

/// The per-customer figures every decision is made from; stored with each run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct Measures {
    pub customer_id: i64,
    /// Days since the last purchase; `None` without any.
    pub recency_days: Option<u32>,
    /// Distinct purchase days ever (several orders on one day are one purchase).
    pub purchase_days: u32,
    /// Days from the first to the last purchase.
    pub span_days: u32,
    pub median_gap_days: Option<u32>,
    /// The gap that ended with the latest purchase day.
    pub last_gap_days: Option<u32>,
    /// F and M: orders and revenue in the window.
    pub frequency: u32,
    pub monetary_minor: i64,
    /// Trailing profit contribution: margin minus service cost in the window.
    pub contribution_minor: i64,
    /// Historical CLV: margin minus service cost to date.
    pub historical_clv_minor: i64,
    pub window_margin_minor: i64,
    pub window_service_cost_minor: i64,
    pub previous_window_revenue_minor: i64,
    pub p_alive: Option<f64>,
    pub expected_purchases: Option<f64>,
    pub predicted_clv_minor: Option<i64>,
    pub is_kol: bool,
    pub referrals: u32,
    pub open_complaints: u32,
    pub follow_up_due: Option<NaiveDate>,
    pub last_survey: Option<NaiveDate>,
    #[specta(type = String)]
    #[serde(with = "categories_text")]
    pub categories: u64,
    /// The last run said churned and the customer bought since.
    pub returned_after_churn: bool,
    /// Consecutive earlier runs in tier D, and as exit candidate.
    pub low_value_runs_before: u32,
    pub exit_runs_before: u32,
}

/// A u64 bit set travels as decimal text: JavaScript numbers hold only 53 bits.
mod categories_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bits: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&bits.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// The fitted CLV models of a run, or why there are none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ClvModels {
    pub purchases: Option<BgNbd>,
    pub purchases_log_likelihood: Option<f64>,
    pub spend: Option<GammaGamma>,
    pub spend_log_likelihood: Option<f64>,
    /// Why the models (or one of them) are missing, in words (English, for logs) …
    pub unavailable: Option<String>,
    /// … and as a code the UI translates.
    pub unavailable_code: Option<ClvFailure>,
    pub repeat_buyers: u32,
}

impl ClvModels {
    /// No models yet, for a customer base with this many repeat buyers.
    pub fn unfitted(repeat_buyers: u32) -> Self {
        ClvModels {
            purchases: None,
            purchases_log_likelihood: None,
            spend: None,
            spend_log_likelihood: None,
            unavailable: None,
            unavailable_code: None,
            repeat_buyers,
        }
    }
}

/// Why a CLV model is missing: which model, and what stopped it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ClvFailure {
    pub model: ClvModel,
    pub cause: ClvCause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ClvModel {
    /// BG/NBD: how often customers buy and whether they are still alive.
    Purchases,
    /// Gamma-Gamma: how much they spend per purchase.
    Spend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ClvCause {
    NoRepeatBuyers,
    SameRepeatCount,
    TooFewSpenders,
    SameSpend,
    NoConvergence,
    /// A value overflowed or an input was out of range.
    Numeric,
}

impl ClvFailure {
    pub fn of(model: ClvModel, error: &crate::clv::ClvError) -> Self {
        use crate::clv::{ClvError, Shortage};
        let cause = match error {
            ClvError::NotEnoughData { shortage: Shortage::NoRepeatBuyers, .. } => ClvCause::NoRepeatBuyers,
            ClvError::NotEnoughData { shortage: Shortage::SameRepeatCount, .. } => ClvCause::SameRepeatCount,
            ClvError::NotEnoughData { shortage: Shortage::TooFewSpenders, .. } => ClvCause::TooFewSpenders,
            ClvError::NotEnoughData { shortage: Shortage::SameSpend, .. } => ClvCause::SameSpend,
            ClvError::NoConvergence { .. } => ClvCause::NoConvergence,
            ClvError::InvalidInput(_) | ClvError::NotFinite { .. } => ClvCause::Numeric,
        };
        ClvFailure { model, cause }
    }
}

/// Categories bought by a share of an RFM segment, most popular first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SegmentCategories {
    pub segment: RfmSegment,
    /// (index into `Model::categories`, share of the segment).
    pub popular: Vec<(u32, f64)>,
}

/// What one run found for the whole customer base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Model {
    pub as_of: NaiveDate,
    pub currency: String,
    pub customers: u32,
    pub buyers: u32,
    /// How the cuts below were made; runs stored before fixed scales existed used quintiles.
    #[serde(default = "rfm::ScoreRule::quintiles")]
    pub score_rule: rfm::ScoreRule,
    pub recency: rfm::Cuts,
    pub frequency: rfm::Cuts,
    pub monetary: rfm::Cuts,
    pub means: rfm::Means,
    pub tiers: tiers::TierCuts,
    pub clv: ClvModels,
    /// Least predicted CLV among the top |A| customers by CLV.
    pub potential_head_from_minor: Option<i64>,
    pub categories: Vec<String>,
    pub upsell: Vec<SegmentCategories>,
}

/// One customer's result of a run: the measures and the decisions made from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Member {
    pub measures: Measures,
    pub decision: Decision,
}
