//! The stored runs, without their members.

use super::summary::RunSummary;
use super::{json, Trigger};
use crate::error::{Error, Result};
use crate::evaluation::{rfm, tiers, ClvModels, EvaluationSettings, Model};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

/// A stored evaluation run, without its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct EvaluationRun {
    pub id: i64,
    pub as_of: NaiveDate,
    pub started_at: String,
    pub finished_at: String,
    pub trigger: Trigger,
    pub currency: String,
    pub customers: u32,
    pub seconds: f64,
    pub summary: RunSummary,
    pub model: Model,
    pub settings: EvaluationSettings,
}

/// Inserts the run's row (its members follow); returns its id.
pub(super) fn insert_run(conn: &Connection, run: &EvaluationRun) -> Result<i64> {
    conn.execute(
        "INSERT INTO evaluation_runs
           (as_of, started_at, finished_at, trigger, currency, settings, model, summary, customers, seconds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            run.as_of.to_string(),
            run.started_at,
            run.finished_at,
            run.trigger,
            run.currency,
            json(&run.settings)?,
            json(&run.model)?,
            json(&run.summary)?,
            run.customers,
            run.seconds
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Removes the oldest runs beyond `keep`.
pub(super) fn prune(conn: &Connection, keep: u32) -> Result<()> {
    conn.execute(
        "DELETE FROM evaluation_runs WHERE complete = 1 AND id NOT IN
           (SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT ?1)",
        [keep],
    )?;
    Ok(())
}

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<(EvaluationRun, [String; 3])> {
    Ok((
        EvaluationRun {
            id: row.get(0)?,
            as_of: row.get(1)?,
            started_at: row.get(2)?,
            finished_at: row.get(3)?,
            trigger: row.get(4)?,
            currency: row.get(5)?,
            customers: row.get(6)?,
            seconds: row.get(7)?,
            summary: RunSummary::default(),
            model: placeholder_model(),
            settings: EvaluationSettings::default(),
        },
        [row.get(8)?, row.get(9)?, row.get(10)?],
    ))
}

pub(super) fn placeholder_model() -> Model {
    Model {
        as_of: NaiveDate::MIN,
        currency: String::new(),
        customers: 0,
        buyers: 0,
        score_rule: rfm::ScoreRule::Fixed,
        recency: rfm::Cuts::from_values(&[], false),
        frequency: rfm::Cuts::from_values(&[], true),
        monetary: rfm::Cuts::from_values(&[], true),
        means: rfm::Means::of(&[], &[], &[]),
        tiers: tiers::TierCuts::from_contributions(&[], 0.7, 0.9),
        clv: ClvModels::unfitted(0),
        potential_head_from_minor: None,
        categories: Vec::new(),
        upsell: Vec::new(),
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored {what} is unreadable: {e}")))
}

const RUN_COLUMNS: &str =
    "id, as_of, started_at, finished_at, trigger, currency, customers, seconds, summary, model, settings";

fn complete((run, [summary, model, settings]): (EvaluationRun, [String; 3])) -> Result<EvaluationRun> {
    Ok(EvaluationRun {
        summary: parse_json(&summary, "summary")?,
        model: parse_json(&model, "model")?,
        settings: parse_json(&settings, "settings")?,
        ..run
    })
}

/// Stored runs, newest first.
pub fn runs(conn: &Connection) -> Result<Vec<EvaluationRun>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], run_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(complete).collect()
}

pub fn get_run(conn: &Connection, id: i64) -> Result<EvaluationRun> {
    let row = conn
        .query_row(
            &format!("SELECT {RUN_COLUMNS} FROM evaluation_runs WHERE id = ?1 AND complete = 1"),
            [id],
            run_from_row,
        )
        .optional()?
        .ok_or(Error::NotFound { entity: "evaluation", id })?;
    complete(row)
}

pub fn latest_run(conn: &Connection) -> Result<Option<EvaluationRun>> {
    let id: Option<i64> = conn
        .query_row("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    id.map(|id| get_run(conn, id)).transpose()
}
