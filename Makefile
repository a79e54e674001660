# sgn-book tasks. The two commands of the README:
#   make book   – set up everything missing, then build the site from the committed executed notebooks
#   make test   – set up everything missing, then run all tests (unit, nbval, strict build, headless browser)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
ROOT   := $(abspath .)

# Caches stay inside the work tree, never in $HOME.
export IPYTHONDIR          := $(ROOT)/.cache/ipython
export JUPYTER_CONFIG_DIR  := $(ROOT)/.cache/jupyter/config
export JUPYTER_RUNTIME_DIR := $(ROOT)/.cache/jupyter/runtime
export MPLCONFIGDIR        := $(ROOT)/.cache/matplotlib
export XDG_CACHE_HOME      := $(ROOT)/.cache/xdg
export HYPOTHESIS_STORAGE_DIRECTORY := $(ROOT)/.cache/hypothesis
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# MPLBACKEND=Agg would silently drop every figure from executed notebooks.
unexport MPLBACKEND

CH      ?= all
PROFILE ?= book
ARGS    ?=

NPROC   ?= 2
NNODES  ?= 2
RDZV    ?= localhost:29500

.PHONY: help env book test site-deps data-deps run precompute precompute-node precompute-nodes quick-refs book-nbs bench clean
help:
	@echo "make book          build the site into _build/html (sets up .venv and node_modules if missing)"
	@echo "make test          run every test: pytest (unit + nbval quick references + strict build + browser)"
	@echo "make run CH=01 PROFILE=book ARGS='-p n_draws 100000'   re-execute chapters"
	@echo "make precompute CH=07 PROFILE=paper             compute a chapter's cached units without executing it"
	@echo "make precompute-node CH=07 PROFILE=paper NPROC=8   the same spread over NPROC ranks of one node (torchrun)"
	@echo "make precompute-nodes CH=07 NNODES=4 NPROC=8 RDZV=host:29500   ... over several nodes (run on each)"
	@echo "make quick-refs    refresh the nbval references (quick profile) after a change"
	@echo "make book-nbs      re-execute every chapter with the book profile into book/"
	@echo "make bench         run the benchmarks"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python >= 3.11 needed, found " + sys.version' 
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch/torchvision pinned to the releases this project is tested with
	$(PY) -m pip install --quiet "torch==2.14.1" "torchvision==0.29.1"
	$(PY) -m pip install --quiet -e ".[book,test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

env: $(VENV)/.installed node_modules/.installed
	@mkdir -p $(IPYTHONDIR) $(JUPYTER_CONFIG_DIR) $(JUPYTER_RUNTIME_DIR) $(MPLCONFIGDIR) $(XDG_CACHE_HOME)

book: env
	$(VENV)/bin/jupyter-book build book/
	@echo "The site is at $(ROOT)/_build/html/index.html"

# Headless Chromium for the site test (Debian package; we run as root on CI).
site-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "error: chromium is missing; install the Debian package 'chromium' (sudo apt-get install chromium)"; exit 1; fi; }

# Fashion-MNIST for chapters 03-04 (Debian package dataset-fashion-mnist; we run as root on CI).
FASHION_DIRS := /usr/share/datasets/fashion-mnist $(or $(SGN_DATA_DIR),data/external)/fashion-mnist
data-deps:
	@for d in $(FASHION_DIRS); do ls $$d/train-images-idx3-ubyte* >/dev/null 2>&1 && exit 0; done; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; \
	  else echo "warning: Fashion-MNIST is missing; install the Debian package 'dataset-fashion-mnist' (sudo apt-get install dataset-fashion-mnist)"; fi

# Test files run on TEST_WORKERS processes (pytest-xdist), each file on one worker (nbval's cells share
# a kernel, module fixtures are built once): the chapter runs use one or two torch threads each, so two
# workers keep both cores of a small machine busy.
TEST_WORKERS ?= auto
test: env site-deps data-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

run: env data-deps
	$(PY) -m sgnlib run $(CH) --profile $(PROFILE) $(ARGS)

precompute: env data-deps
	$(PY) -m sgnlib precompute $(CH) --profile $(PROFILE) $(ARGS)

precompute-node: env data-deps
	$(VENV)/bin/torchrun --standalone --nproc_per_node $(NPROC) -m sgnlib precompute $(CH) --profile $(PROFILE) $(ARGS)

precompute-nodes: env data-deps
	$(VENV)/bin/torchrun --nnodes $(NNODES) --nproc_per_node $(NPROC) --rdzv_backend c10d --rdzv_endpoint $(RDZV) \
	  --rdzv_id sgn-$(CH)-$(PROFILE) -m sgnlib precompute $(CH) --profile $(PROFILE) $(ARGS)

quick-refs: env data-deps
	$(PY) -m sgnlib run all --profile quick

book-nbs: env data-deps
	$(PY) -m sgnlib run all --profile book

bench: env
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf _build .cache .pytest_cache
