//! Errors of the core, and the `{code, message, details}` shape they take at the edge.

use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;

/// A rule a field failed; the UI translates `validation.<rule>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Required,
    TooLong,
    InvalidEmail,
    InvalidPhone,
    /// Not one of the allowed values.
    InvalidChoice,
    /// Refers to a customer (or other record) that does not exist.
    UnknownReference,
    /// A customer cannot refer to itself.
    SelfReference,
    /// Another record already uses this value (external ids are unique).
    Taken,
    /// Too many items (tags …); `limit` says how many are allowed.
    TooMany,
    /// A number or date outside its allowed range.
    OutOfRange,
    /// Not a date, amount or number in a form Headtail reads.
    Unparseable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct FieldError {
    pub field: String,
    pub rule: Rule,
    /// The limit the rule enforces, for `too_long`.
    pub limit: Option<u32>,
}

impl FieldError {
    pub fn new(field: &str, rule: Rule) -> Self {
        Self { field: field.to_owned(), rule, limit: None }
    }
    pub fn too_long(field: &str, limit: usize) -> Self {
        Self { field: field.to_owned(), rule: Rule::TooLong, limit: u32::try_from(limit).ok() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input: {}", describe_fields(.0))]
    Validation(Vec<FieldError>),
    #[error("{entity} {id} was not found")]
    NotFound { entity: &'static str, id: i64 },
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("the database was written by a newer version of Headtail (schema {found}, this version knows up to {supported}); update Headtail to open it")]
    DatabaseTooNew { found: i64, supported: i64 },
    #[error("{path} is not a Headtail database or is damaged: {reason}")]
    DatabaseCorrupt { path: String, reason: String },
    #[error(
        "{backup} is a backup of another database; restoring it would replace this database's data with that one's"
    )]
    BackupOfAnotherDatabase { backup: String },
    #[error("there is no database at {path}; check the path, or start the app once to create one")]
    NoDatabase { path: String },
    #[error(
        "{path} can only be read here (read-only media or folder): viewing and export work, changes cannot be saved"
    )]
    ReadOnly { path: String },
    #[error("Headtail cannot create its database in {dir}: the folder cannot be written; choose another place with --db PATH or HEADTAIL_DB")]
    FolderNotWritable { dir: String },
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("database connection error: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn describe_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| match f.limit {
            Some(limit) => format!("{} ({:?}, max {limit})", f.field, f.rule),
            None => format!("{} ({:?})", f.field, f.rule),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stable machine-readable error codes; the UI translates `error.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Validation,
    NotFound,
    InvalidArgument,
    DatabaseTooNew,
    DatabaseCorrupt,
    BackupOfAnotherDatabase,
    NoDatabase,
    ReadOnly,
    FolderNotWritable,
    Database,
    Io,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
pub struct ErrorDetails {
    /// Per-field failures, shown next to each field.
    pub fields: Vec<FieldError>,
    /// Values the translated message interpolates (`{{found}}`, `{{id}}` …).
    pub params: BTreeMap<String, String>,
}

/// What the UI and the command line receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    /// English text for logs and the command line; the UI shows its own translation of `code`.
    pub message: String,
    pub details: ErrorDetails,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::Validation,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::DatabaseTooNew { .. } => ErrorCode::DatabaseTooNew,
            Error::DatabaseCorrupt { .. } => ErrorCode::DatabaseCorrupt,
            Error::BackupOfAnotherDatabase { .. } => ErrorCode::BackupOfAnotherDatabase,
            Error::NoDatabase { .. } => ErrorCode::NoDatabase,
            Error::ReadOnly { .. } => ErrorCode::ReadOnly,
            Error::FolderNotWritable { .. } => ErrorCode::FolderNotWritable,
            Error::Database(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ReadOnly => {
                ErrorCode::ReadOnly
            }
            Error::Database(_) | Error::Pool(_) | Error::Migration(_) => ErrorCode::Database,
            Error::Io(_) => ErrorCode::Io,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        let mut details = ErrorDetails::default();
        match self {
            Error::Validation(fields) => details.fields = fields.clone(),
            Error::NotFound { entity, id } => {
                details.params.insert("entity".into(), (*entity).into());
                details.params.insert("id".into(), id.to_string());
            }
            Error::DatabaseTooNew { found, supported } => {
                details.params.insert("found".into(), found.to_string());
                details.params.insert("supported".into(), supported.to_string());
            }
            Error::DatabaseCorrupt { path, .. } => {
                details.params.insert("path".into(), path.clone());
            }
            Error::BackupOfAnotherDatabase { backup } => {
                details.params.insert("path".into(), backup.clone());
            }
            Error::NoDatabase { path } | Error::ReadOnly { path } => {
                details.params.insert("path".into(), path.clone());
            }
            Error::FolderNotWritable { dir } => {
                details.params.insert("path".into(), dir.clone());
            }
            Error::InvalidArgument(reason) => {
                details.params.insert("reason".into(), reason.clone());
            }
            Error::Database(_) | Error::Pool(_) | Error::Migration(_) | Error::Io(_) => {}
        }
        ErrorPayload { code: self.code(), message: self.to_string(), details }
    }
}

impl From<Error> for ErrorPayload {
    fn from(e: Error) -> Self {
        e.payload()
    }
}
