//! Loyalty points: an append-only ledger per customer. Points are earned on orders and for
//! referrals, redeemed, or adjusted by hand; the balance is the sum of the ledger and never
//! goes below zero at any date. A mistaken entry is corrected by an adjustment, not deleted.
//!
//! With the work setting `loyalty_points_per_yuan` above zero, every order recorded (from the
//! form or an import) earns `floor(amount in yuan x rate)` points on its date, linked to the
//! order; points an import earned leave with it when it is reverted.

use crate::activity::{clean, Checks};
use crate::error::FieldError;
use crate::error::{Error, Result, Rule};
use crate::page::{page_limit, Page};
use crate::work_settings::WorkSettings;
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
    /// The customer whose referral a referral reward is for: required for that kind (an
    /// existing customer, not the one rewarded), absent for the others.
    #[serde(default)]
    pub referred_customer_id: Option<i64>,
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
    pub referred_customer_id: Option<i64>,
    /// The referred customer's name, while the customer exists.
    pub referred_customer_name: Option<String>,
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
        match (input.kind, input.referred_customer_id) {
            (LoyaltyKind::ReferralReward, None) => checks.fail("referred_customer_id", Rule::Required),
            (LoyaltyKind::ReferralReward, Some(referred)) if referred == input.customer_id => {
                checks.fail("referred_customer_id", Rule::SelfReference)
            }
            (LoyaltyKind::ReferralReward, _) | (_, None) => {}
            (_, Some(_)) => checks.fail("referred_customer_id", Rule::OutOfRange),
        }
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
/// `points: not_enough_points`, its limit the balance there is to take from, when the
/// balance would drop below zero on that date or later.
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
    if let Some(referred) = e.referred_customer_id.filter(|r| *r != e.customer_id) {
        checks.customer_exists(conn, "referred_customer_id", referred)?;
    }
    if e.points < 0 {
        let available = lowest_balance_from(conn, e.customer_id, e.occurred_on)?;
        if available.saturating_add(e.points) < 0 {
            let shown = u32::try_from(available.max(0)).unwrap_or(u32::MAX);
            checks.0.push(FieldError { field: "points".to_owned(), rule: Rule::NotEnoughPoints, limit: Some(shown) });
        }
    }
    checks.finish()?;
    conn.prepare_cached(
        "INSERT INTO loyalty_ledger (customer_id, occurred_on, kind, points, order_id, notes, referred_customer_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.customer_id,
        e.occurred_on,
        e.kind,
        e.points,
        e.order_id,
        e.notes,
        e.referred_customer_id
    ])?;
    get(conn, conn.last_insert_rowid())
}

/// The ledger with each entry's running balance, over one customer's entries.
const LEDGER: &str = "SELECT l.id, l.customer_id, l.occurred_on, l.kind, l.points, l.order_id, l.notes,
                             l.referred_customer_id, r.name,
                             sum(l.points) OVER (ORDER BY l.occurred_on, l.id) AS balance_after
                      FROM loyalty_ledger l LEFT JOIN customers r ON r.id = l.referred_customer_id
                      WHERE l.customer_id = ?1";

fn from_row(r: &Row<'_>) -> rusqlite::Result<LoyaltyEntry> {
    Ok(LoyaltyEntry {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        occurred_on: r.get(2)?,
        kind: r.get(3)?,
        points: r.get(4)?,
        order_id: r.get(5)?,
        notes: r.get(6)?,
        referred_customer_id: r.get(7)?,
        referred_customer_name: r.get(8)?,
        balance_after: r.get(9)?,
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

/// A customer's balance and a page of the ledger, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LoyaltyLedger {
    pub balance: i64,
    pub entries: Page<LoyaltyEntry>,
}

pub fn ledger(conn: &Connection, customer_id: i64, offset: u32, limit: u32) -> Result<LoyaltyLedger> {
    Ok(LoyaltyLedger { balance: balance(conn, customer_id)?, entries: list(conn, customer_id, offset, limit)? })
}

/// The rate in ten-thousandths of a point per yuan: the setting is read to four decimals so
/// the points of an amount are worked out in whole numbers, the same in Rust and in SQL.
fn rate_e4(per_yuan: f64) -> i64 {
    (per_yuan * 10_000.0).round() as i64
}

/// Points an order of `amount_minor` (fen) earns at `per_yuan` points per yuan:
/// `floor(amount_minor / 100 x per_yuan)`, worked out exactly; none for a refund or at rate 0.
///
/// ```
/// use headtail_core::loyalty::points_for_amount;
/// assert_eq!(points_for_amount(12_345, 1.0), 123); // 123.45 yuan
/// assert_eq!(points_for_amount(29_000, 0.29), 84); // 290 x 0.29 = 84.1
/// assert_eq!(points_for_amount(99, 1.0), 0);
/// assert_eq!(points_for_amount(-5_000, 2.0), 0);
/// ```
pub fn points_for_amount(amount_minor: i64, per_yuan: f64) -> i64 {
    (amount_minor.max(0).saturating_mul(rate_e4(per_yuan)) / 1_000_000).max(0)
}

/// Points for a new order under the rule `loyalty_points_per_yuan`: an `earn` entry on the
/// order's date linked to it, when the rule is on and the order earns at least one point.
pub fn earn_for_order(conn: &Connection, settings: &WorkSettings, order_id: i64) -> Result<Option<i64>> {
    let Some((customer_id, on, amount)) = conn
        .prepare_cached("SELECT customer_id, ordered_on, amount_minor FROM orders WHERE id = ?1")?
        .query_row([order_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, NaiveDate>(1)?, r.get::<_, i64>(2)?)))
        .optional()?
    else {
        return Err(Error::NotFound { entity: "order", id: order_id });
    };
    let points = points_for_amount(amount, settings.loyalty_points_per_yuan());
    if points <= 0 {
        return Ok(None);
    }
    conn.prepare_cached(
        "INSERT INTO loyalty_ledger (customer_id, occurred_on, kind, points, order_id) VALUES (?1, ?2, 'earn', ?3, ?4)",
    )?
    .execute(params![customer_id, on, points, order_id])?;
    Ok(Some(conn.last_insert_rowid()))
}

/// Points for every order import `batch` recorded, in one statement over the batch, marked
/// with the batch so a revert takes them away. Returns the entries written.
pub fn earn_for_batch(conn: &Connection, settings: &WorkSettings, batch: i64) -> Result<u64> {
    let rate = rate_e4(settings.loyalty_points_per_yuan());
    if rate <= 0 {
        return Ok(0);
    }
    // The same formula as points_for_amount; SQLite divides integers exactly.
    let written = conn.execute(
        "INSERT INTO loyalty_ledger (customer_id, occurred_on, kind, points, order_id, import_batch_id)
         SELECT customer_id, ordered_on, 'earn', amount_minor * ?2 / 1000000, id, ?1
         FROM orders WHERE import_batch_id = ?1 AND status IS NULL AND amount_minor * ?2 / 1000000 > 0",
        params![batch, rate],
    )?;
    Ok(written as u64)
}
