//! An import killed with SIGKILL half-way leaves the database exactly as it was and intact:
//! the import is one transaction, and SQLite's WAL drops what was never committed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The schema and every row, as text.
fn fingerprint(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut out = String::new();
    let tables: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'customer_search%' ORDER BY name",
        )
        .expect("schema")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("schema rows");
    for (name, sql) in tables {
        out.push_str(&format!("{name}: {sql}\n"));
        if !sql.starts_with("CREATE TABLE") {
            continue;
        }
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{name}\"")).expect("select");
        let width = stmt.column_count();
        let mut rows = stmt.query([]).expect("query");
        while let Some(row) = rows.next().expect("row") {
            for i in 0..width {
                out.push_str(&format!("{:?}|", row.get::<_, rusqlite::types::Value>(i).expect("value")));
            }
            out.push('\n');
        }
    }
    out
}

fn import(db: &Path, file: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_headtail"));
    cmd.args(["import", "--db", db.to_str().expect("path"), "--kind", "orders", file.to_str().expect("path")])
        .env_remove("DISPLAY")
        .env_remove("HEADTAIL_DB");
    cmd
}

#[test]
fn an_import_killed_midway_leaves_the_database_unchanged_and_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crm.sqlite");
    let small = dir.path().join("first.csv");
    std::fs::write(&small, "订单号,客户编号,客户名称,下单日期,金额\nA1,C1,张伟,2024-01-05,10\n").expect("write");
    let first = import(&db, &small).output().expect("first import");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stdout));
    let before = fingerprint(&db);

    // Big enough (over 32 MB) to be a bulk load, which also drops and rebuilds indexes.
    let big = dir.path().join("big.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&big).expect("create"));
    writeln!(out, "订单号,客户编号,客户名称,下单日期,金额,商品,品类,数量").expect("header");
    for i in 0..600_000 {
        writeln!(
            out,
            "B{i:08},K{:06},客户{},2024-{:02}-{:02},{}.50,商品{},品类{},1",
            i % 50_000,
            i % 50_000,
            i % 12 + 1,
            i % 28 + 1,
            i % 900,
            i % 40,
            i % 8
        )
        .expect("row");
    }
    drop(out);
    assert!(std::fs::metadata(&big).expect("size").len() > 32 << 20);

    let mut child = import(&db, &big).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let progress = lines.next().expect("a progress line").expect("readable");
    assert!(progress.contains("rows"), "{progress}");
    // Let it write some more, so the WAL holds uncommitted pages, then pull the plug.
    std::thread::sleep(Duration::from_millis(700));
    assert!(child.try_wait().expect("status").is_none(), "the import must still be running when killed");
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success());

    let check: String = rusqlite::Connection::open(&db)
        .expect("reopen")
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    assert_eq!(fingerprint(&db), before, "nothing of the killed import is left, and no index is missing");

    // And the database still works: the same file can be imported after the crash.
    let again = import(&db, &small).output().expect("import after crash");
    assert_eq!(again.status.code(), Some(1), "A1 exists: a duplicate, reported");

    // Run to the end, the bulk load leaves the same schema (every index rebuilt) and sound data.
    let schema = |db: &Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(db).expect("open");
        let mut stmt = conn.prepare("SELECT coalesce(sql, name) FROM sqlite_schema ORDER BY name").expect("schema");
        stmt.query_map([], |r| r.get(0)).expect("rows").collect::<Result<_, _>>().expect("sql")
    };
    let schema_before = schema(&db);
    let full = import(&db, &big).output().expect("full import");
    assert!(full.status.success(), "{}", String::from_utf8_lossy(&full.stdout));
    assert_eq!(schema(&db), schema_before);
    let conn = rusqlite::Connection::open(&db).expect("open");
    let (check, lines, orphans): (String, i64, i64) = conn
        .query_row(
            "SELECT (SELECT integrity_check FROM pragma_integrity_check),
                    (SELECT count(*) FROM order_lines),
                    (SELECT count(*) FROM pragma_foreign_key_check)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("checks");
    assert_eq!((check.as_str(), lines, orphans), ("ok", 600_000, 0));
    // The 50,000 customers the orders made are in the search index once the command ends.
    let found = |query: &str| -> i64 {
        conn.query_row("SELECT count(*) FROM customer_search WHERE customer_search MATCH ?1", [query], |r| r.get(0))
            .expect("search")
    };
    assert_eq!(found("\"k012345\""), 1);
    assert_eq!(found("\"客户\""), 50_000);
}
