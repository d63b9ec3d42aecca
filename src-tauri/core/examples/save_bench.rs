//! What the two halves of an evaluation's save cost on their own, in CPU and wall seconds:
//! archiving every member (encoding, compression and the inserts, rolled back afterwards)
//! and writing the members file from memory, with the walk over the customers' names that
//! file reads beside the members.
//!
//! `cargo run --release -p headtail-core --example save_bench -- --db FILE [--as-of DATE]
//!  [--out FILE] [--repeat N] [--only-file] [--figures]`
//!
//! `--only-file` times the members file alone (for a profiler); `--figures` first prints the
//! archive's size at zstd levels 1 to 3 and each column's bytes (holding every member at once).
//!
//! The database is only read: the archived chunks are inserted in a transaction that is
//! rolled back.

use chrono::NaiveDate;
use headtail_core::activity::CURRENCY_DEFAULT;
use headtail_core::evaluation::store::{self, EvaluationRun};
use headtail_core::evaluation::{evaluate_columns, load, Evaluation};
use headtail_core::{Database, Error};
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

/// CPU seconds this process has used so far (user and system, every thread), from
/// /proc/self/stat in clock ticks of 1/100 s.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line; the name ends at field 2.
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs `work` and prints its CPU and wall seconds under `what`.
fn timed<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let (cpu, wall) = (cpu_seconds(), Instant::now());
    let out = work();
    println!("{what:<28} cpu {:>6.2} s   wall {:>6.2} s", cpu_seconds() - cpu, wall.elapsed().as_secs_f64());
    out
}

fn main() -> BoxResult<()> {
    let mut args = std::env::args().skip(1);
    let (mut db_path, mut as_of, mut out, mut repeat) = (None, "2026-03-31".to_owned(), None, 2_usize);
    let (mut only_file, mut figures) = (false, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => db_path = args.next().map(PathBuf::from),
            "--as-of" => as_of = args.next().ok_or("--as-of DATE")?,
            "--out" => out = args.next().map(PathBuf::from),
            "--only-file" => only_file = true,
            "--figures" => figures = true,
            "--repeat" => repeat = args.next().ok_or("--repeat N")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let db_path = db_path.ok_or("--db FILE")?;
    let out = out.unwrap_or_else(|| std::env::temp_dir().join("save_bench_members.csv"));
    let as_of = NaiveDate::parse_from_str(&as_of, "%Y-%m-%d")?;
    let db = Database::open_existing(&db_path)?;
    let settings = db.with_conn(store::settings)?;
    let population = timed("load", || load::population(&db, as_of, CURRENCY_DEFAULT, &settings, None))?;
    let evaluation =
        timed("evaluate", || evaluate_columns(population, &settings, as_of, CURRENCY_DEFAULT, &mut |_, _| {}));
    let latest = db.with_conn(store::latest_run)?.ok_or("the database has no run to take the settings of")?;
    let run = EvaluationRun { model: evaluation.model.clone(), as_of, ..latest };
    println!("{} members", evaluation.len());
    if figures {
        let figures = store::archive_figures(&evaluation)?;
        for (level, bytes, seconds) in &figures.levels {
            println!("zstd level {level}: {bytes} bytes, {seconds:.2} s to encode and compress");
        }
        println!("{:<32} {:>12} {:>12}", "column", "bytes", "compressed");
        for (name, bytes, compressed) in &figures.columns {
            println!("{name:<32} {bytes:>12} {compressed:>12}");
        }
    }
    for _ in 0..repeat {
        if only_file {
            timed("members file, not kept", || {
                db.with_conn(|c| store::evaluation_csv(c, &run, &evaluation, None, std::io::sink()))
            })?;
            continue;
        }
        timed("members (measures)", || {
            (0..evaluation.len()).map(|i| std::hint::black_box(evaluation.measures(i)).frequency as u64).sum::<u64>()
        });
        timed("customer names walk", || names_walk(&db))?;
        archive(&db, run.id, &evaluation)?;
        let rows = timed("members file", || -> BoxResult<u64> {
            let file = BufWriter::new(std::fs::File::create(&out)?);
            Ok(db.with_conn(|c| store::evaluation_csv(c, &run, &evaluation, None, file))?)
        })?;
        println!("  {rows} rows, {} bytes", std::fs::metadata(&out)?.len());
        timed("members file, not kept", || {
            db.with_conn(|c| store::evaluation_csv(c, &run, &evaluation, None, std::io::sink()))
        })?;
    }
    Ok(())
}

/// Every customer's id, external id and name in id order, as the members file reads them.
fn names_walk(db: &Database) -> BoxResult<u64> {
    Ok(db.with_conn(|c| {
        let mut stmt = c.prepare("SELECT id, external_id, name FROM customers ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut bytes = 0_u64;
        while let Some(r) = rows.next()? {
            let name = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
            bytes += name.len() as u64;
        }
        Ok(bytes)
    })?)
}

/// Archives the evaluation as run `run`, in place of its chunks, in a transaction rolled back afterwards; prints the
/// time and the size of the chunks.
fn archive(db: &Database, run: i64, evaluation: &Evaluation) -> BoxResult<()> {
    const UNDONE: &str = "rolled back after timing";
    let result = db.with_tx(|tx| {
        // The run's own chunks make way for the new ones, until the rollback.
        tx.execute("DELETE FROM evaluation_archive WHERE run_id = ?1", [run])?;
        let before: i64 = tx.query_row("SELECT coalesce(max(rowid), 0) FROM evaluation_archive", [], |r| r.get(0))?;
        timed("archive (encode + insert)", || store::append_evaluation(tx, run, evaluation))?;
        let (chunks, bytes): (i64, i64) = tx.query_row(
            "SELECT count(*), coalesce(sum(length(data)), 0) FROM evaluation_archive WHERE rowid > ?1",
            [before],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        println!("  {chunks} chunks, {bytes} bytes compressed");
        Err::<(), _>(Error::Internal(UNDONE.into()))
    });
    match result {
        Err(Error::Internal(why)) if why == UNDONE => Ok(()),
        other => Ok(other?),
    }
}
