//! Import speed at scale: writes a CSV of N order rows (default 10,000,000) over about N/10
//! customers with Chinese headers, imports it into a fresh database, and prints rows per
//! second, seconds and peak memory.
//!
//! `cargo run --release -p headtail-core --example import_bench -- [ROWS [CUSTOMERS]]`

use chrono::{TimeZone, Utc};
use headtail_core::import::{import_file, ImportKind, ImportOptions, ImportStatus};
use headtail_core::Database;
use std::io::{BufWriter, Write};
use std::time::Instant;

// The allocator the headtail binary uses, so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SURNAMES: [&str; 12] = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙"];
const GIVEN: [&str; 12] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳"];
const PRODUCTS: [(&str, &str); 6] = [
    ("保温杯", "家居"),
    ("蓝牙耳机", "数码"),
    ("连衣裙", "服装"),
    ("茶叶礼盒", "食品"),
    ("运动鞋", "服装"),
    ("台灯", "家居"),
];
const CHANNELS: [&str; 5] = ["淘宝", "京东", "门店", "微信", "网店"];

/// A small xorshift generator: fixed seed, same file every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn write_csv(path: &std::path::Path, rows: u64, customers: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "订单号,客户编号,客户名称,手机,下单日期,商品,品类,数量,金额,渠道")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
    let days = 5 * 365;
    let (mut written, mut order) = (0_u64, 0_u64);
    while written < rows {
        order += 1;
        let customer = rng.below(customers) + 1;
        // Rows come in date order, as a till exports them.
        let date = start + chrono::Duration::days((written * days / rows) as i64);
        let lines = if order.is_multiple_of(5) { 2 } else { 1 };
        for _ in 0..lines.min(rows - written) {
            let (product, category) = PRODUCTS[rng.below(6) as usize];
            let quantity = rng.below(3) + 1;
            let cents = rng.below(50_000) + 100;
            let amount = if cents.is_multiple_of(7) {
                format!("\"￥{},{:03}.{:02}\"", cents / 100_000, (cents / 100) % 1000, cents % 100)
            } else {
                format!("{}.{:02}", cents / 100, cents % 100)
            };
            writeln!(
                out,
                "SO{order:09},C{customer:07},{}{}{},138{customer:08},{date},{product},{category},{quantity},{amount},{}",
                SURNAMES[(customer % 12) as usize],
                GIVEN[(customer / 12 % 12) as usize],
                GIVEN[(customer / 144 % 12) as usize],
                CHANNELS[(customer % 5) as usize],
            )?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(customers)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args().nth(1).map(|a| a.replace('_', "").parse()).transpose()?.unwrap_or(10_000_000);
    let customers: u64 =
        std::env::args().nth(2).map(|a| a.replace('_', "").parse()).transpose()?.unwrap_or(rows / 10).max(1);
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("orders.csv");
    let t = Instant::now();
    let customers = write_csv(&csv, rows, customers)?;
    let size = std::fs::metadata(&csv)?.len();
    eprintln!(
        "wrote {rows} rows over {customers} customers ({:.0} MB) in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let db = Database::open(&dir.path().join("bench.sqlite"))?;
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("date")?;
    let t = Instant::now();
    let report = db.with_conn(|conn| {
        import_file(conn, &csv, &ImportOptions::new(ImportKind::Orders), now, |p| {
            if p.rows_done % 1_000_000 == 0 {
                eprintln!(
                    "  {:>10} rows  {:>5.1}%  {:.1} s",
                    p.rows_done,
                    100.0 * p.bytes_done as f64 / p.bytes_total.max(1) as f64,
                    t.elapsed().as_secs_f64()
                );
            }
        })
    })?;
    let secs = t.elapsed().as_secs_f64();
    if report.status != ImportStatus::Imported {
        return Err(format!("import did not go through: {:?} {:?}", report.status, report.errors.first()).into());
    }
    // After the commit, as the app does in the background while the list is already usable:
    // the log copied into the database file and the new customers' search entries made.
    let t = Instant::now();
    let indexed = db.with_conn(headtail_core::search::catch_up)?;
    let search_secs = t.elapsed().as_secs_f64();
    let db_size = std::fs::metadata(dir.path().join("bench.sqlite"))?.len();
    println!("rows:               {}", report.rows_read);
    println!("orders created:     {}", report.created);
    println!("order lines:        {}", report.order_lines);
    println!("customers created:  {}", report.customers_created);
    println!("import seconds:     {secs:.1}");
    println!("rows per second:    {:.0}", report.rows_read as f64 / secs);
    println!("after the import:   {search_secs:.1} s (log checkpoint, search entries of {indexed} new customers)");
    println!("peak memory (MB):   {:.0}", peak_mb());
    println!("database size (MB): {:.0}", db_size as f64 / 1e6);
    Ok(())
}
