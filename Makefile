# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Pinned versions: the dev environment installs exactly what CI tested (docs/development.md).
LOCK := requirements/dev.lock
# The dev environment: the project's published extras (editable) plus the dev dependency group.
DEV_EXTRAS := testing fs openlineage seaweedfs
comma := ,
empty :=
space := $(empty) $(empty)
# The built sdist and wheel (make dist), and the venv the wheel's smoke tests run in (make wheel-smoke).
DIST := dist
WHEEL_VENV := .venv-wheel
# One lane per older Airflow minor users run (docs/compatibility.md): a venv .venv-<lane> pinned by
# requirements/airflow-<lane>.lock, compiled from airflow-<lane>.in as of that release's day, the way
# Airflow's constraints file pins it; the test kit's own tools (not Airflow's) may be newer.
LANES := 3.0 3.1 3.2 3.3
LANE_DATE_3.0 := 2025-08-30
LANE_DATE_3.1 := 2026-03-12
LANE_DATE_3.2 := 2026-05-30
LANE_DATE_3.3 := 2026-07-07
LANE_NEWER := --exclude-newer-package mysql-mimic=2026-12-01 --exclude-newer-package playwright=2026-12-01
# One selection for every lane: imports, provider info and forms, operators, a deferred sensor, the
# event watcher end to end (real scheduler and triggerer).
LANE_TESTS := tests/lanes tests/triggers/test_event_e2e.py
# The connection forms in Chromium (save, Test) on the lanes whose Airflow draws them from the hooks'
# form methods; from 3.2 on they come from the provider info, as on the newest release, where the
# main suite runs the same test. These lanes' .in files add playwright.
LANE_UI := 3.0 3.1
LANE_UI_TESTS := tests/ui/test_forms_every_lane.py
# Every statement the local Doris FE receives during the tests; checked for coverage afterwards.
STATEMENT_LOG := $(CURDIR)/.test-artifacts/fe-statements.jsonl

.PHONY: venv demo test lanes lint bench clean lock lock-lanes browser postgres dist wheel-smoke

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -c $(LOCK) pip uv
	$(VENV)/bin/uv pip install --python $(PY) -c $(LOCK) -e '.[$(subst $(space),$(comma),$(DEV_EXTRAS))]' --group dev
	touch $(STAMP)

.venv-%/.installed: pyproject.toml requirements/airflow-%.lock requirements/airflow-%.in | $(STAMP)
	$(VENV)/bin/uv venv --quiet --allow-existing --python $(PY) .venv-$*
	$(VENV)/bin/uv pip install --quiet --python .venv-$*/bin/python -c requirements/airflow-$*.lock \
		-e '.[testing,fs]' -r requirements/airflow-$*.in
	touch $@

# The lane suite (tests/lanes) on one older Airflow: `make lane-3.1` (chromium for the LANE_UI lanes).
lane-%: .venv-%/.installed browser
	@start=$$(date +%s); \
	.venv-$*/bin/pytest -q -p no:xdist --durations=5 $(LANE_TESTS) $(if $(filter $*,$(LANE_UI)),$(LANE_UI_TESTS)); rc=$$?; \
	echo "lane $*: $$(( $$(date +%s) - start )) s"; exit $$rc

lanes: $(addprefix lane-,$(LANES))

# Lane venvs are kept between runs (a pattern rule's target would otherwise be deleted as intermediate).
.PRECIOUS: .venv-%/.installed

# Re-resolve the lock files from pyproject.toml (newest versions allowed; a lane's as of its day), then `make venv`.
lock: $(STAMP) lock-lanes
	$(VENV)/bin/uv pip compile --quiet --upgrade --python $(PY) $(addprefix --extra ,$(DEV_EXTRAS)) \
		--group pyproject.toml:dev pyproject.toml requirements/dev.in -o $(LOCK)

# A lane's lock resolves as of its day, so re-running it gives the same pins until its .in or pyproject.toml changes.
lock-lanes: $(STAMP)
	$(foreach lane,$(LANES),$(VENV)/bin/uv pip compile --quiet --upgrade --python $(PY) --extra testing --extra fs \
		--exclude-newer $(LANE_DATE_$(lane))T00:00:00Z $(LANE_NEWER) \
		pyproject.toml requirements/airflow-$(lane).in -o requirements/airflow-$(lane).lock &&) true

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

# Debian's PostgreSQL server programs (initdb, postgres) for the HA end-to-end test
# (tests/triggers/test_flagship_ha_e2e.py), which runs its own throw-away server on 127.0.0.1.
# Where they cannot be installed that test fails, saying that it did not run and why.
postgres:
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		SUDO=""; if [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi; \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$SUDO apt-get install -y -qq --no-install-recommends postgresql; } >/dev/null \
		|| echo "make: could not install postgresql with apt-get; the PostgreSQL end-to-end test will fail (did not run)." >&2; \
	fi

# The sdist and the wheel, built as a release builds them (build backend pinned by the lock), then
# checked: twine's metadata and long-description check, and the files each must hold.
dist: $(STAMP)
	rm -rf $(DIST)
	$(VENV)/bin/uv build --quiet --build-constraint $(LOCK) --out-dir $(DIST)
	$(VENV)/bin/twine check --strict $(DIST)/*
	$(PY) scripts/check_dist.py $(DIST)

# The built wheel, not the tree: its dependencies resolve from scratch without backtracking (uv; pip
# with DORIS_OSS_RESOLVER=pip); installed with the testing and fs extras in its own venv (kept between
# runs), the smoke tests run from a temporary directory, so only the installed package can be imported.
wheel-smoke: dist
	DORIS_OSS_DIST=$(CURDIR)/$(DIST) $(VENV)/bin/pytest -q -p no:xdist tests/wheel/test_resolution.py
	$(VENV)/bin/uv venv --quiet --allow-existing --python $(PY) $(WHEEL_VENV)
	$(VENV)/bin/uv pip install --quiet --python $(WHEEL_VENV)/bin/python -c $(LOCK) \
		--reinstall-package airflow-provider-doris-oss "$$(ls $(DIST)/*.whl)[testing,fs]"
	@start=$$(date +%s); tmp=$$(mktemp -d); \
	cp tests/conftest.py tests/wheel/test_installed_wheel.py $$tmp/ && \
	(cd $$tmp && $(CURDIR)/$(WHEEL_VENV)/bin/pytest -q -p no:cacheprovider --durations=5 .); rc=$$?; \
	rm -rf $$tmp; echo "wheel smoke: $$(( $$(date +%s) - start )) s"; exit $$rc

# The whole suite on the newest Airflow, the built wheel's smoke tests, then the lane suite on each
# older minor (every lane runs).
test: lint browser postgres
	rm -f $(STATEMENT_LOG) && mkdir -p $(dir $(STATEMENT_LOG))
	DORIS_FE_STATEMENT_LOG=$(STATEMENT_LOG) $(VENV)/bin/pytest -n 2 --dist loadfile -q
	$(PY) scripts/check_statement_log.py $(STATEMENT_LOG)
	$(MAKE) wheel-smoke
	$(MAKE) -k -j2 --output-sync=target lanes

# Every benchmark, side by side with its alternative; writes benchmarks/RESULTS.md (BENCH_ARGS=--quick: a smoke run).
bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(addprefix .venv-,$(LANES)) $(WHEEL_VENV) $(DIST) .demo .test-artifacts
