//! Gathering the evaluation's facts from the database: one pass over each table, the two
//! largest (orders, order lines) on two connections at once.

use super::{CustomerFacts, Day, EvaluationSettings, Lifecycle, Population, PreviousRun};
use crate::db::Database;
use crate::error::Result;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
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
                let which = Orders::OfCustomer(id);
                scan.run(conn, which, &mut facts, &mut first_day, &mut |_, _, day| days.push(day))?;
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

/// Where an order's money goes: the customer's facts, or the totals a second thread keeps
/// for its share of the orders until they are added to the facts.
trait OrderSink {
    fn add(&mut self, day: Day, amount: i64, margin: i64, w: Windows, first_day: &mut Day);
}

/// The order sums of one customer's facts, for a second thread's share of the orders.
#[derive(Debug, Clone, Copy, Default)]
struct OrderTotals {
    orders: u32,
    window_orders: u32,
    lifetime_revenue_minor: i64,
    lifetime_margin_minor: i64,
    first_day_revenue_minor: i64,
    window_revenue_minor: i64,
    window_margin_minor: i64,
    previous_window_revenue_minor: i64,
}

macro_rules! add_order {
    ($t:expr, $day:expr, $amount:expr, $margin:expr, $w:expr, $first:expr) => {{
        let t = $t;
        t.orders += 1;
        t.lifetime_revenue_minor += $amount;
        t.lifetime_margin_minor += $margin;
        if $day > $w.window_start {
            t.window_orders += 1;
            t.window_revenue_minor += $amount;
            t.window_margin_minor += $margin;
        } else if $day > $w.previous_start {
            t.previous_window_revenue_minor += $amount;
        }
        if $day < *$first {
            *$first = $day;
            t.first_day_revenue_minor = $amount;
        } else if $day == *$first {
            t.first_day_revenue_minor += $amount;
        }
    }};
}

impl OrderSink for CustomerFacts {
    fn add(&mut self, day: Day, amount: i64, margin: i64, w: Windows, first_day: &mut Day) {
        add_order!(self, day, amount, margin, w, first_day);
    }
}

impl OrderSink for OrderTotals {
    fn add(&mut self, day: Day, amount: i64, margin: i64, w: Windows, first_day: &mut Day) {
        add_order!(self, day, amount, margin, w, first_day);
    }
}

impl CustomerFacts {
    /// Adds the totals of orders read elsewhere; `first_day` is where each side's first
    /// purchase day is, this side's first.
    fn absorb(&mut self, t: &OrderTotals, first_day: (Day, Day)) {
        self.orders += t.orders;
        self.window_orders += t.window_orders;
        self.lifetime_revenue_minor += t.lifetime_revenue_minor;
        self.lifetime_margin_minor += t.lifetime_margin_minor;
        self.window_revenue_minor += t.window_revenue_minor;
        self.window_margin_minor += t.window_margin_minor;
        self.previous_window_revenue_minor += t.previous_window_revenue_minor;
        match first_day.1.cmp(&first_day.0) {
            std::cmp::Ordering::Less => self.first_day_revenue_minor = t.first_day_revenue_minor,
            std::cmp::Ordering::Equal => self.first_day_revenue_minor += t.first_day_revenue_minor,
            std::cmp::Ordering::Greater => {}
        }
    }
}

/// Which orders a scan reads.
#[derive(Clone, Copy)]
enum Orders {
    /// Ids in this range (both ends included).
    Ids(i64, i64),
    OfCustomer(i64),
}

/// What every order scan needs to know.
#[derive(Clone, Copy)]
struct OrderScan<'a> {
    index: &'a Index,
    w: Windows,
    currency: &'a str,
    settings: &'a EvaluationSettings,
}

impl OrderScan<'_> {
    /// Sums the orders into `sinks` and tells `counted` (order id, customer index, day) of
    /// each order that counts.
    fn run<T: OrderSink>(
        &self,
        conn: &Connection,
        which: Orders,
        sinks: &mut [T],
        first_day: &mut [Day],
        counted: &mut impl FnMut(i64, u32, Day),
    ) -> Result<()> {
        // Orders in other currencies are left out by SQLite, before their columns are read.
        const COLUMNS: &str = "SELECT customer_id, ordered_on, amount_minor, cost_minor, id FROM orders";
        let (filter, range) = match which {
            Orders::Ids(from, to) => ("id BETWEEN ?2 AND ?3", (from, to)),
            Orders::OfCustomer(id) => ("customer_id = ?2 AND ?3 = ?3", (id, 0)),
        };
        let mut stmt = conn.prepare_cached(&format!("{COLUMNS} WHERE currency = ?1 AND {filter}"))?;
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
                None => (amount as f64 * self.settings.default_margin).round() as i64,
            };
            sinks[i].add(day, amount, margin, self.w, &mut first_day[i]);
            counted(row.get(4)?, i as u32, day);
        }
        Ok(())
    }

    /// Reads pieces of the orders until none are left, noting in each piece's slices of
    /// [`Counted`] whom each order counted for and its day.
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

/// A range of order ids and its slices of [`Counted`], indexed by order id minus `from`.
struct Piece<'a> {
    which: Orders,
    from: i64,
    owners: &'a mut [u32],
    days: &'a mut [Day],
}

/// Order ids per piece of the order scan. Both threads take pieces in turn until none are
/// left, so the one that reads the order lines first still finishes with the other.
#[cfg(not(test))]
const ORDER_PIECE: usize = 1 << 18;
/// Small in tests, so that both threads read many pieces.
#[cfg(test)]
const ORDER_PIECE: usize = 16;

/// The pieces not read yet. Both threads take from one queue; in tests each has its own
/// (alternate pieces), so that both surely read some.
struct PieceQueues<'a> {
    queues: Vec<std::sync::Mutex<Vec<Piece<'a>>>>,
}

impl<'a> PieceQueues<'a> {
    fn new(counted: &'a mut Counted) -> Self {
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
struct Counted {
    owners: Vec<u32>,
    days: Vec<Day>,
}

/// Every order and order line, on two connections and cores: the first thread reads the
/// customers, the second the order lines, then both read the orders piece by piece, the
/// first into the facts, the second into totals of its own added to the facts at the end.
fn all_orders(
    db: &Database,
    w: Windows,
    currency: &str,
    settings: &EvaluationSettings,
    known: Option<&[String]>,
) -> Result<OrdersRead> {
    let max_id: i64 =
        db.with_conn(|c| Ok(c.query_row("SELECT coalesce(max(id), 0) FROM orders", [], |r| r.get(0))?))?;
    let slots = usize::try_from(max_id).unwrap_or(0) + 1;
    let mut counted = Counted { owners: vec![u32::MAX; slots], days: vec![0; slots] };
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
struct OrdersRead {
    facts: Vec<CustomerFacts>,
    index: Arc<Index>,
    days: PurchaseDays,
    categories: Vec<String>,
}

/// Each customer's distinct purchase days, ascending: customer i's are
/// `days[offsets[i]..offsets[i + 1]]`.
struct PurchaseDays {
    offsets: Vec<u32>,
    days: Vec<Day>,
}

impl PurchaseDays {
    /// Counts each customer's orders, puts their days in place, then sorts each customer's
    /// few days: no sort of all ten million.
    fn of_orders(counted: &Counted, customers: usize) -> Self {
        let mut offsets = vec![0_u32; customers + 1];
        for &owner in counted.owners.iter().filter(|&&o| o != u32::MAX) {
            offsets[owner as usize + 1] += 1;
        }
        for i in 0..customers {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut days = vec![0; offsets[customers] as usize];
        for (&owner, &day) in counted.owners.iter().zip(&counted.days) {
            if let Some(slot) = next.get_mut(owner as usize) {
                days[*slot as usize] = day;
                *slot += 1;
            }
        }
        Self::distinct(offsets, days)
    }

    /// One customer's days, in any order and repeated.
    fn of_one(days: Vec<Day>) -> Self {
        Self::distinct(vec![0, days.len() as u32], days)
    }

    /// Sorts each customer's days and drops repeats, moving them down in place.
    fn distinct(mut offsets: Vec<u32>, mut days: Vec<Day>) -> Self {
        let mut kept = 0;
        for i in 0..offsets.len() - 1 {
            let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
            days[start..end].sort_unstable();
            offsets[i] = kept as u32;
            for k in start..end {
                if k == start || days[k] != days[k - 1] {
                    days[kept] = days[k];
                    kept += 1;
                }
            }
        }
        if let Some(last) = offsets.last_mut() {
            *last = kept as u32;
        }
        days.truncate(kept);
        PurchaseDays { offsets, days }
    }
}

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
struct CategoriesByOrder {
    catalogue: Catalogue,
    first: Vec<u8>,
    more: Vec<(u32, u8)>,
}

impl CategoriesByOrder {
    fn per_customer(self, owners: &[u32], customers: usize) -> (Vec<String>, Vec<u64>) {
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

fn categories_by_order(conn: &Connection, known: Option<&[String]>) -> Result<CategoriesByOrder> {
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
fn categories_of_one(
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
         WHERE o.customer_id = ?2 AND l.category IS NOT NULL AND o.ordered_on <= ?1",
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

fn service_costs(
    conn: &Connection,
    index: &Index,
    facts: &mut [CustomerFacts],
    w: Windows,
    currency: &str,
    settings: &EvaluationSettings,
    only: Option<i64>,
) -> Result<()> {
    let mut stmt = conn.prepare(&scoped(
        "SELECT customer_id, occurred_on, minutes, amount_minor, currency FROM service_costs WHERE {only}",
        "?1",
        only,
    ))?;
    let mut rows = stmt.query([only])?;
    while let Some(row) = rows.next()? {
        let Some(i) = index.get(row.get(0)?) else { continue };
        let Some(day) = parse_day(text(row, 1)?) else { continue };
        if day > w.today {
            continue;
        }
        let minutes: Option<i64> = row.get(2)?;
        let time_cost = minutes.unwrap_or(0) * settings.service_hour_cost_minor / 60;
        let money = if text(row, 4)? == currency.as_bytes() { row.get::<_, i64>(3)? } else { 0 };
        let f = &mut facts[i];
        f.lifetime_service_cost_minor += time_cost + money;
        if day > w.window_start {
            f.window_service_cost_minor += time_cost + money;
        }
    }
    Ok(())
}

/// Open complaints, due follow-ups and the last survey answer.
fn activity(
    conn: &Connection,
    index: &Index,
    facts: &mut [CustomerFacts],
    as_of: NaiveDate,
    only: Option<i64>,
) -> Result<()> {
    let as_of = as_of.to_string();
    let mut each =
        |sql: &str, apply: &mut dyn FnMut(&mut CustomerFacts, &rusqlite::Row<'_>) -> Result<()>| -> Result<()> {
            let mut stmt = conn.prepare(&scoped(sql, "?2", only))?;
            let mut rows = stmt.query(params![as_of, only])?;
            while let Some(row) = rows.next()? {
                if let Some(i) = index.get(row.get(0)?) {
                    apply(&mut facts[i], row)?;
                }
            }
            Ok(())
        };
    each(
        "SELECT customer_id, count(*) FROM complaints
         WHERE status IN ('open', 'in_progress') AND substr(opened_at, 1, 10) <= ?1 AND {only}
         GROUP BY customer_id",
        &mut |f, row| {
            f.open_complaints = row.get(1)?;
            Ok(())
        },
    )?;
    each(
        "SELECT customer_id, min(next_follow_up_on) FROM interactions
         WHERE done = 0 AND next_follow_up_on IS NOT NULL AND next_follow_up_on <= ?1
           AND {only}
         GROUP BY customer_id",
        &mut |f, row| {
            f.follow_up_due = parse_day(text(row, 1)?);
            Ok(())
        },
    )?;
    each(
        "SELECT customer_id, max(responded_on) FROM survey_responses
         WHERE responded_on <= ?1 AND {only}
         GROUP BY customer_id",
        &mut |f, row| {
            f.last_survey = parse_day(text(row, 1)?);
            Ok(())
        },
    )
}

/// The latest stored run before `as_of` (runs on the same day do not count twice towards the
/// streaks of low value and exit).
fn previous_run_id(conn: &Connection, as_of: NaiveDate) -> Result<Option<(i64, NaiveDate)>> {
    Ok(conn
        .query_row(
            "SELECT id, as_of FROM evaluation_runs WHERE complete = 1 AND as_of < ?1 ORDER BY as_of DESC, id DESC LIMIT 1",
            [as_of.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn previous_run(
    conn: &Connection,
    index: &Index,
    facts: &mut [CustomerFacts],
    before: NaiveDate,
    only: Option<i64>,
) -> Result<()> {
    let Some((run, run_as_of)) = previous_run_id(conn, before)? else { return Ok(()) };
    let run_day = super::day_number(run_as_of);
    let mut stmt = conn.prepare(&scoped(
        "SELECT customer_id, lifecycle, low_value_runs, exit_runs FROM evaluation_members
         WHERE run_id = ?1 AND {only}",
        "?2",
        only,
    ))?;
    let mut rows = stmt.query(params![run, only])?;
    while let Some(row) = rows.next()? {
        let Some(i) = index.get(row.get(0)?) else { continue };
        facts[i].previous = Some(PreviousRun {
            as_of: run_day,
            lifecycle: row.get::<_, Lifecycle>(1)?,
            low_value_runs: row.get(2)?,
            exit_runs: row.get(3)?,
        });
    }
    Ok(())
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
        assert!(orders > 20 * ORDER_PIECE as i64, "{orders} orders");
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
