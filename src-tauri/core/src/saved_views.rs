//! Saved views of the customer list: a name and the query (filters and sort) it restores.
//! Paging is not part of a view: applying one starts at its first page.

use crate::activity::Checks;
use crate::customers::{timestamp, CustomerQuery};
use crate::error::{Error, FieldError, Result, Rule};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const NAME_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub query: CustomerQuery,
    pub created_at: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<(i64, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn view((id, name, query, created_at): (i64, String, String, String)) -> Result<SavedView> {
    let query = serde_json::from_str(&query)
        .map_err(|e| Error::Internal(format!("saved view {id} has an unreadable query: {e}")))?;
    Ok(SavedView { id, name, query, created_at })
}

/// The name trimmed, or the field errors: blank, too long, or another view's.
fn checked_name(conn: &Connection, name: &str, id: Option<i64>) -> Result<String> {
    let name = name.trim().to_owned();
    let mut checks = Checks::default();
    checks.required_max("name", &name, NAME_MAX);
    checks.finish()?;
    let other: Option<i64> = conn
        .prepare_cached("SELECT id FROM saved_views WHERE name = ?1")?
        .query_row([&name], |r| r.get(0))
        .optional()?;
    if other.is_some_and(|other| Some(other) != id) {
        return Err(Error::Validation(vec![FieldError::new("name", Rule::Taken)]));
    }
    Ok(name)
}

/// Saves the query's filters and sort under a new name.
pub fn create(conn: &Connection, name: &str, query: &CustomerQuery, now: DateTime<Utc>) -> Result<SavedView> {
    let name = checked_name(conn, name, None)?;
    let query = CustomerQuery { offset: 0, ..query.clone() };
    let json = serde_json::to_string(&query).map_err(|e| Error::Internal(e.to_string()))?;
    conn.prepare_cached("INSERT INTO saved_views (name, query, created_at) VALUES (?1, ?2, ?3)")?.execute(params![
        name,
        json,
        timestamp(now)
    ])?;
    get(conn, conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<SavedView> {
    let row = conn
        .prepare_cached("SELECT id, name, query, created_at FROM saved_views WHERE id = ?1")?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "saved view", id })?;
    view(row)
}

/// Every saved view, by name.
pub fn list(conn: &Connection) -> Result<Vec<SavedView>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, query, created_at FROM saved_views ORDER BY name, id")?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(view).collect()
}

pub fn rename(conn: &Connection, id: i64, name: &str) -> Result<SavedView> {
    get(conn, id)?;
    let name = checked_name(conn, name, Some(id))?;
    conn.prepare_cached("UPDATE saved_views SET name = ?2 WHERE id = ?1")?.execute(params![id, name])?;
    get(conn, id)
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    if conn.prepare_cached("DELETE FROM saved_views WHERE id = ?1")?.execute([id])? == 0 {
        return Err(Error::NotFound { entity: "saved view", id });
    }
    Ok(())
}
