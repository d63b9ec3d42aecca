//! Interaction, survey-response and complaint rows.

use super::run::Importer;
use super::source::Row;
use super::values;
use super::{Field, ImportKind};
use crate::complaints::{self, ComplaintInput, ComplaintSeverity, ComplaintStatus};
use crate::error::Result;
use crate::follow_ups::{self, FollowUpInput, FollowUpSource, WORKDAY_START};
use crate::interactions::{self, InteractionInput};
use crate::surveys::{self, SurveyResponseInput};

impl Importer<'_> {
    pub(super) fn interaction_row(&mut self, row: &Row<'_>) -> Result<()> {
        let c = &mut self.cells;
        let kind = c.choice(row, Field::InteractionType, values::parse_interaction_kind);
        c.require(row, Field::InteractionType, kind.is_some());
        let occurred = c.date(row, Field::Date);
        c.require(row, Field::Date, occurred.is_some());
        let next = c.date(row, Field::NextFollowUp);
        let outcome = c.text(row, Field::Outcome);
        let notes = c.text(row, Field::Notes);
        let owner = c.text(row, Field::Owner);
        let (Some(kind), Some(occurred_at)) = (kind, occurred) else {
            return Ok(());
        };
        let Some(customer_id) = self.known_customer(row)? else {
            return Ok(());
        };
        let input = InteractionInput { customer_id, kind, occurred_at, outcome, notes, owner };
        if let Some(valid) = self.cells.checked(row.number, ImportKind::Interactions, input.validate())? {
            let id = interactions::insert(self.conn, &valid, Some(self.batch))?;
            // The next step becomes a follow-up of the interaction, due at the start of the
            // day; reverting the import deletes the interaction and with it the follow-up.
            if let Some(next) = next {
                let input = FollowUpInput {
                    customer_id,
                    due_at: next.date().and_time(WORKDAY_START),
                    owner: valid.owner.clone(),
                    reason: None,
                    source: FollowUpSource::Interaction,
                    interaction_id: Some(id),
                    survey_response_id: None,
                };
                follow_ups::schedule(self.conn, input, self.now)?;
            }
            self.tally.created += 1;
        }
        Ok(())
    }

    pub(super) fn survey_row(&mut self, row: &Row<'_>) -> Result<()> {
        let c = &mut self.cells;
        let kind = c.choice(row, Field::SurveyType, values::parse_survey_kind);
        c.require(row, Field::SurveyType, kind.is_some());
        let score = c.integer(row, Field::Score);
        c.require(row, Field::Score, score.is_some());
        let responded = c.date(row, Field::Date);
        c.require(row, Field::Date, responded.is_some());
        let comment = c.text(row, Field::Comment);
        let (Some(kind), Some(score), Some(responded)) = (kind, score, responded) else {
            return Ok(());
        };
        let Some(customer_id) = self.known_customer(row)? else {
            return Ok(());
        };
        let input =
            SurveyResponseInput { customer_id, kind, survey_id: None, responded_on: responded.date(), score, comment };
        if let Some(valid) = self.cells.checked(row.number, ImportKind::SurveyResponses, input.validate())? {
            let id = surveys::insert(self.conn, &valid, Some(self.batch), &self.ts)?;
            surveys::imported(self.conn, id, self.now)?;
            self.tally.created += 1;
        }
        Ok(())
    }

    /// A complaint: without a status it is open, or resolved when it names a resolution time;
    /// without a severity, medium. Its response due time follows the customer's service level.
    pub(super) fn complaint_row(&mut self, row: &Row<'_>) -> Result<()> {
        let c = &mut self.cells;
        let opened = c.date(row, Field::Date);
        c.require(row, Field::Date, opened.is_some());
        let category = c.text(row, Field::Category);
        c.require(row, Field::Category, category.is_some());
        let severity = c.choice(row, Field::Severity, values::parse_complaint_severity);
        let status = c.choice(row, Field::Status, values::parse_complaint_status);
        let description = c.text(row, Field::Description);
        let resolved_at = c.date(row, Field::ResolvedAt);
        let resolution = c.text(row, Field::Resolution);
        let first_response_at = c.date(row, Field::FirstResponseAt);
        let (Some(opened_at), Some(category)) = (opened, category) else {
            return Ok(());
        };
        let Some(customer_id) = self.known_customer(row)? else {
            return Ok(());
        };
        let status =
            status.unwrap_or(if resolved_at.is_some() { ComplaintStatus::Resolved } else { ComplaintStatus::Open });
        let input = ComplaintInput {
            customer_id,
            opened_at,
            category,
            severity: severity.unwrap_or(ComplaintSeverity::Medium),
            status,
            description,
            resolved_at,
            resolution,
            first_response_at,
        };
        if let Some(valid) = self.cells.checked(row.number, ImportKind::Complaints, input.validate())? {
            complaints::insert(self.conn, &valid, &self.work, Some(self.batch))?;
            self.tally.created += 1;
        }
        Ok(())
    }

    /// The existing customer an activity row names, once the row's own cells are good.
    fn known_customer(&mut self, row: &Row<'_>) -> Result<Option<i64>> {
        if !self.cells.errors.is_empty() {
            return Ok(None);
        }
        let named = self.cells.customer_ref(row);
        self.activity_customer(row.number, &named, false, None)
    }
}
