//! Times demo data generation into a fresh file: `cargo run --release -p headtail-core --example demo_bench -- [CUSTOMERS]`.

use chrono::NaiveDate;
use headtail_core::demo::{self, DemoSettings};
use headtail_core::Database;
use std::time::Instant;

fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let customers: u32 = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("demo.sqlite");
    let db = Database::open(&path)?;
    let until = NaiveDate::from_ymd_opt(2026, 6, 30).ok_or("date")?;
    let started = Instant::now();
    let summary =
        db.with_tx(|tx| demo::generate(tx, DemoSettings::new(customers, 42, until), chrono::Utc::now(), |_, _| {}))?;
    let secs = started.elapsed().as_secs_f64();
    let rows = summary.customers
        + summary.orders
        + summary.order_lines
        + summary.contacts
        + summary.interactions
        + summary.complaints
        + summary.survey_responses
        + summary.loyalty_entries
        + summary.service_costs;
    println!("demo: {customers} customers, {} orders, {rows} rows in {secs:.1} s ({:.0} rows/s), file {:.0} MB, peak memory {:.0} MB",
        summary.orders, rows as f64 / secs, std::fs::metadata(&path)?.len() as f64 / 1e6, peak_memory_mb());
    Ok(())
}
