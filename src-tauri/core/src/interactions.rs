//! Interactions with a customer (calls, visits, emails, messages, meetings). Logging one
//! completes the follow-up it answers and schedules the next, in one go.

use crate::activity::{clean, Checks};
use crate::error::{Error, Result};
use crate::follow_ups::{self, FollowUp, FollowUpInput, FollowUpSource};
use crate::page::{page_limit, Page};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const OUTCOME_MAX: usize = 200;
pub const NOTES_MAX: usize = 5000;
pub const OWNER_MAX: usize = 100;

text_enum!(InteractionKind { Call = "call", Visit = "visit", Email = "email", Message = "message", Meeting = "meeting" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct InteractionInput {
    pub customer_id: i64,
    pub kind: InteractionKind,
    /// Local wall-clock time of the interaction.
    pub occurred_at: NaiveDateTime,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Interaction {
    pub id: i64,
    pub customer_id: i64,
    pub kind: InteractionKind,
    pub occurred_at: NaiveDateTime,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub owner: Option<String>,
}

/// An interaction as the user logs it: the follow-up it answers (an open one of the same
/// customer), and the next one to schedule, due from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct InteractionLog {
    #[serde(flatten)]
    pub interaction: InteractionInput,
    pub answers_follow_up: Option<i64>,
    pub next_follow_up_at: Option<NaiveDateTime>,
    pub next_follow_up_reason: Option<String>,
}

/// What logging an interaction did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LoggedInteraction {
    pub interaction: Interaction,
    pub completed: Option<FollowUp>,
    pub next: Option<FollowUp>,
}

impl InteractionInput {
    pub fn validate(self) -> Result<InteractionInput> {
        let (input, checks) = self.checked();
        checks.finish()?;
        Ok(input)
    }

    /// The cleaned input and its failures, so a caller can add its own before finishing.
    fn checked(self) -> (InteractionInput, Checks) {
        let input = InteractionInput {
            outcome: clean(self.outcome),
            notes: clean(self.notes),
            owner: clean(self.owner),
            ..self
        };
        let mut checks = Checks::default();
        checks.max_len("outcome", input.outcome.as_deref(), OUTCOME_MAX);
        checks.max_len("notes", input.notes.as_deref(), NOTES_MAX);
        checks.max_len("owner", input.owner.as_deref(), OWNER_MAX);
        (input, checks)
    }
}

pub fn insert(conn: &Connection, i: &InteractionInput, batch: Option<i64>) -> Result<i64> {
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", i.customer_id)?;
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO interactions (customer_id, kind, occurred_at, outcome, notes, owner, import_batch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![i.customer_id, i.kind, i.occurred_at, i.outcome, i.notes, i.owner, batch])?;
    Ok(conn.last_insert_rowid())
}

/// Records an interaction that answers no follow-up and schedules none.
pub fn create(conn: &Connection, input: InteractionInput) -> Result<Interaction> {
    let valid = input.validate()?;
    let id = insert(conn, &valid, None)?;
    get(conn, id)
}

/// Logs an interaction, completes the follow-up it answers and schedules the next one for
/// the interaction's owner (or the customer's). `now` is local time, `at` the instant.
/// Run it in a transaction: a failure after the insert must leave nothing behind.
pub fn log(conn: &Connection, log: InteractionLog, now: NaiveDateTime, at: DateTime<Utc>) -> Result<LoggedInteraction> {
    let (input, mut checks) = log.interaction.checked();
    checks.customer_exists(conn, "customer_id", input.customer_id)?;
    if let Some(id) = log.answers_follow_up {
        follow_ups::answer(conn, &mut checks, "answers_follow_up", id, input.customer_id)?;
    }
    let reason = clean(log.next_follow_up_reason);
    if let Some(due_at) = log.next_follow_up_at {
        follow_ups::check_not_past(&mut checks, "next_follow_up_at", due_at, now);
    }
    checks.max_len("next_follow_up_reason", reason.as_deref(), follow_ups::REASON_MAX);
    checks.finish()?;

    let id = insert(conn, &input, None)?;
    let completed = match log.answers_follow_up {
        Some(answered) => Some(follow_ups::mark_answered(conn, answered, id, at)?),
        None => None,
    };
    let next = match log.next_follow_up_at {
        Some(due_at) => Some(follow_ups::schedule(
            conn,
            FollowUpInput {
                customer_id: input.customer_id,
                due_at,
                owner: input.owner.clone(),
                reason,
                source: FollowUpSource::Interaction,
                interaction_id: Some(id),
                survey_response_id: None,
            },
            at,
        )?),
        None => None,
    };
    Ok(LoggedInteraction { interaction: get(conn, id)?, completed, next })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Interaction> {
    Ok(Interaction {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        kind: r.get(2)?,
        occurred_at: r.get(3)?,
        outcome: r.get(4)?,
        notes: r.get(5)?,
        owner: r.get(6)?,
    })
}

const COLUMNS: &str = "id, customer_id, kind, occurred_at, outcome, notes, owner";

pub fn get(conn: &Connection, id: i64) -> Result<Interaction> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM interactions WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "interaction", id })
}

/// Replaces an interaction (an imported one stays part of its import).
pub fn update(conn: &Connection, id: i64, input: InteractionInput) -> Result<Interaction> {
    let i = input.validate()?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", i.customer_id)?;
    checks.finish()?;
    let changed = conn
        .prepare_cached(
            "UPDATE interactions SET customer_id = ?2, kind = ?3, occurred_at = ?4, outcome = ?5, notes = ?6, owner = ?7
             WHERE id = ?1",
        )?
        .execute(params![id, i.customer_id, i.kind, i.occurred_at, i.outcome, i.notes, i.owner])?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "interaction", id });
    }
    get(conn, id)
}

/// A customer's interactions, newest first. `limit` 0 means the default page size.
pub fn list_for_customer(conn: &Connection, customer_id: i64, offset: u32, limit: u32) -> Result<Page<Interaction>> {
    let total: u32 = conn
        .prepare_cached("SELECT count(*) FROM interactions WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM interactions WHERE customer_id = ?1
         ORDER BY occurred_at DESC, id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let items =
        stmt.query_map(params![customer_id, page_limit(limit), offset], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(Page { items, total })
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    let changed = conn.prepare_cached("DELETE FROM interactions WHERE id = ?1")?.execute([id])?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "interaction", id });
    }
    Ok(())
}
