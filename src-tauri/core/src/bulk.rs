//! Bulk actions on customers of the list: a selection of rows, or every customer a list query
//! matches (the same query as the list, not the page loaded). Each runs in the caller's
//! transaction, so it changes all of them or none, and says how many it changed.

use crate::activity::{clean, Checks};
use crate::customers::{self, TAG_MAX};
use crate::error::Result;
use crate::export::{selected_ids, CustomerSelection};
use crate::follow_ups::{self, FollowUpInput, FollowUpSource, OWNER_MAX, REASON_MAX};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;

/// What to do to each selected customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    AddTag {
        tag: String,
    },
    /// None takes the owner away.
    AssignOwner {
        owner: Option<String>,
    },
    /// A follow-up for each, for `owner` or else the customer's own owner.
    ScheduleFollowUp {
        due_at: NaiveDateTime,
        owner: Option<String>,
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct BulkOutcome {
    /// Customers the selection named (erased and trashed ones are left out).
    pub selected: u32,
    /// Of those, how many the action changed (a tag already there changes nothing).
    pub changed: u32,
}

/// Checks the action's own fields before any customer is touched.
fn check(action: &BulkAction) -> Result<BulkAction> {
    let mut checks = Checks::default();
    let action = match action.clone() {
        BulkAction::AddTag { tag } => {
            let tag = tag.trim().to_owned();
            checks.required_max("tag", &tag, TAG_MAX);
            BulkAction::AddTag { tag }
        }
        BulkAction::AssignOwner { owner } => {
            let owner = clean(owner);
            checks.max_len("owner", owner.as_deref(), customers::SHORT_TEXT_MAX);
            BulkAction::AssignOwner { owner }
        }
        BulkAction::ScheduleFollowUp { due_at, owner, reason } => {
            let (owner, reason) = (clean(owner), clean(reason));
            checks.max_len("owner", owner.as_deref(), OWNER_MAX);
            checks.max_len("reason", reason.as_deref(), REASON_MAX);
            BulkAction::ScheduleFollowUp { due_at, owner, reason }
        }
    };
    checks.finish()?;
    Ok(action)
}

/// Applies `action` to every live customer of `selection`; run it inside a transaction.
///
/// # Errors
/// A validation error on the action's fields, or a customer the action would make invalid
/// (too many tags): nothing is changed then once the transaction rolls back.
pub fn apply(
    conn: &Connection,
    selection: &CustomerSelection,
    action: &BulkAction,
    now: DateTime<Utc>,
) -> Result<BulkOutcome> {
    let action = check(action)?;
    let mut outcome = BulkOutcome { selected: 0, changed: 0 };
    for id in selected_ids(conn, selection)? {
        let customer = match customers::get(conn, id) {
            Ok(c) if c.deleted_at.is_none() && c.erased_at.is_none() => c,
            Ok(_) | Err(crate::Error::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        outcome.selected += 1;
        let changed = match &action {
            BulkAction::AddTag { tag } => {
                let mut input = customer.to_input();
                let fresh = !input.tags.contains(tag);
                if fresh {
                    input.tags.push(tag.clone());
                    customers::update(conn, id, input, now)?;
                }
                fresh
            }
            BulkAction::AssignOwner { owner } => {
                let fresh = customer.owner != *owner;
                if fresh {
                    customers::update(
                        conn,
                        id,
                        customers::CustomerInput { owner: owner.clone(), ..customer.to_input() },
                        now,
                    )?;
                }
                fresh
            }
            BulkAction::ScheduleFollowUp { due_at, owner, reason } => {
                let input = FollowUpInput {
                    customer_id: id,
                    due_at: *due_at,
                    owner: owner.clone(),
                    reason: reason.clone(),
                    source: FollowUpSource::Bulk,
                    interaction_id: None,
                    survey_response_id: None,
                };
                follow_ups::schedule(conn, input, now)?;
                true
            }
        };
        outcome.changed += u32::from(changed);
    }
    Ok(outcome)
}
