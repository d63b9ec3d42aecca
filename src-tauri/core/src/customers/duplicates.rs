//! Possible duplicates of a customer as it is typed, and the key look-up an import uses for
//! the same question. The rules are the import's: the same phone key or email key names the
//! same customer; a name alone does only when nothing better is given. The form adds one: at
//! the same company, a name one slip away from another (张晓伟 / 张小伟) is likely the same
//! person typed twice. Every look-up goes along an index, so a draft is checked in well
//! under a millisecond at a million customers.

use super::{email_key, name_key, phone_key};
use crate::error::Result;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use specta::Type;

/// At most this many possible duplicates are shown for a draft.
pub const DUPLICATES_MAX: usize = 5;

/// At most this many customers of one company are compared by name (a company with more
/// contacts than this is compared on its first ones, in id order).
const SAME_COMPANY_SCAN: u32 = 5_000;

/// A stored duplicate key of customers, each with a partial index over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyColumn {
    Phone,
    Email,
    Name,
}

impl KeyColumn {
    fn column(self) -> &'static str {
        match self {
            KeyColumn::Phone => "phone_key",
            KeyColumn::Email => "email_key",
            KeyColumn::Name => "name_key",
        }
    }
}

/// The live customers (neither deleted nor erased) with this duplicate key, lowest id first,
/// at most `limit`, leaving out `except`.
pub(crate) fn live_ids_by_key(
    conn: &Connection,
    column: KeyColumn,
    key: &str,
    limit: u32,
    except: Option<i64>,
) -> Result<Vec<i64>> {
    // A name is found through the list's index on its sort key, which holds the name key.
    let (sort, by_sort) = match column {
        KeyColumn::Name => (Some(super::sort_key::name_sort_key(key)), " AND name_sort = ?3"),
        _ => (None, ""),
    };
    // The limit is written into the statement: SQLite plans with a bound LIMIT's value, so
    // binding one again (even the same value) makes it compile the statement anew at its next
    // step, which an import looking up every row's customer would pay on every row.
    let sql = format!(
        "SELECT id FROM customers WHERE {} = ?1{by_sort} AND deleted_at IS NULL AND erased_at IS NULL AND id IS NOT ?2
         ORDER BY id LIMIT {limit}",
        column.column()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = match sort {
        Some(sort) => stmt.query_map(params![key, except, sort], |r| r.get(0))?.collect(),
        None => stmt.query_map(params![key, except], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>(),
    }?;
    Ok(ids)
}

/// What the form has typed so far.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
pub struct DuplicateDraft {
    pub name: String,
    pub company: Option<String>,
    /// The customer's phone and any contact's.
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    /// The customer being edited, who is no duplicate of themself.
    pub editing: Option<i64>,
}

/// Why a stored customer may be the one being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateMatch {
    /// The same phone number, however written (`+86 138-0013-8000` = `13800138000`).
    Phone,
    /// The same email address, whatever the case.
    Email,
    /// The same name (ignoring width, case and spaces) at the same company, or both without
    /// one when the draft has no phone or email to tell them apart.
    SameName,
    /// A name one or two slips away at the same company.
    SimilarName,
}

/// A stored customer the draft may duplicate, and every reason found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PossibleDuplicate {
    pub id: i64,
    pub name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Strongest first.
    pub matched: Vec<DuplicateMatch>,
}

/// How many edits two name keys of this many characters may differ by and still look like
/// one name typed twice: none below 3 characters (张伟 and 李伟 are two people), one up to 7
/// (a wrong character from the input method), two from 8 (a Latin name's typo or two).
fn slips_allowed(chars: usize) -> usize {
    match chars {
        0..=2 => 0,
        3..=7 => 1,
        _ => 2,
    }
}

/// Whether two different name keys are near enough to be one name mistyped (Levenshtein
/// distance over characters, so one Chinese character counts as one edit).
fn similar_names(a: &str, b: &str) -> bool {
    let allowed = slips_allowed(a.chars().count().max(b.chars().count()));
    allowed > 0 && strsim::levenshtein(a, b) <= allowed
}

/// The live customers the draft may duplicate: the same phone key, the same email key, or a
/// same or similar name (see [`DuplicateMatch`]); strongest reason first, then oldest, at
/// most [`DUPLICATES_MAX`]. Empty when nothing is typed.
pub fn possible_duplicates(conn: &Connection, draft: &DuplicateDraft) -> Result<Vec<PossibleDuplicate>> {
    let mut found: Vec<(i64, Vec<DuplicateMatch>)> = Vec::new();
    let mut note = |id: i64, why: DuplicateMatch| match found.iter_mut().find(|(f, _)| *f == id) {
        Some((_, reasons)) if !reasons.contains(&why) => reasons.push(why),
        Some(_) => {}
        None => found.push((id, vec![why])),
    };
    let limit = DUPLICATES_MAX as u32;
    let phones: Vec<String> = draft.phones.iter().map(|p| phone_key(p)).filter(|k| !k.is_empty()).collect();
    let emails: Vec<String> = draft.emails.iter().map(|e| email_key(e)).filter(|k| !k.is_empty()).collect();
    for key in &phones {
        for id in live_ids_by_key(conn, KeyColumn::Phone, key, limit, draft.editing)? {
            note(id, DuplicateMatch::Phone);
        }
    }
    for key in &emails {
        for id in live_ids_by_key(conn, KeyColumn::Email, key, limit, draft.editing)? {
            note(id, DuplicateMatch::Email);
        }
    }
    let name = name_key(&draft.name);
    let company = draft.company.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if !name.is_empty() {
        match company {
            Some(company) => {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, name_key FROM customers
                     WHERE company = ?1 AND deleted_at IS NULL AND erased_at IS NULL AND company IS NOT NULL
                       AND id IS NOT ?2
                     LIMIT ?3",
                )?;
                let rows = stmt
                    .query_map(params![company, draft.editing, SAME_COMPANY_SCAN], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut same: Vec<(DuplicateMatch, i64)> = rows
                    .into_iter()
                    .filter_map(|(id, key)| {
                        let key = key?;
                        if key == name {
                            Some((DuplicateMatch::SameName, id))
                        } else if similar_names(&key, &name) {
                            Some((DuplicateMatch::SimilarName, id))
                        } else {
                            None
                        }
                    })
                    .collect();
                same.sort();
                for (why, id) in same.into_iter().take(DUPLICATES_MAX) {
                    note(id, why);
                }
            }
            // The import's rule: a name alone names a customer only when nothing better is
            // given (a new 张伟 with a new phone is not the old one).
            None if phones.is_empty() && emails.is_empty() => {
                let mut stmt = conn.prepare_cached(
                    "SELECT id FROM customers
                     WHERE name_sort = ?4 AND name_key = ?1 AND deleted_at IS NULL AND erased_at IS NULL
                       AND company IS NULL AND id IS NOT ?2
                     ORDER BY id LIMIT ?3",
                )?;
                let sort = super::sort_key::name_sort_key(&name);
                let ids = stmt
                    .query_map(params![name, draft.editing, limit, sort], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<i64>>>()?;
                for id in ids {
                    note(id, DuplicateMatch::SameName);
                }
            }
            None => {}
        }
    }
    for (_, reasons) in &mut found {
        reasons.sort();
    }
    found.sort_by(|(a_id, a), (b_id, b)| a[0].cmp(&b[0]).then(b.len().cmp(&a.len())).then(a_id.cmp(b_id)));
    found.truncate(DUPLICATES_MAX);
    let mut stmt = conn.prepare_cached("SELECT name, company, phone, email FROM customers WHERE id = ?1")?;
    found
        .into_iter()
        .map(|(id, matched)| {
            let (name, company, phone, email) =
                stmt.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(PossibleDuplicate { id, name, company, phone, email, matched })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_must_match_exactly_and_longer_ones_may_slip() {
        assert!(!similar_names("张伟", "李伟"), "two-character names differ by a whole person");
        assert!(similar_names("张晓伟", "张小伟"), "one wrong character from the input method");
        assert!(!similar_names("张晓伟", "李小伟"), "two of three characters is another name");
        assert!(similar_names("jonathansmith", "jonathonsmyth"), "two typos in a long Latin name");
        assert!(!similar_names("annalee", "bobbylee"));
    }
}
