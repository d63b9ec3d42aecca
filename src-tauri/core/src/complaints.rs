//! Complaints: what went wrong, how bad it is, where it stands, and how long it took to resolve.

use crate::activity::{clean, Checks};
use crate::error::{Error, Result, Rule};
use crate::page::{page_limit, Page};
use chrono::NaiveDateTime;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const CATEGORY_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 5000;

text_enum!(ComplaintSeverity { Low = "low", Medium = "medium", High = "high", Critical = "critical" });
text_enum!(ComplaintStatus { Open = "open", InProgress = "in_progress", Resolved = "resolved", Closed = "closed" });

impl ComplaintStatus {
    /// Resolved and closed complaints carry the time they were resolved; the others none.
    pub fn is_finished(self) -> bool {
        matches!(self, ComplaintStatus::Resolved | ComplaintStatus::Closed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ComplaintInput {
    pub customer_id: i64,
    /// Local wall-clock time the complaint came in.
    pub opened_at: NaiveDateTime,
    /// What it is about (delivery, quality, billing …), free text.
    pub category: String,
    pub severity: ComplaintSeverity,
    pub status: ComplaintStatus,
    pub description: Option<String>,
    /// Required for resolved and closed complaints, not before `opened_at`; absent otherwise.
    pub resolved_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Complaint {
    pub id: i64,
    pub customer_id: i64,
    pub opened_at: NaiveDateTime,
    pub category: String,
    pub severity: ComplaintSeverity,
    pub status: ComplaintStatus,
    pub description: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    /// Hours from opening to resolution, to the minute; absent while unresolved.
    pub resolution_hours: Option<f64>,
}

/// Hours between two local times, counted in whole minutes.
pub fn resolution_hours(opened_at: NaiveDateTime, resolved_at: NaiveDateTime) -> f64 {
    (resolved_at - opened_at).num_minutes() as f64 / 60.0
}

impl ComplaintInput {
    /// Checks the rules the table's CHECK also enforces, so the user gets a field error
    /// instead of a database error.
    pub fn validate(self) -> Result<ComplaintInput> {
        let input =
            ComplaintInput { category: self.category.trim().to_owned(), description: clean(self.description), ..self };
        let mut checks = Checks::default();
        checks.required_max("category", &input.category, CATEGORY_MAX);
        checks.max_len("description", input.description.as_deref(), DESCRIPTION_MAX);
        match (input.status.is_finished(), input.resolved_at) {
            (true, None) => checks.fail("resolved_at", Rule::Required),
            (true, Some(at)) if at < input.opened_at => checks.fail("resolved_at", Rule::OutOfRange),
            // An open complaint has no resolution time yet.
            (false, Some(_)) => checks.fail("resolved_at", Rule::OutOfRange),
            _ => {}
        }
        checks.finish()?;
        Ok(input)
    }
}

const COLUMNS: &str = "id, customer_id, opened_at, category, severity, status, description, resolved_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Complaint> {
    let opened_at: NaiveDateTime = r.get(2)?;
    let resolved_at: Option<NaiveDateTime> = r.get(7)?;
    Ok(Complaint {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        opened_at,
        category: r.get(3)?,
        severity: r.get(4)?,
        status: r.get(5)?,
        description: r.get(6)?,
        resolved_at,
        resolution_hours: resolved_at.map(|at| resolution_hours(opened_at, at)),
    })
}

pub fn create(conn: &Connection, input: ComplaintInput) -> Result<Complaint> {
    let c = input.validate()?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", c.customer_id)?;
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO complaints (customer_id, opened_at, category, severity, status, description, resolved_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        c.customer_id,
        c.opened_at,
        c.category,
        c.severity,
        c.status,
        c.description,
        c.resolved_at
    ])?;
    get(conn, conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Complaint> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM complaints WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "complaint", id })
}

/// Replaces a complaint; reopening one means giving an open status and no `resolved_at`.
pub fn update(conn: &Connection, id: i64, input: ComplaintInput) -> Result<Complaint> {
    let c = input.validate()?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", c.customer_id)?;
    checks.finish()?;
    let changed = conn
        .prepare_cached(
            "UPDATE complaints SET customer_id = ?2, opened_at = ?3, category = ?4, severity = ?5, status = ?6,
                    description = ?7, resolved_at = ?8
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            c.customer_id,
            c.opened_at,
            c.category,
            c.severity,
            c.status,
            c.description,
            c.resolved_at
        ])?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "complaint", id });
    }
    get(conn, id)
}

/// Marks an open or in-progress complaint resolved at `resolved_at`, which may not be before
/// it was opened. A complaint already resolved or closed is refused rather than re-dated.
pub fn resolve(conn: &Connection, id: i64, resolved_at: NaiveDateTime) -> Result<Complaint> {
    let current = get(conn, id)?;
    if current.status.is_finished() {
        return Err(Error::Conflict(format!("complaint {id} is already {}", current.status.as_str())));
    }
    let mut checks = Checks::default();
    if resolved_at < current.opened_at {
        checks.fail("resolved_at", Rule::OutOfRange);
    }
    checks.finish()?;
    conn.prepare_cached("UPDATE complaints SET status = 'resolved', resolved_at = ?2 WHERE id = ?1")?
        .execute(params![id, resolved_at])?;
    get(conn, id)
}

/// A customer's complaints, newest first. `limit` 0 means the default page size.
pub fn list_for_customer(conn: &Connection, customer_id: i64, offset: u32, limit: u32) -> Result<Page<Complaint>> {
    let total: u32 = conn
        .prepare_cached("SELECT count(*) FROM complaints WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM complaints WHERE customer_id = ?1 ORDER BY opened_at DESC, id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let items =
        stmt.query_map(params![customer_id, page_limit(limit), offset], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(Page { items, total })
}
