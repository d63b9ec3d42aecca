//! Fuzz target: `headtail_core::fuzzing::import_csv`.

fn main() {
    let conn = headtail_core::fuzzing::database().expect("in-memory database");
    afl::fuzz!(|data: &[u8]| {
        let _ = headtail_core::fuzzing::import_csv(&conn, data);
    });
}
