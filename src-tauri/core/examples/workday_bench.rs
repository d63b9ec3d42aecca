//! The working day at scale: My day, its sidebar counts, the agenda and each survey's results,
//! each timed through the function its IPC command runs, for everyone and for one owner.
//!
//! Builds a demo database of CUSTOMERS (default 1,000,000) with a stored evaluation, then
//! adds what a working business has on top: 200,000 open follow-ups (a fifth overdue, a
//! twentieth due today, the rest over the next two months), contacts in the last month for
//! one customer in twenty, response targets on open complaints (half answered) and survey
//! answers from the last two weeks for one customer in a hundred (a low score schedules its
//! follow-up, as in the app).
//!
//! `cargo run --release -p headtail-core --example workday_bench -- [CUSTOMERS] [--db FILE]`
//!
//! With `--db FILE` an existing file built by this example is timed again (nothing is
//! generated); a missing file is built there and kept.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::follow_ups::agenda::{self, AgendaBucket, AgendaQuery};
use headtail_core::follow_ups::{self, FollowUpInput, FollowUpSource};
use headtail_core::interactions::{self, InteractionInput, InteractionKind};
use headtail_core::my_day::{self, MyDayQuery, MyDaySection, MyDaySectionQuery};
use headtail_core::surveys::{self, ResultsQuery, SurveyKind, SurveyResponseInput};
use headtail_core::Database;
use std::path::PathBuf;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FOLLOW_UPS: u64 = 200_000;
const RUNS: usize = 9;

/// xorshift64: the same data every run without a dependency on the generator's order.
struct Draw(u64);

impl Draw {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

fn until() -> Result<NaiveDate, &'static str> {
    NaiveDate::from_ymd_opt(2026, 11, 30).ok_or("date")
}

/// The morning after the demo's last day.
fn now() -> Result<NaiveDateTime, &'static str> {
    until()?.succ_opt().and_then(|d| d.and_hms_opt(10, 0, 0)).ok_or("now")
}

fn build(db: &Database, customers: u32) -> Result<(), Box<dyn std::error::Error>> {
    let until = until()?;
    let now = now()?;
    let t = Instant::now();
    db.with_tx(|tx| demo::generate(tx, DemoSettings::new(customers, 42, until), Utc::now(), |_, _| {}))?;
    println!("demo of {customers} customers: {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let (run, _) = store::run(db, until, Trigger::Manual, &mut |_, _| {})?;
    println!("evaluation of {} customers: {:.1} s", run.customers, t.elapsed().as_secs_f64());

    let t = Instant::now();
    let n = u64::from(customers);
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    db.with_tx(|tx| {
        for i in 0..FOLLOW_UPS {
            // Minutes from now: a fifth overdue (up to 30 days), a twentieth later today, the
            // rest within 60 days.
            let minutes = match i % 20 {
                0..=3 => -1 - draw.next(30 * 24 * 60) as i64,
                4 => 1 + draw.next(13 * 60) as i64,
                _ => 24 * 60 + draw.next(59 * 24 * 60) as i64,
            };
            let input = FollowUpInput {
                customer_id: 1 + draw.next(n) as i64,
                due_at: now + Duration::minutes(minutes),
                owner: None,
                reason: Some("回访".into()),
                source: FollowUpSource::Manual,
                interaction_id: None,
                survey_response_id: None,
            };
            follow_ups::schedule(tx, input, Utc::now())?;
        }
        for _ in 0..n / 20 {
            let input = InteractionInput {
                customer_id: 1 + draw.next(n) as i64,
                kind: InteractionKind::Call,
                occurred_at: now - Duration::minutes(1 + draw.next(30 * 24 * 60) as i64),
                outcome: None,
                notes: None,
                owner: None,
            };
            interactions::insert(tx, &input.validate()?, None)?;
        }
        for _ in 0..n / 100 {
            let kind = [SurveyKind::Nps, SurveyKind::Csat, SurveyKind::Ces][draw.next(3) as usize];
            let (low, high) = kind.range();
            let input = SurveyResponseInput {
                customer_id: 1 + draw.next(n) as i64,
                kind,
                survey_id: None,
                responded_on: now.date() - Duration::days(draw.next(14) as i64),
                score: low + draw.next((high - low + 1) as u64) as i64,
                comment: None,
            };
            // Recorded this morning, as the app would: a recent low score schedules its
            // follow-up.
            surveys::create(tx, input, now.and_utc())?;
        }
        // Response targets of 4 to 72 hours on the complaints still open; half answered.
        tx.execute_batch(
            "UPDATE complaints SET response_due_at = strftime('%Y-%m-%d %H:%M:%S', opened_at,
                 '+' || (CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 8 WHEN 'medium' THEN 24 ELSE 72 END) || ' hours')
             WHERE status IN ('open', 'in_progress');
             UPDATE complaints SET first_response_at = strftime('%Y-%m-%d %H:%M:%S', opened_at, '+2 hours')
             WHERE status IN ('open', 'in_progress') AND id % 2 = 0;",
        )?;
        Ok(())
    })?;
    println!(
        "{FOLLOW_UPS} follow-ups, {} contacts, {} survey answers, complaint targets: {:.1} s",
        n / 20,
        n / 100,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Median and slowest milliseconds of [`RUNS`] calls, and what the last call returned.
fn timed<T>(mut work: impl FnMut() -> headtail_core::Result<T>) -> Result<(f64, f64, T), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        last = Some(work()?);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok((times[RUNS / 2], times[RUNS - 1], last.ok_or("no run")?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut customers: u32 = 1_000_000;
    let mut given: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => given = Some(args.next().ok_or("--db needs a file")?.into()),
            n => customers = n.parse()?,
        }
    }
    let dir = tempfile::tempdir()?;
    let path = given.unwrap_or_else(|| dir.path().join("workday.sqlite"));
    let fresh = !path.exists();
    let db = Database::open(&path)?;
    if fresh {
        build(&db, customers)?;
    }
    let now = now()?;
    let owner: Option<String> = db.with_conn(|c| {
        Ok(c.query_row(
            "SELECT owner FROM customers WHERE owner IS NOT NULL GROUP BY owner ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| r.get(0),
        )?)
    })?;
    let open: i64 = db.with_conn(|c| {
        Ok(c.query_row("SELECT count(*) FROM follow_ups WHERE completed_at IS NULL", [], |r| r.get(0))?)
    })?;
    let live: i64 = db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?))?;
    println!("{live} customers, {open} open follow-ups; median and slowest of {RUNS} calls, in ms:");

    for who in [None, owner] {
        let label = who.clone().unwrap_or_else(|| "everyone".into());
        let query = MyDayQuery { owner: who.clone(), limit: 0 };
        let (median, worst, day) = timed(|| db.with_conn(|c| my_day::my_day(c, &query, now)))?;
        println!(
            "[{label}] my_day                 {median:7.1} {worst:7.1}   overdue {} today {} no contact {} at risk {} \
             late complaints {} new detractors {}",
            day.overdue_follow_ups.total,
            day.today_follow_ups.total,
            day.no_contact.total,
            day.at_risk.total,
            day.late_complaints.total,
            day.new_detractors.total
        );
        let (median, worst, counts) = timed(|| db.with_conn(|c| my_day::counts(c, who.as_deref(), now)))?;
        println!("[{label}] my_day_counts          {median:7.1} {worst:7.1}   total {}", counts.total);
        for section in MyDaySection::ALL {
            let query = MyDaySectionQuery { owner: who.clone(), section: *section, offset: 50, limit: 50 };
            let (median, worst, page) = timed(|| db.with_conn(|c| my_day::section(c, &query, now)))?;
            println!(
                "[{label}] my_day_section {:<22} {median:7.1} {worst:7.1}   {} items",
                section.as_str(),
                page.total
            );
        }
        for bucket in AgendaBucket::ALL {
            let query = AgendaQuery { owner: who.clone(), bucket: *bucket, offset: 0, limit: 0 };
            let (median, worst, page) = timed(|| db.with_conn(|c| agenda::agenda(c, &query, now)))?;
            println!(
                "[{label}] agenda {:<10}          {median:7.1} {worst:7.1}   {} follow-ups",
                bucket.as_str(),
                page.total
            );
        }
        let (median, worst, _) = timed(|| db.with_conn(|c| agenda::counts(c, who.as_deref(), now)))?;
        println!("[{label}] agenda counts          {median:7.1} {worst:7.1}");
    }

    // Each survey's results page: every answer, then the last year only.
    let surveys: Vec<(i64, String)> = db.with_conn(|c| {
        let mut stmt = c.prepare("SELECT id, name FROM surveys ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })?;
    let last_year = ResultsQuery { from: Some(now.date() - Duration::days(365)), to: None };
    for (id, name) in surveys {
        for (range, query) in [("all", ResultsQuery::default()), ("last year", last_year.clone())] {
            let (median, worst, results) = timed(|| db.with_conn(|c| surveys::survey_results(c, id, &query)))?;
            println!(
                "survey_results {name:<12} {range:<9} {median:7.1} {worst:7.1}   {} answers",
                results.overall.responses
            );
        }
    }
    Ok(())
}
