use super::{at, customer, local, temp_db};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use headtail_core::follow_ups::reminders::{next_due, overdue_summary, take_due, Announcement, OverdueSummary};
use headtail_core::follow_ups::{schedule, FollowUpInput, FollowUpSource};
use headtail_core::Database;
use std::collections::HashSet;

/// The clock of a user in Shanghai: due times compare with its wall-clock reading.
fn shanghai(wall: NaiveDateTime) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    offset.from_local_datetime(&wall).single().expect("unambiguous")
}

fn follow_up(db: &Database, customer_id: i64, due_at: NaiveDateTime, reason: &str) -> i64 {
    let input = FollowUpInput {
        customer_id,
        due_at,
        owner: None,
        reason: Some(reason.into()),
        source: FollowUpSource::Manual,
        interaction_id: None,
        survey_response_id: None,
    };
    db.with_tx(|tx| schedule(tx, input, at(1))).expect("schedule").id
}

fn take(db: &Database, wall: NaiveDateTime) -> Vec<i64> {
    db.with_tx(|tx| take_due(tx, &shanghai(wall))).expect("take due").into_iter().map(|d| d.follow_up_id).collect()
}

#[test]
fn a_follow_up_is_announced_once_when_it_falls_due() {
    let (_dir, db) = temp_db();
    let zhang = customer(&db, "张伟");
    let early = follow_up(&db, zhang, local(3, 2, 9, 0), "报价跟进");
    let later = follow_up(&db, zhang, local(3, 2, 14, 30), "续约");

    assert_eq!(take(&db, local(3, 2, 8, 59)), Vec::<i64>::new(), "nothing is due before nine");
    let due = db.with_tx(|tx| take_due(tx, &shanghai(local(3, 2, 9, 0)))).expect("take due");
    assert_eq!(due.len(), 1, "due exactly now counts as due");
    assert_eq!((due[0].follow_up_id, due[0].customer_id), (early, zhang));
    assert_eq!((due[0].customer_name.as_str(), due[0].reason.as_deref()), ("张伟", Some("报价跟进")));
    assert_eq!(due[0].due_at, local(3, 2, 9, 0));
    assert_eq!(take(&db, local(3, 2, 9, 1)), Vec::<i64>::new(), "announced follow-ups are not claimed again");
    assert_eq!(take(&db, local(3, 2, 15, 0)), vec![later]);
    assert_eq!(take(&db, local(3, 3, 9, 0)), Vec::<i64>::new());

    // The instant of the announcement is kept in UTC, like every other instant.
    let notified: String = db
        .with_conn(|c| Ok(c.query_row("SELECT notified_at FROM follow_ups WHERE id = ?1", [early], |r| r.get(0))?))
        .expect("notified_at");
    assert_eq!(notified, "2026-03-02T01:00:00.000Z");
}

#[test]
fn completed_follow_ups_and_those_of_deleted_or_erased_customers_are_not_announced() {
    let (_dir, db) = temp_db();
    let done = customer(&db, "已完成");
    let deleted = customer(&db, "已删除");
    let erased = customer(&db, "已清除");
    let live = customer(&db, "李娜");
    let completed = follow_up(&db, done, local(3, 2, 9, 0), "done");
    follow_up(&db, deleted, local(3, 2, 9, 0), "deleted");
    follow_up(&db, erased, local(3, 2, 9, 0), "erased");
    let open = follow_up(&db, live, local(3, 2, 9, 0), "open");
    db.with_conn(|c| {
        c.execute("UPDATE follow_ups SET completed_at = '2026-03-01T10:00:00.000Z' WHERE id = ?1", [completed])?;
        Ok(())
    })
    .expect("complete");
    db.with_tx(|tx| headtail_core::customers::soft_delete(tx, deleted, at(1))).expect("delete");
    headtail_core::erase::erase(&db, erased, at(1)).expect("erase");

    assert_eq!(take(&db, local(3, 2, 10, 0)), vec![open]);
    let now = shanghai(local(3, 2, 10, 0));
    assert_eq!(db.with_conn(|c| next_due(c, &now)).expect("next due"), None, "nothing is left to announce");

    // A restored customer's overdue follow-up is announced once it is back.
    db.with_tx(|tx| headtail_core::customers::restore(tx, deleted)).expect("restore");
    assert_eq!(take(&db, local(3, 2, 10, 1)).len(), 1);
}

#[test]
fn two_processes_on_one_file_never_announce_the_same_follow_up() {
    let (dir, db) = temp_db();
    let wang = customer(&db, "王芳");
    let mut scheduled = HashSet::new();
    for minute in 0..60 {
        scheduled.insert(follow_up(&db, wang, local(3, 2, 9, minute), "电话回访"));
    }
    let path = dir.path().join("headtail.sqlite");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            // Each its own pool on the file, as a second app process would have.
            let own = Database::open(&path).expect("second handle");
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                (0..60).flat_map(|minute| take(&own, local(3, 2, 9, minute))).collect::<Vec<_>>()
            })
        })
        .collect();
    let claimed: Vec<i64> = workers.into_iter().flat_map(|w| w.join().expect("worker")).collect();
    let distinct: HashSet<i64> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), distinct.len(), "a follow-up was announced twice: {claimed:?}");
    assert_eq!(distinct, scheduled, "every follow-up is announced by one of them");
}

#[test]
fn at_start_the_overdue_ones_are_summarised_once() {
    let (_dir, db) = temp_db();
    let zhang = customer(&db, "张伟");
    let li = customer(&db, "李娜");
    let wang = customer(&db, "王芳");
    let zhao = customer(&db, "赵强");
    follow_up(&db, li, local(3, 1, 11, 0), "a");
    follow_up(&db, zhang, local(3, 1, 9, 0), "b");
    follow_up(&db, zhang, local(3, 1, 12, 0), "c");
    follow_up(&db, wang, local(3, 2, 8, 0), "d");
    follow_up(&db, zhao, local(3, 2, 8, 30), "e");
    let upcoming = follow_up(&db, zhao, local(3, 2, 17, 0), "f");

    let now = shanghai(local(3, 2, 9, 0));
    let summary = db.with_tx(|tx| overdue_summary(tx, &now)).expect("summary");
    let expected =
        OverdueSummary { count: 5, names: vec!["张伟".into(), "李娜".into(), "王芳".into()], more: true };
    assert_eq!(summary, Announcement::Summary(expected), "earliest due first, each customer named once");
    assert_eq!(take(&db, local(3, 2, 9, 0)), Vec::<i64>::new(), "the summarised ones are not announced one by one");
    assert_eq!(db.with_conn(|c| next_due(c, &now)).expect("next due"), Some(local(3, 2, 17, 0)));
    assert_eq!(take(&db, local(3, 2, 17, 0)), vec![upcoming]);

    // The next start has nothing left to tell.
    assert_eq!(db.with_tx(|tx| overdue_summary(tx, &now)).expect("summary"), Announcement::Each(Vec::new()));
}

#[test]
fn a_single_overdue_follow_up_is_told_on_its_own() {
    let (_dir, db) = temp_db();
    let zhang = customer(&db, "张伟");
    let id = follow_up(&db, zhang, local(3, 1, 9, 0), "报价");
    let summary = db.with_tx(|tx| overdue_summary(tx, &shanghai(local(3, 2, 9, 0)))).expect("summary");
    match summary {
        Announcement::Each(due) => assert_eq!(due.iter().map(|d| d.follow_up_id).collect::<Vec<_>>(), vec![id]),
        other => panic!("one follow-up is not summarised: {other:?}"),
    }
}

#[test]
fn the_next_due_time_is_the_earliest_unannounced_one_after_now() {
    let (_dir, db) = temp_db();
    let zhang = customer(&db, "张伟");
    let li = customer(&db, "李娜");
    for hour in 8..12 {
        follow_up(&db, zhang, local(3, 2, hour, 0), "早上");
    }
    let now = shanghai(local(3, 2, 12, 0));
    assert_eq!(take(&db, local(3, 2, 12, 0)).len(), 4);
    let next = |db: &Database| db.with_conn(|c| next_due(c, &now)).expect("next due");
    assert_eq!(next(&db), None, "the claimed ones do not count");

    follow_up(&db, zhang, local(3, 2, 12, 0), "正午");
    let afternoon = follow_up(&db, li, local(3, 2, 15, 0), "下午");
    follow_up(&db, zhang, local(3, 2, 18, 0), "傍晚");
    assert_eq!(next(&db), Some(local(3, 2, 15, 0)), "due exactly now is claimed by this check, not waited for");

    // A completed one or one of a customer in the trash is not waited for.
    db.with_conn(|c| {
        c.execute("UPDATE follow_ups SET completed_at = '2026-03-02T05:00:00.000Z' WHERE id = ?1", [afternoon])?;
        Ok(())
    })
    .expect("complete");
    assert_eq!(next(&db), Some(local(3, 2, 18, 0)));
    db.with_tx(|tx| headtail_core::customers::soft_delete(tx, zhang, at(1))).expect("delete");
    assert_eq!(next(&db), None);
}
