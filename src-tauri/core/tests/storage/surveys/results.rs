use super::catalog::{answer, new_survey, survey};
use super::{eval_member, eval_run};
use crate::surveys::create as answer_with;
use crate::{customer, date, field_rules, rules, temp_db};
use headtail_core::customers::{self, CustomerInput};
use headtail_core::error::Rule;
use headtail_core::surveys::{self, ResultsQuery, ScoreGroup, SurveyKind, SurveyResponseInput};
use headtail_core::Database;

fn results(db: &Database, id: i64, query: ResultsQuery) -> surveys::SurveyResults {
    db.with_conn(|c| surveys::survey_results(c, id, &query)).expect("results")
}

fn answer_on(db: &Database, input: SurveyResponseInput, month: u32, day: u32) {
    answer_with(db, SurveyResponseInput { responded_on: date(month, day), ..input }).expect("answer");
}

/// (key, responses, score) of each group.
fn summary(groups: &[ScoreGroup]) -> Vec<(Option<&str>, u32, Option<f64>)> {
    groups.iter().map(|g| (g.key.as_deref(), g.score.responses, g.score.score)).collect()
}

#[test]
fn ten_nps_answers_give_the_hand_computed_score() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let nps = new_survey(&db, survey(SurveyKind::Nps, "年度 NPS"));
    // 4 promoters (10, 10, 9, 9), 2 passives (8, 7), 4 detractors (6, 5, 0, 6): 40% - 40% = 0;
    // mean 70 / 10 = 7.
    for score in [10, 10, 9, 9, 8, 7, 6, 5, 0, 6] {
        answer_with(&db, answer(who, &nps, score)).expect("answer");
    }
    let r = results(&db, nps.id, ResultsQuery::default());
    assert_eq!(r.overall.responses, 10);
    assert_eq!(r.overall.distribution, [1, 0, 0, 0, 0, 1, 2, 1, 1, 2, 2]);
    assert_eq!((r.overall.score, r.overall.mean, r.overall.top_share), (Some(0.0), Some(7.0), Some(40.0)));
    // One more promoter: 5/11 - 4/11 = 100/11.
    answer_with(&db, answer(who, &nps, 9)).expect("answer");
    let r = results(&db, nps.id, ResultsQuery::default());
    assert_eq!(r.overall.score, Some(100.0 / 11.0));
}

#[test]
fn csat_and_ces_follow_their_definitions_at_the_scale_ends() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let csat = new_survey(&db, survey(SurveyKind::Csat, "订单满意度"));
    // 1, 3, 4, 5, 5: three of five are 4-5 = 60%.
    for score in [1, 3, 4, 5, 5] {
        answer_with(&db, answer(who, &csat, score)).expect("csat");
    }
    let c = results(&db, csat.id, ResultsQuery::default()).overall;
    assert_eq!((c.score, c.top_share, c.mean), (Some(60.0), Some(60.0), Some(18.0 / 5.0)));
    assert_eq!(c.distribution, [1, 0, 1, 1, 2]);
    let ces = new_survey(&db, survey(SurveyKind::Ces, "售后服务体验"));
    // 1, 4, 5, 7: mean 17 / 4 = 4.25; two of four are 5-7 = 50%.
    for score in [1, 4, 5, 7] {
        answer_with(&db, answer(who, &ces, score)).expect("ces");
    }
    let e = results(&db, ces.id, ResultsQuery::default()).overall;
    assert_eq!((e.score, e.mean, e.top_share), (Some(4.25), Some(4.25), Some(50.0)));
    assert_eq!(e.distribution, [1, 0, 0, 1, 1, 0, 1]);
}

#[test]
fn nps_boundaries_six_is_a_detractor_and_nine_a_promoter() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let nps = new_survey(&db, survey(SurveyKind::Nps, "NPS"));
    for (score, expected) in [(6, -100.0), (7, 0.0), (8, 0.0), (9, 100.0), (0, -100.0), (10, 100.0)] {
        let lone = new_survey(&db, survey(SurveyKind::Nps, &format!("only {score}")));
        answer_with(&db, answer(who, &lone, score)).expect("answer");
        assert_eq!(
            results(&db, lone.id, ResultsQuery::default()).overall.score,
            Some(expected),
            "one answer of {score}"
        );
    }
    let empty = results(&db, nps.id, ResultsQuery::default());
    assert_eq!((empty.overall.responses, empty.overall.score, empty.overall.mean), (0, None, None));
    assert_eq!(empty.overall.distribution, [0; 11]);
    assert!(empty.by_month.is_empty() && empty.by_tier.is_empty(), "an empty survey has no groups");
}

#[test]
fn groups_take_the_latest_complete_evaluation_and_owners_and_months() {
    let (_dir, db) = temp_db();
    let owned = |name: &str, owner: Option<&str>| {
        db.with_tx(|tx| {
            customers::create(
                tx,
                CustomerInput { owner: owner.map(str::to_owned), ..CustomerInput::named(name) },
                crate::at(1),
            )
        })
        .expect("customer")
        .id
    };
    let head = owned("华强电子", Some("王磊"));
    let tail = owned("李娜", Some("陈静"));
    let prospect = owned("新客户", None);
    let newcomer = owned("没评过", Some("王磊"));
    let old = eval_run(&db, "2026-01-31", true);
    eval_member(&db, old, head, ("c", Some("hibernating"), "at_risk", Some("dormant")));
    let latest = eval_run(&db, "2026-02-28", true);
    eval_member(&db, latest, head, ("a", Some("champions"), "loyal", Some("active")));
    eval_member(&db, latest, tail, ("c", Some("new"), "new", Some("active")));
    eval_member(&db, latest, prospect, ("d", None, "prospect", None));
    let half_saved = eval_run(&db, "2026-03-31", false);
    eval_member(&db, half_saved, head, ("d", Some("hibernating"), "churned", Some("churned")));
    let nps = new_survey(&db, survey(SurveyKind::Nps, "年度 NPS"));
    answer_on(&db, answer(head, &nps, 10), 2, 10);
    answer_on(&db, answer(head, &nps, 3), 3, 2);
    answer_on(&db, answer(tail, &nps, 9), 3, 5);
    answer_on(&db, answer(prospect, &nps, 8), 3, 6);
    answer_on(&db, answer(newcomer, &nps, 0), 4, 1);

    let r = results(&db, nps.id, ResultsQuery::default());
    assert_eq!(r.evaluated_on, Some(date(2, 28)), "the latest complete run, not the half-saved one");
    assert_eq!(
        summary(&r.by_tier),
        [(Some("a"), 2, Some(0.0)), (Some("c"), 1, Some(100.0)), (Some("d"), 1, Some(0.0)), (None, 1, Some(-100.0))],
        "the customer the run does not hold is not evaluated, last"
    );
    assert_eq!(
        summary(&r.by_segment),
        [
            (Some("champions"), 2, Some(0.0)),
            (Some("new"), 1, Some(100.0)),
            (Some("none"), 1, Some(0.0)),
            (None, 1, Some(-100.0))
        ]
    );
    assert_eq!(
        summary(&r.by_lifecycle),
        [
            (Some("loyal"), 2, Some(0.0)),
            (Some("new"), 1, Some(100.0)),
            (Some("prospect"), 1, Some(0.0)),
            (None, 1, Some(-100.0))
        ]
    );
    assert_eq!(
        summary(&r.by_owner),
        [(Some("王磊"), 3, Some(-100.0 / 3.0)), (Some("陈静"), 1, Some(100.0)), (None, 1, Some(0.0))]
    );
    assert_eq!(
        summary(&r.by_month),
        [(Some("2026-02"), 1, Some(100.0)), (Some("2026-03"), 3, Some(0.0)), (Some("2026-04"), 1, Some(-100.0))]
    );

    let march = results(&db, nps.id, ResultsQuery { from: Some(date(3, 1)), to: Some(date(3, 31)) });
    assert_eq!((march.overall.responses, march.overall.score), (3, Some(0.0)), "3, 9 and 8 in March");
    let since = results(&db, nps.id, ResultsQuery { from: Some(date(3, 5)), to: None });
    assert_eq!(since.overall.responses, 3, "both ends are included");
    let backwards = db.with_conn(|c| {
        surveys::survey_results(c, nps.id, &ResultsQuery { from: Some(date(4, 1)), to: Some(date(3, 1)) })
    });
    assert_eq!(field_rules(backwards), rules(&[("to", Rule::OutOfRange)]));

    // A new owner takes the customer's answers along, and a new run regroups them.
    db.with_tx(|tx| {
        customers::update(
            tx,
            tail,
            CustomerInput { owner: Some("王磊".into()), ..CustomerInput::named("李娜") },
            crate::at(2),
        )
    })
    .expect("reassign");
    let newer = eval_run(&db, "2026-04-30", true);
    eval_member(&db, newer, tail, ("b", Some("loyal"), "repeat", Some("active")));
    let r = results(&db, nps.id, ResultsQuery::default());
    assert_eq!(summary(&r.by_owner), [(Some("王磊"), 4, Some(0.0)), (None, 1, Some(0.0))]);
    assert_eq!(summary(&r.by_tier), [(Some("b"), 1, Some(100.0)), (None, 4, Some(-25.0))]);
}

#[test]
fn without_an_evaluation_every_answer_is_not_evaluated() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let csat = new_survey(&db, survey(SurveyKind::Csat, "订单满意度"));
    answer_with(&db, answer(who, &csat, 4)).expect("answer");
    let r = results(&db, csat.id, ResultsQuery::default());
    assert_eq!(r.evaluated_on, None);
    assert_eq!(summary(&r.by_tier), [(None, 1, Some(100.0))]);
    assert_eq!(summary(&r.by_owner), [(None, 1, Some(100.0))]);
    let missing = db.with_conn(|c| surveys::survey_results(c, 404, &ResultsQuery::default()));
    assert!(matches!(missing, Err(headtail_core::Error::NotFound { .. })), "{missing:?}");
}
