//! Crash trials: every operation that writes is killed with SIGKILL at random moments, and
//! the database must come back intact with the operation either all there or not at all,
//! and running it again must succeed. Prints figures per operation; exits 1 on any violation.
//!
//! ```sh
//! cargo build --release && cargo run --release --example crash_trials -- --trials 100
//! cargo run --example crash_trials -- --trials 3 --customers 300   # the short run of the test suite
//! ```
//!
//! Imports and evaluations run as the real `headtail` binary (the one beside this example,
//! or `HEADTAIL_BIN`); a restore, an erasure, an import revert and a burst of edits go through
//! the real IPC command layer (Tauri's mock runtime, no window) in a child process of this
//! example, which is what gets killed.

#[path = "../../tests/support/mock_ipc.rs"]
mod mock_ipc;

use mock_ipc::MockApp;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const OPS: [&str; 7] = ["import", "bulk", "evaluate", "restore", "erase", "revert", "edits"];
const AS_OF: &str = "2026-06-30";
const BURST: usize = 150;
const READY: &str = "ready";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--worker") {
        return worker(&args[1..]);
    }
    let opt = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let trials: usize = opt("--trials").and_then(|t| t.parse().ok()).unwrap_or(100);
    let customers: u32 = opt("--customers").and_then(|t| t.parse().ok()).unwrap_or(5000);
    let seed: u64 = opt("--seed").and_then(|t| t.parse().ok()).unwrap_or(1);
    let ops: Vec<String> = opt("--ops")
        .map_or_else(|| OPS.iter().map(|s| s.to_string()).collect(), |o| o.split(',').map(str::to_owned).collect());
    let work = tempfile::tempdir().expect("work dir");
    let lab = Lab::set_up(work.path(), customers);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    println!("crash trials: {trials} per operation, base of {customers} customers, binary {}", lab.bin.display());
    println!(
        "{:<9} {:>6} {:>8} {:>12} {:>11} {:>10} {:>9} {:>11} {:>10}",
        "operation", "trials", "killed", "not there", "all there", "integrity", "reruns", "violations", "op time"
    );
    let mut violations = 0;
    for op in &ops {
        let figures = lab.trials(op, trials, &mut rng);
        violations += figures.violations.len();
        println!(
            "{:<9} {:>6} {:>8} {:>12} {:>11} {:>10} {:>9} {:>11} {:>9.2}s",
            op,
            figures.trials,
            figures.killed,
            figures.before,
            figures.after,
            format!("{}/{}", figures.intact, figures.trials),
            format!("{}/{}", figures.reruns_ok, figures.trials),
            figures.violations.len(),
            figures.op_seconds
        );
        for v in figures.violations.iter().take(5) {
            println!("  violation: {v}");
        }
    }
    if violations == 0 {
        ExitCode::SUCCESS
    } else {
        println!("{violations} violations");
        ExitCode::FAILURE
    }
}

#[derive(Default)]
struct Figures {
    trials: usize,
    /// Trials where the kill came before the operation ended by itself.
    killed: usize,
    before: usize,
    after: usize,
    intact: usize,
    reruns_ok: usize,
    violations: Vec<String>,
    op_seconds: f64,
}

/// The base database and the inputs every trial starts from.
struct Lab {
    dir: PathBuf,
    bin: PathBuf,
    base: PathBuf,
    small_csv: PathBuf,
    big_csv: PathBuf,
    backup_name: String,
    erase_id: i64,
    revert_batch: i64,
}

impl Lab {
    fn set_up(dir: &Path, customers: u32) -> Self {
        let bin = std::env::var_os("HEADTAIL_BIN").map(PathBuf::from).unwrap_or_else(|| {
            let exe = std::env::current_exe().expect("own path");
            exe.parent().and_then(Path::parent).expect("target dir").join("headtail")
        });
        assert!(bin.exists(), "no headtail binary at {} (build it first, or set HEADTAIL_BIN)", bin.display());
        let base = dir.join("base").join("headtail.sqlite");
        std::fs::create_dir_all(base.parent().expect("dir")).expect("base dir");
        run_ok(headtail(&bin, &base).args([
            "demo",
            "--customers",
            &customers.to_string(),
            "--seed",
            "7",
            "--until",
            AS_OF,
        ]));

        // An import to revert, and a backup taken before more changes, so each state differs.
        let revert_csv = dir.join("revert.csv");
        write_orders(&revert_csv, "R", 0..400, customers);
        run_ok(headtail(&bin, &base).args(["import", "--kind", "orders", revert_csv.to_str().expect("path")]));
        let backup = ipc_once(&base, "create_backup", json!({}));
        let backup_name = backup["file_name"].as_str().expect("backup name").to_owned();
        run_ok(headtail(&bin, &base).args(["evaluate", "--as-of", AS_OF, "--out", "/dev/null"]));

        let conn = Connection::open(&base).expect("open base");
        let revert_batch: i64 =
            conn.query_row("SELECT max(id) FROM import_batches", [], |r| r.get(0)).expect("batch to revert");
        let erase_id: i64 = conn
            .query_row(
                "SELECT customer_id FROM orders GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("customer to erase");
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
        drop(conn);

        let small_csv = dir.join("small.csv");
        write_orders(&small_csv, "S", 0..3000, customers);
        // Over 32 MB: a bulk load, which also drops and rebuilds indexes.
        let big_csv = dir.join("big.csv");
        write_orders(&big_csv, "B", 0..600_000, customers);
        Self { dir: dir.to_owned(), bin, base, small_csv, big_csv, backup_name, erase_id, revert_batch }
    }

    /// A fresh copy of the base (and its backups folder) for one trial.
    fn copy(&self, name: &str) -> PathBuf {
        let dir = self.dir.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("backups")).expect("trial dir");
        let db = dir.join("headtail.sqlite");
        std::fs::copy(&self.base, &db).expect("copy base");
        let backups = self.base.parent().expect("dir").join("backups");
        for entry in std::fs::read_dir(backups).expect("backups").flatten() {
            std::fs::copy(entry.path(), dir.join("backups").join(entry.file_name())).expect("copy backup");
        }
        db
    }

    fn start(&self, op: &str, db: &Path) -> Child {
        let mut cmd = match op {
            "import" | "bulk" => {
                let file = if op == "import" { &self.small_csv } else { &self.big_csv };
                let mut c = headtail(&self.bin, db);
                c.args(["import", "--kind", "orders", file.to_str().expect("path")]);
                c
            }
            "evaluate" => {
                let mut c = headtail(&self.bin, db);
                c.args(["evaluate", "--as-of", AS_OF, "--out", db.with_extension("csv").to_str().expect("path")]);
                c
            }
            _ => {
                let arg = match op {
                    "restore" => self.backup_name.clone(),
                    "erase" => self.erase_id.to_string(),
                    "revert" => self.revert_batch.to_string(),
                    _ => String::new(),
                };
                let mut c = Command::new(std::env::current_exe().expect("own path"));
                c.args(["--worker", op, db.to_str().expect("path"), &arg]);
                c
            }
        };
        // Only an IPC worker's first line is read; the binary's reports would fill a pipe.
        let stdout = if is_worker(op) { Stdio::piped() } else { Stdio::null() };
        cmd.stdout(stdout).stderr(Stdio::null()).spawn().expect("spawn")
    }

    /// Runs `op` to its end; returns its exit status and how long the operation took.
    fn run_whole(&self, op: &str, db: &Path) -> (bool, Duration) {
        let mut child = self.start(op, db);
        let started = wait_ready(op, &mut child);
        let ok = child.wait().expect("wait").success();
        (ok, started.elapsed())
    }

    fn trials(&self, op: &str, trials: usize, rng: &mut impl Rng) -> Figures {
        let mut f = Figures { trials, ..Figures::default() };
        let reference = self.copy(&format!("{op}-reference"));
        let before = state(&reference);
        let (ok, took) = self.run_whole(op, &reference);
        assert!(ok, "{op} fails even without a kill");
        let after = state(&reference);
        assert_ne!(before, after, "{op} must change the database for the trial to mean anything");
        f.op_seconds = took.as_secs_f64();

        for trial in 0..trials {
            let db = self.copy(&format!("{op}-trial"));
            let mut child = self.start(op, &db);
            let started = wait_ready(op, &mut child);
            // Anywhere in the operation, and a little past its usual end.
            let delay = took.mul_f64(rng.random_range(0.0..1.1));
            let ended = wait_up_to(&mut child, started + delay);
            if !ended {
                child.kill().expect("SIGKILL");
                child.wait().expect("reap");
                f.killed += 1;
            }
            let verdict = integrity(&db);
            if verdict == "ok" {
                f.intact += 1;
            } else {
                f.violations.push(format!("trial {trial}: integrity_check says {verdict}"));
                continue;
            }
            if op == "edits" {
                // A burst is many operations: each edit must be whole, wherever the kill fell.
                match edits_whole(&db) {
                    Ok(0) => f.before += 1,
                    Ok(n) if n == 2 * BURST => f.after += 1,
                    Ok(_) => {}
                    Err(e) => f.violations.push(format!("trial {trial}: {e}")),
                }
                let (ok, _) = self.run_whole(op, &db);
                match edits_whole(&db) {
                    Ok(_) if ok => f.reruns_ok += 1,
                    Ok(_) => f.violations.push(format!("trial {trial}: a second burst failed")),
                    Err(e) => f.violations.push(format!("trial {trial}: after a second burst: {e}")),
                }
                continue;
            }
            let now = state(&db);
            let was_before = now == before;
            if was_before {
                f.before += 1;
            } else if now == after {
                f.after += 1;
            } else {
                f.violations.push(format!("trial {trial}: neither before nor after: {}", diff(&before, &after, &now)));
            }
            // Again, to its end: from "not there" it must get all there; from "all there" a
            // second run must still succeed (an erasure or restore repeats harmlessly, an
            // import skips what it has, a revert of a reverted batch is refused cleanly).
            let (ok, _) = self.run_whole(op, &db);
            let settled = state(&db);
            // From "all there", a refusal that changes nothing also counts: an import of the
            // same file again finds every order number taken, a revert finds it reverted.
            let again_ok = match (op, was_before) {
                (_, true) => ok && settled == after,
                ("import" | "bulk" | "revert", false) => settled == after && integrity(&db) == "ok",
                _ => ok && integrity(&db) == "ok",
            };
            if again_ok {
                f.reruns_ok += 1;
            } else {
                f.violations.push(format!(
                    "trial {trial}: running it again (exit ok: {ok}) left {}",
                    diff(&before, &after, &settled)
                ));
            }
        }
        f
    }
}

fn headtail(bin: &Path, db: &Path) -> Command {
    let mut c = Command::new(bin);
    c.arg("--db").arg(db).env_remove("DISPLAY").env_remove("HEADTAIL_DB");
    c
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().expect("run headtail");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Orders for customers of the demo base (by name) and new ones, with order numbers.
fn write_orders(path: &Path, prefix: &str, rows: std::ops::Range<usize>, customers: u32) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create csv"));
    writeln!(out, "订单号,客户编号,客户名称,下单日期,金额,商品,品类,数量").expect("header");
    let span = (customers as usize).max(1) * 2;
    for i in rows {
        let who = i % span;
        writeln!(
            out,
            "{prefix}{i:08},{prefix}K{who:06},{prefix}客户{who},2026-{:02}-{:02},{}.50,商品{},品类{},1",
            i % 6 + 1,
            i % 28 + 1,
            i % 900 + 1,
            i % 40,
            i % 8
        )
        .expect("row");
    }
}

/// IPC workers print a line once the app is built, so the kill lands in the operation.
fn is_worker(op: &str) -> bool {
    matches!(op, "restore" | "erase" | "revert" | "edits")
}

fn wait_ready(op: &str, child: &mut Child) -> Instant {
    if is_worker(op) {
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("ready line");
        assert_eq!(line.trim(), READY, "worker did not start");
    }
    Instant::now()
}

/// Waits for the child until `deadline`; true when it ended by itself.
fn wait_up_to(child: &mut Child, deadline: Instant) -> bool {
    loop {
        if child.try_wait().expect("poll").is_some() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(2)));
    }
}

fn integrity(db: &Path) -> String {
    let conn = Connection::open(db).expect("open after the kill");
    let mut verdict: String =
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap_or_else(|e| e.to_string());
    if verdict == "ok" {
        if let Err(e) = conn.execute("INSERT INTO customer_search (customer_search) VALUES ('integrity-check')", []) {
            verdict = format!("search index: {e}");
        }
    }
    verdict
}

/// What an operation changes, without what differs between two runs of it (times, paths, and
/// what is derived and rebuilt when missing: search entries, order digests):
/// the count of each table, complete evaluation runs only, and the content of the rows a
/// restore, erasure, revert or edit changes.
fn state(db: &Path) -> BTreeMap<String, String> {
    let conn = Connection::open(db).expect("open");
    let mut s = BTreeMap::new();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name NOT LIKE 'customer_search%' AND name NOT IN ('evaluation_runs', 'evaluation_members', 'evaluation_members_saving', 'evaluation_archive',
                              'search_pending', 'evaluation_lease', 'order_digests')",
        )
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("names");
    let one = |sql: &str| -> String {
        conn.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map_or_else(|e| e.to_string(), |v| format!("{v:?}"))
    };
    for t in tables {
        s.insert(format!("count {t}"), one(&format!("SELECT count(*) FROM \"{t}\"")));
    }
    s.insert("complete runs".into(), one("SELECT count(*) FROM evaluation_runs WHERE complete = 1"));
    s.insert(
        "members of complete runs".into(),
        one("SELECT count(*) FROM evaluation_members WHERE run_id IN (SELECT id FROM evaluation_runs WHERE complete = 1)"),
    );
    s.insert(
        "archived members of complete runs".into(),
        one("SELECT total(members) FROM evaluation_archive WHERE run_id IN (SELECT id FROM evaluation_runs WHERE complete = 1)"),
    );
    s.insert("customers".into(), customers_digest(&conn));
    s.insert("reverted batches".into(), one("SELECT count(*) FROM import_batches WHERE reverted_at IS NOT NULL"));
    s.insert("order sum".into(), one("SELECT total(amount_minor) FROM orders"));
    s
}

/// Checks that every edit of a burst is whole: a customer's name and notes come from the
/// same edit, its tag is there, and the search finds it by its current name. Returns how
/// many edits (creations and updates) are in.
fn edits_whole(db: &Path) -> Result<usize, String> {
    use headtail_core::customers::{self, CustomerQuery};
    let db = headtail_core::Database::open(db).map_err(|e| e.to_string())?;
    let rows: Vec<(i64, String, Option<String>, i64)> = db
        .with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT id, name, notes, (SELECT count(*) FROM customer_tags t WHERE t.customer_id = c.id)
                 FROM customers c WHERE name LIKE '连发%' ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .map_err(|e| e.to_string())?;
    let mut edits = 0;
    for (id, name, notes, tags) in rows {
        let updated = name.ends_with('改');
        if updated != notes.as_deref().is_some_and(|n| n.ends_with(" updated")) || tags != 1 {
            return Err(format!("customer {id} is half edited: {name} / {notes:?} / {tags} tags"));
        }
        // A name like 连发3-4改 also matches its neighbours: look through every page.
        let mut found = false;
        let mut offset = 0;
        while !found {
            let query = CustomerQuery { search: Some(name.clone()), offset, limit: 500, ..CustomerQuery::default() };
            let page = db.with_conn(|c| customers::list(c, &query)).map_err(|e| e.to_string())?;
            found = page.items.iter().any(|c| c.id == id);
            offset += 500;
            if offset >= page.total {
                break;
            }
        }
        if !found {
            return Err(format!("customer {id} is not found by its name {name}"));
        }
        edits += 1 + usize::from(updated);
    }
    Ok(edits)
}

/// The customer rows as a restore, an erasure or a revert leaves them.
fn customers_digest(conn: &Connection) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    let mut stmt = conn
        .prepare(
            "SELECT id, name, phone, email, notes, erased_at IS NULL, deleted_at IS NULL FROM customers ORDER BY id",
        )
        .expect("customers");
    let mut rows = stmt.query([]).expect("rows");
    while let Some(r) = rows.next().expect("row") {
        for i in 0..7 {
            format!("{:?}", r.get::<_, rusqlite::types::Value>(i).expect("value")).hash(&mut hasher);
        }
    }
    format!("{:016x}", hasher.finish())
}

fn diff(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> String {
    now.iter()
        .filter(|(k, v)| before.get(*k) != Some(v) && after.get(*k) != Some(v))
        .map(|(k, v)| format!("{k} = {v} (before {:?}, after {:?})", before.get(k), after.get(k)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn ipc_once(db: &Path, cmd: &str, args: Value) -> Value {
    MockApp::open(db).call(cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

/// The child side: one operation through the IPC commands; exit 0 when it succeeded.
fn worker(args: &[String]) -> ExitCode {
    let (op, db, arg) = (args[0].as_str(), Path::new(&args[1]), args.get(2).cloned().unwrap_or_default());
    let ipc = MockApp::open(db);
    println!("{READY}");
    std::io::stdout().flush().expect("flush");
    let result = match op {
        "restore" => ipc.call("restore_backup", json!({"fileName": arg})).map(|_| ()),
        "erase" => ipc.call("erase_customer", json!({"id": arg.parse::<i64>().expect("id")})).map(|_| ()),
        "revert" => ipc.call("revert_import", json!({"batchId": arg.parse::<i64>().expect("batch")})).map(|_| ()),
        "edits" => edit_burst(&ipc),
        _ => Err(json!(format!("unknown operation {op}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{op}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Creates customers and edits each, as a user at the form would, as fast as IPC takes them.
fn edit_burst(ipc: &MockApp) -> Result<(), Value> {
    let round = ipc.call(
        "list_customers",
        json!({"query": {"search": "连发", "kind": null, "owner": null, "sort": "name",
        "descending": false, "deleted": false, "offset": 0, "limit": 1}}),
    )?["total"]
        .as_u64()
        .unwrap_or(0);
    for i in 0..BURST {
        let name = format!("连发{}-{i}", round);
        let mut input = json!({"name": name, "kind": "person", "company": null, "phone": format!("139{:08}", round * 1000 + i as u64),
            "email": null, "region": "深圳", "owner": "王经理", "notes": format!("burst {i}"), "tags": ["连发"]});
        let created = ipc.call("create_customer", json!({"input": input}))?;
        input["name"] = json!(format!("{name}改"));
        input["notes"] = json!(format!("burst {i} updated"));
        ipc.call("update_customer", json!({"id": created["id"], "input": input}))?;
    }
    Ok(())
}
