//! Unlocking an encrypted database from the start screen, and keeping its passphrase in the
//! OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
//! when the user asks to.

use super::{blocking, CommandResult, Opened, Store};
use headtail_core::encryption::Passphrase;
use headtail_core::error::ErrorCode;
use headtail_core::{Database, Error, ErrorPayload};
use serde::Serialize;
use specta::Type;
use std::path::Path;
use tauri::State;

/// The keyring's service name; each database is an entry named by its path.
const KEYRING_SERVICE: &str = "headtail";

#[derive(Debug, Clone, Serialize, Type)]
pub struct Unlocked {
    /// The passphrase is kept in the OS keyring for the next start.
    pub remembered: bool,
    /// Why the keyring could not be used (the database is unlocked all the same).
    pub keyring_error: Option<String>,
}

fn keyring_entry(path: &Path) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, &path.display().to_string())
}

/// The passphrase kept for the database at `path`, if any and if the keyring answers.
pub fn remembered(path: &Path) -> Option<Passphrase> {
    let text = keyring_entry(path).and_then(|e| e.get_password()).ok()?;
    Passphrase::new(text).ok()
}

/// Keeps `key` for the database at `path`; a keyring that cannot be reached is reported, not
/// fatal.
fn keep(path: &Path, key: &Passphrase) -> Result<(), String> {
    keyring_entry(path).and_then(|e| e.set_password(key.expose())).map_err(|e| e.to_string())
}

/// Forgets a kept passphrase. Where the keyring cannot be reached nothing was kept there, so
/// the user who did not ask to remember is not told about it.
fn forget(path: &Path) {
    let _ = keyring_entry(path).and_then(|e| e.delete_credential());
}

impl Store {
    /// Makes `db`, opened with `key`, the current database: the user's own, unlocked.
    fn adopt(&self, key: Passphrase, db: Database) {
        *self.own_key.write().unwrap_or_else(|e| e.into_inner()) = Some(key);
        self.switch(Opened { path: self.own_path.clone(), db: Ok(db), demo: false });
    }

    /// At start: the passphrase kept in the keyring unlocks the database without asking.
    pub fn unlock_from_keyring(&self) -> Option<Database> {
        let locked = matches!(&self.current().db, Err(e) if e.code == ErrorCode::PassphraseRequired);
        if !locked {
            return None;
        }
        let key = remembered(&self.own_path)?;
        let db = Database::open_with(&self.own_path, Some(key.clone())).ok()?;
        self.adopt(key, db.clone());
        Some(db)
    }
}

/// Unlocks the encrypted database with `passphrase`; with `remember` the passphrase is kept
/// in the OS keyring (without, any kept one is forgotten). A wrong passphrase changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn unlock_database(db: State<'_, Store>, passphrase: String, remember: bool) -> CommandResult<Unlocked> {
    let key = Passphrase::new(passphrase).map_err(ErrorPayload::from)?;
    let path = db.own_path.clone();
    let opening = key.clone();
    let opened = blocking(move || Database::open_with(&path, Some(opening))).await?;
    if !opened.is_encrypted() {
        return Err(Error::Conflict(format!("{} is not encrypted", db.own_path.display())).payload());
    }
    db.adopt(key.clone(), opened.clone());
    crate::start_background_work(Some(opened), &db.own_path);
    let path = db.own_path.clone();
    let kept = blocking(move || {
        Ok(if remember {
            keep(&path, &key)
        } else {
            forget(&path);
            Ok(())
        })
    })
    .await?;
    Ok(Unlocked { remembered: remember && kept.is_ok(), keyring_error: kept.err() })
}
