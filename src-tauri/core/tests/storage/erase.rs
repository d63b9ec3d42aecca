use crate::{at, date, found, local, temp_db};
use headtail_core::complaints::{self, ComplaintInput, ComplaintSeverity, ComplaintStatus};
use headtail_core::contacts::{self, ContactInput};
use headtail_core::customers::{self, CustomerInput, CustomerKind};
use headtail_core::erase::{self, placeholder_name};
use headtail_core::follow_ups::{self, FollowUpInput, FollowUpSource};
use headtail_core::interactions::{self, InteractionInput, InteractionKind};
use headtail_core::loyalty::{self, LoyaltyEntryInput, LoyaltyKind};
use headtail_core::orders::{self, OrderInput, OrderLineInput};
use headtail_core::service_costs::{self, ServiceCostInput};
use headtail_core::surveys::{self, SurveyKind, SurveyResponseInput};
use headtail_core::timeline::{self, TimelineKind, TimelineQuery};
use headtail_core::{Database, Error};
use rusqlite::Connection;
use std::path::Path;

/// Everything personal about the customer to erase, as stored, and the parts the search
/// index keeps as separate tokens (a part of the phone number, a word of the email).
const PERSONAL: &[&str] = &[
    "欧阳娜娜",
    "娜娜茶庄",
    "13912345678",
    "2345678",
    "ouyang.nana@example.cn",
    "ouyang",
    "杭州西湖区",
    "VIP-88231",
    "明前龙井爱好者",
    "想要定制礼盒",
    "只在周末收货",
    "老客户专属",
    "司马光明",
    "问她上海的新地址",
    "13700001111",
    "sima.guangming@example.cn",
    "simagm_wx",
    "下周搬家到上海",
    "同意续约",
    "快递员态度差",
    "服务很周到",
    "生日双倍积分",
    "上门送货两次",
    "ORD-NANA-1",
];

fn order(customer_id: i64, external_id: Option<&str>, amount_minor: i64) -> OrderInput {
    OrderInput {
        customer_id,
        external_id: external_id.map(str::to_owned),
        ordered_on: date(3, 2),
        amount_minor,
        currency: None,
        cost_minor: Some(amount_minor / 2),
        channel: None,
        lines: vec![OrderLineInput {
            product: "龙井".into(),
            category: Some("茶叶".into()),
            quantity: 1,
            amount_minor,
        }],
    }
}

/// A customer with personal data in every table that can hold it; returns (erased, kept).
fn populate(db: &Database) -> (i64, i64) {
    db.with_tx(|tx| {
        let kept = customers::create(
            tx,
            CustomerInput { phone: Some("13800138000".into()), email: Some("zhang@huaqiang.cn".into()), ..CustomerInput::named("张伟") },
            at(1),
        )?
        .id;
        let id = customers::create(
            tx,
            CustomerInput {
                kind: CustomerKind::Person,
                company: Some("娜娜茶庄".into()),
                phone: Some("13912345678".into()),
                email: Some("ouyang.nana@example.cn".into()),
                region: Some("杭州西湖区".into()),
                owner: Some("Li".into()),
                notes: Some("明前龙井爱好者".into()),
                external_id: Some("VIP-88231".into()),
                needs: Some("想要定制礼盒".into()),
                preferences: Some("只在周末收货".into()),
                tags: vec!["老客户专属".into()],
                industry: Some("茶饮".into()),
                ..CustomerInput::named("欧阳娜娜")
            },
            at(1),
        )?
        .id;
        contacts::create(
            tx,
            ContactInput {
                phone: Some("13700001111".into()),
                email: Some("sima.guangming@example.cn".into()),
                wechat: Some("simagm_wx".into()),
                ..ContactInput::named(id, "司马光明")
            },
            at(1),
        )?;
        let sold = orders::create(tx, order(id, Some("ORD-NANA-1"), 12_800))?;
        orders::create(tx, order(id, None, 3_200))?;
        orders::create(tx, order(kept, Some("ORD-ZW-1"), 5_000))?;
        interactions::create(
            tx,
            InteractionInput {
                customer_id: id,
                kind: InteractionKind::Visit,
                occurred_at: local(3, 3, 10, 0),
                outcome: Some("同意续约".into()),
                notes: Some("她说下周搬家到上海".into()),
                owner: Some("Li".into()),
            },
        )?;
        follow_ups::schedule(
            tx,
            FollowUpInput {
                customer_id: id,
                due_at: local(3, 10, 9, 0),
                owner: Some("Li".into()),
                reason: Some("问她上海的新地址".into()),
                source: FollowUpSource::Manual,
                interaction_id: None,
                survey_response_id: None,
            },
            at(1),
        )?;
        complaints::create(
            tx,
            ComplaintInput {
                customer_id: id,
                opened_at: local(3, 4, 9, 0),
                category: "物流".into(),
                severity: ComplaintSeverity::Low,
                status: ComplaintStatus::Open,
                description: Some("快递员态度差".into()),
                resolved_at: None,
                resolution: None,
                first_response_at: None,
            },
        )?;
        surveys::create(
            tx,
            SurveyResponseInput {
                customer_id: id,
                kind: SurveyKind::Nps,
                survey_id: None,
                responded_on: date(3, 5),
                score: 9,
                comment: Some("服务很周到".into()),
            },
            at(5),
        )?;
        loyalty::create(
            tx,
            LoyaltyEntryInput {
                customer_id: id,
                occurred_on: date(3, 2),
                kind: LoyaltyKind::Earn,
                points: 256,
                order_id: Some(sold.id),
                notes: Some("生日双倍积分".into()),
                referred_customer_id: None,
            },
        )?;
        service_costs::create(
            tx,
            ServiceCostInput {
                customer_id: id,
                occurred_on: date(3, 6),
                minutes: Some(90),
                amount_minor: 2_000,
                currency: None,
                notes: Some("上门送货两次".into()),
            },
        )?;
        // An import that changed the profile kept a copy of it for reverting.
        tx.execute(
            "INSERT INTO import_batches (id, kind, source_name, started_at) VALUES (1, 'customers', 'crm.csv', '2026-03-01')",
            [],
        )?;
        let snapshot = serde_json::to_string(&customers::get(tx, id)?.to_input()).expect("profile json");
        tx.execute(
            "INSERT INTO import_previous_profiles (batch_id, customer_id, profile) VALUES (1, ?1, ?2)",
            rusqlite::params![id, snapshot],
        )?;
        Ok((id, kept))
    })
    .expect("populate")
}

/// Which of the strings occur anywhere in the database file or its write-ahead log.
fn in_file(path: &Path, needles: &[&str]) -> Vec<String> {
    let mut bytes = std::fs::read(path).expect("read database file");
    if let Ok(wal) = std::fs::read(path.with_extension("sqlite-wal")) {
        bytes.extend(wal);
    }
    needles.iter().filter(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes())).map(|n| (*n).to_owned()).collect()
}

/// Which of the strings occur in any column of any table, read through SQL.
fn in_tables(conn: &Connection, needles: &[&str]) -> Vec<String> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    let mut hits = Vec::new();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .and_then(|mut s| s.query_map([&table], |r| r.get(0))?.collect())
            .expect("columns");
        for column in columns {
            for needle in needles {
                let n: i64 = conn
                    .query_row(
                        &format!("SELECT count(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), ?1) > 0"),
                        [needle],
                        |r| r.get(0),
                    )
                    .expect("scan column");
                if n > 0 {
                    hits.push(format!("{table}.{column}: {needle}"));
                }
            }
        }
    }
    hits
}

fn order_totals(db: &Database) -> Vec<(i64, i64, i64, i64)> {
    db.with_conn(|c| {
        let mut stmt = c.prepare(
            "SELECT customer_id, count(*), sum(amount_minor), sum(cost_minor) FROM orders GROUP BY customer_id ORDER BY customer_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    })
    .expect("order totals")
}

#[test]
fn erasure_leaves_no_personal_string_in_the_file_and_keeps_the_totals() {
    let (dir, db) = temp_db();
    let path = dir.path().join("headtail.sqlite");
    let (id, kept) = populate(&db);
    db.with_conn(|c| Ok(c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?)).expect("checkpoint");
    assert_eq!(
        in_file(&path, PERSONAL),
        PERSONAL.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        "before erasure every string is in the file, so the scan can see them"
    );
    let totals = order_totals(&db);

    let erasure = erase::erase(&db, id, at(9)).expect("erase");
    assert!(erasure.log_cleared, "nothing else was reading, so the log was emptied");

    assert_eq!(in_file(&path, PERSONAL), Vec::<String>::new(), "no personal string is left in the file or its log");
    assert_eq!(db.with_conn(|c| Ok(in_tables(c, PERSONAL))).expect("scan"), Vec::<String>::new(), "nor in any column");
    assert_eq!(order_totals(&db), totals, "order counts, amounts and costs are unchanged");

    let c = erasure.customer;
    assert_eq!(c.name, placeholder_name(id));
    assert_eq!(c.name, format!("erased customer #{id}"));
    assert_eq!(c.erased_at.as_deref(), Some("2026-03-09T09:30:00.000Z"));
    assert_eq!(
        (c.company, c.phone, c.email, c.region, c.owner, c.notes, c.external_id, c.needs, c.preferences),
        (None, None, None, None, None, None, None, None, None)
    );
    assert!(c.tags.is_empty(), "tags are personal too");
    assert_eq!(c.industry.as_deref(), Some("茶饮"), "anonymous attributes stay for the segment charts");
    let keys: (Option<String>, Option<String>, Option<String>) = db
        .with_conn(|conn| {
            Ok(conn.query_row("SELECT phone_key, email_key, name_key FROM customers WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?)
        })
        .expect("keys");
    assert_eq!(keys, (None, None, None), "duplicate keys would match a new customer with the same phone");

    for term in ["欧阳", "娜娜", "13912345678", "ouyang", "司马", "erased"] {
        assert!(found(&db, term).is_empty(), "search must not find the erased customer by {term:?}");
    }
    assert_eq!(found(&db, "张伟"), vec!["张伟"], "other customers are still found");
    assert_eq!(found(&db, "0013"), vec!["张伟"]);
    let kept_customer = db.with_conn(|conn| customers::get(conn, kept)).expect("kept");
    assert_eq!(kept_customer.email.as_deref(), Some("zhang@huaqiang.cn"), "other customers are untouched");

    let survey_score: i64 = db
        .with_conn(|conn| {
            Ok(conn.query_row("SELECT score FROM survey_responses WHERE customer_id = ?1", [id], |r| r.get(0))?)
        })
        .expect("score");
    assert_eq!(survey_score, 9, "scores stay for NPS");
    assert_eq!(db.with_conn(|conn| loyalty::balance(conn, id)).expect("balance"), 256, "points stay");
    let kinds: Vec<TimelineKind> = db
        .with_conn(|conn| timeline::list(conn, id, &TimelineQuery::default()))
        .expect("timeline")
        .items
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(!kinds.contains(&TimelineKind::ContactAdded), "the contacts are gone");
    assert!(kinds.contains(&TimelineKind::FollowUpScheduled), "the follow-up stays, without its reason");
    assert_eq!(kinds.iter().filter(|k| **k == TimelineKind::Order).count(), 2, "the orders stay on the timeline");
}

#[test]
fn erase_customer_restores_the_secure_delete_setting_it_turned_on() {
    let (dir, db) = temp_db();
    let (id, _) = populate(&db);
    drop(db);
    // One plain connection, so every check sees the same per-connection setting.
    let conn = Connection::open(dir.path().join("headtail.sqlite")).expect("open");
    let secure = |c: &Connection| -> i64 { c.query_row("PRAGMA secure_delete", [], |r| r.get(0)).expect("pragma") };
    assert_eq!(secure(&conn), 0, "SQLite's default is off");
    erase::erase_customer(&conn, id, at(9)).expect("erase");
    // The file scan of the first test shows the setting took effect during the erasure.
    assert_eq!(secure(&conn), 0, "restored afterwards, so ordinary edits keep their speed");

    conn.pragma_update(None, "secure_delete", 1).expect("turn on");
    erase::erase_customer(&conn, id, at(9)).expect("erase again");
    assert_eq!(secure(&conn), 1, "a connection that had it on keeps it on");
    conn.pragma_update(None, "secure_delete", 0).expect("turn off");
    let err = erase::erase_customer(&conn, 404, at(9)).expect_err("missing");
    assert!(matches!(err, Error::NotFound { entity: "customer", id: 404 }), "got {err:?}");
    assert_eq!(secure(&conn), 0, "restored after a failed erasure too");
}

#[test]
fn erasing_twice_keeps_the_first_erasure_time() {
    let (_dir, db) = temp_db();
    let (id, _) = populate(&db);
    erase::erase(&db, id, at(9)).expect("first");
    let again = erase::erase(&db, id, at(10)).expect("second").customer;
    assert_eq!(again.erased_at.as_deref(), Some("2026-03-09T09:30:00.000Z"));
    assert!(
        matches!(
            db.with_tx(|tx| customers::update(tx, id, CustomerInput::named("欧阳娜娜"), at(11))),
            Err(Error::NotFound { .. })
        ),
        "an erased profile cannot be filled in again"
    );
}
