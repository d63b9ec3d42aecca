//! Follow-ups: what someone must do for a customer, and by when. An interaction schedules
//! its next step as one, a detractor survey answer creates one for the customer's owner, and
//! they can be scheduled by hand or for a whole selection of customers.
//!
//! Due times are local wall-clock time, as interactions are: "tomorrow at nine" means nine on
//! the user's clock. A follow-up is open until it is completed.

use crate::activity::{clean, Checks};
use crate::customers::timestamp;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub mod agenda;
pub mod reminders;

pub const REASON_MAX: usize = 500;
pub const OWNER_MAX: usize = 100;

text_enum!(
    /// What asked for the follow-up.
    FollowUpSource {
        Manual = "manual",
        Interaction = "interaction",
        Detractor = "detractor",
        Complaint = "complaint",
        Bulk = "bulk",
    }
);

/// A follow-up to schedule. A missing owner means the customer's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FollowUpInput {
    pub customer_id: i64,
    pub due_at: NaiveDateTime,
    pub owner: Option<String>,
    pub reason: Option<String>,
    pub source: FollowUpSource,
    pub interaction_id: Option<i64>,
    pub survey_response_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FollowUp {
    pub id: i64,
    pub customer_id: i64,
    pub due_at: NaiveDateTime,
    pub owner: Option<String>,
    pub reason: Option<String>,
    pub source: FollowUpSource,
    pub interaction_id: Option<i64>,
    pub survey_response_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub answered_by: Option<i64>,
}

pub(crate) const COLUMNS: &str = "id, customer_id, due_at, owner, reason, source, interaction_id, survey_response_id,
     created_at, completed_at, answered_by";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        due_at: r.get(2)?,
        owner: r.get(3)?,
        reason: r.get(4)?,
        source: r.get(5)?,
        interaction_id: r.get(6)?,
        survey_response_id: r.get(7)?,
        created_at: r.get(8)?,
        completed_at: r.get(9)?,
        answered_by: r.get(10)?,
    })
}

/// Schedules a follow-up; without an owner it goes to the customer's owner.
pub fn schedule(conn: &Connection, input: FollowUpInput, now: DateTime<Utc>) -> Result<FollowUp> {
    let input = FollowUpInput { owner: clean(input.owner), reason: clean(input.reason), ..input };
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", input.customer_id)?;
    checks.max_len("owner", input.owner.as_deref(), OWNER_MAX);
    checks.max_len("reason", input.reason.as_deref(), REASON_MAX);
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO follow_ups (customer_id, due_at, owner, reason, source, interaction_id, survey_response_id, created_at)
         VALUES (?1, ?2, coalesce(?3, (SELECT owner FROM customers WHERE id = ?1)), ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        input.customer_id,
        input.due_at,
        input.owner,
        input.reason,
        input.source,
        input.interaction_id,
        input.survey_response_id,
        timestamp(now)
    ])?;
    get(conn, conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<FollowUp> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM follow_ups WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "follow-up", id })
}
