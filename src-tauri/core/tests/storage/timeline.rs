use crate::{at, customer, date, local, temp_db};
use headtail_core::complaints::{self, ComplaintInput, ComplaintSeverity, ComplaintStatus};
use headtail_core::contacts::{self, ContactInput};
use headtail_core::interactions::{self, InteractionInput, InteractionKind};
use headtail_core::loyalty::{self, LoyaltyEntryInput, LoyaltyKind};
use headtail_core::orders::{self, OrderInput, OrderLineInput};
use headtail_core::service_costs::{self, ServiceCostInput};
use headtail_core::surveys::{self, SurveyKind, SurveyResponseInput};
use headtail_core::timeline::{self, TimelineEntry, TimelineKind, TimelinePage, TimelinePayload, TimelineQuery};
use headtail_core::{Database, Error};

const CHINA: i32 = 8 * 60;

fn call(customer_id: i64, occurred_at: chrono::NaiveDateTime) -> InteractionInput {
    InteractionInput {
        customer_id,
        kind: InteractionKind::Call,
        occurred_at,
        outcome: Some("约了拜访".into()),
        notes: None,
        owner: None,
    }
}

fn order(customer_id: i64, on: chrono::NaiveDate) -> OrderInput {
    OrderInput {
        customer_id,
        external_id: None,
        ordered_on: on,
        amount_minor: 12_800,
        currency: None,
        cost_minor: Some(7_000),
        channel: None,
        lines: vec![
            OrderLineInput { product: "龙井".into(), category: None, quantity: 1, amount_minor: 8_800 },
            OrderLineInput { product: "茶杯".into(), category: None, quantity: 2, amount_minor: 4_000 },
        ],
    }
}

/// One customer with one or more events of every kind, and a neighbour whose events must
/// not show. Returns the customer's id.
fn history(db: &Database) -> i64 {
    let who = customer(db, "张伟");
    let neighbour = customer(db, "李娜");
    db.with_tx(|tx| {
        // Added 09:30 UTC on 1 March: 17:30 in China.
        contacts::create(tx, ContactInput { is_primary: true, ..ContactInput::named(who, "王秘书") }, at(1))?;
        let sold = orders::create(tx, order(who, date(3, 2)))?;
        loyalty::create(
            tx,
            LoyaltyEntryInput {
                customer_id: who,
                occurred_on: date(3, 2),
                kind: LoyaltyKind::Earn,
                points: 128,
                order_id: Some(sold.id),
                notes: None,
                referred_customer_id: None,
            },
        )?;
        service_costs::create(
            tx,
            ServiceCostInput {
                customer_id: who,
                occurred_on: date(3, 2),
                minutes: Some(30),
                amount_minor: 0,
                currency: None,
                notes: None,
            },
        )?;
        interactions::create(tx, call(who, local(3, 3, 10, 0)))?;
        interactions::create(tx, InteractionInput { kind: InteractionKind::Email, ..call(who, local(3, 3, 10, 0)) })?;
        let complaint = complaints::create(
            tx,
            ComplaintInput {
                customer_id: who,
                opened_at: local(3, 4, 9, 0),
                category: "物流".into(),
                severity: ComplaintSeverity::High,
                status: ComplaintStatus::Open,
                description: Some("包裹破损".into()),
                resolved_at: None,
                resolution: None,
                first_response_at: None,
            },
        )?;
        complaints::resolve(tx, complaint.id, local(3, 5, 15, 0), "补发新包裹")?;
        surveys::create(
            tx,
            SurveyResponseInput {
                customer_id: who,
                kind: SurveyKind::Nps,
                survey_id: None,
                responded_on: date(3, 5),
                score: 7,
                comment: None,
            },
            at(5),
        )?;
        orders::create(tx, order(neighbour, date(3, 9)))?;
        interactions::create(tx, call(neighbour, local(3, 9, 9, 0)))?;
        Ok(())
    })
    .expect("build the history");
    who
}

fn page(db: &Database, customer_id: i64, query: &TimelineQuery) -> TimelinePage {
    db.with_conn(|c| timeline::list(c, customer_id, query)).expect("timeline")
}

fn shape(entries: &[TimelineEntry]) -> Vec<(&str, TimelineKind)> {
    entries.iter().map(|e| (e.at.as_str(), e.kind)).collect()
}

#[test]
fn every_kind_of_event_shows_newest_first_with_a_stable_order_for_equal_times() {
    let (_dir, db) = temp_db();
    let who = history(&db);
    let all = page(&db, who, &TimelineQuery { utc_offset_minutes: CHINA, ..Default::default() });
    assert_eq!(all.total, 9, "nine events: the neighbour's are not counted");
    assert_eq!(all.next, None, "everything fits on the default page");
    assert_eq!(
        shape(&all.items),
        vec![
            ("2026-03-05T15:00:00", TimelineKind::ComplaintResolved),
            // A date sorts as the start of its day, below that day's timed events.
            ("2026-03-05", TimelineKind::SurveyResponse),
            ("2026-03-04T09:00:00", TimelineKind::ComplaintOpened),
            ("2026-03-03T10:00:00", TimelineKind::Interaction),
            ("2026-03-03T10:00:00", TimelineKind::Interaction),
            // Same date: points above the service cost above the order they follow.
            ("2026-03-02", TimelineKind::Loyalty),
            ("2026-03-02", TimelineKind::ServiceCost),
            ("2026-03-02", TimelineKind::Order),
            ("2026-03-01T17:30:00", TimelineKind::ContactAdded),
        ],
    );
    let (email, call) = (&all.items[3], &all.items[4]);
    assert!(email.id > call.id, "equal times and kinds: the higher id (entered later) first");
    assert!(
        matches!(email.payload, TimelinePayload::Interaction { interaction_kind: InteractionKind::Email, .. }),
        "the later entry is the email, got {:?}",
        email.payload
    );
    let again = page(&db, who, &TimelineQuery { utc_offset_minutes: CHINA, ..Default::default() });
    assert_eq!(again, all, "the same query gives the same order");
}

#[test]
fn each_entry_carries_what_the_ui_shows_for_its_kind() {
    let (_dir, db) = temp_db();
    let who = history(&db);
    let all = page(&db, who, &TimelineQuery { utc_offset_minutes: CHINA, ..Default::default() }).items;
    let payload = |kind| &all.iter().find(|e| e.kind == kind).expect("entry of kind").payload;
    assert_eq!(
        payload(TimelineKind::Order),
        &TimelinePayload::Order {
            external_id: None,
            amount_minor: 12_800,
            currency: "CNY".into(),
            cost_minor: Some(7_000),
            channel: None,
            status: None,
            line_count: 2
        }
    );
    assert!(
        matches!(
            payload(TimelineKind::Interaction),
            TimelinePayload::Interaction { outcome: Some(o), .. } if o == "约了拜访"
        ),
        "an interaction shows its outcome"
    );
    assert!(
        matches!(
            payload(TimelineKind::ComplaintResolved),
            TimelinePayload::ComplaintResolved { resolution_hours, status: ComplaintStatus::Resolved, .. } if *resolution_hours == 30.0
        ),
        "09:00 on the 4th to 15:00 on the 5th is 30 hours"
    );
    assert!(matches!(
        payload(TimelineKind::ComplaintOpened),
        TimelinePayload::ComplaintOpened { description: Some(d), severity: ComplaintSeverity::High, .. } if d == "包裹破损"
    ));
    assert!(matches!(
        payload(TimelineKind::SurveyResponse),
        TimelinePayload::SurveyResponse { survey_kind: SurveyKind::Nps, score: 7, .. }
    ));
    assert!(matches!(payload(TimelineKind::Loyalty), TimelinePayload::Loyalty { points: 128, order_id: Some(_), .. }));
    assert!(matches!(payload(TimelineKind::ServiceCost), TimelinePayload::ServiceCost { minutes: Some(30), .. }));
    assert!(matches!(
        payload(TimelineKind::ContactAdded),
        TimelinePayload::ContactAdded { name, is_primary: true, .. } if name == "王秘书"
    ));

    let json = serde_json::to_value(&all[0]).expect("serialise");
    assert_eq!(json["kind"], "complaint_resolved");
    assert_eq!(json["payload"]["type"], "complaint_resolved", "the payload names its kind for the UI");
    assert_eq!(json["payload"]["resolution_hours"], 30.0);
    let back: TimelineEntry = serde_json::from_value(json).expect("deserialise");
    assert_eq!(back, all[0], "entries survive the trip to the UI and back");
}

#[test]
fn pages_follow_the_cursor_without_gaps_or_overlap_even_when_events_are_added() {
    let (_dir, db) = temp_db();
    let who = history(&db);
    let everything = page(&db, who, &TimelineQuery { utc_offset_minutes: CHINA, ..Default::default() }).items;

    let query = |before| TimelineQuery { before, limit: 4, utc_offset_minutes: CHINA, ..Default::default() };
    let first = page(&db, who, &query(None));
    assert_eq!(first.items.len(), 4);
    assert_eq!(first.total, 9, "the total is the whole timeline's");
    // Something new arrives while the user reads the first page; it must not shift the next.
    let news = call(who, local(3, 20, 9, 0));
    db.with_tx(|tx| interactions::create(tx, news)).expect("new interaction");
    let second = page(&db, who, &query(first.next.clone()));
    let third = page(&db, who, &query(second.next.clone()));
    assert_eq!(second.items.len(), 4);
    assert_eq!(third.items.len(), 1);
    assert_eq!(third.next, None, "the last page has no next cursor");
    assert_eq!(third.total, 10, "the total counts the new event");

    let paged: Vec<TimelineEntry> = [first.items, second.items, third.items].concat();
    assert_eq!(paged, everything, "the pages together are the whole timeline as it was, in order");
}

#[test]
fn kinds_filter_the_entries_and_the_total() {
    let (_dir, db) = temp_db();
    let who = history(&db);
    let complaints_only = TimelineQuery {
        kinds: vec![TimelineKind::ComplaintOpened, TimelineKind::ComplaintResolved],
        ..Default::default()
    };
    let found = page(&db, who, &complaints_only);
    assert_eq!(found.total, 2);
    assert_eq!(
        found.items.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![TimelineKind::ComplaintResolved, TimelineKind::ComplaintOpened]
    );
    let orders_only = page(&db, who, &TimelineQuery { kinds: vec![TimelineKind::Order], ..Default::default() });
    assert_eq!((orders_only.total, orders_only.items.len()), (1, 1));
}

#[test]
fn contacts_are_placed_at_the_local_time_they_were_added() {
    let (_dir, db) = temp_db();
    let who = history(&db);
    let contact_at = |offset| {
        page(
            &db,
            who,
            &TimelineQuery {
                kinds: vec![TimelineKind::ContactAdded],
                utc_offset_minutes: offset,
                ..Default::default()
            },
        )
        .items[0]
            .at
            .clone()
    };
    assert_eq!(contact_at(0), "2026-03-01T09:30:00", "UTC as stored");
    assert_eq!(contact_at(CHINA), "2026-03-01T17:30:00", "China is 8 hours ahead");
    assert_eq!(contact_at(-5 * 60), "2026-03-01T04:30:00", "and New York 5 behind");
    let err = db
        .with_conn(|c| timeline::list(c, who, &TimelineQuery { utc_offset_minutes: 15 * 60, ..Default::default() }))
        .expect_err("no such offset");
    assert!(matches!(err, Error::InvalidArgument(_)), "got {err:?}");
}

#[test]
fn a_customer_without_activity_has_an_empty_timeline() {
    let (_dir, db) = temp_db();
    let quiet = customer(&db, "新客户");
    let empty = page(&db, quiet, &TimelineQuery::default());
    assert_eq!((empty.items.len(), empty.total, empty.next), (0, 0, None));
}
