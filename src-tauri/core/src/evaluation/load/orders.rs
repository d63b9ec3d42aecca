//! Reading the orders: piece by piece, on two threads, each order's money into a customer's
//! facts.

use super::categories::{per_customer, OrderCategories};
use super::digest::{self, Block, BlockCategory};
use super::facts::{OrderSink, PurchaseDays};
use super::{customers, parse_day, text, Index, Windows};
use crate::db::Database;
use crate::error::Result;
use crate::evaluation::{CustomerFacts, Day, EvaluationSettings};
use rusqlite::{params, Connection};
use std::sync::Arc;

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

/// The pieces of `counted` and `categories`, lowest ids first, the order of the table.
fn pieces<'a>(counted: &'a mut OrderOwners, categories: &'a mut [u8]) -> Vec<Piece<'a>> {
    let slices = counted
        .owners
        .chunks_mut(ORDER_PIECE)
        .zip(counted.days.chunks_mut(ORDER_PIECE))
        .zip(categories.chunks_mut(ORDER_PIECE));
    slices
        .enumerate()
        .map(|(k, ((owners, days), categories))| Piece { from: (k * ORDER_PIECE) as i64, owners, days, categories })
        .collect()
}

/// For each order id, whom the order counted for (`u32::MAX`: nobody) and on which day.
pub(super) struct OrderOwners {
    pub(super) owners: Vec<u32>,
    pub(super) days: Vec<Day>,
}

/// What the summing thread found besides its sums: each block's categories (by block
/// number) and the order categories that did not fit their byte.
#[derive(Default)]
struct Found {
    catalogues: Vec<(usize, Vec<BlockCategory>)>,
    more: Vec<(u32, u32)>,
}

/// Blocks the reading thread may have ready before they are summed: a few tens of megabytes.
const READ_AHEAD: usize = 4;

/// A piece's block, from its digest or else from the tables (then its digest to store).
fn block_of(conn: &Connection, piece: &Piece<'_>, digests: &mut Vec<digest::Pending>) -> Result<Block> {
    let (from, to) = (piece.from, piece.from + ORDER_PIECE as i64 - 1);
    match digest::stored(conn, from, to)? {
        Ok(block) => Ok(block),
        Err(seen) => {
            let block = digest::read_block(conn, from, to)?;
            digests.extend(digest::pending(&block, from, seen)?);
            Ok(block)
        }
    }
}

/// Every order and order line, on two connections and cores: the second thread reads blocks
/// of orders (digests, or the tables) while the first reads the customers; then the first
/// sums each block the second has ready, and reads one itself when none is. Summing is the
/// cheap part: one set of sums, not a second million customers' totals to add up.
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
    let mut pieces = pieces(&mut counted, &mut categories);
    // Taken from the end: lowest ids first.
    pieces.reverse();
    let queue = std::sync::Mutex::new(pieces);
    let take = || queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
    let (mut facts, index, found, digests) = std::thread::scope(|scope| -> Result<_> {
        let (send, receive) = std::sync::mpsc::sync_channel::<(Piece<'_>, Block)>(READ_AHEAD);
        let reader = scope.spawn(|| {
            db.with_conn(|conn| {
                let mut digests = Vec::new();
                while let Some(piece) = take() {
                    let block = block_of(conn, &piece, &mut digests)?;
                    // A closed channel means the summing thread failed; its error follows.
                    if send.send((piece, block)).is_err() {
                        break;
                    }
                }
                drop(send);
                Ok(digests)
            })
        });
        let (mut facts, index) = db.with_conn(|conn| customers(conn, None))?;
        let scan = OrderScan { index: &index, w, currency, settings };
        let mut first_day = vec![Day::MAX; facts.len()];
        let mut found = Found::default();
        let mut digests = Vec::new();
        db.with_conn(|conn| {
            let mut sums = Sums { sinks: &mut facts, first_day: &mut first_day, more: &mut found.more };
            // Blocks the reader has ready are summed first; while it has none, this thread
            // reads one itself, and once none are left to take it waits for the reader's last.
            loop {
                let next = match receive.try_recv() {
                    Ok(read) => Some(read),
                    Err(_) => match take() {
                        Some(piece) => {
                            let block = block_of(conn, &piece, &mut digests)?;
                            Some((piece, block))
                        }
                        None => receive.recv().ok(),
                    },
                };
                let Some((mut piece, block)) = next else { break };
                scan.apply(&mut piece, &block, &mut sums);
                found.catalogues.push((piece.from as usize / ORDER_PIECE, block.categories));
            }
            Ok(())
        })?;
        digests.extend(reader.join().map_err(|_| crate::Error::Internal("order scan failed".into()))??);
        Ok((facts, Arc::new(index), found, digests))
    })?;
    let mut catalogues: Vec<Vec<BlockCategory>> = vec![Vec::new(); blocks];
    for (block, found) in found.catalogues {
        catalogues[block] = found;
    }
    let stray = db.with_conn(|conn| digest::stray_lines(conn, (blocks * ORDER_PIECE) as i64 - 1))?;
    // Stored after reading, in one short write: a failed store leaves the blocks to the next
    // evaluation, which reads them from the tables again.
    let _ = digest::store(db, digests);
    let bits =
        OrderCategories { owners: &counted.owners, first: &categories, more: &found.more, block_size: ORDER_PIECE };
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
