//! The passphrase on the command line: from `HEADTAIL_PASSPHRASE`, else asked on the
//! terminal (never echoed); `encrypt` and `decrypt` convert a database in place.

use crate::exit::Failure;
use headtail_core::backup;
use headtail_core::encryption::{self, Passphrase, PlainBackups};
use headtail_core::{Database, Error};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// The environment variable a script gives the passphrase in.
pub const PASSPHRASE_ENV: &str = "HEADTAIL_PASSPHRASE";

/// The passphrase from the environment, else typed at a terminal; `None` with neither.
fn given_or_asked(prompt: &str) -> Result<Option<Passphrase>, Failure> {
    if let Some(text) = std::env::var_os(PASSPHRASE_ENV) {
        let text = text.into_string().map_err(|_| Failure::refused(format!("{PASSPHRASE_ENV} is not UTF-8")))?;
        return Ok(Some(Passphrase::new(text)?));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let text = rpassword::prompt_password(prompt).map_err(|e| Failure::refused(format!("no passphrase read: {e}")))?;
    Ok(Some(Passphrase::new(text)?))
}

/// The passphrase that opens the file at `path`: `None` for a plain (or new) file.
pub fn passphrase_for(path: &Path) -> Result<Option<Passphrase>, Failure> {
    if !encryption::is_encrypted(path)? {
        return Ok(None);
    }
    match given_or_asked(&format!("Passphrase for {}: ", path.display()))? {
        Some(key) => Ok(Some(key)),
        None => Err(Error::PassphraseRequired { path: path.display().to_string() }.into()),
    }
}

/// Opens the database at `path`, asking for its passphrase when it is encrypted; `create`
/// makes a new (plain) file where there is none.
pub fn open(path: &Path, create: bool) -> Result<Database, Failure> {
    let key = passphrase_for(path)?;
    let db = if create { Database::open_with(path, key) } else { Database::open_existing_with(path, key) };
    Ok(db?)
}

/// A new passphrase: from the environment, or typed twice at a terminal.
fn new_passphrase() -> Result<Passphrase, Failure> {
    if std::env::var_os(PASSPHRASE_ENV).is_some() || !std::io::stdin().is_terminal() {
        return given_or_asked("").and_then(|key| {
            key.ok_or_else(|| {
                Failure::refused(format!(
                    "no passphrase: set {PASSPHRASE_ENV} or run this in a terminal to type it; nothing was changed"
                ))
            })
        });
    }
    let first = Passphrase::new(read_hidden("New passphrase: ")?)?;
    let again = Passphrase::new(read_hidden("The same passphrase again: ")?)?;
    if first != again {
        return Err(Failure::refused("the two passphrases differ; nothing was changed"));
    }
    Ok(first)
}

fn read_hidden(prompt: &str) -> Result<String, Failure> {
    rpassword::prompt_password(prompt).map_err(|e| Failure::refused(format!("no passphrase read: {e}")))
}

/// What to do with the database's plain backups: as `--plain-backups` says, else asked at a
/// terminal. Without either they are not left behind silently: the command is refused.
fn plain_backups_choice(path: &Path, dir: &Path, given: Option<PlainBackups>) -> Result<Option<PlainBackups>, Failure> {
    let plain = encryption::plain_backups(path, None, dir)?;
    if plain.is_empty() || given.is_some() {
        return Ok(given);
    }
    let count = plain.len();
    if !std::io::stdin().is_terminal() {
        return Err(Failure::refused(format!(
            "{count} plain backup(s) of this database are in {}; pass --plain-backups encrypt or --plain-backups remove; nothing was changed",
            dir.display()
        )));
    }
    eprint!(
        "{count} plain backup(s) of this database are in {}: [e]ncrypt them, [r]emove them, or [c]ancel? ",
        dir.display()
    );
    std::io::stderr().flush().map_err(|e| Failure::refused(e.to_string()))?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| Failure::refused(e.to_string()))?;
    match answer.trim().to_lowercase().as_str() {
        "e" | "encrypt" => Ok(Some(PlainBackups::Encrypt)),
        "r" | "remove" => Ok(Some(PlainBackups::Remove)),
        _ => Err(Failure::refused("cancelled; nothing was changed")),
    }
}

/// `headtail encrypt`.
pub fn encrypt(path: &Path, plain_backups: Option<PlainBackups>) -> Result<(), Failure> {
    if !path.is_file() {
        return Err(Error::NoDatabase { path: path.display().to_string() }.into());
    }
    if encryption::is_encrypted(path)? {
        return Err(Failure::refused(format!("{} is already encrypted", path.display())));
    }
    let dir = backup::default_dir(path);
    let choice = plain_backups_choice(path, &dir, plain_backups)?.unwrap_or(PlainBackups::Encrypt);
    let passphrase = new_passphrase()?;
    let done = encryption::encrypt(path, &passphrase, &dir, choice, chrono::Utc::now())?;
    println!("encrypted {}; the backup taken before, encrypted too: {}", done.path.display(), done.backup.path);
    Ok(())
}

/// `headtail decrypt`.
pub fn decrypt(path: &Path) -> Result<(), Failure> {
    if !path.is_file() {
        return Err(Error::NoDatabase { path: path.display().to_string() }.into());
    }
    if !encryption::is_encrypted(path)? {
        return Err(Failure::refused(format!("{} is not encrypted", path.display())));
    }
    let passphrase = passphrase_for(path)?
        .ok_or_else(|| Failure::from(Error::PassphraseRequired { path: path.display().to_string() }))?;
    let done = encryption::decrypt(path, &passphrase, &backup::default_dir(path), chrono::Utc::now())?;
    println!("decrypted {}; the backup taken before stays encrypted: {}", done.path.display(), done.backup.path);
    Ok(())
}
