# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: demo test lint system-packages messages benchmark clean

demo: $(VENV)/.runtime
	$(BIN)/sspr demo --port $(PORT)

# Tests run on SQLite (everything, browser and real directory servers included, and the
# several-instances test, which starts its own PostgreSQL, Redis and nginx), then again on a real
# PostgreSQL server started for the run (everything else that touches the database).
test: system-packages $(VENV)/.test lint
	$(BIN)/pytest
	scripts/with-postgres $(BIN)/pytest -m "not browser and not directories and not instances" -p no:cacheprovider

# Static checks, run first by `make test`: ruff over all the code, mypy over the service, flow and
# domain packages (both configured in pyproject.toml).
lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

system-packages:
	scripts/install-system-packages

$(VENV)/.runtime: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

# Re-extract and compile translations after changing user-facing text (needs gettext).
# New msgids arrive untranslated (and msgmerge's fuzzy guesses are often wrong):
# tests/test_translations.py fails until every one is translated, in every catalog.
# An app with a locale/ folder of its own (src/sspr/delivery) keeps its strings there, extracted
# from inside the app and left out of the main catalog (src/sspr/locale, in LOCALE_PATHS, which
# Django searches before the apps' folders, so a copy there would win over the app's own).
MESSAGES_ENV := SSPR_CONFIG=$(abspath tests/sspr-test.toml) SSPR_DATABASE__URL=sqlite:///:memory:
MAKEMESSAGES := $(MESSAGES_ENV) $(abspath $(BIN))/django-admin makemessages -l es --no-obsolete --settings=sspr.settings
APP_CATALOGS := $(patsubst src/sspr/%/locale,%,$(wildcard src/sspr/*/locale))
messages: $(VENV)/.runtime
	cd src/sspr && $(MAKEMESSAGES) $(foreach app,$(APP_CATALOGS),--ignore='$(app)/*')
	set -e; for app in $(APP_CATALOGS); do (cd src/sspr/$$app && $(MAKEMESSAGES)); done
	cd src/sspr && $(MESSAGES_ENV) $(abspath $(BIN))/django-admin compilemessages --settings=sspr.settings

clean:
	rm -rf $(VENV) var

# Benchmarks report ratios against limits measured in the same run (see benchmarks/README.md).
benchmark: system-packages $(VENV)/.test
	$(BIN)/python -m benchmarks
