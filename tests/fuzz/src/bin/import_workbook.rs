//! Fuzz target: `headtail_core::fuzzing::import_workbook`.

fn main() {
    // A panic ends the process under AFL, so the connection is never seen half-way.
    let conn = std::panic::AssertUnwindSafe(headtail_core::fuzzing::database().expect("in-memory database"));
    afl::fuzz!(|data: &[u8]| {
        let _ = headtail_core::fuzzing::import_workbook(&conn, data);
    });
}
