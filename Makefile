# Headtail — common tasks. `make run` and `make test` install what is missing first.
.PHONY: setup ui build release run test test-rust test-ui test-e2e bindings

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

# Every layer: static checks, unit, storage, IPC, UI in Chromium, end to end on the real binary.
test: build
	cd ui && npm run check && npm run check:i18n
	cargo test --workspace
	cd ui && npm test
	node --test --test-concurrency=1 tests/e2e/
