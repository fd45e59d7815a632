# The two commands of the README: `make run` (the main job) and `make test` (lint, types, unit, integration).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test install lint unit integration stack-up stack-down stack-status benchmarks clean

# The native text core (processors/native) is built by cargo: rustup installs it in ~/.cargo/bin.
export PATH := $(HOME)/.cargo/bin:$(PATH)
NATIVE := processors/native/Cargo.toml processors/native/Cargo.lock $(wildcard processors/native/src/*.rs)

$(BIN)/khabar: pyproject.toml $(NATIVE)
	@command -v cargo >/dev/null || { echo "khabar builds processors/native with Rust's cargo: install Rust" \
	  "(rustup, or Debian's cargo package) so that cargo is on PATH, then run make install again" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/khabar  ## create .venv and install khabar with its dev extra

run: install  ## the main job: local Kafka + Elasticsearch, topics, pipeline
	$(BIN)/khabar run

test: install lint  ## ruff, mypy, import contracts, then pytest (unit + integration on the real stack)
	$(BIN)/khabar stack up
	$(BIN)/pytest -m "unit or integration" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

unit: install
	$(BIN)/pytest -m unit $(PYTEST_ARGS)

integration: install
	$(BIN)/khabar stack up
	$(BIN)/pytest -m integration $(PYTEST_ARGS)

stack-up: install
	$(BIN)/khabar stack up

stack-down: install
	$(BIN)/khabar stack down

stack-status: install
	$(BIN)/khabar stack status

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
