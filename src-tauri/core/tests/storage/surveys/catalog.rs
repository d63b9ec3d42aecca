use crate::surveys::create as answer_with;
use crate::{at, customer, date, field_rules, rules, temp_db};
use headtail_core::error::Rule;
use headtail_core::surveys::{self, SurveyInput, SurveyKind, SurveyResponseInput};
use headtail_core::{Database, Error};

pub fn survey(kind: SurveyKind, name: &str) -> SurveyInput {
    SurveyInput {
        kind,
        name: name.into(),
        question_zh: Some("您向朋友推荐我们的可能性有多大？".into()),
        question_en: Some("How likely are you to recommend us to a friend?".into()),
        active: true,
    }
}

pub fn new_survey(db: &Database, input: SurveyInput) -> surveys::Survey {
    db.with_tx(|tx| surveys::create_survey(tx, input, at(1))).expect("create survey")
}

pub fn answer(customer_id: i64, survey: &surveys::Survey, score: i64) -> SurveyResponseInput {
    SurveyResponseInput {
        customer_id,
        kind: survey.kind,
        survey_id: Some(survey.id),
        responded_on: date(3, 1),
        score,
        comment: None,
    }
}

#[test]
fn a_survey_is_created_and_edited_with_both_questions() {
    let (_dir, db) = temp_db();
    let made = new_survey(&db, SurveyInput { name: "  年度 NPS ".into(), ..survey(SurveyKind::Nps, "") });
    assert_eq!(made.name, "年度 NPS", "the name is trimmed");
    assert_eq!(made.question_en.as_deref(), Some("How likely are you to recommend us to a friend?"));
    let edited = db
        .with_tx(|tx| {
            surveys::update_survey(
                tx,
                made.id,
                SurveyInput {
                    question_zh: Some(" ".into()), active: false, ..survey(SurveyKind::Csat, "订单满意度")
                },
            )
        })
        .expect("edit");
    assert_eq!(
        (edited.kind, edited.name.as_str(), edited.question_zh.as_deref(), edited.active),
        (SurveyKind::Csat, "订单满意度", None, false),
        "a blank question is no question; an unanswered survey may change its kind"
    );
    assert_eq!(db.with_conn(|c| surveys::get_survey(c, made.id)).expect("get"), edited);
}

#[test]
fn bad_survey_fields_are_named_and_nothing_is_written() {
    let (_dir, db) = temp_db();
    let bad = SurveyInput {
        name: " ".into(),
        question_zh: Some("问".repeat(501)),
        question_en: Some("q".repeat(501)),
        ..survey(SurveyKind::Nps, "")
    };
    assert_eq!(
        field_rules(db.with_tx(|tx| surveys::create_survey(tx, bad, at(1)))),
        rules(&[("name", Rule::Required), ("question_zh", Rule::TooLong), ("question_en", Rule::TooLong)])
    );
    let long = survey(SurveyKind::Nps, &"名".repeat(101));
    assert_eq!(
        field_rules(db.with_tx(|tx| surveys::create_survey(tx, long, at(1)))),
        rules(&[("name", Rule::TooLong)])
    );
    assert!(db.with_conn(surveys::list_surveys).expect("list").is_empty(), "no survey was saved");
    let missing = db.with_tx(|tx| surveys::update_survey(tx, 99, survey(SurveyKind::Nps, "x")));
    assert!(matches!(missing, Err(Error::NotFound { .. })), "editing a missing survey: {missing:?}");
}

#[test]
fn an_answered_survey_keeps_its_kind_and_a_retired_one_takes_no_answers() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let nps = new_survey(&db, survey(SurveyKind::Nps, "年度 NPS"));
    answer_with(&db, answer(who, &nps, 9)).expect("answer");
    assert_eq!(
        field_rules(db.with_tx(|tx| surveys::update_survey(tx, nps.id, survey(SurveyKind::Ces, "年度 NPS")))),
        rules(&[("kind", Rule::InvalidChoice)]),
        "its answers are on the NPS scale"
    );
    db.with_tx(|tx| surveys::update_survey(tx, nps.id, SurveyInput { active: false, ..survey(SurveyKind::Nps, "旧") }))
        .expect("retire");
    assert_eq!(field_rules(answer_with(&db, answer(who, &nps, 9))), rules(&[("survey_id", Rule::InvalidChoice)]));
    let fresh = answer_with(&db, SurveyResponseInput { survey_id: None, ..answer(who, &nps, 8) }).expect("standing");
    assert_eq!(fresh.survey_id, nps.id, "with no active survey of its kind an answer still finds the standing one");
    let current = new_survey(&db, survey(SurveyKind::Nps, "新 NPS"));
    let later = answer_with(&db, SurveyResponseInput { survey_id: None, ..answer(who, &nps, 8) }).expect("standing");
    assert_eq!(later.survey_id, current.id, "an active survey of the kind is preferred");
}

#[test]
fn the_list_counts_and_scores_every_survey() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let nps = new_survey(&db, survey(SurveyKind::Nps, "年度 NPS"));
    let csat = new_survey(&db, survey(SurveyKind::Csat, "订单满意度"));
    let retired = new_survey(&db, SurveyInput { active: false, ..survey(SurveyKind::Ces, "售后") });
    for score in [10, 9, 7, 3] {
        answer_with(&db, answer(who, &nps, score)).expect("nps");
    }
    let list = db.with_conn(surveys::list_surveys).expect("list");
    let ids: Vec<i64> = list.iter().map(|o| o.survey.id).collect();
    assert_eq!(ids, [csat.id, nps.id, retired.id], "active surveys first, newest first");
    let nps_row = &list[1].score;
    assert_eq!(nps_row.responses, 4);
    assert_eq!(nps_row.distribution, [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1]);
    assert_eq!(nps_row.score, Some(25.0), "2 promoters - 1 detractor of 4 = 25");
    assert_eq!((list[0].score.responses, list[0].score.score), (0, None), "no answers, no score");
    assert_eq!(list[0].score.distribution, [0; 5], "one slot per CSAT scale point");
}
