#!/usr/bin/env bash
# Runs the fuzz targets one after another, niced, each for FUZZ_SECONDS (default 600), from
# the committed corpus, the regressions and the seeds of make_seeds.py; then minimises what
# each run found back into corpus/<target>/ and prints the figures of each run.
# TARGETS="search ipc" limits the run to those targets.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
TARGETS=${TARGETS:-"import_csv import_workbook values search ipc"}
SECONDS_EACH=${FUZZ_SECONDS:-600}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/../../target/fuzz}
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1

command -v cargo-afl >/dev/null || cargo install cargo-afl --locked
# AFL++ is built once per toolchain; a second build is refused, which is fine.
cargo afl config --build >/dev/null 2>&1 || true
# FUZZ_NO_BUILD=1 fuzzes the binaries already built (say, while the core is being edited).
[ -n "${FUZZ_NO_BUILD:-}" ] || cargo afl build --release

python3 make_seeds.py "$CARGO_TARGET_DIR/seeds"
for target in $TARGETS; do
    input=$CARGO_TARGET_DIR/in/$target
    out=$CARGO_TARGET_DIR/out/$target
    rm -rf "$input" "$out"
    mkdir -p "$input" "$(dirname "$out")"
    for dir in "$CARGO_TARGET_DIR/seeds/$target" "corpus/$target" "regressions/$target"; do
        [ -d "$dir" ] && cp "$dir"/* "$input"/ 2>/dev/null || true
    done
    binary=$CARGO_TARGET_DIR/release/$target
    # -t 1000: an input taking over a second is a hang; -G: inputs of 1 MB at most.
    nice -n 19 cargo afl fuzz -i "$input" -o "$out" -V "$SECONDS_EACH" -t 1000 -G 1048576 "$binary" >"$out.log" 2>&1 || true
    stats=$out/default/fuzzer_stats
    crashes=$(find "$out/default/crashes" -type f -name 'id:*' | wc -l)
    hangs=$(find "$out/default/hangs" -type f -name 'id:*' | wc -l)
    rm -rf "corpus/$target.new"
    # The shell version of cmin: the Python one of AFL++ 4.40 finds no coverage in some targets.
    cmin=$(find "$HOME/.local/share/afl.rs" -name afl-cmin.bash -path '*/bin/*' | head -n 1)
    AFL_PATH=$(dirname "$cmin") PATH=$(dirname "$cmin"):$PATH nice -n 19 \
        "$cmin" -i "$out/default/queue" -o "corpus/$target.new" -t 1000 -- "$binary" >"$out.cmin.log" 2>&1
    rm -rf "corpus/$target"
    mv "corpus/$target.new" "corpus/$target"
    # AFL's names (id:…,src:…) are not valid on every file system: each file is named by its hash.
    for file in "corpus/$target"/*; do
        mv "$file" "corpus/$target/$(sha1sum "$file" | cut -c1-16)"
    done
    awk -v t="$target" -v c="$crashes" -v h="$hangs" -v kept="$(ls "corpus/$target" | wc -l)" -F' *: ' '
        /^run_time/ {rt=$2} /^execs_done/ {ex=$2} /^corpus_count/ {cc=$2} /^bitmap_cvg/ {cv=$2}
        END {printf "%s: %s s, %s execs, queue %s, kept %s after cmin, coverage %s, crashes %s, hangs %s\n", t, rt, ex, cc, kept, cv, c, h}' "$stats" | tee -a "$CARGO_TARGET_DIR/figures.txt"
    if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
        echo "$target: findings in $out/default/crashes and $out/default/hangs"
    fi
done
