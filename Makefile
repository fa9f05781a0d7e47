# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean reliability mutants chromium fonts screenshots walkthrough-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the API on 127.0.0.1:8000 with SQLite under ./var (demo data on first start).
run: $(STAMP)
	$(BIN)/hoctap db init
	$(BIN)/hoctap run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Lint, type-check, check the layer contracts, then run every test.
test: lint fonts
	$(BIN)/pytest

## Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@test -x /usr/bin/chromium || { \
	  test "$$(id -u)" = 0 || { echo "chromium is missing: run 'make chromium' as root" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## DejaVu, the font the certificate PDF is drawn in (application/clients/certificate_pdf.py).
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf || { \
	  test "$$(id -u)" = 0 || { echo "fonts-dejavu-core is missing: run 'make fonts' as root" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null; }

## curl and jq, which the README's walk-through uses (tests/test_readme_walkthrough.py).
walkthrough-tools:
	@{ command -v curl && command -v jq; } >/dev/null || { \
	  test "$$(id -u)" = 0 || { echo "curl or jq is missing: run 'make walkthrough-tools' as root" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl jq >/dev/null; }


## PNGs of the main pages into docs/screenshots/, taken by the browser tests as they run
## (not part of `make test`, so a test run leaves the tree as it was).
screenshots: $(STAMP) chromium
	HOCTAP_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -p no:cacheprovider tests/browser

## The reliability checks at full size (PostgreSQL; a few minutes). `make test` runs them small.
reliability: $(STAMP)
	$(BIN)/python -m ops.reliability all

## Mutation testing of domain/ and the integrity, scope and idempotency code (long; not in CI).
mutants: $(STAMP)
	$(BIN)/python -m ops.mutants

clean:
	rm -rf $(VENV) var mutants .pytest_cache .mypy_cache .ruff_cache
