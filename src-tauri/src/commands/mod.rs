//! IPC commands: each one hands its work to the core on a blocking thread.

pub mod list;
pub mod my_day;
pub mod pipeline;
pub mod surveys;

use chrono::NaiveDate;
use headtail_core::backup::{self, BackupFile};
use headtail_core::contacts::{self, Contact, ContactInput};
use headtail_core::customers::{self, Customer, CustomerInput, CustomerPage, CustomerQuery};
use headtail_core::demo::{self, DemoSummary};
use headtail_core::erase;
use headtail_core::evaluation::store::{
    self as evaluation, Dimension, EvaluationRun, Flow, HistoryEntry, MemberFilter, MemberRow, Standing, Trigger,
};
use headtail_core::evaluation::{EvaluationSettings, EvaluationSettingsInput, Stage};
use headtail_core::export::{self, CustomerSelection, TableExport};
use headtail_core::import::{self, ImportBatch, ImportOptions, ImportReport, Preview, Progress, RevertReport};
use headtail_core::orders::{self, Order, OrderInput, Recorded};
use headtail_core::page::Page;
use headtail_core::settings::{self as preferences, Language};
use headtail_core::surveys::{self as survey_answers, SurveyResponse, SurveyResponseInput};
use headtail_core::timeline::{self, TimelinePage, TimelineQuery};
use headtail_core::{Database, Error, ErrorPayload};
use serde::Serialize;
use specta::Type;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use tauri::ipc::Channel;
use tauri::State;

pub mod charts;
pub mod complaints;
pub mod duplicates;
pub mod encryption;
pub mod follow_ups;
pub mod loyalty;
pub mod settings;

type CommandResult<T> = Result<T, ErrorPayload>;

/// The database the window works on, or why it could not be opened: the window still opens
/// and shows that reason translated, instead of the app dying before the user sees anything.
/// The user can switch to the demo database and back.
pub struct Store {
    own_path: PathBuf,
    current: RwLock<Opened>,
    /// The passphrase the user's own database was unlocked with, when it is encrypted.
    own_key: RwLock<Option<headtail_core::encryption::Passphrase>>,
}

#[derive(Clone)]
struct Opened {
    path: PathBuf,
    db: Result<Database, ErrorPayload>,
    demo: bool,
}

impl Opened {
    fn open(path: &Path, demo: bool, key: Option<headtail_core::encryption::Passphrase>) -> Self {
        Self { path: path.to_owned(), db: Database::open_with(path, key).map_err(ErrorPayload::from), demo }
    }
}

impl Store {
    /// An encrypted database stays locked (`passphrase_required`) until [`Store::unlock`].
    pub fn open(path: &Path) -> Self {
        Self {
            own_path: path.to_owned(),
            current: RwLock::new(Opened::open(path, false, None)),
            own_key: RwLock::new(None),
        }
    }

    fn own_key(&self) -> Option<headtail_core::encryption::Passphrase> {
        self.own_key.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn current(&self) -> Opened {
        // A panic while switching cannot leave a half-written `Opened`: the value is replaced whole.
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn switch(&self, opened: Opened) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = opened;
    }

    /// The user's own database, when it is the one open (backups are for it, not the demo).
    pub fn own_database(&self) -> Option<Database> {
        let current = self.current();
        if current.demo {
            None
        } else {
            current.db.ok()
        }
    }
}

/// SQLite calls block, so they run off the async workers that serve IPC.
async fn on_db<T, F>(store: &Store, work: F) -> CommandResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Database) -> headtail_core::Result<T> + Send + 'static,
{
    let db = store.current().db?;
    blocking(move || work(&db)).await
}

async fn blocking<T, F>(work: F) -> CommandResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> headtail_core::Result<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")).payload())?
        .map_err(ErrorPayload::from)
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Due times, interactions and follow-ups are local wall-clock time.
fn local_now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// The user's calendar day.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
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
    on_db(&db, |db| db.with_conn(preferences::language)).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_language(db: State<'_, Store>, language: Language) -> CommandResult<()> {
    on_db(&db, move |db| db.with_conn(|c| preferences::set_language(c, language))).await
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub db_path: String,
    pub schema_version: i64,
    /// Why the database could not be opened, if it could not.
    pub startup_error: Option<ErrorPayload>,
    /// The demo database is open instead of the user's own.
    pub is_demo: bool,
    /// The database opened for reading only (read-only media): nothing can be changed.
    pub read_only: bool,
    pub backup_dir: String,
}

#[tauri::command]
#[specta::specta]
pub fn app_info(db: State<'_, Store>) -> AppInfo {
    let current = db.current();
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        db_path: current.path.display().to_string(),
        schema_version: headtail_core::db::schema_version(),
        startup_error: current.db.as_ref().err().cloned(),
        is_demo: current.demo,
        read_only: current.db.as_ref().is_ok_and(Database::is_read_only),
        backup_dir: backup::default_dir(&db.own_path).display().to_string(),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn list_contacts(db: State<'_, Store>, customer_id: i64) -> CommandResult<Vec<Contact>> {
    on_db(&db, move |db| db.with_conn(|c| contacts::list_for_customer(c, customer_id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_contact(db: State<'_, Store>, input: ContactInput) -> CommandResult<Contact> {
    on_db(&db, move |db| db.with_tx(|tx| contacts::create(tx, input, now()))).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_contact(db: State<'_, Store>, id: i64, input: ContactInput) -> CommandResult<Contact> {
    on_db(&db, move |db| db.with_tx(|tx| contacts::update(tx, id, input))).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_contact(db: State<'_, Store>, id: i64) -> CommandResult<()> {
    on_db(&db, move |db| db.with_tx(|tx| contacts::delete(tx, id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn customer_timeline(
    db: State<'_, Store>,
    customer_id: i64,
    query: TimelineQuery,
) -> CommandResult<TimelinePage> {
    on_db(&db, move |db| db.with_conn(|c| timeline::list(c, customer_id, &query))).await
}

#[tauri::command]
#[specta::specta]
pub async fn create_order(db: State<'_, Store>, input: OrderInput) -> CommandResult<Order> {
    on_db(&db, move |db| Ok(followed(orders::record(db, input, today())?))).await
}

/// What was recorded; a standing that did not follow is logged, the next run corrects it.
fn followed<T>(recorded: Recorded<T>) -> T {
    if let Err(e) = recorded.standings {
        eprintln!("headtail: standings not brought up to date after new orders: {e}");
    }
    recorded.value
}

#[tauri::command]
#[specta::specta]
pub async fn create_survey_response(db: State<'_, Store>, input: SurveyResponseInput) -> CommandResult<SurveyResponse> {
    on_db(&db, move |db| db.with_tx(|tx| survey_answers::create(tx, input, now()))).await
}

/// Removes the customer's personal data everywhere; totals stay.
#[tauri::command]
#[specta::specta]
pub async fn erase_customer(db: State<'_, Store>, id: i64) -> CommandResult<Customer> {
    on_db(&db, move |db| erase::erase(db, id, now()).map(|e| e.customer)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_backups(db: State<'_, Store>) -> CommandResult<Vec<BackupFile>> {
    let own_path = db.own_path.clone();
    let key = db.own_key();
    blocking(move || {
        backup::list(&backup::default_dir(&own_path), &backup::Owner::of_file_with(&own_path, key.as_ref())?)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn create_backup(db: State<'_, Store>) -> CommandResult<BackupFile> {
    let own = own_or_refuse(&db)?;
    let dir = backup::default_dir(&db.own_path);
    blocking(move || backup::create(&own, &dir, now(), backup::KEEP_DEFAULT)).await
}

/// Replaces the user's database with a backup after checking it; returns the safety backup
/// taken of the state it replaced.
#[tauri::command]
#[specta::specta]
pub async fn restore_backup(db: State<'_, Store>, file_name: String) -> CommandResult<BackupFile> {
    let own = own_or_refuse(&db)?;
    let dir = backup::default_dir(&db.own_path);
    // Only a file of the backup folder, by name: the UI cannot point this at any path.
    let owner = backup::Owner::of(&own).map_err(ErrorPayload::from)?;
    let known = backup::list(&dir, &owner).map_err(ErrorPayload::from)?.into_iter().find(|b| b.file_name == file_name);
    let Some(chosen) = known else {
        return Err(Error::FileNotFound(file_name).payload());
    };
    blocking(move || backup::restore(&own, Path::new(&chosen.path), &dir, now())).await
}

fn own_or_refuse(store: &Store) -> CommandResult<Database> {
    store
        .own_database()
        .ok_or_else(|| Error::Conflict("backups are for your own database; leave the demo first".into()).payload())
}

/// Opens the demo database (filled with a demo business on first use) instead of the user's.
#[tauri::command]
#[specta::specta]
pub async fn open_demo(db: State<'_, Store>) -> CommandResult<DemoSummary> {
    let own = db.own_path.clone();
    let (demo_db, summary) = blocking(move || demo::open_beside(&own, today(), now())).await?;
    db.switch(Opened { path: demo_db.path().to_owned(), db: Ok(demo_db), demo: true });
    Ok(summary)
}

/// Goes back to the user's own database.
#[tauri::command]
#[specta::specta]
pub async fn close_demo(db: State<'_, Store>) -> CommandResult<()> {
    let own = db.own_path.clone();
    let key = db.own_key();
    let opened = blocking(move || Ok(Opened::open(&own, false, key))).await?;
    db.switch(opened);
    Ok(())
}

/// How the file reads and how its columns would be mapped; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_import(db: State<'_, Store>, path: String, options: ImportOptions) -> CommandResult<Preview> {
    on_db(&db, move |db| db.with_conn(|c| import::preview_file(c, Path::new(&path), &options, PREVIEW_ROWS))).await
}

const PREVIEW_ROWS: usize = 20;

/// Runs an import in one transaction; progress arrives on `on_progress` while it runs.
#[tauri::command]
#[specta::specta]
pub async fn run_import(
    db: State<'_, Store>,
    path: String,
    options: ImportOptions,
    on_progress: Channel<Progress>,
) -> CommandResult<ImportReport> {
    on_db(&db, move |db| {
        let imported = import::import_into(db, Path::new(&path), &options, now(), |p| {
            // A closed window only stops the reports, not the import.
            let _ = on_progress.send(p);
        })?;
        let report = followed(imported);
        if report.status == import::ImportStatus::Imported {
            complete_search_in_background(db.clone());
        }
        Ok(report)
    })
    .await
}

/// Adds the search entries a large import left waiting, off the IPC workers; the customers
/// page shows how many are still waiting ([`search_pending`]).
pub fn complete_search_in_background(db: Database) {
    std::thread::spawn(move || {
        if let Err(e) = import::complete_search(&db) {
            eprintln!("headtail: adding imported customers to the search index failed: {e}");
        }
    });
}

/// How many imported customers are not in the search index yet.
#[tauri::command]
#[specta::specta]
pub async fn search_pending(db: State<'_, Store>) -> CommandResult<u64> {
    on_db(&db, |db| db.with_conn(headtail_core::search::pending)).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_import_batches(db: State<'_, Store>) -> CommandResult<Vec<ImportBatch>> {
    on_db(&db, |db| db.with_conn(import::list_batches)).await
}

/// Undoes an import: what it created goes, what it changed comes back.
#[tauri::command]
#[specta::specta]
pub async fn revert_import(db: State<'_, Store>, batch_id: i64) -> CommandResult<RevertReport> {
    on_db(&db, move |db| db.with_tx(|tx| import::revert_batch(tx, batch_id, now()))).await
}

#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportedFile {
    pub path: String,
    pub rows: u64,
}

/// Writes the selected customers to `path`, with column headers and the names of types,
/// sizes and channels in `language`.
#[tauri::command]
#[specta::specta]
pub async fn export_customers(
    db: State<'_, Store>,
    selection: CustomerSelection,
    format: ExportFormat,
    language: Language,
    path: String,
) -> CommandResult<ExportedFile> {
    on_db(&db, move |db| {
        let columns = export::default_columns(language);
        let rows = db.with_conn(|c| match format {
            ExportFormat::Csv => {
                let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
                export::customers_csv(c, &selection, &columns, Some(language), file)
            }
            ExportFormat::Xlsx => export::customers_xlsx(c, &selection, &columns, Some(language), Path::new(&path)),
        })?;
        Ok(ExportedFile { path, rows })
    })
    .await
}

/// Writes every table to a CSV file in `dir`.
#[tauri::command]
#[specta::specta]
pub async fn export_database(db: State<'_, Store>, dir: String) -> CommandResult<Vec<TableExport>> {
    on_db(&db, move |db| db.with_conn(|c| export::database_csv(c, Path::new(&dir)))).await
}

/// Where exports go unless the user picks another place: the Downloads folder, else home.
#[tauri::command]
#[specta::specta]
pub fn default_export_dir() -> String {
    directories::UserDirs::new()
        .map(|dirs| dirs.download_dir().unwrap_or(dirs.home_dir()).display().to_string())
        .unwrap_or_default()
}

/// How far a background evaluation is.
#[derive(Debug, Clone, Copy, Serialize, Type)]
pub struct EvaluationProgress {
    pub stage: Stage,
    /// Share of the stage done, 0 to 1.
    pub done: f64,
}

#[tauri::command]
#[specta::specta]
pub async fn evaluation_settings(db: State<'_, Store>) -> CommandResult<EvaluationSettings> {
    on_db(&db, |db| db.with_conn(evaluation::settings)).await
}

/// Saves the thresholds; every bad one is named and nothing is saved then.
#[tauri::command]
#[specta::specta]
pub async fn save_evaluation_settings(db: State<'_, Store>, settings: EvaluationSettingsInput) -> CommandResult<()> {
    on_db(&db, move |db| db.with_conn(|c| evaluation::save_settings(c, &settings))).await
}

/// Evaluates every customer at `as_of` (today when absent) off the UI's thread, reporting
/// progress; one evaluation at a time.
#[tauri::command]
#[specta::specta]
pub async fn run_evaluation(
    db: State<'_, Store>,
    as_of: Option<NaiveDate>,
    trigger: Trigger,
    on_progress: Channel<EvaluationProgress>,
) -> CommandResult<EvaluationRun> {
    // One at a time per database, also across processes: the core's lease refuses a second.
    let as_of = as_of.unwrap_or_else(today);
    on_db(&db, move |db| {
        // A build of the lists' rows under way holds the lease: the run waits for it.
        let _building = ROWS_BUILD.lock();
        let progress = &mut |stage, done| {
            let _ = on_progress.send(EvaluationProgress { stage, done });
        };
        evaluation::run_beside(db, as_of, trigger, progress, |_, _| Ok(())).map(|(run, _, ())| run)
    })
    .await
}

/// One build of the lists' rows at a time in this window, and none while it runs an
/// evaluation.
static ROWS_BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Builds the rows the lists, My day and the survey list read for the latest run, when a
/// run was saved without them (this window's, after it returns, or another process's);
/// returns the run, or None when they were up to date or another process holds the lease.
#[tauri::command]
#[specta::specta]
pub async fn build_latest_standings(db: State<'_, Store>) -> CommandResult<Option<i64>> {
    on_db(&db, |db| {
        let _one = ROWS_BUILD.lock();
        if db.is_read_only() {
            return Ok(None);
        }
        match evaluation::build_latest(db) {
            // An evaluation of another process: its rows are built when the window looks again.
            Err(headtail_core::Error::Conflict(_)) => Ok(None),
            built => built,
        }
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_evaluation_runs(db: State<'_, Store>) -> CommandResult<Vec<EvaluationRun>> {
    on_db(&db, |db| db.with_conn(evaluation::runs)).await
}

#[tauri::command]
#[specta::specta]
pub async fn evaluation_members(
    db: State<'_, Store>,
    run_id: i64,
    filter: MemberFilter,
    offset: u32,
    limit: u32,
) -> CommandResult<Page<MemberRow>> {
    on_db(&db, move |db| db.with_conn(|c| evaluation::members(c, run_id, &filter, offset, limit))).await
}

/// The customer's standing in the latest evaluation with its reasons, if evaluated.
#[tauri::command]
#[specta::specta]
pub async fn customer_standing(db: State<'_, Store>, customer_id: i64) -> CommandResult<Option<Standing>> {
    on_db(&db, move |db| db.with_conn(|c| evaluation::standing(c, customer_id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn customer_evaluation_history(db: State<'_, Store>, customer_id: i64) -> CommandResult<Vec<HistoryEntry>> {
    on_db(&db, move |db| db.with_conn(|c| evaluation::history(c, customer_id))).await
}

#[tauri::command]
#[specta::specta]
pub async fn evaluation_migration(
    db: State<'_, Store>,
    from_run: i64,
    to_run: i64,
    dimension: Dimension,
) -> CommandResult<Vec<Flow>> {
    on_db(&db, move |db| db.with_conn(|c| evaluation::migration(c, from_run, to_run, dimension))).await
}

/// Writes the members of a run matching `filter` to a CSV file (UTF-8 with BOM), with
/// headers and labels in `language`.
#[tauri::command]
#[specta::specta]
pub async fn export_members(
    db: State<'_, Store>,
    run_id: i64,
    filter: MemberFilter,
    language: Language,
    path: String,
) -> CommandResult<ExportedFile> {
    on_db(&db, move |db| {
        let rows = db.with_conn(|c| {
            let run = evaluation::get_run(c, run_id)?;
            let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
            evaluation::members_csv(c, &run, &filter, Some(language), file)
        })?;
        Ok(ExportedFile { path, rows })
    })
    .await
}
