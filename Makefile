# One command to set up and launch (`make run`), one to set up and test (`make test`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Re-install only when the project's metadata changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
TEST_STAMP := $(VENV)/.installed-test-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run install install-test test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# (quizapp/store/native_replay.c: the build compiles it, see hatch_build.py; a change to it builds again)
$(STAMP): pyproject.toml quizapp/store/native_replay.c | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m compileall -q quizapp  # byte-code once, for a fast start
	touch $@

$(TEST_STAMP): pyproject.toml quizapp/store/native_replay.c | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,ref]'
	touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

run: $(STAMP)
	$(BIN)/quizapp

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy  # settings in pyproject.toml [tool.mypy]: strict on the whole package

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -n 2 -q

bench: $(TEST_STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .hypothesis quizapp/store/native_replay.*.so
