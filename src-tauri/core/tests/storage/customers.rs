use crate::{at, customer, found, temp_db};
use headtail_core::customers::{self, CustomerInput, CustomerKind, CustomerQuery, CustomerSort};
use headtail_core::error::Rule;
use headtail_core::{search, Database, Error};

fn input(name: &str) -> CustomerInput {
    CustomerInput::named(name)
}

fn add(db: &Database, customer: CustomerInput) -> i64 {
    db.with_tx(|tx| customers::create(tx, customer, at(1))).expect("create").id
}

fn names(db: &Database, query: &CustomerQuery) -> Vec<String> {
    db.with_conn(|c| customers::list(c, query)).expect("list").items.into_iter().map(|c| c.name).collect()
}

#[test]
fn create_then_get_returns_the_trimmed_profile() {
    let (_dir, db) = temp_db();
    let id = add(
        &db,
        CustomerInput {
            company: Some("  深圳市华强电子有限公司 ".into()),
            email: Some(" zhang.wei@huaqiang.cn ".into()),
            phone: Some("138 0013 8000".into()),
            notes: Some("   ".into()),
            ..input(" 张伟 ")
        },
    );
    let c = db.with_conn(|c| customers::get(c, id)).expect("get");
    assert_eq!(c.name, "张伟");
    assert_eq!(c.company.as_deref(), Some("深圳市华强电子有限公司"));
    assert_eq!(c.email.as_deref(), Some("zhang.wei@huaqiang.cn"));
    assert_eq!(c.notes, None, "blank optional text is stored as nothing");
    assert_eq!(c.created_at, "2026-03-01T09:30:00.000Z");
    assert_eq!(c.deleted_at, None);
}

#[test]
fn an_invalid_customer_is_rejected_with_every_field_and_nothing_is_written() {
    let (_dir, db) = temp_db();
    let err = db
        .with_tx(|tx| {
            customers::create(
                tx,
                CustomerInput { email: Some("not-an-email".into()), phone: Some("12ab".into()), ..input("  ") },
                at(1),
            )
        })
        .expect_err("invalid");
    let Error::Validation(fields) = err else { panic!("expected a validation error, got {err:?}") };
    let rules: Vec<(&str, Rule)> = fields.iter().map(|f| (f.field.as_str(), f.rule)).collect();
    assert_eq!(rules, vec![("name", Rule::Required), ("email", Rule::InvalidEmail), ("phone", Rule::InvalidPhone)]);
    assert_eq!(db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("list").total, 0);
}

#[test]
fn update_replaces_the_profile_and_moves_updated_at() {
    let (_dir, db) = temp_db();
    let id = add(&db, input("李娜"));
    let updated = db
        .with_tx(|tx| {
            customers::update(tx, id, CustomerInput { region: Some("广东".into()), ..input("李娜 (采购)") }, at(5))
        })
        .expect("update");
    assert_eq!(updated.name, "李娜 (采购)");
    assert_eq!(updated.region.as_deref(), Some("广东"));
    assert_eq!(updated.created_at, "2026-03-01T09:30:00.000Z");
    assert_eq!(updated.updated_at, "2026-03-05T09:30:00.000Z");
}

#[test]
fn a_failed_update_leaves_the_customer_as_it_was() {
    let (_dir, db) = temp_db();
    let id = add(&db, CustomerInput { email: Some("a@b.cn".into()), ..input("王芳") });
    let before = db.with_conn(|c| customers::get(c, id)).expect("get");
    let err = db
        .with_tx(|tx| customers::update(tx, id, CustomerInput { email: Some("bad@".into()), ..input("王芳2") }, at(2)))
        .expect_err("invalid email");
    assert!(matches!(err, Error::Validation(_)));
    assert_eq!(db.with_conn(|c| customers::get(c, id)).expect("get"), before);
}

#[test]
fn updating_or_deleting_a_missing_customer_is_not_found() {
    let (_dir, db) = temp_db();
    let err = db.with_tx(|tx| customers::update(tx, 42, input("x"), at(1))).expect_err("missing");
    assert!(matches!(err, Error::NotFound { id: 42, .. }));
    assert!(matches!(db.with_tx(|tx| customers::soft_delete(tx, 42, at(1))), Err(Error::NotFound { .. })));
    assert!(matches!(db.with_tx(|tx| customers::restore(tx, 42)), Err(Error::NotFound { .. })));
}

#[test]
fn soft_delete_moves_to_trash_and_restore_brings_back() {
    let (_dir, db) = temp_db();
    let keep = add(&db, input("保留"));
    let gone = add(&db, input("删除"));
    let deleted = db.with_tx(|tx| customers::soft_delete(tx, gone, at(3))).expect("delete");
    assert_eq!(deleted.deleted_at.as_deref(), Some("2026-03-03T09:30:00.000Z"));
    assert_eq!(names(&db, &CustomerQuery::default()), vec!["保留"]);
    assert_eq!(names(&db, &CustomerQuery { deleted: true, ..Default::default() }), vec!["删除"]);
    assert!(
        matches!(db.with_tx(|tx| customers::soft_delete(tx, gone, at(4))), Err(Error::NotFound { .. })),
        "deleting twice is an error, not a silent no-op"
    );
    assert!(matches!(db.with_tx(|tx| customers::update(tx, gone, input("x"), at(4))), Err(Error::NotFound { .. })));
    db.with_tx(|tx| customers::restore(tx, gone)).expect("restore");
    assert_eq!(names(&db, &CustomerQuery::default()), vec!["保留", "删除"]);
    assert!(matches!(db.with_tx(|tx| customers::restore(tx, keep)), Err(Error::NotFound { .. })));
}

fn sample(db: &Database) {
    add(
        db,
        CustomerInput {
            kind: CustomerKind::Company,
            company: Some("深圳市华强电子有限公司".into()),
            phone: Some("13800138000".into()),
            ..input("张伟")
        },
    );
    add(
        db,
        CustomerInput { email: Some("anna@example.com".into()), owner: Some("Li".into()), ..input("Anna Schmidt") },
    );
    add(
        db,
        CustomerInput {
            kind: CustomerKind::Company,
            company: Some("Acme 100% Ltd".into()),
            owner: Some("Li".into()),
            ..input("bob")
        },
    );
}

#[test]
fn search_matches_part_of_name_company_phone_or_email() {
    let (_dir, db) = temp_db();
    sample(&db);
    let search = |term: &str| names(&db, &CustomerQuery { search: Some(term.into()), ..Default::default() });
    assert_eq!(search("华强"), vec!["张伟"]);
    assert_eq!(search("张"), vec!["张伟"]);
    assert_eq!(search("0013"), vec!["张伟"]);
    assert_eq!(search("EXAMPLE.com"), vec!["Anna Schmidt"], "ASCII search ignores case");
    assert_eq!(search("100%"), vec!["bob"], "% is a literal, not a wildcard");
    assert!(search("_").is_empty(), "_ is a literal, not a wildcard");
    assert_eq!(search("   ").len(), 3, "a blank search shows everyone");
}

#[test]
fn filters_by_kind_and_owner() {
    let (_dir, db) = temp_db();
    sample(&db);
    assert_eq!(
        names(&db, &CustomerQuery { kind: Some(CustomerKind::Company), ..Default::default() }),
        vec!["bob", "张伟"]
    );
    assert_eq!(
        names(&db, &CustomerQuery { owner: Some("Li".into()), ..Default::default() }),
        vec!["Anna Schmidt", "bob"]
    );
}

#[test]
fn sorts_either_way_with_empty_values_at_the_end_of_ascending_order_and_pages_without_overlap() {
    let (_dir, db) = temp_db();
    sample(&db);
    let by_company =
        |descending| names(&db, &CustomerQuery { sort: CustomerSort::Company, descending, ..Default::default() });
    assert_eq!(by_company(false), vec!["bob", "张伟", "Anna Schmidt"]);
    // Descending order walks the same index backwards, so empty values come first there.
    assert_eq!(by_company(true), vec!["Anna Schmidt", "张伟", "bob"]);

    let page = |offset| {
        db.with_conn(|c| customers::list(c, &CustomerQuery { offset, limit: 2, ..Default::default() })).expect("page")
    };
    let (first, second) = (page(0), page(2));
    assert_eq!(first.total, 3);
    assert_eq!(first.items.len(), 2);
    assert_eq!(second.items.len(), 1);
    assert!(!first.items.iter().any(|c| second.items.iter().any(|d| d.id == c.id)));
}

#[test]
fn the_whole_profile_round_trips_with_tags_and_channels() {
    use headtail_core::customers::{PipelineStage, SalesChannel, SizeClass};
    let (_dir, db) = temp_db();
    let referrer = add(&db, input("老客户"));
    let full = CustomerInput {
        kind: CustomerKind::Company,
        external_id: Some("C-0001".into()),
        size_class: Some(SizeClass::Large),
        industry: Some("电子元器件".into()),
        channels: vec![SalesChannel::PhoneWechat, SalesChannel::Marketplace],
        tags: vec!["重点".into(), "华南".into()],
        source: Some("展会".into()),
        is_kol: true,
        referred_by: Some(referrer),
        needs: Some("稳定供货".into()),
        preferences: Some("月结".into()),
        pipeline_stage: Some(PipelineStage::Won),
        ..input("深圳市华强电子有限公司")
    };
    let id = add(&db, full.clone());
    let stored = db.with_conn(|c| customers::get(c, id)).expect("get");
    let expected = CustomerInput {
        channels: vec![SalesChannel::Marketplace, SalesChannel::PhoneWechat],
        tags: vec!["华南".into(), "重点".into()],
        ..full
    };
    assert_eq!(stored.to_input(), expected, "every field comes back; lists in a stable order");
    let by_tag = names(&db, &CustomerQuery { tag: Some("重点".into()), ..Default::default() });
    assert_eq!(by_tag, vec!["深圳市华强电子有限公司"]);
    assert_eq!(
        names(&db, &CustomerQuery { search: Some("华南".into()), ..Default::default() }),
        by_tag,
        "tags are searchable"
    );
    assert_eq!(
        names(&db, &CustomerQuery { search: Some("c-0001".into()), ..Default::default() }),
        by_tag,
        "external ids are searchable"
    );
}

#[test]
fn external_ids_are_unique_and_referrers_must_exist() {
    let (_dir, db) = temp_db();
    let first = add(&db, CustomerInput { external_id: Some("C-1".into()), ..input("甲") });
    let err = db
        .with_tx(|tx| {
            customers::create(
                tx,
                CustomerInput { external_id: Some("C-1".into()), referred_by: Some(999), ..input("乙") },
                at(1),
            )
        })
        .expect_err("taken id and unknown referrer");
    let Error::Validation(fields) = err else { panic!("validation expected") };
    let rules: Vec<(&str, Rule)> = fields.iter().map(|f| (f.field.as_str(), f.rule)).collect();
    assert_eq!(rules, vec![("external_id", Rule::Taken), ("referred_by", Rule::UnknownReference)]);
    let err = db
        .with_tx(|tx| {
            customers::update(
                tx,
                first,
                CustomerInput { external_id: Some("C-1".into()), referred_by: Some(first), ..input("甲") },
                at(2),
            )
        })
        .expect_err("self reference");
    assert!(
        matches!(err, Error::Validation(f) if f.len() == 1 && f[0].rule == Rule::SelfReference),
        "keeping one's own id is fine; referring to oneself is not"
    );
}

#[test]
fn deleted_customers_leave_the_search_index_and_come_back_on_restore() {
    let (_dir, db) = temp_db();
    let id = add(&db, CustomerInput { company: Some("深圳市华强电子有限公司".into()), ..input("张伟") });
    let find = |term: &str| names(&db, &CustomerQuery { search: Some(term.into()), ..Default::default() });
    assert_eq!(find("华强"), vec!["张伟"]);
    assert_eq!(find("伟"), vec!["张伟"], "a single character at the end of a name");
    assert_eq!(find("华强电子"), vec!["张伟"]);
    assert!(find("强华").is_empty(), "characters in another order do not match");
    db.with_tx(|tx| customers::soft_delete(tx, id, at(2))).expect("delete");
    assert!(find("华强").is_empty());
    assert_eq!(
        names(&db, &CustomerQuery { search: Some("华强".into()), deleted: true, ..Default::default() }),
        vec!["张伟"],
        "the trash has its own search"
    );
    db.with_tx(|tx| customers::restore(tx, id)).expect("restore");
    assert_eq!(find("华强"), vec!["张伟"]);
}

#[test]
fn a_search_is_counted_exactly_and_with_other_filters_up_to_a_cap() {
    use headtail_core::customers::{SearchLimits, COUNT_CAP};
    let (_dir, db) = temp_db();
    db.with_tx(|tx| {
        for i in 0..=COUNT_CAP {
            customers::create(tx, input(&format!("王{i}")), at(1))?;
        }
        customers::create(tx, input("李娜"), at(1))
    })
    .expect("many customers");
    let list = |query: &CustomerQuery, limits: SearchLimits| {
        db.with_conn(|c| customers::list_with(c, query, limits)).expect("list")
    };
    let search = |term: &str| CustomerQuery { search: Some(term.into()), ..Default::default() };
    let broad = list(&search("王"), SearchLimits::default());
    assert_eq!((broad.total, broad.total_exact), (COUNT_CAP + 1, true), "a search alone is counted exactly");
    assert_eq!(broad.items.len(), 50);
    assert!(broad.items.iter().all(|c| c.name.starts_with('王')));
    let names: Vec<&str> = broad.items.iter().map(|c| c.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "a broad search still shows the first page in name order");
    let narrow = list(&search("李"), SearchLimits::default());
    assert_eq!((narrow.total, narrow.total_exact), (1, true));

    // With another filter, matches beyond the sorting limit are counted up to the cap.
    let people = CustomerQuery { kind: Some(CustomerKind::Person), ..search("王") };
    let capped = list(&people, SearchLimits { narrow: 100, filtered: 1_000, ..Default::default() });
    assert_eq!((capped.total, capped.total_exact), (COUNT_CAP, false), "at least the cap");
    assert_eq!(capped.items, broad.items, "the same first page either way");
    let sorted_all = list(&people, SearchLimits::default());
    assert_eq!((sorted_all.total, sorted_all.total_exact), (COUNT_CAP + 1, true));
    let all = db.with_conn(|c| customers::list(c, &CustomerQuery::default())).expect("all");
    assert_eq!((all.total, all.total_exact), (COUNT_CAP + 2, true), "without a search the count is exact");
}

/// A base where a search term matches a share of the customers spread over every sort order,
/// and another term matches only customers at the far end of the name order.
fn plan_base(db: &Database) {
    const SURNAMES: [&str; 6] = ["王", "李", "张", "刘", "陈", "杨"];
    db.with_tx(|tx| {
        for i in 0..240_u32 {
            let matches = i % 3 == 0;
            let late = i % 40 == 7;
            let name = if late { format!("赵{i:03}") } else { format!("{}{i:03}", SURNAMES[(i % 6) as usize]) };
            let company = (i % 4 != 1).then(|| {
                if matches {
                    format!("华强电子{i}号")
                } else {
                    format!("光明贸易{}", i % 17)
                }
            });
            let customer = CustomerInput {
                kind: if i % 2 == 0 { CustomerKind::Company } else { CustomerKind::Person },
                company,
                region: (i % 5 != 0).then(|| ["华南", "华东", "华北", "西南"][(i % 4) as usize].to_owned()),
                owner: (i % 7 != 0).then(|| format!("销售{}", i % 3)),
                tags: if late {
                    vec!["晚到".into()]
                } else if i % 9 == 0 {
                    vec!["重点".into()]
                } else {
                    Vec::new()
                },
                notes: late.then(|| "回访 zhouwei".to_owned()),
                ..input(&name)
            };
            customers::create(tx, customer, at(1 + i % 28))?;
        }
        Ok(())
    })
    .expect("plan base");
}

#[test]
fn every_search_plan_gives_the_same_pages_and_counts() {
    use headtail_core::customers::SearchLimits;
    let (_dir, db) = temp_db();
    plan_base(&db);
    // The default limits sort every match of this small base: the reference. Small limits
    // send the same queries along the sort order's index, through the gathered matches, and
    // (for "zhouwei", all at the end of the name order) past the walk's budget back to sorting.
    let tiny = SearchLimits { narrow: 3, filtered: 5, ..Default::default() };
    let sorts = [
        CustomerSort::Name,
        CustomerSort::Company,
        CustomerSort::Region,
        CustomerSort::Owner,
        CustomerSort::CreatedAt,
        CustomerSort::UpdatedAt,
    ];
    let mut compared = 0;
    for term in ["华强", "华强电子", "zhouwei", "zhou", "光明", "没有"] {
        for sort in sorts {
            for descending in [false, true] {
                for (kind, tag, owner) in [
                    (None, None, None),
                    (Some(CustomerKind::Company), None, None),
                    (None, Some("重点"), None),
                    (Some(CustomerKind::Person), None, Some("销售1")),
                ] {
                    for (offset, limit) in [(0, 0), (0, 7), (7, 7), (30, 10), (500, 10)] {
                        let query = CustomerQuery {
                            search: Some(term.into()),
                            kind,
                            tag: tag.map(str::to_owned),
                            owner: owner.map(str::to_owned),
                            sort,
                            descending,
                            offset,
                            limit,
                            ..Default::default()
                        };
                        let list = |limits| db.with_conn(|c| customers::list_with(c, &query, limits)).expect("list");
                        let reference = list(SearchLimits::default());
                        assert_eq!(list(tiny), reference, "{query:?}");
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(compared, 6 * 6 * 2 * 4 * 5);
    let matches = |term: &str| {
        db.with_conn(|c| customers::list(c, &CustomerQuery { search: Some(term.into()), ..Default::default() }))
            .expect("list")
            .total
    };
    assert_eq!((matches("华强"), matches("zhouwei"), matches("光明")), (60, 6, 120), "the base is as described");
}

#[test]
fn customers_an_import_left_waiting_join_the_search_on_catch_up_once_each() {
    let (_dir, db) = temp_db();
    let ids: Vec<i64> = ["张伟", "李娜", "王芳"].iter().map(|n| customer(&db, n)).collect();
    // As a large import leaves them: customers in the table, their entries still to be made.
    db.with_conn(|c| {
        for id in &ids {
            c.execute("DELETE FROM customer_search WHERE rowid = ?1", [id])?;
            c.execute("INSERT INTO search_pending (customer_id) VALUES (?1)", [id])?;
        }
        Ok(())
    })
    .expect("waiting customers");
    let pending = || db.with_conn(search::pending).expect("pending");
    assert_eq!(pending(), 3);
    assert!(found(&db, "张伟").is_empty(), "not searchable yet");

    // An edit indexes the profile as it is now, and the customer waits no more.
    db.with_tx(|tx| customers::update(tx, ids[1], CustomerInput::named("赵敏"), at(3))).expect("update");
    assert_eq!(found(&db, "赵敏"), vec!["赵敏"]);
    // An erasure leaves nothing of the customer waiting either.
    headtail_core::erase::erase(&db, ids[2], at(4)).expect("erase");
    assert_eq!(pending(), 1);

    assert_eq!(db.with_conn(search::catch_up).expect("catch up"), 1);
    assert_eq!(pending(), 0);
    assert_eq!(found(&db, "张伟"), vec!["张伟"]);
    assert!(found(&db, "李娜").is_empty(), "the old name is nowhere");
    let entries: i64 = db
        .with_conn(|c| {
            Ok(c.query_row("SELECT count(*) FROM customer_search WHERE customer_search MATCH '\"赵敏\"'", [], |r| {
                r.get(0)
            })?)
        })
        .expect("entries");
    assert_eq!(entries, 1, "the edited customer has one entry, not a second from the catch-up");
    assert!(found(&db, "王芳").is_empty());
    assert_eq!(db.with_conn(search::catch_up).expect("nothing left"), 0);
}
