//! Customers in a file: a customer row matched to an existing customer or to an earlier row,
//! then created, patched or skipped; the customer an activity row names.

use super::cells::{cut, row_error, CustomerRef};
use super::revert::PreviousProfile;
use super::run::Importer;
use super::source::Row;
use super::values;
use super::{Field, ImportKind, ImportMode, Reason, LISTED_MAX};
use crate::customers::{
    self, email_key, name_key, phone_key, CustomerInput, CustomerKind, KeyColumn, SalesChannel, SearchEntry,
};
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// Keys of the customers already seen in this file, for duplicates within it.
#[derive(Default)]
pub(super) struct SeenKeys {
    external_id: HashMap<String, u64>,
    phone: HashMap<String, u64>,
    email: HashMap<String, u64>,
    name_only: HashMap<String, u64>,
}

/// The existing customer a row names, if any.
#[derive(Debug, Clone, Copy)]
enum Match {
    None,
    Found { id: i64, by: Field },
    Ambiguous,
}

impl Importer<'_> {
    /// A row of a customer file: read, checked against the rows before it and the stored
    /// customers, then created, updated or skipped as the mode says.
    pub(super) fn customer_row(&mut self, row: &Row<'_>) -> Result<()> {
        let n = row.number;
        let c = &mut self.cells;
        let patch = CustomerPatch {
            external_id: c.text(row, Field::ExternalId),
            name: c.text(row, Field::Name),
            kind: c.choice(row, Field::CustomerKind, values::parse_customer_kind),
            company: c.text(row, Field::Company),
            phone: c.text(row, Field::Phone),
            email: c.text(row, Field::Email),
            region: c.text(row, Field::Region),
            owner: c.text(row, Field::Owner),
            tags: c.text(row, Field::Tags).map(|t| values::split_list(&t).map(str::to_owned).collect()),
            source: c.text(row, Field::Source),
            industry: c.text(row, Field::Industry),
            size_class: c.choice(row, Field::SizeClass, values::parse_size_class),
            channels: match c.text(row, Field::Channel) {
                None => None,
                Some(text) => {
                    let mut channels = Vec::new();
                    for word in values::split_list(&text) {
                        match values::parse_channel(word) {
                            Ok(ch) => channels.push(ch),
                            Err(rule) => c.fail(n, Field::Channel, rule.into(), Some(word)),
                        }
                    }
                    Some(channels)
                }
            },
            notes: c.text(row, Field::Notes),
        };
        if !self.cells.errors.is_empty() {
            return Ok(());
        }
        let keys = patch.keys();
        if let Some((field, first)) = self.seen_before(&keys) {
            let mut e = row_error(n, Some(field), Reason::DuplicateInFile);
            e.column = self.cells.columns.header(field);
            e.other_row = Some(first);
            self.cells.errors.push(e);
            return Ok(());
        }
        let found = self.match_customer(&keys)?;
        let outcome = match (found, self.mode) {
            (Match::Ambiguous, _) => {
                self.cells.fail(n, Field::Name, Reason::AmbiguousCustomer, patch.name.as_deref());
                return Ok(());
            }
            (Match::Found { id, by: Field::ExternalId }, ImportMode::Create) => {
                let mut e = row_error(n, Some(Field::ExternalId), Reason::DuplicateInDatabase);
                e.column = self.cells.columns.header(Field::ExternalId);
                e.value = patch.external_id.as_deref().map(cut);
                e.customer_id = Some(id);
                if self.tally.errors.len() < LISTED_MAX {
                    e.customer_name = self.customer_name(id)?;
                }
                self.cells.errors.push(e);
                return Ok(());
            }
            (Match::Found { id, by }, ImportMode::Create) => {
                let by_value = match by {
                    Field::Phone => patch.phone.clone(),
                    Field::Email => patch.email.clone(),
                    _ => patch.name.clone(),
                };
                let input = patch.into_new();
                if self.create_customer(n, input)?.is_some() {
                    let mut w = row_error(n, Some(by), Reason::PossibleDuplicate);
                    w.column = self.cells.columns.header(by);
                    w.value = by_value.map(|v| cut(&v));
                    w.customer_id = Some(id);
                    if self.tally.warnings.len() < LISTED_MAX {
                        w.customer_name = self.customer_name(id)?;
                    }
                    self.tally.warn(w);
                    self.tally.created += 1;
                    true
                } else {
                    false
                }
            }
            (Match::Found { .. }, ImportMode::Skip) => {
                self.tally.skipped += 1;
                true
            }
            (Match::Found { id, .. }, ImportMode::Update) => match self.update_customer(n, id, patch)? {
                Some(true) => {
                    self.tally.updated += 1;
                    true
                }
                // The row says nothing the profile does not already say.
                Some(false) => {
                    self.tally.skipped += 1;
                    true
                }
                None => false,
            },
            (Match::None, _) => {
                let created = self.create_customer(n, patch.into_new())?.is_some();
                if created {
                    self.tally.created += 1;
                }
                created
            }
        };
        if outcome {
            self.remember(&keys, n);
        }
        Ok(())
    }

    /// The name of an existing customer a row is reported against.
    pub(super) fn customer_name(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT name FROM customers WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    fn seen_before(&self, keys: &Keys) -> Option<(Field, u64)> {
        let lookups = [
            (Field::ExternalId, keys.external_id.as_ref().and_then(|k| self.seen.external_id.get(k))),
            (Field::Phone, keys.phone.as_ref().and_then(|k| self.seen.phone.get(k))),
            (Field::Email, keys.email.as_ref().and_then(|k| self.seen.email.get(k))),
            (Field::Name, keys.name_only().and_then(|k| self.seen.name_only.get(k))),
        ];
        lookups.into_iter().find_map(|(field, row)| row.map(|r| (field, *r)))
    }

    fn remember(&mut self, keys: &Keys, row: u64) {
        if let Some(k) = &keys.external_id {
            self.seen.external_id.insert(k.clone(), row);
        }
        if let Some(k) = &keys.phone {
            self.seen.phone.insert(k.clone(), row);
        }
        if let Some(k) = &keys.email {
            self.seen.email.insert(k.clone(), row);
        }
        if let Some(k) = keys.name_only() {
            self.seen.name_only.insert(k.to_owned(), row);
        }
    }

    /// The existing customer a row names: by external id, then phone, then email; by name
    /// only when the row has none of those (a new 张伟 with a new phone is not the old one).
    fn match_customer(&mut self, keys: &Keys) -> Result<Match> {
        if let Some(ext) = &keys.external_id {
            if let Some(id) = self.by_external_id.get(ext) {
                return Ok(Match::Found { id: *id, by: Field::ExternalId });
            }
            if let Some(id) = self.id_by_external_id(ext)? {
                return Ok(Match::Found { id, by: Field::ExternalId });
            }
        }
        for (field, key, column) in
            [(Field::Phone, &keys.phone, KeyColumn::Phone), (Field::Email, &keys.email, KeyColumn::Email)]
        {
            if let Some(key) = key {
                if let Some(id) = self.by_column(column, key, 1)? {
                    return Ok(Match::Found { id, by: field });
                }
            }
        }
        if let Some(name) = keys.name_only() {
            let ids = self.ids_by(KeyColumn::Name, name, 2)?;
            return Ok(match ids.as_slice() {
                [] => Match::None,
                [id] => Match::Found { id: *id, by: Field::Name },
                _ => Match::Ambiguous,
            });
        }
        Ok(Match::None)
    }

    /// The customer known by this external id, erased ones aside.
    fn id_by_external_id(&self, external_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM customers WHERE external_id = ?1 AND erased_at IS NULL")?
            .query_row([external_id], |r| r.get(0))
            .optional()?)
    }

    fn ids_by(&self, column: KeyColumn, key: &str, limit: u32) -> Result<Vec<i64>> {
        customers::live_ids_by_key(self.conn, column, key, limit, None)
    }

    fn by_column(&self, column: KeyColumn, key: &str, limit: u32) -> Result<Option<i64>> {
        Ok(self.ids_by(column, key, limit)?.first().copied())
    }

    /// Validates and inserts a new customer; `None` (with the errors noted) when invalid.
    fn create_customer(&mut self, row: u64, input: CustomerInput) -> Result<Option<i64>> {
        let Some(valid) = self.cells.checked(row, ImportKind::Customers, input.validate())? else {
            return Ok(None);
        };
        let entry = if self.bulk { SearchEntry::Waiting } else { SearchEntry::Staged };
        match self.writer.insert(&valid, Some(self.batch), &self.ts, entry) {
            Ok(id) => Ok(Some(id)),
            Err(Error::Database(rusqlite::Error::SqliteFailure(f, _)))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                self.cells.fail(row, Field::ExternalId, Reason::Taken, valid.profile().external_id.as_deref());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Gives a matched customer the row's values, keeping the profile before for revert.
    /// `Some(changed)`, or `None` when the result is invalid (errors noted).
    fn update_customer(&mut self, row: u64, id: i64, patch: CustomerPatch) -> Result<Option<bool>> {
        let before = PreviousProfile::read(self.conn, id)?;
        let input = patch.apply_to(before.customer.to_input());
        if input == before.customer.to_input() {
            // Nothing new: no before-image, no change of updated_at.
            return Ok(Some(false));
        }
        let profile = before.to_json()?;
        let updated = customers::update(self.conn, id, input, self.now);
        if self.cells.checked(row, ImportKind::Customers, updated)?.is_none() {
            return Ok(None);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO import_previous_profiles (batch_id, customer_id, profile) VALUES (?1, ?2, ?3)
                 ON CONFLICT (batch_id, customer_id) DO NOTHING",
            )?
            .execute(params![self.batch, id, profile])?;
        Ok(Some(true))
    }

    /// A row that names no customer: nothing given, or only values the platform masked.
    fn no_customer(&mut self, n: u64, masked: Option<&(Field, String)>) {
        match masked {
            Some((field, value)) => self.cells.fail(n, *field, Reason::MaskedCustomer, Some(value)),
            None => self.cells.fail(n, Field::ExternalId, Reason::Required, None),
        }
    }

    /// The customer an activity row names; for orders an unknown one is created.
    pub(super) fn activity_customer(
        &mut self,
        n: u64,
        r: &CustomerRef,
        create: bool,
        channel: Option<SalesChannel>,
    ) -> Result<Option<i64>> {
        if let Some(ext) = &r.external_id {
            if let Some(id) = self.by_external_id.get(ext.as_str()) {
                return Ok(Some(*id));
            }
            if self.kind != ImportKind::Orders {
                // Only order files are preloaded; others look each id up once.
                if let Some(id) = self.id_by_external_id(ext)? {
                    self.by_external_id.insert(ext.clone(), id);
                    return Ok(Some(id));
                }
            }
        } else {
            let keys = [
                (0_u8, Field::Phone, r.phone.as_deref().map(phone_key), KeyColumn::Phone),
                (1, Field::Email, r.email.as_deref().map(email_key), KeyColumn::Email),
                (2, Field::Name, r.name.as_deref().map(name_key), KeyColumn::Name),
            ];
            for (tag, field, key, column) in keys {
                let Some(key) = key.filter(|k| !k.is_empty()) else {
                    continue;
                };
                if let Some(found) = self.by_key.get(&(tag, key.clone())) {
                    if let Some(id) = found {
                        return Ok(Some(*id));
                    }
                    continue;
                }
                let ids = self.ids_by(column, &key, 2)?;
                match ids.as_slice() {
                    [id] | [id, _] if field != Field::Name || ids.len() == 1 => {
                        self.by_key.insert((tag, key), Some(*id));
                        return Ok(Some(*id));
                    }
                    [] => {}
                    _ => {
                        self.cells.fail(n, field, Reason::AmbiguousCustomer, r.name.as_deref());
                        return Ok(None);
                    }
                }
            }
        }
        if !create {
            match (r.first(), &r.masked) {
                (Some((field, value)), _) => self.cells.fail(n, field, Reason::UnknownCustomer, Some(value)),
                (None, masked) => self.no_customer(n, masked.as_ref()),
            }
            return Ok(None);
        }
        let Some(name) =
            r.name.clone().or_else(|| r.external_id.clone()).or_else(|| r.phone.clone()).or_else(|| r.email.clone())
        else {
            self.no_customer(n, r.masked.as_ref());
            return Ok(None);
        };
        let input = CustomerInput {
            external_id: r.external_id.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            channels: channel.into_iter().collect(),
            ..CustomerInput::named(&name)
        };
        let id = self.create_customer(n, input)?;
        if let Some(id) = id {
            self.tally.customers_created += 1;
            match &r.external_id {
                Some(ext) => {
                    self.by_external_id.insert(ext.clone(), id);
                }
                None => {
                    let key = if let Some(p) = &r.phone {
                        (0, phone_key(p))
                    } else if let Some(e) = &r.email {
                        (1, email_key(e))
                    } else {
                        (2, name_key(&name))
                    };
                    self.by_key.insert(key, Some(id));
                }
            }
        }
        Ok(id)
    }
}

/// The duplicate keys of a customer row.
struct Keys {
    external_id: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

impl Keys {
    /// The name key, when the row has nothing better to be known by.
    fn name_only(&self) -> Option<&str> {
        if self.external_id.is_some() || self.phone.is_some() || self.email.is_some() {
            None
        } else {
            self.name.as_deref()
        }
    }
}

/// The values of a customer row; `None` is an empty cell, which never overwrites.
struct CustomerPatch {
    external_id: Option<String>,
    name: Option<String>,
    kind: Option<CustomerKind>,
    company: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    region: Option<String>,
    owner: Option<String>,
    tags: Option<Vec<String>>,
    source: Option<String>,
    industry: Option<String>,
    size_class: Option<crate::customers::SizeClass>,
    channels: Option<Vec<SalesChannel>>,
    notes: Option<String>,
}

impl CustomerPatch {
    fn keys(&self) -> Keys {
        Keys {
            external_id: self.external_id.clone(),
            phone: self.phone.as_deref().map(phone_key).filter(|k| !k.is_empty()),
            email: self.email.as_deref().map(email_key).filter(|k| !k.is_empty()),
            name: self.name.as_deref().map(name_key).filter(|k| !k.is_empty()),
        }
    }

    fn into_new(self) -> CustomerInput {
        self.apply_to(CustomerInput::named(""))
    }

    /// The profile with this row's values over it. An external id is only filled in, never
    /// replaced: other systems know the customer by it.
    fn apply_to(self, c: CustomerInput) -> CustomerInput {
        CustomerInput {
            external_id: c.external_id.or(self.external_id),
            name: self.name.unwrap_or(c.name),
            kind: self.kind.unwrap_or(c.kind),
            company: self.company.or(c.company),
            phone: self.phone.or(c.phone),
            email: self.email.or(c.email),
            region: self.region.or(c.region),
            owner: self.owner.or(c.owner),
            tags: self.tags.unwrap_or(c.tags),
            source: self.source.or(c.source),
            industry: self.industry.or(c.industry),
            size_class: self.size_class.or(c.size_class),
            channels: self.channels.unwrap_or(c.channels),
            notes: self.notes.or(c.notes),
            ..c
        }
    }
}
