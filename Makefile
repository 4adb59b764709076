# The two commands the README opens with. Each sets itself up: it creates (or reuses)
# a virtual environment in .venv and installs what it needs, then runs. `make demo`
# installs the library alone; `make test` adds the test extra (pytest, ruff, dask, mypy and
# the tools that build the documentation, which the suite builds).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint docs typecheck clean bench

# the library and what it needs to run
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

# ... plus the test extra
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

demo: $(STAMP)
	$(BIN)/screening demo --out demo-output

test: $(STAMP) $(TEST_STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP) $(TEST_STAMP)
	$(BIN)/ruff check .

docs: $(STAMP) $(TEST_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

# Also run by the suite (tests/test_typing.py). mypy reads a plain (non-editable) copy of
# the package, because the engine folders only become screening.features and so on when
# installed.
typecheck: $(STAMP) $(TEST_STAMP)
	rm -rf $(VENV)/typecheck
	$(BIN)/python -m pip install --quiet --no-deps --target $(VENV)/typecheck .
	MYPYPATH=$(VENV)/typecheck $(BIN)/python -m mypy -p screening

bench: $(STAMP) $(TEST_STAMP)
	$(BIN)/python -m benchmarks --size small

clean:
	rm -rf $(VENV) demo-output .pytest_cache docs/_build
