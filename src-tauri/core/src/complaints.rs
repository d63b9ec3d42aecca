//! Complaints: what went wrong, how bad it is, where it stands, how fast someone answered and
//! how long it took to resolve.
//!
//! A complaint moves open → in progress → resolved. Its first response is recorded the first
//! time someone answers: an explicit response, the move to in progress, or the resolution
//! itself, whichever comes first. When it is opened it gets a response due time: the opening
//! plus the hours the work settings give the customer's service level in the latest complete
//! evaluation (standard for a customer not evaluated). A complaint still waiting for its
//! first response after that time is past its target.

use crate::activity::{clean, Checks};
use crate::error::{Error, Result, Rule};
use crate::evaluation::ServiceLevel;
use crate::page::{page_limit, Page};
use crate::work_settings::{self, WorkSettings};
use chrono::{Duration, NaiveDateTime};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const CATEGORY_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 5000;
pub const RESOLUTION_MAX: usize = 5000;

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
    /// What resolved it: required for resolved and closed complaints, absent otherwise.
    #[serde(default)]
    pub resolution: Option<String>,
    /// When someone first answered, if already known (an imported history); not before
    /// `opened_at`. A resolved complaint without one counts its resolution as the answer.
    #[serde(default)]
    pub first_response_at: Option<NaiveDateTime>,
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
    pub resolution: Option<String>,
    pub first_response_at: Option<NaiveDateTime>,
    /// When the first response was due (opening + the service level's target hours).
    pub response_due_at: Option<NaiveDateTime>,
    /// Hours from opening to the response due time: the target.
    pub target_hours: Option<f64>,
    /// Hours from opening to the first response, to the minute; absent before it.
    pub first_response_hours: Option<f64>,
    /// Hours from opening to resolution, to the minute; absent while unresolved.
    pub resolution_hours: Option<f64>,
}

/// A complaint in a list across customers, with who complained and whether it is past its
/// target at the time the list was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ComplaintRow {
    pub complaint: Complaint,
    pub customer_name: String,
    pub past_target: bool,
}

/// Which complaints a list across customers shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ComplaintQuery {
    /// Only those past their target (see [`past_target`]); otherwise every open and
    /// in-progress complaint, those past their target first.
    #[serde(default)]
    pub past_target_only: bool,
    #[serde(default)]
    pub offset: u32,
    /// 0 means the default page size.
    #[serde(default)]
    pub limit: u32,
}

/// Hours between two local times, counted in whole minutes.
pub fn resolution_hours(opened_at: NaiveDateTime, resolved_at: NaiveDateTime) -> f64 {
    (resolved_at - opened_at).num_minutes() as f64 / 60.0
}

impl ComplaintInput {
    /// Checks the rules the table's CHECK also enforces, so the user gets a field error
    /// instead of a database error.
    pub fn validate(self) -> Result<ComplaintInput> {
        let input = ComplaintInput {
            category: self.category.trim().to_owned(),
            description: clean(self.description),
            resolution: clean(self.resolution),
            ..self
        };
        let mut checks = Checks::default();
        checks.required_max("category", &input.category, CATEGORY_MAX);
        checks.max_len("description", input.description.as_deref(), DESCRIPTION_MAX);
        checks.max_len("resolution", input.resolution.as_deref(), RESOLUTION_MAX);
        let finished = input.status.is_finished();
        match (finished, input.resolved_at) {
            (true, None) => checks.fail("resolved_at", Rule::Required),
            (true, Some(at)) if at < input.opened_at => checks.fail("resolved_at", Rule::OutOfRange),
            // An open complaint has no resolution time yet.
            (false, Some(_)) => checks.fail("resolved_at", Rule::OutOfRange),
            _ => {}
        }
        match (finished, input.resolution.is_some()) {
            (true, false) => checks.fail("resolution", Rule::Required),
            (false, true) => checks.fail("resolution", Rule::OutOfRange),
            _ => {}
        }
        if input.first_response_at.is_some_and(|at| at < input.opened_at) {
            checks.fail("first_response_at", Rule::OutOfRange);
        }
        checks.finish()?;
        Ok(input)
    }
}

const COLUMNS: &str = "id, customer_id, opened_at, category, severity, status, description, resolved_at, resolution,
                       first_response_at, response_due_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Complaint> {
    let opened_at: NaiveDateTime = r.get(2)?;
    let resolved_at: Option<NaiveDateTime> = r.get(7)?;
    let first_response_at: Option<NaiveDateTime> = r.get(9)?;
    let response_due_at: Option<NaiveDateTime> = r.get(10)?;
    let hours = |at: Option<NaiveDateTime>| at.map(|at| resolution_hours(opened_at, at));
    Ok(Complaint {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        opened_at,
        category: r.get(3)?,
        severity: r.get(4)?,
        status: r.get(5)?,
        description: r.get(6)?,
        resolved_at,
        resolution: r.get(8)?,
        first_response_at,
        response_due_at,
        target_hours: hours(response_due_at),
        first_response_hours: hours(first_response_at),
        resolution_hours: hours(resolved_at),
    })
}

/// The customer's service level in the latest complete evaluation; standard when the
/// customer was not in it or nothing was evaluated yet.
pub fn service_level(conn: &Connection, customer_id: i64) -> Result<ServiceLevel> {
    let latest: Option<i64> = conn
        .prepare_cached("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    // From the run's codes: its rows may still be being built.
    let Some(cell) =
        latest.map(|run| crate::evaluation::store::stored_cell(conn, run, customer_id)).transpose()?.flatten()
    else {
        return Ok(ServiceLevel::Standard);
    };
    Ok(cell[4].and_then(ServiceLevel::parse).unwrap_or(ServiceLevel::Standard))
}

/// When the first response to a complaint of `customer_id` opened at `opened_at` is due.
pub fn response_due(
    conn: &Connection,
    settings: &WorkSettings,
    customer_id: i64,
    opened_at: NaiveDateTime,
) -> Result<NaiveDateTime> {
    let hours = settings.response_hours(service_level(conn, customer_id)?);
    Ok(opened_at + Duration::hours(i64::from(hours)))
}

/// Writes a validated complaint with its response due time; `batch` marks it as imported.
/// Returns the new id.
pub fn insert(conn: &Connection, c: &ComplaintInput, settings: &WorkSettings, batch: Option<i64>) -> Result<i64> {
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", c.customer_id)?;
    checks.finish()?;
    let due = response_due(conn, settings, c.customer_id, c.opened_at)?;
    // Resolving a complaint answers it, when nothing did before.
    let first_response = c.first_response_at.or(c.resolved_at);
    conn.prepare_cached(
        "INSERT INTO complaints (customer_id, opened_at, category, severity, status, description, resolved_at,
                                 resolution, first_response_at, response_due_at, import_batch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        c.customer_id,
        c.opened_at,
        c.category,
        c.severity,
        c.status,
        c.description,
        c.resolved_at,
        c.resolution,
        first_response,
        due,
        batch
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn create(conn: &Connection, input: ComplaintInput) -> Result<Complaint> {
    let c = input.validate()?;
    let id = insert(conn, &c, &work_settings::load(conn)?, None)?;
    get(conn, id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Complaint> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM complaints WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "complaint", id })
}

/// Replaces a complaint; reopening one means giving an open status and no `resolved_at`.
/// The response due time is worked out again only when the customer or the opening changed,
/// and a first response already recorded stays unless the input gives another.
pub fn update(conn: &Connection, id: i64, input: ComplaintInput) -> Result<Complaint> {
    let c = input.validate()?;
    let current = get(conn, id)?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", c.customer_id)?;
    checks.finish()?;
    let due = if current.customer_id == c.customer_id && current.opened_at == c.opened_at {
        current.response_due_at
    } else {
        Some(response_due(conn, &work_settings::load(conn)?, c.customer_id, c.opened_at)?)
    };
    let first_response = c.first_response_at.or(current.first_response_at).or(c.resolved_at);
    conn.prepare_cached(
        "UPDATE complaints SET customer_id = ?2, opened_at = ?3, category = ?4, severity = ?5, status = ?6,
                description = ?7, resolved_at = ?8, resolution = ?9, first_response_at = ?10, response_due_at = ?11
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
        c.resolved_at,
        c.resolution,
        first_response,
        due
    ])?;
    get(conn, id)
}

/// The complaint, refused as a conflict when it is already resolved or closed, and `at`
/// checked against its opening.
fn unfinished(conn: &Connection, id: i64, field: &str, at: NaiveDateTime) -> Result<Complaint> {
    let current = get(conn, id)?;
    if current.status.is_finished() {
        return Err(Error::Conflict(format!("complaint {id} is already {}", current.status.as_str())));
    }
    let mut checks = Checks::default();
    if at < current.opened_at {
        checks.fail(field, Rule::OutOfRange);
    }
    checks.finish()?;
    Ok(current)
}

/// Records the first response to an open or in-progress complaint at `at`; a complaint
/// already answered keeps its first response time.
pub fn respond(conn: &Connection, id: i64, at: NaiveDateTime) -> Result<Complaint> {
    unfinished(conn, id, "first_response_at", at)?;
    conn.prepare_cached("UPDATE complaints SET first_response_at = coalesce(first_response_at, ?2) WHERE id = ?1")?
        .execute(params![id, at])?;
    get(conn, id)
}

/// Moves an open complaint to in progress at `at`, which counts as its first response if
/// nobody answered before.
pub fn start(conn: &Connection, id: i64, at: NaiveDateTime) -> Result<Complaint> {
    let current = unfinished(conn, id, "first_response_at", at)?;
    if current.status != ComplaintStatus::Open {
        return Err(Error::Conflict(format!("complaint {id} is already {}", current.status.as_str())));
    }
    conn.prepare_cached(
        "UPDATE complaints SET status = 'in_progress', first_response_at = coalesce(first_response_at, ?2)
         WHERE id = ?1",
    )?
    .execute(params![id, at])?;
    get(conn, id)
}

/// Marks an open or in-progress complaint resolved at `resolved_at` with what resolved it
/// (required). A complaint already resolved or closed is refused rather than re-dated.
pub fn resolve(conn: &Connection, id: i64, resolved_at: NaiveDateTime, resolution: &str) -> Result<Complaint> {
    let resolution = resolution.trim();
    let current = get(conn, id)?;
    if current.status.is_finished() {
        return Err(Error::Conflict(format!("complaint {id} is already {}", current.status.as_str())));
    }
    let mut checks = Checks::default();
    if resolved_at < current.opened_at {
        checks.fail("resolved_at", Rule::OutOfRange);
    }
    checks.required_max("resolution", resolution, RESOLUTION_MAX);
    checks.finish()?;
    conn.prepare_cached(
        "UPDATE complaints SET status = 'resolved', resolved_at = ?2, resolution = ?3,
                first_response_at = coalesce(first_response_at, ?2)
         WHERE id = ?1",
    )?
    .execute(params![id, resolved_at, resolution])?;
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

/// Waiting for a first response after its due time (`?1`), still open or in progress: the
/// condition the partial index `complaints_waiting_response` is built for, so the list and
/// its count read only such complaints, whatever the size of the table.
const PAST_TARGET: &str =
    "k.first_response_at IS NULL AND k.status IN ('open', 'in_progress') AND k.response_due_at < ?1";

/// Leaves out the complaints of customers in the trash (until restored): the trash is small,
/// so its ids are read once per query instead of a customer looked up per complaint.
const NOT_TRASHED: &str = "k.customer_id NOT IN (SELECT id FROM customers WHERE deleted_at IS NOT NULL)";

/// Open and in-progress complaints with no first response whose response due time is
/// before `now` (a complaint due exactly at `now` is not yet past), longest overdue first.
pub fn past_target(conn: &Connection, now: NaiveDateTime, offset: u32, limit: u32) -> Result<Page<ComplaintRow>> {
    list(conn, now, &ComplaintQuery { past_target_only: true, offset, limit })
}

/// Open and in-progress complaints across customers: those past their target first (longest
/// overdue first), then the rest by response due time; or only those past target. Each part
/// is read in due-time order from its partial index (`complaints_waiting_response`,
/// `complaints_open_due`), the page is taken from the complaints alone, and only its rows
/// meet their customers.
pub fn list(conn: &Connection, now: NaiveDateTime, query: &ComplaintQuery) -> Result<Page<ComplaintRow>> {
    // Named, because without statistics the planner prefers the status index, which holds
    // every open complaint rather than only those waiting.
    let past = Part { from: "complaints k INDEXED BY complaints_waiting_response", filter: PAST_TARGET.to_owned() };
    let rest = Part {
        from: "complaints k INDEXED BY complaints_open_due",
        filter: format!("k.status IN ('open', 'in_progress') AND NOT ({PAST_TARGET})"),
    };
    let past_total = past.count(conn, now)?;
    let limit = page_limit(query.limit);
    let mut items = Vec::new();
    if query.offset < past_total {
        items = past.rows(conn, now, query.offset, limit)?;
    }
    let total = if query.past_target_only {
        past_total
    } else {
        let room = limit.saturating_sub(items.len() as u32);
        if room > 0 {
            let skip = query.offset.saturating_sub(past_total);
            items.extend(rest.rows(conn, now, skip, room)?);
        }
        past_total + rest.count(conn, now)?
    };
    Ok(Page { items, total })
}

/// One part of the list of open complaints: past target, or the rest.
struct Part {
    from: &'static str,
    filter: String,
}

impl Part {
    fn count(&self, conn: &Connection, now: NaiveDateTime) -> Result<u32> {
        Ok(conn
            .prepare_cached(&format!("SELECT count(*) FROM {} WHERE {} AND {NOT_TRASHED}", self.from, self.filter))?
            .query_row([now], |r| r.get(0))?)
    }

    fn rows(&self, conn: &Connection, now: NaiveDateTime, offset: u32, limit: u32) -> Result<Vec<ComplaintRow>> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT k.id, k.customer_id, k.opened_at, k.category, k.severity, k.status, k.description, k.resolved_at,
                    k.resolution, k.first_response_at, k.response_due_at, c.name, ({PAST_TARGET})
             FROM complaints k JOIN customers c ON c.id = k.customer_id
             WHERE k.id IN (SELECT k.id FROM {} WHERE {} AND {NOT_TRASHED}
                            ORDER BY k.response_due_at, k.id LIMIT ?2 OFFSET ?3)
             ORDER BY k.response_due_at, k.id",
            self.from, self.filter
        ))?;
        let rows = stmt
            .query_map(params![now, limit, offset], |r| {
                Ok(ComplaintRow { complaint: from_row(r)?, customer_name: r.get(11)?, past_target: r.get(12)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}
