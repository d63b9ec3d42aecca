//! The agenda: open follow-ups in four buckets by due time, for one owner or everyone.
//!
//! Overdue is due before now; today is from now to midnight; this week runs on to the end of
//! Sunday (ISO weeks start on Monday); later is everything after. All in local wall-clock
//! time, as due times are kept.

use super::{from_row, FollowUp};
use crate::error::Result;
use crate::page::{page_limit, Page};
use chrono::{Datelike, Days, NaiveDateTime, NaiveTime};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(
    AgendaBucket { Overdue = "overdue", Today = "today", ThisWeek = "this_week", Later = "later" }
);

/// The bounds of the buckets at `now`: [start, end) of each, `None` for open ends.
pub fn bucket_range(bucket: AgendaBucket, now: NaiveDateTime) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
    let midnight = now.date().checked_add_days(Days::new(1)).map(|d| d.and_time(NaiveTime::MIN));
    let days_to_monday = u64::from(7 - now.date().weekday().num_days_from_monday());
    let week_end = now.date().checked_add_days(Days::new(days_to_monday)).map(|d| d.and_time(NaiveTime::MIN));
    match bucket {
        AgendaBucket::Overdue => (None, Some(now)),
        AgendaBucket::Today => (Some(now), midnight),
        AgendaBucket::ThisWeek => (midnight, week_end),
        AgendaBucket::Later => (week_end, None),
    }
}

/// An open follow-up with what the agenda shows of its customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AgendaItem {
    pub follow_up: FollowUp,
    pub customer_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AgendaQuery {
    /// One owner's follow-ups, or everyone's.
    pub owner: Option<String>,
    pub bucket: AgendaBucket,
    pub offset: u32,
    /// 0 means the default page size.
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AgendaCounts {
    pub overdue: u32,
    pub today: u32,
    pub this_week: u32,
    pub later: u32,
}

/// Open follow-ups of one owner or all (`?1`) due in [`?2`, `?3`), written with only the
/// filter and bounds a call has: a condition written `?2 IS NULL OR f.due_at >= ?2` keeps
/// SQLite from reading a due-time index by range, while `?2 IS NULL` alone is a constant.
fn open_in(owner: Option<&str>, from: Option<NaiveDateTime>, to: Option<NaiveDateTime>) -> String {
    let owner = if owner.is_some() { "f.owner = ?1" } else { "?1 IS NULL" };
    let from = if from.is_some() { "f.due_at >= ?2" } else { "?2 IS NULL" };
    let to = if to.is_some() { "f.due_at < ?3" } else { "?3 IS NULL" };
    format!("f.completed_at IS NULL AND {owner} AND {from} AND {to}")
}

/// Deleted and erased customers `c`: the condition of the partial index that holds only them
/// (by owner), to be read with `customers c INDEXED BY customers_not_live`.
pub(crate) const NOT_LIVE: &str = "(c.deleted_at IS NOT NULL OR c.erased_at IS NOT NULL)";

/// Every open follow-up in range is counted from its due-time index alone, then those of
/// deleted and erased customers (few) are taken off: joining every counted row to its
/// customer read a million-row table 200,000 times.
fn count_in(conn: &Connection, owner: Option<&str>, bucket: AgendaBucket, now: NaiveDateTime) -> Result<u32> {
    let (from, to) = bucket_range(bucket, now);
    let open = open_in(owner, from, to);
    let all: u32 = conn
        .prepare_cached(&format!("SELECT count(*) FROM follow_ups f WHERE {open}"))?
        .query_row(params![owner, from, to], |r| r.get(0))?;
    let not_live: u32 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM customers c INDEXED BY customers_not_live
               CROSS JOIN follow_ups f INDEXED BY follow_ups_open_customer ON f.customer_id = c.id
             WHERE {NOT_LIVE} AND {open}"
        ))?
        .query_row(params![owner, from, to], |r| r.get(0))?;
    Ok(all.saturating_sub(not_live))
}

/// How many open follow-ups are in each bucket.
pub fn counts(conn: &Connection, owner: Option<&str>, now: NaiveDateTime) -> Result<AgendaCounts> {
    Ok(AgendaCounts {
        overdue: count_in(conn, owner, AgendaBucket::Overdue, now)?,
        today: count_in(conn, owner, AgendaBucket::Today, now)?,
        this_week: count_in(conn, owner, AgendaBucket::ThisWeek, now)?,
        later: count_in(conn, owner, AgendaBucket::Later, now)?,
    })
}

/// One page of a bucket, earliest due first.
pub fn agenda(conn: &Connection, query: &AgendaQuery, now: NaiveDateTime) -> Result<Page<AgendaItem>> {
    let owner = query.owner.as_deref();
    let (from, to) = bucket_range(query.bucket, now);
    let total = count_in(conn, owner, query.bucket, now)?;
    let columns = super::COLUMNS.split(',').map(|c| format!("f.{}", c.trim())).collect::<Vec<_>>().join(", ");
    // The follow-ups first, in the order of their due-time index; a page reads a page of
    // customers.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns}, c.name FROM follow_ups f CROSS JOIN customers c ON c.id = f.customer_id
         WHERE {} AND c.deleted_at IS NULL AND c.erased_at IS NULL
         ORDER BY f.due_at, f.id LIMIT ?4 OFFSET ?5",
        open_in(owner, from, to)
    ))?;
    let items = stmt
        .query_map(params![owner, from, to, page_limit(query.limit), query.offset], |r| {
            Ok(AgendaItem { follow_up: from_row(r)?, customer_name: r.get(11)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page { items, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("valid")
    }

    #[test]
    fn buckets_run_to_midnight_and_to_the_end_of_sunday() {
        // Wednesday 2 December 2026, 10:00.
        let now = at(2, 10);
        assert_eq!(bucket_range(AgendaBucket::Overdue, now), (None, Some(now)));
        assert_eq!(bucket_range(AgendaBucket::Today, now), (Some(now), Some(at(3, 0))));
        assert_eq!(bucket_range(AgendaBucket::ThisWeek, now), (Some(at(3, 0)), Some(at(7, 0))));
        assert_eq!(bucket_range(AgendaBucket::Later, now), (Some(at(7, 0)), None));
        // On a Sunday the week has no days left after today.
        let sunday = at(6, 23);
        assert_eq!(bucket_range(AgendaBucket::ThisWeek, sunday), (Some(at(7, 0)), Some(at(7, 0))));
    }
}
