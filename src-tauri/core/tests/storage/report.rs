//! The report folder of a small demo business: the charts and summary, report.xlsx with a
//! native chart on each sheet, one members CSV per tier and report.pdf with its title page.

use crate::temp_db;
use calamine::{Data, DataType, Reader};
use chrono::NaiveDate;
use headtail_core::charts::{self, FolderRequest, Lang};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::Database;
use std::io::Read;
use std::path::Path;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// A demo business evaluated twice, a quarter apart: (first run, second run).
fn demo_runs(db: &Database, customers: u32) -> (i64, i64) {
    let settings = DemoSettings::new(customers, 7, day("2026-10-31"));
    db.with_tx(|tx| demo::generate(tx, settings, chrono::Utc::now(), |_, _| {})).expect("demo");
    let run = |as_of: &str| store::run(db, day(as_of), Trigger::Manual, &mut |_, _| {}).expect("run").0.id;
    (run("2026-07-31"), run("2026-10-31"))
}

/// Every stream of a PDF, inflated where it is compressed.
fn pdf_streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut streams = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&pdf[at..], b"stream").map(|i| at + i) {
        // `endstream` also holds `stream`: skip it.
        if pdf[..start].ends_with(b"end") {
            at = start + 6;
            continue;
        }
        let mut body = start + 6;
        if pdf.get(body) == Some(&b'\r') {
            body += 1;
        }
        if pdf.get(body) == Some(&b'\n') {
            body += 1;
        }
        let Some(end) = find(&pdf[body..], b"endstream").map(|i| body + i) else { break };
        let raw = &pdf[body..end];
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(raw).read_to_end(&mut inflated).is_ok() {
            streams.push(inflated);
        } else {
            streams.push(raw.to_vec());
        }
        at = end + 9;
    }
    streams
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ascii"), 16).expect("hex digit"))
        .collect()
}

/// The strings shown by a content stream, one per text object (`BT` ... `ET`), as raw codes:
/// literal strings with their escapes undone, and hex strings.
fn shown_strings(content: &[u8]) -> Vec<Vec<u8>> {
    let mut objects = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'(' => {
                let (mut depth, mut bytes) = (1, Vec::new());
                i += 1;
                while i < content.len() && depth > 0 {
                    match content[i] {
                        b'\\' => {
                            i += 1;
                            let c = content.get(i).copied().unwrap_or(b'\\');
                            match c {
                                b'0'..=b'7' => {
                                    let mut value = 0_u32;
                                    let mut digits = 0;
                                    while digits < 3 && matches!(content.get(i), Some(b'0'..=b'7')) {
                                        value = value * 8 + u32::from(content[i] - b'0');
                                        i += 1;
                                        digits += 1;
                                    }
                                    bytes.push(value as u8);
                                    continue;
                                }
                                b'n' => bytes.push(b'\n'),
                                b'r' => bytes.push(b'\r'),
                                b't' => bytes.push(b'\t'),
                                b'b' => bytes.push(8),
                                b'f' => bytes.push(12),
                                other => bytes.push(other),
                            }
                        }
                        b'(' => {
                            depth += 1;
                            bytes.push(b'(');
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                bytes.push(b')');
                            }
                        }
                        other => bytes.push(other),
                    }
                    i += 1;
                }
                if let Some(text) = current.as_mut() {
                    text.extend(bytes);
                }
            }
            b'<' if content.get(i + 1) != Some(&b'<') => {
                let end = content[i..].iter().position(|&c| c == b'>').map_or(content.len(), |p| i + p);
                if let Some(text) = current.as_mut() {
                    text.extend(hex(&String::from_utf8_lossy(&content[i + 1..end])));
                }
                i = end + 1;
            }
            b'B' if content.get(i + 1) == Some(&b'T') => {
                current = Some(Vec::new());
                i += 2;
            }
            b'E' if content.get(i + 1) == Some(&b'T') => {
                objects.extend(current.take());
                i += 2;
            }
            _ => i += 1,
        }
    }
    objects
}

/// The text of a PDF as a reader extracts it: the glyph codes shown mapped back to characters
/// through the fonts' ToUnicode maps (two-byte codes, as CID fonts write them), one line per
/// text object.
fn pdf_text(pdf: &[u8]) -> String {
    let streams = pdf_streams(pdf);
    let mut to_unicode = std::collections::HashMap::new();
    for s in streams.iter().map(|s| String::from_utf8_lossy(s).into_owned()).filter(|s| s.contains("begincmap")) {
        for block in s.split("beginbfchar").skip(1) {
            let block = block.split("endbfchar").next().unwrap_or_default();
            let codes: Vec<&str> = block.split(['<', '>']).map(str::trim).filter(|t| !t.is_empty()).collect();
            for pair in codes.chunks(2) {
                if let [code, text] = pair {
                    let units: Vec<u16> =
                        hex(text).chunks(2).map(|b| u16::from_be_bytes([b[0], *b.get(1).unwrap_or(&0)])).collect();
                    to_unicode.insert(hex(code), String::from_utf16_lossy(&units));
                }
            }
        }
    }
    let mut text = String::new();
    for stream in streams.iter().filter(|s| !s.windows(9).any(|w| w == b"begincmap")) {
        for shown in shown_strings(stream) {
            for glyph in shown.chunks(2) {
                text.push_str(to_unicode.get(glyph).map_or("", String::as_str));
            }
            text.push('\n');
        }
    }
    text
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Page objects, written `/Type/Page` or `/Type /Page`, not the page tree's `/Pages`.
fn pages(pdf: &[u8]) -> usize {
    let all = count(pdf, b"/Type/Page") + count(pdf, b"/Type /Page");
    all - count(pdf, b"/Type/Pages") - count(pdf, b"/Type /Pages")
}

#[test]
fn report_folder_holds_workbook_member_lists_and_pdf() {
    let (dir, db) = temp_db();
    let (first, second) = demo_runs(&db, 300);
    db.with_conn(|c| Ok(c.execute("INSERT INTO settings (key, value) VALUES ('business_name', '华东电子商行')", [])?))
        .expect("business name");
    let out = dir.path().join("report");
    let request = FolderRequest { run: None, compare: Some(first), lang: Lang::ZhCn, scale: 1 };
    let written = charts::write_report(&db, request, &out).expect("report");
    assert_eq!(written.run_id, second);

    // Every file listed is there, and only those.
    let mut on_disk: Vec<String> = std::fs::read_dir(&out)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> =
        written.files.iter().map(|f| f.file_name().expect("name").to_string_lossy().into_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    let charts = charts::Chart::ALL.len();
    assert_eq!(listed.len(), charts * 2 + 1 + 1 + 5 + 1, "{listed:?}");
    for name in ["summary.json", "report.xlsx", "report.pdf", "members_tier_a.csv", "members_prospects.csv"] {
        assert!(listed.iter().any(|f| f == name), "{name}");
    }

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary")).expect("json");
    let tiers = summary["tiers"].as_array().expect("tiers");

    // report.xlsx: the tier sheet's numbers are the summary's, as numbers.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).expect("open xlsx");
    let sheets = book.sheet_names();
    assert_eq!(
        sheets,
        ["客户层级", "生命周期", "RFM分群", "八类客户价值", "满意度", "层级迁移", "生命周期迁移"].map(String::from)
    );
    let range = book.worksheet_range("客户层级").expect("tier sheet");
    assert_eq!(range.get((0, 1)), Some(&Data::String("客户数".into())));
    assert_eq!(range.get((0, 2)), Some(&Data::String("利润贡献（CNY）".into())));
    let number = |r: usize, c: usize| match range.get((r, c)) {
        Some(Data::Float(v)) => *v,
        other => panic!("a number at ({r}, {c}): {other:?}"),
    };
    for (i, tier) in tiers.iter().enumerate() {
        let row = i + 1;
        assert_eq!(number(row, 1), tier["customers"].as_f64().expect("customers"), "row {row}");
        let contribution = tier["contribution_minor"].as_f64().expect("contribution") / 100.0;
        assert!((number(row, 2) - contribution).abs() < 1e-9, "row {row}");
        let share = tier["share"].as_f64().expect("share") / 100.0;
        assert!((number(row, 3) - share).abs() < 1e-12, "row {row}");
    }
    assert_eq!(range.get((5, 0)), Some(&Data::String("潜在客户".into())));
    assert_eq!(number(5, 1), summary["prospects"]["customers"].as_f64().expect("prospects"));
    let moved = book.worksheet_range("层级迁移").expect("migration sheet");
    let moved_total: f64 = moved.rows().skip(1).flat_map(|r| r.iter().skip(1)).filter_map(|c| c.get_float()).sum();
    let matrix_total: u64 = summary["migration"]["tiers"]["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .flat_map(|r| r.as_array().expect("row").iter().filter_map(serde_json::Value::as_u64))
        .sum();
    assert_eq!(moved_total, matrix_total as f64);

    // A native chart on every sheet: chart parts, each sheet with its drawing.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(out.join("report.xlsx")).expect("xlsx")).expect("zip");
    let names: Vec<String> = zip.file_names().map(|n| n.expect("entry name").into_owned()).collect();
    let chart_parts = names.iter().filter(|n| n.starts_with("xl/charts/chart")).count();
    assert!(chart_parts >= sheets.len(), "{names:?}");
    for sheet in 1..=sheets.len() {
        assert!(names.contains(&format!("xl/drawings/drawing{sheet}.xml")), "sheet {sheet} has a drawing");
    }
    let mut chart = String::new();
    zip.by_name("xl/charts/chart1.xml").expect("chart1").read_to_string(&mut chart).expect("chart xml");
    assert!(chart.contains("<c:barChart>") && chart.contains("客户层级!$B$2:$B$6"), "{chart}");

    // One members CSV per tier and for the prospects, with the BOM, a row per member.
    let groups =
        tiers.iter().map(|t| (t["tier"].as_str().expect("tier"), t)).chain([("prospects", &summary["prospects"])]);
    for (group, figures) in groups {
        let name =
            if group == "prospects" { "members_prospects.csv".into() } else { format!("members_tier_{group}.csv") };
        let bytes = std::fs::read(out.join(&name)).expect("members csv");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{name} starts with the BOM");
        let rows = csv::Reader::from_reader(&bytes[3..]).records().count() as u64;
        assert_eq!(Some(rows), figures["customers"].as_u64(), "{name}");
    }

    // report.pdf: a title page and a page per chart, the font embedded, the text readable.
    let pdf = std::fs::read(out.join("report.pdf")).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pages(&pdf), charts + 1);
    assert!(find(&pdf, b"/FontFile").is_some(), "the font is embedded");
    let text = pdf_text(&pdf);
    assert!(text.contains("华东电子商行"), "the business name on the title page: {text}");
    assert!(text.contains("客户分层报告"), "{text}");
    assert!(text.contains("评估日期 2026-10-31"), "{text}");
    assert!(text.contains("A 头部客户"), "the tier table: {text}");
}

#[test]
fn report_in_english_without_a_comparison() {
    let (dir, db) = temp_db();
    demo_runs(&db, 120);
    let out = dir.path().join("report");
    let request = FolderRequest { run: None, compare: None, lang: Lang::En, scale: 1 };
    let written = charts::write_report(&db, request, &out).expect("report");
    let charts = charts::Chart::ALL.len() - 2;
    assert_eq!(written.files.len(), charts * 2 + 1 + 1 + 5 + 1);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).expect("open xlsx");
    assert_eq!(
        book.sheet_names(),
        ["Tiers", "Lifecycle", "RFM segments", "Value classes", "Satisfaction"].map(String::from)
    );
    let range = book.worksheet_range("Satisfaction").expect("satisfaction");
    assert_eq!(range.get((0, 0)), Some(&Data::String("Month".into())));
    assert!(range.height() > 1, "months of survey answers");
    let pdf = std::fs::read(out.join("report.pdf")).expect("pdf");
    assert_eq!(pages(&pdf), charts + 1);
    let text = pdf_text(&pdf);
    assert!(text.contains("headtail"), "the database file's name stands for the business: {text}");
    assert!(text.contains("Customer report"), "{text}");
    let members = String::from_utf8(std::fs::read(out.join("members_tier_a.csv")).expect("csv")).expect("utf-8");
    assert!(members.lines().next().is_some_and(|l| l.contains("Value tier")), "headers in English");
    assert!(members.lines().skip(1).all(|l| l.contains(",A · Head,")), "only tier A");
}

/// Writes the report of a 2,000-customer demo to target/report-sample to be looked at, and
/// prints how long each part took:
/// `cargo test -p headtail-core --test storage report_sample -- --ignored --nocapture`.
#[test]
#[ignore = "writes a sample report"]
fn report_sample() {
    let (_dir, db) = temp_db();
    let (first, _) = demo_runs(&db, 2_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/report-sample");
    for lang in [Lang::ZhCn, Lang::En] {
        let out = root.join(lang.code());
        let request = FolderRequest { run: None, compare: Some(first), lang, scale: 1 };
        let w = charts::write_report(&db, request, &out).expect("report");
        println!(
            "{}: {} files; charts {:.2} s, workbook {:.2} s, members {:.2} s, pdf {:.2} s",
            lang.code(),
            w.files.len(),
            w.charts_seconds,
            w.workbook_seconds,
            w.members_seconds,
            w.pdf_seconds
        );
    }
}
