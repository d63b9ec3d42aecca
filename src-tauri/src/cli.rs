//! The command line of the `headtail` binary. Subcommands run headless, before any window exists.

use clap::{Args, Parser, Subcommand, ValueEnum};
use headtail_core::import::{Field, ImportKind, ImportMode};
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
        #[arg(long, default_value_t = headtail_core::demo::DemoSettings::DEFAULT_SEED)]
        seed: u64,
        /// The last day of the demo history (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<chrono::NaiveDate>,
    },
    /// Import customers, orders, interactions or survey responses from a CSV or Excel file.
    ///
    /// The whole file goes in as one transaction, or nothing does. Exit status: 0 imported (or
    /// checked, with --dry-run), 1 bad rows, an ambiguous day/month order or a missing column
    /// (nothing written), 2 usage or file error.
    Import(ImportArgs),
    /// Evaluate every customer (RFM, tier, lifecycle, CLV, service level, exit candidates,
    /// next best action), keep the run in the database and write one row per customer.
    Evaluate {
        /// The evaluation date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        /// The CSV file to write (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write the headers and labels (tier, RFM segment, value class, lifecycle stage,
        /// service level, exit step, next action) in this language, after a UTF-8 byte-order
        /// mark for spreadsheet programs. Without it: codes, for scripts.
        #[arg(long, value_enum, value_name = "LANG")]
        lang: Option<LangArg>,
    },
    /// Fit BG/NBD and Gamma-Gamma on a transaction file (customer id, date, amount) and print
    /// the parameters and log-likelihoods as JSON. Needs no database.
    ClvFit {
        /// CSV with a header and customer id, date and amount columns.
        #[arg(long, value_name = "FILE")]
        orders: PathBuf,
        /// Last day of the calibration period; later rows are ignored.
        #[arg(long, value_name = "YYYY-MM-DD")]
        calibration_end: chrono::NaiveDate,
        /// The time unit of recency, age and alpha.
        #[arg(long, value_enum, default_value = "day")]
        unit: UnitArg,
    },
    /// Draw every chart of an evaluation run (Pareto, tiers, RFM, lifecycle, migration,
    /// satisfaction, cohorts, CLV, channels, resources) as PNG and SVG, with summary.json.
    Charts(ChartArgs),
    /// Write the manager's report of an evaluation run: every chart as PNG and SVG,
    /// summary.json, report.xlsx (a sheet per table, each with a native Excel chart), one
    /// members CSV per tier and for the prospects, and report.pdf (title page, headline
    /// figures, every chart).
    Report(ChartArgs),
    /// Encrypt the database in place (SQLCipher) with a new passphrase from HEADTAIL_PASSPHRASE
    /// or typed twice; an encrypted backup is taken and checked first. Every command then asks
    /// for the passphrase (or reads HEADTAIL_PASSPHRASE).
    Encrypt {
        /// What to do with this database's older plain backups (asked at a terminal).
        #[arg(long, value_enum, value_name = "WHAT")]
        plain_backups: Option<PlainBackupsArg>,
    },
    /// Decrypt an encrypted database in place, after an (encrypted) backup.
    Decrypt,
    /// Export the whole database to a folder of CSV files (UTF-8 with BOM), one per table.
    Export {
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// What `charts` and `report` draw, in which language, and where they write.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The language of the text: zh-CN or en.
    #[arg(long, default_value = "zh-CN", value_parser = parse_lang)]
    pub lang: headtail_core::charts::Lang,
    /// The run (default: the latest).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// Evaluate every customer as of this date first, and draw that run.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "run")]
    pub as_of: Option<chrono::NaiveDate>,
    /// An earlier run to draw the migration from.
    #[arg(long, value_name = "ID", alias = "compare-run")]
    pub compare: Option<i64>,
    /// PNG size as a multiple of 1600 x 900 (1 to 4).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4))]
    pub scale: u32,
}

impl ChartArgs {
    pub fn request(&self) -> headtail_core::charts::FolderRequest {
        headtail_core::charts::FolderRequest {
            run: self.run,
            compare: self.compare,
            lang: self.lang,
            scale: self.scale,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "en")]
    En,
}

impl From<LangArg> for headtail_core::settings::Language {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::ZhCn => headtail_core::settings::Language::ZhCn,
            LangArg::En => headtail_core::settings::Language::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlainBackupsArg {
    /// Encrypt them with the new passphrase.
    Encrypt,
    /// Delete them.
    Remove,
}

impl From<PlainBackupsArg> for headtail_core::encryption::PlainBackups {
    fn from(p: PlainBackupsArg) -> Self {
        match p {
            PlainBackupsArg::Encrypt => Self::Encrypt,
            PlainBackupsArg::Remove => Self::Remove,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    Day,
    Week,
}

impl From<UnitArg> for headtail_core::clv::TimeUnit {
    fn from(u: UnitArg) -> Self {
        match u {
            UnitArg::Day => headtail_core::clv::TimeUnit::Day,
            UnitArg::Week => headtail_core::clv::TimeUnit::Week,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Customers,
    Orders,
    Interactions,
    SurveyResponses,
    Complaints,
}

impl From<KindArg> for ImportKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Customers => ImportKind::Customers,
            KindArg::Orders => ImportKind::Orders,
            KindArg::Interactions => ImportKind::Interactions,
            KindArg::SurveyResponses => ImportKind::SurveyResponses,
            KindArg::Complaints => ImportKind::Complaints,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// New customers only; existing ones are reported.
    Create,
    /// Fill in and overwrite existing customers (revertible).
    Update,
    /// Leave existing customers and orders alone.
    Skip,
}

impl From<ModeArg> for ImportMode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Create => ImportMode::Create,
            ModeArg::Update => ImportMode::Update,
            ModeArg::Skip => ImportMode::Skip,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// What to do with rows whose customer exists.
    #[arg(long, value_enum, default_value = "create")]
    pub mode: ModeArg,
    /// Check everything and report, then write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows and leave out (and list) the bad ones.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Dates like 05/01/2024 are day first (5 January).
    #[arg(long, conflicts_with = "month_first")]
    pub day_first: bool,
    /// Dates like 05/01/2024 are month first (May 1).
    #[arg(long)]
    pub month_first: bool,
    /// Map a field to a column header, e.g. --mapping amount=实付金额; repeatable.
    /// An empty header (name=) unmaps the field.
    #[arg(long = "mapping", value_name = "FIELD=HEADER", value_parser = parse_mapping)]
    pub mapping: Vec<(Field, String)>,
    /// The file's text encoding (gbk, utf-8 …) when detection gets it wrong.
    #[arg(long)]
    pub encoding: Option<String>,
    /// The sheet of a workbook to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The CSV or Excel file.
    pub input: PathBuf,
}

impl ImportArgs {
    pub fn day_first(&self) -> Option<bool> {
        match (self.day_first, self.month_first) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

fn parse_mapping(text: &str) -> Result<(Field, String), String> {
    let (field, header) = text.split_once('=').ok_or_else(|| format!("{text:?} is not FIELD=HEADER"))?;
    let field = Field::parse(field.trim()).ok_or_else(|| {
        let known: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown field {field:?}; fields are {}", known.join(", "))
    })?;
    Ok((field, header.to_owned()))
}

fn parse_lang(text: &str) -> Result<headtail_core::charts::Lang, String> {
    headtail_core::charts::Lang::parse(text).ok_or_else(|| format!("{text:?} is not a language; use zh-CN or en"))
}

impl Cli {
    /// `--db`, else `HEADTAIL_DB`, else the per-user data directory.
    pub fn db_path(&self) -> Option<PathBuf> {
        self.db.clone().or_else(default_db_path)
    }
}
