//! The optional pipeline for prospects: awareness → interest → decision → purchase, ending
//! won or lost. The stage lives on the customer row; a customer outside the pipeline has none.
//!
//! A prospect is a customer with no order (see the lifecycle definition), so the board counts
//! only customers without orders: once the first order is in, the customer has left the
//! pipeline for the lifecycle, whatever stage was last set.

use crate::customers::{timestamp, PipelineStage};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Moves a live customer to `stage`, or out of the pipeline with `None`.
pub fn set_stage(conn: &Connection, customer_id: i64, stage: Option<PipelineStage>, now: DateTime<Utc>) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE customers SET pipeline_stage = ?2, updated_at = ?3
             WHERE id = ?1 AND deleted_at IS NULL AND erased_at IS NULL",
        )?
        .execute(params![customer_id, stage, timestamp(now)])?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id: customer_id });
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct StageCount {
    pub stage: PipelineStage,
    pub prospects: u32,
}

/// How many live prospects (customers without orders) stand at each stage, every stage in
/// pipeline order, empty ones with 0.
pub fn stage_counts(conn: &Connection) -> Result<Vec<StageCount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.pipeline_stage, count(*) FROM customers c
         WHERE c.pipeline_stage IS NOT NULL AND c.deleted_at IS NULL AND c.erased_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
         GROUP BY c.pipeline_stage",
    )?;
    let found = stmt
        .query_map([], |r| Ok((r.get::<_, PipelineStage>(0)?, r.get::<_, u32>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(PipelineStage::ALL
        .iter()
        .map(|&stage| StageCount { stage, prospects: found.iter().find(|(s, _)| *s == stage).map_or(0, |(_, n)| *n) })
        .collect())
}
