//! Everything about one customer on one chronological timeline: orders, service costs,
//! loyalty entries, interactions, survey answers, complaints (opened and, later, resolved:
//! two events), follow-ups (scheduled and, later, completed: two events) and contacts added.
//!
//! One `UNION ALL` query, ordered and limited in SQLite, reads every table through its
//! `(customer_id, date)` index, so a page costs the same for the first customer as for the
//! millionth.
//!
//! **Order.** Newest first by [`TimelineEntry::at`], a sortable ISO text: `YYYY-MM-DD` for
//! events that only have a date (orders, service costs, loyalty, surveys) and
//! `YYYY-MM-DDTHH:MM:SS` local time for the others. A date sorts as the start of its day, so
//! on one day the timed events come above the dated ones. Equal times are ordered by kind
//! (see [`TimelineKind::rank`]) and then by id, both descending, so the order is total and
//! stable.
//!
//! **Paging** is by cursor, not offset: pass the last entry of a page as
//! [`TimelineQuery::before`] to get the next one. A cursor page stays correct when entries
//! are added while the user scrolls, which an offset would shift.

use crate::complaints::{self, ComplaintSeverity, ComplaintStatus};
use crate::customers::SalesChannel;
use crate::error::{Error, Result};
use crate::follow_ups::FollowUpSource;
use crate::interactions::InteractionKind;
use crate::loyalty::LoyaltyKind;
use crate::orders::OrderStatus;
use crate::surveys::SurveyKind;
use chrono::NaiveDateTime;
use rusqlite::types::FromSqlError;
use rusqlite::{Connection, Row, ToSql};
use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(
    /// What a timeline entry is.
    TimelineKind {
        ContactAdded = "contact_added",
        Order = "order",
        ServiceCost = "service_cost",
        Loyalty = "loyalty",
        Interaction = "interaction",
        SurveyResponse = "survey_response",
        ComplaintOpened = "complaint_opened",
        ComplaintResolved = "complaint_resolved",
        FollowUpScheduled = "follow_up_scheduled",
        FollowUpCompleted = "follow_up_completed",
    }
);

impl TimelineKind {
    /// Order among entries at the same time; the higher comes first on the newest-first
    /// timeline. It follows cause and effect: a contact is added before anything is done
    /// with them, points follow the order they were earned on, and a complaint resolved in
    /// the minute it was opened shows its resolution above its opening; an interaction comes
    /// before the follow-up it schedules, and a follow-up's completion after its scheduling.
    pub fn rank(self) -> i64 {
        match self {
            TimelineKind::ContactAdded => 0,
            TimelineKind::Order => 1,
            TimelineKind::ServiceCost => 2,
            TimelineKind::Loyalty => 3,
            TimelineKind::Interaction => 4,
            TimelineKind::SurveyResponse => 5,
            TimelineKind::ComplaintOpened => 6,
            TimelineKind::ComplaintResolved => 7,
            TimelineKind::FollowUpScheduled => 8,
            TimelineKind::FollowUpCompleted => 9,
        }
    }

    fn from_rank(rank: i64) -> Option<Self> {
        TimelineKind::ALL.iter().copied().find(|k| k.rank() == rank)
    }
}

/// What the UI shows for each kind of entry; `type` names the kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelinePayload {
    ContactAdded {
        name: String,
        title: Option<String>,
        is_primary: bool,
    },
    Order {
        external_id: Option<String>,
        amount_minor: i64,
        currency: String,
        cost_minor: Option<i64>,
        channel: Option<SalesChannel>,
        /// Set when the order does not count: cancelled, refunded or unpaid.
        status: Option<OrderStatus>,
        line_count: u32,
    },
    ServiceCost {
        minutes: Option<i64>,
        amount_minor: i64,
        currency: String,
        notes: Option<String>,
    },
    Loyalty {
        loyalty_kind: LoyaltyKind,
        points: i64,
        order_id: Option<i64>,
        notes: Option<String>,
    },
    Interaction {
        interaction_kind: InteractionKind,
        outcome: Option<String>,
        notes: Option<String>,
        owner: Option<String>,
    },
    FollowUpScheduled {
        follow_up_source: FollowUpSource,
        due_at: NaiveDateTime,
        reason: Option<String>,
        owner: Option<String>,
        /// The interaction that scheduled it.
        interaction_id: Option<i64>,
        /// Whether it is completed now.
        completed: bool,
    },
    FollowUpCompleted {
        follow_up_source: FollowUpSource,
        due_at: NaiveDateTime,
        reason: Option<String>,
        owner: Option<String>,
        /// The interaction that answered it.
        answered_by: Option<i64>,
    },
    SurveyResponse {
        survey_id: i64,
        survey_kind: SurveyKind,
        score: i64,
        comment: Option<String>,
    },
    ComplaintOpened {
        category: String,
        severity: ComplaintSeverity,
        /// The complaint's status now, not when it was opened.
        status: ComplaintStatus,
        description: Option<String>,
    },
    ComplaintResolved {
        category: String,
        severity: ComplaintSeverity,
        status: ComplaintStatus,
        resolution_hours: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct TimelineEntry {
    /// `YYYY-MM-DD` or local `YYYY-MM-DDTHH:MM:SS`; sorts in time order as text.
    pub at: String,
    pub kind: TimelineKind,
    /// The id of the order, interaction, complaint … in its own table.
    pub id: i64,
    pub payload: TimelinePayload,
}

/// Where a page ends; the next page starts just after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TimelineCursor {
    pub at: String,
    pub kind: TimelineKind,
    pub id: i64,
}

impl TimelineEntry {
    pub fn cursor(&self) -> TimelineCursor {
        TimelineCursor { at: self.at.clone(), kind: self.kind, id: self.id }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub struct TimelineQuery {
    /// Only entries after this one (older, or the same time and lower in kind and id order).
    pub before: Option<TimelineCursor>,
    /// At most [`crate::page::PAGE_MAX`]; 0 means the default page.
    pub limit: u32,
    /// Only these kinds; empty means all.
    #[serde(default)]
    pub kinds: Vec<TimelineKind>,
    /// The user's offset from UTC in minutes (480 for China). Contacts record the instant
    /// they were added in UTC; this turns it into the local time the other events use.
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct TimelinePage {
    pub items: Vec<TimelineEntry>,
    /// Entries of the selected kinds on the whole timeline, not only after the cursor.
    pub total: u32,
    /// The cursor for the next page, absent on the last page.
    pub next: Option<TimelineCursor>,
}

/// Generic columns of the union, read by [`from_row`] according to the kind: text, then numbers.
const COLUMN_NAMES: [&str; 8] = ["t1", "t2", "t3", "t4", "t5", "n1", "n2", "n3"];

/// One kind's part of the union: `SELECT {at}, rank, {id}, {columns} FROM {from}`.
/// `:customer` is the customer, `:offset` the UTC offset modifier (for instants kept in UTC).
struct Branch {
    kind: TimelineKind,
    at: &'static str,
    id: &'static str,
    columns: [&'static str; 8],
    from: &'static str,
}

impl Branch {
    fn select(&self) -> String {
        let Branch { kind, at, id, columns, from } = self;
        let columns = columns.iter().zip(COLUMN_NAMES).map(|(c, name)| format!("{c} AS {name}")).collect::<Vec<_>>();
        format!("SELECT {at} AS at, {} AS rank, {id} AS id, {} FROM {from}", kind.rank(), columns.join(", "))
    }

    fn count(&self) -> String {
        format!("(SELECT count(*) FROM {})", self.from)
    }
}

const BRANCHES: [Branch; 10] = [
    Branch {
        kind: TimelineKind::ContactAdded,
        at: "strftime('%Y-%m-%dT%H:%M:%S', created_at, :offset)",
        id: "id",
        columns: ["name", "title", "NULL", "NULL", "NULL", "is_primary", "NULL", "NULL"],
        from: "contacts WHERE customer_id = :customer",
    },
    Branch {
        kind: TimelineKind::Order,
        at: "o.ordered_on",
        id: "o.id",
        // The line count is added after paging, for the page's orders only.
        columns: ["o.external_id", "o.currency", "o.channel", "o.status", "NULL", "o.amount_minor", "o.cost_minor", "NULL"],
        from: "orders o WHERE o.customer_id = :customer",
    },
    Branch {
        kind: TimelineKind::ServiceCost,
        at: "occurred_on",
        id: "id",
        columns: ["currency", "notes", "NULL", "NULL", "NULL", "minutes", "amount_minor", "NULL"],
        from: "service_costs WHERE customer_id = :customer",
    },
    Branch {
        kind: TimelineKind::Loyalty,
        at: "occurred_on",
        id: "id",
        columns: ["kind", "notes", "NULL", "NULL", "NULL", "points", "order_id", "NULL"],
        from: "loyalty_ledger WHERE customer_id = :customer",
    },
    Branch {
        kind: TimelineKind::Interaction,
        at: "strftime('%Y-%m-%dT%H:%M:%S', occurred_at)",
        id: "id",
        columns: ["kind", "outcome", "notes", "owner", "NULL", "NULL", "NULL", "NULL"],
        from: "interactions WHERE customer_id = :customer",
    },
    Branch {
        kind: TimelineKind::SurveyResponse,
        at: "r.responded_on",
        id: "r.id",
        columns: ["s.kind", "r.comment", "NULL", "NULL", "NULL", "r.score", "r.survey_id", "NULL"],
        from: "survey_responses r JOIN surveys s ON s.id = r.survey_id WHERE r.customer_id = :customer",
    },
    Branch {
        kind: TimelineKind::ComplaintOpened,
        at: "strftime('%Y-%m-%dT%H:%M:%S', opened_at)",
        id: "id",
        columns: ["category", "severity", "status", "description", "NULL", "NULL", "NULL", "NULL"],
        from: "complaints WHERE customer_id = :customer",
    },
    Branch {
        kind: TimelineKind::ComplaintResolved,
        at: "strftime('%Y-%m-%dT%H:%M:%S', resolved_at)",
        id: "id",
        columns: ["category", "severity", "status", "opened_at", "resolved_at", "NULL", "NULL", "NULL"],
        from: "complaints WHERE customer_id = :customer AND resolved_at IS NOT NULL",
    },
    // Scheduled when the interaction that scheduled it happened, else when it was made.
    Branch {
        kind: TimelineKind::FollowUpScheduled,
        at: "coalesce(strftime('%Y-%m-%dT%H:%M:%S', i.occurred_at), strftime('%Y-%m-%dT%H:%M:%S', f.created_at, :offset))",
        id: "f.id",
        columns: ["f.source", "f.reason", "f.due_at", "f.owner", "NULL", "f.interaction_id", "f.completed_at IS NOT NULL", "NULL"],
        from: "follow_ups f LEFT JOIN interactions i ON i.id = f.interaction_id WHERE f.customer_id = :customer",
    },
    // Completed when the interaction that answered it happened, else when it was marked.
    Branch {
        kind: TimelineKind::FollowUpCompleted,
        at: "coalesce(strftime('%Y-%m-%dT%H:%M:%S', i.occurred_at), strftime('%Y-%m-%dT%H:%M:%S', f.completed_at, :offset))",
        id: "f.id",
        columns: ["f.source", "f.reason", "f.due_at", "f.owner", "NULL", "f.answered_by", "NULL", "NULL"],
        from: "follow_ups f LEFT JOIN interactions i ON i.id = f.answered_by
               WHERE f.customer_id = :customer AND f.completed_at IS NOT NULL",
    },
];

fn from_row(r: &Row<'_>) -> rusqlite::Result<TimelineEntry> {
    let rank: i64 = r.get(1)?;
    let kind = TimelineKind::from_rank(rank).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Integer,
            Box::new(FromSqlError::Other(format!("{rank} is not a timeline kind").into())),
        )
    })?;
    let payload = match kind {
        TimelineKind::ContactAdded => {
            TimelinePayload::ContactAdded { name: r.get(3)?, title: r.get(4)?, is_primary: r.get(8)? }
        }
        TimelineKind::Order => TimelinePayload::Order {
            external_id: r.get(3)?,
            currency: r.get(4)?,
            channel: r.get(5)?,
            status: r.get(6)?,
            amount_minor: r.get(8)?,
            cost_minor: r.get(9)?,
            line_count: r.get(10)?,
        },
        TimelineKind::ServiceCost => TimelinePayload::ServiceCost {
            currency: r.get(3)?,
            notes: r.get(4)?,
            minutes: r.get(8)?,
            amount_minor: r.get(9)?,
        },
        TimelineKind::Loyalty => TimelinePayload::Loyalty {
            loyalty_kind: r.get(3)?,
            notes: r.get(4)?,
            points: r.get(8)?,
            order_id: r.get(9)?,
        },
        TimelineKind::Interaction => TimelinePayload::Interaction {
            interaction_kind: r.get(3)?,
            outcome: r.get(4)?,
            notes: r.get(5)?,
            owner: r.get(6)?,
        },
        TimelineKind::FollowUpScheduled => TimelinePayload::FollowUpScheduled {
            follow_up_source: r.get(3)?,
            reason: r.get(4)?,
            due_at: r.get(5)?,
            owner: r.get(6)?,
            interaction_id: r.get(8)?,
            completed: r.get(9)?,
        },
        TimelineKind::FollowUpCompleted => TimelinePayload::FollowUpCompleted {
            follow_up_source: r.get(3)?,
            reason: r.get(4)?,
            due_at: r.get(5)?,
            owner: r.get(6)?,
            answered_by: r.get(8)?,
        },
        TimelineKind::SurveyResponse => TimelinePayload::SurveyResponse {
            survey_kind: r.get(3)?,
            comment: r.get(4)?,
            score: r.get(8)?,
            survey_id: r.get(9)?,
        },
        TimelineKind::ComplaintOpened => TimelinePayload::ComplaintOpened {
            category: r.get(3)?,
            severity: r.get(4)?,
            status: r.get(5)?,
            description: r.get(6)?,
        },
        TimelineKind::ComplaintResolved => {
            let opened_at: NaiveDateTime = r.get(6)?;
            let resolved_at: NaiveDateTime = r.get(7)?;
            TimelinePayload::ComplaintResolved {
                category: r.get(3)?,
                severity: r.get(4)?,
                status: r.get(5)?,
                resolution_hours: complaints::resolution_hours(opened_at, resolved_at),
            }
        }
    };
    Ok(TimelineEntry { at: r.get(0)?, kind, id: r.get(2)?, payload })
}

/// The most a UTC offset can be: ±14 hours.
const OFFSET_MAX_MINUTES: i32 = 14 * 60;

/// One page of a customer's timeline, newest first; see the module docs for the order and
/// the cursor. A customer without any activity, or one that does not exist, has an empty one.
pub fn list(conn: &Connection, customer_id: i64, query: &TimelineQuery) -> Result<TimelinePage> {
    if query.utc_offset_minutes.abs() > OFFSET_MAX_MINUTES {
        return Err(Error::InvalidArgument(format!("UTC offset {} minutes is out of range", query.utc_offset_minutes)));
    }
    let selected: Vec<&Branch> =
        BRANCHES.iter().filter(|b| query.kinds.is_empty() || query.kinds.contains(&b.kind)).collect();
    if selected.is_empty() {
        return Ok(TimelinePage { items: Vec::new(), total: 0, next: None });
    }

    let count_sql = format!("SELECT {}", selected.iter().map(|b| b.count()).collect::<Vec<_>>().join(" + "));
    let total: u32 = conn.prepare_cached(&count_sql)?.query_row(&[(":customer", &customer_id)], |r| r.get(0))?;

    let union = selected.iter().map(|b| b.select()).collect::<Vec<_>>().join("\nUNION ALL\n");
    let offset = format!("{:+} minutes", query.utc_offset_minutes);
    let limit = crate::page::page_limit(query.limit);
    let fetch = i64::from(limit) + 1; // one more tells whether a next page exists
    let mut args: Vec<(&str, &dyn ToSql)> = vec![(":customer", &customer_id), (":limit", &fetch)];
    if selected.iter().any(|b| b.at.contains(":offset")) {
        args.push((":offset", &offset));
    }
    let before_rank = query.before.as_ref().map(|b| b.kind.rank());
    let mut after = "";
    if let (Some(before), Some(rank)) = (&query.before, &before_rank) {
        args.extend([(":at", &before.at as &dyn ToSql), (":rank", rank), (":id", &before.id)]);
        after = "WHERE (u.at, u.rank, u.id) < (:at, :rank, :id)";
    }
    // Lines are counted in the outer query, for the page's orders only, not for every order
    // of the customer before the sort.
    let order_rank = TimelineKind::Order.rank();
    let sql = format!(
        "SELECT p.at, p.rank, p.id, p.t1, p.t2, p.t3, p.t4, p.t5, p.n1, p.n2,
                CASE WHEN p.rank = {order_rank}
                     THEN (SELECT count(*) FROM order_lines l WHERE l.order_id = p.id) ELSE p.n3 END
         FROM (SELECT * FROM ({union}) AS u {after}
               ORDER BY u.at DESC, u.rank DESC, u.id DESC LIMIT :limit) AS p
         ORDER BY p.at DESC, p.rank DESC, p.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut items = stmt.query_map(args.as_slice(), from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(TimelineEntry::cursor)
    } else {
        None
    };
    Ok(TimelinePage { items, total, next })
}
