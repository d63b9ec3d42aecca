//! Why each assignment was made, as codes with numbers that the UI translates.

use super::rfm::{RfmSegment, ScoreRule, ValueClass};
use super::tiers::Tier;
use super::{Behaviour, ClvCause, ClvModel, ExitStep, Lifecycle, NextActionKind, ServiceLevel};
use serde::{Deserialize, Serialize};
use specta::Type;

/// One reason; `code` names the rule, the other fields are the figures it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "code", rename_all = "snake_case")]
#[serde(rename = "AssignmentReason")]
pub enum Reason {
    /// R = score: the last purchase was `days` days before the evaluation date; `from` to `to`
    /// days (inclusive, open where `None`) score the same under `rule`, with `buyers` scored
    /// and `min_buyers` needed for quintiles.
    Recency {
        score: u8,
        days: u32,
        rule: ScoreRule,
        buyers: u32,
        min_buyers: u32,
        from: Option<i64>,
        to: Option<i64>,
    },
    /// F = score: `orders` orders in the last `window_months` months; the band as for R.
    Frequency {
        score: u8,
        orders: u32,
        window_months: u32,
        rule: ScoreRule,
        buyers: u32,
        min_buyers: u32,
        from: Option<i64>,
        to: Option<i64>,
    },
    /// M = score: `spend_minor` spent in the last `window_months` months; the band in minor
    /// units, as for R.
    Monetary {
        score: u8,
        spend_minor: i64,
        window_months: u32,
        rule: ScoreRule,
        buyers: u32,
        min_buyers: u32,
        from: Option<i64>,
        to: Option<i64>,
    },
    Segment {
        segment: RfmSegment,
        r: u8,
        f: u8,
    },
    /// The eight classes: R, F and M each high or low against the population's means
    /// (`rule` quintiles), or against the middle (3) of the fixed scales (`rule` fixed, too few
    /// buyers for means to say much). A purchase within R = 5's days is always recent.
    ValueClass {
        class: ValueClass,
        recent: bool,
        frequent: bool,
        big_spender: bool,
        rule: ScoreRule,
    },
    /// Tier from the trailing contribution and the least contribution of tiers A and B, among
    /// `buyers` (fewer than `min_buyers` rank little yet); a prospect is in no tier.
    Tier {
        tier: Tier,
        contribution_minor: i64,
        a_from_minor: Option<i64>,
        b_from_minor: Option<i64>,
        buyers: u32,
        min_buyers: u32,
    },
    /// Predicted CLV at least the least CLV ranked within the size of tier A.
    PotentialHead {
        clv_minor: i64,
        threshold_minor: i64,
    },
    Influential {
        kol: bool,
        referrals: u32,
        referrals_needed: u32,
    },
    NoPurchase,
    NoPurchaseFor {
        days: u32,
        limit: u32,
    },
    LowPAlive {
        p_alive: f64,
        limit: f64,
    },
    OneTimeLapsed {
        days: u32,
        limit: u32,
    },
    GapExceeded {
        days: u32,
        median_gap_days: u32,
        multiple: f64,
    },
    ReturnedAfterGap {
        gap_days: u32,
        limit: u32,
    },
    ReturnedAfterChurn,
    FirstPurchase {
        days: u32,
        limit: u32,
    },
    LoyalHistory {
        purchases: u32,
        span_days: u32,
        p_alive: Option<f64>,
    },
    RepeatPurchases {
        purchases: u32,
    },
    Behaviour {
        behaviour: Behaviour,
        days: u32,
    },
    Lifecycle {
        stage: Lifecycle,
    },
    ServiceLevel {
        level: ServiceLevel,
        tier: Tier,
        potential_head: bool,
        influential: bool,
    },
    /// Exit candidate: low value for `low_value_runs` evaluations in a row, serving cost above
    /// margin, and no growth.
    ExitCandidate {
        step: ExitStep,
        low_value_runs: u32,
        service_cost_minor: i64,
        margin_minor: i64,
        revenue_minor: i64,
        previous_revenue_minor: i64,
    },
    NextAction {
        action: NextActionKind,
        detail: ActionDetail,
    },
    /// A CLV model could not be fitted; P(alive) or CLV are missing.
    ClvUnavailable {
        model: ClvModel,
        cause: ClvCause,
    },
}

/// The figure behind a next best action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActionDetail {
    OpenComplaints {
        count: u32,
    },
    FollowUpDue {
        due_on: String,
    },
    AtRisk,
    Exit {
        step: ExitStep,
    },
    /// `share` of customers in the same RFM segment bought this category.
    Upsell {
        category: String,
        share: f64,
        segment: RfmSegment,
    },
    SurveyDue {
        last_answer_on: Option<String>,
        interval_days: u32,
    },
}
