# GenLab: one-command build, run and test on Debian 12.
#
#   make run       install missing packages, fetch MNIST, build, start the GUI
#   make test      the same up to the build, then all tests (ctest under Xvfb)
#   make build | setup | data | package | bench | fuzz | test-asan | clean | distclean | help
#
# Everything is idempotent: with packages, data and build in place each step is a
# quick check. Variables: BUILD_DIR, BUILD_TYPE, CMAKE_ARGS (forces a reconfigure),
# JOBS (compile jobs), CTEST_ARGS, ARGS (passed to genlab by `make run`).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
CMAKE_ARGS ?=
CTEST_ARGS ?=
ARGS       ?=
# One compile job per core, but no more than memory allows: a translation unit that
# includes LibTorch needs ~1.5 GB.
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); \
          m=$$(awk '/^MemAvailable:/ { print int($$2 / 1600000) }' /proc/meminfo 2>/dev/null || echo $$n); \
          j=$$(( m < n ? m : n )); echo $$(( j < 1 ? 1 : j )))

.PHONY: all run test test-asan build configure setup data package bench fuzz clean distclean help

all: build

help:
	@sed -n '1,9p' Makefile | sed 's/^# \{0,1\}//'

setup:
	@scripts/setup.sh

data: setup
	@scripts/fetch-data.sh

# Configure once (ninja re-runs cmake by itself when a CMakeLists.txt changes);
# CMAKE_ARGS=... forces a reconfigure with those arguments.
configure: setup
	@if [[ ! -f "$(BUILD_DIR)/build.ninja" || -n "$(strip $(CMAKE_ARGS))" ]]; then \
	  echo "cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)"; \
	  cmake -S . -B "$(BUILD_DIR)" -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS); \
	fi

build: configure
	@echo "cmake --build $(BUILD_DIR) -j $(JOBS)"
	@cmake --build "$(BUILD_DIR)" -j $(JOBS)

run: build data
	@if [[ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]]; then \
	  echo "make run: no DISPLAY; for a headless start use: xvfb-run -a $(BUILD_DIR)/bin/genlab" >&2; \
	fi
	$(BUILD_DIR)/bin/genlab $(ARGS)

# libFuzzer targets per reader under ASan/UBSan (clang-14), FUZZ_SECONDS each (default 60);
# FUZZ_RUNS, FUZZ_FORK, FUZZ_TIMEOUT, FUZZ_ARGS and FUZZ_PGID_FILE pass to fuzz/run.sh (see
# there); figures in docs/reliability.md.
FUZZ_SECONDS ?= 60
fuzz: setup
	fuzz/run.sh $(FUZZ_SECONDS)

# The core tests under AddressSanitizer and UndefinedBehaviorSanitizer, in
# their own build folder (build-asan), without the GUI; not part of `make
# test` (a full sanitizer build takes long on 2 cores; docs/reliability.md).
# LibTorch and OpenBLAS are not instrumented; leaks inside them are not ours
# (detect_leaks=0); ASAN_TESTS picks tests (Catch2 syntax).
ASAN_DIR ?= build-asan
ASAN_TESTS ?= ~[slow]
test-asan: setup data
	@cmake -S . -B "$(ASAN_DIR)" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGENLAB_BUILD_GUI=OFF \
	  -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" $(CMAKE_ARGS)
	@cmake --build "$(ASAN_DIR)" -j $(JOBS) --target genlab_core_tests genlab-cli
	cd "$(ASAN_DIR)/tests" && ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ../bin/genlab_core_tests "$(ASAN_TESTS)"

# xvfb-run gives the GL (QOpenGLWidget, VTK) tests an X server; ctest prints its summary.
test: build data
	xvfb-run -a -s "-screen 0 1280x1024x24" \
	  ctest --test-dir "$(BUILD_DIR)" --output-on-failure --no-tests=error $(CTEST_ARGS)

package: build
	cd "$(BUILD_DIR)" && cpack -G DEB
	@ls -l "$(BUILD_DIR)"/genlab_*.deb

bench: build data
	@if [[ -x bench/run_all.sh ]]; then \
	  ./bench/run_all.sh; \
	elif [[ -f bench/run_all.sh ]]; then \
	  bash bench/run_all.sh; \
	else \
	  echo "bench: bench/run_all.sh does not exist yet; nothing to run."; \
	fi

clean:
	rm -rf "$(BUILD_DIR)"

# Also removes the fetched data in ./data (a $GENLAB_DATA_DIR elsewhere is never touched).
distclean: clean
	rm -rf data
