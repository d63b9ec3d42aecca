use crate::{at, customer, date, temp_db};
use headtail_core::customers::{self, PipelineStage};
use headtail_core::orders::{self, OrderInput};
use headtail_core::pipeline::{self, StageCount};
use headtail_core::{Database, Error};

fn stage(db: &Database, id: i64, to: Option<PipelineStage>) {
    db.with_tx(|tx| pipeline::set_stage(tx, id, to, at(5))).expect("set stage");
}

#[test]
fn set_stage_moves_a_customer_and_none_takes_it_out_of_the_pipeline() {
    let (_dir, db) = temp_db();
    let prospect = customer(&db, "潜在客户");
    stage(&db, prospect, Some(PipelineStage::Interest));
    let moved = db.with_conn(|c| customers::get(c, prospect)).expect("get");
    assert_eq!(moved.pipeline_stage, Some(PipelineStage::Interest));
    assert_eq!(moved.updated_at, "2026-03-05T09:30:00.000Z", "moving a customer is a change to the profile");
    stage(&db, prospect, None);
    assert_eq!(db.with_conn(|c| customers::get(c, prospect)).expect("get").pipeline_stage, None);
}

#[test]
fn set_stage_of_a_missing_or_deleted_customer_is_not_found() {
    let (_dir, db) = temp_db();
    let err = db.with_tx(|tx| pipeline::set_stage(tx, 404, Some(PipelineStage::Won), at(5))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "customer", id: 404 }), "got {err:?}");
    let trashed = customer(&db, "已删除");
    db.with_tx(|tx| customers::soft_delete(tx, trashed, at(2))).expect("delete");
    let err = db.with_tx(|tx| pipeline::set_stage(tx, trashed, Some(PipelineStage::Won), at(5))).expect_err("deleted");
    assert!(matches!(err, Error::NotFound { .. }), "a customer in the trash stays where it is, got {err:?}");
}

#[test]
fn stage_counts_cover_every_stage_and_only_live_prospects_without_orders() {
    let (_dir, db) = temp_db();
    for (name, to) in [
        ("甲", PipelineStage::Awareness),
        ("乙", PipelineStage::Awareness),
        ("丙", PipelineStage::Decision),
        ("丁", PipelineStage::Lost),
    ] {
        let id = customer(&db, name);
        stage(&db, id, Some(to));
    }
    customer(&db, "不在漏斗里");
    let bought = customer(&db, "已成交");
    stage(&db, bought, Some(PipelineStage::Won));
    let order = OrderInput {
        customer_id: bought,
        external_id: None,
        ordered_on: date(3, 6),
        amount_minor: 100,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    };
    db.with_tx(|tx| orders::create(tx, order)).expect("first order");
    let trashed = customer(&db, "已删除");
    stage(&db, trashed, Some(PipelineStage::Interest));
    db.with_tx(|tx| customers::soft_delete(tx, trashed, at(6))).expect("delete");

    let counts = db.with_conn(pipeline::stage_counts).expect("counts");
    let expected: Vec<StageCount> = [
        (PipelineStage::Awareness, 2),
        (PipelineStage::Interest, 0),
        (PipelineStage::Decision, 1),
        (PipelineStage::Purchase, 0),
        (PipelineStage::Won, 0),
        (PipelineStage::Lost, 1),
    ]
    .into_iter()
    .map(|(stage, prospects)| StageCount { stage, prospects })
    .collect();
    assert_eq!(
        counts, expected,
        "every stage in pipeline order; a customer with an order, a deleted one and one outside the pipeline are not counted"
    );
}
