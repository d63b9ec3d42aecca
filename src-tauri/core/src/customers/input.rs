//! What a form or an import supplies for a customer, its validation, and the duplicate keys.

use super::sort_key::{name_sort_key, text_sort_key};
use super::{Customer, CustomerKind, PipelineStage, SalesChannel, SizeClass};
use crate::error::{Error, FieldError, Result, Rule};
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
    pub external_id: Option<String>,
    pub size_class: Option<SizeClass>,
    pub industry: Option<String>,
    #[serde(default)]
    pub channels: Vec<SalesChannel>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub source: Option<String>,
    /// An opinion leader whose word brings other customers.
    #[serde(default)]
    pub is_kol: bool,
    pub referred_by: Option<i64>,
    /// What the customer says they need.
    pub needs: Option<String>,
    /// What their behaviour shows they prefer.
    pub preferences: Option<String>,
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

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn check_len(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
    errors.extend(value.and_then(|v| crate::text_limits::check(field, v, max)));
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
    if name.is_ascii() {
        // ASCII is its own NFKC form.
        return name.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect();
    }
    name.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect()
}

impl CustomerInput {
    /// Trims every field, drops empty optional ones, de-duplicates tags and channels, and
    /// checks the rules: the only way to a [`ValidCustomer`]. Every failing field is
    /// reported, not just the first.
    pub fn validate(self) -> Result<ValidCustomer> {
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
        errors.extend(input.tags.iter().find_map(|t| crate::text_limits::check("tags", t, TAG_MAX)));
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
            let keys = DuplicateKeys {
                phone: input.phone.as_deref().map(phone_key),
                email: input.email.as_deref().map(email_key),
                name: Some(name_key(&input.name)),
            };
            Ok(ValidCustomer { sort: SortKeys::of(&input), profile: input, keys })
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// A customer's duplicate keys, stored beside the profile for the look-ups of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuplicateKeys {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// A profile that passed [`CustomerInput::validate`]: trimmed, its tags and channels
/// de-duplicated, every rule met, its duplicate keys made. The writer takes nothing else,
/// and its fields are private to this module's parent, so nothing unchecked becomes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCustomer {
    pub(super) profile: CustomerInput,
    pub(super) keys: DuplicateKeys,
    pub(super) sort: SortKeys,
}

/// The list's sort keys of a profile ([`super::sort_key`]), stored beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SortKeys {
    pub name: String,
    pub company: Option<String>,
    pub owner: Option<String>,
}

impl SortKeys {
    pub(super) fn of(c: &CustomerInput) -> Self {
        SortKeys {
            name: name_sort_key(&c.name),
            company: c.company.as_deref().map(text_sort_key),
            owner: c.owner.as_deref().map(name_sort_key),
        }
    }
}

impl ValidCustomer {
    /// The checked profile.
    pub fn profile(&self) -> &CustomerInput {
        &self.profile
    }

    /// A profile as it was stored, with the keys stored beside it: checked when it was
    /// written, and put back as it was by a revert, not checked again by today's rules.
    pub(super) fn as_stored(customer: &Customer, keys: DuplicateKeys) -> Self {
        let profile = customer.to_input();
        Self { sort: SortKeys::of(&profile), profile, keys }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ascii_name_key_is_its_nfkc_key() {
        for name in ["13800138000", " Acme  Ltd ", "a\tb\u{b}c\u{c}d\re\nf", "O'Brien & Co.", "", "~!@#"] {
            let general: String = name.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect();
            assert_eq!(name_key(name), general, "{name:?}");
        }
    }

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
        assert_eq!(clean.profile().tags, vec!["VIP", "华南"]);
        assert_eq!(clean.profile().channels, vec![SalesChannel::OnlineShop, SalesChannel::Store]);
        let too_many =
            CustomerInput { tags: (0..=TAGS_MAX).map(|i| format!("t{i}")).collect(), ..CustomerInput::named("x") };
        assert!(matches!(too_many.validate(), Err(Error::Validation(f)) if f[0].rule == Rule::TooMany));
    }

    #[test]
    fn a_form_may_leave_out_every_field_but_the_name_and_kind() {
        let sent: CustomerInput =
            serde_json::from_str(r#"{"name": "张伟", "kind": "person"}"#).expect("optional fields may be left out");
        assert_eq!(sent, CustomerInput::named("张伟"));
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
