//! Reading cells: the columns of the mapped fields, and the typed values of a row's cells
//! with the errors they give, the day/month order of dates included.

use super::headers::{column_of, Mapping};
use super::platforms::{self, Platform};
use super::source::{Cell, Row};
use super::values::{self, Amount, DateText, OrderEvidence};
use super::{DateExample, Field, ImportKind, Reason, RowError};
use crate::error::{Error, FieldError, Result, Rule};
use crate::orders::OrderStatus;
use chrono::NaiveDateTime;

const FIELD_COUNT: usize = Field::ALL.len();
const VALUE_MAX: usize = 100;

/// Column of each mapped field, indexed by the field.
pub(super) struct Columns {
    index: [Option<usize>; FIELD_COUNT],
    headers: Vec<String>,
}

impl Columns {
    pub(super) fn new(headers: &[String], mapping: &Mapping) -> Self {
        let mut index = [None; FIELD_COUNT];
        for (field, header) in &mapping.0 {
            index[*field as usize] = column_of(headers, header);
        }
        Self { index, headers: headers.to_vec() }
    }

    pub(super) fn has(&self, field: Field) -> bool {
        self.index[field as usize].is_some()
    }

    pub(super) fn cell<'a>(&self, row: &Row<'a>, field: Field) -> Cell<'a> {
        self.index[field as usize].map_or(Cell::Empty, |c| row.cell(c))
    }

    pub(super) fn header(&self, field: Field) -> Option<String> {
        self.index[field as usize].and_then(|c| self.headers.get(c).cloned())
    }
}

/// The day/month order as the run knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayOrder {
    /// Nothing in the file has asked yet.
    Open,
    /// Ambiguous values were read month first, waiting for proof.
    Assumed(bool),
    /// Given by the caller or proven by the file.
    Settled(bool),
}

const ASSUMED_DAY_FIRST: bool = false;

/// Turns cells into typed values, collecting the row's errors.
pub(super) struct Cells<'c> {
    pub(super) columns: &'c Columns,
    pub(super) order: DayOrder,
    /// Set when proof contradicts what was assumed: the run must start again.
    pub(super) restart: Option<bool>,
    pub(super) examples: Vec<DateExample>,
    pub(super) errors: Vec<RowError>,
    pub(super) default_currency: String,
    /// The platform whose order export is read: its buyer keys and channel.
    pub(super) platform: Option<Platform>,
}

pub(super) fn cut(text: &str) -> String {
    text.chars().take(VALUE_MAX).collect()
}

impl<'c> Cells<'c> {
    pub(super) fn fail(&mut self, row: u64, field: Field, reason: Reason, value: Option<&str>) {
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
    pub(super) fn fail_fields(&mut self, row: u64, kind: ImportKind, fields: Vec<FieldError>) {
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

    /// Notes a required field without a value; a cell that could not be read is noted
    /// already, so only an empty one is.
    pub(super) fn require(&mut self, row: &Row<'_>, field: Field, present: bool) {
        if !present && self.columns.cell(row, field).is_empty() {
            self.fail(row.number, field, Reason::Required, None);
        }
    }

    /// A record's validation: the valid record, or `None` with its field errors noted.
    pub(super) fn checked<T>(&mut self, row: u64, kind: ImportKind, validated: Result<T>) -> Result<Option<T>> {
        match validated {
            Ok(valid) => Ok(Some(valid)),
            Err(Error::Validation(fields)) => {
                self.fail_fields(row, kind, fields);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Errors from a record's validation name the field; this shows the cell too.
    pub(super) fn show_cells(&mut self, row: &Row<'_>) {
        for e in self.errors.iter_mut().filter(|e| e.value.is_none()) {
            if let Some(field) = e.field {
                let cell = self.columns.cell(row, field);
                if !cell.is_empty() {
                    e.value = Some(cut(&cell.text()));
                }
            }
        }
    }

    /// Trimmed text, `None` when empty or unmapped.
    pub(super) fn text(&self, row: &Row<'_>, field: Field) -> Option<String> {
        let cell = self.columns.cell(row, field);
        if cell.is_empty() {
            return None;
        }
        Some(cell.text().into_owned())
    }

    pub(super) fn choice<T>(&mut self, row: &Row<'_>, field: Field, parse: fn(&str) -> Result<T, Rule>) -> Option<T> {
        let text = self.text(row, field)?;
        match parse(&text) {
            Ok(v) => Some(v),
            Err(rule) => {
                self.fail(row.number, field, rule.into(), Some(&text));
                None
            }
        }
    }

    pub(super) fn integer(&mut self, row: &Row<'_>, field: Field) -> Option<i64> {
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
    pub(super) fn amount(&mut self, row: &Row<'_>, field: Field, currency: Option<&str>) -> Option<Amount> {
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
    pub(super) fn date(&mut self, row: &Row<'_>, field: Field) -> Option<NaiveDateTime> {
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

    pub(super) fn currency(&mut self, row: &Row<'_>) -> Option<String> {
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

    /// How the row names its customer. Masked values are left out (the first is kept to say
    /// why a row names no one); a platform's buyer account becomes its customer key, and the
    /// name of a customer the row creates when the receiver's name is missing or masked.
    pub(super) fn customer_ref(&mut self, row: &Row<'_>) -> CustomerRef {
        let mut masked = None;
        let mut read = |field: Field| match self.text(row, field) {
            Some(value) if platforms::is_masked(&value) => {
                masked.get_or_insert((field, value));
                None
            }
            value => value,
        };
        let (external_id, phone, email, name) =
            (read(Field::ExternalId), read(Field::Phone), read(Field::Email), read(Field::Name));
        let (external_id, name) = match (self.platform, external_id) {
            (Some(platform), Some(account)) => (Some(platform.customer_key(&account)), name.or(Some(account))),
            (_, external_id) => (external_id, name),
        };
        CustomerRef { external_id, phone, email, name, masked }
    }

    /// Whether the platform's order stops counting: its status, or a refund made in full.
    pub(super) fn order_status(&self, row: &Row<'_>) -> Option<OrderStatus> {
        let refund = self.text(row, Field::RefundStatus).and_then(|t| platforms::refund_status(&t));
        refund.or_else(|| self.text(row, Field::Status).and_then(|t| platforms::order_status(&t)))
    }
}

/// The import field a record's validation names.
fn field_of(kind: ImportKind, core: &str) -> Option<Field> {
    let field = match (kind, core) {
        (ImportKind::Orders, "external_id") => Field::OrderNumber,
        (ImportKind::Orders, "amount" | "line_amount") => Field::Amount,
        (ImportKind::Orders, "lines" | "product") => Field::Product,
        (_, "next_follow_up_on") => Field::NextFollowUp,
        (ImportKind::Complaints, "opened_at") => Field::Date,
        (_, "customer_id") => Field::ExternalId,
        (_, "kind") => Field::CustomerKind,
        (_, "channels") => Field::Channel,
        (_, other) => return Field::parse(other),
    };
    Some(field)
}

/// How an activity row names its customer.
#[derive(Debug, Default)]
pub(super) struct CustomerRef {
    pub(super) external_id: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) email: Option<String>,
    pub(super) name: Option<String>,
    /// The first value the platform masked, with its field.
    pub(super) masked: Option<(Field, String)>,
}

impl CustomerRef {
    /// The strongest of the names given, with its field.
    pub(super) fn first(&self) -> Option<(Field, &str)> {
        [
            (Field::ExternalId, &self.external_id),
            (Field::Phone, &self.phone),
            (Field::Email, &self.email),
            (Field::Name, &self.name),
        ]
        .into_iter()
        .find_map(|(f, v)| v.as_deref().map(|v| (f, v)))
    }

    pub(super) fn value(&self, field: Field) -> Option<&str> {
        match field {
            Field::ExternalId => self.external_id.as_deref(),
            Field::Phone => self.phone.as_deref(),
            Field::Email => self.email.as_deref(),
            Field::Name => self.name.as_deref(),
            _ => None,
        }
    }
}

pub(super) fn row_error(row: u64, field: Option<Field>, reason: Reason) -> RowError {
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
