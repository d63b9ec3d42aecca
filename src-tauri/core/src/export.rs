//! Exports: a customer list or segment to CSV or Excel, for campaigns; the whole database
//! to a folder of CSV files, one per table.
//!
//! CSV files are UTF-8 with a byte-order mark: without it Excel on Windows reads UTF-8 as the
//! local code page and shows Chinese as mojibake. Header labels are passed in, so the UI
//! chooses the language; [`default_columns`] gives the usual set in Chinese or English, with
//! Chinese labels that the importer maps back to the same fields. Customer types, sizes and
//! channels are written as their names in the chosen language ([`crate::labels`]), which the
//! importer also reads back, or as codes without one.
//!
//! # Formulas
//! A spreadsheet reads a cell starting with `=`, `+`, `-` or `@` as a formula, and a leading
//! tab or carriage return can hide one; a customer named `=HYPERLINK(...)` must not run when a
//! manager opens the file (OWASP, "CSV Injection"). Every export decides per column: numbers
//! (ids, counts, amounts such as `-12.50`) stay numbers; every text column goes through
//! [`formula_safe`], which puts a single quote before such a cell. In a workbook the text is
//! written as a string with Excel's quote-prefix style instead ([`write_text`]): nothing is
//! evaluated and the cell shows the text exactly, so a phone `+86 138 0000 0000` reads as typed.
//! In CSV the quote is visible (`'+86 138 0000 0000`), the price of a file that Excel would
//! otherwise evaluate; the importer drops a leading quote as a spreadsheet does (its
//! `unprotect`), so an export imports back as it was, and `=1+1` typed in a file is kept.

use crate::customers::{self, Customer, CustomerQuery};
use crate::error::{Error, Result};
use crate::labels::{self, Label};
use crate::settings::Language;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The UTF-8 byte-order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Excel's row limit, header included.
const XLSX_ROWS_MAX: usize = 1_048_576;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// A text cell a spreadsheet will show as text: a single quote before a leading `=`, `+`,
/// `-`, `@`, tab or carriage return, anything else unchanged.
///
/// ```
/// use headtail_core::export::formula_safe;
/// assert_eq!(formula_safe("=1+1"), "'=1+1");
/// assert_eq!(formula_safe("+86 138 0000 0000"), "'+86 138 0000 0000");
/// assert_eq!(formula_safe("张伟 = VIP"), "张伟 = VIP");
/// ```
pub fn formula_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if starts_formula(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Writes a text cell that Excel and WPS never evaluate: always as a string, and a text that
/// starts like a formula with the quote-prefix style, which shows it as typed and keeps it text
/// when the cell is edited.
pub fn write_text(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    text: &str,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    if starts_formula(text) {
        sheet.write_string_with_format(row, col, text, &rust_xlsxwriter::Format::new().set_quote_prefix())?;
    } else {
        sheet.write_string(row, col, text)?;
    }
    Ok(())
}

/// Which customers to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSelection {
    /// These customers, in this order (erased ones are left out).
    Ids(Vec<i64>),
    /// Every customer the list query matches, in its order, paging ignored.
    Query(CustomerQuery),
}

/// A column of a customer export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomerColumn {
    Id,
    ExternalId,
    Name,
    Kind,
    Company,
    Phone,
    Email,
    Region,
    Owner,
    Industry,
    SizeClass,
    Channels,
    Tags,
    Source,
    IsKol,
    Notes,
    CreatedAt,
    UpdatedAt,
    /// The first order's date when older than the record, else the record's (UTC) day.
    CustomerSince,
}

/// A column and the header text it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ColumnLabel {
    pub column: CustomerColumn,
    pub label: String,
}

/// Every column with its label in `language`.
pub fn default_columns(language: Language) -> Vec<ColumnLabel> {
    use CustomerColumn::*;
    let labels: [(CustomerColumn, &str, &str); 19] = [
        (Id, "编号", "ID"),
        (ExternalId, "客户编号", "Customer ID"),
        (Name, "客户名称", "Name"),
        (Kind, "客户类型", "Type"),
        (Company, "公司", "Company"),
        (Phone, "手机", "Phone"),
        (Email, "邮箱", "Email"),
        (Region, "地区", "Region"),
        (Owner, "负责人", "Owner"),
        (Industry, "行业", "Industry"),
        (SizeClass, "规模", "Size"),
        (Channels, "渠道", "Channels"),
        (Tags, "标签", "Tags"),
        (Source, "来源", "Source"),
        (IsKol, "意见领袖", "KOL"),
        (Notes, "备注", "Notes"),
        (CreatedAt, "创建时间", "Created at"),
        (UpdatedAt, "更新时间", "Updated at"),
        (CustomerSince, "成为客户日期", "Customer since"),
    ];
    labels
        .into_iter()
        .map(|(column, zh, en)| ColumnLabel {
            column,
            label: match language {
                Language::ZhCn => zh.to_owned(),
                Language::En => en.to_owned(),
            },
        })
        .collect()
}

/// The customers a selection names, in order.
pub fn selected_ids(conn: &Connection, selection: &CustomerSelection) -> Result<Vec<i64>> {
    match selection {
        CustomerSelection::Ids(ids) => Ok(ids.clone()),
        CustomerSelection::Query(query) => customers::list_ids(conn, query),
    }
}

/// One cell of a customer row. Enumerations are written as their names in `language`, or
/// as their stable codes (`online_shop`, `smb`) without one; the importer reads both back.
fn value(c: &Customer, column: CustomerColumn, language: Option<Language>) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match column {
        CustomerColumn::Id => c.id.to_string(),
        CustomerColumn::ExternalId => opt(&c.external_id),
        CustomerColumn::Name => c.name.clone(),
        CustomerColumn::Kind => c.kind.text(language).to_owned(),
        CustomerColumn::Company => opt(&c.company),
        CustomerColumn::Phone => opt(&c.phone),
        CustomerColumn::Email => opt(&c.email),
        CustomerColumn::Region => opt(&c.region),
        CustomerColumn::Owner => opt(&c.owner),
        CustomerColumn::Industry => opt(&c.industry),
        CustomerColumn::SizeClass => c.size_class.map(|s| s.text(language).to_owned()).unwrap_or_default(),
        CustomerColumn::Channels => c.channels.iter().map(|ch| ch.text(language)).collect::<Vec<_>>().join(","),
        CustomerColumn::Tags => c.tags.join(","),
        CustomerColumn::Source => opt(&c.source),
        CustomerColumn::IsKol => match language {
            None => if c.is_kol { "1" } else { "0" }.to_owned(),
            Some(_) => labels::yes_no(c.is_kol, language).to_owned(),
        },
        CustomerColumn::Notes => opt(&c.notes),
        CustomerColumn::CreatedAt => c.created_at.clone(),
        CustomerColumn::UpdatedAt => c.updated_at.clone(),
        CustomerColumn::CustomerSince => match c.customer_since {
            Some(day) => day.to_string(),
            None => c.created_at.get(..10).unwrap_or(&c.created_at).to_owned(),
        },
    }
}

/// Calls `row` for each selected customer that has not been erased.
fn each_customer(
    conn: &Connection,
    selection: &CustomerSelection,
    mut row: impl FnMut(&Customer) -> Result<()>,
) -> Result<u64> {
    let mut written = 0;
    for id in selected_ids(conn, selection)? {
        let customer = match customers::get(conn, id) {
            Ok(c) => c,
            Err(Error::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        if customer.erased_at.is_some() {
            continue;
        }
        row(&customer)?;
        written += 1;
    }
    Ok(written)
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        other => Error::Internal(format!("CSV: {other:?}")),
    }
}

/// Writes the selected customers as CSV (UTF-8 with BOM) to `out`, names of values in
/// `language` (codes without one); returns the rows written.
pub fn customers_csv(
    conn: &Connection,
    selection: &CustomerSelection,
    columns: &[ColumnLabel],
    language: Option<Language>,
    mut out: impl Write,
) -> Result<u64> {
    out.write_all(BOM)?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(columns.iter().map(|c| formula_safe(&c.label).into_owned())).map_err(csv_error)?;
    let written = each_customer(conn, selection, |c| {
        writer
            .write_record(columns.iter().map(|col| match col.column {
                CustomerColumn::Id => value(c, col.column, language),
                other => formula_safe(&value(c, other, language)).into_owned(),
            }))
            .map_err(csv_error)
    })?;
    writer.flush()?;
    Ok(written)
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    match e {
        rust_xlsxwriter::XlsxError::IoError(io) => Error::Io(io),
        other => Error::Internal(format!("xlsx: {other}")),
    }
}

/// Writes the selected customers to an Excel workbook at `path`, names of values in
/// `language` (codes without one); returns the rows written. Ids are numbers, everything
/// else text (so phone numbers keep their leading zeros).
pub fn customers_xlsx(
    conn: &Connection,
    selection: &CustomerSelection,
    columns: &[ColumnLabel],
    language: Option<Language>,
    path: &Path,
) -> Result<u64> {
    let ids = selected_ids(conn, selection)?;
    if ids.len() + 1 > XLSX_ROWS_MAX {
        return Err(Error::InvalidArgument(format!(
            "{} customers do not fit in one Excel sheet ({} rows at most); export them as CSV",
            ids.len(),
            XLSX_ROWS_MAX - 1
        )));
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    // Rows are written in order and flushed to a temporary file, not kept in memory.
    let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, label) in columns.iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| Error::InvalidArgument("too many columns".into()))?;
        sheet.write_string_with_format(0, col, &label.label, &bold).map_err(xlsx_error)?;
    }
    let mut row_number = 0_u32;
    let written = each_customer(conn, &CustomerSelection::Ids(ids), |c| {
        row_number += 1;
        for (col, label) in columns.iter().enumerate() {
            let col = col as u16;
            match label.column {
                CustomerColumn::Id => sheet.write_number(row_number, col, c.id as f64).map(|_| ()),
                other => write_text(sheet, row_number, col, &value(c, other, language)),
            }
            .map_err(xlsx_error)?;
        }
        Ok(())
    })?;
    book.save(path).map_err(xlsx_error)?;
    Ok(written)
}

/// A value as a cell of [`database_csv`]: NULL empty, blobs as hex, text formula-safe.
fn cell(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => String::new(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => formula_safe(&String::from_utf8_lossy(t)).into_owned(),
        ValueRef::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
    }
}

/// One table written by [`database_csv`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TableExport {
    pub table: String,
    pub rows: u64,
    pub file: PathBuf,
}

/// Writes every table of the database to `dir/<table>.csv` (UTF-8 with BOM, column names as
/// headers, NULL as an empty cell, blobs as hex, text through [`formula_safe`] while
/// integers and reals stay numbers), creating `dir`. The full-text index and the
/// entries waiting for it, and the runs' compact standings, are left out: they are derived
/// from the other tables.
pub fn database_csv(conn: &Connection, dir: &Path) -> Result<Vec<TableExport>> {
    std::fs::create_dir_all(dir)?;
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'customer_search_%'
             AND name NOT IN ('search_pending', 'database_identity', 'evaluation_lease', 'evaluation_cells',
                              'evaluation_standings', 'evaluation_archive', 'evaluation_members_saving',
                              'order_digests')
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for table in tables {
        let file = dir.join(format!("{table}.csv"));
        let mut handle = std::io::BufWriter::new(std::fs::File::create(&file)?);
        handle.write_all(BOM)?;
        let mut writer = csv::Writer::from_writer(handle);
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
        let mut names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        if table == "evaluation_members" {
            // Every figure of a member, as the archive has them: the rows hold only some.
            let columns = crate::evaluation::store::MEMBER_COLUMNS.iter().copied();
            names = std::iter::once("run_id").chain(columns).map(str::to_owned).collect();
        }
        writer.write_record(&names).map_err(csv_error)?;
        let width = names.len();
        let mut count = 0;
        let mut record: Vec<String> = Vec::with_capacity(width);
        if table == "evaluation_members" {
            // Only the latest run has rows: every stored run's members come from the archive.
            drop(stmt);
            crate::evaluation::store::each_stored_member(conn, |values| {
                record.clear();
                record.extend(values.iter().map(|v| cell(v.into())));
                count += 1;
                writer.write_record(&record).map_err(csv_error)
            })?;
        } else {
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                record.clear();
                for i in 0..width {
                    record.push(cell(row.get_ref(i)?));
                }
                writer.write_record(&record).map_err(csv_error)?;
                count += 1;
            }
        }
        writer.flush()?;
        out.push(TableExport { table, rows: count, file });
    }
    Ok(out)
}
