//! Importing customers, orders, interactions, survey responses and complaints from CSV and
//! Excel files.
//!
//! The path of a file through an import:
//! 1. [`source`] opens it: the encoding (UTF-8 with or without BOM, GB18030/GBK, …) and the
//!    delimiter of a CSV file are detected, a workbook's first sheet is loaded; rows then
//!    stream one at a time, so a CSV file of any size is never held in memory.
//! 2. [`headers`] maps columns to fields from the header names (Chinese and English), a
//!    mapping saved for the same headers, and the caller's overrides, in rising priority.
//! 3. [`values`] reads each cell (dates in many spellings, money into exact minor units,
//!    channel words …); the record types' own `validate` checks the rules.
//! 4. Rows are matched to customers and written inside ONE transaction, recorded as an
//!    `import_batches` row. If any row is bad, nothing stays written unless the caller chose
//!    to skip bad rows. A dry run is the same run rolled back at the end, so it reports
//!    exactly what the import would do, duplicates in the database included.
//! 5. [`revert_batch`] undoes a committed import.
//!
//! Day/month order: `05/01/2024` is never guessed. One order holds for the whole file:
//! a value that only one order reads as a date (`25/01/2024`) settles it; if every such
//! value could be either, the import stops with [`ImportStatus::NeedsDecision`] and the
//! caller runs it again with `day_first` set. Values that contradict the settled order are
//! bad rows ([`Reason::DateOrderConflict`]). The run reads the file once in the common case:
//! ambiguous values met before the proof are provisionally read month first, and if the
//! proof says otherwise the transaction is rolled back and the file read again.

mod activity;
mod bulk;
mod cells;
mod committed;
mod headers;
mod matching;
mod orders;
pub mod platforms;
mod revert;
mod run;
pub mod source;
pub mod values;

pub use committed::{complete_search, import_into, SearchCompleted};
pub use headers::{
    auto_mapping, column_of, fields, missing_fields, normalise_header, platform_of, required_fields, save_mapping,
    saved_mapping, synonyms, Mapping, CUSTOMER_KEYS,
};
pub use platforms::Platform;
pub use revert::{list_batches, revert_batch, ImportBatch, RevertReport};
pub use run::{import_file, preview_file};
pub use source::{FileFormat, ReadError, ReadOptions, SourceInfo};

use crate::error::Rule;
use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(
    /// What a file holds; stored in `import_batches.kind`.
    ImportKind {
        Customers = "customers",
        Orders = "orders",
        Interactions = "interactions",
        SurveyResponses = "survey_responses",
        Complaints = "complaints",
    }
);

text_enum!(
    /// A field a column can be mapped to. Activity files name their customer by
    /// `external_id`, `phone`, `email` or `name`.
    Field {
        ExternalId = "external_id",
        Name = "name",
        CustomerKind = "customer_kind",
        Company = "company",
        Phone = "phone",
        Email = "email",
        Region = "region",
        Owner = "owner",
        Tags = "tags",
        Source = "source",
        Industry = "industry",
        SizeClass = "size_class",
        Channel = "channel",
        Notes = "notes",
        OrderNumber = "order_number",
        Date = "date",
        Amount = "amount",
        Cost = "cost",
        Currency = "currency",
        Product = "product",
        Category = "category",
        Quantity = "quantity",
        InteractionType = "interaction_type",
        Outcome = "outcome",
        NextFollowUp = "next_follow_up",
        SurveyType = "survey_type",
        Score = "score",
        Comment = "comment",
        Severity = "severity",
        Status = "status",
        Description = "description",
        ResolvedAt = "resolved_at",
        Resolution = "resolution",
        FirstResponseAt = "first_response_at",
        RefundStatus = "refund_status",
    }
);

/// What happens to a row whose customer already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Every row makes a new customer. A row whose external id is taken is a bad row; one
    /// that only shares a phone, email or name with a customer is created and listed in
    /// the warnings as a possible duplicate. Orders whose number exists are bad rows.
    #[default]
    Create,
    /// A matched customer gets the row's non-empty values (its profile before is kept for
    /// revert); an empty cell never erases anything. Unmatched rows are created. Existing
    /// orders are left as they are (skipped): orders are facts, not profiles.
    Update,
    /// Matched customers and existing orders are left alone and counted as skipped.
    Skip,
}

/// How to run an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ImportOptions {
    pub kind: ImportKind,
    #[serde(default)]
    pub mode: ImportMode,
    /// Overrides of the automatic mapping: field → header. An empty header unmaps the field.
    #[serde(default)]
    pub mapping: Mapping,
    /// The day/month order of dates such as `05/01/2024`; `None` lets the file decide.
    #[serde(default)]
    pub day_first: Option<bool>,
    /// Import the good rows and leave out the bad ones (still listed in the report).
    #[serde(default)]
    pub skip_bad_rows: bool,
    /// Do everything, then roll back: the report tells what the import would do.
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub read: ReadOptions,
    /// Currency of amounts that name none (default CNY).
    #[serde(default)]
    pub default_currency: Option<String>,
}

impl ImportOptions {
    pub fn new(kind: ImportKind) -> Self {
        Self {
            kind,
            mode: ImportMode::default(),
            mapping: Mapping::default(),
            day_first: None,
            skip_bad_rows: false,
            dry_run: false,
            read: ReadOptions::default(),
            default_currency: None,
        }
    }
}

/// How far an import is; reported every [`PROGRESS_EVERY`] rows and at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub struct Progress {
    pub rows_done: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

pub const PROGRESS_EVERY: u64 = 10_000;
/// The report lists at most this many bad rows and warnings; the counts cover them all.
pub const LISTED_MAX: usize = 1000;

/// Why a row cannot be imported (or, in warnings, why it deserves a look). The first
/// twelve are the field [`Rule`]s; the UI translates `import.reason.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Required,
    TooLong,
    InvalidEmail,
    InvalidPhone,
    InvalidChoice,
    UnknownReference,
    SelfReference,
    Taken,
    TooMany,
    OutOfRange,
    Unparseable,
    InPast,
    /// An earlier row of the file (`other_row`) is the same customer or order.
    DuplicateInFile,
    /// The database already has this customer or order (`customer_id`).
    DuplicateInDatabase,
    /// Shares a phone, email or name with `customer_id`; created anyway (warning).
    PossibleDuplicate,
    /// No customer has this external id, phone, email or name.
    UnknownCustomer,
    /// More than one customer has this name; use an id, phone or email.
    AmbiguousCustomer,
    /// A date that only the other day/month order reads.
    DateOrderConflict,
    /// The platform masked every value that names the buyer (`138****2222`, `张**`).
    MaskedCustomer,
    /// A control character in a text ([`crate::text_limits`]).
    ControlCharacter,
}

impl From<Rule> for Reason {
    fn from(rule: Rule) -> Self {
        match rule {
            Rule::Required => Reason::Required,
            Rule::TooLong => Reason::TooLong,
            Rule::InvalidEmail => Reason::InvalidEmail,
            Rule::InvalidPhone => Reason::InvalidPhone,
            Rule::InvalidChoice => Reason::InvalidChoice,
            Rule::UnknownReference => Reason::UnknownReference,
            Rule::SelfReference => Reason::SelfReference,
            Rule::Taken => Reason::Taken,
            Rule::TooMany => Reason::TooMany,
            Rule::OutOfRange => Reason::OutOfRange,
            Rule::InPast => Reason::InPast,
            Rule::Unparseable => Reason::Unparseable,
            // No import takes points away; were one to, the points would be out of range.
            Rule::NotEnoughPoints => Reason::OutOfRange,
            Rule::ControlCharacter => Reason::ControlCharacter,
        }
    }
}

impl Reason {
    /// The snake_case code, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Required => "required",
            Reason::TooLong => "too_long",
            Reason::InvalidEmail => "invalid_email",
            Reason::InvalidPhone => "invalid_phone",
            Reason::InvalidChoice => "invalid_choice",
            Reason::UnknownReference => "unknown_reference",
            Reason::SelfReference => "self_reference",
            Reason::Taken => "taken",
            Reason::TooMany => "too_many",
            Reason::OutOfRange => "out_of_range",
            Reason::InPast => "in_past",
            Reason::Unparseable => "unparseable",
            Reason::DuplicateInFile => "duplicate_in_file",
            Reason::DuplicateInDatabase => "duplicate_in_database",
            Reason::PossibleDuplicate => "possible_duplicate",
            Reason::UnknownCustomer => "unknown_customer",
            Reason::AmbiguousCustomer => "ambiguous_customer",
            Reason::DateOrderConflict => "date_order_conflict",
            Reason::MaskedCustomer => "masked_customer",
            Reason::ControlCharacter => "control_character",
        }
    }
}

/// One problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RowError {
    /// The row as the spreadsheet numbers it: the header is row 1.
    pub row: u64,
    pub field: Option<Field>,
    /// The header of the column, as the file spells it.
    pub column: Option<String>,
    pub reason: Reason,
    /// The cell as read (cut to 100 characters).
    pub value: Option<String>,
    /// The limit a `too_long` or `too_many` enforces.
    pub limit: Option<u32>,
    /// The earlier row of a `duplicate_in_file`.
    pub other_row: Option<u64>,
    /// The existing customer of a `duplicate_in_database` or `possible_duplicate`.
    pub customer_id: Option<i64>,
    /// That customer's name, so the report says who without a look-up.
    pub customer_name: Option<String>,
}

impl std::fmt::Display for RowError {
    /// `row 17: email: invalid_email`, the form the command line prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}: ", self.row)?;
        if let Some(field) = self.field {
            write!(f, "{}: ", field.as_str())?;
        }
        write!(f, "{}", self.reason.code())?;
        if let Some(value) = self.value.as_deref() {
            write!(f, " ({value:?})")?;
        }
        if let Some(limit) = self.limit {
            write!(f, ", limit {limit}")?;
        }
        if let Some(other) = self.other_row {
            write!(f, ", same as row {other}")?;
        }
        if let Some(id) = self.customer_id {
            write!(f, ", customer #{id}")?;
        }
        if let Some(name) = self.customer_name.as_deref() {
            write!(f, " {name}")?;
        }
        Ok(())
    }
}

/// A date whose day/month order the file leaves open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DateExample {
    pub row: u64,
    pub field: Field,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Written and committed.
    Imported,
    /// Checked and rolled back as asked; nothing written.
    DryRun,
    /// Bad rows and no `skip_bad_rows`: nothing written.
    Rejected,
    /// The day/month order must be chosen (`date_order_examples`): nothing written.
    NeedsDecision,
    /// A required field has no column (`missing_fields`): nothing read or written.
    NeedsMapping,
}

impl ImportStatus {
    /// Whether the caller got what it asked for (written, or checked in a dry run).
    pub fn is_success(self) -> bool {
        matches!(self, ImportStatus::Imported | ImportStatus::DryRun)
    }
}

/// The outcome of an import, for the UI and the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ImportReport {
    pub status: ImportStatus,
    pub kind: ImportKind,
    /// The `import_batches` row, when the import was committed.
    pub batch_id: Option<i64>,
    pub source: SourceInfo,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub missing_fields: Vec<Field>,
    /// Data rows read (blank rows are not counted).
    pub rows_read: u64,
    /// Records of the kind created: customers, orders, interactions or responses.
    pub created: u64,
    /// Customers whose profile was updated (update mode).
    pub updated: u64,
    /// Rows left out because their customer or order exists (skip and update modes).
    pub skipped: u64,
    /// Rows with at least one error.
    pub bad_rows: u64,
    /// Customers created for orders that named an unknown customer.
    pub customers_created: u64,
    pub order_lines: u64,
    /// The first [`LISTED_MAX`] errors, in row order.
    pub errors: Vec<RowError>,
    /// Rows imported that deserve a look: a customer created although it shares a phone,
    /// email or name with an existing one (`possible_duplicate`).
    pub warning_rows: u64,
    /// The first [`LISTED_MAX`] warnings, in row order, each naming the existing customer.
    pub warnings: Vec<RowError>,
    pub date_order_examples: Vec<DateExample>,
    /// The day/month order used: given, or settled by the file.
    pub day_first: Option<bool>,
    /// The platform whose order export the file is, read with that platform's mapping.
    pub platform: Option<Platform>,
}

/// What the UI shows before an import: how the file reads and how it would be mapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Preview {
    pub source: SourceInfo,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    /// Whether the mapping came from one saved for these headers.
    pub mapping_saved: bool,
    pub missing_fields: Vec<Field>,
    pub unmapped_headers: Vec<String>,
    /// The first rows, cells as text.
    pub rows: Vec<Vec<String>>,
    /// The platform whose order export the file is, read with that platform's mapping.
    pub platform: Option<Platform>,
}
