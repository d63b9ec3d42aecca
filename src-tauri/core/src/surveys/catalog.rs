//! The surveys themselves: kind, name, the question in both languages, active or retired.

use super::results::Score;
use super::SurveyKind;
use crate::activity::{clean, Checks};
use crate::customers::timestamp;
use crate::error::{Error, Result, Rule};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashMap;

pub const NAME_MAX: usize = 100;
pub const QUESTION_MAX: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SurveyInput {
    pub kind: SurveyKind,
    pub name: String,
    pub question_zh: Option<String>,
    pub question_en: Option<String>,
    /// Only active surveys take new answers from the form.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Survey {
    pub id: i64,
    pub kind: SurveyKind,
    pub name: String,
    pub question_zh: Option<String>,
    pub question_en: Option<String>,
    pub active: bool,
}

/// A survey with its answers counted and scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SurveyOverview {
    pub survey: Survey,
    pub score: Score,
}

impl SurveyInput {
    fn validate(self) -> Result<SurveyInput> {
        let input = SurveyInput {
            name: self.name.trim().to_owned(),
            question_zh: clean(self.question_zh),
            question_en: clean(self.question_en),
            ..self
        };
        let mut checks = Checks::default();
        checks.required("name", &input.name);
        checks.max_len("name", Some(&input.name), NAME_MAX);
        checks.max_len("question_zh", input.question_zh.as_deref(), QUESTION_MAX);
        checks.max_len("question_en", input.question_en.as_deref(), QUESTION_MAX);
        checks.finish()?;
        Ok(input)
    }
}

const COLUMNS: &str = "id, kind, name, question_zh, question_en, active";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Survey> {
    Ok(Survey {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        question_zh: r.get(3)?,
        question_en: r.get(4)?,
        active: r.get(5)?,
    })
}

pub fn get_survey(conn: &Connection, id: i64) -> Result<Survey> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM surveys WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "survey", id })
}

pub fn create_survey(conn: &Connection, input: SurveyInput, now: DateTime<Utc>) -> Result<Survey> {
    let s = input.validate()?;
    conn.execute(
        "INSERT INTO surveys (kind, name, question_zh, question_en, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![s.kind, s.name, s.question_zh, s.question_en, s.active, timestamp(now)],
    )?;
    get_survey(conn, conn.last_insert_rowid())
}

/// Changes a survey; its kind only while it has no answers, whose scores are on its scale.
pub fn update_survey(conn: &Connection, id: i64, input: SurveyInput) -> Result<Survey> {
    let before = get_survey(conn, id)?;
    let s = input.validate()?;
    if s.kind != before.kind {
        let answered: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM survey_responses WHERE survey_id = ?1)")?
            .query_row([id], |r| r.get(0))?;
        if answered {
            let mut checks = Checks::default();
            checks.fail("kind", Rule::InvalidChoice);
            checks.finish()?;
        }
    }
    conn.execute(
        "UPDATE surveys SET kind = ?2, name = ?3, question_zh = ?4, question_en = ?5, active = ?6 WHERE id = ?1",
        params![id, s.kind, s.name, s.question_zh, s.question_en, s.active],
    )?;
    get_survey(conn, id)
}

/// Every survey, active ones first, then newest first, each with its overall score.
pub fn list_surveys(conn: &Connection) -> Result<Vec<SurveyOverview>> {
    let mut counts: HashMap<i64, Vec<(i64, u32)>> = HashMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT survey_id, score, count(*) FROM survey_responses GROUP BY survey_id, score")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        counts.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
    }
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM surveys ORDER BY active DESC, id DESC"))?;
    let surveys = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(surveys
        .into_iter()
        .map(|survey| {
            let mut tally = Score::tally(survey.kind);
            for &(score, n) in counts.get(&survey.id).map(Vec::as_slice).unwrap_or_default() {
                tally.add(score, n);
            }
            SurveyOverview { score: tally.score(), survey }
        })
        .collect())
}
