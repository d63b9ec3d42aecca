//! The members of a stored run: how each is written and read, and the filtered lists.

use crate::activity::{page_limit, Page};
use crate::error::Result;
use crate::evaluation::{
    Decision, Lifecycle, Measures, Member, NextActionKind, RfmSegment, ServiceLevel, Tier, ValueClass,
};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub(super) const MEMBER_COLUMNS: &str =
    "customer_id, recency_days, purchase_days, span_days, median_gap_days, last_gap_days,
    frequency, monetary_minor, contribution_minor, historical_clv_minor, window_margin_minor,
    window_service_cost_minor, previous_window_revenue_minor, p_alive, expected_purchases, predicted_clv_minor,
    is_kol, referrals, open_complaints, follow_up_due, last_survey, categories, returned_after_churn,
    low_value_runs_before, exit_runs_before, r_score, f_score, m_score, segment, value_class, tier,
    potential_head, influential, lifecycle, behaviour, service_level, low_value_runs, exit_runs, exit_step,
    next_action, upsell_category, refreshed_on";

pub(super) fn insert_member_sql() -> String {
    let placeholders = (2..=43).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    format!("INSERT INTO evaluation_members (run_id, {MEMBER_COLUMNS}) VALUES (?1, {placeholders})")
}

pub(super) fn write_member(
    stmt: &mut rusqlite::Statement<'_>,
    run: i64,
    m: &Measures,
    d: &Decision,
    refreshed: Option<NaiveDate>,
) -> Result<()> {
    stmt.execute(params![
        run,
        m.customer_id,
        m.recency_days,
        m.purchase_days,
        m.span_days,
        m.median_gap_days,
        m.last_gap_days,
        m.frequency,
        m.monetary_minor,
        m.contribution_minor,
        m.historical_clv_minor,
        m.window_margin_minor,
        m.window_service_cost_minor,
        m.previous_window_revenue_minor,
        m.p_alive,
        m.expected_purchases,
        m.predicted_clv_minor,
        m.is_kol,
        m.referrals,
        m.open_complaints,
        m.follow_up_due.map(|d| d.to_string()),
        m.last_survey.map(|d| d.to_string()),
        m.categories as i64,
        m.returned_after_churn,
        m.low_value_runs_before,
        m.exit_runs_before,
        d.r_score,
        d.f_score,
        d.m_score,
        d.segment,
        d.value_class,
        d.tier,
        d.potential_head,
        d.influential,
        d.lifecycle,
        d.behaviour,
        d.service_level,
        d.low_value_runs,
        d.exit_runs,
        d.exit_step,
        d.next_action,
        d.upsell_category,
        refreshed.map(|d| d.to_string()),
    ])?;
    Ok(())
}

pub(super) fn read_member(row: &Row<'_>) -> rusqlite::Result<(Member, Option<NaiveDate>)> {
    let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> { row.get(i) };
    let measures = Measures {
        customer_id: row.get(0)?,
        recency_days: row.get(1)?,
        purchase_days: row.get(2)?,
        span_days: row.get(3)?,
        median_gap_days: row.get(4)?,
        last_gap_days: row.get(5)?,
        frequency: row.get(6)?,
        monetary_minor: row.get(7)?,
        contribution_minor: row.get(8)?,
        historical_clv_minor: row.get(9)?,
        window_margin_minor: row.get(10)?,
        window_service_cost_minor: row.get(11)?,
        previous_window_revenue_minor: row.get(12)?,
        p_alive: row.get(13)?,
        expected_purchases: row.get(14)?,
        predicted_clv_minor: row.get(15)?,
        is_kol: row.get(16)?,
        referrals: row.get(17)?,
        open_complaints: row.get(18)?,
        follow_up_due: date(19)?,
        last_survey: date(20)?,
        categories: row.get::<_, i64>(21)? as u64,
        returned_after_churn: row.get(22)?,
        low_value_runs_before: row.get(23)?,
        exit_runs_before: row.get(24)?,
    };
    let decision = Decision {
        r_score: row.get(25)?,
        f_score: row.get(26)?,
        m_score: row.get(27)?,
        segment: row.get(28)?,
        value_class: row.get(29)?,
        tier: row.get(30)?,
        potential_head: row.get(31)?,
        influential: row.get(32)?,
        lifecycle: row.get(33)?,
        behaviour: row.get(34)?,
        service_level: row.get(35)?,
        low_value_runs: row.get(36)?,
        exit_runs: row.get(37)?,
        exit_step: row.get(38)?,
        next_action: row.get(39)?,
        upsell_category: row.get(40)?,
    };
    Ok((Member { measures, decision }, date(41)?))
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
    let mut text = |column: &str, value: Option<&'static str>| {
        if let Some(v) = value {
            values.push(Box::new(v));
            clauses.push(format!("m.{column} = ?{}", values.len() + 1));
        }
    };
    text("tier", filter.tier.map(|v| v.as_str()));
    text("segment", filter.segment.map(|v| v.as_str()));
    text("value_class", filter.value_class.map(|v| v.as_str()));
    text("lifecycle", filter.lifecycle.map(|v| v.as_str()));
    text("service_level", filter.service_level.map(|v| v.as_str()));
    text("next_action", filter.next_action.map(|v| v.as_str()));
    if filter.potential_head {
        clauses.push("m.potential_head = 1".into());
    }
    if filter.exit_candidates {
        clauses.push("m.exit_step IS NOT NULL".into());
    }
    (clauses.join(" AND "), values)
}

/// Members of a run matching `filter`, highest contribution first.
pub fn members(conn: &Connection, run: i64, filter: &MemberFilter, offset: u32, limit: u32) -> Result<Page<MemberRow>> {
    let (clause, values) = filter_sql(filter);
    let args = filter_args(&run, &values);
    let total: u32 =
        conn.query_row(&format!("SELECT count(*) FROM evaluation_members m WHERE {clause}"), args.as_slice(), |r| {
            r.get(0)
        })?;
    let order = format!("m.contribution_minor DESC, m.customer_id LIMIT {} OFFSET {offset}", page_limit(limit));
    let mut stmt = conn.prepare(&member_rows_sql(&clause, &order))?;
    let items = stmt.query_map(args.as_slice(), member_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Page { items, total })
}

/// Every member of a run matching `filter`, for export; `visit` sees them in list order.
pub fn each_member(
    conn: &Connection,
    run: i64,
    filter: &MemberFilter,
    mut visit: impl FnMut(&MemberRow) -> Result<()>,
) -> Result<()> {
    let (clause, values) = filter_sql(filter);
    let mut stmt = conn.prepare(&member_rows_sql(&clause, "m.customer_id"))?;
    let mut rows = stmt.query(filter_args(&run, &values).as_slice())?;
    while let Some(row) = rows.next()? {
        visit(&member_row(row)?)?;
    }
    Ok(())
}

/// The run id, then the filter's values: the parameters of [`filter_sql`]'s clause.
fn filter_args<'a>(run: &'a i64, values: &'a [Box<dyn rusqlite::ToSql>]) -> Vec<&'a dyn rusqlite::ToSql> {
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![run];
    args.extend(values.iter().map(|v| v.as_ref()));
    args
}

/// Members (read by [`member_row`]) with their customer's name, company and external id.
fn member_rows_sql(clause: &str, order: &str) -> String {
    let columns = MEMBER_COLUMNS.split(',').map(|c| format!("m.{}", c.trim())).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT {columns}, c.name, c.company, c.external_id FROM evaluation_members m
         JOIN customers c ON c.id = m.customer_id WHERE {clause} ORDER BY {order}"
    )
}

fn member_row(row: &Row<'_>) -> rusqlite::Result<MemberRow> {
    let (member, _) = read_member(row)?;
    Ok(MemberRow { name: row.get(42)?, company: row.get(43)?, external_id: row.get(44)?, member })
}

pub(super) fn member_in(conn: &Connection, run: i64, customer: i64) -> Result<Option<(Member, Option<NaiveDate>)>> {
    Ok(conn
        .query_row(
            &format!("SELECT {MEMBER_COLUMNS} FROM evaluation_members WHERE run_id = ?1 AND customer_id = ?2"),
            [run, customer],
            read_member,
        )
        .optional()?)
}
