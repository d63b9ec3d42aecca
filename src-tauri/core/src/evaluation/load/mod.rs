//! Gathering the evaluation's facts from the database: one pass over each table, the two
//! largest (orders, order lines) on two connections at once.

mod activity;
mod categories;
mod digest;
mod facts;
mod orders;

use super::{CustomerFacts, Day, EvaluationSettings, Population};
use crate::db::Database;
use crate::error::Result;
use activity::{activity, previous_run, service_costs};
use categories::categories_of_one;
use chrono::NaiveDate;
use facts::PurchaseDays;
use orders::{all_orders, OrderScan, OrdersRead};
use rusqlite::Connection;
use std::sync::Arc;

/// Most categories an upsell can come from: the bits of a u64.
pub const MAX_CATEGORIES: usize = 64;

/// Day number of an ISO date's first ten bytes ('YYYY-MM-DD'), without allocating.
pub fn parse_day(text: &[u8]) -> Option<Day> {
    if text.len() < 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| {
        text[range].iter().try_fold(0_i32, |n, &b| b.is_ascii_digit().then(|| n * 10 + i32::from(b - b'0')))
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    // Days from the civil calendar (proleptic Gregorian), counted as chrono's num_days_from_ce.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 305)
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `sql` with `{only}` made a filter on one customer (the parameter `param`), or a no-op
/// test of the unbound parameter: an OR of the two would keep SQLite from using the index.
fn scoped(sql: &str, param: &str, only: Option<i64>) -> String {
    scoped_on(sql, "customer_id", param, only)
}

fn scoped_on(sql: &str, column: &str, param: &str, only: Option<i64>) -> String {
    let filter = if only.is_some() { format!("{column} = {param}") } else { format!("{param} IS NULL") };
    sql.replace("{only}", &filter)
}

/// A text (or blob) column's bytes, borrowed from the row.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r [u8]> {
    row.get_ref(i)?
        .as_bytes_or_null()
        .map(|b| b.unwrap_or_default())
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// Where each customer id sits in the population.
struct Index {
    slots: Vec<u32>,
}

impl Index {
    const ABSENT: u32 = u32::MAX;

    /// How many customers it holds.
    fn len(&self) -> usize {
        self.slots.iter().filter(|&&s| s != Self::ABSENT).count()
    }

    fn get(&self, id: i64) -> Option<usize> {
        let slot = *self.slots.get(usize::try_from(id).ok()?)?;
        (slot != Self::ABSENT).then_some(slot as usize)
    }
}

/// The windows of the evaluation, as day numbers: (start, end] each.
#[derive(Clone, Copy)]
struct Windows {
    today: Day,
    window_start: Day,
    previous_start: Day,
}

impl Windows {
    fn new(as_of: NaiveDate, settings: &EvaluationSettings) -> Self {
        let today = super::day_number(as_of);
        let length = settings.window_days();
        Windows { today, window_start: today - length, previous_start: today - 2 * length }
    }
}

/// Facts about every customer not in the trash, at `as_of`, in `currency` (orders and
/// service costs in other currencies are left out). `only` restricts it to one customer.
///
/// # Errors
/// Database errors.
pub fn population(
    db: &Database,
    as_of: NaiveDate,
    currency: &str,
    settings: &EvaluationSettings,
    only: Option<i64>,
) -> Result<Population> {
    population_with(db, as_of, currency, settings, only, None, as_of)
}

/// As [`population`], with the category catalogue fixed to `known` when given, and the
/// streaks continued from the last run before `previous_before` (a stored run's date when
/// one of its customers is evaluated again later).
pub(crate) fn population_with(
    db: &Database,
    as_of: NaiveDate,
    currency: &str,
    settings: &EvaluationSettings,
    only: Option<i64>,
    known: Option<&[String]>,
    previous_before: NaiveDate,
) -> Result<Population> {
    let windows = Windows::new(as_of, settings);
    let OrdersRead { mut facts, index, days, categories } = match only {
        Some(id) => {
            let (mut facts, index) = db.with_conn(|conn| customers(conn, only))?;
            let mut first_day = vec![Day::MAX; facts.len()];
            let mut days = Vec::new();
            let categories = db.with_conn(|conn| {
                let scan = OrderScan { index: &index, w: windows, currency, settings };
                scan.of_customer(conn, id, &mut facts, &mut first_day, &mut |day| days.push(day))?;
                categories_of_one(conn, &index, as_of, id, known)
            })?;
            let (names, bits) = categories;
            for (f, b) in facts.iter_mut().zip(bits) {
                f.categories = b;
            }
            let days =
                if facts.is_empty() { PurchaseDays { offsets: vec![0], days } } else { PurchaseDays::of_one(days) };
            OrdersRead { facts, index: Arc::new(index), days, categories: names }
        }
        None => all_orders(db, windows, currency, settings, known)?,
    };
    let index = &*index;
    db.with_conn(|conn| {
        service_costs(conn, index, &mut facts, windows, currency, settings, only)?;
        activity(conn, index, &mut facts, as_of, only)?;
        previous_run(conn, index, &mut facts, previous_before, only)
    })?;
    Ok(Population { customers: facts, day_offsets: days.offsets, days: days.days, categories })
}

fn customers(conn: &Connection, only: Option<i64>) -> Result<(Vec<CustomerFacts>, Index)> {
    let max_id: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| r.get(0))?;
    let mut slots = vec![Index::ABSENT; usize::try_from(max_id).unwrap_or(0) + 1];
    let mut facts = Vec::with_capacity(if only.is_some() { 1 } else { slots.len() });
    let mut stmt = conn.prepare(&scoped_on(
        "SELECT id, is_kol FROM customers WHERE deleted_at IS NULL AND {only} ORDER BY id",
        "id",
        "?1",
        only,
    ))?;
    let mut rows = stmt.query([only])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        slots[id as usize] = facts.len() as u32;
        facts.push(CustomerFacts { customer_id: id, is_kol: row.get(1)?, ..CustomerFacts::default() });
    }
    let index = Index { slots };
    let mut stmt = conn.prepare(&scoped_on(
        "SELECT referred_by, count(*) FROM customers
         WHERE referred_by IS NOT NULL AND deleted_at IS NULL AND {only}
         GROUP BY referred_by",
        "referred_by",
        "?1",
        only,
    ))?;
    let mut rows = stmt.query([only])?;
    while let Some(row) = rows.next()? {
        if let Some(i) = index.get(row.get(0)?) {
            facts[i].referrals = row.get(1)?;
        }
    }
    Ok((facts, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_match_chrono() {
        for text in ["0001-01-01", "1970-01-01", "1997-09-30", "2000-02-29", "2024-12-31", "2026-11-23"] {
            let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
            assert_eq!(parse_day(text.as_bytes()), Some(super::super::day_number(date)), "{text}");
        }
        assert_eq!(parse_day(b"2024-02-30"), None);
        assert_eq!(parse_day(b"2023-02-29"), None);
        assert_eq!(parse_day(b"2024-13-01"), None);
        assert_eq!(parse_day(b"2024/01/01"), None);
        assert_eq!(parse_day(b"2024-01-0x"), None);
        // Instants start with their date.
        assert!(parse_day(b"2024-01-05T10:00:00Z").is_some());
    }

    #[test]
    fn orders_read_in_many_pieces_give_what_each_customer_read_alone_does() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("pieces.sqlite")).expect("open");
        let as_of = NaiveDate::from_ymd_opt(2026, 10, 31).expect("date");
        let demo = crate::demo::DemoSettings::new(150, 5, as_of);
        db.with_tx(|tx| crate::demo::generate(tx, demo, chrono::Utc::now(), |_, _| {})).expect("demo");
        // Late orders of the first customers land in the last piece; one after the
        // evaluation date and one in another currency count for nobody.
        db.with_conn(|c| {
            c.execute_batch(
                "INSERT INTO orders (customer_id, ordered_on, amount_minor, currency) VALUES
                 (1, '2026-10-30', 500, 'CNY'), (1, '2026-10-30', 250, 'CNY'),
                 (1, '2026-11-30', 700, 'CNY'), (2, '2026-10-01', 900, 'USD')",
            )?;
            Ok(())
        })
        .expect("orders");
        let settings = EvaluationSettings::default();
        let all = population(&db, as_of, "CNY", &settings, None).expect("all");
        let orders: i64 =
            db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?)).expect("n");
        assert!(orders > 20 * orders::ORDER_PIECE as i64, "{orders} orders");
        assert!(all.days.len() > 1000);
        for (i, facts) in all.customers.iter().enumerate() {
            let id = Some(facts.customer_id);
            let one = population_with(&db, as_of, "CNY", &settings, id, Some(&all.categories), as_of).expect("one");
            assert_eq!(one.customers, vec![facts.clone()], "customer {}", facts.customer_id);
            assert_eq!(one.purchase_days(0), all.purchase_days(i), "customer {}", facts.customer_id);
            assert!(all.purchase_days(i).windows(2).all(|w| w[0] < w[1]));
        }
    }
}
