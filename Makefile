# Samverkan: `make run` installs, migrates, loads the demo and serves; `make test` tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
DEMO_PASSWORD ?= samverkan-demo
FLASK := $(BIN)/flask --app workspace

.PHONY: install run serve test migrate demo translations bench clean

install: $(VENV)/.installed static/vendor/.installed translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/vendor/.installed: node_modules/.installed tools/vendor.py
	$(BIN)/python tools/vendor.py
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d workspace/translations

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo --if-empty --password '$(DEMO_PASSWORD)'

run: install instance/secret_key
	SAMVERKAN_ENV=development $(FLASK) db upgrade
	SAMVERKAN_ENV=development $(FLASK) demo --if-empty --password '$(DEMO_PASSWORD)'
	SAMVERKAN_ENV=development SECRET_KEY=$$(cat instance/secret_key) PORT=$(PORT) \
		$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o workspace/translations/messages.pot .
	$(BIN)/pybabel update -N -i workspace/translations/messages.pot -d workspace/translations

clean:
	rm -rf $(VENV) node_modules static/vendor
