# Two commands do all set-up on a fresh machine: `make test` and `make demo`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install test demo study study-lora table1 concepts concepts-all captions noise-offset rehearse export \
	clean-nbs bench docs

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

# The toy study (experiments/toy_study.yaml, about 1.5-2 hours on 2 cores; resumable): its tables and figures are
# copied to experiments/results/toy_study/, which nbs/34_toy_study.ipynb reads.
study: install
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb batch --config experiments/toy_study.yaml --out runs/toy_study
	mkdir -p experiments/results/toy_study
	cp runs/toy_study/results/*.csv runs/toy_study/results/*.md runs/toy_study/results/*.png \
		runs/toy_study/experiment.yaml experiments/results/toy_study/

# Table 1 on the toy world (experiments/toy_table1.yaml: 5 methods x 6 subjects x 3 seeds, resumable; runs a file's
# `merge:` leaves out): its tables and figures are copied to experiments/results/toy_table1/, which
# nbs/35_toy_table1.ipynb reads.
table1: install
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb batch --config experiments/toy_table1.yaml --out runs/toy_table1
	mkdir -p experiments/results/toy_table1
	cp runs/toy_table1/results/*.csv runs/toy_table1/results/*.md runs/toy_table1/results/*.png \
		runs/toy_table1/experiment.yaml experiments/results/toy_table1/
	cp runs/toy_table1/results/contrasts.png nbs/images/toy_table1_contrasts.png  # the README's figure

# The data users bring, on the toy world (each resumable; each reads its baseline from Table 1's committed runs):
# several subjects in one model (experiments/toy_concepts.yaml: pairs; toy_concepts_all.yaml: all 6), a caption per
# photo (toy_captions.yaml, on a captioned copy of the toy subjects), offset noise (toy_noise_offset.yaml).
# Results: experiments/results/<name>/.
concepts: install
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb batch --config experiments/toy_concepts.yaml --out runs/toy_concepts
	mkdir -p experiments/results/toy_concepts
	cp runs/toy_concepts/results/*.csv runs/toy_concepts/experiment.yaml experiments/results/toy_concepts/
	# the leakage baseline, from Table 1's runs (their folders: `make table1` on this machine)
	$(PY) tools/alone_leakage.py runs/toy_table1 experiments/results/toy_concepts/concepts.csv \
		experiments/results/toy_concepts/alone_leakage.csv

concepts-all: install
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb batch --config experiments/toy_concepts_all.yaml --out runs/toy_concepts_all
	mkdir -p experiments/results/toy_concepts_all
	cp runs/toy_concepts_all/results/*.csv runs/toy_concepts_all/experiment.yaml experiments/results/toy_concepts_all/
	$(PY) tools/alone_leakage.py runs/toy_table1 experiments/results/toy_concepts_all/concepts.csv \
		experiments/results/toy_concepts_all/alone_leakage.csv

captions: install
	$(PY) -c "from dreambooth_nb.toy_world import caption_toy_subjects; \
		caption_toy_subjects('runs/toy_captioned_subjects')"
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb batch --config experiments/toy_captions.yaml --out runs/toy_captions
	mkdir -p experiments/results/toy_captions
	cp runs/toy_captions/results/*.csv runs/toy_captions/experiment.yaml experiments/results/toy_captions/
	# where the judge places each sample, with captions and (Table 1's runs: `make table1` on this machine) without
	$(PY) tools/toy_sample_stats.py runs/toy_captions experiments/results/toy_captions/sample_stats.csv
	$(PY) tools/toy_sample_stats.py runs/toy_table1 experiments/results/toy_captions/uncaptioned_sample_stats.csv \
		--point dreambooth/method=full

noise-offset: install
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb batch --config experiments/toy_noise_offset.yaml --out runs/toy_noise_offset
	mkdir -p experiments/results/toy_noise_offset
	cp runs/toy_noise_offset/results/*.csv runs/toy_noise_offset/experiment.yaml experiments/results/toy_noise_offset/
	# the samples' brightness, with offset noise and (Table 1's runs: `make table1` on this machine) without
	$(PY) tools/toy_sample_stats.py runs/toy_noise_offset experiments/results/toy_noise_offset/sample_stats.csv
	$(PY) tools/toy_sample_stats.py runs/toy_table1 experiments/results/toy_noise_offset/no_offset_sample_stats.csv \
		--point dreambooth/method=full

# Full fine-tuning vs LoRA x PPL on the toy world (experiments/toy_lora.yaml, about 30 minutes on 2 cores)
study-lora: install
	OMP_NUM_THREADS=2 $(BIN)/dreambooth-nb batch --config experiments/toy_lora.yaml --out runs/toy_lora
	mkdir -p experiments/results/toy_lora
	cp runs/toy_lora/results/*.csv runs/toy_lora/results/*.md runs/toy_lora/results/*.png \
		runs/toy_lora/experiment.yaml experiments/results/toy_lora/

# The sd15 preset's route end to end, offline, on stand-in weights under its own hub ids (tools/rehearse.py,
# nbs/26_rehearse.ipynb): the Table 3 batch on 2 subjects at 64 px, a LoRA run, results, WebUI exports, reloads.
rehearse: install
	$(PY) tools/rehearse.py

export: install
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

# The CPU training benchmark of bench/BENCHMARKS.md (prints its numbers; `python bench/bench.py -h` for the rest).
bench: install
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) bench/bench.py train --arch tiny --res 64 --steps 30 --rounds 3 \
		--variants baseline,basemem,ours,floor,nolat,notext

# The notebooks as a website with their outputs (docs/conf.py, docs/build.py): Sphinx + myst-nb executes each notebook
# with its CI-sized defaults, cached by code in build/docs/ (an unchanged notebook is not run again; `rm -r build/docs`
# runs all), into _docs/; docs/check_site.py then checks links, images and headings and loads the main pages in
# headless Chromium (installed here from Debian when missing); screenshots in _docs/_screens/.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
docs: install
	@command -v chromium >/dev/null || { echo "installing Debian's chromium"; $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	$(PY) docs/build.py
