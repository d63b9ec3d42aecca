use crate::{at, customer, field_rules, local, rules, temp_db};
use chrono::NaiveDateTime;
use headtail_core::customers;
use headtail_core::error::Rule;
use headtail_core::follow_ups::agenda::{self, AgendaBucket, AgendaCounts, AgendaQuery};
use headtail_core::follow_ups::{self, FollowUp, FollowUpInput, FollowUpSource, NewFollowUp, SnoozeFor};
use headtail_core::interactions::{self, InteractionInput, InteractionKind, InteractionLog};
use headtail_core::timeline::{self, TimelineKind, TimelinePayload, TimelineQuery};
use headtail_core::{erase, Database, Error};
use rusqlite::Connection;

/// Wednesday 4 March 2026, 10:00 local time.
fn now() -> NaiveDateTime {
    local(3, 4, 10, 0)
}

fn due(db: &Database, customer_id: i64, due_at: NaiveDateTime, owner: &str) -> FollowUp {
    db.with_tx(|tx| {
        follow_ups::schedule(
            tx,
            FollowUpInput {
                customer_id,
                due_at,
                owner: Some(owner.into()),
                reason: Some("回访".into()),
                source: FollowUpSource::Manual,
                interaction_id: None,
                survey_response_id: None,
            },
            at(1),
        )
    })
    .expect("schedule")
}

fn bucket_ids(db: &Database, owner: Option<&str>, bucket: AgendaBucket) -> Vec<i64> {
    let query = AgendaQuery { owner: owner.map(str::to_owned), bucket, offset: 0, limit: 0 };
    db.with_conn(|c| agenda::agenda(c, &query, now())).expect("agenda").items.iter().map(|i| i.follow_up.id).collect()
}

fn counts(db: &Database, owner: Option<&str>) -> AgendaCounts {
    db.with_conn(|c| agenda::counts(c, owner, now())).expect("counts")
}

fn visit(customer_id: i64) -> InteractionInput {
    InteractionInput {
        customer_id,
        kind: InteractionKind::Visit,
        occurred_at: local(3, 4, 9, 30),
        outcome: Some("看了样品".into()),
        notes: None,
        owner: Some("Li".into()),
    }
}

fn log(interaction: InteractionInput, answers: Option<i64>, next: Option<NaiveDateTime>) -> InteractionLog {
    InteractionLog {
        interaction,
        answers_follow_up: answers,
        next_follow_up_at: next,
        next_follow_up_reason: Some(" 送报价 ".into()),
    }
}

fn count(db: &Database, sql: &str) -> i64 {
    db.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).expect("count")
}

#[test]
fn the_agenda_buckets_meet_at_now_midnight_and_the_end_of_sunday() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let a_minute_ago = due(&db, who, local(3, 4, 9, 59), "Li");
    let exactly_now = due(&db, who, now(), "Li");
    let last_minute = due(&db, who, local(3, 4, 23, 59), "Li");
    let thursday = due(&db, who, local(3, 5, 0, 0), "Li");
    let sunday_night = due(&db, who, local(3, 8, 23, 59), "Li");
    let monday = due(&db, who, local(3, 9, 0, 0), "Li");

    assert_eq!(bucket_ids(&db, None, AgendaBucket::Overdue), vec![a_minute_ago.id], "only what was due before now");
    assert_eq!(
        bucket_ids(&db, None, AgendaBucket::Today),
        vec![exactly_now.id, last_minute.id],
        "due exactly now is today's, not overdue; 23:59 is still today"
    );
    assert_eq!(
        bucket_ids(&db, None, AgendaBucket::ThisWeek),
        vec![thursday.id, sunday_night.id],
        "midnight starts tomorrow; Sunday night is still this week"
    );
    assert_eq!(bucket_ids(&db, None, AgendaBucket::Later), vec![monday.id], "Monday starts next week");
    assert_eq!(counts(&db, None), AgendaCounts { overdue: 1, today: 2, this_week: 2, later: 1 });

    let page = db
        .with_conn(|c| {
            agenda::agenda(c, &AgendaQuery { owner: None, bucket: AgendaBucket::Today, offset: 1, limit: 1 }, now())
        })
        .expect("page");
    assert_eq!((page.total, page.items.len()), (2, 1), "the total is the bucket's, the page a window");
    assert_eq!(page.items[0].customer_name, "张伟");
}

#[test]
fn the_owner_filter_shows_one_owners_follow_ups_and_the_picker_lists_every_owner() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let li = due(&db, who, local(3, 4, 15, 0), "Li");
    let wang = due(&db, other, local(3, 4, 16, 0), "Wang");
    due(&db, other, local(3, 2, 16, 0), "Wang");
    let done = due(&db, who, local(3, 4, 17, 0), "Zhao");
    db.with_tx(|tx| follow_ups::complete(tx, done.id, at(4))).expect("complete");

    assert_eq!(bucket_ids(&db, Some("Li"), AgendaBucket::Today), vec![li.id]);
    assert_eq!(bucket_ids(&db, Some("Wang"), AgendaBucket::Today), vec![wang.id]);
    assert_eq!(bucket_ids(&db, None, AgendaBucket::Today), vec![li.id, wang.id], "everyone's");
    assert_eq!(counts(&db, Some("Wang")), AgendaCounts { overdue: 1, today: 1, this_week: 0, later: 0 });
    assert_eq!(counts(&db, Some("Nobody")), AgendaCounts::default());
    assert_eq!(
        db.with_conn(follow_ups::owners).expect("owners"),
        vec!["Li".to_owned(), "Wang".to_owned()],
        "owners of open follow-ups, each once, by name"
    );
}

#[test]
fn without_an_owner_a_follow_up_goes_to_the_customers_owner() {
    let (_dir, db) = temp_db();
    let input = customers::CustomerInput { owner: Some("Chen".into()), ..customers::CustomerInput::named("张伟") };
    let who = db.with_tx(|tx| customers::create(tx, input, at(1))).expect("customer").id;
    let new = NewFollowUp { customer_id: who, due_at: local(3, 5, 9, 0), owner: None, reason: None };
    let made = db.with_tx(|tx| follow_ups::schedule_by_hand(tx, new, now(), at(4))).expect("schedule");
    assert_eq!((made.owner.as_deref(), made.source), (Some("Chen"), FollowUpSource::Manual));
}

#[test]
fn complete_and_reopen_move_a_follow_up_off_and_back_onto_the_agenda() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let f = due(&db, who, local(3, 4, 15, 0), "Li");
    let done = db.with_tx(|tx| follow_ups::complete(tx, f.id, at(4))).expect("complete");
    assert_eq!(done.completed_at, Some(at(4)));
    assert!(bucket_ids(&db, None, AgendaBucket::Today).is_empty());
    let again = db.with_tx(|tx| follow_ups::complete(tx, f.id, at(5))).expect("complete twice");
    assert_eq!(again.completed_at, Some(at(4)), "the first completion is kept");
    let back = db.with_tx(|tx| follow_ups::reopen(tx, f.id)).expect("reopen");
    assert_eq!((back.completed_at, back.answered_by), (None, None));
    assert_eq!(bucket_ids(&db, None, AgendaBucket::Today), vec![f.id]);
    let err = db.with_tx(|tx| follow_ups::complete(tx, 999, at(4))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "follow-up", id: 999 }), "got {err:?}");
}

#[test]
fn snoozing_moves_the_due_time_an_hour_to_tomorrow_morning_or_to_next_monday() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let f = due(&db, who, local(3, 3, 15, 0), "Li");
    let snooze = |by| db.with_tx(|tx| follow_ups::snooze(tx, f.id, by, local(3, 4, 10, 17))).expect("snooze").due_at;
    assert_eq!(snooze(SnoozeFor::OneHour), local(3, 4, 11, 17));
    assert_eq!(snooze(SnoozeFor::Tomorrow), local(3, 5, 9, 0));
    assert_eq!(snooze(SnoozeFor::NextWeek), local(3, 9, 9, 0), "the Monday after Wednesday the 4th");
    assert_eq!(bucket_ids(&db, None, AgendaBucket::Later), vec![f.id]);

    db.with_tx(|tx| follow_ups::complete(tx, f.id, at(4))).expect("complete");
    assert_eq!(
        field_rules(db.with_tx(|tx| follow_ups::snooze(tx, f.id, SnoozeFor::Tomorrow, now()))),
        rules(&[("id", Rule::InvalidChoice)]),
        "a completed follow-up is not snoozed"
    );
}

#[test]
fn rescheduling_refuses_a_past_time_and_leaves_the_follow_up_as_it_was() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let f = due(&db, who, local(3, 3, 15, 0), "Li");
    assert_eq!(
        field_rules(db.with_tx(|tx| follow_ups::reschedule(tx, f.id, local(3, 4, 9, 59), now()))),
        rules(&[("due_at", Rule::InPast)])
    );
    assert_eq!(db.with_conn(|c| follow_ups::get(c, f.id)).expect("get"), f, "nothing changed");
    let seconds_in = now() + chrono::Duration::seconds(40);
    let moved = db.with_tx(|tx| follow_ups::reschedule(tx, f.id, now(), seconds_in)).expect("the current minute");
    assert_eq!(moved.due_at, now());
    let later = db.with_tx(|tx| follow_ups::reschedule(tx, f.id, local(3, 20, 14, 0), now())).expect("later");
    assert_eq!(later.due_at, local(3, 20, 14, 0));
    let by_hand = NewFollowUp { customer_id: who, due_at: local(3, 1, 9, 0), owner: None, reason: None };
    assert_eq!(
        field_rules(db.with_tx(|tx| follow_ups::schedule_by_hand(tx, by_hand, now(), at(4)))),
        rules(&[("due_at", Rule::InPast)])
    );
}

#[test]
fn logging_an_interaction_completes_the_follow_up_it_answers_and_schedules_the_next() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let open = due(&db, who, local(3, 3, 15, 0), "Li");
    let logged = db
        .with_tx(|tx| interactions::log(tx, log(visit(who), Some(open.id), Some(local(3, 11, 10, 0))), now(), at(4)))
        .expect("log");
    let completed = logged.completed.expect("the answered follow-up");
    assert_eq!(
        (completed.id, completed.completed_at, completed.answered_by),
        (open.id, Some(at(4)), Some(logged.interaction.id))
    );
    let next = logged.next.expect("the next follow-up");
    assert_eq!(
        (next.due_at, next.reason.as_deref(), next.source, next.interaction_id, next.owner.as_deref()),
        (local(3, 11, 10, 0), Some("送报价"), FollowUpSource::Interaction, Some(logged.interaction.id), Some("Li"))
    );
    assert_eq!(counts(&db, None), AgendaCounts { overdue: 0, today: 0, this_week: 0, later: 1 });
    let listed = db.with_conn(|c| follow_ups::for_customer(c, who)).expect("list");
    assert_eq!(listed.open, vec![next]);
    assert_eq!(listed.completed, vec![completed]);

    // The timeline shows both sides of each follow-up, with where it came from.
    let entries = db.with_conn(|c| timeline::list(c, who, &TimelineQuery::default())).expect("timeline").items;
    let kinds: Vec<TimelineKind> = entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == TimelineKind::FollowUpScheduled).count(),
        2,
        "both follow-ups were scheduled: {kinds:?}"
    );
    let done = entries.iter().find(|e| e.kind == TimelineKind::FollowUpCompleted).expect("completion");
    assert_eq!(done.at, "2026-03-04T09:30:00", "completed when the answering visit happened");
    assert!(matches!(
        &done.payload,
        TimelinePayload::FollowUpCompleted { follow_up_source: FollowUpSource::Manual, answered_by: Some(i), .. }
            if *i == logged.interaction.id
    ));
}

#[test]
fn logging_refuses_another_customers_or_a_completed_follow_up_and_a_past_next_one_writing_nothing() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let theirs = due(&db, other, local(3, 3, 15, 0), "Li");
    let closed = due(&db, who, local(3, 3, 16, 0), "Li");
    db.with_tx(|tx| follow_ups::complete(tx, closed.id, at(3))).expect("complete");
    let mine = due(&db, who, local(3, 3, 17, 0), "Li");

    let refused = |answers, next| {
        field_rules(db.with_tx(|tx| interactions::log(tx, log(visit(who), answers, next), now(), at(4))))
    };
    assert_eq!(refused(Some(theirs.id), None), rules(&[("answers_follow_up", Rule::UnknownReference)]));
    assert_eq!(refused(Some(closed.id), None), rules(&[("answers_follow_up", Rule::InvalidChoice)]));
    assert_eq!(refused(Some(9_999), None), rules(&[("answers_follow_up", Rule::UnknownReference)]));
    assert_eq!(
        refused(Some(mine.id), Some(local(3, 4, 9, 0))),
        rules(&[("next_follow_up_at", Rule::InPast)]),
        "the next follow-up may not be in the past"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM interactions"), 0, "no interaction was written");
    assert_eq!(db.with_conn(|c| follow_ups::get(c, mine.id)).expect("get"), mine, "the open one stays open");
    assert_eq!(count(&db, "SELECT count(*) FROM follow_ups"), 3);

    let plain = db.with_tx(|tx| interactions::log(tx, log(visit(who), None, None), now(), at(4))).expect("plain");
    assert_eq!((plain.completed, plain.next), (None, None), "an interaction need not touch any follow-up");
}

#[test]
fn an_erased_or_deleted_customers_follow_ups_leave_the_agenda() {
    let (_dir, db) = temp_db();
    let gone = customer(&db, "欧阳娜娜");
    let erased = customer(&db, "司马光明");
    let kept = customer(&db, "张伟");
    due(&db, gone, local(3, 4, 11, 0), "Li");
    let reason_kept = due(&db, erased, local(3, 4, 12, 0), "Wang");
    let stays = due(&db, kept, local(3, 4, 13, 0), "Li");
    db.with_tx(|tx| customers::soft_delete(tx, gone, at(4))).expect("delete");
    erase::erase(&db, erased, at(4)).expect("erase");

    assert_eq!(bucket_ids(&db, None, AgendaBucket::Today), vec![stays.id]);
    assert_eq!(counts(&db, None).today, 1);
    assert_eq!(db.with_conn(follow_ups::owners).expect("owners"), vec!["Li".to_owned()]);
    let after = db.with_conn(|c| follow_ups::get(c, reason_kept.id)).expect("get");
    assert_eq!(after.reason, None, "erasing clears the follow-up's free text");
}

#[test]
fn a_deleted_customers_follow_ups_leave_every_bucket_count_and_page_and_come_back_on_restore() {
    let (_dir, db) = temp_db();
    let gone = customer(&db, "欧阳娜娜");
    let erased = customer(&db, "司马光明");
    let kept = customer(&db, "张伟");
    // One follow-up in each bucket for each customer (now is Wednesday 10:00), handed to Li or
    // Wang, and one completed, which never counts.
    let times = [local(3, 3, 9, 0), local(3, 4, 15, 0), local(3, 6, 9, 0), local(3, 12, 9, 0)];
    let mut kept_ids = Vec::new();
    for who in [gone, erased, kept] {
        for (n, due_at) in times.into_iter().enumerate() {
            let follow_up = due(&db, who, due_at, if n % 2 == 0 { "Li" } else { "Wang" });
            if who == kept {
                kept_ids.push(follow_up.id);
            }
        }
    }
    let done = due(&db, gone, local(3, 4, 16, 0), "Li");
    db.with_tx(|tx| follow_ups::complete(tx, done.id, at(4))).expect("complete");
    let all = |n| AgendaCounts { overdue: n, today: n, this_week: n, later: n };
    assert_eq!(counts(&db, None), all(3));
    assert_eq!(counts(&db, Some("Li")), AgendaCounts { overdue: 3, today: 0, this_week: 3, later: 0 });

    db.with_tx(|tx| customers::soft_delete(tx, gone, at(4))).expect("delete");
    erase::erase(&db, erased, at(4)).expect("erase");
    assert_eq!(counts(&db, None), all(1));
    assert_eq!(counts(&db, Some("Li")), AgendaCounts { overdue: 1, today: 0, this_week: 1, later: 0 });
    assert_eq!(counts(&db, Some("Wang")), AgendaCounts { overdue: 0, today: 1, this_week: 0, later: 1 });
    for (bucket, id) in AgendaBucket::ALL.iter().zip(&kept_ids) {
        assert_eq!(bucket_ids(&db, None, *bucket), vec![*id], "{}", bucket.as_str());
        let query = AgendaQuery { owner: None, bucket: *bucket, offset: 0, limit: 0 };
        let page = db.with_conn(|c| agenda::agenda(c, &query, now())).expect("agenda");
        assert_eq!(page.total, 1, "{}: the page's total is the count", bucket.as_str());
    }

    db.with_tx(|tx| customers::restore(tx, gone)).expect("restore");
    assert_eq!(counts(&db, None), all(2), "a restored customer's follow-ups are back");
    assert_eq!(bucket_ids(&db, Some("Wang"), AgendaBucket::Later).len(), 2);
}

#[test]
fn the_migration_turns_interaction_follow_up_dates_into_follow_ups() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v12.sqlite");
    {
        let conn = Connection::open(&path).expect("create");
        for sql in [
            include_str!("../../migrations/0001_customers.sql"),
            include_str!("../../migrations/0002_data_model.sql"),
            include_str!("../../migrations/0003_activity.sql"),
            include_str!("../../migrations/0004_list_indexes.sql"),
            include_str!("../../migrations/0005_search_prefixes.sql"),
            include_str!("../../migrations/0006_evaluations.sql"),
            include_str!("../../migrations/0007_unused_indexes.sql"),
            include_str!("../../migrations/0008_search_pending.sql"),
            include_str!("../../migrations/0009_name_key_index.sql"),
            include_str!("../../migrations/0010_database_identity.sql"),
            include_str!("../../migrations/0011_evaluation_lease.sql"),
            include_str!("../../migrations/0012_workday.sql"),
        ] {
            conn.execute_batch(sql).expect("old migration");
        }
        conn.execute_batch(
            "INSERT INTO customers (id, name, kind, owner, name_key, created_at, updated_at)
             VALUES (1, '张伟', 'person', 'Chen', '张伟', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO interactions (id, customer_id, kind, occurred_at, outcome, next_follow_up_on, done, owner) VALUES
               (1, 1, 'call', '2026-03-01T10:00:00', '要报价', '2026-03-05', 0, 'Li'),
               (2, 1, 'visit', '2026-02-01T10:00:00', NULL, '2026-02-08', 1, NULL),
               (3, 1, 'email', '2026-02-02T10:00:00', '已发资料', NULL, 0, 'Li');
             PRAGMA user_version = 12;",
        )
        .expect("interactions of version 12");
    }
    let db = Database::open(&path).expect("upgrade");
    let all = db
        .with_conn(|c| {
            let mut stmt = c.prepare(&format!("SELECT {} FROM follow_ups ORDER BY id", "id"))?;
            let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter().map(|id| follow_ups::get(c, id)).collect::<headtail_core::Result<Vec<_>>>()
        })
        .expect("follow-ups");
    assert_eq!(all.len(), 2, "one per interaction that had a date");
    let stored = count(&db, "SELECT count(*) FROM follow_ups WHERE due_at = '2026-03-05 09:00:00'");
    assert_eq!(stored, 1, "due times are written as the app writes them, so they sort alike");
    let (open, done) = (&all[0], &all[1]);
    assert_eq!(
        (open.interaction_id, open.due_at, open.owner.as_deref(), open.reason.as_deref(), open.source),
        (Some(1), local(3, 5, 9, 0), Some("Li"), Some("要报价"), FollowUpSource::Interaction)
    );
    assert_eq!(open.completed_at, None, "an open date stays open");
    assert_eq!((done.interaction_id, done.owner.as_deref()), (Some(2), Some("Chen")), "no owner: the customer's");
    assert!(done.completed_at.is_some(), "a done date is completed");
    let columns = count(
        &db,
        "SELECT count(*) FROM pragma_table_info('interactions') WHERE name IN ('next_follow_up_on', 'done')",
    );
    assert_eq!(columns, 0, "the interaction no longer carries a follow-up");
    assert_eq!(counts(&db, Some("Li")).this_week, 1, "the open one is on the agenda");
}

#[test]
fn the_evaluation_sees_the_earliest_open_follow_up_due_by_its_date() {
    use headtail_core::evaluation::{date_of, load, EvaluationSettings};
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let done = due(&db, who, local(3, 1, 9, 0), "Li");
    db.with_tx(|tx| follow_ups::complete(tx, done.id, at(2))).expect("complete");
    due(&db, who, local(3, 5, 17, 30), "Li");
    due(&db, who, local(3, 10, 9, 0), "Li");
    let due_on = |day: u32| {
        let population = load::population(&db, crate::date(3, day), "CNY", &EvaluationSettings::default(), None)
            .expect("population");
        population.customers[0].follow_up_due.map(date_of)
    };
    assert_eq!(due_on(4), None, "nothing open is due by the 4th; the completed one does not count");
    assert_eq!(due_on(5), Some(crate::date(3, 5)), "due at 17:30 on the 5th is due by the 5th");
    assert_eq!(due_on(12), Some(crate::date(3, 5)), "the earliest open one");
}
