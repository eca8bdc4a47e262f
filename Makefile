# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NATIVE_SRC := src/kontrolltarn/plan/ihtc/state.py src/kontrolltarn/plan/ihtc/anneal.py \
	src/kontrolltarn/plan/staffing/inrc2_anneal.py
NATIVE := src/kontrolltarn/plan/native.json

.PHONY: demo test lint bench clean native

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The IHTC and INRC-II annealers compiled with mypyc (pure Python still works if this fails).
$(NATIVE): $(STAMP) $(NATIVE_SRC) scripts/build_native.py
	$(BIN)/python scripts/build_native.py

native: $(NATIVE)

demo: $(STAMP) $(NATIVE)
	$(BIN)/kontrolltarn demo

test: $(STAMP) $(NATIVE)
	bash scripts/install-system-deps.sh
	$(BIN)/lint-imports --no-cache  # the layering (pyproject.toml [tool.importlinter]): a wrong arrow fails here
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP) $(NATIVE)
	$(BIN)/kontrolltarn bench all --quick

clean:
	rm -rf $(VENV) build src/build *.egg-info src/*.so src/kontrolltarn/plan/ihtc/*.so $(NATIVE)
