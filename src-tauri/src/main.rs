// No console window on Windows release builds.
#![cfg_attr(all(not(debug_assertions), target_os = "windows"), windows_subsystem = "windows")]

use clap::Parser;
use headtail_app::cli::{Cli, Command};
use headtail_core::Database;
use std::process::ExitCode;

fn main() -> ExitCode {
    // --help and --version print and exit here, before anything touches a display.
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("headtail: {message}");
            ExitCode::FAILURE
        }
    }
}

fn open(cli: &Cli) -> Result<Database, String> {
    let path = cli.db_path().ok_or("no home directory to keep the database in; pass --db PATH")?;
    Database::open(&path).map_err(|e| e.to_string())
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
        None => {
            let db = open(&cli)?;
            headtail_app::run_gui(db).map_err(|e| e.to_string())
        }
    }
}
