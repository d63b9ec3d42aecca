//! The cost of encryption at rest: the same order import, evaluation and searches on a plain
//! and on an encrypted (SQLCipher) database, side by side.
//!
//! `cargo run --release -p headtail-core --example encryption_bench -- [ORDERS [CUSTOMERS]]`
//! (default 300,000 orders over 30,000 customers).

use chrono::{NaiveDate, TimeZone, Utc};
use headtail_core::customers::{self, CustomerQuery};
use headtail_core::encryption::{self, Passphrase, PlainBackups};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::import::{import_file, ImportKind, ImportOptions, ImportStatus};
use headtail_core::{backup, Database};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SURNAMES: [&str; 8] = ["陈", "林", "黄", "郑", "谢", "何", "罗", "高"];
const GIVEN: [&str; 8] = ["一", "子", "思", "雨", "浩", "佳", "俊", "欣"];
const SEARCHES: [&str; 4] = ["陈子", "林", "C0001", "13900"];

/// Orders spread evenly over the customers and five years: id, name, phone, date, amount.
fn write_orders(path: &Path, orders: u64, customers: u64) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "订单号,客户编号,客户名称,手机,下单日期,金额")?;
    let start = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default();
    for n in 0..orders {
        let c = (n * 7919) % customers;
        let day = start + chrono::Duration::days((n * 1825 / orders) as i64);
        let name =
            format!("{}{}{}", SURNAMES[(c % 8) as usize], GIVEN[(c / 8 % 8) as usize], GIVEN[(c / 64 % 8) as usize]);
        writeln!(out, "O{n:08},C{c:07},{name},139{c:08},{day},{}.{:02}", 20 + (n * 37) % 900, n % 100)?;
    }
    out.flush()
}

struct Figures {
    open: f64,
    import: f64,
    evaluate: f64,
    /// Median of each search's time, over several runs.
    search_ms: Vec<f64>,
    size_mb: f64,
}

fn measure(dir: &Path, csv: &Path, key: Option<&Passphrase>) -> Result<Figures, Box<dyn std::error::Error>> {
    let path = dir.join("bench.sqlite");
    drop(Database::open(&path)?);
    if let Some(key) = key {
        let now = Utc::now();
        encryption::encrypt(&path, key, &backup::default_dir(&path), PlainBackups::Remove, now)?;
    }
    let t = Instant::now();
    let db = Database::open_with(&path, key.cloned())?;
    let open = t.elapsed().as_secs_f64();

    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("date")?;
    let t = Instant::now();
    let report = db.with_conn(|conn| import_file(conn, csv, &ImportOptions::new(ImportKind::Orders), now, |_| {}))?;
    db.with_conn(headtail_core::search::catch_up)?;
    let import = t.elapsed().as_secs_f64();
    if report.status != ImportStatus::Imported {
        return Err(format!("import did not go through: {:?}", report.status).into());
    }

    let t = Instant::now();
    let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
    store::run(&db, as_of, Trigger::CommandLine, &mut |_, _| {})?;
    let evaluate = t.elapsed().as_secs_f64();

    let mut search_ms = Vec::new();
    for term in SEARCHES {
        let query = CustomerQuery { search: Some(term.into()), limit: 50, ..Default::default() };
        let mut times: Vec<f64> = (0..25)
            .map(|_| {
                let t = Instant::now();
                db.with_conn(|c| customers::list(c, &query)).map(|_| t.elapsed().as_secs_f64() * 1000.0)
            })
            .collect::<Result<_, _>>()?;
        times.sort_by(f64::total_cmp);
        search_ms.push(times[times.len() / 2]);
    }
    drop(db);
    let size_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    Ok(Figures { open, import, evaluate, search_ms, size_mb })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let number = |i: usize, default: u64| -> Result<u64, std::num::ParseIntError> {
        std::env::args().nth(i).map(|a| a.replace('_', "").parse()).transpose().map(|n| n.unwrap_or(default))
    };
    let orders = number(1, 300_000)?;
    let customers = number(2, orders / 10)?.max(1);
    let work = tempfile::tempdir()?;
    let csv = work.path().join("orders.csv");
    write_orders(&csv, orders, customers)?;
    let (plain_dir, encrypted_dir) = (work.path().join("plain"), work.path().join("encrypted"));
    std::fs::create_dir_all(&plain_dir)?;
    std::fs::create_dir_all(&encrypted_dir)?;
    let plain = measure(&plain_dir, &csv, None)?;
    let key = Passphrase::new("a passphrase for the benchmark")?;
    let encrypted = measure(&encrypted_dir, &csv, Some(&key))?;

    println!("{orders} orders over {customers} customers");
    println!("{:<28} {:>10} {:>10} {:>8}", "", "plain", "encrypted", "cost");
    let row = |what: &str, p: f64, e: f64, unit: &str| {
        println!("{what:<28} {:>8.2}{unit} {:>8.2}{unit} {:>+7.0}%", p, e, (e / p - 1.0) * 100.0);
    };
    row("open", plain.open, encrypted.open, " s");
    row("import", plain.import, encrypted.import, " s");
    row("evaluate", plain.evaluate, encrypted.evaluate, " s");
    for (i, term) in SEARCHES.iter().enumerate() {
        row(&format!("search {term:?}"), plain.search_ms[i], encrypted.search_ms[i], "ms");
    }
    row("file size", plain.size_mb, encrypted.size_mb, "MB");
    Ok(())
}
