//! `headtail charts` on a small demo business: every chart as PNG and SVG, and summary.json
//! whose figures equal the same sums made from `headtail evaluate --out`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn headtail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headtail"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("HEADTAIL_DB")
        .output()
        .expect("run headtail")
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Minor units of a decimal amount like `-12.30`.
fn minor(text: &str) -> i64 {
    let negative = text.starts_with('-');
    let (whole, cents) = text.trim_start_matches('-').split_once('.').unwrap_or((text.trim_start_matches('-'), "0"));
    let cents = format!("{cents:0<2}");
    let value = whole.parse::<i64>().expect("whole") * 100 + cents[..2].parse::<i64>().expect("cents");
    if negative {
        -value
    } else {
        value
    }
}

#[test]
fn charts_writes_every_chart_and_a_summary_matching_the_members_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shop.sqlite");
    ok(&headtail(&["demo", "--db", s(&db), "--customers", "150", "--until", "2026-10-31"]), "demo");

    let none = headtail(&["charts", "--db", s(&db), "--out", s(&dir.path().join("early"))]);
    assert_eq!(none.status.code(), Some(1), "no evaluation yet");
    assert!(String::from_utf8_lossy(&none.stderr).contains("run `headtail evaluate` first"));

    ok(
        &headtail(&["evaluate", "--db", s(&db), "--as-of", "2026-07-31", "--out", s(&dir.path().join("a.csv"))]),
        "evaluate",
    );
    let members = dir.path().join("members.csv");
    ok(&headtail(&["evaluate", "--db", s(&db), "--as-of", "2026-10-31", "--out", s(&members)]), "evaluate");

    let out = dir.path().join("charts");
    let run = headtail(&["charts", "--db", s(&db), "--out", s(&out), "--lang", "en", "--compare", "1"]);
    ok(&run, "charts");
    for chart in ["pareto", "tiers", "rfm_grid", "tier_migration", "lifecycle_migration", "cohorts", "resources"] {
        for extension in ["png", "svg"] {
            let file = out.join(format!("{chart}.{extension}"));
            assert!(std::fs::metadata(&file).is_ok_and(|m| m.len() > 1_000), "{}", file.display());
        }
    }
    let pngs = std::fs::read_dir(&out)
        .expect("folder")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png")))
        .count();
    assert_eq!(pngs, 15);

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary")).expect("json");
    assert_eq!(summary["run_id"], 2);
    assert_eq!(summary["as_of"], "2026-10-31");
    assert_eq!(summary["customers"], 150);
    assert_eq!(summary["language"], "en");
    assert_eq!(summary["migration"]["from_run"], 1);

    // The same sums from the members file: prospects apart from the tiers.
    let mut tiers: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut stages: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut segments: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&members).expect("members");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (tier, stage, segment, monetary, contribution) =
        (column("tier"), column("lifecycle_stage"), column("rfm_segment"), column("monetary"), column("contribution"));
    for record in reader.records() {
        let r = record.expect("row");
        let group = if &r[stage] == "prospect" { "prospect".to_owned() } else { r[tier].to_lowercase() };
        let t = tiers.entry(group).or_default();
        t.0 += 1;
        t.1 += minor(&r[contribution]);
        let l = stages.entry(r[stage].to_owned()).or_default();
        l.0 += 1;
        l.1 += minor(&r[monetary]);
        if !r[segment].is_empty() {
            let g = segments.entry(r[segment].to_owned()).or_default();
            g.0 += 1;
            g.1 += minor(&r[monetary]);
        }
    }
    let rows = |key: &str, name: &str| -> BTreeMap<String, (u64, i64)> {
        summary[key]
            .as_array()
            .expect(key)
            .iter()
            .filter(|g| g["customers"].as_u64() != Some(0))
            .map(|g| {
                let figure = if key == "tiers" { "contribution_minor" } else { "revenue_minor" };
                (
                    g[name].as_str().expect(name).to_owned(),
                    (g["customers"].as_u64().expect("n"), g[figure].as_i64().expect("sum")),
                )
            })
            .collect()
    };
    let mut summary_tiers = rows("tiers", "tier");
    let prospects = &summary["prospects"];
    if prospects["customers"].as_u64() != Some(0) {
        summary_tiers.insert(
            "prospect".into(),
            (prospects["customers"].as_u64().expect("n"), prospects["contribution_minor"].as_i64().expect("sum")),
        );
    }
    assert_eq!(summary_tiers, tiers);
    assert_eq!(rows("lifecycle", "key"), stages);
    assert_eq!(rows("rfm_segments", "key"), segments);
    let shares: f64 = summary["tiers"].as_array().expect("tiers").iter().filter_map(|t| t["share"].as_f64()).sum();
    assert!((shares - 100.0).abs() < 1e-6, "tier shares add up to 100: {shares}");
    for survey in summary["satisfaction"].as_array().expect("satisfaction") {
        let months: u64 =
            survey["by_month"].as_array().expect("months").iter().filter_map(|m| m["responses"].as_u64()).sum();
        assert_eq!(survey["responses"].as_u64(), Some(months), "{survey}");
    }

    let svg = std::fs::read_to_string(out.join("tiers.svg")).expect("svg");
    assert!(svg.contains("Customers and profit contribution by tier"));
    let zh = dir.path().join("zh");
    ok(&headtail(&["charts", "--db", s(&db), "--out", s(&zh), "--scale", "2"]), "charts in Chinese");
    let svg = std::fs::read_to_string(zh.join("tiers.svg")).expect("svg");
    assert!(svg.contains("各层级客户数与利润贡献"));
    assert!(!zh.join("tier_migration.png").exists(), "no migration without a comparison run");
    let png = std::fs::read(zh.join("pareto.png")).expect("png");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().expect("width")), 3200);

    let bad = headtail(&["charts", "--db", s(&db), "--out", s(&zh), "--lang", "fr"]);
    assert_eq!(bad.status.code(), Some(2), "an unknown language is a usage error");
    let missing = headtail(&["charts", "--db", s(&db), "--out", s(&zh), "--run", "99"]);
    assert_ne!(missing.status.code(), Some(0), "a run that is not there");
}

#[test]
fn report_writes_the_workbook_member_lists_and_pdf_beside_the_charts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shop.sqlite");
    ok(&headtail(&["demo", "--db", s(&db), "--customers", "120", "--until", "2026-10-31"]), "demo");

    let none = headtail(&["report", "--db", s(&db), "--out", s(&dir.path().join("early"))]);
    assert_eq!(none.status.code(), Some(1), "no evaluation yet");
    assert!(String::from_utf8_lossy(&none.stderr).contains("run `headtail evaluate` first"));
    assert!(!dir.path().join("early").exists(), "nothing written");

    for as_of in ["2026-07-31", "2026-10-31"] {
        let members = dir.path().join(format!("{as_of}.csv"));
        ok(&headtail(&["evaluate", "--db", s(&db), "--as-of", as_of, "--out", s(&members)]), "evaluate");
    }
    let out = dir.path().join("report");
    let run = headtail(&["report", "--db", s(&db), "--out", s(&out), "--lang", "en", "--compare-run", "1"]);
    ok(&run, "report");
    assert!(String::from_utf8_lossy(&run.stderr).contains("report of run 2"));
    for name in ["pareto.png", "tier_migration.svg", "summary.json", "report.xlsx", "members_tier_c.csv"] {
        assert!(std::fs::metadata(out.join(name)).is_ok_and(|m| m.len() > 100), "{name}");
    }
    let csv = std::fs::read(out.join("members_prospects.csv")).expect("prospects");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "the BOM");
    let pdf = std::fs::read(out.join("report.pdf")).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    // The title carries the database's name when no business name is stored.
    let title = "shop · Customer report · 2026-10-31";
    let utf16: Vec<u8> = title.encode_utf16().flat_map(u16::to_be_bytes).collect();
    assert!(
        pdf.windows(title.len()).any(|w| w == title.as_bytes()) || pdf.windows(utf16.len()).any(|w| w == utf16),
        "the document title"
    );

    let missing = headtail(&["report", "--db", s(&db), "--out", s(&out), "--run", "99"]);
    assert_ne!(missing.status.code(), Some(0), "a run that is not there");

    let fresh = dir.path().join("fresh");
    let evaluated = headtail(&["report", "--db", s(&db), "--out", s(&fresh), "--as-of", "2026-09-30"]);
    ok(&evaluated, "report as of a date");
    assert!(String::from_utf8_lossy(&evaluated.stderr).contains("report of run 3"), "a new run is reported");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fresh.join("summary.json")).expect("summary")).expect("json");
    assert_eq!(summary["as_of"], "2026-09-30");
    let both = headtail(&["report", "--db", s(&db), "--out", s(&fresh), "--as-of", "2026-09-30", "--run", "1"]);
    assert_eq!(both.status.code(), Some(2), "a run and a date are one too many");
}
