//! The exit status of every subcommand, one table for all (the README prints it):
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done (or, with `--dry-run`, checked) |
//! | 1 | refused: bad rows, a decision the file leaves open, invalid settings, a backup of another database, a missing or wrong passphrase, or the database failed the operation; nothing was written |
//! | 2 | could not start: wrong arguments, a file or database that is missing, unreadable, not a Headtail database, from a newer Headtail, or read-only |
//! | 3 | busy: another evaluation is running on this database; try again when it ends |

use headtail_core::error::ErrorCode;
use headtail_core::Error;
use std::process::ExitCode;

pub const DONE: u8 = 0;
pub const REFUSED: u8 = 1;
pub const CANNOT_START: u8 = 2;
pub const BUSY: u8 = 3;

/// Why a subcommand stopped, with the status it exits with.
#[derive(Debug)]
pub struct Failure {
    pub status: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self { status: CANNOT_START, message: message.into() }
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self { status: REFUSED, message: message.into() }
    }

    /// Prints the message and gives the status.
    pub fn exit(self) -> ExitCode {
        eprintln!("headtail: {}", self.message);
        ExitCode::from(self.status)
    }
}

/// The status a core error exits with.
pub fn status_of(e: &Error) -> u8 {
    match e.code() {
        ErrorCode::Validation
        | ErrorCode::BackupOfAnotherDatabase
        | ErrorCode::Database
        | ErrorCode::Internal
        | ErrorCode::PassphraseRequired
        | ErrorCode::WrongPassphrase => REFUSED,
        ErrorCode::NotFound
        | ErrorCode::InvalidArgument
        | ErrorCode::UnreadableFile
        | ErrorCode::DatabaseTooNew
        | ErrorCode::DatabaseCorrupt
        | ErrorCode::NoDatabase
        | ErrorCode::ReadOnly
        | ErrorCode::FolderNotWritable
        | ErrorCode::Io => CANNOT_START,
        ErrorCode::Conflict => BUSY,
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self { status: status_of(&e), message: e.to_string() }
    }
}
