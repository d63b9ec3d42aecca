//! The optional pipeline for prospects: awareness → interest → decision → purchase, ending
//! won or lost. The stage lives on the customer row (a customer outside the pipeline has
//! none); every move is also kept in `pipeline_moves`, which is what conversion is counted
//! from. A lost prospect says why; a prospect's first order marks them won, from the order
//! form and from an import alike.
//!
//! Conversion of a stage: of the customers who ever reached it, the share who reached a later
//! stage or won. What a customer reached is every stage their moves came from or went to plus
//! the stage they stand at now, so stages set before moves were recorded (older databases,
//! demo data, an imported stage) still count.

use crate::activity::{clean, Checks};
use crate::customers::{timestamp, PipelineStage};
use crate::error::{Error, Result};
use crate::page::{page_limit, Page};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const LOST_REASON_MAX: usize = 500;

/// The stages a prospect moves through before the outcome, in order.
pub const OPEN_STAGES: [PipelineStage; 4] =
    [PipelineStage::Awareness, PipelineStage::Interest, PipelineStage::Decision, PipelineStage::Purchase];

/// A move on the board: where to, and why when the prospect was lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PipelineMoveInput {
    pub customer_id: i64,
    pub to_stage: PipelineStage,
    pub lost_reason: Option<String>,
}

/// A prospect as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PipelineCard {
    pub customer_id: i64,
    pub name: String,
    pub company: Option<String>,
    pub owner: Option<String>,
    pub stage: PipelineStage,
    pub lost_reason: Option<String>,
    /// When the prospect came to this stage: the latest move there, else the last change to
    /// the profile (a stage set before moves were recorded).
    pub entered_at: String,
    /// Whole days since `entered_at`, as of the day asked for; never negative.
    pub days_in_stage: u32,
}

/// One column's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct StageSummary {
    pub stage: PipelineStage,
    /// Prospects standing at this stage now.
    pub prospects: u32,
    /// Customers who ever reached it.
    pub reached: u32,
    /// Of those, how many reached a later stage or won (open stages only; 0 for won/lost).
    pub advanced: u32,
    /// `advanced / reached`, for open stages that someone reached; `None` otherwise.
    pub conversion: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PipelineSummary {
    /// Every stage in pipeline order, won and lost last.
    pub stages: Vec<StageSummary>,
    /// Won / (won + lost) of the prospects standing at an outcome now; `None` before any.
    pub win_rate: Option<f64>,
}

/// The board: its figures and the first page of every column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PipelineBoard {
    pub summary: PipelineSummary,
    /// One page per stage, in the order of `summary.stages`.
    pub columns: Vec<Page<PipelineCard>>,
}

fn rank(stage: PipelineStage) -> u8 {
    match stage {
        PipelineStage::Awareness => 0,
        PipelineStage::Interest => 1,
        PipelineStage::Decision => 2,
        PipelineStage::Purchase => 3,
        PipelineStage::Won => 4,
        PipelineStage::Lost => 5,
    }
}

fn bit(stage: PipelineStage) -> u8 {
    1 << rank(stage)
}

/// Moves a live customer to a stage and records the move. Lost needs a reason (field
/// `lost_reason`); leaving lost forgets it. A move to the stage the customer stands at
/// changes nothing and records nothing. Returns the card as it now is.
pub fn move_prospect(
    conn: &Connection,
    input: PipelineMoveInput,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<PipelineCard> {
    let reason = clean(input.lost_reason).filter(|_| input.to_stage == PipelineStage::Lost);
    let mut checks = Checks::default();
    if input.to_stage == PipelineStage::Lost {
        checks.required("lost_reason", reason.as_deref().unwrap_or_default());
        checks.max_len("lost_reason", reason.as_deref(), LOST_REASON_MAX);
    }
    let from: Option<Option<PipelineStage>> = conn
        .prepare_cached(
            "SELECT pipeline_stage FROM customers WHERE id = ?1 AND deleted_at IS NULL AND erased_at IS NULL",
        )?
        .query_row([input.customer_id], |r| r.get(0))
        .optional()?;
    let Some(from) = from else {
        return Err(Error::NotFound { entity: "customer", id: input.customer_id });
    };
    checks.finish()?;
    let ts = timestamp(now);
    if from != Some(input.to_stage) {
        conn.prepare_cached(
            "INSERT INTO pipeline_moves (customer_id, from_stage, to_stage, moved_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![input.customer_id, from, input.to_stage, ts])?;
    }
    conn.prepare_cached(
        "UPDATE customers SET pipeline_stage = ?2, pipeline_lost_reason = ?3, updated_at = ?4
         WHERE id = ?1 AND (pipeline_stage IS NOT ?2 OR pipeline_lost_reason IS NOT ?3)",
    )?
    .execute(params![input.customer_id, input.to_stage, reason, ts])?;
    card(conn, input.customer_id, today)
}

/// The stage a customer stands at, `None` outside the pipeline or for a missing customer.
pub fn stage_of(conn: &Connection, customer_id: i64) -> Result<Option<PipelineStage>> {
    let stage = conn
        .prepare_cached("SELECT pipeline_stage FROM customers WHERE id = ?1")?
        .query_row([customer_id], |r| r.get(0))
        .optional()?;
    Ok(stage.flatten())
}

/// After the profile form changed a customer's stage: the move is recorded like one on the
/// board, and a reason for a loss they left behind is forgotten.
pub fn stage_set_on_profile(
    conn: &Connection,
    customer_id: i64,
    before: Option<PipelineStage>,
    after: Option<PipelineStage>,
    now: DateTime<Utc>,
) -> Result<()> {
    if before == after {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO pipeline_moves (customer_id, from_stage, to_stage, moved_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![customer_id, before, after, timestamp(now)])?;
    if after != Some(PipelineStage::Lost) {
        conn.prepare_cached("UPDATE customers SET pipeline_lost_reason = NULL WHERE id = ?1")?
            .execute([customer_id])?;
    }
    Ok(())
}

/// A won move for every prospect (still open, or lost) whose only orders are the ones
/// `first_orders` selects (a condition on `o` that is never NULL), dated the day of their first order. Shared by the
/// order form (one customer) and an import (one statement for the whole batch).
fn won_by_first_orders(conn: &Connection, first_orders: &str, param: i64) -> Result<u64> {
    // The same prospects for both statements: the move needs the stage before the update.
    let prospects = format!(
        "c.pipeline_stage IN ('awareness', 'interest', 'decision', 'purchase', 'lost')
         AND c.deleted_at IS NULL AND c.erased_at IS NULL
         AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND {first_orders} AND o.status IS NULL)
         AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND NOT ({first_orders}))"
    );
    conn.prepare_cached(&format!(
        "INSERT INTO pipeline_moves (customer_id, from_stage, to_stage, moved_at)
         SELECT c.id, c.pipeline_stage, 'won',
                (SELECT min(o.ordered_on) FROM orders o WHERE o.customer_id = c.id AND o.status IS NULL) || 'T00:00:00.000Z'
         FROM customers c WHERE {prospects}"
    ))?
    .execute([param])?;
    let won = conn
        .prepare_cached(&format!(
            "UPDATE customers AS c SET pipeline_stage = 'won', pipeline_lost_reason = NULL WHERE {prospects}"
        ))?
        .execute([param])?;
    Ok(won as u64)
}

/// After `order_id` was recorded: if it is its customer's first order and they are a
/// prospect, they are won. Returns whether they were.
pub fn won_by_order(conn: &Connection, order_id: i64) -> Result<bool> {
    Ok(won_by_first_orders(conn, "o.id IS ?1", order_id)? > 0)
}

/// After an import of orders: every prospect whose first orders came in `batch` is won, in
/// one pass. Returns how many.
pub fn won_by_import(conn: &Connection, batch: i64) -> Result<u64> {
    won_by_first_orders(conn, "o.import_batch_id IS ?1", batch)
}

const CARD_SELECT: &str = "SELECT c.id, c.name, c.company, c.owner, c.pipeline_stage, c.pipeline_lost_reason,
        COALESCE((SELECT max(m.moved_at) FROM pipeline_moves m
                  WHERE m.customer_id = c.id AND m.to_stage = c.pipeline_stage), c.updated_at) AS entered_at
     FROM customers c";

fn card_from_row(r: &rusqlite::Row<'_>, today: NaiveDate) -> rusqlite::Result<PipelineCard> {
    let entered_at: String = r.get(6)?;
    Ok(PipelineCard {
        customer_id: r.get(0)?,
        name: r.get(1)?,
        company: r.get(2)?,
        owner: r.get(3)?,
        stage: r.get(4)?,
        lost_reason: r.get(5)?,
        days_in_stage: days_since(&entered_at, today),
        entered_at,
    })
}

fn days_since(at: &str, today: NaiveDate) -> u32 {
    let day = at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    day.map_or(0, |d| u32::try_from((today - d).num_days().max(0)).unwrap_or(u32::MAX))
}

fn card(conn: &Connection, customer_id: i64, today: NaiveDate) -> Result<PipelineCard> {
    conn.prepare_cached(&format!("{CARD_SELECT} WHERE c.id = ?1"))?
        .query_row([customer_id], |r| card_from_row(r, today))
        .optional()?
        .ok_or(Error::NotFound { entity: "customer", id: customer_id })
}

/// The live prospects at one stage, longest there first (then by id). `limit` 0 means the
/// default page size.
pub fn list_stage(
    conn: &Connection,
    stage: PipelineStage,
    offset: u32,
    limit: u32,
    today: NaiveDate,
) -> Result<Page<PipelineCard>> {
    const LIVE: &str = "c.pipeline_stage = ?1 AND c.deleted_at IS NULL AND c.erased_at IS NULL";
    let total: u32 = conn
        .prepare_cached(&format!("SELECT count(*) FROM customers c WHERE {LIVE}"))?
        .query_row([stage], |r| r.get(0))?;
    let mut stmt =
        conn.prepare_cached(&format!("{CARD_SELECT} WHERE {LIVE} ORDER BY entered_at, c.id LIMIT ?2 OFFSET ?3"))?;
    let items = stmt
        .query_map(params![stage, page_limit(limit), offset], |r| card_from_row(r, today))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Page { items, total })
}

/// Counts, conversion and win rate (see the module doc), over live customers.
pub fn summary(conn: &Connection) -> Result<PipelineSummary> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.pipeline_stage, count(*) FROM customers c
         WHERE c.pipeline_stage IS NOT NULL AND c.deleted_at IS NULL AND c.erased_at IS NULL
         GROUP BY c.pipeline_stage",
    )?;
    let standing = stmt
        .query_map([], |r| Ok((r.get::<_, PipelineStage>(0)?, r.get::<_, u32>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Each set of reached stages (as bits) and how many customers reached just it. Only the
    // customers who moved are read one by one (their moves, grouped by customer); everyone
    // else has reached the stage they stand at, and is counted from the index above.
    let mut sets: Vec<(u8, u32)> = Vec::new();
    let mut add = |set: u8, n: u32| match sets.iter_mut().find(|(s, _)| *s == set) {
        Some((_, m)) => *m += n,
        None => sets.push((set, n)),
    };
    let mut moved_standing: Vec<(PipelineStage, u32)> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT m.customer_id, m.from_stage, m.to_stage, c.pipeline_stage
         FROM pipeline_moves m INDEXED BY pipeline_moves_customer CROSS JOIN customers c
         WHERE c.id = m.customer_id AND c.deleted_at IS NULL AND c.erased_at IS NULL
         ORDER BY m.customer_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut current: Option<(i64, u8, Option<PipelineStage>)> = None;
    let mut finish = |customer: Option<(i64, u8, Option<PipelineStage>)>| {
        if let Some((_, bits, standing_at)) = customer {
            add(bits, 1);
            if let Some(stage) = standing_at {
                match moved_standing.iter_mut().find(|(s, _)| *s == stage) {
                    Some((_, n)) => *n += 1,
                    None => moved_standing.push((stage, 1)),
                }
            }
        }
    };
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let stages = [row.get::<_, Option<PipelineStage>>(1)?, row.get(2)?, row.get(3)?];
        let bits = stages.iter().flatten().fold(0, |b, &s| b | bit(s));
        current = match current {
            Some((cid, before, at)) if cid == id => Some((cid, before | bits, at)),
            other => {
                finish(other);
                Some((id, bits, stages[2]))
            }
        };
    }
    finish(current);
    for &(stage, n) in &standing {
        let moved = moved_standing.iter().find(|(s, _)| *s == stage).map_or(0, |(_, m)| *m);
        add(bit(stage), n.saturating_sub(moved));
    }
    let count = |stage: PipelineStage| standing.iter().find(|(s, _)| *s == stage).map_or(0, |(_, n)| *n);
    Ok(summarise(&sets, count))
}

/// The figures from the sets of reached stages (bit `rank(stage)`) with their customers, and the number
/// standing at each stage now.
fn summarise(reached_sets: &[(u8, u32)], standing: impl Fn(PipelineStage) -> u32) -> PipelineSummary {
    let customers = |keep: &dyn Fn(u8) -> bool| -> usize {
        reached_sets.iter().filter(|(s, _)| keep(*s)).map(|(_, n)| *n as usize).sum()
    };
    let stages = PipelineStage::ALL
        .iter()
        .map(|&stage| {
            let reached = customers(&|s| s & bit(stage) != 0);
            let open = OPEN_STAGES.contains(&stage);
            // Later open stages and won: every bit above this stage's, lost excluded.
            let later: u8 = if open { !((bit(stage) << 1) - 1) & !bit(PipelineStage::Lost) } else { 0 };
            let advanced = customers(&|s| s & bit(stage) != 0 && s & later != 0);
            StageSummary {
                stage,
                prospects: standing(stage),
                reached: u32::try_from(reached).unwrap_or(u32::MAX),
                advanced: u32::try_from(advanced).unwrap_or(u32::MAX),
                conversion: (open && reached > 0).then(|| advanced as f64 / reached as f64),
            }
        })
        .collect();
    let (won, lost) = (standing(PipelineStage::Won), standing(PipelineStage::Lost));
    let closed = won + lost;
    PipelineSummary { stages, win_rate: (closed > 0).then(|| f64::from(won) / f64::from(closed)) }
}

/// The figures and the first `limit` cards of every column.
pub fn board(conn: &Connection, limit: u32, today: NaiveDate) -> Result<PipelineBoard> {
    let summary = summary(conn)?;
    let columns =
        PipelineStage::ALL.iter().map(|&stage| list_stage(conn, stage, 0, limit, today)).collect::<Result<Vec<_>>>()?;
    Ok(PipelineBoard { summary, columns })
}
