# Two commands do all the set-up: `make run` starts the bot, `make test` runs the tests.
# Each creates .venv (with the project and its test tools) the first time.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run shell test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tandem run

shell: $(STAMP)
	$(BIN)/tandem shell

test: $(STAMP)
	$(BIN)/python -m pytest

# Benchmarks (not part of the tests): prints the results table. `make bench BENCH=--quick`
# runs only the small sizes; see README.md, "Performance".
BENCH ?=
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
