//! The members of a run as a CSV file.

use super::members::{each_member, MemberFilter};
use super::runs::EvaluationRun;
use crate::error::{Error, Result};
use crate::evaluation::Tier;
use crate::money;
use rusqlite::Connection;

/// The columns of a members file, one row per customer.
pub const MEMBER_CSV_HEADER: [&str; 22] = [
    "customer_id",
    "external_id",
    "name",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "value_class",
    "contribution",
    "tier",
    "lifecycle_stage",
    "p_alive",
    "expected_purchases_12m",
    "predicted_clv",
    "service_level",
    "exit_candidate",
    "exit_step",
    "next_best_action",
    "upsell_category",
];

/// Writes the members of a run matching `filter` as CSV (with a UTF-8 BOM when `bom`, for
/// spreadsheet programs); money in major units of the run's currency. Returns the rows.
pub fn members_csv(
    conn: &Connection,
    run: &EvaluationRun,
    filter: &MemberFilter,
    bom: bool,
    mut out: impl std::io::Write,
) -> Result<u64> {
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let digits = money::minor_digits(&run.currency);
    let mut csv = csv::Writer::from_writer(out);
    let fail = |e: csv::Error| Error::Io(std::io::Error::other(e));
    csv.write_record(MEMBER_CSV_HEADER).map_err(fail)?;
    let mut rows = 0;
    let opt = |v: Option<String>| v.unwrap_or_default();
    each_member(conn, run.id, filter, |row| {
        let (m, d) = (&row.member.measures, &row.member.decision);
        let upsell = d.upsell_category.and_then(|c| run.model.categories.get(c as usize).cloned());
        csv.write_record([
            m.customer_id.to_string(),
            opt(row.external_id.clone()),
            row.name.clone(),
            opt(m.recency_days.map(|v| v.to_string())),
            m.frequency.to_string(),
            money::decimal(m.monetary_minor, digits),
            opt(d.r_score.map(|v| v.to_string())),
            opt(d.f_score.map(|v| v.to_string())),
            opt(d.m_score.map(|v| v.to_string())),
            opt(d.segment.map(|v| v.as_str().to_owned())),
            opt(d.value_class.map(|v| v.as_str().to_owned())),
            money::decimal(m.contribution_minor, digits),
            // Tiers as their letters; prospects, in no tier, as the group's code.
            if d.tier == Tier::Prospect { d.tier.as_str().to_owned() } else { d.tier.as_str().to_uppercase() },
            d.lifecycle.as_str().to_owned(),
            opt(m.p_alive.map(|v| format!("{v:.4}"))),
            opt(m.expected_purchases.map(|v| format!("{v:.4}"))),
            opt(m.predicted_clv_minor.map(|v| money::decimal(v, digits))),
            d.service_level.as_str().to_owned(),
            (if d.exit_step.is_some() { "yes" } else { "no" }).to_owned(),
            opt(d.exit_step.map(|v| v.as_str().to_owned())),
            opt(d.next_action.map(|v| v.as_str().to_owned())),
            opt(upsell),
        ])
        .map_err(fail)?;
        rows += 1;
        Ok(())
    })?;
    csv.flush()?;
    Ok(rows)
}
