# Two commands do all the set-up: `make run` starts the bot, `make test` runs the tests.
# Each creates .venv the first time: `make test` with the test tools and Teams support (so
# every test runs, Teams included), `make run` with only what running needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Teams support (the Microsoft 365 Agents SDK) is installed for `make run` only when Teams
# is configured: TEAMS_APP_ID in the environment or in .env.
TEAMS_CONFIGURED := $(or $(TEAMS_APP_ID),$(shell grep -Es '^[[:space:]]*TEAMS_APP_ID=[^[:space:]#]' .env 2>/dev/null))
RUN_EXTRAS := $(if $(TEAMS_CONFIGURED),[teams])
RUN_STAMP  := $(VENV)/.installed-run$(if $(TEAMS_CONFIGURED),-teams)

.PHONY: run shell test lint without-teams without-slack bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,teams]'
	touch $(STAMP)

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.$(RUN_EXTRAS)'
	touch $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/tandem run

shell: $(RUN_STAMP)
	$(BIN)/tandem shell

# The layers (import-linter contracts in pyproject.toml) and ruff's rules; .ci/run runs it first.
lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .

# Tandem with handlers/teams/ deleted still builds, starts and passes its remaining tests.
without-teams: $(STAMP)
	.ci/without-platform teams

without-slack: $(STAMP)
	.ci/without-platform slack

test: $(STAMP)
	$(BIN)/python -m pytest

# Benchmarks (not part of the tests): prints the results table. `make bench BENCH=--quick`
# runs only the small sizes; see README.md, "Performance".
BENCH ?=
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
