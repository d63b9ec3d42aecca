// No console window on Windows release builds.
#![cfg_attr(all(not(debug_assertions), target_os = "windows"), windows_subsystem = "windows")]

use clap::Parser;
use headtail_app::cli::{Cli, Command};
use headtail_core::Database;
use std::path::PathBuf;
use std::process::ExitCode;

// Imports allocate and free millions of small values across two threads; glibc's allocator
// spends a third of such a run consolidating its free lists, mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // --help and --version print and exit here, before anything touches a display.
    let cli = Cli::parse();
    if let Some(Command::Import(args)) = &cli.command {
        return match db_path(&cli) {
            Ok(path) => headtail_app::import_cli::run(&path, args),
            Err(message) => {
                eprintln!("headtail: {message}");
                ExitCode::from(2)
            }
        };
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("headtail: {message}");
            ExitCode::FAILURE
        }
    }
}

fn db_path(cli: &Cli) -> Result<PathBuf, String> {
    cli.db_path().ok_or_else(|| "no home directory to keep the database in; pass --db PATH".to_owned())
}

fn open(cli: &Cli) -> Result<Database, String> {
    Database::open(&db_path(cli)?).map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<(), String> {
    match &cli.command {
        Some(Command::Bindings { out }) => headtail_app::export_bindings(out),
        Some(Command::Info) => {
            let db = open(&cli)?;
            println!("database: {}", db.path().display());
            println!("schema version: {}", headtail_core::db::schema_version());
            Ok(())
        }
        Some(Command::Import(_)) => unreachable!("dispatched in main"),
        Some(Command::Export { out }) => {
            let db = open(&cli)?;
            let tables = db.with_conn(|c| headtail_core::export::database_csv(c, out)).map_err(|e| e.to_string())?;
            for t in &tables {
                println!("{}: {} rows -> {}", t.table, t.rows, t.file.display());
            }
            Ok(())
        }
        // A database that cannot be opened is explained in the window, not only on stderr.
        None => headtail_app::run_gui(&db_path(&cli)?).map_err(|e| e.to_string()),
    }
}
