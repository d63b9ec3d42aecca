//! The order digest: per block of order ids, what a full evaluation reads from the orders and
//! their lines, column by column and compressed with zstd, in the table `order_digests`
//! (migration 0025). The tables' triggers delete a block's row whenever one of its orders or
//! lines changes; a load reads the blocks that have no digest from the tables and stores
//! their digest for the next one.

use super::{parse_day, text};
use crate::db::Database;
use crate::error::{Error, Result};
use crate::evaluation::Day;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// The format of a digest's bytes before compression, written first.
const FORMAT: u8 = 1;

/// zstd's level: these columns are small already; decoding speed is what counts.
const LEVEL: i32 = 1;

/// A category met in a block's order lines: how many lines name it and the lowest line id,
/// which decide the catalogue as one pass over all lines in id order would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BlockCategory {
    pub(super) name: String,
    pub(super) lines: u64,
    pub(super) first_line: i64,
}

/// What one block of order ids gives the evaluation: its orders without a status and with a
/// valid date (in id order, whatever their currency or customer), the categories its lines
/// name, and each of those orders' distinct categories (places in `categories`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Block {
    pub(super) ids: Vec<i64>,
    pub(super) customers: Vec<i64>,
    pub(super) days: Vec<Day>,
    pub(super) amounts: Vec<i64>,
    pub(super) costs: Vec<Option<i64>>,
    pub(super) currencies: Vec<u32>,
    pub(super) currency_names: Vec<Vec<u8>>,
    pub(super) categories: Vec<BlockCategory>,
    /// Order `k`'s categories are `order_categories[category_offsets[k]..category_offsets[k + 1]]`.
    pub(super) category_offsets: Vec<u32>,
    pub(super) order_categories: Vec<u32>,
}

impl Block {
    pub(super) fn categories_of(&self, k: usize) -> &[u32] {
        &self.order_categories[self.category_offsets[k] as usize..self.category_offsets[k + 1] as usize]
    }
}

/// Reads the block of order ids `from..=to` from the tables.
pub(super) fn read_block(conn: &Connection, from: i64, to: i64) -> Result<Block> {
    let mut block = Block { category_offsets: vec![0], ..Block::default() };
    let span = usize::try_from(to - from + 1).unwrap_or(0);
    // Where each order id of the block sits in `ids`.
    let mut place = vec![u32::MAX; span];
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, ordered_on, amount_minor, cost_minor, currency FROM orders
         WHERE status IS NULL AND id BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let Some(day) = parse_day(text(row, 2)?) else { continue };
        let currency = text(row, 5)?;
        let c = match block.currency_names.iter().position(|n| n.as_slice() == currency) {
            Some(c) => c,
            None => {
                block.currency_names.push(currency.to_vec());
                block.currency_names.len() - 1
            }
        };
        if let Some(p) = usize::try_from(id - from).ok().and_then(|s| place.get_mut(s)) {
            *p = block.ids.len() as u32;
        }
        block.ids.push(id);
        block.customers.push(row.get(1)?);
        block.days.push(day);
        block.amounts.push(row.get(3)?);
        block.costs.push(row.get(4)?);
        block.currencies.push(c as u32);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, order_id, category FROM order_lines WHERE order_id BETWEEN ?1 AND ?2 AND category IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    let mut counter = CategoryCounter::default();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    while let Some(row) = rows.next()? {
        let Ok(name) = std::str::from_utf8(text(row, 2)?) else { continue };
        let c = counter.count(name, row.get(0)?);
        let order: i64 = row.get(1)?;
        if let Some(&p) = usize::try_from(order - from).ok().and_then(|s| place.get(s)).filter(|&&p| p != u32::MAX) {
            pairs.push((p, c));
        }
    }
    block.categories = counter.found;
    pairs.sort_unstable();
    pairs.dedup();
    let mut next = pairs.iter().peekable();
    for k in 0..block.ids.len() as u32 {
        while let Some(&&(_, c)) = next.peek().filter(|(p, _)| *p == k) {
            block.order_categories.push(c);
            next.next();
        }
        block.category_offsets.push(block.order_categories.len() as u32);
    }
    Ok(block)
}

/// The categories met in some lines, with their line counts and lowest line ids.
#[derive(Default)]
pub(super) struct CategoryCounter {
    pub(super) found: Vec<BlockCategory>,
    places: HashMap<String, u32>,
    /// The category found last: an order's lines, or a shop's few categories, repeat it.
    last: Option<u32>,
}

impl CategoryCounter {
    pub(super) fn count(&mut self, name: &str, line: i64) -> u32 {
        let c = match self.last.filter(|&c| self.found[c as usize].name == name) {
            Some(c) => c,
            None => match self.places.get(name) {
                Some(&c) => c,
                None => {
                    let c = self.found.len() as u32;
                    self.places.insert(name.to_owned(), c);
                    self.found.push(BlockCategory { name: name.to_owned(), lines: 0, first_line: line });
                    c
                }
            },
        };
        self.last = Some(c);
        let found = &mut self.found[c as usize];
        found.lines += 1;
        found.first_line = found.first_line.min(line);
        c
    }
}

/// The lines whose order id is in no block (none while foreign keys hold): they count in
/// the catalogue as one pass over every line would count them.
pub(super) fn stray_lines(conn: &Connection, last_block_end: i64) -> Result<Vec<BlockCategory>> {
    let mut counter = CategoryCounter::default();
    let mut stmt = conn.prepare(
        "SELECT id, category FROM order_lines WHERE order_id > ?1 AND category IS NOT NULL
         UNION ALL SELECT id, category FROM order_lines WHERE order_id < 0 AND category IS NOT NULL",
    )?;
    let mut rows = stmt.query([last_block_end])?;
    while let Some(row) = rows.next()? {
        if let Ok(name) = std::str::from_utf8(text(row, 1)?) {
            counter.count(name, row.get(0)?);
        }
    }
    Ok(counter.found)
}

fn damaged() -> Error {
    Error::Internal("an order digest is damaged".into())
}

fn put(v: u64, out: &mut Vec<u8>) {
    let mut v = v;
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn put_signed(v: i64, out: &mut Vec<u8>) {
    put(((v << 1) ^ (v >> 63)) as u64, out);
}

/// The bytes of a digest being decoded.
struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    fn next(&mut self) -> Result<u64> {
        let mut v = 0_u64;
        let mut shift = 0;
        while let Some((&byte, rest)) = self.rest.split_first() {
            self.rest = rest;
            if shift > 63 {
                break;
            }
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
        Err(damaged())
    }

    fn signed(&mut self) -> Result<i64> {
        let v = self.next()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    /// A count of at most `most` (a damaged count must not reserve gigabytes).
    fn count(&mut self, most: usize) -> Result<usize> {
        usize::try_from(self.next()?).ok().filter(|&n| n <= most).ok_or_else(damaged)
    }

    fn bytes(&mut self) -> Result<Vec<u8>> {
        let n = self.count(self.rest.len())?;
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken.to_vec())
    }
}

/// The block's bytes: compressed, with zstd's checksum of what it compresses.
pub(super) fn encode(block: &Block, from: i64) -> Result<Vec<u8>> {
    let n = block.ids.len();
    let mut raw = Vec::with_capacity(n * 16 + 64);
    raw.push(FORMAT);
    put(n as u64, &mut raw);
    let mut previous = from;
    for &id in &block.ids {
        put_signed(id - previous, &mut raw);
        previous = id;
    }
    block.customers.iter().for_each(|&c| put_signed(c, &mut raw));
    let mut previous = 0;
    for &day in &block.days {
        put_signed(i64::from(day) - previous, &mut raw);
        previous = i64::from(day);
    }
    block.amounts.iter().for_each(|&a| put_signed(a, &mut raw));
    block.costs.iter().for_each(|c| raw.push(u8::from(c.is_some())));
    block.costs.iter().flatten().for_each(|&c| put_signed(c, &mut raw));
    put(block.currency_names.len() as u64, &mut raw);
    for name in &block.currency_names {
        put(name.len() as u64, &mut raw);
        raw.extend_from_slice(name);
    }
    block.currencies.iter().for_each(|&c| put(u64::from(c), &mut raw));
    put(block.categories.len() as u64, &mut raw);
    for c in &block.categories {
        put(c.name.len() as u64, &mut raw);
        raw.extend_from_slice(c.name.as_bytes());
        put(c.lines, &mut raw);
        put_signed(c.first_line, &mut raw);
    }
    block.category_offsets.windows(2).for_each(|w| put(u64::from(w[1] - w[0]), &mut raw));
    block.order_categories.iter().for_each(|&c| put(u64::from(c), &mut raw));
    let mut encoder = zstd::stream::Encoder::new(Vec::with_capacity(raw.len() / 3), LEVEL)?;
    encoder.include_checksum(true)?;
    std::io::Write::write_all(&mut encoder, &raw)?;
    Ok(encoder.finish()?)
}

/// The block of order ids `from..=to` from its digest, or an error if the bytes are damaged
/// in any way that shows.
pub(super) fn decode(data: &[u8], from: i64, to: i64) -> Result<Block> {
    let raw = zstd::stream::decode_all(data).map_err(|_| damaged())?;
    let mut r = Reader { rest: &raw };
    if r.rest.first() != Some(&FORMAT) {
        return Err(damaged());
    }
    r.rest = &r.rest[1..];
    let n = r.count(usize::try_from(to - from + 1).unwrap_or(0))?;
    let mut block = Block::default();
    block.ids.reserve(n);
    let mut previous = from;
    for k in 0..n {
        let id = previous.checked_add(r.signed()?).ok_or_else(damaged)?;
        if id > to || id < from || (k > 0 && id <= previous) {
            return Err(damaged());
        }
        block.ids.push(id);
        previous = id;
    }
    block.customers = (0..n).map(|_| r.signed()).collect::<Result<_>>()?;
    let mut previous = 0_i64;
    block.days.reserve(n);
    for _ in 0..n {
        previous = previous.checked_add(r.signed()?).ok_or_else(damaged)?;
        block.days.push(Day::try_from(previous).map_err(|_| damaged())?);
    }
    block.amounts = (0..n).map(|_| r.signed()).collect::<Result<_>>()?;
    if r.rest.len() < n {
        return Err(damaged());
    }
    let (present, rest) = r.rest.split_at(n);
    r.rest = rest;
    block.costs = present
        .iter()
        .map(|&p| match p {
            0 => Ok(None),
            1 => r.signed().map(Some),
            _ => Err(damaged()),
        })
        .collect::<Result<_>>()?;
    let currencies = r.count(n.max(1))?;
    block.currency_names = (0..currencies).map(|_| r.bytes()).collect::<Result<_>>()?;
    block.currencies = (0..n)
        .map(|_| u32::try_from(r.next()?).ok().filter(|&c| (c as usize) < currencies).ok_or_else(damaged))
        .collect::<Result<_>>()?;
    let categories = r.count(r.rest.len())?;
    block.categories = (0..categories)
        .map(|_| {
            let name = String::from_utf8(r.bytes()?).map_err(|_| damaged())?;
            Ok(BlockCategory { name, lines: r.next()?, first_line: r.signed()? })
        })
        .collect::<Result<_>>()?;
    block.category_offsets.reserve(n + 1);
    block.category_offsets.push(0);
    let mut total = 0_u32;
    for _ in 0..n {
        let m = u32::try_from(r.count(categories)?).map_err(|_| damaged())?;
        total = total.checked_add(m).ok_or_else(damaged)?;
        block.category_offsets.push(total);
    }
    block.order_categories = (0..total)
        .map(|_| u32::try_from(r.next()?).ok().filter(|&c| (c as usize) < categories).ok_or_else(damaged))
        .collect::<Result<_>>()?;
    if !r.rest.is_empty() {
        return Err(damaged());
    }
    Ok(block)
}

/// A digest row as a load saw it before reading its block from the tables: the digest is
/// stored only if the row is unchanged, that is if no trigger deleted it since.
pub(super) struct Seen {
    stamp: i64,
    data: Option<Vec<u8>>,
}

/// A digest to store for a block read from the tables.
pub(super) struct Pending {
    from: i64,
    seen: Seen,
    data: Vec<u8>,
}

/// The block `from..=to` from its digest when it has a sound one; otherwise `None`, with the
/// row as it is now if there is one, so that a digest can be stored after reading the block.
pub(super) fn stored(conn: &Connection, from: i64, to: i64) -> Result<std::result::Result<Block, Option<Seen>>> {
    let row: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT stamp, data FROM order_digests WHERE first_id = ?1 AND last_id = ?2")?
        .query_row(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match row {
        None => Err(None),
        Some((stamp, None)) => Err(Some(Seen { stamp, data: None })),
        // A damaged digest is read again from the tables and replaced.
        Some((stamp, Some(data))) => decode(&data, from, to).map_err(|_| Some(Seen { stamp, data: Some(data) })),
    })
}

/// The digest of a block just read from the tables, if it can be stored.
pub(super) fn pending(block: &Block, from: i64, seen: Option<Seen>) -> Result<Option<Pending>> {
    let Some(seen) = seen else { return Ok(None) };
    Ok(Some(Pending { from, seen, data: encode(block, from)? }))
}

/// Makes sure each of the `blocks` blocks of `size` ids has a row, so that a digest can be
/// stored after reading it: a row made now is deleted by any later change to the block.
/// Rows of another size go (their ranges would hide this size's rows from the triggers).
/// Nothing is written when every row is there, nor on a database opened read-only.
pub(super) fn prepare(db: &Database, blocks: i64, size: i64) -> Result<()> {
    let rows: Vec<(i64, i64)> = db.with_conn(|c| {
        let mut stmt = c.prepare("SELECT first_id, last_id FROM order_digests")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let aligned = |&(first, last): &(i64, i64)| first.rem_euclid(size) == 0 && last == first + size - 1;
    let have: std::collections::HashSet<i64> = rows.iter().filter(|r| aligned(r)).map(|r| r.0).collect();
    let missing: Vec<i64> = (0..blocks).map(|k| k * size).filter(|first| !have.contains(first)).collect();
    if missing.is_empty() && rows.iter().all(aligned) {
        return Ok(());
    }
    if db.is_read_only() {
        return Ok(());
    }
    let stamp: i64 = rand::random();
    db.with_tx(|tx| {
        tx.execute("DELETE FROM order_digests WHERE first_id % ?1 != 0 OR last_id != first_id + ?1 - 1", [size])?;
        let mut insert = tx.prepare(
            "INSERT OR IGNORE INTO order_digests (first_id, last_id, stamp, data) VALUES (?1, ?2, ?3, NULL)",
        )?;
        for first in missing {
            insert.execute(params![first, first + size - 1, stamp])?;
        }
        Ok(())
    })
}

/// Stores the digests of blocks whose rows are as they were before the blocks were read.
pub(super) fn store(db: &Database, pending: Vec<Pending>) -> Result<()> {
    if pending.is_empty() || db.is_read_only() {
        return Ok(());
    }
    db.with_tx(|tx| {
        let mut update =
            tx.prepare("UPDATE order_digests SET data = ?1 WHERE first_id = ?2 AND stamp = ?3 AND data IS ?4")?;
        for p in pending {
            update.execute(params![p.data, p.from, p.seen.stamp, p.seen.data])?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Block {
        Block {
            ids: vec![3, 4, 9, 15],
            customers: vec![7, 1_000_000, 7, 2],
            days: vec![739_000, 738_000, 739_500, 700],
            amounts: vec![100, -5, i64::MAX, 0],
            costs: vec![Some(40), None, Some(i64::MIN), None],
            currencies: vec![0, 1, 0, 0],
            currency_names: vec![b"CNY".to_vec(), b"USD".to_vec()],
            categories: vec![
                BlockCategory { name: "茶叶".into(), lines: 3, first_line: 12 },
                BlockCategory { name: "tea".into(), lines: 1, first_line: 4 },
            ],
            category_offsets: vec![0, 2, 2, 3, 3],
            order_categories: vec![0, 1, 0],
        }
    }

    #[test]
    fn a_block_comes_back_as_it_went() {
        let block = sample();
        let data = encode(&block, 0).expect("encode");
        assert_eq!(decode(&data, 0, 15).expect("decode"), block);
        let empty = Block { category_offsets: vec![0], ..Block::default() };
        assert_eq!(decode(&encode(&empty, 32).expect("encode"), 32, 47).expect("decode"), empty);
    }

    #[test]
    fn damaged_digests_are_refused() {
        let data = encode(&sample(), 0).expect("encode");
        // Ids outside the block's range.
        assert!(decode(&data, 0, 10).is_err());
        assert!(decode(b"not zstd at all", 0, 15).is_err());
        assert!(decode(&data[..data.len() - 1], 0, 15).is_err());
        for at in 0..data.len() {
            let mut flipped = data.clone();
            flipped[at] ^= 0x10;
            // Any change shows: the frame's checksum covers what it holds.
            assert!(decode(&flipped, 0, 15).map(|b| b == sample()).unwrap_or(true), "byte {at}");
        }
        let raw = zstd::bulk::compress(&[FORMAT, 200, 1], 1).expect("compress");
        assert!(decode(&raw, 0, 15).is_err());
    }

    #[test]
    fn a_block_changed_while_it_was_read_keeps_no_digest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("digest.sqlite")).expect("open");
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).expect("date");
        let demo = crate::demo::DemoSettings::new(20, 5, as_of);
        db.with_tx(|tx| crate::demo::generate(tx, demo, chrono::Utc::now(), |_, _| {})).expect("demo");
        let data = |db: &Database| -> Option<Vec<u8>> {
            db.with_conn(|c| Ok(c.query_row("SELECT data FROM order_digests WHERE first_id = 0", [], |r| r.get(0))?))
                .expect("row")
        };
        for changed in [false, true] {
            db.with_conn(|c| Ok(c.execute("DELETE FROM order_digests", [])?)).expect("clear");
            prepare(&db, 1, 16).expect("prepare");
            let seen = db.with_conn(|c| Ok(stored(c, 0, 15)?.err().flatten())).expect("seen");
            assert!(seen.is_some(), "a row to store into");
            let block = db.with_conn(|c| read_block(c, 0, 15)).expect("block");
            assert!(!block.ids.is_empty());
            if changed {
                // Another connection edits an order of the block, and another evaluation
                // makes the block's row again before this one stores what it read.
                db.with_conn(|c| Ok(c.execute("UPDATE orders SET amount_minor = amount_minor + 1 WHERE id = 1", [])?))
                    .expect("edit");
                prepare(&db, 1, 16).expect("prepare again");
            }
            store(&db, pending(&block, 0, seen).expect("encode").into_iter().collect()).expect("store");
            assert_eq!(data(&db).is_some(), !changed, "changed: {changed}");
            if !changed {
                let stored = db.with_conn(|c| Ok(stored(c, 0, 15)?.ok())).expect("stored");
                assert_eq!(stored, Some(block));
            }
        }
    }
}
