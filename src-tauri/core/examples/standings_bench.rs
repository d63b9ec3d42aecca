//! What bringing standings up to date adds to an order import: a demo database of N
//! customers (default 100,000) is evaluated, then a file of M new orders (default 100,000)
//! for existing customers is imported with `import_into`, which evaluates their customers
//! again against the stored run. Prints the import and the refresh apart, and the cost of
//! each way of reading the facts (one customer at a time, or every customer in one pass),
//! which sets `ONE_PASS_PER_CUSTOMER`.
//!
//! `cargo run --release -p headtail-core --example standings_bench -- [CUSTOMERS [ORDERS]]`

use chrono::{NaiveDate, TimeZone, Utc};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::refresh::{self, ONE_PASS_PER_CUSTOMER};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::import::{import_into, ImportKind, ImportOptions, ImportStatus};
use headtail_core::Database;
use std::io::{BufWriter, Write};
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>());
    let customers = args.next().transpose()?.unwrap_or(100_000);
    let orders = args.next().transpose()?.unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let db = Database::open(&dir.path().join("standings.sqlite"))?;
    let run_date = NaiveDate::from_ymd_opt(2026, 6, 30).ok_or("date")?;

    let t = Instant::now();
    let settings = DemoSettings::new(u32::try_from(customers)?, 42, run_date);
    db.with_tx(|tx| demo::generate(tx, settings, Utc::now(), |_, _| {}))?;
    let (run, _) = store::run(&db, run_date, Trigger::Manual, &mut |_, _| {})?;
    println!(
        "{customers} demo customers evaluated in {:.1} s ({} in the run)",
        t.elapsed().as_secs_f64(),
        run.customers
    );

    // Orders a week after the run for customers spread over the whole base (xorshift).
    let file = dir.path().join("orders.csv");
    let mut out = BufWriter::new(std::fs::File::create(&file)?);
    writeln!(out, "订单号,客户编号,下单日期,金额")?;
    let mut x = 0x9E37_79B9_7F4A_7C15_u64;
    for n in 0..orders {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        writeln!(out, "N{n:08},C{:07},2026-07-0{},{}.{:02}", 1 + x % customers, 1 + n % 7, 20 + x % 500, x % 100)?;
    }
    out.flush()?;
    drop(out);

    let now = Utc.with_ymd_and_hms(2026, 7, 8, 12, 0, 0).single().ok_or("now")?;
    let t = Instant::now();
    let imported = import_into(&db, &file, &ImportOptions::new(ImportKind::Orders), now, |_| {})?;
    let total = t.elapsed().as_secs_f64();
    if imported.value.status != ImportStatus::Imported {
        return Err(format!("import: {:?}", imported.value.status).into());
    }
    let standings = imported.standings?;
    println!(
        "import of {orders} orders: {total:.2} s, of which standings of {} customers {:.2} s ({:.0} % added)",
        standings.customers,
        standings.seconds,
        100.0 * standings.seconds / (total - standings.seconds)
    );

    // The two ways of reading, at sizes that take each.
    let today = NaiveDate::from_ymd_opt(2026, 7, 9).ok_or("date")?;
    let few = (customers / ONE_PASS_PER_CUSTOMER / 2).max(1);
    let ids: Vec<i64> = (1..=few as i64).collect();
    let t = Instant::now();
    refresh::refresh_customers(&db, &ids, today)?;
    let each = t.elapsed().as_secs_f64() / few as f64;
    let many: Vec<i64> = (1..=(customers / 10) as i64).collect();
    let t = Instant::now();
    refresh::refresh_customers(&db, &many, today)?;
    let pass = t.elapsed().as_secs_f64();
    println!(
        "one by one: {:.2} ms a customer; one pass with {} customers: {pass:.2} s; break-even at {:.0} customers, \
         one for every {:.0} in the run",
        each * 1e3,
        many.len(),
        pass / each,
        customers as f64 * each / pass
    );
    Ok(())
}
