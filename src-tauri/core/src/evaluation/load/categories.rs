//! The product categories each customer bought, from the order lines.

use super::{text, Index, MAX_CATEGORIES};
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{params, Connection};

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

/// Each order's categories as bit + 1 (0: none), with the rare further categories of an
/// order kept aside: one byte per order instead of a join per line.
pub(super) struct CategoriesByOrder {
    catalogue: Catalogue,
    first: Vec<u8>,
    more: Vec<(u32, u8)>,
}

impl CategoriesByOrder {
    pub(super) fn per_customer(self, owners: &[u32], customers: usize) -> (Vec<String>, Vec<u64>) {
        let mut bits = vec![0_u64; customers];
        let firsts = self.first.iter().enumerate().filter(|(_, &c)| c > 0).map(|(o, &c)| (o, c - 1));
        let more = self.more.iter().map(|&(o, c)| (o as usize, c));
        for (order, bit) in firsts.chain(more) {
            if let Some(&owner) = owners.get(order).filter(|&&owner| owner != u32::MAX) {
                bits[owner as usize] |= 1 << bit;
            }
        }
        let names = self.catalogue.finish(&mut bits);
        (names, bits)
    }
}

pub(super) fn categories_by_order(conn: &Connection, known: Option<&[String]>) -> Result<CategoriesByOrder> {
    let max_order: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM orders", [], |r| r.get(0))?;
    let mut found = CategoriesByOrder {
        catalogue: Catalogue::new(known),
        first: vec![0; usize::try_from(max_order).unwrap_or(0) + 1],
        more: Vec::new(),
    };
    // In table order; through the category index the scan would jump about the file.
    let mut stmt = conn.prepare("SELECT order_id, category FROM order_lines NOT INDEXED WHERE category IS NOT NULL")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let Ok(order) = usize::try_from(row.get::<_, i64>(0)?) else { continue };
        let Ok(name) = std::str::from_utf8(text(row, 1)?) else { continue };
        let Some(bit) = found.catalogue.bit(name) else { continue };
        let Some(slot) = found.first.get_mut(order) else { continue };
        if *slot == 0 {
            *slot = bit as u8 + 1;
        } else if *slot != bit as u8 + 1 {
            found.more.push((order as u32, bit as u8));
        }
    }
    Ok(found)
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
