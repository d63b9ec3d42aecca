//! Who is due a survey: customers active in the latest complete evaluation who have not
//! answered any survey for the evaluation's `survey_interval_days` (nobody answered on or
//! after today minus the interval).
//!
//! At a million customers the list and its count stay in milliseconds: the active members
//! are read from the index `evaluation_members_behaviour` (run, behaviour, last answer as of
//! the run, customer), and the count takes away only the few customers who answered lately
//! or were deleted or erased, found through their own indexes, instead of testing every
//! active member. Rows come never-answered first, then by the answer the evaluation saw.

use crate::error::Result;
use crate::evaluation::store::settings as evaluation_settings;
use crate::evaluation::Tier;
use crate::page::page_limit;
use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SurveyDue {
    pub customer_id: i64,
    pub name: String,
    pub company: Option<String>,
    pub owner: Option<String>,
    pub tier: Tier,
    /// The customer's last answer to any survey, if ever.
    pub last_answer_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SurveyDuePage {
    pub items: Vec<SurveyDue>,
    pub total: u32,
    /// Days without an answer that make an active customer due.
    pub interval_days: u32,
    /// False until an evaluation has been run: nobody is known to be active before.
    pub evaluated: bool,
}

/// One page of the customers due a survey on `today`. `limit` 0 means the default page size.
pub fn survey_due(conn: &Connection, today: NaiveDate, offset: u32, limit: u32) -> Result<SurveyDuePage> {
    let interval_days = evaluation_settings(conn)?.survey_interval_days();
    let run: Option<i64> = conn
        .query_row("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(run) = run else {
        return Ok(SurveyDuePage { items: Vec::new(), total: 0, interval_days, evaluated: false });
    };
    let since = today.checked_sub_days(Days::new(u64::from(interval_days))).unwrap_or(NaiveDate::MIN);
    let total: u32 = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM evaluation_members WHERE run_id = ?1 AND behaviour = 'active')
                  - (SELECT count(*) FROM (
                        SELECT customer_id AS id FROM survey_responses WHERE responded_on >= ?2
                        UNION SELECT id FROM customers WHERE deleted_at IS NOT NULL
                        UNION SELECT id FROM customers WHERE erased_at IS NOT NULL) AS gone
                     CROSS JOIN evaluation_members m ON m.run_id = ?1 AND m.customer_id = gone.id
                     WHERE m.behaviour = 'active')",
        )?
        .query_row(params![run, since], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.company, c.owner, m.tier,
                (SELECT max(responded_on) FROM survey_responses a WHERE a.customer_id = m.customer_id)
         FROM evaluation_members m INDEXED BY evaluation_members_behaviour
         JOIN customers c ON c.id = m.customer_id
         WHERE m.run_id = ?1 AND m.behaviour = 'active' AND c.deleted_at IS NULL AND c.erased_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.customer_id = m.customer_id AND r.responded_on >= ?2)
         ORDER BY m.last_survey, m.customer_id
         LIMIT ?3 OFFSET ?4",
    )?;
    let items = stmt
        .query_map(params![run, since, page_limit(limit), offset], |r| {
            Ok(SurveyDue {
                customer_id: r.get(0)?,
                name: r.get(1)?,
                company: r.get(2)?,
                owner: r.get(3)?,
                tier: r.get(4)?,
                last_answer_on: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(SurveyDuePage { items, total, interval_days, evaluated: true })
}
