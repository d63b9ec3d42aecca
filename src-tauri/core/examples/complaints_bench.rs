//! The complaints lists at scale, as their IPC command runs them (a page of 50 plus the count):
//! those past their target, and every open complaint with those past target first.
//! `cargo run -p headtail-core --example complaints_bench -- [CUSTOMERS] [COMPLAINTS]`
//! (defaults 1,000,000 and 1,000,000; one in fifty still open, a quarter of those unanswered
//! and overdue). SQLite is optimised in every profile, so the figures hold for a debug build.

use chrono::NaiveDate;
use headtail_core::complaints::{self, ComplaintQuery};
use headtail_core::Database;
use std::time::Instant;

const RUNS: usize = 15;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let customers: i64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let count: i64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let db = Database::open(&dir.path().join("complaints.sqlite"))?;
    let started = Instant::now();
    db.with_tx(|tx| {
        tx.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO customers (id, name, kind, created_at, updated_at)
             SELECT i, 'customer ' || i, 'person', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z' FROM n",
            [customers],
        )?;
        // Opened over two years, a complaint every few minutes; every 50th still open, and of
        // those every 4th never answered.
        tx.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO complaints (customer_id, opened_at, category, severity, status, resolved_at, resolution,
                                     first_response_at, response_due_at)
             SELECT 1 + (i * 7919) % ?2, opened, '物流', 'medium',
                    CASE WHEN i % 50 = 0 THEN 'open' ELSE 'resolved' END,
                    CASE WHEN i % 50 = 0 THEN NULL ELSE datetime(opened, '+30 hours') END,
                    CASE WHEN i % 50 = 0 THEN NULL ELSE '已处理' END,
                    CASE WHEN i % 200 = 0 THEN NULL ELSE datetime(opened, '+2 hours') END,
                    datetime(opened, '+24 hours')
             FROM (SELECT i, datetime('2024-06-01', '+' || (i * 63 / 100) || ' minutes') AS opened FROM n)",
            [count, customers],
        )?;
        Ok(())
    })?;
    println!("{customers} customers, {count} complaints written in {:.1} s", started.elapsed().as_secs_f64());
    let now = NaiveDate::from_ymd_opt(2026, 6, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).ok_or("date")?;
    for (label, past_target_only) in [("past target", true), ("all open, past target first", false)] {
        let query = ComplaintQuery { past_target_only, offset: 0, limit: 50 };
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            total = db.with_conn(|c| complaints::list(c, now, &query))?.total;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label}: {total} complaints, page of 50 + count: median {:.2} ms, slowest {:.2} ms",
            times[RUNS / 2],
            times[RUNS - 1]
        );
    }
    Ok(())
}
