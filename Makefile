# Trellis — the commands a newcomer needs: `make demo` and `make test`.
# Everything builds with the dev profile (dependencies optimised, see
# Cargo.toml) so the demo and the tests share one warm target/; `make bench`
# builds release.

CARGO ?= cargo
PLUGINS := calculate_clinical_metrics lookup_medication search_medical_knowledge
WASM_TARGET := wasm32-wasip2
PLUGIN_OUT := plugins/target/$(WASM_TARGET)/release

.PHONY: setup plugins build demo test test-rust test-plugins bench bench-smoke lint fmt clean

## setup: install what a fresh machine lacks (the wasm target, and the
## OpenTelemetry Python SDK the tracing tests use as an independent caller).
setup:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@python3 -c 'import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http' 2>/dev/null \
	  || python3 -m pip install --quiet opentelemetry-sdk opentelemetry-exporter-otlp-proto-http

## plugins: build the shipped tool plugins into plugins/dist/, and the example
## scorer into plugins/dist/scorers/ (the worker loads only top-level files).
## The plugin workspace always builds into plugins/target (as the tests'
## fixture builds do), whatever CARGO_TARGET_DIR says.
plugins: setup
	cd plugins && env -u CARGO_TARGET_DIR $(CARGO) build --release --target $(WASM_TARGET)
	@mkdir -p plugins/dist/scorers
	@for p in $(PLUGINS); do cp $(PLUGIN_OUT)/$$p.wasm plugins/dist/$$p.wasm; done
	@cp $(PLUGIN_OUT)/safety_scorer.wasm plugins/dist/scorers/safety_scorer.wasm
	@ls -l plugins/dist/*.wasm plugins/dist/scorers/*.wasm

## build: the `trellis` binary.
build:
	$(CARGO) build -p trellis-cli

## demo: the three-process demo (worker, server, client) on this machine.
demo: plugins build
	@scripts/demo.sh

## test: every test — plugin unit tests, host unit tests, end-to-end tests.
test: plugins test-plugins test-rust bench-smoke

test-plugins:
	cd plugins && $(CARGO) test

test-rust:
	$(CARGO) test --workspace --all-targets

## bench: the benchmarks B1-B8 in a release build: prints one table and
## writes it to bench/results/latest.md. Takes a while; not part of `make test`.
bench: plugins
	$(CARGO) build --release -p trellis-cli -p trellis-bench
	$(CARGO) run --release --quiet -p trellis-bench

## bench-smoke: every benchmark for about a second on small data (dev build),
## to check they still run; writes bench/results/smoke.md. It builds the way
## `test-rust` does (whole workspace, all targets) and runs the binary
## directly: `cargo build -p ...` would resolve features differently and
## rebuild wasmtime from scratch.
bench-smoke: plugins
	$(CARGO) build --workspace --all-targets
	$${CARGO_TARGET_DIR:-target}/debug/trellis-bench --smoke

## lint: formatting and clippy, warnings as errors.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd plugins && $(CARGO) fmt --all -- --check

fmt:
	$(CARGO) fmt --all
	cd plugins && $(CARGO) fmt --all

clean:
	$(CARGO) clean
	cd plugins && $(CARGO) clean
	rm -rf plugins/dist .trellis
