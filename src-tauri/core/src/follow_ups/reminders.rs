//! Desktop reminders of follow-ups falling due: which open follow-ups to announce, each once.
//!
//! Claiming a follow-up and marking it notified is one `UPDATE … RETURNING`, so two windows
//! or two processes on the same file never announce the same follow-up: whoever claims it
//! first gets it, the other gets nothing. Follow-ups of deleted or erased customers are left
//! alone (a restored customer's are announced once it is back).

use crate::customers::timestamp;
use crate::error::Result;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rusqlite::{params, Connection};

/// At most this many customer names in a summary.
pub const SUMMARY_NAMES: usize = 3;

/// An open follow-up that fell due, with what its notification shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub follow_up_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub due_at: NaiveDateTime,
    pub reason: Option<String>,
}

/// Several follow-ups told in one notification: how many, and the first customers' names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueSummary {
    pub count: usize,
    /// Distinct names, earliest due first, at most [`SUMMARY_NAMES`].
    pub names: Vec<String>,
    /// More customers than `names` holds.
    pub more: bool,
}

/// What to show for follow-ups claimed together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// One notification each (none when nothing fell due).
    Each(Vec<DueReminder>),
    Summary(OverdueSummary),
}

/// Claims the open follow-ups of live customers due at or before `now` (local wall-clock
/// time, as due times are kept) that were never announced, and marks them notified at `now`.
/// Earliest due first.
pub fn take_due<Tz: TimeZone>(conn: &Connection, now: &DateTime<Tz>) -> Result<Vec<DueReminder>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE follow_ups SET notified_at = ?2
          WHERE notified_at IS NULL AND completed_at IS NULL AND due_at <= ?1
            AND EXISTS (SELECT 1 FROM customers c WHERE c.id = follow_ups.customer_id
                          AND c.deleted_at IS NULL AND c.erased_at IS NULL)
          RETURNING id, customer_id, due_at, reason,
                    (SELECT name FROM customers c WHERE c.id = follow_ups.customer_id)",
    )?;
    let mut due = stmt
        .query_map(params![now.naive_local(), timestamp(now.with_timezone(&Utc))], |r| {
            Ok(DueReminder {
                follow_up_id: r.get(0)?,
                customer_id: r.get(1)?,
                due_at: r.get(2)?,
                reason: r.get(3)?,
                customer_name: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // RETURNING gives rows in no promised order.
    due.sort_by_key(|d| (d.due_at, d.follow_up_id));
    Ok(due)
}

/// At start: claims every overdue follow-up never announced, to be told in one notification
/// instead of one each; a single one is still told on its own, so it can open its customer.
pub fn overdue_summary<Tz: TimeZone>(conn: &Connection, now: &DateTime<Tz>) -> Result<Announcement> {
    Ok(announcement(take_due(conn, now)?, 1))
}

/// Follow-ups claimed together, one notification each while there are at most `one_by_one`,
/// otherwise summarised (after the machine slept through many, say).
pub fn announcement(due: Vec<DueReminder>, one_by_one: usize) -> Announcement {
    if due.len() <= one_by_one {
        return Announcement::Each(due);
    }
    let mut names: Vec<String> = Vec::new();
    let mut more = false;
    for d in &due {
        if names.contains(&d.customer_name) {
            continue;
        }
        if names.len() == SUMMARY_NAMES {
            more = true;
            break;
        }
        names.push(d.customer_name.clone());
    }
    Announcement::Summary(OverdueSummary { count: due.len(), names, more })
}

/// The earliest due time after `now` of a follow-up still to be announced, to wake up right
/// then. Called in the transaction that has just claimed everything due by `now`, so nothing
/// earlier is left to wait for; starting the walk of the open follow-ups at `now` skips the
/// ones already announced, which on a large database are most of them (a hundred thousand
/// rows read on every check otherwise). One due by `now` but not claimed (its customer is in
/// the trash) is claimed by a later check once the customer is back.
pub fn next_due<Tz: TimeZone>(conn: &Connection, now: &DateTime<Tz>) -> Result<Option<NaiveDateTime>> {
    Ok(conn
        .prepare_cached(
            "SELECT min(f.due_at) FROM follow_ups f JOIN customers c ON c.id = f.customer_id
              WHERE f.due_at > ?1 AND f.notified_at IS NULL AND f.completed_at IS NULL
                AND c.deleted_at IS NULL AND c.erased_at IS NULL",
        )?
        .query_row([now.naive_local()], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn reminder(id: i64, name: &str) -> DueReminder {
        let due_at = NaiveDate::from_ymd_opt(2026, 12, 6).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("valid");
        DueReminder { follow_up_id: id, customer_id: id, customer_name: name.into(), due_at, reason: None }
    }

    #[test]
    fn up_to_the_limit_each_is_told_on_its_own() {
        let due = vec![reminder(1, "张伟"), reminder(2, "李娜")];
        assert_eq!(announcement(due.clone(), 2), Announcement::Each(due));
        assert_eq!(announcement(Vec::new(), 1), Announcement::Each(Vec::new()));
    }

    #[test]
    fn a_summary_names_each_customer_once_and_says_when_there_are_more() {
        let due = ["张伟", "张伟", "李娜", "王芳"].iter().enumerate().map(|(i, n)| reminder(i as i64, n)).collect();
        let expected =
            OverdueSummary { count: 4, names: vec!["张伟".into(), "李娜".into(), "王芳".into()], more: false };
        assert_eq!(announcement(due, 1), Announcement::Summary(expected));
        let due = ["A", "B", "C", "D", "E"].iter().enumerate().map(|(i, n)| reminder(i as i64, n)).collect();
        let expected = OverdueSummary { count: 5, names: vec!["A".into(), "B".into(), "C".into()], more: true };
        assert_eq!(announcement(due, 3), Announcement::Summary(expected));
    }
}
