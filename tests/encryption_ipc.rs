//! The app on an encrypted database: locked at start, unlocked by `unlock_database`.

#[path = "support/mock_ipc.rs"]
mod mock_ipc;

use headtail_core::encryption::{self, Passphrase, PlainBackups};
use headtail_core::{backup, customers, Database};
use mock_ipc::MockApp;
use serde_json::json;

fn encrypted(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("headtail.sqlite");
    let db = Database::open(&path).expect("open");
    db.with_tx(|tx| customers::create(tx, customers::CustomerInput::named("蒋雨桐"), chrono::Utc::now()))
        .expect("customer");
    drop(db);
    let key = Passphrase::new("correct horse").expect("passphrase");
    encryption::encrypt(&path, &key, &backup::default_dir(&path), PlainBackups::Remove, chrono::Utc::now())
        .expect("encrypt");
    path
}

#[test]
fn an_encrypted_database_starts_locked_and_opens_with_its_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = encrypted(dir.path());
    let app = MockApp::open(&path);
    let info = app.call("app_info", json!({})).expect("app_info");
    assert_eq!(info["startup_error"]["code"], "passphrase_required", "{info}");
    let locked = app.call("list_customers", json!({ "query": query() })).expect_err("locked");
    assert_eq!(locked["code"], "passphrase_required");

    let before = std::fs::read(&path).expect("read");
    let wrong =
        app.call("unlock_database", json!({ "passphrase": "wrong horse", "remember": false })).expect_err("wrong");
    assert_eq!(wrong["code"], "wrong_passphrase");
    assert_eq!(wrong["details"]["params"]["path"], path.display().to_string());
    assert!(std::fs::read(&path).expect("read") == before, "a wrong passphrase changes nothing");
    let empty = app.call("unlock_database", json!({ "passphrase": "", "remember": false })).expect_err("empty");
    assert_eq!(empty["code"], "invalid_argument");
    assert_eq!(app.call("app_info", json!({})).expect("app_info")["startup_error"]["code"], "passphrase_required");

    let unlocked =
        app.call("unlock_database", json!({ "passphrase": "correct horse", "remember": false })).expect("unlock");
    assert_eq!(unlocked, json!({ "remembered": false, "keyring_error": null }));
    assert_eq!(app.call("app_info", json!({})).expect("app_info")["startup_error"], json!(null));
    let page = app.call("list_customers", json!({ "query": query() })).expect("list");
    assert_eq!(page["items"][0]["name"], "蒋雨桐");
    let backups = app.call("list_backups", json!({})).expect("the encrypted backups are listed");
    assert!(!backups.as_array().expect("a list").is_empty(), "{backups}");

    // The demo and back: the own database opens again with the passphrase it was unlocked with.
    app.call("open_demo", json!({})).expect("demo");
    app.call("close_demo", json!({})).expect("back");
    let page = app.call("list_customers", json!({ "query": query() })).expect("list again");
    assert_eq!(page["items"][0]["name"], "蒋雨桐");
}

fn query() -> serde_json::Value {
    json!({"search": "", "kind": null, "owner": null, "sort": "name", "descending": false,
           "deleted": false, "offset": 0, "limit": 50})
}
