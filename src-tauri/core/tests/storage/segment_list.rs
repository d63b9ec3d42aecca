use crate::{at, field_rules, local, rules, temp_db};
use chrono::{NaiveDate, NaiveDateTime};
use headtail_core::bulk::{self, BulkAction};
use headtail_core::customers::{self, CustomerQuery, CustomerSort, SearchLimits};
use headtail_core::demo::{self, DemoSettings};
use headtail_core::error::Rule;
use headtail_core::evaluation::store::{self, Trigger};
use headtail_core::evaluation::{Lifecycle, ServiceLevel, Tier};
use headtail_core::export::{self, CustomerSelection};
use headtail_core::follow_ups::{self, FollowUpInput, FollowUpSource};
use headtail_core::saved_views;
use headtail_core::settings::Language;
use headtail_core::Database;
use std::collections::HashMap;

const AS_OF: (i32, u32, u32) = (2026, 10, 31);

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).expect("date")
}

/// A demo business of `customers`, evaluated, with open and completed follow-ups.
fn evaluated(customers: u32) -> (tempfile::TempDir, Database) {
    let (dir, db) = temp_db();
    let settings = DemoSettings::new(customers, 7, as_of());
    db.with_tx(|tx| demo::generate(tx, settings, chrono::Utc::now(), |_, _| {})).expect("demo");
    store::run(&db, as_of(), Trigger::Manual, &mut |_, _| {}).expect("run");
    (dir, db)
}

fn follow_up(db: &Database, customer_id: i64, due_at: NaiveDateTime) -> i64 {
    let input = FollowUpInput {
        customer_id,
        due_at,
        owner: None,
        reason: None,
        source: FollowUpSource::Manual,
        interaction_id: None,
        survey_response_id: None,
    };
    db.with_tx(|tx| follow_ups::schedule(tx, input, at(1))).expect("follow-up").id
}

/// Follow-ups for every seventh customer, two for some, with equal due times and a completed
/// earlier one; a trashed customer, and one created after the run.
fn workday(db: &Database) {
    let ids: Vec<i64> = db.with_conn(|c| customers::list_ids(c, &CustomerQuery::default())).expect("ids");
    for (n, &id) in ids.iter().enumerate().filter(|(n, _)| n % 7 == 0) {
        follow_up(db, id, local(11, 1 + (n % 20) as u32, 9, 0));
        if n % 3 == 0 {
            follow_up(db, id, local(11, 1 + (n % 5) as u32, 9, 0));
        }
    }
    let done = follow_up(db, ids[1], local(10, 1, 9, 0));
    db.with_conn(|c| {
        c.execute("UPDATE follow_ups SET completed_at = '2026-10-02T00:00:00.000Z' WHERE id = ?1", [done])?;
        Ok(())
    })
    .expect("complete");
    db.with_tx(|tx| customers::soft_delete(tx, ids[2], at(2))).expect("trash");
    crate::customer(db, "运行之后的新客户");
}

struct Facts {
    live: Vec<i64>,
    members: HashMap<i64, (Tier, Lifecycle, ServiceLevel, Option<i64>)>,
    /// The first open follow-up (due time, id) of each customer with one.
    next: HashMap<i64, (NaiveDateTime, i64)>,
}

fn facts(db: &Database) -> Facts {
    db.with_conn(|c| {
        let run: i64 = c.query_row("SELECT max(id) FROM evaluation_runs WHERE complete = 1", [], |r| r.get(0))?;
        let live = c
            .prepare("SELECT id FROM customers WHERE deleted_at IS NULL AND erased_at IS NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        let members = store::stored_members(c, run)?
            .into_iter()
            .map(|m| {
                let d = &m.decision;
                (m.measures.customer_id, (d.tier, d.lifecycle, d.service_level, m.measures.predicted_clv_minor))
            })
            .collect::<HashMap<_, _>>();
        let mut next: HashMap<i64, (NaiveDateTime, i64)> = HashMap::new();
        let open = c
            .prepare("SELECT customer_id, due_at, id FROM follow_ups WHERE completed_at IS NULL")?
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<rusqlite::Result<Vec<(i64, (NaiveDateTime, i64))>>>()?;
        for (customer, key) in open {
            let first = next.entry(customer).or_insert(key);
            *first = (*first).min(key);
        }
        Ok(Facts { live, members, next })
    })
    .expect("facts")
}

/// Every customer of a query, page by page.
fn every_page(db: &Database, query: &CustomerQuery, limits: SearchLimits) -> (Vec<i64>, u32) {
    let mut ids = Vec::new();
    let total;
    loop {
        let q = CustomerQuery { offset: ids.len() as u32, limit: 37, ..query.clone() };
        let page = db.with_conn(|c| customers::list_with(c, &q, limits)).expect("page");
        assert_eq!(page.standings.len(), page.items.len(), "a standing for each row");
        if page.items.is_empty() {
            total = page.total;
            break;
        }
        ids.extend(page.items.iter().map(|c| c.id));
    }
    (ids, total)
}

/// The order a standing sort must give: with a value first, in the direction asked, then
/// the others by id in the same direction.
fn expected_order<K: Ord + Copy>(ids: &[i64], key: impl Fn(i64) -> Option<K>, descending: bool) -> Vec<i64> {
    let mut with: Vec<(K, i64)> = ids.iter().filter_map(|&id| key(id).map(|k| (k, id))).collect();
    let mut without: Vec<i64> = ids.iter().copied().filter(|&id| key(id).is_none()).collect();
    with.sort();
    without.sort();
    if descending {
        with.reverse();
        without.reverse();
    }
    with.into_iter().map(|(_, id)| id).chain(without).collect()
}

#[test]
fn the_list_by_segment_filters_and_sorts_as_the_members_and_follow_ups_say_under_every_plan() {
    let (_dir, db) = evaluated(900);
    workday(&db);
    let facts = facts(&db);
    // Every plan: the defaults (few matches are sorted), and limits that make every page walk.
    let walking = SearchLimits { narrow: 0, filtered: 0, standing: 0 };
    let filters: Vec<(&str, CustomerQuery)> = vec![
        ("everyone", CustomerQuery::default()),
        ("tiers A and B", CustomerQuery { tiers: vec![Tier::A, Tier::B], ..Default::default() }),
        (
            "at risk or churned, standard",
            CustomerQuery {
                lifecycles: vec![Lifecycle::AtRisk, Lifecycle::Churned],
                service_levels: vec![ServiceLevel::Standard],
                ..Default::default()
            },
        ),
        (
            "tier D with a search",
            CustomerQuery { tiers: vec![Tier::D], search: Some("有限公司".into()), ..Default::default() },
        ),
    ];
    let keeps = |q: &CustomerQuery, id: i64| -> bool {
        if q.tiers.is_empty() && q.lifecycles.is_empty() && q.service_levels.is_empty() {
            return true;
        }
        facts.members.get(&id).is_some_and(|&(tier, stage, level, _)| {
            (q.tiers.is_empty() || q.tiers.contains(&tier))
                && (q.lifecycles.is_empty() || q.lifecycles.contains(&stage))
                && (q.service_levels.is_empty() || q.service_levels.contains(&level))
        })
    };
    let mut seen_a_walk_with_values_and_without = false;
    for (label, filter) in &filters {
        // Who matches: the search alone decides among the live customers, by name.
        let searched = CustomerQuery { tiers: vec![], lifecycles: vec![], service_levels: vec![], ..filter.clone() };
        let by_name: Vec<i64> = db.with_conn(|c| customers::list_ids(c, &searched)).expect("ids");
        let matching: Vec<i64> = by_name.iter().copied().filter(|&id| keeps(filter, id)).collect();
        assert!(!matching.is_empty(), "{label}: the demo has such customers");
        assert!(matching.iter().all(|id| facts.live.contains(id)), "{label}: only live customers");

        for descending in [false, true] {
            let expected_name: Vec<i64> =
                if descending { matching.iter().rev().copied().collect() } else { matching.clone() };
            let clv = expected_order(&matching, |id| facts.members.get(&id).and_then(|m| m.3), descending);
            let next = expected_order(&matching, |id| facts.next.get(&id).copied(), descending);
            for (sort, expected) in [
                (CustomerSort::Name, &expected_name),
                (CustomerSort::PredictedClv, &clv),
                (CustomerSort::NextFollowUp, &next),
            ] {
                let query = CustomerQuery { sort, descending, ..filter.clone() };
                for limits in [SearchLimits::default(), walking] {
                    let (ids, total) = every_page(&db, &query, limits);
                    assert_eq!(&ids, expected, "{label}, {sort:?}, descending {descending}, {limits:?}");
                    assert_eq!(total as usize, expected.len(), "{label}: the count agrees with the rows");
                }
                // An export of the query takes the same customers in the same order.
                let exported = db.with_conn(|c| export::selected_ids(c, &CustomerSelection::Query(query.clone())));
                assert_eq!(&exported.expect("export ids"), expected, "{label}, {sort:?}: export order");
            }
            seen_a_walk_with_values_and_without |=
                clv.iter().any(|id| facts.members.get(id).and_then(|m| m.3).is_none())
                    && next.iter().any(|id| !facts.next.contains_key(id));
        }
    }
    assert!(seen_a_walk_with_values_and_without, "the sorts had customers without a value to put last");

    // Each row carries its standing and next follow-up.
    let page = db
        .with_conn(|c| {
            customers::list(c, &CustomerQuery { sort: CustomerSort::NextFollowUp, limit: 20, ..Default::default() })
        })
        .expect("page");
    assert_eq!(page.evaluation.as_ref().map(|e| e.as_of), Some(as_of()));
    for (customer, standing) in page.items.iter().zip(&page.standings) {
        assert_eq!(standing.customer_id, customer.id);
        assert_eq!(standing.next_follow_up, facts.next.get(&customer.id).map(|n| n.0));
        let member = facts.members.get(&customer.id);
        assert_eq!(standing.tier, member.map(|m| m.0));
        assert_eq!(standing.predicted_clv_minor, member.and_then(|m| m.3));
    }
}

#[test]
fn without_an_evaluation_a_standing_filter_matches_nobody_and_the_clv_sort_keeps_everyone() {
    let (_dir, db) = temp_db();
    let a = crate::customer(&db, "甲");
    let b = crate::customer(&db, "乙");
    follow_up(&db, b, local(4, 1, 9, 0));
    let filtered = db
        .with_conn(|c| customers::list(c, &CustomerQuery { tiers: vec![Tier::A], ..Default::default() }))
        .expect("list");
    assert_eq!((filtered.total, filtered.items.len(), filtered.evaluation), (0, 0, None));
    let by_clv = db
        .with_conn(|c| customers::list(c, &CustomerQuery { sort: CustomerSort::PredictedClv, ..Default::default() }))
        .expect("list");
    assert_eq!(by_clv.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![a, b]);
    let by_next = db
        .with_conn(|c| {
            customers::list(
                c,
                &CustomerQuery { sort: CustomerSort::NextFollowUp, descending: true, ..Default::default() },
            )
        })
        .expect("list");
    assert_eq!(by_next.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b, a], "with a follow-up first");
    assert_eq!(by_next.standings[0].next_follow_up, Some(local(4, 1, 9, 0)));
    assert_eq!(by_next.standings[0].tier, None);
}

#[test]
fn saved_views_keep_a_name_and_restore_the_query() {
    let (_dir, db) = temp_db();
    let query = CustomerQuery {
        search: Some("华强".into()),
        tiers: vec![Tier::A],
        lifecycles: vec![Lifecycle::AtRisk, Lifecycle::Loyal],
        sort: CustomerSort::PredictedClv,
        descending: true,
        offset: 100,
        limit: 50,
        ..Default::default()
    };
    let view = db.with_tx(|tx| saved_views::create(tx, "  头部风险 ", &query, at(3))).expect("create");
    assert_eq!(view.name, "头部风险");
    assert_eq!(view.query, CustomerQuery { offset: 0, ..query.clone() }, "filters and sort, from the first page");
    let other = db.with_tx(|tx| saved_views::create(tx, "A 全部", &CustomerQuery::default(), at(3))).expect("create");
    let names: Vec<String> = db.with_conn(saved_views::list).expect("list").into_iter().map(|v| v.name).collect();
    assert_eq!(names, ["A 全部", "头部风险"], "by name");

    assert_eq!(
        field_rules(db.with_tx(|tx| saved_views::create(tx, "头部风险", &query, at(3)))),
        rules(&[("name", Rule::Taken)])
    );
    assert_eq!(
        field_rules(db.with_tx(|tx| saved_views::create(tx, "  ", &query, at(3)))),
        rules(&[("name", Rule::Required)])
    );
    assert_eq!(
        field_rules(db.with_tx(|tx| saved_views::create(tx, &"名".repeat(101), &query, at(3)))),
        rules(&[("name", Rule::TooLong)])
    );
    assert_eq!(
        field_rules(db.with_tx(|tx| saved_views::rename(tx, other.id, "头部风险"))),
        rules(&[("name", Rule::Taken)])
    );
    let renamed = db.with_tx(|tx| saved_views::rename(tx, view.id, "头部风险")).expect("same name again");
    assert_eq!(renamed.name, "头部风险");
    let renamed = db.with_tx(|tx| saved_views::rename(tx, view.id, "重点")).expect("rename");
    assert_eq!((renamed.name.as_str(), &renamed.query), ("重点", &view.query));

    db.with_tx(|tx| saved_views::delete(tx, other.id)).expect("delete");
    assert!(matches!(db.with_tx(|tx| saved_views::delete(tx, other.id)), Err(headtail_core::Error::NotFound { .. })));
    assert_eq!(db.with_conn(saved_views::list).expect("list"), vec![renamed]);
}

fn count(db: &Database, sql: &str) -> i64 {
    db.with_conn(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).expect("count")
}

#[test]
fn bulk_actions_change_the_whole_filtered_result_in_one_go() {
    let (_dir, db) = evaluated(3000);
    let filtered = CustomerQuery { tiers: vec![Tier::B, Tier::C], limit: 50, ..Default::default() };
    let matching = db.with_conn(|c| customers::list_ids(c, &filtered)).expect("ids");
    assert!(matching.len() > 500, "thousands of customers, not the page: {}", matching.len());
    let selection = CustomerSelection::Query(filtered.clone());

    let tag = BulkAction::AddTag { tag: " 回访季 ".into() };
    let outcome = db.with_tx(|tx| bulk::apply(tx, &selection, &tag, at(5))).expect("tag");
    assert_eq!((outcome.selected, outcome.changed), (matching.len() as u32, matching.len() as u32));
    let tagged = db
        .with_conn(|c| customers::list(c, &CustomerQuery { tag: Some("回访季".into()), ..Default::default() }))
        .expect("list");
    assert_eq!(tagged.total as usize, matching.len());
    let again = db.with_tx(|tx| bulk::apply(tx, &selection, &tag, at(5))).expect("tag again");
    assert_eq!(again.changed, 0, "a tag already there changes nothing");

    let owner = BulkAction::AssignOwner { owner: Some("周敏".into()) };
    let outcome = db.with_tx(|tx| bulk::apply(tx, &selection, &owner, at(5))).expect("owner");
    assert_eq!(outcome.selected as usize, matching.len());
    let owned = db
        .with_conn(|c| customers::list(c, &CustomerQuery { owner: Some("周敏".into()), ..filtered.clone() }))
        .expect("list");
    assert_eq!(owned.total as usize, matching.len());

    // Before every follow-up the demo and this fixture hold, so it is each customer's next.
    let due = local(1, 2, 10, 0);
    let schedule = BulkAction::ScheduleFollowUp { due_at: due, owner: None, reason: Some("季度回访".into()) };
    let outcome = db.with_tx(|tx| bulk::apply(tx, &selection, &schedule, at(5))).expect("schedule");
    assert_eq!(outcome.changed as usize, matching.len());
    assert_eq!(
        count(&db, "SELECT count(*) FROM follow_ups WHERE source = 'bulk' AND owner = '周敏' AND reason = '季度回访'"),
        matching.len() as i64,
        "one follow-up each, for the customer's owner"
    );
    let by_next = db
        .with_conn(|c| customers::list(c, &CustomerQuery { sort: CustomerSort::NextFollowUp, ..filtered.clone() }))
        .expect("list");
    assert!(by_next.standings.iter().all(|s| s.next_follow_up == Some(due)));

    // The export takes the same selection.
    let mut csv = Vec::new();
    let columns = export::default_columns(Language::En);
    let rows =
        db.with_conn(|c| export::customers_csv(c, &selection, &columns, Some(Language::En), &mut csv)).expect("export");
    assert_eq!(rows as usize, matching.len());
}

#[test]
fn a_bulk_action_on_chosen_rows_skips_the_trash_and_a_failed_one_changes_nothing() {
    let (_dir, db) = temp_db();
    let a = crate::customer(&db, "甲");
    let b = crate::customer(&db, "乙");
    let gone = crate::customer(&db, "丙");
    db.with_tx(|tx| customers::soft_delete(tx, gone, at(2))).expect("trash");
    let selection = CustomerSelection::Ids(vec![a, b, gone, 999]);
    let outcome = db
        .with_tx(|tx| bulk::apply(tx, &selection, &BulkAction::AssignOwner { owner: Some("王磊".into()) }, at(3)))
        .expect("owner");
    assert_eq!((outcome.selected, outcome.changed), (2, 2));
    assert_eq!(db.with_conn(|c| customers::get(c, gone)).expect("get").owner, None);

    assert_eq!(
        field_rules(db.with_tx(|tx| bulk::apply(tx, &selection, &BulkAction::AddTag { tag: " ".into() }, at(3)))),
        rules(&[("tag", Rule::Required)])
    );
    // One customer already has as many tags as allowed: the whole action is refused.
    let full: Vec<String> = (0..customers::TAGS_MAX).map(|n| format!("t{n}")).collect();
    db.with_tx(|tx| {
        let c = customers::get(tx, b)?;
        customers::update(tx, b, customers::CustomerInput { tags: full.clone(), ..c.to_input() }, at(3))
    })
    .expect("tags");
    let failed = db.with_tx(|tx| bulk::apply(tx, &selection, &BulkAction::AddTag { tag: "新".into() }, at(4)));
    assert!(failed.is_err());
    assert!(db.with_conn(|c| customers::get(c, a)).expect("get").tags.is_empty(), "rolled back");
    let follow = BulkAction::ScheduleFollowUp { due_at: local(5, 1, 9, 0), owner: Some("x".repeat(101)), reason: None };
    assert_eq!(
        field_rules(db.with_tx(|tx| bulk::apply(tx, &selection, &follow, at(4)))),
        rules(&[("owner", Rule::TooLong)])
    );
    assert_eq!(count(&db, "SELECT count(*) FROM follow_ups"), 0);
}

/// Members per standing cell of each run, as stored and as counted from the members.
/// Run, cell and members.
type CellRows = Vec<(i64, String, i64)>;

fn cells(db: &Database) -> (CellRows, CellRows) {
    let read = |sql: &str| -> CellRows {
        db.with_conn(|c| {
            let mut stmt = c.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("cells")
    };
    let key = "coalesce(tier, '-') || '/' || coalesce(segment, '-') || '/' || coalesce(value_class, '-') || '/' \
               || coalesce(lifecycle, '-') || '/' || coalesce(service_level, '-')";
    let stored = read(&format!("SELECT run_id, {key}, sum(members) FROM evaluation_cells GROUP BY 1, 2 ORDER BY 1, 2"));
    // Counted from every run's members as stored.
    let counted = db
        .with_conn(|c| {
            let runs: Vec<i64> = c
                .prepare("SELECT id FROM evaluation_runs ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut counts: std::collections::BTreeMap<(i64, String), i64> = Default::default();
            for run in runs {
                for m in store::stored_members(c, run)? {
                    let d = &m.decision;
                    let key = [
                        Some(d.tier.as_str()),
                        d.segment.map(|v| v.as_str()),
                        d.value_class.map(|v| v.as_str()),
                        Some(d.lifecycle.as_str()),
                        Some(d.service_level.as_str()),
                    ]
                    .map(|v| v.unwrap_or("-"))
                    .join("/");
                    *counts.entry((run, key)).or_default() += 1;
                }
            }
            Ok(counts.into_iter().map(|((run, key), n)| (run, key, n)).collect())
        })
        .expect("counted");
    (stored, counted)
}

/// Every member's code in each run names the cell of its tier, segment and lifecycle stage.
fn codes_match_members(db: &Database) {
    db.with_conn(|c| {
        let runs: Vec<i64> = c
            .prepare("SELECT id FROM evaluation_runs")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for run in runs {
            let standings = store::RunStandings::load(c, run)?;
            let members: Vec<(i64, [Option<String>; 3])> = store::stored_members(c, run)?
                .into_iter()
                .map(|m| {
                    let d = &m.decision;
                    let standing = [Some(d.tier.as_str()), d.segment.map(|v| v.as_str()), Some(d.lifecycle.as_str())];
                    (m.measures.customer_id, standing.map(|v| v.map(str::to_owned)))
                })
                .collect();
            assert!(!members.is_empty());
            for (customer, standing) in members {
                let cell = standings.cell(customer).expect("a member has a code");
                let c = &standings.cells[cell];
                assert_eq!(
                    [c.tier.clone(), c.segment.clone(), c.lifecycle.clone()],
                    standing,
                    "customer {customer} in run {run}"
                );
            }
            let max: i64 = c.query_row("SELECT max(id) FROM customers", [], |r| r.get(0))?;
            assert_eq!(standings.cell(max + 1), None);
        }
        Ok(())
    })
    .expect("codes");
}

#[test]
fn standing_cells_hold_each_runs_members_through_saves_refreshes_and_pruning() {
    let (_dir, db) = evaluated(400);
    let (stored, counted) = cells(&db);
    assert!(stored.len() > 5, "{stored:?}");
    assert_eq!(stored, counted);
    codes_match_members(&db);

    // Runs saved before the cells existed get them from their members (as the migration that
    // added them does).
    db.with_conn(|c| {
        c.execute_batch("DELETE FROM evaluation_cells; DELETE FROM evaluation_standings;")?;
        let runs: Vec<i64> = c
            .prepare("SELECT id FROM evaluation_runs")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        runs.into_iter().try_for_each(|run| store::rebuild_standings(c, run))
    })
    .expect("rebuilt");
    assert_eq!(cells(&db), (stored, counted));
    codes_match_members(&db);

    // A prospect's first order moves them out of the prospects' cell.
    let prospect: i64 = db
        .with_conn(|c| {
            let run: i64 = c.query_row("SELECT max(id) FROM evaluation_runs", [], |r| r.get(0))?;
            let members = store::stored_members(c, run)?;
            Ok(members.iter().find(|m| m.decision.lifecycle == Lifecycle::Prospect).map(|m| m.measures.customer_id))
        })
        .expect("members")
        .expect("a prospect");
    let prospects = |db: &Database| -> i64 {
        db.with_conn(|c| {
            Ok(c.query_row("SELECT sum(members) FROM evaluation_cells WHERE lifecycle = 'prospect'", [], |r| r.get(0))?)
        })
        .expect("prospects")
    };
    let before = prospects(&db);
    let input = headtail_core::orders::OrderInput {
        customer_id: prospect,
        external_id: None,
        ordered_on: as_of(),
        amount_minor: 5_000_000,
        currency: None,
        cost_minor: None,
        channel: None,
        lines: Vec::new(),
    };
    headtail_core::orders::record(&db, input, as_of()).expect("order");
    assert_eq!(prospects(&db), before - 1);
    let (stored, counted) = cells(&db);
    assert_eq!(stored, counted);
    codes_match_members(&db);
    let query = CustomerQuery { lifecycles: vec![Lifecycle::Prospect], ..CustomerQuery::default() };
    let page = db.with_conn(|c| customers::list(c, &query)).expect("list");
    assert_eq!(i64::from(page.total), before - 1);

    // Runs beyond those kept take their cells with them.
    let mut input = db.with_conn(store::settings).expect("settings").input().clone();
    input.keep_runs = 1;
    db.with_conn(|c| store::save_settings(c, &input)).expect("keep one run");
    store::run(&db, as_of(), Trigger::Manual, &mut |_, _| {}).expect("second run");
    let (stored, counted) = cells(&db);
    assert_eq!(stored, counted);
    codes_match_members(&db);
    assert_eq!(stored.iter().map(|c| c.0).collect::<std::collections::BTreeSet<_>>().len(), 1);
}

#[test]
fn a_database_saved_before_the_cells_gets_them_and_its_answers_their_owners() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.sqlite");
    {
        let conn = crate::database_at_version(&path, 19);
        let member = |run: i64, customer: i64, tier: &str, segment: &str, lifecycle: &str| {
            conn.execute(
                "INSERT INTO evaluation_members (run_id, customer_id, purchase_days, span_days, frequency, monetary_minor,
                    contribution_minor, historical_clv_minor, window_margin_minor, window_service_cost_minor,
                    previous_window_revenue_minor, is_kol, referrals, open_complaints, categories, returned_after_churn,
                    low_value_runs_before, exit_runs_before, segment, tier, potential_head, influential, lifecycle,
                    service_level, low_value_runs, exit_runs)
                 VALUES (?1, ?2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?3, ?4, 0, 0, ?5, 'standard', 0, 0)",
                rusqlite::params![run, customer, segment, tier, lifecycle],
            )
            .expect("member at version 19");
        };
        conn.execute_batch(
            "INSERT INTO customers (id, name, kind, owner, name_key, created_at, updated_at) VALUES
                 (1, '张伟', 'person', '王磊', '张伟', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                 (2, '李娜', 'person', NULL, '李娜', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                 (5, '王芳', 'person', '王磊', '王芳', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
             INSERT INTO evaluation_runs (id, as_of, started_at, finished_at, trigger, currency, settings, model, summary,
                                          customers, seconds, complete)
                 VALUES (1, '2026-02-28', '', '', 'manual', 'CNY', '{}', '{}', '{}', 3, 0, 1);
             INSERT INTO surveys (id, kind, name, created_at) VALUES (1, 'nps', 'NPS', '2026-01-01T00:00:00Z');
             INSERT INTO survey_responses (survey_id, customer_id, responded_on, score) VALUES
                 (1, 1, '2026-02-01', 9), (1, 2, '2026-02-02', 3), (1, 5, '2026-03-01', 10);",
        )
        .expect("rows at version 19");
        member(1, 1, "a", "champions", "loyal");
        member(1, 2, "c", "hibernating", "churned");
        member(1, 5, "a", "champions", "loyal");
    }
    let db = Database::open(&path).expect("migrated");
    let (stored, counted) = cells(&db);
    assert_eq!(stored, counted);
    assert_eq!(stored.len(), 2);
    codes_match_members(&db);
    let results = db
        .with_conn(|c| headtail_core::surveys::survey_results(c, 1, &headtail_core::surveys::ResultsQuery::default()))
        .expect("results");
    let groups = |g: &[headtail_core::surveys::ScoreGroup]| -> Vec<(Option<String>, u32)> {
        g.iter().map(|g| (g.key.clone(), g.score.responses)).collect()
    };
    assert_eq!(groups(&results.by_owner), [(Some("王磊".into()), 2), (None, 1)]);
    assert_eq!(groups(&results.by_tier), [(Some("a".into()), 2), (Some("c".into()), 1)]);
    let query = CustomerQuery { tiers: vec![Tier::A], ..CustomerQuery::default() };
    let page = db.with_conn(|c| customers::list(c, &query)).expect("list");
    assert_eq!((page.total, page.items.iter().map(|c| c.id).collect::<Vec<_>>()), (2, vec![5, 1]));
}
