use crate::{at, customer, local, temp_db};
use chrono::{Days, NaiveDateTime, TimeZone, Utc};
use headtail_core::complaints::{self, ComplaintInput, ComplaintSeverity, ComplaintStatus};
use headtail_core::customers::{self, CustomerInput};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::erase;
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::evaluation::{Lifecycle, Tier};
use headtail_core::follow_ups::{self, FollowUpInput, FollowUpSource};
use headtail_core::interactions;
use headtail_core::my_day::{self, MyDay, MyDayFact, MyDayQuery, MyDaySection, MyDaySectionQuery, NextStep};
use headtail_core::surveys::{self, SurveyKind, SurveyResponseInput};
use headtail_core::work_settings::{self, WorkSettingsInput};
use headtail_core::Database;

/// Wednesday 2 December 2026, 10:00 local time.
fn now() -> NaiveDateTime {
    local(12, 2, 10, 0)
}

fn days_before_now(days: u64, hour: u32, minute: u32) -> NaiveDateTime {
    now().date().checked_sub_days(Days::new(days)).and_then(|d| d.and_hms_opt(hour, minute, 0)).expect("valid time")
}

fn owned(db: &Database, name: &str, owner: &str) -> i64 {
    let input = CustomerInput { owner: Some(owner.into()), ..CustomerInput::named(name) };
    db.with_tx(|tx| customers::create(tx, input, at(1))).expect("create customer").id
}

fn contact(db: &Database, customer_id: i64, occurred_at: NaiveDateTime) {
    db.with_tx(|tx| interactions::create(tx, crate::interactions::call(customer_id, occurred_at)))
        .expect("interaction");
}

/// A head member of a run: (customer, tier, potential head, lifecycle).
type Member = (i64, Tier, bool, Lifecycle);

/// Stores a run as of `as_of` with the given members, as the evaluation would.
fn run(db: &Database, as_of: &str, complete: bool, members: &[Member]) -> i64 {
    db.with_tx(|tx| {
        tx.execute(
            "INSERT INTO evaluation_runs (as_of, started_at, finished_at, trigger, currency, settings, model, summary,
               customers, seconds, complete)
             VALUES (?1, 'x', 'x', 'manual', 'CNY', '{}', '{}', '{}', ?2, 0, ?3)",
            rusqlite::params![as_of, members.len() as i64, complete],
        )?;
        let run = tx.last_insert_rowid();
        let members = members.iter().map(|&(customer_id, tier, potential_head, lifecycle)| {
            let mut m = crate::hand_member(customer_id, tier, lifecycle);
            m.decision.potential_head = potential_head;
            (m.measures.purchase_days, m.measures.span_days, m.measures.frequency) = (1, 1, 1);
            (m.measures.recency_days, m.measures.predicted_clv_minor) = (Some(40), Some(customer_id * 100));
            m
        });
        headtail_core::evaluation::store::put_members(tx, run, &members.collect::<Vec<_>>())?;
        Ok(run)
    })
    .expect("store run")
}

fn day_of(db: &Database, owner: Option<&str>) -> MyDay {
    db.with_conn(|c| my_day::my_day(c, &MyDayQuery { owner: owner.map(str::to_owned), limit: 0 }, now()))
        .expect("my day")
}

fn ids(page: &headtail_core::page::Page<my_day::MyDayItem>) -> Vec<i64> {
    page.items.iter().map(|i| i.customer_id).collect()
}

fn follow_up(db: &Database, customer_id: i64, due_at: NaiveDateTime, owner: Option<&str>) -> i64 {
    let input = FollowUpInput {
        customer_id,
        due_at,
        owner: owner.map(str::to_owned),
        reason: Some("回访".into()),
        source: FollowUpSource::Manual,
        interaction_id: None,
        survey_response_id: None,
    };
    db.with_tx(|tx| follow_ups::schedule(tx, input, at(2))).expect("schedule").id
}

/// An open complaint whose first response was due at `due` (None: no target).
fn complaint(db: &Database, customer_id: i64, status: ComplaintStatus, due: Option<NaiveDateTime>) -> i64 {
    let resolved_at = status.is_finished().then(|| local(11, 30, 12, 0));
    let input = ComplaintInput {
        customer_id,
        opened_at: local(11, 30, 9, 0),
        category: "物流".into(),
        severity: ComplaintSeverity::High,
        status,
        description: None,
        resolved_at,
        resolution: resolved_at.map(|_| "已退款".into()),
        first_response_at: None,
    };
    let id = db.with_tx(|tx| complaints::create(tx, input)).expect("complaint").id;
    db.with_conn(|c| {
        c.execute("UPDATE complaints SET response_due_at = ?2 WHERE id = ?1", rusqlite::params![id, due])?;
        Ok(())
    })
    .expect("set the target");
    id
}

fn answer(db: &Database, customer_id: i64, kind: SurveyKind, score: i64, days_ago: u64) -> i64 {
    let input = SurveyResponseInput {
        customer_id,
        kind,
        survey_id: None,
        responded_on: days_before_now(days_ago, 0, 0).date(),
        score,
        comment: Some("太慢".into()),
    };
    // Recorded long after it was given, so that no detractor follow-up is scheduled: these
    // tests place their follow-ups themselves.
    let recorded = Utc.with_ymd_and_hms(2027, 6, 1, 9, 0, 0).single().expect("valid time");
    db.with_tx(|tx| surveys::create(tx, input, recorded)).expect("answer").id
}

#[test]
fn without_an_evaluation_the_head_sections_are_empty_and_say_so() {
    let (_dir, db) = temp_db();
    let never = customer(&db, "从未联系");
    let day = day_of(&db, None);
    assert_eq!(day.evaluation, None, "no run yet");
    assert_eq!((day.no_contact.total, day.at_risk.total), (0, 0));
    // A run cut short does not count either.
    run(&db, "2026-11-30", false, &[(never, Tier::A, false, Lifecycle::AtRisk)]);
    let day = day_of(&db, None);
    assert_eq!(day.evaluation, None, "an incomplete run is not an evaluation");
    assert!(day.no_contact.items.is_empty() && day.at_risk.items.is_empty());
    let counts = db.with_conn(|c| my_day::counts(c, None, now())).expect("counts");
    assert!(!counts.evaluated);
    assert_eq!(counts.total, 0);
}

#[test]
fn head_customers_without_contact_for_thirty_days_from_the_latest_run() {
    let (_dir, db) = temp_db();
    let thirty = customer(&db, "三十天");
    let twenty_nine = customer(&db, "二十九天");
    let never = customer(&db, "从未联系");
    let potential = customer(&db, "潜力客户");
    let tail = customer(&db, "长尾客户");
    let was_head = customer(&db, "曾是头部");
    contact(&db, thirty, days_before_now(30, 23, 59));
    contact(&db, thirty, days_before_now(45, 9, 0));
    contact(&db, twenty_nine, days_before_now(29, 0, 0));
    contact(&db, potential, days_before_now(60, 9, 0));
    // The older run had `was_head` in tier A; the latest does not.
    run(&db, "2026-10-31", true, &[(was_head, Tier::A, false, Lifecycle::Loyal)]);
    let latest = run(
        &db,
        "2026-11-30",
        true,
        &[
            (thirty, Tier::A, false, Lifecycle::Loyal),
            (twenty_nine, Tier::A, false, Lifecycle::Loyal),
            (never, Tier::A, true, Lifecycle::New),
            (potential, Tier::C, true, Lifecycle::Repeat),
            (tail, Tier::B, false, Lifecycle::Repeat),
            (was_head, Tier::B, false, Lifecycle::Loyal),
        ],
    );
    let day = day_of(&db, None);
    assert_eq!(day.evaluation.map(|e| e.run_id), Some(latest), "the latest complete run");
    assert_eq!(day.no_contact_days, 30);
    assert_eq!(
        ids(&day.no_contact),
        [never, potential, thirty],
        "never contacted first, then the longest without; 29 days is not yet due; tier B is not head"
    );
    assert_eq!(day.no_contact.total, 3);
    let facts: Vec<_> = day.no_contact.items.iter().map(|i| (i.fact.clone(), i.next_step)).collect();
    assert_eq!(
        facts[0],
        (
            MyDayFact::NoContact {
                tier: Tier::A,
                potential_head: true,
                last_contact_at: None,
                days_since_contact: None
            },
            NextStep::LogInteraction
        )
    );
    assert_eq!(
        facts[2].0,
        MyDayFact::NoContact {
            tier: Tier::A,
            potential_head: false,
            last_contact_at: Some(days_before_now(30, 23, 59)),
            days_since_contact: Some(30),
        },
        "the latest contact counts, exactly 30 days ago"
    );
    // A longer setting lets the 30 and 60-day customers wait.
    db.with_conn(|c| work_settings::save(c, WorkSettingsInput { no_contact_days: 61, ..Default::default() }))
        .expect("save settings");
    assert_eq!(ids(&day_of(&db, None).no_contact), [never]);
}

#[test]
fn at_risk_head_customers_of_the_latest_run() {
    let (_dir, db) = temp_db();
    let head = customer(&db, "头部流失风险");
    let potential = customer(&db, "潜力流失风险");
    let tail = customer(&db, "长尾流失风险");
    let loyal = customer(&db, "头部忠诚");
    run(
        &db,
        "2026-11-30",
        true,
        &[
            (head, Tier::A, false, Lifecycle::AtRisk),
            (potential, Tier::B, true, Lifecycle::AtRisk),
            (tail, Tier::B, false, Lifecycle::AtRisk),
            (loyal, Tier::A, false, Lifecycle::Loyal),
        ],
    );
    let day = day_of(&db, None);
    assert_eq!(ids(&day.at_risk), [head, potential], "tier A before potential head");
    assert_eq!(day.at_risk.total, 2);
    assert_eq!(
        (day.at_risk.items[0].fact.clone(), day.at_risk.items[0].next_step),
        (
            MyDayFact::AtRisk {
                tier: Tier::A,
                potential_head: false,
                recency_days: Some(40),
                predicted_clv_minor: Some(head * 100)
            },
            NextStep::ScheduleFollowUp
        )
    );
}

#[test]
fn complaints_past_their_response_target() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "投诉客户");
    let late = complaint(&db, who, ComplaintStatus::Open, Some(local(12, 1, 7, 30)));
    let in_progress = complaint(&db, who, ComplaintStatus::InProgress, Some(local(12, 2, 9, 0)));
    let due_now = complaint(&db, who, ComplaintStatus::Open, Some(now()));
    complaint(&db, who, ComplaintStatus::Open, Some(local(12, 2, 14, 0)));
    complaint(&db, who, ComplaintStatus::Open, None);
    complaint(&db, who, ComplaintStatus::Resolved, Some(local(12, 1, 7, 0)));
    let answered = complaint(&db, who, ComplaintStatus::InProgress, Some(local(12, 1, 7, 0)));
    db.with_conn(|c| {
        c.execute("UPDATE complaints SET first_response_at = '2026-12-01 08:00:00' WHERE id = ?1", [answered])?;
        Ok(())
    })
    .expect("answer one");

    let day = day_of(&db, None);
    let complaints: Vec<_> = day
        .late_complaints
        .items
        .iter()
        .map(|i| match &i.fact {
            MyDayFact::LateComplaint { complaint_id, hours_past_target, .. } => (*complaint_id, *hours_past_target),
            other => panic!("not a complaint: {other:?}"),
        })
        .collect();
    assert_eq!(complaints, [(late, 26), (in_progress, 1)], "the longest overdue first, in whole hours");
    assert!(!complaints.iter().any(|(id, _)| *id == due_now), "due this very minute is not yet late");
    assert_eq!(day.late_complaints.total, 2);
    assert!(day.late_complaints.items.iter().all(|i| i.next_step == NextStep::RespondToComplaint));
}

#[test]
fn new_detractors_at_the_thresholds_within_the_period() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "打分客户");
    let nps6 = answer(&db, who, SurveyKind::Nps, 6, 0);
    answer(&db, who, SurveyKind::Nps, 7, 0);
    let csat2 = answer(&db, who, SurveyKind::Csat, 2, 1);
    answer(&db, who, SurveyKind::Csat, 3, 1);
    let ces3 = answer(&db, who, SurveyKind::Ces, 3, 13);
    answer(&db, who, SurveyKind::Ces, 4, 2);
    answer(&db, who, SurveyKind::Nps, 0, 14);

    let scored = |day: &MyDay| -> Vec<(i64, SurveyKind, i64)> {
        day.new_detractors
            .items
            .iter()
            .map(|i| match &i.fact {
                MyDayFact::Detractor { survey_response_id, survey_kind, score, .. } => {
                    (*survey_response_id, *survey_kind, *score)
                }
                other => panic!("not an answer: {other:?}"),
            })
            .collect()
    };
    let day = day_of(&db, None);
    assert_eq!(
        scored(&day),
        [(nps6, SurveyKind::Nps, 6), (csat2, SurveyKind::Csat, 2), (ces3, SurveyKind::Ces, 3)],
        "newest first; at the threshold counts, above does not; 13 days ago is new, 14 is not"
    );
    assert!(day.new_detractors.items.iter().all(|i| i.next_step == NextStep::CallDetractor));

    let stricter =
        WorkSettingsInput { nps_detractor_max: 5, csat_detractor_max: 1, new_detractor_days: 15, ..Default::default() };
    db.with_conn(|c| work_settings::save(c, stricter)).expect("save settings");
    let day = day_of(&db, None);
    assert_eq!(
        scored(&day).into_iter().map(|(_, k, s)| (k, s)).collect::<Vec<_>>(),
        [(SurveyKind::Ces, 3), (SurveyKind::Nps, 0)],
        "the settings move the thresholds and the period"
    );
}

#[test]
fn overdue_and_today_come_from_the_agenda() {
    let (_dir, db) = temp_db();
    let who = owned(&db, "跟进客户", "王经理");
    let overdue = follow_up(&db, who, local(12, 1, 9, 0), None);
    let today = follow_up(&db, who, local(12, 2, 16, 0), None);
    follow_up(&db, who, local(12, 3, 9, 0), None);
    let done = follow_up(&db, who, local(11, 20, 9, 0), None);
    db.with_conn(|c| {
        c.execute("UPDATE follow_ups SET completed_at = '2026-11-21T00:00:00Z' WHERE id = ?1", [done])?;
        Ok(())
    })
    .expect("complete one");
    let day = day_of(&db, None);
    let follow_up_ids = |page: &headtail_core::page::Page<my_day::MyDayItem>| -> Vec<i64> {
        page.items
            .iter()
            .map(|i| match &i.fact {
                MyDayFact::FollowUp { follow_up_id, .. } => *follow_up_id,
                other => panic!("not a follow-up: {other:?}"),
            })
            .collect()
    };
    assert_eq!(follow_up_ids(&day.overdue_follow_ups), [overdue]);
    assert_eq!(follow_up_ids(&day.today_follow_ups), [today], "tomorrow is not today; done is gone");
    assert_eq!(day.overdue_follow_ups.items[0].owner.as_deref(), Some("王经理"));
    assert_eq!(day.overdue_follow_ups.items[0].next_step, NextStep::LogInteraction);
    let counts = db.with_conn(|c| my_day::counts(c, None, now())).expect("counts");
    assert_eq!((counts.overdue_follow_ups, counts.today_follow_ups, counts.agenda.this_week), (1, 1, 1));
    assert_eq!(counts.total, 2);
}

#[test]
fn the_owner_filter_applies_to_every_section() {
    let (_dir, db) = temp_db();
    let mine = owned(&db, "我的客户", "王经理");
    let theirs = owned(&db, "别人的客户", "李经理");
    for who in [mine, theirs] {
        follow_up(&db, who, local(12, 1, 9, 0), None);
        follow_up(&db, who, local(12, 2, 15, 0), None);
        complaint(&db, who, ComplaintStatus::Open, Some(local(12, 1, 9, 0)));
        answer(&db, who, SurveyKind::Nps, 2, 1);
    }
    // Handed over: the follow-up's own owner decides, not the customer's.
    follow_up(&db, theirs, local(12, 1, 8, 0), Some("王经理"));
    run(
        &db,
        "2026-11-30",
        true,
        &[(mine, Tier::A, false, Lifecycle::AtRisk), (theirs, Tier::A, false, Lifecycle::AtRisk)],
    );

    let everyone = day_of(&db, None);
    let mine_only = day_of(&db, Some("王经理"));
    // Follow-ups go by due time and detractors by date: the sets are compared.
    let sections = |d: &MyDay| {
        [&d.overdue_follow_ups, &d.today_follow_ups, &d.no_contact, &d.at_risk, &d.late_complaints, &d.new_detractors]
            .map(|p| {
                let mut ids = ids(p);
                ids.sort_unstable();
                (ids, p.total)
            })
    };
    let both = (vec![mine, theirs], 2);
    assert_eq!(
        sections(&everyone),
        [(vec![mine, theirs, theirs], 3), both.clone(), both.clone(), both.clone(), both.clone(), both],
        "everyone"
    );
    assert_eq!(
        sections(&mine_only),
        [(vec![mine, theirs], 2), (vec![mine], 1), (vec![mine], 1), (vec![mine], 1), (vec![mine], 1), (vec![mine], 1),],
        "one owner: the handed-over follow-up and the owner's own customers"
    );
    let counts = db.with_conn(|c| my_day::counts(c, Some("王经理"), now())).expect("counts");
    assert_eq!(counts.total, 7);
    assert_eq!(db.with_conn(|c| my_day::counts(c, Some("无人"), now())).expect("counts").total, 0);
}

#[test]
fn deleted_and_erased_customers_are_left_out() {
    let (_dir, db) = temp_db();
    let live = customer(&db, "在册客户");
    let deleted = customer(&db, "已删除客户");
    let erased = customer(&db, "已抹除客户");
    for who in [live, deleted, erased] {
        follow_up(&db, who, local(12, 1, 9, 0), None);
        follow_up(&db, who, local(12, 2, 15, 0), None);
        complaint(&db, who, ComplaintStatus::Open, Some(local(12, 1, 9, 0)));
        answer(&db, who, SurveyKind::Csat, 1, 0);
    }
    run(
        &db,
        "2026-11-30",
        true,
        &[
            (live, Tier::A, false, Lifecycle::AtRisk),
            (deleted, Tier::A, false, Lifecycle::AtRisk),
            (erased, Tier::A, false, Lifecycle::AtRisk),
        ],
    );
    db.with_tx(|tx| customers::soft_delete(tx, deleted, at(3))).expect("delete");
    db.with_conn(|c| erase::erase_customer(c, erased, at(3))).expect("erase");
    let day = day_of(&db, None);
    for (name, page) in [
        ("overdue", &day.overdue_follow_ups),
        ("today", &day.today_follow_ups),
        ("no contact", &day.no_contact),
        ("at risk", &day.at_risk),
        ("complaints", &day.late_complaints),
        ("detractors", &day.new_detractors),
    ] {
        assert_eq!((ids(page), page.total), (vec![live], 1), "{name}: only the live customer");
    }
    assert_eq!(db.with_conn(|c| my_day::counts(c, None, now())).expect("counts").total, 6);
}

#[test]
fn a_deleted_customers_answers_leave_the_new_detractors_of_their_owner_and_come_back_on_restore() {
    let (_dir, db) = temp_db();
    let live = owned(&db, "在册客户", "王经理");
    let deleted = owned(&db, "已删除客户", "王经理");
    let erased = owned(&db, "已抹除客户", "王经理");
    let other = owned(&db, "别人的客户", "李经理");
    for who in [live, deleted, erased, other] {
        answer(&db, who, SurveyKind::Nps, 3, 1);
        answer(&db, who, SurveyKind::Ces, 2, 2);
    }
    db.with_tx(|tx| customers::soft_delete(tx, deleted, at(3))).expect("delete");
    db.with_conn(|c| erase::erase_customer(c, erased, at(3))).expect("erase");
    let detractors = |owner: Option<&str>| {
        let day = day_of(&db, owner);
        let counted = db.with_conn(|c| my_day::counts(c, owner, now())).expect("counts").new_detractors;
        assert_eq!(counted, day.new_detractors.total, "the sidebar and the section agree");
        (ids(&day.new_detractors), day.new_detractors.total)
    };
    assert_eq!(detractors(Some("王经理")), (vec![live, live], 2));
    assert_eq!(detractors(None), (vec![live, other, live, other], 4), "newest first");
    let second = db
        .with_conn(|c| {
            my_day::section(
                c,
                &MyDaySectionQuery {
                    owner: Some("王经理".into()),
                    section: MyDaySection::NewDetractors,
                    offset: 1,
                    limit: 1,
                },
                now(),
            )
        })
        .expect("section");
    assert_eq!((ids(&second), second.total), (vec![live], 2), "a page skips the customers left out");

    db.with_tx(|tx| customers::restore(tx, deleted)).expect("restore");
    assert_eq!(detractors(Some("王经理")).1, 4, "a restored customer's answers are back");
}

#[test]
fn a_section_pages_on() {
    let (_dir, db) = temp_db();
    let members: Vec<_> =
        (0..5).map(|n| (customer(&db, &format!("客户{n}")), Tier::A, false, Lifecycle::Loyal)).collect();
    run(&db, "2026-11-30", true, &members);
    let page = |offset, limit| {
        db.with_conn(|c| {
            my_day::section(
                c,
                &MyDaySectionQuery { owner: None, section: MyDaySection::NoContact, offset, limit },
                now(),
            )
        })
        .expect("section")
    };
    let first = page(0, 2);
    let rest = page(2, 10);
    assert_eq!((first.total, rest.total), (5, 5));
    let all: Vec<i64> = ids(&first).into_iter().chain(ids(&rest)).collect();
    assert_eq!(all, members.iter().map(|m| m.0).collect::<Vec<_>>(), "never contacted, by id");
    let first_of_day =
        db.with_conn(|c| my_day::my_day(c, &MyDayQuery { owner: None, limit: 2 }, now())).expect("my day");
    assert_eq!(first_of_day.no_contact, first, "My day shows a section's first page");
}

#[test]
fn head_customers_of_a_real_evaluation() {
    let (_dir, db) = temp_db();
    let until = local(11, 30, 0, 0).date();
    db.with_tx(|tx| demo::generate(tx, DemoSettings::new(300, 7, until), chrono::Utc::now(), |_, _| {})).expect("demo");
    let (evaluation, _) = store::run(&db, until, Trigger::Manual, &mut |_, _| {}).expect("run");
    // Every member head, a third of them never contacted: pages of both kinds.
    db.with_conn(|c| {
        crate::edit_members(c, evaluation.id, |members| {
            members.iter_mut().for_each(|m| m.decision.potential_head = true)
        })
    })
    .expect("all head");
    db.with_conn(|c| Ok(c.execute("DELETE FROM interactions WHERE customer_id % 3 = 0", [])?))
        .expect("never contacted");
    // Two months after the run, so that some head customers have waited long enough.
    let later = local(11, 30, 10, 0) + chrono::Duration::days(60);
    let day = db.with_conn(|c| my_day::my_day(c, &MyDayQuery { owner: None, limit: 500 }, later)).expect("my day");
    assert_eq!(day.evaluation.map(|e| e.run_id), Some(evaluation.id));
    // The same rule worked out customer by customer, from the run's members as stored.
    let expected: Vec<i64> = db
        .with_conn(|c| {
            let head = store::stored_members(c, evaluation.id)?
                .into_iter()
                .filter(|m| m.decision.tier == Tier::A || m.decision.potential_head)
                .map(|m| m.measures.customer_id);
            let mut last = c.prepare("SELECT max(occurred_at) FROM interactions WHERE customer_id = ?1")?;
            let mut out = Vec::new();
            for id in head {
                let at: Option<NaiveDateTime> = last.query_row([id], |r| r.get(0))?;
                if at.is_none_or(|at| (later.date() - at.date()).num_days() >= 30) {
                    out.push(id);
                }
            }
            Ok(out)
        })
        .expect("head customers");
    assert!(!expected.is_empty(), "the demo has head customers out of contact two months on");
    let in_order = ids(&day.no_contact);
    let mut found = in_order.clone();
    found.sort_unstable();
    let mut expected = expected;
    expected.sort_unstable();
    assert_eq!(found, expected);
    assert_eq!(day.no_contact.total as usize, expected.len());
    // Never contacted first, then the longest out of contact; pages of 7 across the two give
    // the same order as the whole.
    let never = |item: &my_day::MyDayItem| matches!(item.fact, MyDayFact::NoContact { last_contact_at: None, .. });
    let split = day.no_contact.items.iter().take_while(|i| never(i)).count();
    assert!(split > 7 && split < in_order.len(), "both kinds, across pages: {split} of {}", in_order.len());
    assert!(day.no_contact.items[split..].iter().all(|i| !never(i)));
    let mut paged = Vec::new();
    while paged.len() < in_order.len() {
        let query =
            MyDaySectionQuery { owner: None, section: MyDaySection::NoContact, offset: paged.len() as u32, limit: 7 };
        let page = db.with_conn(|c| my_day::section(c, &query, later)).expect("page");
        assert!(!page.items.is_empty());
        paged.extend(ids(&page));
    }
    assert_eq!(paged, in_order);
}

#[test]
fn owners_are_listed_once_in_order() {
    let (_dir, db) = temp_db();
    assert!(db.with_conn(my_day::owners).expect("owners").is_empty());
    for (name, owner) in [("甲", "王经理"), ("乙", "李经理"), ("丙", "王经理"), ("丁", "Anna")] {
        owned(&db, name, owner);
    }
    customer(&db, "无人负责");
    assert_eq!(db.with_conn(my_day::owners).expect("owners"), ["Anna", "李经理", "王经理"]);
}
