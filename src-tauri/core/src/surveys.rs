//! Satisfaction surveys and their answers: NPS (0-10), CSAT (1-5), CES (1-7).

use crate::activity::{clean, Checks};
use crate::error::{Error, Result, Rule};
use crate::page::{page_limit, Page};
use chrono::NaiveDate;
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

/// The standing survey of a kind, created on first use.
pub fn standing_survey(conn: &Connection, kind: SurveyKind, now: &str) -> Result<i64> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT id FROM surveys WHERE kind = ?1 ORDER BY id LIMIT 1")?
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
            let kind: Option<SurveyKind> =
                conn.query_row("SELECT kind FROM surveys WHERE id = ?1", [id], |row| row.get(0)).optional()?;
            match kind {
                None => checks.fail("survey_id", Rule::UnknownReference),
                Some(k) if k != r.kind => checks.fail("survey_id", Rule::InvalidChoice),
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

pub fn create(conn: &Connection, input: SurveyResponseInput, now: &str) -> Result<SurveyResponse> {
    let valid = input.validate()?;
    let id = insert(conn, &valid, None, now)?;
    get(conn, id)
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
