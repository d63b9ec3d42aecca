//! Search latency on a large database, as the customer list runs it (page of 50 plus the count),
//! alone and with a filter or another sort order beside it; then the list without a search in
//! pinyin order by name, company and owner, first and deep pages, and the upgrade step that
//! fills those sort keys.
//! `cargo run --release -p headtail-core --example search_bench -- [DB] [CUSTOMERS]`: with no DB,
//! a demo database of CUSTOMERS (default 1,000,000) is generated in a temporary folder first.

use chrono::NaiveDate;
use headtail_core::customers::{self, CustomerKind, CustomerQuery, CustomerSort};
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

/// A change to a search-only query: a filter or a sort order.
type Variant = fn(CustomerQuery) -> CustomerQuery;

/// Matches, median and slowest milliseconds of [`RUNS`] runs of a list query.
fn timed(db: &Database, query: &CustomerQuery) -> Result<(u32, f64, f64), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(RUNS);
    let mut matches = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        matches = db.with_conn(|c| customers::list(c, query))?.total;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok((matches, times[RUNS / 2], times[RUNS - 1]))
}

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
        let (matches, median, max) = timed(&db, &query)?;
        worst = worst.max(median);
        println!("{term:<14} {matches:>9} {median:>10.2} {max:>10.2}");
    }
    println!("slowest median: {worst:.2} ms (target: under 50 ms)");

    // The same terms with a filter beside the search, or sorted by a column whose empty
    // values come first when descending (the matches then sit far along the walk).
    let variants: [(&str, Variant); 4] = [
        ("companies", |q| CustomerQuery { kind: Some(CustomerKind::Company), ..q }),
        ("tag 华南", |q| CustomerQuery { tag: Some("华南".into()), ..q }),
        ("company desc", |q| CustomerQuery { sort: CustomerSort::Company, descending: true, ..q }),
        ("owner desc", |q| CustomerQuery { sort: CustomerSort::Owner, descending: true, ..q }),
    ];
    println!();
    println!("{:<14} {:<13} {:>9} {:>10} {:>10}", "query", "with", "matches", "median ms", "max ms");
    let mut worst_variant: (f64, String) = (0.0, String::new());
    for term in QUERIES {
        for (label, variant) in &variants {
            let query = variant(CustomerQuery { search: Some((*term).to_owned()), ..Default::default() });
            let (matches, median, max) = timed(&db, &query)?;
            if median > worst_variant.0 {
                worst_variant = (median, format!("{term} / {label}"));
            }
            println!("{term:<14} {label:<13} {matches:>9} {median:>10.2} {max:>10.2}");
        }
    }
    println!("slowest median with a filter or sort: {:.2} ms ({})", worst_variant.0, worst_variant.1);

    println!();
    println!("{:<8} {:<5} {:>8} {:>10} {:>10}", "sort", "desc", "offset", "median ms", "max ms");
    let mut worst_sort: f64 = 0.0;
    for sort in [CustomerSort::Name, CustomerSort::Company, CustomerSort::Owner] {
        for descending in [false, true] {
            for offset in [0, 10_000, 500_000] {
                let query = CustomerQuery { sort, descending, offset, ..Default::default() };
                let (_, median, max) = timed(&db, &query)?;
                worst_sort = worst_sort.max(median);
                println!("{:<8} {descending:<5} {offset:>8} {median:>10.2} {max:>10.2}", format!("{sort:?}"));
            }
        }
    }
    println!("slowest median of a sorted page: {worst_sort:.2} ms (target: under 100 ms)");

    // The upgrade's step on this database: every key cleared (indexes set aside meanwhile, and
    // not timed), then filled and indexed again as a database from before the keys is.
    db.with_tx(|tx| {
        let indexes: Vec<String> = tx
            .prepare("SELECT sql FROM sqlite_schema WHERE name IN ('customers_live_by_name', 'customers_live_by_company', 'customers_live_by_owner')")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute_batch(
            "DROP INDEX customers_live_by_name; DROP INDEX customers_live_by_company; DROP INDEX customers_live_by_owner;
             UPDATE customers SET name_sort = NULL, company_sort = NULL, owner_sort = NULL;",
        )?;
        headtail_core::db::rebuild_indexes(tx, &indexes)?;
        let started = Instant::now();
        let filled = customers::sort_key::fill_all(tx)?;
        println!("sort keys of {filled} customers filled and indexed in {:.2} s", started.elapsed().as_secs_f64());
        Ok(())
    })?;
    Ok(())
}
