//! `headtail import`: runs an import from the command line and prints its report.

use crate::cli::ImportArgs;
use crate::exit::{self, Failure};
use chrono::Utc;
use headtail_core::import::{
    complete_search, import_into, Field, ImportOptions, ImportReport, ImportStatus, Mapping, Progress, ReadOptions,
    CUSTOMER_KEYS,
};
use headtail_core::orders::{Recorded, StandingsRefreshed};
use headtail_core::Database;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Files smaller than this import too fast for progress lines to help.
const PROGRESS_FROM_BYTES: u64 = 1 << 20;

pub fn run(db_path: &Path, args: &ImportArgs) -> ExitCode {
    match import(db_path, args) {
        Ok((Recorded { value: report, standings }, db)) => {
            print_report(&report);
            print_standings(standings);
            if report.status == ImportStatus::Imported {
                print_search(&db);
            }
            if report.status.is_success() {
                ExitCode::SUCCESS
            } else {
                // Bad rows, an open day/month order or a missing column: nothing was written.
                ExitCode::from(exit::REFUSED)
            }
        }
        Err(failure) => failure.exit(),
    }
}

/// The customers of imported orders evaluated again against the latest run. The import is
/// committed whatever happened there: the next evaluation corrects what did not follow.
fn print_standings(standings: headtail_core::Result<StandingsRefreshed>) {
    match standings {
        Ok(s) if s.customers == 0 => {}
        Ok(s) => println!("standings: {} customers brought up to date in {:.1} s", s.customers, s.seconds),
        Err(e) => eprintln!("headtail: standings are brought up to date at the next evaluation: {e}"),
    }
}

/// Adds the search entries a large import left waiting. The import is committed whatever
/// happens here: what is not added now is added at the app's next start.
fn print_search(db: &Database) {
    match complete_search(db) {
        Ok(c) if c.customers == 0 => {}
        Ok(c) => println!("search index: {} new customers added in {:.1} s", c.customers, c.seconds),
        Err(e) => eprintln!("headtail: the search index is completed at the next start: {e}"),
    }
}

fn import(db_path: &Path, args: &ImportArgs) -> Result<(Recorded<ImportReport>, Database), Failure> {
    let size = std::fs::metadata(&args.input)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.input.display())))?
        .len();
    let db = crate::encryption_cli::open(db_path, true)?;
    let options = ImportOptions {
        mode: args.mode.into(),
        mapping: Mapping(args.mapping.iter().cloned().collect()),
        day_first: args.day_first(),
        skip_bad_rows: args.skip_bad_rows,
        dry_run: args.dry_run,
        read: ReadOptions { encoding: args.encoding.clone(), delimiter: None, sheet: args.sheet.clone() },
        ..ImportOptions::new(args.kind.into())
    };
    let started = Instant::now();
    let mut last = Instant::now();
    let show = size >= PROGRESS_FROM_BYTES;
    let progress = |p: Progress| {
        if show && last.elapsed() >= Duration::from_millis(500) {
            last = Instant::now();
            let share = 100.0 * p.bytes_done as f64 / p.bytes_total.max(1) as f64;
            eprintln!("{:>12} rows  {share:5.1}%  {:.0} s", p.rows_done, started.elapsed().as_secs_f64());
            let _ = std::io::stderr().flush();
        }
    };
    let imported = import_into(&db, &args.input, &options, Utc::now(), progress)?;
    Ok((imported, db))
}

fn print_report(r: &ImportReport) {
    let status = match r.status {
        ImportStatus::Imported => "imported",
        ImportStatus::DryRun => "dry run: checked, nothing written",
        ImportStatus::Rejected => "rejected: bad rows, nothing written",
        ImportStatus::NeedsDecision => "stopped: the day/month order of the dates is ambiguous, nothing written",
        ImportStatus::NeedsMapping => "stopped: required columns are missing, nothing written",
    };
    println!("{status}");
    if let Some(batch) = r.batch_id {
        println!("batch: {batch}");
    }
    let encoding =
        r.source.encoding.as_deref().map(|e| format!(", {e}{}", if r.source.bom { " with BOM" } else { "" }));
    let delimiter = r.source.delimiter.map(|d| format!(", delimiter {d:?}"));
    println!("file: {:?}{}{}", r.source.format, encoding.unwrap_or_default(), delimiter.unwrap_or_default());
    if let Some(platform) = r.platform {
        println!("{} order export recognised", platform.name());
    }
    let mapped: Vec<String> = r.mapping.0.iter().map(|(f, h)| format!("{}={h}", f.as_str())).collect();
    println!("mapping: {}", mapped.join(", "));
    if !r.missing_fields.is_empty() {
        // A missing external id stands for a customer column of any kind.
        let customer = format!(
            "a customer column ({})",
            CUSTOMER_KEYS.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" or ")
        );
        let missing: Vec<&str> = r
            .missing_fields
            .iter()
            .map(|f| if *f == Field::ExternalId { customer.as_str() } else { f.as_str() })
            .collect();
        println!("missing columns: {} (map them with --mapping FIELD=HEADER)", missing.join(", "));
        return;
    }
    println!(
        "rows read: {}, created: {}, updated: {}, skipped: {}, bad rows: {}",
        r.rows_read, r.created, r.updated, r.skipped, r.bad_rows
    );
    if r.customers_created > 0 || r.order_lines > 0 {
        println!("customers created: {}, order lines: {}", r.customers_created, r.order_lines);
    }
    if r.status == ImportStatus::NeedsDecision {
        for e in &r.date_order_examples {
            println!("row {}: {}: {}", e.row, e.field.as_str(), e.value);
        }
        println!("run again with --day-first or --month-first");
    }
    for e in &r.errors {
        println!("{e}");
    }
    if r.bad_rows as usize > r.errors.len() {
        println!("… and more: {} bad rows in all", r.bad_rows);
    }
    if r.warning_rows > 0 {
        println!("warnings: {} rows to look at (imported all the same)", r.warning_rows);
    }
    for w in &r.warnings {
        println!("warning: {w}");
    }
    if r.warning_rows as usize > r.warnings.len() {
        println!("… and more: {} warnings in all", r.warning_rows);
    }
}
