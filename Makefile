# The two set-up commands of the README. Both create .venv on first use.
VENV := .venv
PY := python3

.PHONY: run test mutation

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

# Mutation score of the core modules (not part of `make test`; see the README's Development section).
# MUTATION_ARGS passes options, e.g. make mutation MUTATION_ARGS="--module approval --all".
$(VENV)/.mutation-installed: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[test,mutation]'
	touch $@

mutation: $(VENV)/.mutation-installed
	$(VENV)/bin/python bench/mutation.py $(MUTATION_ARGS)
