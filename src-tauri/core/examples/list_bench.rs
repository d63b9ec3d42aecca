//! The customer list by segment on a large database, as the list command runs it (a page of
//! 50 plus the count): each standing filter, the sorts by predicted CLV and next follow-up in
//! both directions, deeper pages, and filters beside a search or another filter. Also the
//! cost of the list's one members index to the save of a run.
//!
//! `cargo run --release -p headtail-core --example list_bench -- [CUSTOMERS [FOLLOW_UPS]] [--db FILE]`:
//! a demo database of CUSTOMERS (default 1,000,000) is generated, evaluated, and given
//! FOLLOW_UPS open follow-ups (default 200,000) in a temporary folder first. With `--db FILE`
//! an existing evaluated database is timed instead (a missing one is built there and kept).

use chrono::{Duration, NaiveDate, Utc};
use headtail_core::customers::{self, CustomerKind, CustomerQuery, CustomerSort};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::evaluation::{Lifecycle, RfmSegment, ServiceLevel, Tier, ValueClass};
use headtail_core::follow_ups::{self, FollowUpInput, FollowUpSource};
use headtail_core::Database;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 9;

/// Matches, median and slowest milliseconds of [`RUNS`] runs of a list query.
fn timed(db: &Database, query: &CustomerQuery) -> Result<(u32, bool, f64, f64), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(RUNS);
    let mut page = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        page = Some(db.with_conn(|c| customers::list(c, query))?);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let page = page.ok_or("no run")?;
    Ok((page.total, page.total_exact, times[RUNS / 2], times[RUNS - 1]))
}

/// The demo business, its runs (timing the save with and without the list's index) and the
/// open follow-ups.
fn build(db: &Database, customers: u32, open_follow_ups: u32) -> Result<(), Box<dyn std::error::Error>> {
    let until = NaiveDate::from_ymd_opt(2026, 6, 30).ok_or("date")?;

    let t = Instant::now();
    db.with_tx(|tx| demo::generate(tx, DemoSettings::new(customers, 42, until), Utc::now(), |_, _| {}))?;
    println!("generated {customers} demo customers in {:.1} s", t.elapsed().as_secs_f64());

    // The save of a run with the list's index and without it.
    let (_, with_index) = store::run(db, until, Trigger::Manual, &mut |_, _| {})?;
    let definition: String = db.with_conn(|c| {
        Ok(c.query_row("SELECT sql FROM sqlite_master WHERE name = 'evaluation_members_list'", [], |r| r.get(0))?)
    })?;
    db.with_conn(|c| Ok(c.execute_batch("DROP INDEX evaluation_members_list")?))?;
    let (_, without_index) = store::run(db, until, Trigger::Manual, &mut |_, _| {})?;
    let t = Instant::now();
    db.with_conn(|c| Ok(c.execute_batch(&definition)?))?;
    println!(
        "save of a run of {customers} members: {:.2} s with the list index, {:.2} s without ({:+.2} s); \
         building the index on two runs: {:.2} s",
        with_index.save_seconds,
        without_index.save_seconds,
        with_index.save_seconds - without_index.save_seconds,
        t.elapsed().as_secs_f64()
    );
    // The latest run is the one listed; a third run on the same day with the index in place.
    let (run, timings) = store::run(db, until, Trigger::Manual, &mut |_, _| {})?;
    println!("latest run {} saved in {:.2} s", run.id, timings.save_seconds);

    // Open follow-ups spread over the customers and the next three months.
    let t = Instant::now();
    let start = until.and_hms_opt(9, 0, 0).ok_or("time")?;
    db.with_tx(|tx| {
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..open_follow_ups {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let input = FollowUpInput {
                customer_id: 1 + (x % u64::from(customers)) as i64,
                due_at: start + Duration::minutes((x >> 20) as i64 % (90 * 24 * 60)),
                owner: None,
                reason: None,
                source: FollowUpSource::Bulk,
                interaction_id: None,
                survey_response_id: None,
            };
            follow_ups::schedule(tx, input, Utc::now())?;
        }
        Ok(())
    })?;
    println!("{open_follow_ups} open follow-ups added in {:.1} s", t.elapsed().as_secs_f64());

    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut numbers = Vec::new();
    let mut given: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => given = Some(args.next().ok_or("--db needs a file")?.into()),
            n => numbers.push(n.parse::<u32>()?),
        }
    }
    let customers = numbers.first().copied().unwrap_or(1_000_000);
    let open_follow_ups = numbers.get(1).copied().unwrap_or(200_000);
    let dir = tempfile::tempdir()?;
    let path = given.unwrap_or_else(|| dir.path().join("list.sqlite"));
    let fresh = !path.exists();
    let db = Database::open(&path)?;
    if fresh {
        build(&db, customers, open_follow_ups)?;
    }
    let q = CustomerQuery::default;
    let cases: Vec<(&str, CustomerQuery)> = vec![
        ("everyone, by name", q()),
        ("everyone, CLV high first", CustomerQuery { sort: CustomerSort::PredictedClv, descending: true, ..q() }),
        ("everyone, CLV low first", CustomerQuery { sort: CustomerSort::PredictedClv, ..q() }),
        ("everyone, next follow-up", CustomerQuery { sort: CustomerSort::NextFollowUp, ..q() }),
        ("everyone, next follow-up last", CustomerQuery { sort: CustomerSort::NextFollowUp, descending: true, ..q() }),
        ("everyone, CLV, page 200", CustomerQuery { sort: CustomerSort::PredictedClv, offset: 10_000, ..q() }),
        ("tier A", CustomerQuery { tiers: vec![Tier::A], ..q() }),
        (
            "tier A, CLV",
            CustomerQuery { tiers: vec![Tier::A], sort: CustomerSort::PredictedClv, descending: true, ..q() },
        ),
        ("tier A, follow-up", CustomerQuery { tiers: vec![Tier::A], sort: CustomerSort::NextFollowUp, ..q() }),
        ("tiers C+D", CustomerQuery { tiers: vec![Tier::C, Tier::D], ..q() }),
        ("tiers C+D, CLV", CustomerQuery { tiers: vec![Tier::C, Tier::D], sort: CustomerSort::PredictedClv, ..q() }),
        (
            "tiers C+D, follow-up",
            CustomerQuery { tiers: vec![Tier::C, Tier::D], sort: CustomerSort::NextFollowUp, ..q() },
        ),
        ("tiers C+D, page 100", CustomerQuery { tiers: vec![Tier::C, Tier::D], offset: 5_000, ..q() }),
        ("champions", CustomerQuery { segments: vec![RfmSegment::Champions], ..q() }),
        ("hibernating", CustomerQuery { segments: vec![RfmSegment::Hibernating], ..q() }),
        (
            "can't lose them, CLV",
            CustomerQuery {
                segments: vec![RfmSegment::CantLoseThem],
                sort: CustomerSort::PredictedClv,
                descending: true,
                ..q()
            },
        ),
        ("important value", CustomerQuery { value_classes: vec![ValueClass::ImportantValue], ..q() }),
        (
            "general retain, follow-up",
            CustomerQuery { value_classes: vec![ValueClass::GeneralRetain], sort: CustomerSort::NextFollowUp, ..q() },
        ),
        ("at risk", CustomerQuery { lifecycles: vec![Lifecycle::AtRisk], ..q() }),
        (
            "new + repeat, CLV",
            CustomerQuery {
                lifecycles: vec![Lifecycle::New, Lifecycle::Repeat],
                sort: CustomerSort::PredictedClv,
                descending: true,
                ..q()
            },
        ),
        (
            "prospects, follow-up",
            CustomerQuery { lifecycles: vec![Lifecycle::Prospect], sort: CustomerSort::NextFollowUp, ..q() },
        ),
        ("VIP", CustomerQuery { service_levels: vec![ServiceLevel::Vip], ..q() }),
        (
            "self-service, follow-up",
            CustomerQuery { service_levels: vec![ServiceLevel::SelfService], sort: CustomerSort::NextFollowUp, ..q() },
        ),
        ("tier A + at risk", CustomerQuery { tiers: vec![Tier::A], lifecycles: vec![Lifecycle::AtRisk], ..q() }),
        (
            "tier B + priority + repeat",
            CustomerQuery {
                tiers: vec![Tier::B],
                service_levels: vec![ServiceLevel::Priority],
                lifecycles: vec![Lifecycle::Repeat],
                ..q()
            },
        ),
        (
            "tiers C+D + companies",
            CustomerQuery { tiers: vec![Tier::C, Tier::D], kind: Some(CustomerKind::Company), ..q() },
        ),
        ("tier A + search 有限公司", CustomerQuery { tiers: vec![Tier::A], search: Some("有限公司".into()), ..q() }),
        (
            "tiers C+D + search 伟, CLV",
            CustomerQuery {
                tiers: vec![Tier::C, Tier::D],
                search: Some("伟".into()),
                sort: CustomerSort::PredictedClv,
                ..q()
            },
        ),
        (
            "search 张伟, follow-up",
            CustomerQuery { search: Some("张伟".into()), sort: CustomerSort::NextFollowUp, ..q() },
        ),
    ];
    println!();
    println!("{:<32} {:>9} {:>10} {:>10}", "query (page of 50 and count)", "matches", "median ms", "max ms");
    let mut worst: (f64, &str) = (0.0, "");
    for (label, query) in &cases {
        let (total, exact, median, max) = timed(&db, query)?;
        if median > worst.0 {
            worst = (median, label);
        }
        let total = if exact { total.to_string() } else { format!("{total}+") };
        println!("{label:<32} {total:>9} {median:>10.2} {max:>10.2}");
    }
    println!("slowest median: {:.2} ms ({}) (target: under 100 ms)", worst.0, worst.1);
    Ok(())
}
