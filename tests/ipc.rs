//! IPC through Tauri's mock runtime: the real command layer on a real database file, no window.

#[path = "support/mock_ipc.rs"]
mod mock_ipc;

use mock_ipc::MockApp;
use serde_json::{json, Value};

struct App {
    _dir: tempfile::TempDir,
    mock: MockApp,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let mock = MockApp::open(&dir.path().join("ipc.sqlite"));
    App { _dir: dir, mock }
}

impl App {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.mock.call(cmd, args)
    }

    fn total(&self) -> u64 {
        let page = self.call("list_customers", json!({"query": query("")})).expect("list");
        page["total"].as_u64().expect("total")
    }
}

fn query(search: &str) -> Value {
    json!({"search": search, "kind": null, "owner": null, "sort": "name", "descending": false,
           "deleted": false, "offset": 0, "limit": 50})
}

fn customer(name: &str, email: &str) -> Value {
    json!({"name": name, "kind": "company", "company": "深圳市华强电子有限公司", "phone": "13800138000",
           "email": email, "region": null, "owner": null, "notes": null})
}

#[test]
fn create_search_delete_and_restore_through_ipc() {
    let app = app();
    let created = app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("create");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["name"], "张伟");

    let found = app.call("list_customers", json!({"query": query("华强")})).expect("search");
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["company"], "深圳市华强电子有限公司");

    app.call("delete_customer", json!({"id": id})).expect("delete");
    assert_eq!(app.total(), 0);
    let restored = app.call("restore_customer", json!({"id": id})).expect("restore");
    assert_eq!(restored["deleted_at"], Value::Null);
    assert_eq!(app.total(), 1);
}

#[test]
fn a_validation_error_arrives_as_code_message_and_field_details() {
    let app = app();
    let err = app.call("create_customer", json!({"input": customer("张伟", "zhang@@example")})).expect_err("bad email");
    assert_eq!(err["code"], "validation");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("email")), "message names the field: {err}");
    assert_eq!(err["details"]["fields"], json!([{"field": "email", "rule": "invalid_email", "limit": null}]));
    assert_eq!(app.total(), 0, "a refused create writes nothing");
}

#[test]
fn a_missing_customer_is_a_not_found_error_with_its_id() {
    let app = app();
    let err = app.call("update_customer", json!({"id": 7, "input": customer("x", "x@y.cn")})).expect_err("missing");
    assert_eq!(err["code"], "not_found");
    assert_eq!(err["details"]["params"]["id"], "7");
}

#[test]
fn malformed_arguments_are_refused_and_change_nothing() {
    let app = app();
    let err = app.call("create_customer", json!({"input": {"name": 5, "kind": "alien"}})).expect_err("malformed");
    assert!(err.as_str().is_some_and(|m| m.contains("input")), "Tauri names the bad argument: {err}");
    let err = app.call("delete_customer", json!({"id": "one"})).expect_err("malformed id");
    assert!(err.as_str().is_some(), "got {err}");
    assert_eq!(app.total(), 0);
}

#[test]
fn the_language_choice_is_remembered() {
    let app = app();
    assert_eq!(app.call("get_language", json!({})).expect("get"), Value::Null);
    app.call("set_language", json!({"language": "zh-CN"})).expect("set");
    assert_eq!(app.call("get_language", json!({})).expect("get"), "zh-CN");
    assert!(app.call("set_language", json!({"language": "fr"})).is_err(), "only known languages");
}

#[test]
fn a_database_that_cannot_open_is_reported_by_app_info_and_by_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("newer.sqlite");
    let newer = headtail_core::db::schema_version() + 1;
    rusqlite::Connection::open(&path)
        .expect("create")
        .execute_batch(&format!("PRAGMA user_version = {newer}"))
        .expect("version");
    let app = App { mock: MockApp::open(&path), _dir: dir };
    let info = app.call("app_info", json!({})).expect("app_info always answers");
    assert_eq!(info["startup_error"]["code"], "database_too_new");
    assert_eq!(info["startup_error"]["details"]["params"]["found"], newer.to_string());
    let err = app.call("list_customers", json!({"query": query("")})).expect_err("no database");
    assert_eq!(err["code"], "database_too_new");
}

#[test]
fn the_demo_database_opens_beside_the_own_one_and_closes_again() {
    let app = app();
    app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("create");
    let summary = app.call("open_demo", json!({})).expect("open demo");
    assert_eq!(summary["customers"], 2000);
    let info = app.call("app_info", json!({})).expect("info");
    assert_eq!(info["is_demo"], true);
    assert!(info["db_path"].as_str().is_some_and(|p| p.ends_with("headtail-demo.sqlite")), "{info}");
    assert_eq!(app.total(), 2000);
    let refused = app.call("create_backup", json!({})).expect_err("no backups of the demo");
    assert_eq!(refused["code"], "conflict");

    app.call("close_demo", json!({})).expect("close demo");
    assert_eq!(app.call("app_info", json!({})).expect("info")["is_demo"], false);
    assert_eq!(app.total(), 1, "the own database is untouched by the demo");
    let again = app.call("open_demo", json!({})).expect("reopen demo");
    assert_eq!(again["customers"], 0, "an existing demo database is reused, not filled twice");
}

#[test]
fn a_profile_gathers_contacts_and_a_timeline_and_backups_restore_by_name_only() {
    let app = app();
    let id = app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("create")["id"]
        .as_i64()
        .expect("id");
    app.call(
        "create_contact",
        json!({"input": {"customer_id": id, "name": "李娜", "title": "采购经理", "phone": null,
        "email": null, "wechat": null, "is_primary": true, "notes": null}}),
    )
    .expect("contact");
    app.call(
        "create_order",
        json!({"input": {"customer_id": id, "external_id": "SO-1", "ordered_on": "2026-03-02",
        "amount_minor": 123450, "currency": "CNY", "cost_minor": null, "channel": "store",
        "lines": [{"product": "焊台", "category": "工具耗材", "quantity": 1, "amount_minor": 123450}]}}),
    )
    .expect("order");
    let timeline = app
        .call(
            "customer_timeline",
            json!({"customerId": id, "query": {"before": null, "limit": 10, "kinds": [], "utc_offset_minutes": 480}}),
        )
        .expect("timeline");
    let kinds: Vec<&str> =
        timeline["items"].as_array().expect("items").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(kinds.contains(&"order") && kinds.contains(&"contact_added"), "{timeline}");
    assert_eq!(app.call("list_contacts", json!({"customerId": id})).expect("contacts")[0]["name"], "李娜");

    let backup = app.call("create_backup", json!({})).expect("backup");
    let name = backup["file_name"].as_str().expect("name").to_owned();
    let listed = app.call("list_backups", json!({})).expect("list");
    assert!(listed.as_array().expect("array").iter().any(|b| b["file_name"] == name.as_str()));
    let err = app.call("restore_backup", json!({"fileName": "../../etc/passwd"})).expect_err("not a backup");
    assert_eq!(err["code"], "not_found");
    assert_eq!(err["details"]["params"], json!({"entity": "file", "name": "../../etc/passwd"}));

    let erased = app.call("erase_customer", json!({"id": id})).expect("erase");
    assert_ne!(erased["name"], "张伟");
    assert_eq!(app.call("list_customers", json!({"query": query("张伟")})).expect("search")["total"], 0);
}

#[test]
fn a_file_previews_without_writing_and_a_list_exports_with_chinese_headers() {
    let app = app();
    app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("create");
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("客户.csv");
    std::fs::write(&csv, "客户名称,手机号码,电子邮箱\n李娜,13900139000,lina@example.cn\n").expect("write");
    let options = json!({"kind": "customers", "mode": "create", "mapping": {}, "day_first": null, "skip_bad_rows": false,
                         "dry_run": false, "read": {}, "default_currency": null});
    let preview = app.call("preview_import", json!({"path": csv, "options": options})).expect("preview");
    assert_eq!(preview["headers"], json!(["客户名称", "手机号码", "电子邮箱"]));
    assert_eq!(preview["rows"][0][0], "李娜");
    assert_eq!(app.total(), 1, "a preview writes nothing");
    assert_eq!(app.call("list_import_batches", json!({})).expect("batches"), json!([]));

    let out = dir.path().join("export.csv");
    let exported = app
        .call(
            "export_customers",
            json!({"selection": {"query": query("")}, "format": "csv", "language": "zh-CN", "path": out}),
        )
        .expect("export");
    assert_eq!(exported["rows"], 1);
    let text = std::fs::read_to_string(&out).expect("read export");
    assert!(text.starts_with('\u{feff}'), "UTF-8 with BOM for Excel");
    assert!(text.contains("客户名称") && text.contains("张伟"), "{text}");
}

#[test]
fn a_new_order_and_imported_orders_bring_the_standing_up_to_date() {
    let app = app();
    let ids: Vec<i64> = ["张伟", "李娜"]
        .iter()
        .map(|name| {
            app.call("create_customer", json!({"input": customer(name, "x@example.cn")})).expect("create")["id"]
                .as_i64()
                .expect("id")
        })
        .collect();
    let order = |id: i64, on: &str| {
        json!({"input": {"customer_id": id, "external_id": null, "ordered_on": on, "amount_minor": 10_000,
               "currency": null, "cost_minor": null, "channel": null, "lines": []}})
    };
    for &id in &ids {
        app.call("create_order", order(id, "2026-01-05")).expect("order");
    }
    // A run, as the Segments page would start it.
    let info = app.call("app_info", json!({})).expect("info");
    let db = headtail_core::Database::open(std::path::Path::new(info["db_path"].as_str().expect("path"))).expect("db");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).expect("date");
    headtail_core::evaluation::store::run(
        &db,
        as_of,
        headtail_core::evaluation::store::Trigger::Manual,
        &mut |_, _| {},
    )
    .expect("run");
    let purchase_days = |id: i64| {
        let standing = app.call("customer_standing", json!({"customerId": id})).expect("standing");
        standing["member"]["measures"]["purchase_days"].as_u64().expect("purchase days")
    };
    assert_eq!((purchase_days(ids[0]), purchase_days(ids[1])), (1, 1));

    app.call("create_order", order(ids[0], "2026-02-10")).expect("new order");
    assert_eq!((purchase_days(ids[0]), purchase_days(ids[1])), (2, 1), "the order form");

    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("订单.csv");
    std::fs::write(&csv, "客户名称,下单日期,金额\n李娜,2026-02-11,20\n").expect("write");
    let options = json!({"kind": "orders", "mode": "create", "mapping": {}, "day_first": null, "skip_bad_rows": false,
                         "dry_run": false, "read": {}, "default_currency": null});
    let report = app
        .call("run_import", json!({"path": csv, "options": options, "onProgress": "__CHANNEL__:1"}))
        .expect("import");
    assert_eq!(report["status"], "imported");
    assert_eq!((purchase_days(ids[0]), purchase_days(ids[1])), (2, 2), "an import");
}

#[test]
fn failures_arrive_with_the_code_of_their_kind() {
    let app = app();
    let dir = tempfile::tempdir().expect("temp dir");
    let options = json!({"kind": "customers", "mode": "create", "mapping": {}, "day_first": null, "skip_bad_rows": false,
                         "dry_run": false, "read": {}, "default_currency": null});
    let missing = dir.path().join("gone.csv");
    let err = app.call("preview_import", json!({"path": missing, "options": options})).expect_err("no file");
    assert_eq!((err["code"].as_str(), err["details"]["params"]["entity"].as_str()), (Some("not_found"), Some("file")));

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").expect("write");
    let err = app.call("preview_import", json!({"path": empty, "options": options})).expect_err("empty file");
    assert_eq!(err["code"], "unreadable_file", "{err}");
    assert!(err["details"]["params"]["reason"].as_str().is_some_and(|r| r.contains("no header row")), "{err}");

    let query = json!({"before": null, "limit": 10, "kinds": [], "utc_offset_minutes": 100_000});
    let err = app.call("customer_timeline", json!({"customerId": 1, "query": query})).expect_err("bad offset");
    assert_eq!(err["code"], "invalid_argument");

    app.call("open_demo", json!({})).expect("open demo");
    let err = app.call("restore_backup", json!({"fileName": "x.sqlite"})).expect_err("the demo has no backups");
    assert_eq!(err["code"], "conflict");
}

fn headtail(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_headtail"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("HEADTAIL_DB")
        .output()
        .expect("run headtail")
}

/// The app and the command line on one database, as two processes: a scheduled
/// `headtail evaluate` is refused while the app's evaluation holds the database's lease (and
/// leaves its run alone), and an import from the command line shows in the open app.
#[test]
fn the_app_and_the_command_line_share_one_database() {
    let app = app();
    let path = app._dir.path().join("ipc.sqlite");
    let db = path.to_str().expect("path").to_owned();
    app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("create");

    // The app holding the evaluation lease, as while its own run is being saved.
    let own = headtail_core::Database::open(&path).expect("open");
    let lease = headtail_core::evaluation::lease::Lease::take(&own, chrono::Utc::now()).expect("lease");
    let out = headtail(&["evaluate", "--db", &db, "--as-of", "2026-06-30", "--out", "/dev/null"]);
    assert_eq!(out.status.code(), Some(3), "busy: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already running"));
    // A refused run leaves a file that was there alone, as it does /dev/null.
    let kept = app._dir.path().join("kept.csv");
    std::fs::write(&kept, "kept").expect("write");
    let out = headtail(&["evaluate", "--db", &db, "--as-of", "2026-06-30", "--out", kept.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(3), "busy: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&kept).expect("kept"), "kept");
    assert!(std::path::Path::new("/dev/null").exists() && !std::path::Path::new("/dev/null").is_file());
    drop(lease);
    let out = headtail(&["evaluate", "--db", &db, "--as-of", "2026-06-30", "--out", "/dev/null"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(app.call("list_evaluation_runs", json!({})).expect("runs").as_array().expect("runs").len(), 1);
    // The command stored the run without the lists' rows: the window builds them, once.
    assert!(app.call("list_customers", json!({"query": query("")})).expect("list")["evaluation"].is_null());
    let run = app.call("build_latest_standings", json!({})).expect("build");
    assert!(run.is_i64(), "{run}");
    assert_eq!(app.call("list_customers", json!({"query": query("")})).expect("list")["evaluation"]["run_id"], run);
    assert_eq!(app.call("build_latest_standings", json!({})).expect("again"), Value::Null);

    let csv = app._dir.path().join("orders.csv");
    std::fs::write(
        &csv,
        "订单号,客户名称,手机,下单日期,金额\nA1,李娜,13900139000,2026-05-01,88\nA2,王芳,13700137000,2026-05-02,66\n",
    )
    .expect("csv");
    let out = headtail(&["import", "--db", &db, "--kind", "orders", csv.to_str().expect("path")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(app.total(), 3, "the open app sees the customers the command line imported");
    let found = app.call("list_customers", json!({"query": query("李娜")})).expect("search");
    assert_eq!(found["total"], 1, "and finds them by search");
}

#[test]
fn a_detractor_answer_through_ipc_comes_back_with_its_follow_up() {
    let app = app();
    let mut input = customer("张伟", "zw@huaqiang.cn");
    input["owner"] = json!("王磊");
    let id = app.call("create_customer", json!({"input": input})).expect("create")["id"].as_i64().expect("id");
    let survey = app
        .call(
            "create_survey",
            json!({"input": {"kind": "ces", "name": "售后服务体验", "question_zh": "处理问题很容易",
                             "question_en": "It was easy to handle my issue", "active": true}}),
        )
        .expect("survey");
    let answer = |score: i64| {
        app.call(
            "record_survey_answer",
            json!({"input": {"customer_id": id, "kind": "ces", "survey_id": survey["id"], "responded_on": "2026-03-01",
                             "score": score, "comment": null}}),
        )
    };
    let detractor = answer(3).expect("record");
    assert_eq!(detractor["follow_up"]["owner"], "王磊", "the customer's owner follows up");
    assert_eq!(detractor["follow_up"]["reason"], "售后服务体验: 3/7");
    assert_eq!(answer(4).expect("record")["follow_up"], Value::Null, "4 is above the CES threshold of 3");
    let refused = answer(8).expect_err("8 is off the CES scale");
    assert_eq!(refused["details"]["fields"][0]["field"], "score");
    let results = app.call("survey_results", json!({"id": survey["id"], "query": {}})).expect("results");
    assert_eq!(results["overall"]["responses"], 2);
    assert_eq!(results["overall"]["score"], 3.5, "CES is the mean of 3 and 4");
    let due = app.call("survey_due", json!({"offset": 0, "limit": 0})).expect("due");
    assert_eq!(due["evaluated"], false, "nobody is known to be active before an evaluation");
}

#[test]
fn a_complaint_past_its_target_leaves_the_list_once_answered_and_points_follow_the_rule() {
    let app = app();
    let id = app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("create")["id"]
        .as_i64()
        .expect("id");
    let complaint = json!({"customer_id": id, "opened_at": "2025-04-02T09:00:00", "category": "物流",
                           "severity": "high", "status": "open", "description": null, "resolved_at": null});
    let created = app.call("create_complaint", json!({"input": complaint})).expect("complaint");
    assert_eq!(created["response_due_at"], "2025-04-03T09:00:00", "standard: 24 hours");
    let past =
        || app.call("list_complaints", json!({"query": {"past_target_only": true}})).expect("list")["total"].clone();
    assert_eq!(past(), 1);
    app.call("respond_to_complaint", json!({"id": created["id"]})).expect("respond");
    assert_eq!(past(), 0, "answered, so no longer past its target");

    app.call("save_work_settings", json!({"settings": {"loyalty_points_per_yuan": 2}})).expect("settings");
    let order = json!({"customer_id": id, "external_id": null, "ordered_on": "2025-04-10", "amount_minor": 10_050,
                       "currency": "CNY", "cost_minor": null, "channel": null, "lines": []});
    app.call("create_order", json!({"input": order})).expect("order");
    let ledger = app.call("loyalty_ledger", json!({"customerId": id, "offset": 0, "limit": 0})).expect("ledger");
    assert_eq!(ledger["balance"], 201, "100.50 yuan x 2");
    let redeem = json!({"customer_id": id, "occurred_on": "2025-04-11", "kind": "redeem", "points": -300,
                        "order_id": null, "notes": null, "referred_customer_id": null});
    let err = app.call("create_loyalty_entry", json!({"input": redeem})).expect_err("beyond the balance");
    assert_eq!(err["details"]["fields"][0], json!({"field": "points", "rule": "not_enough_points", "limit": 201}));
}

#[test]
fn the_members_export_speaks_the_language_the_app_sends() {
    let app = app();
    let id = app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("create")["id"]
        .as_i64()
        .expect("id");
    let order = json!({"input": {"customer_id": id, "external_id": null, "ordered_on": "2026-01-05",
                       "amount_minor": 10_000, "currency": null, "cost_minor": null, "channel": null, "lines": []}});
    app.call("create_order", order).expect("order");
    let info = app.call("app_info", json!({})).expect("info");
    let db = headtail_core::Database::open(std::path::Path::new(info["db_path"].as_str().expect("path"))).expect("db");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).expect("date");
    let (run, _) = headtail_core::evaluation::store::run(
        &db,
        as_of,
        headtail_core::evaluation::store::Trigger::Manual,
        &mut |_, _| {},
    )
    .expect("run");
    let dir = tempfile::tempdir().expect("temp dir");
    let export = |language: &str| {
        let out = dir.path().join(format!("members-{language}.csv"));
        let answer = app
            .call("export_members", json!({"runId": run.id, "filter": {}, "language": language, "path": out}))
            .expect("export");
        assert_eq!(answer["rows"], 1);
        std::fs::read_to_string(&out).expect("read export")
    };
    let zh = export("zh-CN");
    assert!(zh.starts_with('\u{feff}'), "UTF-8 with BOM for Excel");
    assert!(zh.contains("客户名称") && zh.contains("价值层级") && zh.contains("生命周期阶段"), "{zh}");
    assert!(zh.contains("张伟") && zh.contains("A 头部客户"), "{zh}");
    let en = export("en");
    assert!(en.starts_with('\u{feff}') && en.contains("Value tier") && en.contains("A · Head"), "{en}");
    let refused = app.call("export_members", json!({"runId": run.id, "filter": {}, "language": "fr", "path": "x.csv"}));
    assert!(refused.is_err(), "an unknown language is refused");
}

#[test]
fn a_ten_megabyte_string_is_refused_with_the_field_and_its_limit_and_nothing_is_written() {
    let app = app();
    let huge = "长".repeat(10 * 1024 * 1024 / 3);
    let started = std::time::Instant::now();
    let err = app
        .call("create_customer", json!({"input": {"name": huge, "kind": "person", "notes": "x\u{0}y"}}))
        .expect_err("a 10 MB name is refused");
    assert_eq!(err["code"], "validation");
    assert_eq!(
        err["details"]["fields"],
        json!([{"field": "name", "rule": "too_long", "limit": 200}, {"field": "notes", "rule": "control_character", "limit": null}])
    );
    assert_eq!(app.total(), 0, "nothing is written, not even cut short");
    let err = app.call("list_customers", json!({"query": query(&huge)})).expect_err("a 10 MB search is refused");
    assert_eq!(err["details"]["fields"], json!([{"field": "search", "rule": "too_long", "limit": 200}]));
    assert!(started.elapsed().as_secs() < 5, "refused quickly: {:?}", started.elapsed());
    app.call("create_customer", json!({"input": customer("张伟", "zw@huaqiang.cn")})).expect("the app still works");
    assert_eq!(app.total(), 1);
}
