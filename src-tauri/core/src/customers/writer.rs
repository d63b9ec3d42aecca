//! The one way a customer's profile is written: by the form, an import and a revert.

use super::{Customer, CustomerInput, DuplicateKeys, ValidCustomer};
use crate::error::Result;
use crate::search;
use rusqlite::{params, params_from_iter, CachedStatement, Connection, ToSql};

/// The profile columns of `customers` every writer sets, in the order
/// [`ValidCustomer::column_values`] binds them: the one list of them.
const PROFILE_COLUMNS: [&str; 23] = [
    "name",
    "kind",
    "company",
    "phone",
    "email",
    "region",
    "owner",
    "notes",
    "external_id",
    "size_class",
    "industry",
    "source",
    "is_kol",
    "referred_by",
    "needs",
    "preferences",
    "pipeline_stage",
    "phone_key",
    "email_key",
    "name_key",
    "name_sort",
    "company_sort",
    "owner_sort",
];

/// The statements of [`CustomerWriter`], made once from [`PROFILE_COLUMNS`].
struct WriteSql {
    /// The profile, then `import_batch_id` and the time made (also the time changed).
    insert: String,
    /// `id`, the profile, then the time changed; live customers only.
    update: String,
    /// `id`, the profile, then `created_at`, `updated_at`, `deleted_at`, `erased_at`.
    restore: String,
}

static WRITE_SQL: std::sync::LazyLock<WriteSql> = std::sync::LazyLock::new(|| {
    let n = PROFILE_COLUMNS.len();
    let columns = PROFILE_COLUMNS.join(", ");
    let values: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    let set: Vec<String> = PROFILE_COLUMNS.iter().zip(2..).map(|(column, i)| format!("{column} = ?{i}")).collect();
    let set = set.join(", ");
    WriteSql {
        insert: format!(
            "INSERT INTO customers ({columns}, import_batch_id, created_at, updated_at) VALUES ({}, ?{}, ?{}, ?{})",
            values.join(", "),
            n + 1,
            n + 2,
            n + 2
        ),
        update: format!(
            "UPDATE customers SET {set}, updated_at = ?{} WHERE id = ?1 AND deleted_at IS NULL AND erased_at IS NULL",
            n + 2
        ),
        restore: format!(
            "UPDATE customers SET {set}, created_at = ?{}, updated_at = ?{}, deleted_at = ?{}, erased_at = ?{} WHERE id = ?1",
            n + 2,
            n + 3,
            n + 4,
            n + 5
        ),
    }
});

impl ValidCustomer {
    /// The values of [`PROFILE_COLUMNS`], in order.
    fn column_values(&self) -> [&dyn ToSql; 23] {
        let (c, keys, sort) = (&self.profile, &self.keys, &self.sort);
        [
            &c.name,
            &c.kind,
            &c.company,
            &c.phone,
            &c.email,
            &c.region,
            &c.owner,
            &c.notes,
            &c.external_id,
            &c.size_class,
            &c.industry,
            &c.source,
            &c.is_kol,
            &c.referred_by,
            &c.needs,
            &c.preferences,
            &c.pipeline_stage,
            &keys.phone,
            &keys.email,
            &keys.name,
            &sort.name,
            &sort.company,
            &sort.owner,
        ]
    }

    /// What the search index holds for the profile, contacts aside.
    fn search_tokens(&self) -> String {
        let c = &self.profile;
        let tags: Vec<&str> = c.tags.iter().map(String::as_str).collect();
        search::CustomerText {
            name: &c.name,
            company: c.company.as_deref(),
            phone: c.phone.as_deref(),
            phone_key: self.keys.phone.as_deref(),
            email: c.email.as_deref(),
            external_id: c.external_id.as_deref(),
            region: c.region.as_deref(),
            industry: c.industry.as_deref(),
            owner: c.owner.as_deref(),
            notes: c.notes.as_deref(),
            needs: c.needs.as_deref(),
            preferences: c.preferences.as_deref(),
            contacts: None,
            tags: &tags,
        }
        .tokens()
    }
}

/// When a written customer's search entry is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchEntry {
    /// Now, from the stored row, contacts included.
    Now,
    /// From the profile written (a new customer has no contacts), added with the others of
    /// the same run ([`search::add_staged`]).
    Staged,
    /// After a bulk load commits ([`search::catch_up`]).
    Waiting,
}

/// Writes customers for the form, an import and a revert alike: the profile columns
/// ([`PROFILE_COLUMNS`]), the tags and channels, and the search entry. An import keeps one
/// for all its rows, and with it the statements it uses for every new customer.
pub(crate) struct CustomerWriter<'c> {
    conn: &'c Connection,
    insert: Option<CachedStatement<'c>>,
    tag: Option<CachedStatement<'c>>,
    channel: Option<CachedStatement<'c>>,
}

/// The statement in `slot`, taken from the connection's cache on first use.
fn held<'s, 'c>(
    slot: &'s mut Option<CachedStatement<'c>>,
    conn: &'c Connection,
    sql: &str,
) -> Result<&'s mut CachedStatement<'c>> {
    Ok(match slot {
        Some(stmt) => stmt,
        slot @ None => slot.insert(conn.prepare_cached(sql)?),
    })
}

impl<'c> CustomerWriter<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Self { conn, insert: None, tag: None, channel: None }
    }

    /// Inserts a new customer made at `ts`; `batch` marks it as created by an import.
    pub fn insert(&mut self, c: &ValidCustomer, batch: Option<i64>, ts: &str, entry: SearchEntry) -> Result<i64> {
        let stmt = held(&mut self.insert, self.conn, &WRITE_SQL.insert)?;
        stmt.execute(params_from_iter(c.column_values().into_iter().chain([&batch as &dyn ToSql, &ts])))?;
        let id = self.conn.last_insert_rowid();
        self.write_lists(id, &c.profile, false)?;
        match entry {
            SearchEntry::Now => search::reindex(self.conn, id)?,
            SearchEntry::Staged => search::stage(self.conn, id, &c.search_tokens())?,
            SearchEntry::Waiting => search::wait(self.conn, id)?,
        }
        Ok(id)
    }

    /// Replaces a live customer's profile, changed at `ts`; false when no live customer has
    /// this id.
    pub fn update(&mut self, id: i64, c: &ValidCustomer, ts: &str) -> Result<bool> {
        let changed = self.conn.prepare_cached(&WRITE_SQL.update)?.execute(params_from_iter(
            [&id as &dyn ToSql].into_iter().chain(c.column_values()).chain([&ts as &dyn ToSql]),
        ))?;
        if changed == 0 {
            return Ok(false);
        }
        self.write_lists(id, &c.profile, true)?;
        search::reindex(self.conn, id)?;
        Ok(true)
    }

    /// Writes a stored profile back over the customer, every column as it was, its stored
    /// duplicate keys and timestamps included.
    pub fn restore(&mut self, before: &Customer, keys: DuplicateKeys) -> Result<()> {
        let c = ValidCustomer::as_stored(before, keys);
        let times: [&dyn ToSql; 4] = [&before.created_at, &before.updated_at, &before.deleted_at, &before.erased_at];
        self.conn
            .prepare_cached(&WRITE_SQL.restore)?
            .execute(params_from_iter([&before.id as &dyn ToSql].into_iter().chain(c.column_values()).chain(times)))?;
        self.write_lists(before.id, &c.profile, true)?;
        search::reindex(self.conn, before.id)
    }

    /// Writes the tags and channels, in place of those there were unless the customer is new.
    fn write_lists(&mut self, id: i64, c: &CustomerInput, replace: bool) -> Result<()> {
        if replace {
            self.conn.prepare_cached("DELETE FROM customer_tags WHERE customer_id = ?1")?.execute([id])?;
            self.conn.prepare_cached("DELETE FROM customer_channels WHERE customer_id = ?1")?.execute([id])?;
        }
        if !c.tags.is_empty() {
            let tag = held(&mut self.tag, self.conn, "INSERT INTO customer_tags (customer_id, tag) VALUES (?1, ?2)")?;
            for t in &c.tags {
                tag.execute(params![id, t])?;
            }
        }
        if !c.channels.is_empty() {
            let channel = held(
                &mut self.channel,
                self.conn,
                "INSERT INTO customer_channels (customer_id, channel) VALUES (?1, ?2)",
            )?;
            for ch in &c.channels {
                channel.execute(params![id, ch])?;
            }
        }
        Ok(())
    }
}
