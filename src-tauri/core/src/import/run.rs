//! Running an import: reading rows into records, matching customers, writing, reporting.

use super::headers::{auto_mapping, column_of, missing_fields, save_mapping, saved_mapping, Mapping};
use super::revert::PreviousProfile;
use super::source::{Cell, Row, Table};
use super::values::{self, Amount, DateText, OrderEvidence};
use super::{
    DateExample, Field, ImportKind, ImportMode, ImportOptions, ImportReport, ImportStatus, Preview, Progress, Reason,
    RowError, LISTED_MAX, PROGRESS_EVERY,
};
use crate::activity::CURRENCY_DEFAULT;
use crate::customers::{self, email_key, name_key, phone_key, timestamp, CustomerInput, CustomerKind, SalesChannel};
use crate::error::{Error, FieldError, Result, Rule};
use crate::interactions::{self, InteractionInput};
use crate::orders::{OrderInput, OrderLineInput};
use crate::search;
use crate::surveys::{self, SurveyResponseInput};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Statement};
use std::collections::HashMap;
use std::path::Path;

const FIELD_COUNT: usize = Field::ALL.len();
const VALUE_MAX: usize = 100;

/// Column of each mapped field, indexed by the field.
struct Columns {
    index: [Option<usize>; FIELD_COUNT],
    headers: Vec<String>,
}

impl Columns {
    fn new(headers: &[String], mapping: &Mapping) -> Self {
        let mut index = [None; FIELD_COUNT];
        for (field, header) in &mapping.0 {
            index[*field as usize] = column_of(headers, header);
        }
        Self { index, headers: headers.to_vec() }
    }

    fn has(&self, field: Field) -> bool {
        self.index[field as usize].is_some()
    }

    fn cell<'a>(&self, row: &Row<'a>, field: Field) -> Cell<'a> {
        self.index[field as usize].map_or(Cell::Empty, |c| row.cell(c))
    }

    fn header(&self, field: Field) -> Option<String> {
        self.index[field as usize].and_then(|c| self.headers.get(c).cloned())
    }
}

/// The day/month order as the run knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayOrder {
    /// Nothing in the file has asked yet.
    Open,
    /// Ambiguous values were read month first, waiting for proof.
    Assumed(bool),
    /// Given by the caller or proven by the file.
    Settled(bool),
}

const ASSUMED_DAY_FIRST: bool = false;

/// Turns cells into typed values, collecting the row's errors.
struct Cells<'c> {
    columns: &'c Columns,
    order: DayOrder,
    /// Set when proof contradicts what was assumed: the run must start again.
    restart: Option<bool>,
    examples: Vec<DateExample>,
    errors: Vec<RowError>,
    default_currency: String,
}

fn cut(text: &str) -> String {
    text.chars().take(VALUE_MAX).collect()
}

impl<'c> Cells<'c> {
    fn fail(&mut self, row: u64, field: Field, reason: Reason, value: Option<&str>) {
        self.errors.push(RowError {
            row,
            field: Some(field),
            column: self.columns.header(field),
            reason,
            value: value.map(cut),
            limit: None,
            other_row: None,
            customer_id: None,
            customer_name: None,
        });
    }

    /// Field errors from a record's `validate`, named as import fields.
    fn fail_fields(&mut self, row: u64, kind: ImportKind, fields: Vec<FieldError>) {
        for f in fields {
            let field = field_of(kind, &f.field);
            self.errors.push(RowError {
                row,
                field,
                column: field.and_then(|fl| self.columns.header(fl)),
                reason: f.rule.into(),
                value: None,
                limit: f.limit,
                other_row: None,
                customer_id: None,
                customer_name: None,
            });
        }
    }

    /// Trimmed text, `None` when empty or unmapped.
    fn text(&self, row: &Row<'_>, field: Field) -> Option<String> {
        let cell = self.columns.cell(row, field);
        if cell.is_empty() {
            return None;
        }
        Some(cell.text().into_owned())
    }

    fn choice<T>(&mut self, row: &Row<'_>, field: Field, parse: fn(&str) -> Result<T, Rule>) -> Option<T> {
        let text = self.text(row, field)?;
        match parse(&text) {
            Ok(v) => Some(v),
            Err(rule) => {
                self.fail(row.number, field, rule.into(), Some(&text));
                None
            }
        }
    }

    fn integer(&mut self, row: &Row<'_>, field: Field) -> Option<i64> {
        match self.columns.cell(row, field) {
            Cell::Int(i) => Some(i),
            Cell::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
            cell if cell.is_empty() => None,
            cell => {
                let text = cell.text();
                match values::parse_integer(&text) {
                    Ok(v) => Some(v),
                    Err(rule) => {
                        let text = text.into_owned();
                        self.fail(row.number, field, rule.into(), Some(&text));
                        None
                    }
                }
            }
        }
    }

    /// Money in minor units of `currency` (the row's currency column, else the symbol in the
    /// cell, else the default). Returns the amount and the currency it was read in.
    fn amount(&mut self, row: &Row<'_>, field: Field, currency: Option<&str>) -> Option<Amount> {
        let fixed = currency.map(str::to_owned);
        let default = self.default_currency.clone();
        let digits_of = |symbol: Option<&str>| values::minor_digits(fixed.as_deref().or(symbol).unwrap_or(&default));
        let read = match self.columns.cell(row, field) {
            Cell::Int(i) => i
                .checked_mul(10_i64.pow(digits_of(None)))
                .map(|minor| Amount { minor, currency: None })
                .ok_or(Rule::OutOfRange),
            Cell::Float(f) => values::float_to_minor(f, digits_of(None)).map(|minor| Amount { minor, currency: None }),
            cell if cell.is_empty() => return None,
            cell => values::parse_amount(&cell.text(), digits_of),
        };
        match read {
            Ok(a) => Some(a),
            Err(rule) => {
                let text = self.columns.cell(row, field).text().into_owned();
                self.fail(row.number, field, rule.into(), Some(&text));
                None
            }
        }
    }

    /// A date (with time), settling or checking the day/month order.
    fn date(&mut self, row: &Row<'_>, field: Field) -> Option<NaiveDateTime> {
        let cell = self.columns.cell(row, field);
        let parsed = match cell {
            Cell::DateTime(at) => Ok(DateText::Known(at)),
            // A number in a date column: 20240105, or an Excel serial.
            Cell::Int(i) if (19_000_101..=21_001_231).contains(&i) => values::parse_date(&i.to_string()),
            Cell::Int(i) => values::excel_serial(i as f64).map(DateText::Known),
            Cell::Float(f) => values::excel_serial(f).map(DateText::Known),
            cell if cell.is_empty() => return None,
            cell => values::parse_date(&cell.text()),
        };
        let text = || cell.text().into_owned();
        let value = match parsed {
            Ok(v) => v,
            Err(rule) => {
                self.fail(row.number, field, rule.into(), Some(&text()));
                return None;
            }
        };
        let day_first = match (value.evidence(), self.order) {
            (OrderEvidence::None, DayOrder::Settled(d) | DayOrder::Assumed(d)) => d,
            (OrderEvidence::None, DayOrder::Open) => ASSUMED_DAY_FIRST,
            (OrderEvidence::Ambiguous, DayOrder::Settled(d)) => d,
            (OrderEvidence::Ambiguous, DayOrder::Assumed(d)) => {
                self.example(row.number, field, text());
                d
            }
            (OrderEvidence::Ambiguous, DayOrder::Open) => {
                self.order = DayOrder::Assumed(ASSUMED_DAY_FIRST);
                self.example(row.number, field, text());
                ASSUMED_DAY_FIRST
            }
            (OrderEvidence::Proves(p), DayOrder::Open) => {
                self.order = DayOrder::Settled(p);
                p
            }
            (OrderEvidence::Proves(p), DayOrder::Assumed(a)) => {
                if p != a {
                    self.restart = Some(p);
                }
                self.order = DayOrder::Settled(p);
                p
            }
            (OrderEvidence::Proves(p), DayOrder::Settled(s)) => {
                if p != s {
                    self.fail(row.number, field, Reason::DateOrderConflict, Some(&text()));
                    return None;
                }
                s
            }
        };
        match value.resolve(day_first) {
            Ok(at) => Some(at),
            Err(rule) => {
                self.fail(row.number, field, rule.into(), Some(&text()));
                None
            }
        }
    }

    fn example(&mut self, row: u64, field: Field, value: String) {
        if self.examples.len() < 5 {
            self.examples.push(DateExample { row, field, value });
        }
    }

    fn currency(&mut self, row: &Row<'_>) -> Option<String> {
        let text = self.text(row, Field::Currency)?;
        let code = match values::fold_width(&text).trim() {
            "¥" | "￥" | "元" | "人民币" | "RMB" | "rmb" => "CNY".to_owned(),
            "$" | "美元" => "USD".to_owned(),
            "€" | "欧元" => "EUR".to_owned(),
            "港币" | "港元" => "HKD".to_owned(),
            "日元" => "JPY".to_owned(),
            other => other.to_uppercase(),
        };
        Some(code)
    }

    fn customer_ref(&mut self, row: &Row<'_>) -> CustomerRef {
        CustomerRef {
            external_id: self.text(row, Field::ExternalId),
            phone: self.text(row, Field::Phone),
            email: self.text(row, Field::Email),
            name: self.text(row, Field::Name),
        }
    }
}

/// The import field a record's validation names.
fn field_of(kind: ImportKind, core: &str) -> Option<Field> {
    let field = match (kind, core) {
        (ImportKind::Orders, "external_id") => Field::OrderNumber,
        (ImportKind::Orders, "amount" | "line_amount") => Field::Amount,
        (ImportKind::Orders, "lines" | "product") => Field::Product,
        (_, "next_follow_up_on") => Field::NextFollowUp,
        (_, "customer_id") => Field::ExternalId,
        (_, "kind") => Field::CustomerKind,
        (_, "channels") => Field::Channel,
        (_, other) => return Field::parse(other),
    };
    Some(field)
}

/// How an activity row names its customer.
#[derive(Debug, Default)]
struct CustomerRef {
    external_id: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

impl CustomerRef {
    /// The strongest of the names given, with its field.
    fn first(&self) -> Option<(Field, &str)> {
        [
            (Field::ExternalId, &self.external_id),
            (Field::Phone, &self.phone),
            (Field::Email, &self.email),
            (Field::Name, &self.name),
        ]
        .into_iter()
        .find_map(|(f, v)| v.as_deref().map(|v| (f, v)))
    }

    fn value(&self, field: Field) -> Option<&str> {
        match field {
            Field::ExternalId => self.external_id.as_deref(),
            Field::Phone => self.phone.as_deref(),
            Field::Email => self.email.as_deref(),
            Field::Name => self.name.as_deref(),
            _ => None,
        }
    }
}

/// An order row read and checked, waiting to be written.
struct ParsedOrder {
    row: u64,
    customer: CustomerRef,
    /// `None` when the row has errors.
    order: Option<OrderInput>,
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
    send: std::sync::mpsc::SyncSender<OrderBatch>,
    recycled: std::sync::mpsc::Receiver<Vec<ParsedOrder>>,
) -> std::result::Result<ReadEnd, super::ReadError> {
    let mut cells = Cells { columns, order, restart: None, examples: Vec::new(), errors: Vec::new(), default_currency };
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
    // Errors from a record's validation name the field; show the cell too.
    for e in c.errors.iter_mut().filter(|e| e.value.is_none()) {
        if let Some(field) = e.field {
            let cell = c.columns.cell(row, field);
            if !cell.is_empty() {
                e.value = Some(cut(&cell.text()));
            }
        }
    }
    let errors = std::mem::take(&mut c.errors);
    ParsedOrder { row: row.number, customer, order: order.filter(|_| errors.is_empty()), errors }
}

fn order_input(c: &mut Cells<'_>, row: &Row<'_>) -> Option<OrderInput> {
    let n = row.number;
    let number = c.text(row, Field::OrderNumber);
    let ordered = c.date(row, Field::Date);
    if ordered.is_none() && c.columns.cell(row, Field::Date).is_empty() {
        c.fail(n, Field::Date, Reason::Required, None);
    }
    let currency = c.currency(row);
    let amount = c.amount(row, Field::Amount, currency.as_deref());
    if amount.is_none() && c.columns.cell(row, Field::Amount).is_empty() {
        c.fail(n, Field::Amount, Reason::Required, None);
    }
    let cost = c.amount(row, Field::Cost, currency.as_deref().or(amount.and_then(|a| a.currency)));
    let product = c.text(row, Field::Product);
    let category = c.text(row, Field::Category);
    let quantity = c.integer(row, Field::Quantity);
    let channel = c.choice(row, Field::Channel, values::parse_channel);
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
    match input.validate() {
        Ok(o) => Some(o),
        Err(Error::Validation(fields)) => {
            c.fail_fields(n, ImportKind::Orders, fields);
            None
        }
        // `validate` fails only with field errors.
        Err(_) => None,
    }
}

/// The counts and lists a run builds up.
#[derive(Default)]
struct Tally {
    rows_read: u64,
    created: u64,
    updated: u64,
    skipped: u64,
    bad_rows: u64,
    warning_rows: u64,
    customers_created: u64,
    order_lines: u64,
    errors: Vec<RowError>,
    warnings: Vec<RowError>,
}

impl Tally {
    fn bad(&mut self, errors: &mut Vec<RowError>) {
        if errors.is_empty() {
            return;
        }
        self.bad_rows += 1;
        let room = LISTED_MAX.saturating_sub(self.errors.len());
        self.errors.extend(errors.drain(..).take(room));
        errors.clear();
    }

    fn warn(&mut self, warning: RowError) {
        self.warning_rows += 1;
        if self.warnings.len() < LISTED_MAX {
            self.warnings.push(warning);
        }
    }
}

fn row_error(row: u64, field: Option<Field>, reason: Reason) -> RowError {
    RowError {
        row,
        field,
        column: None,
        reason,
        value: None,
        limit: None,
        other_row: None,
        customer_id: None,
        customer_name: None,
    }
}

fn source_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The mapping for these headers: automatic, then the one saved for them, then `overrides`.
fn resolve_mapping(
    conn: &Connection,
    kind: ImportKind,
    headers: &[String],
    overrides: &Mapping,
) -> Result<(Mapping, bool)> {
    let saved = saved_mapping(conn, kind, headers)?;
    let from_saved = saved.is_some();
    let mut mapping = saved.unwrap_or_else(|| auto_mapping(kind, headers));
    mapping.0.retain(|_, header| column_of(headers, header).is_some());
    for (field, header) in &overrides.0 {
        if header.trim().is_empty() {
            mapping.0.remove(field);
        } else {
            mapping.0.insert(*field, header.clone());
        }
    }
    Ok((mapping, from_saved))
}

/// Reads the first `rows` rows and proposes a mapping, without writing anything.
pub fn preview_file(conn: &Connection, path: &Path, options: &ImportOptions, rows: usize) -> Result<Preview> {
    let mut table = Table::open(path, &options.read)?;
    let headers = table.headers().to_vec();
    let (mapping, mapping_saved) = resolve_mapping(conn, options.kind, &headers, &options.mapping)?;
    let mut sample = Vec::new();
    while sample.len() < rows {
        let Some(row) = table.next_row()? else { break };
        if row.is_blank() {
            continue;
        }
        sample.push((0..headers.len().max(row.len())).map(|i| row.cell(i).text().into_owned()).collect());
    }
    let unmapped_headers = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !mapping.0.values().any(|h| column_of(&headers, h) == Some(*i)))
        .map(|(_, h)| h.clone())
        .collect();
    Ok(Preview {
        source: table.info().clone(),
        missing_fields: missing_fields(options.kind, &mapping),
        headers,
        mapping,
        mapping_saved,
        unmapped_headers,
        rows: sample,
    })
}

/// Imports a CSV or Excel file in one transaction (see the module documentation).
///
/// Starts its own immediate transaction when `conn` is outside one, else works inside a
/// savepoint of the caller's. `progress` is called every [`PROGRESS_EVERY`] rows and at the
/// end. `Err` is kept for what stops the import as a whole (an unreadable file, a database
/// failure); everything about the rows is in the report.
pub fn import_file(
    conn: &Connection,
    path: &Path,
    options: &ImportOptions,
    now: DateTime<Utc>,
    progress: impl FnMut(Progress),
) -> Result<ImportReport> {
    // A big import touches index pages all over the file; with SQLite's default 2 MB page
    // cache they would be written out and read back again and again. The connection gets
    // its usual cache back afterwards.
    let previous: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    let bulk = is_bulk_load(conn, path, options.kind)?;
    // A bulk load makes every reference it writes itself (customer ids it looked up or
    // created, the order id it just inserted, its own batch), so SQLite's per-row foreign
    // key look-ups only repeat what is known; they are off while it runs. The pragma only
    // works outside a transaction, so a caller's transaction keeps them.
    let foreign_keys_off = bulk && conn.is_autocommit();
    if foreign_keys_off {
        conn.pragma_update(None, "foreign_keys", "OFF")?;
    }
    // Its commit leaves the log (the size of the new data) for the next writer to copy into
    // the file, search::catch_up's first step, rather than copying it before returning.
    let autocheckpoint: i64 = conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
    if bulk {
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    }
    let result = import_in_tx(conn, path, options, now, progress, bulk);
    let restored = conn
        .pragma_update(None, "cache_size", previous)
        .and_then(|()| conn.pragma_update(None, "wal_autocheckpoint", autocheckpoint))
        .and_then(|()| if foreign_keys_off { conn.pragma_update(None, "foreign_keys", "ON") } else { Ok(()) });
    let report = result?;
    restored?;
    Ok(report)
}

/// A file at least this big is a bulk load, unless the tables hold much more already.
const BULK_BYTES: u64 = 32 << 20;
/// Rough size of an order row in a CSV file, to guess the rows a file holds.
const BYTES_PER_ROW: u64 = 64;

/// An order file big against the orders already stored: its load defers index building.
fn is_bulk_load(conn: &Connection, path: &Path, kind: ImportKind) -> Result<bool> {
    let bytes = std::fs::metadata(path)?.len();
    if kind != ImportKind::Orders || bytes < BULK_BYTES {
        return Ok(false);
    }
    let existing: i64 = conn.query_row("SELECT coalesce(max(rowid), 0) FROM order_lines", [], |r| r.get(0))?;
    Ok(existing as u64 <= 4 * (bytes / BYTES_PER_ROW))
}

/// Sorter threads and page cache (KiB) while deferred indexes are built.
const SORT_THREADS: i64 = 2;
const SORT_CACHE_KIB: i64 = 256 * 1024;

/// Page cache of an import, in KiB.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

fn import_in_tx(
    conn: &Connection,
    path: &Path,
    options: &ImportOptions,
    now: DateTime<Utc>,
    mut progress: impl FnMut(Progress),
    bulk: bool,
) -> Result<ImportReport> {
    let mut day_first = options.day_first.map(DayOrder::Settled).unwrap_or(DayOrder::Open);
    loop {
        let mut table = Table::open(path, &options.read)?;
        let headers = table.headers().to_vec();
        let (mapping, _) = resolve_mapping(conn, options.kind, &headers, &options.mapping)?;
        let missing = missing_fields(options.kind, &mapping);
        let mut report = ImportReport {
            status: ImportStatus::NeedsMapping,
            kind: options.kind,
            batch_id: None,
            source: table.info().clone(),
            headers: headers.clone(),
            mapping: mapping.clone(),
            missing_fields: missing.clone(),
            rows_read: 0,
            created: 0,
            updated: 0,
            skipped: 0,
            bad_rows: 0,
            customers_created: 0,
            order_lines: 0,
            errors: Vec::new(),
            warning_rows: 0,
            warnings: Vec::new(),
            date_order_examples: Vec::new(),
            day_first: None,
        };
        if !missing.is_empty() {
            return Ok(report);
        }

        let tx = Tx::begin(conn)?;
        let columns = Columns::new(&headers, &mapping);
        let outcome = {
            let mut run = Run::new(conn, options, &columns, now, day_first, source_name(path), bulk)?;
            let outcome = run.all_rows(&mut table, &mut progress)?;
            report.batch_id = Some(run.batch);
            report.day_first = match run.cells.order {
                DayOrder::Settled(d) => Some(d),
                _ => None,
            };
            report.date_order_examples = std::mem::take(&mut run.cells.examples);
            let t = std::mem::take(&mut run.tally);
            (outcome, t, run.cells.order)
        };
        let (restart, tally, order) = outcome;
        if let Some(proven) = restart {
            tx.rollback()?;
            day_first = DayOrder::Settled(proven);
            continue;
        }
        report.rows_read = tally.rows_read;
        report.created = tally.created;
        report.updated = tally.updated;
        report.skipped = tally.skipped;
        report.bad_rows = tally.bad_rows;
        report.customers_created = tally.customers_created;
        report.order_lines = tally.order_lines;
        report.errors = tally.errors;
        report.warning_rows = tally.warning_rows;
        report.warnings = tally.warnings;
        report.status = if matches!(order, DayOrder::Assumed(_)) {
            ImportStatus::NeedsDecision
        } else if report.bad_rows > 0 && !options.skip_bad_rows {
            ImportStatus::Rejected
        } else if options.dry_run {
            ImportStatus::DryRun
        } else {
            ImportStatus::Imported
        };
        if report.status == ImportStatus::Imported {
            conn.execute(
                "UPDATE import_batches SET rows_read = ?2, created = ?3, updated = ?4, skipped = ?5 WHERE id = ?1",
                params![
                    report.batch_id,
                    report.rows_read as i64,
                    report.created as i64,
                    report.updated as i64,
                    report.skipped as i64
                ],
            )?;
            save_mapping(conn, options.kind, &headers, &mapping, now)?;
            tx.commit()?;
        } else {
            tx.rollback()?;
            report.batch_id = None;
        }
        progress(Progress {
            rows_done: report.rows_read,
            bytes_done: table.bytes_total(),
            bytes_total: table.bytes_total(),
        });
        return Ok(report);
    }
}

/// The import's transaction: its own when the connection has none, else a savepoint.
struct Tx<'c> {
    conn: &'c Connection,
    savepoint: bool,
    done: bool,
}

impl<'c> Tx<'c> {
    fn begin(conn: &'c Connection) -> Result<Self> {
        let savepoint = !conn.is_autocommit();
        conn.execute_batch(if savepoint { "SAVEPOINT headtail_import" } else { "BEGIN IMMEDIATE" })?;
        Ok(Self { conn, savepoint, done: false })
    }

    fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch(if self.savepoint { "RELEASE headtail_import" } else { "COMMIT" })?;
        Ok(())
    }

    fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch(if self.savepoint {
            "ROLLBACK TO headtail_import; RELEASE headtail_import"
        } else {
            "ROLLBACK"
        })?;
        Ok(())
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            // An error is already on its way up; the rollback is best effort.
            let _ = self.conn.execute_batch(if self.savepoint {
                "ROLLBACK TO headtail_import; RELEASE headtail_import"
            } else {
                "ROLLBACK"
            });
        }
    }
}

/// Keys of the customers already seen in this file, for duplicates within it.
#[derive(Default)]
struct SeenKeys {
    external_id: HashMap<String, u64>,
    phone: HashMap<String, u64>,
    email: HashMap<String, u64>,
    name_only: HashMap<String, u64>,
}

/// An order being gathered from consecutive rows with the same order number.
struct OpenOrder {
    order: OrderInput,
    rows: Vec<u64>,
}

/// One pass over the rows inside the transaction.
struct Run<'c> {
    conn: &'c Connection,
    kind: ImportKind,
    mode: ImportMode,
    batch: i64,
    ts: String,
    cells: Cells<'c>,
    tally: Tally,
    seen: SeenKeys,
    /// Customer ids by external id (filled up front for orders), phone, email and name keys.
    by_external_id: HashMap<String, i64>,
    by_key: HashMap<(u8, String), Option<i64>>,
    open_order: Option<OpenOrder>,
    /// A big order file into tables not much bigger (see [`is_bulk_load`]).
    bulk: bool,
    /// Statements run once per row or per new customer, prepared on first use.
    stmts: Held<'c>,
    /// Orders gathered and waiting to be written together.
    pending: Vec<OpenOrder>,
    /// The id the next order written gets; read when the first is written.
    next_order_id: Option<i64>,
    /// Indexes dropped for a bulk load, as the SQL that makes them again.
    deferred_indexes: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum Match {
    None,
    Found { id: i64, by: Field },
    Ambiguous,
}

impl<'c> Run<'c> {
    fn new(
        conn: &'c Connection,
        options: &ImportOptions,
        columns: &'c Columns,
        now: DateTime<Utc>,
        order: DayOrder,
        source: String,
        bulk: bool,
    ) -> Result<Self> {
        let ts = timestamp(now);
        conn.execute(
            "INSERT INTO import_batches (kind, source_name, started_at) VALUES (?1, ?2, ?3)",
            params![options.kind.as_str(), source, ts],
        )?;
        let batch = conn.last_insert_rowid();
        // Search entries of new customers wait here and go into the full-text index in one
        // statement at the end: row by row, FTS5 pays a flush of its pending terms per insert.
        // A bulk load leaves its customers to search::catch_up after the commit instead.
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_search (id INTEGER PRIMARY KEY, tokens TEXT NOT NULL)",
        )?;
        let mut by_external_id = HashMap::new();
        if options.kind == ImportKind::Orders && columns.has(Field::ExternalId) {
            // One scan instead of a look-up per customer: order files name many customers.
            let mut stmt = conn
                .prepare("SELECT external_id, id FROM customers WHERE external_id IS NOT NULL AND erased_at IS NULL")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (ext, id) = row?;
                by_external_id.insert(ext, id);
            }
        }
        let default_currency = options
            .default_currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(CURRENCY_DEFAULT)
            .to_uppercase();
        Ok(Self {
            conn,
            kind: options.kind,
            mode: options.mode,
            batch,
            ts,
            cells: Cells { columns, order, restart: None, examples: Vec::new(), errors: Vec::new(), default_currency },
            tally: Tally::default(),
            seen: SeenKeys::default(),
            by_external_id,
            by_key: HashMap::new(),
            open_order: None,
            bulk,
            stmts: Held::default(),
            pending: Vec::with_capacity(ORDERS_PER_INSERT),
            next_order_id: None,
            deferred_indexes: Vec::new(),
        })
    }

    /// For a bulk load, drops the order indexes (and the customers' when the file names
    /// customers by external id, so that no look-up needs the others) so that they are built
    /// once, sorted, at the end: inserting 10 million rows into several indexes in random
    /// order costs several times more than sorting them. Unique indexes stay, since they are
    /// what finds existing order numbers and customer ids. Dropping and creating happen
    /// inside the import's transaction, so a crash or a rollback leaves them as they were.
    fn defer_indexes(&mut self) -> Result<()> {
        let mut tables = vec!["orders", "order_lines"];
        if self.cells.columns.has(Field::ExternalId) {
            tables.push("customers");
        }
        self.deferred_indexes = crate::db::drop_indexes(self.conn, &tables, crate::db::Deferred::NonUniqueIndexes)?;
        Ok(())
    }

    fn rebuild_indexes(&mut self) -> Result<()> {
        if self.deferred_indexes.is_empty() {
            return Ok(());
        }
        // Building an index is a sort: with a helper thread and more memory per sorted run
        // SQLite needs fewer passes over temporary files.
        let threads: i64 = self.conn.query_row("PRAGMA threads", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "threads", SORT_THREADS)?;
        self.conn.pragma_update(None, "cache_size", -SORT_CACHE_KIB)?;
        let built = crate::db::rebuild_indexes(self.conn, &std::mem::take(&mut self.deferred_indexes));
        self.conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        self.conn.pragma_update(None, "threads", threads)?;
        built
    }

    /// Reads every row; `Some(day_first)` when the run must start again with that order.
    fn all_rows(&mut self, table: &mut Table, progress: &mut impl FnMut(Progress)) -> Result<Option<bool>> {
        let bytes_total = table.bytes_total();
        if self.bulk {
            self.defer_indexes()?;
        }
        if self.kind == ImportKind::Orders {
            if let Some(restart) = self.orders_through_reader(table, progress)? {
                return Ok(Some(restart));
            }
        }
        while let Some(row) = table.next_row()? {
            if row.is_blank() {
                continue;
            }
            self.tally.rows_read += 1;
            match self.kind {
                ImportKind::Customers => self.customer_row(&row)?,
                ImportKind::Orders => unreachable!("order files are read on their own thread"),
                ImportKind::Interactions => self.interaction_row(&row)?,
                ImportKind::SurveyResponses => self.survey_row(&row)?,
            }
            if let Some(day_first) = self.cells.restart {
                return Ok(Some(day_first));
            }
            // Errors from a record's validation name the field; show the cell too.
            for e in self.cells.errors.iter_mut().filter(|e| e.value.is_none()) {
                if let Some(field) = e.field {
                    let cell = self.cells.columns.cell(&row, field);
                    if !cell.is_empty() {
                        e.value = Some(cut(&cell.text()));
                    }
                }
            }
            let mut errors = std::mem::take(&mut self.cells.errors);
            self.tally.bad(&mut errors);
            self.cells.errors = errors;
            if self.tally.rows_read.is_multiple_of(PROGRESS_EVERY) {
                progress(Progress { rows_done: self.tally.rows_read, bytes_done: table.bytes_done(), bytes_total });
            }
        }
        self.close_order()?;
        self.flush_orders()?;
        self.conn.execute_batch(
            "INSERT INTO customer_search (rowid, tokens) SELECT id, tokens FROM temp.import_search ORDER BY id;
             DROP TABLE temp.import_search;",
        )?;
        self.rebuild_indexes()?;
        let mut errors = std::mem::take(&mut self.cells.errors);
        self.tally.bad(&mut errors);
        self.tally.errors.sort_by_key(|e| e.row);
        Ok(None)
    }

    /// Reads the file on a second thread while this one writes; `Some` to start again.
    fn orders_through_reader(
        &mut self,
        table: &mut Table,
        progress: &mut impl FnMut(Progress),
    ) -> Result<Option<bool>> {
        let bytes_total = table.bytes_total();
        let columns = self.cells.columns;
        let order = self.cells.order;
        let currency = self.cells.default_currency.clone();
        let conn = self.conn;
        let end = std::thread::scope(|scope| -> Result<ReadEnd> {
            let (send, receive) = std::sync::mpsc::sync_channel::<OrderBatch>(8);
            let (give_back, recycled) = std::sync::mpsc::sync_channel::<Vec<ParsedOrder>>(16);
            let reader = scope.spawn(move || read_orders(table, columns, order, currency, send, recycled));
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

    // ---------------------------------------------------------------- customers

    fn customer_row(&mut self, row: &Row<'_>) -> Result<()> {
        let n = row.number;
        let c = &mut self.cells;
        let patch = CustomerPatch {
            external_id: c.text(row, Field::ExternalId),
            name: c.text(row, Field::Name),
            kind: c.choice(row, Field::CustomerKind, values::parse_customer_kind),
            company: c.text(row, Field::Company),
            phone: c.text(row, Field::Phone),
            email: c.text(row, Field::Email),
            region: c.text(row, Field::Region),
            owner: c.text(row, Field::Owner),
            tags: c.text(row, Field::Tags).map(|t| values::split_list(&t).map(str::to_owned).collect()),
            source: c.text(row, Field::Source),
            industry: c.text(row, Field::Industry),
            size_class: c.choice(row, Field::SizeClass, values::parse_size_class),
            channels: match c.text(row, Field::Channel) {
                None => None,
                Some(text) => {
                    let mut channels = Vec::new();
                    for word in values::split_list(&text) {
                        match values::parse_channel(word) {
                            Ok(ch) => channels.push(ch),
                            Err(rule) => c.fail(n, Field::Channel, rule.into(), Some(word)),
                        }
                    }
                    Some(channels)
                }
            },
            notes: c.text(row, Field::Notes),
        };
        if !self.cells.errors.is_empty() {
            return Ok(());
        }
        let keys = patch.keys();
        if let Some((field, first)) = self.seen_before(&keys) {
            let mut e = row_error(n, Some(field), Reason::DuplicateInFile);
            e.column = self.cells.columns.header(field);
            e.other_row = Some(first);
            self.cells.errors.push(e);
            return Ok(());
        }
        let found = self.match_customer(&keys)?;
        let outcome = match (found, self.mode) {
            (Match::Ambiguous, _) => {
                self.cells.fail(n, Field::Name, Reason::AmbiguousCustomer, patch.name.as_deref());
                return Ok(());
            }
            (Match::Found { id, by: Field::ExternalId }, ImportMode::Create) => {
                let mut e = row_error(n, Some(Field::ExternalId), Reason::DuplicateInDatabase);
                e.column = self.cells.columns.header(Field::ExternalId);
                e.value = patch.external_id.as_deref().map(cut);
                e.customer_id = Some(id);
                if self.tally.errors.len() < LISTED_MAX {
                    e.customer_name = self.customer_name(id)?;
                }
                self.cells.errors.push(e);
                return Ok(());
            }
            (Match::Found { id, by }, ImportMode::Create) => {
                let by_value = match by {
                    Field::Phone => patch.phone.clone(),
                    Field::Email => patch.email.clone(),
                    _ => patch.name.clone(),
                };
                let input = patch.into_new();
                if self.create_customer(n, input)?.is_some() {
                    let mut w = row_error(n, Some(by), Reason::PossibleDuplicate);
                    w.column = self.cells.columns.header(by);
                    w.value = by_value.map(|v| cut(&v));
                    w.customer_id = Some(id);
                    if self.tally.warnings.len() < LISTED_MAX {
                        w.customer_name = self.customer_name(id)?;
                    }
                    self.tally.warn(w);
                    self.tally.created += 1;
                    true
                } else {
                    false
                }
            }
            (Match::Found { .. }, ImportMode::Skip) => {
                self.tally.skipped += 1;
                true
            }
            (Match::Found { id, .. }, ImportMode::Update) => match self.update_customer(n, id, patch)? {
                Some(true) => {
                    self.tally.updated += 1;
                    true
                }
                // The row says nothing the profile does not already say.
                Some(false) => {
                    self.tally.skipped += 1;
                    true
                }
                None => false,
            },
            (Match::None, _) => {
                let created = self.create_customer(n, patch.into_new())?.is_some();
                if created {
                    self.tally.created += 1;
                }
                created
            }
        };
        if outcome {
            self.remember(&keys, n);
        }
        Ok(())
    }

    /// The name of an existing customer a row is reported against.
    fn customer_name(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT name FROM customers WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    fn seen_before(&self, keys: &Keys) -> Option<(Field, u64)> {
        let lookups = [
            (Field::ExternalId, keys.external_id.as_ref().and_then(|k| self.seen.external_id.get(k))),
            (Field::Phone, keys.phone.as_ref().and_then(|k| self.seen.phone.get(k))),
            (Field::Email, keys.email.as_ref().and_then(|k| self.seen.email.get(k))),
            (Field::Name, keys.name_only().and_then(|k| self.seen.name_only.get(k))),
        ];
        lookups.into_iter().find_map(|(field, row)| row.map(|r| (field, *r)))
    }

    fn remember(&mut self, keys: &Keys, row: u64) {
        if let Some(k) = &keys.external_id {
            self.seen.external_id.insert(k.clone(), row);
        }
        if let Some(k) = &keys.phone {
            self.seen.phone.insert(k.clone(), row);
        }
        if let Some(k) = &keys.email {
            self.seen.email.insert(k.clone(), row);
        }
        if let Some(k) = keys.name_only() {
            self.seen.name_only.insert(k.to_owned(), row);
        }
    }

    /// The existing customer a row names: by external id, then phone, then email; by name
    /// only when the row has none of those (a new 张伟 with a new phone is not the old one).
    fn match_customer(&mut self, keys: &Keys) -> Result<Match> {
        if let Some(ext) = &keys.external_id {
            if let Some(id) = self.by_external_id.get(ext) {
                return Ok(Match::Found { id: *id, by: Field::ExternalId });
            }
            let id: Option<i64> = self
                .conn
                .prepare_cached("SELECT id FROM customers WHERE external_id = ?1 AND erased_at IS NULL")?
                .query_row([ext], |r| r.get(0))
                .optional()?;
            if let Some(id) = id {
                return Ok(Match::Found { id, by: Field::ExternalId });
            }
        }
        for (field, key, column) in [(Field::Phone, &keys.phone, "phone_key"), (Field::Email, &keys.email, "email_key")]
        {
            if let Some(key) = key {
                if let Some(id) = self.by_column(column, key, 1)? {
                    return Ok(Match::Found { id, by: field });
                }
            }
        }
        if let Some(name) = keys.name_only() {
            let ids = self.ids_by("name_key", name, 2)?;
            return Ok(match ids.as_slice() {
                [] => Match::None,
                [id] => Match::Found { id: *id, by: Field::Name },
                _ => Match::Ambiguous,
            });
        }
        Ok(Match::None)
    }

    fn ids_by(&self, column: &str, key: &str, limit: u32) -> Result<Vec<i64>> {
        // `column` is one of three fixed names, never user text.
        let sql = format!(
            "SELECT id FROM customers WHERE {column} = ?1 AND deleted_at IS NULL AND erased_at IS NULL ORDER BY id LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let ids = stmt.query_map([key], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    fn by_column(&self, column: &str, key: &str, limit: u32) -> Result<Option<i64>> {
        Ok(self.ids_by(column, key, limit)?.first().copied())
    }

    /// Validates and inserts a new customer; `None` (with the errors noted) when invalid.
    fn create_customer(&mut self, row: u64, input: CustomerInput) -> Result<Option<i64>> {
        let valid = match input.validate() {
            Ok(v) => v,
            Err(Error::Validation(fields)) => {
                self.cells.fail_fields(row, ImportKind::Customers, fields);
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        match insert_customer(self.conn, &mut self.stmts, &valid, &self.ts, self.batch, self.bulk) {
            Ok(id) => Ok(Some(id)),
            Err(Error::Database(rusqlite::Error::SqliteFailure(f, _)))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                self.cells.fail(row, Field::ExternalId, Reason::Taken, valid.external_id.as_deref());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Gives a matched customer the row's values, keeping the profile before for revert.
    /// `Some(changed)`, or `None` when the result is invalid (errors noted).
    fn update_customer(&mut self, row: u64, id: i64, patch: CustomerPatch) -> Result<Option<bool>> {
        let before = PreviousProfile::read(self.conn, id)?;
        let input = patch.apply_to(before.customer.to_input());
        if input == before.customer.to_input() {
            // Nothing new: no before-image, no change of updated_at.
            return Ok(Some(false));
        }
        let profile = before.to_json()?;
        match customers::update(self.conn, id, input, parse_ts(&self.ts)) {
            Ok(_) => {}
            Err(Error::Validation(fields)) => {
                self.cells.fail_fields(row, ImportKind::Customers, fields);
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
        self.conn
            .prepare_cached(
                "INSERT INTO import_previous_profiles (batch_id, customer_id, profile) VALUES (?1, ?2, ?3)
                 ON CONFLICT (batch_id, customer_id) DO NOTHING",
            )?
            .execute(params![self.batch, id, profile])?;
        Ok(Some(true))
    }

    // ---------------------------------------------------------------- activity

    /// The customer an activity row names; for orders an unknown one is created.
    fn activity_customer(
        &mut self,
        n: u64,
        r: &CustomerRef,
        create: bool,
        channel: Option<SalesChannel>,
    ) -> Result<Option<i64>> {
        if let Some(ext) = &r.external_id {
            if let Some(id) = self.by_external_id.get(ext.as_str()) {
                return Ok(Some(*id));
            }
            if self.kind != ImportKind::Orders {
                // Only order files are preloaded; others look each id up once.
                let id: Option<i64> = self
                    .conn
                    .prepare_cached("SELECT id FROM customers WHERE external_id = ?1 AND erased_at IS NULL")?
                    .query_row([ext], |r| r.get(0))
                    .optional()?;
                if let Some(id) = id {
                    self.by_external_id.insert(ext.clone(), id);
                    return Ok(Some(id));
                }
            }
        } else {
            let keys = [
                (0_u8, Field::Phone, r.phone.as_deref().map(phone_key), "phone_key"),
                (1, Field::Email, r.email.as_deref().map(email_key), "email_key"),
                (2, Field::Name, r.name.as_deref().map(name_key), "name_key"),
            ];
            for (tag, field, key, column) in keys {
                let Some(key) = key.filter(|k| !k.is_empty()) else {
                    continue;
                };
                if let Some(found) = self.by_key.get(&(tag, key.clone())) {
                    if let Some(id) = found {
                        return Ok(Some(*id));
                    }
                    continue;
                }
                let ids = self.ids_by(column, &key, 2)?;
                match ids.as_slice() {
                    [id] | [id, _] if field != Field::Name || ids.len() == 1 => {
                        self.by_key.insert((tag, key), Some(*id));
                        return Ok(Some(*id));
                    }
                    [] => {}
                    _ => {
                        self.cells.fail(n, field, Reason::AmbiguousCustomer, r.name.as_deref());
                        return Ok(None);
                    }
                }
            }
        }
        if !create {
            match r.first() {
                Some((field, value)) => self.cells.fail(n, field, Reason::UnknownCustomer, Some(value)),
                None => self.cells.fail(n, Field::ExternalId, Reason::Required, None),
            }
            return Ok(None);
        }
        let Some(name) =
            r.name.clone().or_else(|| r.external_id.clone()).or_else(|| r.phone.clone()).or_else(|| r.email.clone())
        else {
            self.cells.fail(n, Field::ExternalId, Reason::Required, None);
            return Ok(None);
        };
        let input = CustomerInput {
            external_id: r.external_id.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            channels: channel.into_iter().collect(),
            ..CustomerInput::named(&name)
        };
        let id = self.create_customer(n, input)?;
        if let Some(id) = id {
            self.tally.customers_created += 1;
            match &r.external_id {
                Some(ext) => {
                    self.by_external_id.insert(ext.clone(), id);
                }
                None => {
                    let key = if let Some(p) = &r.phone {
                        (0, phone_key(p))
                    } else if let Some(e) = &r.email {
                        (1, email_key(e))
                    } else {
                        (2, name_key(&name))
                    };
                    self.by_key.insert(key, Some(id));
                }
            }
        }
        Ok(id)
    }

    /// Writes a parsed order row: a further line of the order being gathered, or a new
    /// order for its customer (created when unknown).
    fn write_order(&mut self, parsed: ParsedOrder) -> Result<()> {
        let ParsedOrder { row: n, customer, order, mut errors } = parsed;
        self.tally.rows_read += 1;
        let Some(order) = order else {
            self.tally.bad(&mut errors);
            return Ok(());
        };
        self.gather_order(n, &customer, order)?;
        // Errors found here (a customer that cannot be created) show the cell they are about.
        for e in self.cells.errors.iter_mut().filter(|e| e.value.is_none()) {
            e.value = e.field.and_then(|f| customer.value(f)).map(cut);
        }
        let mut errors = std::mem::take(&mut self.cells.errors);
        self.tally.bad(&mut errors);
        self.cells.errors = errors;
        Ok(())
    }

    fn gather_order(&mut self, n: u64, customer: &CustomerRef, order: OrderInput) -> Result<()> {
        // A further line of the order being gathered.
        if let (Some(open), Some(number)) = (self.open_order.as_mut(), order.external_id.as_deref()) {
            if open.order.external_id.as_deref() == Some(number) {
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
        self.open_order = Some(OpenOrder { order: OrderInput { customer_id, ..order }, rows: vec![n] });
        if self.open_order.as_ref().is_some_and(|o| o.order.external_id.is_none()) {
            self.close_order()?;
        }
        Ok(())
    }

    /// Queues the order gathered so far; a full queue is written.
    fn close_order(&mut self) -> Result<()> {
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
    fn flush_orders(&mut self) -> Result<()> {
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
                e.insert(conn.prepare(&values_sql(INSERT_ORDERS, 9, pending.len(), ORDERS_ON_CONFLICT))?)
            }
        };
        let mut at = 1;
        for (id, open) in (first_id..).zip(&pending) {
            let o = &open.order;
            let currency = o.currency.as_deref().unwrap_or(CURRENCY_DEFAULT);
            let values: [&dyn ToSql; 9] = [
                &id,
                &o.customer_id,
                &o.external_id,
                &IsoDate::new(o.ordered_on),
                &o.amount_minor,
                &currency,
                &o.cost_minor,
                &o.channel,
                &self.batch,
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

    fn interaction_row(&mut self, row: &Row<'_>) -> Result<()> {
        let n = row.number;
        let c = &mut self.cells;
        let kind = c.choice(row, Field::InteractionType, values::parse_interaction_kind);
        if kind.is_none() && c.columns.cell(row, Field::InteractionType).is_empty() {
            c.fail(n, Field::InteractionType, Reason::Required, None);
        }
        let occurred = c.date(row, Field::Date);
        if occurred.is_none() && c.columns.cell(row, Field::Date).is_empty() {
            c.fail(n, Field::Date, Reason::Required, None);
        }
        let next = c.date(row, Field::NextFollowUp);
        let outcome = c.text(row, Field::Outcome);
        let notes = c.text(row, Field::Notes);
        let owner = c.text(row, Field::Owner);
        let (Some(kind), Some(occurred_at)) = (kind, occurred) else {
            return Ok(());
        };
        if !self.cells.errors.is_empty() {
            return Ok(());
        }
        let r = self.cells.customer_ref(row);
        let Some(customer_id) = self.activity_customer(n, &r, false, None)? else {
            return Ok(());
        };
        let input = InteractionInput {
            customer_id,
            kind,
            occurred_at,
            outcome,
            notes,
            next_follow_up_on: next.map(|d| d.date()),
            done: false,
            owner,
        };
        match input.validate() {
            Ok(valid) => {
                interactions::insert(self.conn, &valid, Some(self.batch))?;
                self.tally.created += 1;
            }
            Err(Error::Validation(fields)) => self.cells.fail_fields(n, ImportKind::Interactions, fields),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn survey_row(&mut self, row: &Row<'_>) -> Result<()> {
        let n = row.number;
        let c = &mut self.cells;
        let kind = c.choice(row, Field::SurveyType, values::parse_survey_kind);
        if kind.is_none() && c.columns.cell(row, Field::SurveyType).is_empty() {
            c.fail(n, Field::SurveyType, Reason::Required, None);
        }
        let score = c.integer(row, Field::Score);
        if score.is_none() && c.columns.cell(row, Field::Score).is_empty() {
            c.fail(n, Field::Score, Reason::Required, None);
        }
        let responded = c.date(row, Field::Date);
        if responded.is_none() && c.columns.cell(row, Field::Date).is_empty() {
            c.fail(n, Field::Date, Reason::Required, None);
        }
        let comment = c.text(row, Field::Comment);
        let (Some(kind), Some(score), Some(responded)) = (kind, score, responded) else {
            return Ok(());
        };
        if !self.cells.errors.is_empty() {
            return Ok(());
        }
        let r = self.cells.customer_ref(row);
        let Some(customer_id) = self.activity_customer(n, &r, false, None)? else {
            return Ok(());
        };
        let input =
            SurveyResponseInput { customer_id, kind, survey_id: None, responded_on: responded.date(), score, comment };
        match input.validate() {
            Ok(valid) => {
                surveys::insert(self.conn, &valid, Some(self.batch), &self.ts)?;
                self.tally.created += 1;
            }
            Err(Error::Validation(fields)) => self.cells.fail_fields(n, ImportKind::SurveyResponses, fields),
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

fn parse_ts(ts: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(ts).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The duplicate keys of a customer row.
struct Keys {
    external_id: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

impl Keys {
    /// The name key, when the row has nothing better to be known by.
    fn name_only(&self) -> Option<&str> {
        if self.external_id.is_some() || self.phone.is_some() || self.email.is_some() {
            None
        } else {
            self.name.as_deref()
        }
    }
}

/// The values of a customer row; `None` is an empty cell, which never overwrites.
struct CustomerPatch {
    external_id: Option<String>,
    name: Option<String>,
    kind: Option<CustomerKind>,
    company: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    region: Option<String>,
    owner: Option<String>,
    tags: Option<Vec<String>>,
    source: Option<String>,
    industry: Option<String>,
    size_class: Option<crate::customers::SizeClass>,
    channels: Option<Vec<SalesChannel>>,
    notes: Option<String>,
}

impl CustomerPatch {
    fn keys(&self) -> Keys {
        Keys {
            external_id: self.external_id.clone(),
            phone: self.phone.as_deref().map(phone_key).filter(|k| !k.is_empty()),
            email: self.email.as_deref().map(email_key).filter(|k| !k.is_empty()),
            name: self.name.as_deref().map(name_key).filter(|k| !k.is_empty()),
        }
    }

    fn into_new(self) -> CustomerInput {
        self.apply_to(CustomerInput::named(""))
    }

    /// The profile with this row's values over it. An external id is only filled in, never
    /// replaced: other systems know the customer by it.
    fn apply_to(self, mut c: CustomerInput) -> CustomerInput {
        fn set<T>(slot: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *slot = v;
            }
        }
        fn set_opt<T>(slot: &mut Option<T>, value: Option<T>) {
            if value.is_some() {
                *slot = value;
            }
        }
        if c.external_id.is_none() {
            c.external_id = self.external_id;
        }
        set(&mut c.name, self.name);
        set(&mut c.kind, self.kind);
        set_opt(&mut c.company, self.company);
        set_opt(&mut c.phone, self.phone);
        set_opt(&mut c.email, self.email);
        set_opt(&mut c.region, self.region);
        set_opt(&mut c.owner, self.owner);
        set(&mut c.tags, self.tags);
        set_opt(&mut c.source, self.source);
        set_opt(&mut c.industry, self.industry);
        set_opt(&mut c.size_class, self.size_class);
        set(&mut c.channels, self.channels);
        set_opt(&mut c.notes, self.notes);
        c
    }
}

/// The text the search index holds for a new customer: the profile fields in the order
/// `search::reindex` joins them (a new customer has no contacts yet), then the tags.
fn search_text(c: &CustomerInput) -> String {
    let fields = [
        Some(c.name.as_str()),
        c.company.as_deref(),
        c.phone.as_deref(),
        c.email.as_deref(),
        c.external_id.as_deref(),
        c.region.as_deref(),
        c.industry.as_deref(),
        c.owner.as_deref(),
        c.notes.as_deref(),
        c.needs.as_deref(),
        c.preferences.as_deref(),
    ];
    let mut text: Vec<&str> = fields.into_iter().flatten().collect();
    text.extend(c.tags.iter().map(String::as_str));
    text.join(" ")
}

/// Statements an import runs per row or per new customer, held by the run rather than
/// looked up in the connection's statement cache.
#[derive(Default)]
struct Held<'c> {
    /// Multi-row inserts by their number of rows.
    orders: HashMap<usize, Statement<'c>>,
    lines: HashMap<usize, Statement<'c>>,
    customer: Option<Statement<'c>>,
    channel: Option<Statement<'c>>,
}

/// Orders written per statement, and order lines: one statement for many rows saves
/// SQLite's per-statement set-up, and its cursors stay on the last page, where rows with
/// growing ids and order numbers go. `OR IGNORE` means no constraint can stop such a
/// statement halfway, so SQLite keeps no statement journal of the pages it changes: every
/// value is validated, the ids are new, and an order left out for its number is noticed by
/// its missing id (anything else left out would fail that look-up, not pass unseen).
const ORDERS_PER_INSERT: usize = 64;
const LINES_PER_INSERT: usize = 96;

const INSERT_ORDERS: &str = "INSERT OR IGNORE INTO orders (id, customer_id, external_id, ordered_on, amount_minor, currency, cost_minor, channel, import_batch_id) VALUES";
const ORDERS_ON_CONFLICT: &str = "ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO NOTHING";
const INSERT_LINES: &str =
    "INSERT OR IGNORE INTO order_lines (order_id, product, category, quantity, amount_minor) VALUES";

/// `head` followed by `rows` groups of `width` parameters, then `tail`.
fn values_sql(head: &str, width: usize, rows: usize, tail: &str) -> String {
    let group = format!("({})", vec!["?"; width].join(", "));
    format!("{head} {} {tail}", vec![group; rows].join(", "))
}

const INSERT_CUSTOMER: &str =
    "INSERT INTO customers (name, kind, company, phone, email, region, owner, notes, external_id, size_class,
                            industry, source, is_kol, needs, preferences, pipeline_stage,
                            phone_key, email_key, name_key, import_batch_id, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21)";
const INSERT_CHANNEL: &str = "INSERT INTO customer_channels (customer_id, channel) VALUES (?1, ?2)";

/// The statement in `slot`, prepared on first use.
fn held<'s, 'c>(slot: &'s mut Option<Statement<'c>>, conn: &'c Connection, sql: &str) -> Result<&'s mut Statement<'c>> {
    Ok(match slot {
        Some(stmt) => stmt,
        slot @ None => slot.insert(conn.prepare(sql)?),
    })
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

/// Inserts a validated customer created by an import: one statement for the profile, its
/// tags and channels, and its search entry made from the input (in a bulk load, a note that
/// it is still to be made), with no read-back; for a million new customers that is the
/// difference between seconds and minutes.
fn insert_customer<'c>(
    conn: &'c Connection,
    stmts: &mut Held<'c>,
    c: &CustomerInput,
    ts: &str,
    batch: i64,
    bulk: bool,
) -> Result<i64> {
    held(&mut stmts.customer, conn, INSERT_CUSTOMER)?.execute(params![
        c.name,
        c.kind,
        c.company,
        c.phone,
        c.email,
        c.region,
        c.owner,
        c.notes,
        c.external_id,
        c.size_class,
        c.industry,
        c.source,
        c.is_kol,
        c.needs,
        c.preferences,
        c.pipeline_stage,
        c.phone.as_deref().map(phone_key),
        c.email.as_deref().map(email_key),
        name_key(&c.name),
        batch,
        ts
    ])?;
    let id = conn.last_insert_rowid();
    if !c.tags.is_empty() {
        let mut tag = conn.prepare_cached("INSERT INTO customer_tags (customer_id, tag) VALUES (?1, ?2)")?;
        for t in &c.tags {
            tag.execute(params![id, t])?;
        }
    }
    if !c.channels.is_empty() {
        let channel = held(&mut stmts.channel, conn, INSERT_CHANNEL)?;
        for ch in &c.channels {
            channel.execute(params![id, ch])?;
        }
    }
    if bulk {
        conn.prepare_cached("INSERT INTO search_pending (customer_id) VALUES (?1)")?.execute([id])?;
    } else {
        conn.prepare_cached("INSERT INTO temp.import_search (id, tokens) VALUES (?1, ?2)")?
            .execute(params![id, search::index_tokens(&search_text(c))])?;
    }
    Ok(id)
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
