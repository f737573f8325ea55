# Quick start: `make demo` (the gateway in front of a simulated upstream) and `make test` (everything).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# reinstalled when the metadata or the C accelerator change (the editable install builds it)
BUILD  := pyproject.toml setup.py $(wildcard classifiers/_speedups*.[ch])
STAMP  := $(VENV)/.installed-$(shell cat $(BUILD) | cksum | cut -d' ' -f1)

.PHONY: demo test test-unit test-vllm bench bench-gateway clean

$(STAMP): $(BUILD)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/complexity-router demo

## The whole suite: unit + integration tests, then the real-vLLM stage.
test: test-unit test-vllm

test-unit: $(STAMP)
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
