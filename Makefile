# Two commands: `make serve` (build and serve) and `make test` (every test).
# Each creates .venv and installs the pinned dependencies itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
PORT ?= 8000

.PHONY: build serve test check system-deps node-deps clean bench screenshots

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
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
	$(PY) scripts/build_site.py

## check: check data files and pages only
check: $(STAMP)
	$(PY) scripts/build_site.py --check

## serve: build, then serve site/ at http://127.0.0.1:8000
serve: build
	@echo "Serving site/ at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory site

## test: every test (installs Chromium, nginx, Java and Node tools first)
test: $(STAMP) node-deps
	$(PY) -m pytest -n 2

## bench: build 5 times, serve (nginx if there), print bytes per page and Lighthouse scores
bench: $(STAMP) node-deps
	$(PY) scripts/bench.py

## screenshots: home, related codes, a guide step and a result; light/dark, desktop/phone
screenshots: $(STAMP) node-deps
	$(PY) scripts/screenshots.py

clean:
	rm -rf build site .site-* $(VENV) node_modules
