# Two commands: `make serve` (build, serve, rebuild on edit) and `make test` (every test).
# Each creates .venv and installs the pinned dependencies and the build package itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
PORT ?= 8000
# A drop-in CMS release instead of the packaged one: make build TABULAR=... CODES=...
RELEASE := $(if $(TABULAR),--tabular $(TABULAR)) $(if $(CODES),--codes $(CODES))

.PHONY: build serve test test-unit test-site test-browser check accept-release system-deps node-deps clean bench screenshots

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

system-deps:
	@bash scripts/setup/system_deps.sh

node-deps: system-deps $(NODE_STAMP)

## build: check the data against the official code set and write site/ (strict)
build: $(STAMP)
	$(VENV)/bin/backspasm build $(RELEASE)

## check: check data, pages, links and settings only (seconds)
check: $(STAMP)
	$(VENV)/bin/backspasm check $(RELEASE)

## accept-release: after a code-set upgrade, record the new release in data/codeset_snapshot.yml
accept-release: $(STAMP)
	$(VENV)/bin/backspasm accept-release $(RELEASE)

## serve: build, serve http://127.0.0.1:8000/, rebuild and reload the browser on every edit
serve: $(STAMP)
	$(PY) -m devtools.serve --port $(PORT)

## test: every test, in tiers (installs Chromium, nginx, Java and Node tools first)
test: $(STAMP) node-deps
	$(PY) -m pytest -n 2

test-unit: $(STAMP)
	$(PY) -m pytest -n 2 -m unit

test-site: $(STAMP)
	$(PY) -m pytest -n 2 -m site

test-browser: $(STAMP) node-deps
	$(PY) -m pytest -n 2 -m browser

## bench: build 5 times, serve (nginx if there), print bytes per page, ratios and Lighthouse scores
bench: $(STAMP) node-deps
	$(PY) -m devtools.bench

## screenshots: home, related codes, a guide step and a result; light/dark, desktop/phone
screenshots: $(STAMP) node-deps
	$(PY) -m devtools.screenshots

clean:
	rm -rf build site .site-* .site.building-* .site.replaced-* $(VENV) node_modules
