//! Entry points for the fuzz targets in `tests/fuzz/` and for the test that replays their
//! corpus (`tests/fuzz_corpus.rs`): each takes arbitrary bytes and runs them through the
//! same code a file, a search box or an IPC call reaches. An error is a fine outcome; a
//! panic, or a search expression that SQLite refuses, is a bug.

use crate::error::Result;
use crate::import::{self, values, ImportKind, ImportMode, ImportOptions};
use crate::{complaints, contacts, customers, follow_ups, interactions, loyalty, saved_views, search, work_settings};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// A fixed clock, so that a run over the same input always takes the same path.
fn fixed_now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default() // 2026-01-01
}

fn fixed_local_now() -> NaiveDateTime {
    fixed_now().naive_utc()
}

/// An in-memory database with the full schema and a few customers for imports, searches
/// and commands to match against.
pub fn database() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    crate::db::migrate_to_version(&mut conn, crate::db::schema_version() as usize)?;
    for customer in [
        r#"{"name":"张伟","kind":"person","company":null,"phone":"13800138000","email":"zhang@example.com","region":"上海","owner":"王芳","notes":"VIP","external_id":"C001","size_class":null,"industry":null,"source":null,"referred_by":null,"needs":null,"preferences":null,"tags":["vip"]}"#,
        r#"{"name":"Acme Trading","kind":"company","company":"Acme","phone":null,"email":"buyer@acme.test","region":null,"owner":null,"notes":null,"external_id":"C002","size_class":null,"industry":null,"source":null,"referred_by":null,"needs":null,"preferences":null}"#,
    ] {
        let input: customers::CustomerInput = decode(customer.as_bytes())?;
        customers::create(&conn, input, fixed_now())?;
    }
    Ok(conn)
}

static FILE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A file in the temporary folder holding `bytes`, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(bytes: &[u8], extension: &str) -> std::io::Result<Self> {
        let n = FILE_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("headtail-fuzz-{}-{n}.{extension}", std::process::id()));
        std::fs::write(&path, bytes)?;
        Ok(TempFile(path))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const KINDS: [ImportKind; 5] = [
    ImportKind::Customers,
    ImportKind::Orders,
    ImportKind::Interactions,
    ImportKind::SurveyResponses,
    ImportKind::Complaints,
];

/// Options from the first byte of an input: the kind, the day/month order and the mode.
fn options_of(selector: u8) -> ImportOptions {
    let mut options = ImportOptions::new(KINDS[usize::from(selector % 5)]);
    options.day_first = match (selector / 5) % 3 {
        0 => None,
        1 => Some(true),
        _ => Some(false),
    };
    options.mode = match (selector / 15) % 3 {
        0 => ImportMode::Create,
        1 => ImportMode::Update,
        _ => ImportMode::Skip,
    };
    options.skip_bad_rows = selector & 0x80 != 0;
    options.dry_run = true;
    options
}

/// Previews and dry-runs an import of `file` saved with `extension`: the reader, encoding and
/// delimiter detection, header mapping, every cell parser and the matching. A dry run rolls
/// back, so `conn` is as it was after.
fn import_bytes(conn: &Connection, selector: u8, file: &[u8], extension: &str) -> Result<()> {
    let options = options_of(selector);
    let file = TempFile::new(file, extension)?;
    if import::preview_file(conn, &file.0, &options, 20).is_ok() {
        import::import_file(conn, &file.0, &options, fixed_now(), |_| {})?;
    }
    Ok(())
}

/// A CSV file: the first byte chooses the import's options, the rest is the file.
pub fn import_csv(conn: &Connection, data: &[u8]) -> Result<()> {
    let Some((&selector, file)) = data.split_first() else { return Ok(()) };
    import_bytes(conn, selector, file, "csv")
}

/// A workbook: the first byte chooses the options and the format (xlsx, xls, ods).
pub fn import_workbook(conn: &Connection, data: &[u8]) -> Result<()> {
    let Some((&selector, file)) = data.split_first() else { return Ok(()) };
    let extension = ["xlsx", "xls", "ods"][usize::from(selector >> 5) % 3];
    import_bytes(conn, selector, file, extension)
}

/// Every cell and header parser on the text of `data`, and encoding and delimiter detection
/// on its bytes.
pub fn values(data: &[u8]) {
    for complete in [true, false] {
        let (encoding, _) = import::source::detect_encoding(data, complete);
        let (text, _) = encoding.decode_with_bom_removal(data);
        import::source::detect_delimiter(&text);
    }
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(64) {
        let cell = import::source::unprotect(line);
        if let Ok(date) = values::parse_date(cell) {
            date.evidence();
            let _ = date.resolve(true);
            let _ = date.resolve(false);
        }
        let _ = values::parse_amount(cell, |currency| if currency == Some("JPY") { 0 } else { 2 });
        for digits in [0, 2, 3] {
            let _ = values::decimal_to_minor(cell, digits, true);
            let _ = values::decimal_to_minor(cell, digits, false);
        }
        if let Ok(number) = cell.trim().parse::<f64>() {
            let _ = values::float_to_minor(number, 2);
            let _ = values::excel_serial(number);
        }
        let _ = values::parse_integer(cell);
        let _ = values::parse_channel(cell);
        let _ = values::parse_customer_kind(cell);
        let _ = values::parse_size_class(cell);
        let _ = values::parse_interaction_kind(cell);
        let _ = values::parse_survey_kind(cell);
        let _ = values::parse_complaint_severity(cell);
        let _ = values::parse_complaint_status(cell);
        values::split_list(cell).for_each(drop);
        values::fold_width(cell);
        import::platforms::is_masked(cell);
        import::platforms::order_status(cell);
        import::platforms::refund_status(cell);
        import::normalise_header(cell);
        // The line as a header row.
        let headers: Vec<String> = cell.split([',', '\t']).map(str::to_owned).collect();
        for kind in KINDS {
            let mapping = import::auto_mapping(kind, &headers);
            import::missing_fields(kind, &mapping);
            import::platform_of(kind, &headers);
        }
    }
}

/// The search box: the index tokens and the query built from the text, run against the
/// index. The query builder must only ever make expressions SQLite accepts.
pub fn search(conn: &Connection, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    search::index_tokens(&text);
    if let Some(expr) = search::match_query(&text) {
        if let Err(e) = search::ids_matching_expression(conn, &expr) {
            panic!("the search {text:?} built the expression {expr:?}, which fails: {e}");
        }
    }
    let query = customers::CustomerQuery { search: Some(text.into_owned()), ..Default::default() };
    let _ = customers::list(conn, &query);
}

/// An IPC argument as Tauri decodes it; a refusal is a typed error, as the command gives.
fn decode<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T> {
    serde_json::from_slice(json).map_err(|e| crate::Error::InvalidArgument(e.to_string()))
}

/// The IPC commands that take structured input: the first byte picks one, the rest is its
/// JSON argument, decoded as Tauri decodes it and then handed to what the command runs, in
/// a transaction that is rolled back.
pub fn ipc(conn: &Connection, data: &[u8]) -> Result<()> {
    let Some((&selector, json)) = data.split_first() else { return Ok(()) };
    let tx = conn.unchecked_transaction()?;
    let now = fixed_now();
    let local_now = fixed_local_now();
    match selector % 12 {
        0 => {
            customers::create(&tx, decode(json)?, now)?;
        }
        1 => {
            customers::update(&tx, 1, decode(json)?, now)?;
        }
        2 => {
            customers::list(&tx, &decode(json)?)?;
        }
        3 => {
            contacts::create(&tx, decode(json)?, now)?;
        }
        4 => {
            complaints::create(&tx, decode(json)?)?;
        }
        5 => {
            complaints::list(&tx, local_now, &decode(json)?)?;
        }
        6 => {
            loyalty::create(&tx, decode(json)?)?;
        }
        7 => {
            work_settings::save(&tx, decode(json)?)?;
        }
        8 => {
            saved_views::create(&tx, "fuzz", &decode(json)?, now)?;
        }
        9 => {
            interactions::log(&tx, decode(json)?, local_now, now)?;
        }
        10 => {
            follow_ups::schedule_by_hand(&tx, decode(json)?, local_now, now)?;
        }
        _ => {
            decode::<ImportOptions>(json)?;
        }
    }
    Ok(())
}
