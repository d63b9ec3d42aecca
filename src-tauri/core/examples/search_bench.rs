//! Search latency on a large database, as the customer list runs it (page of 50 plus the count).
//! `cargo run --release -p headtail-core --example search_bench -- [DB] [CUSTOMERS]`: with no DB,
//! a demo database of CUSTOMERS (default 1,000,000) is generated in a temporary folder first.

use chrono::NaiveDate;
use headtail_core::customers::{self, CustomerQuery};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::Database;
use std::path::PathBuf;
use std::time::Instant;

const QUERIES: &[&str] = &[
    "张伟",
    "华强",
    "伟",
    "深圳市华强",
    "有限公司",
    "王经理",
    "138",
    "0013",
    "C0012345",
    "c4242@qq",
    "重点客户",
    "zhou",
];
const RUNS: usize = 15;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let given = args.next().filter(|a| !a.is_empty()).map(PathBuf::from);
    let customers: u32 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let path = match given {
        Some(path) => path,
        None => {
            let path = dir.path().join("search.sqlite");
            let db = Database::open(&path)?;
            let until = NaiveDate::from_ymd_opt(2026, 6, 30).ok_or("date")?;
            let started = Instant::now();
            db.with_tx(|tx| {
                demo::generate(tx, DemoSettings::new(customers, 42, until), chrono::Utc::now(), |_, _| {})
            })?;
            println!("generated {customers} demo customers in {:.1} s", started.elapsed().as_secs_f64());
            path
        }
    };
    let db = Database::open(&path)?;
    let total = db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM customers", [], |r| r.get::<_, i64>(0))?))?;
    println!("{total} customers in {}", path.display());
    println!("{:<14} {:>9} {:>10} {:>10}", "query", "matches", "median ms", "max ms");
    let mut worst: f64 = 0.0;
    for term in QUERIES {
        let query = CustomerQuery { search: Some((*term).to_owned()), ..Default::default() };
        let mut times = Vec::with_capacity(RUNS);
        let mut matches = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            matches = db.with_conn(|c| customers::list(c, &query))?.total;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let (median, max) = (times[RUNS / 2], times[RUNS - 1]);
        worst = worst.max(median);
        println!("{term:<14} {matches:>9} {median:>10.2} {max:>10.2}");
    }
    println!("slowest median: {worst:.2} ms (target: under 50 ms)");
    Ok(())
}
