//! Survey answers; the surveys themselves, scores, detractors and who is due one below.

mod catalog;
mod detractors;
mod due;
mod results;

use crate::{at, customer, date, field_rules, rules, temp_db};
use headtail_core::error::Rule;
use headtail_core::surveys::{self, SurveyKind, SurveyResponseInput};
use headtail_core::Database;
use rusqlite::params;

/// An evaluation run on `as_of`; only complete runs count.
pub fn eval_run(db: &Database, as_of: &str, complete: bool) -> i64 {
    db.with_conn(|c| {
        c.execute(
            "INSERT INTO evaluation_runs (as_of, started_at, finished_at, trigger, currency, settings, model, summary,
                                          customers, seconds, complete)
             VALUES (?1, ?1, ?1, 'manual', 'CNY', '{}', '{}', '{}', 0, 0, ?2)",
            params![as_of, complete],
        )?;
        Ok(c.last_insert_rowid())
    })
    .expect("insert run")
}

/// A customer's standing in a run: tier, RFM segment, lifecycle stage, behaviour.
pub fn eval_member(db: &Database, run: i64, customer_id: i64, standing: (&str, Option<&str>, &str, Option<&str>)) {
    let (tier, segment, lifecycle, behaviour) = standing;
    use headtail_core::evaluation::{Behaviour, Lifecycle, RfmSegment, Tier};
    let mut member = crate::hand_member(
        customer_id,
        Tier::parse(tier).expect("tier"),
        Lifecycle::parse(lifecycle).expect("lifecycle"),
    );
    member.decision.segment = segment.map(|v| RfmSegment::parse(v).expect("segment"));
    member.decision.behaviour = behaviour.map(|v| Behaviour::parse(v).expect("behaviour"));
    db.with_conn(|c| {
        crate::edit_members(c, run, |members| {
            members.retain(|m| m.measures.customer_id != customer_id);
            members.push(member);
        })
    })
    .expect("insert member")
}

fn answer(customer_id: i64, kind: SurveyKind, score: i64) -> SurveyResponseInput {
    SurveyResponseInput { customer_id, kind, survey_id: None, responded_on: date(3, 1), score, comment: None }
}

fn create(db: &Database, input: SurveyResponseInput) -> headtail_core::Result<surveys::SurveyResponse> {
    db.with_tx(|tx| surveys::create(tx, input, at(1)))
}

#[test]
fn each_kind_accepts_exactly_its_scale() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    for (kind, low, high) in [(SurveyKind::Nps, 0, 10), (SurveyKind::Csat, 1, 5), (SurveyKind::Ces, 1, 7)] {
        for score in [low, high] {
            let saved = create(&db, answer(who, kind, score)).unwrap_or_else(|e| panic!("{kind:?} {score}: {e}"));
            assert_eq!((saved.kind, saved.score), (kind, score), "{kind:?} keeps the score given");
        }
        for score in [low - 1, high + 1] {
            assert_eq!(
                field_rules(create(&db, answer(who, kind, score))),
                rules(&[("score", Rule::OutOfRange)]),
                "{kind:?} must refuse {score}, outside {low}..={high}"
            );
        }
    }
}

#[test]
fn the_standing_survey_of_a_kind_is_created_once() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let first = create(&db, answer(who, SurveyKind::Nps, 9)).expect("first");
    let second = create(&db, answer(who, SurveyKind::Nps, 3)).expect("second");
    let csat = create(&db, answer(who, SurveyKind::Csat, 4)).expect("csat");
    assert_eq!(first.survey_id, second.survey_id, "answers without a survey go to the standing one");
    assert_ne!(first.survey_id, csat.survey_id, "each kind has its own standing survey");
    let surveys: i64 =
        db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM surveys", [], |r| r.get(0))?)).expect("count");
    assert_eq!(surveys, 2, "one standing survey per kind used, however many answers");
}

#[test]
fn a_named_survey_must_exist_and_be_of_the_same_kind() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let nps = create(&db, answer(who, SurveyKind::Nps, 9)).expect("nps").survey_id;
    let wrong_kind = SurveyResponseInput { survey_id: Some(nps), ..answer(who, SurveyKind::Csat, 4) };
    assert_eq!(field_rules(create(&db, wrong_kind)), rules(&[("survey_id", Rule::InvalidChoice)]));
    let unknown = SurveyResponseInput { survey_id: Some(999), ..answer(who, SurveyKind::Nps, 4) };
    assert_eq!(field_rules(create(&db, unknown)), rules(&[("survey_id", Rule::UnknownReference)]));
    let unknown_customer = answer(404, SurveyKind::Nps, 4);
    assert_eq!(field_rules(create(&db, unknown_customer)), rules(&[("customer_id", Rule::UnknownReference)]));
}

#[test]
fn list_for_customer_is_newest_first_across_kinds() {
    let (_dir, db) = temp_db();
    let who = customer(&db, "张伟");
    let other = customer(&db, "李娜");
    let old =
        create(&db, SurveyResponseInput { responded_on: date(1, 10), ..answer(who, SurveyKind::Nps, 9) }).expect("old");
    let new = create(
        &db,
        SurveyResponseInput {
            responded_on: date(3, 10),
            comment: Some(" 很好 ".into()),
            ..answer(who, SurveyKind::Ces, 6)
        },
    )
    .expect("new");
    create(&db, answer(other, SurveyKind::Nps, 1)).expect("other");
    let page = db.with_conn(|c| surveys::list_for_customer(c, who, 0, 0)).expect("list");
    assert_eq!(page.total, 2, "only this customer's answers count");
    assert_eq!(page.items, vec![new.clone(), old], "newest first, as create returned them");
    assert_eq!(new.comment.as_deref(), Some("很好"), "comments are trimmed");
}
