# The two commands of the README:
#   make demo   set everything up, build, and run the demo pipeline under the dev profile
#   make test   set everything up, build, and run every test
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
PREFIX ?= /usr/local

CMAKE_FLAGS = -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX)

FUZZ_TIME ?= 600

.PHONY: all bootstrap configure build test sanitize sanitize-configure fuzz-smoke fuzz demo install bench clean

all: build

bootstrap:
	@scripts/bootstrap.sh

configure: bootstrap
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)
	@$(MAKE) --no-print-directory sanitize
	@$(MAKE) --no-print-directory fuzz-smoke

# One clang build with AddressSanitizer and UndefinedBehaviorSanitizer (every UB check fatal) and
# libFuzzer instrumentation (CMake option DLT_FUZZ): the unit tests and the fuzz targets of fuzz/
# share its compile of the core. A build dir configured with another compiler is reconfigured.
ASAN_DIR = $(BUILD_DIR)-asan
sanitize-configure: bootstrap
	@if [ -f $(ASAN_DIR)/CMakeCache.txt ] && ! grep -q 'CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' $(ASAN_DIR)/CMakeCache.txt; then \
	  rm -rf $(ASAN_DIR)/CMakeCache.txt $(ASAN_DIR)/CMakeFiles; fi
	@CC=clang CXX=clang++ cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
	  -DDLT_FUZZ=ON >/dev/null
	@cmake --build $(ASAN_DIR) -j$(JOBS) --target dlt_unit_tests dlt_integration_tests dlt_python_unit_tests fuzzers

# The unit and integration (golden) tests and the Python binding's tests again, under
# AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer.
sanitize: sanitize-configure
	@echo "== unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(ASAN_DIR)/dlt_unit_tests --gtest_brief=1
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(ASAN_DIR)/dlt_integration_tests --gtest_brief=1
	@echo "== the Python binding's C++ in an embedded python3 (its objects through malloc, so ASan sees them)"
	@PYTHONMALLOC=malloc ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(ASAN_DIR)/dlt_python_unit_tests --gtest_brief=1

# Every fuzz target for about a minute, two at a time, from a copy of its seed corpus.
fuzz-smoke: sanitize-configure
	@fuzz/run.sh $(ASAN_DIR) 60 2

# Long fuzzing: make fuzz FUZZ_TIME=3600 [FUZZ_JOBS=2] [FUZZ_MERGE=1 to keep new corpus inputs].
FUZZ_JOBS ?= $(JOBS)
fuzz: sanitize-configure
	@FUZZ_MERGE=$(FUZZ_MERGE) fuzz/run.sh $(ASAN_DIR) $(FUZZ_TIME) $(FUZZ_JOBS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)/dlt

install: build
	@cmake --install $(BUILD_DIR) --strip

bench: build
	@bench/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-asan
