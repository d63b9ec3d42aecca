//! Satisfaction surveys and their answers: NPS (0-10), CSAT (1-5), CES (1-7).
//!
//! `catalog` keeps the surveys themselves, `results` scores them, `detractors` turns a low
//! answer into a follow-up and `due` lists the active customers nobody asked for a while.

pub mod catalog;
mod detractors;
mod due;
mod results;

pub use catalog::{create_survey, get_survey, list_surveys, update_survey, Survey, SurveyInput, SurveyOverview};
pub use detractors::{is_detractor, DETRACTOR_REASON_MAX};
pub use due::{survey_due, SurveyDue, SurveyDuePage};
pub use results::{survey_results, ResultsQuery, Score, ScoreGroup, SurveyResults};

use crate::activity::{clean, Checks};
use crate::error::{Error, Result, Rule};
use crate::follow_ups::FollowUp;
use crate::page::{page_limit, Page};
use crate::work_settings;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const COMMENT_MAX: usize = 2000;

text_enum!(SurveyKind { Nps = "nps", Csat = "csat", Ces = "ces" });

impl SurveyKind {
    /// The scale's lowest and highest score.
    pub fn range(self) -> (i64, i64) {
        match self {
            SurveyKind::Nps => (0, 10),
            SurveyKind::Csat => (1, 5),
            SurveyKind::Ces => (1, 7),
        }
    }

    fn default_survey_name(self) -> &'static str {
        match self {
            SurveyKind::Nps => "NPS",
            SurveyKind::Csat => "CSAT",
            SurveyKind::Ces => "CES",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SurveyResponseInput {
    pub customer_id: i64,
    pub kind: SurveyKind,
    /// The survey it answers; without one, the standing survey of its kind.
    pub survey_id: Option<i64>,
    pub responded_on: NaiveDate,
    pub score: i64,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SurveyResponse {
    pub id: i64,
    pub survey_id: i64,
    pub customer_id: i64,
    pub kind: SurveyKind,
    pub responded_on: NaiveDate,
    pub score: i64,
    pub comment: Option<String>,
}

impl SurveyResponseInput {
    pub fn validate(self) -> Result<SurveyResponseInput> {
        let input = SurveyResponseInput { comment: clean(self.comment), ..self };
        let mut checks = Checks::default();
        let (low, high) = input.kind.range();
        if !(low..=high).contains(&input.score) {
            checks.fail("score", Rule::OutOfRange);
        }
        checks.max_len("comment", input.comment.as_deref(), COMMENT_MAX);
        checks.finish()?;
        Ok(input)
    }
}

/// An answer as recorded, and the follow-up it asked for when it was a detractor's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RecordedAnswer {
    pub response: SurveyResponse,
    pub follow_up: Option<FollowUp>,
}

/// The standing survey of a kind (an active one first), created on first use.
pub fn standing_survey(conn: &Connection, kind: SurveyKind, now: &str) -> Result<i64> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT id FROM surveys WHERE kind = ?1 ORDER BY active DESC, id LIMIT 1")?
        .query_row([kind], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO surveys (kind, name, created_at) VALUES (?1, ?2, ?3)",
        params![kind, kind.default_survey_name(), now],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn insert(conn: &Connection, r: &SurveyResponseInput, batch: Option<i64>, now: &str) -> Result<i64> {
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", r.customer_id)?;
    let survey_id = match r.survey_id {
        Some(id) => {
            let found: Option<(SurveyKind, bool)> = conn
                .query_row("SELECT kind, active FROM surveys WHERE id = ?1", [id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            match found {
                None => checks.fail("survey_id", Rule::UnknownReference),
                // A retired survey takes no new answers from the form; imports name no survey.
                Some((k, active)) if k != r.kind || !active => checks.fail("survey_id", Rule::InvalidChoice),
                Some(_) => {}
            }
            id
        }
        None => standing_survey(conn, r.kind, now)?,
    };
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO survey_responses (survey_id, customer_id, responded_on, score, comment, import_batch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![survey_id, r.customer_id, r.responded_on, r.score, r.comment, batch])?;
    Ok(conn.last_insert_rowid())
}

/// Records an answer; a detractor's answer schedules a follow-up for the customer's owner,
/// due at once (the thresholds are work settings).
pub fn record(conn: &Connection, input: SurveyResponseInput, now: DateTime<Utc>) -> Result<RecordedAnswer> {
    let valid = input.validate()?;
    let id = insert(conn, &valid, None, &crate::customers::timestamp(now))?;
    let response = get(conn, id)?;
    let settings = work_settings::load(conn)?;
    let follow_up = detractors::follow_up(conn, &response, &settings, now)?;
    Ok(RecordedAnswer { response, follow_up })
}

/// After an import wrote answer `id`: a detractor's answer from the last
/// `new_detractor_days` schedules its follow-up as one from the form does. Older answers are
/// history; a file of past years would otherwise bury the owners in follow-ups at once.
pub(crate) fn imported(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<()> {
    let response = get(conn, id)?;
    let settings = work_settings::load(conn)?;
    let today = now.with_timezone(&chrono::Local).date_naive();
    let age = (today - response.responded_on).num_days();
    if age <= i64::from(settings.new_detractor_days()) {
        detractors::follow_up(conn, &response, &settings, now)?;
    }
    Ok(())
}

/// [`record`], for callers that need only the answer.
pub fn create(conn: &Connection, input: SurveyResponseInput, now: DateTime<Utc>) -> Result<SurveyResponse> {
    record(conn, input, now).map(|r| r.response)
}

const COLUMNS: &str = "r.id, r.survey_id, r.customer_id, s.kind, r.responded_on, r.score, r.comment";

fn from_row(r: &Row<'_>) -> rusqlite::Result<SurveyResponse> {
    Ok(SurveyResponse {
        id: r.get(0)?,
        survey_id: r.get(1)?,
        customer_id: r.get(2)?,
        kind: r.get(3)?,
        responded_on: r.get(4)?,
        score: r.get(5)?,
        comment: r.get(6)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<SurveyResponse> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM survey_responses r JOIN surveys s ON s.id = r.survey_id WHERE r.id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or(Error::NotFound { entity: "survey response", id })
}

/// A customer's answers to every survey, newest first. `limit` 0 means the default page size.
pub fn list_for_customer(conn: &Connection, customer_id: i64, offset: u32, limit: u32) -> Result<Page<SurveyResponse>> {
    let total: u32 = conn
        .prepare_cached("SELECT count(*) FROM survey_responses WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM survey_responses r JOIN surveys s ON s.id = r.survey_id
         WHERE r.customer_id = ?1 ORDER BY r.responded_on DESC, r.id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let items =
        stmt.query_map(params![customer_id, page_limit(limit), offset], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(Page { items, total })
}
