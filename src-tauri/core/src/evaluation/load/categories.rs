//! The product categories each customer bought, from the order lines.

use super::digest::BlockCategory;
use super::{text, Index, MAX_CATEGORIES};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use std::collections::HashMap;

/// The categories met, numbered as bits of a u64: at most 64, the first met when there are
/// more, or a fixed list (a stored run's).
struct Catalogue {
    names: Vec<String>,
    lines_per_bit: [u64; MAX_CATEGORIES],
    fixed: bool,
    /// The bit found last: lines of one order, or a shop's few categories, repeat it often.
    last: Option<u32>,
}

impl Catalogue {
    fn new(known: Option<&[String]>) -> Self {
        let names: Vec<String> = known.map(<[String]>::to_vec).unwrap_or_default();
        Catalogue { names, lines_per_bit: [0; MAX_CATEGORIES], fixed: known.is_some(), last: None }
    }

    fn bit(&mut self, name: &str) -> Option<u32> {
        // At most 64 short names: comparing them beats hashing every line.
        let same = |bit: u32| self.names[bit as usize] == name;
        let found = match self.last.filter(|&b| same(b)) {
            Some(bit) => Some(bit),
            None => self.names.iter().position(|n| n == name).map(|i| i as u32),
        };
        let bit = match found {
            Some(bit) => bit,
            None if !self.fixed && self.names.len() < MAX_CATEGORIES => {
                self.names.push(name.to_owned());
                self.names.len() as u32 - 1
            }
            None => return None,
        };
        self.last = Some(bit);
        self.lines_per_bit[bit as usize] += 1;
        Some(bit)
    }

    /// The names, most bought first, with `bits` renumbered to match (a fixed list stays).
    fn finish(self, bits: &mut [u64]) -> Vec<String> {
        let Catalogue { mut names, lines_per_bit, fixed, .. } = self;
        if fixed {
            return names;
        }
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| lines_per_bit[b].cmp(&lines_per_bit[a]).then(names[a].cmp(&names[b])));
        let mut new_bit = [0_u32; MAX_CATEGORIES];
        for (new, &old) in order.iter().enumerate() {
            new_bit[old] = new as u32;
        }
        for b in bits.iter_mut() {
            let mut old = *b;
            let mut renumbered = 0_u64;
            while old != 0 {
                renumbered |= 1 << new_bit[old.trailing_zeros() as usize];
                old &= old - 1;
            }
            *b = renumbered;
        }
        order.into_iter().map(|i| std::mem::take(&mut names[i])).collect()
    }
}

/// Each order's categories as place in its block's categories + 1 (0: none), with the
/// rare further categories of an order kept aside: one byte per order instead of a list.
pub(super) struct OrderCategories<'a> {
    pub(super) owners: &'a [u32],
    pub(super) first: &'a [u8],
    pub(super) more: &'a [(u32, u32)],
    pub(super) block_size: usize,
}

/// The catalogue (most bought first, or `known`) and each customer's categories as its bits,
/// from each block's categories, those of lines in no block, and each order's categories.
/// The catalogue is the one a pass over every line in id order gives: the first 64
/// categories met, by lowest line id, when there are more.
pub(super) fn per_customer(
    blocks: &[Vec<BlockCategory>],
    stray: &[BlockCategory],
    orders: &OrderCategories<'_>,
    customers: usize,
    known: Option<&[String]>,
) -> (Vec<String>, Vec<u64>) {
    let names: Vec<String> = match known {
        Some(known) => known.to_vec(),
        None => {
            let mut met: HashMap<&str, (u64, i64)> = HashMap::new();
            for c in blocks.iter().flatten().chain(stray) {
                let seen = met.entry(c.name.as_str()).or_insert((0, i64::MAX));
                seen.0 += c.lines;
                seen.1 = seen.1.min(c.first_line);
            }
            let mut met: Vec<(&str, u64, i64)> = met.into_iter().map(|(n, (lines, first))| (n, lines, first)).collect();
            if met.len() > MAX_CATEGORIES {
                met.sort_unstable_by_key(|&(_, _, first)| first);
                met.truncate(MAX_CATEGORIES);
            }
            met.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            met.into_iter().map(|(n, _, _)| n.to_owned()).collect()
        }
    };
    let mut bit_of: HashMap<&str, u32> = HashMap::new();
    for (bit, name) in names.iter().enumerate().take(MAX_CATEGORIES) {
        bit_of.entry(name.as_str()).or_insert(bit as u32);
    }
    let bits_of_blocks: Vec<Vec<Option<u32>>> =
        blocks.iter().map(|b| b.iter().map(|c| bit_of.get(c.name.as_str()).copied()).collect()).collect();
    let mut bits = vec![0_u64; customers];
    let firsts = orders.first.iter().enumerate().filter(|(_, &c)| c > 0).map(|(o, &c)| (o, u32::from(c) - 1));
    let more = orders.more.iter().map(|&(o, c)| (o as usize, c));
    for (order, c) in firsts.chain(more) {
        let Some(&owner) = orders.owners.get(order).filter(|&&owner| owner != u32::MAX) else { continue };
        let bit = bits_of_blocks.get(order / orders.block_size).and_then(|b| b.get(c as usize)).copied().flatten();
        if let Some(bit) = bit {
            bits[owner as usize] |= 1 << bit;
        }
    }
    (names, bits)
}

/// One customer's categories, through the orders' customer index.
pub(super) fn categories_of_one(
    conn: &Connection,
    index: &Index,
    as_of: NaiveDate,
    customer: i64,
    known: Option<&[String]>,
) -> Result<(Vec<String>, Vec<u64>)> {
    let mut catalogue = Catalogue::new(known);
    let mut bits = vec![0_u64; index.len()];
    let mut stmt = conn.prepare(
        "SELECT o.customer_id, l.category FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.customer_id = ?2 AND l.category IS NOT NULL AND o.ordered_on <= ?1 AND o.status IS NULL",
    )?;
    let mut rows = stmt.query(params![as_of.to_string(), customer])?;
    while let Some(row) = rows.next()? {
        let Some(i) = index.get(row.get(0)?) else { continue };
        let Ok(name) = std::str::from_utf8(text(row, 1)?) else { continue };
        if let Some(bit) = catalogue.bit(name) {
            bits[i] |= 1 << bit;
        }
    }
    let names = catalogue.finish(&mut bits);
    Ok((names, bits))
}
