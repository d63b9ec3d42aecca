//! Loyalty points: an append-only ledger per customer. Points are earned on orders and for
//! referrals, redeemed, or adjusted by hand; the balance is the sum of the ledger and never
//! goes below zero at any date. A mistaken entry is corrected by an adjustment, not deleted.

use crate::activity::{clean, Checks};
use crate::error::{Error, Result, Rule};
use crate::page::{page_limit, Page};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const NOTES_MAX: usize = 500;

text_enum!(LoyaltyKind { Earn = "earn", Redeem = "redeem", ReferralReward = "referral_reward", Adjust = "adjust" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LoyaltyEntryInput {
    pub customer_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: LoyaltyKind,
    /// The change to the balance: positive to earn and for referral rewards, negative to
    /// redeem, either sign to adjust; never zero.
    pub points: i64,
    /// The order the points were earned or spent on; it must be the same customer's.
    pub order_id: Option<i64>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LoyaltyEntry {
    pub id: i64,
    pub customer_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: LoyaltyKind,
    pub points: i64,
    pub order_id: Option<i64>,
    pub notes: Option<String>,
    /// The balance right after this entry, in ledger order (date, then entry).
    pub balance_after: i64,
}

impl LoyaltyEntryInput {
    /// Checks the sign of the points against the kind (the table's CHECK says the same).
    pub fn validate(self) -> Result<LoyaltyEntryInput> {
        let input = LoyaltyEntryInput { notes: clean(self.notes), ..self };
        let mut checks = Checks::default();
        let sign_ok = match input.kind {
            LoyaltyKind::Earn | LoyaltyKind::ReferralReward => input.points > 0,
            LoyaltyKind::Redeem => input.points < 0,
            LoyaltyKind::Adjust => input.points != 0,
        };
        if !sign_ok {
            checks.fail("points", Rule::OutOfRange);
        }
        checks.max_len("notes", input.notes.as_deref(), NOTES_MAX);
        checks.finish()?;
        Ok(input)
    }
}

/// The customer's current balance: the sum of the whole ledger.
pub fn balance(conn: &Connection, customer_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?)
}

/// The lowest balance the ledger shows from the end of `on` onwards, i.e. the most points an
/// entry on that date can take away without the balance dipping below zero on any day.
fn lowest_balance_from(conn: &Connection, customer_id: i64, on: NaiveDate) -> Result<i64> {
    // A new entry goes after every existing entry of its date, so it is checked against the
    // balance at the end of that day and at every later entry.
    Ok(conn
        .prepare_cached(
            "SELECT min(
                 (SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = ?1 AND occurred_on <= ?2),
                 coalesce((SELECT min(running) FROM (
                     SELECT occurred_on, sum(points) OVER (ORDER BY occurred_on, id) AS running
                     FROM loyalty_ledger WHERE customer_id = ?1)
                   WHERE occurred_on > ?2), 9223372036854775807))",
        )?
        .query_row(params![customer_id, on], |r| r.get(0))?)
}

/// Adds an entry. Taking points away (a redemption or a negative adjustment) fails with
/// `points: out_of_range` when the balance would drop below zero on that date or later.
pub fn create(conn: &Connection, input: LoyaltyEntryInput) -> Result<LoyaltyEntry> {
    let e = input.validate()?;
    let mut checks = Checks::default();
    checks.customer_exists(conn, "customer_id", e.customer_id)?;
    if let Some(order_id) = e.order_id {
        let owner: Option<i64> = conn
            .prepare_cached("SELECT customer_id FROM orders WHERE id = ?1")?
            .query_row([order_id], |r| r.get(0))
            .optional()?;
        if owner != Some(e.customer_id) {
            checks.fail("order_id", Rule::UnknownReference);
        }
    }
    if e.points < 0 && lowest_balance_from(conn, e.customer_id, e.occurred_on)?.saturating_add(e.points) < 0 {
        checks.fail("points", Rule::OutOfRange);
    }
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO loyalty_ledger (customer_id, occurred_on, kind, points, order_id, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![e.customer_id, e.occurred_on, e.kind, e.points, e.order_id, e.notes])?;
    get(conn, conn.last_insert_rowid())
}

/// The ledger with each entry's running balance, over one customer's entries.
const LEDGER: &str = "SELECT id, customer_id, occurred_on, kind, points, order_id, notes,
                             sum(points) OVER (ORDER BY occurred_on, id) AS balance_after
                      FROM loyalty_ledger WHERE customer_id = ?1";

fn from_row(r: &Row<'_>) -> rusqlite::Result<LoyaltyEntry> {
    Ok(LoyaltyEntry {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        occurred_on: r.get(2)?,
        kind: r.get(3)?,
        points: r.get(4)?,
        order_id: r.get(5)?,
        notes: r.get(6)?,
        balance_after: r.get(7)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<LoyaltyEntry> {
    let customer_id: i64 = conn
        .prepare_cached("SELECT customer_id FROM loyalty_ledger WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound { entity: "loyalty entry", id })?;
    Ok(conn
        .prepare_cached(&format!("SELECT * FROM ({LEDGER}) WHERE id = ?2"))?
        .query_row(params![customer_id, id], from_row)?)
}

/// A customer's ledger, newest first, each entry with the balance after it. `limit` 0 means
/// the default page size.
pub fn list(conn: &Connection, customer_id: i64, offset: u32, limit: u32) -> Result<Page<LoyaltyEntry>> {
    let total: u32 = conn
        .prepare_cached("SELECT count(*) FROM loyalty_ledger WHERE customer_id = ?1")?
        .query_row([customer_id], |r| r.get(0))?;
    let mut stmt = conn
        .prepare_cached(&format!("SELECT * FROM ({LEDGER}) ORDER BY occurred_on DESC, id DESC LIMIT ?2 OFFSET ?3"))?;
    let items =
        stmt.query_map(params![customer_id, page_limit(limit), offset], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(Page { items, total })
}
