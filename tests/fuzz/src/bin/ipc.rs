//! Fuzz target: `headtail_core::fuzzing::ipc`.

fn main() {
    let conn = headtail_core::fuzzing::database().expect("in-memory database");
    afl::fuzz!(|data: &[u8]| {
        let _ = headtail_core::fuzzing::ipc(&conn, data);
    });
}
