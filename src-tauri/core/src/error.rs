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
    /// A time to come (a follow-up's due time) that has already passed.
    InPast,
    /// Taking away more loyalty points than the balance holds; `limit` is the balance.
    NotEnoughPoints,
    /// Holds a control character (U+0000-U+001F but tab and line breaks, U+007F).
    ControlCharacter,
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
    /// A file named by the user is not there (a backup chosen by name). A file missing when
    /// it is opened is an [`Error::Io`] of kind `NotFound`, with the same code.
    #[error("file {0} was not found")]
    FileNotFound(String),
    /// A value the caller should not have sent: out of range, of the wrong form, more than a
    /// format holds.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The request is sound, but the state of things does not allow it now: an evaluation
    /// already running, a complaint already resolved, an import already reverted.
    #[error("{0}")]
    Conflict(String),
    /// A file that cannot be read as a table: empty, not CSV, a damaged workbook.
    #[error("{0}")]
    UnreadableFile(String),
    /// What should not happen: a worker thread that died, a value that would not serialise,
    /// stored data that no longer reads.
    #[error("internal error: {0}")]
    Internal(String),
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
    #[error("{path} is encrypted: give its passphrase (HEADTAIL_PASSPHRASE, or type it when asked)")]
    PassphraseRequired { path: String },
    #[error("the passphrase does not open {path}; the file was left as it was")]
    WrongPassphrase { path: String },
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
    // A record, or a file (`params.entity` is then "file"), is not there.
    NotFound,
    InvalidArgument,
    Conflict,
    UnreadableFile,
    Internal,
    DatabaseTooNew,
    DatabaseCorrupt,
    BackupOfAnotherDatabase,
    NoDatabase,
    ReadOnly,
    FolderNotWritable,
    PassphraseRequired,
    WrongPassphrase,
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

/// `params.entity` of a missing file.
const FILE: &str = "file";

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::Validation,
            Error::NotFound { .. } | Error::FileNotFound(_) => ErrorCode::NotFound,
            Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound => ErrorCode::NotFound,
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::UnreadableFile(_) => ErrorCode::UnreadableFile,
            Error::Internal(_) => ErrorCode::Internal,
            Error::DatabaseTooNew { .. } => ErrorCode::DatabaseTooNew,
            Error::DatabaseCorrupt { .. } => ErrorCode::DatabaseCorrupt,
            Error::BackupOfAnotherDatabase { .. } => ErrorCode::BackupOfAnotherDatabase,
            Error::NoDatabase { .. } => ErrorCode::NoDatabase,
            Error::ReadOnly { .. } => ErrorCode::ReadOnly,
            Error::FolderNotWritable { .. } => ErrorCode::FolderNotWritable,
            Error::PassphraseRequired { .. } => ErrorCode::PassphraseRequired,
            Error::WrongPassphrase { .. } => ErrorCode::WrongPassphrase,
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
            Error::NoDatabase { path }
            | Error::ReadOnly { path }
            | Error::PassphraseRequired { path }
            | Error::WrongPassphrase { path } => {
                details.params.insert("path".into(), path.clone());
            }
            Error::FolderNotWritable { dir } => {
                details.params.insert("path".into(), dir.clone());
            }
            Error::FileNotFound(name) => {
                details.params.insert("entity".into(), FILE.into());
                details.params.insert("name".into(), name.clone());
            }
            Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                details.params.insert("entity".into(), FILE.into());
            }
            Error::InvalidArgument(reason)
            | Error::Conflict(reason)
            | Error::UnreadableFile(reason)
            | Error::Internal(reason) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code_and_params(e: Error) -> (serde_json::Value, BTreeMap<String, String>) {
        let payload = e.payload();
        (serde_json::to_value(payload.code).expect("code"), payload.details.params)
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn each_kind_of_failure_has_its_own_code() {
        let (code, p) = code_and_params(Error::Conflict("an evaluation is already running".into()));
        assert_eq!((code, p), ("conflict".into(), params(&[("reason", "an evaluation is already running")])));
        let (code, p) = code_and_params(Error::Internal("order scan failed".into()));
        assert_eq!((code, p), ("internal".into(), params(&[("reason", "order scan failed")])));
        let (code, _) = code_and_params(Error::UnreadableFile("orders.csv is empty: it has no header row".into()));
        assert_eq!(code, "unreadable_file");
        let (code, _) = code_and_params(Error::InvalidArgument("UTC offset 900 minutes is out of range".into()));
        assert_eq!(code, "invalid_argument");
        let (code, p) = code_and_params(Error::NotFound { entity: "customer", id: 7 });
        assert_eq!((code, p), ("not_found".into(), params(&[("entity", "customer"), ("id", "7")])));
    }

    #[test]
    fn a_missing_file_is_not_found_whether_named_or_met_on_opening() {
        let (code, p) = code_and_params(Error::FileNotFound("headtail-20260301-080000.sqlite".into()));
        assert_eq!(
            (code, p),
            ("not_found".into(), params(&[("entity", "file"), ("name", "headtail-20260301-080000.sqlite")]))
        );
        let missing = std::fs::File::open("/nonexistent/orders.csv").expect_err("no such file");
        assert_eq!(code_and_params(Error::Io(missing)), ("not_found".into(), params(&[("entity", "file")])));
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(code_and_params(Error::Io(denied)), ("io".into(), params(&[])));
    }

    #[test]
    fn conflicts_and_unreadable_files_read_as_their_reason() {
        assert_eq!(
            Error::Conflict("complaint 3 is already resolved".into()).to_string(),
            "complaint 3 is already resolved"
        );
        assert_eq!(Error::Internal("x".into()).to_string(), "internal error: x");
    }
}
