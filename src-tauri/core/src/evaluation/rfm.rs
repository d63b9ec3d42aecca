//! RFM scores and the two named segment schemes.
//!
//! Scoring rule: a value's score is 1 + floor(5 * w / n), where n is the number of scored
//! customers and w the number of them with a strictly worse value (a longer recency, fewer
//! purchases, less spend). So a score s means "better than at least (s - 1) x 20 % of the
//! customers", every score is in 1..=5, and equal values always get the same score. When
//! many customers share a value (most buy once), a score may stay unused rather than split
//! a tie.
//!
//! With fewer buyers than the `score_min_buyers` setting, quintiles mean little (a single
//! buyer is worse than nobody and scores 1 on everything), so fixed scales from the settings
//! apply instead ([`ScoreRule::Fixed`]). Above it, the recency cut points are still held
//! within one step of the fixed scale ([`Cuts::held_within`]): a base that nearly all bought
//! this month cannot push a buyer of last week down to "hibernating", nor a base of old
//! buyers lift one who has not bought for a year up to "champion".
//!
//! The scores are kept as cut points (the least good value that still reaches each score), so
//! a customer scored later against the same population gets exactly the score a full run
//! would have given them.

use serde::{Deserialize, Serialize};
use specta::Type;

/// For scores 2 to 5, the value a customer must beat to reach it; `None` when nobody was
/// scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Cuts {
    /// Whether a larger value is better (frequency, spend) or worse (recency).
    pub higher_is_better: bool,
    pub better_than: [Option<i64>; 4],
}

text_enum!(
    /// How R, F and M were scored: by quintiles of the buyers, or on the fixed scales of the
    /// settings when there were too few buyers for quintiles.
    ScoreRule { Quintiles = "quintiles", Fixed = "fixed" }
);

impl ScoreRule {
    /// The rule of runs stored without one.
    pub fn quintiles() -> Self {
        ScoreRule::Quintiles
    }
}

impl Cuts {
    /// A fixed scale where a larger value is better: score s + 2 from `least[s]` up.
    pub fn at_least(least: [i64; 4]) -> Cuts {
        Cuts { higher_is_better: true, better_than: least.map(|v| Some(v - 1)) }
    }

    /// A fixed scale where a smaller value is better: score s + 2 up to `most[s]`.
    pub fn within(most: [i64; 4]) -> Cuts {
        Cuts { higher_is_better: false, better_than: most.map(|v| Some(v + 1)) }
    }

    /// These cuts with each kept between the cuts of the scores just below and above it on
    /// `fixed`, so that every score is within one of the fixed scale's. Cuts that rise (or
    /// fall) stay so, and a population's cuts that already agree with the scale are kept.
    pub fn held_within(self, fixed: &Cuts) -> Cuts {
        let mut better_than = self.better_than;
        for (i, cut) in better_than.iter_mut().enumerate() {
            let (Some(value), below, above) =
                (*cut, i.checked_sub(1).map(|j| fixed.better_than[j]), fixed.better_than.get(i + 1))
            else {
                continue;
            };
            // The less demanding neighbour and the more demanding one, in value order.
            let (least, most) = if self.higher_is_better {
                (below.flatten().unwrap_or(i64::MIN), above.copied().flatten().unwrap_or(i64::MAX))
            } else {
                (above.copied().flatten().unwrap_or(i64::MIN), below.flatten().unwrap_or(i64::MAX))
            };
            *cut = Some(value.clamp(least, most));
        }
        Cuts { better_than, ..self }
    }

    /// The values that get `score`, inclusive, smallest first; `None` where open.
    pub fn band(&self, score: u8) -> (Option<i64>, Option<i64>) {
        let s = usize::from(score.clamp(1, 5));
        let lower_cut = if s >= 2 { self.better_than[s - 2] } else { None };
        let upper_cut = if s <= 4 { self.better_than[s - 1] } else { None };
        if self.higher_is_better {
            (lower_cut.map(|c| c + 1), upper_cut)
        } else {
            (upper_cut, lower_cut.map(|c| c - 1))
        }
    }

    /// Cut points of the quintile rule over `values` (any order).
    ///
    /// A score s needs w >= ceil((s - 1) n / 5) = k strictly worse values, which holds
    /// exactly when the value is better than the k-th worst one.
    pub fn from_values(values: &[i64], higher_is_better: bool) -> Cuts {
        let mut sorted = values.to_vec();
        // Worst first: ascending for "higher is better", descending otherwise.
        if higher_is_better {
            sorted.sort_unstable();
        } else {
            sorted.sort_unstable_by(|a, b| b.cmp(a));
        }
        let n = sorted.len();
        let mut better_than = [None; 4];
        if n > 0 {
            for (i, cut) in better_than.iter_mut().enumerate() {
                let k = ((i + 1) * n).div_ceil(5);
                *cut = Some(sorted[k - 1]);
            }
        }
        Cuts { higher_is_better, better_than }
    }

    /// The score of `value` against the population the cuts came from.
    pub fn score(&self, value: i64) -> u8 {
        let beats = |cut: i64| if self.higher_is_better { value > cut } else { value < cut };
        1 + self.better_than.iter().filter(|cut| cut.is_some_and(beats)).count() as u8
    }
}

/// Scores every value by the quintile rule.
pub fn quintile_scores(values: &[i64], higher_is_better: bool) -> Vec<u8> {
    let cuts = Cuts::from_values(values, higher_is_better);
    values.iter().map(|&v| cuts.score(v)).collect()
}

text_enum!(
    /// The default named map over recency and frequency scores.
    RfmSegment {
        Champions = "champions",
        Loyal = "loyal",
        PotentialLoyalist = "potential_loyalist",
        New = "new",
        Promising = "promising",
        NeedAttention = "need_attention",
        AboutToSleep = "about_to_sleep",
        AtRisk = "at_risk",
        CantLoseThem = "cant_lose_them",
        Hibernating = "hibernating",
    }
);

impl RfmSegment {
    /// Champions R5 F4-5; Loyal R3-4 F4-5; Potential loyalist R4-5 F2-3; New R5 F1;
    /// Promising R4 F1; Need attention R3 F3; About to sleep R3 F1-2; At risk R1-2 F3-4;
    /// Can't lose them R1-2 F5; Hibernating R1-2 F1-2.
    pub fn of(r: u8, f: u8) -> RfmSegment {
        match (r, f) {
            (5, 4..=5) => RfmSegment::Champions,
            (3..=4, 4..=5) => RfmSegment::Loyal,
            (4..=5, 2..=3) => RfmSegment::PotentialLoyalist,
            (5, _) => RfmSegment::New,
            (4, _) => RfmSegment::Promising,
            (3, 3) => RfmSegment::NeedAttention,
            (3, _) => RfmSegment::AboutToSleep,
            (_, 5) => RfmSegment::CantLoseThem,
            (_, 3 | 4) => RfmSegment::AtRisk,
            _ => RfmSegment::Hibernating,
        }
    }
}

text_enum!(
    /// The eight classes common in China, from R, F and M each against its mean
    /// (重要价值客户 … 一般挽留客户).
    ValueClass {
        ImportantValue = "important_value",
        ImportantDevelop = "important_develop",
        ImportantKeep = "important_keep",
        ImportantRetain = "important_retain",
        GeneralValue = "general_value",
        GeneralDevelop = "general_develop",
        GeneralKeep = "general_keep",
        GeneralRetain = "general_retain",
    }
);

/// Population means of the raw R, F and M values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct Means {
    pub recency_days: f64,
    pub frequency: f64,
    pub monetary_minor: f64,
}

/// Where a customer stands against the means: recency counts as high when it is at most the
/// mean (recent), frequency and spend when they are at least the mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AgainstMeans {
    pub recent: bool,
    pub frequent: bool,
    pub big_spender: bool,
}

impl AgainstMeans {
    pub fn of(means: &Means, recency_days: i64, frequency: i64, monetary_minor: i64) -> Self {
        AgainstMeans {
            recent: recency_days as f64 <= means.recency_days,
            frequent: frequency as f64 >= means.frequency,
            big_spender: monetary_minor as f64 >= means.monetary_minor,
        }
    }

    pub fn class(self) -> ValueClass {
        match (self.big_spender, self.recent, self.frequent) {
            (true, true, true) => ValueClass::ImportantValue,
            (true, true, false) => ValueClass::ImportantDevelop,
            (true, false, true) => ValueClass::ImportantKeep,
            (true, false, false) => ValueClass::ImportantRetain,
            (false, true, true) => ValueClass::GeneralValue,
            (false, true, false) => ValueClass::GeneralDevelop,
            (false, false, true) => ValueClass::GeneralKeep,
            (false, false, false) => ValueClass::GeneralRetain,
        }
    }
}

impl Means {
    /// Means of the given raw values; zeros for an empty population.
    pub fn of(recency: &[i64], frequency: &[i64], monetary: &[i64]) -> Self {
        let mean =
            |v: &[i64]| if v.is_empty() { 0.0 } else { v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64 };
        Means { recency_days: mean(recency), frequency: mean(frequency), monetary_minor: mean(monetary) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_values_fill_each_quintile_twice() {
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(quintile_scores(&values, true), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(quintile_scores(&values, false), [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    }

    #[test]
    fn ties_share_the_score_of_their_first_member() {
        // Six of ten bought once: all score 1; the next value is better than 60 %.
        let values = [1, 1, 1, 1, 1, 1, 2, 2, 3, 9];
        assert_eq!(quintile_scores(&values, true), [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
        let cuts = Cuts::from_values(&values, true);
        assert_eq!(cuts.better_than, [Some(1), Some(1), Some(1), Some(2)]);
        // A value not in the population scores by how many it beats, as a member would.
        assert_eq!(cuts.score(7), 5);
        assert_eq!(cuts.score(0), 1);
        let money = Cuts::from_values(&[100, 100, 100, 100, 100, 100, 200, 200, 300, 900], true);
        assert_eq!(money.score(150), 4);
    }

    #[test]
    fn held_cuts_keep_every_score_within_one_of_the_fixed_scale() {
        let fixed = Cuts::within([365, 180, 90, 30]);
        // Everyone bought within three weeks: quintiles would score day 18 as 1.
        let fresh = Cuts::from_values(&(0..100).map(|i| i / 5).collect::<Vec<_>>(), false);
        assert_eq!(fresh.score(18), 1);
        let held = fresh.held_within(&fixed);
        for days in 0..800 {
            let (q, f) = (i32::from(held.score(days)), i32::from(fixed.score(days)));
            assert!((q - f).abs() <= 1, "day {days}: held {q}, fixed {f}");
        }
        assert_eq!(held.score(18), 4);
        // Cuts already in line with the scale are kept as they are.
        let usual = Cuts { higher_is_better: false, better_than: [Some(300), Some(150), Some(60), Some(20)] };
        assert_eq!(usual.held_within(&fixed), usual);
        let spend = Cuts::at_least([100, 300, 1000, 3000]);
        let rich = Cuts { higher_is_better: true, better_than: [Some(5000), Some(6000), Some(7000), Some(8000)] };
        let held = rich.held_within(&spend);
        assert!((0..10_000).all(|v| (i32::from(held.score(v)) - i32::from(spend.score(v))).abs() <= 1));
    }

    #[test]
    fn a_band_is_the_values_of_one_score() {
        let r = Cuts::within([365, 180, 90, 30]);
        assert_eq!((r.band(5), r.band(4), r.band(1)), ((None, Some(30)), (Some(31), Some(90)), (Some(366), None)));
        let f = Cuts::at_least([2, 3, 4, 6]);
        assert_eq!((f.band(1), f.band(4), f.band(5)), ((None, Some(1)), (Some(4), Some(5)), (Some(6), None)));
        for v in 0..400 {
            let (from, to) = r.band(r.score(v));
            assert!(from.is_none_or(|x| x <= v) && to.is_none_or(|x| v <= x), "{v}");
        }
    }

    #[test]
    fn one_value_and_nothing() {
        assert_eq!(quintile_scores(&[4, 4, 4], true), [1, 1, 1]);
        assert_eq!(quintile_scores(&[], true), Vec::<u8>::new());
        assert_eq!(Cuts::from_values(&[], false).score(3), 1);
    }

    #[test]
    fn the_named_map_covers_every_pair_as_defined() {
        use RfmSegment::*;
        let expect = |r: u8, f: u8| match (r, f) {
            (5, 4 | 5) => Champions,
            (3 | 4, 4 | 5) => Loyal,
            (4 | 5, 2 | 3) => PotentialLoyalist,
            (5, 1) => New,
            (4, 1) => Promising,
            (3, 3) => NeedAttention,
            (3, 1 | 2) => AboutToSleep,
            (1 | 2, 3 | 4) => AtRisk,
            (1 | 2, 5) => CantLoseThem,
            (1 | 2, 1 | 2) => Hibernating,
            _ => unreachable!(),
        };
        for r in 1..=5 {
            for f in 1..=5 {
                assert_eq!(RfmSegment::of(r, f), expect(r, f), "R{r} F{f}");
            }
        }
    }

    #[test]
    fn eight_classes_from_the_means() {
        let means = Means::of(&[10, 30], &[1, 3], &[100, 300]);
        assert_eq!(means, Means { recency_days: 20.0, frequency: 2.0, monetary_minor: 200.0 });
        assert_eq!(AgainstMeans::of(&means, 5, 3, 300).class(), ValueClass::ImportantValue);
        assert_eq!(AgainstMeans::of(&means, 20, 1, 200).class(), ValueClass::ImportantDevelop);
        assert_eq!(AgainstMeans::of(&means, 40, 2, 250).class(), ValueClass::ImportantKeep);
        assert_eq!(AgainstMeans::of(&means, 40, 1, 250).class(), ValueClass::ImportantRetain);
        assert_eq!(AgainstMeans::of(&means, 1, 5, 10).class(), ValueClass::GeneralValue);
        assert_eq!(AgainstMeans::of(&means, 1, 1, 10).class(), ValueClass::GeneralDevelop);
        assert_eq!(AgainstMeans::of(&means, 99, 5, 10).class(), ValueClass::GeneralKeep);
        assert_eq!(AgainstMeans::of(&means, 99, 1, 10).class(), ValueClass::GeneralRetain);
    }
}
