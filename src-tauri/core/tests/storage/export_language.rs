//! Exports in the user's language: headers and the names of groups, types, sizes and
//! channels as the UI shows them, and a byte-order mark; codes for scripts without one.

use super::{at, customer, temp_db};
use chrono::NaiveDate;
use headtail_core::customers::{self, CustomerInput, CustomerKind, CustomerQuery, SalesChannel, SizeClass};
use headtail_core::evaluation::store::{self, MemberFilter, Trigger};
use headtail_core::evaluation::{Lifecycle, RfmSegment, ServiceLevel, Tier};
use headtail_core::export::{self, default_columns, CustomerSelection};
use headtail_core::import::{import_file, ImportKind, ImportOptions, ImportStatus};
use headtail_core::labels::Label;
use headtail_core::orders;
use headtail_core::settings::Language;
use headtail_core::Database;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

/// One customer of every kind, size and channel.
fn every_kind_size_and_channel(db: &Database) {
    db.with_tx(|c| {
        for (i, size) in SizeClass::ALL.iter().enumerate() {
            let input = CustomerInput {
                kind: CustomerKind::ALL[i % CustomerKind::ALL.len()],
                size_class: Some(*size),
                channels: SalesChannel::ALL.to_vec(),
                ..CustomerInput::named(&format!("客户{i}"))
            };
            customers::create(c, input, at(1))?;
        }
        Ok(())
    })
    .expect("seed");
}

#[test]
fn a_customer_export_names_types_sizes_and_channels_in_the_language_and_reads_back() {
    for language in [Language::ZhCn, Language::En] {
        let (dir, db) = temp_db();
        every_kind_size_and_channel(&db);
        let path = dir.path().join("customers.csv");
        let file = std::fs::File::create(&path).expect("create");
        let columns = default_columns(language);
        db.with_conn(|c| {
            export::customers_csv(
                c,
                &CustomerSelection::Query(CustomerQuery::default()),
                &columns,
                Some(language),
                file,
            )
        })
        .expect("export");
        let bytes = std::fs::read(&path).expect("read");
        let body = bytes.strip_prefix(BOM).expect("a BOM for Excel");
        let table = rows(body);
        let col = |header: &str| table[0].iter().position(|h| h == header).expect(header);
        let (kind, size, channels) = match language {
            Language::ZhCn => (col("客户类型"), col("规模"), col("渠道")),
            Language::En => (col("Type"), col("Size"), col("Channels")),
        };
        for row in &table[1..] {
            assert!(
                CustomerKind::ALL.iter().any(|k| k.label(language) == row[kind]),
                "{language:?} type {}",
                row[kind]
            );
            assert!(SizeClass::ALL.iter().any(|s| s.label(language) == row[size]), "{language:?} size {}", row[size]);
            let mut all: Vec<&str> = SalesChannel::ALL.iter().map(|c| c.label(language)).collect();
            let mut written: Vec<&str> = row[channels].split(',').collect();
            all.sort_unstable();
            written.sort_unstable();
            assert_eq!(written, all, "{language:?}");
        }
        if language == Language::ZhCn {
            assert!(table[1..].iter().any(|r| r[size] == "中小企业" && r[channels].contains("实体门店")));
        }

        // The names go back in as the same values.
        let (_dir2, fresh) = temp_db();
        let report = fresh
            .with_conn(|c| import_file(c, &path, &ImportOptions::new(ImportKind::Customers), at(2), |_| {}))
            .expect("import");
        assert_eq!((report.status, report.created), (ImportStatus::Imported, 3), "{language:?}: {:?}", report.errors);
        let mut before = db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").items;
        let mut after = fresh.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").items;
        before.sort_by(|a, b| a.name.cmp(&b.name));
        after.sort_by(|a, b| a.name.cmp(&b.name));
        let values = |list: &[customers::Customer]| -> Vec<_> {
            list.iter().map(|c| (c.name.clone(), c.kind, c.size_class, c.channels.clone())).collect()
        };
        assert_eq!(values(&after), values(&before), "{language:?}");
    }
}

#[test]
fn a_customer_export_without_a_language_keeps_the_codes() {
    let (_dir, db) = temp_db();
    every_kind_size_and_channel(&db);
    let mut out = Vec::new();
    let columns = default_columns(Language::En);
    db.with_conn(|c| {
        export::customers_csv(c, &CustomerSelection::Query(CustomerQuery::default()), &columns, None, &mut out)
    })
    .expect("export");
    let table = rows(out.strip_prefix(BOM).expect("BOM"));
    let col = |header: &str| table[0].iter().position(|h| h == header).expect(header);
    assert!(table[1..].iter().any(|r| r[col("Size")] == "smb"));
    assert!(table[1..].iter().any(|r| r[col("Type")] == "company"));
    assert!(table[1..]
        .iter()
        .all(|r| r[col("Channels")].contains("store") && !r[col("Channels")].contains("Physical")));
}

fn order(db: &Database, customer_id: i64, on: NaiveDate, amount_minor: i64) {
    db.with_tx(|tx| orders::create(tx, crate::orders::order(customer_id, on, amount_minor))).expect("order");
}

#[test]
fn a_members_file_speaks_the_language_it_is_asked_for() {
    let (_dir, db) = temp_db();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let big = customer(&db, "大客户甲");
    for month in 1..=6 {
        order(&db, big, day(2026, month, 10), 5_000_000);
    }
    let gone = customer(&db, "老客户乙");
    order(&db, gone, day(2024, 3, 1), 8_000);
    for i in 0..6 {
        let c = customer(&db, &format!("散客{i}"));
        order(&db, c, day(2026, 5, 1 + i), 10_000 + i64::from(i) * 1_000);
    }
    let (run, _) = store::run(&db, day(2026, 6, 30), Trigger::Manual, &mut |_, _| {}).expect("run");
    let write = |language: Option<Language>| {
        let mut out = Vec::new();
        let n = db
            .with_conn(|c| store::members_csv(c, &run, &MemberFilter::default(), language, &mut out))
            .expect("members");
        assert_eq!(n, 8);
        out
    };

    let codes = write(None);
    assert!(!codes.starts_with(BOM), "scripts get no byte-order mark");
    let coded = rows(&codes);
    assert_eq!(coded[0], store::MEMBER_CSV_HEADER);

    for language in [Language::ZhCn, Language::En] {
        let bytes = write(Some(language));
        let named = rows(bytes.strip_prefix(BOM).expect("a BOM for Excel"));
        assert_eq!(named.len(), coded.len());
        let find = |table: &[Vec<String>], name: &str| table.iter().find(|r| r[2] == name).cloned().expect(name);
        let col = |code: &str| coded[0].iter().position(|h| h == code).expect(code);
        let (big_codes, big_named) = (find(&coded, "大客户甲"), find(&named, "大客户甲"));
        let tier = Tier::ALL.iter().find(|t| t.as_str().to_uppercase() == big_codes[col("tier")]).expect("tier");
        assert_eq!(big_named[col("tier")], tier.label(language));
        let level = ServiceLevel::parse(&big_codes[col("service_level")]).expect("service level");
        assert_eq!(big_named[col("service_level")], level.label(language));
        let (gone_codes, gone_named) = (find(&coded, "老客户乙"), find(&named, "老客户乙"));
        let stage = Lifecycle::parse(&gone_codes[col("lifecycle_stage")]).expect("stage");
        assert_eq!(gone_named[col("lifecycle_stage")], stage.label(language));
        if let Some(segment) = RfmSegment::parse(&gone_codes[col("rfm_segment")]) {
            assert_eq!(gone_named[col("rfm_segment")], segment.label(language));
        }
        // Numbers and names are the same in every language.
        for c in ["customer_id", "name", "frequency", "monetary", "contribution", "p_alive"] {
            assert_eq!(big_named[col(c)], big_codes[col(c)], "{c}");
        }
        match language {
            Language::ZhCn => {
                assert_eq!(named[0][col("tier")], "价值层级");
                assert_eq!(big_named[col("tier")], "A 头部客户");
                assert_eq!(gone_named[col("lifecycle_stage")], "已流失");
            }
            Language::En => {
                assert_eq!(named[0][col("tier")], "Value tier");
                assert_eq!(big_named[col("tier")], "A · Head");
                assert_eq!(gone_named[col("lifecycle_stage")], "Churned");
            }
        }
    }
}
