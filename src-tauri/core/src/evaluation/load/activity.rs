//! The facts beyond orders: service costs, open complaints, due follow-ups, the last survey
//! answer, and the streaks the previous run left.

use super::{parse_day, scoped, text, Index, Windows};
use crate::error::Result;
use crate::evaluation::store;
use crate::evaluation::{CustomerFacts, EvaluationSettings, Lifecycle, PreviousRun};
use crate::text_enum::Place;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

pub(super) fn service_costs(
    conn: &Connection,
    index: &Index,
    facts: &mut [CustomerFacts],
    w: Windows,
    currency: &str,
    settings: &EvaluationSettings,
    only: Option<i64>,
) -> Result<()> {
    let mut stmt = conn.prepare(&scoped(
        "SELECT customer_id, occurred_on, minutes, amount_minor, currency FROM service_costs WHERE {only}",
        "?1",
        only,
    ))?;
    let mut rows = stmt.query([only])?;
    while let Some(row) = rows.next()? {
        let Some(i) = index.get(row.get(0)?) else { continue };
        let Some(day) = parse_day(text(row, 1)?) else { continue };
        if day > w.today {
            continue;
        }
        let minutes: Option<i64> = row.get(2)?;
        let time_cost = minutes.unwrap_or(0) * settings.service_hour_cost_minor() / 60;
        let money = if text(row, 4)? == currency.as_bytes() { row.get::<_, i64>(3)? } else { 0 };
        let f = &mut facts[i];
        f.lifetime_service_cost_minor += time_cost + money;
        if day > w.window_start {
            f.window_service_cost_minor += time_cost + money;
        }
    }
    Ok(())
}

/// Open complaints, due follow-ups and the last survey answer.
pub(super) fn activity(
    conn: &Connection,
    index: &Index,
    facts: &mut [CustomerFacts],
    as_of: NaiveDate,
    only: Option<i64>,
) -> Result<()> {
    let as_of = as_of.to_string();
    let mut each =
        |sql: &str, apply: &mut dyn FnMut(&mut CustomerFacts, &rusqlite::Row<'_>) -> Result<()>| -> Result<()> {
            let mut stmt = conn.prepare(&scoped(sql, "?2", only))?;
            let mut rows = stmt.query(params![as_of, only])?;
            while let Some(row) = rows.next()? {
                if let Some(i) = index.get(row.get(0)?) {
                    apply(&mut facts[i], row)?;
                }
            }
            Ok(())
        };
    each(
        "SELECT customer_id, count(*) FROM complaints
         WHERE status IN ('open', 'in_progress') AND substr(opened_at, 1, 10) <= ?1 AND {only}
         GROUP BY customer_id",
        &mut |f, row| {
            f.open_complaints = row.get(1)?;
            Ok(())
        },
    )?;
    each(
        "SELECT customer_id, substr(min(due_at), 1, 10) FROM follow_ups
         WHERE completed_at IS NULL AND due_at < date(?1, '+1 day') AND {only}
         GROUP BY customer_id",
        &mut |f, row| {
            f.follow_up_due = parse_day(text(row, 1)?);
            Ok(())
        },
    )?;
    each(
        "SELECT customer_id, max(responded_on) FROM survey_responses
         WHERE responded_on <= ?1 AND {only}
         GROUP BY customer_id",
        &mut |f, row| {
            f.last_survey = parse_day(text(row, 1)?);
            Ok(())
        },
    )
}

/// The latest stored run before `as_of` (runs on the same day do not count twice towards the
/// streaks of low value and exit).
fn previous_run_id(conn: &Connection, as_of: NaiveDate) -> Result<Option<(i64, NaiveDate)>> {
    Ok(conn
        .query_row(
            "SELECT id, as_of FROM evaluation_runs WHERE complete = 1 AND as_of < ?1 ORDER BY as_of DESC, id DESC LIMIT 1",
            [as_of.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub(super) fn previous_run(
    conn: &Connection,
    index: &Index,
    facts: &mut [CustomerFacts],
    before: NaiveDate,
    only: Option<i64>,
) -> Result<()> {
    let Some((run, run_as_of)) = previous_run_id(conn, before)? else { return Ok(()) };
    let run_day = crate::evaluation::day_number(run_as_of);
    let previous =
        |lifecycle, low_value_runs, exit_runs| PreviousRun { as_of: run_day, lifecycle, low_value_runs, exit_runs };
    if !store::has_rows(conn, run)? {
        // An earlier run than the latest, read from its archive.
        let mut note = |(m, _): &store::archive::Archived| {
            if let Some(i) = index.get(m.measures.customer_id) {
                facts[i].previous =
                    Some(previous(m.decision.lifecycle, m.decision.low_value_runs, m.decision.exit_runs));
            }
            Ok(())
        };
        return match only {
            Some(id) => store::archive::member(conn, run, id)?.as_ref().map_or(Ok(()), &mut note),
            None => store::archive::each(conn, run, note),
        };
    }
    let mut stmt = conn.prepare(&scoped(
        // The rows hold one run: read in their own order (a customer by its key), not along an
        // index of the run with a look-up per row, which took seven times as long.
        "SELECT customer_id, lifecycle, low_value_runs, exit_runs FROM evaluation_members NOT INDEXED
         WHERE run_id = ?1 AND {only}",
        "?2",
        only,
    ))?;
    let mut rows = stmt.query(params![run, only])?;
    while let Some(row) = rows.next()? {
        let Some(i) = index.get(row.get(0)?) else { continue };
        facts[i].previous = Some(previous(row.get::<_, Place<Lifecycle>>(1)?.0, row.get(2)?, row.get(3)?));
    }
    Ok(())
}
