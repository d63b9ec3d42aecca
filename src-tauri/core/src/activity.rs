//! Shared checks for the records that hang off a customer (orders, interactions, surveys …).

use crate::error::{FieldError, Result, Rule};
use rusqlite::Connection;

pub const CURRENCY_DEFAULT: &str = "CNY";

/// Collects field failures so every bad field of a record is reported at once.
#[derive(Debug, Default)]
pub struct Checks(pub Vec<FieldError>);

impl Checks {
    pub fn fail(&mut self, field: &str, rule: Rule) {
        self.0.push(FieldError::new(field, rule));
    }

    /// Text longer than `max` characters or holding a control character
    /// ([`crate::text_limits::check`]).
    pub fn max_len(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(failed) = value.and_then(|v| crate::text_limits::check(field, v, max)) {
            self.0.push(failed);
        }
    }

    pub fn required(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(field, Rule::Required);
        }
    }

    /// An ISO 4217 code: three capital letters.
    pub fn currency(&mut self, field: &str, code: &str) {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            self.fail(field, Rule::InvalidChoice);
        }
    }

    pub fn customer_exists(&mut self, conn: &Connection, field: &str, customer_id: i64) -> Result<()> {
        let live: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1 AND erased_at IS NULL)")?
            .query_row([customer_id], |r| r.get(0))?;
        if !live {
            self.fail(field, Rule::UnknownReference);
        }
        Ok(())
    }

    /// Text that is not blank, with at most `max` characters.
    pub fn required_max(&mut self, field: &str, value: &str, max: usize) {
        self.required(field, value);
        self.max_len(field, Some(value), max);
    }

    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::Validation(self.0))
        }
    }
}

/// Trimmed text, or nothing when blank.
pub fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}
