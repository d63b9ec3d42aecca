//! The settings of the daily work (reminders, detractors, complaint targets, loyalty), kept
//! in the database beside the evaluation thresholds. The survey interval is the evaluation's
//! `survey_interval_days`: one setting says when a customer is due a survey.

use crate::error::{Error, FieldError, Result, Rule};
use crate::evaluation::ServiceLevel;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

const KEY: &str = "work_settings";

/// The settings as entered; missing fields take the defaults. [`WorkSettings::new`] checks them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct WorkSettingsInput {
    /// A head customer with no interaction for this many days is put on My day (1..=365).
    pub no_contact_days: u32,
    /// NPS answers up to this score are detractors (0..=8; the definition says 6).
    pub nps_detractor_max: u8,
    /// CSAT answers up to this score are detractors (1..=4).
    pub csat_detractor_max: u8,
    /// CES answers up to this score are detractors (1..=6).
    pub ces_detractor_max: u8,
    /// A detractor answer counts as new on My day for this many days (1..=90).
    pub new_detractor_days: u32,
    /// Hours to the first response to a complaint, per service level (1..=720 each).
    pub response_hours_vip: u32,
    pub response_hours_priority: u32,
    pub response_hours_standard: u32,
    pub response_hours_self_service: u32,
    /// Loyalty points earned per yuan (per major currency unit) of a recorded order; 0 is off
    /// (0..=100).
    pub loyalty_points_per_yuan: f64,
}

impl Default for WorkSettingsInput {
    fn default() -> Self {
        WorkSettingsInput {
            no_contact_days: 30,
            nps_detractor_max: 6,
            csat_detractor_max: 2,
            ces_detractor_max: 3,
            new_detractor_days: 14,
            response_hours_vip: 4,
            response_hours_priority: 8,
            response_hours_standard: 24,
            response_hours_self_service: 72,
            loyalty_points_per_yuan: 0.0,
        }
    }
}

/// Work settings, every one in range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
#[serde(try_from = "WorkSettingsInput")]
pub struct WorkSettings(WorkSettingsInput);

impl TryFrom<WorkSettingsInput> for WorkSettings {
    type Error = Error;

    fn try_from(input: WorkSettingsInput) -> Result<Self> {
        WorkSettings::new(input)
    }
}

impl WorkSettings {
    /// # Errors
    /// [`Error::Validation`] naming every setting out of its range.
    pub fn new(input: WorkSettingsInput) -> Result<Self> {
        let s = &input;
        let mut bad = Vec::new();
        let mut check = |ok: bool, field: &str| {
            if !ok {
                bad.push(FieldError::new(field, Rule::OutOfRange));
            }
        };
        let hours = |h: u32| (1..=720).contains(&h);
        check((1..=365).contains(&s.no_contact_days), "no_contact_days");
        check(s.nps_detractor_max <= 8, "nps_detractor_max");
        check((1..=4).contains(&s.csat_detractor_max), "csat_detractor_max");
        check((1..=6).contains(&s.ces_detractor_max), "ces_detractor_max");
        check((1..=90).contains(&s.new_detractor_days), "new_detractor_days");
        check(hours(s.response_hours_vip), "response_hours_vip");
        check(hours(s.response_hours_priority), "response_hours_priority");
        check(hours(s.response_hours_standard), "response_hours_standard");
        check(hours(s.response_hours_self_service), "response_hours_self_service");
        check((0.0..=100.0).contains(&s.loyalty_points_per_yuan), "loyalty_points_per_yuan");
        if bad.is_empty() {
            Ok(WorkSettings(input))
        } else {
            Err(Error::Validation(bad))
        }
    }

    pub fn input(&self) -> &WorkSettingsInput {
        &self.0
    }

    pub fn no_contact_days(&self) -> u32 {
        self.0.no_contact_days
    }

    pub fn new_detractor_days(&self) -> u32 {
        self.0.new_detractor_days
    }

    pub fn nps_detractor_max(&self) -> u8 {
        self.0.nps_detractor_max
    }

    pub fn csat_detractor_max(&self) -> u8 {
        self.0.csat_detractor_max
    }

    pub fn ces_detractor_max(&self) -> u8 {
        self.0.ces_detractor_max
    }

    pub fn loyalty_points_per_yuan(&self) -> f64 {
        self.0.loyalty_points_per_yuan
    }

    /// Hours to the first response to a complaint from a customer at `level`.
    pub fn response_hours(&self, level: ServiceLevel) -> u32 {
        match level {
            ServiceLevel::Vip => self.0.response_hours_vip,
            ServiceLevel::Priority => self.0.response_hours_priority,
            ServiceLevel::Standard => self.0.response_hours_standard,
            ServiceLevel::SelfService => self.0.response_hours_self_service,
        }
    }
}

/// The saved settings (the defaults until changed, or when what is stored cannot be read).
pub fn load(conn: &Connection) -> Result<WorkSettings> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [KEY], |r| r.get(0)).optional()?;
    Ok(stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// Checks and saves the settings; nothing is saved when one is out of range.
pub fn save(conn: &Connection, input: WorkSettingsInput) -> Result<WorkSettings> {
    let settings = WorkSettings::new(input)?;
    let json = serde_json::to_string(&settings).map_err(|e| Error::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![KEY, json],
    )?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_definitions() {
        let s = WorkSettings::new(WorkSettingsInput::default()).expect("valid");
        assert_eq!(
            (s.no_contact_days(), s.nps_detractor_max(), s.csat_detractor_max(), s.ces_detractor_max()),
            (30, 6, 2, 3)
        );
        assert_eq!(s.response_hours(ServiceLevel::Vip), 4);
        assert_eq!(s.response_hours(ServiceLevel::Priority), 8);
        assert_eq!(s.response_hours(ServiceLevel::Standard), 24);
        assert_eq!(s.response_hours(ServiceLevel::SelfService), 72);
        assert_eq!(s.loyalty_points_per_yuan(), 0.0);
    }

    #[test]
    fn every_bad_setting_is_named() {
        let input = WorkSettingsInput {
            no_contact_days: 0,
            csat_detractor_max: 5,
            response_hours_vip: 0,
            loyalty_points_per_yuan: f64::NAN,
            ..WorkSettingsInput::default()
        };
        let Err(Error::Validation(fields)) = WorkSettings::new(input) else { panic!("must fail") };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["no_contact_days", "csat_detractor_max", "response_hours_vip", "loyalty_points_per_yuan"]);
    }
}
