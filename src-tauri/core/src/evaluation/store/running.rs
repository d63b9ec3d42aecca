//! Running an evaluation and saving it with its progress.

use super::archive::{self, Archived};
use super::cells::{cell_of, RunCells};
use super::rows;
use super::runs::{insert_run, placeholder_model, prune, EvaluationRun};
use super::summary::{RunSummary, SummaryBuilder};
use super::{json, settings, Trigger};
use crate::activity::CURRENCY_DEFAULT;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::evaluation::engine::evaluate_columns;
use crate::evaluation::lease::Lease;
use crate::evaluation::{load, Evaluation, Member, Stage};
use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::Instant;

/// Timings of a run, for benchmarks and the run log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct RunTimings {
    pub load_seconds: f64,
    pub evaluate_seconds: f64,
    pub save_seconds: f64,
}

/// Evaluates everyone at `as_of` with the saved settings and stores the run with its rows
/// built; older runs beyond the number to keep are removed.
///
/// # Errors
/// Database errors (then nothing is stored).
pub fn run(
    db: &Database,
    as_of: NaiveDate,
    trigger: Trigger,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<(EvaluationRun, RunTimings)> {
    let (run, timings, ()) = run_beside(db, as_of, trigger, progress, |_, _| Ok(()))?;
    rows::build_latest(db)?;
    Ok((run, timings))
}

/// Evaluates and stores the run as [`run`] does, except its rows: the lists read the
/// previous run's until [`rows::build_latest`] has built them. `beside` is given the run
/// (its model set) and its members on a thread of its own while they are saved: a members
/// file written from memory takes no time of its own. Its result comes back once the run is
/// stored; the run is stored even if `beside` fails.
///
/// # Errors
/// Database errors (then nothing is stored), and those of `beside`.
pub fn run_beside<T: Send>(
    db: &Database,
    as_of: NaiveDate,
    trigger: Trigger,
    progress: &mut dyn FnMut(Stage, f64),
    beside: impl FnOnce(&EvaluationRun, &Evaluation) -> Result<T> + Send,
) -> Result<(EvaluationRun, RunTimings, T)> {
    // One run at a time per database, whichever process starts it; taking the lease also
    // removes what a run that died left half-saved.
    let lease = Lease::take(db, Utc::now())?;
    let started_at = now();
    let clock = Instant::now();
    let settings = db.with_conn(settings)?;
    progress(Stage::Loading, 0.0);
    let currency = CURRENCY_DEFAULT;
    let population = load::population(db, as_of, currency, &settings, None)?;
    let load_seconds = clock.elapsed().as_secs_f64();
    let evaluation = evaluate_columns(population, &settings, as_of, currency, progress);
    let evaluate_seconds = clock.elapsed().as_secs_f64() - load_seconds;
    progress(Stage::Saving, 0.0);
    let mut run = EvaluationRun {
        id: 0,
        as_of,
        started_at,
        finished_at: String::new(),
        trigger,
        currency: currency.to_owned(),
        customers: evaluation.len() as u32,
        seconds: 0.0,
        summary: RunSummary::default(),
        model: placeholder_model(),
        settings,
    };
    run.id = db.with_tx(|tx| insert_run(tx, &run))?;
    let shown = EvaluationRun { model: evaluation.model.clone(), ..run.clone() };
    let (saved, besides) = std::thread::scope(|scope| {
        let besides = scope.spawn(|| beside(&shown, &evaluation));
        let saved = save(db, &mut run, &evaluation, &lease, clock, progress);
        let besides = besides.join().map_err(|_| Error::Internal("the work beside the save failed".into()));
        (saved, besides.and_then(|r| r))
    });
    if let Err(e) = saved {
        // Best effort: the next run removes it otherwise.
        let _ = db.with_tx(|tx| Ok(tx.execute("DELETE FROM evaluation_runs WHERE id = ?1", [run.id])?));
        return Err(e);
    }
    progress(Stage::Saving, 1.0);
    let save_seconds = clock.elapsed().as_secs_f64() - load_seconds - evaluate_seconds;
    Ok((run, RunTimings { load_seconds, evaluate_seconds, save_seconds }, besides?))
}

/// Archives the members, then completes the run in one transaction with its cells, and the
/// runs beyond the number to keep removed.
fn save(
    db: &Database,
    run: &mut EvaluationRun,
    evaluation: &Evaluation,
    lease: &Lease,
    clock: Instant,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<()> {
    save_members(db, run, evaluation, progress).and_then(|(summary, cells)| {
        run.summary = summary;
        run.model = evaluation.model.clone();
        run.finished_at = now();
        run.seconds = clock.elapsed().as_secs_f64();
        db.with_tx(|tx| {
            lease.confirm(tx)?;
            cells.write(tx, run.id)?;
            tx.execute(
                "UPDATE evaluation_runs SET finished_at = ?2, model = ?3, summary = ?4, seconds = ?5, complete = 1
                 WHERE id = ?1",
                params![run.id, run.finished_at, json(&run.model)?, json(&run.summary)?, run.seconds],
            )?;
            rows::clear_if_pruned(tx, run.settings.keep_runs())?;
            prune(tx, run.settings.keep_runs())
        })
    })
}

/// Members saved per transaction: each holds the write lock for a fraction of a second, so
/// edits in the window go through while a large run is being saved.
/// A whole number of archive chunks, so that only a run's last chunk is short.
pub(crate) const SAVE_BATCH: usize = 12 * archive::CHUNK;

/// Archives the members in batches.
fn save_members(
    db: &Database,
    run: &EvaluationRun,
    evaluation: &Evaluation,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<(RunSummary, RunCells)> {
    let mut summary = SummaryBuilder::default();
    let mut cells = RunCells::default();
    let total = evaluation.len();
    let mut start = 0;
    let mut batch: Vec<Archived> = Vec::with_capacity(SAVE_BATCH.min(total));
    while start < total {
        let end = (start + SAVE_BATCH).min(total);
        batch.clear();
        for (i, d) in evaluation.decisions.iter().enumerate().take(end).skip(start) {
            let measures = evaluation.measures(i);
            summary.add(&measures, d);
            cells.add(measures.customer_id, cell_of(d))?;
            batch.push((Member { measures, decision: d.clone() }, None));
        }
        db.with_tx(|tx| archive::append(tx, run.id, &batch))?;
        progress(Stage::Saving, end as f64 / total as f64);
        start = end;
    }
    Ok((summary.finish(), cells))
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}
