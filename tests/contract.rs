//! The fake backend of the UI tests (`ui/tests/fixtures/fake-backend.js`) against the real IPC
//! commands: the calls of `ui/tests/contract/calls.mjs` go to both, each on fresh data, and
//! their answers must agree. `ui/tests/contract/run-fake.mjs` answers them with the fake under
//! node; here they go through Tauri's mock runtime on a temporary database.
//!
//! The constants the fake reads (`ui/tests/fixtures/backend-constants.json`) are generated
//! from the Rust ones and checked here too.

#[path = "support/mock_ipc.rs"]
mod mock_ipc;

use mock_ipc::MockApp;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const RUNNER: &str = "ui/tests/contract/run-fake.mjs";
const FAKE: &str = "ui/tests/fixtures/fake-backend.js";
const CONSTANTS: &str = "ui/tests/fixtures/backend-constants.json";

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The calls, and the fake's answers to them.
struct FakeRun {
    files: Map<String, Value>,
    steps: Vec<Value>,
    answers: Vec<Value>,
    /// Commands the fake answers that no step calls.
    uncalled: Vec<String>,
}

/// Runs the calls through the fake at `fake` under node.
fn run_fake(fake: &Path) -> FakeRun {
    let node = std::env::var_os("NODE").unwrap_or_else(|| "node".into());
    let output = Command::new(&node)
        .arg(repo_path(RUNNER))
        .arg(fake)
        .output()
        .unwrap_or_else(|e| panic!("the contract test runs the fake backend with node ({node:?}): {e}"));
    assert!(output.status.success(), "{RUNNER} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let mut run: Value = serde_json::from_slice(&output.stdout).expect("the runner prints JSON");
    let mut take = |key: &str| run.get_mut(key).map(Value::take).unwrap_or_default();
    FakeRun {
        files: serde_json::from_value(take("files")).expect("files"),
        steps: serde_json::from_value(take("steps")).expect("steps"),
        answers: serde_json::from_value(take("answers")).expect("answers"),
        uncalled: serde_json::from_value(take("uncalled")).expect("uncalled"),
    }
}

/// The real commands on a database in `data`, with the fixture's files in `work`.
struct Real {
    data: tempfile::TempDir,
    work: tempfile::TempDir,
    app: MockApp,
}

impl Real {
    fn new(files: &Map<String, Value>) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let work = tempfile::tempdir().expect("temp dir");
        for (name, file) in files {
            let text = file["text"].as_str().expect("a file's text");
            let bytes = match file["encoding"].as_str() {
                Some("gbk") => encoding_rs::GBK.encode(text).0.into_owned(),
                _ => text.as_bytes().to_vec(),
            };
            std::fs::write(work.path().join(name), bytes).expect("write a fixture file");
        }
        let app = MockApp::open(&data.path().join("headtail.sqlite"));
        Real { data, work, app }
    }

    fn call(&self, cmd: &str, args: Value) -> Value {
        match self.app.call(cmd, args) {
            Ok(answer) => json!({ "ok": answer }),
            Err(e) => json!({ "err": e }),
        }
    }

    /// `$DIR` is the work folder; the answers name the folders as the fake does.
    fn unplace(&self, value: &mut Value) {
        let work = self.work.path().display().to_string();
        let data = self.data.path().display().to_string();
        map_strings(value, &mut |s| {
            if s.contains(&work) || s.contains(&data) {
                *s = s.replace(&work, "$DIR").replace(&data, "$DATA");
            }
        });
    }

    fn place(&self, value: &mut Value) {
        let work = self.work.path().display().to_string();
        map_strings(value, &mut |s| {
            if s.starts_with("$DIR") {
                *s = s.replacen("$DIR", &work, 1);
            }
        });
    }
}

fn map_strings(value: &mut Value, f: &mut impl FnMut(&mut String)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| map_strings(v, f)),
        Value::Object(fields) => fields.values_mut().for_each(|v| map_strings(v, f)),
        _ => {}
    }
}

/// Replaces "@name" by the value saved under that name from an earlier answer.
fn resolve(value: &mut Value, saved: &Map<String, Value>) {
    match value {
        Value::String(s) if s.starts_with('@') => {
            *value = saved.get(&s[1..]).cloned().unwrap_or_else(|| panic!("nothing saved as {s}"));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, saved)),
        Value::Object(fields) => fields.values_mut().for_each(|v| resolve(v, saved)),
        _ => {}
    }
}

fn run_real(files: &Map<String, Value>, steps: &[Value]) -> Vec<Value> {
    let real = Real::new(files);
    let mut saved = Map::new();
    let mut answers = Vec::new();
    for step in steps {
        let cmd = step["cmd"].as_str().expect("a step's command");
        let mut args = step["args"].clone();
        resolve(&mut args, &saved);
        real.place(&mut args);
        let mut answer = real.call(cmd, args);
        if let Some(names) = step.get("save").and_then(Value::as_object) {
            for (name, path) in names {
                let pointer = format!("/ok/{}", path.as_str().unwrap_or_default().replace('.', "/"));
                if let Some(value) = answer.pointer(&pointer) {
                    saved.insert(name.clone(), value.clone());
                }
            }
        }
        real.unplace(&mut answer);
        answers.push(answer);
    }
    answers
}

/// The fixture's calls with the fake's answers and the real ones, made once per test run.
fn contract() -> &'static (FakeRun, Vec<Value>) {
    static RUN: OnceLock<(FakeRun, Vec<Value>)> = OnceLock::new();
    RUN.get_or_init(|| {
        let fake = run_fake(&repo_path(FAKE));
        let real = run_real(&fake.files, &fake.steps);
        (fake, real)
    })
}

// ---- what must agree ----
//
// Normalisation, both sides alike: what the clock makes is masked (timestamps with a zone,
// also inside messages; backup file names; the timeline time of a contact added now), and so
// are backup sizes and an evaluation's duration; the folders read `$DATA` and `$DIR`. Ids are
// compared as they are: both sides number rows from 1 in the order they are made. An error
// must match whole (code, message, field errors, params); a rejection by Tauri (malformed
// arguments) must name the same argument. Answers built from data the fake does not model
// (evaluation figures, the demo business, the machine's Downloads folder) must have the same
// shape (keys and kinds of values) and match only in the fields `exact_fields` names.

/// What of a complaint must match when the clock set its times.
const COMPLAINT_EXACT: &[&str] =
    &["/id", "/customer_id", "/opened_at", "/status", "/resolution", "/response_due_at", "/target_hours"];

/// What of a command's answer must match beyond its shape; `None` means all of it.
fn exact_fields(cmd: &str) -> Option<&'static [&'static str]> {
    match cmd {
        "run_evaluation" => Some(&["/as_of", "/trigger", "/customers", "/currency", "/settings"]),
        // The run's id, or null in both.
        "build_latest_standings" => Some(&[]),
        "list_evaluation_runs" => Some(&["/*/as_of", "/*/trigger", "/*/customers", "/*/settings"]),
        "evaluation_members" => Some(&["/total"]),
        "customer_standing" => Some(&["/as_of", "/evaluated_on"]),
        "customer_evaluation_history" => Some(&["/*/as_of"]),
        "evaluation_migration" => Some(&[]),
        // Due times are the local clock's; groups by standing come from the evaluation.
        "record_survey_answer" => Some(&[
            "/response",
            "/follow_up/id",
            "/follow_up/customer_id",
            "/follow_up/owner",
            "/follow_up/reason",
            "/follow_up/source",
            "/follow_up/survey_response_id",
            "/follow_up/completed_at",
        ]),
        "survey_results" => Some(&["/survey", "/overall", "/evaluated_on", "/by_owner", "/by_month"]),
        "survey_due" => Some(&["/interval_days", "/evaluated", "/total_exact"]),
        // The fake's evaluations are its own: the standings of a listed customer keep their
        // shape, all else must agree.
        "list_customers" => Some(&[
            "/items",
            "/total",
            "/total_exact",
            "/standings/*/customer_id",
            "/standings/*/next_follow_up",
            "/evaluation/as_of",
        ]),
        "open_demo" | "default_export_dir" => Some(&[]),
        // A PNG's bytes are the renderer's alone.
        "save_chart" => Some(&["/path"]),
        // Head customers come from evaluation figures the fake does not model.
        "my_day" => Some(&[
            "/evaluation",
            "/no_contact_days",
            "/new_detractor_days",
            "/overdue_follow_ups",
            "/today_follow_ups",
            "/late_complaints",
            "/new_detractors",
        ]),
        "my_day_counts" => Some(&[
            "/evaluated",
            "/overdue_follow_ups",
            "/today_follow_ups",
            "/late_complaints",
            "/new_detractors",
            "/agenda",
        ]),
        // A complaint's moves happen at the clock's local time, which has no zone to mask.
        "respond_to_complaint" | "start_complaint" | "resolve_complaint" => Some(COMPLAINT_EXACT),
        "list_customer_complaints" => Some(&[
            "/total",
            "/items/*/id",
            "/items/*/status",
            "/items/*/resolution",
            "/items/*/response_due_at",
            "/items/*/target_hours",
        ]),
        "list_complaints" => Some(&[
            "/total",
            "/items/*/complaint/id",
            "/items/*/complaint/status",
            "/items/*/complaint/response_due_at",
            "/items/*/customer_name",
            "/items/*/past_target",
        ]),
        _ => None,
    }
}

/// The length of the text `pattern` matches at the start of `b`: `d` is a digit, `*` any
/// run of digits, anything else itself.
fn matches_at(b: &[u8], pattern: &[u8]) -> Option<usize> {
    let mut n = 0;
    for p in pattern {
        match p {
            b'd' if b.get(n).is_some_and(u8::is_ascii_digit) => n += 1,
            b'*' => n += b[n..].iter().take_while(|c| c.is_ascii_digit()).count(),
            _ if b.get(n) == Some(p) => n += 1,
            _ => return None,
        }
    }
    Some(n)
}

/// An RFC 3339 timestamp with its zone, or a backup named by the clock.
fn clock_text_at(b: &[u8]) -> Option<(usize, &'static str)> {
    const STAMP: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    // `headtail-<identity>-<stamp>.sqlite`: the identity is random per database.
    if let Some(n) = matches_at(b, b"headtail-").and_then(|n| {
        let hex = b[n..].iter().take(8).filter(|c| c.is_ascii_hexdigit()).count();
        (hex == 8 && b.get(n + 8) == Some(&b'-')).then(|| n + 9)
    }) {
        if let Some(m) = matches_at(&b[n..], b"dddddddd-dddddd.sqlite") {
            return Some((n + m, "<backup>"));
        }
    }
    let mut n = matches_at(b, STAMP)?;
    n += matches_at(&b[n..], b".*").unwrap_or(0);
    let zone = matches_at(&b[n..], b"Z")
        .or_else(|| matches_at(&b[n..], b"+dd:dd"))
        .or_else(|| matches_at(&b[n..], b"-dd:dd"))?;
    Some((n + zone, "<timestamp>"))
}

/// The text with every timestamp and clock-named backup in it masked, if it has any.
fn mask_clock(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let (mut out, mut i, mut copied) = (String::new(), 0, 0);
    while i < b.len() {
        match clock_text_at(&b[i..]) {
            Some((n, mask)) => {
                out.push_str(&s[copied..i]);
                out.push_str(mask);
                i += n;
                copied = i;
            }
            None => i += 1,
        }
    }
    (copied > 0).then(|| out + &s[copied..])
}

/// A follow-up entry that no interaction scheduled or answered: it sits at the clock's time.
fn by_hand(payload: &Value) -> bool {
    match payload["type"].as_str() {
        Some("follow_up_scheduled") => payload["interaction_id"].is_null(),
        Some("follow_up_completed") => payload["answered_by"].is_null(),
        _ => false,
    }
}

fn mask(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(masked) = mask_clock(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        Value::Object(fields) => {
            // A contact shows on the timeline at the local time it was added: the clock's; so
            // does a follow-up scheduled or completed by hand (by an interaction, its time).
            let added_now = fields.get("kind").is_some_and(|k| {
                k == "contact_added"
                    || ((k == "follow_up_scheduled" || k == "follow_up_completed")
                        && fields.get("payload").is_some_and(by_hand))
            });
            // A detractor's follow-up is due the moment the answer came: the clock's.
            let due_now =
                ["source", "follow_up_source"].iter().any(|k| fields.get(*k).is_some_and(|s| s == "detractor"));
            for (key, v) in fields.iter_mut() {
                match key.as_str() {
                    "size_bytes" | "seconds" if v.is_number() => *v = json!("<number>"),
                    "at" if added_now => *v = json!("<clock>"),
                    "due_at" if due_now => *v = json!("<clock>"),
                    // A timeline page's cursor is the time of its last entry, which may be the
                    // clock's; the page read with it is compared all the same.
                    "next" if v.get("at").is_some() => v["at"] = json!("<cursor>"),
                    _ => mask(v),
                }
            }
        }
        _ => {}
    }
}

/// What of a chart's SVG both sides draw alike: an SVG element, and the text of its first
/// `<text>` (the title); the drawing itself is the real renderer's alone.
fn drawn_title(svg: &str) -> Value {
    let title = svg
        .split("<text")
        .nth(1)
        .and_then(|t| t.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</text>"))
        .map(|(text, _)| text.trim().to_owned());
    json!({ "svg_element": svg.starts_with("<svg"), "title": title })
}

/// An answer as it is compared.
fn normalise(answer: &Value) -> Value {
    if let Some(err) = answer.get("err") {
        return match err {
            // "invalid args `input` for command `create_customer`: <serde's reason>"
            Value::String(s) => json!({ "rejected": s.split("`: ").next().unwrap_or(s) }),
            other => {
                let mut error = other.clone();
                mask(&mut error);
                json!({ "error": error })
            }
        };
    }
    let mut answer = answer.clone();
    mask(&mut answer);
    answer
}

/// Kinds of JSON value, with null fitting any (an optional field may be empty on one side).
fn same_kind(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (Value::Null, _)
            | (_, Value::Null)
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::String(_), Value::String(_))
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
    )
}

/// A value as the report shows it: long ones cut.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text
    }
}

/// Where `fake` differs from `real`: every differing leaf when `exact`, else the keys and kinds.
fn diff(path: &str, real: &Value, fake: &Value, exact: bool, out: &mut Vec<String>) {
    match (real, fake) {
        (Value::Object(r), Value::Object(f)) => {
            for key in r.keys().filter(|k| !f.contains_key(*k)) {
                out.push(format!("{path}/{key}: missing in the fake (real {})", short(&r[key])));
            }
            for key in f.keys().filter(|k| !r.contains_key(*k)) {
                out.push(format!("{path}/{key}: only in the fake ({})", short(&f[key])));
            }
            for (key, rv) in r {
                if let Some(fv) = f.get(key) {
                    diff(&format!("{path}/{key}"), rv, fv, exact, out);
                }
            }
        }
        (Value::Array(r), Value::Array(f)) if exact => {
            if r.len() != f.len() {
                out.push(format!(
                    "{path}: {} items, the fake {}: real {}, fake {}",
                    r.len(),
                    f.len(),
                    short(real),
                    short(fake)
                ));
            } else {
                for (i, (rv, fv)) in r.iter().zip(f).enumerate() {
                    diff(&format!("{path}/{i}"), rv, fv, exact, out);
                }
            }
        }
        (Value::Array(r), Value::Array(f)) => {
            if let (Some(rv), Some(fv)) = (r.first(), f.first()) {
                diff(&format!("{path}/0"), rv, fv, exact, out);
            }
        }
        (Value::Number(r), Value::Number(f)) if exact && r.as_f64() == f.as_f64() => {}
        _ if (exact && real != fake) || !same_kind(real, fake) => {
            out.push(format!("{path}: real {}, fake {}", short(real), short(fake)));
        }
        _ => {}
    }
}

/// The values at a pointer whose segments may be `*` (every item of an array).
fn select<'v>(value: &'v Value, pointer: &str) -> Vec<(String, &'v Value)> {
    let mut found = vec![(String::new(), value)];
    for segment in pointer.split('/').skip(1) {
        found = found
            .into_iter()
            .flat_map(|(path, v)| match (segment, v) {
                ("*", Value::Array(items)) => {
                    items.iter().enumerate().map(|(i, item)| (format!("{path}/{i}"), item)).collect::<Vec<_>>()
                }
                (key, v) => v.get(key).map(|x| (format!("{path}/{key}"), x)).into_iter().collect(),
            })
            .collect();
    }
    found
}

/// The differences of one answer, each as a line of the report.
fn compare(cmd: &str, in_demo: bool, real: &Value, fake: &Value) -> Vec<String> {
    let (mut real, mut fake) = (normalise(real), normalise(fake));
    if cmd == "chart_svg" {
        for answer in [&mut real, &mut fake] {
            if let Some(svg) = answer.pointer_mut("/ok/svg") {
                *svg = drawn_title(svg.as_str().unwrap_or_default());
            }
        }
    }
    let mut out = Vec::new();
    if let Some(crash) = fake.get("crash") {
        out.push(format!("the fake threw: {crash}"));
        return out;
    }
    let fields = if in_demo { Some(&[][..]) } else { exact_fields(cmd) };
    match (fields, real.get("ok"), fake.get("ok")) {
        (Some(fields), Some(r), Some(f)) => {
            diff("", r, f, false, &mut out);
            for pointer in fields {
                let (rs, fs) = (select(r, pointer), select(f, pointer));
                if rs.len() != fs.len() {
                    out.push(format!("{pointer}: {} values, the fake {}", rs.len(), fs.len()));
                }
                for ((path, rv), (_, fv)) in rs.iter().zip(&fs) {
                    diff(path, rv, fv, true, &mut out);
                }
            }
        }
        _ => diff("", &real, &fake, true, &mut out),
    }
    out
}

/// Every disagreement between the fake's answers and the real ones, one step per entry.
fn differences(steps: &[Value], real: &[Value], fake: &[Value]) -> Vec<String> {
    let mut report = Vec::new();
    let mut in_demo = false;
    for (i, ((step, r), f)) in steps.iter().zip(real).zip(fake).enumerate() {
        let cmd = step["cmd"].as_str().unwrap_or_default();
        let found = compare(cmd, in_demo, r, f);
        if !found.is_empty() {
            report.push(format!("step {i} {cmd} {}\n    {}", short(&step["args"]), found.join("\n    ")));
        }
        // The demo business is the fake's own, smaller one: only shapes compare until it closes.
        match (cmd, r.get("ok").is_some()) {
            ("open_demo", true) => in_demo = true,
            ("close_demo", true) => in_demo = false,
            _ => {}
        }
    }
    report
}

#[test]
fn the_fake_backend_answers_every_call_as_the_real_commands_do() {
    let (fake, real) = contract();
    assert_eq!(fake.answers.len(), fake.steps.len(), "one fake answer per step");
    assert!(fake.uncalled.is_empty(), "ui/tests/contract/calls.mjs calls none of {:?}; add calls", fake.uncalled);
    let report = differences(&fake.steps, real, &fake.answers);
    if let Some(path) = std::env::var_os("HEADTAIL_CONTRACT_DUMP") {
        let both = json!({ "steps": fake.steps, "real": real, "fake": fake.answers });
        std::fs::write(path, serde_json::to_string_pretty(&both).expect("json")).expect("write the dump");
    }
    assert!(
        report.is_empty(),
        "{FAKE} disagrees with the real commands at {} of {} steps (fix the fake; Rust is the reference):\n{}",
        report.len(),
        fake.steps.len(),
        report.join("\n")
    );
}

// ---- the constants the fake reads ----

/// Every error code, listed through a match so that a new one does not compile until added.
fn error_codes() -> Vec<Value> {
    use headtail_core::error::ErrorCode::*;
    let all = [
        Validation,
        NotFound,
        InvalidArgument,
        Conflict,
        UnreadableFile,
        Internal,
        DatabaseTooNew,
        DatabaseCorrupt,
        BackupOfAnotherDatabase,
        NoDatabase,
        ReadOnly,
        FolderNotWritable,
        PassphraseRequired,
        WrongPassphrase,
        Database,
        Io,
    ];
    for code in all {
        match code {
            Validation
            | NotFound
            | InvalidArgument
            | Conflict
            | UnreadableFile
            | Internal
            | DatabaseTooNew
            | DatabaseCorrupt
            | BackupOfAnotherDatabase
            | NoDatabase
            | ReadOnly
            | FolderNotWritable
            | PassphraseRequired
            | WrongPassphrase
            | Database
            | Io => {}
        }
    }
    all.iter().map(|c| json!(c)).collect()
}

/// Every rule a field can fail, listed the same way.
fn rules() -> Vec<Value> {
    use headtail_core::error::Rule::*;
    let all = [
        Required,
        TooLong,
        InvalidEmail,
        InvalidPhone,
        InvalidChoice,
        UnknownReference,
        SelfReference,
        Taken,
        TooMany,
        OutOfRange,
        Unparseable,
        InPast,
        NotEnoughPoints,
        ControlCharacter,
    ];
    for rule in all {
        match rule {
            Required | TooLong | InvalidEmail | InvalidPhone | InvalidChoice | UnknownReference | SelfReference
            | Taken | TooMany | OutOfRange | Unparseable | InPast | NotEnoughPoints | ControlCharacter => {}
        }
    }
    all.iter().map(|r| json!(r)).collect()
}

/// The CLV time units a setting may name, listed through a match like the error codes.
fn time_units() -> Vec<Value> {
    use headtail_core::clv::TimeUnit::*;
    let all = [Day, Week];
    for unit in all {
        match unit {
            Day | Week => {}
        }
    }
    all.iter().map(|u| json!(u)).collect()
}

/// The constants the fake would otherwise copy by hand, as `backend-constants.json` holds them.
fn backend_constants() -> Value {
    use headtail_core::{
        activity, backup, complaints, contacts, customers, evaluation, follow_ups, interactions, loyalty, orders, page,
        surveys, timeline,
    };
    let choices = |all: Vec<&str>| json!(all);
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "schema_version": headtail_core::db::schema_version(),
        "error_codes": error_codes(),
        "rules": rules(),
        "page": { "default": page::PAGE_DEFAULT, "max": page::PAGE_MAX },
        "count_cap": customers::COUNT_CAP,
        "backups_keep": backup::KEEP_DEFAULT,
        "follow_ups_recent_completed": follow_ups::RECENT_COMPLETED,
        "currency_default": activity::CURRENCY_DEFAULT,
        "limits": {
            "customer": {
                "name": customers::NAME_MAX, "company": customers::COMPANY_MAX,
                "region": customers::SHORT_TEXT_MAX, "owner": customers::SHORT_TEXT_MAX,
                "notes": customers::NOTES_MAX, "external_id": customers::EXTERNAL_ID_MAX,
                "industry": customers::SHORT_TEXT_MAX, "source": customers::SHORT_TEXT_MAX,
                "needs": customers::LONG_TEXT_MAX, "preferences": customers::LONG_TEXT_MAX,
                "email": customers::EMAIL_MAX, "phone": customers::PHONE_MAX,
                "tag": customers::TAG_MAX, "tags": customers::TAGS_MAX,
            },
            "contact": {
                "name": customers::NAME_MAX, "title": contacts::TITLE_MAX, "phone": customers::PHONE_MAX,
                "email": customers::EMAIL_MAX, "wechat": contacts::WECHAT_MAX, "notes": customers::LONG_TEXT_MAX,
            },
            "order": {
                "external_id": orders::EXTERNAL_ID_MAX, "product": orders::PRODUCT_MAX,
                "category": orders::CATEGORY_MAX, "lines": orders::LINES_MAX,
            },
            "interaction": {
                "outcome": interactions::OUTCOME_MAX, "notes": interactions::NOTES_MAX, "owner": interactions::OWNER_MAX,
            },
            "complaint": {
                "category": complaints::CATEGORY_MAX, "description": complaints::DESCRIPTION_MAX,
                "resolution": complaints::RESOLUTION_MAX,
            },
            "loyalty": { "notes": loyalty::NOTES_MAX },
            "survey": { "comment": surveys::COMMENT_MAX },
            "pipeline": { "lost_reason": headtail_core::pipeline::LOST_REASON_MAX },
            "saved_view": { "name": headtail_core::saved_views::NAME_MAX },
            "follow_up": { "reason": follow_ups::REASON_MAX, "owner": follow_ups::OWNER_MAX },
            "customer_query": { "search": headtail_core::text_limits::SEARCH_MAX },
        },
        "surveys": {
            "name": surveys::catalog::NAME_MAX,
            "question": surveys::catalog::QUESTION_MAX,
            "reason": surveys::DETRACTOR_REASON_MAX,
            "detractor_max": {
                "nps": headtail_core::work_settings::WorkSettings::default().nps_detractor_max(),
                "csat": headtail_core::work_settings::WorkSettings::default().csat_detractor_max(),
                "ces": headtail_core::work_settings::WorkSettings::default().ces_detractor_max(),
            },
        },
        "survey_scales": surveys::SurveyKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), json!(k.range())))
            .collect::<Map<_, _>>(),
        "timeline_ranks": timeline::TimelineKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), json!(k.rank())))
            .collect::<Map<_, _>>(),
        "choices": {
            "customer_kind": choices(customers::CustomerKind::ALL.iter().map(|v| v.as_str()).collect()),
            "size_class": choices(customers::SizeClass::ALL.iter().map(|v| v.as_str()).collect()),
            "sales_channel": choices(customers::SalesChannel::ALL.iter().map(|v| v.as_str()).collect()),
            "pipeline_stage": choices(customers::PipelineStage::ALL.iter().map(|v| v.as_str()).collect()),
            "interaction_kind": choices(interactions::InteractionKind::ALL.iter().map(|v| v.as_str()).collect()),
            "complaint_severity": choices(complaints::ComplaintSeverity::ALL.iter().map(|v| v.as_str()).collect()),
            "complaint_status": choices(complaints::ComplaintStatus::ALL.iter().map(|v| v.as_str()).collect()),
            "import_kind": choices(headtail_core::import::ImportKind::ALL.iter().map(|v| v.as_str()).collect()),
            "loyalty_kind": choices(loyalty::LoyaltyKind::ALL.iter().map(|v| v.as_str()).collect()),
            "time_unit": time_units(),
            "snooze_for": choices(follow_ups::SnoozeFor::ALL.iter().map(|v| v.as_str()).collect()),
            "tier": choices(evaluation::Tier::ALL.iter().map(|v| v.as_str()).collect()),
            "rfm_segment": choices(evaluation::RfmSegment::ALL.iter().map(|v| v.as_str()).collect()),
            "value_class": choices(evaluation::ValueClass::ALL.iter().map(|v| v.as_str()).collect()),
            "lifecycle": choices(evaluation::Lifecycle::ALL.iter().map(|v| v.as_str()).collect()),
            "service_level": choices(evaluation::ServiceLevel::ALL.iter().map(|v| v.as_str()).collect()),
        },
        "import_required_fields": headtail_core::import::ImportKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), json!(headtail_core::import::required_fields(*k))))
            .collect::<Map<_, _>>(),
        "import_customer_keys": headtail_core::import::CUSTOMER_KEYS,
        "evaluation_defaults": headtail_core::evaluation::EvaluationSettings::default(),
        "work_settings_defaults": headtail_core::work_settings::WorkSettingsInput::default(),
        "export_tables": export_tables(),
        "sort_readings": sort_readings(),
        "sort_surnames": customers::sort_key::SURNAMES
            .iter()
            .map(|(surname, syllables)| json!([surname, syllables.iter().map(|(s, t)| format!("{s}{t}")).collect::<Vec<_>>()]))
            .collect::<Vec<_>>(),
    })
}

/// The pinyin reading (syllable and tone digit) of every Han character the fake backend and
/// the UI tests write, for the fake's sort keys: the same readings as the real ones.
fn sort_readings() -> Map<String, Value> {
    fn scripts(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read the UI tests").flatten() {
            let path = entry.path();
            if path.is_dir() {
                scripts(&path, found);
            } else if path.extension().is_some_and(|e| e == "mjs" || e == "js") {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    scripts(&repo_path("ui/tests"), &mut files);
    let mut chars = std::collections::BTreeSet::new();
    for file in files {
        chars.extend(std::fs::read_to_string(file).expect("read a UI test script").chars());
    }
    chars
        .into_iter()
        .filter_map(|c| {
            let (syllable, tone) = headtail_core::customers::sort_key::reading(c)?;
            Some((c.to_string(), json!(format!("{syllable}{tone}"))))
        })
        .collect()
}

/// The tables a database export writes, in its order: those of a new database.
fn export_tables() -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = headtail_core::Database::open(&dir.path().join("tables.sqlite")).expect("a new database");
    let written = db.with_conn(|c| headtail_core::export::database_csv(c, &dir.path().join("export"))).expect("export");
    written.into_iter().map(|t| t.table).collect()
}

#[test]
fn the_constants_the_fake_reads_are_current() {
    let path = repo_path(CONSTANTS);
    let fresh = format!("{}\n", serde_json::to_string_pretty(&backend_constants()).expect("json"));
    if std::env::var_os("HEADTAIL_WRITE_CONSTANTS").is_some() {
        std::fs::write(&path, &fresh).expect("write the constants");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: regenerate it with `HEADTAIL_WRITE_CONSTANTS=1 cargo test --test contract constants` and commit it",
        path.display()
    );
}

// ---- negative controls: the comparison finds what it should ----

#[test]
fn a_changed_answer_is_reported_at_its_step() {
    let (fake, real) = contract();
    let step = fake.steps.iter().position(|s| s["cmd"] == "get_customer").expect("a get_customer step");
    let mut answers = fake.answers.clone();
    answers[step]["ok"]["region"] = json!("广东广州");
    let report = differences(&fake.steps, real, &answers);
    assert_eq!(report.len(), 1, "only the changed step differs: {report:#?}");
    assert!(
        report[0].starts_with(&format!("step {step} get_customer")) && report[0].contains("/ok/region"),
        "{report:#?}"
    );
}

#[test]
fn a_fake_with_a_changed_rule_is_reported() {
    let (_, real) = contract();
    let original = std::fs::read_to_string(repo_path(FAKE)).expect("read the fake");
    let rule = "if (digits.length < 5 || digits.length > 20) return false;";
    assert!(original.contains(rule), "{FAKE} no longer has the phone rule this control alters; pick another");
    let dir = tempfile::tempdir().expect("temp dir");
    let altered = dir.path().join("fake-backend.js");
    std::fs::write(&altered, original.replace(rule, "if (digits.length < 4 || digits.length > 20) return false;"))
        .expect("write the altered fake");

    let drifted = run_fake(&altered);
    let report = differences(&drifted.steps, real, &drifted.answers);
    let four_digits = drifted
        .steps
        .iter()
        .position(|s| s["cmd"] == "create_customer" && s["args"]["input"]["phone"] == "1234")
        .expect("a step with a four-digit phone number");
    assert!(
        report.iter().any(|r| r.starts_with(&format!("step {four_digits} create_customer"))),
        "a fake accepting a four-digit phone number must be reported at step {four_digits}: {report:#?}"
    );
}

#[test]
fn a_fake_sorting_by_character_code_is_reported() {
    let (_, real) = contract();
    let original = std::fs::read_to_string(repo_path(FAKE)).expect("read the fake");
    let rule = "name: (c) => sortKey(c.name, true),";
    assert!(original.contains(rule), "{FAKE} no longer has the name sort key this control alters");
    let dir = tempfile::tempdir().expect("temp dir");
    let altered = dir.path().join("fake-backend.js");
    std::fs::write(&altered, original.replace(rule, "name: (c) => nameKey(c.name),")).expect("write the altered fake");

    let drifted = run_fake(&altered);
    let report = differences(&drifted.steps, real, &drifted.answers);
    let by_name = |r: &String| {
        drifted.steps.iter().enumerate().any(|(i, s)| {
            s["cmd"] == "list_customers"
                && s["args"]["query"]["sort"] == "name"
                && r.starts_with(&format!("step {i} list_customers"))
        })
    };
    assert!(report.iter().any(by_name), "a fake listing names by character code must be reported: {report:#?}");
}
