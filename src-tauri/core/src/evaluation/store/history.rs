//! One customer across the stored runs, and the migration of customers between two runs.

use super::archive;
use super::members::member_in;
use super::runs::{get_run, latest_run};
use crate::error::Result;
use crate::evaluation::{decide, Decision, Member, Model, Reason, RfmSegment, ValueClass};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashMap;

/// A customer's standing in one run, with the reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Standing {
    pub run_id: i64,
    pub as_of: NaiveDate,
    /// The date the member was last evaluated at (later than the run's when an order came in).
    pub evaluated_on: NaiveDate,
    pub member: Member,
    pub reasons: Vec<Reason>,
    pub upsell_category: Option<String>,
}

/// The customer in the latest run, with every reason recomputed from the stored figures.
pub fn standing(conn: &Connection, customer: i64) -> Result<Option<Standing>> {
    let Some(run) = latest_run(conn)? else { return Ok(None) };
    let Some((member, refreshed)) = member_in(conn, run.id, customer)? else { return Ok(None) };
    let evaluated_on = refreshed.unwrap_or(run.as_of);
    let model = Model { as_of: evaluated_on, ..run.model };
    let mut reasons = Vec::new();
    decide(&member.measures, &model, &run.settings, Some(&mut reasons));
    let upsell_category = member.decision.upsell_category.and_then(|c| model.categories.get(c as usize).cloned());
    Ok(Some(Standing { run_id: run.id, as_of: run.as_of, evaluated_on, member, reasons, upsell_category }))
}

/// A customer's assignments in one stored run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct HistoryEntry {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub decision: Decision,
    pub contribution_minor: i64,
    pub predicted_clv_minor: Option<i64>,
    pub p_alive: Option<f64>,
}

/// The customer's assignments in every stored run, newest first: one archive chunk of each.
pub fn history(conn: &Connection, customer: i64) -> Result<Vec<HistoryEntry>> {
    let mut stmt =
        conn.prepare("SELECT id, as_of FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC")?;
    let runs = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, NaiveDate>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut entries = Vec::new();
    for (run_id, as_of) in runs {
        if let Some((member, _)) = archive::member(conn, run_id, customer)? {
            entries.push(HistoryEntry {
                run_id,
                as_of,
                contribution_minor: member.measures.contribution_minor,
                predicted_clv_minor: member.measures.predicted_clv_minor,
                p_alive: member.measures.p_alive,
                decision: member.decision,
            });
        }
    }
    Ok(entries)
}

/// The assignment compared between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Tier,
    Segment,
    ValueClass,
    Lifecycle,
    ServiceLevel,
}

impl Dimension {
    /// A member's group along this dimension, as stored.
    fn of(self, d: &Decision) -> Option<&'static str> {
        match self {
            Dimension::Tier => Some(d.tier.as_str()),
            Dimension::Segment => d.segment.map(RfmSegment::as_str),
            Dimension::ValueClass => d.value_class.map(ValueClass::as_str),
            Dimension::Lifecycle => Some(d.lifecycle.as_str()),
            Dimension::ServiceLevel => Some(d.service_level.as_str()),
        }
    }
}

/// How many customers went from one group to another; `None` on a side means not in that
/// run (new customers, or customers gone from the later run) or without a value there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Flow {
    pub from: Option<String>,
    pub to: Option<String>,
    pub customers: u32,
}

/// Migration between two runs along one dimension, from their archives merged in customer
/// order; most customers first.
pub fn migration(conn: &Connection, from_run: i64, to_run: i64, dimension: Dimension) -> Result<Vec<Flow>> {
    for id in [from_run, to_run] {
        get_run(conn, id)?;
    }
    let before = groups_of(conn, from_run, dimension)?;
    let mut counts: HashMap<(Option<&'static str>, Option<&'static str>), u32> = HashMap::new();
    let mut seen = vec![false; before.len()];
    archive::each(conn, to_run, |(m, _)| {
        let id = m.measures.customer_id;
        let from = match before.binary_search_by_key(&id, |&(c, _)| c) {
            Ok(i) => {
                seen[i] = true;
                before[i].1
            }
            Err(_) => None,
        };
        *counts.entry((from, dimension.of(&m.decision))).or_default() += 1;
        Ok(())
    })?;
    for (&(_, group), _) in before.iter().zip(&seen).filter(|(_, &seen)| !seen) {
        *counts.entry((group, None)).or_default() += 1;
    }
    let mut flows: Vec<Flow> = counts
        .into_iter()
        .map(|((from, to), customers)| Flow { from: from.map(str::to_owned), to: to.map(str::to_owned), customers })
        .collect();
    flows.sort_by(|a, b| b.customers.cmp(&a.customers).then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to))));
    Ok(flows)
}

/// Each member of `run` (ascending customer order) with its group along `dimension`.
fn groups_of(conn: &Connection, run: i64, dimension: Dimension) -> Result<Vec<(i64, Option<&'static str>)>> {
    let mut groups = Vec::new();
    archive::each(conn, run, |(m, _)| {
        groups.push((m.measures.customer_id, dimension.of(&m.decision)));
        Ok(())
    })?;
    Ok(groups)
}
