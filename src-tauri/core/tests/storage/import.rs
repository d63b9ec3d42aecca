//! Imports of real-world-shaped files into a real database file: encodings, delimiters,
//! Excel cells, bad rows, duplicates, revert, dry runs and the day/month order.

use super::{at, temp_db};
use headtail_core::customers::{self, timestamp, CustomerInput, CustomerKind, CustomerQuery, SalesChannel, SizeClass};
use headtail_core::import::{
    import_file, list_batches, preview_file, revert_batch, Field, ImportKind, ImportMode, ImportOptions, ImportReport,
    ImportStatus, Mapping, Reason,
};
use headtail_core::{orders, Database};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

fn run(db: &Database, path: &Path, options: &ImportOptions) -> ImportReport {
    db.with_conn(|c| import_file(c, path, options, at(10), |_| {})).expect("import runs")
}

fn opts(kind: ImportKind) -> ImportOptions {
    ImportOptions::new(kind)
}

/// Every row of every table (search index aside), as text: equal fingerprints mean equal data.
fn fingerprint(conn: &Connection, skip: &[&str]) -> String {
    let mut tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name NOT LIKE 'customer_search%' ORDER BY name",
        )
        .expect("schema")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("names");
    tables.retain(|t| !skip.contains(&t.as_str()));
    let mut out = String::new();
    for table in tables {
        let width = conn.prepare(&format!("SELECT * FROM \"{table}\"")).expect("select").column_count();
        let order = if width > 1 { "1, 2" } else { "1" };
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY {order}")).expect("select");
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).expect("query");
        out.push_str(&format!("## {table}\n"));
        while let Some(row) = rows.next().expect("row") {
            for i in 0..columns {
                let v: rusqlite::types::Value = row.get(i).expect("value");
                out.push_str(&format!("{v:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

fn everything(db: &Database) -> String {
    db.with_conn(|c| Ok(fingerprint(c, &[]))).expect("fingerprint")
}

/// Everything but the import bookkeeping, which a revert keeps as history.
fn data(db: &Database) -> String {
    db.with_conn(|c| Ok(fingerprint(c, &["import_batches", "import_mappings"]))).expect("fingerprint")
}

fn count(db: &Database, sql: &str) -> i64 {
    db.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).expect("count")
}

/// 张伟 known by external id, phone and email, with an order; 王芳 by phone.
pub fn seed(db: &Database) -> i64 {
    db.with_tx(|c| {
        let zhang = customers::create(
            c,
            CustomerInput {
                external_id: Some("C001".into()),
                phone: Some("13800138000".into()),
                email: Some("zhang.wei@huaqiang.cn".into()),
                tags: vec!["老客户".into()],
                region: Some("深圳".into()),
                ..CustomerInput::named("张伟")
            },
            at(1),
        )?;
        customers::create(
            c,
            CustomerInput { phone: Some("13900139000".into()), ..CustomerInput::named("王芳") },
            at(1),
        )?;
        orders::create(
            c,
            orders::OrderInput {
                customer_id: zhang.id,
                external_id: Some("SO-1".into()),
                ordered_on: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"),
                amount_minor: 10_000,
                currency: None,
                cost_minor: None,
                channel: None,
                lines: vec![],
            },
        )?;
        Ok(zhang.id)
    })
    .expect("seed")
}

fn search(db: &Database, text: &str) -> Vec<String> {
    db.with_conn(|c| customers::list(c, &CustomerQuery { search: Some(text.into()), ..Default::default() }))
        .expect("search")
        .items
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[test]
fn gbk_csv_with_chinese_headers_and_crlf_imports_customers() {
    let (dir, db) = temp_db();
    let text = "客户编号,客户名称,手机号码,电子邮箱,公司,省份,负责人,标签,来源,行业\r\n\
                K100,李娜,138 0013 8001,lina@example.cn,华强电子,广东,陈经理,VIP；华南,展会,电子\r\n\
                K101,赵磊,13900139001,,,,,,,\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    let path = write(dir.path(), "客户.csv", &gbk);
    let report = run(&db, &path, &opts(ImportKind::Customers));
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    assert_eq!(report.source.encoding.as_deref(), Some("gb18030"));
    assert_eq!((report.rows_read, report.created), (2, 2));
    let li = db
        .with_conn(|c| customers::list(c, &CustomerQuery { search: Some("李娜".into()), ..Default::default() }))
        .expect("list");
    let li = &li.items[0];
    assert_eq!(li.external_id.as_deref(), Some("K100"));
    assert_eq!(li.company.as_deref(), Some("华强电子"));
    assert_eq!(li.tags, vec!["VIP", "华南"]);
    assert_eq!(li.owner.as_deref(), Some("陈经理"));
    assert_eq!(search(&db, "华强"), vec!["李娜"], "imported customers are in the search index");
    assert_eq!(db.with_conn(list_batches).expect("batches")[0].created, 2);
}

/// The search index entry of the one customer named `name`: its tokens in order.
fn search_entry(db: &Database, name: &str) -> Vec<String> {
    db.with_conn(|c| {
        c.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms USING fts5vocab(main, customer_search, instance)",
        )?;
        let mut stmt = c.prepare(
            "SELECT term FROM temp.search_terms WHERE doc = (SELECT id FROM customers WHERE name = ?1) ORDER BY offset",
        )?;
        let terms = stmt.query_map([name], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(terms)
    })
    .expect("search entry")
}

#[test]
fn an_imported_customer_is_found_by_the_same_searches_as_one_typed_into_the_form() {
    let typed = CustomerInput { phone: Some("+86 138-0013-8000".into()), ..CustomerInput::named("李娜") };
    let (_form_dir, form) = temp_db();
    form.with_tx(|c| customers::create(c, typed, at(1))).expect("typed into the form");
    let (dir, imported) = temp_db();
    let path = write(dir.path(), "客户.csv", "客户名称,手机号码\n李娜,+86 138-0013-8000\n".as_bytes());
    let report = run(&imported, &path, &opts(ImportKind::Customers));
    assert_eq!((report.status, report.created), (ImportStatus::Imported, 1), "{:?}", report.errors);

    assert_eq!(search(&form, "13800138000"), vec!["李娜"], "the form's customer is found by the phone's digits");
    assert_eq!(search(&imported, "13800138000"), vec!["李娜"], "so is the imported one");
    let entry = search_entry(&form, "李娜");
    assert!(entry.contains(&"13800138000".to_owned()), "{entry:?}");
    assert_eq!(search_entry(&imported, "李娜"), entry, "both have the same search entry");
}

/// Every field a customer file can set, as a form would type it and as a file spells it.
fn full_profile() -> (CustomerInput, &'static str) {
    let input = CustomerInput {
        kind: CustomerKind::Company,
        external_id: Some("K7".into()),
        company: Some("华强电子".into()),
        phone: Some("+86 138-0013-8000".into()),
        email: Some("li.na@huaqiang.cn".into()),
        region: Some("广东".into()),
        owner: Some("陈经理".into()),
        tags: vec!["VIP".into(), "华南".into()],
        source: Some("展会".into()),
        industry: Some("电子".into()),
        size_class: Some(SizeClass::Smb),
        channels: vec![SalesChannel::OnlineShop, SalesChannel::Store],
        notes: Some("只在周一联系".into()),
        ..CustomerInput::named("李娜")
    };
    let file = "客户编号,客户名称,客户类型,公司,手机号码,电子邮箱,省份,负责人,标签,来源,行业,规模,渠道,备注\n\
                K7,李娜,公司,华强电子,+86 138-0013-8000,li.na@huaqiang.cn,广东,陈经理,VIP；华南,展会,电子,中小企业,门店、网店,只在周一联系\n";
    (input, file)
}

#[test]
fn a_customer_reads_back_the_same_whichever_way_it_was_written() {
    let (profile, file) = full_profile();
    let get = |db: &Database, id: i64| db.with_conn(|c| customers::get(c, id)).expect("get");
    let import = |db: &Database, dir: &Path, mode: ImportMode| {
        let report =
            run(db, &write(dir, "客户.csv", file.as_bytes()), &ImportOptions { mode, ..opts(ImportKind::Customers) });
        assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
        report
    };

    // Made at the import's time: created and changed at at(10).
    let (_d1, typed) = temp_db();
    let typed_id = typed.with_tx(|c| customers::create(c, profile.clone(), at(10))).expect("form create").id;
    let created = get(&typed, typed_id);
    let (dir, imported) = temp_db();
    assert_eq!(import(&imported, dir.path(), ImportMode::Create).created, 1);
    assert_eq!(get(&imported, 1), created, "an import creates what the form creates");

    // Made at at(1) with a name and an external id only, then given the profile at at(10).
    let plain = CustomerInput { external_id: Some("K7".into()), ..CustomerInput::named("李") };
    let (_d3, edited) = temp_db();
    let id = edited.with_tx(|c| customers::create(c, plain.clone(), at(1))).expect("create").id;
    let updated = edited.with_tx(|c| customers::update(c, id, profile.clone(), at(10))).expect("form update");
    assert_eq!(updated.created_at, timestamp(at(1)));
    assert_eq!(get(&edited, id), updated);
    let (dir, matched) = temp_db();
    let id = matched.with_tx(|c| customers::create(c, plain, at(1))).expect("create").id;
    let before = get(&matched, id);
    let report = import(&matched, dir.path(), ImportMode::Update);
    assert_eq!(report.updated, 1);
    assert_eq!(get(&matched, id), updated, "an import updates as the form does");

    matched.with_tx(|c| revert_batch(c, report.batch_id.expect("batch"), at(11))).expect("revert");
    assert_eq!(get(&matched, id), before, "a revert puts back what was read before");
    assert_eq!(search(&matched, "13800138000"), Vec::<String>::new(), "and its search entry");
    assert_eq!(search(&matched, "李"), vec!["李"]);
}

#[test]
fn utf8_with_bom_semicolons_and_tabs_read_alike() {
    let (dir, db) = temp_db();
    let bom = "\u{feff}客户名称;手机;地区\n周杰;13700137000;\"上海; 浦东\"\n";
    let tab = "姓名\t电话\t城市\n吴静\t13600136000\t杭州\n";
    let a = run(&db, &write(dir.path(), "bom.csv", bom.as_bytes()), &opts(ImportKind::Customers));
    let b = run(&db, &write(dir.path(), "tab.txt", tab.as_bytes()), &opts(ImportKind::Customers));
    assert_eq!(a.status, ImportStatus::Imported, "{:?}", a.errors);
    assert!(a.source.bom);
    assert_eq!(a.source.delimiter, Some(';'));
    assert_eq!(a.headers[0], "客户名称", "the BOM is not part of the first header");
    assert_eq!(b.status, ImportStatus::Imported, "{:?}", b.errors);
    assert_eq!(b.source.delimiter, Some('\t'));
    let names = search(&db, "周杰");
    assert_eq!(names, vec!["周杰"]);
    let zhou = db
        .with_conn(|c| customers::list(c, &CustomerQuery { search: Some("周杰".into()), ..Default::default() }))
        .expect("list");
    assert_eq!(zhou.items[0].region.as_deref(), Some("上海; 浦东"), "a quoted delimiter stays in the value");
}

#[test]
fn xlsx_date_and_number_cells_become_dates_and_minor_units() {
    let (dir, db) = temp_db();
    let path = dir.path().join("orders.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (col, header) in ["订单号", "客户编号", "客户名称", "下单日期", "金额", "商品", "数量"].iter().enumerate()
    {
        sheet.write_string(0, col as u16, *header).expect("header");
    }
    sheet.write_string(1, 0, "X-1").expect("cell");
    sheet.write_string(1, 1, "C900").expect("cell");
    sheet.write_string(1, 2, "孙艳").expect("cell");
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 15).expect("date");
    sheet.write_datetime_with_format(1, 3, &day, &date_format).expect("date cell");
    sheet.write_number(1, 4, 1234.5).expect("number");
    sheet.write_string(1, 5, "茶叶礼盒").expect("cell");
    sheet.write_number(1, 6, 2.0).expect("number");
    // A plain number in the date column is an Excel serial: 45296 is 2024-01-05.
    sheet.write_string(2, 0, "X-2").expect("cell");
    sheet.write_string(2, 1, "C900").expect("cell");
    sheet.write_number(2, 3, 45296.0).expect("serial");
    sheet.write_string(2, 4, "￥88.80").expect("text amount");
    book.save(&path).expect("save xlsx");

    let report = run(&db, &path, &opts(ImportKind::Orders));
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    assert_eq!((report.created, report.customers_created, report.order_lines), (2, 1, 1));
    let rows: Vec<(String, String, i64)> = db
        .with_conn(|c| {
            let mut s = c.prepare("SELECT external_id, ordered_on, amount_minor FROM orders ORDER BY external_id")?;
            let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .expect("orders");
    assert_eq!(rows, vec![("X-1".into(), "2024-03-15".into(), 123_450), ("X-2".into(), "2024-01-05".into(), 8_880)]);
    assert_eq!(count(&db, "SELECT quantity FROM order_lines"), 2);
}

#[test]
fn every_broken_row_is_reported_with_its_row_number_and_nothing_is_written() {
    let (dir, db) = temp_db();
    seed(&db);
    let before = everything(&db);
    let customers_csv =
        "客户名称,手机,邮箱\n好人,13700000001,good@example.cn\n坏邮箱,13700000002,not-an-email\n,13700000003,\n";
    let report = run(&db, &write(dir.path(), "c.csv", customers_csv.as_bytes()), &opts(ImportKind::Customers));
    assert_eq!(report.status, ImportStatus::Rejected);
    let found: Vec<(u64, Option<Field>, Reason)> = report.errors.iter().map(|e| (e.row, e.field, e.reason)).collect();
    assert_eq!(found, vec![(3, Some(Field::Email), Reason::InvalidEmail), (4, Some(Field::Name), Reason::Required)]);
    assert_eq!(report.errors[0].to_string(), "row 3: email: invalid_email (\"not-an-email\")");
    assert_eq!(everything(&db), before, "a rejected import leaves every table as it was");

    let orders_csv = "订单号,客户编号,下单日期,金额,商品,数量\n\
                      A1,C001,2024-01-05,10.00,杯子,1\n\
                      A2,C001,2024-13-45,10.00,杯子,1\n\
                      A3,C001,2024-01-06,10.00,杯子,-2\n\
                      A4,C001,2024-01-07,abc,杯子,1\n";
    let report = run(&db, &write(dir.path(), "o.csv", orders_csv.as_bytes()), &opts(ImportKind::Orders));
    assert_eq!(report.status, ImportStatus::Rejected);
    let found: Vec<(u64, Option<Field>, Reason)> = report.errors.iter().map(|e| (e.row, e.field, e.reason)).collect();
    assert_eq!(
        found,
        vec![
            (3, Some(Field::Date), Reason::Unparseable),
            (4, Some(Field::Quantity), Reason::OutOfRange),
            (5, Some(Field::Amount), Reason::Unparseable),
        ]
    );
    assert_eq!(report.bad_rows, 3);
    assert_eq!(everything(&db), before);

    let skip = ImportOptions { skip_bad_rows: true, ..opts(ImportKind::Orders) };
    let report = run(&db, &write(dir.path(), "o.csv", orders_csv.as_bytes()), &skip);
    assert_eq!(report.status, ImportStatus::Imported);
    assert_eq!((report.created, report.bad_rows), (1, 3), "the good row goes in, the bad ones are listed");
}

#[test]
fn dry_run_reports_the_same_counts_and_writes_nothing() {
    let (dir, db) = temp_db();
    seed(&db);
    let before = everything(&db);
    let csv = "订单号,客户编号,客户名称,下单日期,金额\nB1,C001,,2024-01-05,5\nB2,N1,新客户,2024-01-05,6\n";
    let path = write(dir.path(), "o.csv", csv.as_bytes());
    let dry = run(&db, &path, &ImportOptions { dry_run: true, ..opts(ImportKind::Orders) });
    assert_eq!(dry.status, ImportStatus::DryRun);
    assert_eq!((dry.created, dry.customers_created, dry.batch_id), (2, 1, None));
    assert_eq!(everything(&db), before, "a dry run leaves no trace, not even a saved mapping");
    let real = run(&db, &path, &opts(ImportKind::Orders));
    assert_eq!((real.created, real.customers_created), (dry.created, dry.customers_created));
}

/// The customers an order file makes get their search entries, "customer since" and sort
/// keys when the import commits, and not before.
#[test]
fn customers_an_order_file_names_by_phone_are_searchable_dated_and_sorted_once_it_commits() {
    let (dir, db) = temp_db();
    seed(&db);
    // 13700137000 orders twice, the older order last.
    let csv = "订单号,手机,下单日期,金额\nP1,13700137000,2024-03-09,59.00\nP2,13600136000,2024-02-01,30\n\
               P3,13700137000,2024-01-15,20\n";
    let path = write(dir.path(), "o.csv", csv.as_bytes());
    let dry = run(&db, &path, &ImportOptions { dry_run: true, ..opts(ImportKind::Orders) });
    assert_eq!((dry.status, dry.customers_created), (ImportStatus::DryRun, 2));
    assert_eq!(search(&db, "13700137000"), Vec::<String>::new());

    let real = run(&db, &path, &opts(ImportKind::Orders));
    assert_eq!((real.status, real.customers_created), (ImportStatus::Imported, 2), "{:?}", real.errors);
    assert_eq!(search(&db, "13700137000"), vec!["13700137000"]);
    assert_eq!(search(&db, "0137000"), vec!["13700137000"], "the end of the phone finds it");
    assert_eq!(search(&db, "136"), vec!["13600136000"]);
    let since = |name: &str| -> Option<String> {
        db.with_conn(|c| Ok(c.query_row("SELECT customer_since FROM customers WHERE name = ?1", [name], |r| r.get(0))?))
            .expect("customer since")
    };
    assert_eq!(since("13700137000").as_deref(), Some("2024-01-15"), "the first order, not the first row");
    assert_eq!(since("13600136000").as_deref(), Some("2024-02-01"));
    let by_name: Vec<String> = db
        .with_conn(|c| customers::list(c, &CustomerQuery { sort: customers::CustomerSort::Name, ..Default::default() }))
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(by_name, ["13600136000", "13700137000", "王芳", "张伟"], "numbers before pinyin");
}

#[test]
fn possible_duplicates_are_listed_with_the_existing_customer() {
    let (dir, db) = temp_db();
    let zhang = seed(&db);
    let wang: i64 = db
        .with_conn(|c| Ok(c.query_row("SELECT id FROM customers WHERE name = '王芳'", [], |r| r.get(0))?))
        .expect("wang");
    // Row 2 shares 王芳's phone, row 3 张伟's email, row 4 is new.
    let csv = "客户名称,手机,邮箱\n王芳二,13900139000,\n张伟二,,Zhang.Wei@huaqiang.cn\n全新,13500135000,\n";
    let path = write(dir.path(), "c.csv", csv.as_bytes());

    let report = run(&db, &path, &opts(ImportKind::Customers));
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    assert_eq!((report.created, report.bad_rows, report.warning_rows), (3, 0, 2));
    let listed: Vec<_> = report
        .warnings
        .iter()
        .map(|w| {
            (
                w.row,
                w.reason,
                w.field,
                w.column.as_deref(),
                w.value.as_deref(),
                w.customer_id,
                w.customer_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                2,
                Reason::PossibleDuplicate,
                Some(Field::Phone),
                Some("手机"),
                Some("13900139000"),
                Some(wang),
                Some("王芳")
            ),
            (
                3,
                Reason::PossibleDuplicate,
                Some(Field::Email),
                Some("邮箱"),
                Some("Zhang.Wei@huaqiang.cn"),
                Some(zhang),
                Some("张伟")
            ),
        ]
    );
    assert_eq!(
        report.warnings[0].to_string(),
        format!("row 2: phone: possible_duplicate (\"13900139000\"), customer #{wang} 王芳")
    );
}

#[test]
fn duplicates_in_the_database_and_in_the_file_follow_the_mode() {
    let (dir, db) = temp_db();
    let zhang = seed(&db);
    // Row 2 matches 张伟 by external id, row 3 王芳 by phone, row 4 repeats row 2's phone.
    let csv = "客户编号,客户名称,手机,地区\nC001,张伟,13800138000,北京\n,王芳二,13900139000,\nC777,新人,13800138000,\n,全新,13500135000,\n";
    let path = write(dir.path(), "c.csv", csv.as_bytes());

    let create = run(&db, &path, &opts(ImportKind::Customers));
    assert_eq!(create.status, ImportStatus::Rejected);
    let found: Vec<(u64, Reason)> = create.errors.iter().map(|e| (e.row, e.reason)).collect();
    assert_eq!(found, vec![(2, Reason::DuplicateInDatabase)], "{:?}", create.errors);
    assert_eq!(create.errors[0].customer_id, Some(zhang));
    assert_eq!(
        create.warnings.iter().map(|w| (w.row, w.reason)).collect::<Vec<_>>(),
        vec![(3, Reason::PossibleDuplicate), (4, Reason::PossibleDuplicate)]
    );

    let skip = run(&db, &path, &ImportOptions { mode: ImportMode::Skip, ..opts(ImportKind::Customers) });
    assert_eq!(skip.status, ImportStatus::Rejected, "the in-file duplicate still blocks");
    assert_eq!(
        skip.errors.iter().map(|e| (e.row, e.reason, e.other_row)).collect::<Vec<_>>(),
        vec![(4, Reason::DuplicateInFile, Some(2))]
    );
    let skip =
        run(&db, &path, &ImportOptions { mode: ImportMode::Skip, skip_bad_rows: true, ..opts(ImportKind::Customers) });
    assert_eq!((skip.skipped, skip.created, skip.updated, skip.bad_rows), (2, 1, 0, 1));

    let update = run(
        &db,
        &path,
        &ImportOptions { mode: ImportMode::Update, skip_bad_rows: true, ..opts(ImportKind::Customers) },
    );
    assert_eq!(update.status, ImportStatus::Imported);
    assert_eq!(
        (update.updated, update.created, update.skipped),
        (2, 0, 1),
        "row 5 was created by the skip run and has nothing new: {:?}",
        update.errors
    );
    let after = db.with_conn(|c| customers::get(c, zhang)).expect("get");
    assert_eq!(after.region.as_deref(), Some("北京"), "a filled cell overwrites");
    assert_eq!(after.email.as_deref(), Some("zhang.wei@huaqiang.cn"), "an unmapped field is kept");
    assert_eq!(after.tags, vec!["老客户"]);
}

#[test]
fn revert_restores_the_exact_previous_state_once() {
    let (dir, db) = temp_db();
    seed(&db);
    let before = data(&db);
    let customers_csv = "客户编号,客户名称,手机,标签\nC001,张伟(新),13800138000,重要\nC002,新客,13600000000,\n";
    let update = ImportOptions { mode: ImportMode::Update, ..opts(ImportKind::Customers) };
    let first = run(&db, &write(dir.path(), "c.csv", customers_csv.as_bytes()), &update);
    assert_eq!((first.status, first.updated, first.created), (ImportStatus::Imported, 1, 1), "{:?}", first.errors);
    let orders_csv = "订单号,客户编号,客户名称,下单日期,金额,商品\nR1,C001,,2024-02-01,10,杯\nR1,C001,,2024-02-01,5,盖\nR2,C900,陌生人,2024-02-02,7,杯\n";
    let second = run(&db, &write(dir.path(), "o.csv", orders_csv.as_bytes()), &opts(ImportKind::Orders));
    assert_eq!((second.created, second.customers_created, second.order_lines), (2, 1, 3));
    assert_eq!(
        count(&db, "SELECT amount_minor FROM orders WHERE external_id = 'R1'"),
        1500,
        "lines of one order add up"
    );

    let reverted = db.with_tx(|c| revert_batch(c, second.batch_id.expect("batch"), at(11))).expect("revert orders");
    assert_eq!((reverted.orders_deleted, reverted.customers_deleted), (2, 1));
    let reverted = db.with_tx(|c| revert_batch(c, first.batch_id.expect("batch"), at(11))).expect("revert customers");
    assert_eq!((reverted.profiles_restored, reverted.customers_deleted), (1, 1));
    assert_eq!(data(&db), before, "every row is back as it was, timestamps included");
    assert_eq!(search(&db, "新客"), Vec::<String>::new(), "removed customers leave the search index");
    assert_eq!(search(&db, "张伟"), vec!["张伟"]);

    let again = db.with_tx(|c| revert_batch(c, first.batch_id.expect("batch"), at(12)));
    assert!(again.is_err(), "a batch reverts once");
    assert!(db.with_conn(list_batches).expect("batches").iter().all(|b| b.reverted_at.is_some()));
}

#[test]
fn a_created_customer_that_others_now_use_survives_a_revert() {
    let (dir, db) = temp_db();
    let first = run(
        &db,
        &write(dir.path(), "o1.csv", "订单号,客户编号,下单日期,金额\nP1,NEW1,2024-01-01,1\n".as_bytes()),
        &opts(ImportKind::Orders),
    );
    run(
        &db,
        &write(dir.path(), "o2.csv", "订单号,客户编号,下单日期,金额\nP2,NEW1,2024-01-02,1\n".as_bytes()),
        &opts(ImportKind::Orders),
    );
    let r = db.with_tx(|c| revert_batch(c, first.batch_id.expect("batch"), at(11))).expect("revert");
    assert_eq!((r.orders_deleted, r.customers_deleted, r.customers_kept), (1, 0, 1));
    assert_eq!(count(&db, "SELECT count(*) FROM customers"), 1);
}

#[test]
fn unknown_customers_are_created_by_id_or_phone_and_reused() {
    let (dir, db) = temp_db();
    seed(&db);
    let by_id = "订单编号,会员编号,姓名,手机,日期,实付金额,渠道\nQ1,M1,陈静,13711112222,2024/1/5,\"1,200\",天猫\nQ2,M1,陈静,,2024/1/6,1,天猫\nQ3,C001,,,2024/1/7,3,门店\n";
    let r = run(&db, &write(dir.path(), "o.csv", by_id.as_bytes()), &opts(ImportKind::Orders));
    assert_eq!((r.status, r.created, r.customers_created), (ImportStatus::Imported, 3, 1), "{:?}", r.errors);
    let chen = db
        .with_conn(|c| customers::list(c, &CustomerQuery { search: Some("陈静".into()), ..Default::default() }))
        .expect("list");
    assert_eq!(chen.items[0].external_id.as_deref(), Some("M1"));
    assert_eq!(chen.items[0].phone.as_deref(), Some("13711112222"));
    assert_eq!(chen.items[0].channels, vec![headtail_core::customers::SalesChannel::Marketplace]);
    // Without an id column, the phone finds the customer.
    let by_phone = "手机,日期,金额\n13900139000,2024-03-01,9\n13712345678,2024-03-01,9\n";
    let r = run(&db, &write(dir.path(), "p.csv", by_phone.as_bytes()), &opts(ImportKind::Orders));
    assert_eq!((r.created, r.customers_created), (2, 1), "{:?}", r.errors);
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = '王芳'"),
        1
    );
}

#[test]
fn an_order_number_already_in_the_database_is_a_duplicate_or_skipped() {
    let (dir, db) = temp_db();
    seed(&db);
    let csv = "订单号,客户编号,下单日期,金额\nSO-1,C001,2024-01-05,5\nSO-2,C001,2024-01-05,6\n";
    let path = write(dir.path(), "o.csv", csv.as_bytes());
    let create = run(&db, &path, &opts(ImportKind::Orders));
    assert_eq!(
        create.errors.iter().map(|e| (e.row, e.field, e.reason)).collect::<Vec<_>>(),
        vec![(2, Some(Field::OrderNumber), Reason::DuplicateInDatabase)]
    );
    let skip = run(&db, &path, &ImportOptions { mode: ImportMode::Skip, ..opts(ImportKind::Orders) });
    assert_eq!((skip.status, skip.created, skip.skipped), (ImportStatus::Imported, 1, 1));
}

#[test]
fn orders_written_many_at_a_time_keep_their_lines_and_add_up_repeated_numbers() {
    let (dir, db) = temp_db();
    seed(&db);
    // 200 rows: order numbers R0..R149, where every row past 150 repeats an earlier number
    // (in the same group of 64 orders or an earlier one), and SO-1, stored before, in between.
    let mut csv = String::from("订单号,客户编号,下单日期,金额,商品,渠道\n");
    for i in 0..200 {
        let number = if i < 150 { i } else { (i * 7) % 150 };
        csv.push_str(&format!(
            "R{number},C{},2024-02-{:02},{},货R{number},淘宝\n",
            number % 9,
            number % 28 + 1,
            number + 1
        ));
        if i == 100 {
            csv.push_str("SO-1,C001,2024-02-01,5,货SO-1,门店\n");
        }
    }
    let path = write(dir.path(), "o.csv", csv.as_bytes());
    let report = run(&db, &path, &ImportOptions { mode: ImportMode::Skip, ..opts(ImportKind::Orders) });
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    assert_eq!((report.rows_read, report.created, report.skipped, report.order_lines), (201, 150, 1, 200));
    // Each order's lines name it, and its amount is the sum of its rows.
    assert_eq!(
        count(&db, "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.product <> '货' || o.external_id"),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM orders o WHERE o.external_id LIKE 'R%'
               AND o.amount_minor <> 100 * (CAST(substr(o.external_id, 2) AS INTEGER) + 1)
                                        * (SELECT count(*) FROM order_lines WHERE order_id = o.id)"
        ),
        0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM orders WHERE external_id = 'SO-1'"), 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM order_lines WHERE product = '货SO-1'"),
        0,
        "a skipped order brings no lines"
    );
    let check: String =
        db.with_conn(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)).expect("integrity");
    assert_eq!(check, "ok", "every row passes the tables' CHECK constraints");
    assert_eq!(count(&db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

#[test]
fn ambiguous_day_month_order_needs_a_decision() {
    let (dir, db) = temp_db();
    seed(&db);
    let before = everything(&db);
    let csv = "客户编号,下单日期,金额\nC001,05/01/2024,1\nC001,06/02/2024,1\n";
    let path = write(dir.path(), "o.csv", csv.as_bytes());
    let report = run(&db, &path, &opts(ImportKind::Orders));
    assert_eq!(report.status, ImportStatus::NeedsDecision);
    assert_eq!(
        report.date_order_examples.iter().map(|e| (e.row, e.value.as_str())).collect::<Vec<_>>(),
        vec![(2, "05/01/2024"), (3, "06/02/2024")]
    );
    assert_eq!(everything(&db), before);
    let day_first = run(&db, &path, &ImportOptions { day_first: Some(true), ..opts(ImportKind::Orders) });
    assert_eq!(day_first.status, ImportStatus::Imported);
    assert_eq!(count(&db, "SELECT count(*) FROM orders WHERE ordered_on IN ('2024-01-05', '2024-02-06')"), 2);
}

#[test]
fn one_telling_date_settles_the_order_for_the_whole_file() {
    let (dir, db) = temp_db();
    seed(&db);
    // The first rows could be either; row 4 can only be day first, so all are read that way.
    let csv = "客户编号,下单日期,金额\nC001,05/01/2024,1\nC001,06/02/2024,1\nC001,25/12/2024,1\n";
    let report = run(&db, &write(dir.path(), "o.csv", csv.as_bytes()), &opts(ImportKind::Orders));
    assert_eq!((report.status, report.day_first), (ImportStatus::Imported, Some(true)), "{:?}", report.errors);
    assert_eq!(
        count(&db, "SELECT count(*) FROM orders WHERE ordered_on IN ('2024-01-05', '2024-02-06', '2024-12-25')"),
        3
    );
    let conflict = "客户编号,下单日期,金额\nC001,25/01/2024,1\nC001,01/25/2024,1\n";
    let report = run(&db, &write(dir.path(), "c.csv", conflict.as_bytes()), &opts(ImportKind::Orders));
    assert_eq!(
        report.errors.iter().map(|e| (e.row, e.reason)).collect::<Vec<_>>(),
        vec![(3, Reason::DateOrderConflict)]
    );
}

#[test]
fn a_confirmed_mapping_is_saved_and_used_for_the_same_headers() {
    let (dir, db) = temp_db();
    let csv = "代号,称呼\nZ1,钱多多\n";
    let path = write(dir.path(), "c.csv", csv.as_bytes());
    let unmapped = run(&db, &path, &opts(ImportKind::Customers));
    assert_eq!((unmapped.status, unmapped.missing_fields.clone()), (ImportStatus::NeedsMapping, vec![Field::Name]));
    let mut mapping = Mapping::default();
    mapping.0.insert(Field::Name, "称呼".into());
    mapping.0.insert(Field::ExternalId, "代号".into());
    let first = run(&db, &path, &ImportOptions { mapping, ..opts(ImportKind::Customers) });
    assert_eq!(first.status, ImportStatus::Imported, "{:?}", first.errors);
    let again = write(dir.path(), "again.csv", "代号,称呼\nZ2,孙悟空\n".as_bytes());
    let second = run(&db, &again, &opts(ImportKind::Customers));
    assert_eq!(second.status, ImportStatus::Imported, "the saved mapping is found by the headers");
    assert_eq!(second.mapping.0.get(&Field::ExternalId).map(String::as_str), Some("代号"));
}

#[test]
fn interactions_and_survey_responses_attach_to_known_customers() {
    let (dir, db) = temp_db();
    seed(&db);
    let interactions = "客户编号,方式,时间,结果,备注,下次跟进\nC001,拜访,2024-03-01 10:30,意向强,带了样品,2024-03-08\nC404,电话,2024-03-02,,,\n";
    let r = run(
        &db,
        &write(dir.path(), "i.csv", interactions.as_bytes()),
        &ImportOptions { skip_bad_rows: true, ..opts(ImportKind::Interactions) },
    );
    assert_eq!((r.created, r.bad_rows), (1, 1));
    assert_eq!((r.errors[0].row, r.errors[0].reason), (3, Reason::UnknownCustomer));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM interactions i JOIN follow_ups f ON f.interaction_id = i.id
             WHERE i.kind = 'visit' AND f.due_at = '2024-03-08 09:00:00' AND f.completed_at IS NULL
               AND f.source = 'interaction'"
        ),
        1,
        "the next-follow-up column schedules a follow-up of the interaction, at nine"
    );
    db.with_tx(|c| revert_batch(c, r.batch_id.expect("batch"), at(11))).expect("revert interactions");
    assert_eq!(count(&db, "SELECT count(*) FROM follow_ups"), 0, "reverting the import takes its follow-ups too");
    let surveys = "手机,类型,评分,评论,日期\n13800138000,NPS,9,很好,2024-04-01\n13900139000,CSAT,7,,2024-04-01\n";
    let r = run(&db, &write(dir.path(), "s.csv", surveys.as_bytes()), &opts(ImportKind::SurveyResponses));
    assert_eq!(r.status, ImportStatus::Rejected);
    assert_eq!((r.errors[0].row, r.errors[0].field, r.errors[0].reason), (3, Some(Field::Score), Reason::OutOfRange));
}

#[test]
fn progress_is_reported_while_a_100k_row_file_imports() {
    let (dir, db) = temp_db();
    let mut csv = String::from("订单号,客户编号,客户名称,下单日期,金额,商品,品类,数量\n");
    for i in 0..100_000 {
        csv.push_str(&format!(
            "N{i},K{},客户{},2024-{:02}-{:02},{}.{:02},商品{},品类{},{}\n",
            i % 10_000,
            i % 10_000,
            i % 12 + 1,
            i % 28 + 1,
            i % 500,
            i % 100,
            i % 50,
            i % 7,
            i % 3 + 1
        ));
    }
    let path = write(dir.path(), "big.csv", csv.as_bytes());
    let mut calls = Vec::new();
    let started = Instant::now();
    let report =
        db.with_conn(|c| import_file(c, &path, &opts(ImportKind::Orders), at(10), |p| calls.push(p))).expect("import");
    let elapsed = started.elapsed();
    assert_eq!((report.status, report.created, report.customers_created), (ImportStatus::Imported, 100_000, 10_000));
    assert_eq!(calls.len(), 11, "every 10,000 rows and at the end");
    assert_eq!(calls.last().map(|p| (p.rows_done, p.bytes_done == p.bytes_total)), Some((100_000, true)));
    assert!(calls.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
    assert!(elapsed.as_secs() < 60, "100k rows took {elapsed:?}");
}

#[test]
fn preview_shows_how_a_file_reads_and_maps_without_writing() {
    let (dir, db) = temp_db();
    let before = everything(&db);
    let csv = "订单号|客户编号|下单日期|金额|备注\nP1|C1|2024-01-05|￥12.50|首单\n\nP2|C2|2024-01-06|8|\n";
    let path = write(dir.path(), "p.csv", csv.as_bytes());
    let preview = db.with_conn(|c| preview_file(c, &path, &opts(ImportKind::Orders), 10)).expect("preview");
    assert_eq!(preview.source.delimiter, Some('|'));
    assert_eq!(preview.mapping.0.get(&Field::Amount).map(String::as_str), Some("金额"));
    assert_eq!(preview.unmapped_headers, vec!["备注"]);
    assert!(preview.missing_fields.is_empty());
    assert_eq!(preview.rows.len(), 2, "blank lines are not rows");
    assert_eq!(preview.rows[0][3], "￥12.50");
    assert_eq!(everything(&db), before);
}
