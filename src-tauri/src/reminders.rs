//! Desktop notifications of follow-ups falling due, and opening the customer when one is
//! clicked.
//!
//! At start, one notification sums up the overdue follow-ups; after that each follow-up is
//! announced when it falls due. Only the user's own database is watched: the demo's
//! follow-ups belong to invented customers, and a click must open a customer of the database
//! the window shows. While the demo is open the reminders wait; on leaving it, whatever fell
//! due meanwhile is announced.
//!
//! Everything goes through the notification plugin, which since 2.6 also reports a click on
//! desktop (Linux: the Freedesktop `default` action on the plugin's own D-Bus connection;
//! macOS and Windows: notify-rust's response), so there is one code path for every platform.

use crate::commands::Store;
use chrono::{Local, NaiveDateTime};
use headtail_core::follow_ups::reminders::{self, Announcement, DueReminder, OverdueSummary};
use headtail_core::settings::{self, Language};
use headtail_core::Database;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::{ActionPerformed, NotificationExt};

/// The event the window opens a customer's profile on; its payload is the customer id.
pub const OPEN_CUSTOMER_EVENT: &str = "open-customer";

/// How often the database is looked at, for follow-ups scheduled meanwhile (by this window,
/// an import or another process); sooner when one is due before that.
const CHECK_EVERY: Duration = Duration::from_secs(30);

/// The first check waits this long after start: it claims every follow-up that fell due while
/// the app was closed (on a large database a hundred thousand rows written at once), which
/// would otherwise share the machine with the window loading its first page.
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(2);

/// More follow-ups falling due at once than this (after the machine slept) are summarised.
const ONE_BY_ONE: usize = 3;

/// The notification's extra field naming the customer a click opens.
const CUSTOMER_KEY: &str = "customer_id";

/// Starts announcing follow-ups on a thread of its own.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    // Registered before the first notification: the plugin reports clicks only on
    // notifications shown while a handler exists.
    let handle = app.clone();
    if let Err(e) = app.notification().on_action(move |performed| clicked(&handle, performed)) {
        eprintln!("headtail: notification clicks will not open customers: {e}");
    }
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("reminders".into()).spawn(move || {
        std::thread::sleep(FIRST_CHECK_AFTER);
        let mut started = false;
        loop {
            let wait = match app.state::<Store>().own_database() {
                Some(db) if !db.is_read_only() => match announce_due(&app, &db, !started) {
                    Ok(next) => {
                        started = true;
                        next
                    }
                    Err(e) => {
                        eprintln!("headtail: follow-up reminders failed: {e}");
                        CHECK_EVERY
                    }
                },
                _ => CHECK_EVERY,
            };
            std::thread::sleep(wait);
        }
    });
    if let Err(e) = spawned {
        eprintln!("headtail: follow-up reminders are off: {e}");
    }
}

/// Claims and shows what fell due; returns how long to wait before looking again.
fn announce_due<R: Runtime>(app: &AppHandle<R>, db: &Database, at_start: bool) -> headtail_core::Result<Duration> {
    let now = Local::now();
    let (announcement, language, next) = db.with_tx(|tx| {
        let announcement = if at_start {
            reminders::overdue_summary(tx, &now)?
        } else {
            reminders::announcement(reminders::take_due(tx, &now)?, ONE_BY_ONE)
        };
        Ok((announcement, settings::language(tx)?, reminders::next_due(tx, &now)?))
    })?;
    let words = Words::of(language.unwrap_or_else(system_language));
    match announcement {
        Announcement::Each(due) => {
            for reminder in &due {
                show(app, words.title(reminder), words.body(reminder, now.naive_local()), Some(reminder.customer_id));
            }
        }
        Announcement::Summary(summary) => show(app, words.summary_title(&summary), words.summary_body(&summary), None),
    }
    let until_next =
        next.and_then(|due| (due - now.naive_local()).to_std().ok()).map_or(CHECK_EVERY, |left| left.min(CHECK_EVERY));
    // Due times have whole seconds; waking a little after the due time claims it at once.
    Ok(until_next + Duration::from_millis(200))
}

fn show<R: Runtime>(app: &AppHandle<R>, title: String, body: String, customer_id: Option<i64>) {
    let mut builder = app.notification().builder().title(title).body(body);
    if let Some(id) = customer_id {
        builder = builder.extra(CUSTOMER_KEY, id);
    }
    if let Err(e) = builder.show() {
        eprintln!("headtail: could not show a notification: {e}");
    }
}

/// A click on a notification brings the window forward and opens the customer it names.
fn clicked<R: Runtime>(app: &AppHandle<R>, performed: &ActionPerformed) {
    if performed.action_id() != "tap" {
        return;
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    let customer = performed.notification().and_then(|n| n.extra().get(CUSTOMER_KEY)).and_then(|v| v.as_i64());
    // The id is one of the user's own database; with the demo open it would name another customer.
    let own_open = app.state::<Store>().own_database().is_some();
    if let (Some(id), true) = (customer, own_open) {
        if let Err(e) = app.emit_to("main", OPEN_CUSTOMER_EVENT, id) {
            eprintln!("headtail: could not open the customer of a notification: {e}");
        }
    }
}

/// The language the window starts in when none was chosen, as the UI decides it.
fn system_language() -> Language {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    if locale.is_some_and(|l| l.to_lowercase().starts_with("zh")) {
        Language::ZhCn
    } else {
        Language::En
    }
}

/// The notifications' words in the user's language.
struct Words {
    language: Language,
}

impl Words {
    fn of(language: Language) -> Self {
        Self { language }
    }

    fn title(&self, reminder: &DueReminder) -> String {
        match self.language {
            Language::ZhCn => format!("跟进：{}", reminder.customer_name),
            Language::En => format!("Follow up: {}", reminder.customer_name),
        }
    }

    /// The reason, then the due time (the hour alone when it is today).
    fn body(&self, reminder: &DueReminder, now: NaiveDateTime) -> String {
        let due = if reminder.due_at.date() == now.date() {
            reminder.due_at.format("%H:%M").to_string()
        } else {
            reminder.due_at.format("%Y-%m-%d %H:%M").to_string()
        };
        let reason = reminder.reason.clone().unwrap_or_else(|| match self.language {
            Language::ZhCn => "跟进到期".into(),
            Language::En => "Follow-up due".into(),
        });
        match self.language {
            Language::ZhCn => format!("{reason}\n到期：{due}"),
            Language::En => format!("{reason}\nDue {due}"),
        }
    }

    fn summary_title(&self, summary: &OverdueSummary) -> String {
        match self.language {
            Language::ZhCn => format!("{} 项跟进已逾期", summary.count),
            Language::En => format!("{} follow-ups overdue", summary.count),
        }
    }

    fn summary_body(&self, summary: &OverdueSummary) -> String {
        let (separator, more) = match self.language {
            Language::ZhCn => ("、", "等"),
            Language::En => (", ", ", …"),
        };
        let names = summary.names.join(separator);
        if summary.more {
            format!("{names}{more}")
        } else {
            names
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day).and_then(|d| d.and_hms_opt(hour, minute, 0)).expect("valid")
    }

    #[test]
    fn a_reminder_names_the_customer_the_reason_and_the_due_time() {
        let reminder = DueReminder {
            follow_up_id: 1,
            customer_id: 2,
            customer_name: "张伟".into(),
            due_at: at(6, 14, 30),
            reason: Some("报价跟进".into()),
        };
        let zh = Words::of(Language::ZhCn);
        assert_eq!(zh.title(&reminder), "跟进：张伟");
        assert_eq!(zh.body(&reminder, at(6, 14, 31)), "报价跟进\n到期：14:30");
        let en = Words::of(Language::En);
        assert_eq!(
            en.body(&DueReminder { reason: None, ..reminder }, at(7, 9, 0)),
            "Follow-up due\nDue 2026-12-06 14:30"
        );
    }

    #[test]
    fn a_summary_counts_and_names_the_first_customers() {
        let summary = OverdueSummary { count: 5, names: vec!["张伟".into(), "李娜".into()], more: true };
        assert_eq!(Words::of(Language::En).summary_title(&summary), "5 follow-ups overdue");
        assert_eq!(Words::of(Language::En).summary_body(&summary), "张伟, 李娜, …");
        assert_eq!(Words::of(Language::ZhCn).summary_body(&summary), "张伟、李娜等");
    }
}
