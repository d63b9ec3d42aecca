//! `headtail evaluate`, `clv-fit`, `charts` and `report`: the segmentation engine, the CLV
//! models and the manager's charts from the command line, for scheduled reports and checks
//! against published values.

use chrono::NaiveDate;
use headtail_core::clv::{summarize, BgNbd, GammaGamma, TimeUnit};
use headtail_core::evaluation::store::{self, EvaluationRun, Trigger};
use headtail_core::evaluation::{Evaluation, Stage};
use headtail_core::settings::Language;
use headtail_core::{transaction_file, Database, Error, Result};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Evaluates every customer, stores the run and writes the members file (or standard output):
/// codes, or headers and labels in `language`. The file is written from memory while the run
/// is saved. Prints how long each phase took, opening the database (`opened` seconds, timed by
/// the caller) included.
pub fn evaluate(
    db: &Database,
    opened: f64,
    as_of: NaiveDate,
    out: Option<&Path>,
    language: Option<Language>,
) -> Result<()> {
    let show = std::io::stderr().is_terminal();
    let write = |run: &EvaluationRun, evaluation: &Evaluation| -> Result<(u64, f64)> {
        let writing = std::time::Instant::now();
        let rows = db.with_conn(|conn| match out {
            Some(path) => {
                let file = std::io::BufWriter::new(std::fs::File::create(path)?);
                store::evaluation_csv(conn, run, evaluation, language, file)
            }
            None => store::evaluation_csv(conn, run, evaluation, language, std::io::stdout().lock()),
        })?;
        Ok((rows, writing.elapsed().as_secs_f64()))
    };
    let progress = &mut |stage: Stage, done: f64| {
        if show {
            eprint!("\revaluate: {stage:?} {:>3.0}%   ", done * 100.0);
        }
    };
    // Only a regular file this command creates is removed again if the run is not stored:
    // never what was there before (`/dev/null`, a file the user kept).
    let created = out.is_some_and(|path| !path.exists());
    let stored = store::run_beside(db, as_of, Trigger::CommandLine, progress, write);
    if show {
        eprintln!();
    }
    let (run, timings, (rows, written)) = match stored {
        Ok(stored) => stored,
        Err(e) => {
            // A file written beside a save that failed is not left to be taken for the run's.
            if let Some(path) = out.filter(|p| created && p.is_file()) {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
    };
    if let Some(why) = &run.model.clv.unavailable {
        eprintln!("headtail: CLV not computed for everyone: {why}");
    }
    eprintln!(
        "evaluated {} customers as of {as_of} (run {}): {rows} rows, open {opened:.2} s, load {:.2} s, evaluate {:.2} s, save {:.2} s, write {written:.2} s (while saving)",
        run.customers, run.id, timings.load_seconds, timings.evaluate_seconds, timings.save_seconds
    );
    Ok(())
}

/// Fits BG/NBD and Gamma-Gamma on the transactions up to `calibration_end` and prints the
/// parameters and log-likelihoods as JSON.
pub fn clv_fit(orders: &Path, calibration_end: NaiveDate, unit: TimeUnit) -> Result<()> {
    let transactions = transaction_file::read(orders)?;
    let clv = |e: headtail_core::clv::ClvError| Error::InvalidArgument(e.to_string());
    let summaries = summarize(&transactions, calibration_end, unit).map_err(clv)?;
    let histories: Vec<_> = summaries.iter().map(|s| s.history).collect();
    let spends: Vec<_> = summaries.iter().map(|s| s.spend_history()).collect();
    let purchases = BgNbd::fit(&histories).map_err(clv)?;
    let spend = GammaGamma::fit(&spends).map_err(clv)?;
    let report = json!({
        "calibration_end": calibration_end.to_string(),
        "unit": unit,
        "transactions": transactions.len(),
        "customers": summaries.len(),
        "repeat_buyers": histories.iter().filter(|h| h.frequency > 0).count(),
        "repeat_purchases": histories.iter().map(|h| u64::from(h.frequency)).sum::<u64>(),
        "bgnbd": {
            "r": purchases.model.r(),
            "alpha": purchases.model.alpha(),
            "a": purchases.model.a(),
            "b": purchases.model.b(),
            "log_likelihood": purchases.log_likelihood,
        },
        "gamma_gamma": {
            "p": spend.model.p(),
            "q": spend.model.q(),
            "gamma": spend.model.gamma(),
            "log_likelihood": spend.log_likelihood,
            "customers": spend.customers,
        },
    });
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &report).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(writeln!(out)?)
}

/// Writes every chart of a run and summary.json into `out`, and says what it wrote. With
/// `as_of` it evaluates first and draws that run; without it and without any evaluation in the
/// database it refuses (status 1) and says to run one.
pub fn charts(
    db: &Database,
    request: headtail_core::charts::FolderRequest,
    as_of: Option<NaiveDate>,
    out: &Path,
) -> std::result::Result<(), crate::exit::Failure> {
    let request = run_to_draw(db, request, as_of)?;
    let written = headtail_core::charts::write_folder(db, request, out)?;
    eprintln!(
        "charts of run {}: {} files in {} (figures {:.2} s, drawing {:.2} s)",
        written.run_id,
        written.files.len(),
        out.display(),
        written.figures_seconds,
        written.drawing_seconds
    );
    Ok(())
}

/// Writes the report folder of a run into `out` (charts, summary.json, report.xlsx, members
/// CSVs, report.pdf), evaluating first or refusing as `charts` does.
pub fn report(
    db: &Database,
    request: headtail_core::charts::FolderRequest,
    as_of: Option<NaiveDate>,
    out: &Path,
) -> std::result::Result<(), crate::exit::Failure> {
    let request = run_to_draw(db, request, as_of)?;
    let written = headtail_core::charts::write_report(db, request, out)?;
    eprintln!(
        "report of run {}: {} files in {} (charts {:.2} s, workbook {:.2} s, members {:.2} s, pdf {:.2} s)",
        written.run_id,
        written.files.len(),
        out.display(),
        written.charts_seconds,
        written.workbook_seconds,
        written.members_seconds,
        written.pdf_seconds
    );
    Ok(())
}

/// The request with its run: a new evaluation as of `as_of` when given.
fn run_to_draw(
    db: &Database,
    request: headtail_core::charts::FolderRequest,
    as_of: Option<NaiveDate>,
) -> std::result::Result<headtail_core::charts::FolderRequest, crate::exit::Failure> {
    if let Some(as_of) = as_of {
        // The window builds the lists' rows when it next opens the file; charts read the archive.
        let (run, _, ()) = store::run_beside(db, as_of, Trigger::CommandLine, &mut |_, _| {}, |_, _| Ok(()))?;
        eprintln!("evaluated {} customers as of {as_of} (run {})", run.customers, run.id);
        return Ok(headtail_core::charts::FolderRequest { run: Some(run.id), ..request });
    }
    if request.run.is_none() && db.with_conn(store::latest_run)?.is_none() {
        return Err(crate::exit::Failure::refused(
            "the database has no evaluation yet: run `headtail evaluate` first, or pass --as-of",
        ));
    }
    Ok(request)
}
