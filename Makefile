# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Pinned versions: the dev environment installs exactly what CI tested (docs/development.md).
LOCK := requirements/dev.lock
# The smoke session on the oldest supported Airflow, in a venv of its own.
MIN_VENV ?= .venv-min
MIN_STAMP := $(MIN_VENV)/.installed
MIN_LOCK := requirements/min.lock
# Every statement the local Doris FE receives during the tests; checked for coverage afterwards.
STATEMENT_LOG := $(CURDIR)/.test-artifacts/fe-statements.jsonl

.PHONY: venv demo test test-min lint bench clean lock browser

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -c $(LOCK) pip uv
	$(VENV)/bin/uv pip install --python $(PY) -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

$(MIN_STAMP): pyproject.toml $(MIN_LOCK) requirements/min.in | $(STAMP)
	$(VENV)/bin/uv venv --quiet --allow-existing --python $(PY) $(MIN_VENV)
	$(VENV)/bin/uv pip install --quiet --python $(MIN_VENV)/bin/python -c $(MIN_LOCK) \
		-e '.[testing,fs]' -r requirements/min.in
	touch $(MIN_STAMP)

# Smoke tests on the oldest Airflow pyproject.toml admits (requirements/min.in).
test-min: $(MIN_STAMP)
	$(MIN_VENV)/bin/pytest -q -p no:xdist tests/smoke_min

# Re-resolve both lock files from pyproject.toml (newest versions allowed), then `make venv`.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile --quiet --upgrade --python $(PY) --extra dev \
		pyproject.toml requirements/dev.in -o $(LOCK)
	$(VENV)/bin/uv pip compile --quiet --upgrade --python $(PY) --extra testing --extra fs \
		pyproject.toml requirements/min.in -o $(MIN_LOCK)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy airflow_provider_doris_oss

# Debian's Chromium for the browser tests (tests/ui). Where it cannot be installed they fail,
# saying that they did not run and why; the rest of the suite still runs.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=""; if [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi; \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$SUDO apt-get install -y -qq --no-install-recommends chromium; } >/dev/null \
		|| echo "make: could not install chromium with apt-get; the browser tests will fail (did not run)." >&2; \
	fi

# The whole suite on the newest Airflow, then the smoke session on the oldest supported one.
test: lint browser
	rm -f $(STATEMENT_LOG) && mkdir -p $(dir $(STATEMENT_LOG))
	DORIS_FE_STATEMENT_LOG=$(STATEMENT_LOG) $(VENV)/bin/pytest -n 2 --dist loadfile -q --ignore=tests/smoke_min
	$(PY) scripts/check_statement_log.py $(STATEMENT_LOG)
	$(MAKE) test-min

# Every benchmark, side by side with its alternative; writes benchmarks/RESULTS.md (BENCH_ARGS=--quick: a smoke run).
bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(MIN_VENV) .demo .test-artifacts
