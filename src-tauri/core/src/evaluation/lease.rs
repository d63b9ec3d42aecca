//! One evaluation at a time per database, across processes: the app and a scheduled
//! `headtail evaluate` share the file, so the guard lives in it, not in one process's memory.
//!
//! The holder renews its lease every few seconds from a thread of its own; a lease not
//! renewed for [`STALE_AFTER`], or whose holder's process is gone, belongs to a process that
//! died (killed, crashed, power cut), and the next evaluation takes it over. Only a holder removes half-saved runs, so a run
//! another process is still saving is never deleted under it. A holder that lost its lease
//! (suspended past the stale time) finds out when it marks its run complete and fails
//! instead of completing a run it no longer owns.

use crate::db::Database;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the holder renews its lease.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);
/// A lease not renewed for this long is taken to be left by a process that died.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// The right to save an evaluation run; released when dropped.
#[derive(Debug)]
pub struct Lease {
    db: Database,
    holder: String,
    renewal: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Lease {
    /// Takes the lease, or fails with a conflict while another evaluation holds it. Runs left
    /// half-saved by a holder that died are removed.
    pub fn take(db: &Database, now: DateTime<Utc>) -> Result<Self> {
        let holder = format!("{}-{}", std::process::id(), now.timestamp_nanos_opt().unwrap_or_default());
        db.with_tx(|tx| {
            let current: Option<(String, String)> = tx
                .query_row("SELECT holder, renewed_at FROM evaluation_lease", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((held_by, renewed_at)) = current {
                let renewed = DateTime::parse_from_rfc3339(&renewed_at).map(|t| t.with_timezone(&Utc)).ok();
                let stale = chrono::Duration::from_std(STALE_AFTER).unwrap_or_default();
                if renewed.is_some_and(|at| now - at < stale) && !holder_died(&held_by) {
                    return Err(Error::Conflict("an evaluation is already running on this database".into()));
                }
            }
            tx.execute(
                "INSERT INTO evaluation_lease (singleton, holder, taken_at, renewed_at) VALUES (1, ?1, ?2, ?2)
                 ON CONFLICT (singleton) DO UPDATE SET holder = ?1, taken_at = ?2, renewed_at = ?2",
                params![holder, now.to_rfc3339()],
            )?;
            // Nobody else can be saving now: what is half-saved was left by a crash.
            tx.execute("DELETE FROM evaluation_runs WHERE complete = 0", [])?;
            super::store::drop_saving(tx)
        })?;
        let renewal = spawn_renewal(db.clone(), holder.clone());
        Ok(Self { db: db.clone(), holder, renewal: Some(renewal) })
    }

    /// Fails unless this lease is still held; call inside the transaction that completes a run.
    pub fn confirm(&self, conn: &Connection) -> Result<()> {
        let held: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM evaluation_lease WHERE holder = ?1)", [&self.holder], |r| {
                r.get(0)
            })?;
        if held {
            Ok(())
        } else {
            Err(Error::Conflict("another evaluation took over this one's place after it stalled".into()))
        }
    }
}

/// Whether the process named in `holder` ("pid-…") is known to have ended, so its lease need
/// not be waited out: a run killed a moment ago leaves its lease fresh. Where this cannot be
/// told (another OS, or the holder on another machine sharing the file), the lease goes
/// stale by time alone.
fn holder_died(holder: &str) -> bool {
    let Some(pid) = holder.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { return false };
    if pid == std::process::id() {
        return false;
    }
    cfg!(target_os = "linux") && !Path::new(&format!("/proc/{pid}")).exists()
}

fn spawn_renewal(db: Database, holder: String) -> (Sender<()>, JoinHandle<()>) {
    let (stop, stopped) = mpsc::channel::<()>();
    let handle = std::thread::spawn(move || loop {
        match stopped.recv_timeout(RENEW_EVERY) {
            Err(RecvTimeoutError::Timeout) => {
                let renewed = db.with_conn(|c| {
                    Ok(c.execute(
                        "UPDATE evaluation_lease SET renewed_at = ?2 WHERE holder = ?1",
                        params![holder, Utc::now().to_rfc3339()],
                    )?)
                });
                // Lost or unreachable: the run finds out when it confirms.
                if !matches!(renewed, Ok(1)) {
                    return;
                }
            }
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
    });
    (stop, handle)
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some((stop, handle)) = self.renewal.take() {
            let _ = stop.send(());
            let _ = handle.join();
        }
        // A failed release only delays the next evaluation until the lease is stale.
        let _ = self.db.with_conn(|c| Ok(c.execute("DELETE FROM evaluation_lease WHERE holder = ?1", [&self.holder])?));
    }
}
