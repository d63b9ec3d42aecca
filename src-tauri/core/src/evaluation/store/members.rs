//! The members of a stored run: how each is written and read, and the filtered lists.

use super::archive;
use super::rows::has_rows;
use crate::error::Result;
use crate::evaluation::{
    Decision, Lifecycle, Measures, Member, NextActionKind, RfmSegment, ServiceLevel, Tier, ValueClass,
};
use crate::page::{page_limit, Page};
use crate::text_enum::{Place, Placed};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Declares the member table's columns once, each named as the measure or decision field it
/// holds: the column list, the insert and the read all follow from it. `as i64` keeps the
/// category bits in SQLite's signed integer.
macro_rules! member_table {
    (measures: $($m:ident $(as $m_sql:ty)?),+; decision: $($d:ident),+;) => {
        /// The columns in the order written and read; the date of a later refresh comes last.
        pub(crate) const MEMBER_COLUMNS: &[&str] = &[$(stringify!($m),)+ $(stringify!($d),)+ "refreshed_on"];

        /// The values of a member as the database export writes them, `run` first.
        pub(crate) fn member_values(
            run: i64,
            m: &Measures,
            d: &Decision,
            refreshed: Option<NaiveDate>,
        ) -> Result<Vec<rusqlite::types::Value>> {
            use rusqlite::types::{ToSqlOutput, Value};
            let params = params![run, $(m.$m $(as $m_sql)?,)+ $(d.$d,)+ refreshed];
            params
                .iter()
                .map(|p| match p.to_sql()? {
                    ToSqlOutput::Borrowed(v) => Ok(Value::try_from(v).map_err(rusqlite::Error::from)?),
                    ToSqlOutput::Owned(v) => Ok(v),
                    _ => Err(crate::error::Error::Internal("a member value is not a plain value".into())),
                })
                .collect()
        }

        /// A member from the first columns of `row`, selected by [`member_columns`].
        pub(super) fn read_member(row: &Row<'_>) -> rusqlite::Result<(Member, Option<NaiveDate>)> {
            let mut column = 0;
            let mut next = || {
                column += 1;
                column - 1
            };
            let measures = Measures { $($m: member_table!(@read row, next() $(, $m_sql)?),)+ };
            let decision = Decision { $($d: row.get(next())?,)+ };
            Ok((Member { measures, decision }, row.get(next())?))
        }

        /// Members (ascending by customer) for the archive: each field of every member in
        /// turn, so that like values sit together for the compressor.
        pub(super) fn encode_columns(members: &[(Member, Option<NaiveDate>)], out: &mut Vec<u8>) {
            use super::archive::Column;
            $(member_table!(@put members, out, $m);)+
            $(members.iter().for_each(|(m, _)| m.decision.$d.put(out));)+
            members.iter().for_each(|(_, refreshed)| refreshed.put(out));
        }

        /// Each column's name and bytes as [`encode_columns`] writes them: what each takes.
        pub(super) fn encoded_columns(members: &[(Member, Option<NaiveDate>)]) -> Vec<(&'static str, Vec<u8>)> {
            use super::archive::Column;
            let mut columns = Vec::new();
            $({
                let out = &mut Vec::new();
                member_table!(@put members, out, $m);
                columns.push((stringify!($m), std::mem::take(out)));
            })+
            $({
                let out = &mut Vec::new();
                members.iter().for_each(|(m, _)| m.decision.$d.put(out));
                columns.push((stringify!($d), std::mem::take(out)));
            })+
            let out = &mut Vec::new();
            members.iter().for_each(|(_, refreshed)| refreshed.put(out));
            columns.push(("refreshed_on", std::mem::take(out)));
            columns
        }

        /// `n` members as [`encode_columns`] wrote them in the archive's `format`.
        pub(super) fn decode_columns(
            n: usize,
            format: u8,
            input: &mut &[u8],
        ) -> Result<Vec<(Member, Option<NaiveDate>)>> {
            use super::archive::Column;
            $(let $m = member_table!(@take n, format, input, $m);)+
            $(let $d = (0..n).map(|_| Column::take(input)).collect::<Result<Vec<_>>>()?;)+
            let refreshed = (0..n).map(|_| Column::take(input)).collect::<Result<Vec<Option<NaiveDate>>>>()?;
            Ok((0..n)
                .map(|i| {
                    let mut measures = Measures { $($m: $m[i],)+ };
                    if format >= 2 {
                        measures.contribution_minor = super::archive::contribution_with_rest(&measures);
                    }
                    (Member { measures, decision: Decision { $($d: $d[i],)+ } }, refreshed[i])
                })
                .collect())
        }
    };
    // Customer ids ascend: each is archived as the step from the one before, mostly 1.
    (@put $members:ident, $out:ident, customer_id) => {{
        let mut last = 0_i64;
        $members.iter().for_each(|(m, _)| {
            (m.measures.customer_id - last).put($out);
            last = m.measures.customer_id;
        });
    }};
    // The two floats to a fixed number of decimals (see `archive::Fixed`).
    (@put $members:ident, $out:ident, p_alive) => {
        $members.iter().for_each(|(m, _)| super::archive::Fixed::<{ super::archive::P_ALIVE_PLACES }>(m.measures.p_alive).put($out))
    };
    (@put $members:ident, $out:ident, expected_purchases) => {
        $members.iter().for_each(|(m, _)| super::archive::Fixed::<{ super::archive::PURCHASES_PLACES }>(m.measures.expected_purchases).put($out))
    };
    // The contribution is the window's margin less its service cost: only what differs from
    // that is written, nothing at all for a member the engine measured.
    (@put $members:ident, $out:ident, contribution_minor) => {
        $members.iter().for_each(|(m, _)| super::archive::contribution_rest(&m.measures).put($out))
    };
    (@put $members:ident, $out:ident, $m:ident) => {
        $members.iter().for_each(|(m, _)| m.measures.$m.put($out))
    };
    (@take $n:ident, $format:ident, $input:ident, p_alive) => {
        member_table!(@take_float $n, $format, $input, P_ALIVE_PLACES)
    };
    (@take $n:ident, $format:ident, $input:ident, expected_purchases) => {
        member_table!(@take_float $n, $format, $input, PURCHASES_PLACES)
    };
    (@take_float $n:ident, $format:ident, $input:ident, $places:ident) => {
        (0..$n)
            .map(|_| match $format {
                1 => Column::take($input),
                _ => super::archive::Fixed::<{ super::archive::$places }>::take($input).map(|f| f.0),
            })
            .collect::<Result<Vec<Option<f64>>>>()?
    };
    (@take $n:ident, $format:ident, $input:ident, customer_id) => {{
        let mut last = 0_i64;
        (0..$n)
            .map(|_| {
                last = last.checked_add(<i64 as Column>::take($input)?).ok_or_else(super::archive::damaged)?;
                Ok(last)
            })
            .collect::<Result<Vec<i64>>>()?
    }};
    (@take $n:ident, $format:ident, $input:ident, $m:ident) => {
        (0..$n).map(|_| Column::take($input)).collect::<Result<Vec<_>>>()?
    };
    (@read $row:ident, $column:expr) => { $row.get($column)? };
    (@read $row:ident, $column:expr, $sql:ty) => { $row.get::<_, $sql>($column)? as _ };
}

member_table! {
    measures: customer_id, recency_days, purchase_days, span_days, median_gap_days, last_gap_days, frequency,
        monetary_minor, contribution_minor, historical_clv_minor, window_margin_minor, window_service_cost_minor,
        previous_window_revenue_minor, p_alive, expected_purchases, predicted_clv_minor, is_kol, referrals,
        open_complaints, follow_up_due, last_survey, categories as i64, returned_after_churn,
        low_value_runs_before, exit_runs_before;
    decision: r_score, f_score, m_score, segment, value_class, tier, potential_head, influential, lifecycle,
        behaviour, service_level, low_value_runs, exit_runs, exit_step, next_action, upsell_category;
}

/// The member columns of the table `alias`, for a SELECT that [`read_member`] reads.
pub(super) fn member_columns(alias: &str) -> String {
    MEMBER_COLUMNS.iter().map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

/// Which members of a run to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct MemberFilter {
    pub tier: Option<Tier>,
    pub segment: Option<RfmSegment>,
    pub value_class: Option<ValueClass>,
    pub lifecycle: Option<Lifecycle>,
    pub service_level: Option<ServiceLevel>,
    pub next_action: Option<NextActionKind>,
    pub potential_head: bool,
    pub exit_candidates: bool,
}

/// One line of a member list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct MemberRow {
    pub name: String,
    pub company: Option<String>,
    pub external_id: Option<String>,
    pub member: Member,
}

fn filter_sql(filter: &MemberFilter) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let mut clauses = vec!["m.run_id = ?1".to_owned()];
    let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    let mut place = |column: &str, value: Option<Box<dyn rusqlite::ToSql>>| {
        if let Some(v) = value {
            values.push(v);
            clauses.push(format!("m.{column} = ?{}", values.len() + 1));
        }
    };
    fn boxed<T: Placed + 'static>(v: Option<T>) -> Option<Box<dyn rusqlite::ToSql>> {
        v.map(|v| Box::new(Place(v)) as Box<dyn rusqlite::ToSql>)
    }
    place("tier", boxed(filter.tier));
    place("segment", boxed(filter.segment));
    place("value_class", boxed(filter.value_class));
    place("lifecycle", boxed(filter.lifecycle));
    place("service_level", boxed(filter.service_level));
    place("next_action", boxed(filter.next_action));
    if filter.potential_head {
        clauses.push("m.potential_head = 1".into());
    }
    if filter.exit_candidates {
        clauses.push("m.exit_step IS NOT NULL".into());
    }
    (clauses.join(" AND "), values)
}

impl MemberFilter {
    /// Whether `d` passes, as [`filter_sql`]'s clause decides for the rows.
    pub(super) fn matches(&self, d: &Decision) -> bool {
        self.tier.is_none_or(|v| v == d.tier)
            && self.segment.is_none_or(|v| Some(v) == d.segment)
            && self.value_class.is_none_or(|v| Some(v) == d.value_class)
            && self.lifecycle.is_none_or(|v| v == d.lifecycle)
            && self.service_level.is_none_or(|v| v == d.service_level)
            && self.next_action.is_none_or(|v| Some(v) == d.next_action)
            && (!self.potential_head || d.potential_head)
            && (!self.exit_candidates || d.exit_step.is_some())
    }
}

/// The rows read whole: they hold one run, so a filter over it reads them in their own order
/// rather than along an index of the run with a look-up per row (seven times as long).
const WHOLE_RUN: &str = "evaluation_members m NOT INDEXED";

/// Members of a run matching `filter`, highest contribution first.
pub fn members(conn: &Connection, run: i64, filter: &MemberFilter, offset: u32, limit: u32) -> Result<Page<MemberRow>> {
    if !has_rows(conn, run)? {
        return archived_members(conn, run, filter, offset, limit);
    }
    let (clause, values) = filter_sql(filter);
    let args = filter_args(&run, &values);
    let total: u32 =
        conn.query_row(&format!("SELECT count(*) FROM {WHOLE_RUN} WHERE {clause}"), args.as_slice(), |r| r.get(0))?;
    let mut stmt = conn.prepare(&format!(
        "SELECT m.customer_id FROM {WHOLE_RUN} WHERE {clause}
         ORDER BY m.contribution_minor DESC, m.customer_id LIMIT {} OFFSET {offset}",
        page_limit(limit)
    ))?;
    let ids = stmt.query_map(args.as_slice(), |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(Page { items: member_rows(conn, run, &ids)?, total })
}

/// The members of `run` of customers `ids`, in that order, with their names: each from its
/// chunk of the archive, a chunk inflated once however many of the page it holds.
fn member_rows(conn: &Connection, run: i64, ids: &[i64]) -> Result<Vec<MemberRow>> {
    let mut ascending = ids.to_vec();
    ascending.sort_unstable();
    let found = archive::members_of(conn, run, &ascending)?;
    let mut customer = conn.prepare_cached("SELECT name, company, external_id FROM customers WHERE id = ?1")?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let Ok(at) = found.binary_search_by_key(id, |(m, _)| m.measures.customer_id) else { continue };
        let Some((name, company, external_id)) =
            customer.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?
        else {
            continue;
        };
        items.push(MemberRow { name, company, external_id, member: found[at].0.clone() });
    }
    Ok(items)
}

/// [`members`] of a run kept only in the archive: the page is picked from each member's
/// contribution, then its members and customers are read.
fn archived_members(
    conn: &Connection,
    run: i64,
    filter: &MemberFilter,
    offset: u32,
    limit: u32,
) -> Result<Page<MemberRow>> {
    let mut keys: Vec<(i64, i64)> = Vec::new();
    archive::each(conn, run, |(m, _)| {
        if filter.matches(&m.decision) {
            keys.push((m.measures.contribution_minor, m.measures.customer_id));
        }
        Ok(())
    })?;
    keys.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let total = keys.len() as u32;
    let page: Vec<i64> = keys.iter().skip(offset as usize).take(page_limit(limit) as usize).map(|k| k.1).collect();
    Ok(Page { items: member_rows(conn, run, &page)?, total })
}

/// The run id, then the filter's values: the parameters of [`filter_sql`]'s clause.
fn filter_args<'a>(run: &'a i64, values: &'a [Box<dyn rusqlite::ToSql>]) -> Vec<&'a dyn rusqlite::ToSql> {
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![run];
    args.extend(values.iter().map(|v| v.as_ref()));
    args
}

/// One customer's member of `run`, from the run's archive.
pub(super) fn member_in(conn: &Connection, run: i64, customer: i64) -> Result<Option<(Member, Option<NaiveDate>)>> {
    archive::member(conn, run, customer)
}
