//! Orders and their product lines, and the rule that follows recording them: their
//! customers' standings are brought up to date against the latest stored run.

use crate::activity::{clean, Checks, CURRENCY_DEFAULT};
use crate::customers::SalesChannel;
use crate::db::Database;
use crate::error::{Error, Result, Rule};
use crate::evaluation::refresh;
use crate::page::{page_limit, Page};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::Instant;

pub const PRODUCT_MAX: usize = 200;
pub const CATEGORY_MAX: usize = 100;
pub const EXTERNAL_ID_MAX: usize = 64;
pub const LINES_MAX: usize = 1000;

text_enum!(
    /// An order the shop's platform closed, cancelled, refunded or never saw paid: kept, but
    /// not a purchase and no revenue. An order that counts has no status.
    OrderStatus { Unpaid = "unpaid", Cancelled = "cancelled", Refunded = "refunded" }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct OrderLineInput {
    pub product: String,
    pub category: Option<String>,
    pub quantity: i64,
    /// The line's total in minor units (fen, cents).
    pub amount_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct OrderInput {
    pub customer_id: i64,
    /// The order number in the till or web shop, unique when given.
    pub external_id: Option<String>,
    pub ordered_on: NaiveDate,
    /// What the customer paid, in minor units.
    pub amount_minor: i64,
    pub currency: Option<String>,
    /// Cost of goods in minor units, when known; otherwise the default margin applies.
    pub cost_minor: Option<i64>,
    pub channel: Option<SalesChannel>,
    #[serde(default)]
    pub lines: Vec<OrderLineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct OrderLine {
    pub id: i64,
    pub product: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Order {
    pub id: i64,
    pub customer_id: i64,
    pub external_id: Option<String>,
    pub ordered_on: NaiveDate,
    pub amount_minor: i64,
    pub currency: String,
    pub cost_minor: Option<i64>,
    pub channel: Option<SalesChannel>,
    /// Set on an order that does not count (see [`OrderStatus`]).
    pub status: Option<OrderStatus>,
    pub lines: Vec<OrderLine>,
}

impl OrderInput {
    /// Trims text, fills the default currency, and checks the rules that need no database.
    pub fn validate(self) -> Result<OrderInput> {
        let lines: Vec<OrderLineInput> = self
            .lines
            .into_iter()
            .map(|l| OrderLineInput { product: l.product.trim().to_owned(), category: clean(l.category), ..l })
            .collect();
        let order = OrderInput {
            external_id: clean(self.external_id),
            currency: Some(clean(self.currency).map_or_else(|| CURRENCY_DEFAULT.to_owned(), |c| c.to_uppercase())),
            lines,
            ..self
        };
        let mut checks = Checks::default();
        checks.max_len("external_id", order.external_id.as_deref(), EXTERNAL_ID_MAX);
        if order.amount_minor < 0 {
            checks.fail("amount", Rule::OutOfRange);
        }
        if order.cost_minor.is_some_and(|c| c < 0) {
            checks.fail("cost", Rule::OutOfRange);
        }
        checks.currency("currency", order.currency.as_deref().unwrap_or_default());
        if order.lines.len() > LINES_MAX {
            checks.0.push(crate::error::FieldError {
                field: "lines".into(),
                rule: Rule::TooMany,
                limit: u32::try_from(LINES_MAX).ok(),
            });
        }
        for line in &order.lines {
            checks.required("product", &line.product);
            checks.max_len("product", Some(&line.product), PRODUCT_MAX);
            checks.max_len("category", line.category.as_deref(), CATEGORY_MAX);
            if line.quantity <= 0 {
                checks.fail("quantity", Rule::OutOfRange);
            }
            if line.amount_minor < 0 {
                checks.fail("line_amount", Rule::OutOfRange);
            }
        }
        checks.finish()?;
        Ok(order)
    }
}

/// Writes a validated order; `batch` marks it as imported. Returns the new id.
pub fn insert(conn: &Connection, order: &OrderInput, batch: Option<i64>) -> Result<i64> {
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", order.customer_id)?;
    if let Some(ext) = order.external_id.as_deref() {
        let taken: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM orders WHERE external_id = ?1)")?
            .query_row([ext], |r| r.get(0))?;
        if taken {
            checks.fail("external_id", Rule::Taken);
        }
    }
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO orders (customer_id, external_id, ordered_on, amount_minor, currency, cost_minor, channel, import_batch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        order.customer_id,
        order.external_id,
        order.ordered_on,
        order.amount_minor,
        order.currency.as_deref().unwrap_or(CURRENCY_DEFAULT),
        order.cost_minor,
        order.channel,
        batch
    ])?;
    let id = conn.last_insert_rowid();
    let mut line_stmt = conn.prepare_cached(
        "INSERT INTO order_lines (order_id, product, category, quantity, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for line in &order.lines {
        line_stmt.execute(params![id, line.product, line.category, line.quantity, line.amount_minor])?;
    }
    crate::customers::since::refresh(conn, order.customer_id)?;
    Ok(id)
}

/// Records an order from the form; with the loyalty rule on, it earns its points too
/// ([`crate::loyalty::earn_for_order`]).
pub fn create(conn: &Connection, input: OrderInput) -> Result<Order> {
    let order = input.validate()?;
    let id = insert(conn, &order, None)?;
    crate::pipeline::won_by_order(conn, id)?;
    crate::loyalty::earn_for_order(conn, &crate::work_settings::load(conn)?, id)?;
    get(conn, id)
}

/// Customers whose standing was brought up to date after orders were recorded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandingsRefreshed {
    /// Members of the latest run evaluated again; customers not in it (new ones) wait for the
    /// next run.
    pub customers: u64,
    pub seconds: f64,
}

/// What was recorded, and whether its customers' standings followed. They follow after the
/// orders are committed, so a failure there leaves the orders in place and the standings as
/// the latest run had them, until the next run.
#[derive(Debug)]
pub struct Recorded<T> {
    pub value: T,
    pub standings: Result<StandingsRefreshed>,
}

/// The rule after orders are recorded, from the form or an import: their customers'
/// standings are brought up to date against the latest stored run, as of `today` (see
/// [`refresh::refresh_customers`]; many customers are read in one pass).
pub fn refresh_standings(db: &Database, customers: &[i64], today: NaiveDate) -> Result<StandingsRefreshed> {
    let started = Instant::now();
    let customers = refresh::refresh_customers(db, customers, today)?;
    Ok(StandingsRefreshed { customers, seconds: started.elapsed().as_secs_f64() })
}

/// Records an order from the form in its own transaction, then brings its customer's
/// standing up to date ([`refresh_standings`]).
pub fn record(db: &Database, input: OrderInput, today: NaiveDate) -> Result<Recorded<Order>> {
    let order = db.with_tx(|tx| create(tx, input))?;
    let standings = refresh_standings(db, &[order.customer_id], today);
    Ok(Recorded { value: order, standings })
}

/// The customers of the orders an import recorded, ascending.
pub fn customers_of_batch(conn: &Connection, batch: i64) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare("SELECT DISTINCT customer_id FROM orders WHERE import_batch_id = ?1 ORDER BY customer_id")?;
    let ids = stmt.query_map([batch], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

const COLUMNS: &str = "id, customer_id, external_id, ordered_on, amount_minor, currency, cost_minor, channel, status";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        external_id: r.get(2)?,
        ordered_on: r.get(3)?,
        amount_minor: r.get(4)?,
        currency: r.get(5)?,
        cost_minor: r.get(6)?,
        channel: r.get(7)?,
        status: r.get(8)?,
        lines: Vec::new(),
    })
}

fn lines(conn: &Connection, order_id: i64) -> Result<Vec<OrderLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, product, category, quantity, amount_minor FROM order_lines WHERE order_id = ?1 ORDER BY id",
    )?;
    let lines = stmt
        .query_map([order_id], |r| {
            Ok(OrderLine {
                id: r.get(0)?,
                product: r.get(1)?,
                category: r.get(2)?,
                quantity: r.get(3)?,
                amount_minor: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lines)
}

pub fn get(conn: &Connection, id: i64) -> Result<Order> {
    let order = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "order", id })?;
    Ok(Order { lines: lines(conn, id)?, ..order })
}

/// A customer's orders with their lines, newest first (equal dates: the later entry first).
/// `limit` 0 means the default page size.
pub fn list_for_customer(conn: &Connection, customer_id: i64, offset: u32, limit: u32) -> Result<Page<Order>> {
    let total: u32 = conn
        .prepare_cached("SELECT count(*) FROM orders WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders WHERE customer_id = ?1 ORDER BY ordered_on DESC, id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let orders = stmt
        .query_map(params![customer_id, page_limit(limit), offset], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let items = orders.into_iter().map(|o| Ok(Order { lines: lines(conn, o.id)?, ..o })).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total })
}

/// Removes an order and its lines. Loyalty entries that pointed at it keep their points and
/// lose the link.
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    let customer: Option<i64> = conn
        .prepare_cached("DELETE FROM orders WHERE id = ?1 RETURNING customer_id")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(customer) = customer else {
        return Err(Error::NotFound { entity: "order", id });
    };
    crate::customers::since::refresh(conn, customer)
}
