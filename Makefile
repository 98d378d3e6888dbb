# `make run` starts the dashboard on the embedded demo database; `make test` runs the whole suite.
PYTHON ?= python3

.PHONY: install install-dev chromium run test lint bench screenshots

install:
	$(PYTHON) -m pip install -q -r requirements.txt

install-dev:
	$(PYTHON) -m pip install -q -r requirements-dev.txt

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used); the reverse-proxy
# test runs deploy/nginx.conf in Debian's nginx.
chromium:
	@command -v chromium >/dev/null && command -v nginx >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium nginx; }

run: install
	$(PYTHON) -m streamlit run app.py

test: install-dev chromium
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest

lint:
	$(PYTHON) -m ruff check . && $(PYTHON) -m ruff format --check .

bench: install-dev chromium
	$(PYTHON) -m scripts.bench_demo --postgres
	$(PYTHON) -m scripts.bench_startup
	$(PYTHON) -m scripts.bench_health
	$(PYTHON) -m scripts.bench_health --postgres
	$(PYTHON) -m scripts.bench_advocacy
	$(PYTHON) -m scripts.bench_advocacy --postgres
	$(PYTHON) -m scripts.bench_references
	$(PYTHON) -m scripts.bench_references --postgres
	$(PYTHON) -m scripts.bench_kpis
	$(PYTHON) -m scripts.bench_kpis --postgres
	$(PYTHON) -m scripts.bench_import
	$(PYTHON) -m scripts.bench_import --postgres
	$(PYTHON) -m scripts.bench_score_check
	$(PYTHON) -m scripts.bench_score_check --postgres
	$(PYTHON) -m scripts.bench_churn_fit --postgres
	$(PYTHON) -m scripts.bench_tasks
	$(PYTHON) -m scripts.bench_tasks --postgres
	$(PYTHON) -m scripts.bench_load
	$(PYTHON) -m scripts.bench_load --postgres
	$(PYTHON) -m scripts.bench_digests
	$(PYTHON) -m scripts.bench_digests --postgres
	$(PYTHON) -m scripts.bench_browser
	$(PYTHON) -m scripts.bench_browser --postgres

# Every page each demo user may open, at 1280×720 and 1400×1000, into screenshots/ (on a temporary demo database).
screenshots: install-dev chromium
	$(PYTHON) -m scripts.screenshots
