# Every target sets itself up: a fresh clone needs only Python >= 3.11, pip and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo serve test check lint types lock clean

# Locked, hash-checked dependencies first; then the project itself, built with the
# locked setuptools (no build isolation, so nothing unpinned is fetched).
$(STAMP): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation --editable .
	touch $(STAMP)

# Demo, in development mode: a demo key file (git-ignored), the SQLite database migrated,
# the demo data loaded, then serve (GraphiQL on).
demo: export UPRIGHT_ENV = development
demo: $(STAMP)
	$(BIN)/upright keys init
	$(BIN)/upright db upgrade
	$(BIN)/upright demo
	$(BIN)/upright serve

serve: $(STAMP)
	$(BIN)/upright serve

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy --strict server schema security

check: lint types test

# Deliberate upgrades only: regenerate both lock files from pyproject.toml.
lock:
	$(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet pip-tools
	for extra in "" dev; do \
	  out=requirements$${extra:+-$$extra}.lock; \
	  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= .lockvenv/bin/pip-compile --quiet --upgrade \
	    --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
	    --no-emit-find-links --no-emit-index-url --index-url https://pypi.org/simple \
	    $${extra:+--extra $$extra} -o $$out pyproject.toml; \
	done

clean:
	rm -rf $(VENV) .lockvenv .pytest_cache .mypy_cache .ruff_cache
