//! Customers: profile input, validation, and the queries behind the customer list and trash.

use crate::error::{Error, FieldError, Result, Rule};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

pub const NAME_MAX: usize = 200;
pub const COMPANY_MAX: usize = 200;
pub const SHORT_TEXT_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 32;
pub const NOTES_MAX: usize = 5000;
pub const PAGE_MAX: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    Company,
    Person,
}

impl CustomerKind {
    fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Company => "company",
            CustomerKind::Person => "person",
        }
    }
    fn parse(s: &str) -> rusqlite::Result<Self> {
        match s {
            "company" => Ok(CustomerKind::Company),
            "person" => Ok(CustomerKind::Person),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("kind={other}"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

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
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    #[default]
    Name,
    Company,
    Region,
    CreatedAt,
    UpdatedAt,
}

impl CustomerSort {
    fn column(self) -> &'static str {
        match self {
            CustomerSort::Name => "name",
            CustomerSort::Company => "company",
            CustomerSort::Region => "region",
            CustomerSort::CreatedAt => "created_at",
            CustomerSort::UpdatedAt => "updated_at",
        }
    }
}

/// Which customers a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub struct CustomerQuery {
    /// Part of a name, company, phone number or email.
    pub search: Option<String>,
    pub kind: Option<CustomerKind>,
    pub owner: Option<String>,
    pub sort: CustomerSort,
    pub descending: bool,
    /// Deleted customers (the trash) instead of live ones.
    pub deleted: bool,
    pub offset: u32,
    /// At most [`PAGE_MAX`]; 0 means the default page of 50.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CustomerPage {
    pub items: Vec<Customer>,
    pub total: u32,
}

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

impl CustomerInput {
    /// Trims every field, drops empty optional ones, and checks the rules.
    /// Every failing field is reported, not just the first.
    pub fn validate(self) -> Result<CustomerInput> {
        let input = CustomerInput {
            name: self.name.trim().to_owned(),
            kind: self.kind,
            company: clean(self.company),
            phone: clean(self.phone),
            email: clean(self.email),
            region: clean(self.region),
            owner: clean(self.owner),
            notes: clean(self.notes),
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

const COLUMNS: &str =
    "id, name, kind, company, phone, email, region, owner, notes, created_at, updated_at, deleted_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: CustomerKind::parse(&row.get::<_, String>(2)?)?,
        company: row.get(3)?,
        phone: row.get(4)?,
        email: row.get(5)?,
        region: row.get(6)?,
        owner: row.get(7)?,
        notes: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        deleted_at: row.get(11)?,
    })
}

pub fn create(conn: &Connection, input: CustomerInput, now: DateTime<Utc>) -> Result<Customer> {
    let c = input.validate()?;
    let ts = timestamp(now);
    conn.execute(
        "INSERT INTO customers (name, kind, company, phone, email, region, owner, notes, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![c.name, c.kind.as_str(), c.company, c.phone, c.email, c.region, c.owner, c.notes, ts],
    )?;
    get(conn, conn.last_insert_rowid())
}

/// Any customer, deleted or not.
pub fn get(conn: &Connection, id: i64) -> Result<Customer> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM customers WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "customer", id })
}

/// Replaces a live customer's profile. A deleted customer must be restored first.
pub fn update(conn: &Connection, id: i64, input: CustomerInput, now: DateTime<Utc>) -> Result<Customer> {
    let c = input.validate()?;
    let changed = conn.execute(
        "UPDATE customers SET name = ?2, kind = ?3, company = ?4, phone = ?5, email = ?6, region = ?7,
                owner = ?8, notes = ?9, updated_at = ?10
         WHERE id = ?1 AND deleted_at IS NULL",
        params![id, c.name, c.kind.as_str(), c.company, c.phone, c.email, c.region, c.owner, c.notes, timestamp(now)],
    )?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
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
    get(conn, id)
}

/// Brings a customer back from the trash (also the undo of a delete).
pub fn restore(conn: &Connection, id: i64) -> Result<Customer> {
    let changed = conn.execute(
        "UPDATE customers SET deleted_at = NULL WHERE id = ?1 AND deleted_at IS NOT NULL",
        [id],
    )?;
    if changed == 0 {
        return Err(Error::NotFound { entity: "customer", id });
    }
    get(conn, id)
}

fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for ch in term.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

pub fn list(conn: &Connection, query: &CustomerQuery) -> Result<CustomerPage> {
    let mut filters = vec![if query.deleted { "deleted_at IS NOT NULL" } else { "deleted_at IS NULL" }.to_owned()];
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some(term) = query.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(Box::new(like_pattern(term)));
        let n = args.len();
        filters.push(format!(
            "(name LIKE ?{n} ESCAPE '\\' OR company LIKE ?{n} ESCAPE '\\' OR phone LIKE ?{n} ESCAPE '\\' OR email LIKE ?{n} ESCAPE '\\')"
        ));
    }
    if let Some(kind) = query.kind {
        args.push(Box::new(kind.as_str()));
        filters.push(format!("kind = ?{}", args.len()));
    }
    if let Some(owner) = query.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        args.push(Box::new(owner.to_owned()));
        filters.push(format!("owner = ?{}", args.len()));
    }
    let where_clause = filters.join(" AND ");
    let arg_refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();

    let total: u32 = conn.query_row(
        &format!("SELECT count(*) FROM customers WHERE {where_clause}"),
        arg_refs.as_slice(),
        |r| r.get(0),
    )?;
    let direction = if query.descending { "DESC" } else { "ASC" };
    // Empty values sort last either way; id breaks ties so pages never overlap.
    let column = query.sort.column();
    let limit = match query.limit {
        0 => 50,
        n => n.min(PAGE_MAX),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM customers WHERE {where_clause}
         ORDER BY {column} IS NULL, {column} COLLATE NOCASE {direction}, id {direction}
         LIMIT {limit} OFFSET {offset}",
        offset = query.offset
    );
    let mut stmt = conn.prepare(&sql)?;
    let items = stmt.query_map(arg_refs.as_slice(), from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(CustomerPage { items, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_people_type_are_accepted() {
        for ok in ["13800138000", "138 0013 8000", "+86 138-0013-8000", "(021) 6234 5678", "0755-83456789", "+1 (415) 555-0100", "12345"] {
            assert!(is_valid_phone(ok), "{ok} should be accepted");
        }
    }

    #[test]
    fn malformed_phone_numbers_are_refused() {
        for bad in ["1234", "12800138000", "138-0013-800a", "+", "++8613800138000", "86+13800138000", "1".repeat(21).as_str(), "电话13800138000"] {
            assert!(!is_valid_phone(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        for ok in ["zhang.wei@huaqiang.cn", "a+b@example.co.uk", "王@例子.中国"] {
            assert!(is_valid_email(ok), "{ok} should be accepted");
        }
        for bad in ["zhang", "zhang@", "@huaqiang.cn", "zhang@localhost", "zhang@huaqiang.", "a b@c.cn", "Zhang <z@h.cn>"] {
            assert!(!is_valid_email(bad), "{bad} should be refused");
        }
    }

    #[test]
    fn length_limits_count_characters_not_bytes() {
        let at_limit = CustomerInput {
            name: "张".repeat(NAME_MAX),
            kind: CustomerKind::Person,
            company: None,
            phone: None,
            email: None,
            region: None,
            owner: None,
            notes: None,
        };
        assert!(at_limit.clone().validate().is_ok(), "200 Chinese characters fit although they are 600 bytes");
        let over = CustomerInput { name: "张".repeat(NAME_MAX + 1), notes: Some("x".repeat(NOTES_MAX + 1)), ..at_limit };
        let Err(Error::Validation(fields)) = over.validate() else { panic!("too long must fail") };
        assert_eq!(fields, vec![FieldError::too_long("name", NAME_MAX), FieldError::too_long("notes", NOTES_MAX)]);
    }
}
