//! Order files: rows read and checked on a reading thread, gathered into orders by their
//! number, and written many to a statement.

use super::cells::{cut, row_error, Cells, Columns, CustomerRef, DayOrder};
use super::platforms::Platform;
use super::run::Importer;
use super::source::{Row, Table};
use super::values;
use super::{DateExample, Field, ImportKind, ImportMode, Progress, Reason, RowError, LISTED_MAX, PROGRESS_EVERY};
use crate::activity::CURRENCY_DEFAULT;
use crate::error::{Error, Result};
use crate::orders::{OrderInput, OrderLineInput, OrderStatus};
use chrono::{Datelike, NaiveDate};
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, Statement};
use std::collections::HashMap;

/// An order row read and checked, waiting to be written.
struct ParsedOrder {
    row: u64,
    customer: CustomerRef,
    /// `None` when the row has errors.
    order: Option<OrderInput>,
    /// Set when the platform says the order does not count.
    status: Option<OrderStatus>,
    errors: Vec<RowError>,
}

/// A batch of order rows from the reading thread, and how far into the file it is.
struct OrderBatch {
    rows: Vec<ParsedOrder>,
    bytes_done: u64,
}

const ORDER_BATCH: usize = 256;

/// What the reading thread knows when it stops.
struct ReadEnd {
    order: DayOrder,
    restart: Option<bool>,
    examples: Vec<DateExample>,
}

/// The reading half of an order import, on its own thread: CSV decoding, cell parsing and
/// validation overlap with the database writes on the caller's thread.
fn read_orders(
    table: &mut Table,
    columns: &Columns,
    order: DayOrder,
    default_currency: String,
    platform: Option<Platform>,
    send: std::sync::mpsc::SyncSender<OrderBatch>,
    recycled: std::sync::mpsc::Receiver<Vec<ParsedOrder>>,
) -> std::result::Result<ReadEnd, super::ReadError> {
    let mut cells =
        Cells { columns, order, restart: None, examples: Vec::new(), errors: Vec::new(), default_currency, platform };
    let mut batch = Vec::with_capacity(ORDER_BATCH);
    while let Some(row) = table.next_row()? {
        if row.is_blank() {
            continue;
        }
        let parsed = parse_order(&mut cells, &row);
        if cells.restart.is_some() {
            break;
        }
        batch.push(parsed);
        if batch.len() == ORDER_BATCH {
            // The writer hands emptied batches back: a buffer freed on another thread than
            // the one that made it costs glibc a consolidation of that thread's free lists.
            let fresh = recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(ORDER_BATCH));
            let rows = std::mem::replace(&mut batch, fresh);
            if send.send(OrderBatch { rows, bytes_done: table.bytes_done() }).is_err() {
                // The writer stopped (an error on its side): nothing more to do.
                break;
            }
        }
    }
    if cells.restart.is_none() && !batch.is_empty() {
        // A closed channel means the writer stopped; it reports why.
        let _ = send.send(OrderBatch { rows: batch, bytes_done: table.bytes_done() });
    }
    Ok(ReadEnd { order: cells.order, restart: cells.restart, examples: cells.examples })
}

/// Reads and checks one order row (no database needed).
fn parse_order(c: &mut Cells<'_>, row: &Row<'_>) -> ParsedOrder {
    let customer = c.customer_ref(row);
    let order = order_input(c, row);
    let status = c.order_status(row);
    c.show_cells(row);
    let errors = std::mem::take(&mut c.errors);
    ParsedOrder { row: row.number, customer, order: order.filter(|_| errors.is_empty()), status, errors }
}

fn order_input(c: &mut Cells<'_>, row: &Row<'_>) -> Option<OrderInput> {
    let n = row.number;
    let number = c.text(row, Field::OrderNumber);
    let ordered = c.date(row, Field::Date);
    c.require(row, Field::Date, ordered.is_some());
    let currency = c.currency(row);
    let amount = c.amount(row, Field::Amount, currency.as_deref());
    c.require(row, Field::Amount, amount.is_some());
    let cost = c.amount(row, Field::Cost, currency.as_deref().or(amount.and_then(|a| a.currency)));
    let product = c.text(row, Field::Product);
    let category = c.text(row, Field::Category);
    let quantity = c.integer(row, Field::Quantity);
    let channel = c.choice(row, Field::Channel, values::parse_channel).or(c.platform.map(Platform::channel));
    let (Some(ordered), Some(amount)) = (ordered, amount) else { return None };
    if !c.errors.is_empty() {
        return None;
    }
    let currency = currency.or(amount.currency.map(str::to_owned)).unwrap_or_else(|| c.default_currency.clone());
    let lines = match product {
        Some(product) => {
            vec![OrderLineInput { product, category, quantity: quantity.unwrap_or(1), amount_minor: amount.minor }]
        }
        None if quantity.is_some_and(|q| q <= 0) => {
            c.fail(n, Field::Quantity, Reason::OutOfRange, None);
            return None;
        }
        None => Vec::new(),
    };
    let input = OrderInput {
        customer_id: 0,
        external_id: number,
        ordered_on: ordered.date(),
        amount_minor: amount.minor,
        currency: Some(currency),
        cost_minor: cost.map(|a| a.minor),
        channel,
        lines,
    };
    // `validate` fails only with field errors.
    c.checked(n, ImportKind::Orders, input.validate()).ok().flatten()
}

/// An order being gathered from consecutive rows with the same order number.
pub(super) struct OpenOrder {
    order: OrderInput,
    status: Option<OrderStatus>,
    rows: Vec<u64>,
}

impl Importer<'_> {
    /// Reads the file on a second thread while this one writes; `Some` to start again.
    pub(super) fn orders_through_reader(
        &mut self,
        table: &mut Table,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Option<bool>> {
        let bytes_total = table.bytes_total();
        let columns = self.cells.columns;
        let order = self.cells.order;
        let currency = self.cells.default_currency.clone();
        let platform = self.cells.platform;
        let conn = self.conn;
        let end = std::thread::scope(|scope| -> Result<ReadEnd> {
            let (send, receive) = std::sync::mpsc::sync_channel::<OrderBatch>(8);
            let (give_back, recycled) = std::sync::mpsc::sync_channel::<Vec<ParsedOrder>>(16);
            let reader = scope.spawn(move || read_orders(table, columns, order, currency, platform, send, recycled));
            // Order rows are validated on the reading thread (see `db::without_check_constraints`).
            let write_all = || -> Result<()> {
                for mut batch in &receive {
                    for parsed in batch.rows.drain(..) {
                        self.write_order(parsed)?;
                        if self.tally.rows_read.is_multiple_of(PROGRESS_EVERY) {
                            progress(Progress {
                                rows_done: self.tally.rows_read,
                                bytes_done: batch.bytes_done,
                                bytes_total,
                            });
                        }
                    }
                    // A full return channel only means the reader has buffers enough.
                    let _ = give_back.try_send(batch.rows);
                }
                self.close_order()?;
                self.flush_orders()
            };
            let written = crate::db::without_check_constraints(conn, write_all);
            // On a write error the receiver goes away, so the reader stops at its next send.
            drop(receive);
            let read = reader.join().map_err(|_| Error::Internal("the file reader failed".into()))?;
            written?;
            Ok(read?)
        })?;
        self.cells.order = end.order;
        self.cells.examples = end.examples;
        Ok(end.restart)
    }

    /// Writes a parsed order row: a further line of the order being gathered, or a new
    /// order for its customer (created when unknown).
    fn write_order(&mut self, parsed: ParsedOrder) -> Result<()> {
        let ParsedOrder { row: n, customer, order, status, mut errors } = parsed;
        self.tally.rows_read += 1;
        let Some(order) = order else {
            self.tally.bad(&mut errors);
            return Ok(());
        };
        self.gather_order(n, &customer, order, status)?;
        // Errors found here (a customer that cannot be created) show the cell they are about.
        for e in self.cells.errors.iter_mut().filter(|e| e.value.is_none()) {
            e.value = e.field.and_then(|f| customer.value(f)).map(cut);
        }
        self.end_row();
        Ok(())
    }

    fn gather_order(
        &mut self,
        n: u64,
        customer: &CustomerRef,
        order: OrderInput,
        status: Option<OrderStatus>,
    ) -> Result<()> {
        // A further line of the order being gathered.
        if let (Some(open), Some(number)) = (self.open_order.as_mut(), order.external_id.as_deref()) {
            if open.order.external_id.as_deref() == Some(number) {
                if self.cells.platform.is_some() {
                    // A platform export repeats the order's paid amount on each of its item
                    // rows: the order keeps it once, its first line carries it.
                    open.order.lines.extend(order.lines.into_iter().map(|l| OrderLineInput { amount_minor: 0, ..l }));
                    open.rows.push(n);
                    return Ok(());
                }
                open.order.amount_minor += order.amount_minor;
                open.order.cost_minor = match (open.order.cost_minor, order.cost_minor) {
                    (None, None) => None,
                    (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
                };
                open.order.lines.extend(order.lines);
                open.rows.push(n);
                return Ok(());
            }
        }
        self.close_order()?;
        let Some(customer_id) = self.activity_customer(n, customer, true, order.channel)? else {
            return Ok(());
        };
        self.open_order = Some(OpenOrder { order: OrderInput { customer_id, ..order }, status, rows: vec![n] });
        if self.open_order.as_ref().is_some_and(|o| o.order.external_id.is_none()) {
            self.close_order()?;
        }
        Ok(())
    }

    /// Queues the order gathered so far; a full queue is written.
    pub(super) fn close_order(&mut self) -> Result<()> {
        let Some(open) = self.open_order.take() else {
            return Ok(());
        };
        self.pending.push(open);
        if self.pending.len() == ORDERS_PER_INSERT {
            self.flush_orders()?;
        }
        Ok(())
    }

    /// Writes the queued orders in one statement and their lines in a few more. Each order
    /// gets its id up front, so the lines need no read-back; an order whose number exists
    /// already is left out by the statement and found again by its missing id.
    pub(super) fn flush_orders(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let first_id = match self.next_order_id {
            Some(id) => id,
            None => self.conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM orders", [], |r| r.get(0))?,
        };
        let last_id = first_id + pending.len() as i64 - 1;
        self.next_order_id = Some(last_id + 1);
        let conn = self.conn;
        let stmt = match self.stmts.orders.entry(pending.len()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(conn.prepare(&values_sql(INSERT_ORDERS, 10, pending.len(), ORDERS_ON_CONFLICT))?)
            }
        };
        let mut at = 1;
        for (id, open) in (first_id..).zip(&pending) {
            let o = &open.order;
            let currency = o.currency.as_deref().unwrap_or(CURRENCY_DEFAULT);
            let values: [&dyn ToSql; 10] = [
                &id,
                &o.customer_id,
                &o.external_id,
                &IsoDate::new(o.ordered_on),
                &o.amount_minor,
                &currency,
                &o.cost_minor,
                &o.channel,
                &self.batch,
                &open.status,
            ];
            for v in values {
                stmt.raw_bind_parameter(at, v)?;
                at += 1;
            }
        }
        let inserted = stmt.raw_execute()?;
        self.tally.created += inserted as u64;
        let written: Option<std::collections::HashSet<i64>> = if inserted == pending.len() {
            None
        } else {
            let mut present = self.conn.prepare_cached("SELECT id FROM orders WHERE id BETWEEN ?1 AND ?2")?;
            let ids = present.query_map([first_id, last_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Some(ids)
        };
        let mut lines: Vec<(i64, OrderLineInput)> = Vec::with_capacity(pending.len() * 2);
        for (id, open) in (first_id..).zip(pending) {
            let order_id = if written.as_ref().is_none_or(|ids| ids.contains(&id)) {
                id
            } else {
                match self.order_number_taken(&open)? {
                    Some(existing) => existing,
                    None => continue,
                }
            };
            lines.extend(open.order.lines.into_iter().map(|l| (order_id, l)));
        }
        for chunk in lines.chunks(LINES_PER_INSERT) {
            let stmt = match self.stmts.lines.entry(chunk.len()) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(conn.prepare(&values_sql(INSERT_LINES, 5, chunk.len(), ""))?)
                }
            };
            let mut at = 1;
            for (order_id, l) in chunk {
                let values: [&dyn ToSql; 5] = [order_id, &l.product, &l.category, &l.quantity, &l.amount_minor];
                for v in values {
                    stmt.raw_bind_parameter(at, v)?;
                    at += 1;
                }
            }
            self.tally.order_lines += stmt.raw_execute()? as u64;
        }
        Ok(())
    }

    /// An order whose number is stored already: from earlier in this file (rows not next to
    /// each other), whose amounts it adds to, or from before the import, which makes its
    /// rows bad (mode `Create`) or skipped. The id its lines go to, if any.
    fn order_number_taken(&mut self, open: &OpenOrder) -> Result<Option<i64>> {
        let o = &open.order;
        let (id, batch, customer): (i64, Option<i64>, i64) = self
            .conn
            .prepare_cached("SELECT id, import_batch_id, customer_id FROM orders WHERE external_id = ?1")?
            .query_row([&o.external_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if batch == Some(self.batch) {
            if self.cells.platform.is_some() {
                // The platform's paid amount is the order's, already counted (see gather_order).
                return Ok(Some(id));
            }
            self.conn
                .prepare_cached(
                    "UPDATE orders SET amount_minor = amount_minor + ?2,
                            cost_minor = CASE WHEN ?3 IS NULL THEN cost_minor ELSE coalesce(cost_minor, 0) + ?3 END
                     WHERE id = ?1",
                )?
                .execute(params![id, o.amount_minor, o.cost_minor])?;
            return Ok(Some(id));
        }
        if self.mode == ImportMode::Create {
            for row in &open.rows {
                let mut e = row_error(*row, Some(Field::OrderNumber), Reason::DuplicateInDatabase);
                e.column = self.cells.columns.header(Field::OrderNumber);
                e.value = o.external_id.as_deref().map(cut);
                e.customer_id = Some(customer);
                if self.tally.errors.len() < LISTED_MAX {
                    e.customer_name = self.customer_name(customer)?;
                }
                let mut errors = vec![e];
                self.tally.bad(&mut errors);
            }
        } else {
            self.tally.skipped += open.rows.len() as u64;
        }
        Ok(None)
    }
}

/// Statements an import runs per batch of orders, held by the run rather than looked up in
/// the connection's statement cache.
#[derive(Default)]
pub(super) struct Held<'c> {
    /// Multi-row inserts by their number of rows.
    orders: HashMap<usize, Statement<'c>>,
    lines: HashMap<usize, Statement<'c>>,
}

/// Orders written per statement, and order lines: one statement for many rows saves
/// SQLite's per-statement set-up, and its cursors stay on the last page, where rows with
/// growing ids and order numbers go. `OR IGNORE` means no constraint can stop such a
/// statement halfway, so SQLite keeps no statement journal of the pages it changes: every
/// value is validated, the ids are new, and an order left out for its number is noticed by
/// its missing id (anything else left out would fail that look-up, not pass unseen).
pub(super) const ORDERS_PER_INSERT: usize = 64;
const LINES_PER_INSERT: usize = 96;

const INSERT_ORDERS: &str = "INSERT OR IGNORE INTO orders (id, customer_id, external_id, ordered_on, amount_minor, currency, cost_minor, channel, import_batch_id, status) VALUES";
const ORDERS_ON_CONFLICT: &str = "ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO NOTHING";
const INSERT_LINES: &str =
    "INSERT OR IGNORE INTO order_lines (order_id, product, category, quantity, amount_minor) VALUES";

/// `head` followed by `rows` groups of `width` parameters, then `tail`.
fn values_sql(head: &str, width: usize, rows: usize, tail: &str) -> String {
    let group = format!("({})", vec!["?"; width].join(", "));
    format!("{head} {} {tail}", vec![group; rows].join(", "))
}

/// A date bound as ISO 'YYYY-MM-DD' text, the text chrono writes, made without a format
/// string or an allocation: ten million order dates add up.
enum IsoDate {
    Text([u8; 10]),
    /// A year outside 0..=9999, which chrono writes with a sign.
    Other(NaiveDate),
}

impl IsoDate {
    fn new(date: NaiveDate) -> Self {
        let (y, m, d) = (date.year(), date.month(), date.day());
        let Ok(y @ 0..=9999) = u32::try_from(y) else {
            return Self::Other(date);
        };
        let digit = |n: u32| b'0' + (n % 10) as u8;
        Self::Text([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }
}

impl ToSql for IsoDate {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Self::Text(text) => Ok(ToSqlOutput::Borrowed(ValueRef::Text(text))),
            Self::Other(date) => date.to_sql(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_bind_as_chrono_writes_them() {
        for (y, m, d) in [(2024, 1, 5), (1999, 12, 31), (5, 3, 9), (9999, 12, 31), (10_000, 1, 1), (-44, 3, 15)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            let ours = IsoDate::new(date);
            let text = |out: ToSqlOutput<'_>| match out {
                ToSqlOutput::Borrowed(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                ToSqlOutput::Owned(rusqlite::types::Value::Text(t)) => t,
                other => panic!("not text: {other:?}"),
            };
            assert_eq!(text(ours.to_sql().expect("ours")), text(date.to_sql().expect("chrono")), "{date}");
        }
    }
}
