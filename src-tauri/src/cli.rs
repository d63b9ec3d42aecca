//! The command line of the `headtail` binary. Subcommands run headless, before any window exists.

use clap::{Parser, Subcommand};
use headtail_core::paths::default_db_path;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "headtail",
    version,
    about = "Headtail: a local-first CRM for head, long-tail and low-value customers",
    long_about = "Headtail keeps customers, orders and follow-ups in one SQLite file on this machine.\n\
                  Without a subcommand it opens the desktop app."
)]
pub struct Cli {
    /// The database file (default: the OS data directory; also set by HEADTAIL_DB).
    #[arg(long, global = true, env = "HEADTAIL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the TypeScript call layer generated from the Rust types.
    #[command(hide = true)]
    Bindings {
        #[arg(default_value = crate::BINDINGS_PATH)]
        out: PathBuf,
    },
    /// Print where the database is and its schema version, without opening a window.
    Info,
    /// Fill a new database with a believable demo business (the same seed gives the same data).
    Demo {
        /// How many customers.
        #[arg(long, default_value_t = headtail_core::demo::DemoSettings::DEFAULT_CUSTOMERS)]
        customers: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The last day of the demo history (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<chrono::NaiveDate>,
    },
}

impl Cli {
    /// `--db`, else `HEADTAIL_DB`, else the per-user data directory.
    pub fn db_path(&self) -> Option<PathBuf> {
        self.db.clone().or_else(default_db_path)
    }
}
