//! What serving a customer cost: staff time, money, or both. Profit contribution subtracts
//! it, and the service-level report weighs it against the margin each tier brings.

use crate::activity::{clean, Checks, CURRENCY_DEFAULT};
use crate::error::{Error, Result, Rule};
use crate::page::{page_limit, Page};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const NOTES_MAX: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ServiceCostInput {
    pub customer_id: i64,
    pub occurred_on: NaiveDate,
    /// Staff time spent, in minutes.
    pub minutes: Option<i64>,
    /// Money spent (shipping a replacement, a site visit …), in minor units.
    #[serde(default)]
    pub amount_minor: i64,
    /// Defaults to CNY.
    pub currency: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ServiceCost {
    pub id: i64,
    pub customer_id: i64,
    pub occurred_on: NaiveDate,
    pub minutes: Option<i64>,
    pub amount_minor: i64,
    pub currency: String,
    pub notes: Option<String>,
}

impl ServiceCostInput {
    /// Minutes and amount may not be negative, and at least one of them must be positive:
    /// an entry of nothing is a mistake, reported on both fields.
    pub fn validate(self) -> Result<ServiceCostInput> {
        let input = ServiceCostInput {
            currency: Some(clean(self.currency).map_or_else(|| CURRENCY_DEFAULT.to_owned(), |c| c.to_uppercase())),
            notes: clean(self.notes),
            minutes: self.minutes.filter(|&m| m != 0),
            ..self
        };
        let mut checks = Checks::default();
        let minutes = input.minutes.unwrap_or(0);
        if minutes < 0 {
            checks.fail("minutes", Rule::OutOfRange);
        }
        if input.amount_minor < 0 {
            checks.fail("amount", Rule::OutOfRange);
        }
        if minutes == 0 && input.amount_minor == 0 {
            checks.fail("minutes", Rule::Required);
            checks.fail("amount", Rule::Required);
        }
        checks.currency("currency", input.currency.as_deref().unwrap_or_default());
        checks.max_len("notes", input.notes.as_deref(), NOTES_MAX);
        checks.finish()?;
        Ok(input)
    }
}

const COLUMNS: &str = "id, customer_id, occurred_on, minutes, amount_minor, currency, notes";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ServiceCost> {
    Ok(ServiceCost {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        occurred_on: r.get(2)?,
        minutes: r.get(3)?,
        amount_minor: r.get(4)?,
        currency: r.get(5)?,
        notes: r.get(6)?,
    })
}

pub fn create(conn: &Connection, input: ServiceCostInput) -> Result<ServiceCost> {
    let c = input.validate()?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", c.customer_id)?;
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO service_costs (customer_id, occurred_on, minutes, amount_minor, currency, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        c.customer_id,
        c.occurred_on,
        c.minutes,
        c.amount_minor,
        c.currency.as_deref().unwrap_or(CURRENCY_DEFAULT),
        c.notes
    ])?;
    get(conn, conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<ServiceCost> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM service_costs WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "service cost", id })
}

/// A customer's service costs, newest first. `limit` 0 means the default page size.
pub fn list_for_customer(conn: &Connection, customer_id: i64, offset: u32, limit: u32) -> Result<Page<ServiceCost>> {
    let total: u32 = conn
        .prepare_cached("SELECT count(*) FROM service_costs WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM service_costs WHERE customer_id = ?1
         ORDER BY occurred_on DESC, id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let items =
        stmt.query_map(params![customer_id, page_limit(limit), offset], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(Page { items, total })
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    let changed = conn.prepare_cached("DELETE FROM service_costs WHERE id = ?1")?.execute([id])?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "service cost", id });
    }
    Ok(())
}
