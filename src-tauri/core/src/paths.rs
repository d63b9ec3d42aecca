//! Where the database lives when the user does not say, and the demo database beside it.

use std::path::{Path, PathBuf};

pub const DB_FILE_NAME: &str = "headtail.sqlite";

/// `<OS data dir>/Headtail/headtail.sqlite`, e.g. `~/.local/share/headtail/headtail.sqlite` on Linux.
pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Headtail").map(|dirs| dirs.data_dir().join(DB_FILE_NAME))
}

pub const DEMO_FILE_NAME: &str = "headtail-demo.sqlite";

/// The demo database: beside the user's own `own`, never inside it.
pub fn demo_db_path(own: &Path) -> PathBuf {
    own.with_file_name(DEMO_FILE_NAME)
}
