//! The members of a run as a CSV file.

use super::archive;
use super::members::MemberFilter;
use super::runs::EvaluationRun;
use crate::error::Result;
use crate::evaluation::{
    Decision, Evaluation, ExitStep, Lifecycle, Measures, NextActionKind, RfmSegment, ServiceLevel, Tier, ValueClass,
};
use crate::export::{formula_safe, BOM};
use crate::labels::{self, Header, Label};
use crate::money;
use crate::settings::Language;
use rusqlite::Connection;

/// The columns of a members file, one row per customer, with their names in each language.
pub const MEMBER_HEADERS: [Header; 22] = [
    Header::new("customer_id", "编号", "ID", None),
    Header::new("external_id", "客户编号", "Customer ID", Some("import.field.external_id")),
    Header::new("name", "客户名称", "Name", None),
    Header::new("recency_days", "距上次购买天数", "Days since last purchase", None),
    Header::new("frequency", "购买次数", "Purchases", None),
    Header::new("monetary", "消费金额", "Spend", None),
    Header::new("r_score", "R 分", "R score", None),
    Header::new("f_score", "F 分", "F score", None),
    Header::new("m_score", "M 分", "M score", None),
    Header::new("rfm_segment", "RFM 分群", "RFM segment", Some("segments.col_segment")),
    Header::new("value_class", "价值分类", "Value class", Some("segments.col_value_class")),
    Header::new("contribution", "利润贡献", "Contribution", Some("segments.col_contribution")),
    Header::new("tier", "价值层级", "Value tier", Some("evaluation.dimension.tier")),
    Header::new("lifecycle_stage", "生命周期阶段", "Lifecycle stage", Some("evaluation.dimension.lifecycle")),
    Header::new("p_alive", "活跃概率", "P(alive)", Some("segments.col_p_alive")),
    Header::new(
        "expected_purchases_12m",
        "预计购买次数（12 个月）",
        "Expected purchases (12 months)",
        Some("standing.expected_purchases"),
    ),
    Header::new("predicted_clv", "预测 CLV", "Predicted CLV", Some("segments.col_predicted_clv")),
    Header::new("service_level", "服务等级", "Service level", Some("segments.col_service_level")),
    Header::new("exit_candidate", "退出候选", "Exit candidate", None),
    Header::new("exit_step", "退出步骤", "Exit step", None),
    Header::new("next_best_action", "建议的下一步", "Next best action", Some("standing.next_action")),
    Header::new("upsell_category", "推荐品类", "Upsell category", None),
];

/// The code headers of a members file, which scripts read.
pub const MEMBER_CSV_HEADER: [&str; 22] = {
    let mut codes = [""; 22];
    let mut i = 0;
    while i < codes.len() {
        codes[i] = MEMBER_HEADERS[i].code;
        i += 1;
    }
    codes
};

/// Writes the members of a run matching `filter` as CSV; money in major units of the run's
/// currency. The texts a user typed (ids from other systems, names, categories) go through
/// [`formula_safe`]; numbers stay numbers, a negative contribution too. Without a language:
/// code headers and codes, no byte-order mark (what scripts read). With one: headers and
/// labels in it, after a UTF-8 byte-order mark, without which Excel reads the file in the
/// local code page. Returns the rows.
pub fn members_csv(
    conn: &Connection,
    run: &EvaluationRun,
    filter: &MemberFilter,
    language: Option<Language>,
    out: impl std::io::Write,
) -> Result<u64> {
    let mut file = MembersCsv::new(run, language, out)?;
    each_member_line(conn, run.id, filter, |line| file.write(line))?;
    file.finish()
}

/// What one row of a members file shows of a member, borrowed from where it was read.
#[derive(Debug, Clone, Copy)]
pub struct MemberLine<'a> {
    pub customer_id: i64,
    pub external_id: Option<&'a str>,
    pub name: &'a str,
    pub recency_days: Option<i64>,
    pub frequency: i64,
    pub monetary_minor: i64,
    pub contribution_minor: i64,
    pub p_alive: Option<f64>,
    pub expected_purchases: Option<f64>,
    pub predicted_clv_minor: Option<i64>,
    pub r_score: Option<i64>,
    pub f_score: Option<i64>,
    pub m_score: Option<i64>,
    pub segment: Option<RfmSegment>,
    pub value_class: Option<ValueClass>,
    pub tier: Tier,
    pub lifecycle: Lifecycle,
    pub service_level: ServiceLevel,
    pub exit_step: Option<ExitStep>,
    pub next_action: Option<NextActionKind>,
    pub upsell_category: Option<i64>,
}

/// The members of a run matching `filter` in customer order, each read into a [`MemberLine`]
/// (only the columns a members file shows) from the run's archive, a chunk at a time.
pub fn each_member_line(
    conn: &Connection,
    run: i64,
    filter: &MemberFilter,
    mut visit: impl FnMut(&MemberLine<'_>) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(CustomerNames::SQL)?;
    let mut names = CustomerNames::new(&mut stmt)?;
    archive::each(conn, run, |(member, _)| {
        let (m, d) = (&member.measures, &member.decision);
        if !filter.matches(d) {
            return Ok(());
        }
        match names.of(m.customer_id)? {
            Some((external_id, name)) => visit(&MemberLine::of(m, d, external_id, name)),
            None => Ok(()),
        }
    })
}

/// Each customer's external id and name, read in id order beside members in that order: one
/// pass over the customers rather than a look-up for each member.
struct CustomerNames<'s> {
    rows: rusqlite::Rows<'s>,
    /// The customer read last: its id, whether it has an external id, the id and the name
    /// (kept from one customer to the next, not allocated for each).
    id: Option<i64>,
    has_external_id: bool,
    external_id: String,
    name: String,
}

impl<'s> CustomerNames<'s> {
    const SQL: &'static str = "SELECT id, external_id, name FROM customers ORDER BY id";

    fn new(stmt: &'s mut rusqlite::Statement<'_>) -> Result<Self> {
        Ok(CustomerNames {
            rows: stmt.query([])?,
            id: None,
            has_external_id: false,
            external_id: String::new(),
            name: String::new(),
        })
    }

    /// The external id and name of customer `id`, asked for in ascending order.
    fn of(&mut self, id: i64) -> Result<Option<(Option<&str>, &str)>> {
        while self.id.is_none_or(|current| current < id) {
            let Some(r) = self.rows.next()? else { break };
            let text = |i: usize| -> Result<Option<&str>> {
                Ok(r.get_ref(i)?.as_str_or_null().map_err(rusqlite::Error::from)?)
            };
            let external_id = text(1)?;
            self.has_external_id = external_id.is_some();
            self.external_id.clear();
            self.external_id.push_str(external_id.unwrap_or_default());
            self.name.clear();
            self.name.push_str(text(2)?.ok_or(rusqlite::Error::InvalidColumnType(
                2,
                "name".into(),
                rusqlite::types::Type::Null,
            ))?);
            self.id = Some(r.get(0)?);
        }
        Ok((self.id == Some(id))
            .then(|| (self.has_external_id.then_some(self.external_id.as_str()), self.name.as_str())))
    }
}

impl<'a> MemberLine<'a> {
    /// The line of a member read whole, with its customer's ids and name.
    fn of(m: &Measures, d: &Decision, external_id: Option<&'a str>, name: &'a str) -> Self {
        MemberLine {
            customer_id: m.customer_id,
            external_id,
            name,
            recency_days: m.recency_days.map(i64::from),
            frequency: i64::from(m.frequency),
            monetary_minor: m.monetary_minor,
            contribution_minor: m.contribution_minor,
            p_alive: m.p_alive,
            expected_purchases: m.expected_purchases,
            predicted_clv_minor: m.predicted_clv_minor,
            r_score: d.r_score.map(i64::from),
            f_score: d.f_score.map(i64::from),
            m_score: d.m_score.map(i64::from),
            segment: d.segment,
            value_class: d.value_class,
            tier: d.tier,
            lifecycle: d.lifecycle,
            service_level: d.service_level,
            exit_step: d.exit_step,
            next_action: d.next_action,
            upsell_category: d.upsell_category.map(i64::from),
        }
    }
}

/// The members file of a run just evaluated, from memory (every member, in customer order):
/// what [`members_csv`] writes for the run once it is stored, without reading it back.
pub fn evaluation_csv(
    conn: &Connection,
    run: &EvaluationRun,
    evaluation: &Evaluation,
    language: Option<Language>,
    out: impl std::io::Write,
) -> Result<u64> {
    let mut file = MembersCsv::new(run, language, out)?;
    let mut stmt = conn.prepare(CustomerNames::SQL)?;
    let mut names = CustomerNames::new(&mut stmt)?;
    for (i, d) in evaluation.decisions.iter().enumerate() {
        let m = evaluation.measures(i);
        if let Some((external_id, name)) = names.of(m.customer_id)? {
            file.write(&MemberLine::of(&m, d, external_id, name))?;
        }
    }
    file.finish()
}

/// One members file being written, a row at a time: what [`members_csv`] writes, for callers
/// that split one pass over the members between several files.
pub struct MembersCsv<'a, W: std::io::Write> {
    format: LineFormat<'a>,
    out: W,
    /// Rows are formatted here and written a block at a time.
    block: Vec<u8>,
    rows: u64,
}

/// Bytes of rows gathered before they are written.
const BLOCK: usize = 1 << 16;

/// How a members file writes a row: the language of its labels, the run's currency and
/// categories. Fields are written as the csv crate's writer writes them (quoted only when they
/// hold a comma, a quote or a line break, quotes doubled, rows ended by `\n`), without its
/// check of every byte of fields that are only digits or codes.
#[derive(Clone, Copy)]
struct LineFormat<'a> {
    language: Option<Language>,
    digits: u32,
    categories: &'a [String],
}

/// Whether a field must be quoted in a CSV row.
fn needs_quotes(field: &str) -> bool {
    field.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// A text field, quoted when it must be.
fn put_text(out: &mut Vec<u8>, field: &str) {
    if !needs_quotes(field) {
        out.extend_from_slice(field.as_bytes());
        return;
    }
    out.push(b'"');
    for (i, part) in field.split('"').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part.as_bytes());
    }
    out.push(b'"');
}

/// A text a user typed, which a spreadsheet must never take for a formula.
fn put_typed(out: &mut Vec<u8>, field: &str) {
    put_text(out, &formula_safe(field));
}

/// `v` in decimal, as `{v}` writes it.
fn put_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    put_digits(out, v.unsigned_abs(), 1);
}

/// The two digits of every number below 100, in order.
const PAIRS: &[u8; 200] =
    b"0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// `v` in decimal with at least `width` digits (at most 20), zeros first: two digits at a
/// step, the step that costs most in a file that is mostly numbers.
fn put_digits(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else if v > 0 {
        at -= 1;
        digits[at] = b'0' + v as u8;
    }
    at = at.min(digits.len() - width.min(digits.len()));
    out.extend_from_slice(&digits[at..]);
}

/// An amount in minor units with `digits` places, as [`money::decimal`] writes it.
fn put_money(out: &mut Vec<u8>, minor: i64, digits: u32) {
    if digits == 0 {
        return put_int(out, minor);
    }
    let scale = 10_u64.pow(digits);
    if minor < 0 {
        out.push(b'-');
    }
    let abs = minor.unsigned_abs();
    put_digits(out, abs / scale, 1);
    out.push(b'.');
    put_digits(out, abs % scale, digits as usize);
}

/// `v` with four decimals, as `{:.4}` writes it for a probability or an expected count,
/// without the exact (and, for these values, slow) decimal expansion.
fn four_decimals(v: f64, out: &mut Vec<u8>) {
    let scaled = (v * 10_000.0).round();
    if !v.is_finite() || scaled.abs() >= 9.0e15 {
        out.extend_from_slice(format!("{v:.4}").as_bytes());
        return;
    }
    let scaled = scaled as i64;
    if scaled < 0 {
        out.push(b'-');
    }
    let abs = scaled.unsigned_abs();
    put_digits(out, abs / 10_000, 1);
    out.push(b'.');
    put_digits(out, abs % 10_000, 4);
}

impl LineFormat<'_> {
    /// The row of `m`, its line break included.
    fn write(&self, m: &MemberLine<'_>, out: &mut Vec<u8>) {
        let language = self.language;
        let label = |v: Option<&'static str>| v.unwrap_or_default();
        let number = |out: &mut Vec<u8>, v: Option<i64>| {
            if let Some(v) = v {
                put_int(out, v);
            }
            out.push(b',');
        };
        let text = |out: &mut Vec<u8>, v: &str| {
            put_text(out, v);
            out.push(b',');
        };
        let money = |out: &mut Vec<u8>, minor: Option<i64>| {
            if let Some(minor) = minor {
                put_money(out, minor, self.digits);
            }
            out.push(b',');
        };
        let decimals = |out: &mut Vec<u8>, v: Option<f64>| {
            if let Some(v) = v {
                four_decimals(v, out);
            }
            out.push(b',');
        };
        number(out, Some(m.customer_id));
        put_typed(out, m.external_id.unwrap_or_default());
        out.push(b',');
        put_typed(out, m.name);
        out.push(b',');
        number(out, m.recency_days);
        number(out, Some(m.frequency));
        money(out, Some(m.monetary_minor));
        number(out, m.r_score);
        number(out, m.f_score);
        number(out, m.m_score);
        text(out, label(m.segment.map(|v| v.text(language))));
        text(out, label(m.value_class.map(|v| v.text(language))));
        money(out, Some(m.contribution_minor));
        match language {
            // Tiers as their letters; prospects, in no tier, as the group's code.
            None if m.tier == Tier::Prospect => text(out, m.tier.as_str()),
            None => {
                out.extend(m.tier.as_str().bytes().map(|b| b.to_ascii_uppercase()));
                out.push(b',');
            }
            Some(l) => text(out, m.tier.label(l)),
        }
        text(out, m.lifecycle.text(language));
        decimals(out, m.p_alive);
        decimals(out, m.expected_purchases);
        money(out, m.predicted_clv_minor);
        text(out, m.service_level.text(language));
        text(out, labels::yes_no(m.exit_step.is_some(), language));
        text(out, label(m.exit_step.map(|v| v.text(language))));
        text(out, label(m.next_action.map(|v| v.text(language))));
        let upsell = m.upsell_category.and_then(|c| usize::try_from(c).ok()).and_then(|c| self.categories.get(c));
        put_typed(out, upsell.map(String::as_str).unwrap_or_default());
        out.push(b'\n');
    }
}

impl<'a, W: std::io::Write> MembersCsv<'a, W> {
    /// Starts the file: the byte-order mark with a language, then the headers.
    pub fn new(run: &'a EvaluationRun, language: Option<Language>, mut out: W) -> Result<Self> {
        if language.is_some() {
            out.write_all(BOM)?;
        }
        let mut block = Vec::with_capacity(BLOCK + 1024);
        for (i, h) in MEMBER_HEADERS.iter().enumerate() {
            if i > 0 {
                block.push(b',');
            }
            put_text(&mut block, h.text(language));
        }
        block.push(b'\n');
        let format =
            LineFormat { language, digits: money::minor_digits(&run.currency), categories: &run.model.categories };
        Ok(MembersCsv { format, out, block, rows: 0 })
    }

    pub fn write(&mut self, m: &MemberLine<'_>) -> Result<()> {
        self.format.write(m, &mut self.block);
        self.rows += 1;
        if self.block.len() >= BLOCK {
            self.out.write_all(&self.block)?;
            self.block.clear();
        }
        Ok(())
    }

    /// Writes what is left and flushes the file; the rows written.
    pub fn finish(mut self) -> Result<u64> {
        self.out.write_all(&self.block)?;
        self.out.flush()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::{four_decimals, put_int, put_money, put_text, MEMBER_HEADERS};

    #[test]
    fn fields_write_as_the_csv_writer_and_the_money_format_do() {
        for v in [0, 7, -7, 10, 99, 100, 101, 1_009, 99_999, -1_000_000, 5_000_000_123, i64::MAX, i64::MIN] {
            let mut s = Vec::new();
            put_int(&mut s, v);
            assert_eq!(s, v.to_string().as_bytes());
            for digits in 0..=3 {
                let mut s = Vec::new();
                put_money(&mut s, v, digits);
                assert_eq!(String::from_utf8_lossy(&s), crate::money::decimal(v, digits), "{v} {digits}");
            }
        }
        let texts = ["", "plain", "张伟", "a,b", "say \"hi\"", "\"", "line\nbreak", "cr\r", "'=1+1", " padded "];
        for text in texts {
            let mut ours = Vec::new();
            put_text(&mut ours, text);
            let mut theirs = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
            theirs.write_record([text, "x"]).expect("csv");
            let theirs = theirs.into_inner().expect("csv");
            ours.extend_from_slice(b",x\n");
            assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs), "{text:?}");
        }
    }

    #[test]
    fn four_decimals_write_as_the_standard_format_does() {
        for v in [0.0, 1.0, 0.123_449_9, 0.999_96, 12.345_67, 3.0e-5, 0.5, 1234.5678, -0.25, 0.976_849_999] {
            let mut s = Vec::new();
            four_decimals(v, &mut s);
            assert_eq!(String::from_utf8_lossy(&s), format!("{v:.4}"), "{v}");
        }
        let mut s = Vec::new();
        four_decimals(f64::NAN, &mut s);
        assert_eq!(s, b"NaN");
    }
    use crate::labels::ui_locales::{locale, message};

    #[test]
    fn member_headers_read_as_the_ui_shows_them() {
        let (zh, en) = (locale("zh-CN"), locale("en"));
        let mut compared = 0;
        for h in MEMBER_HEADERS {
            if let Some(key) = h.locale_key {
                assert_eq!(message(&zh, key), Some(h.zh), "zh-CN {key} ({})", h.code);
                assert_eq!(message(&en, key), Some(h.en), "en {key} ({})", h.code);
                compared += 1;
            }
        }
        assert!(compared >= 10, "the headers the UI also shows are compared");
    }
}
