//! Hostile text: formulas made inert in every export while an import keeps them as typed,
//! over-long texts and control characters refused with the field (and row) named.

use super::{at, field_rules, rules, temp_db};
use calamine::Reader;
use chrono::NaiveDate;
use headtail_core::customers::{self, CustomerInput, CustomerQuery};
use headtail_core::error::{FieldError, Rule};
use headtail_core::evaluation::store::{self, MemberFilter, Trigger};
use headtail_core::export::{self, default_columns, CustomerSelection};
use headtail_core::import::{import_file, Field, ImportKind, ImportOptions, ImportStatus, Reason};
use headtail_core::settings::Language;
use headtail_core::{interactions, orders, Database, Error};
use std::io::Read;

const FORMULA_NAME: &str = "=HYPERLINK(\"http://evil.example\",\"点我\")";
const PHONE: &str = "+86 138 0000 0000";

/// A customer whose texts a spreadsheet would run as formulas.
fn hostile_customer(db: &Database) -> i64 {
    let input = CustomerInput {
        company: Some("-2+3".into()),
        phone: Some(PHONE.into()),
        notes: Some("@SUM(A1)".into()),
        region: Some("+cmd|' /C calc'!A0".into()),
        tags: vec!["=1+1".into(), "VIP".into()],
        ..CustomerInput::named(FORMULA_NAME)
    };
    db.with_tx(|c| customers::create(c, input, at(1))).expect("create").id
}

/// The rows of a CSV export, with or without its byte-order mark.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    super::export::read_csv(&[BOM, bytes.strip_prefix(BOM).unwrap_or(bytes)].concat())
}

#[test]
fn a_customer_export_to_csv_quotes_every_formula_and_keeps_ids_numbers() {
    let (_dir, db) = temp_db();
    let id = hostile_customer(&db);
    let mut out = Vec::new();
    let all = CustomerSelection::Query(CustomerQuery::default());
    db.with_conn(|c| export::customers_csv(c, &all, &default_columns(Language::En), Some(Language::En), &mut out))
        .expect("export");
    let rows = csv_rows(&out);
    let col = |h: &str| rows[0].iter().position(|x| x == h).expect(h);
    let row = &rows[1];
    assert_eq!(row[col("ID")], id.to_string(), "the id column is a number, never quoted");
    assert_eq!(row[col("Name")], format!("'{FORMULA_NAME}"));
    assert_eq!(row[col("Company")], "'-2+3");
    assert_eq!(row[col("Phone")], format!("'{PHONE}"), "a phone starting with + is quoted, still readable");
    assert_eq!(row[col("Notes")], "'@SUM(A1)");
    assert_eq!(row[col("Region")], "'+cmd|' /C calc'!A0");
    assert_eq!(row[col("Tags")], "'=1+1,VIP");
    for (i, cell) in row.iter().enumerate() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "column {} starts a formula: {cell:?}",
            rows[0][i]
        );
    }
}

#[test]
fn a_customer_export_to_xlsx_writes_formulas_as_quote_prefixed_text() {
    let (dir, db) = temp_db();
    let id = hostile_customer(&db);
    let path = dir.path().join("customers.xlsx");
    let all = CustomerSelection::Query(CustomerQuery::default());
    db.with_conn(|c| export::customers_xlsx(c, &all, &default_columns(Language::ZhCn), Some(Language::ZhCn), &path))
        .expect("export");

    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("open");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("range");
    let header: Vec<String> = sheet.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
    let row = sheet.rows().nth(1).expect("row");
    let col = |h: &str| header.iter().position(|x| x == h).expect(h);
    assert_eq!(row[col("编号")], calamine::Data::Float(id as f64), "the id stays a number");
    assert_eq!(row[col("客户名称")].to_string(), FORMULA_NAME, "the text is kept exactly, no visible quote");
    assert_eq!(row[col("手机")].to_string(), PHONE, "the phone reads as typed");
    assert_eq!(row[col("备注")].to_string(), "@SUM(A1)");

    // No cell is a formula, and the formula-like ones carry Excel's quote prefix.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("file")).expect("zip");
    let mut sheet_xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").expect("sheet").read_to_string(&mut sheet_xml).expect("read");
    assert!(!sheet_xml.contains("<f>") && !sheet_xml.contains("<f "), "no formula in the sheet");
    let mut styles = String::new();
    zip.by_name("xl/styles.xml").expect("styles").read_to_string(&mut styles).expect("read");
    assert!(styles.contains("quotePrefix=\"1\""), "a quote-prefix style exists: {styles}");
}

#[test]
fn members_and_database_exports_quote_text_and_keep_negative_amounts_numbers() {
    let (dir, db) = temp_db();
    let id = hostile_customer(&db);
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    for month in 1..=3 {
        let order = orders::OrderInput { cost_minor: Some(3_000), ..crate::orders::order(id, day(month, 5), 1_250) };
        db.with_tx(|tx| orders::create(tx, order)).expect("order");
    }
    let (run, _) = store::run(&db, day(6, 30), Trigger::Manual, &mut |_, _| {}).expect("run");
    for language in [None, Some(Language::ZhCn)] {
        let mut out = Vec::new();
        db.with_conn(|c| store::members_csv(c, &run, &MemberFilter::default(), language, &mut out)).expect("members");
        let rows = csv_rows(&out);
        let code = |h: &str| store::MEMBER_CSV_HEADER.iter().position(|x| *x == h).expect(h);
        let row = &rows[1];
        assert_eq!(row[code("name")], format!("'{FORMULA_NAME}"));
        assert_eq!(row[code("monetary")], "37.50");
        let contribution = &row[code("contribution")];
        assert!(
            contribution.starts_with('-') && contribution.parse::<f64>().is_ok(),
            "a loss stays a number: {contribution}"
        );
    }

    let tables = db.with_conn(|c| export::database_csv(c, &dir.path().join("all"))).expect("database export");
    let file = &tables.iter().find(|t| t.table == "customers").expect("customers table").file;
    let rows = csv_rows(&std::fs::read(file).expect("read"));
    let col = |h: &str| rows[0].iter().position(|x| x == h).expect(h);
    assert_eq!(rows[1][col("name")], format!("'{FORMULA_NAME}"));
    assert_eq!(rows[1][col("id")], id.to_string());
    let orders_file = &tables.iter().find(|t| t.table == "orders").expect("orders table").file;
    let rows = csv_rows(&std::fs::read(orders_file).expect("read"));
    let amount = rows[0].iter().position(|x| x == "amount_minor").expect("amount");
    assert_eq!(rows[1][amount], "1250", "stored numbers are written as numbers");
}

#[test]
fn an_import_keeps_formula_text_as_typed_and_an_export_imports_back_unchanged() {
    let (dir, db) = temp_db();
    let file = dir.path().join("hostile.csv");
    std::fs::write(
        &file,
        format!("客户名称,手机,备注,公司\n\"=1+1\",{PHONE},@SUM(A1),\"{}\"\n", FORMULA_NAME.replace('"', "\"\"")),
    )
    .expect("write");
    let report = db
        .with_conn(|c| import_file(c, &file, &ImportOptions::new(ImportKind::Customers), at(2), |_| {}))
        .expect("import");
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    let page = db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list");
    let c = &page.items[0];
    assert_eq!(
        (c.name.as_str(), c.phone.as_deref(), c.notes.as_deref(), c.company.as_deref()),
        ("=1+1", Some(PHONE), Some("@SUM(A1)"), Some(FORMULA_NAME))
    );

    // The quoted export, imported into another database, gives the same texts back.
    let mut out = Vec::new();
    let all = CustomerSelection::Query(CustomerQuery::default());
    db.with_conn(|c| export::customers_csv(c, &all, &default_columns(Language::ZhCn), Some(Language::ZhCn), &mut out))
        .expect("export");
    let again = dir.path().join("again.csv");
    std::fs::write(&again, &out).expect("write");
    let (_other_dir, other) = temp_db();
    let report = other
        .with_conn(|c| import_file(c, &again, &ImportOptions::new(ImportKind::Customers), at(3), |_| {}))
        .expect("import");
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    let back = &other.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").items[0];
    assert_eq!((&back.name, &back.phone, &back.notes, &back.company), (&c.name, &c.phone, &c.notes, &c.company));
}

#[test]
fn an_over_long_text_is_refused_with_its_limit_and_nothing_is_written() {
    let (_dir, db) = temp_db();
    let ten_mb = "长".repeat(10 * 1024 * 1024 / 3);
    let input = CustomerInput {
        notes: Some(ten_mb.clone()),
        region: Some("区".repeat(customers::SHORT_TEXT_MAX + 1)),
        ..CustomerInput::named(&"名".repeat(customers::NAME_MAX + 1))
    };
    match db.with_tx(|c| customers::create(c, input, at(1))) {
        Err(Error::Validation(fields)) => assert_eq!(
            fields,
            vec![
                FieldError::too_long("name", customers::NAME_MAX),
                FieldError::too_long("region", customers::SHORT_TEXT_MAX),
                FieldError::too_long("notes", customers::NOTES_MAX),
            ]
        ),
        other => panic!("expected too_long errors, got {other:?}"),
    }
    let exactly = CustomerInput::named(&"名".repeat(customers::NAME_MAX));
    db.with_tx(|c| customers::create(c, exactly, at(1))).expect("a name of exactly the limit, in characters, fits");
    assert_eq!(db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").total, 1);

    let search = CustomerQuery { search: Some(ten_mb), ..Default::default() };
    assert_eq!(field_rules(db.with_conn(|c| customers::list(c, &search))), rules(&[("search", Rule::TooLong)]));
    let customer_id = super::customer(&db, "李娜");
    let note = interactions::InteractionInput {
        notes: Some("x".repeat(interactions::NOTES_MAX + 1)),
        ..crate::interactions::call(customer_id, super::local(3, 2, 10, 0))
    };
    assert_eq!(field_rules(db.with_tx(|c| interactions::create(c, note))), rules(&[("notes", Rule::TooLong)]));
}

#[test]
fn control_characters_are_refused_but_tabs_and_line_breaks_kept() {
    let (_dir, db) = temp_db();
    let bad = CustomerInput {
        notes: Some("ok\u{7f}".into()),
        tags: vec!["a\u{1b}[31m".into()],
        ..CustomerInput::named("张\u{0}伟")
    };
    assert_eq!(
        field_rules(db.with_tx(|c| customers::create(c, bad, at(1)))),
        rules(&[("name", Rule::ControlCharacter), ("notes", Rule::ControlCharacter), ("tags", Rule::ControlCharacter)])
    );
    let fine = CustomerInput {
        notes: Some("第一行\r\n\t第二行 \u{202e}abc \u{200d}".into()),
        ..CustomerInput::named("\u{202e}Ali\u{200d}ce")
    };
    let created =
        db.with_tx(|c| customers::create(c, fine, at(1))).expect("line breaks, tabs and format characters are fine");
    assert_eq!(created.notes.as_deref(), Some("第一行\r\n\t第二行 \u{202e}abc \u{200d}"));
    let customer_id = created.id;
    let note = interactions::InteractionInput {
        outcome: Some("\u{8}deleted".into()),
        ..crate::interactions::call(customer_id, super::local(3, 2, 10, 0))
    };
    assert_eq!(
        field_rules(db.with_tx(|c| interactions::create(c, note))),
        rules(&[("outcome", Rule::ControlCharacter)])
    );
}

#[test]
fn an_import_with_an_over_long_or_control_character_cell_names_row_and_column_and_writes_nothing() {
    let (dir, db) = temp_db();
    super::customer(&db, "已有客户");
    let before = db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").total;
    let file = dir.path().join("long.csv");
    let long_name = "名".repeat(customers::NAME_MAX + 1);
    std::fs::write(&file, format!("客户名称,备注\n好客户,ok\n{long_name},ok\n坏备注,\"a\u{1}b\"\n")).expect("write");
    let report = db
        .with_conn(|c| import_file(c, &file, &ImportOptions::new(ImportKind::Customers), at(2), |_| {}))
        .expect("import runs");
    assert_eq!(report.status, ImportStatus::Rejected);
    let found: Vec<_> =
        report.errors.iter().map(|e| (e.row, e.field, e.column.as_deref(), e.reason, e.limit)).collect();
    assert_eq!(
        found,
        vec![
            (3, Some(Field::Name), Some("客户名称"), Reason::TooLong, Some(200)),
            (4, Some(Field::Notes), Some("备注"), Reason::ControlCharacter, None),
        ]
    );
    assert!(report.errors[0].to_string().starts_with("row 3: name: too_long"), "{}", report.errors[0]);
    let after = db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").total;
    assert_eq!(after, before, "the import is refused whole");
}

#[test]
fn a_hostile_name_inside_a_chart_is_escaped_text_in_well_formed_svg() {
    use headtail_core::charts::{self, ChartSet, Format, Lang};
    use headtail_core::demo::{self, DemoSettings};
    let (_dir, db) = temp_db();
    let as_of = NaiveDate::from_ymd_opt(2026, 10, 31).expect("date");
    db.with_tx(|tx| demo::generate(tx, DemoSettings::new(150, 7, as_of), chrono::Utc::now(), |_, _| {})).expect("demo");
    let (run, _) = store::run(&db, as_of, Trigger::Manual, &mut |_, _| {}).expect("run");
    let mut set = db.with_conn(|c| ChartSet::load(c, run.id, None)).expect("chart set");
    // Channels and groups are codes the database checks; were one ever text from a user, the
    // chart must still show it as text.
    let hostile = "<script>window.__pwned=1</script>&\"'";
    let mut channel = set.activity.channels.last().cloned().expect("a channel's month");
    (channel.channel, channel.revenue_minor) = (hostile.into(), 1_000_000);
    set.activity.channels.push(channel);
    set.run.segments[0].key = hostile.into();
    for (chart, lang) in [(charts::Chart::ChannelMix, Lang::En), (charts::Chart::RfmSegments, Lang::ZhCn)] {
        let svg = String::from_utf8(charts::render(&set, chart, lang, Format::Svg).expect("svg").bytes).expect("utf-8");
        assert!(!svg.contains("<script"), "{chart:?}: no script element");
        assert!(svg.contains("&lt;script&gt;"), "{chart:?}: the name is there, escaped");
        usvg::Tree::from_str(&svg, &usvg::Options::default())
            .unwrap_or_else(|e| panic!("{chart:?}: usvg reads the SVG: {e}"));
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{chart:?}: well-formed XML: {e}"));
        assert!(doc.descendants().all(|n| !n.has_tag_name("script") && !n.has_tag_name("foreignObject")));
        let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
        assert!(texts.iter().any(|t| t.contains(hostile)), "{chart:?}: read back as the very text: {texts:?}");
    }
}
