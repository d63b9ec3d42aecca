//! Reading the values people put in spreadsheets: dates in many spellings, money with
//! symbols and separators, counts, and the words for channels and kinds.
//!
//! Everything here is pure: text (or a spreadsheet cell) in, a typed value or the [`Rule`]
//! it breaks out.

use crate::complaints::{ComplaintSeverity, ComplaintStatus};
use crate::customers::{CustomerKind, SalesChannel, SizeClass};
use crate::error::Rule;
use crate::interactions::InteractionKind;
use crate::surveys::SurveyKind;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Full-width digits, letters and punctuation (１２３，￥) become their ASCII forms; ASCII
/// text is returned as it is without copying.
pub fn fold_width(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

// ---------------------------------------------------------------------------------------
// Dates

/// Years outside this range are taken as typing mistakes.
const YEAR_MIN: i32 = 1900;
const YEAR_MAX: i32 = 2100;
/// Excel serial numbers of 1954-10-03 and 2119-01-08: a bare number in this range in a date
/// column is a serial date; outside it, it is more likely a mistake.
const SERIAL_MIN: f64 = 20_000.0;
const SERIAL_MAX: f64 = 80_000.0;

/// A date as written, before the day/month order of `05/01/2024` is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateText {
    /// The spelling says which part is which (ISO, 年月日, 8 digits, serial numbers).
    Known(NaiveDateTime),
    /// Two leading numbers and a trailing year: `a/b/year`.
    DayMonth { a: u32, b: u32, year: i32, time: NaiveTime },
}

/// What a `DayMonth` value says about the order of day and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvidence {
    /// Both orders read it the same way (05/05/2024) or it has no order question at all.
    None,
    /// Both parts are 12 or less and differ: it could be either.
    Ambiguous,
    /// Only one order gives a real month: `true` for day first.
    Proves(bool),
}

impl DateText {
    pub fn evidence(self) -> OrderEvidence {
        match self {
            DateText::Known(_) => OrderEvidence::None,
            DateText::DayMonth { a, b, .. } => match (a > 12, b > 12) {
                (true, false) => OrderEvidence::Proves(true),
                (false, true) => OrderEvidence::Proves(false),
                (true, true) => OrderEvidence::None,
                (false, false) if a == b => OrderEvidence::None,
                (false, false) => OrderEvidence::Ambiguous,
            },
        }
    }

    /// The date under the given order (`day_first`); `Unparseable` when it is no real date.
    pub fn resolve(self, day_first: bool) -> Result<NaiveDateTime, Rule> {
        match self {
            DateText::Known(at) => Ok(at),
            DateText::DayMonth { a, b, year, time } => {
                let (day, month) = if day_first { (a, b) } else { (b, a) };
                ymd(year, month, day).map(|d| d.and_time(time))
            }
        }
    }
}

fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, Rule> {
    if !(YEAR_MIN..=YEAR_MAX).contains(&year) {
        return Err(Rule::OutOfRange);
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(Rule::Unparseable)
}

/// The date of an Excel serial number (days since 1899-12-30, the fraction is the time of
/// day). Excel's phantom 1900-02-29 lies before every serial this accepts.
pub fn excel_serial(serial: f64) -> Result<NaiveDateTime, Rule> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return Err(Rule::OutOfRange);
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or(Rule::Unparseable)?.and_time(NaiveTime::MIN);
    // Whole milliseconds: the serial's float noise is below a millisecond.
    let millis = (serial * 86_400_000.0).round() as i64;
    let at = base + Duration::milliseconds(millis);
    if !(YEAR_MIN..=YEAR_MAX).contains(&chrono::Datelike::year(&at.date())) {
        return Err(Rule::OutOfRange);
    }
    Ok(at)
}

/// Splits leading ASCII digits off `s`.
fn digits(s: &str) -> (&str, &str) {
    let end = s.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

fn number(s: &str) -> Result<u32, Rule> {
    if s.is_empty() || s.len() > 4 {
        return Err(Rule::Unparseable);
    }
    s.parse().map_err(|_| Rule::Unparseable)
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` after a date; nothing means midnight.
fn time_of_day(rest: &str) -> Result<NaiveTime, Rule> {
    let rest = rest.trim_start_matches(['T', ' ']).trim();
    if rest.is_empty() {
        return Ok(NaiveTime::MIN);
    }
    // A trailing zone (Z, +08:00) is dropped: times are local wall-clock times.
    let rest = rest.trim_end_matches('Z');
    let rest = match rest.rfind(['+']) {
        Some(i) if i >= 5 => &rest[..i],
        _ => rest,
    };
    for format in ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"] {
        if let Ok(t) = NaiveTime::parse_from_str(rest, format) {
            return Ok(t);
        }
    }
    Err(Rule::Unparseable)
}

/// Reads the spellings of a date that people and tills write:
/// `2024-01-05`, `2024/1/5`, `2024.1.5`, `20240105`, `2024年1月5日`, `05/01/2024`,
/// `5-1-24`, each optionally followed by a time, and Excel serial numbers (`45296`).
pub fn parse_date(text: &str) -> Result<DateText, Rule> {
    let folded = fold_width(text.trim());
    let s = folded.as_ref();
    if s.is_empty() {
        return Err(Rule::Required);
    }
    let (first, rest) = digits(s);
    if first.is_empty() {
        return Err(Rule::Unparseable);
    }
    // 20240105, or 20240105 12:00
    if first.len() == 8 && (rest.is_empty() || rest.starts_with([' ', 'T'])) {
        let year = number(&first[..4])? as i32;
        let date = ymd(year, number(&first[4..6])?, number(&first[6..8])?)?;
        return Ok(DateText::Known(date.and_time(time_of_day(rest)?)));
    }
    // A serial number: 45296 or 45296.5
    if first.len() == 5 && (rest.is_empty() || rest.starts_with('.')) {
        let serial: f64 = s.parse().map_err(|_| Rule::Unparseable)?;
        if (SERIAL_MIN..=SERIAL_MAX).contains(&serial) {
            return excel_serial(serial).map(DateText::Known);
        }
        return Err(Rule::OutOfRange);
    }
    // 2024年1月5日
    if let Some(after_year) = rest.strip_prefix('年') {
        let (m, after_m) = digits(after_year);
        let after_m = after_m.strip_prefix('月').ok_or(Rule::Unparseable)?;
        let (d, after_d) = digits(after_m);
        let after_d = after_d.strip_prefix(['日', '号']).unwrap_or(after_d);
        let date = ymd(number(first)? as i32, number(m)?, number(d)?)?;
        return Ok(DateText::Known(date.and_time(time_of_day(after_d)?)));
    }
    let sep = rest.chars().next().filter(|c| matches!(c, '-' | '/' | '.')).ok_or(Rule::Unparseable)?;
    let (second, rest) = digits(&rest[1..]);
    let rest = rest.strip_prefix(sep).ok_or(Rule::Unparseable)?;
    let (third, rest) = digits(rest);
    if second.is_empty() || third.is_empty() || second.len() > 2 {
        return Err(Rule::Unparseable);
    }
    let time = time_of_day(rest)?;
    if first.len() == 4 {
        let date = ymd(number(first)? as i32, number(second)?, number(third)?)?;
        return Ok(DateText::Known(date.and_time(time)));
    }
    if first.len() > 2 {
        return Err(Rule::Unparseable);
    }
    let year = match third.len() {
        4 => number(third)? as i32,
        // Two-digit years: 00-69 are 2000-2069, 70-99 are 1970-1999 (as spreadsheets do).
        2 => match number(third)? as i32 {
            y @ 0..=69 => 2000 + y,
            y => 1900 + y,
        },
        _ => return Err(Rule::Unparseable),
    };
    let (a, b) = (number(first)?, number(second)?);
    if a == 0 || b == 0 || a > 31 || b > 31 || (a > 12 && b > 12) {
        return Err(Rule::Unparseable);
    }
    Ok(DateText::DayMonth { a, b, year, time })
}

// ---------------------------------------------------------------------------------------
// Money and counts

pub use crate::money::minor_digits;

/// Currency words and symbols an amount may carry, longest first, with their ISO code.
const CURRENCY_MARKS: &[(&str, &str)] = &[
    ("人民币", "CNY"),
    ("CNY", "CNY"),
    ("RMB", "CNY"),
    ("USD", "USD"),
    ("US$", "USD"),
    ("EUR", "EUR"),
    ("HKD", "HKD"),
    ("HK$", "HKD"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("元", "CNY"),
    ("¥", "CNY"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
];

/// An amount read from a cell: minor units and the currency its symbol named, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub minor: i64,
    pub currency: Option<&'static str>,
}

fn strip_currency(s: &str) -> (&str, Option<&'static str>) {
    let mut s = s.trim();
    let mut found = None;
    loop {
        let before = s;
        for (mark, code) in CURRENCY_MARKS {
            if let Some(rest) = s.strip_prefix(mark) {
                s = rest.trim_start();
                found = found.or(Some(*code));
            }
            if let Some(rest) = s.strip_suffix(mark) {
                s = rest.trim_end();
                found = found.or(Some(*code));
            }
        }
        if s == before {
            return (s, found);
        }
    }
}

/// Reads money written by people and tills — `￥1,234.50`, `¥99`, `$5`, `1234.5元`,
/// `RMB 12`, `１２３.４５`, `(300.00)` for a negative — into exact minor units, given the
/// number of minor digits the currency has (see [`minor_digits`]). No floating point is
/// involved: the decimal text is read digit by digit. Thousands separators must group by
/// three; more fraction digits than the currency has are refused unless they are zeros.
pub fn parse_amount(text: &str, digits_of: impl Fn(Option<&str>) -> u32) -> Result<Amount, Rule> {
    let folded = fold_width(text.trim());
    let mut s = folded.as_ref().trim();
    if s.is_empty() {
        return Err(Rule::Required);
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let (body, currency) = strip_currency(s);
    let mut body = body;
    for sign in ['-', '−'] {
        if let Some(rest) = body.strip_prefix(sign) {
            negative = !negative;
            body = rest.trim_start();
        }
    }
    // A sign may also come before the symbol: -¥12
    let (body, currency2) = strip_currency(body.strip_prefix('+').unwrap_or(body));
    let currency = currency.or(currency2);
    let minor_digits = digits_of(currency);
    let minor = decimal_to_minor(body, minor_digits, false)?;
    Ok(Amount { minor: if negative { -minor } else { minor }, currency })
}

/// Exact conversion of unsigned decimal text (`1,234.50`) to minor units. With `round`,
/// extra fraction digits round half away from zero (for numbers that came out of a
/// spreadsheet as binary floats); without it they must be zeros.
pub fn decimal_to_minor(text: &str, minor_digits: u32, round: bool) -> Result<i64, Rule> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rule::Unparseable);
    }
    if whole.is_empty() && fraction.is_empty() {
        return Err(Rule::Unparseable);
    }
    let groups_ok = match whole.split_once(',') {
        None => whole.bytes().all(|b| b.is_ascii_digit()),
        Some((head, _)) => {
            (1..=3).contains(&head.len())
                && whole.split(',').skip(1).all(|g| g.len() == 3)
                && whole.bytes().all(|b| b.is_ascii_digit() || b == b',')
        }
    };
    if !groups_ok {
        return Err(Rule::Unparseable);
    }
    let mut value: i64 = 0;
    for b in whole.bytes().filter(u8::is_ascii_digit) {
        value = value.checked_mul(10).and_then(|v| v.checked_add(i64::from(b - b'0'))).ok_or(Rule::OutOfRange)?;
    }
    let digits = minor_digits as usize;
    let mut frac_value: i64 = 0;
    for i in 0..digits {
        let d = fraction.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
        frac_value = frac_value * 10 + d;
    }
    let extra = fraction.get(digits..).unwrap_or("");
    if !extra.bytes().all(|b| b == b'0') {
        if !round {
            return Err(Rule::Unparseable);
        }
        if extra.as_bytes()[0] >= b'5' {
            frac_value += 1;
        }
    }
    value.checked_mul(10_i64.pow(minor_digits)).and_then(|v| v.checked_add(frac_value)).ok_or(Rule::OutOfRange)
}

/// An amount held by a spreadsheet as a binary float: its shortest decimal form is read
/// exactly, then rounded to the currency's minor digits.
pub fn float_to_minor(value: f64, minor_digits: u32) -> Result<i64, Rule> {
    if !value.is_finite() {
        return Err(Rule::Unparseable);
    }
    let text = format!("{}", value.abs());
    if text.contains('e') {
        return Err(Rule::OutOfRange);
    }
    let minor = decimal_to_minor(&text, minor_digits, true)?;
    Ok(if value < 0.0 { -minor } else { minor })
}

/// A whole number such as a quantity or a score: `3`, `３`, `3.0`, `+3`, `-2`.
pub fn parse_integer(text: &str) -> Result<i64, Rule> {
    let folded = fold_width(text.trim());
    let s = folded.as_ref().trim();
    if s.is_empty() {
        return Err(Rule::Required);
    }
    let s = s.strip_suffix(".0").or_else(|| s.strip_suffix(".00")).unwrap_or(s);
    s.strip_prefix('+').unwrap_or(s).parse::<i64>().map_err(|_| Rule::Unparseable)
}

// ---------------------------------------------------------------------------------------
// Words

/// Lower-cased, width-folded, without spaces: the form words are compared in.
fn word_key(text: &str) -> String {
    fold_width(text.trim())
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .collect()
}

/// The sales channel a word names: 网店/淘宝/天猫/京东/拼多多/门店/电话/微信 and English names.
pub fn parse_channel(text: &str) -> Result<SalesChannel, Rule> {
    let key = word_key(text);
    let channel = match key.as_str() {
        "onlineshop" | "网店" | "网上商城" | "商城" | "官网" | "官方网站" | "线上" | "网站" | "小程序" | "微店"
        | "有赞" | "online" | "webshop" | "website" | "eshop" | "ecommerce" => SalesChannel::OnlineShop,
        "marketplace" | "淘宝" | "天猫" | "京东" | "拼多多" | "抖音" | "抖店" | "快手" | "唯品会" | "苏宁"
        | "亚马逊" | "电商平台" | "平台" | "taobao" | "tmall" | "jd" | "jd.com" | "pinduoduo" | "douyin" | "amazon" => {
            SalesChannel::Marketplace
        }
        "store" | "门店" | "实体店" | "实体门店" | "店铺" | "线下" | "线下门店" | "专卖店" | "柜台" | "shop"
        | "retail" | "offline" | "physicalstore" => SalesChannel::Store,
        "phonewechat" | "电话" | "微信" | "企业微信" | "电话/微信" | "电话微信" | "phone" | "wechat" | "telephone"
        | "phone/wechat" => SalesChannel::PhoneWechat,
        _ => return Err(Rule::InvalidChoice),
    };
    Ok(channel)
}

pub fn parse_customer_kind(text: &str) -> Result<CustomerKind, Rule> {
    match word_key(text).as_str() {
        "company" | "business" | "organization" | "organisation" | "公司" | "企业" | "单位" | "机构" | "企业客户"
        | "b" | "b2b" => Ok(CustomerKind::Company),
        "person" | "individual" | "personal" | "consumer" | "个人" | "个人客户" | "散客" | "c" | "b2c" => {
            Ok(CustomerKind::Person)
        }
        _ => Err(Rule::InvalidChoice),
    }
}

pub fn parse_size_class(text: &str) -> Result<SizeClass, Rule> {
    match word_key(text).as_str() {
        "large" | "largeaccount" | "enterprise" | "ka" | "大客户" | "大型" | "大型企业" | "大企业" => {
            Ok(SizeClass::Large)
        }
        "smb"
        | "smallormediumbusiness"
        | "sme"
        | "small"
        | "medium"
        | "中小"
        | "中小企业"
        | "中型"
        | "小型"
        | "中小客户" => Ok(SizeClass::Smb),
        "individual" | "individualbuyer" | "person" | "个人" | "个人客户" | "个体" | "个体户" => {
            Ok(SizeClass::Individual)
        }
        _ => Err(Rule::InvalidChoice),
    }
}

pub fn parse_interaction_kind(text: &str) -> Result<InteractionKind, Rule> {
    match word_key(text).as_str() {
        "call" | "phone" | "phonecall" | "电话" | "通话" | "电话沟通" | "来电" | "去电" => {
            Ok(InteractionKind::Call)
        }
        "visit" | "拜访" | "上门" | "上门拜访" | "面访" | "走访" | "来访" => Ok(InteractionKind::Visit),
        "email" | "mail" | "邮件" | "电子邮件" => Ok(InteractionKind::Email),
        "message" | "wechat" | "sms" | "chat" | "微信" | "短信" | "消息" | "留言" | "企业微信" | "qq" => {
            Ok(InteractionKind::Message)
        }
        "meeting" | "会议" | "开会" | "会面" | "视频会议" => Ok(InteractionKind::Meeting),
        _ => Err(Rule::InvalidChoice),
    }
}

pub fn parse_survey_kind(text: &str) -> Result<SurveyKind, Rule> {
    match word_key(text).as_str() {
        "nps" | "净推荐值" | "推荐值" | "推荐度" => Ok(SurveyKind::Nps),
        "csat" | "满意度" | "客户满意度" => Ok(SurveyKind::Csat),
        "ces" | "费力度" | "客户费力度" | "省力度" => Ok(SurveyKind::Ces),
        _ => Err(Rule::InvalidChoice),
    }
}

/// A complaint's severity: 轻微/一般/严重/紧急, 低/中/高 … and the English words.
pub fn parse_complaint_severity(text: &str) -> Result<ComplaintSeverity, Rule> {
    match word_key(text).as_str() {
        "low" | "minor" | "低" | "轻微" | "较低" => Ok(ComplaintSeverity::Low),
        "medium" | "normal" | "moderate" | "中" | "中等" | "一般" | "普通" => Ok(ComplaintSeverity::Medium),
        "high" | "major" | "severe" | "高" | "较高" | "重要" | "严重" => Ok(ComplaintSeverity::High),
        "critical" | "urgent" | "紧急" | "非常严重" | "特急" | "致命" | "危急" => {
            Ok(ComplaintSeverity::Critical)
        }
        _ => Err(Rule::InvalidChoice),
    }
}

/// A complaint's status: 待处理/处理中/已解决/已关闭 … and the English words.
pub fn parse_complaint_status(text: &str) -> Result<ComplaintStatus, Rule> {
    match word_key(text).as_str() {
        "open" | "new" | "pending" | "待处理" | "未处理" | "新建" | "待受理" | "未解决" => {
            Ok(ComplaintStatus::Open)
        }
        "inprogress" | "processing" | "处理中" | "跟进中" | "进行中" | "已受理" => {
            Ok(ComplaintStatus::InProgress)
        }
        "resolved" | "solved" | "done" | "已解决" | "已处理" | "已完成" => Ok(ComplaintStatus::Resolved),
        "closed" | "已关闭" | "关闭" | "已结案" | "结案" => Ok(ComplaintStatus::Closed),
        _ => Err(Rule::InvalidChoice),
    }
}

/// Tags or channels listed in one cell: split at commas, semicolons, pipes and 、 (either width).
pub fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '，', ';', '；', '|', '、', '/']).map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        match parse_date(text) {
            Ok(DateText::Known(at)) => at.date(),
            other => panic!("{text}: {other:?}"),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid")
    }

    #[test]
    fn dates_in_the_spellings_tills_and_people_use() {
        for text in [
            "2024-01-05",
            "2024/1/5",
            "2024.1.5",
            "20240105",
            "2024年1月5日",
            "2024年01月05号",
            " 2024-1-5 ",
            "２０２４-０１-０５",
            "45296",
        ] {
            assert_eq!(date(text), d(2024, 1, 5), "{text}");
        }
        let at = match parse_date("2024-01-05 14:30:15") {
            Ok(DateText::Known(at)) => at,
            other => panic!("{other:?}"),
        };
        assert_eq!(at.time(), NaiveTime::from_hms_opt(14, 30, 15).expect("time"));
        assert_eq!(date("2024-01-05T08:00:00+08:00"), d(2024, 1, 5));
        assert_eq!(date("2024年1月5日 9:05"), d(2024, 1, 5));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for text in ["2024-02-30", "2024-13-01", "20241301", "hello", "2024-01", "1/2", "32/01/2024", "13/13/2024"] {
            assert!(parse_date(text).is_err(), "{text} must not be read as a date");
        }
        assert_eq!(parse_date("1850-01-01"), Err(Rule::OutOfRange));
        assert_eq!(parse_date(""), Err(Rule::Required));
    }

    #[test]
    fn day_month_order_is_left_open_until_the_file_says() {
        let value = parse_date("05/01/2024").expect("reads");
        assert_eq!(value.evidence(), OrderEvidence::Ambiguous);
        assert_eq!(value.resolve(true).expect("day first").date(), d(2024, 1, 5));
        assert_eq!(value.resolve(false).expect("month first").date(), d(2024, 5, 1));
        assert_eq!(parse_date("25/01/2024").expect("reads").evidence(), OrderEvidence::Proves(true));
        assert_eq!(parse_date("01/25/2024").expect("reads").evidence(), OrderEvidence::Proves(false));
        assert_eq!(parse_date("05/05/2024").expect("reads").evidence(), OrderEvidence::None);
        assert_eq!(parse_date("1/5/24").expect("reads").resolve(false).expect("date").date(), d(2024, 1, 5));
        assert_eq!(parse_date("31/04/2024").expect("reads").resolve(true), Err(Rule::Unparseable));
    }

    #[test]
    fn excel_serial_numbers_count_days_from_1899_12_30() {
        assert_eq!(excel_serial(45296.0).expect("date").date(), d(2024, 1, 5));
        assert_eq!(excel_serial(61.0).expect("date").date(), d(1900, 3, 1));
        let noon = excel_serial(45296.5).expect("date");
        assert_eq!(noon.time(), NaiveTime::from_hms_opt(12, 0, 0).expect("noon"));
        assert!(excel_serial(f64::NAN).is_err());
    }

    fn cny(text: &str) -> Result<i64, Rule> {
        parse_amount(text, |c| minor_digits(c.unwrap_or("CNY"))).map(|a| a.minor)
    }

    #[test]
    fn amounts_become_exact_minor_units() {
        for (text, minor) in [
            ("￥1,234.50", 123_450),
            ("¥1234.5", 123_450),
            ("1234.50元", 123_450),
            ("RMB 1,234.50", 123_450),
            ("CNY1234.5", 123_450),
            ("１，２３４．５０", 123_450),
            ("(1,234.50)", -123_450),
            ("-¥12", -1200),
            ("¥-12", -1200),
            ("0.1", 10),
            ("12.300", 1230),
            (".5", 50),
            ("1,000,000", 100_000_000),
        ] {
            assert_eq!(cny(text), Ok(minor), "{text}");
        }
        assert_eq!(parse_amount("$5", |c| minor_digits(c.unwrap_or("CNY"))).expect("usd").currency, Some("USD"));
        assert_eq!(parse_amount("¥500", |c| minor_digits(c.unwrap_or("JPY"))).expect("yen").minor, 50_000);
        assert_eq!(parse_amount("500", |_| minor_digits("JPY")).expect("yen").minor, 500);
    }

    #[test]
    fn malformed_amounts_are_refused_not_guessed() {
        for text in ["12.345", "1,23", "12,34.5", "abc", "1.2.3", "¥", "1 2x"] {
            assert!(cny(text).is_err(), "{text} must be refused");
        }
        assert_eq!(cny("99999999999999999999"), Err(Rule::OutOfRange));
        assert_eq!(cny(""), Err(Rule::Required));
    }

    #[test]
    fn spreadsheet_floats_round_to_the_currency() {
        assert_eq!(float_to_minor(1234.5, 2), Ok(123_450));
        assert_eq!(float_to_minor(0.1 + 0.2, 2), Ok(30));
        assert_eq!(float_to_minor(-19.995, 2), Ok(-2000));
        assert_eq!(float_to_minor(19.99, 2), Ok(1999));
    }

    #[test]
    fn counts_accept_full_width_and_spreadsheet_decimals() {
        assert_eq!(parse_integer("３"), Ok(3));
        assert_eq!(parse_integer("3.0"), Ok(3));
        assert_eq!(parse_integer("-2"), Ok(-2));
        assert_eq!(parse_integer("2.5"), Err(Rule::Unparseable));
    }

    #[test]
    fn channel_and_kind_words_in_chinese_and_english() {
        assert_eq!(parse_channel("淘宝"), Ok(SalesChannel::Marketplace));
        assert_eq!(parse_channel("京东"), Ok(SalesChannel::Marketplace));
        assert_eq!(parse_channel("网店"), Ok(SalesChannel::OnlineShop));
        assert_eq!(parse_channel("门店"), Ok(SalesChannel::Store));
        assert_eq!(parse_channel("微信"), Ok(SalesChannel::PhoneWechat));
        assert_eq!(parse_channel("Online Shop"), Ok(SalesChannel::OnlineShop));
        assert_eq!(parse_channel("phone_wechat"), Ok(SalesChannel::PhoneWechat));
        assert_eq!(parse_channel("飞鸽"), Err(Rule::InvalidChoice));
        assert_eq!(parse_customer_kind("公司"), Ok(CustomerKind::Company));
        assert_eq!(parse_interaction_kind("拜访"), Ok(InteractionKind::Visit));
        assert_eq!(parse_survey_kind("nps"), Ok(SurveyKind::Nps));
        assert_eq!(parse_size_class("中小企业"), Ok(SizeClass::Smb));
        assert_eq!(split_list("VIP，华南;老客户、 a").collect::<Vec<_>>(), vec!["VIP", "华南", "老客户", "a"]);
    }
}
