//! Evaluation at scale, side by side with the Python library lifetimes 0.11.3.
//!
//! Writes an order file for N customers (default 1,000,000; about ten orders each, drawn
//! from a buy-till-you-die process), imports it into a fresh database, then times a full
//! evaluation from the SQLite file in a child process (so its peak memory is its own), the
//! re-evaluation of one customer after a new order, and lifetimes on the same orders.
//!
//! `cargo run --release -p headtail-core --example evaluate_bench -- [CUSTOMERS] [--db FILE] [--repeat N] [--no-lifetimes]`
//!
//! The evaluation runs N times (default 3) and the median run is reported.
//!
//! With `--db FILE` an existing database is evaluated instead (nothing is generated), or, if
//! the file does not exist, the generated database is kept there. The
//! lifetimes side needs the virtual environment made by `tests/bench/lifetimes-venv.sh`.

use chrono::{NaiveDate, TimeZone, Utc};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::evaluation::Stage;
use headtail_core::import::{import_file, ImportKind, ImportOptions, ImportStatus};
use headtail_core::orders::{self, OrderInput};
use headtail_core::Database;
use rand::distr::Open01;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AS_OF: &str = "2025-12-31";
const CATEGORIES: [&str; 8] = ["茶叶", "茶具", "零食", "数码", "服装", "家居", "图书", "礼品"];

/// Uniform in (0, 1), never 0, so that its logarithm is finite.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(Open01)
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (-2.0 * uniform(rng).ln()).sqrt() * (std::f64::consts::TAU * uniform(rng)).cos()
}

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
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

/// The child process: one full evaluation, figures on stdout.
fn evaluate_only(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::open(path)?;
    let t = Instant::now();
    let mut last = (None, Instant::now());
    let mut analytics_peak = 0.0;
    let (run, timings) = store::run(&db, as_of(), Trigger::CommandLine, &mut |stage, _| {
        if stage == Stage::Saving && last.0 != Some(Stage::Saving) {
            analytics_peak = peak_mb();
        }
        if last.0 != Some(stage) {
            if let Some(previous) = last.0 {
                eprintln!(
                    "  stage {previous:?}: {:.3} s (peak so far {:.0} MB)",
                    last.1.elapsed().as_secs_f64(),
                    peak_mb()
                );
            }
            last = (Some(stage), Instant::now());
        }
    })?;
    let total = t.elapsed().as_secs_f64();
    println!("customers {}", run.customers);
    println!("load {:.3}", timings.load_seconds);
    println!("evaluate {:.3}", timings.evaluate_seconds);
    println!("save {:.3}", timings.save_seconds);
    println!("total {total:.3}");
    println!("peak {:.0}", peak_mb());
    println!("analytics_peak {analytics_peak:.0}");
    // SAFETY: getrusage only writes the struct it is given.
    let cpu = unsafe {
        let mut usage = std::mem::zeroed::<libc_rusage::Rusage>();
        libc_rusage::getrusage(0, &mut usage);
        usage.seconds()
    };
    println!("cpu {cpu:.3}");
    if let Some(m) = &run.model.clv.purchases {
        println!("bgnbd r={:.4} alpha={:.3} a={:.4} b={:.4}", m.r(), m.alpha(), m.a(), m.b());
    }
    if let Some(m) = &run.model.clv.spend {
        println!("gamma_gamma p={:.4} q={:.4} gamma={:.2}", m.p(), m.q(), m.gamma());
    }
    if let Some(why) = &run.model.clv.unavailable {
        println!("clv unavailable: {why}");
    }
    Ok(())
}

/// The CPU time of this process, from getrusage(2) (no libc crate needed for one call).
mod libc_rusage {
    #[repr(C)]
    pub struct Timeval {
        sec: i64,
        usec: i64,
    }
    #[repr(C)]
    pub struct Rusage {
        user: Timeval,
        system: Timeval,
        rest: [i64; 14],
    }
    impl Rusage {
        pub fn seconds(&self) -> f64 {
            let t = |v: &Timeval| v.sec as f64 + v.usec as f64 / 1e6;
            t(&self.user) + t(&self.system)
        }
    }
    extern "C" {
        pub fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
}

fn figure(text: &str, key: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().parse().ok()).unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--evaluate-only") {
        return evaluate_only(Path::new(args.get(i + 1).ok_or("--evaluate-only needs a path")?));
    }
    let customers: u64 =
        // The one number that is not an option's value.
        (0..args.len())
            .find(|&i| args[i].parse::<u64>().is_ok() && (i == 0 || !matches!(args[i - 1].as_str(), "--db" | "--repeat")))
            .map_or(Ok(1_000_000), |i| args[i].parse())?;
    let existing = args.iter().position(|a| a == "--db").and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let lifetimes = !args.iter().any(|a| a == "--no-lifetimes");
    let repeat: usize = match args.iter().position(|a| a == "--repeat") {
        Some(i) => args.get(i + 1).ok_or("--repeat needs a number")?.parse()?,
        None => 3,
    };
    if repeat == 0 {
        return Err("--repeat must be at least 1".into());
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

    // Several runs, the median reported: one run can meet the page cache cold or a busy core.
    let exe = std::env::current_exe()?;
    let mut runs = Vec::new();
    for run in 1..=repeat {
        let child = Command::new(&exe).arg("--evaluate-only").arg(&db_path).output()?;
        if !child.status.success() {
            return Err(format!("evaluation failed: {}", String::from_utf8_lossy(&child.stderr)).into());
        }
        if run == 1 {
            eprint!("{}", String::from_utf8_lossy(&child.stderr));
        }
        let out = String::from_utf8_lossy(&child.stdout).to_string();
        let (load, evaluate) = (figure(&out, "load "), figure(&out, "evaluate "));
        println!(
            "run {run}: load {load:.2} s + evaluate {evaluate:.2} s = {:.2} s, peak {:.0} MB; save {:.2} s",
            load + evaluate,
            figure(&out, "analytics_peak "),
            figure(&out, "save ")
        );
        runs.push(out);
    }
    runs.sort_by(|a, b| {
        (figure(a, "load ") + figure(a, "evaluate ")).total_cmp(&(figure(b, "load ") + figure(b, "evaluate ")))
    });
    let out = &runs[runs.len() / 2];
    let (load, evaluate, save, total, peak) = (
        figure(out, "load "),
        figure(out, "evaluate "),
        figure(out, "save "),
        figure(out, "total "),
        figure(out, "peak "),
    );
    println!("median of {repeat} runs:");
    println!("customers evaluated: {}", figure(out, "customers "));
    println!("headtail load:       {load:.2} s (orders, lines, service costs, activity from SQLite)");
    println!("headtail evaluate:   {evaluate:.2} s (RFM, tiers, BG/NBD + Gamma-Gamma fit, P(alive), CLV, lifecycle, actions)");
    println!(
        "headtail analytics:  {:.2} s (load + evaluate), peak {:.0} MB",
        load + evaluate,
        figure(out, "analytics_peak ")
    );
    println!("headtail save run:   {save:.2} s (every member stored)");
    println!("headtail total:      {total:.2} s, peak {peak:.0} MB, CPU {:.2} s (user + system)", figure(out, "cpu "));
    for line in out.lines().filter(|l| l.starts_with("bgnbd") || l.starts_with("gamma") || l.starts_with("clv")) {
        println!("  {line}");
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

    if lifetimes {
        let venv = Command::new("bash").arg("tests/bench/lifetimes-venv.sh").output()?;
        if !venv.status.success() {
            return Err(format!("lifetimes venv: {}", String::from_utf8_lossy(&venv.stderr)).into());
        }
        let python = String::from_utf8_lossy(&venv.stdout).trim().lines().last().unwrap_or("python3").to_owned();
        let reference = Command::new(python)
            .args(["tests/bench/lifetimes_reference.py", "--db"])
            .arg(&db_path)
            .args(["--as-of", AS_OF, "--unit", "day"])
            .output()?;
        if !reference.status.success() {
            return Err(format!("lifetimes: {}", String::from_utf8_lossy(&reference.stderr)).into());
        }
        let json: serde_json::Value = serde_json::from_slice(&reference.stdout)?;
        let seconds = json["seconds"]["total"].as_f64().unwrap_or(f64::NAN);
        let peak_lt = json["peak_mb"].as_f64().unwrap_or(f64::NAN);
        println!("lifetimes 0.11.3:    {seconds:.2} s, peak {peak_lt:.0} MB ({})", json["seconds"]);
        println!("  bgnbd {}", json["bgnbd"]);
        println!("  gamma_gamma {}", json["gamma_gamma"]);
        println!("speed-up (lifetimes total / headtail analytics): {:.1}x", seconds / (load + evaluate));
        println!("speed-up (lifetimes total / headtail total incl. saving): {:.1}x", seconds / total);
    }
    Ok(())
}
