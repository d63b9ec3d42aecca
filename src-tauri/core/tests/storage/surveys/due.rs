use super::catalog::{answer, new_survey, survey};
use super::{eval_member, eval_run};
use crate::surveys::create as answer_with;
use crate::{at, customer, date, temp_db};
use headtail_core::customers;
use headtail_core::evaluation::store::{save_settings, settings};
use headtail_core::evaluation::{EvaluationSettingsInput, Tier};
use headtail_core::surveys::{self, SurveyKind, SurveyResponseInput};
use headtail_core::Database;

fn due(db: &Database, offset: u32, limit: u32) -> surveys::SurveyDuePage {
    db.with_conn(|c| surveys::survey_due(c, date(6, 30), offset, limit)).expect("due")
}

fn names(page: &surveys::SurveyDuePage) -> Vec<&str> {
    page.items.iter().map(|d| d.name.as_str()).collect()
}

#[test]
fn active_customers_without_a_recent_answer_are_due() {
    let (_dir, db) = temp_db();
    let nobody = due(&db, 0, 0);
    assert_eq!((nobody.evaluated, nobody.total, nobody.interval_days), (false, 0, 180), "no evaluation yet");
    let nps = new_survey(&db, survey(SurveyKind::Nps, "NPS"));
    let never = customer(&db, "从未回答");
    let long_ago = customer(&db, "很久以前");
    let on_the_day = customer(&db, "正好到期");
    let lately = customer(&db, "最近回答");
    let dormant = customer(&db, "沉睡客户");
    let deleted = customer(&db, "已删除");
    let prospect = customer(&db, "潜在客户");
    let run = eval_run(&db, "2026-06-01", true);
    for (id, behaviour, last) in [
        (never, Some("active"), None),
        (long_ago, Some("active"), Some("2025-01-01")),
        (on_the_day, Some("active"), Some("2025-12-01")),
        (lately, Some("active"), Some("2025-12-01")),
        (dormant, Some("dormant"), None),
        (deleted, Some("active"), None),
        (prospect, None, None),
    ] {
        eval_member(&db, run, id, ("b", Some("loyal"), "repeat", behaviour));
        if let Some(day) = last {
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("day");
            db.with_conn(|c| {
                crate::edit_members(c, run, |members| {
                    members.iter_mut().filter(|m| m.measures.customer_id == id).for_each(|m| {
                        m.measures.last_survey = Some(day);
                    });
                })
            })
            .expect("last survey");
        }
    }
    let on = |id: i64, d: chrono::NaiveDate| SurveyResponseInput { responded_on: d, ..answer(id, &nps, 9) };
    answer_with(&db, on(long_ago, chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("day"))).expect("answer");
    // 30 June minus 180 days is 1 January: an answer that day still counts as recent.
    answer_with(&db, on(on_the_day, date(1, 1))).expect("answer");
    answer_with(&db, on(lately, date(6, 1))).expect("answer");
    answer_with(&db, on(deleted, chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("day"))).expect("answer");
    db.with_tx(|tx| customers::soft_delete(tx, deleted, at(2))).expect("delete");

    let page = due(&db, 0, 0);
    assert!(page.evaluated);
    assert_eq!(
        names(&page),
        ["从未回答", "很久以前"],
        "never answered first; the recent, inactive and deleted are not due"
    );
    assert_eq!((page.total, page.total_exact), (2, true), "the count agrees with the list");
    assert_eq!(page.items[1].last_answer_on, chrono::NaiveDate::from_ymd_opt(2025, 1, 1));
    assert_eq!(page.items[0].tier, Tier::B);

    // A shorter interval makes the January answer old: 30 June minus 90 days is 1 April.
    let mut s: EvaluationSettingsInput = db.with_conn(settings).expect("settings").input().clone();
    s.survey_interval_days = 90;
    db.with_conn(|c| save_settings(c, &s)).expect("save");
    let page = due(&db, 0, 0);
    assert_eq!((page.total, page.interval_days), (3, 90));
    assert_eq!(names(&page), ["从未回答", "很久以前", "正好到期"]);
    let second = due(&db, 1, 1);
    assert_eq!((names(&second), second.total), (vec!["很久以前"], 3), "paged, with the count of all");

    // A newer run decides who is active.
    let newer = eval_run(&db, "2026-06-20", true);
    eval_member(&db, newer, lately, ("a", Some("champions"), "loyal", Some("active")));
    assert_eq!(names(&due(&db, 0, 0)), Vec::<&str>::new(), "lately answered in June");
}

#[test]
fn past_the_cap_the_count_says_at_least() {
    let (_dir, db) = temp_db();
    let run = eval_run(&db, "2026-06-01", true);
    db.with_tx(|tx| {
        let cap = i64::from(headtail_core::customers::COUNT_CAP);
        tx.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO customers (id, name, kind, created_at, updated_at)
             SELECT i, '客户' || i, 'person', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n",
            [cap + 5],
        )?;
        Ok(())
    })
    .expect("customers");
    db.with_tx(|tx| {
        let cap = i64::from(headtail_core::customers::COUNT_CAP);
        let members = (1..=cap + 5).map(|id| {
            let mut m = crate::hand_member(id, Tier::C, headtail_core::evaluation::Lifecycle::Repeat);
            m.decision.behaviour = Some(headtail_core::evaluation::Behaviour::Active);
            m
        });
        headtail_core::evaluation::store::put_members(tx, run, &members.collect::<Vec<_>>())
    })
    .expect("members");
    let page = due(&db, 0, 20);
    assert_eq!(
        (page.total, page.total_exact, page.items.len()),
        (headtail_core::customers::COUNT_CAP, false, 20),
        "counted up to the cap, as a filtered customer search is"
    );
    let last = due(&db, headtail_core::customers::COUNT_CAP, 0);
    assert_eq!(last.items.len(), 5, "the pages go on past the cap");
}
