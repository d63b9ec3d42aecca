//! The list's sort keys for names, companies and owners: text whose byte order (SQLite's
//! BINARY) is the order Chinese users expect, so that a sorted page is an index walk.
//!
//! A key has three levels, compared one after the other as a collation does:
//! 1. the letters: each Han character as its toneless pinyin syllable (ü as v), syllables
//!    apart by a space, Latin letters folded to lower case and without accents, digits as
//!    they are, any other symbol as `!`. So 张伟 is "zhang wei", between "Zeng" and "Zhou",
//!    and names starting with a symbol or digit come first;
//! 2. the tones of the Han characters (1-4, 5 for the neutral tone): 汤 tang1 before 唐 tang2;
//! 3. the name's duplicate key ([`name_key`]) itself, so that different characters read alike
//!    (张 and 章) stay apart and in a fixed order.
//!
//! Levels are apart by U+0001, below every letter. A key is made from the duplicate key alone,
//! so equal duplicate keys have equal sort keys: the live-name index on the key also answers
//! the look-up of a name ([`name_sort_key`] of a duplicate key finds it).
//!
//! A surname is read as a surname: at the start of a person's name, 曾 is zeng (not ceng),
//! 单 shan, 解 xie, 区 ou, 仇 qiu, 朴 piao, 查 zha; the pinyin data gives a character's most
//! common reading only.

use super::input::name_key;
use crate::error::Result;
use pinyin::ToPinyin;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension};
use unicode_normalization::UnicodeNormalization;

/// Surnames whose reading differs from the character's most common one (or that a compound
/// surname changes), as syllable and tone. Compound surnames come first, so they win.
pub const SURNAMES: &[(&str, &[(&str, char)])] = &[
    ("万俟", &[("mo", '4'), ("qi", '2')]),
    ("尉迟", &[("yu", '4'), ("chi", '2')]),
    ("单于", &[("chan", '2'), ("yu", '2')]),
    ("澹台", &[("tan", '2'), ("tai", '2')]),
    ("长孙", &[("zhang", '3'), ("sun", '1')]),
    ("曾", &[("zeng", '1')]),
    ("单", &[("shan", '4')]),
    ("解", &[("xie", '4')]),
    ("区", &[("ou", '1')]),
    ("仇", &[("qiu", '2')]),
    ("朴", &[("piao", '2')]),
    ("查", &[("zha", '1')]),
    ("翟", &[("zhai", '2')]),
    ("缪", &[("miao", '4')]),
    ("盖", &[("ge", '3')]),
    ("乐", &[("yue", '4')]),
    ("秘", &[("bi", '4')]),
    ("重", &[("chong", '2')]),
    ("种", &[("chong", '2')]),
    ("覃", &[("qin", '2')]),
    ("召", &[("shao", '4')]),
    ("句", &[("gou", '1')]),
    ("过", &[("guo", '1')]),
    ("黑", &[("he", '4')]),
    ("员", &[("yun", '4')]),
    ("繁", &[("po", '2')]),
    ("那", &[("na", '1')]),
    ("隗", &[("wei", '3')]),
    ("訾", &[("zi", '1')]),
    ("宿", &[("su", '4')]),
    ("能", &[("nai", '4')]),
];

/// The key of a person's name, or an owner's: a surname at its start is read as a surname.
/// It is made from the name's duplicate key, so that a look-up by that key (an import row
/// naming its customer, the form's duplicate warning) finds the name through the same index.
pub fn name_sort_key(name: &str) -> String {
    sort_key(&super::name_key(name), true)
}

/// The key of other text, a company's name: every character in its most common reading.
pub fn text_sort_key(text: &str) -> String {
    sort_key(text, false)
}

/// A Han character's syllable (ü as v) and tone digit, as the keys read it outside a surname.
pub fn reading(c: char) -> Option<(String, char)> {
    let p = c.to_pinyin()?;
    let syllable = p.plain().chars().map(fold_pinyin_letter).collect();
    let tone = p.with_tone_num_end().chars().last().filter(|t| matches!(t, '1'..='4')).unwrap_or('5');
    Some((syllable, tone))
}

/// ü sorts after u as v does, and ê (欸) with e: both in the a-z range.
fn fold_pinyin_letter(c: char) -> char {
    match c {
        'ü' => 'v',
        'ê' => 'e',
        c => c,
    }
}

/// A character other than a Han one on the first level: letters and digits as they are
/// (accents dropped), any other symbol as `!`, which sorts before digits and letters.
fn letter(c: char) -> char {
    if c.is_ascii_alphanumeric() {
        return c;
    }
    if !c.is_alphanumeric() {
        return '!';
    }
    let mut parts = std::iter::once(c).nfd();
    match parts.next() {
        Some(base) if base.is_ascii_alphabetic() && parts.all(unicode_normalization::char::is_combining_mark) => base,
        _ => c,
    }
}

fn sort_key(text: &str, surname: bool) -> String {
    let key = name_key(text);
    if key.is_ascii() {
        // No Han character, so no syllables or tones: the letters are the key's own
        // characters, a symbol as `!` (the common case of a customer named by a number).
        let letters: String = key.chars().map(letter).collect();
        return format!("{letters}\u{1}\u{1}{key}");
    }
    sort_key_of_key(key, surname)
}

/// [`sort_key`] of a name key with characters beyond ASCII.
fn sort_key_of_key(key: String, surname: bool) -> String {
    let mut readings: Vec<(char, Option<(String, char)>)> = key.chars().map(|c| (c, reading(c))).collect();
    if surname {
        if let Some((_, syllables)) = SURNAMES.iter().find(|(s, _)| key.starts_with(s)) {
            for (slot, (syllable, tone)) in readings.iter_mut().zip(syllables.iter()) {
                slot.1 = Some(((*syllable).to_owned(), *tone));
            }
        }
    }
    let mut letters = String::with_capacity(key.len() * 2);
    let mut tones = String::new();
    let mut after_syllable = false;
    for (c, read) in readings {
        match read {
            Some((syllable, tone)) => {
                if !letters.is_empty() {
                    letters.push(' ');
                }
                letters.push_str(&syllable);
                tones.push(tone);
                after_syllable = true;
            }
            None => {
                if after_syllable {
                    letters.push(' ');
                    after_syllable = false;
                }
                letters.push(letter(c));
            }
        }
    }
    format!("{letters}\u{1}{tones}\u{1}{key}")
}

/// The list's indexes on the sort keys, set aside while [`fill_all`] writes the keys.
const KEY_INDEXES: [&str; 3] = ["customers_live_by_name", "customers_live_by_company", "customers_live_by_owner"];

/// Customers given their keys per statement: the work of a statement stays bounded (and its
/// journal pages few) however many customers there are.
const FILL_BATCH: i64 = 50_000;

/// Writes the sort keys of every customer but the erased ones (who keep none), with the
/// list's indexes on them built once afterwards rather than updated row by row; returns how
/// many customers got keys. For a database from before the keys.
pub fn fill_all(conn: &Connection) -> Result<u64> {
    let mut definitions = Vec::new();
    for index in KEY_INDEXES {
        let sql: Option<String> = conn
            .query_row("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", [index], |r| r.get(0))
            .optional()?;
        if let Some(sql) = sql {
            conn.execute_batch(&format!("DROP INDEX {index}"))?;
            definitions.push(sql);
        }
    }
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let text = |ctx: &rusqlite::functions::Context<'_>| -> rusqlite::Result<Option<String>> {
        Ok(ctx
            .get_raw(0)
            .as_str_or_null()
            .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?
            .map(str::to_owned))
    };
    conn.create_scalar_function("headtail_name_sort", 1, flags, move |ctx| Ok(text(ctx)?.map(|t| name_sort_key(&t))))?;
    conn.create_scalar_function("headtail_text_sort", 1, flags, move |ctx| Ok(text(ctx)?.map(|t| text_sort_key(&t))))?;
    let filled = fill_batches(conn);
    let _ = conn.remove_function("headtail_name_sort", 1);
    let _ = conn.remove_function("headtail_text_sort", 1);
    let filled = filled?;
    crate::db::rebuild_indexes(conn, &definitions)?;
    Ok(filled)
}

fn fill_batches(conn: &Connection) -> Result<u64> {
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| r.get(0))?;
    let mut update = conn.prepare(
        "UPDATE customers SET name_sort = headtail_name_sort(name), company_sort = headtail_text_sort(company),
                              owner_sort = headtail_name_sort(owner)
         WHERE id > ?1 AND id <= ?2 AND erased_at IS NULL",
    )?;
    let mut filled = 0;
    let mut from = 0;
    while from < last {
        filled += update.execute([from, from + FILL_BATCH])? as u64;
        from += FILL_BATCH;
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<&str> = names.to_vec();
        v.sort_by_key(|n| name_sort_key(n));
        v.into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn a_chinese_name_reads_as_its_pinyin() {
        assert_eq!(name_sort_key("张伟"), "zhang wei\u{1}13\u{1}张伟");
        assert!(name_sort_key("吕 布").starts_with("lv bu\u{1}"), "{:?}", name_sort_key("吕布"));
        assert_eq!(name_sort_key("张 伟"), name_sort_key("张伟"));
        assert_eq!(name_sort_key("ＡＣＭＥ Ltd"), name_sort_key("acme ltd"));
    }

    #[test]
    fn surnames_in_pinyin_order() {
        assert_eq!(sorted(&["刘", "张", "李", "王", "陈"]), ["陈", "李", "刘", "王", "张"]);
    }

    #[test]
    fn latin_digits_and_symbols_fall_in_with_pinyin() {
        assert_eq!(
            sorted(&["张伟", "Zoe", "#1 客户", "Émile", "王芳", "3M", "alice", "Bob", "曾国藩"]),
            ["#1 客户", "3M", "alice", "Bob", "Émile", "王芳", "曾国藩", "张伟", "Zoe"]
        );
    }

    #[test]
    fn a_surname_is_read_as_a_surname_only_at_the_start() {
        assert!(name_sort_key("曾国藩").starts_with("zeng guo fan\u{1}"));
        assert!(text_sort_key("曾经的店").starts_with("ceng "));
        assert!(name_sort_key("单田芳").starts_with("shan tian fang\u{1}"));
        assert!(name_sort_key("尉迟恭").starts_with("yu chi gong\u{1}"));
        assert!(name_sort_key("王单").starts_with("wang dan\u{1}"));
    }

    #[test]
    fn plain_ascii_keys_are_made_as_any_other() {
        for text in ["13800138000", "Acme Ltd", "#1 shop", "a\u{b}b", "O'Brien & Co.", "3M", "x_y-z", ""] {
            for surname in [true, false] {
                assert_eq!(sort_key(text, surname), sort_key_of_key(name_key(text), surname), "{text:?}");
            }
        }
    }

    #[test]
    fn tones_and_characters_order_names_read_alike() {
        assert_eq!(sorted(&["唐明", "汤明"]), ["汤明", "唐明"]);
        let (a, b) = (name_sort_key("张三"), name_sort_key("章三"));
        assert_ne!(a, b);
        assert_eq!(a.split('\u{1}').next(), b.split('\u{1}').next());
    }
}
