//! Fuzz target: `headtail_core::fuzzing::values`.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        headtail_core::fuzzing::values(data);
    });
}
