# Watchboard — the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo-workspace

.PHONY: install system-deps demo test lint bench eval eval-floors clean help

help:
	@echo "make demo    install into $(VENV) and build the DPRK 2026 demo workspace in $(DEMO)/"
	@echo "make test    install and run the whole test suite (starts its own PostgreSQL)"
	@echo "make lint    ruff, mypy and the import-layer contract"
	@echo "make eval    score extraction on the development gold sets in $(EVAL_ROOT)"
	@echo "make bench   run benchmarks/ and print figures"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@# Build the gazetteer index once (user cache), so the first extraction starts warm.
	$(BIN)/python -c "from watchboard.resolve.places import GazetteerResolver as G; G.build([])"
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/ensure-system-deps

# The demo's PDF brief needs a font with Hangul (installed with apt when root, else a clear stop).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:fonts-noto-cjk

demo: install
	bash scripts/ensure-system-deps --no-builtins $(CJK_FONT)
	$(BIN)/watchboard demo $(DEMO)

test: install system-deps
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

EVAL_ROOT ?= ../shared/eval

eval: install
	$(BIN)/python -m watchboard.evaluation.suite --root $(EVAL_ROOT) --out eval-results/dev.json

eval-floors: install
	$(BIN)/python -m watchboard.evaluation.suite --root $(EVAL_ROOT) --check eval-floors.json

bench: install system-deps
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache .mypy_cache bench-results eval-results
