//! Value tiers (客户分级) from profit contribution.
//!
//! Customers are sorted by contribution, high to low, and walked in groups of equal value.
//! A group whose preceding cumulative share of the total positive contribution is below the
//! A share (70 %) is tier A, below the B share (90 %) tier B, any other positive group tier C,
//! and contribution <= 0 is tier D. The group that crosses 70 % is therefore still A, and
//! equal contributions always share a tier. Prospects (no purchase yet) are in no tier: they
//! form their own group, [`Tier::Prospect`], and are never low value.

use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(
    /// A = head (头部), B, C = long tail (长尾), D = low value (低价值); prospects, who have
    /// not bought yet, are a group of their own beside the tiers.
    Tier { A = "a", B = "b", C = "c", D = "d", Prospect = "prospect" }
);

/// The least contribution in tiers A and B, and the total the shares are taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TierCuts {
    pub a_from_minor: Option<i64>,
    pub b_from_minor: Option<i64>,
    pub total_positive_minor: i64,
    /// Customers in tier A.
    pub a_count: u32,
}

impl TierCuts {
    pub fn from_contributions(contributions: &[i64], a_share: f64, b_share: f64) -> TierCuts {
        let mut positive: Vec<i64> = contributions.iter().copied().filter(|&c| c > 0).collect();
        positive.sort_unstable_by(|a, b| b.cmp(a));
        let total: i64 = positive.iter().sum();
        let mut cuts = TierCuts { a_from_minor: None, b_from_minor: None, total_positive_minor: total, a_count: 0 };
        let mut before = 0_i64;
        let mut start = 0;
        while start < positive.len() {
            let value = positive[start];
            let len = positive[start..].iter().take_while(|&&v| v == value).count();
            let share_before = before as f64 / total as f64;
            if share_before < a_share {
                cuts.a_from_minor = Some(value);
                cuts.a_count += len as u32;
            } else if share_before < b_share {
                cuts.b_from_minor = Some(value);
            } else {
                break;
            }
            before += value * len as i64;
            start += len;
        }
        cuts
    }

    /// The tier of a buyer with this contribution (prospects are not asked).
    pub fn tier(&self, contribution_minor: i64) -> Tier {
        if contribution_minor <= 0 {
            Tier::D
        } else if self.a_from_minor.is_some_and(|a| contribution_minor >= a) {
            Tier::A
        } else if self.b_from_minor.is_some_and(|b| contribution_minor >= b) {
            Tier::B
        } else {
            Tier::C
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventy_twenty_rest_and_low_value() {
        // Total positive 1000: 500 (0 % before) and 300 (50 % before) are A; 100 (80 %) is
        // B; 50 and 50 (90 %, 95 %) are C; 0 and -20 are D.
        let values = [50, 300, -20, 500, 0, 100, 50];
        let cuts = TierCuts::from_contributions(&values, 0.7, 0.9);
        assert_eq!(cuts.total_positive_minor, 1000);
        assert_eq!((cuts.a_from_minor, cuts.b_from_minor, cuts.a_count), (Some(300), Some(100), 2));
        let tiers: Vec<Tier> = values.iter().map(|&v| cuts.tier(v)).collect();
        assert_eq!(tiers, [Tier::C, Tier::A, Tier::D, Tier::A, Tier::D, Tier::B, Tier::C]);
    }

    #[test]
    fn equal_contributions_share_a_tier() {
        let values = [10; 10];
        let cuts = TierCuts::from_contributions(&values, 0.7, 0.9);
        assert!(values.iter().all(|&v| cuts.tier(v) == Tier::A));
        assert_eq!(cuts.a_count, 10);
    }

    #[test]
    fn nobody_positive_is_all_d() {
        let cuts = TierCuts::from_contributions(&[0, -5], 0.7, 0.9);
        assert_eq!(cuts.tier(0), Tier::D);
        assert_eq!(cuts.a_count, 0);
        let empty = TierCuts::from_contributions(&[], 0.7, 0.9);
        assert_eq!(empty.tier(5), Tier::C);
    }
}
