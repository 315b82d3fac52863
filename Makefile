# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every statement the local Doris FE receives during the tests; checked for coverage afterwards.
STATEMENT_LOG := $(CURDIR)/.test-artifacts/fe-statements.jsonl

.PHONY: venv demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --python $(PY) -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy airflow_provider_doris_oss

test: lint
	rm -f $(STATEMENT_LOG) && mkdir -p $(dir $(STATEMENT_LOG))
	DORIS_FE_STATEMENT_LOG=$(STATEMENT_LOG) $(VENV)/bin/pytest -n 2 --dist loadfile -q
	$(PY) scripts/check_statement_log.py $(STATEMENT_LOG)

# Every benchmark, side by side with its alternative; writes benchmarks/RESULTS.md (BENCH_ARGS=--quick: a smoke run).
bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .demo .test-artifacts
