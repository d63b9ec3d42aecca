//! The real IPC command layer on a database file, without a window (Tauri's mock runtime):
//! shared by the IPC and contract tests and the crash trials, each of which includes it.

use headtail_app::commands::Store;
use serde_json::Value;
use std::path::Path;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;

pub struct MockApp {
    _app: tauri::App<MockRuntime>,
    window: tauri::WebviewWindow<MockRuntime>,
}

impl MockApp {
    /// The app as it starts on the database at `db`.
    pub fn open(db: &Path) -> Self {
        let app = headtail_app::configure(mock_builder(), Store::open(db))
            .build(mock_context(noop_assets()))
            .expect("build mock app");
        let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
        Self { _app: app, window }
    }

    /// The command's answer, or the error payload it rejected the call with.
    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
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
}
