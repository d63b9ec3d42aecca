use crate::{customer, field_rules, local, rules, temp_db};
use headtail_core::complaints::{self, ComplaintInput, ComplaintQuery, ComplaintSeverity, ComplaintStatus};
use headtail_core::customers::CustomerInput;
use headtail_core::error::Rule;
use headtail_core::evaluation::{Lifecycle, ServiceLevel, Tier};
use headtail_core::import::{import_file, revert_batch, Field, ImportKind, ImportOptions, ImportStatus, Reason};
use headtail_core::work_settings::{self, WorkSettingsInput};
use headtail_core::Error;

fn open(customer_id: i64, opened_at: chrono::NaiveDateTime) -> ComplaintInput {
    ComplaintInput {
        customer_id,
        opened_at,
        category: "物流".into(),
        severity: ComplaintSeverity::Medium,
        status: ComplaintStatus::Open,
        description: None,
        resolved_at: None,
        resolution: None,
        first_response_at: None,
    }
}

#[test]
fn an_open_complaint_has_no_resolution_time() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let input = ComplaintInput {
        category: " 质量 ".into(),
        description: Some(" 茶叶受潮 ".into()),
        severity: ComplaintSeverity::High,
        ..open(who, local(3, 2, 9, 0))
    };
    let created = db.with_tx(|tx| complaints::create(tx, input)).expect("create");
    assert_eq!(created.category, "质量", "the category is trimmed");
    assert_eq!(created.description.as_deref(), Some("茶叶受潮"));
    assert_eq!((created.status, created.resolved_at, created.resolution_hours), (ComplaintStatus::Open, None, None));
    assert_eq!(db.with_conn(|c| complaints::get(c, created.id)).expect("get"), created);
}

#[test]
fn resolved_and_closed_need_a_resolution_time_not_before_the_opening() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let opened = local(3, 2, 9, 0);
    let cases = [
        (
            ComplaintInput {
                status: ComplaintStatus::Resolved, resolution: Some("退款".into()), ..open(who, opened)
            },
            rules(&[("resolved_at", Rule::Required)]),
            "resolved without a time",
        ),
        (
            ComplaintInput {
                status: ComplaintStatus::Closed,
                resolved_at: Some(local(3, 1, 9, 0)),
                resolution: Some("退款".into()),
                ..open(who, opened)
            },
            rules(&[("resolved_at", Rule::OutOfRange)]),
            "closed before it was opened",
        ),
        (
            ComplaintInput { resolved_at: Some(local(3, 3, 9, 0)), ..open(who, opened) },
            rules(&[("resolved_at", Rule::OutOfRange)]),
            "still open but with a resolution time",
        ),
        (
            ComplaintInput { category: " ".into(), description: Some("x".repeat(5001)), ..open(who, opened) },
            rules(&[("category", Rule::Required), ("description", Rule::TooLong)]),
            "blank category and an overlong description",
        ),
    ];
    for (input, expected, why) in cases {
        // A field error, not the table's CHECK failing as a database error.
        assert_eq!(field_rules(db.with_tx(|tx| complaints::create(tx, input))), expected, "{why}");
    }
    let same_minute = ComplaintInput {
        status: ComplaintStatus::Closed,
        resolved_at: Some(opened),
        resolution: Some("当场退款".into()),
        ..open(who, opened)
    };
    let closed = db.with_tx(|tx| complaints::create(tx, same_minute)).expect("resolved when opened is allowed");
    assert_eq!(closed.resolution_hours, Some(0.0));
}

#[test]
fn resolve_records_the_time_and_the_resolution_hours() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let created = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 2, 9, 0)))).expect("create");
    let resolved = db.with_tx(|tx| complaints::resolve(tx, created.id, local(3, 3, 15, 30), "补发")).expect("resolve");
    assert_eq!(resolved.status, ComplaintStatus::Resolved);
    assert_eq!(resolved.resolved_at, Some(local(3, 3, 15, 30)));
    assert_eq!(resolved.resolution_hours, Some(30.5), "09:00 one day to 15:30 the next is 30.5 hours");

    let err = db.with_tx(|tx| complaints::resolve(tx, created.id, local(3, 4, 9, 0), "补发")).expect_err("twice");
    assert!(matches!(err, Error::Conflict(_)), "resolving a resolved complaint is refused, got {err:?}");
    assert!(matches!(
        db.with_tx(|tx| complaints::resolve(tx, 99, local(3, 4, 9, 0), "补发")),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn resolving_before_the_opening_is_out_of_range() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let created = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 2, 9, 0)))).expect("create");
    let result = db.with_tx(|tx| complaints::resolve(tx, created.id, local(3, 2, 8, 59), "补发"));
    assert_eq!(field_rules(result), rules(&[("resolved_at", Rule::OutOfRange)]));
    assert_eq!(db.with_conn(|c| complaints::get(c, created.id)).expect("get").status, ComplaintStatus::Open);
}

#[test]
fn update_can_move_a_complaint_on_and_reopen_it() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let opened = local(3, 2, 9, 0);
    let created = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("create");
    let working = ComplaintInput {
        status: ComplaintStatus::InProgress,
        severity: ComplaintSeverity::Critical,
        ..open(who, opened)
    };
    let updated = db.with_tx(|tx| complaints::update(tx, created.id, working)).expect("in progress");
    assert_eq!((updated.status, updated.severity), (ComplaintStatus::InProgress, ComplaintSeverity::Critical));
    let closed = ComplaintInput {
        status: ComplaintStatus::Closed,
        resolved_at: Some(local(3, 2, 11, 15)),
        resolution: Some("换货".into()),
        ..open(who, opened)
    };
    let updated = db.with_tx(|tx| complaints::update(tx, created.id, closed)).expect("close");
    assert_eq!(updated.resolution_hours, Some(2.25));
    let reopened = db.with_tx(|tx| complaints::update(tx, created.id, open(who, opened))).expect("reopen");
    assert_eq!((reopened.status, reopened.resolution_hours), (ComplaintStatus::Open, None));
    let err = db.with_tx(|tx| complaints::update(tx, 99, open(who, opened))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "complaint", id: 99 }), "got {err:?}");
}

#[test]
fn a_complaint_from_an_unknown_customer_is_an_unknown_reference() {
    let (_dir, db) = temp_db();
    let result = db.with_tx(|tx| complaints::create(tx, open(404, local(3, 2, 9, 0))));
    assert_eq!(field_rules(result), rules(&[("customer_id", Rule::UnknownReference)]));
}

#[test]
fn list_for_customer_is_newest_first() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let first = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 1, 9, 0)))).expect("first");
    let second = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 5, 9, 0)))).expect("second");
    db.with_tx(|tx| complaints::create(tx, open(other, local(3, 9, 9, 0)))).expect("other");
    let page = db.with_conn(|c| complaints::list_for_customer(c, who, 0, 0)).expect("list");
    assert_eq!(page.total, 2);
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![second.id, first.id]);
}

/// An evaluation run as of `as_of` placing each customer at a service level, with its
/// standings' codes as a run stores them; the measures a target does not read are zero.
fn evaluated(db: &headtail_core::Database, as_of: &str, complete: bool, levels: &[(i64, &str)]) {
    db.with_tx(|tx| {
        tx.execute(
            "INSERT INTO evaluation_runs (as_of, started_at, finished_at, trigger, currency, settings, model, summary,
                                          customers, seconds, complete)
             VALUES (?1, ?1, ?1, 'manual', 'CNY', '{}', '{}', '{}', ?2, 0.1, ?3)",
            rusqlite::params![as_of, levels.len() as i64, complete],
        )?;
        let run = tx.last_insert_rowid();
        // A run stores its members' archive and standings' codes together.
        let members = levels.iter().map(|(customer, level)| {
            let mut m = crate::hand_member(*customer, Tier::C, Lifecycle::Repeat);
            m.decision.service_level = ServiceLevel::parse(level).expect("service level");
            m
        });
        headtail_core::evaluation::store::put_members(tx, run, &members.collect::<Vec<_>>())
    })
    .expect("store an evaluation run");
}

#[test]
fn the_response_target_follows_the_service_level_of_the_latest_complete_run() {
    let (_dir, db) = temp_db();
    let vip = customer(&db, "华强电子");
    let priority = customer(&db, "李娜");
    let standard = customer(&db, "张伟");
    let self_service = customer(&db, "王芳");
    let unevaluated = customer(&db, "新客户");
    // An older run said otherwise, and a newer one never finished: neither counts.
    evaluated(&db, "2026-01-31", true, &[(vip, "self_service"), (self_service, "vip")]);
    evaluated(&db, "2026-03-31", false, &[(vip, "standard")]);
    evaluated(
        &db,
        "2026-02-28",
        true,
        &[(vip, "vip"), (priority, "priority"), (standard, "standard"), (self_service, "self_service")],
    );
    let opened = local(3, 2, 9, 0);
    let due = |who| db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("create").response_due_at;
    assert_eq!(due(vip), Some(local(3, 2, 13, 0)), "VIP: 4 hours");
    assert_eq!(due(priority), Some(local(3, 2, 17, 0)), "priority: 8 hours");
    assert_eq!(due(standard), Some(local(3, 3, 9, 0)), "standard: 24 hours");
    assert_eq!(due(self_service), Some(local(3, 5, 9, 0)), "self-service: 72 hours");
    assert_eq!(due(unevaluated), Some(local(3, 3, 9, 0)), "a customer not evaluated is standard");

    let changed = WorkSettingsInput { response_hours_vip: 2, ..WorkSettingsInput::default() };
    db.with_conn(|c| work_settings::save(c, changed)).expect("save settings");
    let created = db.with_tx(|tx| complaints::create(tx, open(vip, opened))).expect("create");
    assert_eq!((created.response_due_at, created.target_hours), (Some(local(3, 2, 11, 0)), Some(2.0)));
}

#[test]
fn past_target_means_no_first_response_after_the_due_time_while_open() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let opened = local(3, 2, 9, 0); // standard: due 3 Mar 09:00
    let waiting = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("waiting");
    let answered = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("answered");
    db.with_tx(|tx| complaints::respond(tx, answered.id, local(3, 4, 9, 0))).expect("late answer");
    let working = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("in progress");
    db.with_tx(|tx| complaints::start(tx, working.id, local(3, 2, 10, 0))).expect("start");
    let done = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("resolved");
    db.with_tx(|tx| complaints::resolve(tx, done.id, local(3, 2, 12, 0), "退款")).expect("resolve");
    let later = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 2, 10, 0)))).expect("later");

    let past = |now| {
        let page = db.with_conn(|c| complaints::past_target(c, now, 0, 0)).expect("past target");
        (page.total, page.items.iter().map(|r| r.complaint.id).collect::<Vec<_>>())
    };
    assert_eq!(past(local(3, 3, 9, 0)), (0, vec![]), "due exactly now is not yet past");
    assert_eq!(past(local(3, 3, 9, 1)), (1, vec![waiting.id]), "a minute later it is");
    assert_eq!(past(local(3, 3, 10, 1)), (2, vec![waiting.id, later.id]), "longest overdue first");
    let page = db.with_conn(|c| complaints::past_target(c, local(3, 3, 10, 1), 1, 1)).expect("second page");
    assert_eq!((page.total, page.items[0].complaint.id), (2, later.id), "paged, with the whole count");
    assert!(page.items[0].past_target);
    assert_eq!(page.items[0].customer_name, "张伟");

    let all =
        db.with_conn(|c| complaints::list(c, local(3, 3, 9, 30), &ComplaintQuery::default())).expect("open complaints");
    let order: Vec<(i64, bool)> = all.items.iter().map(|r| (r.complaint.id, r.past_target)).collect();
    assert_eq!(
        order,
        vec![(waiting.id, true), (answered.id, false), (working.id, false), (later.id, false)],
        "open and in progress, past target first, resolved left out"
    );
    assert_eq!(all.total, 4);
    let second = db
        .with_conn(|c| {
            complaints::list(c, local(3, 3, 9, 30), &ComplaintQuery { offset: 1, limit: 2, ..Default::default() })
        })
        .expect("a page across both parts");
    let ids: Vec<i64> = second.items.iter().map(|r| r.complaint.id).collect();
    assert_eq!((ids, second.total), (vec![answered.id, working.id], 4));

    db.with_tx(|tx| headtail_core::customers::soft_delete(tx, who, crate::at(2))).expect("to the trash");
    assert_eq!(past(local(3, 3, 10, 1)), (0, vec![]), "a customer in the trash leaves the list until restored");
}

#[test]
fn the_first_response_is_recorded_once_by_respond_start_or_resolve() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let opened = local(3, 2, 9, 0);
    let c = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("create");
    assert_eq!((c.first_response_at, c.first_response_hours), (None, None));
    let early = local(3, 2, 10, 30);
    let r = db.with_tx(|tx| complaints::respond(tx, c.id, early)).expect("respond");
    assert_eq!((r.status, r.first_response_hours), (ComplaintStatus::Open, Some(1.5)));
    let s = db.with_tx(|tx| complaints::start(tx, c.id, local(3, 2, 14, 0))).expect("start");
    assert_eq!((s.status, s.first_response_at), (ComplaintStatus::InProgress, Some(early)), "the first time only");
    let err = db.with_tx(|tx| complaints::start(tx, c.id, local(3, 2, 15, 0))).expect_err("started twice");
    assert!(matches!(err, Error::Conflict(_)), "got {err:?}");

    let blank = db.with_tx(|tx| complaints::resolve(tx, c.id, local(3, 3, 9, 0), "  "));
    assert_eq!(field_rules(blank), rules(&[("resolution", Rule::Required)]), "a resolution needs its note");
    let done = db.with_tx(|tx| complaints::resolve(tx, c.id, local(3, 3, 9, 0), " 补发并致歉 ")).expect("resolve");
    assert_eq!(
        (done.status, done.resolution.as_deref(), done.resolution_hours, done.first_response_at),
        (ComplaintStatus::Resolved, Some("补发并致歉"), Some(24.0), Some(early))
    );
    let err = db.with_tx(|tx| complaints::respond(tx, c.id, local(3, 4, 9, 0))).expect_err("resolved");
    assert!(matches!(err, Error::Conflict(_)), "got {err:?}");

    let unanswered = db.with_tx(|tx| complaints::create(tx, open(who, opened))).expect("create");
    let before = db.with_tx(|tx| complaints::respond(tx, unanswered.id, local(3, 2, 8, 0)));
    assert_eq!(field_rules(before), rules(&[("first_response_at", Rule::OutOfRange)]));
    let resolved =
        db.with_tx(|tx| complaints::resolve(tx, unanswered.id, local(3, 2, 18, 0), "退款")).expect("resolve");
    assert_eq!(resolved.first_response_at, Some(local(3, 2, 18, 0)), "resolving answers a complaint nobody had");
}

#[test]
fn old_complaints_get_the_standard_target_from_the_migration() {
    // The backfill statement of migration 0016, run against complaints written without a
    // due time, as every complaint before 0012 was.
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let c = db.with_tx(|tx| complaints::create(tx, open(who, local(3, 2, 9, 0)))).expect("create");
    db.with_conn(|conn| {
        conn.execute("UPDATE complaints SET response_due_at = NULL", [])?;
        // Its first statement: the rest creates an index the database already has.
        let migration = include_str!("../../migrations/0016_complaint_targets.sql");
        conn.execute_batch(migration.split("\n\n").next().unwrap_or_default())?;
        Ok(())
    })
    .expect("backfill");
    let after = db.with_conn(|conn| complaints::get(conn, c.id)).expect("get");
    assert_eq!(after.response_due_at, Some(local(3, 3, 9, 0)));
    let past = db.with_conn(|conn| complaints::past_target(conn, local(3, 3, 9, 1), 0, 0)).expect("list");
    assert_eq!(past.total, 1, "so it is not left off the list of complaints past target");
}

#[test]
fn a_complaints_file_imports_with_chinese_headers_and_reverts() {
    let (dir, db) = temp_db();
    let who = db
        .with_tx(|tx| {
            headtail_core::customers::create(
                tx,
                CustomerInput { external_id: Some("C001".into()), ..CustomerInput::named("张伟") },
                crate::at(1),
            )
        })
        .expect("customer")
        .id;
    evaluated(&db, "2026-02-28", true, &[(who, "vip")]);
    let csv = "客户编号,投诉日期,类别,严重程度,状态,描述,解决时间,解决方案\n\
               C001,2026-03-02 09:00,物流延误,严重,待处理,包裹三天未到,,\n\
               C001,2026-03-01 10:00,质量问题,一般,已解决,茶叶受潮,2026-03-01 16:30,换货\n\
               C001,2026-03-01 11:00,发票,低,已解决,,2026-03-02 11:00,\n\
               C999,2026-03-01 11:00,发票,低,,,,\n";
    let path = dir.path().join("投诉.csv");
    std::fs::write(&path, csv).expect("write");
    let options = ImportOptions::new(ImportKind::Complaints);
    let report = db.with_conn(|c| import_file(c, &path, &options, crate::at(10), |_| {})).expect("import");
    assert_eq!(report.status, ImportStatus::Rejected, "bad rows stop it: {:?}", report.errors);
    let reasons: Vec<(u64, Option<Field>, Reason)> = report.errors.iter().map(|e| (e.row, e.field, e.reason)).collect();
    assert_eq!(
        reasons,
        vec![(4, Some(Field::Resolution), Reason::Required), (5, Some(Field::ExternalId), Reason::UnknownCustomer)],
        "a resolved complaint needs its resolution; an unknown customer is named"
    );
    assert_eq!(db.with_conn(|c| complaints::list_for_customer(c, who, 0, 0)).expect("list").total, 0);

    let options = ImportOptions { skip_bad_rows: true, ..options };
    let report = db.with_conn(|c| import_file(c, &path, &options, crate::at(10), |_| {})).expect("import");
    assert_eq!((report.status, report.created), (ImportStatus::Imported, 2));
    let page = db.with_conn(|c| complaints::list_for_customer(c, who, 0, 0)).expect("list");
    let open_one = &page.items[0];
    assert_eq!(
        (open_one.severity, open_one.status, open_one.response_due_at),
        (ComplaintSeverity::High, ComplaintStatus::Open, Some(local(3, 2, 13, 0))),
        "严重 is high; a VIP customer's complaint is due in 4 hours"
    );
    let resolved = &page.items[1];
    assert_eq!(
        (resolved.status, resolved.resolution.as_deref(), resolved.resolution_hours),
        (ComplaintStatus::Resolved, Some("换货"), Some(6.5))
    );
    let batch = report.batch_id.expect("batch");
    let reverted = db.with_tx(|tx| revert_batch(tx, batch, crate::at(11))).expect("revert");
    assert_eq!(reverted.complaints_deleted, 2);
    assert_eq!(db.with_conn(|c| complaints::list_for_customer(c, who, 0, 0)).expect("list").total, 0);
}

#[test]
fn complaint_headers_map_in_english_too() {
    let headers: Vec<String> =
        ["Customer ID", "Date", "Category", "Severity", "Status", "Description", "Resolved at", "Resolution"]
            .iter()
            .map(|h| (*h).to_owned())
            .collect();
    let mapping = headtail_core::import::auto_mapping(ImportKind::Complaints, &headers);
    let fields: Vec<Field> = mapping.0.keys().copied().collect();
    assert_eq!(
        fields,
        vec![
            Field::ExternalId,
            Field::Date,
            Field::Category,
            Field::Severity,
            Field::Status,
            Field::Description,
            Field::ResolvedAt,
            Field::Resolution
        ]
    );
}
