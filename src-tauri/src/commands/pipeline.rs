//! The pipeline board: its figures and columns, and moving a prospect.

use super::{now, on_db, today, CommandResult, Store};
use headtail_core::customers::PipelineStage;
use headtail_core::page::Page;
use headtail_core::pipeline::{self, PipelineBoard, PipelineCard, PipelineMoveInput};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn pipeline_board(db: State<'_, Store>, limit: u32) -> CommandResult<PipelineBoard> {
    on_db(&db, move |db| db.with_conn(|c| pipeline::board(c, limit, today()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_pipeline_stage(
    db: State<'_, Store>,
    stage: PipelineStage,
    offset: u32,
    limit: u32,
) -> CommandResult<Page<PipelineCard>> {
    on_db(&db, move |db| db.with_conn(|c| pipeline::list_stage(c, stage, offset, limit, today()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn move_prospect(db: State<'_, Store>, input: PipelineMoveInput) -> CommandResult<PipelineCard> {
    on_db(&db, move |db| db.with_tx(|tx| pipeline::move_prospect(tx, input, now(), today()))).await
}
