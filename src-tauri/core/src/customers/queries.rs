//! Reading a customer, and the form's creating, changing, trashing and restoring.

use super::{timestamp, Customer, CustomerInput, CustomerWriter, SalesChannel, SearchEntry, ValidCustomer};
use crate::error::{Error, FieldError, Result, Rule};
use crate::search;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// A [`Customer`]'s columns over `customers c`, as [`from_row`] reads them.
pub(super) const COLUMNS: &str =
    "c.id, c.name, c.kind, c.company, c.phone, c.email, c.region, c.owner, c.notes, c.external_id,
     c.size_class, c.industry, c.source, c.is_kol, c.referred_by, c.needs, c.preferences, c.pipeline_stage,
     c.created_at, c.updated_at, c.deleted_at, c.erased_at,
     (SELECT group_concat(channel, ',') FROM customer_channels WHERE customer_id = c.id),
     (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM customer_tags WHERE customer_id = c.id ORDER BY tag)),
     c.customer_since";

pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    let channels: Option<String> = row.get(22)?;
    let tags: Option<String> = row.get(23)?;
    Ok(Customer {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: row.get(2)?,
        company: row.get(3)?,
        phone: row.get(4)?,
        email: row.get(5)?,
        region: row.get(6)?,
        owner: row.get(7)?,
        notes: row.get(8)?,
        external_id: row.get(9)?,
        size_class: row.get(10)?,
        industry: row.get(11)?,
        source: row.get(12)?,
        is_kol: row.get(13)?,
        referred_by: row.get(14)?,
        needs: row.get(15)?,
        preferences: row.get(16)?,
        pipeline_stage: row.get(17)?,
        created_at: row.get(18)?,
        updated_at: row.get(19)?,
        deleted_at: row.get(20)?,
        erased_at: row.get(21)?,
        customer_since: row.get(24)?,
        channels: channels.map(|s| s.split(',').filter_map(SalesChannel::parse).collect()).unwrap_or_default(),
        tags: tags.map(|s| s.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default(),
    })
}

/// Checks what only the database knows: the external id is free, the referrer exists.
fn check_references(conn: &Connection, id: Option<i64>, c: &ValidCustomer) -> Result<()> {
    let c = c.profile();
    let mut errors = Vec::new();
    if let Some(ext) = c.external_id.as_deref() {
        let owner: Option<i64> =
            conn.query_row("SELECT id FROM customers WHERE external_id = ?1", [ext], |r| r.get(0)).optional()?;
        if owner.is_some_and(|o| Some(o) != id) {
            errors.push(FieldError::new("external_id", Rule::Taken));
        }
    }
    if let Some(referrer) = c.referred_by {
        if Some(referrer) == id {
            errors.push(FieldError::new("referred_by", Rule::SelfReference));
        } else if !exists(conn, referrer)? {
            errors.push(FieldError::new("referred_by", Rule::UnknownReference));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)", [id], |r| r.get(0))?)
}

/// Validates and inserts a customer; `batch` marks it as created by an import.
pub fn create_in_batch(
    conn: &Connection,
    input: CustomerInput,
    now: DateTime<Utc>,
    batch: Option<i64>,
) -> Result<Customer> {
    let c = input.validate()?;
    check_references(conn, None, &c)?;
    let id = CustomerWriter::new(conn).insert(&c, batch, &timestamp(now), SearchEntry::Now)?;
    get(conn, id)
}

pub fn create(conn: &Connection, input: CustomerInput, now: DateTime<Utc>) -> Result<Customer> {
    create_in_batch(conn, input, now, None)
}

/// Any customer, deleted or not.
pub fn get(conn: &Connection, id: i64) -> Result<Customer> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM customers c WHERE c.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "customer", id })
}

/// Replaces a live customer's profile. A deleted or erased customer must not change.
pub fn update(conn: &Connection, id: i64, input: CustomerInput, now: DateTime<Utc>) -> Result<Customer> {
    let c = input.validate()?;
    check_references(conn, Some(id), &c)?;
    let stage_before = crate::pipeline::stage_of(conn, id)?;
    if !CustomerWriter::new(conn).update(id, &c, &timestamp(now))? {
        return Err(Error::NotFound { entity: "customer", id });
    }
    let customer = get(conn, id)?;
    crate::pipeline::stage_set_on_profile(conn, id, stage_before, customer.pipeline_stage, now)?;
    Ok(customer)
}

/// Moves a live customer to the trash.
pub fn soft_delete(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Customer> {
    let changed = conn.execute(
        "UPDATE customers SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        params![id, timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
    search::reindex(conn, id)?;
    get(conn, id)
}

/// Brings a customer back from the trash (also the undo of a delete).
pub fn restore(conn: &Connection, id: i64) -> Result<Customer> {
    let changed = conn.execute(
        "UPDATE customers SET deleted_at = NULL WHERE id = ?1 AND deleted_at IS NOT NULL AND erased_at IS NULL",
        [id],
    )?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
    search::reindex(conn, id)?;
    get(conn, id)
}
