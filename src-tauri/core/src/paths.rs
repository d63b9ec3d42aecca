//! Where the database lives when the user does not say.

use std::path::PathBuf;

pub const DB_FILE_NAME: &str = "headtail.sqlite";

/// `<OS data dir>/Headtail/headtail.sqlite`, e.g. `~/.local/share/headtail/headtail.sqlite` on Linux.
pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "Headtail").map(|dirs| dirs.data_dir().join(DB_FILE_NAME))
}
