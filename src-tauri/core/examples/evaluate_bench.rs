//! Evaluation at scale, side by side with the Python library lifetimes 0.11.3, timed as the
//! user waits for it.
//!
//! Writes an order file for N customers (default 1,000,000; about ten orders each, drawn
//! from a buy-till-you-die process) and imports it into a fresh database, or takes an
//! existing one. Then:
//!
//! - Headtail: `headtail evaluate --db FILE --as-of DATE --out FILE` (the release binary
//!   beside this example, built if missing), a fresh process each time, `--repeat N` times
//!   (default 3); the median run's wall time, the phases the command prints (open, load,
//!   evaluate, save, write) and its peak memory (ru_maxrss, through /usr/bin/time).
//! - lifetimes (`tests/bench/lifetimes_reference.py --out`, in the virtual environment
//!   `tests/bench/lifetimes-venv.sh` makes): summary, BG/NBD and Gamma-Gamma fits, P(alive),
//!   expected purchases and CLV over the database's CLV settings (horizon, discount, margin,
//!   Headtail's month of 365.2425 / 12 days), the same per-customer results written to a
//!   CSV, `--lifetimes-repeat N` times (default 2); the median (with an even count, the
//!   faster of the middle two) of its timed steps.
//! - The two files joined on customer id: for P(alive), expected purchases and CLV the
//!   largest relative difference and the share of customers within 1 %, after allowing for
//!   the rounding of Headtail's file (half its last decimal). It fails if any customer
//!   differs by more than 1 % (see TOLERANCE).
//! - The refresh of one customer after a new order (which adds that order to the database).
//! - The latest run's list rows built from its archive, as the window does in the
//!   background after a run: timed apart, not part of the command.
//!
//! It prints the ratio (lifetimes' timed steps / Headtail's whole command), both peaks, the
//! core count and the database's customers and orders. `--no-lifetimes` leaves lifetimes and
//! the comparison out.
//!
//! `cargo run --release -p headtail-core --example evaluate_bench -- [CUSTOMERS] [--db FILE]
//!  [--repeat N] [--lifetimes-repeat N] [--no-lifetimes] [--history MONTHS]`
//!
//! With `--db FILE` an existing database is evaluated (nothing is generated), or, if the file
//! does not exist, the generated database is kept there. Every evaluation adds a run to it.
//!
//! `--history MONTHS` instead evaluates at that many successive month ends ending on the
//! as-of date, a fresh process each, builds the list rows after each, and prints each run's
//! save time and the file's size after it, then what the runs took (file size after minus
//! before, the write-ahead log checkpointed into the file both times) and the pages each
//! table of the stored runs takes. It adds that many runs: use a copy.

use chrono::{Datelike, Months, NaiveDate, TimeZone, Utc};
use headtail_core::clv::{ClvSettings, TimeUnit};
use headtail_core::evaluation::store::{self, MEMBER_CSV_HEADER};
use headtail_core::import::{import_file, ImportKind, ImportOptions, ImportStatus};
use headtail_core::orders::{self, OrderInput};
use headtail_core::Database;
use rand::distr::Open01;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AS_OF: &str = "2025-12-31";
const CATEGORIES: [&str; 8] = ["茶叶", "茶具", "零食", "数码", "服装", "家居", "图书", "礼品"];
/// The phases `headtail evaluate` prints on stderr, in order.
const PHASES: [&str; 5] = ["open", "load", "evaluate", "save", "write"];
/// The largest relative difference allowed for any customer, beyond the rounding of
/// Headtail's file. The two sides fit the same models with different optimisers, so their
/// parameters agree to a few digits, not exactly: on a million generated customers P(alive)
/// and expected purchases agreed to Headtail's four decimals and CLV within 0.35 % (the
/// Gamma-Gamma likelihood is flat along its parameters).
const TOLERANCE: f64 = 0.01;

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Uniform in (0, 1), never 0, so that its logarithm is finite.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(Open01)
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (-2.0 * uniform(rng).ln()).sqrt() * (std::f64::consts::TAU * uniform(rng)).cos()
}

/// Each customer starts on a random day of five years, buys at a personal rate (log-normal
/// around one purchase in 40 days) and may drop out after each purchase (probability 2-15 %).
fn write_orders(path: &Path, customers: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "订单号,客户编号,客户名称,下单日期,品类,商品,金额")?;
    let end = NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").map_err(std::io::Error::other)?;
    let span: i64 = 5 * 365;
    // Seeded: the same file every run.
    let mut rng = ChaCha8Rng::seed_from_u64(20_251_231);
    let mut orders = 0_u64;
    for c in 1..=customers {
        let mut day = (uniform(&mut rng) * (span - 7) as f64) as i64;
        let rate = (1.0 / 40.0) * (0.9 * normal(&mut rng)).exp();
        let drop = 0.02 + 0.13 * uniform(&mut rng);
        let spend = 8_000.0 * (0.6 * normal(&mut rng)).exp();
        let favourite = rng.random_range(0..CATEGORIES.len());
        loop {
            let date = end - chrono::Duration::days(span - day);
            let cents = (spend * (0.3 * normal(&mut rng)).exp()).round().max(100.0) as u64;
            let category = if uniform(&mut rng) < 0.7 { favourite } else { rng.random_range(0..CATEGORIES.len()) };
            orders += 1;
            writeln!(
                out,
                "SO{orders:010},C{c:07},客户{c},{date},{},{}商品,{}.{:02}",
                CATEGORIES[category],
                CATEGORIES[category],
                cents / 100,
                cents % 100
            )?;
            if uniform(&mut rng) < drop {
                break;
            }
            day += (-uniform(&mut rng).ln() / rate).ceil() as i64;
            if day > span {
                break;
            }
        }
    }
    out.flush()?;
    Ok(orders)
}

fn as_of() -> NaiveDate {
    NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").expect("constant date")
}

/// What `/usr/bin/time -f '%M'` wrote: the child's ru_maxrss in KiB, as MB (10^6 bytes).
fn peak_mb(time_file: &Path) -> BoxResult<f64> {
    let text = std::fs::read_to_string(time_file)?;
    let kib: f64 = text
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .ok_or_else(|| format!("no peak memory in {}: {text}", time_file.display()))?;
    Ok(kib * 1024.0 / 1e6)
}

/// Runs `program args` in a fresh process under /usr/bin/time: its output, wall seconds and
/// peak memory.
fn timed(program: &Path, args: &[&std::ffi::OsStr], scratch: &Path) -> BoxResult<(std::process::Output, f64, f64)> {
    let time_file = scratch.join("time.txt");
    let t = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&time_file)
        .arg(program)
        .args(args)
        .output()
        .map_err(|e| format!("/usr/bin/time ({e}): install the Debian package time"))?;
    let wall = t.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!("{} failed: {}", program.display(), String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok((output, wall, peak_mb(&time_file)?))
}

/// One `headtail evaluate`: its wall time, peak memory, and the phases it printed.
struct HeadtailRun {
    wall: f64,
    peak_mb: f64,
    customers: String,
    /// Seconds of each of PHASES, NaN when the command did not print it.
    phases: [f64; 5],
}

impl HeadtailRun {
    fn phase(&self, name: &str) -> f64 {
        PHASES.iter().position(|p| *p == name).map_or(f64::NAN, |i| self.phases[i])
    }
}

/// Reads "evaluated N customers as of D (run R): N rows, open 0.01 s, load 6.28 s, ...".
fn parse_phases(stderr: &str) -> (String, [f64; 5]) {
    let mut phases = [f64::NAN; 5];
    let Some(line) = stderr.lines().rev().find(|l| l.starts_with("evaluated ")) else {
        return (String::from("?"), phases);
    };
    let customers = line.split_whitespace().nth(1).unwrap_or("?").to_owned();
    let figures = line.split_once("): ").map_or("", |(_, rest)| rest);
    for part in figures.split(", ") {
        let mut words = part.split_whitespace();
        if let (Some(name), Some(value)) = (words.next(), words.next()) {
            if let Some(i) = PHASES.iter().position(|p| *p == name) {
                phases[i] = value.parse().unwrap_or(f64::NAN);
            }
        }
    }
    (customers, phases)
}

fn evaluate(headtail: &Path, db: &Path, as_of: NaiveDate, out: &Path, scratch: &Path) -> BoxResult<HeadtailRun> {
    let date = as_of.to_string();
    let args = ["evaluate", "--db"].map(std::ffi::OsStr::new);
    let rest = [std::ffi::OsStr::new("--as-of"), date.as_ref(), "--out".as_ref(), out.as_os_str()];
    let all: Vec<&std::ffi::OsStr> = args.iter().copied().chain([db.as_os_str()]).chain(rest).collect();
    let (output, wall, peak_mb) = timed(headtail, &all, scratch)?;
    let (customers, phases) = parse_phases(&String::from_utf8_lossy(&output.stderr));
    Ok(HeadtailRun { wall, peak_mb, customers, phases })
}

/// The release binary beside this example (target/release/examples/..), built if missing.
fn headtail_binary() -> BoxResult<PathBuf> {
    let exe = std::env::current_exe()?;
    let release = exe.parent().and_then(Path::parent).ok_or("no target directory")?;
    let binary = release.join(format!("headtail{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        eprintln!("building {}", binary.display());
        let status = Command::new("cargo").args(["build", "--release", "--bin", "headtail"]).status()?;
        if !status.success() || !binary.exists() {
            return Err("cargo build --release --bin headtail failed".into());
        }
    }
    Ok(binary)
}

/// Builds the latest run's list rows as the window does after a run (in the background,
/// not part of what the user waits for); the seconds it took.
fn build_rows(db: &Path) -> BoxResult<f64> {
    let db = Database::open(db)?;
    let clock = Instant::now();
    store::build_latest(&db)?;
    Ok(clock.elapsed().as_secs_f64())
}

/// Size of the database file and of its write-ahead log.
fn file_sizes(db: &Path) -> (u64, u64) {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    (size(db), size(Path::new(&wal)))
}

/// Moves the write-ahead log into the file; the runs stored.
fn checkpoint(db: &Path) -> BoxResult<i64> {
    let conn = rusqlite::Connection::open(db)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(conn.query_row("SELECT count(*) FROM evaluation_runs", [], |r| r.get(0))?)
}

fn stored_runs(db: &Path) -> BoxResult<i64> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row("SELECT count(*) FROM evaluation_runs", [], |r| r.get(0))?)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// The last day of `months` successive months, the last one `end`'s.
fn month_ends(end: NaiveDate, months: u32) -> BoxResult<Vec<NaiveDate>> {
    let first_of_next = NaiveDate::from_ymd_opt(end.year(), end.month(), 1).ok_or("date")? + Months::new(1);
    (1..=months)
        .rev()
        .map(|back| {
            first_of_next
                .checked_sub_months(Months::new(back - 1))
                .and_then(|d| d.pred_opt())
                .ok_or_else(|| "date".into())
        })
        .collect()
}

/// Evaluations at successive month ends: what each run's saving costs and the file grows by.
fn history(headtail: &Path, db: &Path, months: u32, keep_runs: u32, scratch: &Path) -> BoxResult<()> {
    let runs_before = checkpoint(db)?;
    let (before, _) = file_sizes(db);
    println!(
        "database before: {:.1} MB (write-ahead log checkpointed), {runs_before} runs stored, {keep_runs} kept at most",
        mb(before)
    );
    let out = scratch.join("members.csv");
    let mut saves = Vec::new();
    let (mut size, mut runs) = (before, runs_before);
    // What the runs that deleted none took: beyond keep_runs the oldest run is deleted and
    // its pages reused, so the file grows less.
    let (mut added, mut added_runs) = (0, 0);
    for date in month_ends(as_of(), months)? {
        let run = evaluate(headtail, db, date, &out, scratch)?;
        let rows = build_rows(db)?;
        let (file, wal) = file_sizes(db);
        let stored = stored_runs(db)?;
        println!(
            "as of {date}: save {:.2} s, whole command {:.2} s, list rows built after it {rows:.2} s; file {:.1} MB + wal {:.1} MB, {stored} runs stored",
            run.phase("save"),
            run.wall,
            mb(file),
            mb(wal)
        );
        if stored > runs {
            added += (file + wal).saturating_sub(size);
            added_runs += 1;
        }
        (size, runs) = (file + wal, stored);
        saves.push(run.phase("save"));
    }
    let runs_after = checkpoint(db)?;
    let (after, _) = file_sizes(db);
    println!(
        "{months} runs took {:.1} MB (file {:.1} MB after, write-ahead log checkpointed; {runs_after} runs stored)",
        mb(after.saturating_sub(before)),
        mb(after)
    );
    if added_runs > 0 {
        println!("a run that deleted none took {:.1} MB (mean of {added_runs})", mb(added) / f64::from(added_runs));
    }
    if let (Some(first), Some(last)) = (saves.first(), saves.last()) {
        println!("save: first run {first:.2} s, last run {last:.2} s");
    }
    stored_sizes(db)
}

/// The pages each table and index of the stored runs takes: what the runs take even when
/// the file did not grow (the pages of deleted runs are reused).
fn stored_sizes(db: &Path) -> BoxResult<()> {
    let conn = rusqlite::Connection::open(db)?;
    let mut stmt = conn
        .prepare("SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'evaluation%' GROUP BY name ORDER BY 2 DESC")?;
    let sizes = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let sizes = sizes.collect::<Result<Vec<_>, _>>()?;
    let total: i64 = sizes.iter().map(|(_, bytes)| bytes).sum();
    println!("the stored runs take {:.1} MB:", total as f64 / 1e6);
    for (name, bytes) in sizes.iter().filter(|(_, bytes)| *bytes >= 100_000) {
        println!("  {name:<32} {:>8.1} MB", *bytes as f64 / 1e6);
    }
    Ok(())
}

/// One lifetimes reference run: its timed steps (JSON) and the process's wall time and peak.
struct LifetimesRun {
    json: serde_json::Value,
    wall: f64,
    peak_mb: f64,
}

impl LifetimesRun {
    fn total(&self) -> f64 {
        self.json["seconds"]["total"].as_f64().unwrap_or(f64::NAN)
    }
}

fn lifetimes(db: &Path, clv: ClvSettings, out: &Path, scratch: &Path) -> BoxResult<LifetimesRun> {
    let venv = Command::new("bash").arg("tests/bench/lifetimes-venv.sh").output()?;
    if !venv.status.success() {
        return Err(format!("lifetimes venv: {}", String::from_utf8_lossy(&venv.stderr)).into());
    }
    let python = String::from_utf8_lossy(&venv.stdout).trim().lines().last().unwrap_or("python3").to_owned();
    let unit = match clv.time_unit {
        TimeUnit::Day => "day",
        TimeUnit::Week => "week",
    };
    let (months, discount, margin) =
        (clv.horizon_months.to_string(), clv.monthly_discount_rate.to_string(), clv.margin.to_string());
    let args: Vec<&std::ffi::OsStr> = [
        "tests/bench/lifetimes_reference.py".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
        "--unit".as_ref(),
        unit.as_ref(),
        "--months".as_ref(),
        months.as_ref(),
        "--discount".as_ref(),
        discount.as_ref(),
        "--margin".as_ref(),
        margin.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]
    .to_vec();
    let (output, wall, peak_mb) = timed(Path::new(&python), &args, scratch)?;
    Ok(LifetimesRun { json: serde_json::from_slice(&output.stdout)?, wall, peak_mb })
}

/// How one measure of the two files compares.
#[derive(Default)]
struct Agreement {
    customers: u64,
    within: u64,
    largest_difference: f64,
    /// Largest relative difference beyond rounding, and the customer and values where.
    worst: (f64, i64, f64, f64),
}

impl Agreement {
    /// `headtail` was rounded to within `half_unit`; what rounding explains does not count.
    fn add(&mut self, customer: i64, headtail: f64, reference: f64, half_unit: f64) {
        let beyond = ((headtail - reference).abs() - half_unit).max(0.0);
        let relative = if beyond == 0.0 { 0.0 } else { beyond / reference.abs() };
        self.customers += 1;
        self.largest_difference = self.largest_difference.max((headtail - reference).abs());
        if relative <= TOLERANCE {
            self.within += 1;
        }
        if relative > self.worst.0 || relative.is_nan() {
            self.worst = (relative, customer, headtail, reference);
        }
    }
}

/// Joins Headtail's members file and the reference file on customer id. Returns the
/// agreement of P(alive), expected purchases and CLV, and the customers with figures in one
/// file only.
fn compare(headtail: &Path, reference: &Path) -> BoxResult<([Agreement; 3], u64, u64)> {
    let mut theirs: HashMap<i64, [f64; 3]> = HashMap::new();
    let mut file = csv::Reader::from_path(reference)?;
    for row in file.records() {
        let row = row?;
        let number = |i: usize| row.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
        let id = row.get(0).and_then(|v| v.parse().ok()).ok_or("a reference row without a customer id")?;
        theirs.insert(id, [number(1), number(2), number(3)]);
    }
    let mut file = csv::Reader::from_path(headtail)?;
    let header = file.headers()?.clone();
    // Names of the members file's code header, looked up in this file's.
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name && MEMBER_CSV_HEADER.contains(&h))
            .ok_or_else(|| format!("no column {name} in {}", headtail.display()))
    };
    let id_at = column("customer_id")?;
    let at = [column("p_alive")?, column("expected_purchases_12m")?, column("predicted_clv")?];
    // Four decimals for P(alive) and expected purchases, cents for CLV.
    let half_units = [0.5e-4, 0.5e-4, 0.005];
    let mut agreement: [Agreement; 3] = Default::default();
    let (mut only_headtail, mut matched) = (0, 0);
    for row in file.records() {
        let row = row?;
        let id: i64 = row.get(id_at).and_then(|v| v.parse().ok()).ok_or("a member row without a customer id")?;
        let ours = at.map(|i| row.get(i).and_then(|v| v.parse::<f64>().ok()));
        match (theirs.get(&id), ours[0]) {
            (Some(reference), _) => {
                matched += 1;
                for k in 0..3 {
                    agreement[k].add(id, ours[k].unwrap_or(f64::NAN), reference[k], half_units[k]);
                }
            }
            (None, Some(_)) => only_headtail += 1,
            (None, None) => {}
        }
    }
    Ok((agreement, only_headtail, theirs.len() as u64 - matched))
}

fn option<T: std::str::FromStr>(args: &[String], name: &str) -> BoxResult<Option<T>>
where
    T::Err: std::error::Error + 'static,
{
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(Some(args.get(i + 1).ok_or(format!("{name} needs a value"))?.parse()?)),
        None => Ok(None),
    }
}

fn median_index(n: usize) -> usize {
    // With an even count, the faster of the middle two.
    (n - 1) / 2
}

fn main() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let with_value = ["--db", "--repeat", "--lifetimes-repeat", "--history"];
    let customers: u64 =
        // The one number that is not an option's value.
        (0..args.len())
            .find(|&i| args[i].parse::<u64>().is_ok() && (i == 0 || !with_value.contains(&args[i - 1].as_str())))
            .map_or(Ok(1_000_000), |i| args[i].parse())?;
    let existing: Option<PathBuf> = option(&args, "--db")?;
    let with_lifetimes = !args.iter().any(|a| a == "--no-lifetimes");
    let repeat: usize = option(&args, "--repeat")?.unwrap_or(3);
    let lifetimes_repeat: usize = option(&args, "--lifetimes-repeat")?.unwrap_or(2);
    let history_months: Option<u32> = option(&args, "--history")?;
    if repeat == 0 || lifetimes_repeat == 0 || history_months == Some(0) {
        return Err("--repeat, --lifetimes-repeat and --history must be at least 1".into());
    }
    let dir = tempfile::tempdir()?;
    let db_path = match existing {
        Some(path) if path.exists() => path,
        keep => {
            let csv = dir.path().join("orders.csv");
            let t = Instant::now();
            let orders = write_orders(&csv, customers)?;
            eprintln!("wrote {orders} orders of {customers} customers in {:.1} s", t.elapsed().as_secs_f64());
            let path = keep.unwrap_or_else(|| dir.path().join("bench.sqlite"));
            let db = Database::open(&path)?;
            let t = Instant::now();
            let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("date")?;
            let report =
                db.with_conn(|c| import_file(c, &csv, &ImportOptions::new(ImportKind::Orders), now, |_| {}))?;
            if report.status != ImportStatus::Imported {
                return Err(format!("import failed: {:?}", report.errors.first()).into());
            }
            println!("import:              {} orders in {:.1} s", report.created, t.elapsed().as_secs_f64());
            std::fs::remove_file(&csv)?;
            path
        }
    };
    let headtail = headtail_binary()?;
    let (live, order_count, settings) = {
        let db = Database::open(&db_path)?;
        db.with_conn(|c| {
            let live: i64 = c.query_row(
                "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND erased_at IS NULL",
                [],
                |r| r.get(0),
            )?;
            let orders: i64 = c.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?;
            Ok((live, orders, store::settings(c)?))
        })?
    };
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("database:            {} ({live} customers, {order_count} orders)", db_path.display());
    println!("machine:             {cores} cores available");
    println!("command:             {} evaluate --db FILE --as-of DATE --out FILE", headtail.display());

    if let Some(months) = history_months {
        return history(&headtail, &db_path, months, settings.keep_runs(), dir.path());
    }

    // Several runs, the median reported: one run can meet the page cache cold or a busy core.
    let ours = dir.path().join("headtail.csv");
    let mut runs = Vec::new();
    for i in 1..=repeat {
        let run = evaluate(&headtail, &db_path, as_of(), &ours, dir.path())?;
        let phases: Vec<String> = PHASES.iter().zip(run.phases).map(|(p, s)| format!("{p} {s:.2}")).collect();
        println!("headtail run {i}: {:.2} s, peak {:.0} MB ({} s)", run.wall, run.peak_mb, phases.join(", "));
        runs.push(run);
    }
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let median = &runs[median_index(runs.len())];
    let rows_seconds = build_rows(&db_path)?;

    let mut reference = Vec::new();
    let theirs = dir.path().join("lifetimes.csv");
    if with_lifetimes {
        for i in 1..=lifetimes_repeat {
            let run = lifetimes(&db_path, settings.clv(), &theirs, dir.path())?;
            println!(
                "lifetimes run {i}: {:.2} s ({:.2} s the process), peak {:.0} MB ({})",
                run.total(),
                run.wall,
                run.peak_mb,
                run.json["seconds"]
            );
            reference.push(run);
        }
        reference.sort_by(|a, b| a.total().total_cmp(&b.total()));
    }

    println!();
    println!("customers evaluated: {} ({live} in the database, {order_count} orders), {cores} cores", median.customers);
    println!(
        "headtail evaluate:   {:.2} s whole command, peak {:.0} MB (median of {repeat})",
        median.wall, median.peak_mb
    );
    // The members CSV is written while the run is saved: it adds no time of its own.
    let phase_sum: f64 =
        PHASES.iter().zip(median.phases).filter(|(p, s)| **p != "write" && s.is_finite()).map(|(_, s)| s).sum();
    for (name, seconds) in PHASES.iter().zip(median.phases) {
        let what = match *name {
            "open" => "open the database",
            "load" => "orders, lines, service costs, activity from SQLite",
            "evaluate" => "RFM, tiers, BG/NBD + Gamma-Gamma fit, P(alive), CLV, lifecycle, actions",
            "save" => "every member stored as a run",
            _ => "the members CSV, from memory, while the run is saved",
        };
        println!("  {name:<9} {seconds:>6.2} s  {what}");
    }
    println!("  {:<9} {:>6.2} s  process start, exit and what the phases leave out", "rest", median.wall - phase_sum);
    println!("  then, not waited for: the latest run's list rows built from its archive, {rows_seconds:.2} s (the window does it in the background)");
    if let Some(run) = reference.get(median_index(reference.len().max(1))) {
        let (total, wall) = (run.total(), run.wall);
        println!(
            "lifetimes 0.11.3:    {total:.2} s timed steps ({wall:.2} s the process, with Python's start), peak {:.0} MB (median of {lifetimes_repeat})",
            run.peak_mb
        );
        for name in ["load", "summary", "bgnbd", "gamma_gamma", "p_alive", "expected", "clv", "write"] {
            println!("  {name:<12} {:>6.2} s", run.json["seconds"][name].as_f64().unwrap_or(f64::NAN));
        }
        println!("  bgnbd {}", run.json["bgnbd"]);
        println!("  gamma_gamma {}", run.json["gamma_gamma"]);
        println!("ratio (lifetimes timed steps / headtail whole command): {:.1}x", total / median.wall);
        println!(
            "peak memory: headtail {:.0} MB, lifetimes {:.0} MB ({:.1}x)",
            median.peak_mb,
            run.peak_mb,
            run.peak_mb / median.peak_mb
        );

        let (agreement, only_headtail, only_reference) = compare(&ours, &theirs)?;
        println!(
            "results compared per customer (relative difference beyond the rounding of Headtail's file; {} customers, {only_headtail} with figures only in Headtail's file, {only_reference} only in lifetimes'):",
            agreement[0].customers
        );
        let mut failed = only_headtail > 0 || only_reference > 0;
        for (name, a) in ["P(alive)", "expected purchases", "CLV"].iter().zip(&agreement) {
            let (worst, id, h, l) = a.worst;
            // Below a millionth the difference is the rounding's, met in floating point.
            let which =
                if worst > 1e-6 { format!(" (customer {id}: headtail {h}, lifetimes {l:.6})") } else { String::new() };
            println!(
                "  {name:<19} largest {:.3} %{which}, within 1 %: {:.4} %; largest absolute difference {:.5}",
                worst * 100.0,
                a.within as f64 * 100.0 / a.customers.max(1) as f64,
                a.largest_difference
            );
            failed |= a.within < a.customers || a.customers == 0;
        }
        if failed {
            return Err(format!("Headtail and lifetimes differ by more than {:.0} %", TOLERANCE * 100.0).into());
        }
    }

    // One new order, then the customer alone against the stored model.
    let db = Database::open(&db_path)?;
    let customer: i64 = db.with_conn(|c| Ok(c.query_row("SELECT min(customer_id) FROM orders", [], |r| r.get(0))?))?;
    let order = OrderInput {
        customer_id: customer,
        external_id: None,
        ordered_on: as_of(),
        amount_minor: 12_000,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    };
    db.with_tx(|tx| orders::create(tx, order))?;
    let t = Instant::now();
    store::refresh_customer(&db, customer, as_of())?;
    println!("re-evaluate one customer after a new order: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    Ok(())
}
