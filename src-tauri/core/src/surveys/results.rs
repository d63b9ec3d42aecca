//! Survey scores, overall and per group of customers.
//!
//! - NPS (0-10): % promoters (9-10) - % detractors (0-6), from -100 to 100.
//! - CSAT (1-5): % of answers 4 or 5.
//! - CES (1-7): the mean score, with the % of answers 5 to 7 beside it.
//!
//! Groups by tier, RFM segment and lifecycle stage take each customer's standing in the
//! latest complete evaluation; customers it does not hold fall in a group without a key.

use super::catalog::{get_survey, Survey};
use super::SurveyKind;
use crate::activity::Checks;
use crate::error::{Result, Rule};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

/// A survey's answers summed up. Shares are percentages (0-100); every figure is `None`
/// without answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Score {
    pub responses: u32,
    /// Answers per scale point, the lowest point first.
    pub distribution: Vec<u32>,
    /// The headline: NPS, CSAT's % of 4-5, or CES's mean.
    pub score: Option<f64>,
    pub mean: Option<f64>,
    /// % of promoters (NPS 9-10), satisfied (CSAT 4-5) or easy (CES 5-7).
    pub top_share: Option<f64>,
}

/// Counts per scale point, summed up by [`Tally::score`].
#[derive(Debug, Clone)]
pub struct Tally {
    kind: SurveyKind,
    counts: Vec<u32>,
}

impl Score {
    pub fn tally(kind: SurveyKind) -> Tally {
        let (low, high) = kind.range();
        Tally { kind, counts: vec![0; (high - low + 1) as usize] }
    }
}

impl Tally {
    /// Adds `n` answers of `score`; a score off the scale (never stored) is left out.
    pub fn add(&mut self, score: i64, n: u32) {
        let (low, _) = self.kind.range();
        if let Some(slot) = usize::try_from(score - low).ok().and_then(|i| self.counts.get_mut(i)) {
            *slot += n;
        }
    }

    /// ```
    /// use headtail_core::surveys::{Score, SurveyKind};
    /// let mut t = Score::tally(SurveyKind::Nps);
    /// for (score, n) in [(10, 5), (8, 2), (3, 3)] { t.add(score, n); }
    /// assert_eq!(t.score().score, Some(20.0)); // 50% promoters - 30% detractors
    /// assert_eq!(Score::tally(SurveyKind::Csat).score().score, None);
    /// ```
    pub fn score(&self) -> Score {
        let (low, _) = self.kind.range();
        let responses: u32 = self.counts.iter().sum();
        let count = |from: i64, to: i64| -> u32 {
            (from..=to).filter_map(|s| usize::try_from(s - low).ok()).filter_map(|i| self.counts.get(i)).sum()
        };
        let share = |n: u32| f64::from(n) * 100.0 / f64::from(responses);
        let total: i64 = self.counts.iter().zip(low..).map(|(&n, s)| i64::from(n) * s).sum();
        let (score, mean, top_share) = if responses == 0 {
            (None, None, None)
        } else {
            let mean = total as f64 / f64::from(responses);
            match self.kind {
                SurveyKind::Nps => {
                    let (promoters, detractors) = (count(9, 10), count(0, 6));
                    let nps = (f64::from(promoters) - f64::from(detractors)) * 100.0 / f64::from(responses);
                    (Some(nps), Some(mean), Some(share(promoters)))
                }
                SurveyKind::Csat => {
                    let satisfied = share(count(4, 5));
                    (Some(satisfied), Some(mean), Some(satisfied))
                }
                SurveyKind::Ces => (Some(mean), Some(mean), Some(share(count(5, 7)))),
            }
        };
        Score { responses, distribution: self.counts.clone(), score, mean, top_share }
    }
}

/// Answers given from `from` to `to`, both included; `None` leaves that end open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct ResultsQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The score of one group of customers. `key` is the tier, segment, lifecycle stage, owner
/// or month (`2026-03`); `None` means not in the latest evaluation, or no owner. An
/// evaluated customer without RFM scores (a prospect) has the segment `none`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ScoreGroup {
    pub key: Option<String>,
    pub score: Score,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SurveyResults {
    pub survey: Survey,
    pub overall: Score,
    /// The date of the evaluation the tier, segment and lifecycle groups come from.
    pub evaluated_on: Option<NaiveDate>,
    pub by_tier: Vec<ScoreGroup>,
    pub by_segment: Vec<ScoreGroup>,
    pub by_lifecycle: Vec<ScoreGroup>,
    pub by_owner: Vec<ScoreGroup>,
    pub by_month: Vec<ScoreGroup>,
}

/// Groups in key order, the group without a key last.
fn groups(tallies: BTreeMap<Option<String>, Tally>) -> Vec<ScoreGroup> {
    let mut out: Vec<ScoreGroup> =
        tallies.into_iter().map(|(key, tally)| ScoreGroup { key, score: tally.score() }).collect();
    let keyless_first = usize::from(out.first().is_some_and(|g| g.key.is_none()));
    out.rotate_left(keyless_first);
    out
}

/// The survey's score over the answers in `query`'s dates, overall and per group.
pub fn survey_results(conn: &Connection, survey_id: i64, query: &ResultsQuery) -> Result<SurveyResults> {
    let survey = get_survey(conn, survey_id)?;
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if from > to {
            let mut checks = Checks::default();
            checks.fail("to", Rule::OutOfRange);
            checks.finish()?;
        }
    }
    let run: Option<(i64, NaiveDate)> = conn
        .query_row(
            "SELECT id, as_of FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut stmt = conn.prepare_cached(
        "SELECT r.score, substr(r.responded_on, 1, 7), c.owner, m.customer_id IS NOT NULL,
                m.tier, coalesce(m.segment, 'none'), m.lifecycle, count(*)
         FROM survey_responses r
         JOIN customers c ON c.id = r.customer_id
         LEFT JOIN evaluation_members m ON m.run_id = ?2 AND m.customer_id = r.customer_id
         WHERE r.survey_id = ?1 AND (?3 IS NULL OR r.responded_on >= ?3) AND (?4 IS NULL OR r.responded_on <= ?4)
         GROUP BY 1, 2, 3, 4, 5, 6, 7",
    )?;
    let mut rows = stmt.query(params![survey_id, run.map(|r| r.0), query.from, query.to])?;
    let mut overall = Score::tally(survey.kind);
    let mut by: [BTreeMap<Option<String>, Tally>; 5] = Default::default();
    while let Some(r) = rows.next()? {
        let score: i64 = r.get(0)?;
        let n: u32 = r.get(7)?;
        let evaluated: bool = r.get(3)?;
        let from_run = |i: usize| -> rusqlite::Result<Option<String>> {
            if evaluated {
                r.get(i)
            } else {
                Ok(None)
            }
        };
        let keys: [Option<String>; 5] = [from_run(4)?, from_run(5)?, from_run(6)?, r.get(2)?, r.get(1)?];
        overall.add(score, n);
        for (map, key) in by.iter_mut().zip(keys) {
            map.entry(key).or_insert_with(|| Score::tally(survey.kind)).add(score, n);
        }
    }
    let [tier, segment, lifecycle, owner, month] = by;
    Ok(SurveyResults {
        overall: overall.score(),
        evaluated_on: run.map(|r| r.1),
        by_tier: groups(tier),
        by_segment: groups(segment),
        by_lifecycle: groups(lifecycle),
        by_owner: groups(owner),
        by_month: groups(month),
        survey,
    })
}
