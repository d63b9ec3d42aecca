//! Exports read back the way a user's tools read them: csv for CSV files, calamine for Excel.

use super::{at, temp_db};
use calamine::Reader;
use headtail_core::customers::{self, CustomerInput, CustomerKind, CustomerQuery, SalesChannel};
use headtail_core::export::{self, default_columns, ColumnLabel, CustomerColumn, CustomerSelection};
use headtail_core::import::{import_file, ImportKind, ImportOptions, ImportStatus};
use headtail_core::settings::Language;
use headtail_core::Database;

fn seed(db: &Database) -> Vec<i64> {
    db.with_tx(|c| {
        let mut ids = Vec::new();
        for (name, phone, tags) in [
            ("张伟", "01062345678", vec!["VIP", "华北"]),
            ("李娜", "13800138000", vec![]),
            ("Ａcme 深圳", "", vec!["渠道商"]),
        ] {
            let input = CustomerInput {
                phone: (!phone.is_empty()).then(|| phone.to_owned()),
                tags: tags.into_iter().map(str::to_owned).collect(),
                channels: vec![SalesChannel::Marketplace],
                owner: Some("王经理".into()),
                kind: if name.contains("cme") { CustomerKind::Company } else { CustomerKind::Person },
                ..CustomerInput::named(name)
            };
            ids.push(customers::create(c, input, at(1))?.id);
        }
        Ok(ids)
    })
    .expect("seed")
}

pub(crate) fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("CSV exports start with a BOM for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn a_segment_exports_to_csv_with_chinese_headers_and_text_intact() {
    let (_dir, db) = temp_db();
    let ids = seed(&db);
    let columns: Vec<ColumnLabel> = default_columns(Language::ZhCn)
        .into_iter()
        .filter(|c| {
            matches!(
                c.column,
                CustomerColumn::Name | CustomerColumn::Phone | CustomerColumn::Tags | CustomerColumn::Owner
            )
        })
        .collect();
    let mut out = Vec::new();
    let query = CustomerQuery { tag: Some("VIP".into()), ..Default::default() };
    let n = db
        .with_conn(|c| {
            export::customers_csv(c, &CustomerSelection::Query(query), &columns, Some(Language::ZhCn), &mut out)
        })
        .expect("export");
    assert_eq!(n, 1);
    let rows = read_csv(&out);
    assert_eq!(rows[0], vec!["客户名称", "手机", "负责人", "标签"]);
    assert_eq!(rows[1], vec!["张伟", "01062345678", "王经理", "VIP,华北"], "a leading zero and Chinese survive");

    let mut out = Vec::new();
    let english = default_columns(Language::En);
    let n = db
        .with_conn(|c| {
            export::customers_csv(c, &CustomerSelection::Ids(vec![ids[2], ids[0]]), &english, None, &mut out)
        })
        .expect("export");
    assert_eq!(n, 2);
    let rows = read_csv(&out);
    assert_eq!(rows[0][..3], ["ID", "Customer ID", "Name"]);
    assert_eq!(rows[1][2], "Ａcme 深圳", "ids keep the order they were given in");
    assert_eq!(rows[1][3], "company");
}

#[test]
fn an_exported_list_imports_back_into_the_same_customers() {
    let (dir, db) = temp_db();
    seed(&db);
    let path = dir.path().join("全部客户.csv");
    let file = std::fs::File::create(&path).expect("create");
    db.with_conn(|c| {
        export::customers_csv(
            c,
            &CustomerSelection::Query(CustomerQuery::default()),
            &default_columns(Language::ZhCn)[1..],
            Some(Language::ZhCn),
            file,
        )
    })
    .expect("export");
    let (_dir2, fresh) = temp_db();
    let report = fresh
        .with_conn(|c| import_file(c, &path, &ImportOptions::new(ImportKind::Customers), at(2), |_| {}))
        .expect("import");
    assert_eq!((report.status, report.created), (ImportStatus::Imported, 3), "{:?}", report.errors);
    let back = fresh.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list");
    let zhang = back.items.iter().find(|c| c.name == "张伟").expect("张伟 is back");
    assert_eq!(
        (zhang.tags.clone(), zhang.channels.clone()),
        (vec!["VIP".to_owned(), "华北".to_owned()], vec![SalesChannel::Marketplace])
    );
}

#[test]
fn a_segment_exports_to_xlsx_that_excel_readers_open() {
    let (dir, db) = temp_db();
    seed(&db);
    let path = dir.path().join("客户.xlsx");
    let n = db
        .with_conn(|c| {
            export::customers_xlsx(
                c,
                &CustomerSelection::Query(CustomerQuery::default()),
                &default_columns(Language::ZhCn),
                Some(Language::ZhCn),
                &path,
            )
        })
        .expect("export");
    assert_eq!(n, 3);
    let mut book = calamine::open_workbook_auto(&path).expect("open");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][2], "客户名称");
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().any(|r| r[2] == "李娜" && r[5] == "13800138000"));
    assert!(matches!(sheet.get((1, 0)), Some(calamine::Data::Float(_) | calamine::Data::Int(_))), "ids are numbers");
}

#[test]
fn the_whole_database_exports_to_one_csv_per_table() {
    let (dir, db) = temp_db();
    seed(&db);
    let out = dir.path().join("backup");
    let tables = db.with_conn(|c| export::database_csv(c, &out)).expect("export");
    let customers = tables.iter().find(|t| t.table == "customers").expect("customers table");
    assert_eq!(customers.rows, 3);
    assert!(
        tables.iter().all(|t| !t.table.starts_with("customer_search")),
        "the search index is derived, not exported"
    );
    let rows = read_csv(&std::fs::read(&customers.file).expect("read"));
    let name = rows[0].iter().position(|h| h == "name").expect("name column");
    assert!(rows[1..].iter().any(|r| r[name] == "张伟"));
    let tags = tables.iter().find(|t| t.table == "customer_tags").expect("tags");
    assert_eq!(tags.rows, 3);
}
