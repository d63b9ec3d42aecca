//! `headtail import` and `headtail export` on the real binary: reports, exit codes, and that a
//! rejected import leaves the database as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn headtail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headtail"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("HEADTAIL_DB")
        .output()
        .expect("run headtail")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write file");
    path
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db).expect("open").query_row(sql, [], |r| r.get(0)).expect("count")
}

#[test]
fn a_gbk_order_file_imports_and_reports_its_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let text = "订单号,客户编号,客户名称,下单日期,实付金额,商品,渠道\r\nT1,C1,张伟,2024/1/5,\"￥1,234.50\",茶叶,淘宝\r\nT1,C1,张伟,2024/1/5,10,杯子,淘宝\r\nT2,C2,李娜,2024年1月6日,88元,台灯,门店\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let file = write(dir.path(), "orders.csv", &gbk);
    let out = headtail(&["import", "--db", s(&db), "--kind", "orders", s(&file)]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.starts_with("imported"), "{report}");
    assert!(report.contains("rows read: 3, created: 2"), "{report}");
    assert!(report.contains("customers created: 2, order lines: 3"), "{report}");
    assert!(report.contains("gb18030"), "{report}");
    assert_eq!(count(&db, "SELECT sum(amount_minor) FROM orders"), 123_450 + 1_000 + 8_800);
}

#[test]
fn a_taobao_export_imports_as_it_comes_with_no_mapping() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/platforms/taobao.csv");
    let out = headtail(&["import", "--db", s(&db), "--kind", "orders", s(&file)]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.starts_with("imported"), "{report}");
    assert!(report.contains("gb18030"), "{report}");
    assert!(report.contains("Taobao/Tmall order export recognised"), "{report}");
    assert!(report.contains("phone=联系手机"), "{report}");
    assert!(report.contains("amount=买家实际支付金额"), "{report}");
    assert!(report.contains("date=订单创建时间"), "{report}");
    assert!(report.contains("rows read: 5, created: 5"), "{report}");
    assert!(report.contains("customers created: 3"), "{report}");
    assert_eq!(count(&db, "SELECT count(*) FROM customers WHERE external_id LIKE 'taobao:%'"), 3);
    assert_eq!(count(&db, "SELECT count(*) FROM customers WHERE phone = '13811112222'"), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM customers WHERE phone LIKE '%*%' OR name LIKE '%*%'"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM orders WHERE status IS NOT NULL"), 2, "closed and unpaid kept");
    assert_eq!(count(&db, "SELECT sum(amount_minor) FROM orders WHERE status IS NULL"), 23_800 + 51_230 + 7_650);
}

#[test]
fn bad_rows_are_listed_with_row_numbers_exit_1_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let file =
        write(dir.path(), "c.csv", "客户名称,邮箱\n好人,ok@example.cn\n坏人,bad-email\n,x@example.cn\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "customers", s(&file)]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("row 3: email: invalid_email"), "{report}");
    assert!(report.contains("row 4: name: required"), "{report}");
    assert_eq!(count(&db, "SELECT count(*) FROM customers"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM import_batches"), 0);

    let out = headtail(&["import", "--db", s(&db), "--kind", "customers", "--skip-bad-rows", s(&file)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(count(&db, "SELECT count(*) FROM customers"), 1);
}

#[test]
fn possible_duplicates_are_listed_as_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let first = write(dir.path(), "a.csv", "客户名称,手机\n张伟,13800138000\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "customers", s(&first)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let second = write(dir.path(), "b.csv", "客户名称,手机\n李娜,13900139000\n张伟二,138-0013-8000\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "customers", s(&second)]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(report.contains("warnings: 1 rows to look at"), "{report}");
    assert!(
        report.contains("warning: row 3: phone: possible_duplicate (\"138-0013-8000\"), customer #1 张伟"),
        "{report}"
    );
}

#[test]
fn ambiguous_dates_stop_until_the_order_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let file = write(dir.path(), "o.csv", "客户编号,日期,金额\nC1,05/01/2024,1\nC1,03/02/2024,1\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "orders", s(&file)]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("row 2: date: 05/01/2024") && report.contains("--day-first"), "{report}");
    assert_eq!(count(&db, "SELECT count(*) FROM orders"), 0);
    let out = headtail(&["import", "--db", s(&db), "--kind", "orders", "--month-first", s(&file)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(count(&db, "SELECT count(*) FROM orders WHERE ordered_on = '2024-05-01'"), 1);
}

#[test]
fn mappings_dry_runs_and_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let file = write(dir.path(), "c.tsv", "代号\t称呼\tMobile\nA1\t赵敏\t13700000000\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "customers", s(&file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("missing columns: name"), "{}", stdout(&out));
    let args =
        ["import", "--db", s(&db), "--kind", "customers", "--mapping", "name=称呼", "--mapping", "external_id=代号"];
    let dry = headtail(&[&args[..], &["--dry-run", s(&file)]].concat());
    assert_eq!(dry.status.code(), Some(0), "{}", stdout(&dry));
    assert!(stdout(&dry).starts_with("dry run"));
    assert_eq!(count(&db, "SELECT count(*) FROM customers"), 0);
    let real = headtail(&[&args[..], &[s(&file)]].concat());
    assert_eq!(real.status.code(), Some(0), "{}", stdout(&real));
    assert_eq!(count(&db, "SELECT count(*) FROM customers WHERE external_id = 'A1' AND phone = '13700000000'"), 1);

    let unknown_field = headtail(&["import", "--db", s(&db), "--kind", "customers", "--mapping", "colour=x", s(&file)]);
    assert_eq!(unknown_field.status.code(), Some(2));
    let missing_file = headtail(&["import", "--db", s(&db), "--kind", "orders", "/nonexistent/orders.csv"]);
    assert_eq!(missing_file.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing_file.stderr).contains("cannot read"));
    let no_kind = headtail(&["import", "--db", s(&db), s(&file)]);
    assert_eq!(no_kind.status.code(), Some(2));
}

#[test]
fn export_writes_one_csv_per_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let file = write(dir.path(), "c.csv", "客户名称,手机\n钱多多,13700000000\n".as_bytes());
    assert_eq!(headtail(&["import", "--db", s(&db), "--kind", "customers", s(&file)]).status.code(), Some(0));
    let out_dir = dir.path().join("backup");
    let out = headtail(&["export", "--db", s(&db), "--out", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let customers = std::fs::read(out_dir.join("customers.csv")).expect("customers.csv");
    assert!(customers.starts_with(b"\xEF\xBB\xBF"));
    assert!(String::from_utf8_lossy(&customers).contains("钱多多"));
}

/// (purchase days, the date it was evaluated again on, when later than the run's) of a
/// customer in the latest run, as the profile shows it.
fn standing(db: &Path, external_id: &str) -> (u32, Option<String>) {
    let db = headtail_core::Database::open(db).expect("open");
    let id: i64 = db
        .with_conn(|c| Ok(c.query_row("SELECT id FROM customers WHERE external_id = ?1", [external_id], |r| r.get(0))?))
        .expect("customer");
    let standing = db
        .with_conn(|c| headtail_core::evaluation::store::standing(c, id))
        .expect("standing")
        .expect("member of the latest run");
    let refreshed = (standing.evaluated_on != standing.as_of).then(|| standing.evaluated_on.to_string());
    (standing.member.measures.purchase_days, refreshed)
}

#[test]
fn imported_orders_bring_their_customers_standings_up_to_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let first = write(
        dir.path(),
        "a.csv",
        "订单号,客户编号,下单日期,金额\nA1,C1,2026-01-05,100\nA2,C2,2026-02-01,50\n".as_bytes(),
    );
    assert_eq!(headtail(&["import", "--db", s(&db), "--kind", "orders", s(&first)]).status.code(), Some(0));
    let out = headtail(&["evaluate", "--db", s(&db), "--as-of", "2026-06-30", "--out", s(&dir.path().join("m.csv"))]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(standing(&db, "C1"), (1, None));

    let second = write(
        dir.path(),
        "b.csv",
        "订单号,客户编号,下单日期,金额\nB1,C1,2026-06-20,80\nB2,C3,2026-06-21,20\n".as_bytes(),
    );
    let out = headtail(&["import", "--db", s(&db), "--kind", "orders", s(&second)]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let (days, refreshed) = standing(&db, "C1");
    assert_eq!(days, 2, "the imported order counts in C1's standing");
    assert!(refreshed.is_some(), "marked as evaluated again after the run");
    assert_eq!(standing(&db, "C2"), (1, None), "a customer without new orders keeps the run's standing");
    assert!(report.contains("standings: 1 customers brought up to date"), "{report}");
}

#[test]
fn an_interactions_file_with_only_a_phone_column_finds_its_customers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let customers = write(dir.path(), "c.csv", "客户名称,手机\n张伟,13811112222\n李娜,13922223333\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "customers", s(&customers)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let log = "电话,方式,时间,结果\n138 1111 2222,拜访,2026-02-10,意向强\n13922223333,电话,2026-02-11,\n";
    let file = write(dir.path(), "i.csv", log.as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "interactions", s(&file)]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("phone=电话"), "{report}");
    assert!(report.contains("rows read: 2, created: 2"), "{report}");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM interactions i JOIN customers c ON c.id = i.customer_id
             WHERE (c.name = '张伟' AND i.kind = 'visit') OR (c.name = '李娜' AND i.kind = 'call')"
        ),
        2
    );

    let unknown = write(dir.path(), "u.csv", "手机,方式,时间\n13700000000,拜访,2026-02-12\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "interactions", s(&unknown)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("row 2: phone: unknown_customer (\"13700000000\")"), "{}", stdout(&out));

    let nameless = write(dir.path(), "n.csv", "方式,时间\n拜访,2026-02-12\n".as_bytes());
    let out = headtail(&["import", "--db", s(&db), "--kind", "interactions", s(&nameless)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("missing columns: a customer column (external_id or phone or email or name)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&db, "SELECT count(*) FROM interactions"), 2, "refused files write nothing");
}
