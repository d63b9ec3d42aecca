//! Fuzz target: `headtail_core::fuzzing::search`.

fn main() {
    let conn = headtail_core::fuzzing::database().expect("in-memory database");
    afl::fuzz!(|data: &[u8]| {
        headtail_core::fuzzing::search(&conn, data);
    });
}
