# The two commands of the README:
#   make demo   set everything up, build, and run the demo pipeline under the dev profile
#   make test   set everything up, build, and run every test
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
PREFIX ?= /usr/local

CMAKE_FLAGS = -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=$(PREFIX)

.PHONY: all bootstrap configure build test sanitize demo install bench clean

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

# The unit tests again, built with AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer.
sanitize: bootstrap
	@cmake -S . -B $(BUILD_DIR)-asan -DCMAKE_BUILD_TYPE=Debug -DDLT_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_DIR)-asan -j$(JOBS) --target dlt_unit_tests
	@echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(BUILD_DIR)-asan/dlt_unit_tests --gtest_brief=1

demo: build
	@scripts/demo.sh $(BUILD_DIR)/dlt

install: build
	@cmake --install $(BUILD_DIR) --strip

bench: build
	@bench/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-asan
