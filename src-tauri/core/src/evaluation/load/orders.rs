//! Reading the orders: piece by piece, on two threads, each order's money into a customer's
//! facts.

use super::categories::categories_by_order;
use super::facts::{OrderSink, OrderTotals, PurchaseDays};
use super::{customers, parse_day, text, Index, Windows};
use crate::db::Database;
use crate::error::Result;
use crate::evaluation::{CustomerFacts, Day, EvaluationSettings};
use rusqlite::{params, Connection};
use std::sync::Arc;

/// Which orders a scan reads.
#[derive(Clone, Copy)]
pub(super) enum Orders {
    /// Ids in this range (both ends included).
    Ids(i64, i64),
    OfCustomer(i64),
}

/// What every order scan needs to know.
#[derive(Clone, Copy)]
pub(super) struct OrderScan<'a> {
    pub(super) index: &'a Index,
    pub(super) w: Windows,
    pub(super) currency: &'a str,
    pub(super) settings: &'a EvaluationSettings,
}

impl OrderScan<'_> {
    /// Sums the orders into `sinks` and tells `counted` (order id, customer index, day) of
    /// each order that counts.
    pub(super) fn run<T: OrderSink>(
        &self,
        conn: &Connection,
        which: Orders,
        sinks: &mut [T],
        first_day: &mut [Day],
        counted: &mut impl FnMut(i64, u32, Day),
    ) -> Result<()> {
        // Orders in other currencies, and those that do not count (a status: cancelled,
        // refunded, unpaid), are left out by SQLite before their other columns are read.
        const COLUMNS: &str = "SELECT customer_id, ordered_on, amount_minor, cost_minor, id FROM orders";
        let (filter, range) = match which {
            Orders::Ids(from, to) => ("id BETWEEN ?2 AND ?3", (from, to)),
            Orders::OfCustomer(id) => ("customer_id = ?2 AND ?3 = ?3", (id, 0)),
        };
        let mut stmt =
            conn.prepare_cached(&format!("{COLUMNS} WHERE currency = ?1 AND status IS NULL AND {filter}"))?;
        let mut rows = stmt.query(params![self.currency, range.0, range.1])?;
        while let Some(row) = rows.next()? {
            let Some(i) = self.index.get(row.get(0)?) else { continue };
            let Some(day) = parse_day(text(row, 1)?) else { continue };
            if day > self.w.today {
                continue;
            }
            let amount: i64 = row.get(2)?;
            let margin = match row.get::<_, Option<i64>>(3)? {
                Some(cost) => amount - cost,
                None => (amount as f64 * self.settings.default_margin()).round() as i64,
            };
            sinks[i].add(day, amount, margin, self.w, &mut first_day[i]);
            counted(row.get(4)?, i as u32, day);
        }
        Ok(())
    }

    /// Reads pieces of the orders until none are left, noting in each piece's slices of
    /// [`OrderOwners`] whom each order counted for and its day.
    fn pieces<'p, T: OrderSink>(
        &self,
        conn: &Connection,
        sinks: &mut [T],
        first_day: &mut [Day],
        next_piece: &dyn Fn() -> Option<Piece<'p>>,
    ) -> Result<()> {
        while let Some(Piece { which, from, owners, days }) = next_piece() {
            self.run(conn, which, sinks, first_day, &mut |id, i, day| {
                if let Some(slot) = usize::try_from(id - from).ok().filter(|&s| s < owners.len()) {
                    owners[slot] = i;
                    days[slot] = day;
                }
            })?;
        }
        Ok(())
    }
}

/// A range of order ids and its slices of [`OrderOwners`], indexed by order id minus `from`.
struct Piece<'a> {
    which: Orders,
    from: i64,
    owners: &'a mut [u32],
    days: &'a mut [Day],
}

/// Order ids per piece of the order scan. Both threads take pieces in turn until none are
/// left, so the one that reads the order lines first still finishes with the other.
#[cfg(not(test))]
pub(super) const ORDER_PIECE: usize = 1 << 18;
/// Small in tests, so that both threads read many pieces.
#[cfg(test)]
pub(super) const ORDER_PIECE: usize = 16;

/// The pieces not read yet. Both threads take from one queue; in tests each has its own
/// (alternate pieces), so that both surely read some.
struct PieceQueues<'a> {
    queues: Vec<std::sync::Mutex<Vec<Piece<'a>>>>,
}

impl<'a> PieceQueues<'a> {
    fn new(counted: &'a mut OrderOwners) -> Self {
        let queues = if cfg!(test) { 2 } else { 1 };
        let mut lists: Vec<Vec<Piece<'a>>> = (0..queues).map(|_| Vec::new()).collect();
        let slices = counted.owners.chunks_mut(ORDER_PIECE).zip(counted.days.chunks_mut(ORDER_PIECE));
        for (k, (owners, days)) in slices.enumerate() {
            let from = (k * ORDER_PIECE) as i64;
            let which = Orders::Ids(from, from + owners.len() as i64 - 1);
            lists[k % queues].push(Piece { which, from, owners, days });
        }
        // Taken from the end: lowest ids first, the order of the table.
        lists.iter_mut().for_each(|l| l.reverse());
        PieceQueues { queues: lists.into_iter().map(std::sync::Mutex::new).collect() }
    }

    fn take(&self, thread: usize) -> Option<Piece<'a>> {
        self.queues[thread % self.queues.len()].lock().ok()?.pop()
    }
}

/// For each order id, whom the order counted for (`u32::MAX`: nobody) and on which day.
pub(super) struct OrderOwners {
    pub(super) owners: Vec<u32>,
    pub(super) days: Vec<Day>,
}

/// Every order and order line, on two connections and cores: the first thread reads the
/// customers, the second the order lines, then both read the orders piece by piece, the
/// first into the facts, the second into totals of its own added to the facts at the end.
pub(super) fn all_orders(
    db: &Database,
    w: Windows,
    currency: &str,
    settings: &EvaluationSettings,
    known: Option<&[String]>,
) -> Result<OrdersRead> {
    let max_id: i64 =
        db.with_conn(|c| Ok(c.query_row("SELECT coalesce(max(id), 0) FROM orders", [], |r| r.get(0))?))?;
    let slots = usize::try_from(max_id).unwrap_or(0) + 1;
    let mut counted = OrderOwners { owners: vec![u32::MAX; slots], days: vec![0; slots] };
    let pieces = PieceQueues::new(&mut counted);
    // The customers are read while the second thread reads the order lines, which need them
    // only at the end; it gets the index through the channel once it is made.
    let (send_index, receive_index) = std::sync::mpsc::channel::<Arc<Index>>();
    let (mut facts, index, first_low, (lines, totals, first_high)) = std::thread::scope(|scope| -> Result<_> {
        let pieces = &pieces;
        let second = scope.spawn(move || {
            db.with_conn(|conn| {
                let lines = categories_by_order(conn, known)?;
                let index = receive_index
                    .recv()
                    .map_err(|_| crate::Error::Internal("the customers could not be read".into()))?;
                let n = index.len();
                let scan = OrderScan { index: &index, w, currency, settings };
                let mut totals = vec![OrderTotals::default(); n];
                let mut first_high = vec![Day::MAX; n];
                scan.pieces(conn, &mut totals, &mut first_high, &|| pieces.take(1))?;
                Ok((lines, totals, first_high))
            })
        });
        let (mut facts, index) = db.with_conn(|conn| customers(conn, None))?;
        let index = Arc::new(index);
        // A closed channel only means the second thread already failed; its error follows.
        let _ = send_index.send(Arc::clone(&index));
        let scan = OrderScan { index: &index, w, currency, settings };
        let mut first_low = vec![Day::MAX; facts.len()];
        db.with_conn(|conn| scan.pieces(conn, &mut facts, &mut first_low, &|| pieces.take(0)))?;
        let rest = second.join().map_err(|_| crate::Error::Internal("order scan failed".into()))??;
        Ok((facts, index, first_low, rest))
    })?;
    drop(pieces);
    for (i, f) in facts.iter_mut().enumerate() {
        f.absorb(&totals[i], (first_low[i], first_high[i]));
    }
    drop((totals, first_low, first_high));
    let (categories, bits) = lines.per_customer(&counted.owners, facts.len());
    for (f, b) in facts.iter_mut().zip(bits) {
        f.categories = b;
    }
    let days = PurchaseDays::of_orders(&counted, facts.len());
    Ok(OrdersRead { facts, index, days, categories })
}

/// The facts with their order and line sums, the customer index, the purchase days and
/// the category names.
pub(super) struct OrdersRead {
    pub(super) facts: Vec<CustomerFacts>,
    pub(super) index: Arc<Index>,
    pub(super) days: PurchaseDays,
    pub(super) categories: Vec<String>,
}
