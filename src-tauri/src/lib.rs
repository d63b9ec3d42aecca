//! The desktop shell: command-line parsing, IPC commands and the Tauri app builder.
//! This crate is the only one that knows about Tauri.

pub mod analytics_cli;
pub mod cli;
pub mod commands;
pub mod encryption_cli;
pub mod exit;
pub mod import_cli;
pub mod reminders;

use commands::Store;
use tauri::{Runtime, Wry};
use tauri_specta::{collect_commands, Builder};

/// Where the generated TypeScript call layer lives, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

/// Every IPC command, with the types the UI's call layer is generated from.
pub fn ipc<R: Runtime>() -> Builder<R> {
    Builder::<R>::new().commands(collect_commands![
        commands::list_customers,
        commands::list::list_saved_views,
        commands::list::create_saved_view,
        commands::list::rename_saved_view,
        commands::list::delete_saved_view,
        commands::list::apply_bulk_action,
        commands::get_customer,
        commands::create_customer,
        commands::update_customer,
        commands::delete_customer,
        commands::restore_customer,
        commands::get_language,
        commands::set_language,
        commands::app_info,
        commands::list_contacts,
        commands::create_contact,
        commands::update_contact,
        commands::delete_contact,
        commands::customer_timeline,
        commands::create_order,
        commands::follow_ups::create_interaction,
        commands::complaints::create_complaint,
        commands::complaints::list_customer_complaints,
        commands::complaints::list_complaints,
        commands::complaints::respond_to_complaint,
        commands::complaints::start_complaint,
        commands::complaints::resolve_complaint,
        commands::loyalty::loyalty_ledger,
        commands::loyalty::create_loyalty_entry,
        commands::settings::work_settings,
        commands::settings::save_work_settings,
        commands::create_survey_response,
        commands::erase_customer,
        commands::list_backups,
        commands::create_backup,
        commands::restore_backup,
        commands::open_demo,
        commands::close_demo,
        commands::preview_import,
        commands::run_import,
        commands::search_pending,
        commands::list_import_batches,
        commands::revert_import,
        commands::export_customers,
        commands::export_database,
        commands::default_export_dir,
        commands::evaluation_settings,
        commands::save_evaluation_settings,
        commands::run_evaluation,
        commands::list_evaluation_runs,
        commands::evaluation_members,
        commands::build_latest_standings,
        commands::customer_standing,
        commands::customer_evaluation_history,
        commands::evaluation_migration,
        commands::export_members,
        commands::pipeline::pipeline_board,
        commands::pipeline::list_pipeline_stage,
        commands::pipeline::move_prospect,
        commands::duplicates::find_possible_duplicates,
        commands::follow_ups::follow_up_agenda,
        commands::follow_ups::follow_up_counts,
        commands::follow_ups::follow_up_owners,
        commands::follow_ups::customer_follow_ups,
        commands::follow_ups::schedule_follow_up,
        commands::follow_ups::complete_follow_up,
        commands::follow_ups::reopen_follow_up,
        commands::follow_ups::snooze_follow_up,
        commands::follow_ups::reschedule_follow_up,
        commands::surveys::list_surveys,
        commands::surveys::create_survey,
        commands::surveys::update_survey,
        commands::surveys::record_survey_answer,
        commands::surveys::survey_results,
        commands::surveys::survey_due,
        commands::my_day::my_day,
        commands::my_day::my_day_section,
        commands::my_day::my_day_counts,
        commands::my_day::my_day_owners,
        commands::charts::list_charts,
        commands::charts::chart_svg,
        commands::charts::save_chart,
        commands::charts::export_chart_report,
        commands::encryption::unlock_database,
    ])
}

/// Writes the TypeScript call layer for the commands above.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    // Row ids are i64 but stay far below 2^53, so they travel as plain numbers.
    ipc::<Wry>()
        .dangerously_cast_bigints_to_number()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust types by `headtail bindings`. Do not edit.\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

/// Shared by the real app and the IPC tests' mock app.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, store: Store) -> tauri::Builder<R> {
    let ipc = ipc::<R>();
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(store)
        .invoke_handler(ipc.invoke_handler())
}

/// Opens the window on the database at `db_path`; returns when the user quits.
pub fn run_gui(db_path: &std::path::Path) -> Result<(), tauri::Error> {
    let store = Store::open(db_path);
    store.unlock_from_keyring();
    start_background_work(store.own_database(), db_path);
    configure(tauri::Builder::default(), store)
        .setup(|app| {
            reminders::start(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!())
}

/// What runs beside the window once the user's database is open (at start, or when it is
/// unlocked): automatic backups, and the search entries an import cut short after its commit
/// may have left waiting.
pub fn start_background_work(db: Option<headtail_core::Database>, db_path: &std::path::Path) {
    schedule_backups(db.clone(), headtail_core::backup::default_dir(db_path));
    if let Some(db) = db {
        commands::complete_search_in_background(db);
    }
}

/// Automatic backups: one at start when the newest is a day old, then checked every hour.
fn schedule_backups(db: Option<headtail_core::Database>, dir: std::path::PathBuf) {
    let Some(db) = db else { return };
    std::thread::spawn(move || loop {
        if let Err(e) = headtail_core::backup::automatic(&db, &dir, chrono::Utc::now()) {
            eprintln!("headtail: automatic backup failed: {e}");
        }
        std::thread::sleep(std::time::Duration::from_secs(3600));
    });
}
