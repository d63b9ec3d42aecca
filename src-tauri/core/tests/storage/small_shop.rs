//! A new shop's first evaluation: one buyer who bought today and two leads, stored, listed,
//! explained and exported; and the fixed-scale settings saved and read back.

use crate::{customer, temp_db};
use chrono::NaiveDate;
use headtail_core::customers::{self, CustomerQuery};
use headtail_core::evaluation::store::{self, MemberFilter, Trigger};
use headtail_core::evaluation::{
    EvaluationSettingsInput, Lifecycle, Reason, RfmSegment, ScoreRule, ServiceLevel, Tier, ValueClass,
};
use headtail_core::orders::{self, OrderInput};
use headtail_core::Error;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("date")
}

#[test]
fn a_first_buyer_and_two_leads_get_labels_that_agree() {
    let (_dir, db) = temp_db();
    let buyer = customer(&db, "张伟");
    let leads = [customer(&db, "李娜"), customer(&db, "王芳")];
    let order = OrderInput {
        customer_id: buyer,
        external_id: None,
        ordered_on: today(),
        amount_minor: 12_800,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: vec![],
    };
    db.with_tx(|tx| orders::create(tx, order)).expect("order");
    let (run, _) = store::run(&db, today(), Trigger::Manual, &mut |_, _| {}).expect("run");
    assert_eq!((run.model.buyers, run.model.score_rule), (1, ScoreRule::Fixed));

    let standing = db.with_conn(|c| store::standing(c, buyer)).expect("standing").expect("in the run");
    let d = &standing.member.decision;
    assert_eq!((d.r_score, d.f_score, d.m_score), (Some(5), Some(1), Some(2)));
    assert_eq!((d.segment, d.value_class), (Some(RfmSegment::New), Some(ValueClass::GeneralDevelop)));
    assert_eq!(d.lifecycle, Lifecycle::New);
    let recency = standing.reasons.iter().find(|r| matches!(r, Reason::Recency { .. })).expect("R reason");
    assert_eq!(
        *recency,
        Reason::Recency {
            score: 5,
            days: 0,
            rule: ScoreRule::Fixed,
            buyers: 1,
            min_buyers: 100,
            from: None,
            to: Some(30)
        },
        "the reason names the fixed scale and its band"
    );
    let tier = standing.reasons.iter().find(|r| matches!(r, Reason::Tier { .. })).expect("tier reason");
    assert!(matches!(tier, Reason::Tier { buyers: 1, min_buyers: 100, .. }), "{tier:?}");

    for lead in leads {
        let s = db.with_conn(|c| store::standing(c, lead)).expect("standing").expect("in the run");
        let d = &s.member.decision;
        assert_eq!((d.tier, d.service_level, d.exit_step), (Tier::Prospect, ServiceLevel::Standard, None));
        assert_eq!((d.segment, d.lifecycle, d.low_value_runs), (None, Lifecycle::Prospect, 0));
    }
    let groups: Vec<(&str, u32)> = run.summary.tiers.iter().map(|g| (g.key.as_str(), g.customers)).collect();
    assert_eq!(groups, [("a", 1), ("prospect", 2)], "prospects are a group of their own");
    assert!(run.summary.service_levels.iter().all(|g| g.key != "self_service"), "{:?}", run.summary.service_levels);

    // The list's tier filter and the segment members find the prospects as a group.
    let query = CustomerQuery { tiers: vec![Tier::Prospect], ..Default::default() };
    let page = db.with_conn(|c| customers::list(c, &query)).expect("list");
    let mut found: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    found.sort_unstable();
    assert_eq!((found, page.total), (leads.to_vec(), 2));
    assert!(page.standings.iter().all(|s| s.tier == Some(Tier::Prospect)));
    let filter = MemberFilter { tier: Some(Tier::Prospect), ..Default::default() };
    let members = db.with_conn(|c| store::members(c, run.id, &filter, 0, 50)).expect("members");
    assert_eq!(members.total, 2);
    let filter = MemberFilter { tier: Some(Tier::D), ..Default::default() };
    assert_eq!(db.with_conn(|c| store::members(c, run.id, &filter, 0, 50)).expect("members").total, 0);

    let mut csv = Vec::new();
    db.with_conn(|c| store::members_csv(c, &run, &MemberFilter::default(), None, &mut csv)).expect("csv");
    let text = String::from_utf8(csv).expect("utf-8");
    let tiers: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').nth(12).unwrap_or("")).collect();
    assert_eq!(tiers, ["A", "prospect", "prospect"]);
}

#[test]
fn the_fixed_scales_are_saved_checked_and_read_back() {
    let (_dir, db) = temp_db();
    let input = EvaluationSettingsInput { score_min_buyers: 40, recency_5_days: 14, ..Default::default() };
    db.with_conn(|c| store::save_settings(c, &input)).expect("save");
    let s = db.with_conn(store::settings).expect("settings");
    assert_eq!((s.score_min_buyers(), s.recency_5_days(), s.recency_4_days()), (40, 14, 90));

    let bad = EvaluationSettingsInput { recency_3_days: 60, monetary_2_minor: 0, ..Default::default() };
    let Err(Error::Validation(fields)) = db.with_conn(|c| store::save_settings(c, &bad)) else { panic!("must fail") };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["recency_3_days", "monetary_2_minor"]);
    assert_eq!(db.with_conn(store::settings).expect("settings").recency_5_days(), 14, "nothing saved");

    // Settings saved before the fixed scales existed read with their defaults.
    db.with_conn(|c| {
        c.execute("UPDATE settings SET value = '{\"window_months\": 6}' WHERE key = 'evaluation'", [])?;
        Ok(())
    })
    .expect("old settings");
    let s = db.with_conn(store::settings).expect("settings");
    assert_eq!((s.window_months(), s.score_min_buyers(), s.frequency_5_orders()), (6, 100, 6));
}
