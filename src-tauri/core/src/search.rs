//! Full-text search over customers, their contacts, notes and tags.
//!
//! SQLite's tokenizers split Chinese poorly: `unicode61` keeps a whole run of Han characters as
//! one token, and `trigram` cannot match the two-character names that are most Chinese
//! names (张伟). So the tokens are made here and stored space-separated in an FTS5 table:
//! - a run of CJK characters gives its overlapping bigrams and its last character alone,
//!   so any part of two or more characters is a phrase of consecutive bigrams and a single
//!   character is a prefix of some token;
//! - letters and digits give lower-cased words, matched by prefix;
//! - a run of 5 or more digits (a phone number) also gives its suffixes, so the middle or
//!   the end of a number is found.

use crate::error::Result;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // kana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x3134F) // extensions B-G
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

/// Runs of one class, letters and digits kept apart so "abc123" yields "abc" and "123".
fn runs(text: &str) -> Vec<(Class, Vec<char>)> {
    let mut out: Vec<(Class, Vec<char>)> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let k = class(c);
        match out.last_mut() {
            Some((last, chars)) if *last == k && k != Class::Other => chars.push(c),
            _ if k == Class::Other => {
                if out.last().is_some_and(|(last, _)| *last != Class::Other) {
                    out.push((Class::Other, Vec::new()));
                }
            }
            _ => out.push((k, vec![c])),
        }
    }
    out.retain(|(k, _)| *k != Class::Other);
    out
}

const MIN_DIGIT_SUFFIX: usize = 3;
/// Longer runs of digits are no phone number (an account or serial number pasted into the
/// notes): kept whole, since their suffixes would grow with the square of their length.
const MAX_DIGIT_SUFFIXED: usize = crate::customers::PHONE_MAX;

/// Letters and digits written together without a break ("c0012345", "iphone15"): kept as one
/// token as well as their parts, so a customer number is found without a prefix search over
/// every word that starts with "c".
fn mixed_chunks(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() || is_cjk(c))
        .filter(|chunk| chunk.chars().any(|c| c.is_ascii_digit()) && chunk.chars().any(|c| !c.is_ascii_digit()))
        .map(str::to_lowercase)
}

/// The index tokens of a text, space-separated.
pub fn index_tokens(text: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    for (kind, chars) in runs(text) {
        match kind {
            Class::Cjk => {
                tokens.extend(chars.windows(2).map(|w| w.iter().collect()));
                if let Some(last) = chars.last() {
                    tokens.push(last.to_string());
                }
            }
            Class::Digit if (5..=MAX_DIGIT_SUFFIXED).contains(&chars.len()) => {
                for start in 0..=chars.len() - MIN_DIGIT_SUFFIX {
                    tokens.push(chars[start..].iter().collect());
                }
            }
            Class::Word | Class::Digit => tokens.push(chars.iter().collect()),
            Class::Other => {}
        }
    }
    tokens.extend(mixed_chunks(text));
    tokens.join(" ")
}

/// Shorter words and numbers match whole tokens only: a prefix of one or two characters
/// would merge the posting lists of a large part of the vocabulary.
const MIN_PREFIX: usize = 3;

/// What a search reads of the text typed: more is no search but a pasted document, whose
/// hundreds of thousands of terms would each be looked up.
pub const QUERY_CHARS_MAX: usize = 200;

/// An FTS5 query for what the user typed (its first [`QUERY_CHARS_MAX`] characters): every
/// part must match, each as a prefix or phrase. `None` when the text has nothing searchable.
pub fn match_query(text: &str) -> Option<String> {
    let text = text.char_indices().nth(QUERY_CHARS_MAX).map_or(text, |(end, _)| &text[..end]);
    let mixed: Vec<String> = mixed_chunks(text).collect();
    let mut parts: Vec<String> = mixed.iter().map(|chunk| format!("\"{chunk}\"*")).collect();
    let inside_mixed = |word: &str| mixed.iter().any(|chunk| chunk.contains(word));
    for (kind, chars) in runs(text) {
        let word: String = chars.iter().collect();
        match kind {
            Class::Cjk if chars.len() == 1 => parts.push(format!("\"{word}\"*")),
            Class::Cjk => {
                let bigrams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
                parts.push(format!("\"{}\"", bigrams.join(" ")));
            }
            Class::Word | Class::Digit if inside_mixed(&word) => {}
            Class::Word | Class::Digit if chars.len() < MIN_PREFIX => parts.push(format!("\"{word}\"")),
            Class::Word | Class::Digit => parts.push(format!("\"{word}\"*")),
            Class::Other => {}
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// Everything searchable about one customer. [`CustomerText::tokens`] is the one definition
/// of a customer's entry: the entries made from stored rows ([`reindex`], [`catch_up`]) and
/// those an import makes from the profiles it writes both go through it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerText<'a> {
    pub name: &'a str,
    pub company: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// The phone's duplicate key, its bare digits: "+86 138-0013-8000" alone gives only
    /// short runs of digits, which get no suffix tokens, so 13800138000 would not find it.
    pub phone_key: Option<&'a str>,
    pub email: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub region: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub needs: Option<&'a str>,
    pub preferences: Option<&'a str>,
    /// Every contact's text, as one value; a new customer has none.
    pub contacts: Option<&'a str>,
    pub tags: &'a [&'a str],
}

impl CustomerText<'_> {
    /// The entry's tokens: every part given, space-separated, through [`index_tokens`].
    pub fn tokens(&self) -> String {
        let parts = [
            Some(self.name),
            self.company,
            self.phone,
            self.phone_key,
            self.email,
            self.external_id,
            self.region,
            self.industry,
            self.owner,
            self.notes,
            self.needs,
            self.preferences,
            self.contacts,
        ];
        // A part the same as one before it (a plain phone is its own key; a customer an order
        // file names by phone alone is named by it too) adds only tokens there already are:
        // words and numbers match as single tokens, and a phrase of bigrams lies inside one run.
        let mut text: Vec<&str> = Vec::with_capacity(parts.len() + self.tags.len());
        for part in parts.into_iter().flatten().chain(self.tags.iter().copied()) {
            if !text.contains(&part) {
                text.push(part);
            }
        }
        index_tokens(&text.join(" "))
    }
}

/// A contact's phone as bare digits, so "139-1234-5678" is also found as "12345678": the
/// formatted number only gives short runs of digits, which get no suffix tokens.
const CONTACT_PHONE_DIGITS: &str =
    "replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '')";

/// The parts of [`CustomerText`] of the customers the `WHERE` clause picks, one row each,
/// in the order [`text_of_row`] reads them.
fn customer_text_sql(filter: &str) -> String {
    format!(
        "SELECT c.id, c.name, c.company, c.phone, c.phone_key, c.email, c.external_id, c.region, c.industry, c.owner,
                c.notes, c.needs, c.preferences,
                (SELECT group_concat(concat_ws(' ', name, title, phone, {CONTACT_PHONE_DIGITS}, email, wechat, notes), ' ')
                   FROM contacts WHERE customer_id = c.id),
                (SELECT group_concat(tag, ' ') FROM customer_tags WHERE customer_id = c.id)
         FROM customers c WHERE c.deleted_at IS NULL AND c.erased_at IS NULL {filter}"
    )
}

/// The id and the entry's tokens of a row of [`customer_text_sql`].
fn text_of_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String)> {
    let part = |i: usize| -> rusqlite::Result<Option<&str>> {
        row.get_ref(i)?
            .as_str_or_null()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    };
    let tags = part(14)?;
    let text = CustomerText {
        name: part(1)?.unwrap_or_default(),
        company: part(2)?,
        phone: part(3)?,
        phone_key: part(4)?,
        email: part(5)?,
        external_id: part(6)?,
        region: part(7)?,
        industry: part(8)?,
        owner: part(9)?,
        notes: part(10)?,
        needs: part(11)?,
        preferences: part(12)?,
        contacts: part(13)?,
        tags: tags.as_slice(),
    };
    Ok((row.get(0)?, text.tokens()))
}

/// Rebuilds one customer's entry from the profile, contacts and tags. Deleted and erased
/// customers keep no entry.
pub fn reindex(conn: &Connection, customer_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM customer_search WHERE rowid = ?1")?.execute([customer_id])?;
    // Indexed now: a customer an import left waiting needs nothing more.
    conn.prepare_cached("DELETE FROM search_pending WHERE customer_id = ?1")?.execute([customer_id])?;
    let mut select = conn.prepare_cached(&customer_text_sql("AND c.id = ?1"))?;
    let mut rows = select.query([customer_id])?;
    if let Some(row) = rows.next()? {
        let (_, tokens) = text_of_row(row)?;
        conn.prepare_cached("INSERT INTO customer_search (rowid, tokens) VALUES (?1, ?2)")?
            .execute(params![customer_id, tokens])?;
    }
    Ok(())
}

/// Begins collecting entries with [`stage`] for one insert at the end ([`add_staged`]): row by
/// row, FTS5 pays a flush of its pending terms per insert.
pub fn begin_staging(conn: &Connection) -> Result<()> {
    conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS search_staged (id INTEGER PRIMARY KEY, tokens TEXT NOT NULL)")?;
    Ok(())
}

/// Keeps a customer's entry for [`add_staged`].
pub fn stage(conn: &Connection, customer_id: i64, tokens: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO temp.search_staged (id, tokens) VALUES (?1, ?2)")?
        .execute(params![customer_id, tokens])?;
    Ok(())
}

/// Adds the entries [`stage`] kept, in one statement, and ends the staging.
pub fn add_staged(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "INSERT INTO customer_search (rowid, tokens) SELECT id, tokens FROM temp.search_staged ORDER BY id;
         DROP TABLE temp.search_staged;",
    )?;
    Ok(())
}

/// Puts a customer on the waiting list, for [`catch_up`] to make its entry after a bulk load.
pub fn wait(conn: &Connection, customer_id: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO search_pending (customer_id) VALUES (?1)")?.execute([customer_id])?;
    Ok(())
}

/// Rebuilds the whole index in one pass, e.g. after a bulk load.
pub fn reindex_all(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM search_pending", [])?;
    index_all(conn)
}

/// [`reindex_all`] for schema versions before entries could wait (the migration that made
/// the index).
pub(crate) fn index_all(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM customer_search", [])?;
    index_profiles(conn, "", [])
}

/// Adds the entries of the customers `filter` (a `WHERE` continuation) picks.
fn index_profiles(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<()> {
    let mut select = conn.prepare(&customer_text_sql(filter))?;
    let mut insert = conn.prepare("INSERT INTO customer_search (rowid, tokens) VALUES (?1, ?2)")?;
    let mut rows = select.query(args)?;
    while let Some(row) = rows.next()? {
        let (id, tokens) = text_of_row(row)?;
        insert.execute(params![id, tokens])?;
    }
    Ok(())
}

/// Customers indexed per transaction by [`catch_up`]: about a second of holding the write
/// lock, so edits made meanwhile wait at most that long.
const CATCH_UP_STEP: i64 = 50_000;

/// Customers whose search entries are still to be made (see [`catch_up`]).
pub fn pending(conn: &Connection) -> Result<u64> {
    let count: i64 = conn.query_row("SELECT count(*) FROM search_pending", [], |r| r.get(0))?;
    Ok(count as u64)
}

/// Makes the entries of at most `limit` waiting customers, lowest ids first, from their
/// profiles as they are now (deleted and erased ones get none) and takes them off the
/// waiting list; returns how many left it.
fn add_pending(conn: &Connection, limit: i64) -> Result<u64> {
    let last: Option<i64> = conn.query_row(
        "SELECT max(customer_id) FROM (SELECT customer_id FROM search_pending ORDER BY customer_id LIMIT ?1)",
        [limit],
        |r| r.get(0),
    )?;
    let Some(last) = last else { return Ok(0) };
    let waiting = "AND c.id IN (SELECT customer_id FROM search_pending WHERE customer_id <= ?1)";
    index_profiles(conn, waiting, [last])?;
    Ok(conn.execute("DELETE FROM search_pending WHERE customer_id <= ?1", [last])? as u64)
}

/// Makes the entries of every waiting customer, [`CATCH_UP_STEP`] per transaction of its
/// own (so `conn` must be outside one). Run after a large import commits, and at start in
/// case a run was cut short: a crash midway leaves the rest waiting, nothing half-added.
/// Returns how many customers left the waiting list.
///
/// # Errors
/// Database errors; what was added before stays added.
pub fn catch_up(conn: &Connection) -> Result<u64> {
    let mut added = 0;
    loop {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let step = add_pending(&tx, CATCH_UP_STEP)?;
        tx.commit()?;
        if step == 0 {
            break;
        }
        added += step;
    }
    Ok(added)
}

/// Ids of the live customers a [`match_query`] expression matches, ascending.
pub fn ids_matching_expression(conn: &Connection, expr: &str) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT rowid FROM customer_search WHERE customer_search MATCH ?1 ORDER BY rowid")?;
    let ids = stmt.query_map([expr], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

/// An SQL function, for the duration of one query, telling whether a customer id is among
/// the gathered matches of an expression: `headtail_search_matched(expr, id)`. A walk along a
/// sort order tests each row with it in a binary search, where `IN (SELECT ...)` would first
/// build a temporary index of every match. The expression is passed again so that a query
/// can only test the matches of the search it names. After testing `budget` rows the
/// function fails, ending the query, and [`MatchTest::gave_up`] says so.
pub struct MatchTest<'c> {
    conn: &'c Connection,
    gave_up: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<'c> MatchTest<'c> {
    pub const FUNCTION: &'static str = "headtail_search_matched";

    /// `ids` ascending, as [`ids_matching_expression`] gives them for `expr`.
    pub fn register(conn: &'c Connection, expr: String, ids: Vec<i64>, budget: u64) -> Result<Self> {
        use std::sync::atomic::Ordering;
        let gave_up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = gave_up.clone();
        let tested = std::sync::atomic::AtomicU64::new(0);
        conn.create_scalar_function(
            Self::FUNCTION,
            2,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            move |ctx| {
                if ctx.get_raw(0).as_str().ok() != Some(expr.as_str()) {
                    return Err(rusqlite::Error::UserFunctionError("matches gathered for another search".into()));
                }
                if tested.fetch_add(1, Ordering::Relaxed) >= budget {
                    flag.store(true, Ordering::Relaxed);
                    return Err(rusqlite::Error::UserFunctionError("search walk over its budget".into()));
                }
                Ok(ids.binary_search(&ctx.get::<i64>(1)?).is_ok())
            },
        )?;
        Ok(Self { conn, gave_up })
    }

    /// Whether the query ran out of its budget of tested rows.
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The function goes with the query it served. Should SQLite refuse, it only keeps the ids'
/// memory until the next registration replaces it.
impl Drop for MatchTest<'_> {
    fn drop(&mut self) {
        let _ = self.conn.remove_function(Self::FUNCTION, 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_become_bigrams_and_a_final_character() {
        assert_eq!(index_tokens("张伟"), "张伟 伟");
        assert_eq!(index_tokens("华强电子"), "华强 强电 电子 子");
        assert_eq!(index_tokens("王"), "王");
    }

    #[test]
    fn words_are_lower_cased_and_split_at_punctuation_and_script_changes() {
        assert_eq!(index_tokens("Zhang.Wei@HuaQiang.cn"), "zhang wei huaqiang cn");
        assert_eq!(index_tokens("ACME深圳 Ltd"), "acme 深圳 圳 ltd");
        assert_eq!(index_tokens("Größe"), "größe");
    }

    #[test]
    fn phone_numbers_give_suffixes_short_numbers_stay_whole() {
        assert_eq!(index_tokens("138-0013"), "138 0013");
        assert_eq!(
            index_tokens("13800138000"),
            "13800138000 3800138000 800138000 00138000 0138000 138000 38000 8000 000"
        );
    }

    #[test]
    fn a_part_repeated_adds_no_tokens() {
        let phone = "13800138000";
        let text = CustomerText {
            name: phone,
            phone: Some(phone),
            phone_key: Some(phone),
            region: Some("上海"),
            tags: &["上海", "VIP"],
            ..CustomerText::default()
        };
        assert_eq!(text.tokens(), format!("{} 上海 海 vip", index_tokens(phone)));
    }

    #[test]
    fn queries_match_parts_of_names_words_and_numbers() {
        assert_eq!(match_query("华强").as_deref(), Some("\"华强\""));
        assert_eq!(match_query("深圳华强").as_deref(), Some("\"深圳 圳华 华强\""));
        assert_eq!(match_query("伟").as_deref(), Some("\"伟\"*"));
        assert_eq!(match_query("Zhang 0013").as_deref(), Some("\"zhang\"* AND \"0013\"*"));
        assert_eq!(match_query("C0012345").as_deref(), Some("\"c0012345\"*"), "a customer number is one term");
        assert_eq!(match_query("c4242@qq").as_deref(), Some("\"c4242\"* AND \"qq\""));
        assert_eq!(match_query("z 12").as_deref(), Some("\"z\" AND \"12\""), "short parts match whole tokens");
    }

    #[test]
    fn a_match_test_answers_for_its_own_search_within_its_budget() {
        let conn = Connection::open_in_memory().expect("connection");
        let test = MatchTest::register(&conn, "\"华强\"".into(), vec![2, 5, 9], 3).expect("register");
        let ask = |expr: &str, id: i64| {
            conn.query_row("SELECT headtail_search_matched(?1, ?2)", params![expr, id], |r| r.get::<_, bool>(0))
        };
        assert_eq!(ask("\"华强\"", 5).ok(), Some(true));
        assert_eq!(ask("\"华强\"", 6).ok(), Some(false));
        assert!(ask("\"张伟\"", 5).is_err(), "another search's matches are not these");
        assert!(!test.gave_up());
        assert_eq!(ask("\"华强\"", 9).ok(), Some(true), "the third row tested");
        assert!(ask("\"华强\"", 9).is_err(), "the fourth is over the budget");
        assert!(test.gave_up());
        drop(test);
        assert!(ask("\"华强\"", 5).is_err(), "gone after the query");
    }

    #[test]
    fn long_digit_runs_are_kept_whole() {
        let account = "1".repeat(MAX_DIGIT_SUFFIXED + 1);
        assert_eq!(index_tokens(&format!("acct {account}")), format!("acct {account}"));
        let longest_phone = "2".repeat(MAX_DIGIT_SUFFIXED);
        assert_eq!(index_tokens(&longest_phone).split(' ').count(), MAX_DIGIT_SUFFIXED - MIN_DIGIT_SUFFIX + 1);
    }

    #[test]
    fn a_query_reads_only_the_start_of_a_long_text() {
        let pasted = "ab ".repeat(100_000);
        let expr = match_query(&pasted).expect("a query");
        assert_eq!(expr.matches("AND").count(), QUERY_CHARS_MAX.div_ceil(3) - 1);
        assert_eq!(match_query(&"张".repeat(QUERY_CHARS_MAX + 5)), match_query(&"张".repeat(QUERY_CHARS_MAX)));
    }

    #[test]
    fn text_without_letters_or_digits_is_no_query() {
        assert_eq!(match_query(" \"*( "), None, "syntax characters never reach FTS5");
    }
}
