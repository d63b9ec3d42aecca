// No console window on Windows release builds.
#![cfg_attr(all(not(debug_assertions), target_os = "windows"), windows_subsystem = "windows")]

use clap::Parser;
use headtail_app::cli::{Cli, Command};
use headtail_app::encryption_cli;
use headtail_app::exit::Failure;
use headtail_core::demo::{self, DemoSettings};
use headtail_core::Database;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

// Imports allocate and free millions of small values across two threads; glibc's allocator
// spends a third of such a run consolidating its free lists, mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h's option enum; the Rust bindings name the
/// options around it but not this one).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Freed memory goes back to the system at once instead of 10 ms later: an evaluation
    // frees and allocates blocks of orders tens of megabytes at a time, and with the delay a
    // million customers' run peaked at 450-460 MB instead of 370-376 MB, for the same time.
    // SAFETY: a plain integer option, set before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    // --help and --version print and exit here, before anything touches a display.
    let cli = Cli::parse();
    if let Some(Command::Import(args)) = &cli.command {
        return match db_path(&cli) {
            Ok(path) => headtail_app::import_cli::run(&path, args),
            Err(failure) => failure.exit(),
        };
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.exit(),
    }
}

fn db_path(cli: &Cli) -> Result<PathBuf, Failure> {
    cli.db_path().ok_or_else(|| Failure::usage("no home directory to keep the database in; pass --db PATH"))
}

/// Only the app, `import` and `demo` create a database; the other subcommands need one there,
/// so a mistyped path is an error instead of an empty new file.
fn open_existing(cli: &Cli) -> Result<Database, Failure> {
    encryption_cli::open(&db_path(cli)?, false)
}

fn run(cli: Cli) -> Result<(), Failure> {
    match &cli.command {
        Some(Command::Bindings { out }) => headtail_app::export_bindings(out).map_err(Failure::usage),
        Some(Command::Info) => {
            let db = open_existing(&cli)?;
            println!("database: {}", db.path().display());
            println!("schema version: {}", headtail_core::db::schema_version());
            Ok(())
        }
        Some(Command::Demo { customers, seed, until }) => {
            let db = encryption_cli::open(&db_path(&cli)?, true)?;
            let until = until.unwrap_or_else(|| chrono::Local::now().date_naive());
            let settings = DemoSettings::new(*customers, *seed, until);
            let started = Instant::now();
            let summary = db.with_tx(|tx| {
                demo::generate(tx, settings, chrono::Utc::now(), |done, total| {
                    eprint!("\rdemo: {done}/{total} customers");
                })
            })?;
            eprintln!();
            println!(
                "{} customers, {} orders ({} lines), {} contacts, {} interactions, {} complaints, {} survey answers, {} loyalty entries, {} service cost entries until {until} in {:.1} s",
                summary.customers, summary.orders, summary.order_lines, summary.contacts, summary.interactions,
                summary.complaints, summary.survey_responses, summary.loyalty_entries, summary.service_costs,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        // Dispatched in main for its own exit codes.
        Some(Command::Import(args)) => {
            Err(Failure::usage(format!("import of {} was not dispatched", args.input.display())))
        }
        Some(Command::Evaluate { as_of, out, lang }) => {
            let opening = Instant::now();
            let db = open_existing(&cli)?;
            let opened = opening.elapsed().as_secs_f64();
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            let language = lang.map(Into::into);
            Ok(headtail_app::analytics_cli::evaluate(&db, opened, as_of, out.as_deref(), language)?)
        }
        Some(Command::ClvFit { orders, calibration_end, unit }) => {
            Ok(headtail_app::analytics_cli::clv_fit(orders, *calibration_end, (*unit).into())?)
        }
        Some(Command::Charts(args)) => {
            let db = open_existing(&cli)?;
            headtail_app::analytics_cli::charts(&db, args.request(), args.as_of, &args.out)
        }
        Some(Command::Report(args)) => {
            let db = open_existing(&cli)?;
            headtail_app::analytics_cli::report(&db, args.request(), args.as_of, &args.out)
        }
        Some(Command::Encrypt { plain_backups }) => {
            encryption_cli::encrypt(&db_path(&cli)?, plain_backups.map(Into::into))
        }
        Some(Command::Decrypt) => encryption_cli::decrypt(&db_path(&cli)?),
        Some(Command::Export { out }) => {
            let db = open_existing(&cli)?;
            let tables = db.with_conn(|c| headtail_core::export::database_csv(c, out))?;
            for t in &tables {
                println!("{}: {} rows -> {}", t.table, t.rows, t.file.display());
            }
            Ok(())
        }
        // A database that cannot be opened is explained in the window, not only on stderr.
        None => headtail_app::run_gui(&db_path(&cli)?).map_err(|e| Failure::refused(e.to_string())),
    }
}
