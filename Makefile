# Two commands do all set-up on a fresh machine: `make test` and `make demo`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install test demo export clean-nbs bench

$(VENV)/.installed: setup.py settings.ini
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# nbdev's CI checks (clean, export) + every notebook under nbdev_test + pytest tests/
test: install
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) tests/run_all.py

# The main job on the embedded default (the toy world).
demo: install
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb demo

export: install
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

# The CPU training benchmark of bench/BENCHMARKS.md (prints its numbers; `python bench/bench.py -h` for the rest).
bench: install
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) bench/bench.py train --arch tiny --res 64 --steps 30 --rounds 3 \
		--variants baseline,basemem,ours,floor,nolat,notext
