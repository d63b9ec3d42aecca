# Headtail — common tasks. `make run` and `make test` install what is missing first.
.PHONY: setup ui build release run test lint crash-trials bindings fuzz
.PHONY: package package-test

export PATH := $(HOME)/.cargo/bin:$(PATH)

setup:
	./setup.sh

ui: setup
	cd ui && npm run build

build: ui
	cargo build

release: ui
	cargo build --release

# ARGS are passed to the app, e.g. `make run ARGS="--db /tmp/try.sqlite"`.
run: release
	./target/release/headtail $(ARGS)

bindings:
	cargo run -q -- bindings

# The Debian package, made by Tauri's bundler from the release build (target/release/bundle/deb/).
package: ui
	ui/node_modules/.bin/tauri build --bundles deb

# Installs the package, starts the installed app on a fresh home directory, removes it again.
package-test:
	tests/package/install.sh

# Formatting and every clippy warning, as errors.
lint: ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

# Each writing operation killed with SIGKILL at random moments (a short run; see the README
# for the full one).
crash-trials: build
	cargo run -q --example crash_trials -- --trials 2 --customers 300

# Coverage-guided fuzzing (AFL++ through cargo-afl, installed on first use) of the importer,
# the cell parsers, the search query builder and the IPC arguments; FUZZ_SECONDS per target.
# Not part of `make test`, which replays the committed corpus instead.
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} tests/fuzz/run.sh

# Every layer: lint, static checks, unit, storage, IPC, UI in Chromium, crash trials, end to
# end on the real binary.
test: build lint
	cd ui && npm run check && npm run check:i18n
	cargo test --workspace
	cd ui && npm test
	$(MAKE) crash-trials
	node --test --test-concurrency=1 tests/e2e/
	$(MAKE) package-test
