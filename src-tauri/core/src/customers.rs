//! Customers: the profile, its validation, duplicate keys, and the queries behind the
//! customer list, the trash and erasure.

use crate::error::{Error, FieldError, Result, Rule};
use crate::page::page_limit;
use crate::search;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;
use unicode_normalization::UnicodeNormalization;

pub const NAME_MAX: usize = 200;
pub const COMPANY_MAX: usize = 200;
pub const SHORT_TEXT_MAX: usize = 100;
pub const EXTERNAL_ID_MAX: usize = 64;
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 32;
pub const LONG_TEXT_MAX: usize = 2000;
pub const NOTES_MAX: usize = 5000;
pub const TAG_MAX: usize = 50;
pub const TAGS_MAX: usize = 30;

text_enum!(CustomerKind { Company = "company", Person = "person" });
text_enum!(
    /// Large account, small or medium business, or an individual buyer.
    SizeClass { Large = "large", Smb = "smb", Individual = "individual" }
);
text_enum!(
    /// Where a customer buys.
    SalesChannel { OnlineShop = "online_shop", Marketplace = "marketplace", Store = "store", PhoneWechat = "phone_wechat" }
);
text_enum!(
    /// A prospect's way to the first purchase.
    PipelineStage {
        Awareness = "awareness", Interest = "interest", Decision = "decision",
        Purchase = "purchase", Won = "won", Lost = "lost",
    }
);

/// What a form or an import supplies for a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CustomerInput {
    pub name: String,
    pub kind: CustomerKind,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub region: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    /// The customer's number in another system (till, web shop), unique when given.
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub size_class: Option<SizeClass>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub channels: Vec<SalesChannel>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub source: Option<String>,
    /// An opinion leader whose word brings other customers.
    #[serde(default)]
    pub is_kol: bool,
    #[serde(default)]
    pub referred_by: Option<i64>,
    /// What the customer says they need.
    #[serde(default)]
    pub needs: Option<String>,
    /// What their behaviour shows they prefer.
    #[serde(default)]
    pub preferences: Option<String>,
    #[serde(default)]
    pub pipeline_stage: Option<PipelineStage>,
}

impl CustomerInput {
    /// A person with only a name; the starting point of tests and imports.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: CustomerKind::Person,
            company: None,
            phone: None,
            email: None,
            region: None,
            owner: None,
            notes: None,
            external_id: None,
            size_class: None,
            industry: None,
            channels: Vec::new(),
            tags: Vec::new(),
            source: None,
            is_kol: false,
            referred_by: None,
            needs: None,
            preferences: None,
            pipeline_stage: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub kind: CustomerKind,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub region: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    pub size_class: Option<SizeClass>,
    pub industry: Option<String>,
    pub channels: Vec<SalesChannel>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub is_kol: bool,
    pub referred_by: Option<i64>,
    pub needs: Option<String>,
    pub preferences: Option<String>,
    pub pipeline_stage: Option<PipelineStage>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub erased_at: Option<String>,
}

impl Customer {
    /// The profile as an input again, e.g. to restore it after a reverted import.
    pub fn to_input(&self) -> CustomerInput {
        CustomerInput {
            name: self.name.clone(),
            kind: self.kind,
            company: self.company.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            region: self.region.clone(),
            owner: self.owner.clone(),
            notes: self.notes.clone(),
            external_id: self.external_id.clone(),
            size_class: self.size_class,
            industry: self.industry.clone(),
            channels: self.channels.clone(),
            tags: self.tags.clone(),
            source: self.source.clone(),
            is_kol: self.is_kol,
            referred_by: self.referred_by,
            needs: self.needs.clone(),
            preferences: self.preferences.clone(),
            pipeline_stage: self.pipeline_stage,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    #[default]
    Name,
    Company,
    Region,
    Owner,
    CreatedAt,
    UpdatedAt,
}

impl CustomerSort {
    /// The ORDER BY terms, ascending; each matches a live-list index in 0004_list_indexes.sql
    /// term for term, so a page never sorts the whole table.
    fn order_terms(self) -> &'static [&'static str] {
        match self {
            CustomerSort::Name => &["c.name_key"],
            CustomerSort::Company => &["c.company IS NULL", "c.company"],
            CustomerSort::Region => &["c.region IS NULL", "c.region"],
            CustomerSort::Owner => &["c.owner IS NULL", "c.owner"],
            CustomerSort::CreatedAt => &["c.created_at"],
            CustomerSort::UpdatedAt => &["c.updated_at"],
        }
    }
}

/// Which customers a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub struct CustomerQuery {
    /// Part of a name, company, phone number, email, contact, note or tag.
    pub search: Option<String>,
    pub kind: Option<CustomerKind>,
    pub owner: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    pub sort: CustomerSort,
    pub descending: bool,
    /// Deleted customers (the trash) instead of live ones.
    pub deleted: bool,
    pub offset: u32,
    /// At most [`crate::page::PAGE_MAX`]; 0 means the default page of 50.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CustomerPage {
    pub items: Vec<Customer>,
    /// How many customers match; at least this many when `total_exact` is false.
    pub total: u32,
    /// False when a search with other filters matched more than [`COUNT_CAP`] customers,
    /// too many to look up one by one.
    pub total_exact: bool,
}

/// A search with other filters matching more customers than this shows "at least" this many.
pub const COUNT_CAP: u32 = 10_000;

/// Timestamps are stored as RFC 3339 UTC text with milliseconds, which sorts in time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn check_len(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    if value.is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::too_long(field, max));
    }
}

/// A phone number: digits with optional spaces, dashes, dots and brackets, an optional
/// leading `+`, 5 to 20 digits. An 11-digit mainland mobile must start 13-19.
pub fn is_valid_phone(phone: &str) -> bool {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')) {
        return false;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if !(5..=20).contains(&digits.len()) {
        return false;
    }
    let mainland_mobile = !phone.starts_with('+') && digits.len() == 11 && digits.starts_with('1');
    !mainland_mobile || digits.as_bytes()[1] >= b'3'
}

pub fn is_valid_email(email: &str) -> bool {
    // The crate follows RFC 5322 but accepts dotless domains; a CRM address needs a real domain.
    email_address::EmailAddress::parse_with_options(email, email_address::Options::default().without_display_text())
        .is_ok_and(|addr| addr.domain().contains('.') && !addr.domain().ends_with('.'))
}

/// Duplicate key of a phone: its digits, without a leading mainland country code.
pub fn phone_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest.to_owned(),
        _ => digits,
    }
}

pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Duplicate key of a name: NFKC (full-width to half-width), lower case, no spaces, so
/// "ＡＣＭＥ Ltd" and "acme ltd" and "张 伟" and "张伟" meet.
pub fn name_key(name: &str) -> String {
    name.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect()
}

impl CustomerInput {
    /// Trims every field, drops empty optional ones, de-duplicates tags and channels, and
    /// checks the rules. Every failing field is reported, not just the first.
    pub fn validate(self) -> Result<CustomerInput> {
        let mut tags: Vec<String> = Vec::new();
        for tag in self.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        let mut channels = self.channels.clone();
        channels.sort();
        channels.dedup();
        let input = CustomerInput {
            name: self.name.trim().to_owned(),
            kind: self.kind,
            company: clean(self.company),
            phone: clean(self.phone),
            email: clean(self.email),
            region: clean(self.region),
            owner: clean(self.owner),
            notes: clean(self.notes),
            external_id: clean(self.external_id),
            size_class: self.size_class,
            industry: clean(self.industry),
            channels,
            tags,
            source: clean(self.source),
            is_kol: self.is_kol,
            referred_by: self.referred_by,
            needs: clean(self.needs),
            preferences: clean(self.preferences),
            pipeline_stage: self.pipeline_stage,
        };
        let mut errors = Vec::new();
        if input.name.is_empty() {
            errors.push(FieldError::new("name", Rule::Required));
        }
        check_len(&mut errors, "name", Some(&input.name), NAME_MAX);
        check_len(&mut errors, "company", input.company.as_deref(), COMPANY_MAX);
        check_len(&mut errors, "region", input.region.as_deref(), SHORT_TEXT_MAX);
        check_len(&mut errors, "owner", input.owner.as_deref(), SHORT_TEXT_MAX);
        check_len(&mut errors, "notes", input.notes.as_deref(), NOTES_MAX);
        check_len(&mut errors, "external_id", input.external_id.as_deref(), EXTERNAL_ID_MAX);
        check_len(&mut errors, "industry", input.industry.as_deref(), SHORT_TEXT_MAX);
        check_len(&mut errors, "source", input.source.as_deref(), SHORT_TEXT_MAX);
        check_len(&mut errors, "needs", input.needs.as_deref(), LONG_TEXT_MAX);
        check_len(&mut errors, "preferences", input.preferences.as_deref(), LONG_TEXT_MAX);
        if input.tags.len() > TAGS_MAX {
            errors.push(FieldError { field: "tags".into(), rule: Rule::TooMany, limit: u32::try_from(TAGS_MAX).ok() });
        }
        if input.tags.iter().any(|t| t.chars().count() > TAG_MAX) {
            errors.push(FieldError::too_long("tags", TAG_MAX));
        }
        match input.email.as_deref() {
            Some(e) if e.chars().count() > EMAIL_MAX => errors.push(FieldError::too_long("email", EMAIL_MAX)),
            Some(e) if !is_valid_email(e) => errors.push(FieldError::new("email", Rule::InvalidEmail)),
            _ => {}
        }
        match input.phone.as_deref() {
            Some(p) if p.chars().count() > PHONE_MAX => errors.push(FieldError::too_long("phone", PHONE_MAX)),
            Some(p) if !is_valid_phone(p) => errors.push(FieldError::new("phone", Rule::InvalidPhone)),
            _ => {}
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(Error::Validation(errors))
        }
    }
}

const COLUMNS: &str = "c.id, c.name, c.kind, c.company, c.phone, c.email, c.region, c.owner, c.notes, c.external_id,
     c.size_class, c.industry, c.source, c.is_kol, c.referred_by, c.needs, c.preferences, c.pipeline_stage,
     c.created_at, c.updated_at, c.deleted_at, c.erased_at,
     (SELECT group_concat(channel, ',') FROM customer_channels WHERE customer_id = c.id),
     (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM customer_tags WHERE customer_id = c.id ORDER BY tag))";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    let channels: Option<String> = row.get(22)?;
    let tags: Option<String> = row.get(23)?;
    Ok(Customer {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: row.get(2)?,
        company: row.get(3)?,
        phone: row.get(4)?,
        email: row.get(5)?,
        region: row.get(6)?,
        owner: row.get(7)?,
        notes: row.get(8)?,
        external_id: row.get(9)?,
        size_class: row.get(10)?,
        industry: row.get(11)?,
        source: row.get(12)?,
        is_kol: row.get(13)?,
        referred_by: row.get(14)?,
        needs: row.get(15)?,
        preferences: row.get(16)?,
        pipeline_stage: row.get(17)?,
        created_at: row.get(18)?,
        updated_at: row.get(19)?,
        deleted_at: row.get(20)?,
        erased_at: row.get(21)?,
        channels: channels.map(|s| s.split(',').filter_map(SalesChannel::parse).collect()).unwrap_or_default(),
        tags: tags.map(|s| s.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default(),
    })
}

/// Checks what only the database knows: the external id is free, the referrer exists.
fn check_references(conn: &Connection, id: Option<i64>, c: &CustomerInput) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(ext) = c.external_id.as_deref() {
        let owner: Option<i64> =
            conn.query_row("SELECT id FROM customers WHERE external_id = ?1", [ext], |r| r.get(0)).optional()?;
        if owner.is_some_and(|o| Some(o) != id) {
            errors.push(FieldError::new("external_id", Rule::Taken));
        }
    }
    if let Some(referrer) = c.referred_by {
        if Some(referrer) == id {
            errors.push(FieldError::new("referred_by", Rule::SelfReference));
        } else if !exists(conn, referrer)? {
            errors.push(FieldError::new("referred_by", Rule::UnknownReference));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)", [id], |r| r.get(0))?)
}

fn write_lists(conn: &Connection, id: i64, c: &CustomerInput) -> Result<()> {
    conn.execute("DELETE FROM customer_tags WHERE customer_id = ?1", [id])?;
    conn.execute("DELETE FROM customer_channels WHERE customer_id = ?1", [id])?;
    let mut tag = conn.prepare_cached("INSERT INTO customer_tags (customer_id, tag) VALUES (?1, ?2)")?;
    for t in &c.tags {
        tag.execute(params![id, t])?;
    }
    let mut channel = conn.prepare_cached("INSERT INTO customer_channels (customer_id, channel) VALUES (?1, ?2)")?;
    for ch in &c.channels {
        channel.execute(params![id, ch])?;
    }
    Ok(())
}

/// Validates and inserts a customer; `batch` marks it as created by an import.
pub fn create_in_batch(
    conn: &Connection,
    input: CustomerInput,
    now: DateTime<Utc>,
    batch: Option<i64>,
) -> Result<Customer> {
    let c = input.validate()?;
    check_references(conn, None, &c)?;
    let ts = timestamp(now);
    conn.prepare_cached(
        "INSERT INTO customers (name, kind, company, phone, email, region, owner, notes, external_id, size_class,
                                industry, source, is_kol, referred_by, needs, preferences, pipeline_stage,
                                phone_key, email_key, name_key, import_batch_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?22)",
    )?
    .execute(params![
        c.name, c.kind, c.company, c.phone, c.email, c.region, c.owner, c.notes, c.external_id, c.size_class,
        c.industry, c.source, c.is_kol, c.referred_by, c.needs, c.preferences, c.pipeline_stage,
        c.phone.as_deref().map(phone_key), c.email.as_deref().map(email_key), name_key(&c.name), batch, ts
    ])?;
    let id = conn.last_insert_rowid();
    write_lists(conn, id, &c)?;
    search::reindex(conn, id)?;
    get(conn, id)
}

pub fn create(conn: &Connection, input: CustomerInput, now: DateTime<Utc>) -> Result<Customer> {
    create_in_batch(conn, input, now, None)
}

/// Any customer, deleted or not.
pub fn get(conn: &Connection, id: i64) -> Result<Customer> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM customers c WHERE c.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "customer", id })
}

/// Replaces a live customer's profile. A deleted or erased customer must not change.
pub fn update(conn: &Connection, id: i64, input: CustomerInput, now: DateTime<Utc>) -> Result<Customer> {
    let c = input.validate()?;
    check_references(conn, Some(id), &c)?;
    let changed = conn
        .prepare_cached(
            "UPDATE customers SET name = ?2, kind = ?3, company = ?4, phone = ?5, email = ?6, region = ?7, owner = ?8,
                notes = ?9, external_id = ?10, size_class = ?11, industry = ?12, source = ?13, is_kol = ?14,
                referred_by = ?15, needs = ?16, preferences = ?17, pipeline_stage = ?18,
                phone_key = ?19, email_key = ?20, name_key = ?21, updated_at = ?22
         WHERE id = ?1 AND deleted_at IS NULL AND erased_at IS NULL",
        )?
        .execute(params![
            id,
            c.name,
            c.kind,
            c.company,
            c.phone,
            c.email,
            c.region,
            c.owner,
            c.notes,
            c.external_id,
            c.size_class,
            c.industry,
            c.source,
            c.is_kol,
            c.referred_by,
            c.needs,
            c.preferences,
            c.pipeline_stage,
            c.phone.as_deref().map(phone_key),
            c.email.as_deref().map(email_key),
            name_key(&c.name),
            timestamp(now)
        ])?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
    write_lists(conn, id, &c)?;
    search::reindex(conn, id)?;
    get(conn, id)
}

/// Moves a live customer to the trash.
pub fn soft_delete(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Customer> {
    let changed = conn.execute(
        "UPDATE customers SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        params![id, timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
    search::reindex(conn, id)?;
    get(conn, id)
}

/// Brings a customer back from the trash (also the undo of a delete).
pub fn restore(conn: &Connection, id: i64) -> Result<Customer> {
    let changed = conn.execute(
        "UPDATE customers SET deleted_at = NULL WHERE id = ?1 AND deleted_at IS NOT NULL AND erased_at IS NULL",
        [id],
    )?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
    search::reindex(conn, id)?;
    get(conn, id)
}

/// A query's conditions over `customers c`, its arguments, and the full-text expression
/// with its argument number when it searches the live customers.
struct Filter {
    conditions: Vec<String>,
    args: Vec<Box<dyn rusqlite::ToSql>>,
    fts: Option<(String, usize)>,
}

impl Filter {
    fn arg_refs(&self) -> Vec<&dyn rusqlite::ToSql> {
        self.args.iter().map(|a| a.as_ref()).collect()
    }
}

fn order_by(query: &CustomerQuery) -> String {
    let direction = if query.descending { "DESC" } else { "ASC" };
    // The id breaks ties, so pages never overlap.
    query
        .sort
        .order_terms()
        .iter()
        .chain(std::iter::once(&"c.id"))
        .map(|term| format!("{term} {direction}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn filter(query: &CustomerQuery) -> Filter {
    let mut filters = vec![
        if query.deleted { "c.deleted_at IS NOT NULL" } else { "c.deleted_at IS NULL" }.to_owned(),
        "c.erased_at IS NULL".to_owned(),
    ];
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    let mut fts = None;
    if let Some(text) = query.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if query.deleted {
            // The trash is not indexed; it is small, so a scan will do.
            args.push(Box::new(text.to_lowercase()));
            let n = args.len();
            filters.push(format!(
                "(instr(lower(c.name), ?{n}) > 0 OR instr(lower(coalesce(c.company, '')), ?{n}) > 0
                  OR instr(coalesce(c.phone, ''), ?{n}) > 0 OR instr(lower(coalesce(c.email, '')), ?{n}) > 0)"
            ));
        } else if let Some(expr) = search::match_query(text) {
            args.push(Box::new(expr.clone()));
            fts = Some((expr, args.len()));
        } else {
            // Only punctuation: nothing can match it.
            filters.push("0".into());
        }
    }
    if let Some(kind) = query.kind {
        args.push(Box::new(kind));
        filters.push(format!("c.kind = ?{}", args.len()));
    }
    if let Some(owner) = query.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        args.push(Box::new(owner.to_owned()));
        filters.push(format!("c.owner = ?{}", args.len()));
    }
    if let Some(tag) = query.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(Box::new(tag.to_owned()));
        let n = args.len();
        filters.push(if fts.is_some() {
            // The search's matches are the candidates: one key probe each, rather than a
            // temporary index of every customer with a common tag.
            format!("EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?{n})")
        } else {
            format!("c.id IN (SELECT customer_id FROM customer_tags WHERE tag = ?{n})")
        });
    }
    Filter { conditions: filters, args, fts }
}

/// Every customer a query matches, in its order, without paging: what an export of a list
/// or segment takes.
pub fn matching_ids(conn: &Connection, query: &CustomerQuery) -> Result<Vec<i64>> {
    let mut f = filter(query);
    if let Some((_, n)) = &f.fts {
        f.conditions.push(format!("c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?{n})"));
    }
    let sql = format!("SELECT c.id FROM customers c WHERE {} ORDER BY {}", f.conditions.join(" AND "), order_by(query));
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt.query_map(f.arg_refs().as_slice(), |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

pub fn list(conn: &Connection, query: &CustomerQuery) -> Result<CustomerPage> {
    list_with(conn, query, SearchLimits::default())
}

/// Where a search through the full-text index switches plans. Counting or gathering matches
/// in the index is cheap (about 0.2 µs each); each match handed to the list costs a look-up of
/// its row (about 1.5 µs at a million customers); walking a sort order's index costs a tenth
/// of that per row but stops only once the page is full, so it suits common terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchLimits {
    /// Up to this many matches, the matches themselves are looked up, sorted and counted.
    pub narrow: u32,
    /// The same for a search with other filters, up to this many matches; above it such a
    /// search is counted only up to [`COUNT_CAP`].
    pub filtered: u32,
}

impl Default for SearchLimits {
    fn default() -> Self {
        Self { narrow: 10_000, filtered: 50_000 }
    }
}

/// [`list`] with the given plan limits (tests use small ones to reach every plan). The count
/// and the page come from one snapshot of the database.
pub fn list_with(conn: &Connection, query: &CustomerQuery, limits: SearchLimits) -> Result<CustomerPage> {
    crate::db::read_snapshot(conn, || page_of(conn, query, limits))
}

fn page_of(conn: &Connection, query: &CustomerQuery, limits: SearchLimits) -> Result<CustomerPage> {
    let Filter { conditions: mut filters, args, fts } = filter(query);
    let arg_refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let limit = page_limit(query.limit);
    let page = |filters: &[String]| -> Result<Vec<Customer>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM customers c WHERE {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            filters.join(" AND "),
            order_by(query),
            offset = query.offset
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let items = stmt.query_map(arg_refs.as_slice(), from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(items)
    };

    let Some((expr, n)) = fts else {
        // No search: each sort order has an index, and the count is a scan of one.
        let count_sql = format!("SELECT count(*) FROM customers c WHERE {}", filters.join(" AND "));
        let total: u32 = conn.prepare_cached(&count_sql)?.query_row(arg_refs.as_slice(), |r| r.get(0))?;
        return Ok(CustomerPage { items: page(&filters)?, total, total_exact: true });
    };
    // Only the live/trash conditions so far: nothing but the search narrows the list.
    let only_search = filters.len() == 2;
    let sort_up_to = if only_search { limits.narrow } else { limits.filtered };
    let matches: u32 = conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM customer_search WHERE customer_search MATCH ?1 LIMIT ?2)")?
        .query_row(params![expr, sort_up_to + 1], |r| r.get(0))?;

    let from_matches = format!(
        "FROM customer_search s CROSS JOIN customers c WHERE s.customer_search MATCH ?{n} AND c.id = s.rowid AND {}",
        filters.join(" AND ")
    );
    // Looks each match up once: sorts them, counts them, reads the page's rows.
    let sorted_matches = || -> Result<CustomerPage> {
        let sql = format!("SELECT c.id {from_matches} ORDER BY {}", order_by(query));
        let mut stmt = conn.prepare_cached(&sql)?;
        let ids = stmt.query_map(arg_refs.as_slice(), |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        let items = ids
            .iter()
            .skip(query.offset as usize)
            .take(limit as usize)
            .map(|&id| get(conn, id))
            .collect::<Result<_>>()?;
        Ok(CustomerPage { items, total: ids.len() as u32, total_exact: true })
    };
    if matches <= sort_up_to {
        return sorted_matches();
    }

    // Many matches: gather their ids once and walk the sort order's index testing each row
    // against them, which fills a page after a few rows per match found.
    let matched = search::matching_ids(conn, &expr)?;
    let (total, total_exact, walk_budget) = if only_search {
        // Matches gathered at the far end of the sort order make a long walk: past about the
        // cost of sorting them, sort them instead.
        (matched.len() as u32, true, matched.len() as u64 * WALKED_ROWS_PER_MATCH)
    } else {
        // The other filters may leave few of the many matches: count from the index side,
        // stopping once past the cap.
        let count_sql = format!("SELECT count(*) FROM (SELECT 1 {from_matches} LIMIT {})", COUNT_CAP + 1);
        let counted: u32 = conn.prepare_cached(&count_sql)?.query_row(arg_refs.as_slice(), |r| r.get(0))?;
        (counted.min(COUNT_CAP), counted <= COUNT_CAP, u64::MAX)
    };
    let test = search::MatchTest::register(conn, expr, matched, walk_budget)?;
    filters.push(format!("{}(?{n}, c.id)", search::MatchTest::FUNCTION));
    let walked = page(&filters);
    let gave_up = test.gave_up();
    drop(test);
    match walked {
        Ok(items) => Ok(CustomerPage { items, total, total_exact }),
        Err(_) if gave_up => sorted_matches(),
        Err(e) => Err(e),
    }
}

/// Rows a walk along the sort order may test per match before the matches are sorted
/// instead: a walk tests about ten rows in the time a match is looked up, and most pages
/// fill after far fewer.
const WALKED_ROWS_PER_MATCH: u64 = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_people_type_are_accepted() {
        for ok in [
            "13800138000",
            "138 0013 8000",
            "+86 138-0013-8000",
            "(021) 6234 5678",
            "0755-83456789",
            "+1 (415) 555-0100",
            "12345",
        ] {
            assert!(is_valid_phone(ok), "{ok} should be accepted");
        }
    }

    #[test]
    fn malformed_phone_numbers_are_refused() {
        for bad in [
            "1234",
            "12800138000",
            "138-0013-800a",
            "+",
            "++8613800138000",
            "86+13800138000",
            "1".repeat(21).as_str(),
            "电话13800138000",
        ] {
            assert!(!is_valid_phone(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        for ok in ["zhang.wei@huaqiang.cn", "a+b@example.co.uk", "王@例子.中国"] {
            assert!(is_valid_email(ok), "{ok} should be accepted");
        }
        for bad in
            ["zhang", "zhang@", "@huaqiang.cn", "zhang@localhost", "zhang@huaqiang.", "a b@c.cn", "Zhang <z@h.cn>"]
        {
            assert!(!is_valid_email(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn length_limits_count_characters_not_bytes() {
        let at_limit = CustomerInput::named(&"张".repeat(NAME_MAX));
        assert!(at_limit.clone().validate().is_ok(), "200 Chinese characters fit although they are 600 bytes");
        let over =
            CustomerInput { name: "张".repeat(NAME_MAX + 1), notes: Some("x".repeat(NOTES_MAX + 1)), ..at_limit };
        let Err(Error::Validation(fields)) = over.validate() else { panic!("too long must fail") };
        assert_eq!(fields, vec![FieldError::too_long("name", NAME_MAX), FieldError::too_long("notes", NOTES_MAX)]);
    }

    #[test]
    fn tags_and_channels_are_trimmed_and_deduplicated() {
        let input = CustomerInput {
            tags: vec![" VIP ".into(), "VIP".into(), "".into(), "华南".into()],
            channels: vec![SalesChannel::Store, SalesChannel::OnlineShop, SalesChannel::Store],
            ..CustomerInput::named("x")
        };
        let clean = input.validate().expect("valid");
        assert_eq!(clean.tags, vec!["VIP", "华南"]);
        assert_eq!(clean.channels, vec![SalesChannel::OnlineShop, SalesChannel::Store]);
        let too_many =
            CustomerInput { tags: (0..=TAGS_MAX).map(|i| format!("t{i}")).collect(), ..CustomerInput::named("x") };
        assert!(matches!(too_many.validate(), Err(Error::Validation(f)) if f[0].rule == Rule::TooMany));
    }

    #[test]
    fn duplicate_keys_meet_across_spelling_variants() {
        assert_eq!(phone_key("+86 138-0013-8000"), phone_key("13800138000"));
        assert_eq!(phone_key("(0755) 8345 6789"), "075583456789");
        assert_eq!(email_key(" Zhang.Wei@HuaQiang.CN "), "zhang.wei@huaqiang.cn");
        assert_eq!(name_key("ＡＣＭＥ Ltd"), name_key("acme ltd"));
        assert_eq!(name_key("张 伟"), name_key("张伟"));
        assert_ne!(name_key("张伟"), name_key("张玮"));
    }
}
