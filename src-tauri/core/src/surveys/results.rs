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
use crate::evaluation::store::RunStandings;
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

    pub fn answers(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// Adds another tally's answers.
    pub fn absorb(&mut self, other: &Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
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
    let standings = run.map(|(id, _)| RunStandings::load(conn, id)).transpose()?;
    // Every answer is read from the survey's index alone (its owner is kept on it) and its
    // customer's standing looked up in the run's codes: no row of another table is read, so a
    // survey with hundreds of thousands of answers is summed up in a fraction of a second.
    let mut stmt = conn.prepare_cached(
        "SELECT customer_id, responded_on, score, owner FROM survey_responses INDEXED BY survey_responses_survey
         WHERE survey_id = ?1 AND responded_on >= coalesce(?2, '') AND responded_on <= coalesce(?3, '9')",
    )?;
    let mut rows = stmt.query(params![survey_id, query.from, query.to])?;
    let tally = || Score::tally(survey.kind);
    let mut overall = tally();
    let cells = standings.as_ref().map_or(0, |s| s.cells.len());
    // By cell number, and last those the run does not hold.
    let mut by_cell = vec![tally(); cells + 1];
    let mut by_owner: Vec<(Option<String>, Tally)> = Vec::new();
    let mut by_month: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let customer: i64 = r.get(0)?;
        let month = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?.get(..7).unwrap_or_default();
        let score: i64 = r.get(2)?;
        let owner = r.get_ref(3)?.as_str_or_null().map_err(rusqlite::Error::from)?;
        overall.add(score, 1);
        let cell = standings.as_ref().and_then(|s| s.cell(customer)).unwrap_or(cells);
        by_cell[cell].add(score, 1);
        match by_owner.iter_mut().find(|(o, _)| o.as_deref() == owner) {
            Some((_, t)) => t.add(score, 1),
            None => {
                let mut t = tally();
                t.add(score, 1);
                by_owner.push((owner.map(str::to_owned), t));
            }
        }
        match by_month.iter_mut().next_back().filter(|(m, _)| m.as_deref() == Some(month)) {
            Some((_, t)) => t.add(score, 1),
            None => by_month.entry(Some(month.to_owned())).or_insert_with(tally).add(score, 1),
        }
    }
    // Cells fold into their tier, segment and lifecycle stage.
    let mut by: [BTreeMap<Option<String>, Tally>; 3] = Default::default();
    for (number, t) in by_cell.iter().enumerate().filter(|(_, t)| t.answers() > 0) {
        let keys: [Option<String>; 3] = match standings.as_ref().and_then(|s| s.cells.get(number)) {
            Some(c) => [c.tier.clone(), Some(c.segment.clone().unwrap_or_else(|| "none".into())), c.lifecycle.clone()],
            None => [None, None, None],
        };
        for (map, key) in by.iter_mut().zip(keys) {
            map.entry(key).or_insert_with(tally).absorb(t);
        }
    }
    let [tier, segment, lifecycle] = by;
    let owner: BTreeMap<Option<String>, Tally> = by_owner.into_iter().collect();
    Ok(SurveyResults {
        overall: overall.score(),
        evaluated_on: run.map(|r| r.1),
        by_tier: groups(tier),
        by_segment: groups(segment),
        by_lifecycle: groups(lifecycle),
        by_owner: groups(owner),
        by_month: groups(by_month),
        survey,
    })
}
