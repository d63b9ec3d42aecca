//! A detractor's answer asks for a follow-up: the customer's owner calls back at once.

use super::{SurveyKind, SurveyResponse};
use crate::error::Result;
use crate::follow_ups::{self, FollowUp, FollowUpInput, FollowUpSource};
use crate::work_settings::WorkSettings;
use chrono::{DateTime, Local, SubsecRound, Utc};
use rusqlite::Connection;

/// The longest reason a detractor follow-up carries (the follow-up's own limit).
pub const DETRACTOR_REASON_MAX: usize = follow_ups::REASON_MAX;

/// Whether `score` is at or below the detractor threshold of its kind.
pub fn is_detractor(kind: SurveyKind, score: i64, settings: &WorkSettings) -> bool {
    let max = match kind {
        SurveyKind::Nps => settings.nps_detractor_max(),
        SurveyKind::Csat => settings.csat_detractor_max(),
        SurveyKind::Ces => settings.ces_detractor_max(),
    };
    score <= i64::from(max)
}

/// What the owner reads: "survey name: score/top — comment", the comment cut to fit.
fn reason(name: &str, response: &SurveyResponse) -> String {
    let (_, high) = response.kind.range();
    let head = format!("{name}: {}/{high}", response.score);
    match response.comment.as_deref() {
        None => head,
        Some(comment) => {
            let room = DETRACTOR_REASON_MAX.saturating_sub(head.chars().count() + 3);
            let cut: String = if comment.chars().count() > room {
                comment.chars().take(room.saturating_sub(1)).chain(std::iter::once('…')).collect()
            } else {
                comment.to_owned()
            };
            format!("{head} — {cut}")
        }
    }
}

/// Schedules the follow-up a detractor's answer asks for, due now on the local clock; none
/// for any other answer.
pub(crate) fn follow_up(
    conn: &Connection,
    response: &SurveyResponse,
    settings: &WorkSettings,
    now: DateTime<Utc>,
) -> Result<Option<FollowUp>> {
    if !is_detractor(response.kind, response.score, settings) {
        return Ok(None);
    }
    let name: String =
        conn.prepare_cached("SELECT name FROM surveys WHERE id = ?1")?.query_row([response.survey_id], |r| r.get(0))?;
    let input = FollowUpInput {
        customer_id: response.customer_id,
        due_at: now.with_timezone(&Local).naive_local().trunc_subsecs(0),
        owner: None,
        reason: Some(reason(&name, response)),
        source: FollowUpSource::Detractor,
        interaction_id: None,
        survey_response_id: Some(response.id),
    };
    follow_ups::schedule(conn, input, now).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn answer(score: i64, comment: Option<&str>) -> SurveyResponse {
        SurveyResponse {
            id: 1,
            survey_id: 1,
            customer_id: 1,
            kind: SurveyKind::Nps,
            responded_on: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            score,
            comment: comment.map(str::to_owned),
        }
    }

    #[test]
    fn the_reason_names_survey_score_and_comment() {
        assert_eq!(reason("年度 NPS", &answer(3, None)), "年度 NPS: 3/10");
        assert_eq!(reason("年度 NPS", &answer(0, Some("太慢"))), "年度 NPS: 0/10 — 太慢");
    }

    #[test]
    fn a_long_comment_is_cut_to_the_follow_up_limit() {
        let long = "慢".repeat(2000);
        let text = reason("NPS", &answer(2, Some(&long)));
        assert_eq!(text.chars().count(), DETRACTOR_REASON_MAX, "fills the reason exactly");
        assert!(text.ends_with('…'), "says it was cut");
    }
}
