use super::catalog::{answer, new_survey, survey};
use crate::{at, temp_db};
use chrono::{Local, SubsecRound};
use headtail_core::customers::{self, CustomerInput};
use headtail_core::follow_ups::FollowUpSource;
use headtail_core::import::{import_file, revert_batch, ImportKind, ImportOptions, ImportStatus};
use headtail_core::surveys::{self, SurveyKind, SurveyResponseInput};
use headtail_core::work_settings::{self, WorkSettingsInput};
use headtail_core::Database;

fn owned_customer(db: &Database, name: &str, phone: &str) -> i64 {
    let input = CustomerInput { owner: Some("王磊".into()), phone: Some(phone.into()), ..CustomerInput::named(name) };
    db.with_tx(|tx| customers::create(tx, input, at(1))).expect("customer").id
}

fn follow_ups(db: &Database) -> Vec<(i64, Option<i64>, Option<String>, String)> {
    db.with_conn(|c| {
        let mut stmt =
            c.prepare("SELECT customer_id, survey_response_id, owner, reason FROM follow_ups WHERE source = 'detractor' ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    })
    .expect("follow-ups")
}

#[test]
fn a_detractor_answer_schedules_a_follow_up_for_the_owner_at_once() {
    let (_dir, db) = temp_db();
    let who = owned_customer(&db, "华强电子", "13800138000");
    let nps = new_survey(&db, survey(SurveyKind::Nps, "年度 NPS"));
    let input = SurveyResponseInput { comment: Some("响应太慢".into()), ..answer(who, &nps, 6) };
    let recorded = db.with_tx(|tx| surveys::record(tx, input, at(3))).expect("record");
    let follow_up = recorded.follow_up.expect("6 is a detractor's score");
    assert_eq!(follow_up.source, FollowUpSource::Detractor);
    assert_eq!(follow_up.survey_response_id, Some(recorded.response.id));
    assert_eq!(follow_up.owner.as_deref(), Some("王磊"), "the customer's owner");
    assert_eq!(follow_up.reason.as_deref(), Some("年度 NPS: 6/10 — 响应太慢"));
    assert_eq!(
        follow_up.due_at,
        at(3).with_timezone(&Local).naive_local().trunc_subsecs(0),
        "due now, on the local clock"
    );
    let passive = db.with_tx(|tx| surveys::record(tx, answer(who, &nps, 7), at(3))).expect("record");
    assert_eq!(passive.follow_up, None, "7 is a passive");
    assert_eq!(follow_ups(&db).len(), 1);
}

#[test]
fn the_thresholds_are_work_settings_per_kind() {
    let (_dir, db) = temp_db();
    let who = owned_customer(&db, "华强电子", "13800138000");
    let csat = new_survey(&db, survey(SurveyKind::Csat, "订单满意度"));
    let ces = new_survey(&db, survey(SurveyKind::Ces, "售后服务体验"));
    let nps = new_survey(&db, survey(SurveyKind::Nps, "NPS"));
    let asks = |s: &surveys::Survey, score: i64| {
        db.with_tx(|tx| surveys::record(tx, answer(who, s, score), at(3))).expect("record").follow_up.is_some()
    };
    assert_eq!((asks(&csat, 2), asks(&csat, 3), asks(&ces, 3), asks(&ces, 4)), (true, false, true, false));
    assert_eq!((asks(&nps, 6), asks(&nps, 7)), (true, false));
    db.with_conn(|c| {
        work_settings::save(
            c,
            WorkSettingsInput {
                nps_detractor_max: 4,
                csat_detractor_max: 3,
                ces_detractor_max: 1,
                ..WorkSettingsInput::default()
            },
        )
    })
    .expect("save settings");
    assert_eq!((asks(&csat, 3), asks(&csat, 4), asks(&ces, 1), asks(&ces, 2)), (true, false, true, false));
    assert_eq!((asks(&nps, 4), asks(&nps, 5)), (true, false), "6 is no longer a detractor's score");
}

#[test]
fn imported_detractor_answers_ask_too_and_leave_with_a_revert() {
    let (dir, db) = temp_db();
    let zhang = owned_customer(&db, "张伟", "13800138000");
    let li = owned_customer(&db, "李娜", "13900139000");
    // The import runs on 10 March: answers of the last 14 days (new_detractor_days) ask for a
    // follow-up, older ones are history.
    let file = "手机,类型,评分,评论,日期\n\
                13800138000,NPS,3,价格偏高,2026-03-09\n\
                13900139000,CSAT,5,,2026-03-09\n\
                13900139000,NPS,2,,2025-06-01\n\
                13900139000,CES,3,,2026-03-01\n";
    let path = dir.path().join("answers.csv");
    std::fs::write(&path, file).expect("write");
    let report = db
        .with_conn(|c| import_file(c, &path, &ImportOptions::new(ImportKind::SurveyResponses), at(10), |_| {}))
        .expect("import");
    assert_eq!((report.status, report.created), (ImportStatus::Imported, 4));
    let asked = follow_ups(&db);
    let reasons: Vec<(i64, &str)> = asked.iter().map(|f| (f.0, f.3.as_str())).collect();
    assert_eq!(reasons, [(zhang, "NPS: 3/10 — 价格偏高"), (li, "CES: 3/7")], "the standing surveys' names");
    assert!(asked.iter().all(|f| f.1.is_some() && f.2.as_deref() == Some("王磊")));
    let batch = report.batch_id.expect("a batch");
    db.with_tx(|tx| revert_batch(tx, batch, at(11))).expect("revert");
    assert!(follow_ups(&db).is_empty(), "the revert took the answers and their follow-ups");
}
