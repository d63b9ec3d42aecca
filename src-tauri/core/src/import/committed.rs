//! An import as the app and the command line run it: into a [`Database`], followed by what a
//! committed import implies. Orders it recorded bring their customers' standings up to date
//! ([`orders::refresh_standings`], the rule of the order form too); customers it created join
//! the search index ([`complete_search`], which the caller runs when it suits it: the app on
//! a background thread, the command line before it exits).

use super::{import_file, ImportKind, ImportOptions, ImportReport, ImportStatus, Progress};
use crate::db::Database;
use crate::error::Result;
use crate::orders::{self, Recorded, StandingsRefreshed};
use chrono::{DateTime, Local, Utc};
use std::path::Path;
use std::time::Instant;

/// Imports `path` ([`import_file`] on one connection of `db`); when the import committed
/// orders, their customers' standings are then brought up to date as of `now`'s local date.
/// `Err` only for what stops the import itself; the standings' outcome comes apart.
pub fn import_into(
    db: &Database,
    path: &Path,
    options: &ImportOptions,
    now: DateTime<Utc>,
    progress: impl FnMut(Progress),
) -> Result<Recorded<ImportReport>> {
    let report = db.with_conn(|conn| import_file(conn, path, options, now, progress))?;
    let standings = match report.batch_id {
        Some(batch) if report.status == ImportStatus::Imported && report.kind == ImportKind::Orders => {
            let today = now.with_timezone(&Local).date_naive();
            db.with_conn(|conn| orders::customers_of_batch(conn, batch))
                .and_then(|customers| orders::refresh_standings(db, &customers, today))
        }
        _ => Ok(StandingsRefreshed { customers: 0, seconds: 0.0 }),
    };
    Ok(Recorded { value: report, standings })
}

/// How the search index caught up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCompleted {
    pub customers: u64,
    pub seconds: f64,
}

/// Adds the search entries a committed import left waiting (a large one defers them, see
/// [`crate::search::catch_up`]), and any an import cut short after its commit left. What is
/// not added now is added the next time this runs, at the app's start at the latest.
pub fn complete_search(db: &Database) -> Result<SearchCompleted> {
    let started = Instant::now();
    let customers = db.with_conn(crate::search::catch_up)?;
    Ok(SearchCompleted { customers, seconds: started.elapsed().as_secs_f64() })
}
