# Two commands on a new machine: `make demo` (the application with demo data on
# http://127.0.0.1:5000) and `make test` (the whole test suite). Both set up .venv themselves.
VENV ?= .venv
PYTHON ?= python3
FLASK = $(VENV)/bin/flask --app wsgi
DEMO_PASSWORD ?= demo-charte-2026
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export CHARTE_DEMO ?= 1

.PHONY: install system-deps demo run test test-pg test-browser clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test,deploy]"
	touch $@

install: $(VENV)/.installed

# Chromium (browser tests), Poppler (pdfsig, pdffonts…) and DejaVu (the signed PDF's fonts) come from the
# system's packages.
system-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1 \
		&& [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium poppler-utils \
		fonts-dejavu-core; \
	else echo "Installez chromium, poppler-utils et fonts-dejavu-core (apt-get install …)."; fi

demo: install
	$(FLASK) charte init
	@$(FLASK) charte demo --password "$(DEMO_PASSWORD)"; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "(La base contient déjà des données : démo conservée.)"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi
	$(FLASK) run --host 127.0.0.1 --port 5000

run: install
	$(FLASK) charte init
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install system-deps
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

test-pg: install system-deps
	CHARTE_TEST_DATABASE_URL="$(PG_TEST_URL)" $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

test-browser: install system-deps
	$(VENV)/bin/python -m pytest -m browser $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
