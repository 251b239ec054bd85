# Two commands do all set-up on a fresh machine with Python 3.11+ and git:
#   make run    build .venv from uv.lock, run the pipeline on samples/, print a summary
#   make test   the test suite: lint, import layers, tests (needs nothing beside the clone)
#   make test-quality   the dev-set quality floors (needs ../shared/devset; CI runs both)
UV_VERSION := 0.13.8
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1

DEVSET := ../shared/devset

.PHONY: run test test-quality lint eval train-lines bench ui serve clean-warehouse

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --locked --python python3
	@touch $@

run: .venv/.synced
	.venv/bin/newsdesk run samples/

test: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	.venv/bin/pytest --ignore=tests/quality

test-quality: .venv/.synced
	@test -f $(DEVSET)/manifest.json || { \
	  echo "make test-quality checks bench/floors.json on the dev set and needs it at"; \
	  echo "$(DEVSET) (a folder beside this clone: devset/manifest.json, segments/, dates/)."; \
	  echo "It is not in this repository; CI has it. \`make test\` needs nothing beside the clone."; \
	  exit 2; }
	.venv/bin/pytest tests/quality

lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

eval: .venv/.synced
	.venv/bin/python -m bench.eval $(ARGS)

train-lines: .venv/.synced
	.venv/bin/python -m bench.train_line_model $(ARGS)

bench: .venv/.synced
	.venv/bin/python -m bench.bench_run $(ARGS)

ui: .venv/.synced
	.venv/bin/newsdesk ui

serve: .venv/.synced
	.venv/bin/newsdesk serve

clean-warehouse:
	rm -f .newsdesk/warehouse.duckdb .newsdesk/warehouse.duckdb.wal .newsdesk/warehouse.read.duckdb
	rm -rf .newsdesk/warehouse.raw
