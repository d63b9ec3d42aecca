//! Interactions with a customer (calls, visits, emails, messages, meetings) and the
//! follow-up each one schedules.

use crate::activity::{clean, Checks};
use crate::error::{Error, Result, Rule};
use crate::page::{page_limit, Page};
use chrono::{NaiveDate, NaiveDateTime};
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
    pub next_follow_up_on: Option<NaiveDate>,
    #[serde(default)]
    pub done: bool,
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
    pub next_follow_up_on: Option<NaiveDate>,
    pub done: bool,
    pub owner: Option<String>,
}

impl InteractionInput {
    pub fn validate(self) -> Result<InteractionInput> {
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
        if input.next_follow_up_on.is_some_and(|d| d < input.occurred_at.date()) {
            checks.fail("next_follow_up_on", Rule::OutOfRange);
        }
        checks.finish()?;
        Ok(input)
    }
}

pub fn insert(conn: &Connection, i: &InteractionInput, batch: Option<i64>) -> Result<i64> {
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", i.customer_id)?;
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO interactions (customer_id, kind, occurred_at, outcome, notes, next_follow_up_on, done, owner, import_batch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![i.customer_id, i.kind, i.occurred_at, i.outcome, i.notes, i.next_follow_up_on, i.done, i.owner, batch])?;
    Ok(conn.last_insert_rowid())
}

pub fn create(conn: &Connection, input: InteractionInput) -> Result<Interaction> {
    let valid = input.validate()?;
    let id = insert(conn, &valid, None)?;
    get(conn, id)
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Interaction> {
    Ok(Interaction {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        kind: r.get(2)?,
        occurred_at: r.get(3)?,
        outcome: r.get(4)?,
        notes: r.get(5)?,
        next_follow_up_on: r.get(6)?,
        done: r.get(7)?,
        owner: r.get(8)?,
    })
}

const COLUMNS: &str = "id, customer_id, kind, occurred_at, outcome, notes, next_follow_up_on, done, owner";

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
            "UPDATE interactions SET customer_id = ?2, kind = ?3, occurred_at = ?4, outcome = ?5, notes = ?6,
                    next_follow_up_on = ?7, done = ?8, owner = ?9
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            i.customer_id,
            i.kind,
            i.occurred_at,
            i.outcome,
            i.notes,
            i.next_follow_up_on,
            i.done,
            i.owner
        ])?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "interaction", id });
    }
    get(conn, id)
}

/// Marks the interaction's follow-up as done, so it leaves the agenda; `false` puts it back.
pub fn mark_done(conn: &Connection, id: i64, done: bool) -> Result<Interaction> {
    let changed = conn.prepare_cached("UPDATE interactions SET done = ?2 WHERE id = ?1")?.execute(params![id, done])?;
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
