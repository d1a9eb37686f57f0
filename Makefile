# The two set-up commands of the README. Both create .venv on first use.
VENV := .venv
PY := python3

.PHONY: run test

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

# The main job, once, on the demo site: local sandbox + SQLite (nothing leaves this machine).
run: $(VENV)/.installed
	cd examples/site && ../../$(VENV)/bin/workflow run --once

# The test suite.
test: $(VENV)/.installed
	$(VENV)/bin/pytest -q
