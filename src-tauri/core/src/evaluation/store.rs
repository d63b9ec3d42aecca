//! Evaluation runs in the database: running and saving one, the members of a run, a
//! customer's history and reasons, migration between runs. Re-evaluating customers against
//! the latest run's model after new orders is [`super::refresh`]'s.

pub use super::refresh::refresh_customer;

use super::engine::evaluate_columns;
use super::reasons::Reason;
use super::Evaluation;
use super::{decide, load, Decision, EvaluationSettings, Lifecycle, Measures, Member, Model, Stage};
use crate::activity::CURRENCY_DEFAULT;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::money;
use crate::page::{page_limit, Page};
use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;
use std::time::Instant;

const SETTINGS_KEY: &str = "evaluation";

text_enum!(
    /// What started a run.
    Trigger { Manual = "manual", Import = "import", CommandLine = "command_line" }
);

/// The evaluation thresholds saved with the database (the defaults until changed).
pub fn settings(conn: &Connection) -> Result<EvaluationSettings> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [SETTINGS_KEY], |r| r.get(0)).optional()?;
    Ok(stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// # Errors
/// [`Error::Validation`] naming each setting out of range; nothing is saved then.
pub fn save_settings(conn: &Connection, settings: &EvaluationSettings) -> Result<()> {
    settings.validate()?;
    let json = serde_json::to_string(settings).map_err(|e| Error::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![SETTINGS_KEY, json],
    )?;
    Ok(())
}

/// Customers, revenue, contribution and service cost of one group of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct GroupFigures {
    pub key: String,
    pub customers: u32,
    pub revenue_minor: i64,
    pub contribution_minor: i64,
    pub service_cost_minor: i64,
    pub predicted_clv_minor: i64,
}

/// Group totals of a run, kept with it so overviews need no pass over the members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct RunSummary {
    pub tiers: Vec<GroupFigures>,
    pub segments: Vec<GroupFigures>,
    pub value_classes: Vec<GroupFigures>,
    pub lifecycle: Vec<GroupFigures>,
    pub behaviour: Vec<GroupFigures>,
    pub service_levels: Vec<GroupFigures>,
    pub next_actions: Vec<GroupFigures>,
    pub potential_head: u32,
    pub influential: u32,
    pub exit_candidates: u32,
}

/// Adds members up into a [`RunSummary`] as they are saved.
#[derive(Default)]
struct SummaryBuilder {
    /// Tiers, segments, value classes, lifecycle, behaviour, service levels, next actions.
    groups: [BTreeMap<&'static str, GroupFigures>; 7],
    potential_head: u32,
    influential: u32,
    exit_candidates: u32,
}

impl SummaryBuilder {
    fn add(&mut self, m: &Measures, d: &Decision) {
        let keys = [
            Some(d.tier.as_str()),
            d.segment.map(|s| s.as_str()),
            d.value_class.map(|c| c.as_str()),
            Some(d.lifecycle.as_str()),
            d.behaviour.map(|b| b.as_str()),
            Some(d.service_level.as_str()),
            d.next_action.map(|a| a.as_str()),
        ];
        for (groups, key) in self.groups.iter_mut().zip(keys) {
            let Some(key) = key else { continue };
            let g =
                groups.entry(key).or_insert_with(|| GroupFigures { key: key.to_owned(), ..GroupFigures::default() });
            g.customers += 1;
            g.revenue_minor += m.monetary_minor;
            g.contribution_minor += m.contribution_minor;
            g.service_cost_minor += m.window_service_cost_minor;
            g.predicted_clv_minor += m.predicted_clv_minor.unwrap_or(0);
        }
        self.potential_head += u32::from(d.potential_head);
        self.influential += u32::from(d.influential);
        self.exit_candidates += u32::from(d.exit_step.is_some());
    }

    fn finish(self) -> RunSummary {
        let [tiers, segments, value_classes, lifecycle, behaviour, service_levels, next_actions] =
            self.groups.map(|g| g.into_values().collect());
        RunSummary {
            tiers,
            segments,
            value_classes,
            lifecycle,
            behaviour,
            service_levels,
            next_actions,
            potential_head: self.potential_head,
            influential: self.influential,
            exit_candidates: self.exit_candidates,
        }
    }
}

/// A stored run without its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Run {
    pub id: i64,
    pub as_of: NaiveDate,
    pub started_at: String,
    pub finished_at: String,
    pub trigger: Trigger,
    pub currency: String,
    pub customers: u32,
    pub seconds: f64,
    pub summary: RunSummary,
    pub model: Model,
    pub settings: EvaluationSettings,
}

/// Timings of a run, for benchmarks and the run log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct RunTimings {
    pub load_seconds: f64,
    pub evaluate_seconds: f64,
    pub save_seconds: f64,
}

/// Evaluates everyone at `as_of` with the saved settings and stores the run; older runs
/// beyond the number to keep are removed.
///
/// # Errors
/// Invalid settings; database errors (then nothing is stored).
pub fn run(
    db: &Database,
    as_of: NaiveDate,
    trigger: Trigger,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<(Run, RunTimings)> {
    let started_at = now();
    let clock = Instant::now();
    let settings = db.with_conn(settings)?;
    settings.validate()?;
    progress(Stage::Loading, 0.0);
    let currency = CURRENCY_DEFAULT;
    let population = load::population(db, as_of, currency, &settings, None)?;
    let load_seconds = clock.elapsed().as_secs_f64();
    let evaluation = evaluate_columns(population, &settings, as_of, currency, progress)?;
    let evaluate_seconds = clock.elapsed().as_secs_f64() - load_seconds;
    progress(Stage::Saving, 0.0);
    let mut run = Run {
        id: 0,
        as_of,
        started_at,
        finished_at: String::new(),
        trigger,
        currency: currency.to_owned(),
        customers: evaluation.len() as u32,
        seconds: 0.0,
        summary: RunSummary::default(),
        model: placeholder_model(),
        settings,
    };
    // A run left half-saved by a crash is removed first.
    db.with_tx(|tx| Ok(tx.execute("DELETE FROM evaluation_runs WHERE complete = 0", [])?))?;
    run.id = db.with_tx(|tx| insert_run(tx, &run))?;
    let saved = save_members(db, &run, &evaluation, progress).and_then(|summary| {
        run.summary = summary;
        run.model = evaluation.model.clone();
        run.finished_at = now();
        run.seconds = clock.elapsed().as_secs_f64();
        db.with_tx(|tx| {
            tx.execute(
                "UPDATE evaluation_runs SET finished_at = ?2, model = ?3, summary = ?4, seconds = ?5, complete = 1
                 WHERE id = ?1",
                params![run.id, run.finished_at, json(&run.model)?, json(&run.summary)?, run.seconds],
            )?;
            prune(tx, run.settings.keep_runs)
        })
    });
    if let Err(e) = saved {
        // Best effort: the next run removes it otherwise.
        let _ = db.with_tx(|tx| Ok(tx.execute("DELETE FROM evaluation_runs WHERE id = ?1", [run.id])?));
        return Err(e);
    }
    progress(Stage::Saving, 1.0);
    let save_seconds = clock.elapsed().as_secs_f64() - load_seconds - evaluate_seconds;
    Ok((run, RunTimings { load_seconds, evaluate_seconds, save_seconds }))
}

/// Members saved per transaction: each holds the write lock for a fraction of a second, so
/// edits in the window go through while a large run is being saved.
pub(super) const SAVE_BATCH: usize = 50_000;

fn save_members(
    db: &Database,
    run: &Run,
    evaluation: &Evaluation,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<RunSummary> {
    let mut summary = SummaryBuilder::default();
    let total = evaluation.len();
    let mut start = 0;
    while start < total {
        let end = (start + SAVE_BATCH).min(total);
        db.with_tx(|tx| {
            let mut stmt = tx.prepare_cached(&insert_member_sql())?;
            for (i, d) in evaluation.decisions.iter().enumerate().take(end).skip(start) {
                let m = evaluation.measures(i);
                write_member(&mut stmt, run.id, &m, d, None)?;
                summary.add(&m, d);
            }
            Ok(())
        })?;
        progress(Stage::Saving, end as f64 / total as f64);
        start = end;
    }
    Ok(summary.finish())
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

pub(super) const MEMBER_COLUMNS: &str =
    "customer_id, recency_days, purchase_days, span_days, median_gap_days, last_gap_days,
    frequency, monetary_minor, contribution_minor, historical_clv_minor, window_margin_minor,
    window_service_cost_minor, previous_window_revenue_minor, p_alive, expected_purchases, predicted_clv_minor,
    is_kol, referrals, open_complaints, follow_up_due, last_survey, categories, returned_after_churn,
    low_value_runs_before, exit_runs_before, r_score, f_score, m_score, segment, value_class, tier,
    potential_head, influential, lifecycle, behaviour, service_level, low_value_runs, exit_runs, exit_step,
    next_action, upsell_category, refreshed_on";

/// Inserts the run's row (its members follow); returns its id.
fn insert_run(conn: &Connection, run: &Run) -> Result<i64> {
    conn.execute(
        "INSERT INTO evaluation_runs
           (as_of, started_at, finished_at, trigger, currency, settings, model, summary, customers, seconds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            run.as_of.to_string(),
            run.started_at,
            run.finished_at,
            run.trigger,
            run.currency,
            json(&run.settings)?,
            json(&run.model)?,
            json(&run.summary)?,
            run.customers,
            run.seconds
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

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

fn read_member(row: &Row<'_>) -> rusqlite::Result<(Member, Option<NaiveDate>)> {
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

/// Removes the oldest runs beyond `keep`.
fn prune(conn: &Connection, keep: u32) -> Result<()> {
    conn.execute(
        "DELETE FROM evaluation_runs WHERE complete = 1 AND id NOT IN
           (SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT ?1)",
        [keep],
    )?;
    Ok(())
}

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<(Run, [String; 3])> {
    Ok((
        Run {
            id: row.get(0)?,
            as_of: row.get(1)?,
            started_at: row.get(2)?,
            finished_at: row.get(3)?,
            trigger: row.get(4)?,
            currency: row.get(5)?,
            customers: row.get(6)?,
            seconds: row.get(7)?,
            summary: RunSummary::default(),
            model: placeholder_model(),
            settings: EvaluationSettings::default(),
        },
        [row.get(8)?, row.get(9)?, row.get(10)?],
    ))
}

fn placeholder_model() -> Model {
    Model {
        as_of: NaiveDate::MIN,
        currency: String::new(),
        customers: 0,
        buyers: 0,
        recency: super::rfm::Cuts::from_values(&[], false),
        frequency: super::rfm::Cuts::from_values(&[], true),
        monetary: super::rfm::Cuts::from_values(&[], true),
        means: super::rfm::Means::of(&[], &[], &[]),
        tiers: super::tiers::TierCuts::from_contributions(&[], 0.7, 0.9),
        clv: super::ClvModels {
            purchases: None,
            purchases_log_likelihood: None,
            spend: None,
            spend_log_likelihood: None,
            unavailable: None,
            unavailable_code: None,
            repeat_buyers: 0,
        },
        potential_head_from_minor: None,
        categories: Vec::new(),
        upsell: Vec::new(),
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored {what} is unreadable: {e}")))
}

const RUN_COLUMNS: &str =
    "id, as_of, started_at, finished_at, trigger, currency, customers, seconds, summary, model, settings";

fn complete((run, [summary, model, settings]): (Run, [String; 3])) -> Result<Run> {
    Ok(Run {
        summary: parse_json(&summary, "summary")?,
        model: parse_json(&model, "model")?,
        settings: parse_json(&settings, "settings")?,
        ..run
    })
}

/// Stored runs, newest first.
pub fn runs(conn: &Connection) -> Result<Vec<Run>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], run_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(complete).collect()
}

pub fn get_run(conn: &Connection, id: i64) -> Result<Run> {
    let row = conn
        .query_row(
            &format!("SELECT {RUN_COLUMNS} FROM evaluation_runs WHERE id = ?1 AND complete = 1"),
            [id],
            run_from_row,
        )
        .optional()?
        .ok_or(Error::NotFound { entity: "evaluation", id })?;
    complete(row)
}

pub fn latest_run(conn: &Connection) -> Result<Option<Run>> {
    let id: Option<i64> = conn
        .query_row("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    id.map(|id| get_run(conn, id)).transpose()
}

/// Which members of a run to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct MemberFilter {
    pub tier: Option<super::Tier>,
    pub segment: Option<super::RfmSegment>,
    pub value_class: Option<super::ValueClass>,
    pub lifecycle: Option<Lifecycle>,
    pub service_level: Option<super::ServiceLevel>,
    pub next_action: Option<super::NextActionKind>,
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

/// A customer's standing in one run, with the reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Standing {
    pub run_id: i64,
    pub as_of: NaiveDate,
    /// The date the member was last evaluated at (later than the run's when an order came in).
    pub evaluated_on: NaiveDate,
    pub member: Member,
    pub reasons: Vec<Reason>,
    pub upsell_category: Option<String>,
}

fn member_in(conn: &Connection, run: i64, customer: i64) -> Result<Option<(Member, Option<NaiveDate>)>> {
    Ok(conn
        .query_row(
            &format!("SELECT {MEMBER_COLUMNS} FROM evaluation_members WHERE run_id = ?1 AND customer_id = ?2"),
            [run, customer],
            read_member,
        )
        .optional()?)
}

/// The customer in the latest run, with every reason recomputed from the stored figures.
pub fn standing(conn: &Connection, customer: i64) -> Result<Option<Standing>> {
    let Some(run) = latest_run(conn)? else { return Ok(None) };
    let Some((member, refreshed)) = member_in(conn, run.id, customer)? else { return Ok(None) };
    let evaluated_on = refreshed.unwrap_or(run.as_of);
    let model = Model { as_of: evaluated_on, ..run.model };
    let mut reasons = Vec::new();
    decide(&member.measures, &model, &run.settings, Some(&mut reasons));
    let upsell_category = member.decision.upsell_category.and_then(|c| model.categories.get(c as usize).cloned());
    Ok(Some(Standing { run_id: run.id, as_of: run.as_of, evaluated_on, member, reasons, upsell_category }))
}

/// A customer's assignments in one stored run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct HistoryEntry {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub decision: Decision,
    pub contribution_minor: i64,
    pub predicted_clv_minor: Option<i64>,
    pub p_alive: Option<f64>,
}

/// The customer's assignments in every stored run, newest first.
pub fn history(conn: &Connection, customer: i64) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MEMBER_COLUMNS}, r.id, r.as_of FROM evaluation_members m JOIN evaluation_runs r ON r.id = m.run_id
         WHERE m.customer_id = ?1 AND r.complete = 1 ORDER BY r.as_of DESC, r.id DESC"
    ))?;
    let rows = stmt.query_map([customer], |row| {
        let (member, _) = read_member(row)?;
        Ok(HistoryEntry {
            run_id: row.get(42)?,
            as_of: row.get(43)?,
            contribution_minor: member.measures.contribution_minor,
            predicted_clv_minor: member.measures.predicted_clv_minor,
            p_alive: member.measures.p_alive,
            decision: member.decision,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The assignment compared between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Tier,
    Segment,
    ValueClass,
    Lifecycle,
    ServiceLevel,
}

impl Dimension {
    fn column(self) -> &'static str {
        match self {
            Dimension::Tier => "tier",
            Dimension::Segment => "segment",
            Dimension::ValueClass => "value_class",
            Dimension::Lifecycle => "lifecycle",
            Dimension::ServiceLevel => "service_level",
        }
    }
}

/// How many customers went from one group to another; `None` on a side means not in that
/// run (new customers, or customers gone from the later run) or without a value there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Flow {
    pub from: Option<String>,
    pub to: Option<String>,
    pub customers: u32,
}

/// Migration between two runs along one dimension.
pub fn migration(conn: &Connection, from_run: i64, to_run: i64, dimension: Dimension) -> Result<Vec<Flow>> {
    for id in [from_run, to_run] {
        get_run(conn, id)?;
    }
    let c = dimension.column();
    let sql = format!(
        "SELECT a.{c}, b.{c}, count(*) FROM evaluation_members b
           LEFT JOIN evaluation_members a ON a.run_id = ?1 AND a.customer_id = b.customer_id
         WHERE b.run_id = ?2 GROUP BY 1, 2
         UNION ALL
         SELECT a.{c}, NULL, count(*) FROM evaluation_members a
         WHERE a.run_id = ?1 AND NOT EXISTS
           (SELECT 1 FROM evaluation_members b WHERE b.run_id = ?2 AND b.customer_id = a.customer_id)
         GROUP BY 1
         ORDER BY 3 DESC"
    );
    let mut stmt = conn.prepare(&sql)?;
    let flows =
        stmt.query_map([from_run, to_run], |r| Ok(Flow { from: r.get(0)?, to: r.get(1)?, customers: r.get(2)? }))?;
    Ok(flows.collect::<rusqlite::Result<_>>()?)
}

/// The columns of a members file, one row per customer.
pub const MEMBER_CSV_HEADER: [&str; 22] = [
    "customer_id",
    "external_id",
    "name",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "value_class",
    "contribution",
    "tier",
    "lifecycle_stage",
    "p_alive",
    "expected_purchases_12m",
    "predicted_clv",
    "service_level",
    "exit_candidate",
    "exit_step",
    "next_best_action",
    "upsell_category",
];

/// Writes the members of a run matching `filter` as CSV (with a UTF-8 BOM when `bom`, for
/// spreadsheet programs); money in major units of the run's currency. Returns the rows.
pub fn members_csv(
    conn: &Connection,
    run: &Run,
    filter: &MemberFilter,
    bom: bool,
    mut out: impl std::io::Write,
) -> Result<u64> {
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let digits = money::minor_digits(&run.currency);
    let mut csv = csv::Writer::from_writer(out);
    let fail = |e: csv::Error| Error::Io(std::io::Error::other(e));
    csv.write_record(MEMBER_CSV_HEADER).map_err(fail)?;
    let mut rows = 0;
    let opt = |v: Option<String>| v.unwrap_or_default();
    each_member(conn, run.id, filter, |row| {
        let (m, d) = (&row.member.measures, &row.member.decision);
        let upsell = d.upsell_category.and_then(|c| run.model.categories.get(c as usize).cloned());
        csv.write_record([
            m.customer_id.to_string(),
            opt(row.external_id.clone()),
            row.name.clone(),
            opt(m.recency_days.map(|v| v.to_string())),
            m.frequency.to_string(),
            money::decimal(m.monetary_minor, digits),
            opt(d.r_score.map(|v| v.to_string())),
            opt(d.f_score.map(|v| v.to_string())),
            opt(d.m_score.map(|v| v.to_string())),
            opt(d.segment.map(|v| v.as_str().to_owned())),
            opt(d.value_class.map(|v| v.as_str().to_owned())),
            money::decimal(m.contribution_minor, digits),
            d.tier.as_str().to_uppercase(),
            d.lifecycle.as_str().to_owned(),
            opt(m.p_alive.map(|v| format!("{v:.4}"))),
            opt(m.expected_purchases.map(|v| format!("{v:.4}"))),
            opt(m.predicted_clv_minor.map(|v| money::decimal(v, digits))),
            d.service_level.as_str().to_owned(),
            (if d.exit_step.is_some() { "yes" } else { "no" }).to_owned(),
            opt(d.exit_step.map(|v| v.as_str().to_owned())),
            opt(d.next_action.map(|v| v.as_str().to_owned())),
            opt(upsell),
        ])
        .map_err(fail)?;
        rows += 1;
        Ok(())
    })?;
    csv.flush()?;
    Ok(rows)
}
