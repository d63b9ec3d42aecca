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
        for column in ["phone_key", "email_key", "name_sort = ?1 AND name_key"] {
            // The import's look-up of live customers by a duplicate key (a name's by its sort
            // key, which holds the duplicate key).
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

/// Makes a file or folder unwritable for the duration, even for root (who ignores modes):
/// the immutable attribute as root, the mode otherwise.
struct Unwritable(Vec<std::path::PathBuf>);

impl Unwritable {
    fn make(paths: &[&std::path::Path]) -> Self {
        let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        for p in paths {
            if root {
                let ok = std::process::Command::new("chattr").arg("+i").arg(p).status().is_ok_and(|s| s.success());
                assert!(ok, "chattr +i {} (e2fsprogs on ext4 or similar)", p.display());
            } else {
                let mode = if p.is_dir() { 0o555 } else { 0o444 };
                std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(mode)).expect("chmod");
            }
        }
        Self(paths.iter().map(|p| p.to_path_buf()).collect())
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::process::Command::new("chattr").arg("-i").arg(p).status();
            let mode = if p.is_dir() { 0o755 } else { 0o644 };
            let _ = std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(mode));
        }
    }
}

#[test]
fn a_missing_database_is_not_created_where_one_must_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let typo = dir.path().join("shpo.sqlite");
    let err = Database::open_existing(&typo).expect_err("no such database");
    assert!(matches!(err, Error::NoDatabase { .. }), "got {err:?}");
    assert_eq!(err.payload().code, headtail_core::error::ErrorCode::NoDatabase);
    assert!(!typo.exists(), "nothing is created");
}

#[test]
fn a_database_on_read_only_media_opens_for_reading_and_refuses_writes_by_name() {
    use headtail_core::customers::{self, CustomerInput, CustomerQuery};
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("usb");
    let path = folder.join("shop.sqlite");
    {
        let db = Database::open(&path).expect("create");
        db.with_tx(|tx| customers::create(tx, CustomerInput::named("张伟"), crate::at(1))).expect("customer");
        db.with_conn(|c| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?)).expect("checkpoint");
    }
    let _ = std::fs::remove_file(folder.join("shop.sqlite-wal"));
    let _ = std::fs::remove_file(folder.join("shop.sqlite-shm"));
    let bytes = std::fs::read(&path).expect("bytes");
    let _guard = Unwritable::make(&[&path, &folder]);

    let db = Database::open(&path).expect("a valid database on read-only media opens");
    assert!(db.is_read_only());
    let page = db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("reading works");
    assert_eq!(page.items.len(), 1);
    let out = dir.path().join("export");
    let tables = db.with_conn(|c| headtail_core::export::database_csv(c, &out)).expect("export works");
    assert!(tables.iter().any(|t| t.table == "customers" && t.rows == 1));

    let err = db
        .with_tx(|tx| customers::create(tx, CustomerInput::named("李娜"), crate::at(2)))
        .expect_err("writing cannot work");
    assert!(matches!(err, Error::ReadOnly { .. }), "got {err:?}");
    assert_eq!(err.payload().code, headtail_core::error::ErrorCode::ReadOnly);
    drop(db);
    assert_eq!(std::fs::read(&path).expect("bytes"), bytes, "the file is untouched");
}

#[test]
fn a_new_database_in_a_folder_that_cannot_be_written_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("locked");
    std::fs::create_dir_all(&folder).expect("folder");
    let _guard = Unwritable::make(&[&folder]);
    let err = Database::open(&folder.join("headtail.sqlite")).expect_err("cannot create");
    assert!(matches!(err, Error::FolderNotWritable { .. }), "got {err:?}");
    assert!(err.to_string().contains("--db"), "says how to choose another place: {err}");
}
