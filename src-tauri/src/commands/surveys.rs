//! Satisfaction surveys: the surveys, answers from a profile, results and who is due one.

use super::{now, on_db, CommandResult, Store};
use headtail_core::surveys::{
    self, RecordedAnswer, ResultsQuery, Survey, SurveyDuePage, SurveyInput, SurveyOverview, SurveyResponseInput,
    SurveyResults,
};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn list_surveys(db: State<'_, Store>) -> CommandResult<Vec<SurveyOverview>> {
    on_db(&db, move |db| db.with_conn(surveys::list_surveys)).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_survey(db: State<'_, Store>, input: SurveyInput) -> CommandResult<Survey> {
    on_db(&db, move |db| db.with_tx(|tx| surveys::create_survey(tx, input, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_survey(db: State<'_, Store>, id: i64, input: SurveyInput) -> CommandResult<Survey> {
    on_db(&db, move |db| db.with_tx(|tx| surveys::update_survey(tx, id, input))).await
}

/// An answer from a customer's profile, with the follow-up a detractor's answer schedules.
#[tauri::command]
#[specta::specta]
pub async fn record_survey_answer(db: State<'_, Store>, input: SurveyResponseInput) -> CommandResult<RecordedAnswer> {
    on_db(&db, move |db| db.with_tx(|tx| surveys::record(tx, input, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn survey_results(db: State<'_, Store>, id: i64, query: ResultsQuery) -> CommandResult<SurveyResults> {
    on_db(&db, move |db| db.with_conn(|c| surveys::survey_results(c, id, &query))).await
}

/// Customers due a survey today (the local date).
#[tauri::command]
#[specta::specta]
pub async fn survey_due(db: State<'_, Store>, offset: u32, limit: u32) -> CommandResult<SurveyDuePage> {
    let today = super::today();
    on_db(&db, move |db| db.with_conn(|c| surveys::survey_due(c, today, offset, limit))).await
}
