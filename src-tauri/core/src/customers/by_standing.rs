//! The customer list by segment: filters on the latest evaluation's standings (tier, RFM
//! segment, value class, lifecycle stage, service level), the sorts by predicted CLV and by the
//! next open follow-up, and each row's standing.
//!
//! How a page stays fast at a million customers:
//! - A filter never reads the run's member rows: its matches are counted from the run's
//!   standing cells (a few hundred rows, `evaluation::store` cells), the customers no longer
//!   live taken off through the small trash and erased indexes, and each customer is tested
//!   against the kept cells in memory through the run's codes (two bytes a customer).
//! - Up to [`NARROW`] matches, they are gathered from the codes (beside a search, kept to its
//!   matches), looked up and sorted (about 1.5 µs each). Above it, a page walks an order: a
//!   customer sort's index testing each row in memory, the members' list index in CLV order,
//!   or the open follow-ups by due time.
//! - A sort with empty values keeps them last in both directions, so it is walked in two
//!   parts: the customers with a value in the index's order, then those without by id.
//!
//! Measured by `list_bench` (1M customers, 256k open follow-ups, release, two shared cores):
//! every standing filter, alone or with others, 1-25 ms for a page and its exact count; the
//! sorts by CLV and next follow-up with no filter about 40 ms; a filter beside a broad search
//! about 100 ms, most of it the search's own matches.

use super::list::{order_by, sorted_page, CustomerPage, CustomerQuery, CustomerSort, Filter, SearchLimits, COUNT_CAP};
use super::queries::{from_row, get, COLUMNS};
use super::Customer;
use crate::error::Result;
use crate::evaluation::store::RunStandings;
use crate::evaluation::{Lifecycle, RfmSegment, ServiceLevel, Tier, ValueClass};
use crate::page::page_limit;
use crate::search;
use crate::text_enum::Place;
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Up to this many customers match a standing filter, they are sorted rather than found along
/// a walk (the default of [`SearchLimits::standing`]).
pub const NARROW: u32 = 5_000;

/// A customer's standing in the latest evaluation and next open follow-up, as the list shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ListStanding {
    pub customer_id: i64,
    /// None when the customer is not in the latest run (new since, or no run yet).
    pub tier: Option<Tier>,
    pub segment: Option<RfmSegment>,
    pub value_class: Option<ValueClass>,
    pub lifecycle: Option<Lifecycle>,
    pub service_level: Option<ServiceLevel>,
    pub p_alive: Option<f64>,
    pub predicted_clv_minor: Option<i64>,
    /// Local wall-clock time of the earliest open follow-up.
    pub next_follow_up: Option<NaiveDateTime>,
}

/// The run the list's standings come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ListEvaluation {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub currency: String,
}

/// Whether the query keeps only some standings of the latest run.
pub(super) fn filters_standing(query: &CustomerQuery) -> bool {
    !(query.tiers.is_empty()
        && query.segments.is_empty()
        && query.value_classes.is_empty()
        && query.lifecycles.is_empty()
        && query.service_levels.is_empty())
}

/// The latest run's standings a query keeps, read from the run's compact codes: an SQL
/// function tests a customer in memory (where a look-up of the member row took 1-2 µs), the
/// matches are counted from the cells and gathered from the codes without reading the run's
/// million members. Registered for one list query, removed after.
pub(super) struct StandingTest<'c> {
    conn: &'c Connection,
    /// Members of the run in the kept cells, customers no longer live included.
    pub(super) members: u32,
    standings: std::sync::Arc<RunStandings>,
    kept: std::sync::Arc<Vec<bool>>,
}

impl<'c> StandingTest<'c> {
    pub(super) const FUNCTION: &'static str = "headtail_in_standing";

    pub(super) fn register(conn: &'c Connection, run: i64, query: &CustomerQuery) -> Result<Self> {
        let standings = std::sync::Arc::new(RunStandings::load(conn, run)?);
        let keeps = |values: Vec<&str>, value: &Option<String>| {
            values.is_empty() || value.as_deref().is_some_and(|v| values.contains(&v))
        };
        let kept: Vec<bool> = standings
            .cells
            .iter()
            .map(|c| {
                keeps(query.tiers.iter().map(|v| v.as_str()).collect(), &c.tier)
                    && keeps(query.segments.iter().map(|v| v.as_str()).collect(), &c.segment)
                    && keeps(query.value_classes.iter().map(|v| v.as_str()).collect(), &c.value_class)
                    && keeps(query.lifecycles.iter().map(|v| v.as_str()).collect(), &c.lifecycle)
                    && keeps(query.service_levels.iter().map(|v| v.as_str()).collect(), &c.service_level)
            })
            .collect();
        let members = standings.cells.iter().zip(&kept).filter(|(_, k)| **k).map(|(c, _)| c.members).sum();
        let kept = std::sync::Arc::new(kept);
        let (codes, cells) = (standings.clone(), kept.clone());
        conn.create_scalar_function(
            Self::FUNCTION,
            1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            move |ctx| Ok(kept_in(&codes, &cells, ctx.get::<i64>(0)?)),
        )?;
        Ok(Self { conn, members, standings, kept })
    }

    fn keeps(&self, customer: i64) -> bool {
        kept_in(&self.standings, &self.kept, customer)
    }

    /// The run's members in the kept cells, ascending, as a JSON array for `json_each`; with
    /// `within` (ascending), only those also in it.
    fn ids_json(&self, within: Option<&[i64]>) -> Result<String> {
        let mut ids = self.standings.customers_in(&self.kept);
        if let Some(within) = within {
            ids.retain(|id| within.binary_search(id).is_ok());
        }
        serde_json::to_string(&ids).map_err(|e| crate::Error::Internal(e.to_string()))
    }
}

fn kept_in(standings: &RunStandings, kept: &[bool], customer: i64) -> bool {
    standings.cell(customer).is_some_and(|cell| kept.get(cell).copied().unwrap_or(false))
}

impl Drop for StandingTest<'_> {
    fn drop(&mut self) {
        let _ = self.conn.remove_function(Self::FUNCTION, 1);
    }
}

/// A sort by standing's key over `customers c`: with no run there is no CLV.
fn clv_key(run: Option<i64>) -> String {
    match run {
        Some(run) => format!(
            "(SELECT m.predicted_clv_minor FROM evaluation_members m WHERE m.run_id = {run} AND m.customer_id = c.id)"
        ),
        None => "NULL".into(),
    }
}

/// The earliest open follow-up (equal due times by id), whose id breaks ties of due times.
const NEXT_FOLLOW_UP: &str = "(SELECT f.id FROM follow_ups f WHERE f.customer_id = c.id AND f.completed_at IS NULL
     ORDER BY f.due_at, f.id LIMIT 1)";

/// The ids of every customer `from` (a FROM … WHERE over `customers c`) picks, in the query's
/// order. A sort by standing reads each customer's key once, then sorts: customers without a
/// value last, the rest in the same order as the walks of [`walk_with_key`] and
/// [`walk_without_key`] give.
pub(super) fn sorted_ids_sql(query: &CustomerQuery, run: Option<i64>, from: &str) -> String {
    let direction = if query.descending { "DESC" } else { "ASC" };
    match query.sort {
        CustomerSort::NextFollowUp => format!(
            "WITH first AS MATERIALIZED (SELECT c.id AS id, {NEXT_FOLLOW_UP} AS follow_up {from})
             SELECT first.id FROM first LEFT JOIN follow_ups f ON f.id = first.follow_up
             ORDER BY f.due_at IS NULL, f.due_at {direction}, first.follow_up {direction}, first.id {direction}"
        ),
        CustomerSort::PredictedClv => format!(
            "WITH keyed AS MATERIALIZED (SELECT c.id AS id, {} AS clv {from})
             SELECT id FROM keyed ORDER BY clv IS NULL, clv {direction}, id {direction}",
            clv_key(run)
        ),
        _ => format!("SELECT c.id {from} ORDER BY {}", order_by(query)),
    }
}

/// A page of a query with a standing filter or a sort by standing.
pub(super) fn page(
    conn: &Connection,
    query: &CustomerQuery,
    run: Option<i64>,
    f: Filter,
    test: Option<&StandingTest<'_>>,
    limits: SearchLimits,
) -> Result<CustomerPage> {
    let limit = page_limit(query.limit);
    if f.standing && run.is_none() {
        return Ok(CustomerPage::new(Vec::new(), 0, true));
    }
    let args = f.arg_refs();
    let mut conditions = f.conditions.clone();
    // The live/trash conditions, and the standing filter's when there is one.
    let plain = 2 + usize::from(f.standing);
    let only_standing = f.fts.is_none() && f.conditions.len() == plain && !query.deleted;

    let standing_matches = test.map(|t| t.members);
    let search_matches = match &f.fts {
        Some((expr, _)) => Some(
            conn.prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM customer_search WHERE customer_search MATCH ?1 LIMIT ?2)",
            )?
            .query_row(params![expr, limits.filtered + 1], |r| r.get::<_, u32>(0))?,
        ),
        None => None,
    };

    // Few matches on one side: look them up and sort them.
    // Beside a search, matches the search leaves are few only if the standing's are: up to
    // the search's own limit, test the standing's matches against the search instead of
    // walking an order testing both.
    let from_members = standing_matches
        .is_some_and(|n| n <= limits.standing || (f.fts.is_some() && n <= limits.filtered.max(limits.standing)));
    let from_search = !from_members && search_matches.is_some_and(|n| n <= limits.filtered);
    if from_members || from_search {
        let ids;
        let mut args = args.clone();
        let source = match (test, &f.fts) {
            (Some(test), _) if from_members => {
                // Beside a search, the members are kept to its matches gathered once (0.2 µs
                // each), where an IN over the search would first build a temporary index of
                // every match.
                let matched =
                    f.fts.as_ref().map(|(expr, _)| search::ids_matching_expression(conn, expr)).transpose()?;
                ids = test.ids_json(matched.as_deref())?;
                args.push(&ids);
                format!(
                    "FROM json_each(?{}) j CROSS JOIN customers c WHERE c.id = j.value AND {}",
                    args.len(),
                    f.conditions.join(" AND ")
                )
            }
            (_, Some((_, n))) => format!(
                "FROM customer_search s CROSS JOIN customers c
                 WHERE s.customer_search MATCH ?{n} AND c.id = s.rowid AND {}",
                f.conditions.join(" AND ")
            ),
            _ => unreachable_plan()?,
        };
        return sorted_page(conn, &sorted_ids_sql(query, run, &source), &args, query.offset, limit);
    }

    // Many matches: count them, then walk an order for the page.
    if let Some((_, n)) = &f.fts {
        conditions.push(format!("c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?{n})"));
    }
    let conditions = conditions.join(" AND ");
    let (total, total_exact) = match (standing_matches, run) {
        (Some(matches), Some(_)) if only_standing => {
            (matches - test.map_or(Ok(0), |t| count_gone_members(conn, t))?, true)
        }
        _ if !f.standing && f.fts.is_none() => {
            let sql = format!("SELECT count(*) FROM customers c WHERE {conditions}");
            (conn.prepare_cached(&sql)?.query_row(args.as_slice(), |r| r.get(0))?, true)
        }
        _ => {
            let sql =
                format!("SELECT count(*) FROM (SELECT 1 FROM customers c WHERE {conditions} LIMIT {})", COUNT_CAP + 1);
            let counted: u32 = conn.prepare_cached(&sql)?.query_row(args.as_slice(), |r| r.get(0))?;
            (counted.min(COUNT_CAP), counted <= COUNT_CAP)
        }
    };

    let items = match query.sort.order_terms() {
        Some(_) => {
            let sql = format!(
                "SELECT {COLUMNS} FROM customers c WHERE {conditions} ORDER BY {} LIMIT {limit} OFFSET {}",
                order_by(query),
                query.offset
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let items = stmt.query_map(args.as_slice(), from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            items
        }
        None => walk(conn, query, run, &conditions, &args, limit)?,
    };
    Ok(CustomerPage::new(items, total, total_exact))
}

fn unreachable_plan() -> Result<String> {
    Err(crate::Error::Internal("no source of matches to sort".into()))
}

/// Members in the kept standings whose customer is in the trash or erased: those few
/// customers read from their own indexes and tested in memory.
fn count_gone_members(conn: &Connection, test: &StandingTest<'_>) -> Result<u32> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM customers INDEXED BY customers_trash WHERE deleted_at IS NOT NULL
         UNION SELECT id FROM customers INDEXED BY customers_erased WHERE erased_at IS NOT NULL",
    )?;
    let mut gone = 0;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        gone += u32::from(test.keeps(r.get(0)?));
    }
    Ok(gone)
}

/// A page of a sort by standing over many matches: the customers with a value along the
/// value's index, then, once those run out, the others by id.
fn walk(
    conn: &Connection,
    query: &CustomerQuery,
    run: Option<i64>,
    conditions: &str,
    args: &[&dyn rusqlite::ToSql],
    limit: u32,
) -> Result<Vec<Customer>> {
    let direction = if query.descending { "DESC" } else { "ASC" };
    let with_key = walk_with_key(query.sort, run, direction, conditions);
    let mut ids = match &with_key {
        Some(from) => {
            let sql = format!("SELECT c.id {from} LIMIT {limit} OFFSET {}", query.offset);
            let mut stmt = conn.prepare_cached(&sql)?;
            let ids = stmt.query_map(args, |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            ids
        }
        None => Vec::new(),
    };
    if ids.len() < limit as usize {
        // Where the customers without a value start: past the page's first rows if it has
        // some, else counted (a page beyond every customer with a value).
        let before = if !ids.is_empty() || query.offset == 0 {
            query.offset + ids.len() as u32
        } else {
            match &with_key {
                Some(from) => {
                    let sql = format!("SELECT count(*) FROM (SELECT 1 {from})");
                    conn.prepare_cached(&sql)?.query_row(args, |r| r.get(0))?
                }
                None => 0,
            }
        };
        let skip = (query.offset + ids.len() as u32).saturating_sub(before);
        let sql = format!(
            "SELECT c.id FROM customers c WHERE {conditions} AND {} ORDER BY c.id {direction} LIMIT {} OFFSET {skip}",
            walk_without_key(query.sort, run),
            limit as usize - ids.len()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rest = stmt.query_map(args, |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        ids.extend(rest);
    }
    ids.into_iter().map(|id| get(conn, id)).collect()
}

/// FROM … ORDER BY of the customers with a value, along the value's index.
fn walk_with_key(sort: CustomerSort, run: Option<i64>, direction: &str, conditions: &str) -> Option<String> {
    match sort {
        CustomerSort::NextFollowUp => Some(format!(
            "FROM follow_ups f INDEXED BY follow_ups_open_due CROSS JOIN customers c
             WHERE f.completed_at IS NULL
               AND f.id = (SELECT f2.id FROM follow_ups f2 WHERE f2.customer_id = f.customer_id
                             AND f2.completed_at IS NULL ORDER BY f2.due_at, f2.id LIMIT 1)
               AND c.id = f.customer_id AND {conditions}
             ORDER BY f.due_at {direction}, f.id {direction}"
        )),
        _ => run.map(|run| {
            format!(
                "FROM evaluation_members m INDEXED BY evaluation_members_list CROSS JOIN customers c
                 WHERE m.run_id = {run} AND m.predicted_clv_minor IS NOT NULL
                   AND c.id = m.customer_id AND {conditions}
                 ORDER BY m.predicted_clv_minor {direction}, m.customer_id {direction}"
            )
        }),
    }
}

/// The condition over `customers c` of having no value to sort by.
fn walk_without_key(sort: CustomerSort, run: Option<i64>) -> String {
    match sort {
        CustomerSort::NextFollowUp => {
            "NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.customer_id = c.id AND f.completed_at IS NULL)".into()
        }
        _ => format!("{} IS NULL", clv_key(run)),
    }
}

/// The page with each item's standing in the latest run and its next open follow-up.
pub(super) fn with_standings(conn: &Connection, run: Option<i64>, page: CustomerPage) -> Result<CustomerPage> {
    let evaluation = match run {
        Some(run) => conn
            .prepare_cached("SELECT as_of, currency FROM evaluation_runs WHERE id = ?1")?
            .query_row([run], |r| Ok(ListEvaluation { run_id: run, as_of: r.get(0)?, currency: r.get(1)? }))
            .optional()?,
        None => None,
    };
    let standings = page.items.iter().map(|c| standing_of(conn, run, c.id)).collect::<Result<Vec<_>>>()?;
    Ok(CustomerPage { standings, evaluation, ..page })
}

/// One customer's standing in `run` and next open follow-up.
pub(crate) fn standing_of(conn: &Connection, run: Option<i64>, customer_id: i64) -> Result<ListStanding> {
    let next_follow_up: Option<NaiveDateTime> = conn
        .prepare_cached("SELECT min(due_at) FROM follow_ups WHERE customer_id = ?1 AND completed_at IS NULL")?
        .query_row([customer_id], |r| r.get(0))?;
    let empty = ListStanding {
        customer_id,
        tier: None,
        segment: None,
        value_class: None,
        lifecycle: None,
        service_level: None,
        p_alive: None,
        predicted_clv_minor: None,
        next_follow_up,
    };
    let Some(run) = run else { return Ok(empty) };
    let found = conn
        .prepare_cached(
            "SELECT tier, segment, value_class, lifecycle, service_level, p_alive, predicted_clv_minor
             FROM evaluation_members WHERE run_id = ?1 AND customer_id = ?2",
        )?
        .query_row([run, customer_id], |r| {
            Ok(ListStanding {
                tier: r.get::<_, Option<Place<_>>>(0)?.map(|v| v.0),
                segment: r.get::<_, Option<Place<_>>>(1)?.map(|v| v.0),
                value_class: r.get::<_, Option<Place<_>>>(2)?.map(|v| v.0),
                lifecycle: r.get::<_, Option<Place<_>>>(3)?.map(|v| v.0),
                service_level: r.get::<_, Option<Place<_>>>(4)?.map(|v| v.0),
                p_alive: r.get(5)?,
                predicted_clv_minor: r.get(6)?,
                ..empty.clone()
            })
        })
        .optional()?;
    Ok(found.unwrap_or(empty))
}
