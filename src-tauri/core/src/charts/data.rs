//! The figures behind each chart, computed from one stored evaluation run (one pass over its
//! members) and from the activity tables (one grouped query each), so a million customers
//! take about a second.
//!
//! Prospects (customers without a purchase) are their own group beside the tiers, never a
//! tier, and are left out of the Pareto curve, whose shares are of the buyers.

use crate::customers::SalesChannel;
use crate::error::Result;
use crate::evaluation::store::{self, get_run, EvaluationRun};
use crate::surveys::{Score, SurveyKind};
use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::{BTreeMap, HashMap};

/// The key of the prospects' group, shown beside the tiers.
pub const PROSPECT: &str = "prospect";
/// The key for "not in that run" in a migration matrix.
pub const NOT_IN_RUN: &str = "none";

const TIERS: [&str; 4] = ["a", "b", "c", "d"];
const LIFECYCLE: [&str; 7] = ["prospect", "new", "repeat", "loyal", "at_risk", "churned", "won_back"];
const BEHAVIOUR: [&str; 3] = ["active", "dormant", "churned"];
const SEGMENTS: [&str; 10] = [
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose_them",
    "hibernating",
];
const VALUE_CLASSES: [&str; 8] = [
    "important_value",
    "important_develop",
    "important_keep",
    "important_retain",
    "general_value",
    "general_develop",
    "general_keep",
    "general_retain",
];
/// Points kept on the Pareto curve and in the P(alive) scatter, whatever the size of the base.
const CURVE_POINTS: usize = 500;
const SCATTER_POINTS: usize = 2_000;
/// Log-scale CLV bins per power of ten.
const CLV_BINS_PER_DECADE: f64 = 4.0;

/// Customers, revenue and contribution of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Group {
    pub key: String,
    pub customers: u32,
    pub revenue_minor: i64,
    pub contribution_minor: i64,
}

impl Group {
    fn named(key: &str) -> Group {
        Group { key: key.to_owned(), ..Group::default() }
    }

    fn add(&mut self, revenue_minor: i64, contribution_minor: i64) {
        self.customers += 1;
        self.revenue_minor += revenue_minor;
        self.contribution_minor += contribution_minor;
    }
}

/// One point of the Pareto curve: the top `customer_share` % of buyers by contribution bring
/// `contribution_share` % of the positive contribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct ParetoPoint {
    pub customer_share: f64,
    pub contribution_share: f64,
}

/// Where a tier ends on the Pareto curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ParetoCut {
    pub tier: String,
    pub customer_share: f64,
    pub contribution_share: f64,
}

/// Cumulative share of contribution against share of buyers, best first. Shares are
/// percentages of the buyers and of the positive contribution (the total the tiers are cut
/// from), so the curve reaches 100 at the end of tier C and falls through tier D.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Pareto {
    pub buyers: u32,
    pub total_positive_minor: i64,
    pub points: Vec<ParetoPoint>,
    /// The ends of tiers A, B and C, in that order.
    pub cuts: Vec<ParetoCut>,
    /// The headline: `head_customer_share` % of customers (tier A) bring
    /// `head_contribution_share` % of the profit.
    pub head_customer_share: f64,
    pub head_contribution_share: f64,
}

/// The tiers A to D, always all four, and the prospects beside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct TierFigures {
    pub tiers: Vec<Group>,
    pub prospects: Group,
    /// The tiers' contribution added up (D's negative included).
    pub total_contribution_minor: i64,
}

/// One cell of the RFM grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RfmCell {
    pub r: u8,
    pub f: u8,
    pub customers: u32,
    pub revenue_minor: i64,
}

/// Customers whose predicted CLV falls in `[from_minor, to_minor)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ClvBin {
    pub from_minor: i64,
    pub to_minor: i64,
    pub customers: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct ClvPoint {
    pub clv_minor: i64,
    pub p_alive: f64,
}

/// Service cost and effort spent on one tier (or the prospects) in the run's window,
/// against the contribution it brings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ResourceRow {
    pub key: String,
    pub customers: u32,
    pub contribution_minor: i64,
    pub service_cost_minor: i64,
    pub service_minutes: i64,
    pub interactions: u32,
}

/// Every chart of one run that its members and the window's activity give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RunCharts {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub currency: String,
    pub customers: u32,
    pub pareto: Pareto,
    pub tiers: TierFigures,
    /// 25 cells, R 5 to 1 then F 1 to 5; customers without scores are left out.
    pub rfm_grid: Vec<RfmCell>,
    pub segments: Vec<Group>,
    pub value_classes: Vec<Group>,
    pub lifecycle: Vec<Group>,
    pub behaviour: Vec<Group>,
    /// Customers with a predicted CLV above zero, on a log scale.
    pub clv_bins: Vec<ClvBin>,
    /// Customers without a predicted CLV above zero.
    pub clv_none: u32,
    /// At most 2,000 customers, spread evenly over the base.
    pub p_alive: Vec<ClvPoint>,
    /// Tiers A to D, then the prospects.
    pub resources: Vec<ResourceRow>,
}

fn groups(keys: &[&str]) -> Vec<Group> {
    keys.iter().map(|k| Group::named(k)).collect()
}

/// Adds to the group of `key`, appending a group for a key not foreseen.
fn add_to(groups: &mut Vec<Group>, key: &str, revenue: i64, contribution: i64) {
    match groups.iter_mut().find(|g| g.key == key) {
        Some(g) => g.add(revenue, contribution),
        None => {
            let mut g = Group::named(key);
            g.add(revenue, contribution);
            groups.push(g);
        }
    }
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        part * 100.0 / whole
    }
}

/// The charts of run `run_id`.
///
/// # Errors
/// [`crate::Error::NotFound`] when no complete run has that id.
pub fn run_charts(conn: &Connection, run_id: i64) -> Result<RunCharts> {
    run_charts_of(conn, run_id, &ChartMembers::default())
}

/// Which of a run's members the charts count: those whose customer has this owner, and those
/// who bought in this channel; `None` leaves a filter off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChartMembers {
    pub owner: Option<String>,
    pub channel: Option<SalesChannel>,
}

impl ChartMembers {
    fn owner(&self) -> Option<&str> {
        self.owner.as_deref().map(str::trim).filter(|o| !o.is_empty())
    }

    fn channel(&self) -> Option<&'static str> {
        self.channel.map(SalesChannel::as_str)
    }
}

/// The charts of run `run_id` over the members `filter` keeps.
///
/// # Errors
/// [`crate::Error::NotFound`] when no complete run has that id.
pub fn run_charts_of(conn: &Connection, run_id: i64, filter: &ChartMembers) -> Result<RunCharts> {
    let run = get_run(conn, run_id)?;
    let mut tiers = groups(&TIERS);
    let mut prospects = Group::named(PROSPECT);
    let mut grid: Vec<RfmCell> = (1..=5_u8)
        .rev()
        .flat_map(|r| (1..=5_u8).map(move |f| RfmCell { r, f, customers: 0, revenue_minor: 0 }))
        .collect();
    let (mut segments, mut value_classes) = (groups(&SEGMENTS), groups(&VALUE_CLASSES));
    let (mut lifecycle, mut behaviour) = (groups(&LIFECYCLE), groups(&BEHAVIOUR));
    let mut contributions: Vec<i64> = Vec::new();
    let mut clv_bins: BTreeMap<i32, u32> = BTreeMap::new();
    let mut clv_none = 0_u32;
    let mut scatter: Vec<ClvPoint> = Vec::new();
    let mut customers = 0_u32;
    // Each member's group for the resources: 1 + an index into the tiers, then the prospects.
    let mut member_groups: IdSlots<u8> = IdSlots::for_customers(conn)?;

    each_chart_member(conn, run_id, filter, |member| {
        customers += 1;
        let stage = member.lifecycle.unwrap_or(PROSPECT);
        let (revenue, contribution, customer_id) =
            (member.monetary_minor, member.contribution_minor, member.customer_id);
        if stage == PROSPECT {
            prospects.add(revenue, contribution);
            *member_groups.slot(customer_id) = TIERS.len() as u8 + 1;
        } else {
            let tier = member.tier.unwrap_or("d");
            add_to(&mut tiers, tier, revenue, contribution);
            let index = tiers.iter().position(|t| t.key == tier).unwrap_or(TIERS.len() - 1);
            *member_groups.slot(customer_id) = index.min(TIERS.len() - 1) as u8 + 1;
            contributions.push(contribution);
        }
        add_to(&mut lifecycle, stage, revenue, contribution);
        if let Some(b) = member.behaviour {
            add_to(&mut behaviour, b, revenue, contribution);
        }
        if let Some(s) = member.segment {
            add_to(&mut segments, s, revenue, contribution);
        }
        if let Some(c) = member.value_class {
            add_to(&mut value_classes, c, revenue, contribution);
        }
        if let (Some(r), Some(f)) = (member.r_score, member.f_score) {
            if (1..=5).contains(&r) && (1..=5).contains(&f) {
                let cell = &mut grid[usize::from(5 - r) * 5 + usize::from(f - 1)];
                cell.customers += 1;
                cell.revenue_minor += revenue;
            }
        }
        match member.predicted_clv_minor {
            Some(v) if v > 0 => *clv_bins.entry(clv_bin(v)).or_default() += 1,
            _ => clv_none += 1,
        }
        if let (Some(clv), Some(p)) = (member.predicted_clv_minor, member.p_alive) {
            scatter.push(ClvPoint { clv_minor: clv, p_alive: p });
        }
        Ok(())
    })?;
    let pareto = pareto(contributions, &tiers);
    let total_contribution_minor = tiers.iter().map(|t| t.contribution_minor).sum();
    let resources = resources(conn, &run, &tiers, &prospects, &member_groups)?;
    Ok(RunCharts {
        run_id,
        as_of: run.as_of,
        currency: run.currency,
        customers,
        pareto,
        tiers: TierFigures { tiers, prospects, total_contribution_minor },
        rfm_grid: grid,
        segments,
        value_classes,
        lifecycle,
        behaviour,
        clv_bins: clv_bins
            .into_iter()
            .map(|(k, customers)| ClvBin { from_minor: clv_edge(k), to_minor: clv_edge(k + 1), customers })
            .collect(),
        clv_none,
        p_alive: spread(scatter, SCATTER_POINTS),
        resources,
    })
}

/// The bin of a CLV in minor units: quarter powers of ten of the major unit.
fn clv_bin(minor: i64) -> i32 {
    ((minor as f64 / 100.0).log10() * CLV_BINS_PER_DECADE).floor() as i32
}

fn clv_edge(bin: i32) -> i64 {
    (10_f64.powf(f64::from(bin) / CLV_BINS_PER_DECADE) * 100.0).round() as i64
}

/// At most `n` items taken at even steps, the first always among them.
fn spread<T: Copy>(items: Vec<T>, n: usize) -> Vec<T> {
    if items.len() <= n {
        return items;
    }
    (0..n).filter_map(|i| items.get(i * items.len() / n).copied()).collect()
}

fn pareto(mut contributions: Vec<i64>, tiers: &[Group]) -> Pareto {
    contributions.sort_unstable_by(|a, b| b.cmp(a));
    let buyers = contributions.len();
    let total_positive: i64 = contributions.iter().filter(|&&c| c > 0).sum();
    let (n, total) = (buyers as f64, total_positive as f64);
    let step = buyers.div_ceil(CURVE_POINTS).max(1);
    let mut points = vec![ParetoPoint { customer_share: 0.0, contribution_share: 0.0 }];
    let mut running = 0_i64;
    for (i, c) in contributions.iter().enumerate() {
        running += c;
        if (i + 1) % step == 0 || i + 1 == buyers {
            points.push(ParetoPoint {
                customer_share: percent((i + 1) as f64, n),
                contribution_share: percent(running as f64, total),
            });
        }
    }
    let mut cuts = Vec::new();
    let (mut count, mut sum) = (0_u32, 0_i64);
    for t in tiers.iter().filter(|t| t.key != "d") {
        count += t.customers;
        sum += t.contribution_minor;
        cuts.push(ParetoCut {
            tier: t.key.clone(),
            customer_share: percent(f64::from(count), n),
            contribution_share: percent(sum as f64, total),
        });
    }
    let head = cuts.first().cloned();
    Pareto {
        buyers: buyers as u32,
        total_positive_minor: total_positive,
        points,
        cuts,
        head_customer_share: head.as_ref().map_or(0.0, |c| c.customer_share),
        head_contribution_share: head.map_or(0.0, |c| c.contribution_share),
    }
}

/// Service cost, service minutes and interactions per tier in the run's window: each cost
/// and interaction of the window read once and put in its customer's group (1 + an index into
/// tiers-then-prospects; 0 for a customer not in the run).
fn resources(
    conn: &Connection,
    run: &EvaluationRun,
    tiers: &[Group],
    prospects: &Group,
    groups: &IdSlots<u8>,
) -> Result<Vec<ResourceRow>> {
    let window_start = run.as_of - chrono::Duration::days(i64::from(run.settings.window_days()));
    let mut rows: Vec<ResourceRow> = tiers
        .iter()
        .chain(std::iter::once(prospects))
        .map(|g| ResourceRow {
            key: g.key.clone(),
            customers: g.customers,
            contribution_minor: g.contribution_minor,
            service_cost_minor: 0,
            service_minutes: 0,
            interactions: 0,
        })
        .collect();
    let group_of =
        |customer: i64| -> Option<usize> { groups.get(customer).and_then(|&g| usize::from(g).checked_sub(1)) };
    let mut costs = conn.prepare(
        "SELECT customer_id, amount_minor, coalesce(minutes, 0) FROM service_costs
         WHERE occurred_on > ?1 AND occurred_on <= ?2",
    )?;
    let mut found = costs.query(params![window_start, run.as_of])?;
    while let Some(r) = found.next()? {
        if let Some(row) = group_of(r.get(0)?).and_then(|g| rows.get_mut(g)) {
            row.service_cost_minor += r.get::<_, i64>(1)?;
            row.service_minutes += r.get::<_, i64>(2)?;
        }
    }
    // Interactions carry a local time: the window's days run from the day after its start up
    // to the end of the evaluation date.
    let (from, until) = (window_start.succ_opt().unwrap_or(window_start), run.as_of.succ_opt().unwrap_or(run.as_of));
    let mut contacts =
        conn.prepare("SELECT customer_id FROM interactions WHERE occurred_at >= ?1 AND occurred_at < ?2")?;
    let mut found = contacts.query(params![from.to_string(), until.to_string()])?;
    while let Some(r) = found.next()? {
        if let Some(row) = group_of(r.get(0)?).and_then(|g| rows.get_mut(g)) {
            row.interactions += 1;
        }
    }
    Ok(rows)
}

/// Customers moving between groups from one run to another: `counts[i][j]` went from
/// `rows[i]` to `columns[j]`; [`NOT_IN_RUN`] stands for customers not in that run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Matrix {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    pub counts: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Migration {
    pub from_run: i64,
    pub to_run: i64,
    pub from_as_of: NaiveDate,
    pub to_as_of: NaiveDate,
    /// Tiers A to D and the prospects.
    pub tiers: Matrix,
    pub lifecycle: Matrix,
}

/// Migration of tiers (prospects apart) and lifecycle stages between two runs: both runs'
/// members read once each in customer order (their primary key) and merged, so a million
/// customers take two range scans rather than a million lookups per matrix.
///
/// # Errors
/// [`crate::Error::NotFound`] when either run is not a complete run.
pub fn migration(conn: &Connection, from_run: i64, to_run: i64) -> Result<Migration> {
    migration_of(conn, from_run, to_run, &ChartMembers::default())
}

/// [`migration`] over the members `filter` keeps in either run.
///
/// # Errors
/// [`crate::Error::NotFound`] when either run is not a complete run.
pub fn migration_of(conn: &Connection, from_run: i64, to_run: i64, filter: &ChartMembers) -> Result<Migration> {
    let (from, to) = (get_run(conn, from_run)?, get_run(conn, to_run)?);
    let mut tier_keys: Vec<&str> = TIERS.to_vec();
    tier_keys.push(PROSPECT);
    let mut tiers = MatrixBuilder::new(&tier_keys);
    let mut lifecycle = MatrixBuilder::new(&LIFECYCLE);
    // The earlier run's groups by customer, then the later run's members merged with them.
    let mut before: Vec<(i64, usize, usize)> = Vec::new();
    each_chart_member(conn, from_run, filter, |m| {
        before.push((m.customer_id, tiers.index(m.tier_group()), lifecycle.index(m.stage())));
        Ok(())
    })?;
    let mut stayed = vec![false; before.len()];
    each_chart_member(conn, to_run, filter, |m| {
        let (tier, stage) = (tiers.index(m.tier_group()), lifecycle.index(m.stage()));
        let (tier_before, stage_before) = match before.binary_search_by_key(&m.customer_id, |b| b.0) {
            Ok(i) => {
                stayed[i] = true;
                (before[i].1, before[i].2)
            }
            Err(_) => (tiers.index(NOT_IN_RUN), lifecycle.index(NOT_IN_RUN)),
        };
        tiers.count(tier_before, tier);
        lifecycle.count(stage_before, stage);
        Ok(())
    })?;
    for (&(_, tier, stage), _) in before.iter().zip(&stayed).filter(|(_, &stayed)| !stayed) {
        let (gone_tier, gone_stage) = (tiers.index(NOT_IN_RUN), lifecycle.index(NOT_IN_RUN));
        tiers.count(tier, gone_tier);
        lifecycle.count(stage, gone_stage);
    }
    Ok(Migration {
        from_run,
        to_run,
        from_as_of: from.as_of,
        to_as_of: to.as_of,
        tiers: tiers.finish(),
        lifecycle: lifecycle.finish(),
    })
}

/// What the charts read of a member, borrowed from a row or the archive.
struct ChartMember<'a> {
    customer_id: i64,
    tier: Option<&'a str>,
    lifecycle: Option<&'a str>,
    behaviour: Option<&'a str>,
    segment: Option<&'a str>,
    value_class: Option<&'a str>,
    r_score: Option<u8>,
    f_score: Option<u8>,
    monetary_minor: i64,
    contribution_minor: i64,
    predicted_clv_minor: Option<i64>,
    p_alive: Option<f64>,
}

impl ChartMember<'_> {
    fn stage(&self) -> &str {
        self.lifecycle.unwrap_or(PROSPECT)
    }

    /// The tier, or the prospects as a group of their own.
    fn tier_group(&self) -> &str {
        match self.stage() {
            PROSPECT => PROSPECT,
            _ => self.tier.unwrap_or("d"),
        }
    }
}

/// The members of run `run_id` that `filter` keeps, in customer order, from the run's archive;
/// customers since removed for good are left out.
fn each_chart_member(
    conn: &Connection,
    run_id: i64,
    filter: &ChartMembers,
    mut visit: impl FnMut(ChartMember<'_>) -> Result<()>,
) -> Result<()> {
    let kept = kept_customers(conn, filter)?;
    let existing = store::existing_customers(conn)?;
    let dropped = |id: i64| {
        !usize::try_from(id).ok().and_then(|i| existing.get(i)).copied().unwrap_or(false)
            || kept.as_ref().is_some_and(|ids| ids.binary_search(&id).is_err())
    };
    store::archive::each(conn, run_id, |(member, _)| {
        let (m, d) = (&member.measures, &member.decision);
        if dropped(m.customer_id) {
            return Ok(());
        }
        visit(ChartMember {
            customer_id: m.customer_id,
            tier: Some(d.tier.as_str()),
            lifecycle: Some(d.lifecycle.as_str()),
            behaviour: d.behaviour.map(|b| b.as_str()),
            segment: d.segment.map(|s| s.as_str()),
            value_class: d.value_class.map(|v| v.as_str()),
            r_score: d.r_score,
            f_score: d.f_score,
            monetary_minor: m.monetary_minor,
            contribution_minor: m.contribution_minor,
            predicted_clv_minor: m.predicted_clv_minor,
            p_alive: m.p_alive,
        })
    })
}

/// The customers `filter` keeps (the owner's, and those with an order in the channel),
/// ascending; `None` when it keeps everyone. Each condition reads its table once.
fn kept_customers(conn: &Connection, filter: &ChartMembers) -> Result<Option<Vec<i64>>> {
    if filter.owner().is_none() && filter.channel().is_none() {
        return Ok(None);
    }
    let mut stmt = conn.prepare(
        "SELECT id FROM customers WHERE (?1 IS NULL OR owner = ?1)
           AND (?2 IS NULL OR id IN (SELECT customer_id FROM orders WHERE channel = ?2)) ORDER BY id",
    )?;
    let ids = stmt.query_map(params![filter.owner(), filter.channel()], |r| r.get(0))?;
    Ok(Some(ids.collect::<rusqlite::Result<_>>()?))
}

/// Counts per (from, to) pair over the known keys, then [`NOT_IN_RUN`]; a key not foreseen
/// is added before it.
struct MatrixBuilder {
    labels: Vec<String>,
    counts: Vec<Vec<u32>>,
}

impl MatrixBuilder {
    fn new(keys: &[&str]) -> MatrixBuilder {
        let mut labels: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        labels.push(NOT_IN_RUN.to_owned());
        let n = labels.len();
        MatrixBuilder { labels, counts: vec![vec![0; n]; n] }
    }

    fn index(&mut self, key: &str) -> usize {
        if let Some(i) = self.labels.iter().position(|l| l == key) {
            return i;
        }
        let at = self.labels.len() - 1;
        self.labels.insert(at, key.to_owned());
        for row in &mut self.counts {
            row.insert(at, 0);
        }
        self.counts.insert(at, vec![0; self.labels.len()]);
        at
    }

    /// Counts a member that went from group `i` to group `j` (places from [`Self::index`]).
    fn count(&mut self, i: usize, j: usize) {
        self.counts[i][j] += 1;
    }

    fn finish(self) -> Matrix {
        Matrix { rows: self.labels.clone(), columns: self.labels, counts: self.counts }
    }
}

/// A survey kind's score in one month, with its response count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct MonthScore {
    pub kind: SurveyKind,
    /// `2026-03`.
    pub month: String,
    pub score: Score,
}

/// Customers whose first purchase fell in `month`, and how many of them bought in each month
/// since (`retained[0]` is the whole cohort).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Cohort {
    pub month: String,
    pub customers: u32,
    pub retained: Vec<u32>,
}

/// Revenue of one channel in one month; `channel` is `unknown` for orders without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ChannelMonth {
    pub month: String,
    pub channel: String,
    pub revenue_minor: i64,
}

/// The charts over time, from the activity tables up to a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ActivityCharts {
    /// The months shown, oldest first (`2026-03`).
    pub months: Vec<String>,
    /// NPS, CSAT and CES per month, by month then kind; a month without answers has no row.
    pub satisfaction: Vec<MonthScore>,
    /// One cohort per month shown, oldest first.
    pub cohorts: Vec<Cohort>,
    pub channels: Vec<ChannelMonth>,
}

fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Satisfaction, cohorts and channel mix over the `months` months ending with `as_of`'s.
pub fn activity_charts(conn: &Connection, as_of: NaiveDate, months: u32) -> Result<ActivityCharts> {
    // A month is one bit of each buyer's months in the cohorts' pass.
    let months = months.clamp(1, u64::BITS);
    let first_day = as_of.with_day(1).and_then(|d| d.checked_sub_months(Months::new(months - 1))).unwrap_or(as_of);
    let keys: Vec<String> =
        (0..months).filter_map(|i| first_day.checked_add_months(Months::new(i))).map(month_key).collect();

    // (month, kind) -> the kind and its answers as (score, count).
    type Answers = BTreeMap<(String, String), (SurveyKind, Vec<(i64, u32)>)>;
    let mut answers: Answers = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT s.kind, substr(r.responded_on, 1, 7), r.score, count(*)
         FROM survey_responses r JOIN surveys s ON s.id = r.survey_id
         WHERE r.responded_on >= ?1 AND r.responded_on <= ?2 GROUP BY 1, 2, 3",
    )?;
    let mut rows = stmt.query(params![first_day, as_of])?;
    while let Some(r) = rows.next()? {
        let kind: SurveyKind = r.get(0)?;
        let month: String = r.get(1)?;
        answers
            .entry((month, kind.as_str().to_owned()))
            .or_insert_with(|| (kind, Vec::new()))
            .1
            .push((r.get(2)?, r.get(3)?));
    }
    let satisfaction = answers
        .into_iter()
        .map(|((month, _), (kind, counts))| {
            let mut tally = Score::tally(kind);
            for (score, n) in counts {
                tally.add(score, n);
            }
            MonthScore { kind, month, score: tally.score() }
        })
        .collect();

    let (cohorts, channels) = orders_by_month(conn, as_of, &keys)?;
    Ok(ActivityCharts { satisfaction, cohorts, channels, months: keys })
}

/// `YYYY-MM` as a count of months, for distances between months.
fn month_number(text: &str) -> Option<i32> {
    month_of(text.as_bytes())
}

/// The month count of a `YYYY-MM…` date read from its bytes, a few million times per report.
fn month_of(date: &[u8]) -> Option<i32> {
    let digits = |range: std::ops::Range<usize>| -> Option<i32> {
        date.get(range)?.iter().try_fold(0_i32, |n, &b| b.is_ascii_digit().then(|| n * 10 + i32::from(b - b'0')))
    };
    Some(digits(0..4)? * 12 + digits(5..7)?)
}

/// Per-customer slots over the customers' ids: a vector indexed by id when the ids are packed
/// (as SQLite hands them out), a map when they are not.
pub(crate) enum IdSlots<T> {
    Dense(Vec<T>),
    Sparse(HashMap<i64, T>),
}

impl<T: Clone + Default> IdSlots<T> {
    /// Slots for every customer id in the database, live or not.
    pub(crate) fn for_customers(conn: &Connection) -> Result<IdSlots<T>> {
        let (count, max): (i64, Option<i64>) =
            conn.query_row("SELECT count(*), max(id) FROM customers", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let max = max.unwrap_or(0);
        // Dense while at most a quarter of the vector is holes.
        Ok(match usize::try_from(max) {
            Ok(top) if max <= count.saturating_mul(4) / 3 + 1_024 => IdSlots::Dense(vec![T::default(); top + 1]),
            _ => IdSlots::Sparse(HashMap::new()),
        })
    }

    pub(crate) fn slot(&mut self, id: i64) -> &mut T {
        if let IdSlots::Dense(v) = self {
            if usize::try_from(id).map_or(true, |i| i >= v.len()) {
                // A customer added since the slots were made: a map takes over.
                let map = std::mem::take(v).into_iter().enumerate().map(|(i, t)| (i as i64, t)).collect();
                *self = IdSlots::Sparse(map);
            }
        }
        match self {
            IdSlots::Dense(v) => &mut v[usize::try_from(id).unwrap_or_default()],
            IdSlots::Sparse(m) => m.entry(id).or_default(),
        }
    }

    pub(crate) fn get(&self, id: i64) -> Option<&T> {
        match self {
            IdSlots::Dense(v) => usize::try_from(id).ok().and_then(|i| v.get(i)),
            IdSlots::Sparse(m) => m.get(&id),
        }
    }

    pub(crate) fn values(&self) -> Box<dyn Iterator<Item = &T> + '_> {
        match self {
            IdSlots::Dense(v) => Box::new(v.iter()),
            IdSlots::Sparse(m) => Box::new(m.values()),
        }
    }
}

/// A customer's first month with a purchase and the months shown in which they bought (bit
/// `i` for the `i`-th month shown).
#[derive(Clone, Copy)]
struct Buyer {
    first: i32,
    months: u64,
}

impl Default for Buyer {
    fn default() -> Buyer {
        Buyer { first: i32::MAX, months: 0 }
    }
}

/// The channels in the order the mix shows them, `unknown` last.
const CHANNELS: [&str; 5] = ["online_shop", "marketplace", "store", "phone_wechat", "unknown"];

fn channel_index(channel: Option<&[u8]>) -> usize {
    channel.and_then(|c| CHANNELS.iter().position(|k| k.as_bytes() == c)).unwrap_or(CHANNELS.len() - 1)
}

/// Cohorts and channel mix from one pass over the orders up to `as_of`: each customer's first
/// month and the months shown in which they bought, and the revenue per month and channel.
/// Orders a platform cancelled or refunded count in neither, as in the evaluation.
fn orders_by_month(conn: &Connection, as_of: NaiveDate, keys: &[String]) -> Result<(Vec<Cohort>, Vec<ChannelMonth>)> {
    let Some(first) = keys.first().and_then(|k| month_number(k)) else { return Ok((Vec::new(), Vec::new())) };
    let span = keys.len();
    let mut buyers: IdSlots<Buyer> = IdSlots::for_customers(conn)?;
    let mut revenue = vec![[0_i64; CHANNELS.len()]; span];
    let mut stmt = conn.prepare(
        "SELECT customer_id, ordered_on, amount_minor, channel FROM orders WHERE ordered_on <= ?1 AND status IS NULL",
    )?;
    let mut rows = stmt.query(params![as_of])?;
    while let Some(r) = rows.next()? {
        let Some(month) = r.get_ref(1)?.as_bytes().ok().and_then(month_of) else { continue };
        let buyer = buyers.slot(r.get(0)?);
        buyer.first = buyer.first.min(month);
        if let Some(i) = usize::try_from(month - first).ok().filter(|&i| i < span) {
            buyer.months |= 1 << i;
            revenue[i][channel_index(r.get_ref(3)?.as_bytes_or_null().ok().flatten())] += r.get::<_, i64>(2)?;
        }
    }

    let mut cohorts: Vec<Cohort> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Cohort { month: k.clone(), customers: 0, retained: vec![0; span - i] })
        .collect();
    for buyer in buyers.values() {
        let Some(start) = usize::try_from(buyer.first - first).ok().filter(|&i| i < span) else { continue };
        let cohort = &mut cohorts[start];
        cohort.customers += 1;
        for (since, slot) in cohort.retained.iter_mut().enumerate() {
            if buyer.months & (1 << (start + since)) != 0 {
                *slot += 1;
            }
        }
    }
    let channels = keys
        .iter()
        .zip(&revenue)
        .flat_map(|(month, row)| {
            CHANNELS.iter().zip(row).filter(|(_, &v)| v != 0).map(|(channel, &revenue_minor)| ChannelMonth {
                month: month.clone(),
                channel: (*channel).to_owned(),
                revenue_minor,
            })
        })
        .collect();
    Ok((cohorts, channels))
}

/// Revenue per channel per month as a table: the channels in a fixed order, then one row of
/// revenue per month in `months`.
pub fn channel_table(months: &[String], rows: &[ChannelMonth]) -> (Vec<String>, Vec<Vec<i64>>) {
    let mut channels: Vec<String> = CHANNELS.iter().map(|c| (*c).to_owned()).collect();
    for r in rows {
        if !channels.contains(&r.channel) {
            channels.push(r.channel.clone());
        }
    }
    let month_index: HashMap<&str, usize> = months.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();
    let mut table = vec![vec![0_i64; channels.len()]; months.len()];
    for r in rows {
        let (Some(&m), Some(c)) = (month_index.get(r.month.as_str()), channels.iter().position(|c| *c == r.channel))
        else {
            continue;
        };
        table[m][c] += r.revenue_minor;
    }
    // Channels never used in these months are left out.
    let used: Vec<bool> = (0..channels.len()).map(|c| table.iter().any(|row| row[c] != 0)).collect();
    let keep = |c: usize| used.get(c).copied().unwrap_or(false);
    let names = channels.iter().enumerate().filter(|(c, _)| keep(*c)).map(|(_, n)| n.clone()).collect();
    let table = table
        .into_iter()
        .map(|row| row.into_iter().enumerate().filter(|(c, _)| keep(*c)).map(|(_, v)| v).collect())
        .collect();
    (names, table)
}
