//! Replays the fuzzers' corpus (tests/fuzz/corpus/<target>/) and the inputs that once broke
//! something (tests/fuzz/regressions/<target>/) through the very entry points the fuzz
//! targets call: none may panic, and none may take over a second (in a release build; a
//! debug build, several times slower and on a shared CI machine, gets ten).

use headtail_core::fuzzing;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const LIMIT: Duration = if cfg!(debug_assertions) { Duration::from_secs(10) } else { Duration::from_secs(1) };
const TARGETS: [&str; 5] = ["import_csv", "import_workbook", "values", "search", "ipc"];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz")
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for set in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(set).join(target)) else { continue };
        files.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

fn run(target: &str, conn: &rusqlite::Connection, data: &[u8]) {
    match target {
        "import_csv" => drop(fuzzing::import_csv(conn, data)),
        "import_workbook" => drop(fuzzing::import_workbook(conn, data)),
        "values" => fuzzing::values(data),
        "search" => fuzzing::search(conn, data),
        "ipc" => drop(fuzzing::ipc(conn, data)),
        other => panic!("no fuzz target {other}"),
    }
}

fn replay(target: &str) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no corpus for {target} in {}", fuzz_dir().display());
    let conn = fuzzing::database().expect("in-memory database");
    let mut failures = Vec::new();
    let mut times = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("corpus file");
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(target, &conn, &data)));
        let took = started.elapsed();
        if outcome.is_err() {
            failures.push(format!("{} panicked", file.display()));
        } else if data.len() <= 1 << 20 && took > LIMIT {
            failures.push(format!("{} took {took:?}", file.display()));
        }
        times.push((took, file));
    }
    times.sort();
    let total: Duration = times.iter().map(|(t, _)| *t).sum();
    let (slowest, slowest_file) = times.last().expect("a file");
    println!(
        "{target}: {} inputs in {total:?}, slowest {slowest:?} ({})",
        files.len(),
        slowest_file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    assert!(failures.is_empty(), "{target}:\n{}", failures.join("\n"));
}

#[test]
fn import_csv_corpus() {
    replay("import_csv");
}

#[test]
fn import_workbook_corpus() {
    replay("import_workbook");
}

#[test]
fn values_corpus() {
    replay("values");
}

#[test]
fn search_corpus() {
    replay("search");
}

#[test]
fn ipc_corpus() {
    replay("ipc");
}

#[test]
fn every_target_is_replayed() {
    for set in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(set)) else { continue };
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(TARGETS.contains(&name.as_str()), "tests/fuzz/{set}/{name} is replayed by no test");
        }
    }
}

/// Inputs that once took minutes: the index tokens of a long run of digits grew with the
/// square of its length, and a pasted text became a query of one term per word. (A quarter
/// of a megabyte, so that a debug build on a busy machine stays well inside the limit.)
#[test]
fn long_search_text_is_searched_quickly() {
    let conn = fuzzing::database().expect("in-memory database");
    let size = 1 << 18;
    for (what, text) in [
        ("digits", "1".repeat(size)),
        ("short words", "ab ".repeat(size / 3)),
        ("letters and digits", "a1".repeat(size / 2)),
        ("Chinese", "张伟".repeat(size / 6)),
    ] {
        let started = Instant::now();
        fuzzing::search(&conn, text.as_bytes());
        let took = started.elapsed();
        println!("search of {size} bytes of {what}: {took:?}");
        assert!(took < LIMIT, "{size} bytes of {what} took {took:?}");
    }
}

/// A workbook of a kilobyte whose cells are A1 and XFD1048576: calamine would allocate the
/// whole rectangle between them (half a terabyte) and end the process.
#[test]
fn a_workbook_spanning_the_whole_sheet_is_refused() {
    let data = std::fs::read(fuzz_dir().join("regressions/import_workbook/sheet-from-a1-to-xfd1048576"))
        .expect("regression file");
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("wide.xlsx");
    std::fs::write(&path, &data[1..]).expect("workbook");
    let conn = fuzzing::database().expect("in-memory database");
    let options = headtail_core::import::ImportOptions::new(headtail_core::import::ImportKind::Customers);
    match headtail_core::import::preview_file(&conn, &path, &options, 20) {
        Err(headtail_core::Error::UnreadableFile(message)) => {
            assert!(message.contains("spans 17179869184 cells"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// A CSV file whose header has 50,000 columns, the last ones mapped: each column's header was
/// compared with every synonym, and each with every mapped column.
#[test]
fn a_header_of_fifty_thousand_columns_is_mapped_quickly() {
    let conn = fuzzing::database().expect("in-memory database");
    let columns = 50_000;
    let mut file = vec![0]; // customers
    file.extend("a,".repeat(columns).as_bytes());
    file.extend("phone,name\n".as_bytes());
    file.extend("1,".repeat(columns).as_bytes());
    file.extend("13800138000,张伟\n".as_bytes());
    let started = Instant::now();
    fuzzing::import_csv(&conn, &file).expect("imported");
    let took = started.elapsed();
    println!("{columns} columns: {took:?}");
    assert!(took < LIMIT, "{columns} columns took {took:?}");
}
