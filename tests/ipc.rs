//! IPC through Tauri's mock runtime: the real command layer on a real database file, no window.

use headtail_app::commands::Store;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct App {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("ipc.sqlite"));
    let app = headtail_app::configure(mock_builder(), store).build(mock_context(noop_assets())).expect("build mock app");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    App { _dir: dir, _app: app, window }
}

impl App {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().expect("json response"))
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
    rusqlite::Connection::open(&path).expect("create").execute_batch("PRAGMA user_version = 9").expect("version");
    let app = headtail_app::configure(mock_builder(), Store::open(&path)).build(mock_context(noop_assets())).expect("app");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    let app = App { _dir: dir, _app: app, window };
    let info = app.call("app_info", json!({})).expect("app_info always answers");
    assert_eq!(info["startup_error"]["code"], "database_too_new");
    assert_eq!(info["startup_error"]["details"]["params"]["found"], "9");
    let err = app.call("list_customers", json!({"query": query("")})).expect_err("no database");
    assert_eq!(err["code"], "database_too_new");
}
