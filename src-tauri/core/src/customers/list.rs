//! The customer list: which customers a query picks, in which order, and how a search is
//! planned so that a page stays fast at a million customers. Filters and sorts on the latest
//! evaluation's standings and on the next follow-up are planned in `by_standing`.

use super::by_standing::{self, StandingTest};
use super::queries::{from_row, get, COLUMNS};
use super::{Customer, CustomerKind};
use crate::error::Result;
use crate::evaluation::{Lifecycle, RfmSegment, ServiceLevel, Tier, ValueClass};
use crate::page::page_limit;
use crate::search;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    #[default]
    Name,
    Company,
    Region,
    Owner,
    CreatedAt,
    UpdatedAt,
    /// The latest evaluation's predicted CLV; customers without one come last either way.
    PredictedClv,
    /// The earliest open follow-up; customers without one come last either way.
    NextFollowUp,
}

impl CustomerSort {
    /// The ORDER BY terms, ascending; each matches a live-list index (0004_list_indexes.sql;
    /// names, companies and owners by their sort keys, 0022_sort_keys.sql) term for term, so a
    /// page never sorts the whole table. None for the sorts by standing.
    pub fn order_terms(self) -> Option<&'static [&'static str]> {
        match self {
            CustomerSort::Name => Some(&["c.name_sort"]),
            CustomerSort::Company => Some(&["c.company_sort IS NULL", "c.company_sort"]),
            CustomerSort::Region => Some(&["c.region IS NULL", "c.region"]),
            CustomerSort::Owner => Some(&["c.owner_sort IS NULL", "c.owner_sort"]),
            CustomerSort::CreatedAt => Some(&["c.created_at"]),
            CustomerSort::UpdatedAt => Some(&["c.updated_at"]),
            CustomerSort::PredictedClv | CustomerSort::NextFollowUp => None,
        }
    }
}

/// Which customers a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub struct CustomerQuery {
    /// Part of a name, company, phone number, email, contact, note or tag.
    pub search: Option<String>,
    pub kind: Option<CustomerKind>,
    pub owner: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    /// The latest evaluation's standings to keep; an empty list keeps all. Customers not in
    /// that run (or with no run at all) match none.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    #[serde(default)]
    pub segments: Vec<RfmSegment>,
    #[serde(default)]
    pub value_classes: Vec<ValueClass>,
    #[serde(default)]
    pub lifecycles: Vec<Lifecycle>,
    #[serde(default)]
    pub service_levels: Vec<ServiceLevel>,
    pub sort: CustomerSort,
    pub descending: bool,
    /// Deleted customers (the trash) instead of live ones.
    pub deleted: bool,
    pub offset: u32,
    /// At most [`crate::page::PAGE_MAX`]; 0 means the default page of 50.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CustomerPage {
    pub items: Vec<Customer>,
    /// How many customers match; at least this many when `total_exact` is false.
    pub total: u32,
    /// False when a search with other filters matched more than [`COUNT_CAP`] customers,
    /// too many to look up one by one.
    pub total_exact: bool,
    /// Each item's standing in the latest evaluation and its next follow-up, in item order.
    #[serde(default)]
    pub standings: Vec<ListStanding>,
    /// The latest complete evaluation the standings come from.
    #[serde(default)]
    pub evaluation: Option<ListEvaluation>,
}

pub use super::by_standing::{ListEvaluation, ListStanding};

/// A search with other filters matching more customers than this shows "at least" this many.
pub const COUNT_CAP: u32 = 10_000;

/// A query's conditions over `customers c`, its arguments, and the full-text expression
/// with its argument number when it searches the live customers.
pub(super) struct Filter {
    /// Conditions over `customers c`, the standing filter included.
    pub(super) conditions: Vec<String>,
    pub(super) args: Vec<Box<dyn rusqlite::ToSql>>,
    pub(super) fts: Option<(String, usize)>,
    /// Whether the query keeps only some standings of the latest run.
    pub(super) standing: bool,
}

impl Filter {
    pub(super) fn arg_refs(&self) -> Vec<&dyn rusqlite::ToSql> {
        self.args.iter().map(|a| a.as_ref()).collect()
    }
}

/// The ORDER BY of a sort along a customer index (the sorts by standing are planned in
/// `by_standing`).
pub(super) fn order_by(query: &CustomerQuery) -> String {
    let direction = if query.descending { "DESC" } else { "ASC" };
    // The id breaks ties, so pages never overlap.
    query
        .sort
        .order_terms()
        .unwrap_or(&[])
        .iter()
        .chain(std::iter::once(&"c.id"))
        .map(|term| format!("{term} {direction}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The evaluation run the list's standings come from: the latest complete run, once its rows
/// are built.
pub(super) fn latest_run_id(conn: &Connection) -> Result<Option<i64>> {
    Ok(crate::evaluation::store::listed_run(conn)?.map(|(id, _)| id))
}

pub(super) fn filter(query: &CustomerQuery, run: Option<i64>) -> Filter {
    let mut filters = vec![
        if query.deleted { "c.deleted_at IS NOT NULL" } else { "c.deleted_at IS NULL" }.to_owned(),
        "c.erased_at IS NULL".to_owned(),
    ];
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    let mut fts = None;
    if let Some(text) = query.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if query.deleted {
            // The trash is not indexed; it is small, so a scan will do.
            args.push(Box::new(text.to_lowercase()));
            let n = args.len();
            filters.push(format!(
                "(instr(lower(c.name), ?{n}) > 0 OR instr(lower(coalesce(c.company, '')), ?{n}) > 0
                  OR instr(coalesce(c.phone, ''), ?{n}) > 0 OR instr(lower(coalesce(c.email, '')), ?{n}) > 0)"
            ));
        } else if let Some(expr) = search::match_query(text) {
            args.push(Box::new(expr.clone()));
            fts = Some((expr, args.len()));
        } else {
            // Only punctuation: nothing can match it.
            filters.push("0".into());
        }
    }
    if let Some(kind) = query.kind {
        args.push(Box::new(kind));
        filters.push(format!("c.kind = ?{}", args.len()));
    }
    if let Some(owner) = query.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        args.push(Box::new(owner.to_owned()));
        filters.push(format!("c.owner = ?{}", args.len()));
    }
    if let Some(tag) = query.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(Box::new(tag.to_owned()));
        let n = args.len();
        filters.push(if fts.is_some() {
            // The search's matches are the candidates: one key probe each, rather than a
            // temporary index of every customer with a common tag.
            format!("EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?{n})")
        } else {
            format!("c.id IN (SELECT customer_id FROM customer_tags WHERE tag = ?{n})")
        });
    }
    let standing = by_standing::filters_standing(query);
    if standing {
        filters.push(match run {
            Some(_) => format!("{}(c.id)", StandingTest::FUNCTION),
            // No evaluation: nobody has a standing to match.
            None => "0".into(),
        });
    }
    Filter { conditions: filters, args, fts, standing }
}

/// The query's filter, with the test of its standings registered while it is in use.
fn filter_on<'c>(
    conn: &'c Connection,
    query: &CustomerQuery,
    run: Option<i64>,
) -> Result<(Filter, Option<StandingTest<'c>>)> {
    let mut checks = crate::activity::Checks::default();
    checks.max_len("search", query.search.as_deref(), crate::text_limits::SEARCH_MAX);
    checks.max_len("owner", query.owner.as_deref(), super::SHORT_TEXT_MAX);
    checks.max_len("tag", query.tag.as_deref(), super::TAG_MAX);
    checks.finish()?;
    let f = filter(query, run);
    let test = match (f.standing, run) {
        (true, Some(run)) => Some(StandingTest::register(conn, run, query)?),
        _ => None,
    };
    Ok((f, test))
}

/// Every customer a query matches, in its order, without paging: what an export of a list
/// or segment takes.
pub fn list_ids(conn: &Connection, query: &CustomerQuery) -> Result<Vec<i64>> {
    let run = latest_run_id(conn)?;
    let (mut f, _test) = filter_on(conn, query, run)?;
    if let Some((_, n)) = &f.fts {
        f.conditions.push(format!("c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?{n})"));
    }
    let sql =
        by_standing::sorted_ids_sql(query, run, &format!("FROM customers c WHERE {}", f.conditions.join(" AND ")));
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt.query_map(f.arg_refs().as_slice(), |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

pub fn list(conn: &Connection, query: &CustomerQuery) -> Result<CustomerPage> {
    list_with(conn, query, SearchLimits::default())
}

/// Where a search through the full-text index switches plans. Counting or gathering matches
/// in the index is cheap (about 0.2 µs each); each match handed to the list costs a look-up of
/// its row (about 1.5 µs at a million customers); walking a sort order's index costs a tenth
/// of that per row but stops only once the page is full, so it suits common terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchLimits {
    /// Up to this many matches, the matches themselves are looked up, sorted and counted.
    pub narrow: u32,
    /// The same for a search with other filters, up to this many matches; above it such a
    /// search is counted only up to [`COUNT_CAP`].
    pub filtered: u32,
    /// Up to this many customers matching a standing filter, they are looked up and sorted;
    /// above it a page walks the sort order.
    pub standing: u32,
}

impl Default for SearchLimits {
    fn default() -> Self {
        Self { narrow: 10_000, filtered: 50_000, standing: super::by_standing::NARROW }
    }
}

/// [`list`] with the given plan limits (tests use small ones to reach every plan). The count
/// and the page come from one snapshot of the database.
pub fn list_with(conn: &Connection, query: &CustomerQuery, limits: SearchLimits) -> Result<CustomerPage> {
    crate::db::read_snapshot(conn, || {
        let run = latest_run_id(conn)?;
        let (f, test) = filter_on(conn, query, run)?;
        let page = if query.sort.order_terms().is_none() || f.standing {
            by_standing::page(conn, query, run, f, test.as_ref(), limits)?
        } else {
            page_of(conn, query, f, limits)?
        };
        by_standing::with_standings(conn, run, page)
    })
}

fn page_of(conn: &Connection, query: &CustomerQuery, f: Filter, limits: SearchLimits) -> Result<CustomerPage> {
    let Filter { conditions: mut filters, args, fts, .. } = f;
    let arg_refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let limit = page_limit(query.limit);
    let page = |filters: &[String]| -> Result<Vec<Customer>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM customers c WHERE {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            filters.join(" AND "),
            order_by(query),
            offset = query.offset
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let items = stmt.query_map(arg_refs.as_slice(), from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(items)
    };

    let Some((expr, n)) = fts else {
        // No search: each sort order has an index, and the count is a scan of one.
        let count_sql = format!("SELECT count(*) FROM customers c WHERE {}", filters.join(" AND "));
        let total: u32 = conn.prepare_cached(&count_sql)?.query_row(arg_refs.as_slice(), |r| r.get(0))?;
        return Ok(CustomerPage::new(page(&filters)?, total, true));
    };
    // Only the live/trash conditions so far: nothing but the search narrows the list.
    let only_search = filters.len() == 2;
    let sort_up_to = if only_search { limits.narrow } else { limits.filtered };
    let matches: u32 = conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM customer_search WHERE customer_search MATCH ?1 LIMIT ?2)")?
        .query_row(params![expr, sort_up_to + 1], |r| r.get(0))?;

    let from_matches = format!(
        "FROM customer_search s CROSS JOIN customers c WHERE s.customer_search MATCH ?{n} AND c.id = s.rowid AND {}",
        filters.join(" AND ")
    );
    // Looks each match up once: sorts them, counts them, reads the page's rows.
    let sorted_matches = || -> Result<CustomerPage> {
        let sql = format!("SELECT c.id {from_matches} ORDER BY {}", order_by(query));
        sorted_page(conn, &sql, &arg_refs, query.offset, limit)
    };
    if matches <= sort_up_to {
        return sorted_matches();
    }

    // Many matches: gather their ids once and walk the sort order's index testing each row
    // against them, which fills a page after a few rows per match found.
    let matched = search::ids_matching_expression(conn, &expr)?;
    let (total, total_exact, walk_budget) = if only_search {
        // Matches gathered at the far end of the sort order make a long walk: past about the
        // cost of sorting them, sort them instead.
        (matched.len() as u32, true, matched.len() as u64 * WALKED_ROWS_PER_MATCH)
    } else {
        // The other filters may leave few of the many matches: count from the index side,
        // stopping once past the cap.
        let count_sql = format!("SELECT count(*) FROM (SELECT 1 {from_matches} LIMIT {})", COUNT_CAP + 1);
        let counted: u32 = conn.prepare_cached(&count_sql)?.query_row(arg_refs.as_slice(), |r| r.get(0))?;
        (counted.min(COUNT_CAP), counted <= COUNT_CAP, u64::MAX)
    };
    let test = search::MatchTest::register(conn, expr, matched, walk_budget)?;
    filters.push(format!("{}(?{n}, c.id)", search::MatchTest::FUNCTION));
    let walked = page(&filters);
    let gave_up = test.gave_up();
    drop(test);
    match walked {
        Ok(items) => Ok(CustomerPage::new(items, total, total_exact)),
        Err(_) if gave_up => sorted_matches(),
        Err(e) => Err(e),
    }
}

/// Rows a walk along the sort order may test per match before the matches are sorted
/// instead: a walk tests about ten rows in the time a match is looked up, and most pages
/// fill after far fewer.
const WALKED_ROWS_PER_MATCH: u64 = 4;

/// The page at `offset` of every id `sql` selects in order, all of them counted.
pub(super) fn sorted_page(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
    offset: u32,
    limit: u32,
) -> Result<CustomerPage> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt.query_map(args, |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let items =
        ids.iter().skip(offset as usize).take(limit as usize).map(|&id| get(conn, id)).collect::<Result<_>>()?;
    Ok(CustomerPage::new(items, ids.len() as u32, true))
}

impl CustomerPage {
    /// A page whose standings are still to be read.
    pub(super) fn new(items: Vec<Customer>, total: u32, total_exact: bool) -> Self {
        CustomerPage { items, total, total_exact, standings: Vec::new(), evaluation: None }
    }
}
