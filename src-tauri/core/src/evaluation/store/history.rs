//! One customer across the stored runs, and the migration of customers between two runs.

use super::members::{member_columns, member_in, read_member, AFTER_MEMBER};
use super::runs::{get_run, latest_run};
use crate::error::Result;
use crate::evaluation::{decide, Decision, Member, Model, Reason};
use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;

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

/// The customer's assignments in every stored run, newest first.
pub fn history(conn: &Connection, customer: i64) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {}, r.id, r.as_of FROM evaluation_members m JOIN evaluation_runs r ON r.id = m.run_id
         WHERE m.customer_id = ?1 AND r.complete = 1 ORDER BY r.as_of DESC, r.id DESC",
        member_columns("m")
    ))?;
    let rows = stmt.query_map([customer], |row| {
        let (member, _) = read_member(row)?;
        Ok(HistoryEntry {
            run_id: row.get(AFTER_MEMBER)?,
            as_of: row.get(AFTER_MEMBER + 1)?,
            contribution_minor: member.measures.contribution_minor,
            predicted_clv_minor: member.measures.predicted_clv_minor,
            p_alive: member.measures.p_alive,
            decision: member.decision,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    fn column(self) -> &'static str {
        match self {
            Dimension::Tier => "tier",
            Dimension::Segment => "segment",
            Dimension::ValueClass => "value_class",
            Dimension::Lifecycle => "lifecycle",
            Dimension::ServiceLevel => "service_level",
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

/// Migration between two runs along one dimension.
pub fn migration(conn: &Connection, from_run: i64, to_run: i64, dimension: Dimension) -> Result<Vec<Flow>> {
    for id in [from_run, to_run] {
        get_run(conn, id)?;
    }
    let c = dimension.column();
    let sql = format!(
        "SELECT a.{c}, b.{c}, count(*) FROM evaluation_members b
           LEFT JOIN evaluation_members a ON a.run_id = ?1 AND a.customer_id = b.customer_id
         WHERE b.run_id = ?2 GROUP BY 1, 2
         UNION ALL
         SELECT a.{c}, NULL, count(*) FROM evaluation_members a
         WHERE a.run_id = ?1 AND NOT EXISTS
           (SELECT 1 FROM evaluation_members b WHERE b.run_id = ?2 AND b.customer_id = a.customer_id)
         GROUP BY 1
         ORDER BY 3 DESC"
    );
    let mut stmt = conn.prepare(&sql)?;
    let flows =
        stmt.query_map([from_run, to_run], |r| Ok(Flow { from: r.get(0)?, to: r.get(1)?, customers: r.get(2)? }))?;
    Ok(flows.collect::<rusqlite::Result<_>>()?)
}
