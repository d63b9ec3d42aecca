//! What every stored text may hold: its length in characters (not bytes, so 200 Chinese
//! characters fit a 200 name) and no control characters other than tab, line feed and
//! carriage return.
//!
//! The limits, in one table (each module owns its constant; [`TEXT_LIMITS`] lists them all):
//!
//! | record        | field                                               | characters |
//! |---------------|-----------------------------------------------------|-----------:|
//! | customer      | name, company                                       |        200 |
//! | customer      | region, owner, industry, source                     |        100 |
//! | customer      | external id                                         |         64 |
//! | customer      | email / phone                                       |   254 / 32 |
//! | customer      | needs, preferences                                  |      2,000 |
//! | customer      | notes                                               |      5,000 |
//! | customer      | a tag (at most 30 tags)                             |         50 |
//! | contact       | name 200, title 100, wechat 64, notes               |      2,000 |
//! | interaction   | outcome 200, owner 100, notes                       |      5,000 |
//! | follow-up     | owner 100, reason                                   |        500 |
//! | order         | product 200, category 100, external id              |         64 |
//! | complaint     | category 100, description, resolution               |      5,000 |
//! | survey        | name 100, question 500, an answer's comment         |      2,000 |
//! | loyalty entry | notes                                               |        500 |
//! | service cost  | notes                                               |      2,000 |
//! | pipeline      | lost reason                                         |        500 |
//! | saved view    | name                                                |        100 |
//! | list query    | search 200, owner filter 100, tag filter            |         50 |
//!
//! A longer text is refused with a `too_long` field error carrying the limit, never cut: a
//! form shows it beside the field, an import lists it with its row and column and writes
//! nothing, and a 10 MB string sent to a command is refused the same way.
//!
//! Control characters (U+0000 to U+001F, U+007F) are refused with a `control_character`
//! field error rather than stripped, so what is stored is always what was typed: they come
//! from damaged files or pasted binary, print as nothing or as boxes, and some (NUL, ESC)
//! upset terminals and other programs the data is exported to. Tab, line feed and carriage
//! return are ordinary whitespace in notes and in a spreadsheet cell, and are kept.
//! Format characters (zero-width joiners, right-to-left marks) are kept too: names in Arabic
//! or Hebrew and emoji need them; the UI isolates every text's direction instead.

use crate::error::{FieldError, Rule};
use crate::{complaints, contacts, customers, follow_ups, interactions, loyalty, orders, pipeline};
use crate::{saved_views, service_costs, surveys};

/// The longest search a customer list query takes.
pub const SEARCH_MAX: usize = 200;

/// Every text field's limit: record, field, characters.
pub const TEXT_LIMITS: &[(&str, &str, usize)] = &[
    ("customer", "name", customers::NAME_MAX),
    ("customer", "company", customers::COMPANY_MAX),
    ("customer", "region", customers::SHORT_TEXT_MAX),
    ("customer", "owner", customers::SHORT_TEXT_MAX),
    ("customer", "industry", customers::SHORT_TEXT_MAX),
    ("customer", "source", customers::SHORT_TEXT_MAX),
    ("customer", "external_id", customers::EXTERNAL_ID_MAX),
    ("customer", "email", customers::EMAIL_MAX),
    ("customer", "phone", customers::PHONE_MAX),
    ("customer", "needs", customers::LONG_TEXT_MAX),
    ("customer", "preferences", customers::LONG_TEXT_MAX),
    ("customer", "notes", customers::NOTES_MAX),
    ("customer", "tags", customers::TAG_MAX),
    ("contact", "name", customers::NAME_MAX),
    ("contact", "title", contacts::TITLE_MAX),
    ("contact", "wechat", contacts::WECHAT_MAX),
    ("contact", "notes", customers::LONG_TEXT_MAX),
    ("interaction", "outcome", interactions::OUTCOME_MAX),
    ("interaction", "owner", interactions::OWNER_MAX),
    ("interaction", "notes", interactions::NOTES_MAX),
    ("follow_up", "owner", follow_ups::OWNER_MAX),
    ("follow_up", "reason", follow_ups::REASON_MAX),
    ("order", "product", orders::PRODUCT_MAX),
    ("order", "category", orders::CATEGORY_MAX),
    ("order", "external_id", orders::EXTERNAL_ID_MAX),
    ("complaint", "category", complaints::CATEGORY_MAX),
    ("complaint", "description", complaints::DESCRIPTION_MAX),
    ("complaint", "resolution", complaints::RESOLUTION_MAX),
    ("survey", "name", surveys::catalog::NAME_MAX),
    ("survey", "question", surveys::catalog::QUESTION_MAX),
    ("survey_response", "comment", surveys::COMMENT_MAX),
    ("loyalty", "notes", loyalty::NOTES_MAX),
    ("service_cost", "notes", service_costs::NOTES_MAX),
    ("pipeline", "lost_reason", pipeline::LOST_REASON_MAX),
    ("saved_view", "name", saved_views::NAME_MAX),
    ("customer_query", "search", SEARCH_MAX),
    ("customer_query", "owner", customers::SHORT_TEXT_MAX),
    ("customer_query", "tag", customers::TAG_MAX),
];

/// A control character no stored text holds: C0 other than tab, line feed and carriage
/// return, and DEL.
pub fn is_refused_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// The failure of a text against its field's rules: longer than `max` characters, else
/// holding a refused control character.
///
/// ```
/// use headtail_core::error::Rule;
/// use headtail_core::text_limits::check;
/// assert_eq!(check("name", "张伟", 2), None);
/// assert_eq!(check("name", "张伟伟", 2).map(|f| (f.rule, f.limit)), Some((Rule::TooLong, Some(2))));
/// assert_eq!(check("notes", "a\u{0}b", 10).map(|f| f.rule), Some(Rule::ControlCharacter));
/// assert_eq!(check("notes", "line\r\n\tnext", 20), None);
/// ```
pub fn check(field: &str, value: &str, max: usize) -> Option<FieldError> {
    // Counting stops past the limit: a 10 MB string costs no more than a long name.
    if value.chars().nth(max).is_some() {
        Some(FieldError::too_long(field, max))
    } else if value.chars().any(is_refused_control) {
        Some(FieldError::new(field, Rule::ControlCharacter))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_c0_control_but_tab_and_line_breaks_is_refused_and_nothing_else() {
        let refused: Vec<u32> =
            (0..=0x10FFFF_u32).filter_map(char::from_u32).filter(|&c| is_refused_control(c)).map(u32::from).collect();
        let expected: Vec<u32> = (0..0x20).filter(|c| ![0x09, 0x0A, 0x0D].contains(c)).chain([0x7F]).collect();
        assert_eq!(refused, expected);
    }

    #[test]
    fn the_table_names_each_field_once_with_a_limit() {
        let mut seen = std::collections::HashSet::new();
        for (record, field, max) in TEXT_LIMITS {
            assert!(*max > 0, "{record}.{field}");
            assert!(seen.insert((record, field)), "{record}.{field} twice");
        }
        assert!(TEXT_LIMITS.len() >= 38);
    }
}
