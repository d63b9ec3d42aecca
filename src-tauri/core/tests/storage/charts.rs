use crate::{customer, temp_db};
use chrono::NaiveDate;
use headtail_core::charts::{self, ChartSet, Format, Lang};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::{Database, Error};
use rusqlite::params;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn sql(db: &Database, statement: &str, values: impl rusqlite::Params) {
    db.with_conn(|c| Ok(c.execute(statement, values)?)).expect(statement);
}

fn order(db: &Database, customer: i64, on: &str, amount: i64, channel: Option<&str>) {
    sql(
        db,
        "INSERT INTO orders (customer_id, ordered_on, amount_minor, currency, channel) VALUES (?1, ?2, ?3, 'CNY', ?4)",
        params![customer, on, amount, channel],
    );
}

/// Sets a stored member's figures and groups to chosen values, so the charts can be checked
/// against sums made by hand whatever the evaluation decided.
#[allow(clippy::too_many_arguments)]
fn member(
    db: &Database,
    run: i64,
    customer: i64,
    (tier, lifecycle, behaviour): (&str, &str, Option<&str>),
    (segment, class, r, f): (Option<&str>, Option<&str>, Option<u8>, Option<u8>),
    (revenue, contribution): (i64, i64),
    (clv, p_alive): (Option<i64>, Option<f64>),
) {
    use headtail_core::evaluation::{Behaviour, Lifecycle, RfmSegment, Tier, ValueClass};
    db.with_conn(|conn| {
        crate::edit_members(conn, run, |members| {
            let m = members.iter_mut().find(|m| m.measures.customer_id == customer).expect("a member");
            let d = &mut m.decision;
            d.tier = Tier::parse(tier).expect("tier");
            d.lifecycle = Lifecycle::parse(lifecycle).expect("lifecycle");
            d.behaviour = behaviour.map(|b| Behaviour::parse(b).expect("behaviour"));
            d.segment = segment.map(|v| RfmSegment::parse(v).expect("segment"));
            d.value_class = class.map(|v| ValueClass::parse(v).expect("value class"));
            (d.r_score, d.f_score) = (r, f);
            let m = &mut m.measures;
            (m.monetary_minor, m.contribution_minor, m.predicted_clv_minor, m.p_alive) =
                (revenue, contribution, clv, p_alive);
        })
    })
    .expect("member");
}

fn evaluate(db: &Database, as_of: &str) -> i64 {
    store::run(db, day(as_of), Trigger::Manual, &mut |_, _| {}).expect("run").0.id
}

/// Six customers evaluated on 2026-06-30 (c6 a prospect), then c7 joins, c5 leaves the
/// second run of 2026-09-30.
struct Base {
    db: Database,
    _dir: tempfile::TempDir,
    c: [i64; 7],
    first: i64,
    second: i64,
}

fn base() -> Base {
    let (dir, db) = temp_db();
    let c: Vec<i64> = (1..=6).map(|i| customer(&db, &format!("客户{i}"))).collect();
    order(&db, c[0], "2026-05-10", 1_000, Some("online_shop"));
    order(&db, c[0], "2026-06-15", 1_500, Some("online_shop"));
    order(&db, c[0], "2026-08-01", 2_000, Some("marketplace"));
    order(&db, c[0], "2026-10-05", 9_999, Some("store"));
    order(&db, c[1], "2026-05-03", 2_000, Some("store"));
    order(&db, c[1], "2026-05-20", 500, Some("store"));
    order(&db, c[2], "2026-06-02", 700, None);
    order(&db, c[3], "2025-01-10", 300, Some("store"));
    order(&db, c[3], "2026-07-07", 400, Some("phone_wechat"));
    order(&db, c[4], "2025-02-01", 300, Some("online_shop"));
    for (who, on, minutes, amount) in [
        (c[0], "2026-04-01", 60, 5_000),
        (c[0], "2025-03-01", 999, 99_999),
        (c[4], "2026-02-01", 30, 800),
        (c[5], "2026-06-30", 15, 100),
    ] {
        sql(
            &db,
            "INSERT INTO service_costs (customer_id, occurred_on, minutes, amount_minor, currency)
             VALUES (?1, ?2, ?3, ?4, 'CNY')",
            params![who, on, minutes, amount],
        );
    }
    for (who, at) in [(c[0], "2026-04-02T10:00:00"), (c[0], "2026-06-01T09:00:00"), (c[1], "2025-01-01T09:00:00")] {
        sql(&db, "INSERT INTO interactions (customer_id, kind, occurred_at) VALUES (?1, 'call', ?2)", params![who, at]);
    }
    // Each run's members are set while it is the latest (the one with rows), then archived.
    let first = evaluate(&db, "2026-06-30");
    let m = |run, who, groups, rfm, money, clv| member(&db, run, who, groups, rfm, money, clv);
    m(
        first,
        c[0],
        ("a", "loyal", Some("active")),
        (Some("champions"), Some("important_value"), Some(5), Some(5)),
        (6_000, 5_000),
        (Some(100_000), Some(0.9)),
    );
    m(
        first,
        c[1],
        ("a", "repeat", Some("active")),
        (Some("loyal"), Some("important_keep"), Some(4), Some(5)),
        (3_000, 2_000),
        (Some(50_000), Some(0.8)),
    );
    m(
        first,
        c[2],
        ("b", "new", Some("active")),
        (Some("new"), Some("general_develop"), Some(5), Some(1)),
        (1_200, 1_000),
        (Some(1_000), Some(0.7)),
    );
    m(
        first,
        c[3],
        ("c", "at_risk", Some("dormant")),
        (Some("at_risk"), Some("important_retain"), Some(2), Some(3)),
        (800, 500),
        (None, None),
    );
    m(
        first,
        c[4],
        ("d", "churned", Some("churned")),
        (Some("hibernating"), Some("general_retain"), Some(1), Some(1)),
        (300, -500),
        (Some(0), Some(0.05)),
    );
    m(first, c[5], ("d", "prospect", None), (None, None, None, None), (0, -100), (None, None));
    let c7 = customer(&db, "客户7");
    order(&db, c7, "2026-09-01", 100, Some("online_shop"));
    let second = evaluate(&db, "2026-09-30");
    let c = [c[0], c[1], c[2], c[3], c[4], c[5], c7];

    let none = (None, None, None, None);
    m(second, c[0], ("a", "loyal", Some("active")), none, (0, 0), (None, None));
    m(second, c[1], ("b", "repeat", Some("active")), none, (0, 0), (None, None));
    m(second, c[2], ("a", "repeat", Some("active")), none, (0, 0), (None, None));
    m(second, c[3], ("d", "churned", Some("churned")), none, (0, 0), (None, None));
    m(second, c[5], ("d", "prospect", None), none, (0, 0), (None, None));
    m(second, c[6], ("c", "new", Some("active")), none, (0, 0), (None, None));
    db.with_conn(|conn| {
        crate::edit_members(conn, second, |members| members.retain(|m| m.measures.customer_id != c[4]))
    })
    .expect("c5 leaves");
    Base { db, _dir: dir, c, first, second }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn pareto_and_tiers_leave_prospects_apart() {
    let b = base();
    let figures = b.db.with_conn(|c| charts::run_charts(c, b.first)).expect("charts");
    assert_eq!(figures.customers, 6);
    let p = &figures.pareto;
    // Buyers by contribution: 5000, 2000, 1000, 500, -500; positive total 8500.
    assert_eq!((p.buyers, p.total_positive_minor), (5, 8_500));
    let expected = [(0.0, 0.0), (20.0, 5_000.0), (40.0, 7_000.0), (60.0, 8_000.0), (80.0, 8_500.0), (100.0, 8_000.0)];
    assert_eq!(p.points.len(), expected.len());
    for (point, (x, sum)) in p.points.iter().zip(expected) {
        assert!(close(point.customer_share, x), "{point:?}");
        assert!(close(point.contribution_share, sum * 100.0 / 8_500.0), "{point:?}");
    }
    let cuts: Vec<(&str, f64, f64)> =
        p.cuts.iter().map(|c| (c.tier.as_str(), c.customer_share, c.contribution_share)).collect();
    assert_eq!(cuts.len(), 3);
    for ((tier, x, y), (want_tier, want_x, want_sum)) in
        cuts.into_iter().zip([("a", 40.0, 7_000.0), ("b", 60.0, 8_000.0), ("c", 80.0, 8_500.0)])
    {
        assert_eq!(tier, want_tier);
        assert!(close(x, want_x) && close(y, want_sum * 100.0 / 8_500.0), "{tier}: {x} {y}");
    }
    assert!(close(p.head_customer_share, 40.0));
    assert!(close(p.head_contribution_share, 7_000.0 * 100.0 / 8_500.0));

    let t = &figures.tiers;
    let rows: Vec<(&str, u32, i64, i64)> =
        t.tiers.iter().map(|g| (g.key.as_str(), g.customers, g.revenue_minor, g.contribution_minor)).collect();
    assert_eq!(rows, [("a", 2, 9_000, 7_000), ("b", 1, 1_200, 1_000), ("c", 1, 800, 500), ("d", 1, 300, -500)]);
    assert_eq!(
        (t.prospects.key.as_str(), t.prospects.customers, t.prospects.contribution_minor),
        ("prospect", 1, -100)
    );
    assert_eq!(t.total_contribution_minor, 8_000);
}

#[test]
fn rfm_lifecycle_clv_and_resources_add_up_by_hand() {
    let b = base();
    let f = b.db.with_conn(|c| charts::run_charts(c, b.first)).expect("charts");
    let filled: Vec<(u8, u8, u32, i64)> =
        f.rfm_grid.iter().filter(|c| c.customers > 0).map(|c| (c.r, c.f, c.customers, c.revenue_minor)).collect();
    assert_eq!(f.rfm_grid.len(), 25);
    assert_eq!((f.rfm_grid[0].r, f.rfm_grid[0].f), (5, 1), "R5 first, F1 to F5");
    assert_eq!(filled, [(5, 1, 1, 1_200), (5, 5, 1, 6_000), (4, 5, 1, 3_000), (2, 3, 1, 800), (1, 1, 1, 300)]);

    let find = |groups: &[charts::Group], key: &str| {
        groups.iter().find(|g| g.key == key).map(|g| (g.customers, g.revenue_minor)).expect(key)
    };
    assert_eq!(find(&f.segments, "champions"), (1, 6_000));
    assert_eq!(find(&f.segments, "cant_lose_them"), (0, 0));
    assert_eq!(f.segments.len(), 10, "every named segment, the empty ones too");
    assert_eq!(f.value_classes.iter().map(|g| g.customers).sum::<u32>(), 5);
    assert_eq!(find(&f.value_classes, "important_retain"), (1, 800));
    assert_eq!(find(&f.lifecycle, "prospect"), (1, 0));
    assert_eq!(find(&f.lifecycle, "loyal"), (1, 6_000));
    assert_eq!(f.lifecycle.iter().map(|g| g.customers).sum::<u32>(), 6);
    assert_eq!(find(&f.behaviour, "active"), (3, 10_200));
    assert_eq!(f.behaviour.iter().map(|g| g.customers).sum::<u32>(), 5, "the prospect has no behaviour");

    // ¥1000 is 10^(12/4); ¥500 falls in [10^(10/4), 10^(11/4)); ¥10 is 10^(4/4).
    let bins: Vec<(i64, i64, u32)> = f.clv_bins.iter().map(|b| (b.from_minor, b.to_minor, b.customers)).collect();
    assert_eq!(bins, [(1_000, 1_778, 1), (31_623, 56_234, 1), (100_000, 177_828, 1)]);
    assert_eq!(f.clv_none, 3);
    assert_eq!(f.p_alive.len(), 4);

    let resources: Vec<(&str, u32, i64, i64, i64, u32)> = f
        .resources
        .iter()
        .map(|r| {
            (r.key.as_str(), r.customers, r.contribution_minor, r.service_cost_minor, r.service_minutes, r.interactions)
        })
        .collect();
    assert_eq!(
        resources,
        [
            ("a", 2, 7_000, 5_000, 60, 2),
            ("b", 1, 1_000, 0, 0, 0),
            ("c", 1, 500, 0, 0, 0),
            ("d", 1, -500, 800, 30, 0),
            ("prospect", 1, -100, 100, 15, 0),
        ]
    );
}

#[test]
fn migration_counts_moves_joiners_and_leavers() {
    let b = base();
    let m = b.db.with_conn(|c| charts::migration(c, b.first, b.second)).expect("migration");
    assert_eq!((m.from_as_of, m.to_as_of), (day("2026-06-30"), day("2026-09-30")));
    let t = &m.tiers;
    assert_eq!(t.rows, ["a", "b", "c", "d", "prospect", "none"]);
    let at = |from: &str, to: &str| {
        let i = t.rows.iter().position(|r| r == from).expect("row");
        let j = t.columns.iter().position(|c| c == to).expect("column");
        t.counts[i][j]
    };
    let moves =
        [("a", "a"), ("a", "b"), ("b", "a"), ("c", "d"), ("d", "none"), ("prospect", "prospect"), ("none", "c")];
    for (from, to) in moves {
        assert_eq!(at(from, to), 1, "{from} -> {to}");
    }
    assert_eq!(t.counts.iter().flatten().sum::<u32>(), 7);

    let l = &m.lifecycle;
    let at = |from: &str, to: &str| {
        let i = l.rows.iter().position(|r| r == from).expect("row");
        let j = l.columns.iter().position(|c| c == to).expect("column");
        l.counts[i][j]
    };
    assert_eq!(at("new", "repeat"), 1);
    assert_eq!(at("at_risk", "churned"), 1);
    assert_eq!(at("churned", "none"), 1);
    assert_eq!(at("none", "new"), 1);
    assert_eq!(at("loyal", "loyal") + at("repeat", "repeat") + at("prospect", "prospect"), 3);

    let missing = b.db.with_conn(|c| charts::migration(c, b.first, 999));
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
}

#[test]
fn activity_charts_by_month() {
    let b = base();
    sql(&b.db, "INSERT INTO surveys (id, kind, name, created_at) VALUES (1, 'nps', 'NPS', '2025-01-01'), (2, 'csat', 'CSAT', '2025-01-01')", []);
    for (survey, who, on, score) in [
        (1, b.c[0], "2026-08-03", 10),
        (1, b.c[1], "2026-08-09", 9),
        (1, b.c[2], "2026-08-30", 3),
        (1, b.c[3], "2025-01-05", 0),
        (2, b.c[0], "2026-09-01", 5),
        (2, b.c[1], "2026-09-30", 2),
    ] {
        sql(
            &b.db,
            "INSERT INTO survey_responses (survey_id, customer_id, responded_on, score) VALUES (?1, ?2, ?3, ?4)",
            params![survey, who, on, score],
        );
    }
    // Orders a platform cancelled or refunded are no purchase: c6 is in no cohort and neither
    // order is revenue.
    for (who, on, status) in [(b.c[5], "2026-07-02", "cancelled"), (b.c[0], "2026-09-03", "refunded")] {
        sql(
            &b.db,
            "INSERT INTO orders (customer_id, ordered_on, amount_minor, currency, channel, status)
             VALUES (?1, ?2, 5000, 'CNY', 'store', ?3)",
            params![who, on, status],
        );
    }
    let a = b.db.with_conn(|c| charts::activity_charts(c, day("2026-09-30"), 12)).expect("activity");
    assert_eq!(a.months.first().map(String::as_str), Some("2025-10"));
    assert_eq!(a.months.last().map(String::as_str), Some("2026-09"));
    assert_eq!(a.months.len(), 12);

    let scores: Vec<(&str, &str, u32, Option<f64>)> =
        a.satisfaction.iter().map(|s| (s.kind.as_str(), s.month.as_str(), s.score.responses, s.score.score)).collect();
    assert_eq!(scores.len(), 2, "{scores:?}");
    // August NPS: two promoters and a detractor of three; September CSAT: one of two satisfied.
    let (kind, month, responses, nps) = scores[0];
    assert_eq!((kind, month, responses), ("nps", "2026-08", 3));
    assert!(nps.is_some_and(|v| close(v, 100.0 / 3.0)), "{nps:?}");
    assert_eq!(scores[1], ("csat", "2026-09", 2, Some(50.0)));

    // c1 and c2 first bought in May 2026 (c1 again in June and August), c3 in June, c7 in
    // September; c4 and c5 first bought before the months shown.
    let cohorts: Vec<(&str, u32, Vec<u32>)> = a
        .cohorts
        .iter()
        .filter(|c| c.customers > 0)
        .map(|c| (c.month.as_str(), c.customers, c.retained.clone()))
        .collect();
    assert_eq!(
        cohorts,
        [("2026-05", 2, vec![2, 1, 0, 1, 0]), ("2026-06", 1, vec![1, 0, 0, 0]), ("2026-09", 1, vec![1])]
    );
    assert_eq!(a.cohorts.len(), 12);
    assert_eq!(a.cohorts[0].retained.len(), 12);

    let channels: Vec<(&str, &str, i64)> =
        a.channels.iter().map(|c| (c.month.as_str(), c.channel.as_str(), c.revenue_minor)).collect();
    assert_eq!(
        channels,
        [
            ("2026-05", "online_shop", 1_000),
            ("2026-05", "store", 2_500),
            ("2026-06", "online_shop", 1_500),
            ("2026-06", "unknown", 700),
            ("2026-07", "phone_wechat", 400),
            ("2026-08", "marketplace", 2_000),
            ("2026-09", "online_shop", 100),
        ]
    );
}

/// A demo base evaluated twice, a quarter apart, with every chart's figures.
fn demo_charts(customers: u32) -> (tempfile::TempDir, ChartSet) {
    let (dir, db) = temp_db();
    let settings = DemoSettings::new(customers, 7, day("2026-10-31"));
    db.with_tx(|tx| demo::generate(tx, settings, chrono::Utc::now(), |_, _| {})).expect("demo");
    let first = evaluate(&db, "2026-07-31");
    let second = evaluate(&db, "2026-10-31");
    let set = db.with_conn(|c| ChartSet::load(c, second, Some(first))).expect("chart set");
    (dir, set)
}

/// Width and height from a PNG's header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(bytes.get(1..4), Some(&b"PNG"[..]), "a PNG");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes"));
    (word(16), word(20))
}

#[test]
fn every_chart_renders_in_both_languages_as_png_and_svg() {
    let (_dir, set) = demo_charts(300);
    let charts = set.charts();
    assert_eq!(charts.len(), charts::Chart::ALL.len(), "the migrations are drawn with a comparison run");
    for lang in [Lang::ZhCn, Lang::En] {
        for chart in &charts {
            let svg = charts::render(&set, *chart, lang, Format::Svg).expect("svg");
            let text = String::from_utf8(svg.bytes).expect("utf-8 svg");
            assert!(text.starts_with("<svg"), "{chart:?}");
            let png = charts::render(&set, *chart, lang, Format::Png { scale: 1 }).expect("png");
            assert_eq!(png_size(&png.bytes), (1600, 900), "{chart:?}");
        }
    }
    let zh = charts::render(&set, charts::Chart::Tiers, Lang::ZhCn, Format::Svg).expect("svg");
    let zh = String::from_utf8(zh.bytes).expect("utf-8 svg");
    assert!(zh.contains("各层级客户数与利润贡献"), "the Chinese title is in the SVG as text");
    assert!(zh.contains("潜在客户"), "prospects have their own row");
    let en = charts::render(&set, charts::Chart::Pareto, Lang::En, Format::Svg).expect("svg");
    let en = String::from_utf8(en.bytes).expect("utf-8 svg");
    assert!(en.contains("of customers (tier A) bring"), "the headline");
}

#[test]
fn png_scales_multiply_the_canvas() {
    let (_dir, set) = demo_charts(120);
    for scale in [1, 2, 3] {
        let png = charts::render(&set, charts::Chart::Pareto, Lang::ZhCn, Format::Png { scale }).expect("png");
        assert_eq!(png_size(&png.bytes), (1600 * scale, 900 * scale));
        assert_eq!((png.width, png.height), (1600 * scale, 900 * scale));
    }
    let svg = |chart| charts::render(&set, chart, Lang::ZhCn, Format::Svg).expect("svg").bytes;
    assert_eq!(svg(charts::Chart::Cohorts), svg(charts::Chart::Cohorts), "the same figures draw the same SVG");
    let too_big = charts::render(&set, charts::Chart::Pareto, Lang::En, Format::Png { scale: 9 });
    assert!(matches!(too_big, Err(Error::Validation(_))), "{too_big:?}");
}

#[test]
fn without_a_comparison_the_migrations_are_left_out() {
    let (_dir, mut set) = demo_charts(120);
    set.migration = None;
    let charts = set.charts();
    assert!(!charts.contains(&charts::Chart::TierMigration));
    assert_eq!(charts.len(), charts::Chart::ALL.len() - 2);
}

/// Writes every chart of a 2,000-customer demo to target/chart-samples to be looked at:
/// `cargo test -p headtail-core --test storage chart_samples -- --ignored`.
#[test]
#[ignore = "writes sample pictures"]
fn chart_samples() {
    let (_dir, set) = demo_charts(2_000);
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/chart-samples");
    std::fs::create_dir_all(&out).expect("sample folder");
    for lang in [Lang::ZhCn, Lang::En] {
        for chart in charts::render_all(&set, lang, Format::Png { scale: 1 }).expect("charts") {
            let name = format!("{}.{}.png", chart.chart.as_str(), lang.code());
            std::fs::write(out.join(name), chart.bytes).expect("write sample");
        }
        for chart in charts::render_all(&set, lang, Format::Svg).expect("charts") {
            let name = format!("{}.{}.svg", chart.chart.as_str(), lang.code());
            std::fs::write(out.join(name), chart.bytes).expect("write sample");
        }
    }
}

/// Times the chart figures and drawing on a large database, opened read-only:
/// `HEADTAIL_CHARTS_DB=/path/to.sqlite cargo test -p headtail-core --test storage charts_timing -- --ignored --nocapture`.
#[test]
#[ignore = "needs a large database"]
fn charts_timing() {
    let Some(path) = std::env::var_os("HEADTAIL_CHARTS_DB") else { return };
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let run: i64 = conn
        .query_row("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .expect("a run");
    let clock = std::time::Instant::now();
    let figures = charts::run_charts(&conn, run).expect("run charts");
    let run_seconds = clock.elapsed().as_secs_f64();
    let clock = std::time::Instant::now();
    let activity = charts::activity_charts(&conn, figures.as_of, 12).expect("activity");
    let activity_seconds = clock.elapsed().as_secs_f64();
    let clock = std::time::Instant::now();
    let migration = charts::migration(&conn, run, run).expect("migration");
    let migration_seconds = clock.elapsed().as_secs_f64();
    let set = ChartSet { run: figures, activity, migration: Some(migration) };
    let clock = std::time::Instant::now();
    let png = charts::render_all(&set, Lang::ZhCn, Format::Png { scale: 1 }).expect("png");
    let png_seconds = clock.elapsed().as_secs_f64();
    let clock = std::time::Instant::now();
    let svg = charts::render_all(&set, Lang::ZhCn, Format::Svg).expect("svg");
    let svg_seconds = clock.elapsed().as_secs_f64();
    println!(
        "{} customers: run figures {run_seconds:.2} s, activity {activity_seconds:.2} s, migration \
         {migration_seconds:.2} s; {} PNG {png_seconds:.2} s, {} SVG {svg_seconds:.2} s",
        set.run.customers,
        png.len(),
        svg.len()
    );
}
