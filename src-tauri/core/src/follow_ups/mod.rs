//! Follow-ups: what someone must do for a customer, and by when. An interaction schedules
//! its next step as one, a detractor survey answer creates one for the customer's owner, and
//! they can be scheduled by hand or for a whole selection of customers.
//!
//! Due times are local wall-clock time, as interactions are: "tomorrow at nine" means nine on
//! the user's clock. A follow-up is open until it is completed.

use crate::activity::{clean, Checks};
use crate::customers::timestamp;
use crate::error::{Error, Result, Rule};
use chrono::{DateTime, Datelike, Days, Duration, NaiveDateTime, NaiveTime, Timelike, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub mod agenda;
pub mod reminders;

pub const REASON_MAX: usize = 500;
pub const OWNER_MAX: usize = 100;

text_enum!(
    /// What asked for the follow-up.
    FollowUpSource {
        Manual = "manual",
        Interaction = "interaction",
        Detractor = "detractor",
        Complaint = "complaint",
        Bulk = "bulk",
    }
);

/// A follow-up to schedule. A missing owner means the customer's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FollowUpInput {
    pub customer_id: i64,
    pub due_at: NaiveDateTime,
    pub owner: Option<String>,
    pub reason: Option<String>,
    pub source: FollowUpSource,
    pub interaction_id: Option<i64>,
    pub survey_response_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FollowUp {
    pub id: i64,
    pub customer_id: i64,
    pub due_at: NaiveDateTime,
    pub owner: Option<String>,
    pub reason: Option<String>,
    pub source: FollowUpSource,
    pub interaction_id: Option<i64>,
    pub survey_response_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub answered_by: Option<i64>,
}

pub(crate) const COLUMNS: &str = "id, customer_id, due_at, owner, reason, source, interaction_id, survey_response_id,
     created_at, completed_at, answered_by";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        due_at: r.get(2)?,
        owner: r.get(3)?,
        reason: r.get(4)?,
        source: r.get(5)?,
        interaction_id: r.get(6)?,
        survey_response_id: r.get(7)?,
        created_at: r.get(8)?,
        completed_at: r.get(9)?,
        answered_by: r.get(10)?,
    })
}

/// Schedules a follow-up; without an owner it goes to the customer's owner.
pub fn schedule(conn: &Connection, input: FollowUpInput, now: DateTime<Utc>) -> Result<FollowUp> {
    let input = FollowUpInput { owner: clean(input.owner), reason: clean(input.reason), ..input };
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", input.customer_id)?;
    checks.max_len("owner", input.owner.as_deref(), OWNER_MAX);
    checks.max_len("reason", input.reason.as_deref(), REASON_MAX);
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO follow_ups (customer_id, due_at, owner, reason, source, interaction_id, survey_response_id, created_at)
         VALUES (?1, ?2, coalesce(?3, (SELECT owner FROM customers WHERE id = ?1)), ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        input.customer_id,
        input.due_at,
        input.owner,
        input.reason,
        input.source,
        input.interaction_id,
        input.survey_response_id,
        timestamp(now)
    ])?;
    get(conn, conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<FollowUp> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM follow_ups WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "follow-up", id })
}

/// How many completed follow-ups a customer's list shows beside the open ones.
pub const RECENT_COMPLETED: u32 = 10;

/// A follow-up scheduled by hand, from the agenda or a customer's profile. A missing owner
/// means the customer's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct NewFollowUp {
    pub customer_id: i64,
    pub due_at: NaiveDateTime,
    pub owner: Option<String>,
    pub reason: Option<String>,
}

text_enum!(
    /// How far a follow-up is put off.
    SnoozeFor { OneHour = "one_hour", Tomorrow = "tomorrow", NextWeek = "next_week" }
);

/// When the day's work starts: snoozing to another day lands here.
pub const WORKDAY_START: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("nine o'clock is a time"),
};

impl SnoozeFor {
    /// The new due time at local time `now`: an hour on (to the minute), nine tomorrow, or
    /// nine on the coming Monday (a week on when today is Monday).
    pub fn target(self, now: NaiveDateTime) -> NaiveDateTime {
        let day_at_nine = |days: u64| {
            now.date().checked_add_days(Days::new(days)).map_or(NaiveDateTime::MAX, |d| d.and_time(WORKDAY_START))
        };
        match self {
            SnoozeFor::OneHour => whole_minute(now + Duration::hours(1)),
            SnoozeFor::Tomorrow => day_at_nine(1),
            SnoozeFor::NextWeek => day_at_nine(u64::from(7 - now.weekday().num_days_from_monday())),
        }
    }
}

/// Due times are kept to the minute: what the pickers offer and what the agenda shows.
fn whole_minute(at: NaiveDateTime) -> NaiveDateTime {
    at.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(at)
}

/// Fails `field` when `due_at` is before the current minute of local time `now`; the
/// minute itself is allowed, as a picker set to "now" gives it.
pub fn check_not_past(checks: &mut Checks, field: &str, due_at: NaiveDateTime, now: NaiveDateTime) {
    if due_at < whole_minute(now) {
        checks.fail(field, Rule::InPast);
    }
}

/// Schedules a follow-up by hand, due from now on (`now` is local time, `at` the instant).
pub fn schedule_by_hand(
    conn: &Connection,
    input: NewFollowUp,
    now: NaiveDateTime,
    at: DateTime<Utc>,
) -> Result<FollowUp> {
    let mut checks = Checks::default();
    check_not_past(&mut checks, "due_at", input.due_at, now);
    checks.finish()?;
    let NewFollowUp { customer_id, due_at, owner, reason } = input;
    schedule(
        conn,
        FollowUpInput {
            customer_id,
            due_at,
            owner,
            reason,
            source: FollowUpSource::Manual,
            interaction_id: None,
            survey_response_id: None,
        },
        at,
    )
}

/// Completes a follow-up; completing a completed one keeps its first completion.
pub fn complete(conn: &Connection, id: i64, at: DateTime<Utc>) -> Result<FollowUp> {
    get(conn, id)?;
    conn.prepare_cached("UPDATE follow_ups SET completed_at = ?2 WHERE id = ?1 AND completed_at IS NULL")?
        .execute(params![id, timestamp(at)])?;
    get(conn, id)
}

/// Completes the open follow-up `id` of `customer_id` as answered by an interaction. Fails
/// the `field` when it is another customer's or already completed.
pub(crate) fn answer(
    conn: &Connection,
    checks: &mut Checks,
    field: &str,
    id: i64,
    customer_id: i64,
) -> Result<Option<FollowUp>> {
    match get(conn, id) {
        Ok(f) if f.customer_id != customer_id => checks.fail(field, Rule::UnknownReference),
        Ok(f) if f.completed_at.is_some() => checks.fail(field, Rule::InvalidChoice),
        Ok(f) => return Ok(Some(f)),
        Err(Error::NotFound { .. }) => checks.fail(field, Rule::UnknownReference),
        Err(e) => return Err(e),
    }
    Ok(None)
}

/// Marks the answered follow-up completed by interaction `interaction_id`.
pub(crate) fn mark_answered(conn: &Connection, id: i64, interaction_id: i64, at: DateTime<Utc>) -> Result<FollowUp> {
    conn.prepare_cached(
        "UPDATE follow_ups SET completed_at = ?2, answered_by = ?3 WHERE id = ?1 AND completed_at IS NULL",
    )?
    .execute(params![id, timestamp(at), interaction_id])?;
    get(conn, id)
}

/// Puts a completed follow-up back on the agenda, no longer answered by anything.
pub fn reopen(conn: &Connection, id: i64) -> Result<FollowUp> {
    get(conn, id)?;
    conn.prepare_cached("UPDATE follow_ups SET completed_at = NULL, answered_by = NULL WHERE id = ?1")?
        .execute([id])?;
    get(conn, id)
}

/// Moves an open follow-up to `due_at`, which may not be in the past (`now` is local time).
pub fn reschedule(conn: &Connection, id: i64, due_at: NaiveDateTime, now: NaiveDateTime) -> Result<FollowUp> {
    let current = get(conn, id)?;
    let mut checks = Checks::default();
    check_not_past(&mut checks, "due_at", due_at, now);
    if current.completed_at.is_some() {
        checks.fail("id", Rule::InvalidChoice);
    }
    checks.finish()?;
    conn.prepare_cached("UPDATE follow_ups SET due_at = ?2 WHERE id = ?1")?.execute(params![id, due_at])?;
    get(conn, id)
}

/// Puts an open follow-up off by `by` from local time `now`.
pub fn snooze(conn: &Connection, id: i64, by: SnoozeFor, now: NaiveDateTime) -> Result<FollowUp> {
    reschedule(conn, id, by.target(now), now)
}

/// A customer's follow-ups: every open one, earliest due first, and the latest completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CustomerFollowUps {
    pub open: Vec<FollowUp>,
    /// At most [`RECENT_COMPLETED`], the last completed first.
    pub completed: Vec<FollowUp>,
}

pub fn for_customer(conn: &Connection, customer_id: i64) -> Result<CustomerFollowUps> {
    let open = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM follow_ups WHERE customer_id = ?1 AND completed_at IS NULL ORDER BY due_at, id"
        ))?
        .query_map([customer_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let completed = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM follow_ups WHERE customer_id = ?1 AND completed_at IS NOT NULL
             ORDER BY completed_at DESC, id DESC LIMIT ?2"
        ))?
        .query_map(params![customer_id, RECENT_COMPLETED], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(CustomerFollowUps { open, completed })
}

/// Everyone who has open follow-ups of live customers, in pinyin order as the customer list
/// sorts owners: the agenda's owner picker.
pub fn owners(conn: &Connection) -> Result<Vec<String>> {
    let mut owners: Vec<String> = conn
        .prepare_cached(
            "SELECT DISTINCT f.owner FROM follow_ups f JOIN customers c ON c.id = f.customer_id
             WHERE f.completed_at IS NULL AND f.owner IS NOT NULL AND c.deleted_at IS NULL AND c.erased_at IS NULL",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    owners.sort_by_cached_key(|o| crate::customers::sort_key::name_sort_key(o));
    Ok(owners)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d).and_then(|d| d.and_hms_opt(h, m, 0)).expect("valid")
    }

    #[test]
    fn snoozing_lands_on_the_hour_tomorrow_morning_or_next_monday() {
        // Wednesday 2 December 2026, 16:20:45.
        let now = at(2, 16, 20).with_second(45).expect("valid");
        assert_eq!(SnoozeFor::OneHour.target(now), at(2, 17, 20));
        assert_eq!(SnoozeFor::Tomorrow.target(now), at(3, 9, 0));
        assert_eq!(SnoozeFor::NextWeek.target(now), at(7, 9, 0));
        // Late on a Sunday "next week" is the next morning; on a Monday it is a week on.
        assert_eq!(SnoozeFor::NextWeek.target(at(6, 23, 30)), at(7, 9, 0));
        assert_eq!(SnoozeFor::NextWeek.target(at(7, 8, 0)), at(14, 9, 0));
        // An hour on from 23:30 is the next day.
        assert_eq!(SnoozeFor::OneHour.target(at(6, 23, 30)), at(7, 0, 30));
    }
}
