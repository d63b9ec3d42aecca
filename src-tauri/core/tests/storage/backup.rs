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

fn add(db: &Database, name: &str) {
    db.with_tx(|tx| customers::create(tx, CustomerInput::named(name), at(1))).expect("create");
}

#[test]
fn a_backup_restores_the_data_it_was_taken_with() {
    let (dir, db) = temp_db();
    let backups = dir.path().join("backups");
    add(&db, "张伟");
    let taken = backup::create(&db, &backups, at(2), 5).expect("backup");
    assert!(taken.file_name.starts_with("headtail-20260302-"), "{}", taken.file_name);
    add(&db, "李娜");
    assert_eq!(names(&db), vec!["张伟", "李娜"]);

    let safety = backup::restore(&db, taken.path.as_ref(), &backups, at(3)).expect("restore");
    assert_eq!(names(&db), vec!["张伟"], "the pool sees the restored content");
    assert_eq!(
        db.with_conn(|c| customers::list(c, &CustomerQuery { search: Some("张".into()), ..Default::default() }))
            .expect("search")
            .total,
        1
    );

    backup::restore(&db, safety.path.as_ref(), &backups, at(4)).expect("undo the restore");
    assert_eq!(names(&db), vec!["张伟", "李娜"], "the safety backup holds the state before the restore");
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
    assert_eq!(names(&db), vec!["张伟", "李娜"]);
    assert_eq!(backup::list(&backups).expect("list").len(), 1, "no safety backup for a refused restore");

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
    let kept: Vec<String> = backup::list(&backups).expect("list").into_iter().map(|f| f.file_name).collect();
    assert_eq!(
        kept,
        vec!["headtail-20260306-093000.sqlite", "headtail-20260305-093000.sqlite", "headtail-20260304-093000.sqlite"]
    );

    assert!(backup::automatic(&db, &backups, at(6)).expect("auto").is_none(), "not due on the same day");
    assert!(backup::automatic(&db, &backups, at(7)).expect("auto").is_some(), "due a day later");
    let empty = dir.path().join("none");
    assert!(backup::automatic(&db, &empty, at(7)).expect("auto").is_some(), "due when there is none");
}
