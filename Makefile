# Thin wrapper around scripts/setup.sh, CMake and CTest/pytest.
#   make demo   build everything, run samples/demo.py
#   make test   build everything, run the C++ tests (ctest) and the Python tests (pytest)
#   make bench  build everything, run every bench/*.py
# Every target works as root on a fresh Debian 12 machine: `setup` installs what is missing.

SHELL  := /bin/bash
BUILD  ?= build
PY     := .venv/bin/python
# Parallel compile jobs: one per core, but g++ on CAF-heavy files wants ~1.5 GiB each.
JOBS   ?= $(shell n=$$(nproc); m=$$(awk '/MemAvailable/ {print int($$2 / 1572864)}' /proc/meminfo); \
            [ -n "$$m" ] && [ "$$m" -lt "$$n" ] && n=$$m; [ "$$n" -lt 1 ] && n=1; echo $$n)

.PHONY: all setup configure build demo test fuzz gpu-test gpu-pack bench clean distclean

all: build

setup:
	@scripts/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DPython_EXECUTABLE=$(CURDIR)/$(PY) \
	  -Dpybind11_DIR=$$($(PY) -m pybind11 --cmakedir)

configure: setup
	@$(MAKE) --no-print-directory $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(PY) samples/demo.py

# Both steps always run; the target fails if either fails. pytest's exit 5 ("no tests
# collected") counts as success only while tests/python holds no test files at all.
test: build
	@rc=0; \
	ctest --test-dir $(BUILD) --output-on-failure -LE gpu --timeout 300 || rc=1; \
	prc=0; $(PY) -m pytest tests/python -q -m "not gpu" || prc=$$?; \
	if [ $$prc -eq 5 ] && [ -z "$$(find tests/python -name 'test_*.py' -o -name '*_test.py' | head -n1)" ]; then \
	  echo "pytest: tests/python has no test files yet"; prc=0; \
	fi; \
	[ $$prc -eq 0 ] || rc=1; \
	scripts/fuzz.sh || { echo "fuzz: FAILED"; rc=1; }; \
	if [ $$rc -eq 0 ]; then echo "make test: OK"; else echo "make test: FAILED"; fi; \
	exit $$rc

# The libFuzzer target for the wire decoders (FUZZ_SECONDS=N to run longer).
fuzz: setup
	scripts/fuzz.sh

# Needs a CUDA GPU: builds with SHOAL_WITH_CUDA=ON in build-gpu/ and runs every test,
# the gpu-labelled ones included (scripts/gpu-test.sh; docs/gpu.md has the device recipe).
gpu-test:
	scripts/gpu-test.sh

# No GPU needed: builds build-gpu/ here and packs it for scripts/gpu-run.sh on the GPU machine.
gpu-pack:
	scripts/gpu-pack.sh

bench: build
	@rc=0; found=0; \
	for f in bench/*.py; do \
	  [ -e "$$f" ] || continue; found=1; \
	  echo "== $$f"; $(PY) "$$f" || { echo "FAILED: $$f"; rc=1; }; \
	done; \
	[ $$found -eq 1 ] || echo "bench: no bench/*.py scripts yet"; \
	exit $$rc

clean:
	rm -rf $(BUILD) build-fuzz
	rm -f python/shoal/_shoal*.so

distclean: clean
	rm -rf .venv
