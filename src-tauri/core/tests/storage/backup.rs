use crate::{at, temp_db};
use headtail_core::backup;
use headtail_core::customers::{self, CustomerInput, CustomerQuery};
use headtail_core::{Database, Error};

fn names(db: &Database) -> Vec<String> {
    db.with_conn(|c| customers::list(c, &CustomerQuery::default()))
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.name)
        .collect()
}

fn owner(db: &Database) -> backup::Owner {
    backup::Owner::of(db).expect("owner")
}

fn add(db: &Database, name: &str) {
    db.with_tx(|tx| customers::create(tx, CustomerInput::named(name), at(1))).expect("create");
}

#[test]
fn a_backup_restores_the_data_it_was_taken_with() {
    let (dir, db) = temp_db();
    let backups = dir.path().join("backups");
    add(&db, "张伟");
    let taken = backup::create(&db, &backups, at(2), 5).expect("backup");
    let owner = backup::Owner::of(&db).expect("owner");
    let expected = format!("headtail-{}-20260302-093000.sqlite", &owner.identity()[..8]);
    assert_eq!(taken.file_name, expected, "named after the database's file and identity");
    add(&db, "李娜");
    assert_eq!(names(&db), vec!["李娜", "张伟"]);

    let safety = backup::restore(&db, taken.path.as_ref(), &backups, at(3)).expect("restore");
    assert_eq!(names(&db), vec!["张伟"], "the pool sees the restored content");
    assert_eq!(
        db.with_conn(|c| customers::list(c, &CustomerQuery { search: Some("张".into()), ..Default::default() }))
            .expect("search")
            .total,
        1
    );

    backup::restore(&db, safety.path.as_ref(), &backups, at(4)).expect("undo the restore");
    assert_eq!(names(&db), vec!["李娜", "张伟"], "the safety backup holds the state before the restore");
}

#[test]
fn a_damaged_backup_is_refused_and_the_database_is_untouched() {
    let (dir, db) = temp_db();
    let backups = dir.path().join("backups");
    add(&db, "张伟");
    let taken = backup::create(&db, &backups, at(2), 5).expect("backup");
    // Overwrite a page in the middle: the header still reads, the content does not.
    let mut bytes = std::fs::read(&taken.path).expect("read");
    assert!(bytes.len() > 8192, "the backup has several pages");
    for b in &mut bytes[4096..8192] {
        *b = 0x5a;
    }
    std::fs::write(&taken.path, bytes).expect("damage");
    add(&db, "李娜");

    let err = backup::restore(&db, taken.path.as_ref(), &backups, at(3)).expect_err("damaged");
    assert!(matches!(err, Error::DatabaseCorrupt { .. } | Error::Database(_)), "got {err:?}");
    assert_eq!(names(&db), vec!["李娜", "张伟"]);
    assert_eq!(backup::list(&backups, &owner(&db)).expect("list").len(), 1, "no safety backup for a refused restore");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all, but long enough to look like a header").expect("write");
    assert!(matches!(backup::restore(&db, &text, &backups, at(3)), Err(Error::DatabaseCorrupt { .. })));
}

#[test]
fn rotation_keeps_the_newest_and_automatic_runs_once_a_day() {
    let (dir, db) = temp_db();
    let backups = dir.path().join("backups");
    for day in 1..=6 {
        backup::create(&db, &backups, at(day), 3).expect("backup");
    }
    let kept: Vec<String> =
        backup::list(&backups, &owner(&db)).expect("list").into_iter().map(|f| f.file_name).collect();
    let id = owner(&db).identity()[..8].to_owned();
    assert_eq!(
        kept,
        vec![
            format!("headtail-{id}-20260306-093000.sqlite"),
            format!("headtail-{id}-20260305-093000.sqlite"),
            format!("headtail-{id}-20260304-093000.sqlite")
        ]
    );

    assert!(backup::automatic(&db, &backups, at(6)).expect("auto").is_none(), "not due on the same day");
    assert!(backup::automatic(&db, &backups, at(7)).expect("auto").is_some(), "due a day later");
    let empty = dir.path().join("none");
    assert!(backup::automatic(&db, &empty, at(7)).expect("auto").is_some(), "due when there is none");
}

/// Two databases in one folder (the user's and the demo beside it, or two shops) share the
/// `backups/` folder: each lists, rotates and restores only its own.
#[test]
fn backups_belong_to_their_database() {
    let (dir, own) = temp_db();
    let other = Database::open(&dir.path().join("headtail-demo.sqlite")).expect("second database");
    let backups = dir.path().join("backups");
    add(&own, "张伟");
    for n in ["王芳", "李娜", "刘洋"] {
        add(&other, n);
    }
    assert_ne!(owner(&own), owner(&other), "each database has its own identity");

    let own_first = backup::create(&own, &backups, at(1), 3).expect("own backup");
    for day in 2..=9 {
        backup::create(&other, &backups, at(day), 3).expect("other backup");
    }
    let own_list = backup::list(&backups, &owner(&own)).expect("list");
    assert_eq!(
        own_list,
        vec![own_first.clone()],
        "the other's backups are not listed, nor did its rotation delete ours"
    );
    assert_eq!(backup::list(&backups, &owner(&other)).expect("list").len(), 3, "the other keeps its newest three");

    // The other's fresh backup does not count as ours: ours is still due.
    assert!(backup::automatic(&own, &backups, at(9)).expect("auto").is_some(), "due for this database");

    // A backup of the other database, even renamed to look like ours, is refused by its content.
    let theirs = &backup::list(&backups, &owner(&other)).expect("list")[0];
    let disguised = backups.join(own_first.file_name.replace("20260301", "20260228"));
    std::fs::copy(&theirs.path, &disguised).expect("copy");
    let err = backup::restore(&own, &disguised, &backups, at(10)).expect_err("another database's backup");
    assert!(matches!(err, Error::BackupOfAnotherDatabase { .. }), "got {err:?}");
    assert_eq!(err.payload().code, headtail_core::error::ErrorCode::BackupOfAnotherDatabase);
    assert_eq!(names(&own), vec!["张伟"], "nothing replaced");
    assert_eq!(backup::list(&backups, &owner(&own)).expect("list").len(), 3, "no safety backup was taken");

    // Its own backup still restores.
    add(&own, "赵敏");
    backup::restore(&own, own_first.path.as_ref(), &backups, at(11)).expect("own backup restores");
    assert_eq!(names(&own), vec!["张伟"]);
    assert_eq!(owner(&own).identity(), backup::Owner::of_file(own.path()).expect("file owner").identity());
}

/// A backup taken before databases had an identity (named `headtail-DATE.sqlite`) cannot say
/// whose it is: it is neither listed nor restorable, and never deleted by rotation.
#[test]
fn backups_without_an_identity_are_left_alone() {
    let (dir, db) = temp_db();
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).expect("dir");
    let legacy = backups.join("headtail-20260101-000000.sqlite");
    let old = rusqlite::Connection::open(&legacy).expect("legacy");
    old.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY); PRAGMA user_version = 9;").expect("schema");
    drop(old);
    for day in 1..=4 {
        backup::create(&db, &backups, at(day), 2).expect("backup");
    }
    assert!(legacy.exists(), "rotation only deletes this database's own backups");
    assert!(backup::list(&backups, &owner(&db)).expect("list").iter().all(|b| b.path != legacy.display().to_string()));
    let err = backup::restore(&db, &legacy, &backups, at(5)).expect_err("no identity");
    assert!(matches!(err, Error::BackupOfAnotherDatabase { .. }), "got {err:?}");
}
