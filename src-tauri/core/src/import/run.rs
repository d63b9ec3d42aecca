//! Running an import: the file opened and mapped, the transaction, the pass over the rows,
//! the report.

use super::bulk::{self, DeferredIndexes};
use super::cells::{Cells, Columns, DayOrder};
use super::headers::{auto_mapping, column_of, missing_fields, platform_of, save_mapping, saved_mapping, Mapping};
use super::matching::SeenKeys;
use super::orders::{Held, OpenOrder, ORDERS_PER_INSERT};
use super::source::Table;
use super::{
    Field, ImportKind, ImportMode, ImportOptions, ImportReport, ImportStatus, Preview, Progress, RowError, LISTED_MAX,
    PROGRESS_EVERY,
};
use crate::activity::CURRENCY_DEFAULT;
use crate::customers::{timestamp, CustomerWriter};
use crate::error::Result;
use crate::{loyalty, search, work_settings};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::path::Path;

/// The counts and lists a run builds up.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) rows_read: u64,
    pub(super) created: u64,
    pub(super) updated: u64,
    pub(super) skipped: u64,
    pub(super) bad_rows: u64,
    pub(super) warning_rows: u64,
    pub(super) customers_created: u64,
    pub(super) order_lines: u64,
    pub(super) errors: Vec<RowError>,
    pub(super) warnings: Vec<RowError>,
}

impl Tally {
    pub(super) fn bad(&mut self, errors: &mut Vec<RowError>) {
        if errors.is_empty() {
            return;
        }
        self.bad_rows += 1;
        let room = LISTED_MAX.saturating_sub(self.errors.len());
        self.errors.extend(errors.drain(..).take(room));
        errors.clear();
    }

    pub(super) fn warn(&mut self, warning: RowError) {
        self.warning_rows += 1;
        if self.warnings.len() < LISTED_MAX {
            self.warnings.push(warning);
        }
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
    let mapped: Vec<usize> = mapping.0.values().filter_map(|h| column_of(&headers, h)).collect();
    let unmapped_headers =
        headers.iter().enumerate().filter(|(i, _)| !mapped.contains(i)).map(|(_, h)| h.clone()).collect();
    Ok(Preview {
        platform: platform_of(options.kind, &headers),
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
    bulk::with_import_settings(conn, path, options.kind, |bulk| import_in_tx(conn, path, options, now, progress, bulk))
}

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
            platform: platform_of(options.kind, &headers),
        };
        if !missing.is_empty() {
            return Ok(report);
        }

        let tx = Tx::begin(conn)?;
        let columns = Columns::new(&headers, &mapping);
        let outcome = {
            let mut importer = Importer::new(conn, options, &columns, now, day_first, source_name(path), bulk)?;
            importer.cells.platform = report.platform;
            let outcome = importer.all_rows(&mut table, &mut progress)?;
            report.batch_id = Some(importer.batch);
            report.day_first = match importer.cells.order {
                DayOrder::Settled(d) => Some(d),
                _ => None,
            };
            report.date_order_examples = std::mem::take(&mut importer.cells.examples);
            let t = std::mem::take(&mut importer.tally);
            (outcome, t, importer.cells.order, importer.finishing())
        };
        let (restart, tally, order, finishing) = outcome;
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
            finishing.run(conn)?;
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
            if let (ImportKind::Orders, Some(batch)) = (options.kind, report.batch_id) {
                crate::pipeline::won_by_import(conn, batch)?;
            }
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

/// The work left once every row is written, for an import that is kept: a dry run or a
/// rejected file rolls back, and would only throw it away.
pub(super) struct Finishing {
    kind: ImportKind,
    batch: i64,
    work: work_settings::WorkSettings,
    deferred_indexes: DeferredIndexes,
}

impl Finishing {
    /// The new customers' search entries, the indexes a bulk load deferred, and for orders
    /// the loyalty points they earn and their customers' "customer since".
    fn run(mut self, conn: &Connection) -> Result<()> {
        search::add_staged(conn)?;
        self.deferred_indexes.rebuild(conn)?;
        if self.kind == ImportKind::Orders {
            loyalty::earn_for_batch(conn, &self.work, self.batch)?;
            crate::customers::since::refresh_batch(conn, self.batch)?;
        }
        Ok(())
    }
}

/// One pass over the rows of a file inside the import's transaction. Its work is spread
/// over the modules by kind of row: `matching` (customers), `orders`, `activity`.
pub(super) struct Importer<'c> {
    pub(super) conn: &'c Connection,
    pub(super) kind: ImportKind,
    pub(super) mode: ImportMode,
    pub(super) batch: i64,
    /// When the import runs, and as stored text.
    pub(super) now: DateTime<Utc>,
    pub(super) ts: String,
    pub(super) cells: Cells<'c>,
    pub(super) tally: Tally,
    pub(super) seen: SeenKeys,
    /// Customer ids by external id (filled up front for orders), phone, email and name keys.
    pub(super) by_external_id: HashMap<String, i64>,
    pub(super) by_key: HashMap<(u8, String), Option<i64>>,
    pub(super) open_order: Option<OpenOrder>,
    /// A big order file into tables not much bigger (see `bulk`).
    pub(super) bulk: bool,
    /// Statements run once per batch of orders, prepared on first use.
    pub(super) stmts: Held<'c>,
    /// Writes the customers the run creates, holding its statements for them.
    pub(super) writer: CustomerWriter<'c>,
    /// Orders gathered and waiting to be written together.
    pub(super) pending: Vec<OpenOrder>,
    /// The id the next order written gets; read when the first is written.
    pub(super) next_order_id: Option<i64>,
    /// Indexes dropped for a bulk load.
    deferred_indexes: DeferredIndexes,
    /// The work settings: complaint targets, loyalty points of orders.
    pub(super) work: work_settings::WorkSettings,
}

impl<'c> Importer<'c> {
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
        // Search entries of new customers go into the full-text index together at the end. A
        // bulk load leaves its customers to search::catch_up after the commit instead.
        search::begin_staging(conn)?;
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
            now,
            ts,
            cells: Cells {
                columns,
                order,
                restart: None,
                examples: Vec::new(),
                errors: Vec::new(),
                default_currency,
                platform: None,
            },
            tally: Tally::default(),
            seen: SeenKeys::default(),
            by_external_id,
            by_key: HashMap::new(),
            open_order: None,
            bulk,
            stmts: Held::default(),
            writer: CustomerWriter::new(conn),
            pending: Vec::with_capacity(ORDERS_PER_INSERT),
            next_order_id: None,
            deferred_indexes: DeferredIndexes::default(),
            work: work_settings::load(conn)?,
        })
    }

    /// What is left to do should the import be kept.
    fn finishing(&mut self) -> Finishing {
        Finishing {
            kind: self.kind,
            batch: self.batch,
            work: self.work.clone(),
            deferred_indexes: std::mem::take(&mut self.deferred_indexes),
        }
    }

    /// Counts the row as bad if it gave errors, keeping the buffer for the next row's.
    pub(super) fn end_row(&mut self) {
        let mut errors = std::mem::take(&mut self.cells.errors);
        self.tally.bad(&mut errors);
        self.cells.errors = errors;
    }

    /// Reads every row; `Some(day_first)` when the run must start again with that order.
    fn all_rows(&mut self, table: &mut Table, progress: &mut impl FnMut(Progress)) -> Result<Option<bool>> {
        let bytes_total = table.bytes_total();
        if self.bulk {
            self.deferred_indexes = DeferredIndexes::defer(self.conn, self.cells.columns.has(Field::ExternalId))?;
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
                ImportKind::Complaints => self.complaint_row(&row)?,
            }
            if let Some(day_first) = self.cells.restart {
                return Ok(Some(day_first));
            }
            self.cells.show_cells(&row);
            self.end_row();
            if self.tally.rows_read.is_multiple_of(PROGRESS_EVERY) {
                progress(Progress { rows_done: self.tally.rows_read, bytes_done: table.bytes_done(), bytes_total });
            }
        }
        self.close_order()?;
        self.flush_orders()?;
        let mut errors = std::mem::take(&mut self.cells.errors);
        self.tally.bad(&mut errors);
        self.tally.errors.sort_by_key(|e| e.row);
        Ok(None)
    }
}
