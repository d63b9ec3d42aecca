//! User preferences kept in the database, so they travel with the file.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum Language {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Language {
    fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

const LANGUAGE_KEY: &str = "language";

/// The chosen interface language, if the user ever chose one.
pub fn language(conn: &Connection) -> Result<Option<Language>> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [LANGUAGE_KEY], |r| r.get(0))
        .optional()?;
    Ok(stored.and_then(|s| match s.as_str() {
        "zh-CN" => Some(Language::ZhCn),
        "en" => Some(Language::En),
        _ => None,
    }))
}

pub fn set_language(conn: &Connection, language: Language) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![LANGUAGE_KEY, language.as_str()],
    )?;
    Ok(())
}
