//! `headtail clv-fit` on the CDNOW sample against the published parameters, and
//! `headtail evaluate` on a small purchase history whose results are known by hand.

use std::path::{Path, PathBuf};
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

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10_f64.powi(digits);
    (value * scale).round() / scale
}

/// The CDNOW sample as a transaction file: sample id, date (YYYYMMDD), dollar value.
fn cdnow_csv(dir: &Path) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/core/tests/data/cdnow/CDNOW_sample.txt");
    let text = std::fs::read_to_string(sample).expect("sample");
    let mut csv = String::from("customer_id,date,amount\n");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        csv.push_str(&format!("{},{},{}\n", f[1], f[2], f[4]));
    }
    let path = dir.join("cdnow.csv");
    std::fs::write(&path, csv).expect("write");
    path
}

#[test]
fn clv_fit_reproduces_the_published_cdnow_parameters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let orders = cdnow_csv(dir.path());
    let out = headtail(&["clv-fit", "--orders", s(&orders), "--calibration-end", "1997-09-30", "--unit", "week"]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let get = |model: &str, key: &str| json[model][key].as_f64().expect(key);
    assert_eq!(json["customers"], 2357);
    assert_eq!(json["repeat_buyers"], 946);
    assert_eq!(json["repeat_purchases"], 2457);
    assert_eq!(
        [
            round(get("bgnbd", "r"), 3),
            round(get("bgnbd", "alpha"), 3),
            round(get("bgnbd", "a"), 3),
            round(get("bgnbd", "b"), 3)
        ],
        [0.243, 4.414, 0.793, 2.426]
    );
    assert_eq!(round(get("bgnbd", "log_likelihood"), 1), -9582.4);
    assert_eq!(
        [round(get("gamma_gamma", "p"), 2), round(get("gamma_gamma", "q"), 2), round(get("gamma_gamma", "gamma"), 2)],
        [6.25, 3.74, 15.44]
    );
    assert_eq!(round(get("gamma_gamma", "log_likelihood"), 1), -4055.9);
    // Days instead of weeks: alpha in days, the rest unchanged.
    let out = headtail(&["clv-fit", "--orders", s(&orders), "--calibration-end", "1997-09-30"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(round(json["bgnbd"]["alpha"].as_f64().expect("alpha") / 7.0, 3), 4.414);
}

#[test]
fn clv_fit_names_a_bad_row_and_degenerate_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "customer_id,date,amount\nA,2024-01-01,10\nB,2024-13-45,5\n").expect("write");
    let out = headtail(&["clv-fit", "--orders", s(&bad), "--calibration-end", "2024-06-30"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 3") && err.contains("2024-13-45"), "{err}");

    let once = dir.path().join("once.csv");
    std::fs::write(&once, "customer_id,date,amount\nA,2024-01-01,10\nB,2024-02-01,5\n").expect("write");
    let out = headtail(&["clv-fit", "--orders", s(&once), "--calibration-end", "2024-06-30"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not enough data"));
}

/// A shop database in `dir` with five buyers whose assignments on 2026-06-30 are known.
fn five_buyers(dir: &Path) -> PathBuf {
    let db = dir.join("shop.sqlite");
    let orders = dir.join("orders.csv");
    // C1 buys big and often, C2 once just now, C3 stopped long ago, C4 once months ago,
    // C5 came back after three years.
    let rows = [
        ("C1", "2026-01-05", "50000.00"),
        ("C1", "2026-03-05", "50000.00"),
        ("C1", "2026-05-05", "50000.00"),
        ("C1", "2026-06-20", "50000.00"),
        ("C2", "2026-06-25", "100.00"),
        ("C3", "2025-01-10", "80.00"),
        ("C3", "2025-02-10", "80.00"),
        ("C4", "2026-02-01", "200.00"),
        ("C5", "2023-05-01", "150.00"),
        ("C5", "2026-06-28", "300.00"),
    ];
    let mut csv = String::from("订单号,客户编号,下单日期,金额\n");
    for (n, (customer, date, amount)) in rows.iter().enumerate() {
        csv.push_str(&format!("SO{n},{customer},{date},{amount}\n"));
    }
    std::fs::write(&orders, csv).expect("write");
    let out = headtail(&["import", "--db", s(&db), "--kind", "orders", s(&orders)]);
    assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
    db
}

#[test]
fn evaluate_writes_one_row_per_customer_with_the_expected_assignments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = five_buyers(dir.path());
    let members = dir.path().join("members.csv");
    let out = headtail(&["evaluate", "--db", s(&db), "--as-of", "2026-06-30", "--out", s(&members)]);
    assert!(out.status.success(), "evaluate: {}", String::from_utf8_lossy(&out.stderr));
    let mut reader = csv::Reader::from_path(&members).expect("members file");
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "customer_id",
            "external_id",
            "name",
            "recency_days",
            "frequency",
            "monetary",
            "r_score",
            "f_score",
            "m_score",
            "rfm_segment",
            "value_class",
            "contribution",
            "tier",
            "lifecycle_stage",
            "p_alive",
            "expected_purchases_12m",
            "predicted_clv",
            "service_level",
            "exit_candidate",
            "exit_step",
            "next_best_action",
            "upsell_category",
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 5);
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let row = |id: &str| records.iter().find(|r| &r[col("external_id")] == id).expect(id).clone();
    let field = |id: &str, name: &str| row(id)[col(name)].to_owned();

    // Recency in days; five buyers are too few for quintiles, so the fixed scale scores them:
    // 5 within 30 days, 3 within 180, 1 past a year.
    assert_eq!(field("C5", "recency_days"), "2");
    assert_eq!(field("C5", "r_score"), "5");
    assert_eq!(field("C2", "r_score"), "5");
    assert_eq!(field("C1", "r_score"), "5");
    assert_eq!(field("C4", "r_score"), "3");
    assert_eq!(field("C3", "r_score"), "1");
    assert_eq!((field("C1", "f_score"), field("C1", "m_score")), ("4".into(), "5".into()));
    // F and M over the 12 months before 2026-06-30.
    assert_eq!((field("C1", "frequency"), field("C1", "monetary")), ("4".into(), "200000.00".into()));
    assert_eq!((field("C3", "frequency"), field("C3", "monetary")), ("0".into(), "0.00".into()));
    assert_eq!(field("C1", "contribution"), "60000.00", "30 % default margin");
    // Tiers: C1 alone makes 99 % of the contribution; C3 brought nothing this year.
    assert_eq!(field("C1", "tier"), "A");
    assert_eq!(field("C1", "service_level"), "vip");
    assert_eq!(field("C2", "tier"), "C");
    assert_eq!(field("C3", "tier"), "D");
    assert_eq!(field("C3", "service_level"), "self_service");
    // Lifecycle by the definitions.
    assert_eq!(field("C2", "lifecycle_stage"), "new");
    assert_eq!(field("C3", "lifecycle_stage"), "churned");
    assert_eq!(field("C4", "lifecycle_stage"), "at_risk");
    assert_eq!(field("C4", "next_best_action"), "win_back");
    assert_eq!(field("C5", "lifecycle_stage"), "won_back");
    for r in &records {
        let p = &r[col("p_alive")];
        assert!(p.is_empty() || (0.0..=1.0).contains(&p.parse::<f64>().expect("number")), "{p}");
        assert_eq!(&r[col("exit_candidate")], "no");
    }

    // To standard output without --out, and the run is kept each time.
    let out = headtail(&["evaluate", "--db", s(&db), "--as-of", "2026-06-30"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 6);
    let bad = headtail(&["evaluate", "--db", s(&db), "--as-of", "2026-02-30"]);
    assert!(!bad.status.success());
}

/// A members file as its header and rows.
fn read_members(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().expect("header").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.expect("row").iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[test]
fn evaluate_lang_writes_headers_and_labels_in_that_language_after_a_bom() {
    use headtail_core::evaluation::{ExitStep, Lifecycle, NextActionKind, RfmSegment, ServiceLevel, Tier, ValueClass};
    use headtail_core::labels::Label;
    use headtail_core::settings::Language;

    let dir = tempfile::tempdir().expect("temp dir");
    let db = five_buyers(dir.path());
    let write = |name: &str, lang: Option<&str>| -> Vec<u8> {
        let path = dir.path().join(name);
        let mut args = vec!["evaluate", "--db", s(&db), "--as-of", "2026-06-30", "--out", s(&path)];
        args.extend(lang.map(|l| ["--lang", l]).into_iter().flatten());
        let out = headtail(&args);
        assert!(out.status.success(), "evaluate {lang:?}: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::read(&path).expect("members file")
    };
    let codes = write("codes.csv", None);
    assert!(!codes.starts_with(BOM), "a file for scripts has no byte-order mark");
    assert!(codes.starts_with(b"customer_id,external_id,name,"), "code headers stay as they were");
    let (code_header, code_rows) = read_members(&codes);
    let zh = write("zh.csv", Some("zh-CN"));
    assert!(zh.starts_with(BOM), "Excel needs the byte-order mark to read UTF-8");
    let (zh_header, zh_rows) = read_members(&zh[BOM.len()..]);
    let en = write("en.csv", Some("en"));
    assert!(en.starts_with(BOM));
    let (en_header, en_rows) = read_members(&en[BOM.len()..]);

    assert_eq!(&zh_header[..3], ["编号", "客户编号", "客户名称"]);
    for h in ["RFM 分群", "价值分类", "利润贡献", "价值层级", "生命周期阶段", "服务等级", "建议的下一步"]
    {
        assert!(zh_header.iter().any(|x| x == h), "{h} in {zh_header:?}");
    }
    for h in ["Customer ID", "RFM segment", "Value class", "Value tier", "Lifecycle stage", "Service level"] {
        assert!(en_header.iter().any(|x| x == h), "{h} in {en_header:?}");
    }
    assert_eq!((zh_header.len(), en_header.len()), (code_header.len(), code_header.len()));

    // Row for row, cell for cell: the label of the code, or the same value.
    let code = |name: &str| code_header.iter().position(|h| h == name).expect(name);
    let label_of = |column: &str, value: &str, language: Language| -> Option<&'static str> {
        fn of<T: Label>(value: &str, language: Language) -> Option<&'static str> {
            T::all().iter().find(|v| v.code() == value).map(|v| v.label(language))
        }
        match column {
            "rfm_segment" => of::<RfmSegment>(value, language),
            "value_class" => of::<ValueClass>(value, language),
            "tier" => of::<Tier>(&value.to_lowercase(), language),
            "lifecycle_stage" => of::<Lifecycle>(value, language),
            "service_level" => of::<ServiceLevel>(value, language),
            "exit_step" => of::<ExitStep>(value, language),
            "next_best_action" => of::<NextActionKind>(value, language),
            "exit_candidate" => Some(headtail_core::labels::yes_no(value == "yes", Some(language))),
            _ => None,
        }
    };
    let mut labelled = 0;
    for (language, rows) in [(Language::ZhCn, &zh_rows), (Language::En, &en_rows)] {
        assert_eq!(rows.len(), code_rows.len());
        for (coded, translated) in code_rows.iter().zip(rows.iter()) {
            for (i, column) in code_header.iter().enumerate() {
                let expected = match label_of(column, &coded[i], language) {
                    Some(label) if !coded[i].is_empty() => {
                        labelled += 1;
                        label.to_owned()
                    }
                    _ => coded[i].clone(),
                };
                assert_eq!(translated[i], expected, "{language:?} {column} of {}", coded[code("external_id")]);
            }
        }
    }
    assert!(labelled > 40, "the label columns were compared ({labelled})");

    // What a Chinese user sees for the big buyer and the one who stopped.
    let zh_col = |name: &str| zh_header.iter().position(|h| h == name).expect(name);
    let zh_row = |id: &str| zh_rows.iter().find(|r| r[1] == id).expect(id);
    assert_eq!(zh_row("C1")[zh_col("价值层级")], "A 头部客户");
    assert_eq!(zh_row("C1")[zh_col("服务等级")], "VIP");
    assert_eq!(zh_row("C3")[zh_col("生命周期阶段")], "已流失");
    assert!(!zh.windows(b"churned".len()).any(|w| w == b"churned"), "no code is left in the Chinese file");
}

#[test]
fn evaluate_refuses_a_language_it_does_not_have() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shop.sqlite");
    let out = dir.path().join("members.csv");
    let bad = headtail(&["evaluate", "--db", s(&db), "--out", s(&out), "--lang", "fr"]);
    assert_eq!(bad.status.code(), Some(2), "a usage error");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("'fr'") && err.contains("--lang") && err.contains("zh-CN") && err.contains("en"), "{err}");
    assert!(!out.exists(), "nothing is written");
}
