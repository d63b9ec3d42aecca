//! The manager's report at scale, as `headtail report` writes it: every chart as PNG and SVG,
//! summary.json, report.xlsx, the members of each tier and report.pdf, from a stored run, in
//! this fresh process; each phase's seconds and the process's peak memory. Then what the
//! Charts page asks when it opens: the list of charts and every chart as SVG, all at once.
//!
//! `cargo run --release -p headtail-core --example report_bench -- --db FILE [--lang en] [--compare ID]`
//! on an evaluated database (for example the one `workday_bench --db FILE` builds at a
//! million customers). The report is written to a temporary folder and removed.

use headtail_core::charts::page::{self, ChartQuery};
use headtail_core::charts::{write_report, ChartMembers, FolderRequest, Lang};
use headtail_core::settings::Language;
use headtail_core::Database;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Peak resident memory of this process, from the kernel.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let (mut db_path, mut lang, mut compare) = (None, Lang::ZhCn, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => db_path = args.next(),
            "--lang" => lang = if args.next().as_deref() == Some("en") { Lang::En } else { Lang::ZhCn },
            "--compare" => compare = Some(args.next().ok_or("--compare needs a run")?.parse()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let db = Database::open(std::path::Path::new(&db_path.ok_or("--db FILE is needed")?))?;
    let customers: i64 = db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?))?;
    let dir = tempfile::tempdir()?;
    let opened = started.elapsed().as_secs_f64();
    let request = FolderRequest { run: None, compare, lang, scale: 1 };
    let written = write_report(&db, request, dir.path())?;
    let bytes: u64 = written.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    println!(
        "report of run {} for {customers} customers: {} files, {:.1} MB",
        written.run_id,
        written.files.len(),
        bytes as f64 / 1e6
    );
    println!(
        "open {opened:.2} s, charts (figures, PNG, SVG, summary) {:.2} s, workbook {:.2} s, members files {:.2} s, pdf {:.2} s",
        written.charts_seconds, written.workbook_seconds, written.members_seconds, written.pdf_seconds
    );
    println!(
        "whole: {:.2} s, peak memory {} MB, {} cores",
        started.elapsed().as_secs_f64(),
        peak_mb().map_or("?".into(), |m| format!("{m:.0}")),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // The page's cards each ask for their chart as soon as the list is there.
    let clock = Instant::now();
    let query = &ChartQuery { run_id: written.run_id, compare_run_id: compare, members: ChartMembers::default() };
    let list = page::list(&db, query)?;
    let listed = clock.elapsed().as_secs_f64();
    let language = if lang == Lang::En { Language::En } else { Language::ZhCn };
    let db = &db;
    std::thread::scope(|scope| {
        let cards: Vec<_> =
            list.charts.iter().map(|&chart| scope.spawn(move || page::svg(db, query, chart, language))).collect();
        cards
            .into_iter()
            .try_for_each(|card| card.join().map_err(|_| "a chart panicked")?.map(|_| ()).map_err(|_| "a chart failed"))
    })?;
    println!(
        "Charts page: list {listed:.2} s, every one of its {} charts drawn {:.2} s",
        list.charts.len(),
        clock.elapsed().as_secs_f64()
    );
    Ok(())
}
