use headtail_core::{db, Database, Error};
use rusqlite::Connection;

#[test]
fn a_new_file_gets_the_current_schema_in_wal_mode() {
    let (dir, db) = crate::temp_db();
    let path = dir.path().join("headtail.sqlite");
    assert!(path.exists());
    let (version, mode, fk): (i64, String, i64) = db
        .with_conn(|c| {
            Ok((
                c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            ))
        })
        .expect("pragmas");
    assert_eq!(version, db::schema_version());
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1, "foreign keys must be enforced on pooled connections");
}

#[test]
fn reopening_keeps_data_and_applies_no_migration_twice() {
    let (dir, db) = crate::temp_db();
    let path = dir.path().join("headtail.sqlite");
    db.with_conn(|c| Ok(c.execute("INSERT INTO settings VALUES ('probe', 'kept')", [])?)).expect("insert");
    drop(db);
    let again = Database::open(&path).expect("reopen");
    let kept: String = again
        .with_conn(|c| Ok(c.query_row("SELECT value FROM settings WHERE key = 'probe'", [], |r| r.get(0))?))
        .expect("read back");
    assert_eq!(kept, "kept");
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("future.sqlite");
    {
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE from_the_future (x); PRAGMA user_version = 999;").expect("setup");
    }
    let before = std::fs::read(&path).expect("read");
    let err = Database::open(&path).expect_err("must refuse a newer schema");
    assert!(matches!(err, Error::DatabaseTooNew { found: 999, .. }), "got {err:?}");
    assert!(err.to_string().contains("newer version"), "message must say why: {err}");
    assert_eq!(std::fs::read(&path).expect("read"), before, "the file must not change");
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_such() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, "this is a text file, not SQLite, and it is long enough to have a header").expect("write");
    let err = Database::open(&path).expect_err("must refuse");
    assert!(matches!(err, Error::DatabaseCorrupt { .. }), "got {err:?}");
    assert_eq!(err.payload().details.params.get("path").map(String::as_str), path.to_str());
}

#[test]
fn a_failed_transaction_leaves_nothing_behind() {
    let (_dir, db) = crate::temp_db();
    let result: headtail_core::Result<()> = db.with_tx(|tx| {
        tx.execute("INSERT INTO settings VALUES ('half', 'done')", [])?;
        Err(Error::InvalidArgument("stop here".into()))
    });
    assert!(result.is_err());
    let count: i64 = db
        .with_conn(|c| Ok(c.query_row("SELECT count(*) FROM settings WHERE key = 'half'", [], |r| r.get(0))?))
        .expect("count");
    assert_eq!(count, 0, "a rolled back transaction must not leave its row");
}

#[test]
fn upgrading_a_version_4_file_rebuilds_the_search_index_with_its_customers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v4.sqlite");
    {
        let conn = Connection::open(&path).expect("create");
        for sql in [
            include_str!("../../migrations/0001_customers.sql"),
            include_str!("../../migrations/0002_data_model.sql"),
            include_str!("../../migrations/0003_activity.sql"),
            include_str!("../../migrations/0004_list_indexes.sql"),
        ] {
            conn.execute_batch(sql).expect("old migration");
        }
        conn.execute_batch(
            "INSERT INTO customers (name, kind, company, name_key, created_at, updated_at)
             VALUES ('张伟', 'company', '深圳市华强电子有限公司', '张伟', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             PRAGMA user_version = 4;",
        )
        .expect("a customer of version 4");
    }
    let db = Database::open(&path).expect("upgrade");
    let found = db
        .with_conn(|c| {
            headtail_core::customers::list(
                c,
                &headtail_core::customers::CustomerQuery { search: Some("华强".into()), ..Default::default() },
            )
        })
        .expect("search");
    assert_eq!(found.items.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["张伟"]);
}

#[test]
fn duplicate_look_ups_by_phone_email_and_name_use_an_index() {
    let (_dir, db) = crate::temp_db();
    db.with_conn(|c| {
        for column in ["phone_key", "email_key", "name_key"] {
            // The import's look-up of live customers by a duplicate key.
            let sql = format!(
                "EXPLAIN QUERY PLAN SELECT id FROM customers WHERE {column} = ?1 AND deleted_at IS NULL AND erased_at IS NULL ORDER BY id LIMIT 2"
            );
            let plan: Vec<String> = c.prepare(&sql)?.query_map(["x"], |r| r.get(3))?.collect::<rusqlite::Result<_>>()?;
            assert!(
                plan.iter().any(|step| step.contains("USING INDEX") || step.contains("USING COVERING INDEX")),
                "{column}: {plan:?}"
            );
            assert!(!plan.iter().any(|step| step.contains("TEMP B-TREE")), "{column}: {plan:?}");
        }
        Ok(())
    })
    .expect("plans");
}

#[test]
fn reads_in_a_snapshot_do_not_see_a_write_committed_meanwhile() {
    let (dir, db) = crate::temp_db();
    let other = Database::open(&dir.path().join("headtail.sqlite")).expect("second handle");
    let count = |c: &Connection| -> headtail_core::Result<i64> {
        Ok(c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?)
    };
    let (before, during) = db
        .with_conn(|c| {
            db::read_snapshot(c, || {
                let before = count(c)?;
                other.with_tx(|tx| {
                    headtail_core::customers::create(
                        tx,
                        headtail_core::customers::CustomerInput::named("李娜"),
                        crate::at(1),
                    )
                })?;
                Ok((before, count(c)?))
            })
        })
        .expect("snapshot");
    assert_eq!((before, during), (0, 0), "the snapshot keeps what it first read");
    assert_eq!(db.with_conn(|c| count(c)).expect("after"), 1, "the next read sees the write");
}
