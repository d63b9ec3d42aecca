//! The members of a run as a CSV file.

use super::members::{each_member, MemberFilter};
use super::runs::EvaluationRun;
use crate::error::{Error, Result};
use crate::evaluation::Tier;
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
/// [`formula_safe`]; numbers stay numbers, a negative contribution too. Without a language: code headers and codes, no byte-order mark (what scripts
/// read). With one: headers and labels in it, after a UTF-8 byte-order mark, without which
/// Excel reads the file in the local code page. Returns the rows.
pub fn members_csv(
    conn: &Connection,
    run: &EvaluationRun,
    filter: &MemberFilter,
    language: Option<Language>,
    mut out: impl std::io::Write,
) -> Result<u64> {
    if language.is_some() {
        out.write_all(BOM)?;
    }
    let digits = money::minor_digits(&run.currency);
    let mut csv = csv::Writer::from_writer(out);
    let fail = |e: csv::Error| Error::Io(std::io::Error::other(e));
    csv.write_record(MEMBER_HEADERS.iter().map(|h| h.text(language))).map_err(fail)?;
    let mut rows = 0;
    let opt = |v: Option<String>| v.unwrap_or_default();
    each_member(conn, run.id, filter, |row| {
        let (m, d) = (&row.member.measures, &row.member.decision);
        let upsell = d.upsell_category.and_then(|c| run.model.categories.get(c as usize).cloned());
        csv.write_record([
            m.customer_id.to_string(),
            formula_safe(&opt(row.external_id.clone())).into_owned(),
            formula_safe(&row.name).into_owned(),
            opt(m.recency_days.map(|v| v.to_string())),
            m.frequency.to_string(),
            money::decimal(m.monetary_minor, digits),
            opt(d.r_score.map(|v| v.to_string())),
            opt(d.f_score.map(|v| v.to_string())),
            opt(d.m_score.map(|v| v.to_string())),
            opt(d.segment.map(|v| v.text(language).to_owned())),
            opt(d.value_class.map(|v| v.text(language).to_owned())),
            money::decimal(m.contribution_minor, digits),
            match language {
                // Tiers as their letters; prospects, in no tier, as the group's code.
                None if d.tier == Tier::Prospect => d.tier.as_str().to_owned(),
                None => d.tier.as_str().to_uppercase(),
                Some(l) => d.tier.label(l).to_owned(),
            },
            d.lifecycle.text(language).to_owned(),
            opt(m.p_alive.map(|v| format!("{v:.4}"))),
            opt(m.expected_purchases.map(|v| format!("{v:.4}"))),
            opt(m.predicted_clv_minor.map(|v| money::decimal(v, digits))),
            d.service_level.text(language).to_owned(),
            labels::yes_no(d.exit_step.is_some(), language).to_owned(),
            opt(d.exit_step.map(|v| v.text(language).to_owned())),
            opt(d.next_action.map(|v| v.text(language).to_owned())),
            formula_safe(&opt(upsell)).into_owned(),
        ])
        .map_err(fail)?;
        rows += 1;
        Ok(())
    })?;
    csv.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::MEMBER_HEADERS;
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
