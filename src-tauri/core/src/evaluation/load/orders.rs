//! Reading the orders: piece by piece, on two threads, each order's money into a customer's
//! facts.

use super::categories::{per_customer, OrderCategories};
use super::digest::{self, Block, BlockCategory};
use super::facts::{OrderSink, OrderTotals, PurchaseDays};
use super::{customers, parse_day, text, Index, Windows};
use crate::db::Database;
use crate::error::Result;
use crate::evaluation::{CustomerFacts, Day, EvaluationSettings};
use rusqlite::{params, Connection};
use std::sync::{Arc, Mutex, PoisonError};

/// What every order scan needs to know.
#[derive(Clone, Copy)]
pub(super) struct OrderScan<'a> {
    pub(super) index: &'a Index,
    pub(super) w: Windows,
    pub(super) currency: &'a str,
    pub(super) settings: &'a EvaluationSettings,
}

impl OrderScan<'_> {
    /// Sums one customer's orders into `sinks` and tells `counted` the day of each order
    /// that counts.
    pub(super) fn of_customer<T: OrderSink>(
        &self,
        conn: &Connection,
        customer: i64,
        sinks: &mut [T],
        first_day: &mut [Day],
        counted: &mut impl FnMut(Day),
    ) -> Result<()> {
        // Orders in other currencies, and those that do not count (a status: cancelled,
        // refunded, unpaid), are left out by SQLite before their other columns are read.
        let mut stmt = conn.prepare_cached(
            "SELECT customer_id, ordered_on, amount_minor, cost_minor FROM orders
             WHERE currency = ?1 AND status IS NULL AND customer_id = ?2",
        )?;
        let mut rows = stmt.query(params![self.currency, customer])?;
        while let Some(row) = rows.next()? {
            let Some(i) = self.index.get(row.get(0)?) else { continue };
            let Some(day) = parse_day(text(row, 1)?) else { continue };
            if let Some(day) = self.add(&mut sinks[i], &mut first_day[i], day, row.get(2)?, row.get(3)?) {
                counted(day);
            }
        }
        Ok(())
    }

    /// Adds an order that counts by the evaluation date into a customer's sums; its day if so.
    fn add<T: OrderSink>(
        &self,
        sink: &mut T,
        first: &mut Day,
        day: Day,
        amount: i64,
        cost: Option<i64>,
    ) -> Option<Day> {
        if day > self.w.today {
            return None;
        }
        let margin = match cost {
            Some(cost) => amount - cost,
            None => (amount as f64 * self.settings.default_margin()).round() as i64,
        };
        sink.add(day, amount, margin, self.w, first);
        Some(day)
    }

    /// Adds a block's orders in the evaluation's currency, by customer, noting in the
    /// piece whom each order counted for, its day and its categories.
    fn apply<T: OrderSink>(&self, piece: &mut Piece<'_>, block: &Block, sums: &mut Sums<'_, T>) {
        let Some(currency) = block.currency_names.iter().position(|n| n.as_slice() == self.currency.as_bytes()) else {
            return;
        };
        let last = piece.from + piece.owners.len() as i64 - 1;
        for k in 0..block.ids.len() {
            let id = block.ids[k];
            // Orders added since the highest id was read are left to the next evaluation.
            if id > last {
                break;
            }
            if block.currencies[k] as usize != currency {
                continue;
            }
            let Some(i) = self.index.get(block.customers[k]) else { continue };
            let (sink, first) = (&mut sums.sinks[i], &mut sums.first_day[i]);
            let Some(day) = self.add(sink, first, block.days[k], block.amounts[k], block.costs[k]) else { continue };
            let slot = (id - piece.from) as usize;
            piece.owners[slot] = i as u32;
            piece.days[slot] = day;
            for &c in block.categories_of(k) {
                match u8::try_from(c + 1) {
                    Ok(first) if first < u8::MAX && piece.categories[slot] == 0 => piece.categories[slot] = first,
                    _ => sums.more.push((id as u32, c)),
                }
            }
        }
    }
}

/// Where a thread sums the orders it reads.
struct Sums<'a, T> {
    sinks: &'a mut [T],
    first_day: &'a mut [Day],
    /// Order categories that do not fit the order's byte: (order id, block's category).
    more: &'a mut Vec<(u32, u32)>,
}

/// A block of order ids and its slices of [`OrderOwners`], indexed by order id minus `from`.
struct Piece<'a> {
    from: i64,
    owners: &'a mut [u32],
    days: &'a mut [Day],
    categories: &'a mut [u8],
}

/// Order ids per piece of the order scan, and per block of the order digest. Both threads
/// take pieces in turn until none are left.
#[cfg(not(test))]
pub(super) const ORDER_PIECE: usize = 1 << 18;
/// Small in tests, so that both threads read many pieces.
#[cfg(test)]
pub(super) const ORDER_PIECE: usize = 16;

/// The pieces not read yet. Both threads take from one queue; in tests each has its own
/// (alternate pieces), so that both surely read some.
struct PieceQueues<'a> {
    queues: Vec<Mutex<Vec<Piece<'a>>>>,
}

impl<'a> PieceQueues<'a> {
    fn new(counted: &'a mut OrderOwners, categories: &'a mut [u8]) -> Self {
        let queues = if cfg!(test) { 2 } else { 1 };
        let mut lists: Vec<Vec<Piece<'a>>> = (0..queues).map(|_| Vec::new()).collect();
        let slices = counted
            .owners
            .chunks_mut(ORDER_PIECE)
            .zip(counted.days.chunks_mut(ORDER_PIECE))
            .zip(categories.chunks_mut(ORDER_PIECE));
        for (k, ((owners, days), categories)) in slices.enumerate() {
            let from = (k * ORDER_PIECE) as i64;
            lists[k % queues].push(Piece { from, owners, days, categories });
        }
        // Taken from the end: lowest ids first, the order of the table.
        lists.iter_mut().for_each(|l| l.reverse());
        PieceQueues { queues: lists.into_iter().map(Mutex::new).collect() }
    }

    fn take(&self, thread: usize) -> Option<Piece<'a>> {
        self.queues[thread % self.queues.len()].lock().unwrap_or_else(PoisonError::into_inner).pop()
    }
}

/// For each order id, whom the order counted for (`u32::MAX`: nobody) and on which day.
pub(super) struct OrderOwners {
    pub(super) owners: Vec<u32>,
    pub(super) days: Vec<Day>,
}

/// What a thread found besides its sums: each block's categories (by block number), the
/// digests to store, and the order categories that did not fit their byte.
#[derive(Default)]
struct Found {
    catalogues: Vec<(usize, Vec<BlockCategory>)>,
    digests: Vec<digest::Pending>,
    more: Vec<(u32, u32)>,
}

/// Blocks read ahead, not summed yet.
type Ready<'p> = Mutex<Vec<(Piece<'p>, Block)>>;

/// Blocks the second thread reads ahead while the first reads the customers: a few tens of
/// megabytes.
const READ_AHEAD: usize = 4;

/// The next block to sum: one read ahead, else the next piece's.
fn next_block<'p>(
    conn: &Connection,
    ready: &Ready<'p>,
    take: &dyn Fn() -> Option<Piece<'p>>,
    found: &mut Found,
) -> Result<Option<(Piece<'p>, Block)>> {
    if let Some(read) = ready.lock().unwrap_or_else(PoisonError::into_inner).pop() {
        return Ok(Some(read));
    }
    let Some(piece) = take() else { return Ok(None) };
    let block = block_of(conn, &piece, found)?;
    Ok(Some((piece, block)))
}

/// A piece's block, from its digest or else from the tables (then its digest to store).
fn block_of(conn: &Connection, piece: &Piece<'_>, found: &mut Found) -> Result<Block> {
    let (from, to) = (piece.from, piece.from + ORDER_PIECE as i64 - 1);
    match digest::stored(conn, from, to)? {
        Ok(block) => Ok(block),
        Err(seen) => {
            let block = digest::read_block(conn, from, to)?;
            found.digests.extend(digest::pending(&block, from, seen)?);
            Ok(block)
        }
    }
}

/// Every order and order line, on two connections and cores: the first thread reads the
/// customers while the second reads the first blocks of orders, then both sum blocks, the
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
    let blocks = slots.div_ceil(ORDER_PIECE);
    // Digests are a cache: a database that cannot take them now is read from its tables.
    let _ = digest::prepare(db, blocks as i64, ORDER_PIECE as i64);
    let mut counted = OrderOwners { owners: vec![u32::MAX; slots], days: vec![0; slots] };
    let mut categories = vec![0_u8; slots];
    let pieces = PieceQueues::new(&mut counted, &mut categories);
    let ready: Ready<'_> = Mutex::new(Vec::new());
    // The customers are read while the second thread reads its first blocks, which it sums
    // once it gets the index through the channel.
    let (send_index, receive_index) = std::sync::mpsc::channel::<Arc<Index>>();
    let (mut facts, index, first_low, found_low, (totals, first_high, found_high)) =
        std::thread::scope(|scope| -> Result<_> {
            let pieces = &pieces;
            let ready = &ready;
            let second = scope.spawn(move || {
                db.with_conn(|conn| {
                    let mut found = Found::default();
                    // While the first thread reads the customers, a few blocks are read ahead
                    // for either thread to sum once the index is there.
                    let mut index = None;
                    while ready.lock().unwrap_or_else(PoisonError::into_inner).len() < READ_AHEAD {
                        if let Ok(ix) = receive_index.try_recv() {
                            index = Some(ix);
                            break;
                        }
                        let Some(piece) = pieces.take(1) else { break };
                        let block = block_of(conn, &piece, &mut found)?;
                        ready.lock().unwrap_or_else(PoisonError::into_inner).push((piece, block));
                    }
                    let index = match index {
                        Some(ix) => ix,
                        None => receive_index
                            .recv()
                            .map_err(|_| crate::Error::Internal("the customers could not be read".into()))?,
                    };
                    let scan = OrderScan { index: &index, w, currency, settings };
                    let mut totals = vec![OrderTotals::default(); index.len()];
                    let mut first_high = vec![Day::MAX; totals.len()];
                    let mut more = Vec::new();
                    let mut sums = Sums { sinks: &mut totals, first_day: &mut first_high, more: &mut more };
                    while let Some((mut piece, block)) = next_block(conn, ready, &|| pieces.take(1), &mut found)? {
                        scan.apply(&mut piece, &block, &mut sums);
                        found.catalogues.push((piece.from as usize / ORDER_PIECE, block.categories));
                    }
                    found.more = more;
                    Ok((totals, first_high, found))
                })
            });
            let (mut facts, index) = db.with_conn(|conn| customers(conn, None))?;
            let index = Arc::new(index);
            // A closed channel only means the second thread already failed; its error follows.
            let _ = send_index.send(Arc::clone(&index));
            let scan = OrderScan { index: &index, w, currency, settings };
            let mut first_low = vec![Day::MAX; facts.len()];
            let mut found = Found::default();
            let mut more = Vec::new();
            db.with_conn(|conn| {
                let mut sums = Sums { sinks: &mut facts, first_day: &mut first_low, more: &mut more };
                while let Some((mut piece, block)) = next_block(conn, ready, &|| pieces.take(0), &mut found)? {
                    scan.apply(&mut piece, &block, &mut sums);
                    found.catalogues.push((piece.from as usize / ORDER_PIECE, block.categories));
                }
                Ok(())
            })?;
            found.more = more;
            let rest = second.join().map_err(|_| crate::Error::Internal("order scan failed".into()))??;
            Ok((facts, index, first_low, found, rest))
        })?;
    drop(pieces);
    for (i, f) in facts.iter_mut().enumerate() {
        f.absorb(&totals[i], (first_low[i], first_high[i]));
    }
    drop((totals, first_low, first_high));
    let mut catalogues: Vec<Vec<BlockCategory>> = vec![Vec::new(); blocks];
    let mut more = found_low.more;
    more.extend(found_high.more);
    let mut digests = found_low.digests;
    digests.extend(found_high.digests);
    for (block, found) in found_low.catalogues.into_iter().chain(found_high.catalogues) {
        catalogues[block] = found;
    }
    let stray = db.with_conn(|conn| digest::stray_lines(conn, (blocks * ORDER_PIECE) as i64 - 1))?;
    // Stored after reading, in one short write: a failed store leaves the blocks to the next
    // evaluation, which reads them from the tables again.
    let _ = digest::store(db, digests);
    let bits = OrderCategories { owners: &counted.owners, first: &categories, more: &more, block_size: ORDER_PIECE };
    let (categories, bits) = per_customer(&catalogues, &stray, &bits, facts.len(), known);
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
