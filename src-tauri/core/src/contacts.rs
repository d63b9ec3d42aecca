//! The people to talk to at a customer: several per company, at most one primary.
//!
//! Contacts are part of the customer's search entry, so every change here reindexes the
//! customer it belongs to.

use crate::activity::{clean, Checks};
use crate::customers::{
    self, is_valid_email, is_valid_phone, timestamp, EMAIL_MAX, LONG_TEXT_MAX, NAME_MAX, PHONE_MAX,
};
use crate::error::{Error, Result, Rule};
use crate::search;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const TITLE_MAX: usize = customers::SHORT_TEXT_MAX;
/// WeChat ids are 6 to 20 characters; a phone number or a display name is also accepted.
pub const WECHAT_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ContactInput {
    pub customer_id: i64,
    pub name: String,
    /// Job title or role (采购经理, owner …).
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    /// The first person to call. Making a contact primary makes the previous one ordinary.
    #[serde(default)]
    pub is_primary: bool,
    pub notes: Option<String>,
}

impl ContactInput {
    /// A contact with only a name; the starting point of tests and imports.
    pub fn named(customer_id: i64, name: &str) -> Self {
        Self {
            customer_id,
            name: name.to_owned(),
            title: None,
            phone: None,
            email: None,
            wechat: None,
            is_primary: false,
            notes: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: bool,
    pub notes: Option<String>,
    /// When the contact was added (RFC 3339 UTC).
    pub created_at: String,
}

impl ContactInput {
    /// Trims every field, drops blank optional ones, and reports every failing field.
    pub fn validate(self) -> Result<ContactInput> {
        let input = ContactInput {
            name: self.name.trim().to_owned(),
            title: clean(self.title),
            phone: clean(self.phone),
            email: clean(self.email),
            wechat: clean(self.wechat),
            notes: clean(self.notes),
            ..self
        };
        let mut checks = Checks::default();
        checks.required_max("name", &input.name, NAME_MAX);
        checks.max_len("title", input.title.as_deref(), TITLE_MAX);
        match input.phone.as_deref() {
            Some(p) if p.chars().count() > PHONE_MAX => checks.max_len("phone", Some(p), PHONE_MAX),
            Some(p) if !is_valid_phone(p) => checks.fail("phone", Rule::InvalidPhone),
            _ => {}
        }
        match input.email.as_deref() {
            Some(e) if e.chars().count() > EMAIL_MAX => checks.max_len("email", Some(e), EMAIL_MAX),
            Some(e) if !is_valid_email(e) => checks.fail("email", Rule::InvalidEmail),
            _ => {}
        }
        checks.max_len("wechat", input.wechat.as_deref(), WECHAT_MAX);
        checks.max_len("notes", input.notes.as_deref(), LONG_TEXT_MAX);
        checks.finish()?;
        Ok(input)
    }
}

const COLUMNS: &str = "id, customer_id, name, title, phone, email, wechat, is_primary, notes, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        name: r.get(2)?,
        title: r.get(3)?,
        phone: r.get(4)?,
        email: r.get(5)?,
        wechat: r.get(6)?,
        is_primary: r.get(7)?,
        notes: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// Makes every other contact of the customer ordinary, before `keep` becomes primary.
fn clear_primary(conn: &Connection, customer_id: i64, keep: Option<i64>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE contacts SET is_primary = 0 WHERE customer_id = ?1 AND is_primary = 1 AND id IS NOT ?2",
    )?
    .execute(params![customer_id, keep])?;
    Ok(())
}

/// Adds a contact to a live customer.
pub fn create(conn: &Connection, input: ContactInput, now: DateTime<Utc>) -> Result<Contact> {
    let c = input.validate()?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", c.customer_id)?;
    checks.finish()?;
    if c.is_primary {
        clear_primary(conn, c.customer_id, None)?;
    }
    conn.prepare_cached(
        "INSERT INTO contacts (customer_id, name, title, phone, email, wechat, is_primary, notes, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        c.customer_id,
        c.name,
        c.title,
        c.phone,
        c.email,
        c.wechat,
        c.is_primary,
        c.notes,
        timestamp(now)
    ])?;
    let id = conn.last_insert_rowid();
    search::reindex(conn, c.customer_id)?;
    get(conn, id)
}

pub fn get(conn: &Connection, id: i64) -> Result<Contact> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM contacts WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "contact", id })
}

/// Replaces a contact. Giving another `customer_id` moves the contact to that customer; both
/// customers' search entries follow.
pub fn update(conn: &Connection, id: i64, input: ContactInput) -> Result<Contact> {
    let c = input.validate()?;
    let before = get(conn, id)?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", c.customer_id)?;
    checks.finish()?;
    if c.is_primary {
        clear_primary(conn, c.customer_id, Some(id))?;
    }
    conn.prepare_cached(
        "UPDATE contacts SET customer_id = ?2, name = ?3, title = ?4, phone = ?5, email = ?6, wechat = ?7,
                is_primary = ?8, notes = ?9
         WHERE id = ?1",
    )?
    .execute(params![id, c.customer_id, c.name, c.title, c.phone, c.email, c.wechat, c.is_primary, c.notes])?;
    search::reindex(conn, c.customer_id)?;
    if before.customer_id != c.customer_id {
        search::reindex(conn, before.customer_id)?;
    }
    get(conn, id)
}

/// Removes a contact for good; the customer is no longer found by it.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    let customer_id: i64 = conn
        .query_row("DELETE FROM contacts WHERE id = ?1 RETURNING customer_id", [id], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound { entity: "contact", id })?;
    search::reindex(conn, customer_id)?;
    Ok(())
}

/// A customer's contacts: the primary first, then in the order they were added.
pub fn list_for_customer(conn: &Connection, customer_id: i64) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM contacts WHERE customer_id = ?1 ORDER BY is_primary DESC, created_at, id"
    ))?;
    let rows = stmt.query_map([customer_id], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
