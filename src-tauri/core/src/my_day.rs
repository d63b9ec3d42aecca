//! My day: what needs doing today, for one owner or everyone, worked out when it is asked
//! for — nobody types these in.
//!
//! - Overdue and today's follow-ups: the agenda's first two buckets ([`agenda`]).
//! - Head customers (tier A or potential head in the latest complete evaluation) with no
//!   interaction since the day `no_contact_days` before today: the last one was that day or
//!   earlier, so "30 days without contact" starts on the 30th day. Never contacted counts.
//! - At-risk head customers: head as above, at the lifecycle stage `at_risk` in that run.
//! - Complaints past their target: open or in progress, not yet answered, response due
//!   before now.
//! - New detractors: answers at or below the detractor threshold of their survey's kind,
//!   given within the last `new_detractor_days` days counting today (14: today and the 13
//!   days before).
//!
//! The owner filter is the customer's owner, and for follow-ups the follow-up's own owner (it
//! starts as the customer's and can be handed to someone else). Deleted and erased customers
//! never appear. Times are local wall-clock time, as interactions, complaints and due times
//! are kept.
//!
//! Cost (`workday_bench`: a million customers, 250,000 open follow-ups, release build on a
//! shared two-core machine): My day 70 ms for everyone, 80 ms for one owner; the counts 70
//! and 50 ms. Counts read indexes alone and take deleted and erased customers off through the
//! small index that holds only them; customer rows are read for the items shown. What is
//! left is one look per head customer at their last contact (40 ms) and, for one owner, one
//! look per new detractor in the owner index (18,000 in the demo's last 14 days: 40 ms).

use crate::complaints::ComplaintSeverity;
use crate::error::Result;
use crate::evaluation::{Lifecycle, Tier};
use crate::follow_ups::agenda::{self, AgendaBucket, AgendaCounts, AgendaItem, AgendaQuery, NOT_LIVE};
use crate::follow_ups::FollowUpSource;
use crate::page::{page_limit, Page};
use crate::surveys::SurveyKind;
use crate::text_enum::{Place, Placed};
use crate::work_settings::{self, WorkSettings};
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(
    /// The sections of My day, in the order they are shown.
    MyDaySection {
        OverdueFollowUps = "overdue_follow_ups",
        TodayFollowUps = "today_follow_ups",
        NoContact = "no_contact",
        AtRisk = "at_risk",
        LateComplaints = "late_complaints",
        NewDetractors = "new_detractors",
    }
);

text_enum!(
    /// The one thing to do next for an item: contact the customer and log it (a logged
    /// interaction answers an open follow-up), plan a follow-up to keep an at-risk customer,
    /// answer the complaint, or call the customer about the low score.
    NextStep {
        LogInteraction = "log_interaction",
        ScheduleFollowUp = "schedule_follow_up",
        RespondToComplaint = "respond_to_complaint",
        CallDetractor = "call_detractor",
    }
);

/// Why an item is on My day; `type` names the section's kind of fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MyDayFact {
    FollowUp {
        follow_up_id: i64,
        due_at: NaiveDateTime,
        reason: Option<String>,
        source: FollowUpSource,
    },
    NoContact {
        tier: Tier,
        potential_head: bool,
        /// None: never contacted.
        last_contact_at: Option<NaiveDateTime>,
        /// Whole days from the last contact's day to today.
        days_since_contact: Option<u32>,
    },
    AtRisk {
        tier: Tier,
        potential_head: bool,
        /// Days since the last purchase, as of the evaluation.
        recency_days: Option<i64>,
        predicted_clv_minor: Option<i64>,
    },
    LateComplaint {
        complaint_id: i64,
        category: String,
        severity: ComplaintSeverity,
        response_due_at: NaiveDateTime,
        /// Whole hours since the response was due.
        hours_past_target: u32,
    },
    Detractor {
        survey_response_id: i64,
        survey_kind: SurveyKind,
        score: i64,
        responded_on: NaiveDate,
        comment: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MyDayItem {
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's owner, or the follow-up's owner for a follow-up.
    pub owner: Option<String>,
    pub fact: MyDayFact,
    pub next_step: NextStep,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MyDayQuery {
    /// One owner's day, or everyone's.
    pub owner: Option<String>,
    /// Items shown per section; 0 means the default page size.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MyDaySectionQuery {
    pub owner: Option<String>,
    pub section: MyDaySection,
    pub offset: u32,
    /// 0 means the default page size.
    pub limit: u32,
}

/// Whether head customers can be known: they come from the latest complete evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct EvaluationBasis {
    pub run_id: i64,
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MyDay {
    /// None: no evaluation yet, so the head sections are empty.
    pub evaluation: Option<EvaluationBasis>,
    pub no_contact_days: u32,
    pub new_detractor_days: u32,
    pub overdue_follow_ups: Page<MyDayItem>,
    pub today_follow_ups: Page<MyDayItem>,
    pub no_contact: Page<MyDayItem>,
    pub at_risk: Page<MyDayItem>,
    pub late_complaints: Page<MyDayItem>,
    pub new_detractors: Page<MyDayItem>,
}

/// The sidebar's figures: each section's count, their sum, and the agenda's buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct MyDayCounts {
    pub evaluated: bool,
    pub overdue_follow_ups: u32,
    pub today_follow_ups: u32,
    pub no_contact: u32,
    pub at_risk: u32,
    pub late_complaints: u32,
    pub new_detractors: u32,
    /// Items on My day (a customer in two sections counts twice).
    pub total: u32,
    pub agenda: AgendaCounts,
}

/// What every section's query needs: the filter, the clock, the settings and the run.
struct Context<'a> {
    owner: Option<&'a str>,
    now: NaiveDateTime,
    settings: WorkSettings,
    evaluation: Option<EvaluationBasis>,
}

impl<'a> Context<'a> {
    fn new(conn: &Connection, owner: Option<&'a str>, now: NaiveDateTime) -> Result<Self> {
        Ok(Context { owner, now, settings: work_settings::load(conn)?, evaluation: latest_evaluation(conn)? })
    }

    /// The start of the day `days` before today.
    fn days_back(&self, days: u32) -> NaiveDateTime {
        let day = self.now.date().checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN);
        day.and_time(NaiveTime::MIN)
    }

    /// An interaction at or after this time is a contact within the period (both settings
    /// are at least 1).
    fn no_contact_since(&self) -> NaiveDateTime {
        self.days_back(self.settings.no_contact_days().saturating_sub(1))
    }

    fn detractors_since(&self) -> NaiveDate {
        self.days_back(self.settings.new_detractor_days().saturating_sub(1)).date()
    }
}

/// The run head customers are taken from: the latest complete run, once its rows are built.
pub fn latest_evaluation(conn: &Connection) -> Result<Option<EvaluationBasis>> {
    Ok(crate::evaluation::store::listed_run(conn)?.map(|(run_id, as_of)| EvaluationBasis { run_id, as_of }))
}

/// Customer `customer` is live and, when `owner` is given, that owner's (bound as `param`; an
/// absent owner is bound as NULL). The customer row is never read: the owner comes from the
/// owner index, and deleted and erased customers (few) from the index that holds only them,
/// as a list made once per statement; reading the row of every counted item was most of the
/// cost at a million customers.
fn live_of(owner: Option<&str>, customer: &str, param: &str) -> String {
    let not_live = |extra: &str| {
        format!(
            "{customer} NOT IN (SELECT c.id FROM customers c INDEXED BY customers_not_live WHERE {NOT_LIVE}{extra})"
        )
    };
    match owner {
        Some(_) => format!(
            "EXISTS (SELECT 1 FROM customers c INDEXED BY customers_owner WHERE c.owner = {param} AND c.id = {customer})
             AND {}",
            not_live(&format!(" AND c.owner = {param}"))
        ),
        None => format!("{param} IS NULL AND {}", not_live("")),
    }
}

/// Head members of run `?1` among live customers of owner `?2` (or all). The head condition is
/// written as in the partial index `evaluation_members_head_facts` (tier A is place 0), and
/// the index is named: without statistics the planner took the primary key and walked the
/// whole run.
fn head(owner: Option<&str>) -> String {
    head_read(owner, "INDEXED BY evaluation_members_head_facts")
}

/// [`head`], walked in customer order: the rows in their own order, the customer their key.
fn head_by_customer(owner: Option<&str>) -> String {
    head_read(owner, "NOT INDEXED")
}

/// The head condition of [`head`], the rows read as `access` says.
fn head_read(owner: Option<&str>, access: &str) -> String {
    format!(
        "FROM evaluation_members m {access}
         WHERE m.run_id = ?1 AND (m.tier = {} OR m.potential_head = 1) AND {}",
        Tier::A.place(),
        live_of(owner, "m.customer_id", "?2")
    )
}

/// The at-risk members among the head.
fn at_risk_where() -> String {
    format!("AND m.lifecycle = {}", Lifecycle::AtRisk.place())
}

/// Complaints not answered by `?2` of live customers of owner `?1` (or all). The waiting
/// condition is written as in the partial index `complaints_waiting_response`, named so that
/// the range on the due time is read rather than every open complaint.
const LATE_COMPLAINTS: &str =
    "FROM complaints k INDEXED BY complaints_waiting_response JOIN customers c ON c.id = k.customer_id
     WHERE k.first_response_at IS NULL AND k.status IN ('open', 'in_progress') AND k.response_due_at < ?2
       AND c.deleted_at IS NULL AND c.erased_at IS NULL AND (?1 IS NULL OR c.owner = ?1)";

/// Detractor answers `r` since `?2` (the thresholds `?3`-`?5` by kind) of live customers of
/// `?1` (or all). Survey by survey (there are a few), then the answers by date from an index
/// holding their scores; the customer is read only for an owner, from the owner index, and
/// deleted and erased customers (few) are left out as a list: joining every answer to its
/// customer row read the million-row table once per answer.
fn new_detractors(owner: Option<&str>) -> String {
    format!(
        "FROM surveys s CROSS JOIN survey_responses r ON r.survey_id = s.id
         WHERE r.responded_on >= ?2
           AND r.score <= CASE s.kind WHEN 'nps' THEN ?3 WHEN 'csat' THEN ?4 ELSE ?5 END
           AND {}",
        live_of(owner, "r.customer_id", "?1")
    )
}

fn count(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<u32> {
    Ok(conn.prepare_cached(&format!("SELECT count(*) {sql}"))?.query_row(params, |r| r.get(0))?)
}

fn count_section(conn: &Connection, cx: &Context<'_>, section: MyDaySection) -> Result<u32> {
    let owner = cx.owner;
    match section {
        MyDaySection::OverdueFollowUps | MyDaySection::TodayFollowUps => {
            let counts = agenda::counts(conn, owner, cx.now)?;
            Ok(if section == MyDaySection::OverdueFollowUps { counts.overdue } else { counts.today })
        }
        MyDaySection::NoContact => match cx.evaluation {
            Some(run) => count(
                conn,
                &format!(
                    "{} AND NOT EXISTS (SELECT 1 FROM interactions i
                                         WHERE i.customer_id = m.customer_id AND i.occurred_at >= ?3)",
                    head(owner)
                ),
                params![run.run_id, owner, cx.no_contact_since()],
            ),
            None => Ok(0),
        },
        MyDaySection::AtRisk => match cx.evaluation {
            Some(run) => count(conn, &format!("{} {}", head(owner), at_risk_where()), params![run.run_id, owner]),
            None => Ok(0),
        },
        MyDaySection::LateComplaints => count(conn, LATE_COMPLAINTS, params![owner, cx.now]),
        MyDaySection::NewDetractors => {
            let s = &cx.settings;
            count(
                conn,
                &new_detractors(owner),
                params![
                    owner,
                    cx.detractors_since(),
                    s.nps_detractor_max(),
                    s.csat_detractor_max(),
                    s.ces_detractor_max()
                ],
            )
        }
    }
}

fn follow_up_item(item: AgendaItem) -> MyDayItem {
    let f = item.follow_up;
    MyDayItem {
        customer_id: f.customer_id,
        customer_name: item.customer_name,
        owner: f.owner,
        fact: MyDayFact::FollowUp { follow_up_id: f.id, due_at: f.due_at, reason: f.reason, source: f.source },
        next_step: NextStep::LogInteraction,
    }
}

/// An item from a row that starts with the customer's id, name and owner.
fn row_item(r: &Row<'_>, fact: MyDayFact, next_step: NextStep) -> rusqlite::Result<MyDayItem> {
    Ok(MyDayItem { customer_id: r.get(0)?, customer_name: r.get(1)?, owner: r.get(2)?, fact, next_step })
}

fn query_items<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    item: impl Fn(&Row<'_>) -> rusqlite::Result<MyDayItem>,
) -> Result<Vec<MyDayItem>> {
    Ok(conn.prepare_cached(sql)?.query_map(params, item)?.collect::<rusqlite::Result<_>>()?)
}

/// One page of a section's items, without the total.
fn items(
    conn: &Connection,
    cx: &Context<'_>,
    section: MyDaySection,
    offset: u32,
    limit: u32,
) -> Result<Vec<MyDayItem>> {
    let owner = cx.owner;
    let limit = page_limit(limit);
    match section {
        MyDaySection::OverdueFollowUps | MyDaySection::TodayFollowUps => {
            Ok(follow_ups(conn, cx, section, offset, limit)?.items)
        }
        MyDaySection::NoContact => Ok(no_contact(conn, cx, offset, limit)?.items),
        MyDaySection::AtRisk => {
            let Some(run) = cx.evaluation else { return Ok(Vec::new()) };
            // The most valuable first: the page from the index, then its customers.
            let sql = format!(
                "SELECT c.id, c.name, c.owner, p.tier, p.potential_head, p.recency_days, p.predicted_clv_minor
                 FROM (SELECT m.customer_id, m.tier, m.potential_head, m.recency_days, m.predicted_clv_minor
                       {} {}
                       ORDER BY m.tier, m.predicted_clv_minor IS NULL, m.predicted_clv_minor DESC, m.customer_id
                       LIMIT ?3 OFFSET ?4) p
                   CROSS JOIN customers c ON c.id = p.customer_id
                 ORDER BY p.tier, p.predicted_clv_minor IS NULL, p.predicted_clv_minor DESC, p.customer_id",
                head(owner),
                at_risk_where()
            );
            query_items(conn, &sql, params![run.run_id, owner, limit, offset], |r| {
                row_item(
                    r,
                    MyDayFact::AtRisk {
                        tier: r.get::<_, Place<Tier>>(3)?.0,
                        potential_head: r.get(4)?,
                        recency_days: r.get(5)?,
                        predicted_clv_minor: r.get(6)?,
                    },
                    NextStep::ScheduleFollowUp,
                )
            })
        }
        MyDaySection::LateComplaints => {
            // The longest overdue first.
            let sql = format!(
                "SELECT c.id, c.name, c.owner, k.id, k.category, k.severity, k.response_due_at {LATE_COMPLAINTS}
                 ORDER BY k.response_due_at, k.id LIMIT ?3 OFFSET ?4"
            );
            query_items(conn, &sql, params![owner, cx.now, limit, offset], |r| {
                let due: NaiveDateTime = r.get(6)?;
                row_item(
                    r,
                    MyDayFact::LateComplaint {
                        complaint_id: r.get(3)?,
                        category: r.get(4)?,
                        severity: r.get(5)?,
                        response_due_at: due,
                        hours_past_target: u32::try_from((cx.now - due).num_hours()).unwrap_or(0),
                    },
                    NextStep::RespondToComplaint,
                )
            })
        }
        MyDaySection::NewDetractors => {
            let s = &cx.settings;
            // The newest first, then the lowest score.
            // The page's answers first, from the index alone; then their rows and customers.
            let sql = format!(
                "SELECT c.id, c.name, c.owner, r.id, s.kind, r.score, r.responded_on, r.comment
                 FROM (SELECT r.id {} ORDER BY r.responded_on DESC, r.score, r.id LIMIT ?6 OFFSET ?7) p
                   CROSS JOIN survey_responses r ON r.id = p.id
                   JOIN surveys s ON s.id = r.survey_id
                   JOIN customers c ON c.id = r.customer_id
                 ORDER BY r.responded_on DESC, r.score, r.id",
                new_detractors(owner)
            );
            let p = params![
                owner,
                cx.detractors_since(),
                s.nps_detractor_max(),
                s.csat_detractor_max(),
                s.ces_detractor_max(),
                limit,
                offset
            ];
            query_items(conn, &sql, p, |r| {
                row_item(
                    r,
                    MyDayFact::Detractor {
                        survey_response_id: r.get(3)?,
                        survey_kind: r.get(4)?,
                        score: r.get(5)?,
                        responded_on: r.get(6)?,
                        comment: r.get(7)?,
                    },
                    NextStep::CallDetractor,
                )
            })
        }
    }
}

/// Head members of run `?1` of owner `?2` (or all) with no interaction at or after `?3`, with
/// their last contact `last`: one look at the end of each member's interactions, made once
/// (materialized) for both the condition and the order. Counted without it: the condition
/// alone is a look for any interaction since `?3`.
fn uncontacted(owner: Option<&str>) -> String {
    format!(
        "WITH h AS MATERIALIZED (
             SELECT m.customer_id, m.tier, m.potential_head,
                    (SELECT max(i.occurred_at) FROM interactions i WHERE i.customer_id = m.customer_id) AS last
             {})
         SELECT customer_id, tier, potential_head, last FROM h WHERE last IS NULL OR last < ?3",
        head(owner)
    )
}

/// Head customers out of contact, in the order shown. The total is counted on its own (a
/// look for any interaction since the period began, per member) and the page is SQLite's top
/// few of the ordered set, rather than the whole set sorted and held in memory for both (180,000
/// rows for a page of 5 on a large database with no interactions yet).
fn no_contact(conn: &Connection, cx: &Context<'_>, offset: u32, limit: u32) -> Result<Page<MyDayItem>> {
    let today = cx.now.date();
    let Some(run) = cx.evaluation else { return Ok(Page { items: Vec::new(), total: 0 }) };
    let total = count_section(conn, cx, MyDaySection::NoContact)?;
    if total == 0 {
        return Ok(Page { items: Vec::new(), total });
    }
    let member = |r: &Row<'_>| -> rusqlite::Result<(i64, Tier, bool, Option<NaiveDateTime>)> {
        Ok((r.get(0)?, r.get::<_, Place<Tier>>(1)?.0, r.get(2)?, r.get(3)?))
    };
    // Never contacted first, by customer: a page wholly among them is read walking the head
    // in customer order until it is full, without the last contact of every head member.
    let never = format!(
        "SELECT m.customer_id, m.tier, m.potential_head, NULL {}
           AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = m.customer_id)
         ORDER BY m.customer_id LIMIT ?3 OFFSET ?4",
        head_by_customer(cx.owner)
    );
    let params = params![run.run_id, cx.owner, page_limit(limit), offset];
    let mut members = conn.prepare_cached(&never)?.query_map(params, member)?.collect::<rusqlite::Result<Vec<_>>>()?;
    if members.len() < page_limit(limit) as usize {
        // Then the longest without contact.
        let sql = format!("{} ORDER BY last IS NOT NULL, last, customer_id LIMIT ?4 OFFSET ?5", uncontacted(cx.owner));
        let params = params![run.run_id, cx.owner, cx.no_contact_since(), page_limit(limit), offset];
        members = conn.prepare_cached(&sql)?.query_map(params, member)?.collect::<rusqlite::Result<Vec<_>>>()?;
    }
    let mut customer = conn.prepare_cached("SELECT name, owner FROM customers WHERE id = ?1")?;
    let items = members
        .into_iter()
        .map(|(customer_id, tier, potential_head, last)| {
            let (customer_name, owner) = customer.query_row([customer_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(MyDayItem {
                customer_id,
                customer_name,
                owner,
                fact: MyDayFact::NoContact {
                    tier,
                    potential_head,
                    last_contact_at: last,
                    days_since_contact: last.map(|at| u32::try_from((today - at.date()).num_days()).unwrap_or(0)),
                },
                next_step: NextStep::LogInteraction,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Page { items, total })
}

/// A page of the agenda's overdue or today bucket, as the agenda gives it.
fn follow_ups(
    conn: &Connection,
    cx: &Context<'_>,
    section: MyDaySection,
    offset: u32,
    limit: u32,
) -> Result<Page<MyDayItem>> {
    let bucket = if section == MyDaySection::OverdueFollowUps { AgendaBucket::Overdue } else { AgendaBucket::Today };
    let query = AgendaQuery { owner: cx.owner.map(str::to_owned), bucket, offset, limit };
    let page = agenda::agenda(conn, &query, cx.now)?;
    Ok(Page { items: page.items.into_iter().map(follow_up_item).collect(), total: page.total })
}

fn page(
    conn: &Connection,
    cx: &Context<'_>,
    section: MyDaySection,
    offset: u32,
    limit: u32,
) -> Result<Page<MyDayItem>> {
    match section {
        MyDaySection::OverdueFollowUps | MyDaySection::TodayFollowUps => follow_ups(conn, cx, section, offset, limit),
        MyDaySection::NoContact => no_contact(conn, cx, offset, limit),
        _ => Ok(Page { items: items(conn, cx, section, offset, limit)?, total: count_section(conn, cx, section)? }),
    }
}

/// My day at `now` (local time): every section's count and first `limit` items.
pub fn my_day(conn: &Connection, query: &MyDayQuery, now: NaiveDateTime) -> Result<MyDay> {
    let cx = Context::new(conn, query.owner.as_deref(), now)?;
    let first = |section| page(conn, &cx, section, 0, query.limit);
    Ok(MyDay {
        evaluation: cx.evaluation,
        no_contact_days: cx.settings.no_contact_days(),
        new_detractor_days: cx.settings.new_detractor_days(),
        overdue_follow_ups: first(MyDaySection::OverdueFollowUps)?,
        today_follow_ups: first(MyDaySection::TodayFollowUps)?,
        no_contact: first(MyDaySection::NoContact)?,
        at_risk: first(MyDaySection::AtRisk)?,
        late_complaints: first(MyDaySection::LateComplaints)?,
        new_detractors: first(MyDaySection::NewDetractors)?,
    })
}

/// One page of one section.
pub fn section(conn: &Connection, query: &MyDaySectionQuery, now: NaiveDateTime) -> Result<Page<MyDayItem>> {
    let cx = Context::new(conn, query.owner.as_deref(), now)?;
    page(conn, &cx, query.section, query.offset, query.limit)
}

/// The counts alone, for the sidebar.
pub fn counts(conn: &Connection, owner: Option<&str>, now: NaiveDateTime) -> Result<MyDayCounts> {
    let cx = Context::new(conn, owner, now)?;
    let agenda = agenda::counts(conn, owner, now)?;
    let no_contact = count_section(conn, &cx, MyDaySection::NoContact)?;
    let at_risk = count_section(conn, &cx, MyDaySection::AtRisk)?;
    let late_complaints = count_section(conn, &cx, MyDaySection::LateComplaints)?;
    let new_detractors = count_section(conn, &cx, MyDaySection::NewDetractors)?;
    Ok(MyDayCounts {
        evaluated: cx.evaluation.is_some(),
        overdue_follow_ups: agenda.overdue,
        today_follow_ups: agenda.today,
        no_contact,
        at_risk,
        late_complaints,
        new_detractors,
        total: agenda.overdue + agenda.today + no_contact + at_risk + late_complaints + new_detractors,
        agenda,
    })
}

/// Every owner named on a customer, in pinyin order as the list sorts owners, for the owner
/// picker. Walks the owner index one distinct value at a time, so a million customers with a
/// handful of owners cost a handful of lookups.
pub fn owners(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE o(owner) AS (
             SELECT min(owner) FROM customers WHERE owner IS NOT NULL
             UNION ALL
             SELECT (SELECT min(owner) FROM customers WHERE owner > o.owner) FROM o WHERE o.owner IS NOT NULL
         )
         SELECT owner FROM o WHERE owner IS NOT NULL",
    )?;
    let mut owners: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    owners.sort_by_cached_key(|o| crate::customers::sort_key::name_sort_key(o));
    Ok(owners)
}
