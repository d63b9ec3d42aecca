//! `headtail evaluate` and `headtail clv-fit`: the segmentation engine and the CLV models
//! from the command line, for scheduled reports and checks against published values.

use chrono::NaiveDate;
use headtail_core::clv::{summarize, BgNbd, GammaGamma, TimeUnit, Transaction};
use headtail_core::evaluation::store::{self, MemberFilter, Trigger};
use headtail_core::evaluation::Stage;
use headtail_core::import::values::{parse_amount, parse_date, DateText};
use headtail_core::import::{auto_mapping, column_of};
use headtail_core::import::{Field, ImportKind};
use headtail_core::Database;
use serde_json::json;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;

/// Evaluates every customer, stores the run and writes the members file (or standard output).
pub fn evaluate(db: &Database, as_of: NaiveDate, out: Option<&Path>) -> Result<(), String> {
    let show = std::io::stderr().is_terminal();
    let (run, timings) = store::run(db, as_of, Trigger::CommandLine, &mut |stage: Stage, done: f64| {
        if show {
            eprint!("\revaluate: {stage:?} {:>3.0}%   ", done * 100.0);
        }
    })
    .map_err(|e| e.to_string())?;
    if show {
        eprintln!();
    }
    let rows = db
        .with_conn(|conn| match out {
            Some(path) => {
                let file = std::io::BufWriter::new(std::fs::File::create(path)?);
                store::members_csv(conn, &run, &MemberFilter::default(), false, file)
            }
            None => store::members_csv(conn, &run, &MemberFilter::default(), false, std::io::stdout().lock()),
        })
        .map_err(|e| e.to_string())?;
    if let Some(why) = &run.model.clv.unavailable {
        eprintln!("headtail: CLV not computed for everyone: {why}");
    }
    eprintln!(
        "evaluated {} customers as of {as_of} (run {}): {rows} rows, load {:.2} s, evaluate {:.2} s, save {:.2} s",
        run.customers, run.id, timings.load_seconds, timings.evaluate_seconds, timings.save_seconds
    );
    Ok(())
}

/// Reads a transaction file: a header, then customer id, date and amount per row, in
/// columns named as in an order import (客户编号 / customer_id, 下单日期 / date, 金额 /
/// amount) or else the first three. Commas, semicolons, tabs or runs of spaces separate.
pub fn read_transactions(path: &Path) -> Result<Vec<Transaction<String>>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = BufReader::new(file).lines().enumerate();
    let Some((_, header)) = lines.next() else { return Err(format!("{} is empty", path.display())) };
    let header = header.map_err(|e| e.to_string())?;
    let split = splitter(&header);
    let headers: Vec<String> = split(&header).into_iter().map(str::to_owned).collect();
    let mapping = auto_mapping(ImportKind::Orders, &headers);
    let column =
        |field: Field, fallback: usize| mapping.0.get(&field).and_then(|h| column_of(&headers, h)).unwrap_or(fallback);
    let (id_col, date_col, amount_col) =
        (column(Field::ExternalId, 0), column(Field::Date, 1), column(Field::Amount, 2));
    let mut rows = Vec::new();
    for (n, line) in lines {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        let cells = split(&line);
        let row = n + 1;
        let cell = |i: usize, what: &str| {
            cells.get(i).copied().filter(|c| !c.trim().is_empty()).ok_or(format!("row {row}: no {what}"))
        };
        let id = cell(id_col, "customer id")?.trim().to_owned();
        let date = match parse_date(cell(date_col, "date")?) {
            Ok(DateText::Known(at)) => at.date(),
            _ => return Err(format!("row {row}: {:?} is not a date", cells[date_col])),
        };
        let amount = parse_amount(cell(amount_col, "amount")?, |_| 4)
            .map_err(|_| format!("row {row}: {:?} is not an amount", cells[amount_col]))?;
        if amount.minor < 0 {
            return Err(format!("row {row}: the amount is negative"));
        }
        rows.push(Transaction { customer_id: id, date, amount: amount.minor as f64 / 1e4 });
    }
    Ok(rows)
}

fn splitter(header: &str) -> fn(&str) -> Vec<&str> {
    if header.contains(',') {
        |l| l.split(',').map(|c| c.trim().trim_matches('"')).collect()
    } else if header.contains(';') {
        |l| l.split(';').map(|c| c.trim().trim_matches('"')).collect()
    } else if header.contains('\t') {
        |l| l.split('\t').map(str::trim).collect()
    } else {
        |l| l.split_whitespace().collect()
    }
}

/// Fits BG/NBD and Gamma-Gamma on the transactions up to `calibration_end` and prints the
/// parameters and log-likelihoods as JSON.
pub fn clv_fit(orders: &Path, calibration_end: NaiveDate, unit: TimeUnit) -> Result<(), String> {
    let transactions = read_transactions(orders)?;
    let summaries = summarize(&transactions, calibration_end, unit).map_err(|e| e.to_string())?;
    let histories: Vec<_> = summaries.iter().map(|s| s.history).collect();
    let spends: Vec<_> = summaries.iter().map(|s| s.spend_history()).collect();
    let purchases = BgNbd::fit(&histories).map_err(|e| e.to_string())?;
    let spend = GammaGamma::fit(&spends).map_err(|e| e.to_string())?;
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
    serde_json::to_writer_pretty(&mut out, &report).map_err(|e| e.to_string())?;
    writeln!(out).map_err(|e| e.to_string())
}
