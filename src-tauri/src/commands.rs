//! IPC commands: each one hands its work to the core on a blocking thread.

use headtail_core::customers::{self, Customer, CustomerInput, CustomerPage, CustomerQuery};
use headtail_core::settings::{self, Language};
use headtail_core::{Database, Error, ErrorPayload};
use serde::Serialize;
use specta::Type;
use std::path::{Path, PathBuf};
use tauri::State;

type CommandResult<T> = Result<T, ErrorPayload>;

/// The database the window works on, or why it could not be opened: the window still opens
/// and shows that reason translated, instead of the app dying before the user sees anything.
pub struct Store {
    path: PathBuf,
    db: Result<Database, ErrorPayload>,
}

impl Store {
    pub fn open(path: &Path) -> Self {
        Self { path: path.to_owned(), db: Database::open(path).map_err(ErrorPayload::from) }
    }
}

/// SQLite calls block, so they run off the async workers that serve IPC.
async fn on_db<T, F>(store: &Store, work: F) -> CommandResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Database) -> headtail_core::Result<T> + Send + 'static,
{
    let db = store.db.clone()?;
    tauri::async_runtime::spawn_blocking(move || work(&db))
        .await
        .map_err(|e| Error::InvalidArgument(format!("background task failed: {e}")).payload())?
        .map_err(ErrorPayload::from)
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

#[tauri::command]
#[specta::specta]
pub async fn list_customers(db: State<'_, Store>, query: CustomerQuery) -> CommandResult<CustomerPage> {
    on_db(&db, move |db| db.with_conn(|c| customers::list(c, &query))).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_customer(db: State<'_, Store>, id: i64) -> CommandResult<Customer> {
    on_db(&db, move |db| db.with_conn(|c| customers::get(c, id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_customer(db: State<'_, Store>, input: CustomerInput) -> CommandResult<Customer> {
    on_db(&db, move |db| db.with_tx(|tx| customers::create(tx, input, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_customer(db: State<'_, Store>, id: i64, input: CustomerInput) -> CommandResult<Customer> {
    on_db(&db, move |db| db.with_tx(|tx| customers::update(tx, id, input, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_customer(db: State<'_, Store>, id: i64) -> CommandResult<Customer> {
    on_db(&db, move |db| db.with_tx(|tx| customers::soft_delete(tx, id, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn restore_customer(db: State<'_, Store>, id: i64) -> CommandResult<Customer> {
    on_db(&db, move |db| db.with_tx(|tx| customers::restore(tx, id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_language(db: State<'_, Store>) -> CommandResult<Option<Language>> {
    on_db(&db, |db| db.with_conn(settings::language)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_language(db: State<'_, Store>, language: Language) -> CommandResult<()> {
    on_db(&db, move |db| db.with_conn(|c| settings::set_language(c, language))).await
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub db_path: String,
    pub schema_version: i64,
    /// Why the database could not be opened, if it could not.
    pub startup_error: Option<ErrorPayload>,
}

#[tauri::command]
#[specta::specta]
pub fn app_info(db: State<'_, Store>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        db_path: db.path.display().to_string(),
        schema_version: headtail_core::db::schema_version(),
        startup_error: db.db.as_ref().err().cloned(),
    }
}
